using System;
using System.Runtime.CompilerServices;
using System.Threading;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// The quantized tensors <c>Run</c> of a [Quantize] spec writes and reads, kept per accelerator so that a call
    /// allocates nothing once the buffers are large enough. Callers hold the slot's lock from the prologue launch to
    /// the attention launch: both go to the accelerator's default stream, so calls from several threads cannot
    /// interleave their use of the buffers.
    /// </summary>
    public sealed class QuantizationWorkspace
    {
        private readonly ConditionalWeakTable<Accelerator, Slot> _slots = new();

        /// <summary>The slot of <paramref name="accelerator"/>; lock it around <see cref="Slot.Get"/> and the launches that use the result.</summary>
        public Slot For(Accelerator accelerator) => _slots.GetValue(accelerator, a => new Slot(a));

        public sealed class Slot
        {
            private readonly Accelerator _accelerator;
            private QuantizedInputs? _inputs;

            internal Slot(Accelerator accelerator) => _accelerator = accelerator;

            /// <summary>Buffers for <paramref name="shape"/>: the current ones when they can hold it, else new ones.</summary>
            public QuantizedInputs Get(AttentionShape shape, int headDim, int blockM, int blockN, bool smoothKeys)
            {
                if (!Monitor.IsEntered(this))
                    throw new InvalidOperationException("Lock the workspace slot around Get and the launches that use its buffers.");
                if (_inputs is not null && _inputs.CanHold(shape, headDim, blockM, blockN, smoothKeys))
                {
                    _inputs.Reshape(shape);
                    return _inputs;
                }
                if (_inputs is not null)
                {
                    _accelerator.Synchronize(); // earlier launches may still read the old buffers
                    _inputs.Dispose();
                }
                _inputs = QuantizedInputs.Allocate(_accelerator, shape, headDim, blockM, blockN, smoothKeys);
                return _inputs;
            }
        }
    }
}
