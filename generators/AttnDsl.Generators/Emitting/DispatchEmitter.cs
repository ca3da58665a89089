using System.Collections.Generic;
using System.Linq;
using AttnDsl.Generators.Model;
using static AttnDsl.Generators.Emitting.EmitNames;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>Host side of a spec: the Run overloads (validation, kernel choice, launch) and the reference bridge.</summary>
    internal static class DispatchEmitter
    {
        private const string Validation = "global::AttnDsl.Runtime.AttentionValidation";

        public static void Emit(CodeWriter w, KernelSpec spec)
        {
            var t = spec.Tiles;
            string elem = ElementType(t.Element);
            string view = View(elem);
            string runtimeParams = string.Concat(spec.RuntimeArguments.Select(a => $", {a.TypeName} {Id(a.Name)}"));
            string runtimeNames = string.Concat(spec.RuntimeArguments.Select(a => $", {Id(a.Name)}"));
            bool select = spec.Select is not null;
            // [BlockSelect]: the selection is an optional output, or an input with reuseSelection.
            string selectParams = select ? ", global::AttnDsl.BlockMask? selection = null, bool reuseSelection = false" : "";
            string selectNames = select ? ", selection, reuseSelection" : "";
            string head = $"global::ILGPU.Runtime.Accelerator accelerator, global::AttnDsl.AttentionShape shape, {view} query, {view} key, {view} value, {view} output{runtimeParams}";

            w.Line($"private static readonly global::AttnDsl.Runtime.KernelCache<{KernelsClass}.Arguments> s_kernels =");
            w.Line(TensorCoreKernelEmitter.Applies(spec)
                ? $"    new global::AttnDsl.Runtime.KernelCache<{KernelsClass}.Arguments>({KernelsClass}.RowKernel, {KernelsClass}.TiledKernel, {KernelsClass}.TensorCoreKernel<global::AttnDsl.TensorCores.CudaTarget>, {KernelsClass}.TensorCoreKernel<global::AttnDsl.TensorCores.EmulatedTarget>, " +
                    (TensorCoreKernelEmitter.Warpgroup(spec) ? $"{KernelsClass}.TensorCoreKernel<global::AttnDsl.TensorCores.WarpgroupTarget>, {KernelsClass}.TensorCoreKernel<global::AttnDsl.TensorCores.EmulatedWarpgroupTarget>, " : "") +
                    $"{KernelsClass}.TcSharedWords * 4);"
                : $"    new global::AttnDsl.Runtime.KernelCache<{KernelsClass}.Arguments>({KernelsClass}.RowKernel, {KernelsClass}.TiledKernel);");
            if (spec.Masks.DocumentMask && TensorCoreKernelEmitter.Applies(spec))
            {
                w.Line("/// <summary>[DocumentMask]: the key blocks' document ranges the tensor-core kernel reads, per accelerator, reused while large enough.</summary>");
                w.Line("private static readonly global::AttnDsl.Runtime.ScratchWorkspace<int> s_documentRanges = new global::AttnDsl.Runtime.ScratchWorkspace<int>();");
            }
            if (spec.ModBlockMask)
            {
                w.Line("/// <summary>[MaskMod]: the mods' block masks Run classifies on the device, per accelerator, shape and scalar arguments.</summary>");
                w.Line("private static readonly global::AttnDsl.Runtime.ModBlockMasks s_modBlocks = new global::AttnDsl.Runtime.ModBlockMasks();");
            }
            if (spec.Quantize is not null)
            {
                w.Line("/// <summary>[Quantize]: the int8 tensors Run writes and reads, per accelerator, reused while large enough.</summary>");
                w.Line("private static readonly global::AttnDsl.Runtime.QuantizationWorkspace s_quantized = new global::AttnDsl.Runtime.QuantizationWorkspace();");
            }
            w.Line();

            DocRun(w, spec);
            w.Line(GeneratedCode);
            w.Line($"public static void Run({head}, global::ILGPU.ArrayView<float> logSumExp = default{selectParams})");
            w.Line($"    => {spec.Type.GlobalName}.Run(accelerator, shape, query, key, value, output{runtimeNames}, logSumExp, global::AttnDsl.AttentionPath.Auto{selectNames});");
            w.Line();

            if (t.Element == ElementKind.Float16)
            {
                string sys = View("global::System.Half");
                w.Line("/// <summary>Same as the <see cref=\"global::ILGPU.Half\"/> overload, for views of <see cref=\"global::System.Half\"/> (same bits).</summary>");
                w.Line(GeneratedCode);
                w.Line($"public static void Run(global::ILGPU.Runtime.Accelerator accelerator, global::AttnDsl.AttentionShape shape, {sys} query, {sys} key, {sys} value, {sys} output{runtimeParams}, global::ILGPU.ArrayView<float> logSumExp = default{selectParams})");
                w.Line($"    => {spec.Type.GlobalName}.Run(accelerator, shape, query.Cast<global::ILGPU.Half>(), key.Cast<global::ILGPU.Half>(), value.Cast<global::ILGPU.Half>(), output.Cast<global::ILGPU.Half>(){runtimeNames}, logSumExp, global::AttnDsl.AttentionPath.Auto{selectNames});");
                w.Line();
            }

            w.Line("/// <summary>Runs the kernel with an explicit kernel shape (<see cref=\"global::AttnDsl.AttentionPath\"/>); see the other overload.</summary>");
            w.Line(GeneratedCode);
            using (w.Block($"public static void Run({head}, global::ILGPU.ArrayView<float> logSumExp, global::AttnDsl.AttentionPath path{selectParams})"))
            {
                w.Line("// Everything is checked before anything is launched.");
                w.Line($"{Validation}.ValidateShape(accelerator, shape, requireSelfAttention: {Bool(spec.Masks.DocumentMask)});");
                EmitTensorValidation(w, spec, valueAndOutput: true);
                if (spec.Masks.BlockSparse)
                    w.Line($"{Validation}.ValidateBlockMask(accelerator, blockMask, shape, {spec.Type.GlobalName}.Info, \"blockMask\");");
                EmitRuntimeValidation(w, spec);
                if (select)
                {
                    w.Line("if (reuseSelection)");
                    w.Line($"    {Validation}.ValidateBlockMask(accelerator, selection, shape, {spec.Type.GlobalName}.Info, \"selection\");");
                    w.Line("else if (selection is not null)");
                    w.Line($"    {Validation}.ValidateSelection(accelerator, selection, shape, {spec.Type.GlobalName}.Info, \"selection\");");
                }
                w.Line($"bool __writeLogSumExp = {Validation}.ValidateOptional(accelerator, logSumExp, shape.QueryRows, \"logSumExp\", \"(Batch, QueryHeads, QueryLength)\");");
                var inputs = new List<string> { "query", "key", "value" };
                inputs.AddRange(spec.RuntimeArguments.Where(a => a.IsView).Select(a => a.Name));
                if (spec.Masks.BlockSparse)
                    inputs.AddRange(BlockMaskViews.Select(v => "blockMask." + v));
                foreach (var input in inputs)
                    w.Line($"{Validation}.ValidateDisjoint({Id(input)}, {Literal(input)}, output, \"output\");");
                if (select)
                {
                    // The selection's lists are written before the attention kernel reads them, never while output is written.
                    using (w.Block("if (selection is not null)"))
                    {
                        foreach (var v in BlockMaskViews)
                            w.Line($"{Validation}.ValidateDisjoint(selection.{v}, \"selection.{v}\", output, \"output\");");
                    }
                }
                foreach (var input in inputs.Concat(new[] { "output" }))
                    w.Line($"{Validation}.ValidateDisjoint({Id(input)}, {Literal(input)}, logSumExp, \"logSumExp\");");
                w.Line();
                if (TensorCoreKernelEmitter.Applies(spec))
                {
                    string aligned = string.Join(" && ", new[] { "query", "key", "value", "output" }.Select(v => $"global::AttnDsl.Runtime.TensorCoreSupport.IsAligned({v})"));
                    w.Line($"bool __aligned = {aligned};");
                    w.Line($"var __plan = global::AttnDsl.Runtime.LaunchPlanner.Plan(accelerator, shape, {spec.Type.GlobalName}.Info, path, __aligned);");
                }
                else
                {
                    w.Line($"var __plan = global::AttnDsl.Runtime.LaunchPlanner.Plan(accelerator, shape, {spec.Type.GlobalName}.Info, path);");
                }
                using (w.Block($"var __arguments = new {KernelsClass}.Arguments", "};"))
                {
                    w.Line("Query = query,");
                    w.Line("Key = key,");
                    w.Line("Value = value,");
                    w.Line("Output = output,");
                    w.Line("LogSumExp = logSumExp,");
                    w.Line("WriteLogSumExp = __writeLogSumExp ? 1 : 0,");
                    EmitShapeFields(w, spec);
                    w.Line("QueryBlocks = __plan.QueryBlocks,");
                    if (spec.Masks.BlockSparse)
                        EmitMaskFields(w, "blockMask");
                }
                System.IDisposable? quantLock = null;
                if (spec.Quantize is not null)
                {
                    w.Line("// [Quantize]: the prologue fills this accelerator's int8 buffers; the lock keeps other calls off them until the attention launch is queued.");
                    w.Line($"var __slot = {spec.Type.GlobalName}.s_quantized.For(accelerator);");
                    quantLock = w.Block("lock (__slot)");
                    // The smoothing shift is read back only by the LSE and by score transforms (they see the unshifted score).
                    string shift = !spec.Quantize.SmoothKeys ? "false" : PortableKernelEmitter.HasScoreTransforms(spec) ? "true" : "__writeLogSumExp";
                    w.Line($"QuantizeInto(accelerator, ref __arguments, __slot.Get(shape, {KernelsClass}.HeadDim, {KernelsClass}.BlockM, {KernelsClass}.BlockN, {Bool(spec.Quantize.SmoothKeys)}), queryShift: {shift});");
                }
                if (select)
                {
                    w.Line("// [BlockSelect]: estimate into the caller's selection (or a temporary one), unless it is reused as given.");
                    w.Line($"var __mask = selection ?? global::AttnDsl.BlockMask.Allocate(accelerator, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, {KernelsClass}.BlockM, {KernelsClass}.BlockN);");
                    w.Line("if (!reuseSelection)");
                    w.Line("    SelectInto(accelerator, __arguments, __mask);");
                    EmitMaskFields(w, "__mask", assign: true);
                    using (w.Block("try"))
                        EmitLaunch(w, spec);
                    using (w.Block("finally"))
                    {
                        using (w.Block("if (selection is null)"))
                        {
                            w.Line("accelerator.Synchronize(); // the temporary selection is freed only after the kernels that read it");
                            w.Line("__mask.Dispose();");
                        }
                    }
                }
                else if (spec.ModBlockMask)
                {
                    EmitModBlockMask(w, spec);
                }
                else
                {
                    EmitLaunch(w, spec);
                }
                quantLock?.Dispose();
            }
            w.Line();
            BlockMaskEmitter.EmitHost(w, spec);
            if (spec.Quantize is not null)
                QuantizationEmitter.EmitHost(w, spec);
            EmitReferenceBridge(w, spec);
        }

        /// <summary>
        /// [MaskMod] without a given or estimated mask: the launch reads the mods' block mask, looked up per shape and scalar
        /// arguments, and classified on the device when new, or on every call when a mod reads a tensor.
        /// </summary>
        private static void EmitModBlockMask(CodeWriter w, KernelSpec spec)
        {
            var scalars = spec.MaskMods.SelectMany(m => m.Parameters).Where(p => !p.IsView).Select(p => Id(p.Name)).Distinct().ToList();
            string key = spec.ModBlockMaskPerCall || scalars.Count == 0 ? "null"
                : scalars.Count == 1 ? $"(object){scalars[0]}"
                : $"(object)({string.Join(", ", scalars)})";
            string heads = spec.ModBlockMaskPerHead ? "shape.QueryHeads" : "1";
            w.Line(spec.ModBlockMaskPerCall
                ? "// [MaskMod]: the kernels visit only the key blocks the mods leave visible. A mod reads a tensor, so its blocks are"
                : "// [MaskMod]: the kernels visit only the key blocks the mods leave visible, classified on the device once per shape");
            w.Line(spec.ModBlockMaskPerCall
                ? "// classified on every call; the lock keeps other calls off the mask until the attention launch is queued."
                : "// and scalar arguments; the lock keeps other calls off the mask until the attention launch is queued.");
            w.Line($"var __modMasks = {spec.Type.GlobalName}.s_modBlocks.For(accelerator);");
            using (w.Block("lock (__modMasks)"))
            {
                w.Line($"var __mask = __modMasks.Get(shape, {heads}, {spec.Type.GlobalName}.{KernelsClass}.BlockM, {spec.Type.GlobalName}.{KernelsClass}.BlockN, {key}, {(spec.ModBlockMaskPerCall ? "out _" : "out bool __classify")});");
                if (spec.ModBlockMaskPerCall)
                    w.Line("ClassifyInto(accelerator, __arguments, __mask); // every call: the tensors may have changed");
                else
                {
                    w.Line("if (__classify)");
                    w.Line("    ClassifyInto(accelerator, __arguments, __mask);");
                }
                EmitMaskFields(w, "__mask", assign: true);
                EmitLaunch(w, spec);
            }
        }

        private static void EmitLaunch(CodeWriter w, KernelSpec spec)
        {
                if (TensorCoreKernelEmitter.Applies(spec))
                {
                    using (w.Block("if (__plan.Path == global::AttnDsl.AttentionPath.TensorCore)"))
                    {
                        w.Line("__arguments.QueryWords = query.Cast<uint>();");
                        w.Line("__arguments.KeyWords = key.Cast<uint>();");
                        w.Line("__arguments.ValueWords = value.Cast<uint>();");
                        w.Line("__arguments.OutputWords = output.Cast<uint>();");
                        w.Line("__arguments.QueryAddress = global::AttnDsl.Runtime.TensorCoreSupport.Address(accelerator, query);");
                        w.Line("__arguments.KeyAddress = global::AttnDsl.Runtime.TensorCoreSupport.Address(accelerator, key);");
                        w.Line("__arguments.ValueAddress = global::AttnDsl.Runtime.TensorCoreSupport.Address(accelerator, value);");
                        w.Line("__arguments.OutputAddress = global::AttnDsl.Runtime.TensorCoreSupport.Address(accelerator, output);");
                        if (spec.Quantize is not null)
                        {
                            w.Line("__arguments.QueryQuantAddress = global::AttnDsl.Runtime.TensorCoreSupport.Address(accelerator, __arguments.QueryQuant);");
                            w.Line("__arguments.KeyQuantAddress = global::AttnDsl.Runtime.TensorCoreSupport.Address(accelerator, __arguments.KeyQuant);");
                        }
                        string launch = $"{spec.Type.GlobalName}.s_kernels.TensorCore(accelerator)(new global::ILGPU.KernelConfig(__plan.Groups, __plan.GroupThreads, global::ILGPU.SharedMemoryConfig.RequestDynamic<uint>({spec.Type.GlobalName}.{KernelsClass}.TcSharedWords)), __arguments);";
                        if (spec.Masks.DocumentMask)
                        {
                            w.Line("// [DocumentMask]: each key block's document range, computed once here, lets the kernel skip other documents' blocks");
                            w.Line("// 32 at a time; the lock keeps other calls off the ranges until the attention launch is queued.");
                            w.Line($"var __ranges = {spec.Type.GlobalName}.s_documentRanges.For(accelerator);");
                            using (w.Block("lock (__ranges)"))
                            {
                                w.Line($"__arguments.KeyBlocks = (shape.KeyLength + {KernelsClass}.BlockN - 1) / {KernelsClass}.BlockN;");
                                w.Line("long __rangeCount = (long)shape.Batch * __arguments.KeyBlocks; // a warp per range, four per group: the group count overflows only past 2^33 ranges (2^37 document ids at the smallest BlockN)");
                                w.Line($"__arguments.DocumentRanges = __ranges.Get({KernelsClass}.DocumentRangeInts * __rangeCount);");
                                w.Line($"{spec.Type.GlobalName}.s_kernels.Auxiliary(accelerator, \"DocumentRangeKernel\", __a => global::ILGPU.Runtime.KernelLoaders.LoadStreamKernel<{KernelsClass}.Arguments>(__a, {KernelsClass}.DocumentRangeKernel))(new global::ILGPU.KernelConfig((int)((__rangeCount + 3) / 4), 4 * accelerator.WarpSize), __arguments);");
                                w.Line(launch);
                            }
                        }
                        else
                        {
                            w.Line(launch);
                        }
                        w.Line("return;");
                    }
                }
                using (w.Block("if (__plan.Path == global::AttnDsl.AttentionPath.Tiled)"))
                    w.Line($"{spec.Type.GlobalName}.s_kernels.Tiled(accelerator)(new global::ILGPU.KernelConfig(__plan.Groups, __plan.GroupThreads), __arguments);");
                using (w.Block("else"))
                    w.Line($"{spec.Type.GlobalName}.s_kernels.RowStreaming(accelerator)((int)shape.QueryRows, __arguments);");
        }

        /// <summary>The parameters a spec adds to Run, as a parameter list tail; the [BlockSparse] mask only when asked.</summary>
        public static string RuntimeParameters(KernelSpec spec, bool blockMask = false) =>
            string.Concat(spec.RuntimeArguments.Where(a => blockMask || a.Source != "[BlockSparse]").Select(a => $", {a.TypeName} {Id(a.Name)}"));

        /// <summary>query, key (and value, output) against the shape.</summary>
        public static void EmitTensorValidation(CodeWriter w, KernelSpec spec, bool valueAndOutput)
        {
            var t = spec.Tiles;
            string qLayout = t.Layout == LayoutKind.BHND ? "Batch, QueryHeads, QueryLength" : "Batch, QueryLength, QueryHeads";
            string kLayout = t.Layout == LayoutKind.BHND ? "Batch, KeyValueHeads, KeyLength" : "Batch, KeyLength, KeyValueHeads";
            w.Line($"{Validation}.ValidateTensor(accelerator, query, shape.QueryElements({Int(t.HeadDim)}), \"query\", \"({qLayout}, {Int(t.HeadDim)})\");");
            w.Line($"{Validation}.ValidateTensor(accelerator, key, shape.KeyElements({Int(t.HeadDim)}), \"key\", \"({kLayout}, {Int(t.HeadDim)})\");");
            if (!valueAndOutput)
                return;
            w.Line($"{Validation}.ValidateTensor(accelerator, value, shape.KeyElements({Int(t.HeadDimV)}), \"value\", \"({kLayout}, {Int(t.HeadDimV)})\");");
            w.Line($"{Validation}.ValidateTensor(accelerator, output, shape.QueryElements({Int(t.HeadDimV)}), \"output\", \"({qLayout}, {Int(t.HeadDimV)})\");");
        }

        /// <summary>The runtime tensors of masks and mods (not the [BlockSparse] mask).</summary>
        public static void EmitRuntimeValidation(CodeWriter w, KernelSpec spec)
        {
            foreach (var a in spec.RuntimeArguments)
            {
                if (a.Source == "[PrefixLM]")
                    w.Line($"{Validation}.ValidateTensor(accelerator, prefixLength, shape.Batch, \"prefixLength\", \"(Batch)\");");
                else if (a.Source == "[DocumentMask]")
                    w.Line($"{Validation}.ValidateTensor(accelerator, documentIds, (long)shape.Batch * shape.KeyLength, \"documentIds\", \"(Batch, KeyLength)\");");
                else if (a.IsView)
                    w.Line($"{Validation}.ValidateModTensor(accelerator, {Id(a.Name)}, {Literal(a.Name)}, {Literal(a.Source)});");
            }
        }

        /// <summary>Initializer lines of the kernel arguments: the shape and (unless asked not to) the runtime arguments of masks and mods.</summary>
        public static void EmitShapeFields(CodeWriter w, KernelSpec spec, bool runtimeArguments = true)
        {
            w.Line("Batch = shape.Batch,");
            w.Line("QueryHeads = shape.QueryHeads,");
            w.Line("KeyValueHeads = shape.KeyValueHeads,");
            w.Line("QueryLength = shape.QueryLength,");
            w.Line("KeyLength = shape.KeyLength,");
            if (!runtimeArguments)
                return;
            foreach (var a in spec.RuntimeArguments.Where(a => a.Source != "[BlockSparse]"))
                w.Line($"{Field(a.Name)} = {Id(a.Name)},");
        }

        /// <summary>A BlockMask is a class: the kernel gets its four views and its row sizes.</summary>
        private static void EmitMaskFields(CodeWriter w, string mask, bool assign = false)
        {
            string pre = assign ? "__arguments." : "", post = assign ? ";" : ",";
            foreach (var v in BlockMaskViews)
                w.Line($"{pre}Sparse{v} = {mask}.{v}{post}");
            w.Line($"{pre}SparseHeads = {mask}.Heads{post}");
            w.Line($"{pre}SparseQueryBlocks = {mask}.QueryBlocks{post}");
            w.Line($"{pre}SparseKeyBlocks = {mask}.KeyBlocks{post}");
        }

        /// <summary>The device views of a <c>global::AttnDsl.BlockMask</c>, as its properties are named.</summary>
        public static readonly string[] BlockMaskViews = { "PartialCounts", "PartialIndices", "FullCounts", "FullIndices" };

        private static void DocRun(CodeWriter w, KernelSpec spec)
        {
            var t = spec.Tiles;
            w.Line("/// <summary>");
            w.Line($"/// Attention for this spec: output = softmax(mask(mods(scale * query . key^T))) . value, HeadDim {Int(t.HeadDim)}, HeadDimV {Int(t.HeadDimV)}, {t.Element}, {t.Layout}.");
            w.Line("/// Validates every argument before launching (ArgumentException naming the argument and the sizes), then");
            w.Line("/// launches asynchronously on the accelerator's default stream; the first call on an accelerator compiles the kernel.");
            w.Line("/// </summary>");
            w.Line("/// <param name=\"logSumExp\">Optional (Batch, QueryHeads, QueryLength) natural-log LSE; -inf for rows that see no key.</param>");
        }

        private static void EmitReferenceBridge(CodeWriter w, KernelSpec spec)
        {
            var parameters = spec.RuntimeArguments.Select(a => $"{a.TypeName} {Id(a.Name)}").ToList();
            if (spec.Select is not null)
                parameters.Add("global::AttnDsl.BlockMask selection");
            string args = string.Join(", ", parameters);
            w.Line("/// <summary>");
            w.Line("/// This spec's runtime arguments as <see cref=\"global::AttnDsl.AttentionReference\"/> inputs. The reference evaluates");
            w.Line("/// the mods on the host: tensors on a GPU are copied to host memory once, here.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            using (w.Block($"public static global::AttnDsl.ReferenceArguments CreateReferenceArguments({args})"))
            {
                foreach (var a in spec.RuntimeArguments.Where(a => a.IsView && a.Source[0] != '['))
                    w.Line($"var __host_{a.Name} = global::AttnDsl.Runtime.HostViews.ToHost({Id(a.Name)});");
                using (w.Block("return new global::AttnDsl.ReferenceArguments", "};"))
                {
                    if (spec.Masks.PrefixLM)
                        w.Line($"PrefixLength = global::ILGPU.Runtime.ArrayViewExtensions.GetAsArray1D<int>(prefixLength),");
                    if (spec.Masks.DocumentMask)
                        w.Line($"DocumentIds = global::ILGPU.Runtime.ArrayViewExtensions.GetAsArray1D<int>(documentIds),");
                    if (spec.Masks.BlockSparse)
                        w.Line("BlockMask = blockMask.ToHost(),");
                    if (spec.Select is not null)
                        w.Line("BlockMask = selection.ToHost(),");
                    if (spec.MaskMods.Count > 0)
                        w.Line("MaskMod = (__b, __h, __q, __k) => " + string.Join(" && ", spec.MaskMods.Select(m => HostModCall(spec, m, "__b, __h, __q, __k"))) + ",");
                    if (spec.ScoreMods.Count > 0)
                    {
                        string expr = "__s";
                        foreach (var m in spec.ScoreMods)
                            expr = HostModCall(spec, m, expr + ", __b, __h, __q, __k");
                        w.Line("ScoreMod = (__s, __b, __h, __q, __k) => " + expr + ",");
                    }
                }
            }
        }

        /// <summary>A call of a mod with the given leading arguments and its extra parameters, read from <paramref name="prefix"/>.</summary>
        public static string ModCall(KernelSpec spec, ModSpec mod, string leading, string prefix) =>
            $"{spec.Type.GlobalName}.{Id(mod.Name)}({leading}{string.Concat(mod.Parameters.Select(p => ", " + prefix + p.Name))})";

        /// <summary>A mod call in CreateReferenceArguments: views come from their host copies.</summary>
        private static string HostModCall(KernelSpec spec, ModSpec mod, string leading) =>
            $"{spec.Type.GlobalName}.{Id(mod.Name)}({leading}{string.Concat(mod.Parameters.Select(p => ", " + (p.IsView ? "__host_" + p.Name : Id(p.Name))))})";
    }
}
