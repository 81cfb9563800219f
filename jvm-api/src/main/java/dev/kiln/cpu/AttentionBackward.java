package dev.kiln.cpu;

import static dev.kiln.cpu.CpuAttention.BK;
import static dev.kiln.cpu.CpuAttention.BQ;
import static dev.kiln.cpu.CpuAttention.blocks;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;
import dev.kiln.cpu.TileGemm.Operand;
import java.util.Arrays;

/**
 * Attention gradients from the forward's logsumexp: P = exp(s - lse) is recomputed per tile,
 * dP = dO V^T, dS = P * (dP - D) with D = rowsum(dO * O), then dV = P^T dO, dK = scale dS^T Q and
 * dQ = scale dS K. To stay race-free with only tile-sized scratch, dK and dV come from tasks that own
 * a block of keys and walk the queries, dQ from tasks that own a block of queries and walk the keys
 * (the score tiles are computed twice; nothing is shared between tasks). A fully masked row has
 * lse = -inf, so P = 0 there and it contributes no gradient.
 */
final class AttentionBackward {
    private final NdArray gOut; // (B, Lq, Ev)
    private final NdArray q; // (B, Lq, E)
    private final NdArray k; // (B, Lk, E)
    private final NdArray v; // (B, Lk, Ev)
    private final AttentionScores scores;
    private final double scale;
    private final double[] lse; // (B * Lq)
    private final double[] delta; // (B * Lq): rowsum(dO * O)
    private final boolean f32;

