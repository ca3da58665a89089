using System;
using AttnDsl.Rules;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>The kernel shape and launch sizes one call uses.</summary>
    /// <param name="Path">RowStreaming, Tiled or TensorCore.</param>
    /// <param name="Groups">Work groups (tiled and tensor-core paths).</param>
    /// <param name="GroupThreads">Threads per group: one per query row of the tile (tiled), 32 per warp (tensor-core).</param>
    /// <param name="QueryBlocks">Query tiles per (batch, head).</param>
    public readonly record struct LaunchPlan(AttentionPath Path, int Groups, int GroupThreads, int QueryBlocks);

    /// <summary>Chooses the kernel shape that fits the accelerator a call is handed.</summary>
    public static class LaunchPlanner
    {
        /// <summary>
        /// Auto picks RowStreaming on ILGPU's CPU accelerator (its barriers are OS-thread barriers)
        /// and Tiled elsewhere when a group of up to BlockM threads and the K/V stage fit.
        /// </summary>
        public static LaunchPlan Plan(Accelerator accelerator, AttentionShape shape, AttentionSpecInfo spec, AttentionPath requested) =>
            Plan(accelerator, shape, spec, requested, viewsAligned: true);

        /// <summary>
        /// As above; <paramref name="viewsAligned"/> says whether the tensors start on 16-byte boundaries, which
        /// the tensor-core path's 16-byte copies need (Auto falls back to the tiled kernel otherwise).
        /// </summary>
        public static LaunchPlan Plan(Accelerator accelerator, AttentionShape shape, AttentionSpecInfo spec, AttentionPath requested, bool viewsAligned)
        {
            string? tensorCoreProblem = TensorCoreProblem(accelerator, spec, viewsAligned);
            if (requested == AttentionPath.TensorCore || (requested == AttentionPath.Auto && tensorCoreProblem is null && accelerator.AcceleratorType == AcceleratorType.Cuda))
            {
                if (tensorCoreProblem is not null)
                    throw new NotSupportedException($"The tensor-core kernel of {spec.Name} cannot run here: {tensorCoreProblem}");
                int queryTiles = (shape.QueryLength + spec.BlockM - 1) / spec.BlockM;
                long tiles = (long)shape.Batch * shape.QueryHeads * queryTiles;
                if (tiles > int.MaxValue)
                    throw new ArgumentOutOfRangeException("shape", tiles, $"The tensor-core kernel needs {tiles} groups; at most {int.MaxValue} are supported.");
                var (warps, _) = ResourceEstimates.TensorCoreWarps(spec.BlockM, spec.BlockN, spec.HeadDimV);
                return new LaunchPlan(AttentionPath.TensorCore, (int)tiles, warps * 32, queryTiles);
            }

            int threads = Math.Min(spec.BlockM, accelerator.MaxNumThreadsPerGroup);
            // A block mask (given, estimated or the mods'): a tile must lie inside one query block of the mask, so its rows divide BlockM.
            while (spec.KernelsUseBlockMask && threads > 1 && spec.BlockM % threads != 0)
                threads--;
            int sharedBytes = ResourceEstimates.PortableSharedMemoryBytes(spec.BlockN, spec.HeadDim, spec.HeadDimV, ElementSize(spec.Element));
            bool tiledFits = threads >= 1 && sharedBytes <= accelerator.MaxSharedMemoryPerGroup;
            var path = requested;
            if (path == AttentionPath.Auto)
                path = accelerator.AcceleratorType == AcceleratorType.CPU || !tiledFits ? AttentionPath.RowStreaming : AttentionPath.Tiled;
            switch (path)
            {
                case AttentionPath.RowStreaming:
                    return new LaunchPlan(path, 0, 0, 0);
                case AttentionPath.Tiled:
                    if (!tiledFits)
                        throw new NotSupportedException(
                            $"The tiled kernel of {spec.Name} needs {sharedBytes} bytes of shared memory per group and {spec.BlockM} threads; " +
                            $"accelerator '{accelerator.Name}' offers {accelerator.MaxSharedMemoryPerGroup} bytes and {accelerator.MaxNumThreadsPerGroup} threads. " +
                            "Use AttentionPath.RowStreaming or AttentionPath.Auto on this accelerator.");
                    int queryBlocks = (shape.QueryLength + threads - 1) / threads;
                    long groups = (long)shape.Batch * shape.QueryHeads * queryBlocks;
                    if (groups > int.MaxValue)
                        throw new ArgumentOutOfRangeException("shape", groups, $"The tiled kernel needs {groups} groups; at most {int.MaxValue} are supported.");
                    return new LaunchPlan(path, (int)groups, threads, queryBlocks);
                default:
                    throw new ArgumentOutOfRangeException("path", requested, "Expected AttentionPath.Auto, RowStreaming, Tiled or TensorCore.");
            }
        }

        /// <summary>Why the tensor-core kernel cannot run for this spec on this accelerator; null when it can.</summary>
        public static string? TensorCoreProblem(Accelerator accelerator, AttentionSpecInfo spec, bool viewsAligned)
        {
            if (spec.Element == ElementType.Float32)
                return "it takes Float16 or BFloat16 tensors and the spec's Element is Float32. Use AttentionPath.Tiled or Auto.";
            int limit = TensorCoreSupport.SharedMemoryLimit(accelerator);
            if (limit == 0)
                return accelerator.AcceleratorType == AcceleratorType.CPU
                    ? $"it needs 32-lane warps and accelerator '{accelerator.Name}' has {accelerator.WarpSize}. Create the CPU accelerator with CPUDeviceKind.Nvidia, or use AttentionPath.Auto."
                    : $"it needs a CUDA device of compute capability 8.0 or newer; accelerator '{accelerator.Name}' is not one. Use AttentionPath.Auto.";
            var (warps, _) = ResourceEstimates.TensorCoreWarps(spec.BlockM, spec.BlockN, spec.HeadDimV);
            if (warps * 32 > accelerator.MaxNumThreadsPerGroup)
                return $"it needs {warps * 32} threads per group and accelerator '{accelerator.Name}' offers {accelerator.MaxNumThreadsPerGroup}.";
            long bytes = ResourceEstimates.TensorCoreSharedMemoryBytes(spec.BlockM, spec.BlockN, spec.HeadDim, spec.HeadDimV, ElementSize(spec.Element));
            if (bytes > limit)
                return $"it needs {bytes} bytes of shared memory per group and accelerator '{accelerator.Name}' allows {limit}. Choose smaller BlockM/BlockN.";
            if (!viewsAligned)
                return "its 16-byte copies need every tensor to start on a 16-byte boundary, and one does not (a sub-view at an odd offset).";
            return null;
        }

        /// <summary>Bytes of one element.</summary>
        public static int ElementSize(ElementType element) => element == ElementType.Float32 ? 4 : 2;
    }
}
