package dev.kiln.cpu;

/**
 * The packed GEMMs' contract for callers that bring their own layouts: B (k, n) delivered group by group by a
 * packer (conv2d packs it straight from the image, without an im2col matrix) and C (m, n) taken row by row by a sink
 * (conv2d's input gradient: col2im without a col matrix). Arrays are float[] or double[]; the entries pick the kernel
 * by element type: {@link GemmF32Vector} where the Vector API is present, else {@link GemmF32}, and {@link GemmF64}.
 */
final class PackedGemm {
    private PackedGemm() {
    }

    /**
     * Writes B[p + q][j0 + j] to dst[q * width + j] for q &lt; count, j &lt; nc; dst (the GEMM's element type) is zero
     * on entry.
     */
    @FunctionalInterface
    interface GroupPacker {
        void pack(int p, int count, int j0, int nc, Object dst, int width);
    }

    /** Takes row i of C, columns [j0, j0 + nc), from src[from ..] (the GEMM's element type). */
    @FunctionalInterface
    interface RowSink {
        void take(int i, int j0, int nc, Object src, int from);
    }

    /**
     * C = A B with A[i][k] = a[aOff + i * aRs + k * aCs], B from a packer, C handed row by row to a sink; tasks run one
     * after another when not parallel (a sink whose rows overlap in memory, called from a caller that is parallel
     * already). m, n, k >= 1.
     */
    static void gemm(int m, int n, int k, Object a, int aOff, int aRs, int aCs, GroupPacker b, RowSink c,
                     boolean parallel) {
        if (a instanceof float[] af && CpuGemm.usesVectorApi()) {
            GemmF32Vector.gemm(m, n, k, af, aOff, aRs, aCs, b, c, parallel);
        } else if (a instanceof float[] af) {
            GemmF32.gemm(m, n, k, af, aOff, aRs, aCs, b, c, parallel);
        } else {
            GemmF64.gemm(m, n, k, (double[]) a, aOff, aRs, aCs, b, c, parallel);
        }
    }

    /** As above with C[i][j] at c[cOff + i * cRs + j * cCs], overwritten or accumulated, parallel when worth it. */
    static void gemm(int m, int n, int k, Object a, int aOff, int aRs, int aCs, GroupPacker b, Object c, int cOff,
                     int cRs, int cCs, boolean accumulate) {
        RowSink sink = c instanceof float[] cf ? GemmF32.strided(cf, cOff, cRs, cCs, accumulate)
                : GemmF64.strided((double[]) c, cOff, cRs, cCs, accumulate);
        gemm(m, n, k, a, aOff, aRs, aCs, b, sink, CpuGemm.parallel(m, n, k));
    }
}
