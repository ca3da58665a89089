using System.Linq;

namespace AttnDsl.Generators.Model
{
    // The spec model: plain equatable data, no symbols, syntax, locations or compilations, so the
    // incremental pipeline caches it across edits that do not change the spec.

    /// <summary>One [AttentionKernel] class, fully parsed and validated.</summary>
    internal sealed record KernelSpec(
        TypeLocation Type,
        TileSpec Tiles,
        MaskSpec Masks,
        ScoreSpec Scores,
        EquatableArray<ModSpec> MaskMods,
        EquatableArray<ModSpec> ScoreMods,
        EquatableArray<RuntimeArgument> RuntimeArguments,
        BlockSelectSpec? Select = null,
        QuantizeSpec? Quantize = null)
    {
        /// <summary>
        /// [MaskMod]s without [BlockSparse] or [BlockSelect]: Run classifies the mods' blocks on the device into a BlockMask of
        /// its own (kept per accelerator and shape while the mods read no tensor), so the kernels skip the blocks they hide.
        /// </summary>
        public bool ModBlockMask => MaskMods.Count > 0 && !Masks.BlockSparse && Select is null;

        /// <summary>The mods' block mask has one row per query head: some [MaskMod] reads its head argument.</summary>
        public bool ModBlockMaskPerHead => ModBlockMask && MaskMods.Any(m => m.ReadsHead);

        /// <summary>The mods read a tensor, whose contents may change between calls: their block mask is classified per call.</summary>
        public bool ModBlockMaskPerCall => ModBlockMask && MaskMods.Any(m => m.Parameters.Any(p => p.IsView));

        /// <summary>The kernels visit only the blocks of a BlockMask: [BlockSparse] (given), [BlockSelect] (estimated) or the [MaskMod]s' (classified).</summary>
        public bool UsesBlockMask => Masks.BlockSparse || Select is not null || ModBlockMask;
    }

    /// <summary>[Quantize]: int8 Q and K per block (the checker allows only Int8 / PerBlock with 16-bit elements, HeadDim % 32 == 0).</summary>
    internal sealed record QuantizeSpec(int Format, int Granularity, bool SmoothKeys);

    /// <summary>[BlockSelect]: exactly one of TopK, TopFraction, CumulativeMass is positive (the checker's rule).</summary>
    internal sealed record BlockSelectSpec(int Estimator, int TopK, double TopFraction, double CumulativeMass, bool KeepDiagonal, int KeepSinkBlocks);

    /// <summary>
    /// Where the generated partial goes: namespace, enclosing types (outermost first, with their
    /// keywords such as "class" or "record struct") and the class.
    /// </summary>
    internal sealed record TypeLocation(string? Namespace, EquatableArray<string> ContainingTypes, EquatableArray<string> ContainingKinds, string Name)
    {
        public string FullName => (Namespace is null ? "" : Namespace + ".") + string.Join(".", ContainingTypes) + (ContainingTypes.Count > 0 ? "." : "") + Name;

        /// <summary>The type name as C# code, global-qualified.</summary>
        public string GlobalName => "global::" + FullName;
    }

    internal enum ElementKind
    {
        Float16 = 0,
        BFloat16 = 1,
        Float32 = 2,
    }

    internal enum LayoutKind
    {
        BHND = 0,
        BNHD = 1,
    }

    /// <summary>Sizes the generator specializes on. Scale is the effective one.</summary>
    internal sealed record TileSpec(int HeadDim, int HeadDimV, int BlockM, int BlockN, ElementKind Element, LayoutKind Layout, float Scale);

    /// <summary>Built-in masks; absent ones are false/0.</summary>
    internal sealed record MaskSpec(
        bool Causal,
        bool HasWindow,
        int WindowLeft,
        int WindowRight,
        int SinkCount,
        bool PrefixLM,
        bool DocumentMask,
        int TokensPerFrame,
        bool HasRadial,
        double RadialDecayFactor,
        int RadialSinkFrames,
        bool BlockSparse = false)
    {
        /// <summary>Causal, window or radial: the masks that restrict positions (sinks and prefixes OR into them).</summary>
        public bool HasLocal => Causal || HasWindow || HasRadial;
    }

    /// <summary>Built-in score modifiers.</summary>
    internal sealed record ScoreSpec(bool Alibi, double SoftCap);

    /// <summary>
    /// A [MaskMod] or [ScoreMod] method and the tensors or scalars it reads. <see cref="ReadsHead"/>: its body names the head
    /// parameter (a syntactic test, so it may say true for a head it does not use, never false for one it does).
    /// </summary>
    internal sealed record ModSpec(string Name, EquatableArray<ModParameter> Parameters, bool ReadsHead = true);

    /// <summary>An extra parameter of a mod: an ArrayView of <see cref="ElementTypeName"/> or a scalar.</summary>
    internal sealed record ModParameter(string Name, string TypeName, bool IsView, string ElementTypeName);

    /// <summary>A parameter the spec adds to Run after output, in order.</summary>
    internal sealed record RuntimeArgument(string Name, string TypeName, bool IsView, string Source);
}
