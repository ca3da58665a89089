using System;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl
{
    /// <summary>
    /// The key blocks a <see cref="BlockSparseAttribute"/> kernel visits, in FlexAttention's layout: for
    /// each (batch, head, query block of <see cref="BlockM"/> rows) the number and the indices of the
    /// partial key blocks (keys tested by the spec's other masks) and of the full key blocks (every key
    /// visible, no test), on the device. Keys of a block that is not listed are invisible.
    /// <see cref="Heads"/> is 1 (one mask for every query head) or the shape's QueryHeads.
    /// Built on the host (<see cref="FromBlockBitmap(Accelerator, BlockClass[], int, int, int, int, int, int)"/>,
    /// <see cref="FromIndices"/>, <see cref="FromSpec"/>) and checked there, or on the device by a spec's generated
    /// <c>CreateBlockMask</c> (its masks and [MaskMod]s evaluated block by block, no N x N tensor) or [BlockSelect] estimator.
    /// </summary>
    public sealed class BlockMask : IDisposable
    {
        private readonly MemoryBuffer1D<int, Stride1D.Dense> _partialCounts, _partialIndices, _fullCounts, _fullIndices;
        private readonly MemoryBuffer1D<byte, Stride1D.Dense> _classes;
        private MemoryBuffer1D<float, Stride1D.Dense>? _scratch;
        private long _partialBlocks = -1, _fullBlocks = -1;
        private bool _disposed;

        private BlockMask(Accelerator accelerator, int batch, int heads, int queryLength, int keyLength, int blockM, int blockN)
        {
            Accelerator = accelerator;
            Batch = batch;
            Heads = heads;
            QueryLength = queryLength;
            KeyLength = keyLength;
            BlockM = blockM;
            BlockN = blockN;
            long rows = Rows, blocks = rows * KeyBlocks;
            _partialCounts = accelerator.Allocate1D<int>(rows);
            _fullCounts = accelerator.Allocate1D<int>(rows);
            _partialIndices = accelerator.Allocate1D<int>(blocks);
            _fullIndices = accelerator.Allocate1D<int>(blocks);
            _classes = accelerator.Allocate1D<byte>(blocks);
        }

        private BlockMask(Accelerator accelerator, int batch, int heads, int queryLength, int keyLength, int blockM, int blockN,
            int[] partialCounts, int[] partialIndices, int[] fullCounts, int[] fullIndices, byte[] classes, long partialBlocks, long fullBlocks)
            : this(accelerator, batch, heads, queryLength, keyLength, blockM, blockN)
        {
            _partialCounts.CopyFromCPU(partialCounts);
            _partialIndices.CopyFromCPU(partialIndices);
            _fullCounts.CopyFromCPU(fullCounts);
            _fullIndices.CopyFromCPU(fullIndices);
            _classes.CopyFromCPU(classes);
            _partialBlocks = partialBlocks;
            _fullBlocks = fullBlocks;
        }

        /// <summary>
        /// An empty mask (no block listed) on <paramref name="accelerator"/>, for the device builders to fill: a
        /// spec's generated <c>CreateBlockMask</c>, <c>Select</c>, and <c>Run</c> of a [BlockSelect] spec.
        /// </summary>
        public static BlockMask Allocate(Accelerator accelerator, int batch, int heads, int queryLength, int keyLength, int blockM, int blockN)
        {
            CheckSizes(accelerator, batch, heads, queryLength, keyLength, blockM, blockN);
            var mask = new BlockMask(accelerator, batch, heads, queryLength, keyLength, blockM, blockN);
            mask._partialCounts.MemSetToZero();
            mask._fullCounts.MemSetToZero();
            mask._classes.MemSetToZero();
            mask._partialBlocks = mask._fullBlocks = 0;
            return mask;
        }

        /// <summary>The accelerator that holds the buffers; <c>Run</c> requires the same one.</summary>
        public Accelerator Accelerator { get; }
        public int Batch { get; }

        /// <summary>1 (broadcast over query heads) or the number of query heads.</summary>
        public int Heads { get; }
        public int QueryLength { get; }
        public int KeyLength { get; }

        /// <summary>Query rows per query block (the spec's BlockM).</summary>
        public int BlockM { get; }

        /// <summary>Keys per key block (the spec's BlockN).</summary>
        public int BlockN { get; }

        /// <summary>Query blocks: ceil(QueryLength / BlockM).</summary>
        public int QueryBlocks => (QueryLength + BlockM - 1) / BlockM;

        /// <summary>Key blocks: ceil(KeyLength / BlockN).</summary>
        public int KeyBlocks => (KeyLength + BlockN - 1) / BlockN;

        /// <summary>(batch, head, query block) rows: Batch * Heads * QueryBlocks.</summary>
        public long Rows => (long)Batch * Heads * QueryBlocks;

        /// <summary>Listed partial blocks over all (batch, head, query block) rows (read back from the device after a device build).</summary>
        public long PartialBlocks
        {
            get
            {
                CountBlocks();
                return _partialBlocks;
            }
        }

        /// <summary>Listed full blocks over all rows (read back from the device after a device build).</summary>
        public long FullBlocks
        {
            get
            {
                CountBlocks();
                return _fullBlocks;
            }
        }

        /// <summary>Fraction of the (Batch, Heads, QueryBlocks, KeyBlocks) blocks that are not listed.</summary>
        public double Sparsity => 1.0 - (double)(PartialBlocks + FullBlocks) / ((long)Batch * Heads * QueryBlocks * KeyBlocks);

        /// <summary>(Batch, Heads, QueryBlocks) partial-block counts.</summary>
        public ArrayView<int> PartialCounts => Live(_partialCounts).View;

        /// <summary>(Batch, Heads, QueryBlocks, KeyBlocks) partial-block indices; the first PartialCounts[row] of a row are valid.</summary>
        public ArrayView<int> PartialIndices => Live(_partialIndices).View;

        /// <summary>(Batch, Heads, QueryBlocks) full-block counts.</summary>
        public ArrayView<int> FullCounts => Live(_fullCounts).View;

        /// <summary>(Batch, Heads, QueryBlocks, KeyBlocks) full-block indices; the first FullCounts[row] of a row are valid.</summary>
        public ArrayView<int> FullIndices => Live(_fullIndices).View;

        /// <summary>
        /// (Batch, Heads, QueryBlocks, KeyBlocks) block classes as bytes (0 Empty, 1 Partial, 2 Full): what the device
        /// builders write before <see cref="Runtime.BlockMaskBuilder.Compact"/> lists them; the lists are the truth for the kernels.
        /// </summary>
        public ArrayView<byte> Classes => Live(_classes).View;

        /// <summary>Float scratch of at least <paramref name="length"/> elements for the selection estimator, grown on demand.</summary>
        internal ArrayView<float> Scratch(long length)
        {
            if (_scratch is null || _scratch.Length < length)
            {
                _scratch?.Dispose();
                _scratch = Accelerator.Allocate1D<float>(Math.Max(1, length));
            }
            return _scratch.View.SubView(0, Math.Max(1, length));
        }

        /// <summary>The device rewrote the lists: the block counts are read back on next use.</summary>
        internal void Invalidate() => _partialBlocks = _fullBlocks = -1;

        private void CountBlocks()
        {
            if (_partialBlocks >= 0)
                return;
            Accelerator.Synchronize();
            long partial = 0, full = 0;
            foreach (int c in Live(_partialCounts).GetAsArray1D())
                partial += c;
            foreach (int c in _fullCounts.GetAsArray1D())
                full += c;
            _partialBlocks = partial;
            _fullBlocks = full;
        }

        /// <summary>
        /// From dense block classes of shape (batch, heads, ceil(queryLength / blockM), ceil(keyLength / blockN)):
        /// Partial and Full blocks are listed in increasing key-block order, Empty ones are not.
        /// </summary>
        public static BlockMask FromBlockBitmap(Accelerator accelerator, BlockClass[] blocks,
            int batch, int heads, int queryLength, int keyLength, int blockM, int blockN)
        {
            if (blocks is null)
                throw new ArgumentNullException(nameof(blocks));
            CheckSizes(accelerator, batch, heads, queryLength, keyLength, blockM, blockN);
            int qb = (queryLength + blockM - 1) / blockM, kb = (keyLength + blockN - 1) / blockN;
            long expected = (long)batch * heads * qb * kb;
            if (blocks.LongLength != expected)
                throw new ArgumentException(
                    $"{nameof(blocks)} has {blocks.LongLength} block classes; expected {expected} (Batch {batch}, Heads {heads}, QueryBlocks {qb}, KeyBlocks {kb}).",
                    nameof(blocks));
            long rows = (long)batch * heads * qb;
            var partialCounts = new int[rows];
            var fullCounts = new int[rows];
            var partialIndices = new int[rows * kb];
            var fullIndices = new int[rows * kb];
            var bytes = new byte[rows * kb];
            long partial = 0, full = 0;
            for (long row = 0; row < rows; row++)
            {
                for (int k = 0; k < kb; k++)
                {
                    var c = blocks[row * kb + k];
                    bytes[row * kb + k] = (byte)c;
                    switch (c)
                    {
                        case BlockClass.Empty:
                            break;
                        case BlockClass.Partial:
                            partialIndices[row * kb + partialCounts[row]++] = k;
                            partial++;
                            break;
                        case BlockClass.Full:
                            fullIndices[row * kb + fullCounts[row]++] = k;
                            full++;
                            break;
                        default:
                            throw new ArgumentException(
                                $"{nameof(blocks)}[{row * kb + k}] is {(int)c}; expected 0 (Empty), 1 (Partial) or 2 (Full).", nameof(blocks));
                    }
                }
            }
            return new BlockMask(accelerator, batch, heads, queryLength, keyLength, blockM, blockN,
                partialCounts, partialIndices, fullCounts, fullIndices, bytes, partial, full);
        }

        /// <summary>Same as the <see cref="BlockClass"/> overload with bytes 0 (Empty), 1 (Partial), 2 (Full).</summary>
        public static BlockMask FromBlockBitmap(Accelerator accelerator, byte[] blocks,
            int batch, int heads, int queryLength, int keyLength, int blockM, int blockN)
        {
            if (blocks is null)
                throw new ArgumentNullException(nameof(blocks));
            var classes = new BlockClass[blocks.LongLength];
            for (long t = 0; t < blocks.LongLength; t++)
                classes[t] = (BlockClass)blocks[t];
            return FromBlockBitmap(accelerator, classes, batch, heads, queryLength, keyLength, blockM, blockN);
        }

        /// <summary>
        /// From FlexAttention's four tensors on the host: counts (batch, heads, queryBlocks) and indices
        /// (batch, heads, queryBlocks, keyBlocks). Every listed index must be in [0, keyBlocks) and listed once per row.
        /// </summary>
        public static BlockMask FromIndices(Accelerator accelerator, int[] partialCounts, int[] partialIndices, int[] fullCounts, int[] fullIndices,
            int batch, int heads, int queryLength, int keyLength, int blockM, int blockN)
        {
            CheckSizes(accelerator, batch, heads, queryLength, keyLength, blockM, blockN);
            int qb = (queryLength + blockM - 1) / blockM, kb = (keyLength + blockN - 1) / blockN;
            long rows = (long)batch * heads * qb;
            CheckLength(partialCounts, rows, nameof(partialCounts), "(Batch, Heads, QueryBlocks)");
            CheckLength(fullCounts, rows, nameof(fullCounts), "(Batch, Heads, QueryBlocks)");
            CheckLength(partialIndices, rows * kb, nameof(partialIndices), "(Batch, Heads, QueryBlocks, KeyBlocks)");
            CheckLength(fullIndices, rows * kb, nameof(fullIndices), "(Batch, Heads, QueryBlocks, KeyBlocks)");
            var seen = new int[kb];
            var bytes = new byte[rows * kb];
            long partial = 0, full = 0;
            for (long row = 0; row < rows; row++)
            {
                Array.Fill(seen, -1);
                CheckList(partialCounts, partialIndices, nameof(partialCounts), nameof(partialIndices), row, kb, seen, 0);
                CheckList(fullCounts, fullIndices, nameof(fullCounts), nameof(fullIndices), row, kb, seen, 1);
                for (int k = 0; k < kb; k++)
                    bytes[row * kb + k] = seen[k] switch { 0 => (byte)BlockClass.Partial, 1 => (byte)BlockClass.Full, _ => (byte)BlockClass.Empty };
                partial += partialCounts[row];
                full += fullCounts[row];
            }
            return new BlockMask(accelerator, batch, heads, queryLength, keyLength, blockM, blockN,
                partialCounts, partialIndices, fullCounts, fullIndices, bytes, partial, full);
        }

        /// <summary>
        /// The block classes of <paramref name="spec"/>'s own masks (<see cref="BlockAnalysis.Classify"/>) with the
        /// spec's tiles and Heads = 1: used with a [BlockSparse] spec that declares the same masks, it reproduces
        /// the dense result while skipping the Empty blocks. [MaskMod]s make their blocks Partial.
        /// </summary>
        public static BlockMask FromSpec(Accelerator accelerator, AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments? arguments = null)
        {
            if (spec is null)
                throw new ArgumentNullException(nameof(spec));
            arguments ??= new ReferenceArguments();
            if (shape.Batch <= 0 || shape.QueryLength <= 0 || shape.KeyLength <= 0)
                throw new ArgumentOutOfRangeException(nameof(shape), shape, $"Expected positive Batch, QueryLength and KeyLength in {shape}.");
            if (spec.PrefixLM && (arguments.PrefixLength?.Length ?? 0) != shape.Batch)
                throw new ArgumentException($"The spec has [PrefixLM]: ReferenceArguments.PrefixLength has {arguments.PrefixLength?.Length ?? 0} elements; expected {shape.Batch}.", nameof(arguments));
            if (spec.DocumentMask && (arguments.DocumentIds?.LongLength ?? 0) != (long)shape.Batch * shape.KeyLength)
                throw new ArgumentException($"The spec has [DocumentMask]: ReferenceArguments.DocumentIds has {arguments.DocumentIds?.LongLength ?? 0} elements; expected {(long)shape.Batch * shape.KeyLength}.", nameof(arguments));
            if (spec.DocumentMask && shape.QueryLength != shape.KeyLength)
                throw new ArgumentException($"The spec has [DocumentMask]: expected QueryLength == KeyLength in {shape}.", nameof(shape));
            int bm = spec.BlockM, bn = spec.BlockN, nq = shape.QueryLength, nk = shape.KeyLength;
            int qb = (nq + bm - 1) / bm, kb = (nk + bn - 1) / bn;
            var blocks = new BlockClass[(long)shape.Batch * qb * kb];
            for (int b = 0; b < shape.Batch; b++)
                for (int q = 0; q < qb; q++)
                {
                    int i0 = q * bm, iLast = Math.Min(i0 + bm, nq) - 1;
                    for (int k = 0; k < kb; k++)
                    {
                        int j0 = k * bn, j1 = Math.Min(j0 + bn, nk) - 1;
                        blocks[((long)b * qb + q) * kb + k] = BlockAnalysis.Classify(spec, shape, arguments, b, i0, iLast, j0, j1);
                    }
                }
            return FromBlockBitmap(accelerator, blocks, shape.Batch, 1, nq, nk, bm, bn);
        }

        /// <summary>Dense host copy of the classes, for <see cref="AttentionReference"/> (<see cref="ReferenceArguments.BlockMask"/>).</summary>
        public HostBlockMask ToHost()
        {
            Accelerator.Synchronize();
            var partialCounts = Live(_partialCounts).GetAsArray1D();
            var partialIndices = _partialIndices.GetAsArray1D();
            var fullCounts = _fullCounts.GetAsArray1D();
            var fullIndices = _fullIndices.GetAsArray1D();
            int kb = KeyBlocks;
            var classes = new BlockClass[partialCounts.LongLength * kb];
            for (long row = 0; row < partialCounts.LongLength; row++)
            {
                for (int s = 0; s < partialCounts[row]; s++)
                    classes[row * kb + partialIndices[row * kb + s]] = BlockClass.Partial;
                for (int s = 0; s < fullCounts[row]; s++)
                    classes[row * kb + fullIndices[row * kb + s]] = BlockClass.Full;
            }
            return new HostBlockMask(Batch, Heads, QueryLength, KeyLength, BlockM, BlockN, classes);
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _partialCounts.Dispose();
            _partialIndices.Dispose();
            _fullCounts.Dispose();
            _fullIndices.Dispose();
            _classes.Dispose();
            _scratch?.Dispose();
        }

        /// <summary>Whether <see cref="Dispose"/> was called.</summary>
        public bool IsDisposed => _disposed;

        public override string ToString() =>
            $"BlockMask(Batch={Batch}, Heads={Heads}, QueryLength={QueryLength}, KeyLength={KeyLength}, BlockM={BlockM}, BlockN={BlockN}, " +
            $"partial {PartialBlocks}, full {FullBlocks}, sparsity {Sparsity:P1})";

        private MemoryBuffer1D<T, Stride1D.Dense> Live<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer)
            where T : unmanaged =>
            _disposed ? throw new ObjectDisposedException(nameof(BlockMask)) : buffer;

        private static void CheckSizes(Accelerator accelerator, int batch, int heads, int queryLength, int keyLength, int blockM, int blockN)
        {
            if (accelerator is null) throw new ArgumentNullException(nameof(accelerator));
            Positive(batch, nameof(batch));
            Positive(heads, nameof(heads));
            Positive(queryLength, nameof(queryLength));
            Positive(keyLength, nameof(keyLength));
            Positive(blockM, nameof(blockM));
            Positive(blockN, nameof(blockN));
        }

        private static void Positive(int value, string name)
        {
            if (value <= 0)
                throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}; expected a positive value.");
        }

        private static void CheckLength(int[] array, long expected, string name, string layout)
        {
            if (array is null)
                throw new ArgumentNullException(name);
            if (array.LongLength != expected)
                throw new ArgumentException($"{name} has {array.LongLength} elements; expected {expected} {layout}.", name);
        }

        private static void CheckList(int[] counts, int[] indices, string countsName, string indicesName, long row, int kb, int[] seen, int list)
        {
            int count = counts[row];
            if (count < 0 || count > kb)
                throw new ArgumentException($"{countsName}[{row}] is {count}; expected 0 to {kb} (KeyBlocks).", countsName);
            for (int s = 0; s < count; s++)
            {
                int k = indices[row * kb + s];
                if (k < 0 || k >= kb)
                    throw new ArgumentException($"{indicesName}[{row * kb + s}] is {k}; expected a key block index in [0, {kb}).", indicesName);
                if (seen[k] >= 0)
                    throw new ArgumentException(
                        $"Key block {k} is listed twice in query-block row {row} ({(seen[k] == 0 ? "partial" : "full")} and {(list == 0 ? "partial" : "full")}); expected each block at most once.",
                        indicesName);
                seen[k] = list;
            }
        }
    }

    /// <summary>A <see cref="BlockMask"/> on the host as dense classes (Batch, Heads, QueryBlocks, KeyBlocks), for the reference.</summary>
    public sealed record HostBlockMask(int Batch, int Heads, int QueryLength, int KeyLength, int BlockM, int BlockN, BlockClass[] Classes)
    {
        public int QueryBlocks => (QueryLength + BlockM - 1) / BlockM;
        public int KeyBlocks => (KeyLength + BlockN - 1) / BlockN;

        /// <summary>The class of key block <paramref name="keyBlock"/> for query block <paramref name="queryBlock"/>; Heads = 1 broadcasts.</summary>
        public BlockClass Class(int batch, int head, int queryBlock, int keyBlock) =>
            Classes[(((long)batch * Heads + (Heads == 1 ? 0 : head)) * QueryBlocks + queryBlock) * KeyBlocks + keyBlock];

        /// <summary>Throws ArgumentException naming <paramref name="name"/> when the mask does not fit the spec's tiles and the shape.</summary>
        public void Validate(AttentionSpecInfo spec, AttentionShape shape, string name)
        {
            BlockMaskRules.Check(BlockM, BlockN, Batch, Heads, QueryLength, KeyLength, spec, shape, name);
            long expected = (long)Batch * Heads * QueryBlocks * KeyBlocks;
            if (Classes is null || Classes.LongLength != expected)
                throw new ArgumentException(
                    $"{name} has {Classes?.LongLength ?? 0} block classes; expected {expected} (Batch {Batch}, Heads {Heads}, QueryBlocks {QueryBlocks}, KeyBlocks {KeyBlocks}).", name);
        }
    }

    /// <summary>The fit of a block mask to a spec and a shape, shared by <c>Run</c> and the reference.</summary>
    public static class BlockMaskRules
    {
        public static void Check(int blockM, int blockN, int batch, int heads, int queryLength, int keyLength,
            AttentionSpecInfo spec, AttentionShape shape, string name)
        {
            if (blockM != spec.BlockM || blockN != spec.BlockN)
                throw new ArgumentException(
                    $"{name} has tiles BlockM={blockM}, BlockN={blockN}; expected BlockM={spec.BlockM}, BlockN={spec.BlockN} (the tiles of {spec.Name}).", name);
            if (batch != shape.Batch)
                throw new ArgumentException($"{name} has Batch={batch}; expected {shape.Batch} (the shape's Batch).", name);
            if (heads != 1 && heads != shape.QueryHeads)
                throw new ArgumentException($"{name} has Heads={heads}; expected 1 (broadcast) or {shape.QueryHeads} (the shape's QueryHeads).", name);
            if (queryLength != shape.QueryLength || keyLength != shape.KeyLength)
                throw new ArgumentException(
                    $"{name} has QueryLength={queryLength}, KeyLength={keyLength}; expected QueryLength={shape.QueryLength}, KeyLength={shape.KeyLength}.", name);
        }
    }
}
