using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// Host-readable copies of views, for code that evaluates mods on the host (the generated
    /// <c>CreateReferenceArguments</c>): a view of a GPU buffer cannot be indexed from the host.
    /// </summary>
    public static class HostViews
    {
        private static readonly Lazy<Accelerator> s_host = new(() =>
            Context.Create(builder => builder.CPU()).CreateCPUAccelerator(0));

        /// <summary>
        /// <paramref name="view"/> itself when the host can read it (CPU accelerator, or empty), else a
        /// copy of its current contents in a CPU-accelerator buffer that lives as long as the view.
        /// </summary>
        public static ArrayView<T> ToHost<T>(ArrayView<T> view)
            where T : unmanaged
        {
            if (!view.IsValid || view.Length == 0 || view.GetAcceleratorType() == AcceleratorType.CPU)
                return view;
            var data = ((ArrayView1D<T, Stride1D.Dense>)view).GetAsArray1D();
            return s_host.Value.Allocate1D(data).View;
        }
    }
}
