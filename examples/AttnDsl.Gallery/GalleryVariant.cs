using System;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace AttnDsl.Gallery
{
    /// <summary>A generated <c>Run</c> (the overload with an explicit kernel shape) with the spec's runtime arguments already bound.</summary>
    public delegate void RunAttention(Accelerator accelerator, AttentionShape shape,
        ArrayView<Half> query, ArrayView<Half> key, ArrayView<Half> value, ArrayView<Half> output, ArrayView<float> logSumExp, AttentionPath path);

    /// <summary>
    /// One gallery row: a spec (its generated <c>Info</c> and <c>Run</c>), the seed paper it
    /// reproduces, and how to build its runtime arguments for a shape.
    /// </summary>
    /// <param name="Name">Short row name.</param>
    /// <param name="Seed">Short name of the seed paper.</param>
    /// <param name="Description">What the spec computes and how it maps to the paper.</param>
    /// <param name="Info">The generated <c>Info</c> of the spec class.</param>
    /// <param name="Bind">Builds the runtime arguments for one shape.</param>
    /// <param name="CpuLength">Sequence length on the CPU accelerator when the row needs more than the default (0 = default).</param>
    public sealed record GalleryVariant(
        string Name,
        string Seed,
        string Description,
        AttentionSpecInfo Info,
        Func<BindContext, Binding> Bind,
        int CpuLength = 0);

    /// <summary>The bound call and the same runtime arguments as <see cref="AttentionReference"/> inputs.</summary>
    /// <param name="Note">Optional extra line for the report, built after the row ran (see <see cref="NoteInputs"/>).</param>
    /// <param name="ReferenceTensors">
    /// The query and key the reference computes with, from the row's host inputs; null = the inputs themselves. A [Quantize]
    /// row returns its dequantized tensors: PASS then means exact attention of what the kernel computes with, and the
    /// note reports the accuracy against the unquantized inputs.
    /// </param>
    public sealed record Binding(RunAttention Run, ReferenceArguments Reference, Func<NoteInputs, string>? Note = null,
        Func<AttentionShape, float[], float[], (float[] Query, float[] Key)>? ReferenceTensors = null);

    /// <summary>
    /// What a <see cref="Binding.Note"/> sees: the host inputs of one shape and, for the checked shape, the kernel's
    /// output as floats (null for a timed shape that is not checked).
    /// </summary>
    public sealed record NoteInputs(AttentionShape Shape, float[] Query, float[] Key, float[] Value, float[]? Output);

    /// <summary>What a variant needs to build its runtime arguments.</summary>
    public sealed class BindContext
    {
        public BindContext(TensorScope tensors, AttentionShape shape, Random random, float[] query, float[] key)
        {
            Tensors = tensors;
            Shape = shape;
            Random = random;
            Query = query;
            Key = key;
        }

        /// <summary>Allocates runtime tensors on the device (read by <c>Run</c>, and by the reference through its host copies).</summary>
        public TensorScope Tensors { get; }

        public AttentionShape Shape { get; }

        /// <summary>Seeded per row.</summary>
        public Random Random { get; }

        /// <summary>The query tensor exactly as the kernel sees it (Float16-rounded), on the host.</summary>
        public float[] Query { get; }

        /// <summary>The key tensor exactly as the kernel sees it (Float16-rounded), on the host.</summary>
        public float[] Key { get; }
    }

    /// <summary>Owns the buffers of one row; disposing frees them.</summary>
    public sealed class TensorScope : IDisposable
    {
        private readonly List<IDisposable> _owned = new();

        public TensorScope(Accelerator device) => Device = device;

        /// <summary>The accelerator the kernels run on.</summary>
        public Accelerator Device { get; }

        /// <summary>Copies <paramref name="values"/> to the device.</summary>
        public ArrayView<T> Upload<T>(T[] values)
            where T : unmanaged
        {
            var buffer = Device.Allocate1D(values);
            _owned.Add(buffer);
            return buffer.View;
        }

        /// <summary>A device buffer this scope frees.</summary>
        public MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(long length)
            where T : unmanaged
        {
            var buffer = Device.Allocate1D<T>(length);
            _owned.Add(buffer);
            return buffer;
        }

        /// <summary>Hands <paramref name="owned"/> (a <see cref="BlockMask"/>, say) to this scope, which disposes it with the row.</summary>
        public T Own<T>(T owned)
            where T : IDisposable
        {
            if (owned is null)
                throw new ArgumentNullException(nameof(owned));
            _owned.Add(owned);
            return owned;
        }

        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--)
                _owned[i].Dispose();
            _owned.Clear();
        }
    }
}
