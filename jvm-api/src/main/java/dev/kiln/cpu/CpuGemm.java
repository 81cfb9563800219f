package dev.kiln.cpu;

/**
 * General matrix multiply C = A B (+ C when accumulate) for float32 and float64, reading A and B
 * through arbitrary row/column strides, so transposed views need no copy. The contract is shared by
 * every CPU kernel that multiplies matrices (matmul, conv2d, attention).
 */
public final class CpuGemm {
    private CpuGemm() {
    }

    /**
     * C (m, n) at c[cOff + i * ldc + j] = sum_k A[i][k] B[k][j], with A[i][k] = a[aOff + i * aRs + k * aCs]
     * and B[k][j] = b[bOff + k * bRs + j * bCs]; C is overwritten unless accumulate.
     */
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                             int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        Parallel.forRange(m, Math.max(1, 16384 / Math.max(1, n * Math.max(k, 1) / 64)), (i0, i1) -> {
            float[] row = new float[n];
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(row, 0f);
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + i * aRs + p * aCs];
                    int bo = bOff + p * bRs;
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b[bo + j * bCs];
                    }
                }
                int co = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[co + j] = accumulate ? c[co + j] + row[j] : row[j];
                }
            }
        });
    }

    /** As {@link #sgemm} for float64. */
    public static void dgemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, double[] b, int bOff, int bRs,
                             int bCs, double[] c, int cOff, int ldc, boolean accumulate) {
        Parallel.forRange(m, Math.max(1, 16384 / Math.max(1, n * Math.max(k, 1) / 64)), (i0, i1) -> {
            double[] row = new double[n];
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(row, 0.0);
                for (int p = 0; p < k; p++) {
                    double av = a[aOff + i * aRs + p * aCs];
                    int bo = bOff + p * bRs;
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b[bo + j * bCs];
                    }
                }
                int co = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[co + j] = accumulate ? c[co + j] + row[j] : row[j];
                }
            }
        });
    }
}
