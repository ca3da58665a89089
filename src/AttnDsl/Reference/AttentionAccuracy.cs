using System;

namespace AttnDsl
{
    /// <summary>How close an output is to a reference: the figures quantized-attention papers report.</summary>
    /// <param name="CosineSimilarity">cos(angle) between the two tensors taken as vectors (1 = same direction).</param>
    /// <param name="RelativeL1">sum |actual - reference| / sum |reference|.</param>
    /// <param name="MaxAbsError">The largest elementwise |actual - reference|.</param>
    public readonly record struct AccuracyReport(double CosineSimilarity, double RelativeL1, double MaxAbsError)
    {
        public override string ToString() =>
            FormattableString.Invariant($"cosine {CosineSimilarity:F6}, relative L1 {RelativeL1:F5}, max |error| {MaxAbsError:G3}");
    }

    /// <summary>Compares an attention output with a reference (e.g. <see cref="AttentionReference"/> on the unquantized inputs).</summary>
    public static class AttentionAccuracy
    {
        public static AccuracyReport Compare(ReadOnlySpan<double> reference, ReadOnlySpan<float> actual)
        {
            if (reference.Length != actual.Length)
                throw new ArgumentException($"actual has {actual.Length} elements; expected {reference.Length}, as many as the reference.", nameof(actual));
            double dot = 0, refNorm = 0, actNorm = 0, l1 = 0, refL1 = 0, max = 0;
            for (int x = 0; x < reference.Length; x++)
            {
                double r = reference[x], a = actual[x], e = Math.Abs(a - r);
                dot += r * a;
                refNorm += r * r;
                actNorm += a * a;
                l1 += e;
                refL1 += Math.Abs(r);
                max = Math.Max(max, double.IsNaN(e) ? double.PositiveInfinity : e);
            }
            double cosine = refNorm > 0 && actNorm > 0 ? dot / Math.Sqrt(refNorm * actNorm) : refNorm == actNorm ? 1 : 0;
            double relative = refL1 > 0 ? l1 / refL1 : l1 == 0 ? 0 : double.PositiveInfinity;
            return new AccuracyReport(cosine, relative, max);
        }
    }
}
