package dev.kiln.testing;

/**
 * Naive float64 references of batch normalisation's primitives over x (N, C, S) flattened row-major
 * (element (n, c, s) at (n C + c) S + s), one loop per formula: the CPU and CUDA backends' tests
 * compare against these.
 */
public final class BatchNormReference {
    private BatchNormReference() {
    }

    /** {mean (C), biased variance (C)}, two passes. */
    public static double[][] stats(double[] x, int n, int c, int s) {
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    sum += x[(i * c + ch) * s + j];
                }
            }
            mean[ch] = sum / ((double) n * s);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    double d = x[(i * c + ch) * s + j] - mean[ch];
                    sq += d * d;
                }
            }
            var[ch] = sq / ((double) n * s);
        }
        return new double[][] {mean, var};
    }

    /** (x - mean) invstd weight + bias per channel. */
    public static double[] elemt(double[] x, int n, int c, int s, double[] mean, double[] invstd, double[] weight, double[] bias) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / s) % c;
            y[i] = (x[i] - mean[ch]) * invstd[ch] * weight[ch] + bias[ch];
        }
        return y;
    }

    /** {sum(gy) (C), sum(gy (x - mean)) (C)}. */
    public static double[][] backwardReduce(double[] gy, double[] x, int n, int c, int s, double[] mean) {
        double[] sumDy = new double[c];
        double[] sumDyXmu = new double[c];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / s) % c;
            sumDy[ch] += gy[i];
            sumDyXmu[ch] += gy[i] * (x[i] - mean[ch]);
        }
        return new double[][] {sumDy, sumDyXmu};
    }

    /** The input gradient from the sums over count values per channel; sums null: gy invstd weight. */
    public static double[] backwardElemt(double[] gy, double[] x, int n, int c, int s, double[] mean, double[] invstd,
                                         double[] weight, double[] sumDy, double[] sumDyXmu, long count) {
        double[] gx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / s) % c;
            double d = gy[i];
            if (sumDy != null) {
                d = d - sumDy[ch] / count - (x[i] - mean[ch]) * invstd[ch] * invstd[ch] * sumDyXmu[ch] / count;
            }
            gx[i] = d * invstd[ch] * weight[ch];
        }
        return gx;
    }
}
