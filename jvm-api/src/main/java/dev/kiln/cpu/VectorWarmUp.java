package dev.kiln.cpu;

/**
 * Compiles the Vector API GEMM ahead of its first real use. Until C2 has compiled them, Vector API kernels run
 * through the API's Java fallback, ~50-100x slower than the compiled loops: the first ~0.5 s of GEMMs of a
 * training run went there (JFR: FloatVector.tOpTemplate under the micro-kernel). When the CPU backend starts,
 * a daemon thread multiplies small matrices along every path of {@link GemmF32Vector} (packed from arrays and
 * transposes, through a packer and a sink, edge tiles, accumulation) until the JIT has compiled them, while the
 * program loads its data and builds its model. It never touches the caller's arrays or the thread team;
 * -Dkiln.warmup=false turns it off.
 */
final class VectorWarmUp {
    /** Products per path: each runs the micro-kernel ~200 times, so C2 compiles it within the first few. */
    private static final int ROUNDS = 40;

    private VectorWarmUp() {
    }

    static void start() {
        if (!CpuGemm.usesVectorApi() || "false".equals(System.getProperty("kiln.warmup"))) {
            return;
        }
        Thread t = new Thread(VectorWarmUp::run, "kiln-vector-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    static void run() {
        int m = 64 + 1; // not a whole number of row tiles: the edge path too
        int n = 128 + 3;
        int k = 96;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        PackedGemm.GroupPacker packer = (p, count, j0, nc, dst, width) -> {
            float[] d = (float[]) dst;
            for (int q = 0; q < count; q++) {
                System.arraycopy(b, (p + q) * n + j0, d, q * width, nc);
            }
        };
        PackedGemm.RowSink sink = (i, j0, nc, src, from) -> System.arraycopy((float[]) src, from, c, i * n + j0, nc);
        for (int r = 0; r < ROUNDS; r++) {
            boolean accumulate = r % 2 == 1;
            GemmF32Vector.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, 1, accumulate, false);   // A B
            GemmF32Vector.gemm(m, n, k, a, 0, 1, m, b, 0, 1, k, c, 0, n, 1, accumulate, false);   // A^T B^T
            GemmF32Vector.gemm(m, n, k, a, 0, k, 1, packer, sink, false);
        }
    }
}
