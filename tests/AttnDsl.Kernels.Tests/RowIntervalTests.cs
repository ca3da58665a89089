using System;
using AttnDsl.TensorCores;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// The closed-form mask words of the tensor-core kernel's partial blocks: <see cref="MaskSemantics.LocalInterval"/>
    /// holds exactly the keys <see cref="MaskSemantics.Causal"/> and <see cref="MaskSemantics.Window"/> show a row, and
    /// <see cref="Fragments.OutsideBits"/> (and its 32-bit form) sets exactly the bits of a lane's keys outside an interval.
    /// </summary>
    public sealed class RowIntervalTests
    {
        [Fact]
        public void LocalInterval_HoldsExactlyTheVisibleKeys()
        {
            var random = new Random(20261124);
            int empty = 0, cut = 0, whole = 0;
            for (int trial = 0; trial < 20000; trial++)
            {
                int j0 = random.Next(0, 200) * 16, j1 = j0 + random.Next(0, 128);
                int ia = j0 + random.Next(-300, 300);
                bool causal = random.Next(2) == 0, window = random.Next(3) > 0 || !causal;
                int left = random.Next(4) == 0 ? int.MaxValue : random.Next(0, 200);
                int right = random.Next(4) == 0 ? int.MaxValue : random.Next(-20, 200);
                MaskSemantics.LocalInterval(ia, j0, j1, causal, window, left, right, out int lo, out int hi);
                Assert.True(lo >= j0 && hi <= j1, $"[{lo}, {hi}] inside [{j0}, {j1}]");
                int visible = 0;
                for (int j = j0; j <= j1; j++)
                {
                    bool expected = (!causal || MaskSemantics.Causal(ia, j)) && (!window || MaskSemantics.Window(ia, j, left, right));
                    Assert.Equal(expected, j >= lo && j <= hi);
                    visible += expected ? 1 : 0;
                }
                if (visible == 0) empty++;
                else if (visible == j1 - j0 + 1) whole++;
                else cut++;
            }
            Assert.True(empty > 100 && cut > 100 && whole > 100, $"empty {empty}, cut {cut}, whole {whole}");
        }

        [Theory]
        [InlineData(4)]   // BlockN 16
        [InlineData(16)]  // BlockN 64
        [InlineData(32)]  // BlockN 128: every bit of a 32-bit word
        [InlineData(64)]  // BlockN 256: every bit of a 64-bit word
        public void OutsideBits_AreTheLanesKeysOutsideTheInterval(int count)
        {
            ulong every = 0;
            for (int e = 0; e < count; e++)
                every |= 1ul << e;
            Assert.Equal(every, Fragments.AllBits(count));
            var random = new Random(count);
            for (int trial = 0; trial < 5000; trial++)
            {
                int j0 = random.Next(0, 100) * 16, tq = random.Next(4);
                int span = count * 2; // the block's keys: count / 2 groups of 8
                int lo = j0 + random.Next(-10, span + 10), hi = random.Next(4) == 0 ? lo - 1 : lo + random.Next(-5, span + 10);
                ulong expected = 0;
                for (int e = 0; e < count; e++)
                {
                    int j = j0 + (e >> 1) * 8 + (e & 1) + 2 * tq;
                    if (j < lo || j > hi)
                        expected |= 1ul << e;
                }
                Assert.Equal(expected, Fragments.OutsideBits(lo, hi, j0, tq, count));
                if (count <= 32)
                    Assert.Equal((uint)expected, Fragments.OutsideBits32(lo, hi, j0, tq, count));
            }
        }
    }
}
