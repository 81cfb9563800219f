package dev.kiln.cpu;

/**
 * Sums over double scratch with four partial sums: independent chains, so the adds do not wait on each
 * other (the JIT may not reorder floating-point adds itself). The order is fixed, so results repeat.
 */
final class PartialSums {
    private PartialSums() {
    }

    /** a[0] + ... + a[n - 1]. */
    static double sum(double[] a, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** a[0] b[0] + ... + a[n - 1] b[n - 1]. */
    static double dot(double[] a, double[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of (a[i] - m) b[i]; with b = a, the sum of squared deviations from m. */
    static double dotCentered(double[] a, double m, double[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += (a[i] - m) * b[i];
            s1 += (a[i + 1] - m) * b[i + 1];
            s2 += (a[i + 2] - m) * b[i + 2];
            s3 += (a[i + 3] - m) * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += (a[i] - m) * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
