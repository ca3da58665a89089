using AttnDsl.Generators.Model;
using static AttnDsl.Generators.Emitting.EmitNames;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>
    /// Device-side block masks of a spec that runs on a BlockMask: the classification of (query block, key block)
    /// pairs under the spec's own masks ([MaskMod]s evaluated element by element, so no N x N tensor exists),
    /// and for [BlockSelect] the estimator (mean pooling, pooled scores, ranking and the selection rule).
    /// The kernels write <c>BlockMask.Classes</c>; <c>BlockMaskBuilder.Compact</c> lists them.
    /// </summary>
    internal static class BlockMaskEmitter
    {
        private const string Builder = "global::AttnDsl.Runtime.BlockMaskBuilder";

        public static void EmitKernels(CodeWriter w, KernelSpec spec, string elem)
        {
            EmitSpecBlock(w, spec);
            EmitClassifyKernel(w);
            if (spec.Select is { } select)
            {
                w.Line("/// <summary>[BlockSelect]: pooled scores are mean(q) . mean(k) * Scale * log2(e), base 2 like the kernels' scores.</summary>");
                w.Line($"public const float SelectScale = {Float(spec.Tiles.Scale * 1.4426950408889634)};");
                w.Line();
                EmitPoolKernel(w);
                EmitScoreKernel(w);
                EmitSelectKernel(w, select);
            }
        }

        private static void EmitSpecBlock(CodeWriter w, KernelSpec spec)
        {
            var m = spec.Masks;
            w.Line("/// <summary>");
            w.Line("/// The class of key block <paramref name=\"keyBlock\"/> for query block <paramref name=\"queryBlock\"/> (BlockM rows) under the");
            w.Line("/// spec's own masks: the kernels' analytic block classes, with [MaskMod] blocks tested element by element.");
            w.Line("/// </summary>");
            using (w.Block($"public static {BlockClass} SpecBlock(in Arguments a, int b, int h, int queryBlock, int keyBlock)"))
            {
                w.Line("int i0 = queryBlock * BlockM;");
                w.Line("int iLast = (i0 + BlockM < a.QueryLength ? i0 + BlockM : a.QueryLength) - 1;");
                w.Line("int j0 = keyBlock * BlockN;");
                w.Line("int j1 = (j0 + BlockN < a.KeyLength ? j0 + BlockN : a.KeyLength) - 1;");
                w.Line($"int ia0 = {Masks}.AlignQuery(i0, a.QueryLength, a.KeyLength);");
                w.Line($"int ia1 = {Masks}.AlignQuery(iLast, a.QueryLength, a.KeyLength);");
                if (m.DocumentMask)
                    w.Line($"{Masks}.IdRange(a.{Field("documentIds")}, (long)b * a.KeyLength + i0, iLast - i0 + 1, out int queryDocumentMin, out int queryDocumentMax);");
                else
                    w.Line("int queryDocumentMin = 0, queryDocumentMax = 0;");
                w.Line($"{BlockClass} block = ClassifyBlock(a, b, ia0, ia1, j0, j1, queryDocumentMin, queryDocumentMax);");
                if (spec.MaskMods.Count > 0)
                {
                    w.Line("if (block != " + BlockClass + ".Partial)");
                    w.Line("    return block;");
                    w.Line("// A custom mask is opaque to the analysis: test every pair, stop once both kinds are seen.");
                    w.Line("bool seen = false, hidden = false;");
                    using (w.Block("for (int i = i0; i <= iLast; i++)"))
                    {
                        w.Line($"int ia = {Masks}.AlignQuery(i, a.QueryLength, a.KeyLength);");
                        w.Line(m.DocumentMask ? $"int queryDocument = a.{Field("documentIds")}[(long)b * a.KeyLength + i];" : "int queryDocument = 0;");
                        using (w.Block("for (int j = j0; j <= j1; j++)"))
                        {
                            w.Line("if (Visible(a, b, h, i, ia, j, queryDocument))");
                            w.Line("    seen = true;");
                            w.Line("else");
                            w.Line("    hidden = true;");
                            w.Line("if (seen && hidden)");
                            w.Line($"    return {BlockClass}.Partial;");
                        }
                    }
                    w.Line($"return seen ? {BlockClass}.Full : {BlockClass}.Empty;");
                }
                else
                {
                    w.Line("return block;");
                }
            }
            w.Line();
        }

        private static void EmitClassifyKernel(CodeWriter w)
        {
            w.Line("/// <summary>One thread per (batch, head, query block, key block): the class under the spec's masks, into a BlockMask's Classes.</summary>");
            using (w.Block("public static void ClassifyKernel(global::ILGPU.Index1D index, Arguments a, global::ILGPU.ArrayView<byte> classes, int heads, int queryBlocks, int keyBlocks)"))
            {
                w.Line("int at = index;");
                w.Line("int k = at % keyBlocks;");
                w.Line("int q = at / keyBlocks % queryBlocks;");
                w.Line("int h = at / keyBlocks / queryBlocks % heads;");
                w.Line("int b = at / keyBlocks / queryBlocks / heads;");
                w.Line("classes[at] = (byte)SpecBlock(a, b, h, q, k);");
            }
            w.Line();
        }

        private static void EmitPoolKernel(CodeWriter w)
        {
            w.Line("/// <summary>");
            w.Line("/// One thread per (batch, head, block, d in [0, HeadDim / 2)): the means of dims d and d + HeadDim / 2 over the block's query");
            w.Line("/// rows (<paramref name=\"keys\"/> = 0, BlockM rows, QueryHeads) or key rows (1, BlockN rows, KeyValueHeads), each summed in");
            w.Line("/// row order.");
            w.Line("/// </summary>");
            using (w.Block("public static void PoolKernel(global::ILGPU.Index1D index, Arguments a, global::ILGPU.ArrayView<float> pooled, int keys)"))
            {
                w.Line("const int half = HeadDim / 2;");
                w.Line("int at = index;");
                w.Line("int size = keys != 0 ? BlockN : BlockM;");
                w.Line("int length = keys != 0 ? a.KeyLength : a.QueryLength;");
                w.Line("int heads = keys != 0 ? a.KeyValueHeads : a.QueryHeads;");
                w.Line("int blocks = (length + size - 1) / size;");
                w.Line("int d = at % half;");
                w.Line("int block = at / half % blocks;");
                w.Line("int h = at / half / blocks % heads;");
                w.Line("int b = at / half / blocks / heads;");
                w.Line("var rows = keys != 0 ? a.Key : a.Query;");
                w.Line("int first = block * size;");
                w.Line("int end = first + size < length ? first + size : length;");
                w.Line("float low = 0f, high = 0f;");
                w.Line("long row = keys != 0 ? KeyOffset(a, b, h, first) : QueryOffset(a, b, h, first);");
                w.Line("long stride = (keys != 0 ? KeyOffset(a, b, h, first + 1) : QueryOffset(a, b, h, first + 1)) - row; // between consecutive rows");
                w.Line("int i = first;");
                w.Line("// Four rows' loads are issued before they are added, still in row order: eight reads in flight, the same sums.");
                using (w.Block("for (; i + 3 < end; i += 4, row += 4 * stride)"))
                {
                    w.Line("float l0 = (float)rows[row + d], h0 = (float)rows[row + half + d];");
                    w.Line("float l1 = (float)rows[row + stride + d], h1 = (float)rows[row + stride + half + d];");
                    w.Line("float l2 = (float)rows[row + 2 * stride + d], h2 = (float)rows[row + 2 * stride + half + d];");
                    w.Line("float l3 = (float)rows[row + 3 * stride + d], h3 = (float)rows[row + 3 * stride + half + d];");
                    w.Line("low += l0; low += l1; low += l2; low += l3;");
                    w.Line("high += h0; high += h1; high += h2; high += h3;");
                }
                using (w.Block("for (; i < end; i++, row += stride)"))
                {
                    w.Line("low += (float)rows[row + d];");
                    w.Line("high += (float)rows[row + half + d];");
                }
                w.Line("long to = (long)(at / half) * HeadDim + d;");
                w.Line("pooled[to] = low / (end - first);");
                w.Line("pooled[to + half] = high / (end - first);");
            }
            w.Line();
        }

        private static void EmitScoreKernel(CodeWriter w)
        {
            w.Line("/// <summary>The class of block (q, k) for ScoreKernel: the spec's, Empty outside the grid of blocks.</summary>");
            w.Line(Inline);
            w.Line($"public static {BlockClass} TileBlock(in Arguments a, int b, int h, int q, int k, int queryBlocks, int keyBlocks) =>");
            w.Line($"    q < queryBlocks && k < keyBlocks ? SpecBlock(a, b, h, q, k) : {BlockClass}.Empty;");
            w.Line();
            w.Line("/// <summary>Stores ScoreKernel's pooled score of block (q, k) at <paramref name=\"at\"/> with its class: -inf where the masks hide the block; nothing outside the grid.</summary>");
            w.Line(Inline);
            using (w.Block($"public static void StoreScore(global::ILGPU.ArrayView<float> scores, global::ILGPU.ArrayView<byte> classes, long at, int q, int k, int queryBlocks, int keyBlocks, {BlockClass} block, float dot)"))
            {
                w.Line("if (q >= queryBlocks || k >= keyBlocks)");
                w.Line("    return;");
                w.Line($"scores[at] = block == {BlockClass}.Empty ? float.NegativeInfinity : dot * SelectScale;");
                w.Line("classes[at] = (byte)block;");
            }
            w.Line();
            w.Line("/// <summary>");
            w.Line("/// A group computes a tile x tile square of pooled scores of one (batch, head) from pooled rows staged in shared memory");
            w.Line("/// (rows padded by one float against bank conflicts), a thread per 2 x 2 of it: query rows r and r + tile / 2 against key");
            w.Line("/// rows c and c + tile / 2, so that each shared load feeds two products. score = sum over d in order of q[d] * k[d], times");
            w.Line("/// SelectScale; -inf and Empty where the spec's masks hide the whole block. Writes the scores and the classes.");
            w.Line("/// </summary>");
            using (w.Block("public static void ScoreKernel(Arguments a, global::ILGPU.ArrayView<float> pooledQuery, global::ILGPU.ArrayView<float> pooledKey, global::ILGPU.ArrayView<float> scores, global::ILGPU.ArrayView<byte> classes, int tile, int queryBlocks, int keyBlocks)"))
            {
                w.Line("var shared = global::ILGPU.SharedMemory.GetDynamic<float>();");
                w.Line("const int stride = HeadDim + 1;");
                w.Line("int t = global::ILGPU.Group.IdxX;");
                w.Line("int half = tile / 2;");
                w.Line("int tilesQ = (queryBlocks + tile - 1) / tile;");
                w.Line("int tilesK = (keyBlocks + tile - 1) / tile;");
                w.Line("int g = global::ILGPU.Grid.IdxX;");
                w.Line("int k0 = g % tilesK * tile;");
                w.Line("int q0 = g / tilesK % tilesQ * tile;");
                w.Line("int h = g / tilesK / tilesQ % a.QueryHeads;");
                w.Line("int b = g / tilesK / tilesQ / a.QueryHeads;");
                w.Line("int kvh = h / (a.QueryHeads / a.KeyValueHeads);");
                w.Line("int r = t / half, c = t % half;");
                w.Line("int q = q0 + r, k = k0 + c;");
                w.Line("// This thread's blocks: (q, k), (q, k + half), (q + half, k), (q + half, k + half).");
                w.Line($"{BlockClass} block00 = TileBlock(a, b, h, q, k, queryBlocks, keyBlocks);");
                w.Line($"{BlockClass} block01 = TileBlock(a, b, h, q, k + half, queryBlocks, keyBlocks);");
                w.Line($"{BlockClass} block10 = TileBlock(a, b, h, q + half, k, queryBlocks, keyBlocks);");
                w.Line($"{BlockClass} block11 = TileBlock(a, b, h, q + half, k + half, queryBlocks, keyBlocks);");
                w.Line("long at = (((long)b * a.QueryHeads + h) * queryBlocks + q) * keyBlocks + k;");
                w.Line("long down = (long)half * keyBlocks;");
                w.Line($"bool visible = block00 != {BlockClass}.Empty || block01 != {BlockClass}.Empty || block10 != {BlockClass}.Empty || block11 != {BlockClass}.Empty;");
                w.Line("// A tile the masks hide whole (above the causal diagonal, say) needs no pooled rows.");
                using (w.Block("if (!global::ILGPU.Group.BarrierOr(visible))"))
                {
                    w.Line($"StoreScore(scores, classes, at, q, k, queryBlocks, keyBlocks, {BlockClass}.Empty, 0f);");
                    w.Line($"StoreScore(scores, classes, at + half, q, k + half, queryBlocks, keyBlocks, {BlockClass}.Empty, 0f);");
                    w.Line($"StoreScore(scores, classes, at + down, q + half, k, queryBlocks, keyBlocks, {BlockClass}.Empty, 0f);");
                    w.Line($"StoreScore(scores, classes, at + down + half, q + half, k + half, queryBlocks, keyBlocks, {BlockClass}.Empty, 0f);");
                    w.Line("return;");
                }
                using (w.Block("for (int e = t; e < tile * HeadDim; e += half * half)"))
                {
                    w.Line("int row = e / HeadDim, d = e % HeadDim;");
                    w.Line("shared[row * stride + d] = q0 + row < queryBlocks ? pooledQuery[(((long)b * a.QueryHeads + h) * queryBlocks + q0 + row) * HeadDim + d] : 0f;");
                    w.Line("shared[(tile + row) * stride + d] = k0 + row < keyBlocks ? pooledKey[(((long)b * a.KeyValueHeads + kvh) * keyBlocks + k0 + row) * HeadDim + d] : 0f;");
                }
                w.Line("global::ILGPU.Group.Barrier();");
                w.Line("int qs = r * stride, ks = (tile + c) * stride, jump = half * stride;");
                w.Line("float dot00 = 0f, dot01 = 0f, dot10 = 0f, dot11 = 0f;");
                using (w.Block("for (int d = 0; d < HeadDim; d++)"))
                {
                    w.Line("float x0 = shared[qs + d], x1 = shared[qs + jump + d];");
                    w.Line("float y0 = shared[ks + d], y1 = shared[ks + jump + d];");
                    w.Line("dot00 += x0 * y0;");
                    w.Line("dot01 += x0 * y1;");
                    w.Line("dot10 += x1 * y0;");
                    w.Line("dot11 += x1 * y1;");
                }
                w.Line("StoreScore(scores, classes, at, q, k, queryBlocks, keyBlocks, block00, dot00);");
                w.Line("StoreScore(scores, classes, at + half, q, k + half, queryBlocks, keyBlocks, block01, dot01);");
                w.Line("StoreScore(scores, classes, at + down, q + half, k, queryBlocks, keyBlocks, block10, dot10);");
                w.Line("StoreScore(scores, classes, at + down + half, q + half, k + half, queryBlocks, keyBlocks, block11, dot11);");
            }
            w.Line();
        }

        private static void EmitSelectKernel(CodeWriter w, BlockSelectSpec select)
        {
            const string bits = "global::ILGPU.Interop.FloatAsInt";
            const string value = "global::ILGPU.Interop.IntAsFloat";
            w.Line("/// <summary>");
            w.Line("/// A group per (batch, head, query block): ranks the row's key blocks by pooled score (ties: lower key block first) with a");
            w.Line("/// bitonic sort in shared memory, keeps the rule's prefix of the ranking plus the forced blocks, sets the others Empty,");
            w.Line("/// and writes the row's partial and full lists in key-block order. Only the span from the row's first to its last block");
            w.Line("/// the masks leave visible is sorted and listed, padded with -inf to a power of two: a causal row sorts its prefix.");
            w.Line("/// </summary>");
            using (w.Block("public static void SelectKernel(Arguments a, global::ILGPU.ArrayView<float> scores, global::ILGPU.ArrayView<byte> classes, global::ILGPU.ArrayView<int> partialCounts, global::ILGPU.ArrayView<int> partialIndices, global::ILGPU.ArrayView<int> fullCounts, global::ILGPU.ArrayView<int> fullIndices, int queryBlocks, int keyBlocks, int sortLength)"))
            {
                w.Line("var shared = global::ILGPU.SharedMemory.GetDynamic<int>();");
                w.Line("var keys = shared.SubView(0, sortLength);");
                w.Line("var order = shared.SubView(sortLength, sortLength);");
                w.Line("var span = shared.SubView(2 * sortLength, 2);");
                w.Line("int t = global::ILGPU.Group.IdxX;");
                w.Line("int threads = global::ILGPU.Group.DimX;");
                w.Line("long row = global::ILGPU.Grid.IdxX;");
                w.Line("int q = (int)(row % queryBlocks);");
                w.Line("long start = row * keyBlocks;");
                w.Line("// The span [first, last] of the blocks the masks leave visible (not Empty): it holds every candidate and every block");
                w.Line("// the lists can hold; blocks outside it are Empty already.");
                using (w.Block("if (t == 0)"))
                {
                    w.Line("span[0] = keyBlocks;");
                    w.Line("span[1] = -1;");
                }
                w.Line("global::ILGPU.Group.Barrier();");
                w.Line("int lowest = keyBlocks, highest = -1;");
                using (w.Block("for (int k = t; k < keyBlocks; k += threads)"))
                {
                    using (w.Block($"if (classes[start + k] != (byte){BlockClass}.Empty)"))
                    {
                        w.Line("if (highest < 0)");
                        w.Line("    lowest = k;");
                        w.Line("highest = k;");
                    }
                }
                using (w.Block("if (highest >= 0)"))
                {
                    w.Line("global::ILGPU.Atomic.Min(ref span[0], lowest);");
                    w.Line("global::ILGPU.Atomic.Max(ref span[1], highest);");
                }
                w.Line("global::ILGPU.Group.Barrier();");
                w.Line("int first = span[0], last = span[1];");
                using (w.Block("if (last < 0)"))
                {
                    using (w.Block("if (t == 0)"))
                    {
                        w.Line("partialCounts[row] = 0;");
                        w.Line("fullCounts[row] = 0;");
                    }
                    w.Line("return;");
                }
                w.Line("int length = last - first + 1;");
                w.Line("int sorted = 1;");
                w.Line("while (sorted < length)");
                w.Line("    sorted <<= 1;");
                using (w.Block("for (int e = t; e < sorted; e += threads)"))
                {
                    w.Line($"keys[e] = (int){bits}(e < length ? scores[start + first + e] : float.NegativeInfinity);");
                    w.Line("order[e] = first + e;");
                }
                w.Line("global::ILGPU.Group.Barrier();");
                using (w.Block("for (int size = 2; size <= sorted; size <<= 1)"))
                using (w.Block("for (int stride = size >> 1; stride > 0; stride >>= 1)"))
                {
                    using (w.Block("for (int e = t; e < sorted / 2; e += threads)"))
                    {
                        w.Line("int lo = 2 * e - (e & (stride - 1));");
                        w.Line("int hi = lo + stride;");
                        w.Line($"float sl = {value}((uint)keys[lo]), sh = {value}((uint)keys[hi]);");
                        w.Line("int ol = order[lo], oh = order[hi];");
                        w.Line("bool highFirst = sh > sl || (sh == sl && oh < ol);");
                        w.Line("bool lowFirst = sl > sh || (sl == sh && ol < oh);");
                        w.Line("// Runs with (lo & size) == 0 sort best-first, the others worst-first; the last pass merges all best-first.");
                        using (w.Block("if ((lo & size) == 0 ? highFirst : lowFirst)"))
                        {
                            w.Line($"keys[lo] = (int){bits}(sh);");
                            w.Line($"keys[hi] = (int){bits}(sl);");
                            w.Line("order[lo] = oh;");
                            w.Line("order[hi] = ol;");
                        }
                    }
                    w.Line("global::ILGPU.Group.Barrier();");
                }
                w.Line("// Candidates (blocks the masks leave visible) rank first: every thread finds the first -inf by bisection.");
                w.Line("int candidates = 0, end = length;");
                using (w.Block("while (candidates < end)"))
                {
                    w.Line("int mid = (candidates + end) >> 1;");
                    w.Line($"if ({value}((uint)keys[mid]) > float.NegativeInfinity)");
                    w.Line("    candidates = mid + 1;");
                    w.Line("else");
                    w.Line("    end = mid;");
                }
                if (select.TopK > 0)
                {
                    w.Line($"int kept = candidates < {Int(select.TopK)} ? candidates : {Int(select.TopK)};");
                    w.Line("global::ILGPU.Group.Barrier(); // keys is reused below");
                }
                else if (select.TopFraction > 0)
                {
                    w.Line("// ceil(TopFraction * candidates), at least one block of a row that has any.");
                    w.Line($"double wanted = {Double(select.TopFraction)} * candidates;");
                    w.Line("int kept = (int)wanted;");
                    w.Line("if (kept < wanted)");
                    w.Line("    kept++;");
                    w.Line("if (kept < 1 && candidates > 0)");
                    w.Line("    kept = 1;");
                    w.Line("if (kept > candidates)");
                    w.Line("    kept = candidates;");
                    w.Line("global::ILGPU.Group.Barrier(); // keys is reused below");
                }
                else
                {
                    w.Line("// The shortest prefix whose share of the softmax over the pooled scores reaches CumulativeMass. The terms");
                    w.Line("// exp2(score - best) in parallel; their running sums in rank order by one thread (the sum the rule is defined by);");
                    w.Line("// the first running sum that reaches the target by bisection (sums of terms >= 0 never decrease).");
                    w.Line($"float best = candidates > 0 ? {value}((uint)keys[0]) : 0f;");
                    w.Line("global::ILGPU.Group.Barrier(); // every thread has read the scores it needs");
                    w.Line("for (int r = t; r < candidates; r += threads)");
                    w.Line($"    keys[r] = (int){bits}({Math}.Exp2({value}((uint)keys[r]) - best));");
                    w.Line("global::ILGPU.Group.Barrier();");
                    using (w.Block("if (t == 0)"))
                    {
                        w.Line("float total = 0f;");
                        using (w.Block("for (int r = 0; r < candidates; r++)"))
                        {
                            w.Line($"total += {value}((uint)keys[r]);");
                            w.Line($"keys[r] = (int){bits}(total);");
                        }
                        w.Line($"float target = {Float(select.CumulativeMass)} * total;");
                        w.Line("int reached = 0;");
                        w.Line("end = candidates;");
                        using (w.Block("while (reached < end)"))
                        {
                            w.Line("int mid = (reached + end) >> 1;");
                            w.Line($"if ({value}((uint)keys[mid]) >= target)");
                            w.Line("    end = mid;");
                            w.Line("else");
                            w.Line("    reached = mid + 1;");
                        }
                        w.Line("span[0] = reached < candidates ? reached + 1 : candidates; // the span was read: it passes the count to the group");
                    }
                    w.Line("global::ILGPU.Group.Barrier();");
                    w.Line("int kept = span[0];");
                }
                w.Line("int i0 = q * BlockM;");
                w.Line("int iLast = (i0 + BlockM < a.QueryLength ? i0 + BlockM : a.QueryLength) - 1;");
                w.Line($"int ia0 = {Masks}.AlignQuery(i0, a.QueryLength, a.KeyLength);");
                w.Line($"int ia1 = {Masks}.AlignQuery(iLast, a.QueryLength, a.KeyLength);");
                w.Line("// Per block of the span: 1 for a kept Partial block, 1 << 16 for a kept Full one; a prefix sum of these places each in its list.");
                using (w.Block("for (int r = t; r < sorted; r += threads)"))
                {
                    w.Line("int k = order[r];");
                    w.Line("int listed = 0;");
                    using (w.Block("if (k <= last) // not padding"))
                    {
                        string forced = "false";
                        if (select.KeepSinkBlocks > 0)
                            forced = $"k < {Int(select.KeepSinkBlocks)}";
                        if (select.KeepDiagonal)
                            forced = (forced == "false" ? "" : forced + " || ") + "(k * BlockN <= ia1 && k * BlockN + BlockN - 1 >= ia0)";
                        w.Line($"bool forced = {forced}; // KeepSinkBlocks, KeepDiagonal (blocks holding the rows' aligned positions)");
                        w.Line("byte block = classes[start + k];");
                        w.Line("if (r < kept || forced)");
                        w.Line($"    listed = block == (byte){BlockClass}.Partial ? 1 : block == (byte){BlockClass}.Full ? 1 << 16 : 0;");
                        w.Line("else");
                        w.Line($"    classes[start + k] = (byte){BlockClass}.Empty;");
                    }
                    w.Line("keys[k - first] = listed;");
                }
                w.Line("global::ILGPU.Group.Barrier();");
                w.Line("// Inclusive prefix sum (Hillis-Steele), ping-ponging between keys and order; scanIn holds the result.");
                w.Line("var scanIn = keys;");
                w.Line("var scanOut = order;");
                using (w.Block("for (int offset = 1; offset < sorted; offset <<= 1)"))
                {
                    w.Line("for (int e = t; e < sorted; e += threads)");
                    w.Line("    scanOut[e] = scanIn[e] + (e >= offset ? scanIn[e - offset] : 0);");
                    w.Line("global::ILGPU.Group.Barrier();");
                    w.Line("var swap = scanIn;");
                    w.Line("scanIn = scanOut;");
                    w.Line("scanOut = swap;");
                }
                using (w.Block("for (int e = t; e < length; e += threads)"))
                {
                    w.Line("int sum = scanIn[e];");
                    w.Line("int listed = sum - (e > 0 ? scanIn[e - 1] : 0);");
                    w.Line("if (listed == 1)");
                    w.Line("    partialIndices[start + (sum & 0xFFFF) - 1] = first + e;");
                    w.Line("else if (listed == 1 << 16)");
                    w.Line("    fullIndices[start + (sum >> 16) - 1] = first + e;");
                }
                using (w.Block("if (t == 0)"))
                {
                    w.Line("partialCounts[row] = scanIn[sorted - 1] & 0xFFFF;");
                    w.Line("fullCounts[row] = scanIn[sorted - 1] >> 16;");
                }
            }
            w.Line();
        }

        // ---------------------------------------------------------------- host side

        /// <summary>
        /// Host methods: the private <c>ClassifyInto</c> (the spec's masks into a BlockMask) for [BlockSparse] specs, whose
        /// <c>CreateBlockMask</c> calls it, and for [MaskMod] specs, whose <c>Run</c> does; <c>Select</c> and the private
        /// <c>SelectInto</c> that <c>Run</c> calls for [BlockSelect] specs.
        /// </summary>
        public static void EmitHost(CodeWriter w, KernelSpec spec)
        {
            string runtimeParams = DispatchEmitter.RuntimeParameters(spec);
            string classify = $"{spec.Type.GlobalName}.s_kernels.Auxiliary(accelerator, \"Classify\", __a => global::ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<global::ILGPU.Index1D, {KernelsClass}.Arguments, global::ILGPU.ArrayView<byte>, int, int, int>(__a, {KernelsClass}.ClassifyKernel))";
            if (spec.Masks.BlockSparse || spec.ModBlockMask)
            {
                string heads = spec.Masks.BlockSparse ? "mask.Heads rows per batch (one, evaluated at head 0, or one per query head)"
                    : spec.ModBlockMaskPerHead ? "one row per query head (a mod reads its head)"
                    : "one row for all heads (no mod reads its head; evaluated at head 0)";
                w.Line("/// <summary>");
                w.Line("/// Writes the blocks of <paramref name=\"mask\"/> under this spec's masks, [MaskMod]s evaluated element by element on the device,");
                w.Line($"/// {heads}, and lists them for the kernels. Asynchronous.");
                w.Line("/// </summary>");
                using (w.Block($"private static void ClassifyInto(global::ILGPU.Runtime.Accelerator accelerator, in {KernelsClass}.Arguments arguments, global::AttnDsl.BlockMask mask)"))
                {
                    w.Line($"{classify}((int)(mask.Rows * mask.KeyBlocks), arguments, mask.Classes, mask.Heads, mask.QueryBlocks, mask.KeyBlocks);");
                    w.Line($"{Builder}.Compact(accelerator, mask);");
                }
                w.Line();
            }
            if (spec.Masks.BlockSparse)
            {
                w.Line("/// <summary>");
                w.Line("/// Builds on the device the BlockMask of this spec's own masks for <paramref name=\"shape\"/> (FlexAttention's create_block_mask):");
                w.Line("/// blocks the masks hide are left out, blocks they show whole are Full (no per-element test), the rest Partial; [MaskMod]s");
                w.Line("/// are evaluated block by block on the device, so no N x N tensor is materialized. Asynchronous, like Run.");
                w.Line("/// </summary>");
                w.Line("/// <param name=\"perHead\">One mask per query head (for [MaskMod]s that read the head); otherwise one for all heads, evaluated at head 0.</param>");
                w.Line(GeneratedCode);
                using (w.Block($"public static global::AttnDsl.BlockMask CreateBlockMask(global::ILGPU.Runtime.Accelerator accelerator, global::AttnDsl.AttentionShape shape{runtimeParams}, bool perHead = false)"))
                {
                    w.Line($"global::AttnDsl.Runtime.AttentionValidation.ValidateShape(accelerator, shape, requireSelfAttention: {Bool(spec.Masks.DocumentMask)});");
                    DispatchEmitter.EmitRuntimeValidation(w, spec);
                    using (w.Block($"var __arguments = new {KernelsClass}.Arguments", "};"))
                        DispatchEmitter.EmitShapeFields(w, spec);
                    w.Line($"var __mask = global::AttnDsl.BlockMask.Allocate(accelerator, shape.Batch, perHead ? shape.QueryHeads : 1, shape.QueryLength, shape.KeyLength, {KernelsClass}.BlockM, {KernelsClass}.BlockN);");
                    w.Line("ClassifyInto(accelerator, __arguments, __mask);");
                    w.Line("return __mask;");
                }
                w.Line();
                return;
            }
            if (spec.Select is null)
                return;
            string view = View(ElementType(spec.Tiles.Element));
            w.Line("/// <summary>");
            w.Line("/// Runs this spec's [BlockSelect] estimator on the device and returns the selection as a BlockMask (one row per query head):");
            w.Line("/// pass it to Run with reuseSelection to attend over it again, or read it. Writes into <paramref name=\"into\"/> when given.");
            w.Line("/// Asynchronous, like Run.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            using (w.Block($"public static global::AttnDsl.BlockMask Select(global::ILGPU.Runtime.Accelerator accelerator, global::AttnDsl.AttentionShape shape, {view} query, {view} key{runtimeParams}, global::AttnDsl.BlockMask? into = null)"))
            {
                w.Line($"global::AttnDsl.Runtime.AttentionValidation.ValidateShape(accelerator, shape, requireSelfAttention: {Bool(spec.Masks.DocumentMask)});");
                DispatchEmitter.EmitTensorValidation(w, spec, valueAndOutput: false);
                DispatchEmitter.EmitRuntimeValidation(w, spec);
                w.Line("if (into is not null)");
                w.Line($"    global::AttnDsl.Runtime.AttentionValidation.ValidateSelection(accelerator, into, shape, {spec.Type.GlobalName}.Info, \"into\");");
                using (w.Block($"var __arguments = new {KernelsClass}.Arguments", "};"))
                {
                    w.Line("Query = query,");
                    w.Line("Key = key,");
                    DispatchEmitter.EmitShapeFields(w, spec);
                }
                w.Line($"var __mask = into ?? global::AttnDsl.BlockMask.Allocate(accelerator, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, {KernelsClass}.BlockM, {KernelsClass}.BlockN);");
                w.Line("SelectInto(accelerator, __arguments, __mask);");
                w.Line("return __mask;");
            }
            w.Line();
            w.Line("/// <summary>The estimator's launches: pooling, pooled scores with the masks' classes, then the selection and its lists.</summary>");
            using (w.Block($"private static void SelectInto(global::ILGPU.Runtime.Accelerator accelerator, in {KernelsClass}.Arguments arguments, global::AttnDsl.BlockMask mask)"))
            {
                string kernels = $"{spec.Type.GlobalName}.s_kernels";
                w.Line("int __qb = mask.QueryBlocks, __kb = mask.KeyBlocks;");
                w.Line($"long __pooledQuery = (long)mask.Rows * {KernelsClass}.HeadDim;");
                w.Line($"long __pooledKey = (long)arguments.Batch * arguments.KeyValueHeads * __kb * {KernelsClass}.HeadDim;");
                w.Line($"var __scratch = {Builder}.Scratch(mask, __pooledQuery + __pooledKey + mask.Rows * __kb);");
                w.Line("var __q = __scratch.SubView(0, __pooledQuery);");
                w.Line("var __k = __scratch.SubView(__pooledQuery, __pooledKey);");
                w.Line("var __scores = __scratch.SubView(__pooledQuery + __pooledKey, mask.Rows * __kb);");
                w.Line($"var __pool = {kernels}.Auxiliary(accelerator, \"Pool\", __a => global::ILGPU.Runtime.KernelLoaders.LoadAutoGroupedStreamKernel<global::ILGPU.Index1D, {KernelsClass}.Arguments, global::ILGPU.ArrayView<float>, int>(__a, {KernelsClass}.PoolKernel));");
                w.Line("__pool((int)(__q.Length / 2), arguments, __q, 0); // a thread per two dims");
                w.Line("__pool((int)(__k.Length / 2), arguments, __k, 1);");
                w.Line($"int __tile = {Builder}.ScoreTile(accelerator, {KernelsClass}.HeadDim); // a thread per 2 x 2 scores of a tile");
                w.Line("int __groups = arguments.Batch * arguments.QueryHeads * ((__qb + __tile - 1) / __tile) * ((__kb + __tile - 1) / __tile);");
                w.Line($"var __score = {kernels}.Auxiliary(accelerator, \"Score\", __a => global::ILGPU.Runtime.KernelLoaders.LoadStreamKernel<{KernelsClass}.Arguments, global::ILGPU.ArrayView<float>, global::ILGPU.ArrayView<float>, global::ILGPU.ArrayView<float>, global::ILGPU.ArrayView<byte>, int, int, int>(__a, {KernelsClass}.ScoreKernel));");
                w.Line($"__score(new global::ILGPU.KernelConfig(__groups, __tile * __tile / 4, global::ILGPU.SharedMemoryConfig.RequestDynamic<float>(2 * __tile * ({KernelsClass}.HeadDim + 1))), arguments, __q, __k, __scores, mask.Classes, __tile, __qb, __kb);");
                w.Line($"int __sort = {Builder}.SortLength(accelerator, __kb);");
                w.Line($"var __select = {kernels}.Auxiliary(accelerator, \"Select\", __a => global::ILGPU.Runtime.KernelLoaders.LoadStreamKernel<{KernelsClass}.Arguments, global::ILGPU.ArrayView<float>, global::ILGPU.ArrayView<byte>, global::ILGPU.ArrayView<int>, global::ILGPU.ArrayView<int>, global::ILGPU.ArrayView<int>, global::ILGPU.ArrayView<int>, int, int, int>(__a, {KernelsClass}.SelectKernel));");
                w.Line($"__select(new global::ILGPU.KernelConfig((int)mask.Rows, {Builder}.SelectThreads(accelerator), global::ILGPU.SharedMemoryConfig.RequestDynamic<int>(2 * __sort + 2)), arguments, __scores, mask.Classes, mask.PartialCounts, mask.PartialIndices, mask.FullCounts, mask.FullIndices, __qb, __kb, __sort);");
                w.Line($"{Builder}.Written(mask);");
            }
            w.Line();
        }
    }
}
