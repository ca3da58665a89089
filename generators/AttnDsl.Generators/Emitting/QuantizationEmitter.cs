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
            w.Line("public long QueryQuantAddress;");
            w.Line("public long KeyQuantAddress;");
            w.Line("public global::ILGPU.ArrayView<float> QueryScales;");
            w.Line("public global::ILGPU.ArrayView<float> KeyScales;");
            w.Line("public global::ILGPU.ArrayView<float> KeyMean;");
            w.Line("public global::ILGPU.ArrayView<float> QueryShift;");
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
            w.Line("/// <summary>");
            w.Line("/// A warp per quantization block (BlockM query rows, then BlockN key rows): max |x| over the block" + (smooth ? " (keys smoothed)" : "") + ", its");
            w.Line("/// scale, then the block's int8 words. The lanes run over the block's words, four values each, so loads and stores are");
            w.Line("/// coalesced; the second pass re-reads the block while it is still in cache.");
            w.Line("/// </summary>");
            using (w.Block("public static void BlockQuantizeKernel(global::ILGPU.Index1D index, Arguments a)"))
            {
                w.Line("int lane = index.X & ((1 << a.LaneShift) - 1), lanes = 1 << a.LaneShift;");
                w.Line("int block = index.X >> a.LaneShift;");
                w.Line("int queryBlocks = a.Batch * a.QueryHeads * a.QueryQuantBlocks;");
                using (w.Block("if (block < queryBlocks)"))
                    EmitBlockQuantize(w, spec, query: true);
                using (w.Block("else"))
                    EmitBlockQuantize(w, spec, query: false);
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

        /// <summary>The body of BlockQuantizeKernel for a query block or a key block (<c>lane</c>, <c>lanes</c>, <c>block</c> in scope).</summary>
        private static void EmitBlockQuantize(CodeWriter w, KernelSpec spec, bool query)
        {
            bool smooth = !query && spec.Quantize!.SmoothKeys;
            string tensor = query ? "a.Query" : "a.Key", length = query ? "a.QueryLength" : "a.KeyLength";
            string blocks = query ? "a.QueryQuantBlocks" : "a.KeyQuantBlocks", size = query ? "BlockM" : "BlockN";
            string scales = query ? "a.QueryScales" : "a.KeyScales", words = query ? "a.QueryQuantWords" : "a.KeyQuantWords";
            w.Line(query ? "int local = block;" : "int local = block - queryBlocks;");
            w.Line($"int head = local / {blocks}; // b * heads + h");
            w.Line($"int n0 = (local - head * {blocks}) * {size};");
            w.Line($"int rows = (n0 + {size} < {length} ? n0 + {size} : {length}) - n0;");
            w.Line($"long firstWord = ((long)head * {length} + n0) * (HeadDim / 4); // the int8 tensors are (batch, head, token, dim)");
            if (spec.Tiles.Layout == LayoutKind.BHND)
            {
                w.Line("long first = firstWord * 4; // BHND: the block's rows are contiguous in the input too");
            }
            else
            {
                string heads = query ? "a.QueryHeads" : "a.KeyValueHeads", offset = query ? "QueryOffset" : "KeyOffset";
                w.Line($"int b = head / {heads};");
                w.Line($"long first = {offset}(a, b, head - b * {heads}, n0);");
                w.Line($"long rowStride = {offset}(a, b, head - b * {heads}, n0 + 1) - first;");
            }
            if (smooth)
                w.Line("long mean = (long)head * HeadDim; // (b * KeyValueHeads + kvh) * HeadDim");
            string rowStart = spec.Tiles.Layout == LayoutKind.BHND ? "first + (long)r * HeadDim" : "first + r * rowStride";
            string Value(int k) => smooth
                ? $"(float){tensor}[offset + {Int(k)}] - a.KeyMean[mean + d + {Int(k)}]"
                : $"(float){tensor}[offset + {Int(k)}]";
            void Loop(System.Action body)
            {
                using (w.Block("for (int word = lane; word < rows * (HeadDim / 4); word += lanes)"))
                {
                    w.Line("int r = word / (HeadDim / 4), d = (word - r * (HeadDim / 4)) * 4;");
                    w.Line($"long offset = {rowStart} + d;");
                    w.Line($"float x0 = {Value(0)}, x1 = {Value(1)};");
                    w.Line($"float x2 = {Value(2)}, x3 = {Value(3)};");
                    body();
                }
            }
            w.Line("float max = 0f;");
            Loop(() =>
            {
                for (int k = 0; k < 4; k++)
                    w.Line($"max = (x{Int(k)} < 0f ? -x{Int(k)} : x{Int(k)}) > max ? (x{Int(k)} < 0f ? -x{Int(k)} : x{Int(k)}) : max;");
            });
            w.Line($"float scale = {Rule}.Scale({Warp}.MaxToAll(max)); // every lane quantizes with it");
            w.Line("if (lane == 0)");
            w.Line($"    {scales}[local] = scale;");
            w.Line($"float inverse = {Rule}.InverseScale(scale);");
            Loop(() => w.Line($"{words}[firstWord + word] = {Rule}.PackScaled(x0, x1, x2, x3, inverse);"));
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
                w.Line("QuantizeInto(accelerator, ref __arguments, __quantized, queryShift: true);");
                w.Line("return __quantized;");
            }
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// Points the kernel arguments at <paramref name=\"quantized\"/> and launches the prologue that fills it from arguments.Query and");
            w.Line("/// arguments.Key; QueryShift only when <paramref name=\"queryShift\"/> (the LSE or score transforms read it, and Quantize's caller).");
            w.Line("/// </summary>");
            using (w.Block($"private static void QuantizeInto(global::ILGPU.Runtime.Accelerator accelerator, ref {KernelsClass}.Arguments arguments, global::AttnDsl.QuantizedInputs quantized, bool queryShift)"))
            {
                w.Line("arguments.QueryQuant = quantized.Query;");
                w.Line("arguments.KeyQuant = quantized.Key;");
                w.Line("arguments.QueryQuantWords = quantized.Query.Cast<uint>();");
                w.Line("arguments.KeyQuantWords = quantized.Key.Cast<uint>();");
                w.Line("arguments.QueryScales = quantized.QueryScales;");
                w.Line("arguments.KeyScales = quantized.KeyScales;");
                w.Line("arguments.KeyMean = quantized.KeyMean;");
                w.Line("arguments.QueryShift = quantized.QueryShift;");
                w.Line("arguments.MeanPartials = quantized.MeanPartials;");
                w.Line("arguments.QueryQuantBlocks = quantized.QueryBlocks;");
                w.Line("arguments.KeyQuantBlocks = quantized.KeyBlocks;");
                w.Line("arguments.MeanChunks = quantized.MeanChunks;");
                w.Line("arguments.LaneShift = global::System.Numerics.BitOperations.Log2((uint)accelerator.WarpSize);");
                string Load(string name) =>
                    $"{kernels}.Auxiliary(accelerator, \"{name}\", __a => global::ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<global::ILGPU.Index1D, {KernelsClass}.Arguments>(__a, {KernelsClass}.{name}))";
                w.Line("long __queryRows = (long)arguments.Batch * arguments.QueryHeads * arguments.QueryLength;");
                w.Line("long __keyRows = (long)arguments.Batch * arguments.KeyValueHeads * arguments.KeyLength;");
                w.Line("int __lanes = accelerator.WarpSize; // the row and block kernels give each row or block one warp");
                w.Line("long __threads = (__queryRows + __keyRows) * __lanes; // a bound on every launch below");
                w.Line("if (__threads > int.MaxValue)");
                w.Line("    throw new global::System.ArgumentOutOfRangeException(\"shape\", (__queryRows + __keyRows), $\"The [Quantize] prologue needs {__threads} threads for {__queryRows} query rows and {__keyRows} key rows; at most {int.MaxValue} are supported.\");");
                if (smooth)
                {
                    w.Line($"{Load("KeyMeanPartialKernel")}((int)quantized.MeanPartials.Length, arguments);");
                    w.Line($"{Load("KeyMeanKernel")}((int)quantized.KeyMean.Length * __lanes, arguments);");
                }
                else
                {
                    w.Line("if (queryShift)");
                    w.Line("    quantized.ClearSmoothing();");
                }
                w.Line($"{Load("BlockQuantizeKernel")}((int)(quantized.QueryScales.Length + quantized.KeyScales.Length) * __lanes, arguments);");
                if (smooth)
                {
                    w.Line("if (queryShift)");
                    w.Line($"    {Load("QueryShiftKernel")}((int)__queryRows * __lanes, arguments);");
                }
            }
            w.Line();
        }
    }
}
