using System;
using ILGPU;
using AttnDsl.Rules;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// Argument checks that every generated <c>Run</c> performs before it launches anything. Each
    /// failure names the argument, the expected and the actual size.
    /// </summary>
    public static class AttentionValidation
    {
        /// <summary>Checks the accelerator and the shape (the rules of <see cref="ShapeRules"/>, shared with the call-site analyzer).</summary>
        public static void ValidateShape(Accelerator accelerator, AttentionShape shape, bool requireSelfAttention)
        {
            if (accelerator is null)
                throw new ArgumentNullException(nameof(accelerator));
            var problems = ShapeRules.Check(shape.Batch, shape.QueryHeads, shape.KeyValueHeads, shape.QueryLength, shape.KeyLength, requireSelfAttention);
            if (problems.Count == 0)
                return;
            var first = problems[0];
            string message = $"{first.Message} in {shape}.";
            switch (first.Kind)
            {
                case ShapeRules.ProblemKind.NonPositive:
                    throw new ArgumentOutOfRangeException("shape", (int)first.Actual, message);
                case ShapeRules.ProblemKind.TooManyRows:
                    throw new ArgumentOutOfRangeException("shape", first.Actual, message);
                default:
                    throw new ArgumentException(message, "shape");
            }
        }

        /// <summary>Checks that a tensor view is on <paramref name="accelerator"/> and has exactly <paramref name="expected"/> elements.</summary>
        public static void ValidateTensor<T>(Accelerator accelerator, ArrayView<T> view, long expected, string name, string layout)
            where T : unmanaged
        {
            if (!view.IsValid)
                throw new ArgumentException($"{name} is an empty view; expected {expected} elements ({layout}), actual 0.", name);
            if (view.Length != expected)
                throw new ArgumentException($"{name} has {view.Length} elements; expected {expected} ({layout}).", name);
            SameAccelerator(accelerator, view, name);
        }

        /// <summary>Checks an optional output (such as logSumExp): either default or exactly <paramref name="expected"/> elements.</summary>
        public static bool ValidateOptional<T>(Accelerator accelerator, ArrayView<T> view, long expected, string name, string layout)
            where T : unmanaged
        {
            if (!view.IsValid || view.Length == 0)
                return false;
            ValidateTensor(accelerator, view, expected, name, layout);
            return true;
        }

        /// <summary>Checks a tensor of a mask or score mod, whose size the spec does not state: valid, non-empty, on the accelerator.</summary>
        public static void ValidateModTensor<T>(Accelerator accelerator, ArrayView<T> view, string name, string mod)
            where T : unmanaged
        {
            if (!view.IsValid || view.Length == 0)
                throw new ArgumentException($"{name} (read by {mod}) is an empty view; expected at least 1 element, actual 0.", name);
            SameAccelerator(accelerator, view, name);
        }

        /// <summary>Checks a [BlockSparse] mask: present, alive, on the accelerator, and of the spec's tiles and the shape's sizes.</summary>
        public static void ValidateBlockMask(Accelerator accelerator, BlockMask? blockMask, AttentionShape shape, AttentionSpecInfo spec, string name)
        {
            if (blockMask is null)
                throw new ArgumentNullException(name, $"{name} is null; expected a BlockMask of {spec.Name}'s tiles for {shape}.");
            if (blockMask.IsDisposed)
                throw new ArgumentException($"{name} is disposed; expected a live BlockMask.", name);
            if (!ReferenceEquals(blockMask.Accelerator, accelerator))
                throw new ArgumentException($"{name} lives on accelerator '{blockMask.Accelerator.Name}'; expected a mask on '{accelerator.Name}', the accelerator passed to Run.", name);
            BlockMaskRules.Check(blockMask.BlockM, blockMask.BlockN, blockMask.Batch, blockMask.Heads, blockMask.QueryLength, blockMask.KeyLength, spec, shape, name);
        }

        /// <summary>Checks a BlockMask a [BlockSelect] estimator writes: a live mask of the spec's tiles and the shape, one row per query head.</summary>
        public static void ValidateSelection(Accelerator accelerator, BlockMask? selection, AttentionShape shape, AttentionSpecInfo spec, string name)
        {
            ValidateBlockMask(accelerator, selection, shape, spec, name);
            if (selection!.Heads != shape.QueryHeads)
                throw new ArgumentException(
                    $"{name} has Heads={selection.Heads}; expected {shape.QueryHeads} (the shape's QueryHeads: the estimator selects per query head). A broadcast mask can only be reused (reuseSelection: true).", name);
        }

        /// <summary>Checks buffers a [Quantize] prologue writes into: live, on the accelerator, of the spec's sizes, large enough for the shape.</summary>
        public static void ValidateQuantized(Accelerator accelerator, QuantizedInputs? quantized, AttentionShape shape, AttentionSpecInfo spec, string name)
        {
            if (quantized is null)
                throw new ArgumentNullException(name);
            if (quantized.IsDisposed)
                throw new ArgumentException($"{name} is disposed; expected live QuantizedInputs.", name);
            if (!ReferenceEquals(quantized.Accelerator, accelerator))
                throw new ArgumentException($"{name} lives on accelerator '{quantized.Accelerator.Name}'; expected buffers on '{accelerator.Name}', the accelerator passed in.", name);
            bool smooth = spec.Quantize?.SmoothKeys ?? false;
            if (quantized.HeadDim != spec.HeadDim || quantized.BlockM != spec.BlockM || quantized.BlockN != spec.BlockN || quantized.SmoothKeys != smooth)
                throw new ArgumentException(
                    $"{name} is for HeadDim={quantized.HeadDim}, BlockM={quantized.BlockM}, BlockN={quantized.BlockN}, SmoothKeys={quantized.SmoothKeys}; expected HeadDim={spec.HeadDim}, BlockM={spec.BlockM}, BlockN={spec.BlockN}, SmoothKeys={smooth} ({spec.Name}).", name);
            if (!quantized.CanHold(shape, spec.HeadDim, spec.BlockM, spec.BlockN, smooth))
                throw new ArgumentException($"{name} was allocated for {quantized.Shape} and cannot hold {shape}; expected buffers at least that large.", name);
        }

        /// <summary>Throws when an output view overlaps an input view (the kernel would read what it writes).</summary>
        public static void ValidateDisjoint<TIn, TOut>(ArrayView<TIn> input, string inputName, ArrayView<TOut> output, string outputName)
            where TIn : unmanaged
            where TOut : unmanaged
        {
            if (!input.IsValid || !output.IsValid || input.Length == 0 || output.Length == 0)
                return;
            long inStart = input.LoadEffectiveAddressAsPtr().ToInt64(), inEnd = inStart + input.LengthInBytes;
            long outStart = output.LoadEffectiveAddressAsPtr().ToInt64(), outEnd = outStart + output.LengthInBytes;
            if (inStart < outEnd && outStart < inEnd)
                throw new ArgumentException($"{outputName} overlaps {inputName}; expected disjoint memory, actual {output.LengthInBytes} bytes at 0x{outStart:X} and {input.LengthInBytes} bytes at 0x{inStart:X}.", outputName);
        }

        private static void SameAccelerator<T>(Accelerator accelerator, ArrayView<T> view, string name)
            where T : unmanaged
        {
            var owner = ArrayViewExtensions.GetAccelerator(view);
            if (owner is not null && !ReferenceEquals(owner, accelerator))
                throw new ArgumentException($"{name} lives on accelerator '{owner.Name}'; expected a view on '{accelerator.Name}', the accelerator passed to Run.", name);
        }

    }
}
