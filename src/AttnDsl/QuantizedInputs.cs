using System;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl
{
    /// <summary>
    /// The quantized Q and K of a [Quantize] spec for one shape, on the device, as the generated prologue writes
    /// them and the attention kernels read them: int8 tensors in (batch, head, token, dim) order whatever the
    /// spec's layout, one scale per BlockM query rows and per BlockN key rows, the key mean that smoothing took
    /// out, and per query row the shift <c>scale_Q * (Q_q . mean)</c> that smoothing took out of its scores.
    /// A spec's generated <c>Quantize</c> returns one; <c>Run</c> keeps its own per accelerator.
    /// </summary>
    public sealed class QuantizedInputs : IDisposable
    {
        /// <summary>Keys per partial sum of the key mean (a second pass adds the partial sums in order).</summary>
        public const int MeanChunkKeys = 64;

        private MemoryBuffer1D<sbyte, Stride1D.Dense> _query, _key;
        private MemoryBuffer1D<float, Stride1D.Dense> _floats;
        private bool _disposed;

        private QuantizedInputs(Accelerator accelerator, AttentionShape shape, int headDim, int blockM, int blockN, bool smoothKeys)
        {
            Accelerator = accelerator;
            HeadDim = headDim;
            BlockM = blockM;
            BlockN = blockN;
            SmoothKeys = smoothKeys;
            Shape = shape;
            _query = accelerator.Allocate1D<sbyte>(shape.QueryElements(headDim));
            _key = accelerator.Allocate1D<sbyte>(shape.KeyElements(headDim));
            _floats = accelerator.Allocate1D<float>(FloatCount(shape));
        }

        /// <summary>Buffers for <paramref name="shape"/> and a spec's sizes; the generated prologue fills them.</summary>
        public static QuantizedInputs Allocate(Accelerator accelerator, AttentionShape shape, int headDim, int blockM, int blockN, bool smoothKeys)
        {
            if (accelerator is null) throw new ArgumentNullException(nameof(accelerator));
            if (headDim <= 0 || headDim % 32 != 0)
                throw new ArgumentOutOfRangeException(nameof(headDim), headDim, "HeadDim must be a positive multiple of 32 for int8 quantization.");
            if (blockM <= 0 || blockN <= 0)
                throw new ArgumentOutOfRangeException(blockM <= 0 ? nameof(blockM) : nameof(blockN), "Block sizes must be positive.");
            if (shape.Batch <= 0 || shape.QueryHeads <= 0 || shape.KeyValueHeads <= 0 || shape.QueryLength <= 0 || shape.KeyLength <= 0)
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "Every size of the shape must be positive.");
            return new QuantizedInputs(accelerator, shape, headDim, blockM, blockN, smoothKeys);
        }

        public Accelerator Accelerator { get; }

        public bool IsDisposed => _disposed;

        /// <summary>The shape the tensors are for.</summary>
        public AttentionShape Shape { get; private set; }
        public int HeadDim { get; }
        public int BlockM { get; }
        public int BlockN { get; }

        /// <summary>Whether the keys were smoothed (otherwise <see cref="KeyMean"/> and <see cref="QueryShift"/> are zeros).</summary>
        public bool SmoothKeys { get; }

        /// <summary>Query blocks per (batch, head): ceil(QueryLength / BlockM).</summary>
        public int QueryBlocks => (Shape.QueryLength + BlockM - 1) / BlockM;

        /// <summary>Key blocks per (batch, key head): ceil(KeyLength / BlockN).</summary>
        public int KeyBlocks => (Shape.KeyLength + BlockN - 1) / BlockN;

        /// <summary>Partial sums per (batch, key head, dim) of the key mean.</summary>
        public int MeanChunks => (Shape.KeyLength + MeanChunkKeys - 1) / MeanChunkKeys;

        /// <summary>(Batch, QueryHeads, QueryLength, HeadDim) int8.</summary>
        public ArrayView<sbyte> Query => Live<sbyte>(_query.View.SubView(0, Shape.QueryElements(HeadDim)));

        /// <summary>(Batch, KeyValueHeads, KeyLength, HeadDim) int8 of the smoothed keys.</summary>
        public ArrayView<sbyte> Key => Live<sbyte>(_key.View.SubView(0, Shape.KeyElements(HeadDim)));

        /// <summary>(Batch, QueryHeads, QueryBlocks) dequantization scales of Q.</summary>
        public ArrayView<float> QueryScales => Floats(0, (long)Shape.Batch * Shape.QueryHeads * QueryBlocks);

        /// <summary>(Batch, KeyValueHeads, KeyBlocks) dequantization scales of K.</summary>
        public ArrayView<float> KeyScales => Floats(QueryScales.Length, (long)Shape.Batch * Shape.KeyValueHeads * KeyBlocks);

        /// <summary>(Batch, KeyValueHeads, HeadDim) mean over tokens of K (zeros without smoothing).</summary>
        public ArrayView<float> KeyMean => Floats(QueryScales.Length + KeyScales.Length, (long)Shape.Batch * Shape.KeyValueHeads * HeadDim);

        /// <summary>(Batch, QueryHeads, QueryLength): scale_Q * (Q_q . mean(K)), the shift smoothing took out of the row's scores.</summary>
        public ArrayView<float> QueryShift => Floats(QueryScales.Length + KeyScales.Length + KeyMean.Length, Shape.QueryRows);

        /// <summary>Scratch of the prologue: (Batch, KeyValueHeads, MeanChunks, HeadDim) partial sums of K.</summary>
        public ArrayView<float> MeanPartials => Floats(QueryScales.Length + KeyScales.Length + KeyMean.Length + QueryShift.Length,
            (long)Shape.Batch * Shape.KeyValueHeads * MeanChunks * HeadDim);

        /// <summary>Whether these buffers can hold the tensors of <paramref name="shape"/> for the given sizes.</summary>
        public bool CanHold(AttentionShape shape, int headDim, int blockM, int blockN, bool smoothKeys) =>
            !_disposed && headDim == HeadDim && blockM == BlockM && blockN == BlockN && smoothKeys == SmoothKeys
            && shape.QueryElements(headDim) <= _query.Length && shape.KeyElements(headDim) <= _key.Length
            && FloatCount(shape) <= _floats.Length;

        /// <summary>Reuses the buffers for another shape they can hold (<see cref="CanHold"/>); the contents are then stale until refilled.</summary>
        public void Reshape(AttentionShape shape)
        {
            if (!CanHold(shape, HeadDim, BlockM, BlockN, SmoothKeys))
                throw new ArgumentException($"These quantized buffers cannot hold {shape}.", nameof(shape));
            Shape = shape;
        }

        /// <summary>Zeroes <see cref="KeyMean"/> and <see cref="QueryShift"/>: the prologue of a spec without smoothing leaves them so.</summary>
        public void ClearSmoothing()
        {
            ((ArrayView1D<float, Stride1D.Dense>)KeyMean).MemSetToZero();
            ((ArrayView1D<float, Stride1D.Dense>)QueryShift).MemSetToZero();
        }

        /// <summary>Copies everything to the host (synchronizes the accelerator).</summary>
        public HostQuantizedInputs ToHost()
        {
            Accelerator.Synchronize();
            return new HostQuantizedInputs(Shape, HeadDim, BlockM, BlockN, SmoothKeys,
                Copy(Query), Copy(Key), Copy(QueryScales), Copy(KeyScales), Copy(KeyMean), Copy(QueryShift));
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            _query.Dispose();
            _key.Dispose();
            _floats.Dispose();
        }

        private long FloatCount(AttentionShape shape)
        {
            long queryBlocks = (shape.QueryLength + (long)BlockM - 1) / BlockM;
            long keyBlocks = (shape.KeyLength + (long)BlockN - 1) / BlockN;
            long chunks = (shape.KeyLength + (long)MeanChunkKeys - 1) / MeanChunkKeys;
            long kvRows = (long)shape.Batch * shape.KeyValueHeads;
            return (long)shape.Batch * shape.QueryHeads * queryBlocks + kvRows * keyBlocks + kvRows * HeadDim
                + shape.QueryRows + kvRows * chunks * HeadDim;
        }

        private static T[] Copy<T>(ArrayView<T> view)
            where T : unmanaged => ((ArrayView1D<T, Stride1D.Dense>)view).GetAsArray1D();

        private ArrayView<float> Floats(long start, long length) => Live<float>(_floats.View.SubView(start, length));

        private ArrayView<T> Live<T>(ArrayView<T> view)
            where T : unmanaged
        {
            if (_disposed)
                throw new ObjectDisposedException(nameof(QuantizedInputs));
            return view;
        }
    }

    /// <summary>
    /// <see cref="QuantizedInputs"/> on the host, and the tensors the quantized kernels compute exact attention of:
    /// <see cref="DequantizedQuery"/> and <see cref="DequantizedKey"/> (smoothed keys plus their mean).
    /// </summary>
    public sealed record HostQuantizedInputs(AttentionShape Shape, int HeadDim, int BlockM, int BlockN, bool SmoothKeys,
        sbyte[] Query, sbyte[] Key, float[] QueryScales, float[] KeyScales, float[] KeyMean, float[] QueryShift)
    {
        public int QueryBlocks => (Shape.QueryLength + BlockM - 1) / BlockM;
        public int KeyBlocks => (Shape.KeyLength + BlockN - 1) / BlockN;

        /// <summary>Q_q * scale_Q in <paramref name="layout"/>.</summary>
        public float[] DequantizedQuery(TensorLayout layout)
        {
            var s = Shape;
            var result = new float[s.QueryElements(HeadDim)];
            for (int b = 0; b < s.Batch; b++)
                for (int h = 0; h < s.QueryHeads; h++)
                    for (int i = 0; i < s.QueryLength; i++)
                    {
                        long source = (((long)b * s.QueryHeads + h) * s.QueryLength + i) * HeadDim;
                        float scale = QueryScales[((long)b * s.QueryHeads + h) * QueryBlocks + i / BlockM];
                        long target = AttentionReference.Offset(layout, b, h, i, s.QueryHeads, s.QueryLength, HeadDim);
                        for (int d = 0; d < HeadDim; d++)
                            result[target + d] = Query[source + d] * scale;
                    }
            return result;
        }

        /// <summary>K_q * scale_K + mean(K) in <paramref name="layout"/>.</summary>
        public float[] DequantizedKey(TensorLayout layout)
        {
            var s = Shape;
            var result = new float[s.KeyElements(HeadDim)];
            for (int b = 0; b < s.Batch; b++)
                for (int h = 0; h < s.KeyValueHeads; h++)
                    for (int j = 0; j < s.KeyLength; j++)
                    {
                        long source = (((long)b * s.KeyValueHeads + h) * s.KeyLength + j) * HeadDim;
                        float scale = KeyScales[((long)b * s.KeyValueHeads + h) * KeyBlocks + j / BlockN];
                        long target = AttentionReference.Offset(layout, b, h, j, s.KeyValueHeads, s.KeyLength, HeadDim);
                        long mean = ((long)b * s.KeyValueHeads + h) * HeadDim;
                        for (int d = 0; d < HeadDim; d++)
                            result[target + d] = Key[source + d] * scale + KeyMean[mean + d];
                    }
            return result;
        }
    }
}
