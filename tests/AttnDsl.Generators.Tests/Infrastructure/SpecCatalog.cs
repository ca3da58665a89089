using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace AttnDsl.Generators.Tests.Infrastructure
{
    /// <summary>
    /// One valid spec: its source, the class it declares, the hint name the generator must use, what the
    /// generated <c>Info.Describe()</c> must say after the class name, and the runtime arguments of <c>Run</c>.
    /// </summary>
    public sealed record CatalogSpec(string Name, string Source, string ClassName, string HintName, string Description, params string[] RuntimeArguments)
    {
        /// <summary>[BlockSelect]: Run ends with the optional selection and reuseSelection.</summary>
        public bool BlockSelect { get; init; }

        /// <summary>The Scale the spec sets; null for the default 1/sqrt(HeadDim).</summary>
        public double? ExplicitScale { get; init; }

        public override string ToString() => Name;
    }

    /// <summary>The valid specs that the snapshot, compilation and incremental tests share.</summary>
    public static class SpecCatalog
    {
        private const string Usings = "using AttnDsl;\nusing ILGPU;\n\n";

        public static readonly IReadOnlyList<CatalogSpec> All = new[]
        {
            new CatalogSpec("DenseHalf64", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                public static partial class DenseAttention;
                """, "DenseAttention", "Samples.DenseAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND"),

            new CatalogSpec("CausalBFloat16Bnhd", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 128, Element = ElementType.BFloat16, Layout = TensorLayout.BNHD)]
                [Causal]
                public static partial class CausalBf16Attention;
                """, "CausalBf16Attention", "Samples.CausalBf16Attention.g.cs",
                "HeadDim=128, BlockM=128, BlockN=128, BFloat16, BNHD [Causal]"),

            new CatalogSpec("Float32HeadDimV", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64, HeadDimV = 128, BlockM = 32, BlockN = 32, Element = ElementType.Float32, Scale = 0.1)]
                public static partial class WideValueAttention;
                """, "WideValueAttention", "Samples.WideValueAttention.g.cs",
                "HeadDim=64, HeadDimV=128, BlockM=32, BlockN=32, Float32, BHND") { ExplicitScale = 0.1 },

            new CatalogSpec("StreamingCausalWindowSinks", Usings + """
                namespace Samples.Streaming
                {
                    [AttentionKernel(HeadDim = 128)]
                    [Causal, SlidingWindow(1024), AttentionSinks(4)]
                    public static partial class StreamingAttention;
                }
                """, "StreamingAttention", "Samples.Streaming.StreamingAttention.g.cs",
                "HeadDim=128, BlockM=128, BlockN=64, Float16, BHND [Causal, SlidingWindow(1024), AttentionSinks(4)]"),

            new CatalogSpec("PrefixLM", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                [Causal, PrefixLM]
                public static partial class PrefixLMAttention;
                """, "PrefixLMAttention", "Samples.PrefixLMAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [Causal, PrefixLM]", "prefixLength"),

            new CatalogSpec("BlockSparseCausalPrefix", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64, BlockM = 128)]
                [Causal, PrefixLM, BlockSparse]
                public static partial class BlockSparseAttention;
                """, "BlockSparseAttention", "Samples.BlockSparseAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=64, Float16, BHND [Causal, PrefixLM, BlockSparse]", "prefixLength", "blockMask"),

            new CatalogSpec("BlockSelectTopFraction", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 128)]
                [Causal, BlockSelect(BlockEstimator.MeanPooled, TopFraction = 0.1)]
                public static partial class DraftAttention;
                """, "DraftAttention", "Samples.DraftAttention.g.cs",
                "HeadDim=128, BlockM=64, BlockN=64, Float16, BHND [Causal, BlockSelect(MeanPooled, TopFraction = 0.1, KeepDiagonal = true, KeepSinkBlocks = 1)]") { BlockSelect = true },

            new CatalogSpec("QuantizeSmoothedKeys", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 128)]
                [Causal, SoftCap(30), Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
                public static partial class SageAttention;
                """, "SageAttention", "Samples.SageAttention.g.cs",
                "HeadDim=128, BlockM=64, BlockN=64, Float16, BHND [Causal, Quantize(Int8, PerBlock, SmoothKeys = true), SoftCap(30)]"),

            new CatalogSpec("DocumentMask", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64, BlockM = 128)]
                [Causal, DocumentMask]
                public static partial class PackedDocumentsAttention;
                """, "PackedDocumentsAttention", "Samples.PackedDocumentsAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [Causal, DocumentMask]", "documentIds"),

            new CatalogSpec("TokenGridRadialDecay", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                [TokenGrid(256), RadialDecay(DecayFactor = 1.5, SinkFrames = 2)]
                public static partial class VideoRadialAttention;
                """, "VideoRadialAttention", "Samples.VideoRadialAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [TokenGrid(256), RadialDecay(DecayFactor = 1.5, SinkFrames = 2)]"),

            new CatalogSpec("Alibi", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                [Causal, Alibi]
                public static partial class AlibiAttention;
                """, "AlibiAttention", "Samples.AlibiAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [Causal, Alibi]"),

            new CatalogSpec("SoftCap", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 256, BlockM = 32)]
                [Causal, SoftCap(50)]
                public static partial class SoftCapAttention;
                """, "SoftCapAttention", "Samples.SoftCapAttention.g.cs",
                "HeadDim=256, BlockM=32, BlockN=64, Float16, BHND [Causal, SoftCap(50)]"),

            new CatalogSpec("MaskModTensor", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                public static partial class PaddedKeysAttention
                {
                    /// <summary>Keys past each batch's valid length are padding.</summary>
                    [MaskMod]
                    public static bool KeyIsValid(int batch, int head, int query, int key, ArrayView<int> keyLengths) =>
                        key < keyLengths[batch];
                }
                """, "PaddedKeysAttention", "Samples.PaddedKeysAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [MaskMod KeyIsValid]", "keyLengths"),

            new CatalogSpec("ScoreModTableAndScalar", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                [Causal]
                public static partial class RelativeBiasAttention
                {
                    /// <summary>T5-style relative bias: a per-head table over clamped distances, scaled.</summary>
                    [ScoreMod]
                    public static float RelativeBias(float score, int batch, int head, int query, int key, ArrayView<float> biasTable, float strength)
                    {
                        int distance = query - key;
                        if (distance > 127) distance = 127;
                        if (distance < 0) distance = 0;
                        return score + strength * biasTable[head * 128 + distance];
                    }
                }
                """, "RelativeBiasAttention", "Samples.RelativeBiasAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [Causal, ScoreMod RelativeBias]", "biasTable", "strength"),

            new CatalogSpec("NestedInPartialOuter", Usings + """
                namespace Samples.Nested
                {
                    public partial class ModelLayers
                    {
                        [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16)]
                        [Causal]
                        public static partial class TinyAttention;
                    }
                }
                """, "TinyAttention", "Samples.Nested.ModelLayers.TinyAttention.g.cs",
                "HeadDim=32, BlockM=16, BlockN=16, Float16, BHND [Causal]"),

            new CatalogSpec("NestedInRecordStruct", Usings + """
                namespace Samples.Nested;

                public partial record struct LayerConfig(int Heads)
                {
                    internal static partial class Kernels
                    {
                        [AttentionKernel(HeadDim = 64)]
                        [Causal, AttentionSinks(1)]
                        internal static partial class SinkAttention;
                    }
                }
                """, "SinkAttention", "Samples.Nested.LayerConfig.Kernels.SinkAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [Causal, AttentionSinks(1)]"),

            new CatalogSpec("GlobalNamespace", Usings + """
                [AttentionKernel(HeadDim = 64)]
                [SlidingWindow(128, 128)]
                public static partial class GlobalWindowAttention;
                """, "GlobalWindowAttention", "GlobalWindowAttention.g.cs",
                "HeadDim=64, BlockM=64, BlockN=64, Float16, BHND [SlidingWindow(128, 128)]"),

            new CatalogSpec("SharedModParameter", Usings + """
                namespace Samples;

                [AttentionKernel(HeadDim = 64)]
                [Causal]
                public static partial class SegmentAttention
                {
                    [MaskMod]
                    public static bool SameSegment(int batch, int head, int query, int key, ArrayView<int> segmentIds, int tokens) =>
                        segmentIds[batch * tokens + query] == segmentIds[batch * tokens + key];

                    [ScoreMod]
                    public static float SegmentStartBonus(float score, int batch, int head, int query, int key, ArrayView<int> segmentIds, int tokens, float bonus) =>
                        key > 0 && segmentIds[batch * tokens + key - 1] != segmentIds[batch * tokens + key] ? score + bonus : score;
                }
                """, "SegmentAttention", "Samples.SegmentAttention.g.cs",
                "HeadDim=64, BlockM=128, BlockN=128, Float16, BHND [Causal, MaskMod SameSegment, ScoreMod SegmentStartBonus]", "segmentIds", "tokens", "bonus"),
        };

        public static CatalogSpec Get(string name) =>
            All.SingleOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No catalog spec named '{name}'.", nameof(name));

        /// <summary>Theory data: the spec names.</summary>
        public static TheoryData<string> Names
        {
            get
            {
                var data = new TheoryData<string>();
                foreach (var spec in All)
                    data.Add(spec.Name);
                return data;
            }
        }
    }
}
