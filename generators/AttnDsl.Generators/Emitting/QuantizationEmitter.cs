using AttnDsl.Generators.Model;
using static AttnDsl.Generators.Emitting.EmitNames;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>
    /// [Quantize]: the prologue kernels that smooth K and quantize Q and K to int8 per block (SageAttention),
    /// their fields in the kernel arguments, and the host methods <c>Quantize</c> and <c>QuantizeInto</c>.
    /// The prologue kernels have no group barriers, so they run as is on every accelerator: elementwise work is a
    /// thread per word, reductions over a row or a block are a warp per row (lanes over the dims, coalesced loads,
    /// shuffles). The rule itself is <c>QuantizationSemantics</c>, shared with the host.
    /// </summary>
    internal static class QuantizationEmitter
    {
        private const string Rule = "global::AttnDsl.QuantizationSemantics";
        private const string Warp = "global::AttnDsl.Runtime.WarpReduce";

        /// <summary>Kernel-argument fields of a [Quantize] spec.</summary>
        public static void EmitFields(CodeWriter w)
        {
            w.Line("/// <summary>[Quantize]: int8 Q and K in (batch, head, token, dim) order, also as 32-bit words (four values each), their block scales, and the smoothing terms.</summary>");
            w.Line("public global::ILGPU.ArrayView<sbyte> QueryQuant;");
            w.Line("public global::ILGPU.ArrayView<sbyte> KeyQuant;");
            w.Line("public global::ILGPU.ArrayView<uint> QueryQuantWords;");
            w.Line("public global::ILGPU.ArrayView<uint> KeyQuantWords;");
            w.Line("public long KeyQuantAddress;");
            w.Line("public global::ILGPU.ArrayView<float> QueryScales;");
            w.Line("public global::ILGPU.ArrayView<float> KeyScales;");
            w.Line("public global::ILGPU.ArrayView<float> KeyMean;");
            w.Line("public global::ILGPU.ArrayView<float> QueryShift;");
            w.Line("public global::ILGPU.ArrayView<float> RowMaxima;");
            w.Line("public global::ILGPU.ArrayView<float> MeanPartials;");
            w.Line("public int QueryQuantBlocks;");
            w.Line("public int KeyQuantBlocks;");
            w.Line("public int MeanChunks;");
            w.Line("/// <summary>log2 of the warp size: the prologue's row kernels give each row one warp.</summary>");
            w.Line("public int LaneShift;");
        }

        /// <summary>Constants and offsets of the quantized tensors.</summary>
        public static void EmitConstants(CodeWriter w, KernelSpec spec)
        {
            w.Line("/// <summary>[Quantize]: the spec's softmax scale (the smoothing shift of a row is added in these units).</summary>");
            w.Line($"public const float ScoreScale = {Float(spec.Tiles.Scale)};");
            w.Line("public const int MeanChunkKeys = global::AttnDsl.QuantizedInputs.MeanChunkKeys;");
            w.Line();
        }

        public static void EmitOffsets(CodeWriter w)
        {
            w.Line("// Element offsets of a token row in the int8 tensors, always (batch, head, token, dim).");
            w.Line(Inline);
            w.Line("public static long QuantQueryOffset(in Arguments a, int b, int h, int i) => (((long)b * a.QueryHeads + h) * a.QueryLength + i) * HeadDim;");
            w.Line(Inline);
            w.Line("public static long QuantKeyOffset(in Arguments a, int b, int kvh, int j) => (((long)b * a.KeyValueHeads + kvh) * a.KeyLength + j) * HeadDim;");
            w.Line();
        }

        public static void EmitKernels(CodeWriter w, KernelSpec spec)
        {
            bool smooth = spec.Quantize!.SmoothKeys;
            w.Line("// ---- [Quantize] prologue: key mean (smoothing), row and block maxima, int8 words, smoothing shift per query row.");
            w.Line();
            if (smooth)
            {
                w.Line("/// <summary>Sums of K over MeanChunkKeys keys; index = ((b * KeyValueHeads + kvh) * MeanChunks + chunk) * HeadDim + d.</summary>");
                using (w.Block("public static void KeyMeanPartialKernel(global::ILGPU.Index1D index, Arguments a)"))
                {
                    w.Line("int d = index % HeadDim;");
                    w.Line("int rest = index / HeadDim;");
                    w.Line("int chunk = rest % a.MeanChunks;");
                    w.Line("int kvh = rest / a.MeanChunks % a.KeyValueHeads;");
                    w.Line("int b = rest / a.MeanChunks / a.KeyValueHeads;");
                    w.Line("int j0 = chunk * MeanChunkKeys;");
                    w.Line("int j1 = j0 + MeanChunkKeys < a.KeyLength ? j0 + MeanChunkKeys : a.KeyLength;");
                    w.Line("float sum = 0f;");
                    w.Line("for (int j = j0; j < j1; j++)");
                    w.Line("    sum += (float)a.Key[KeyOffset(a, b, kvh, j) + d];");
                    w.Line("a.MeanPartials[index] = sum;");
                }
                w.Line();
                w.Line("/// <summary>The mean of K over tokens from the partial sums: a warp per (b * KeyValueHeads + kvh) * HeadDim + d, its lanes over the chunks.</summary>");
                using (w.Block("public static void KeyMeanKernel(global::ILGPU.Index1D index, Arguments a)"))
                {
                    w.Line("int lane = index.X & ((1 << a.LaneShift) - 1), lanes = 1 << a.LaneShift;");
                    w.Line("int target = index.X >> a.LaneShift;");
                    w.Line("long first = (long)(target / HeadDim) * a.MeanChunks * HeadDim + target % HeadDim;");
                    w.Line("float sum = 0f;");
                    w.Line("for (int c = lane; c < a.MeanChunks; c += lanes)");
                    w.Line("    sum += a.MeanPartials[first + (long)c * HeadDim];");
                    w.Line($"sum = {Warp}.Sum(sum);");
                    w.Line("if (lane == 0)");
                    w.Line("    a.KeyMean[target] = sum / a.KeyLength;");
                }
                w.Line();
            }
            w.Line("/// <summary>max |x| of each query row, then of each key row" + (smooth ? " after smoothing" : "") + ": a warp per row (query rows, then key rows), its lanes over the dims.</summary>");
            using (w.Block("public static void RowMaxKernel(global::ILGPU.Index1D index, Arguments a)"))
            {
                // Int arithmetic and shifts: divisions by runtime sizes, once per thread, dominated this kernel in long form.
                w.Line("int lane = index.X & ((1 << a.LaneShift) - 1), lanes = 1 << a.LaneShift;");
                w.Line("int row = index.X >> a.LaneShift;");
                w.Line("int queryRows = a.Batch * a.QueryHeads * a.QueryLength;");
                w.Line("float max = 0f;");
                using (w.Block("if (row < queryRows)"))
                {
                    w.Line(RowOffset(spec, query: true, "row"));
                    using (w.Block("for (int d = lane; d < HeadDim; d += lanes)"))
                    {
                        w.Line("float x = (float)a.Query[offset + d];");
                        w.Line("float m = x < 0f ? -x : x;");
                        w.Line("max = m > max ? m : max;");
                    }
                }
                using (w.Block("else"))
                {
                    w.Line("int keyRow = row - queryRows;");
                    w.Line(RowOffset(spec, query: false, "keyRow"));
                    if (smooth)
                        w.Line("long mean = (long)(keyRow / a.KeyLength) * HeadDim; // (b * KeyValueHeads + kvh) * HeadDim");
                    using (w.Block("for (int d = lane; d < HeadDim; d += lanes)"))
                    {
                        w.Line(smooth ? "float x = (float)a.Key[offset + d] - a.KeyMean[mean + d];" : "float x = (float)a.Key[offset + d];");
                        w.Line("float m = x < 0f ? -x : x;");
                        w.Line("max = m > max ? m : max;");
                    }
                }
                w.Line($"max = {Warp}.Max(max);");
                w.Line("if (lane == 0)");
                w.Line("    a.RowMaxima[row] = max;");
            }
            w.Line();
            w.Line("/// <summary>The scale of each query block (BlockM rows), then of each key block (BlockN rows): a warp per block, its lanes over the rows.</summary>");
            using (w.Block("public static void BlockScaleKernel(global::ILGPU.Index1D index, Arguments a)"))
            {
                w.Line("int lane = index.X & ((1 << a.LaneShift) - 1), lanes = 1 << a.LaneShift;");
                w.Line("long block = index.X >> a.LaneShift;");
                w.Line("long queryBlocks = (long)a.Batch * a.QueryHeads * a.QueryQuantBlocks;");
                w.Line("long queryRows = (long)a.Batch * a.QueryHeads * a.QueryLength;");
                w.Line("bool query = block < queryBlocks;");
                w.Line("long local = query ? block : block - queryBlocks;");
                w.Line("int blocks = query ? a.QueryQuantBlocks : a.KeyQuantBlocks;");
                w.Line("int length = query ? a.QueryLength : a.KeyLength;");
                w.Line("int size = query ? BlockM : BlockN;");
                w.Line("long rows = (query ? 0 : queryRows) + local / blocks * length; // the head's first row in RowMaxima");
                w.Line("int n0 = (int)(local % blocks) * size;");
                w.Line("int n1 = n0 + size < length ? n0 + size : length;");
                w.Line("float max = 0f;");
                using (w.Block("for (int n = n0 + lane; n < n1; n += lanes)"))
                {
                    w.Line("float m = a.RowMaxima[rows + n];");
                    w.Line("max = m > max ? m : max;");
                }
                w.Line($"max = {Warp}.Max(max);");
                using (w.Block("if (lane == 0)"))
                {
                    w.Line("if (query)");
                    w.Line($"    a.QueryScales[local] = {Rule}.Scale(max);");
                    w.Line("else");
                    w.Line($"    a.KeyScales[local] = {Rule}.Scale(max);");
                }
            }
            w.Line();
            w.Line("/// <summary>Four int8 values per thread, packed into one word: query words, then key words" + (smooth ? " (smoothed)" : "") + "; index = row * HeadDim / 4 + word.</summary>");
            using (w.Block("public static void QuantizeKernel(global::ILGPU.Index1D index, Arguments a)"))
            {
                w.Line("int queryWords = a.Batch * a.QueryHeads * a.QueryLength * (HeadDim / 4);");
                w.Line("bool query = index.X < queryWords;");
                w.Line("int word = query ? index.X : index.X - queryWords;");
                w.Line("int row = word / (HeadDim / 4); // (b * heads + h) * tokens + n");
                w.Line("int d = (word - row * (HeadDim / 4)) * 4;");
                w.Line("int tokens = query ? a.QueryLength : a.KeyLength;");
                w.Line("int head = row / tokens; // b * heads + h");
                w.Line("int n = row - head * tokens;");
                w.Line("float inverse = " + Rule + ".InverseScale(query ? a.QueryScales[(long)head * a.QueryQuantBlocks + n / BlockM] : a.KeyScales[(long)head * a.KeyQuantBlocks + n / BlockN]);");
                using (w.Block("if (query)"))
                {
                    w.Line(ElementOffset(spec, query: true));
                    w.Line($"a.QueryQuantWords[word] = {Rule}.Pack(");
                    w.Line($"    {Rule}.QuantizeScaled((float)a.Query[offset], inverse), {Rule}.QuantizeScaled((float)a.Query[offset + 1], inverse),");
                    w.Line($"    {Rule}.QuantizeScaled((float)a.Query[offset + 2], inverse), {Rule}.QuantizeScaled((float)a.Query[offset + 3], inverse));");
                }
                using (w.Block("else"))
                {
                    w.Line(ElementOffset(spec, query: false));
                    if (smooth)
                    {
                        w.Line("long mean = (long)head * HeadDim + d;");
                        w.Line($"a.KeyQuantWords[word] = {Rule}.Pack(");
                        w.Line($"    {Rule}.QuantizeScaled((float)a.Key[offset] - a.KeyMean[mean], inverse), {Rule}.QuantizeScaled((float)a.Key[offset + 1] - a.KeyMean[mean + 1], inverse),");
                        w.Line($"    {Rule}.QuantizeScaled((float)a.Key[offset + 2] - a.KeyMean[mean + 2], inverse), {Rule}.QuantizeScaled((float)a.Key[offset + 3] - a.KeyMean[mean + 3], inverse));");
                    }
                    else
                    {
                        w.Line($"a.KeyQuantWords[word] = {Rule}.Pack(");
                        w.Line($"    {Rule}.QuantizeScaled((float)a.Key[offset], inverse), {Rule}.QuantizeScaled((float)a.Key[offset + 1], inverse),");
                        w.Line($"    {Rule}.QuantizeScaled((float)a.Key[offset + 2], inverse), {Rule}.QuantizeScaled((float)a.Key[offset + 3], inverse));");
                    }
                }
            }
            w.Line();
            if (!smooth)
                return;
            w.Line("/// <summary>The shift smoothing took out of a query row's scores, scale_Q * (Q_q . mean(K)): a warp per query row, its lanes over the dims.</summary>");
            using (w.Block("public static void QueryShiftKernel(global::ILGPU.Index1D index, Arguments a)"))
            {
                w.Line("int lane = index.X & ((1 << a.LaneShift) - 1), lanes = 1 << a.LaneShift;");
                w.Line("int row = index.X >> a.LaneShift;");
                w.Line("int head = row / a.QueryLength; // b * QueryHeads + h");
                w.Line("int i = row - head * a.QueryLength;");
                w.Line("int b = head / a.QueryHeads;");
                w.Line("int kvh = (head - b * a.QueryHeads) / (a.QueryHeads / a.KeyValueHeads);");
                w.Line("long offset = (long)row * HeadDim;");
                w.Line("long mean = ((long)b * a.KeyValueHeads + kvh) * HeadDim;");
                w.Line("float sum = 0f;");
                w.Line("for (int d = lane; d < HeadDim; d += lanes)");
                w.Line("    sum += a.QueryQuant[offset + d] * a.KeyMean[mean + d];");
                w.Line($"sum = {Warp}.Sum(sum);");
                w.Line("if (lane == 0)");
                w.Line("    a.QueryShift[row] = sum * a.QueryScales[(long)head * a.QueryQuantBlocks + i / BlockM];");
            }
            w.Line();
        }

        /// <summary>The element offset of a token row of the input, from its row index in (batch, head, token) order.</summary>
        private static string RowOffset(KernelSpec spec, bool query, string row)
        {
            if (spec.Tiles.Layout == LayoutKind.BHND)
                return $"long offset = (long){row} * HeadDim; // BHND: rows are in (batch, head, token) order";
            string tokens = query ? "a.QueryLength" : "a.KeyLength", heads = query ? "a.QueryHeads" : "a.KeyValueHeads";
            string offset = query ? "QueryOffset" : "KeyOffset";
            return $"int __head = {row} / {tokens}, __b = __head / {heads}; long offset = {offset}(a, __b, __head - __b * {heads}, {row} - __head * {tokens});";
        }

        /// <summary>The element offset of this thread's four input elements (head = b * heads + h, n, d in scope).</summary>
        private static string ElementOffset(KernelSpec spec, bool query)
        {
            if (spec.Tiles.Layout == LayoutKind.BHND)
                return "long offset = (long)word * 4; // BHND: the int8 words follow the input's order";
            string heads = query ? "a.QueryHeads" : "a.KeyValueHeads";
            string offset = query ? "QueryOffset" : "KeyOffset";
            return $"int b = head / {heads}; long offset = {offset}(a, b, head - b * {heads}, n) + d;";
        }

        /// <summary>Host methods: the public <c>Quantize</c> and the private <c>QuantizeInto</c> that <c>Run</c> calls.</summary>
        public static void EmitHost(CodeWriter w, KernelSpec spec)
        {
            bool smooth = spec.Quantize!.SmoothKeys;
            string view = View(ElementType(spec.Tiles.Element));
            string kernels = $"{spec.Type.GlobalName}.s_kernels";
            w.Line("/// <summary>");
            w.Line("/// Runs this spec's [Quantize] prologue on the device and returns the int8 tensors, scales and smoothing terms" + " Run computes");
            w.Line("/// attention from (Run keeps its own buffers; this is for inspection and for validating against the reference on the");
            w.Line("/// dequantized tensors). Writes into <paramref name=\"into\"/> when given. Asynchronous, like Run.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            using (w.Block($"public static global::AttnDsl.QuantizedInputs Quantize(global::ILGPU.Runtime.Accelerator accelerator, global::AttnDsl.AttentionShape shape, {view} query, {view} key, global::AttnDsl.QuantizedInputs? into = null)"))
            {
                w.Line("global::AttnDsl.Runtime.AttentionValidation.ValidateShape(accelerator, shape, requireSelfAttention: false);");
                DispatchEmitter.EmitTensorValidation(w, spec, valueAndOutput: false);
                w.Line("if (into is not null)");
                w.Line($"    global::AttnDsl.Runtime.AttentionValidation.ValidateQuantized(accelerator, into, shape, {spec.Type.GlobalName}.Info, \"into\");");
                using (w.Block($"var __arguments = new {KernelsClass}.Arguments", "};"))
                {
                    w.Line("Query = query,");
                    w.Line("Key = key,");
                    DispatchEmitter.EmitShapeFields(w, spec, runtimeArguments: false); // the prologue reads no mask or mod tensor
                }
                w.Line($"var __quantized = into ?? global::AttnDsl.QuantizedInputs.Allocate(accelerator, shape, {KernelsClass}.HeadDim, {KernelsClass}.BlockM, {KernelsClass}.BlockN, {Bool(smooth)});");
                w.Line("__quantized.Reshape(shape);");
                w.Line("QuantizeInto(accelerator, ref __arguments, __quantized);");
                w.Line("return __quantized;");
            }
            w.Line();
            w.Line("/// <summary>Points the kernel arguments at <paramref name=\"quantized\"/> and launches the prologue that fills it from arguments.Query and arguments.Key.</summary>");
            using (w.Block($"private static void QuantizeInto(global::ILGPU.Runtime.Accelerator accelerator, ref {KernelsClass}.Arguments arguments, global::AttnDsl.QuantizedInputs quantized)"))
            {
                w.Line("arguments.QueryQuant = quantized.Query;");
                w.Line("arguments.KeyQuant = quantized.Key;");
                w.Line("arguments.QueryQuantWords = quantized.Query.Cast<uint>();");
                w.Line("arguments.KeyQuantWords = quantized.Key.Cast<uint>();");
                w.Line("arguments.QueryScales = quantized.QueryScales;");
                w.Line("arguments.KeyScales = quantized.KeyScales;");
                w.Line("arguments.KeyMean = quantized.KeyMean;");
                w.Line("arguments.QueryShift = quantized.QueryShift;");
                w.Line("arguments.RowMaxima = quantized.RowMaxima;");
                w.Line("arguments.MeanPartials = quantized.MeanPartials;");
                w.Line("arguments.QueryQuantBlocks = quantized.QueryBlocks;");
                w.Line("arguments.KeyQuantBlocks = quantized.KeyBlocks;");
                w.Line("arguments.MeanChunks = quantized.MeanChunks;");
                w.Line("arguments.LaneShift = global::System.Numerics.BitOperations.Log2((uint)accelerator.WarpSize);");
                string Load(string name) =>
                    $"{kernels}.Auxiliary(accelerator, \"{name}\", __a => global::ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<global::ILGPU.Index1D, {KernelsClass}.Arguments>(__a, {KernelsClass}.{name}))";
                w.Line("long __queryRows = (long)arguments.Batch * arguments.QueryHeads * arguments.QueryLength;");
                w.Line("long __keyRows = (long)arguments.Batch * arguments.KeyValueHeads * arguments.KeyLength;");
                w.Line("int __lanes = accelerator.WarpSize; // the row kernels give each row one warp");
                w.Line($"long __threads = global::System.Math.Max((__queryRows + __keyRows) * __lanes, (__queryRows + __keyRows) * ({KernelsClass}.HeadDim / 4));");
                w.Line("if (__threads > int.MaxValue)");
                w.Line("    throw new global::System.ArgumentOutOfRangeException(\"shape\", (__queryRows + __keyRows), $\"The [Quantize] prologue needs {__threads} threads for {__queryRows} query rows and {__keyRows} key rows; at most {int.MaxValue} are supported.\");");
                if (smooth)
                {
                    w.Line($"{Load("KeyMeanPartialKernel")}((int)quantized.MeanPartials.Length, arguments);");
                    w.Line($"{Load("KeyMeanKernel")}((int)quantized.KeyMean.Length * __lanes, arguments);");
                }
                else
                {
                    w.Line("quantized.ClearSmoothing();");
                }
                w.Line($"{Load("RowMaxKernel")}((int)(__queryRows + __keyRows) * __lanes, arguments);");
                w.Line($"{Load("BlockScaleKernel")}((int)(quantized.QueryScales.Length + quantized.KeyScales.Length) * __lanes, arguments);");
                w.Line($"{Load("QuantizeKernel")}((int)((__queryRows + __keyRows) * ({KernelsClass}.HeadDim / 4)), arguments);");
                if (smooth)
                    w.Line($"{Load("QueryShiftKernel")}((int)__queryRows * __lanes, arguments);");
            }
            w.Line();
        }
    }
}
