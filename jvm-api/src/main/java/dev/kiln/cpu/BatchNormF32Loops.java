package dev.kiln.cpu;

/**
 * float32 loops of {@link CpuBatchNorm} straight on the arrays (no double scratch): a channel is
 * {@code runs} runs of {@code len} floats, run r at off + r * stride. Sums accumulate in double, eight
 * partial sums per run (independent chains: the adds do not wait on each other); the elementwise
 * passes compute in float in loops the JIT vectorises, as PyTorch's CPU kernels do.
 */
final class BatchNormF32Loops {
    private BatchNormF32Loops() {
    }

    /** The sum of a channel's values. */
    static double sum(float[] x, int off, int stride, int runs, int len) {
        double total = 0;
        for (int r = 0; r < runs; r++) {
            int o = off + r * stride;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            double s4 = 0;
            double s5 = 0;
            double s6 = 0;
            double s7 = 0;
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                s0 += x[o + i];
                s1 += x[o + i + 1];
                s2 += x[o + i + 2];
                s3 += x[o + i + 3];
                s4 += x[o + i + 4];
                s5 += x[o + i + 5];
                s6 += x[o + i + 6];
                s7 += x[o + i + 7];
            }
            for (; i < len; i++) {
                s0 += x[o + i];
            }
            total += ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        }
        return total;
    }

    /** The sum of (x - m)^2 over a channel. */
    static double squaredDeviations(float[] x, int off, int stride, int runs, int len, double m) {
        double total = 0;
        for (int r = 0; r < runs; r++) {
            int o = off + r * stride;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = 0;
            for (; i + 4 <= len; i += 4) {
                double d0 = x[o + i] - m;
                double d1 = x[o + i + 1] - m;
                double d2 = x[o + i + 2] - m;
                double d3 = x[o + i + 3] - m;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; i < len; i++) {
                double d = x[o + i] - m;
                s0 += d * d;
            }
            total += (s0 + s1) + (s2 + s3);
        }
        return total;
    }

    /**
     * sums[at] = the sum of g, sums[at + 1] = the sum of g (x - m) over a channel (g and x laid out alike), one
     * pass with four partial sums of each: fewer chains leave the loop waiting on add latency.
     */
    static void sums(float[] g, int gOff, float[] x, int xOff, int stride, int runs, int len, double m, double[] sums, int at) {
        double sum = 0;
        double dot = 0;
        for (int r = 0; r < runs; r++) {
            int go = gOff + r * stride;
            int xo = xOff + r * stride;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            double p0 = 0;
            double p1 = 0;
            double p2 = 0;
            double p3 = 0;
            int i = 0;
            for (; i + 4 <= len; i += 4) {
                float g0 = g[go + i];
                float g1 = g[go + i + 1];
                float g2 = g[go + i + 2];
                float g3 = g[go + i + 3];
                s0 += g0;
                s1 += g1;
                s2 += g2;
                s3 += g3;
                p0 += g0 * (x[xo + i] - m);
                p1 += g1 * (x[xo + i + 1] - m);
                p2 += g2 * (x[xo + i + 2] - m);
                p3 += g3 * (x[xo + i + 3] - m);
            }
            for (; i < len; i++) {
                s0 += g[go + i];
                p0 += g[go + i] * (x[xo + i] - m);
            }
            sum += (s0 + s1) + (s2 + s3);
            dot += (p0 + p1) + (p2 + p3);
        }
        sums[at] = sum;
        sums[at + 1] = dot;
    }

    /** y = (x - m) k + b over one run. */
    static void affine(float[] x, int xo, float[] y, int yo, int len, float m, float k, float b) {
        for (int i = 0; i < len; i++) {
            y[yo + i] = (x[xo + i] - m) * k + b;
        }
    }

    /** gx = (g - meanDy - (x - m) proj) scale over one run (the batch-statistics input gradient). */
    static void inputGrad(float[] g, int go, float[] x, int xo, float[] gx, int o, int len, float meanDy, float m, float proj,
                          float scale) {
        for (int i = 0; i < len; i++) {
            gx[o + i] = (g[go + i] - meanDy - (x[xo + i] - m) * proj) * scale;
        }
    }

    /** gx = g scale over one run. */
    static void scale(float[] g, int go, float[] gx, int o, int len, float scale) {
        for (int i = 0; i < len; i++) {
            gx[o + i] = g[go + i] * scale;
        }
    }
}
