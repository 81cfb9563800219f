package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * Batched matmul with broadcast batch dims: one GEMM per batch entry, reading operands by stride. Products too small
 * to split by themselves (attention's (1, S) x (S, H) per batch entry) are split over the batch instead.
 */
final class CpuMatmul {
    /** Multiply-adds per parallel piece of a batch of small products. */
    private static final long BATCH_GRAIN_WORK = 1L << 15;
    private CpuMatmul() {
    }

    /** a (..., M, K) @ b (..., K, N) -> (..., M, N). */
    static NdArray matmul(NdArray a, NdArray b) {
        int ra = a.dim();
        int rb = b.dim();
        int m = a.size(-2);
        int k = a.size(-1);
        int n = b.size(-1);
        int[] batch = Shape.broadcast("matmul", Arrays.copyOf(a.shape(), ra - 2), Arrays.copyOf(b.shape(), rb - 2));
        int[] outShape = Shape.concat(batch, new int[] {m, n});
        NdArray out = CpuMap.emptyArray(outShape, a.dtype()); // each product overwrites its (m, n) block, k = 0 too
        // broadcast views of a and b with the common batch dims (stride 0 where broadcast)
        NdArray ae = a.expand(Shape.concat(batch, new int[] {m, k}));
        NdArray be = b.expand(Shape.concat(batch, new int[] {k, n}));
        int[] as = ae.stride();
        int[] bs = be.stride();
        int nb = Shape.numel(batch);
        int[] aBase = batchOffsets(batch, as, ae.storageOffset());
        int[] bBase = batchOffsets(batch, bs, be.storageOffset());
        Object ad = CpuStorage.array(a);
        Object bd = CpuStorage.array(b);
        Object od = CpuStorage.array(out);
        int r = batch.length;
        boolean f32 = a.dtype() == DType.FLOAT32;
        long work = (long) m * n * k;
        int grain = CpuGemm.splitsItself(m, n, k, f32) ? nb : (int) Math.max(1, BATCH_GRAIN_WORK / Math.max(1, work));
        Parallel.forRange(nb, grain, (i0, i1) -> { // a product in a piece runs on that piece's thread
            for (int i = i0; i < i1; i++) {
                if (f32) {
                    CpuGemm.sgemm(m, n, k, (float[]) ad, aBase[i], as[r], as[r + 1], (float[]) bd, bBase[i], bs[r],
                            bs[r + 1], (float[]) od, i * m * n, n, false);
                } else {
                    CpuGemm.dgemm(m, n, k, (double[]) ad, aBase[i], as[r], as[r + 1], (double[]) bd, bBase[i], bs[r],
                            bs[r + 1], (double[]) od, i * m * n, n, false);
                }
            }
        });
        return out;
    }

    /** Storage offset of each batch entry in row-major batch order. */
    private static int[] batchOffsets(int[] batch, int[] stride, int offset) {
        int nb = Shape.numel(batch);
        int[] out = new int[nb];
        int[] pos = new int[batch.length];
        for (int i = 0; i < nb; i++) {
            int off = offset;
            for (int d = 0; d < batch.length; d++) {
                off += pos[d] * stride[d];
            }
            out[i] = off;
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++pos[d] < batch[d]) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return out;
    }
}
