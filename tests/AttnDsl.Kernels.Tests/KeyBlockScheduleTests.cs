using System;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// The tile schedule under local masks only (causal, window): it holds every key block some row of the tile sees, and
    /// no block that no row sees. The tensor-core kernels of such specs take each scheduled step without a search.
    /// </summary>
    public sealed class KeyBlockScheduleTests
    {
        [Fact]
        public void LocalSchedule_HoldsExactlyTheBlocksSomeRowSees()
        {
            var random = new Random(20261125);
            int[] blockSizes = { 16, 32, 64, 128 };
            int scheduled = 0, skipped = 0;
            for (int trial = 0; trial < 4000; trial++)
            {
                int blockN = blockSizes[random.Next(blockSizes.Length)];
                int keyLength = random.Next(1, 1200), queryLength = random.Next(1, 1200);
                int blockM = blockSizes[random.Next(blockSizes.Length)];
                int i0 = random.Next(0, (queryLength + blockM - 1) / blockM) * blockM;
                int iLast = Math.Min(i0 + blockM, queryLength) - 1;
                int ia0 = MaskSemantics.AlignQuery(i0, queryLength, keyLength), ia1 = MaskSemantics.AlignQuery(iLast, queryLength, keyLength);
                bool causal = random.Next(2) == 0, window = random.Next(3) > 0 || !causal;
                int left = random.Next(5) == 0 ? int.MaxValue : random.Next(0, 600);
                int right = causal || random.Next(5) == 0 ? 0 : random.Next(0, 600); // Right > 0 under Causal is ATTN1007
                var schedule = KeyBlockSchedule.Create(ia0, ia1, keyLength, blockN, 0, causal, window, left, right);

                var inSchedule = new bool[(keyLength + blockN - 1) / blockN];
                for (int step = 0; step < schedule.Count; step++)
                    inSchedule[schedule.KeyBlock(step)] = true;
                for (int block = 0; block < inSchedule.Length; block++)
                {
                    int j0 = block * blockN, j1 = Math.Min(j0 + blockN, keyLength) - 1;
                    // A row's visible keys in the block are one interval (RowIntervalTests checks that key by key).
                    bool seen = false;
                    for (int ia = ia0; ia <= ia1 && !seen; ia++)
                    {
                        MaskSemantics.LocalInterval(ia, j0, j1, causal, window, left, right, out int lo, out int hi);
                        seen = hi >= lo;
                    }
                    Assert.True(seen == inSchedule[block],
                        $"block {block} (keys {j0}..{j1}) of rows {ia0}..{ia1}: seen {seen}, scheduled {inSchedule[block]} (causal {causal}, window {window} {left} {right})");
                    if (seen)
                    {
                        var local = MaskSemantics.And(
                            causal ? MaskSemantics.CausalBlock(ia0, ia1, j0, j1) : BlockClass.Full,
                            window ? MaskSemantics.WindowBlock(ia0, ia1, j0, j1, left, right) : BlockClass.Full);
                        Assert.NotEqual(BlockClass.Empty, local);
                        scheduled++;
                    }
                    else
                    {
                        skipped++;
                    }
                }
            }
            Assert.True(scheduled > 1000 && skipped > 1000, $"scheduled {scheduled}, skipped {skipped}");
        }
    }
}
