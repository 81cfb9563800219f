package dev.kiln.cpu;

import dev.kiln.spi.AttentionSpec;
import dev.kiln.DType;
import dev.kiln.spi.NdArray;
import dev.kiln.cpu.TileGemm.Operand;
import java.util.Arrays;

/**
 * Scaled-dot-product attention forward and backward, FlashAttention-style: a task owns one batch
 * entry and one block of query rows (or of keys), walks the keys (or queries) in tiles, and keeps
 * only tile-sized scratch, never a (Lq, Lk) matrix. Scores and products go through CpuGemm; the
 * softmax statistics and all accumulators are double.
 */
final class CpuAttention {
    static final int BQ = 64; // query rows per block
    static final int BK = 128; // keys per tile

    private CpuAttention() {
    }

    static int blocks(int n, int size) {
        return (n + size - 1) / size;
    }

    /**
     * q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev) -> {out (B, Lq, Ev), logsumexp (B, Lq)}. Online softmax:
     * per row a running max m and sum l; the output accumulator is rescaled by exp(m_old - m_new)
     * whenever the max grows. A row that never sees a key gets out = 0 and logsumexp = -inf.
     */
    static NdArray[] forward(NdArray q, NdArray k, NdArray v, AttentionSpec p) {
        int nb = q.size(0);
        int lq = q.size(1);
        int ev = v.size(2);
        DType dtype = q.dtype();
        NdArray out = CpuMap.newArray(new int[] {nb, lq, ev}, dtype);
        NdArray lse = CpuMap.newArray(new int[] {nb, lq}, dtype);
        AttentionScores scores = new AttentionScores(q, k, p);
        int qBlocks = blocks(lq, BQ);
        boolean f32 = dtype == DType.FLOAT32;
        Parallel.forRange(nb * qBlocks, 1, (t0, t1) -> {
            TaskScratch scratch = TaskScratch.get();
            TileGemm gemm = scratch.gemm(dtype);
            double[] s = scratch.row(0, BQ * BK); // (bq, bk): scores, then probabilities
            double[] acc = scratch.row(1, BQ * ev); // (bq, Ev): unnormalised output
            double[] m = scratch.row(2, BQ);
            double[] l = scratch.row(3, BQ);
            double[] lseRow = scratch.row(4, BQ);
            for (int t = t0; t < t1; t++) {
                int b = t / qBlocks;
                int i0 = (t % qBlocks) * BQ;
                int bq = Math.min(BQ, lq - i0);
                Arrays.fill(m, Double.NEGATIVE_INFINITY);
                Arrays.fill(l, 0.0);
                Arrays.fill(acc, 0.0);
                int kEnd = scores.keyEnd(i0, bq);
                for (int j0 = 0; j0 < kEnd; j0 += BK) {
                    int bk = Math.min(BK, kEnd - j0);
                    scores.tile(gemm, b, i0, bq, j0, bk, s);
                    for (int r = 0; r < bq; r++) { // keys past causality's limit: probability 0, no exponential
                        int seen = scores.visible(i0 + r, j0, bk);
                        onlineSoftmaxRow(s, r * bk, seen, m, l, r, acc, r * ev, ev, f32);
                        Arrays.fill(s, r * bk + seen, (r + 1) * bk, 0.0);
                    }
                    gemm.mul(bq, ev, bk, new Operand(s, 0, bk, 1), Operand.rows(v, b, j0), acc, ev, true);
                }
                for (int r = 0; r < bq; r++) {
                    double inv = l[r] > 0 ? 1.0 / l[r] : 0.0; // fully masked row: output 0
                    for (int c = 0; c < ev; c++) {
                        acc[r * ev + c] *= inv;
                    }
                    lseRow[r] = l[r] > 0 ? m[r] + Math.log(l[r]) : Double.NEGATIVE_INFINITY;
                }
                int row = b * lq + i0;
                DoubleBlocks.write(acc, 0, bq, ev, DoubleBlocks.data(out), row * ev, ev);
                DoubleBlocks.write(lseRow, 0, 1, bq, DoubleBlocks.data(lse), row, 0);
            }
        });
        return new NdArray[] {out, lse};
    }

    /**
     * Turns the scores s[off, off + n) of row r into exp(s - m_new) in place, updating the row's max
     * m[r] and sum l[r] and rescaling its output accumulator acc[accOff, accOff + ev). Every exponent is
     * &lt;= 0: for float32 results they go through {@link NonPositiveExp} (a loop C2 vectorises, where Math.exp
     * took most of a small transformer's attention time), float64 keeps Math.exp.
     */
    private static void onlineSoftmaxRow(double[] s, int off, int n, double[] m, double[] l, int r, double[] acc,
                                         int accOff, int ev, boolean f32) {
        double max = m[r];
        for (int c = 0; c < n; c++) {
            max = Math.max(max, s[off + c]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            Arrays.fill(s, off, off + n, 0.0); // every key so far is masked: nothing to add
            return;
        }
        double alpha = Math.exp(m[r] - max); // 0 when m[r] was -inf
        if (alpha != 1.0) {
            l[r] *= alpha;
            for (int c = 0; c < ev; c++) {
                acc[accOff + c] *= alpha;
            }
        }
        exps(s, off, n, max, f32);
        double sum = 0;
        for (int c = 0; c < n; c++) {
            sum += s[off + c];
        }
        l[r] += sum;
        m[r] = max;
    }

    /** s[off, off + n) = exp(s - shift), every s - shift &lt;= 0 (a larger one is taken as 0): see onlineSoftmaxRow. */
    static void exps(double[] s, int off, int n, double shift, boolean f32) {
        if (f32) {
            for (int c = off; c < off + n; c++) {
                s[c] = Math.min(0.0, s[c] - shift);
            }
            NonPositiveExp.inPlace(s, off, off + n);
        } else {
            for (int c = off; c < off + n; c++) {
                s[c] = Math.exp(s[c] - shift);
            }
        }
    }

    /** gOut (B, Lq, Ev) and the forward's q, k, v, out, logsumexp -> {gq, gk, gv}; see {@link AttentionBackward}. */
    static NdArray[] backward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray lse, AttentionSpec p) {
        AttentionBackward g = new AttentionBackward(gOut, q, k, v, out, lse, new AttentionScores(q, k, p), p.scale());
        if (q.size(1) <= BQ) {
            return g.oneBlockGrads();
        }
        NdArray[] kv = g.keyValueGrads();
        return new NdArray[] {g.queryGrad(), kv[0], kv[1]};
    }
}