    AttentionBackward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp, AttentionScores scores,
                      double scale) {
        this.gOut = gOut;
        this.q = q;
        this.k = k;
        this.v = v;
        this.scores = scores;
        this.scale = scale;
        this.f32 = q.dtype() == DType.FLOAT32;
        int nb = q.size(0);
        int lq = q.size(1);
        int ev = v.size(2);
        this.lse = new double[nb * lq];
        this.delta = new double[nb * lq];
        Parallel.forRange(nb * lq, Math.max(1, 8192 / Math.max(1, ev)), (r0, r1) -> {
            double[] go = new double[ev];
            double[] o = new double[ev];
            for (int r = r0; r < r1; r++) {
                int b = r / lq;
                int i = r % lq;
                lse[r] = DoubleBlocks.get(DoubleBlocks.data(logsumexp), logsumexp.storageOffset()
                        + b * logsumexp.stride(0) + i * logsumexp.stride(1));
                DoubleBlocks.read(DoubleBlocks.data(gOut), gOut.storageOffset() + b * gOut.stride(0) + i * gOut.stride(1),
                        1, 0, ev, gOut.stride(2), go, 0);
                DoubleBlocks.read(DoubleBlocks.data(out), out.storageOffset() + b * out.stride(0) + i * out.stride(1),
                        1, 0, ev, out.stride(2), o, 0);
                double d = 0;
                for (int c = 0; c < ev; c++) {
                    d += go[c] * o[c];
                }
                delta[r] = d;
            }
        });
    }

    /** Queries [i0, i0 + bq) x keys [j0, j0 + bk) of batch entry b: p gets P and ds gets dS, both (bq, bk). */
    private void tile(TileGemm gemm, int b, int i0, int bq, int j0, int bk, double[] p, double[] ds) {
        scores.tile(gemm, b, i0, bq, j0, bk, p);
        gemm.mul(bq, bk, v.size(2), Operand.rows(gOut, b, i0), Operand.rows(v, b, j0).transposed(), ds, bk, false);
        int row0 = b * q.size(1) + i0;
        for (int r = 0; r < bq; r++) {
            double l = lse[row0 + r];
            double d = delta[row0 + r];
            int seen = l == Double.NEGATIVE_INFINITY ? 0 : scores.visible(i0 + r, j0, bk); // P = 0 past causality
            CpuAttention.exps(p, r * bk, seen, l, f32); // s <= lse: every exponent <= 0
            Arrays.fill(p, r * bk + seen, (r + 1) * bk, 0.0);
            for (int c = r * bk; c < (r + 1) * bk; c++) {
                ds[c] = p[c] * (ds[c] - d);
            }
        }
    }

    /**
     * All three gradients in one pass when every query fits one block (a transformer's short sequences): a task per
     * batch entry walks the key tiles once, so each score tile, its P and dS are computed once, not once for dQ and
     * again for dK and dV. {gq, gk, gv}.
     */
    NdArray[] oneBlockGrads() {
        int nb = q.size(0);
        int lq = q.size(1);
        int e = q.size(2);
        int lk = k.size(1);
        int ev = v.size(2);
        DType dtype = q.dtype();
        NdArray gq = CpuMap.newArray(new int[] {nb, lq, e}, dtype);
        NdArray gk = CpuMap.newArray(new int[] {nb, lk, e}, dtype); // keys no query sees keep 0
        NdArray gv = CpuMap.newArray(new int[] {nb, lk, ev}, dtype);
        Parallel.forRange(nb, 1, (t0, t1) -> {
            TaskScratch scratch = TaskScratch.get();
            TileGemm gemm = scratch.gemm(dtype);
            double[] p = scratch.row(0, lq * BK); // (lq, bk)
            double[] ds = scratch.row(1, lq * BK); // (lq, bk)
            double[] dq = scratch.row(2, lq * e); // (lq, E)
            double[] dk = scratch.row(3, BK * e); // (bk, E)
            double[] dv = scratch.row(4, BK * ev); // (bk, Ev)
            for (int b = t0; b < t1; b++) {
                Arrays.fill(dq, 0.0);
                int kEnd = scores.keyEnd(0, lq);
                for (int j0 = 0; j0 < kEnd; j0 += BK) {
                    int bk = Math.min(BK, kEnd - j0);
                    tile(gemm, b, 0, lq, j0, bk, p, ds);
                    gemm.mul(lq, e, bk, new Operand(ds, 0, bk, 1), Operand.rows(k, b, j0), dq, e, true);
                    gemm.mul(bk, ev, lq, new Operand(p, 0, 1, bk), Operand.rows(gOut, b, 0), dv, ev, false);
                    gemm.mul(bk, e, lq, new Operand(ds, 0, 1, bk), Operand.rows(q, b, 0), dk, e, false);
                    writeKeys(dk, dv, b, j0, bk, gk, gv);
                }
                scaleInPlace(dq, lq * e);
                DoubleBlocks.write(dq, 0, lq, e, DoubleBlocks.data(gq), b * lq * e, e);
            }
        });
        return new NdArray[] {gq, gk, gv};
    }

    /** gq (B, Lq, E) = scale * dS K, a task per (batch entry, query block). */
    NdArray queryGrad() {
        int nb = q.size(0);
        int lq = q.size(1);
        int e = q.size(2);
        DType dtype = q.dtype();
        NdArray gq = CpuMap.newArray(new int[] {nb, lq, e}, dtype);
        int qBlocks = blocks(lq, BQ);
        Parallel.forRange(nb * qBlocks, 1, (t0, t1) -> {
            TaskScratch scratch = TaskScratch.get();
            TileGemm gemm = scratch.gemm(dtype);
            double[] p = scratch.row(0, BQ * BK); // (bq, bk)
            double[] ds = scratch.row(1, BQ * BK); // (bq, bk)
            double[] dq = scratch.row(2, BQ * e); // (bq, E)
            for (int t = t0; t < t1; t++) {
                int b = t / qBlocks;
                int i0 = (t % qBlocks) * BQ;
                int bq = Math.min(BQ, lq - i0);
                Arrays.fill(dq, 0.0);
                int kEnd = scores.keyEnd(i0, bq);
                for (int j0 = 0; j0 < kEnd; j0 += BK) {
                    int bk = Math.min(BK, kEnd - j0);
                    tile(gemm, b, i0, bq, j0, bk, p, ds);
                    gemm.mul(bq, e, bk, new Operand(ds, 0, bk, 1), Operand.rows(k, b, j0), dq, e, true);
                }
                scaleInPlace(dq, bq * e);
                DoubleBlocks.write(dq, 0, bq, e, DoubleBlocks.data(gq), (b * lq + i0) * e, e);
            }
        });
        return gq;
    }

    /** {gk (B, Lk, E) = scale * dS^T Q, gv (B, Lk, Ev) = P^T dO}, a task per (batch entry, key block). */
    NdArray[] keyValueGrads() {
        int nb = q.size(0);
        int lq = q.size(1);
        int e = q.size(2);
        int lk = k.size(1);
        int ev = v.size(2);
        DType dtype = q.dtype();
        NdArray gk = CpuMap.newArray(new int[] {nb, lk, e}, dtype);
        NdArray gv = CpuMap.newArray(new int[] {nb, lk, ev}, dtype);
        int kBlocks = blocks(lk, BK);
        Parallel.forRange(nb * kBlocks, 1, (t0, t1) -> {
            TaskScratch scratch = TaskScratch.get();
            TileGemm gemm = scratch.gemm(dtype);
            double[] p = scratch.row(0, BQ * BK); // (bq, bk)
            double[] ds = scratch.row(1, BQ * BK); // (bq, bk)
            double[] dk = scratch.row(2, BK * e); // (bk, E)
            double[] dv = scratch.row(3, BK * ev); // (bk, Ev)
            for (int t = t0; t < t1; t++) {
                int b = t / kBlocks;
                int j0 = (t % kBlocks) * BK;
                int bk = Math.min(BK, lk - j0);
                Arrays.fill(dk, 0.0);
                Arrays.fill(dv, 0.0);
                for (int i0 = scores.firstQuery(j0); i0 < lq; i0 += BQ) {
                    int bq = Math.min(BQ, lq - i0);
                    tile(gemm, b, i0, bq, j0, bk, p, ds);
                    // P^T and dS^T: the (bq, bk) tiles read column-major as (bk, bq)
                    gemm.mul(bk, ev, bq, new Operand(p, 0, 1, bk), Operand.rows(gOut, b, i0), dv, ev, true);
                    gemm.mul(bk, e, bq, new Operand(ds, 0, 1, bk), Operand.rows(q, b, i0), dk, e, true);
                }
                writeKeys(dk, dv, b, j0, bk, gk, gv);
            }
        });
        return new NdArray[] {gk, gv};
    }

    /** Keys [j0, j0 + bk) of batch entry b: gk = scale * dk, gv = dv (gk (B, Lk, E), gv (B, Lk, Ev)); dk is scaled in place. */
    private void writeKeys(double[] dk, double[] dv, int b, int j0, int bk, NdArray gk, NdArray gv) {
        int lk = gk.size(1);
        int e = gk.size(2);
        int ev = gv.size(2);
        scaleInPlace(dk, bk * e);
        DoubleBlocks.write(dk, 0, bk, e, DoubleBlocks.data(gk), (b * lk + j0) * e, e);
        DoubleBlocks.write(dv, 0, bk, ev, DoubleBlocks.data(gv), (b * lk + j0) * ev, ev);
    }

    private void scaleInPlace(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            a[i] *= scale;
        }
    }
}
