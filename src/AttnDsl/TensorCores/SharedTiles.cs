using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace AttnDsl.TensorCores
{
    /// <summary>
    /// Shared-memory traffic of the tensor-core kernels, in 32-bit words of the group's dynamic shared
    /// memory (two 16-bit elements per word): <c>ldmatrix</c> fragment loads and <c>cp.async</c> 16-byte
    /// copies from global memory. The PTX names ILGPU's dynamic shared symbol (<c>__dyn_shared_alloca</c>)
    /// for the 32-bit shared addresses these instructions take: <see cref="CudaTarget"/> kernels emit
    /// <c>ldmatrix</c> on their own registers at the lane offsets computed here, and <see cref="EmulatedTarget"/>
    /// kernels read the same fragments from the shared view element by element (the Load methods).
    /// </summary>
    public static class SharedTiles
    {
        private const string SharedAddress = ".reg .u32 sa; mov.u32 sa, __dyn_shared_alloca; add.u32 sa, sa, ";

        /// <summary>
        /// Byte offset of the row this lane hands to <c>ldmatrix.x4</c> for an A operand (or a transposed B
        /// operand): matrix m = lane / 8 covers rows 8 (m % 2).. and columns 8 (m / 2)...
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint RowOffsetA(int tileWord, int strideWords)
        {
            int lane = Warp.LaneIdx, m = lane >> 3;
            return (uint)(tileWord + ((m & 1) * 8 + (lane & 7)) * strideWords + (m >> 1) * 4) * 4u;
        }

        /// <summary>Byte offset of the row this lane hands to <c>ldmatrix.x4</c> for two B operands of a [n][k] tile: matrix m covers rows 8 (m / 2).. and columns 8 (m % 2)...</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint RowOffsetB(int tileWord, int strideWords)
        {
            int lane = Warp.LaneIdx, m = lane >> 3;
            return (uint)(tileWord + ((m >> 1) * 8 + (lane & 7)) * strideWords + (m & 1) * 4) * 4u;
        }

        /// <summary>
        /// The A operand of one m16n8k16 from the 16 x 16 block at (<paramref name="row"/>, word <paramref name="column"/>)
        /// of a row-major tile, as <c>ldmatrix.x4</c> leaves it: a0 rows 0-7 / k 0-7, a1 rows 8-15 / k 0-7, a2 rows 0-7 /
        /// k 8-15, a3 rows 8-15 / k 8-15.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // emulation only; see Mma for why it is never inlined
        public static (uint A0, uint A1, uint A2, uint A3) LoadA(ArrayView<uint> shared, TileLayout tile, int row, int column)
        {
            int lane = Warp.LaneIdx;
            int r = row + (lane >> 2), c = column + (lane & 3);
            return (shared[tile.Word(r, c)], shared[tile.Word(r + 8, c)], shared[tile.Word(r, c + 4)], shared[tile.Word(r + 8, c + 4)]);
        }

        /// <summary>
        /// B operands of two adjacent n-tiles from the 16 x 16 block at (<paramref name="row"/>, word <paramref name="column"/>)
        /// of a row-major [n][k] tile (the K tile of QK^T): (b0, b1) of columns 0-7 and (c0, c1) of columns 8-15.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // emulation only; see Mma for why it is never inlined
        public static (uint B0, uint B1, uint C0, uint C1) LoadB(ArrayView<uint> shared, TileLayout tile, int row, int column)
        {
            int lane = Warp.LaneIdx;
            int r = row + (lane >> 2), c = column + (lane & 3);
            return (shared[tile.Word(r, c)], shared[tile.Word(r, c + 4)], shared[tile.Word(r + 8, c)], shared[tile.Word(r + 8, c + 4)]);
        }

        /// <summary>
        /// B operands of two adjacent n-tiles from the 16 x 16 block at (<paramref name="row"/>, word <paramref name="column"/>)
        /// of a row-major [k][n] tile (the V tile of P.V), transposed on the way as <c>ldmatrix.x4.trans</c> does:
        /// (b0, b1) of columns 0-7 and (c0, c1) of columns 8-15.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)] // emulation only; see Mma for why it is never inlined
        public static (uint B0, uint B1, uint C0, uint C1) LoadBTransposed(ArrayView<uint> shared, TileLayout tile, int row, int column)
        {
            int lane = Warp.LaneIdx;
            // Lane (g, t) receives k = 2t, 2t+1 of column g.
            int k = row + 2 * (lane & 3), n = 2 * column + (lane >> 2);
            return (Pair(shared, tile, k, n), Pair(shared, tile, k + 8, n), Pair(shared, tile, k, n + 8), Pair(shared, tile, k + 8, n + 8));
        }

        /// <summary>The 16-bit elements at (<paramref name="row"/>, <paramref name="half"/>) and one row below, packed low/high.</summary>
        private static uint Pair(ArrayView<uint> shared, TileLayout tile, int row, int half) =>
            HalfAt(shared, tile, row, half) | (HalfAt(shared, tile, row + 1, half) << 16);

        private static uint HalfAt(ArrayView<uint> shared, TileLayout tile, int row, int half)
        {
            uint word = shared[tile.Word(row, half >> 1)];
            return (half & 1) != 0 ? word >> 16 : word & 0xFFFFu;
        }

        /// <summary>
        /// Words from the dynamic shared window's start to its first 1024-byte boundary, where the swizzled tiles of a
        /// <see cref="WarpgroupTarget"/> kernel begin (the swizzle pattern repeats every 1024 bytes of address); 0 elsewhere.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int SwizzleBase<TTarget>()
            where TTarget : struct, ITensorCoreTarget
        {
            if (!default(TTarget).Cuda || !default(TTarget).Warpgroup)
                return 0;
            CudaAsm.Emit("{ .reg .u32 sa; mov.u32 sa, __dyn_shared_alloca; neg.s32 sa, sa; and.b32 %0, sa, 1023; }", out uint pad);
            return (int)(pad >> 2);
        }

        /// <summary>
        /// Copies 16 bytes (4 words) from global word <paramref name="globalWord"/> to shared word
        /// <paramref name="sharedWord"/>, or zeros when <paramref name="valid"/> is false. Asynchronous on CUDA
        /// (<c>cp.async.cg</c>, completed by <see cref="Wait"/> and a barrier); <paramref name="globalAddress"/>
        /// is the device address of word 0 of <paramref name="global"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy16<TTarget>(ArrayView<uint> shared, int sharedWord, ArrayView<uint> global, long globalAddress, long globalWord, bool valid)
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
            {
                // Plain inputs (not EmitRef): no local-memory temporaries around the instruction.
                CudaAsm.Emit("{ " + SharedAddress + "%0; cp.async.cg.shared.global [sa], [%1], 16, %2; }",
                    (uint)sharedWord * 4u, (ulong)(globalAddress + (valid ? globalWord * 4L : 0L)), valid ? 16u : 0u);
                return;
            }
            for (int w = 0; w < 4; w++)
                shared[sharedWord + w] = valid ? global[globalWord + w] : 0u;
        }

        /// <summary>
        /// Orders this thread's completed copies before <c>wgmma</c>'s reads of them (<c>fence.proxy.async</c>): cp.async
        /// writes through the generic proxy, wgmma reads shared memory through the async proxy. Followed by a barrier.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void FenceForWarpgroup<TTarget>()
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda && default(TTarget).Warpgroup)
                CudaAsm.Emit("fence.proxy.async.shared::cta;");
        }

        /// <summary>Closes the group of copies issued since the last commit.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Commit<TTarget>()
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
                CudaAsm.Emit("cp.async.commit_group;");
        }

        /// <summary>Waits until at most one committed group of copies is still in flight.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void WaitAllButOne<TTarget>()
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
                CudaAsm.Emit("cp.async.wait_group 1;");
        }

        /// <summary>Waits until every committed copy has landed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Wait<TTarget>()
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
                CudaAsm.Emit("cp.async.wait_group 0;");
        }
    }

    /// <summary>
    /// Word addressing of a shared tile of 16-bit rows. Padded: <c>row * stride + column</c> (rows padded so
    /// <c>ldmatrix</c> rows fall on distinct banks). Swizzled: the 128-byte swizzle of <c>wgmma</c>'s descriptors, in
    /// 64-column panels of <c>panelWords</c>, 128-byte rows, the 16-byte chunk index XOR-ed with the row's index mod 8.
    /// </summary>
    public readonly struct TileLayout
    {
        private readonly int _base, _stride, _panel;
        private readonly bool _swizzled;

        public TileLayout(int baseWord, int strideWords, int panelWords, bool swizzled)
        {
            _base = baseWord;
            _stride = strideWords;
            _panel = panelWords;
            _swizzled = swizzled;
        }

        /// <summary>The shared word of (row, 32-bit column).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Word(int row, int column) => _swizzled
            ? _base + (column >> 5) * _panel + row * 32 + ((((column >> 2) & 7) ^ (row & 7)) << 2) + (column & 3)
            : _base + row * _stride + column;

        /// <summary>The shared word of the 16-byte part <paramref name="part"/> of <paramref name="row"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Part(int row, int part) => Word(row, part * 4);
    }
}
