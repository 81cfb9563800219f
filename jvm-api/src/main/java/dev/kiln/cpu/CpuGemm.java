package dev.kiln.cpu;

/**
 * General matrix multiply C = A B (+ C when accumulate) for float32 and float64, reading A and B
 * through arbitrary row/column strides, so transposed views need no copy. The contract is shared by
 * every CPU kernel that multiplies matrices (matmul, conv2d, attention).
 *
 * <p>Problems with enough work go to the packed, cache-blocked kernels ({@link GemmF32}, or
 * {@link GemmF32Vector} where the Vector API is present, and {@link GemmF64}); tiny ones to a plain
 * loop ({@link PlainGemmF32}, {@link PlainGemmF64}), where packing would cost more than it saves. The Vector API
 * kernel's packing costs so little that it takes float32 products down to a few thousand multiply-adds.
 */
public final class CpuGemm {
    /** Below this many multiply-adds (about 40^3) packing does not pay for itself. */
    private static final long BLOCKED_MIN_WORK = 1L << 16;
    /** The blocked kernels pad the longer of m, n to whole panels; below this the padding dominates. */
    private static final int BLOCKED_MIN_EXTENT = 64;
    /**
     * Fewest multiply-adds for which the Vector API kernel beats the plain loop at any shape. Measured on Zen 5, one
     * thread: attention's per-head tiles (30, 32) x (32, 30) 10.3 -> 1.8 us, (30, 30) x (30, 32) 9.4 -> 1.0 us, (11, 32)
     * x (32, 30) 3.8 -> 1.6 us; at (8, 16) x (16, 8) the two are even.
     */
    private static final long VECTOR_MIN_WORK = 1L << 11;
    /** Below this many multiply-adds waking the other threads costs more than they save. */
    private static final long PARALLEL_MIN_WORK = 1L << 20;
    /**
     * Whether float32 products with enough work go to {@link GemmF32Vector}: the Vector API module is in
     * the boot layer (java --add-modules jdk.incubator.vector; the kiln launcher adds it), the machine's
     * vectors are 256 or 512 bits wide, and -Dkiln.vector=false does not turn it off.
     */
    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("kiln.vector")) && GemmF32Vector.usable();
    /**
     * Below this many multiply-adds the Vector API kernel runs on the caller. With 512-bit vectors, measured on an
     * AVX-512 EPYC (Zen 5): a second thread did not speed up the MLP's training (its 64x784x256 products: 12.8M), though
     * it runs them 1.6x faster back to back in a loop; an LSTM's per-step 64x256x1024
     * products (16.8M) and their gradients gain: its (64, 64, 64) -> 256 forward 25 -> 17.5 ms, backward 70 -> 55 (from
     * 1L << 25 to 1L << 24). With 256-bit vectors (AVX2 EPYC, A packed in parallel) the MLP's products of 2-13M
     * multiply-adds ran 1.6-1.9x faster on two threads, so the plain threshold holds there.
     */
    private static final long VECTOR_PARALLEL_MIN_WORK = VECTOR_API && GemmF32Tiles.LANES >= 16 ? 1L << 24
            : PARALLEL_MIN_WORK;

    private CpuGemm() {
    }

    /**
     * Whether float32 GEMMs run on the Vector API kernel (see {@link #VECTOR_API}); the direct convolutions and batch
     * norm's sums use it then too.
     */
    public static boolean usesVectorApi() {
        return VECTOR_API;
    }

    /**
     * C (m, n) at c[cOff + i * ldc + j] = sum_k A[i][k] B[k][j], with A[i][k] = a[aOff + i * aRs + k * aCs]
     * and B[k][j] = b[bOff + k * bRs + j * bCs]; C is overwritten unless accumulate.
     */
    public static void sgemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                             int bCs, float[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (VECTOR_API ? !vectorSized(m, n, k) : !blocked(m, n, k)) {
            PlainGemmF32.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
        } else if (VECTOR_API) {
            GemmF32Vector.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, 1, accumulate,
                    (long) m * n * k >= VECTOR_PARALLEL_MIN_WORK);
        } else if (transpose(m, n, GemmPanels.NARROW)) {
            // C^T (n, m) = B^T A^T: the long side becomes the panel side
            GemmF32.gemm(n, m, k, b, bOff, bCs, bRs, a, aOff, aCs, aRs, c, cOff, 1, ldc, accumulate);
        } else {
            GemmF32.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, 1, accumulate);
        }
    }

    /** As {@link #sgemm} for float64. */
    public static void dgemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, double[] b, int bOff, int bRs,
                             int bCs, double[] c, int cOff, int ldc, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (!blocked(m, n, k)) {
            PlainGemmF64.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate);
        } else if (transpose(m, n, GemmPanels.NARROW)) {
            GemmF64.gemm(n, m, k, b, bOff, bCs, bRs, a, aOff, aCs, aRs, c, cOff, 1, ldc, accumulate);
        } else {
            GemmF64.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, 1, accumulate);
        }
    }

    /**
     * True when {@link #sgemm} / {@link #dgemm} would pack B into panels as it is, so a caller can hand
     * the packed kernels ({@link GemmF32}, {@link GemmF64}) a packer instead of a B matrix.
     */
    static boolean packsB(int m, int n, int k) {
        return blocked(m, n, k) && !transpose(m, n, GemmPanels.NARROW);
    }

    /** True when a blocked product has enough work to split over threads; smaller ones run on the caller. */
    static boolean parallel(int m, int n, int k) {
        return (long) m * n * k >= PARALLEL_MIN_WORK;
    }

    /**
     * Whether an (m, k) x (k, n) product has the work to split over the threads by itself (float32 or float64): a batch
     * of smaller ones is better split over its entries.
     */
    static boolean splitsItself(int m, int n, int k, boolean f32) {
        boolean vector = f32 && VECTOR_API && vectorSized(m, n, k);
        return (long) m * n * k >= (vector ? VECTOR_PARALLEL_MIN_WORK : PARALLEL_MIN_WORK);
    }

    /** Whether a float32 product runs on the Vector API kernel (when in use): matrix-vector ones stay in the plain loop. */
    private static boolean vectorSized(int m, int n, int k) {
        return k > 0 && n > 1 && (long) m * n * k >= VECTOR_MIN_WORK;
    }

    /** Whether a product runs on the blocked kernels; matrix-vector products (n = 1) stay in the plain loop. */
    static boolean blocked(int m, int n, int k) {
        return k > 0 && n > 1 && Math.max(m, n) >= BLOCKED_MIN_EXTENT && (long) m * n * k >= BLOCKED_MIN_WORK;
    }

    /** True when padding n to whole panels wastes more than padding m would. */
    private static boolean transpose(int m, int n, int panel) {
        return padded(n, panel) * (long) m > padded(m, panel) * (long) n;
    }

    private static long padded(int x, int panel) {
        return (long) ((x + panel - 1) / panel) * panel;
    }
}
