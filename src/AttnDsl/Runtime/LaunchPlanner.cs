using System;
using AttnDsl.Rules;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>The kernel shape and launch sizes one call uses.</summary>
    /// <param name="Path">RowStreaming or Tiled.</param>
    /// <param name="Groups">Work groups (tiled path).</param>
    /// <param name="GroupThreads">Threads per group, one per query row of the tile (tiled path).</param>
    /// <param name="QueryBlocks">Query tiles per (batch, head) (tiled path).</param>
    public readonly record struct LaunchPlan(AttentionPath Path, int Groups, int GroupThreads, int QueryBlocks);

    /// <summary>Chooses the kernel shape that fits the accelerator a call is handed.</summary>
    public static class LaunchPlanner
    {
        /// <summary>
        /// Auto picks RowStreaming on ILGPU's CPU accelerator (its barriers are OS-thread barriers)
        /// and Tiled elsewhere when a group of up to BlockM threads and the K/V stage fit.
        /// </summary>
        public static LaunchPlan Plan(Accelerator accelerator, AttentionShape shape, AttentionSpecInfo spec, AttentionPath requested)
        {
            int threads = Math.Min(spec.BlockM, accelerator.MaxNumThreadsPerGroup);
            // [BlockSparse]: a tile must lie inside one query block of the mask, so its rows divide BlockM.
            while (spec.BlockSparse && threads > 1 && spec.BlockM % threads != 0)
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
                    throw new ArgumentOutOfRangeException("path", requested, "Expected AttentionPath.Auto, RowStreaming or Tiled.");
            }
        }

        /// <summary>Bytes of one element.</summary>
        public static int ElementSize(ElementType element) => element == ElementType.Float32 ? 4 : 2;
    }
}
