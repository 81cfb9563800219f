package dev.kiln.cpu;

import dev.kiln.AdamParams;
import dev.kiln.SgdParams;
import dev.kiln.spi.NdArray;

/**
 * The fused optimizer steps (Backend.sgdStep / adamStep) over contiguous tensors, in parallel over chunks. float32
 * tensors at one storage offset are updated in place in float32 arithmetic, as PyTorch's CPU steps and Kiln's CUDA
 * kernels compute them, in loops C2 vectorises (Adam on the MLP's 235k parameters, one thread: 975 -> 118 us);
 * the rest (float64, float32 views at different offsets) read each chunk into double scratch, update it and write it
 * back once.
 */
final class CpuOptim {
    private static final int CHUNK = CpuMap.CHUNK;
    private static final int GRAD = 1;
    /** The float32 loops' grain in chunks, relative to the double path's: their chunks cost ~5x less. */
    private static final int FLOAT32_CHUNKS = 4;
    /** Param, grad and up to three state tensors (Adam's exp_avg, exp_avg_sq, max_exp_avg_sq). */
    private static final int MAX_TENSORS = 5;
    /** Each thread's chunk buffers, reused by every step: a step of a small model would otherwise mostly allocate. */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[MAX_TENSORS][CHUNK]);

    private CpuOptim() {
    }

    /** Updates chunks t[k][0..len) in place; t[k] is null where the tensor is absent. */
    @FunctionalInterface
    private interface ChunkKernel {
        void apply(double[][] t, int len);
    }

    static void sgd(NdArray param, NdArray grad, NdArray buffer, SgdParams p) {
        if (sameFloat32Arrays(param, grad, buffer)) {
            float[] b = buffer == null ? null : (float[]) DoubleBlocks.data(buffer);
            inPlace(param, grad, (w, g, from, to) -> Float32Steps.sgd(w, g, b, from, to, p));
            return;
        }
        double lr = p.lr();
        double mu = p.momentum();
        double keep = 1 - p.dampening();
        double wd = p.weightDecay();
        boolean first = p.firstStep();
        boolean nesterov = p.nesterov();
        run((t, len) -> {
            double[] w = t[0];
            double[] g = t[GRAD];
            double[] b = t[2];
            for (int i = 0; i < len; i++) {
                double d = wd == 0 ? g[i] : g[i] + wd * w[i];
                if (b != null) {
                    b[i] = first ? d : mu * b[i] + keep * d;
                    d = nesterov ? d + mu * b[i] : b[i];
                }
                w[i] -= lr * d;
            }
        }, param, grad, buffer);
    }

    static void adam(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p) {
        if (sameFloat32Arrays(param, grad, expAvg, expAvgSq, maxExpAvgSq)) {
            float[] m = (float[]) DoubleBlocks.data(expAvg);
            float[] v = (float[]) DoubleBlocks.data(expAvgSq);
            float[] vmax = maxExpAvgSq == null ? null : (float[]) DoubleBlocks.data(maxExpAvgSq);
            inPlace(param, grad, (w, g, from, to) -> Float32Steps.adam(w, g, m, v, vmax, from, to, p));
            return;
        }
        double scale = p.paramScale();
        double l2 = p.l2();
        double b1 = p.beta1();
        double b2 = p.beta2();
        double eps = p.eps();
        double stepSize = p.stepSize();
        double bc2 = p.biasCorrection2Sqrt();
        run((t, len) -> {
            double[] w = t[0];
            double[] g = t[GRAD];
            double[] m = t[2];
            double[] v = t[3];
            double[] vmax = t[4];
            for (int i = 0; i < len; i++) {
                double wi = w[i] * scale;
                double gi = l2 == 0 ? g[i] : g[i] + l2 * wi;
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                double vi = v[i];
                if (vmax != null) {
                    vmax[i] = Math.max(vmax[i], vi);  // NaN propagates, as torch.maximum
                    vi = vmax[i];
                }
                w[i] = wi - stepSize * (m[i] / (Math.sqrt(vi) / bc2 + eps));
            }
        }, param, grad, expAvg, expAvgSq, maxExpAvgSq);
    }

    /** Updates elements [from, to) of the arrays (param w, grad g and the state the kernel holds) in place. */
    @FunctionalInterface
    private interface Float32Kernel {
        void apply(float[] w, float[] g, int from, int to);
    }

    /**
     * Whether every present tensor is float32 at the same storage offset: then element i of each is at the same index
     * of its array, and C2 vectorises the loop (at different offsets it cannot rule out overlap between arrays).
     */
    private static boolean sameFloat32Arrays(NdArray... ts) {
        for (NdArray t : ts) {
            if (t != null && (!(DoubleBlocks.data(t) instanceof float[]) || t.storageOffset() != ts[0].storageOffset())) {
                return false;
            }
        }
        return true;
    }

    /** Runs a float32 kernel over param's elements (grad and state at its offset), in parallel over chunks. */
    private static void inPlace(NdArray param, NdArray grad, Float32Kernel kernel) {
        int n = param.numel();
        int off = param.storageOffset();
        float[] w = (float[]) DoubleBlocks.data(param);
        float[] g = (float[]) DoubleBlocks.data(grad);
        Parallel.forRange((n + CHUNK - 1) / CHUNK, 4 * FLOAT32_CHUNKS,
                (c0, c1) -> kernel.apply(w, g, off + c0 * CHUNK, off + Math.min(n, c1 * CHUNK)));
    }

    /** ts[0] param, ts[GRAD] grad (read only), then state; all contiguous with param's numel, or null. */
    private static void run(ChunkKernel kernel, NdArray... ts) {
        int n = ts[0].numel();
        Parallel.forRange((n + CHUNK - 1) / CHUNK, 4, (c0, c1) -> {
            double[][] scratch = SCRATCH.get();
            double[][] t = new double[ts.length][];
            for (int k = 0; k < ts.length; k++) {
                t[k] = ts[k] == null ? null : scratch[k];
            }
            for (int c = c0; c < c1; c++) {
                int pos = c * CHUNK;
                int len = Math.min(CHUNK, n - pos);
                for (int k = 0; k < ts.length; k++) {
                    if (ts[k] != null) {
                        DoubleBlocks.read(DoubleBlocks.data(ts[k]), ts[k].storageOffset() + pos, 1, 0, len, 1, t[k], 0);
                    }
                }
                kernel.apply(t, len);
                for (int k = 0; k < ts.length; k++) {
                    if (ts[k] != null && k != GRAD) {
                        DoubleBlocks.write(t[k], 0, 1, len, DoubleBlocks.data(ts[k]), ts[k].storageOffset() + pos, 0);
                    }
                }
            }
        });
    }
}
