using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// The block masks that a [MaskMod] spec's <c>Run</c> classifies on the device (its mods' empty, partial and full blocks),
    /// kept per accelerator and keyed by shape, mask heads and the mods' scalar arguments, so that a mod that reads no tensor
    /// is classified once per shape and later calls only look its mask up. A mod that reads a tensor is classified on every
    /// call (the tensor's contents may have changed) into the same buffers. Callers hold the slot's lock from the
    /// classification to the attention launch: both go to the accelerator's default stream, so calls from several threads
    /// cannot interleave their use of a mask.
    /// </summary>
    public sealed class ModBlockMasks
    {
        /// <summary>Masks kept per accelerator; the least recently used one is freed past this count.</summary>
        public const int Capacity = 8;

        private readonly ConditionalWeakTable<Accelerator, Slot> _slots = new();

        /// <summary>The slot of <paramref name="accelerator"/>; lock it around <see cref="Slot.Get"/> and the launches that use the result.</summary>
        public Slot For(Accelerator accelerator) => _slots.GetValue(accelerator, a => new Slot(a));

        /// <summary>One accelerator's masks, most recently used last.</summary>
        public sealed class Slot
        {
            private readonly Accelerator _accelerator;
            private readonly List<(Key Key, BlockMask Mask)> _entries = new();

            internal Slot(Accelerator accelerator) => _accelerator = accelerator;

            /// <summary>Masks held now.</summary>
            public int Count => _entries.Count;

            /// <summary>
            /// The mask of (<paramref name="shape"/>, <paramref name="heads"/>, <paramref name="scalars"/>) with tiles of
            /// <paramref name="blockM"/> x <paramref name="blockN"/>; <paramref name="classify"/> is true when it is new, so its
            /// classes and lists must be written before use. <paramref name="scalars"/> is compared with <see cref="object.Equals(object, object)"/>
            /// (a boxed value or value tuple of the mods' scalar arguments; null when there are none).
            /// </summary>
            public BlockMask Get(AttentionShape shape, int heads, int blockM, int blockN, object? scalars, out bool classify)
            {
                if (!Monitor.IsEntered(this))
                    throw new InvalidOperationException("Lock the mask slot around Get and the launches that use its mask.");
                var key = new Key(shape.Batch, heads, shape.QueryLength, shape.KeyLength, blockM, blockN, scalars);
                for (int e = 0; e < _entries.Count; e++)
                {
                    if (!_entries[e].Key.Equals(key))
                        continue;
                    var hit = _entries[e];
                    _entries.RemoveAt(e);
                    _entries.Add(hit);
                    classify = false;
                    return hit.Mask;
                }
                if (_entries.Count == Capacity)
                {
                    _accelerator.Synchronize(); // earlier launches may still read the mask freed here
                    _entries[0].Mask.Dispose();
                    _entries.RemoveAt(0);
                }
                var mask = BlockMask.Allocate(_accelerator, shape.Batch, heads, shape.QueryLength, shape.KeyLength, blockM, blockN);
                _entries.Add((key, mask));
                classify = true;
                return mask;
            }
        }

        private readonly record struct Key(int Batch, int Heads, int QueryLength, int KeyLength, int BlockM, int BlockN, object? Scalars);
    }
}
