using System;

namespace AttnDsl
{
    /// <summary>ALiBi: score += <c>-slope_h * |i' - j|</c>, slopes as in the ALiBi paper (see <see cref="ScoreSemantics.AlibiSlope"/>).</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class AlibiAttribute : Attribute
    {
    }

    /// <summary>Gemma-2 soft capping on the scaled score: <c>Cap * tanh(score / Cap)</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class SoftCapAttribute : Attribute
    {
        public SoftCapAttribute(double cap) => Cap = cap;

        /// <summary>The cap; must be positive.</summary>
        public double Cap { get; }
    }

    /// <summary>
    /// Marks a static method <c>float S(float score, int batch, int head, int query, int key, ...tensors)</c>
    /// as a score modifier, applied after scaling (and ALiBi/soft-cap), before the softmax. Several
    /// score mods apply in declaration order. Returning <c>float.NegativeInfinity</c> masks the key.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class ScoreModAttribute : Attribute
    {
    }
}
