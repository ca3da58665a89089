using System.Runtime.CompilerServices;
using ILGPU;

namespace AttnDsl.TensorCores
{
    /// <summary>
    /// One warp-wide <c>mma.sync.aligned.m16n8k16</c> (16-bit inputs, FP32 accumulate): D = A . B + D for a
    /// 16 x 16 A tile (row-major) and a 16 x 8 B tile (column-major), each lane holding PTX's fragment
    /// layout. With g = lane / 4 and t = lane % 4: a0 = A[g][2t..2t+1], a1 = A[g+8][2t..2t+1],
    /// a2 = A[g][2t+8..2t+9], a3 = A[g+8][2t+8..2t+9]; b0 = B[2t..2t+1][g], b1 = B[2t+8..2t+9][g];
    /// d0, d1 = D[g][2t], D[g][2t+1]; d2, d3 = D[g+8][2t], D[g+8][2t+1]. Two 16-bit values per register,
    /// the lower index in the low half.
    /// </summary>
    /// <remarks>
    /// This is the emulated instruction of <see cref="EmulatedTarget"/> kernels (ILGPU's CPU accelerator created
    /// with a 32-lane warp): the fragments are exchanged through warp shuffles and multiplied in FP32, so the
    /// generated tensor-core kernels run in CI. <see cref="CudaTarget"/> kernels emit <c>mma.sync</c> itself on
    /// the PTX registers they declare.
    /// <para>
    /// Never inlined, and accumulators go in and out by value: a kernel's CUDA instance still holds the emulated
    /// branch until ILGPU folds <c>default(TTarget).Cuda</c>, after inlining. Inlined, every call of a D = 128 kernel
    /// (hundreds per key block) was copied into that dead branch first and ILGPU took minutes per kernel; passed by
    /// <c>ref</c>, the kernel's accumulators would become local memory in the CUDA instance too.
    /// </para>
    /// </remarks>
    public static class Mma
    {
        /// <summary>Float16 inputs: the accumulators d0..d3 after the instruction.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static (float D0, float D1, float D2, float D3) Float16(float d0, float d1, float d2, float d3, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
        {
            Emulate(ref d0, ref d1, ref d2, ref d3, a0, a1, a2, a3, b0, b1, bfloat16: false);
            return (d0, d1, d2, d3);
        }

        /// <summary>BFloat16 inputs: the accumulators d0..d3 after the instruction.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static (float D0, float D1, float D2, float D3) BFloat16(float d0, float d1, float d2, float d3, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
        {
            Emulate(ref d0, ref d1, ref d2, ref d3, a0, a1, a2, a3, b0, b1, bfloat16: true);
            return (d0, d1, d2, d3);
        }

        /// <summary>
        /// The fragment exchange of the instruction: row g of A lives in lanes 4g..4g+3, column n of B in
        /// lanes 4n..4n+3, lane 4x+s holding k = 2s, 2s+1, 2s+8, 2s+9. Each lane gathers its two rows of A
        /// and its two columns of B from those lanes, one source lane per step.
        /// </summary>
        private static void Emulate(ref float d0, ref float d1, ref float d2, ref float d3, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1, bool bfloat16)
        {
            int lane = Warp.LaneIdx;
            int g = lane >> 2, t = lane & 3;
            var a = new Quad(a0, a1, a2, a3);
            var b = new Pair(b0, b1);
            for (int s = 0; s < 4; s++)
            {
                Quad rows = Warp.Shuffle(a, 4 * g + s);         // A[g][..], A[g+8][..] at k = 2s.., 2s+8..
                Pair col0 = Warp.Shuffle(b, 4 * (2 * t) + s);   // B[..][2t]
                Pair col1 = Warp.Shuffle(b, 4 * (2 * t + 1) + s); // B[..][2t+1]
                d0 += Dot2(rows.X, col0.X, bfloat16) + Dot2(rows.Z, col0.Y, bfloat16);
                d1 += Dot2(rows.X, col1.X, bfloat16) + Dot2(rows.Z, col1.Y, bfloat16);
                d2 += Dot2(rows.Y, col0.X, bfloat16) + Dot2(rows.W, col0.Y, bfloat16);
                d3 += Dot2(rows.Y, col1.X, bfloat16) + Dot2(rows.W, col1.Y, bfloat16);
            }
        }

        /// <summary>
        /// <c>mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32</c>: int8 inputs, int32 accumulate. In 32-bit words its
        /// fragments have the layout of m16n8k16's (a word holds four int8 values of k instead of two 16-bit ones:
        /// a0 = A[g][4t..4t+3], a2 = A[g][4t+16..4t+19], b0 = B[4t..4t+3][g], b1 = B[4t+16..4t+19][g]), so the same
        /// exchange gathers them; the products are exact. Returns the accumulators d0..d3 after the instruction.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static (int D0, int D1, int D2, int D3) Int8(int d0, int d1, int d2, int d3, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
        {
            int lane = Warp.LaneIdx;
            int g = lane >> 2, t = lane & 3;
            var a = new Quad(a0, a1, a2, a3);
            var b = new Pair(b0, b1);
            for (int s = 0; s < 4; s++)
            {
                Quad rows = Warp.Shuffle(a, 4 * g + s);
                Pair col0 = Warp.Shuffle(b, 4 * (2 * t) + s);
                Pair col1 = Warp.Shuffle(b, 4 * (2 * t + 1) + s);
                d0 += Dot4(rows.X, col0.X) + Dot4(rows.Z, col0.Y);
                d1 += Dot4(rows.X, col1.X) + Dot4(rows.Z, col1.Y);
                d2 += Dot4(rows.Y, col0.X) + Dot4(rows.W, col0.Y);
                d3 += Dot4(rows.Y, col1.X) + Dot4(rows.W, col1.Y);
            }
            return (d0, d1, d2, d3);
        }

        private static int Dot4(uint x, uint y) =>
            (sbyte)x * (sbyte)y + (sbyte)(x >> 8) * (sbyte)(y >> 8) + (sbyte)(x >> 16) * (sbyte)(y >> 16) + (sbyte)(x >> 24) * (sbyte)(y >> 24);

        private static float Dot2(uint x, uint y, bool bfloat16) =>
            Fragments.Low(x, bfloat16) * Fragments.Low(y, bfloat16) + Fragments.High(x, bfloat16) * Fragments.High(y, bfloat16);

        private struct Quad
        {
            public uint X, Y, Z, W;
            public Quad(uint x, uint y, uint z, uint w) { X = x; Y = y; Z = z; W = w; }
        }

        private struct Pair
        {
            public uint X, Y;
            public Pair(uint x, uint y) { X = x; Y = y; }
        }
    }
}
