using System;
using System.Runtime.CompilerServices;
using System.Threading;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// A device buffer that one generated <c>Run</c> fills and reads within the call (the key blocks' document ranges
    /// of a [DocumentMask] spec), kept per accelerator so that a call allocates nothing once it is large enough.
    /// Callers hold the slot's lock from the launch that fills it to the launch that reads it: both go to the
    /// accelerator's default stream, so calls from several threads cannot interleave their use of the buffer.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    public sealed class ScratchWorkspace<T>
        where T : unmanaged
    {
        private readonly ConditionalWeakTable<Accelerator, Slot> _slots = new();

        /// <summary>The slot of <paramref name="accelerator"/>; lock it around <see cref="Slot.Get"/> and the launches that use the result.</summary>
        public Slot For(Accelerator accelerator) => _slots.GetValue(accelerator, a => new Slot(a));

        public sealed class Slot
        {
            private readonly Accelerator _accelerator;
            private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

            internal Slot(Accelerator accelerator) => _accelerator = accelerator;

            /// <summary>A view of <paramref name="length"/> elements: the current buffer when it is large enough, else a new one.</summary>
            public ArrayView<T> Get(long length)
            {
                if (!Monitor.IsEntered(this))
                    throw new InvalidOperationException("Lock the workspace slot around Get and the launches that use its buffer.");
                if (length < 1)
                    throw new ArgumentOutOfRangeException(nameof(length), length, "The scratch view needs at least one element.");
                if (_buffer is null || _buffer.Length < length)
                {
                    if (_buffer is not null)
                    {
                        _accelerator.Synchronize(); // earlier launches may still read the old buffer
                        _buffer.Dispose();
                    }
                    _buffer = _accelerator.Allocate1D<T>(length);
                }
                return _buffer.View.SubView(0, length);
            }
        }
    }
}
