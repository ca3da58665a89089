using System.Collections.Generic;
using System.Linq;
using AttnDsl.Generators.Model;
using AttnDsl.Rules;
using static AttnDsl.Generators.Emitting.EmitNames;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>
    /// The tensor-core kernel of a 16-bit spec: FlashAttention-2's warp layout on <c>mma.sync.m16n8k16</c>.
    /// A group owns BlockM query rows of one (batch, head); each warp owns SlicesPerWarp slices of 16 rows
    /// and keeps their score and output fragments in registers. K/V blocks are double-buffered in dynamic
    /// shared memory through <c>cp.async</c> and read with <c>ldmatrix</c>; P goes from the score
    /// accumulators to the A operand of P.V without leaving registers. Every fragment statement is
    /// emitted unrolled (ILGPU does not unroll loops), so fragments are plain locals.
    /// </summary>
    internal static class TensorCoreKernelEmitter
    {
        private const string Tiles = "global::AttnDsl.TensorCores.SharedTiles";
        private const string Frag = "global::AttnDsl.TensorCores.Fragments";
        private const string Constraint = "    where TTarget : struct, global::AttnDsl.TensorCores.ITensorCoreTarget";

        public static bool Applies(KernelSpec spec) => spec.Tiles.Element != ElementKind.Float32;

        /// <summary>
        /// Whether the spec gets an sm_90 instance (<c>wgmma.mma_async</c>): rows of whole 128-byte swizzle panels, warpgroups of four warps, wgmma's n (BlockN, HeadDimV) a multiple of 16 up to 256,
        /// and fixed copy lanes whose passes keep a row's index mod 8 (the swizzle phase).
        /// </summary>
        internal static bool Warpgroup(KernelSpec spec)
        {
            var t = spec.Tiles;
            // A swizzle panel row is 128 bytes: 64 16-bit columns, or 128 int8 ones ([Quantize]'s Q and K; V stays 16-bit).
            if (!Applies(spec) || t.HeadDim % (Int8(spec) ? 128 : 64) != 0 || t.HeadDimV % 64 != 0 || t.HeadDimV > 256 || t.BlockN % 16 != 0 || t.BlockN > 256)
                return false;
            int threads = Threads(spec);
            return threads % 128 == 0 && FixedCopyLanes(spec) && threads / KeyParts(spec) % 8 == 0 && threads / ValueParts(spec) % 8 == 0;
        }

        /// <summary>A layout-dependent quantity: the swizzled one in the warpgroup instances of a spec that has them.</summary>
        private static string Layout(KernelSpec spec, string padded, string swizzled) =>
            Warpgroup(spec) ? $"(default(TTarget).Warpgroup ? {swizzled} : {padded})" : padded;

        private const string TileLayoutType = "global::AttnDsl.TensorCores.TileLayout";

        /// <summary>The emulation's view of a shared tile at word <paramref name="start"/> (after the swizzle base in the warpgroup instances).</summary>
        private static string TileLayoutOf(KernelSpec spec, string start, string stride, string rows) => Warpgroup(spec)
            ? $"new {TileLayoutType}(swizzleBase + {start}, {stride}, {rows} * 32, default(TTarget).Warpgroup)"
            : $"new {TileLayoutType}({start}, {stride}, 0, false)";

        /// <summary>
        /// [DocumentMask]: heads launched side by side. A simulation of the benchmark's documents (greedy start on 132 SMs)
        /// leaves 6-11% of the SMs' time idle at the grid's end with one head at a time, 1-4% with four.
        /// </summary>
        private const int DocumentHeadGroup = 4;

        /// <summary>[Quantize]: Q and K tiles hold int8 (four per word) and QK^T runs on <c>mma.sync.m16n8k32.s8</c>.</summary>
        private static bool Int8(KernelSpec spec) => spec.Quantize is not null;

        public static void EmitConstants(CodeWriter w, KernelSpec spec)
        {
            var t = spec.Tiles;
            var (warps, slices) = ResourceEstimates.TensorCoreWarps(t.BlockM, t.BlockN, t.HeadDimV);
            int pad = ResourceEstimates.TensorCoreRowPadding;
            w.Line("// Tensor-core path: warps, 16-row slices per warp, and the dynamic shared memory in 32-bit words");
            w.Line("// (Q tile, then two K/V stages; rows padded so ldmatrix rows fall on distinct banks).");
            w.Line($"public const int TcWarps = {Int(warps)};");
            w.Line($"public const int TcSlicesPerWarp = {Int(slices)};");
            w.Line("public const int TcThreads = TcWarps * 32;");
            w.Line(Int8(spec)
                ? $"public const int QStride = {Int(QueryStride(spec))}; // int8 rows: (HeadDim + {Int(2 * pad)}) / 4"
                : $"public const int QStride = {Int(QueryStride(spec))}; // (HeadDim + {Int(pad)}) / 2");
            w.Line($"public const int KStride = {Int(KeyStride(spec))};");
            w.Line($"public const int VStride = {Int(ValueStride(spec))}; // (HeadDimV + {Int(pad)}) / 2");
            w.Line("public const int QWords = BlockM * QStride;");
            w.Line("public const int KWords = BlockN * KStride;");
            w.Line("public const int VWords = BlockN * VStride;");
            if (Warpgroup(spec))
            {
                w.Line("// sm_90 instance (wgmma): the same tiles unpadded, in 128-byte swizzle panels (32 words per row),");
                w.Line("// from the window's first 1024-byte boundary (up to 256 words in).");
                string perWord = Int8(spec) ? "4" : "2";
                w.Line($"public const int WgQWords = BlockM * HeadDim / {perWord};");
                w.Line($"public const int WgKWords = BlockN * HeadDim / {perWord};");
                w.Line("public const int WgVWords = BlockN * HeadDimV / 2;");
                w.Line("public const int TcSharedWords = QWords + 2 * (KWords + VWords) > WgQWords + 2 * (WgKWords + WgVWords) + 256");
                w.Line("    ? QWords + 2 * (KWords + VWords) : WgQWords + 2 * (WgKWords + WgVWords) + 256;");
            }
            else
            {
                w.Line("public const int TcSharedWords = QWords + 2 * (KWords + VWords);");
            }
            w.Line(Int8(spec)
                ? "public const int KeyParts = HeadDim / 16; // 16-byte copies per int8 K row"
                : "public const int KeyParts = HeadDim / 8; // 16-byte copies per K row");
            w.Line("public const int ValueParts = HeadDimV / 8;");
            if (spec.Masks.DocumentMask)
                w.Line("public const int DocumentRangeInts = 4; // DocumentRanges per (batch, key block): min and max id, first key's id, second run's offset");
            w.Line();
        }

        public static void Emit(CodeWriter w, KernelSpec spec)
        {
            EmitNextBlock(w, spec);
            EmitIssue(w, spec);
            EmitHiddenKeys(w, spec);
            EmitKernel(w, spec);
        }

        /// <summary>The score transform the kernel calls: the target's where soft-cap takes the hardware tanh.</summary>
        private static string ScoreCall(KernelSpec spec) => PortableKernelEmitter.TargetScore(spec) ? "Score<TTarget>" : "Score";

        private static bool HasTransforms(KernelSpec spec) =>
            spec.Scores.Alibi || spec.Scores.SoftCap > 0 || spec.ScoreMods.Count > 0;

        /// <summary>ALiBi is the only score transform of a 16-bit spec: the CUDA instance applies it in PTX on the score registers.</summary>
        private static bool AlibiOnly(KernelSpec spec) =>
            spec.Scores.Alibi && spec.Scores.SoftCap <= 0 && spec.ScoreMods.Count == 0 && !Int8(spec);

        /// <summary>Parameters that locate a step of the key-block loop: the schedule, or the BlockMask row.</summary>
        private static string ScheduleParameters(KernelSpec spec) => spec.UsesBlockMask
            ? "long maskRow, int partialSteps, int steps"
            : "in global::AttnDsl.KeyBlockSchedule schedule";

        private static string ScheduleArguments(KernelSpec spec) => spec.UsesBlockMask
            ? "maskRow, partialSteps, steps"
            : "schedule";

        /// <summary>
        /// [DocumentMask]: the document-id range of every (batch, key block), once per Run, so the tensor-core kernel
        /// classifies a key block from two loads instead of a scan of its ids, and the block's two runs where it has two,
        /// so a row's keys in a block where a document ends are one interval. A warp per block: one thread's scan of
        /// BlockN ids waits on each load in turn (15 us for the benchmark's 128 blocks on the H100, 4 us by warps).
        /// </summary>
        private static void EmitDocumentRanges(CodeWriter w)
        {
            w.Line("/// <summary>");
            w.Line("/// [DocumentMask]: warp (b, key block) writes the block's min and max document id, its first key's id and the offset");
            w.Line("/// of its second run (0 unless the ids are exactly two runs) to DocumentRanges[DocumentRangeInts (b KeyBlocks + block) ..].");
            w.Line("/// </summary>");
            using (w.Block("public static void DocumentRangeKernel(Arguments a)"))
            {
                w.Line("long index = (long)global::ILGPU.Grid.IdxX * (global::ILGPU.Group.DimX / global::ILGPU.Warp.WarpSize) + global::ILGPU.Warp.WarpIdx;");
                w.Line("if (index >= (long)a.Batch * a.KeyBlocks)");
                w.Line("    return; // a whole warp past the last block");
                w.Line("int b = (int)(index / a.KeyBlocks);");
                w.Line("int j0 = (int)(index % a.KeyBlocks) * BlockN;");
                w.Line("int j1 = (j0 + BlockN < a.KeyLength ? j0 + BlockN : a.KeyLength) - 1;");
                w.Line($"{Masks}.WarpIdRuns(a.{Field("documentIds")}, (long)b * a.KeyLength + j0, j1 - j0 + 1, out int min, out int max, out int first, out int split);");
                using (w.Block("if (global::ILGPU.Warp.LaneIdx == 0)"))
                {
                    w.Line("a.DocumentRanges[DocumentRangeInts * index] = min;");
                    w.Line("a.DocumentRanges[DocumentRangeInts * index + 1] = max;");
                    w.Line("a.DocumentRanges[DocumentRangeInts * index + 2] = first;");
                    w.Line("a.DocumentRanges[DocumentRangeInts * index + 3] = split;");
                }
            }
            w.Line();
        }

        private static void EmitNextBlock(CodeWriter w, KernelSpec spec)
        {
            if (spec.Masks.DocumentMask)
            {
                EmitDocumentRanges(w);
                EmitNextBlockByWarp(w, spec);
                return;
            }
            bool sparse = spec.UsesBlockMask, every = EveryStepVisible(spec);
            if (every)
            {
                w.Line("/// <summary>");
                w.Line("/// The key block of step <paramref name=\"from\"/>, with its keys and class; the step count when none is left. Under these");
                w.Line("/// masks every block of the schedule is seen by some row of the tile, so no step is skipped.");
                w.Line("/// </summary>");
            }
            else
            {
                w.Line("/// <summary>The first step at or after <paramref name=\"from\"/> whose key block the tile sees, with its keys and class; the step count when none is left.</summary>");
            }
            w.Line(Inline);
            using (w.Block($"public static int NextBlock(in Arguments a, {ScheduleParameters(spec)}, int from, int b, int ia0, int ia1, int queryDocumentMin, int queryDocumentMax, out int j0, out int j1, out {BlockClass} block)"))
            {
                string count = sparse ? "steps" : "schedule.Count";
                using (w.Block(every ? $"if (from < {count})" : $"for (int step = from; step < {count}; step++)"))
                {
                    if (every)
                        w.Line("int step = from;");
                    if (sparse)
                    {
                        w.Line("bool partialStep = step < partialSteps;");
                        w.Line("int keyBlock = partialStep ? a.SparsePartialIndices[maskRow * a.SparseKeyBlocks + step] : a.SparseFullIndices[maskRow * a.SparseKeyBlocks + (step - partialSteps)];");
                        w.Line("j0 = keyBlock * BlockN;");
                    }
                    else
                    {
                        w.Line("j0 = schedule.KeyBlock(step) * BlockN;");
                    }
                    w.Line("j1 = (j0 + BlockN < a.KeyLength ? j0 + BlockN : a.KeyLength) - 1;");
                    string classify = "ClassifyBlock(a, b, ia0, ia1, j0, j1, queryDocumentMin, queryDocumentMax)";
                    w.Line(sparse ? $"block = partialStep ? {classify} : {BlockClass}.Full;" : $"block = {classify};");
                    if (every)
                    {
                        w.Line("return step;");
                    }
                    else
                    {
                        w.Line($"if (block != {BlockClass}.Empty)");
                        w.Line("    return step;");
                    }
                }
                w.Line("j0 = 0;");
                w.Line("j1 = -1;");
                w.Line($"block = {BlockClass}.Empty;");
                w.Line($"return {count};");
            }
            w.Line();
        }

        /// <summary>
        /// Whether every key block of the schedule is seen by some row of the tile: the local masks (causal, window) make
        /// each row's keys an interval and the rows' intervals overlap, so the schedule's blocks, which cover their union,
        /// are never empty. Sinks and prefixes add leading blocks, and documents, radial masks and block masks hide blocks
        /// inside the range; a custom mask only makes blocks partial.
        /// </summary>
        private static bool EveryStepVisible(KernelSpec spec) =>
            !spec.UsesBlockMask && !spec.Masks.DocumentMask && !spec.Masks.HasRadial && spec.Masks.SinkCount == 0 && !spec.Masks.PrefixLM;

        /// <summary>
        /// NextBlock of a [DocumentMask] spec: most steps of a long causal row fall in other documents, so lane l of
        /// the warp classifies step first + l from the block's precomputed document range and the warp keeps the 32
        /// verdicts as two bit masks: the following calls pick their step from the bits and read no memory until the
        /// window is used up.
        /// </summary>
        private static void EmitNextBlockByWarp(CodeWriter w, KernelSpec spec)
        {
            bool sparse = spec.UsesBlockMask;
            string count = sparse ? "steps" : "schedule.Count";
            w.Line("/// <summary>");
            w.Line("/// The first step at or after <paramref name=\"from\"/> whose key block the tile sees, with its keys and class; the step count");
            w.Line("/// when none is left. Steps windowFirst .. + 31 are classified already (bit l of windowVisible / windowPartial: step");
            w.Line("/// windowFirst + l is seen / partial); past them, lane l classifies step first + l from DocumentRanges. Calls go forward");
            w.Line("/// only, and every lane of the warp must make them alike.");
            w.Line("/// </summary>");
            w.Line(Inline);
            using (w.Block($"public static int NextBlock(in Arguments a, {ScheduleParameters(spec)}, int from, int b, int ia0, int ia1, int queryDocumentMin, int queryDocumentMax, ref int windowFirst, ref uint windowVisible, ref uint windowPartial, out int j0, out int j1, out {BlockClass} block)"))
            {
                void KeyBlock(string stepName)
                {
                    if (sparse)
                    {
                        w.Line($"int keyBlock = {stepName} < partialSteps ? a.SparsePartialIndices[maskRow * a.SparseKeyBlocks + {stepName}] : a.SparseFullIndices[maskRow * a.SparseKeyBlocks + ({stepName} - partialSteps)];");
                    }
                    else
                    {
                        w.Line($"int keyBlock = schedule.KeyBlock({stepName});");
                    }
                }
                using (w.Block($"for (int first = from; first < {count}; first = windowFirst + global::ILGPU.Warp.WarpSize)"))
                {
                    using (w.Block("if (first >= windowFirst + global::ILGPU.Warp.WarpSize)"))
                    {
                        w.Line("// Past the classified steps: the next 32, one per lane.");
                        w.Line("int candidate = first + global::ILGPU.Warp.LaneIdx;");
                        w.Line($"{BlockClass} candidateBlock = {BlockClass}.Empty;");
                        using (w.Block($"if (candidate < {count})"))
                        {
                            if (sparse)
                                w.Line("bool partialStep = candidate < partialSteps;");
                            KeyBlock("candidate");
                            w.Line("int candidateJ0 = keyBlock * BlockN;");
                            w.Line("int candidateJ1 = (candidateJ0 + BlockN < a.KeyLength ? candidateJ0 + BlockN : a.KeyLength) - 1;");
                            w.Line("long range = ((long)b * a.KeyBlocks + keyBlock) * DocumentRangeInts;");
                            string classify = "ClassifyBlock(a, b, ia0, ia1, candidateJ0, candidateJ1, queryDocumentMin, queryDocumentMax, a.DocumentRanges[range], a.DocumentRanges[range + 1])";
                            w.Line(sparse ? $"candidateBlock = partialStep ? {classify} : {BlockClass}.Full;" : $"candidateBlock = {classify};");
                        }
                        w.Line("windowFirst = first;");
                        w.Line($"windowVisible = global::AttnDsl.Runtime.WarpReduce.Ballot(candidateBlock != {BlockClass}.Empty);");
                        w.Line($"windowPartial = global::AttnDsl.Runtime.WarpReduce.Ballot(candidateBlock == {BlockClass}.Partial);");
                    }
                    w.Line("uint ahead = windowVisible & (uint.MaxValue << (first - windowFirst)); // the window's seen steps at or after first");
                    using (w.Block("if (ahead != 0u)"))
                    {
                        w.Line("int lane = global::ILGPU.IntrinsicMath.TrailingZeroCount(ahead);");
                        w.Line("int step = windowFirst + lane;");
                        KeyBlock("step");
                        w.Line("j0 = keyBlock * BlockN;");
                        w.Line("j1 = (j0 + BlockN < a.KeyLength ? j0 + BlockN : a.KeyLength) - 1;");
                        w.Line($"block = ((windowPartial >> lane) & 1u) != 0u ? {BlockClass}.Partial : {BlockClass}.Full;");
                        w.Line("return step;");
                    }
                }
                w.Line("j0 = 0;");
                w.Line("j1 = -1;");
                w.Line($"block = {BlockClass}.Empty;");
                w.Line($"return {count};");
            }
            w.Line();
        }

        /// <summary>16-byte copies per K row (int8 K rows hold 16 values per copy) and per V row.</summary>
        private static int KeyParts(KernelSpec spec) => spec.Tiles.HeadDim / (Int8(spec) ? 16 : 8);
        private static int ValueParts(KernelSpec spec) => spec.Tiles.HeadDimV / 8;

        private static int Threads(KernelSpec spec) =>
            32 * ResourceEstimates.TensorCoreWarps(spec.Tiles.BlockM, spec.Tiles.BlockN, spec.Tiles.HeadDimV).Warps;

        /// <summary>
        /// Whether every thread can keep one 16-byte part of fixed rows for the whole tile (the group's threads
        /// are a multiple of the parts per row): then a block's copies are a per-tile base plus the block's
        /// offset (CopyLane), else each copy recomputes its row and part.
        /// </summary>
        private static bool FixedCopyLanes(KernelSpec spec) =>
            Threads(spec) % KeyParts(spec) == 0 && Threads(spec) % ValueParts(spec) == 0;

        /// <summary>16-bit K and V rows of one width: V's copy lane (parts, strides, layout offsets) is K's.</summary>
        private static bool ValueCopyIsKeyCopy(KernelSpec spec) => !Int8(spec) && spec.Tiles.HeadDim == spec.Tiles.HeadDimV;

        private static string IssueArguments(KernelSpec spec, string j0, string stage) => FixedCopyLanes(spec)
            ? $"a, shared, keyCopy, valueCopy, {j0}, {stage}"
            : $"a, shared, b, kvh, {j0}, {stage}, thread";

        private static void EmitIssue(CodeWriter w, KernelSpec spec)
        {
            if (FixedCopyLanes(spec))
            {
                EmitIssueQuery(w, spec);
                EmitIssueFixed(w, spec);
                return;
            }
            // K is int8 for [Quantize] specs: 16 values per 16-byte copy instead of 8.
            string keySource = Int8(spec)
                ? "a.KeyQuantWords, a.KeyQuantAddress, valid ? (QuantKeyOffset(a, b, kvh, j0 + key) >> 2) + part * 4 : 0L"
                : "a.KeyWords, a.KeyAddress, valid ? (KeyOffset(a, b, kvh, j0 + key) >> 1) + part * 4 : 0L";
            w.Line("/// <summary>Starts the copies of key block j0.. into stage <paramref name=\"stage\"/>, 16 bytes per copy; keys past the end are zeros.</summary>");
            w.Line(Inline);
            w.Line("public static void IssueBlock<TTarget>(in Arguments a, global::ILGPU.ArrayView<uint> shared, int b, int kvh, int j0, int stage, int thread)");
            using (w.Block(Constraint))
            {
                w.Line("int keyBase = QWords + stage * (KWords + VWords);");
                w.Line("int valueBase = keyBase + KWords;");
                w.Line("// The group's threads are not a multiple of the parts per row: each copy finds its own row and part.");
                using (w.Block("for (int c = thread; c < BlockN * KeyParts; c += TcThreads)"))
                {
                    w.Line("int key = c / KeyParts, part = c % KeyParts;");
                    w.Line("bool valid = j0 + key < a.KeyLength;");
                    w.Line($"{Tiles}.Copy16<TTarget>(shared, keyBase + key * KStride + part * 4, {keySource}, valid);");
                }
                using (w.Block("for (int c = thread; c < BlockN * ValueParts; c += TcThreads)"))
                {
                    w.Line("int key = c / ValueParts, part = c % ValueParts;");
                    w.Line("bool valid = j0 + key < a.KeyLength;");
                    w.Line($"{Tiles}.Copy16<TTarget>(shared, valueBase + key * VStride + part * 4, a.ValueWords, a.ValueAddress, valid ? (ValueOffset(a, b, kvh, j0 + key) >> 1) + part * 4 : 0L, valid);");
                }
                w.Line($"{Tiles}.Commit<TTarget>();");
            }
            w.Line();
        }

        /// <summary>IssueBlock of fixed copy lanes: the copies unrolled, one row stride apart, no per-copy index arithmetic.</summary>
        private static void EmitIssueFixed(CodeWriter w, KernelSpec spec)
        {
            int threads = Threads(spec), blockN = spec.Tiles.BlockN;
            w.Line("/// <summary>");
            w.Line("/// Starts the copies of key block j0.. into stage <paramref name=\"stage\"/>, 16 bytes per copy: this thread's part of");
            w.Line("/// its rows (keyCopy.Row, then every TcThreads / KeyParts rows); keys past the end are zeros.");
            w.Line("/// </summary>");
            w.Line(Inline);
            w.Line($"public static void IssueBlock<TTarget>(in Arguments a, global::ILGPU.ArrayView<uint> shared, in {CopyLaneType} keyCopy, in {CopyLaneType} valueCopy, int j0, int stage)");
            using (w.Block(Constraint))
            {
                w.Line($"int keyBase = {Layout(spec, "QWords", "WgQWords")} + stage * {Layout(spec, "(KWords + VWords)", "(WgKWords + WgVWords)")};");
                w.Line($"int valueBase = keyBase + {Layout(spec, "KWords", "WgKWords")};");
                w.Line("int remaining = a.KeyLength - j0; // rows at or past this one are zeros");
                string keySource = Int8(spec) ? "a.KeyQuantWords, a.KeyQuantAddress" : "a.KeyWords, a.KeyAddress";
                string keyStride = "KStride", valueStride = "VStride";
                if (Warpgroup(spec))
                {
                    w.Line("int keyStride = default(TTarget).Warpgroup ? 32 : KStride; // words per row: a swizzle panel's, or the padded row's");
                    w.Line("int valueStride = default(TTarget).Warpgroup ? 32 : VStride;");
                    (keyStride, valueStride) = ("keyStride", "valueStride");
                }
                int keyRows = threads / KeyParts(spec), valueRows = threads / ValueParts(spec);
                // Whole blocks get copies without row tests where the passes are unrolled and cover the block exactly.
                bool whole = blockN % keyRows == 0 && blockN % valueRows == 0 && blockN / keyRows <= UnrolledCopyPasses && blockN / valueRows <= UnrolledCopyPasses;
                if (whole)
                {
                    using (w.Block("if (remaining >= BlockN)"))
                    {
                        w.Line("// Every row is a key (all blocks but a ragged last one): no row tests, and each pass's global word one row");
                        w.Line("// stride times the pass's rows after the previous one.");
                        EmitWholeCopies(w, "keyCopy", "keyWord", "keyBase", keyStride, keySource, keyRows, blockN);
                        EmitWholeCopies(w, "valueCopy", "valueWord", "valueBase", valueStride, "a.ValueWords, a.ValueAddress", valueRows, blockN);
                    }
                }
                using (whole ? w.Block("else") : null)
                {
                    EmitCopies(w, "keyCopy", "keyBase", keyStride, keySource, keyRows, blockN, "BlockN", "j0");
                    EmitCopies(w, "valueCopy", "valueBase", valueStride, "a.ValueWords, a.ValueAddress", valueRows, blockN, "BlockN", "j0");
                }
                w.Line($"{Tiles}.Commit<TTarget>();");
            }
            w.Line();
        }

        /// <summary>Copies unrolled up to this many passes over a block (the GPU tiles need 2 to 4); a loop beyond, to keep small-tile kernels small.</summary>
        private const int UnrolledCopyPasses = 8;

        /// <summary>
        /// The copies of one thread over a tile of <paramref name="tileRows"/> rows (named <paramref name="tileRowsName"/>)
        /// starting at global row <paramref name="start"/>: rows at or past <c>remaining</c> are zeros.
        /// </summary>
        private static void EmitCopies(CodeWriter w, string lane, string tileBase, string stride, string source, int rowsPerPass, int tileRows, string tileRowsName, string start)
        {
            string Copy(string row) =>
                $"{Tiles}.Copy16<TTarget>(shared, {tileBase} + {lane}.SharedWord + {row} * {stride}, {source}, {lane}.Word({start}, {row}), {lane}.Row + {row} < remaining);";
            if ((tileRows + rowsPerPass - 1) / rowsPerPass > UnrolledCopyPasses)
            {
                using (w.Block($"for (int row = 0; row < {tileRowsName}; row += {Int(rowsPerPass)})"))
                {
                    if (tileRows % rowsPerPass != 0)
                    {
                        w.Line($"if ({lane}.Row + row >= {tileRowsName})");
                        w.Line("    break;");
                    }
                    w.Line(Copy("row"));
                }
                return;
            }
            for (int row = 0; row < tileRows; row += rowsPerPass)
            {
                // The last pass may run past the tile when the rows per pass do not divide the tile's rows.
                if (row + rowsPerPass > tileRows)
                {
                    w.Line($"if ({lane}.Row + {Int(row)} < {tileRowsName})");
                    w.Line("    " + Copy(Int(row)));
                }
                else
                {
                    w.Line(Copy(Int(row)));
                }
            }
        }

        /// <summary>The unrolled copies of one thread over a block whose rows are all keys: no row tests, one add per pass.</summary>
        private static void EmitWholeCopies(CodeWriter w, string lane, string word, string tileBase, string stride, string source, int rowsPerPass, int tileRows)
        {
            w.Line($"long {word} = {lane}.Word(j0, 0), {word}Pass = {Int(rowsPerPass)} * {lane}.RowWords;");
            for (int row = 0; row < tileRows; row += rowsPerPass)
            {
                if (row > 0)
                    w.Line($"{word} += {word}Pass;");
                w.Line($"{Tiles}.Copy16<TTarget>(shared, {tileBase} + {lane}.SharedWord + {Int(row)} * {stride}, {source}, {word}, true);");
            }
        }

        /// <summary>
        /// IssueQueryTile of fixed copy lanes: the Q tile through the same 16-byte copies as K (a Q row has K's
        /// parts), committed with the first key block, so the tile's first wait covers both.
        /// </summary>
        private static void EmitIssueQuery(CodeWriter w, KernelSpec spec)
        {
            w.Line("/// <summary>Starts the copies of query rows i0..iLast into the Q tile, 16 bytes per copy; rows past the end are zeros. Not committed.</summary>");
            w.Line(Inline);
            w.Line($"public static void IssueQueryTile<TTarget>(in Arguments a, global::ILGPU.ArrayView<uint> shared, in {CopyLaneType} queryCopy, int i0, int iLast)");
            using (w.Block(Constraint))
            {
                w.Line("int remaining = iLast - i0 + 1;");
                string source = Int8(spec) ? "a.QueryQuantWords, a.QueryQuantAddress" : "a.QueryWords, a.QueryAddress";
                string queryStride = "QStride";
                if (Warpgroup(spec))
                {
                    w.Line("int queryStride = default(TTarget).Warpgroup ? 32 : QStride; // words per row: a swizzle panel's, or the padded row's");
                    queryStride = "queryStride";
                }
                EmitCopies(w, "queryCopy", "0", queryStride, source, Threads(spec) / KeyParts(spec), spec.Tiles.BlockM, "BlockM", "i0");
            }
            w.Line();
        }

        private const string CopyLaneType = "global::AttnDsl.TensorCores.CopyLane";

        /// <summary>The per-row mask word: 32 bits while a lane holds at most 32 scores of a row (BlockN up to 128).</summary>
        private static (string Type, string One) MaskWord(KernelSpec spec) =>
            spec.Tiles.BlockN / 4 <= 32 ? ("uint", "1u") : ("ulong", "1ul");

        /// <summary>
        /// Whether a row's visible keys within a block are one interval (causal and window masks, the ragged end; documents
        /// when the block holds one document): HiddenKeys then computes the row's mask word in closed form.
        /// </summary>
        private static bool IntervalRows(KernelSpec spec) =>
            spec.Masks.SinkCount == 0 && !spec.Masks.PrefixLM && !spec.Masks.HasRadial && spec.MaskMods.Count == 0;

        /// <summary>
        /// The mask words of a partial block that holds several documents ([DocumentMask] with causal or window masks). Two runs
        /// (a document's end, the common case of packed documents longer than a block) give each row one interval, in closed
        /// form; otherwise the lane's BlockN / 4 key ids are loaded once for all its fragment rows and each row keeps the keys
        /// of its own document inside its causal / window interval. The key loop waits on its loads one after another (ILGPU
        /// does not unroll it): on the H100 it made a block where a document ends cost several times a plain partial one.
        /// </summary>
        private static void EmitMixedDocumentKeys(CodeWriter w, KernelSpec spec, List<(int R, int H)> rows)
        {
            var (type, one) = MaskWord(spec);
            var m = spec.Masks;
            string ids = $"a.{Field("documentIds")}";
            using (w.Block("if (partial && keyDocumentMin != keyDocumentMax)"))
            {
                w.Line("// Several documents in the block: each row's document and causal / window interval, then its keys of that document.");
                foreach (var (r, hf) in rows)
                {
                    string x = $"{r}{hf}";
                    w.Line($"int document{x} = {Active(spec, r, hf)} ? {ids}[(long)b * a.KeyLength + {Row(spec, r, hf)}] : 0;");
                    w.Line($"{Masks}.LocalInterval({Aligned(spec, r, hf)}, j0, j1, causal: {Bool(m.Causal)}, window: {Bool(m.HasWindow)}, {Int(m.WindowLeft)}, {Int(m.WindowRight)}, out int lo{x}, out int hi{x});");
                    w.Line($"if (!({Active(spec, r, hf)})) // a row past the end sees nothing");
                    w.Line($"    hi{x} = lo{x} - 1;");
                }
                using (w.Block("if (keySplit != 0)"))
                {
                    w.Line("// Two documents, one after the other (where a document ends): a row's keys are the part of its interval in");
                    w.Line("// its own document's run.");
                    w.Line("int keyLastDocument = keyFirstDocument == keyDocumentMin ? keyDocumentMax : keyDocumentMin;");
                    foreach (var (r, hf) in rows)
                    {
                        string x = $"{r}{hf}";
                        w.Line($"{Masks}.RunInterval(document{x}, j0, keySplit, keyFirstDocument, keyLastDocument, ref lo{x}, ref hi{x});");
                        w.Line($"hidden{x} = {OutsideBits(type)}(lo{x}, hi{x}, j0, tq, BlockN / 4);");
                    }
                }
                using (w.Block("else"))
                {
                    w.Line("// Three documents or more, or ids that interleave: each key id is loaded once for the lane's rows.");
                    using (w.Block("for (int e = 0; e < BlockN / 4; e++)"))
                    {
                        w.Line("int j = j0 + (e >> 1) * 8 + (e & 1) + 2 * tq;");
                        w.Line($"int keyDocument = j <= j1 ? {ids}[(long)b * a.KeyLength + j] : 0;");
                        foreach (var (r, hf) in rows)
                        {
                            string x = $"{r}{hf}";
                            w.Line($"if (j < lo{x} || j > hi{x} || keyDocument != document{x})");
                            w.Line($"    hidden{x} |= {one} << e;");
                        }
                    }
                }
            }
        }

        /// <summary>Fragments.OutsideBits for the mask word's type: the 32-bit form for a uint word.</summary>
        private static string OutsideBits(string type) => type == "uint"
            ? "global::AttnDsl.TensorCores.Fragments.OutsideBits32"
            : "global::AttnDsl.TensorCores.Fragments.OutsideBits";

        private static void EmitHiddenKeys(CodeWriter w, KernelSpec spec)
        {
            var (type, one) = MaskWord(spec);
            bool interval = IntervalRows(spec), document = spec.Masks.DocumentMask;
            w.Line("/// <summary>");
            w.Line("/// The scores of fragment row <paramref name=\"i\"/> that this lane must hide in a block that needs element tests");
            w.Line("/// (partial by the masks, the ragged last key block, or rows past the end): bit e stands for key");
            w.Line("/// j0 + (e / 2) * 8 + e % 2 + 2 * tq, the lane's e-th score of the row.");
            if (interval)
            {
                w.Line(document
                    ? "/// The row's visible keys are one interval unless the block holds several documents: then a loop tests each key."
                    : "/// The row's visible keys are one interval, so the word comes in closed form.");
            }
            else
            {
                w.Line("/// A loop over the lane's keys, so the kernel stays small.");
            }
            w.Line("/// </summary>");
            w.Line(Inline);
            string documentParameters = interval && document ? ", int keyDocumentMin, int keyDocumentMax" : "";
            using (w.Block($"public static {type} HiddenKeys(in Arguments a, int b, int h, int i, int ia, int j0, int j1, int tq, bool active, int queryDocument, bool partial{documentParameters})"))
            {
                if (interval && !document)
                {
                    // Without branches: the kernel computes it for every fragment row of a partial block.
                    var m = spec.Masks;
                    w.Line($"{Masks}.LocalInterval(ia, j0, j1, causal: {Bool(m.Causal)}, window: {Bool(m.HasWindow)}, {Int(m.WindowLeft)}, {Int(m.WindowRight)}, out int lo, out int hi);");
                    w.Line("lo = partial ? lo : j0; // a block taken whole: only keys past the end are hidden");
                    w.Line("hi = partial ? hi : j1;");
                    w.Line("hi = active ? hi : lo - 1; // a row past the end sees nothing");
                    w.Line($"return {OutsideBits(type)}(lo, hi, j0, tq, BlockN / 4);");
                    return;
                }
                if (interval)
                {
                    string all = type == "uint" ? "(uint)global::AttnDsl.TensorCores.Fragments.AllBits(BlockN / 4)" : "global::AttnDsl.TensorCores.Fragments.AllBits(BlockN / 4)";
                    string bits = OutsideBits(type);
                    w.Line("if (!active)");
                    w.Line($"    return {all};");
                    w.Line("if (!partial) // a block taken whole: only keys past the end are hidden");
                    w.Line($"    return {bits}(j0, j1, j0, tq, BlockN / 4);");
                    if (document)
                    {
                        w.Line("// A block of one document: the row sees all of it or none of it, as far as documents go.");
                        w.Line("if (keyDocumentMin == keyDocumentMax && queryDocument != keyDocumentMin)");
                        w.Line($"    return {all};");
                    }
                    string check = document ? "if (keyDocumentMin == keyDocumentMax)" : "";
                    using (document ? w.Block(check) : null)
                    {
                        var m = spec.Masks;
                        w.Line($"{Masks}.LocalInterval(ia, j0, j1, causal: {Bool(m.Causal)}, window: {Bool(m.HasWindow)}, {Int(m.WindowLeft)}, {Int(m.WindowRight)}, out int lo, out int hi);");
                        w.Line($"return {bits}(lo, hi, j0, tq, BlockN / 4);");
                    }
                    if (!document)
                        return;
                }
                w.Line($"{type} hidden = 0;");
                using (w.Block("for (int e = 0; e < BlockN / 4; e++)"))
                {
                    w.Line("int j = j0 + (e >> 1) * 8 + (e & 1) + 2 * tq;");
                    w.Line("if (!active || j > j1 || (partial && !Visible(a, b, h, i, ia, j, queryDocument)))");
                    w.Line($"    hidden |= {one} << e;");
                }
                w.Line("return hidden;");
            }
            w.Line();
        }

        private static void EmitKernel(CodeWriter w, KernelSpec spec)
        {
            var t = spec.Tiles;
            var (warps, slices) = ResourceEstimates.TensorCoreWarps(t.BlockM, t.BlockN, t.HeadDimV);
            bool bf16 = t.Element == ElementKind.BFloat16;
            string mma = bf16 ? "global::AttnDsl.TensorCores.Mma.BFloat16" : "global::AttnDsl.TensorCores.Mma.Float16";
            bool int8 = Int8(spec);
            bool shifted = int8 && spec.Quantize!.SmoothKeys && HasTransforms(spec);
            string pack = bf16 ? $"{Frag}.PackBFloat16<TTarget>" : $"{Frag}.PackFloat16<TTarget>";
            bool transforms = HasTransforms(spec);
            int keyTiles = t.BlockN / 8, dimSteps = t.HeadDim / (int8 ? 32 : 16), valueTiles = t.HeadDimV / 8;
            var rows = new List<(int R, int H)>();
            for (int r = 0; r < slices; r++)
                for (int hf = 0; hf < 2; hf++)
                    rows.Add((r, hf));

            w.Line("/// <summary>");
            w.Line("/// Tensor-core shape: a group of TcWarps warps owns BlockM query rows of one (batch, head); slice r of warp w");
            w.Line("/// is rows 16 w + 16 TcWarps r .. + 15 (a warpgroup's slices are wgmma's 64-row tiles). Lane (g, t) = (lane / 4, lane % 4)");
            w.Line("/// holds rows g and g + 8 of each slice: score fragment s{slice}_{n-tile}_{c}, output fragment");
            w.Line("/// o{slice}_{dim-tile}_{c} (c = 0, 1 on row g, columns 2t, 2t + 1; c = 2, 3 on row g + 8). TTarget picks the");
            w.Line("/// instructions at compile time: CudaTarget (mma.sync, ldmatrix, cp.async) or EmulatedTarget (warp shuffles).");
            w.Line("/// </summary>");
            w.Line("public static void TensorCoreKernel<TTarget>(Arguments a)");
            using (w.Block(Constraint))
            {
                w.Line("var shared = global::ILGPU.SharedMemory.GetDynamic<uint>();");
                EmitDeclarations(w, slices, keyTiles, valueTiles, int8);
                w.Line("int thread = global::ILGPU.Group.IdxX;");
                w.Line("int warp = thread >> 5;");
                w.Line("int lane = thread & 31;");
                w.Line("int g = lane >> 2, tq = lane & 3;");
                w.Line("int tile = global::ILGPU.Grid.IdxX;");
                if (spec.Masks.DocumentMask)
                {
                    w.Line($"// Heads go {Int(DocumentHeadGroup)} at a time, side by side, query tiles last to first: a document tile's work depends on");
                    w.Line("// where it falls in its document, so one head's tiles in a row leave long tiles at the grid's end, while a");
                    w.Line("// few heads together even the end out and still share L2 (their keys are their documents').");
                    w.Line("int tilesPerBatch = a.QueryBlocks * a.QueryHeads;");
                    w.Line("int b = tile / tilesPerBatch;");
                    w.Line("int inBatch = tile - b * tilesPerBatch;");
                    w.Line($"int firstHead = inBatch / (a.QueryBlocks * {Int(DocumentHeadGroup)}) * {Int(DocumentHeadGroup)};");
                    w.Line($"int groupHeads = a.QueryHeads - firstHead < {Int(DocumentHeadGroup)} ? a.QueryHeads - firstHead : {Int(DocumentHeadGroup)};");
                    w.Line("int inGroup = inBatch - firstHead * a.QueryBlocks;");
                    w.Line("int h = firstHead + inGroup % groupHeads;");
                    w.Line("int i0 = (a.QueryBlocks - 1 - inGroup / groupHeads) * BlockM;");
                }
                else
                {
                    w.Line("int h = tile / a.QueryBlocks % a.QueryHeads;");
                    w.Line("int b = tile / a.QueryBlocks / a.QueryHeads;");
                    w.Line("// Query tiles run last to first within a head: under causal masks the last tiles see the most keys, so the");
                    w.Line("// longest groups start first and the short ones fill the end of the grid.");
                    w.Line("int i0 = (a.QueryBlocks - 1 - tile % a.QueryBlocks) * BlockM;");
                }
                w.Line("int iLast = (i0 + BlockM < a.QueryLength ? i0 + BlockM : a.QueryLength) - 1;");
                w.Line("int kvh = h / (a.QueryHeads / a.KeyValueHeads);");
                w.Line("int warpRow = warp * 16; // slice r of this warp: rows warpRow + 16 * TcWarps * r");
                if (FixedCopyLanes(spec))
                {
                    w.Line("// This thread's share of every K/V stage's copies (IssueBlock): a fixed part of fixed rows.");
                    w.Line("int keyRow = thread / KeyParts, keyPart = thread % KeyParts;");
                    if (!ValueCopyIsKeyCopy(spec))
                        w.Line("int valueRow = thread / ValueParts, valuePart = thread % ValueParts;");
                    if (Warpgroup(spec))
                        w.Line($"int swizzleBase = {Tiles}.SwizzleBase<TTarget>(); // 0 but in the CUDA sm_90 instance");
                    string keyShared = Layout(spec, "keyRow * KStride + keyPart * 4", $"swizzleBase + new {TileLayoutType}(0, 0, BlockN * 32, true).Part(keyRow, keyPart)");
                    w.Line(Int8(spec)
                        ? $"var keyCopy = new {CopyLaneType}(keyRow, {keyShared}, (QuantKeyOffset(a, b, kvh, keyRow) >> 2) + keyPart * 4, (QuantKeyOffset(a, b, kvh, 1) - QuantKeyOffset(a, b, kvh, 0)) >> 2);"
                        : $"var keyCopy = new {CopyLaneType}(keyRow, {keyShared}, (KeyOffset(a, b, kvh, keyRow) >> 1) + keyPart * 4, (KeyOffset(a, b, kvh, 1) - KeyOffset(a, b, kvh, 0)) >> 1);");
                    if (ValueCopyIsKeyCopy(spec))
                        w.Line("var valueCopy = keyCopy; // V rows have K's parts, strides and layout offsets: one set of registers for both");
                    else
                        w.Line($"var valueCopy = new {CopyLaneType}(valueRow, {Layout(spec, "valueRow * VStride + valuePart * 4", $"swizzleBase + new {TileLayoutType}(0, 0, BlockN * 32, true).Part(valueRow, valuePart)")}, (ValueOffset(a, b, kvh, valueRow) >> 1) + valuePart * 4, (ValueOffset(a, b, kvh, 1) - ValueOffset(a, b, kvh, 0)) >> 1);");
                    w.Line("// Q rows have K's parts, so the same lanes copy the Q tile.");
                    string queryShared = Layout(spec, "keyRow * QStride + keyPart * 4", $"swizzleBase + new {TileLayoutType}(0, 0, BlockM * 32, true).Part(keyRow, keyPart)");
                    w.Line(Int8(spec)
                        ? $"var queryCopy = new {CopyLaneType}(keyRow, {queryShared}, (QuantQueryOffset(a, b, h, keyRow) >> 2) + keyPart * 4, (QuantQueryOffset(a, b, h, 1) - QuantQueryOffset(a, b, h, 0)) >> 2);"
                        : $"var queryCopy = new {CopyLaneType}(keyRow, {queryShared}, (QueryOffset(a, b, h, keyRow) >> 1) + keyPart * 4, (QueryOffset(a, b, h, 1) - QueryOffset(a, b, h, 0)) >> 1);");
                    if (Warpgroup(spec))
                        EmitWarpgroupDescriptors(w, spec);
                }
                w.Line("// Byte offsets of the rows this lane hands to ldmatrix; the CUDA instance adds each fragment's constant");
                w.Line("// offset as an immediate of the instruction, so no address arithmetic is left in the fragment code.");
                w.Line($"uint queryLane = {Tiles}.RowOffsetA(warpRow * QStride, QStride);");
                w.Line($"uint keyLane0 = {Tiles}.RowOffsetB(QWords, KStride);");
                w.Line($"uint valueLane0 = {Tiles}.RowOffsetA(QWords + KWords, VStride);");
                w.Line();
                if (FixedCopyLanes(spec))
                {
                    w.Line("// The Q tile is copied with the first key block (IssueQueryTile): a tile that sees no key never reads it.");
                }
                else
                {
                    w.Line("// The Q tile, once; rows past the end are zeros (their results are never stored).");
                    string queryWords = int8 ? "HeadDim / 4" : "HeadDim / 2";
                    using (w.Block($"for (int e = thread; e < BlockM * ({queryWords}); e += TcThreads)"))
                    {
                        w.Line($"int row = e / ({queryWords}), word = e % ({queryWords});");
                        w.Line(int8
                            ? "shared[row * QStride + word] = i0 + row <= iLast ? a.QueryQuantWords[(QuantQueryOffset(a, b, h, i0 + row) >> 2) + word] : 0u;"
                            : "shared[row * QStride + word] = i0 + row <= iLast ? a.QueryWords[(QueryOffset(a, b, h, i0 + row) >> 1) + word] : 0u;");
                    }
                }
                if (int8)
                {
                    w.Line("// [Quantize]: the tile is one query quantization block; with a key block's scale it dequantizes the int32 scores.");
                    w.Line("float queryScale = a.QueryScales[((long)b * a.QueryHeads + h) * a.QueryQuantBlocks + i0 / BlockM] * QueryScale;");
                }
                w.Line();
                w.Line("// This thread's fragment rows are row0 + 16 slice + 8 half (aligned: rowAligned0 + ...); the loop and the");
                w.Line("// epilogue derive each from these two, so one pair of registers carries them all through the loop.");
                w.Line("int row0 = i0 + warpRow + g;");
                w.Line($"int rowAligned0 = {Masks}.AlignQuery(row0, a.QueryLength, a.KeyLength);");
                foreach (var (r, hf) in rows)
                {
                    string x = $"{r}{hf}";
                    w.Line($"float max{x} = float.NegativeInfinity, sum{x} = 0f;");
                    if (shifted)
                        w.Line($"float shift{x} = {Active(spec, r, hf)} ? a.QueryShift[((long)b * a.QueryHeads + h) * a.QueryLength + {Row(spec, r, hf)}] * QueryScale : 0f; // score transforms see the unshifted score");
                }
                if (transforms)
                    w.Line(spec.Scores.Alibi ? $"float slope = {Scores}.AlibiSlope(h, a.QueryHeads);" : "float slope = 0f;");
                if (AlibiOnly(spec))
                    w.Line($"float alibiLog2 = -slope * {Math}.Log2E; // the ALiBi slope in base 2, negated");
                for (int r = 0; r < slices; r++)
                    for (int d = 0; d < valueTiles; d++)
                        w.Line($"float o{r}_{d}_0 = 0f, o{r}_{d}_1 = 0f, o{r}_{d}_2 = 0f, o{r}_{d}_3 = 0f;");
                w.Line();

                w.Line("// The tile's key blocks: the same schedule and block classes as the portable kernels.");
                w.Line($"int ia0 = {Masks}.AlignQuery(i0, a.QueryLength, a.KeyLength);");
                w.Line($"int ia1 = {Masks}.AlignQuery(iLast, a.QueryLength, a.KeyLength);");
                if (spec.Masks.DocumentMask && t.BlockM == t.BlockN)
                {
                    w.Line("// Self-attention: the tile's rows are key block i0 / BlockN, whose document range DocumentRangeKernel has (one");
                    w.Line("// load on the tile's start instead of a scan of its ids).");
                    w.Line("int queryDocumentMin, queryDocumentMax;");
                    using (w.Block("if (a.QueryLength == a.KeyLength)"))
                    {
                        w.Line("long queryRange = ((long)b * a.KeyBlocks + i0 / BlockN) * DocumentRangeInts;");
                        w.Line("queryDocumentMin = a.DocumentRanges[queryRange];");
                        w.Line("queryDocumentMax = a.DocumentRanges[queryRange + 1];");
                    }
                    using (w.Block("else"))
                        w.Line($"{Masks}.WarpIdRange(a.{Field("documentIds")}, (long)b * a.KeyLength + i0, iLast - i0 + 1, out queryDocumentMin, out queryDocumentMax);");
                }
                else if (spec.Masks.DocumentMask)
                {
                    w.Line($"{Masks}.WarpIdRange(a.{Field("documentIds")}, (long)b * a.KeyLength + i0, iLast - i0 + 1, out int queryDocumentMin, out int queryDocumentMax);");
                }
                else
                {
                    w.Line("int queryDocumentMin = 0, queryDocumentMax = 0;");
                }
                if (spec.UsesBlockMask)
                {
                    w.Line("long maskRow = ((long)b * a.SparseHeads + (a.SparseHeads == 1 ? 0 : h)) * a.SparseQueryBlocks + i0 / BlockM;");
                    w.Line("int partialSteps = a.SparsePartialCounts[maskRow];");
                    w.Line("int steps = partialSteps + a.SparseFullCounts[maskRow];");
                }
                else
                {
                    string prefix = spec.Masks.PrefixLM ? $"a.{Field("prefixLength")}[b]" : "0";
                    w.Line($"var schedule = global::AttnDsl.KeyBlockSchedule.Create(ia0, ia1, a.KeyLength, BlockN,");
                    w.Line($"    global::AttnDsl.KeyBlockSchedule.ExtraKeys({Int(spec.Masks.SinkCount)}, {prefix}, a.KeyLength),");
                    w.Line($"    causal: {Bool(spec.Masks.Causal)}, window: {Bool(spec.Masks.HasWindow)}, left: {Int(spec.Masks.WindowLeft)}, right: {Int(spec.Masks.WindowRight)});");
                    w.Line("int steps = schedule.Count;");
                }
                string sched = ScheduleArguments(spec);
                w.Line("bool tileFull = i0 + BlockM - 1 <= iLast;");
                string window = "";
                if (spec.Masks.DocumentMask)
                {
                    w.Line("// The warp's verdicts on 32 steps at a time (NextBlock): none yet.");
                    w.Line("int windowFirst = -global::ILGPU.Warp.WarpSize;");
                    w.Line("uint windowVisible = 0u, windowPartial = 0u;");
                    window = "ref windowFirst, ref windowVisible, ref windowPartial, ";
                }
                w.Line($"int step = NextBlock(a, {sched}, 0, b, ia0, ia1, queryDocumentMin, queryDocumentMax, {window}out int j0, out int j1, out {BlockClass} block);");
                using (w.Block("if (step < steps)"))
                {
                    if (FixedCopyLanes(spec))
                        w.Line("IssueQueryTile<TTarget>(a, shared, queryCopy, i0, iLast);");
                    w.Line($"IssueBlock<TTarget>({IssueArguments(spec, "j0", "0")});");
                }
                w.Line("int stage = 0;");
                using (w.Block("while (step < steps)"))
                {
                    // sm_90: P V is left in flight at the end of a block (EmitWarpgroupValues). The next block's NextBlock, hidden
                    // keys and copy wait run under it, its wait comes just before the barrier, and the copies into the stage it
                    // read start after the barrier, under the block's Q K^T.
                    bool warpgroup = Warpgroup(spec);
                    w.Line(warpgroup
                        ? "// Prefetch the next visible block into the other stage while this one is computed (sm_90: once the previous P V is retired, below)."
                        : "// Prefetch the next visible block into the other stage while this one is computed.");
                    w.Line($"int nextStep = NextBlock(a, {sched}, step + 1, b, ia0, ia1, queryDocumentMin, queryDocumentMax, {window}out int nextJ0, out int nextJ1, out {BlockClass} nextBlock);");
                    w.Line("// This block's hidden keys per row, before the copy wait: their loads overlap the copies (and, on sm_90, the previous P V).");
                    w.Line($"bool partial = block == {BlockClass}.Partial;");
                    w.Line("bool wholeBlock = !partial && tileFull && j0 + BlockN - 1 <= j1; // no element tests");
                    var (maskType, _) = MaskWord(spec);
                    string keyDocuments = "";
                    if (IntervalRows(spec) && spec.Masks.DocumentMask)
                    {
                        w.Line("// The block's document range and runs (DocumentRangeKernel), read only where HiddenKeys needs them.");
                        w.Line("int keyDocumentMin = 0, keyDocumentMax = 0, keyFirstDocument = 0, keySplit = 0;");
                        using (w.Block("if (!wholeBlock)"))
                        {
                            w.Line("long rangeIndex = ((long)b * a.KeyBlocks + j0 / BlockN) * DocumentRangeInts;");
                            w.Line("keyDocumentMin = a.DocumentRanges[rangeIndex];");
                            w.Line("keyDocumentMax = a.DocumentRanges[rangeIndex + 1];");
                            w.Line("keyFirstDocument = a.DocumentRanges[rangeIndex + 2];");
                            w.Line("keySplit = a.DocumentRanges[rangeIndex + 3];");
                        }
                        keyDocuments = ", keyDocumentMin, keyDocumentMax";
                    }
                    if (spec.Masks.DocumentMask)
                        w.Line("// A row's document id is read again for each block that needs it (a few per tile, cached) rather than held in a register.");
                    bool mixedDocuments = IntervalRows(spec) && spec.Masks.DocumentMask;
                    w.Line($"{maskType} {string.Join(", ", rows.Select(x => $"hidden{x.R}{x.H} = 0"))};");
                    if (mixedDocuments)
                        EmitMixedDocumentKeys(w, spec, rows);
                    // One branch for all rows: the rows' words are independent, so their instructions interleave.
                    using (w.Block(mixedDocuments ? "else if (!wholeBlock)" : "if (!wholeBlock)"))
                    {
                        foreach (var (r, hf) in rows)
                        {
                            string x = $"{r}{hf}";
                            string document = spec.Masks.DocumentMask ? $"{Active(spec, r, hf)} ? a.{Field("documentIds")}[(long)b * a.KeyLength + {Row(spec, r, hf)}] : 0" : "0";
                            w.Line($"hidden{x} = HiddenKeys(a, b, h, {Row(spec, r, hf)}, {Aligned(spec, r, hf)}, j0, j1, tq, {Active(spec, r, hf)}, {document}, partial{keyDocuments});");
                        }
                    }
                    w.Line();
                    if (warpgroup)
                    {
                        using (w.Block("if (default(TTarget).Warpgroup)"))
                        {
                            w.Line("// This block's copies are the only ones in flight. The previous block's P V, on the tensor cores while NextBlock");
                            w.Line("// and the hidden keys ran, is retired before the barrier; past it the other stage is free for the next block's");
                            w.Line("// copies, which start under this block's Q K^T (below).");
                            w.Line($"{Tiles}.Wait<TTarget>();");
                            w.Line($"if ({Cuda})");
                            w.Line($"    {Asm}(\"wgmma.wait_group.sync.aligned 0;\");");
                            w.Line($"{Tiles}.FenceForWarpgroup<TTarget>(); // the copies are read by wgmma (the async proxy) after the barrier");
                            w.Line("global::ILGPU.Group.Barrier();");
                        }
                    }
                    using (w.Block(warpgroup ? "else if (nextStep < steps)" : "if (nextStep < steps)"))
                    {
                        w.Line($"IssueBlock<TTarget>({IssueArguments(spec, "nextJ0", "stage ^ 1")});");
                        w.Line($"{Tiles}.WaitAllButOne<TTarget>();");
                    }
                    using (w.Block("else"))
                    {
                        w.Line($"{Tiles}.Wait<TTarget>();");
                    }
                    if (warpgroup)
                        w.Line("if (!default(TTarget).Warpgroup)");
                    w.Line((warpgroup ? "    " : "") + "global::ILGPU.Group.Barrier();");
                    w.Line($"int stageWords = stage * {Layout(spec, "(KWords + VWords)", "(WgKWords + WgVWords)")};");
                    w.Line($"int keyBase = {Layout(spec, "QWords", "WgQWords")} + stageWords;");
                    w.Line($"int valueBase = keyBase + {Layout(spec, "KWords", "WgKWords")};");
                    w.Line("uint keyLane = keyLane0 + (uint)stageWords * 4u;");
                    w.Line("uint valueLane = valueLane0 + (uint)stageWords * 4u;");
                    if (int8)
                        w.Line("float keyScale = queryScale * a.KeyScales[((long)b * a.KeyValueHeads + kvh) * a.KeyQuantBlocks + j0 / BlockN];");
                    w.Line();
                    EmitScores(w, spec, slices, keyTiles, dimSteps, mma, bf16);
                    if (warpgroup)
                    {
                        using (w.Block("if (default(TTarget).Warpgroup)"))
                        {
                            w.Line("// The next block's copies are issued while Q K^T runs on the tensor cores, then Q K^T is waited for.");
                            w.Line("if (nextStep < steps)");
                            w.Line($"    IssueBlock<TTarget>({IssueArguments(spec, "nextJ0", "stage ^ 1")});");
                            using (w.Block($"if ({Cuda})"))
                                EmitWarpgroupScoresWait(w, spec, slices, keyTiles);
                        }
                    }
                    w.Line();
                    using (w.Block($"if ({Cuda})"))
                    {
                        EmitCudaMasking(w, spec, rows, keyTiles, transforms);
                        w.Line();
                        if (int8 && !transforms)
                        {
                            w.Line("// The dequantization factor joins the softmax scale. Kept positive: a zero scale means all-zero int8 blocks,");
                            w.Line("// whose products are exactly 0, and 0 * -inf would turn hidden scores into NaN.");
                            w.Line("float softmaxScale = keyScale > 1e-30f ? keyScale : 1e-30f;");
                        }
                        EmitCudaSoftmax(w, spec, rows, keyTiles, valueTiles, bf16, transforms);
                        w.Line();
                        EmitCudaValues(w, spec, slices, keyTiles, valueTiles, bf16);
                    }
                    using (w.Block("else"))
                    {
                        EmitMasking(w, spec, rows, keyTiles, transforms);
                        w.Line();
                        EmitSoftmax(w, rows, keyTiles, valueTiles);
                        w.Line();
                        EmitValues(w, spec, slices, keyTiles, valueTiles, mma, pack);
                    }
                    w.Line();
                    if (warpgroup)
                        w.Line("if (!default(TTarget).Warpgroup)");
                    w.Line((warpgroup ? "    " : "") + "global::ILGPU.Group.Barrier(); // the stage is consumed before it is refilled");
                    w.Line("step = nextStep;");
                    w.Line("j0 = nextJ0;");
                    w.Line("j1 = nextJ1;");
                    w.Line("block = nextBlock;");
                    w.Line("stage ^= 1;");
                }
                w.Line();
                if (Warpgroup(spec))
                {
                    w.Line($"if ({Cuda} && default(TTarget).Warpgroup)");
                    w.Line($"    {Asm}(\"wgmma.wait_group.sync.aligned 0;\"); // the last block's P V");
                }
                EmitEpilogue(w, spec, rows, slices, valueTiles, pack);
            }
            w.Line();
        }

        // A fragment row (slice r, half hf) of this lane, its aligned position and whether it exists, from row0.
        // Slices interleave across warps (slice r of warp w is rows 16 w + 16 TcWarps r), so the four warps of a warpgroup
        // hold the 64 consecutive rows of one wgmma m64 tile on sm_90; mma.sync does not mind which rows a warp owns.
        private static int SliceRows(KernelSpec spec) =>
            16 * ResourceEstimates.TensorCoreWarps(spec.Tiles.BlockM, spec.Tiles.BlockN, spec.Tiles.HeadDimV).Warps;
        private static string Row(KernelSpec spec, int r, int hf) => Offset("row0", r * SliceRows(spec) + hf * 8);
        private static string Aligned(KernelSpec spec, int r, int hf) => Offset("rowAligned0", r * SliceRows(spec) + hf * 8);
        private static string Active(KernelSpec spec, int r, int hf) => $"{Row(spec, r, hf)} <= iLast";
        private static string Offset(string name, int offset) => offset == 0 ? name : $"{name} + {Int(offset)}";

        private const string Cuda = "default(TTarget).Cuda";
        private const string Asm = "global::ILGPU.Runtime.Cuda.CudaAsm.Emit";
        private const string LdMatrix = "{ .reg .u32 sa; mov.u32 sa, __dyn_shared_alloca; add.u32 sa, sa, %0; ldmatrix.sync.aligned.m8n8.x4";

        private static string MmaPtx(bool bf16) => bf16
            ? "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"
            : "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32";

        /// <summary>Rounds two FP32 registers to one register of two 16-bit elements (the second operand goes to the low half).</summary>
        private static string PackPtx(bool bf16) => bf16 ? "cvt.rn.bf16x2.f32" : "cvt.rn.f16x2.f32";

        // PTX register names of the CUDA instance: fragments live in registers declared once by the kernel, so
        // accumulators and operands never pass through ILGPU values (or the local-memory temporaries of EmitRef).
        private static string S(int r, int n, int c) => $"attn_s{r}_{n}_{c}";
        private static string O(int r, int d, int c) => $"attn_o{r}_{d}_{c}";
        private static string P(int r, int n, int hf) => $"attn_p{r}_{n}_{hf}";
        private static string L(int r, int hf) => $"attn_l{r}{hf}";
        private static string M(int r, int hf) => $"attn_m{r}{hf}";

        // Row strides in 32-bit words of the shared tiles: the QStride/KStride/VStride constants and the ldmatrix immediates.
        private static int QueryStride(KernelSpec spec) => Int8(spec)
            ? (spec.Tiles.HeadDim + 2 * ResourceEstimates.TensorCoreRowPadding) / 4 // int8 rows keep the same 16-byte padding
            : (spec.Tiles.HeadDim + ResourceEstimates.TensorCoreRowPadding) / 2;
        private static int KeyStride(KernelSpec spec) => QueryStride(spec);
        private static int ValueStride(KernelSpec spec) => (spec.Tiles.HeadDimV + ResourceEstimates.TensorCoreRowPadding) / 2;

        /// <summary>A float as a PTX immediate (0f followed by its IEEE bits).</summary>
        private static string PtxFloat(double value) =>
            "0f" + System.BitConverter.ToInt32(System.BitConverter.GetBytes((float)value), 0).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        private static string Quad(System.Func<int, string> name) => "{" + string.Join(", ", Enumerable.Range(0, 4).Select(name)) + "}";

        private static void EmitDeclarations(CodeWriter w, int slices, int keyTiles, int valueTiles, bool int8)
        {
            var f32 = new List<string>();
            var b32 = new List<string>();
            for (int r = 0; r < slices; r++)
            {
                // int8 scores accumulate as s32 and are converted in place: bit-typed registers take both.
                for (int n = 0; n < keyTiles; n++)
                    for (int c = 0; c < 4; c++)
                        (int8 ? b32 : f32).Add(S(r, n, c));
                for (int d = 0; d < valueTiles; d++)
                    for (int c = 0; c < 4; c++)
                        f32.Add(O(r, d, c));
                for (int hf = 0; hf < 2; hf++)
                {
                    f32.Add(L(r, hf));
                    f32.Add(M(r, hf));
                }
                for (int c = 0; c < 4; c++)
                    b32.Add($"attn_q{r}_{c}");
                for (int n = 0; n < keyTiles; n++)
                    for (int hf = 0; hf < 2; hf++)
                        b32.Add(P(r, n, hf));
            }
            for (int c = 0; c < 4; c++)
            {
                b32.Add($"attn_k{c}");
                b32.Add($"attn_v{c}");
            }
            using (w.Block($"if ({Cuda})"))
            {
                w.Line("// Fragment registers of the CUDA instance; output accumulators and row sums start at zero, row maxima at -inf.");
                w.Line($"{Asm}(\".reg .f32 {string.Join(", ", f32)}; .reg .b32 {string.Join(", ", b32)};\");");
                var init = f32.Where(x => x.StartsWith("attn_o") || x.StartsWith("attn_l")).Select(x => $"mov.f32 {x}, 0f00000000;")
                    .Concat(f32.Where(x => x.StartsWith("attn_m")).Select(x => $"mov.f32 {x}, 0fFF800000;"));
                w.Line($"{Asm}(\"{string.Join(" ", init)}\");");
            }
        }

        // wgmma's shared-memory descriptors: start address >> 4 in bits 0-13, leading byte offset >> 4 in 16-29, stride byte
        // offset >> 4 in 32-45, 128-byte swizzle in 62-63. K-major tiles (Q, K): 8-row groups 1024 bytes apart, the leading
        // offset unused. N-major V (transposed by the instruction): 8-key groups 1024 bytes apart, 64-column panels
        // BlockN * 128 bytes apart.
        private static string KMajorDescriptor => "0x4000004000010000";
        private static string NMajorDescriptor(KernelSpec spec) => $"0x{(1UL << 62) | (64UL << 32) | ((ulong)spec.Tiles.BlockN * 8 << 16):X16}";

        /// <summary>The warpgroup instance's descriptor registers: this warpgroup's Q rows, stage 0's K and V; and the scale-d predicates.</summary>
        private static void EmitWarpgroupDescriptors(CodeWriter w, KernelSpec spec)
        {
            using (w.Block($"if ({Cuda} && default(TTarget).Warpgroup)"))
            {
                w.Line("// Descriptors of this warpgroup's 64-row Q tiles and of stage 0's K and V; a block adds its stage's offset.");
                string Descriptor(string operand, string target, string layout) =>
                    $"mov.u32 sa, __dyn_shared_alloca; add.u32 sa, sa, {operand}; shr.u32 sa, sa, 4; and.b32 sa, sa, 16383; cvt.u64.u32 x, sa; or.b64 {target}, x, {layout};";
                w.Line($"{Asm}(\".reg .b64 attn_dq, attn_dk, attn_dv; .reg .pred attn_zero, attn_accumulate; " +
                    "{ .reg .u32 sa, z; .reg .u64 x; " +
                    Descriptor("%0", "attn_dq", KMajorDescriptor) + " " + Descriptor("%1", "attn_dk", KMajorDescriptor) + " " + Descriptor("%2", "attn_dv", NMajorDescriptor(spec)) +
                    " mov.u32 z, 0; setp.ne.u32 attn_zero, z, 0; setp.eq.u32 attn_accumulate, z, 0; }\", " +
                    "(uint)(swizzleBase * 4 + (warp >> 2) * 64 * 128), (uint)((swizzleBase + WgQWords) * 4), (uint)((swizzleBase + WgQWords + WgKWords) * 4));");
            }
        }

        private static string WgmmaType(bool bf16) => bf16 ? "f32.bf16.bf16" : "f32.f16.f16";

        /// <summary>
        /// S = Q K^T of the warpgroup instance: per k-step (16 dims, or 32 int8 ones), one m64nBlockN wgmma per slice, both
        /// operands from shared memory; a k-step is 32 bytes of a 128-byte panel row either way.
        /// </summary>
        private static void EmitWarpgroupScores(CodeWriter w, KernelSpec spec, int slices, int keyTiles, int dimSteps, bool bf16)
        {
            var t = spec.Tiles;
            var ptx = new List<string> { "{ .reg .b64 kb, dq, dk; add.s64 kb, attn_dk, %0; wgmma.fence.sync.aligned;" };
            for (int k = 0; k < dimSteps; k++)
            {
                // k-step k lives in panel k / 4, 32 bytes per k-step within a panel's 128-byte rows (descriptor units of 16 bytes).
                int within = (k % 4) * 2;
                ptx.Add($"add.s64 dk, kb, {Int((k / 4) * t.BlockN * 8 + within)};");
                for (int r = 0; r < slices; r++)
                {
                    ptx.Add($"add.s64 dq, attn_dq, {Int(r * SliceRows(spec) * 8 + (k / 4) * t.BlockM * 8 + within)};");
                    string d = "{" + string.Join(", ", Enumerable.Range(0, keyTiles).SelectMany(n => Enumerable.Range(0, 4).Select(c => S(r, n, c)))) + "}";
                    string scaleD = k == 0 ? "attn_zero" : "attn_accumulate";
                    ptx.Add(Int8(spec)
                        ? $"wgmma.mma_async.sync.aligned.m64n{Int(t.BlockN)}k32.s32.s8.s8 {d}, dq, dk, {scaleD};"
                        : $"wgmma.mma_async.sync.aligned.m64n{Int(t.BlockN)}k16.{WgmmaType(bf16)} {d}, dq, dk, {scaleD}, 1, 1, 0, 0;");
                }
            }
            ptx.Add("wgmma.commit_group.sync.aligned; }");
            w.Line("// wgmma: the first k-step overwrites the accumulators (scale-d false), so they need no zeroing. Waited for below.");
            w.Line($"{Asm}(\"{string.Join(" ", ptx)}\", (ulong)(stageWords >> 2));");
        }

        /// <summary>The wait for the warpgroup instance's Q K^T; [Quantize]: its int32 sums to FP32 in place.</summary>
        private static void EmitWarpgroupScoresWait(CodeWriter w, KernelSpec spec, int slices, int keyTiles)
        {
            var ptx = new List<string> { "wgmma.wait_group.sync.aligned 0;" };
            if (Int8(spec))
            {
                // int32 sums to FP32 in place, as after mma.sync: exact, |sum| <= 127 * 127 * HeadDim < 2^24.
                for (int r = 0; r < slices; r++)
                    for (int n = 0; n < keyTiles; n++)
                        for (int c = 0; c < 4; c++)
                            ptx.Add($"cvt.rn.f32.s32 {S(r, n, c)}, {S(r, n, c)};");
            }
            w.Line($"{Asm}(\"{string.Join(" ", ptx)}\");");
        }

        /// <summary>O += P V of the warpgroup instance: per 16-key k-step, one m64nHeadDimV wgmma per slice, P from registers, V N-major.</summary>
        private static void EmitWarpgroupValues(CodeWriter w, KernelSpec spec, int slices, int keyTiles, int valueTiles, bool bf16)
        {
            var ptx = new List<string> { "{ .reg .b64 vb, dv; add.s64 vb, attn_dv, %0; wgmma.fence.sync.aligned;" };
            for (int k = 0; k < keyTiles / 2; k++)
            {
                ptx.Add($"add.s64 dv, vb, {Int(k * 128)};"); // 16 keys of 128-byte rows
                for (int r = 0; r < slices; r++)
                {
                    string d = "{" + string.Join(", ", Enumerable.Range(0, valueTiles).SelectMany(n => Enumerable.Range(0, 4).Select(c => O(r, n, c)))) + "}";
                    string p = $"{{{P(r, 2 * k, 0)}, {P(r, 2 * k, 1)}, {P(r, 2 * k + 1, 0)}, {P(r, 2 * k + 1, 1)}}}";
                    ptx.Add($"wgmma.mma_async.sync.aligned.m64n{Int(spec.Tiles.HeadDimV)}k16.{WgmmaType(bf16)} {d}, {p}, dv, attn_accumulate, 1, 1, 1;");
                }
            }
            ptx.Add("wgmma.commit_group.sync.aligned; }");
            w.Line("// O += P V: the P registers of key tiles 2k, 2k + 1 are the A fragment of k-step k. Not waited for here: the next");
            w.Line("// block's NextBlock, hidden keys and copy wait run under it; its wait comes before the next barrier (or after the loop).");
            w.Line($"{Asm}(\"{string.Join(" ", ptx)}\", (ulong)(stageWords >> 2));");
        }

        private static void EmitScores(CodeWriter w, KernelSpec spec, int slices, int keyTiles, int dimSteps, string mma, bool bf16)
        {
            bool int8 = Int8(spec);
            string qkMma = int8 ? "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32" : MmaPtx(bf16);
            w.Line(int8
                ? "// S = Q K^T in int8 (32 dims per k-step, int32 sums): A fragments from the Q tile, B fragments from the K stage, two key tiles per ldmatrix."
                : "// S = Q K^T: A fragments from the Q tile, B fragments from the K stage, two key tiles per ldmatrix.");
            for (int r = 0; r < slices; r++)
                for (int n = 0; n < keyTiles; n++)
                    w.Line($"float s{r}_{n}_0 = 0f, s{r}_{n}_1 = 0f, s{r}_{n}_2 = 0f, s{r}_{n}_3 = 0f;");
            if (Warpgroup(spec))
            {
                using (w.Block($"if ({Cuda} && default(TTarget).Warpgroup)"))
                    EmitWarpgroupScores(w, spec, slices, keyTiles, dimSteps, bf16);
            }
            using (w.Block(Warpgroup(spec) ? $"else if ({Cuda})" : $"if ({Cuda})"))
            {
                var zero = new List<string>();
                for (int r = 0; r < slices; r++)
                    for (int n = 0; n < keyTiles; n++)
                        for (int c = 0; c < 4; c++)
                            zero.Add(int8 ? $"mov.b32 {S(r, n, c)}, 0;" : $"mov.f32 {S(r, n, c)}, 0f00000000;");
                w.Line($"{Asm}(\"{string.Join(" ", zero)}\");");
                for (int k = 0; k < dimSteps; k++)
                {
                    for (int r = 0; r < slices; r++)
                        w.Line($"{Asm}(\"{LdMatrix}.shared.b16 {Quad(c => $"attn_q{r}_{c}")}, [sa+{Int((r * SliceRows(spec) * QueryStride(spec) + k * 8) * 4)}]; }}\", queryLane);");
                    for (int n = 0; n < keyTiles; n += 2)
                    {
                        w.Line($"{Asm}(\"{LdMatrix}.shared.b16 {Quad(c => $"attn_k{c}")}, [sa+{Int((n * 8 * KeyStride(spec) + k * 8) * 4)}]; }}\", keyLane);");
                        var mmas = new List<string>();
                        for (int r = 0; r < slices; r++)
                        {
                            string q = Quad(c => $"attn_q{r}_{c}");
                            mmas.Add($"{qkMma} {Quad(c => S(r, n, c))}, {q}, {{attn_k0, attn_k1}}, {Quad(c => S(r, n, c))};");
                            mmas.Add($"{qkMma} {Quad(c => S(r, n + 1, c))}, {q}, {{attn_k2, attn_k3}}, {Quad(c => S(r, n + 1, c))};");
                        }
                        w.Line($"{Asm}(\"{string.Join(" ", mmas)}\");");
                    }
                }
                if (int8)
                {
                    var convert = new List<string>();
                    for (int r = 0; r < slices; r++)
                        for (int n = 0; n < keyTiles; n++)
                            for (int c = 0; c < 4; c++)
                                convert.Add($"cvt.rn.f32.s32 {S(r, n, c)}, {S(r, n, c)};");
                    w.Line($"{Asm}(\"{string.Join(" ", convert)}\"); // exact: |sum| <= 127 * 127 * HeadDim < 2^24");
                }
            }
            using (w.Block("else"))
            {
                w.Line($"var queryTile = {TileLayoutOf(spec, "0", "QStride", "BlockM")};");
                w.Line($"var keyTile = {TileLayoutOf(spec, "keyBase", "KStride", "BlockN")};");
                if (int8)
                {
                    for (int r = 0; r < slices; r++)
                        for (int n = 0; n < keyTiles; n++)
                            w.Line($"int si{r}_{n}_0 = 0, si{r}_{n}_1 = 0, si{r}_{n}_2 = 0, si{r}_{n}_3 = 0;");
                }
                string acc = int8 ? "si" : "s";
                string emulated = int8 ? "global::AttnDsl.TensorCores.Mma.Int8" : mma;
                for (int k = 0; k < dimSteps; k++)
                {
                    using (w.Block(""))
                    {
                        for (int r = 0; r < slices; r++)
                            w.Line($"var (q{r}_0, q{r}_1, q{r}_2, q{r}_3) = {Tiles}.LoadA(shared, queryTile, {Offset("warpRow", r * SliceRows(spec))}, {Int(k * 8)});");
                        for (int n = 0; n < keyTiles; n += 2)
                        {
                            using (w.Block(""))
                            {
                                w.Line($"var (k0, k1, k2, k3) = {Tiles}.LoadB(shared, keyTile, {Int(n * 8)}, {Int(k * 8)});");
                                for (int r = 0; r < slices; r++)
                                {
                                    w.Line(EmulatedMma(emulated, $"{acc}{r}_{n}", $"q{r}_0, q{r}_1, q{r}_2, q{r}_3", "k0, k1"));
                                    w.Line(EmulatedMma(emulated, $"{acc}{r}_{n + 1}", $"q{r}_0, q{r}_1, q{r}_2, q{r}_3", "k2, k3"));
                                }
                            }
                        }
                    }
                }
                if (int8)
                {
                    for (int r = 0; r < slices; r++)
                        for (int n = 0; n < keyTiles; n++)
                            w.Line($"s{r}_{n}_0 = si{r}_{n}_0; s{r}_{n}_1 = si{r}_{n}_1; s{r}_{n}_2 = si{r}_{n}_2; s{r}_{n}_3 = si{r}_{n}_3;");
                }
            }
        }

        /// <summary>Bit e of a row's mask word (see HiddenKeys): score tile n, column c of the lane's pair.</summary>
        private static ulong MaskBit(int n, int c) => 1ul << (n * 2 + c);

        /// <summary>The bit as a C# literal of the mask word's type.</summary>
        private static string Bit(KernelSpec spec, int n, int c) =>
            MaskWord(spec).Type == "uint" ? $"0x{MaskBit(n, c):X8}u" : $"0x{MaskBit(n, c):X16}ul";

        private static void EmitMasking(CodeWriter w, KernelSpec spec, List<(int R, int H)> rows, int keyTiles, bool transforms)
        {
            w.Line("// Scale (and transform) to base 2, and hide what the masks hide.");
            foreach (var (r, hf) in rows)
                for (int n = 0; n < keyTiles; n++)
                    for (int c = 0; c < 2; c++)
                    {
                        string s = $"s{r}_{n}_{hf * 2 + c}";
                        string x = $"{r}{hf}";
                        string scaled = Int8(spec) ? $"{s} * keyScale" + (spec.Quantize!.SmoothKeys && transforms ? $" + shift{x}" : "") : $"{s} * QueryScale";
                        string score = transforms
                            ? $"{ScoreCall(spec)}(a, {scaled}, b, h, {Row(spec, r, hf)}, {Aligned(spec, r, hf)}, j0 + {Int(n * 8 + c)} + 2 * tq, slope)"
                            : scaled;
                        w.Line($"{s} = (hidden{x} & {Bit(spec, n, c)}) != 0 ? float.NegativeInfinity : {score};");
                    }
        }

        /// <summary>
        /// Masking of the CUDA instance. Without score transforms the scores never leave their registers: a block
        /// that needs element tests sets the hidden ones to -inf from the row's mask word, and the scale is
        /// applied inside the softmax. With transforms (ALiBi, soft-cap, score mods) each score is read out,
        /// transformed to base 2 by the spec's own code and written back.
        /// </summary>
        private static void EmitCudaMasking(CodeWriter w, KernelSpec spec, List<(int R, int H)> rows, int keyTiles, bool transforms)
        {
            bool wide = MaskWord(spec).Type != "uint";
            string bits = wide ? "b64" : "b32";
            void Hide()
            {
                using (w.Block("if (!wholeBlock)"))
                {
                    foreach (var (r, hf) in rows)
                    {
                        var ptx = new List<string> { $"{{ .reg .pred hide; .reg .{bits} bit;" };
                        for (int n = 0; n < keyTiles; n++)
                            for (int c = 0; c < 2; c++)
                            {
                                ptx.Add($"and.{bits} bit, %0, 0x{MaskBit(n, c):X}; setp.ne.{bits} hide, bit, 0; @hide mov.f32 {S(r, n, hf * 2 + c)}, 0fFF800000;");
                            }
                        ptx.Add("}");
                        w.Line($"{Asm}(\"{string.Join(" ", ptx)}\", hidden{r}{hf});");
                    }
                }
            }
            if (!transforms)
            {
                w.Line("// Hidden scores become -inf in their registers; whole blocks inside the tile skip this.");
                Hide();
                return;
            }
            if (AlibiOnly(spec))
            {
                w.Line("// ALiBi in the registers, to base 2: s * scale * log2 e - slope * log2 e * |j - ia|, where j - ia is the row's");
                w.Line("// j0 + 2 tq - ia plus the score's column; then hidden scores become -inf as without transforms.");
                string scale = PtxFloat(spec.Tiles.Scale * 1.4426950408889634);
                foreach (var (r, hf) in rows)
                {
                    var ptx = new List<string> { "{ .reg .f32 d;" };
                    for (int n = 0; n < keyTiles; n++)
                        for (int c = 0; c < 2; c++)
                        {
                            string reg = S(r, n, hf * 2 + c);
                            ptx.Add($"add.f32 d, %0, {PtxFloat(n * 8 + c)}; abs.f32 d, d; mul.f32 d, d, %1; fma.rn.f32 {reg}, {reg}, {scale}, d;");
                        }
                    ptx.Add("}");
                    w.Line($"{Asm}(\"{string.Join(" ", ptx)}\", (float)(j0 + 2 * tq - ({Aligned(spec, r, hf)})), alibiLog2);");
                }
                Hide();
                return;
            }
            w.Line("// Score transforms run in C#: each score is read out, transformed (or hidden) in base 2, and written back.");
            foreach (var (r, hf) in rows)
                for (int n = 0; n < keyTiles; n++)
                    for (int c = 0; c < 2; c++)
                    {
                        string x = $"{r}{hf}";
                        string reg = S(r, n, hf * 2 + c);
                        using (w.Block(""))
                        {
                            w.Line($"{Asm}(\"mov.f32 %0, {reg};\", out float raw);");
                            string scaled = Int8(spec) ? "raw * keyScale" + (spec.Quantize!.SmoothKeys ? $" + shift{x}" : "") : "raw * QueryScale";
                            w.Line($"float score = (hidden{x} & {Bit(spec, n, c)}) != 0 ? float.NegativeInfinity : {ScoreCall(spec)}(a, {scaled}, b, h, {Row(spec, r, hf)}, {Aligned(spec, r, hf)}, j0 + {Int(n * 8 + c)} + 2 * tq, slope);");
                            w.Line($"{Asm}(\"mov.f32 {reg}, %0;\", score);");
                        }
                    }
        }

        /// <summary>
        /// Online softmax of the CUDA instance, one PTX block per fragment row: the row maximum over the lane's
        /// scores and across its quad (shfl.sync.bfly), the correction of the running sum and output, and
        /// p = 2^(s * scale - max) packed to 16 bits as the A fragments of P.V. Maximum, sum and P stay in
        /// registers; a row that sees nothing yet keeps p = 0.
        /// </summary>
        private static void EmitCudaSoftmax(CodeWriter w, KernelSpec spec, List<(int R, int H)> rows, int keyTiles, int valueTiles, bool bf16, bool transforms)
        {
            // int8 without transforms: the scale (times log2 e, times the block's dequantization) is the asm's operand %0.
            bool operand = Int8(spec) && !transforms;
            string scale = transforms ? "0f3F800000" : operand ? "%0" : PtxFloat(spec.Tiles.Scale * 1.4426950408889634);
            w.Line(transforms
                ? "// Online softmax in registers; the scores are already in base 2."
                : "// Online softmax in registers; the scale (times log2 e) is applied here, so the maximum is taken on raw scores.");
            string cvt = PackPtx(bf16);
            foreach (var (r, hf) in rows)
            {
                var elements = Enumerable.Range(0, keyTiles).SelectMany(n => new[] { S(r, n, hf * 2), S(r, n, hf * 2 + 1) }).ToList();
                int count = elements.Count;
                var ptx = new List<string> { $"{{ .reg .f32 mx, other, mnew, offset, corr, t<{Int(count)}>, e<{Int(count)}>; .reg .pred none;" };
                // Maximum and sum as pairwise trees: short dependency chains keep the few warps per SM issuing.
                ptx.AddRange(Tree("max.f32", elements, "t"));
                ptx.Add("shfl.sync.bfly.b32 other, t0, 1, 31, 0xffffffff; max.f32 mx, t0, other;");
                ptx.Add("shfl.sync.bfly.b32 other, mx, 2, 31, 0xffffffff; max.f32 mx, mx, other;");
                ptx.Add($"mul.f32 mx, mx, {scale};");
                ptx.Add($"max.f32 mnew, {M(r, hf)}, mx;");
                ptx.Add("setp.eq.f32 none, mnew, 0fFF800000; selp.f32 offset, 0f00000000, mnew, none;");
                ptx.Add($"sub.f32 corr, {M(r, hf)}, offset; ex2.approx.ftz.f32 corr, corr; mov.f32 {M(r, hf)}, mnew; neg.f32 offset, offset;");
                ptx.Add($"mul.f32 {L(r, hf)}, {L(r, hf)}, corr;");
                for (int d = 0; d < valueTiles; d++)
                    ptx.Add($"mul.f32 {O(r, d, hf * 2)}, {O(r, d, hf * 2)}, corr; mul.f32 {O(r, d, hf * 2 + 1)}, {O(r, d, hf * 2 + 1)}, corr;");
                for (int k = 0; k < count; k++)
                    ptx.Add($"fma.rn.f32 e{Int(k)}, {elements[k]}, {scale}, offset; ex2.approx.ftz.f32 e{Int(k)}, e{Int(k)};");
                for (int n = 0; n < keyTiles; n++)
                    ptx.Add($"{cvt} {P(r, n, hf)}, e{Int(2 * n + 1)}, e{Int(2 * n)};");
                ptx.AddRange(Tree("add.f32", Enumerable.Range(0, count).Select(k => $"e{Int(k)}").ToList(), "e"));
                ptx.Add($"add.f32 {L(r, hf)}, {L(r, hf)}, e0;");
                ptx.Add("}");
                w.Line(operand ? $"{Asm}(\"{string.Join(" ", ptx)}\", softmaxScale);" : $"{Asm}(\"{string.Join(" ", ptx)}\");");
            }
        }

        /// <summary>PTX that reduces <paramref name="operands"/> pairwise with <paramref name="op"/>, level by level, into {prefix}0.</summary>
        private static IEnumerable<string> Tree(string op, List<string> operands, string prefix)
        {
            var level = operands;
            while (level.Count > 1)
            {
                var next = new List<string>();
                for (int i = 0; i + 1 < level.Count; i += 2)
                {
                    string target = $"{prefix}{Int(next.Count)}";
                    yield return $"{op} {target}, {level[i]}, {level[i + 1]};";
                    next.Add(target);
                }
                if (level.Count % 2 == 1)
                {
                    string target = $"{prefix}{Int(next.Count)}";
                    yield return $"mov.f32 {target}, {level[level.Count - 1]};";
                    next.Add(target);
                }
                level = next;
            }
        }

        private static void EmitSoftmax(CodeWriter w, List<(int R, int H)> rows, int keyTiles, int valueTiles)
        {
            w.Line("// Online softmax per fragment row: the quad (4 lanes) shares a row, so the maximum is reduced across it;");
            w.Line("// sums stay per lane until the end.");
            foreach (var (r, hf) in rows)
            {
                string x = $"{r}{hf}";
                using (w.Block(""))
                {
                    var elements = Enumerable.Range(0, keyTiles).SelectMany(n => new[] { $"s{r}_{n}_{hf * 2}", $"s{r}_{n}_{hf * 2 + 1}" }).ToList();
                    w.Line($"float m = {elements[0]};");
                    foreach (var e in elements.Skip(1))
                        w.Line($"m = m > {e} ? m : {e};");
                    w.Line($"m = {Frag}.QuadMax(m);");
                    w.Line($"float newMax = max{x} > m ? max{x} : m;");
                    w.Line("float offset = newMax == float.NegativeInfinity ? 0f : newMax; // a row that sees nothing yet keeps p = 0");
                    w.Line($"float correction = {Frag}.Exp2<TTarget>(max{x} - offset);");
                    w.Line($"max{x} = newMax;");
                    w.Line($"float rowSum = sum{x} * correction;");
                    for (int d = 0; d < valueTiles; d++)
                        w.Line($"o{r}_{d}_{hf * 2} *= correction; o{r}_{d}_{hf * 2 + 1} *= correction;");
                    foreach (var e in elements)
                    {
                        w.Line($"{e} = {Frag}.Exp2<TTarget>({e} - offset);");
                        w.Line($"rowSum += {e};");
                    }
                    w.Line($"sum{x} = rowSum;");
                }
            }
        }

        private static void EmitCudaValues(CodeWriter w, KernelSpec spec, int slices, int keyTiles, int valueTiles, bool bf16)
        {
            if (Warpgroup(spec))
            {
                using (w.Block("if (default(TTarget).Warpgroup)"))
                    EmitWarpgroupValues(w, spec, slices, keyTiles, valueTiles, bf16);
                using (w.Block("else"))
                    EmitMmaValues(w, spec, slices, keyTiles, valueTiles, bf16);
                return;
            }
            EmitMmaValues(w, spec, slices, keyTiles, valueTiles, bf16);
        }

        private static void EmitMmaValues(CodeWriter w, KernelSpec spec, int slices, int keyTiles, int valueTiles, bool bf16)
        {
            w.Line("// O += P V: the P registers of key tiles 2k, 2k + 1 are the A fragment of k-step k.");
            for (int k = 0; k < keyTiles / 2; k++)
            {
                for (int d = 0; d < valueTiles; d += 2)
                {
                    w.Line($"{Asm}(\"{LdMatrix}.trans.shared.b16 {Quad(c => $"attn_v{c}")}, [sa+{Int((k * 16 * ValueStride(spec) + d * 4) * 4)}]; }}\", valueLane);");
                    var mmas = new List<string>();
                    for (int r = 0; r < slices; r++)
                    {
                        string p = $"{{{P(r, 2 * k, 0)}, {P(r, 2 * k, 1)}, {P(r, 2 * k + 1, 0)}, {P(r, 2 * k + 1, 1)}}}";
                        mmas.Add($"{MmaPtx(bf16)} {Quad(c => O(r, d, c))}, {p}, {{attn_v0, attn_v1}}, {Quad(c => O(r, d, c))};");
                        mmas.Add($"{MmaPtx(bf16)} {Quad(c => O(r, d + 1, c))}, {p}, {{attn_v2, attn_v3}}, {Quad(c => O(r, d + 1, c))};");
                    }
                    w.Line($"{Asm}(\"{string.Join(" ", mmas)}\");");
                }
            }
        }

        /// <summary>One emulated MMA on accumulators {acc}_0..3, which go in and come back by value (see Mma).</summary>
        private static string EmulatedMma(string mma, string acc, string a, string b)
        {
            string d = $"{acc}_0, {acc}_1, {acc}_2, {acc}_3";
            return $"({d}) = {mma}({d}, {a}, {b});";
        }

        private static void EmitValues(CodeWriter w, KernelSpec spec, int slices, int keyTiles, int valueTiles, string mma, string pack)
        {
            w.Line("// O += P V: the score accumulators of key tiles 2k, 2k + 1, packed to 16 bits, are the A fragment of k-step k.");
            w.Line($"var valueTile = {TileLayoutOf(spec, "valueBase", "VStride", "BlockN")};");
            for (int k = 0; k < keyTiles / 2; k++)
            {
                using (w.Block(""))
                {
                    for (int r = 0; r < slices; r++)
                    {
                        w.Line($"uint p{r}_0 = {pack}(s{r}_{2 * k}_0, s{r}_{2 * k}_1);");
                        w.Line($"uint p{r}_1 = {pack}(s{r}_{2 * k}_2, s{r}_{2 * k}_3);");
                        w.Line($"uint p{r}_2 = {pack}(s{r}_{2 * k + 1}_0, s{r}_{2 * k + 1}_1);");
                        w.Line($"uint p{r}_3 = {pack}(s{r}_{2 * k + 1}_2, s{r}_{2 * k + 1}_3);");
                    }
                    for (int d = 0; d < valueTiles; d += 2)
                    {
                        using (w.Block(""))
                        {
                            w.Line($"var (v0, v1, v2, v3) = {Tiles}.LoadBTransposed(shared, valueTile, {Int(k * 16)}, {Int(d * 4)});");
                            for (int r = 0; r < slices; r++)
                            {
                                w.Line(EmulatedMma(mma, $"o{r}_{d}", $"p{r}_0, p{r}_1, p{r}_2, p{r}_3", "v0, v1"));
                                w.Line(EmulatedMma(mma, $"o{r}_{d + 1}", $"p{r}_0, p{r}_1, p{r}_2, p{r}_3", "v2, v3"));
                            }
                        }
                    }
                }
            }
        }

        private static void EmitEpilogue(CodeWriter w, KernelSpec spec, List<(int R, int H)> rows, int slices, int valueTiles, string pack)
        {
            string cvt = PackPtx(spec.Tiles.Element == ElementKind.BFloat16);
            // Smoothing took q . mean(K) out of every score of the row; without score transforms it is added back to the LSE only.
            bool shift = spec.Quantize is { SmoothKeys: true } && !HasTransforms(spec);
            using (w.Block($"if ({Cuda})"))
            {
                w.Line("// The CUDA instance's row sums and maxima, read out of their registers (the accumulators never leave them).");
                for (int r = 0; r < slices; r++)
                {
                    for (int hf = 0; hf < 2; hf++)
                    {
                        w.Line($"{Asm}(\"mov.f32 %0, {L(r, hf)};\", out sum{r}{hf});");
                        w.Line($"{Asm}(\"mov.f32 %0, {M(r, hf)};\", out max{r}{hf});");
                    }
                }
            }
            w.Line("// Normalize and store: lane (g, t) writes columns 2t, 2t + 1 of each dim tile as one word. The CUDA instance");
            w.Line("// scales, packs and stores in PTX: read out into C#, the accumulators would pass through local memory.");
            foreach (var (r, hf) in rows)
            {
                string x = $"{r}{hf}";
                using (w.Block(""))
                {
                    w.Line($"float total = {Frag}.QuadSum(sum{x});");
                    w.Line("float factor = total > 0f ? 1f / total : 0f;");
                    w.Line($"int i = {Row(spec, r, hf)};");
                    using (w.Block("if (i <= iLast)"))
                    {
                        w.Line("long word = (OutputOffset(a, b, h, i) >> 1) + tq;");
                        using (w.Block($"if ({Cuda})"))
                        {
                            var ptx = new List<string> { "{ .reg .f32 x, y; .reg .b32 w;" };
                            for (int d = 0; d < valueTiles; d++)
                                ptx.Add($"mul.f32 x, {O(r, d, hf * 2)}, %1; mul.f32 y, {O(r, d, hf * 2 + 1)}, %1; {cvt} w, y, x; st.global.b32 [%0+{Int(d * 16)}], w;");
                            ptx.Add("}");
                            w.Line($"{Asm}(\"{string.Join(" ", ptx)}\", (ulong)(a.OutputAddress + word * 4L), factor);");
                        }
                        using (w.Block("else"))
                        {
                            for (int d = 0; d < valueTiles; d++)
                                w.Line($"a.OutputWords[word + {Int(d * 4)}] = {pack}(o{r}_{d}_{hf * 2} * factor, o{r}_{d}_{hf * 2 + 1} * factor);");
                        }
                        w.Line("if (a.WriteLogSumExp != 0 && tq == 0)");
                        string row = "((long)b * a.QueryHeads + h) * a.QueryLength + i";
                        string added = shift ? $" + a.QueryShift[{row}] * ScoreScale" : "";
                        w.Line($"    a.LogSumExp[{row}] = total > 0f ? (max{x} + {Math}.Log2(total)) * {Math}.Ln2{added} : float.NegativeInfinity;");
                    }
                }
            }
        }
    }
}
