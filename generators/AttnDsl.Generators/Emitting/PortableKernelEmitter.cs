using System.Collections.Generic;
using System.Linq;
using AttnDsl.Generators.Model;
using AttnDsl.Rules;
using static AttnDsl.Generators.Emitting.EmitNames;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>
    /// The portable kernels of a spec (every ILGPU backend): FlashAttention-2's online softmax over
    /// key blocks, specialized on the spec's constants, with per-row register tiles emitted unrolled
    /// (ILGPU does not unroll loops). Two shapes share all helpers: RowKernel (barrier-free, one thread
    /// per query row) and TiledKernel (a query tile per group, K/V staged through shared memory).
    /// </summary>
    internal static class PortableKernelEmitter
    {
        public static void Emit(CodeWriter w, KernelSpec spec)
        {
            var t = spec.Tiles;
            string elem = ElementType(t.Element);
            int elementSize = t.Element == ElementKind.Float32 ? 4 : 2;
            int stageKeys = ResourceEstimates.PortableStageKeys(t.BlockN, t.HeadDim, t.HeadDimV, elementSize);
            bool transforms = HasScoreTransforms(spec);

            w.Line("/// <summary>The ILGPU kernels of this spec. Every size is a constant; masks and mods are inlined.</summary>");
            w.Line("/// <remarks>Public because ILGPU's runtime assembly loads kernels and their argument types by reflection.</remarks>");
            w.Line(GeneratedCode);
            w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
            using (w.Block($"public static class {KernelsClass}"))
            {
                w.Line($"public const int HeadDim = {Int(t.HeadDim)};");
                w.Line($"public const int HeadDimV = {Int(t.HeadDimV)};");
                w.Line($"public const int BlockM = {Int(t.BlockM)};");
                w.Line($"public const int BlockN = {Int(t.BlockN)};");
                w.Line($"/// <summary>Keys per shared-memory stage of the tiled kernel ({Int(stageKeys * (t.HeadDim + t.HeadDimV) * elementSize)} bytes of K and V).</summary>");
                w.Line($"public const int StageKeys = {Int(stageKeys)};");
                if (transforms)
                {
                    w.Line("/// <summary>Softmax scale, folded into the query row; scores are moved to base 2 after the score modifiers.</summary>");
                    w.Line($"public const float QueryScale = {Float(t.Scale)};");
                }
                else
                {
                    w.Line("/// <summary>Softmax scale times log2(e), folded into the query row: scores come out in base 2.</summary>");
                    w.Line($"public const float QueryScale = {Float(t.Scale * 1.4426950408889634)};");
                }
                if (spec.Quantize is not null)
                    QuantizationEmitter.EmitConstants(w, spec);
                if (spec.Masks.HasRadial)
                    w.Line($"public const float RadialScale = {Float(spec.Masks.RadialDecayFactor * spec.Masks.TokensPerFrame)}; // DecayFactor * TokensPerFrame");
                w.Line();
                if (TensorCoreKernelEmitter.Applies(spec))
                    TensorCoreKernelEmitter.EmitConstants(w, spec);
                EmitArguments(w, spec, elem);
                w.Line();
                foreach (int size in new[] { t.HeadDim, t.HeadDimV }.Distinct())
                    EmitRow(w, size);
                if (spec.Quantize is not null)
                    EmitQuantRow(w, t.HeadDim);
                else
                    EmitRowHelpers(w, t.HeadDim, elem, query: true);
                if (t.HeadDimV != t.HeadDim)
                    EmitRowHelpers(w, t.HeadDimV, elem, query: false);
                EmitValueHelpers(w, t.HeadDimV, elem);
                EmitOffsets(w, t);
                if (spec.Quantize is not null)
                    QuantizationEmitter.EmitOffsets(w);
                EmitVisible(w, spec);
                EmitClassify(w, spec);
                if (transforms)
                    EmitScore(w, spec);
                EmitFinish(w, spec);
                if (spec.Quantize is not null)
                    QuantizationEmitter.EmitKernels(w, spec);
                if (spec.UsesBlockMask)
                    BlockMaskEmitter.EmitKernels(w, spec, elem);
                EmitRowKernel(w, spec);
                EmitTiledKernel(w, spec, elem);
                if (TensorCoreKernelEmitter.Applies(spec))
                {
                    w.Line();
                    TensorCoreKernelEmitter.Emit(w, spec);
                }
            }
        }

        internal static bool HasScoreTransforms(KernelSpec spec) =>
            spec.Scores.Alibi || spec.Scores.SoftCap > 0 || spec.ScoreMods.Count > 0;

        private static void EmitArguments(CodeWriter w, KernelSpec spec, string elem)
        {
            w.Line("/// <summary>Everything a kernel reads, passed as one struct.</summary>");
            using (w.Block("public struct Arguments"))
            {
                w.Line($"public {View(elem)} Query;");
                w.Line($"public {View(elem)} Key;");
                w.Line($"public {View(elem)} Value;");
                w.Line($"public {View(elem)} Output;");
                w.Line("public global::ILGPU.ArrayView<float> LogSumExp;");
                w.Line("public int WriteLogSumExp;");
                w.Line("public int Batch;");
                w.Line("public int QueryHeads;");
                w.Line("public int KeyValueHeads;");
                w.Line("public int QueryLength;");
                w.Line("public int KeyLength;");
                w.Line("/// <summary>Query tiles per (batch, head) in the tiled kernel.</summary>");
                w.Line("public int QueryBlocks;");
                if (TensorCoreKernelEmitter.Applies(spec))
                {
                    w.Line("/// <summary>Tensor-core path: the tensors as 32-bit words (two elements each), the device addresses cp.async reads Q, K and V from and the one the epilogue stores O to.</summary>");
                    w.Line("public global::ILGPU.ArrayView<uint> QueryWords;");
                    w.Line("public global::ILGPU.ArrayView<uint> KeyWords;");
                    w.Line("public global::ILGPU.ArrayView<uint> ValueWords;");
                    w.Line("public global::ILGPU.ArrayView<uint> OutputWords;");
                    w.Line("public long QueryAddress;");
                    w.Line("public long KeyAddress;");
                    w.Line("public long ValueAddress;");
                    w.Line("public long OutputAddress;");
                    if (spec.Masks.DocumentMask)
                    {
                        w.Line("/// <summary>[DocumentMask], tensor-core path: the min and max document id of each (batch, key block), KeyBlocks per batch.</summary>");
                        w.Line("public global::ILGPU.ArrayView<int> DocumentRanges;");
                        w.Line("public int KeyBlocks;");
                    }
                }
                if (spec.UsesBlockMask)
                {
                    w.Line("/// <summary>The BlockMask ([BlockSparse], the [BlockSelect] selection or the [MaskMod]s' classified blocks): (Batch, SparseHeads, SparseQueryBlocks[, SparseKeyBlocks]) counts and indices.</summary>");
                    foreach (var v in DispatchEmitter.BlockMaskViews)
                        w.Line($"public global::ILGPU.ArrayView<int> Sparse{v};");
                    w.Line("public int SparseHeads;");
                    w.Line("public int SparseQueryBlocks;");
                    w.Line("public int SparseKeyBlocks;");
                }
                if (spec.Quantize is not null)
                    QuantizationEmitter.EmitFields(w);
                foreach (var a in spec.RuntimeArguments.Where(a => a.Source != "[BlockSparse]"))
                    w.Line($"public {a.TypeName} {Field(a.Name)};");
            }
        }

        private static void EmitRow(CodeWriter w, int size)
        {
            w.Line($"/// <summary>{Int(size)} floats held in registers by one thread.</summary>");
            using (w.Block($"public struct Row{Int(size)}"))
            {
                for (int d = 0; d < size; d += 16)
                    w.Line("public float " + string.Join(", ", Enumerable.Range(d, 16).Select(x => "d" + Int(x))) + ";");
            }
            w.Line();
        }

        private static void EmitRowHelpers(CodeWriter w, int size, string elem, bool query)
        {
            string row = "Row" + Int(size);
            w.Line($"/// <summary>Loads a row of {Int(size)} elements times <paramref name=\"scale\"/>.</summary>");
            w.Line(Inline);
            using (w.Block($"public static void Load(ref {row} row, {View(elem)} source, long offset, float scale)"))
            {
                for (int d = 0; d < size; d++)
                    w.Line($"row.d{d} = (float)source[offset + {d}] * scale;");
            }
            w.Line();
            if (!query)
                return;
            w.Line("/// <summary>Dot product of the query row with a key row; four partial sums for instruction-level parallelism.</summary>");
            w.Line(Inline);
            using (w.Block($"public static float Dot(ref {row} q, {View(elem)} keys, long offset)"))
            {
                w.Line("float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;");
                for (int d = 0; d < size; d++)
                    w.Line($"s{d % 4} += q.d{d} * (float)keys[offset + {d}];");
                w.Line("return (s0 + s1) + (s2 + s3);");
            }
            w.Line();
        }

        /// <summary>[Quantize]: an int8 query row held as ints, and its int32 dot product with an int8 key row.</summary>
        private static void EmitQuantRow(CodeWriter w, int size)
        {
            string row = "QuantRow" + Int(size);
            w.Line($"/// <summary>{Int(size)} int8 query values held in registers by one thread.</summary>");
            using (w.Block($"public struct {row}"))
            {
                for (int d = 0; d < size; d += 16)
                    w.Line("public int " + string.Join(", ", Enumerable.Range(d, 16).Select(x => "d" + Int(x))) + ";");
            }
            w.Line();
            w.Line(Inline);
            using (w.Block($"public static void Load(ref {row} row, global::ILGPU.ArrayView<sbyte> source, long offset)"))
            {
                for (int d = 0; d < size; d++)
                    w.Line($"row.d{d} = source[offset + {d}];");
            }
            w.Line();
            w.Line("/// <summary>Int32 dot product of the int8 query row with an int8 key row (exact: |sum| <= 127 * 127 * HeadDim).</summary>");
            w.Line(Inline);
            using (w.Block($"public static int Dot(ref {row} q, global::ILGPU.ArrayView<sbyte> keys, long offset)"))
            {
                w.Line("int s0 = 0, s1 = 0, s2 = 0, s3 = 0;");
                for (int d = 0; d < size; d++)
                    w.Line($"s{d % 4} += q.d{d} * keys[offset + {d}];");
                w.Line("return (s0 + s1) + (s2 + s3);");
            }
            w.Line();
        }

        private static void EmitValueHelpers(CodeWriter w, int size, string elem)
        {
            string row = "Row" + Int(size);
            w.Line("/// <summary>");
            w.Line("/// One online-softmax step for a visible key with base-2 score <paramref name=\"score\"/>: rescale the");
            w.Line("/// accumulator when the running maximum grows, then add p * value.");
            w.Line("/// </summary>");
            w.Line(Inline);
            using (w.Block($"public static void Accumulate(ref {row} acc, ref float max, ref float sum, float score, {View(elem)} values, long offset)"))
            {
                using (w.Block("if (score > max)"))
                {
                    w.Line($"float c = {Math}.Exp2(max - score);");
                    w.Line("sum *= c;");
                    for (int d = 0; d < size; d++)
                        w.Line($"acc.d{d} *= c;");
                    w.Line("max = score;");
                }
                w.Line($"float p = {Math}.Exp2(score - max);");
                w.Line("sum += p;");
                for (int d = 0; d < size; d++)
                    w.Line($"acc.d{d} += p * (float)values[offset + {d}];");
            }
            w.Line();
            w.Line("/// <summary>Writes the accumulator times <paramref name=\"factor\"/> (1 / sum, or 0 for a row that saw no key).</summary>");
            w.Line(Inline);
            using (w.Block($"public static void Store(ref {row} acc, {View(elem)} output, long offset, float factor)"))
            {
                // Float16 stores round to nearest even on every backend (ILGPU.Half's cast truncates on the CPU).
                string store = elem == ElementType(ElementKind.Float16) ? "global::AttnDsl.HalfConversion.FromSingle" : $"({elem})";
                for (int d = 0; d < size; d++)
                    w.Line($"output[offset + {d}] = {store}(acc.d{d} * factor);");
            }
            w.Line();
        }

        private static void EmitOffsets(CodeWriter w, TileSpec t)
        {
            bool bhnd = t.Layout == LayoutKind.BHND;
            w.Line($"// Element offsets of a token row, {t.Layout} layout.");
            void Offset(string name, string heads, string tokens, string dim, string head, string token)
            {
                w.Line(Inline);
                string body = bhnd
                    ? $"(((long)b * a.{heads} + {head}) * a.{tokens} + {token}) * {dim}"
                    : $"(((long)b * a.{tokens} + {token}) * a.{heads} + {head}) * {dim}";
                w.Line($"public static long {name}(in Arguments a, int b, int {head}, int {token}) => {body};");
            }
            Offset("QueryOffset", "QueryHeads", "QueryLength", "HeadDim", "h", "i");
            Offset("OutputOffset", "QueryHeads", "QueryLength", "HeadDimV", "h", "i");
            Offset("KeyOffset", "KeyValueHeads", "KeyLength", "HeadDim", "kvh", "j");
            Offset("ValueOffset", "KeyValueHeads", "KeyLength", "HeadDimV", "kvh", "j");
            w.Line();
        }

        private static void EmitVisible(CodeWriter w, KernelSpec spec)
        {
            var m = spec.Masks;
            w.Line("/// <summary>Whether query i (aligned position ia) sees key j: the element test of partial blocks.</summary>");
            w.Line(Inline);
            using (w.Block("public static bool Visible(in Arguments a, int b, int h, int i, int ia, int j, int queryDocument)"))
            {
                var local = new List<string>();
                if (m.Causal)
                {
                    w.Line($"bool causal = {Masks}.Causal(ia, j);");
                    local.Add("causal");
                }
                if (m.HasWindow)
                    local.Add($"{Masks}.Window(ia, j, {Int(m.WindowLeft)}, {Int(m.WindowRight)})");
                if (m.HasRadial)
                    local.Add($"{Masks}.Radial(ia, j, {Int(m.TokensPerFrame)}, RadialScale, {Int(m.RadialSinkFrames)})");
                string sink = m.SinkCount > 0 ? (m.Causal ? "causal && " : "") + $"{Masks}.Below(j, {Int(m.SinkCount)})" : "false";
                string prefix = m.PrefixLM ? $"{Masks}.Below(j, a.{Field("prefixLength")}[b])" : "false";
                string document = m.DocumentMask ? $"{Masks}.Document(queryDocument, a.{Field("documentIds")}[(long)b * a.KeyLength + j])" : "true";
                string mods = spec.MaskMods.Count > 0
                    ? string.Join(" && ", spec.MaskMods.Select(mod => DispatchEmitter.ModCall(spec, mod, "b, h, i, j", "a." + FieldPrefix)))
                    : "true";
                w.Line($"return {Masks}.Combine(");
                w.Line($"    local: {(local.Count > 0 ? string.Join(" && ", local) : "true")},");
                w.Line($"    sink: {sink},");
                w.Line($"    prefix: {prefix},");
                w.Line($"    document: {document},");
                w.Line($"    mods: {mods});");
            }
            w.Line();
        }

        private static void EmitClassify(CodeWriter w, KernelSpec spec)
        {
            var m = spec.Masks;
            w.Line("/// <summary>Classifies key block [j0, j1] for query rows [ia0, ia1] (aligned): skip, test per element, or take whole.</summary>");
            w.Line(Inline);
            string parameters = "in Arguments a, int b, int ia0, int ia1, int j0, int j1, int queryDocumentMin, int queryDocumentMax";
            if (m.DocumentMask)
            {
                // The key block's document range is a scan; the tensor-core kernel scans with a whole warp and passes it in.
                using (w.Block($"public static {BlockClass} ClassifyBlock({parameters})"))
                {
                    w.Line($"{Masks}.IdRange(a.{Field("documentIds")}, (long)b * a.KeyLength + j0, j1 - j0 + 1, out int keyDocumentMin, out int keyDocumentMax);");
                    w.Line("return ClassifyBlock(a, b, ia0, ia1, j0, j1, queryDocumentMin, queryDocumentMax, keyDocumentMin, keyDocumentMax);");
                }
                w.Line();
                w.Line("/// <summary>ClassifyBlock given the key block's document range.</summary>");
                w.Line(Inline);
                parameters += ", int keyDocumentMin, int keyDocumentMax";
            }
            using (w.Block($"public static {BlockClass} ClassifyBlock({parameters})"))
            {
                var local = new List<string>();
                if (m.Causal)
                {
                    w.Line($"{BlockClass} causal = {Masks}.CausalBlock(ia0, ia1, j0, j1);");
                    local.Add("causal");
                }
                if (m.HasWindow)
                    local.Add($"{Masks}.WindowBlock(ia0, ia1, j0, j1, {Int(m.WindowLeft)}, {Int(m.WindowRight)})");
                if (m.HasRadial)
                    local.Add($"{Masks}.RadialBlock(ia0, ia1, j0, j1, {Int(m.TokensPerFrame)}, RadialScale, {Int(m.RadialSinkFrames)})");
                // MaskSemantics.Combine's rule, And(And(Or(Or(local, sink), prefix), document), mods), with the absent masks'
                // neutral values left out: Or with Empty and And with Full change nothing, but a compiler cannot drop them
                // (it does not know a BlockClass is at most Full), and the kernels classify a block on every step.
                string expr = local.Count == 0 ? $"{BlockClass}.Full" : local.Aggregate((x, y) => $"{Masks}.And({x}, {y})");
                if (m.SinkCount > 0 || m.PrefixLM || m.DocumentMask || spec.MaskMods.Count > 0)
                {
                    w.Line($"{BlockClass} local = {expr};");
                    expr = "local";
                }
                if (m.SinkCount > 0)
                {
                    w.Line(m.Causal
                        ? $"{BlockClass} sink = {Masks}.And(causal, {Masks}.BelowBlock(j0, j1, {Int(m.SinkCount)}));"
                        : $"{BlockClass} sink = {Masks}.BelowBlock(j0, j1, {Int(m.SinkCount)});");
                    expr = $"{Masks}.Or({expr}, sink)";
                }
                if (m.PrefixLM)
                {
                    w.Line($"{BlockClass} prefix = {Masks}.BelowBlock(j0, j1, a.{Field("prefixLength")}[b]);");
                    expr = $"{Masks}.Or({expr}, prefix)";
                }
                if (m.DocumentMask)
                {
                    w.Line($"{BlockClass} document = {Masks}.DocumentBlock(queryDocumentMin, queryDocumentMax, keyDocumentMin, keyDocumentMax);");
                    expr = $"{Masks}.And({expr}, document)";
                }
                // A custom mask is opaque to the analysis: blocks it touches are tested per element.
                if (spec.MaskMods.Count > 0)
                    expr = $"{Masks}.And({expr}, {BlockClass}.Partial)";
                w.Line($"return {expr};");
            }
            w.Line();
        }

        /// <summary>Whether the tensor-core kernel gets its own Score&lt;TTarget&gt;: soft-cap's tanh is the hardware's on CUDA.</summary>
        public static bool TargetScore(KernelSpec spec) => spec.Scores.SoftCap > 0 && TensorCoreKernelEmitter.Applies(spec);

        private static void EmitScore(CodeWriter w, KernelSpec spec)
        {
            EmitScore(w, spec, target: false);
            if (TargetScore(spec))
                EmitScore(w, spec, target: true);
        }

        private static void EmitScore(CodeWriter w, KernelSpec spec, bool target)
        {
            w.Line(target
                ? "/// <summary>Score of the tensor-core kernels: as Score, with soft-cap's tanh from the target (the hardware's on CUDA).</summary>"
                : "/// <summary>Score modifiers on the scaled score, in order: soft-cap, ALiBi, [ScoreMod]s; returns the base-2 score.</summary>");
            w.Line(Inline);
            w.Line(target
                ? "public static float Score<TTarget>(in Arguments a, float score, int b, int h, int i, int ia, int j, float slope)"
                : "public static float Score(in Arguments a, float score, int b, int h, int i, int ia, int j, float slope)");
            if (target)
                w.Line("    where TTarget : struct, global::AttnDsl.TensorCores.ITensorCoreTarget");
            using (w.Block(""))
            {
                string tanh = spec.Scores.SoftCap > 0 ? $"global::AttnDsl.TensorCores.Fragments.Tanh<TTarget>(score * {Float(1.0 / spec.Scores.SoftCap)})" : "";
                if (target && !spec.Scores.Alibi && spec.ScoreMods.Count == 0)
                {
                    // Soft-cap alone: the cap and log2(e) fold into one factor.
                    w.Line($"return {Float(spec.Scores.SoftCap * 1.4426950408889634)} * {tanh};");
                }
                else
                {
                    if (spec.Scores.SoftCap > 0)
                        w.Line(target ? $"score = {Float(spec.Scores.SoftCap)} * {tanh};" : $"score = {Scores}.SoftCap(score, {Float(spec.Scores.SoftCap)});");
                    if (spec.Scores.Alibi)
                        w.Line($"score += {Scores}.AlibiBias(slope, ia, j);");
                    foreach (var mod in spec.ScoreMods)
                        w.Line($"score = {DispatchEmitter.ModCall(spec, mod, "score, b, h, i, j", "a." + FieldPrefix)};");
                    w.Line($"return score * {Math}.Log2E;");
                }
            }
            w.Line();
        }

        private static void EmitFinish(CodeWriter w, KernelSpec spec)
        {
            var t = spec.Tiles;
            // Smoothing took q . mean(K) out of every score of the row; without score transforms it is added back here only.
            string shift = spec.Quantize is { SmoothKeys: true } && !HasScoreTransforms(spec) ? " + a.QueryShift[row] * ScoreScale" : "";
            w.Line("/// <summary>Normalizes and stores a finished row, and its log-sum-exp (natural log) when requested.</summary>");
            w.Line(Inline);
            using (w.Block($"public static void Finish(in Arguments a, ref Row{Int(t.HeadDimV)} acc, float max, float sum, long outputOffset, int row)"))
            {
                w.Line("Store(ref acc, a.Output, outputOffset, sum > 0f ? 1f / sum : 0f);");
                w.Line("if (a.WriteLogSumExp != 0)");
                w.Line($"    a.LogSumExp[row] = sum > 0f ? (max + {Math}.Log2(sum)) * {Math}.Ln2{shift} : float.NegativeInfinity;");
            }
            w.Line();
        }

        /// <summary>
        /// The key-block loop shared by both kernels: <c>KeyBlockSchedule</c> lists the blocks that sinks or
        /// prefixes reach, then those the local masks reach, each once; [ia0, ia1] are the tile's aligned rows.
        /// </summary>
        private static void EmitBlockLoopHeader(CodeWriter w, KernelSpec spec, string firstRow)
        {
            var m = spec.Masks;
            if (spec.UsesBlockMask)
            {
                // [BlockSparse]/[BlockSelect]: the mask's row of this query block lists the blocks; the tile lies inside one query block.
                w.Line($"long maskRow = ((long)b * a.SparseHeads + (a.SparseHeads == 1 ? 0 : h)) * a.SparseQueryBlocks + {firstRow} / BlockM;");
                w.Line("int partialSteps = a.SparsePartialCounts[maskRow];");
                w.Line("int steps = partialSteps + a.SparseFullCounts[maskRow];");
                return;
            }
            string prefix = m.PrefixLM ? $"a.{Field("prefixLength")}[b]" : "0";
            w.Line($"var schedule = global::AttnDsl.KeyBlockSchedule.Create(ia0, ia1, a.KeyLength, BlockN,");
            w.Line($"    global::AttnDsl.KeyBlockSchedule.ExtraKeys({Int(m.SinkCount)}, {prefix}, a.KeyLength),");
            w.Line($"    causal: {Bool(m.Causal)}, window: {Bool(m.HasWindow)}, left: {Int(m.WindowLeft)}, right: {Int(m.WindowRight)});");
        }

        private static string LoopLine(KernelSpec spec) =>
            spec.UsesBlockMask ? "for (int step = 0; step < steps; step++)" : "for (int step = 0; step < schedule.Count; step++)";

        private static void EmitBlockHeader(CodeWriter w, KernelSpec spec, string classify)
        {
            if (spec.UsesBlockMask)
            {
                // Partial blocks of the mask run the spec's own block analysis (Empty: skip, Full: no test);
                // full blocks of the mask are visible whole.
                w.Line("bool partialStep = step < partialSteps;");
                w.Line("int keyBlock = partialStep ? a.SparsePartialIndices[maskRow * a.SparseKeyBlocks + step] : a.SparseFullIndices[maskRow * a.SparseKeyBlocks + (step - partialSteps)];");
                w.Line("int j0 = keyBlock * BlockN;");
                w.Line("int j1 = (j0 + BlockN < a.KeyLength ? j0 + BlockN : a.KeyLength) - 1;");
                w.Line($"{BlockClass} block = partialStep ? {classify} : {BlockClass}.Full;");
            }
            else
            {
                w.Line("int j0 = schedule.KeyBlock(step) * BlockN;");
                w.Line("int j1 = (j0 + BlockN < a.KeyLength ? j0 + BlockN : a.KeyLength) - 1;");
                w.Line($"{BlockClass} block = {classify};");
            }
            if (spec.Quantize is not null)
            {
                w.Line("// [Quantize]: a key block is one quantization block, so one factor dequantizes its int32 products.");
                w.Line("float keyScale = block == " + BlockClass + ".Empty ? 0f : queryScale * a.KeyScales[((long)b * a.KeyValueHeads + kvh) * a.KeyQuantBlocks + j0 / BlockN];");
            }
        }

        private static void EmitKeyStep(CodeWriter w, KernelSpec spec, string keys, string keyOffset, string values, string valueOffset)
        {
            w.Line("if (block == " + BlockClass + ".Partial && !Visible(a, b, h, i, ia, j, queryDocument))");
            w.Line("    continue;");
            if (spec.Quantize is null)
                w.Line($"float score = Dot(ref q, {keys}, {keyOffset});");
            else
                w.Line($"float score = Dot(ref q, {keys}, {keyOffset}) * keyScale{(spec.Quantize.SmoothKeys && HasScoreTransforms(spec) ? " + shift" : "")};");
            if (HasScoreTransforms(spec))
                w.Line("score = Score(a, score, b, h, i, ia, j, slope);");
            if (spec.ScoreMods.Count > 0)
            {
                w.Line("if (score == float.NegativeInfinity)");
                w.Line("    continue; // a score mod masked the key");
            }
            w.Line($"Accumulate(ref acc, ref max, ref sum, score, {values}, {valueOffset});");
        }

        private static void EmitRowPrologue(CodeWriter w, KernelSpec spec, string documentIndex)
        {
            w.Line("int kvh = h / (a.QueryHeads / a.KeyValueHeads);");
            w.Line($"int ia = {Masks}.AlignQuery(i, a.QueryLength, a.KeyLength);");
            w.Line(spec.Masks.DocumentMask ? $"int queryDocument = {documentIndex};" : "int queryDocument = 0;");
            if (HasScoreTransforms(spec))
                w.Line(spec.Scores.Alibi ? $"float slope = {Scores}.AlibiSlope(h, a.QueryHeads);" : "float slope = 0f;");
            w.Line(spec.Quantize is null ? $"Row{Int(spec.Tiles.HeadDim)} q = default;" : $"QuantRow{Int(spec.Tiles.HeadDim)} q = default;");
            w.Line($"Row{Int(spec.Tiles.HeadDimV)} acc = default;");
            w.Line("float max = float.NegativeInfinity;");
            w.Line("float sum = 0f;");
        }

        /// <summary>The thread's query row: scaled floats, or [Quantize]'s int8 row with its dequantization factor (and smoothing shift).</summary>
        private static void EmitQueryLoad(CodeWriter w, KernelSpec spec, string guard)
        {
            if (guard.Length > 0)
                w.Line($"if ({guard})");
            string indent = guard.Length > 0 ? "    " : "";
            if (spec.Quantize is null)
            {
                w.Line(indent + "Load(ref q, a.Query, QueryOffset(a, b, h, i), QueryScale);");
                return;
            }
            w.Line(indent + "Load(ref q, a.QueryQuant, QuantQueryOffset(a, b, h, i));");
            string active = guard.Length > 0 ? guard + " ? " : "";
            string inactive = guard.Length > 0 ? " : 0f" : "";
            w.Line($"float queryScale = {active}a.QueryScales[((long)b * a.QueryHeads + h) * a.QueryQuantBlocks + i / BlockM] * QueryScale{inactive};");
            if (spec.Quantize.SmoothKeys && HasScoreTransforms(spec))
                w.Line($"float shift = {active}a.QueryShift[((long)b * a.QueryHeads + h) * a.QueryLength + i] * QueryScale{inactive}; // score transforms see the unshifted score");
        }

        private static void EmitRowKernel(CodeWriter w, KernelSpec spec)
        {
            w.Line("/// <summary>");
            w.Line("/// Barrier-free shape: one thread per query row streams the key blocks of its row from global memory.");
            w.Line("/// The dispatcher runs it where group barriers are expensive (ILGPU's CPU accelerator).");
            w.Line("/// </summary>");
            using (w.Block("public static void RowKernel(global::ILGPU.Index1D index, Arguments a)"))
            {
                w.Line("int row = index; // ((b * QueryHeads + h) * QueryLength + i), also the logSumExp index");
                w.Line("int i = row % a.QueryLength;");
                w.Line("int h = row / a.QueryLength % a.QueryHeads;");
                w.Line("int b = row / a.QueryLength / a.QueryHeads;");
                EmitRowPrologue(w, spec, $"a.{Field("documentIds")}[(long)b * a.KeyLength + i]");
                EmitQueryLoad(w, spec, "");
                w.Line("int ia0 = ia, ia1 = ia;");
                EmitBlockLoopHeader(w, spec, "i");
                using (w.Block(LoopLine(spec)))
                {
                    EmitBlockHeader(w, spec, "ClassifyBlock(a, b, ia, ia, j0, j1, queryDocument, queryDocument)");
                    w.Line($"if (block == {BlockClass}.Empty)");
                    w.Line("    continue;");
                    using (w.Block("for (int j = j0; j <= j1; j++)"))
                        EmitKeyStep(w, spec, spec.Quantize is null ? "a.Key" : "a.KeyQuant", spec.Quantize is null ? "KeyOffset(a, b, kvh, j)" : "QuantKeyOffset(a, b, kvh, j)", "a.Value", "ValueOffset(a, b, kvh, j)");
                }
                w.Line("Finish(a, ref acc, max, sum, OutputOffset(a, b, h, i), row);");
            }
            w.Line();
        }

        private static void EmitTiledKernel(CodeWriter w, KernelSpec spec, string elem)
        {
            w.Line("/// <summary>");
            w.Line("/// FlashAttention-2 shape: a group owns a tile of query rows (one per thread, BlockM on GPUs) of one");
            w.Line("/// (batch, head); each visited key block is staged through shared memory StageKeys keys at a time.");
            w.Line("/// Block classification depends only on the tile, so every branch around a barrier is uniform.");
            w.Line("/// </summary>");
            using (w.Block("public static void TiledKernel(Arguments a)"))
            {
                w.Line($"var keyTile = global::ILGPU.SharedMemory.Allocate<{(spec.Quantize is null ? elem : "sbyte")}>(StageKeys * HeadDim);");
                w.Line($"var valueTile = global::ILGPU.SharedMemory.Allocate<{elem}>(StageKeys * HeadDimV);");
                w.Line("int t = global::ILGPU.Group.IdxX;");
                w.Line("int rows = global::ILGPU.Group.DimX;");
                w.Line("int tile = global::ILGPU.Grid.IdxX;");
                w.Line("int h = tile / a.QueryBlocks % a.QueryHeads;");
                w.Line("int b = tile / a.QueryBlocks / a.QueryHeads;");
                w.Line("int i0 = tile % a.QueryBlocks * rows;");
                w.Line("int iLast = (i0 + rows < a.QueryLength ? i0 + rows : a.QueryLength) - 1;");
                w.Line("int i = i0 + t;");
                w.Line("bool active = i <= iLast;");
                EmitRowPrologue(w, spec, $"active ? a.{Field("documentIds")}[(long)b * a.KeyLength + i] : 0");
                EmitQueryLoad(w, spec, "active");
                w.Line($"int ia0 = {Masks}.AlignQuery(i0, a.QueryLength, a.KeyLength);");
                w.Line($"int ia1 = {Masks}.AlignQuery(iLast, a.QueryLength, a.KeyLength);");
                if (spec.Masks.DocumentMask)
                    w.Line($"{Masks}.IdRange(a.{Field("documentIds")}, (long)b * a.KeyLength + i0, iLast - i0 + 1, out int queryDocumentMin, out int queryDocumentMax);");
                else
                    w.Line("int queryDocumentMin = 0, queryDocumentMax = 0;");
                EmitBlockLoopHeader(w, spec, "i0");
                using (w.Block(LoopLine(spec)))
                {
                    EmitBlockHeader(w, spec, "ClassifyBlock(a, b, ia0, ia1, j0, j1, queryDocumentMin, queryDocumentMax)");
                    w.Line($"if (block == {BlockClass}.Empty)");
                    w.Line("    continue;");
                    if (spec.MaskMods.Count > 0)
                    {
                        w.Line("// A custom mask may hide a whole block: skip its loads when no row of the tile sees any key.");
                        using (w.Block($"if (block == {BlockClass}.Partial)"))
                        {
                            w.Line("bool any = false;");
                            w.Line("for (int j = j0; active && !any && j <= j1; j++)");
                            w.Line("    any = Visible(a, b, h, i, ia, j, queryDocument);");
                            w.Line("if (!global::ILGPU.Group.BarrierOr(any))");
                            w.Line("    continue;");
                        }
                    }
                    using (w.Block("for (int s0 = j0; s0 <= j1; s0 += StageKeys)"))
                    {
                        w.Line("int count = j1 - s0 + 1 < StageKeys ? j1 - s0 + 1 : StageKeys;");
                        w.Line("global::ILGPU.Group.Barrier(); // the previous stage is consumed");
                        w.Line("for (int e = t; e < count * HeadDim; e += rows)");
                        w.Line(spec.Quantize is null
                            ? "    keyTile[e] = a.Key[KeyOffset(a, b, kvh, s0 + e / HeadDim) + e % HeadDim];"
                            : "    keyTile[e] = a.KeyQuant[QuantKeyOffset(a, b, kvh, s0 + e / HeadDim) + e % HeadDim];");
                        w.Line("for (int e = t; e < count * HeadDimV; e += rows)");
                        w.Line("    valueTile[e] = a.Value[ValueOffset(a, b, kvh, s0 + e / HeadDimV) + e % HeadDimV];");
                        w.Line("global::ILGPU.Group.Barrier();");
                        w.Line("if (!active)");
                        w.Line("    continue;");
                        using (w.Block("for (int c = 0; c < count; c++)"))
                        {
                            w.Line("int j = s0 + c;");
                            EmitKeyStep(w, spec, "keyTile", "(long)c * HeadDim", "valueTile", "(long)c * HeadDimV");
                        }
                    }
                }
                w.Line("if (active)");
                w.Line("    Finish(a, ref acc, max, sum, OutputOffset(a, b, h, i), (b * a.QueryHeads + h) * a.QueryLength + i);");
            }
        }
    }
}
