package dev.kiln.cpu;

import dev.kiln.AdamParams;
import dev.kiln.SgdParams;
import dev.kiln.Tensor;

/**
 * The fused optimizer steps (Backend.sgdStep / adamStep) over contiguous tensors of one dtype: one pass over the
 * parameter, its gradient and its state, in parallel over chunks, by the loops of {@link OptimLoopsF32} /
 * {@link OptimLoopsF64}. (They once widened every chunk into double scratch and back: a quarter of an MLP step.)
 */
final class CpuOptim {
    private static final int CHUNK = CpuMap.CHUNK;
    /** Fewest chunks per parallel piece. */
    private static final int GRAIN = 4;

    private CpuOptim() {
    }

    /** A loop over elements [from, to) of every tensor. */
    @FunctionalInterface
    private interface Span {
        void run(int from, int to);
    }

    static void sgd(Tensor param, Tensor grad, Tensor buffer, SgdParams p) {
        Object w = array(param);
        Object g = array(grad);
        Object b = array(buffer);
        int wo = param.storageOffset();
        int go = grad.storageOffset();
        int bo = offset(buffer);
        inChunks(param.numel(), w instanceof float[]
                ? (from, to) -> OptimLoopsF32.sgd(from, to, (float[]) w, wo, (float[]) g, go, (float[]) b, bo, p)
                : (from, to) -> OptimLoopsF64.sgd(from, to, (double[]) w, wo, (double[]) g, go, (double[]) b, bo, p));
    }

    static void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, AdamParams p) {
        Object w = array(param);
        Object g = array(grad);
        Object m = array(expAvg);
        Object v = array(expAvgSq);
        Object vmax = array(maxExpAvgSq);
        int wo = param.storageOffset();
        int go = grad.storageOffset();
        int mo = expAvg.storageOffset();
        int vo = expAvgSq.storageOffset();
        int xo = offset(maxExpAvgSq);
        inChunks(param.numel(), w instanceof float[]
                ? (from, to) -> OptimLoopsF32.adam(from, to, (float[]) w, wo, (float[]) g, go, (float[]) m, mo, (float[]) v,
                        vo, (float[]) vmax, xo, p)
                : (from, to) -> OptimLoopsF64.adam(from, to, (double[]) w, wo, (double[]) g, go, (double[]) m, mo,
                        (double[]) v, vo, (double[]) vmax, xo, p));
    }

    /** span over [0, n) in pieces of whole chunks, in parallel. */
    private static void inChunks(int n, Span span) {
        Parallel.forRange((n + CHUNK - 1) / CHUNK, GRAIN, (c0, c1) -> span.run(c0 * CHUNK, Math.min(n, c1 * CHUNK)));
    }

    /** The storage array of t, or null for an absent state tensor. */
    private static Object array(Tensor t) {
        return t == null ? null : CpuStorage.array(t);
    }

    private static int offset(Tensor t) {
        return t == null ? 0 : t.storageOffset();
    }
}
