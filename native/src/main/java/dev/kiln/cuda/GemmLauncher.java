package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * kernels/gemm.cu: batched a (..., M, K) @ b (..., K, N) with broadcast batch dims. Operands are read
 * through their strides (no copy, whatever the view); each operand's load mode follows from its
 * strides and alignment, and the tile size from the problem size.
 */
final class GemmLauncher extends Launcher {
    /** The most blocks a grid takes in z (CUDA's limit, also in y). */
    static final int MAX_GRID_Z = KernelLimits.MAX_GRID_YZ;
    /** gemm.cu's load-mode bits (GEMM_KFAST, GEMM_VEC; KernelConstantsTest compares). */
    static final int KFAST = 1;
    static final int VEC = 2;
    /** Vector loads and stores are 16 bytes. */
    private static final int VECTOR_BYTES = 16;

    /** The kernels of gemm.cu: a block computes a tileM x tileN tile of C with 256 threads. */
    enum Tiles {
        F32_128(DType.FLOAT32, 128, 128),
        F32_64(DType.FLOAT32, 64, 64),
        F64_64(DType.FLOAT64, 64, 64),
        F64_32(DType.FLOAT64, 32, 32);

        static final int THREADS = 256;
        final DType dtype;
        final int tileM;
        final int tileN;

        Tiles(DType dtype, int tileM, int tileN) {
            this.dtype = dtype;
            this.tileM = tileM;
            this.tileN = tileN;
        }

        String kernel() {
            return "gemm_" + tileM + "x" + tileN + "_" + KernelLayout.suffix(dtype);
        }

        long blocks(int m, int n, int batch) {
            return (long) ((m + tileM - 1) / tileM) * ((n + tileN - 1) / tileN) * batch;
        }

        /** Elements of C computed, padding included. */
        long padded(int m, int n, int batch) {
            return blocks(m, n, batch) * tileM * tileN;
        }

        /**
         * The big tiles when they give each of the device's {@code multiprocessors} a block and pad C by
         * at most 1/8 more than the small ones do (a 64 x 64 matrix in a 128 x 128 tile is 3/4 padding);
         * else the small tiles.
         */
        static Tiles choose(DType dtype, int m, int n, int batch, int multiprocessors) {
            Tiles big = dtype == DType.FLOAT32 ? F32_128 : F64_64;
            Tiles small = dtype == DType.FLOAT32 ? F32_64 : F64_32;
            boolean fills = big.blocks(m, n, batch) >= multiprocessors;
            boolean lean = big.padded(m, n, batch) * 8 <= small.padded(m, n, batch) * 9;
            return fills && lean ? big : small;
        }
    }

    /** Batch entries per grid z; beyond it the batch continues in grid y. */
    private final int maxGridZ;

    GemmLauncher(CudaContext context) {
        this(context, MAX_GRID_Z);
    }

    /** With a lower z limit, so a test reaches the y-and-z batch split with a small batch. */
    GemmLauncher(CudaContext context, int maxGridZ) {
        super(context);
        this.maxGridZ = maxGridZ;
    }

    NdArray matmul(NdArray a, NdArray b) {
        int[] batch = check(a, b);
        return matmul(a, b, batch, Tiles.choose(a.dtype(), a.size(-2), b.size(-1), Shape.numel(batch),
                context.api().multiprocessorCount()));
    }

    /** With the given tiles (tests run every kernel); tiles.dtype must be a's. */
    NdArray matmul(NdArray a, NdArray b, Tiles tiles) {
        int[] batch = check(a, b);
        if (tiles.dtype != a.dtype()) {
            throw new IllegalArgumentException("matmul: " + tiles + " tiles are for " + tiles.dtype + ", not " + a.dtype());
        }
        return matmul(a, b, batch, tiles);
    }

    private NdArray matmul(NdArray a, NdArray b, int[] batch, Tiles tiles) {
        DType t = a.dtype();
        int m = a.size(-2);
        int k = a.size(-1);
        int n = b.size(-1);
        NdArray c = newArray(Shape.concat(batch, new int[] {m, n}), t);   // (..., M, N)
        int nbatch = Shape.numel(batch);
        if (c.numel() == 0) {
            return c;
        }
        // A as rows m, B as rows n, both over k: the kernel loads them alike
        Operand oa = new Operand(a, m, k, a.stride()[a.dim() - 2], a.stride()[a.dim() - 1], batch);
        Operand ob = new Operand(b, n, k, b.stride()[b.dim() - 1], b.stride()[b.dim() - 2], batch);
        int vw = VECTOR_BYTES / t.byteSize();
        int cvec = n % vw == 0 && address(c) % VECTOR_BYTES == 0 ? 1 : 0;
        int zBlocks = Math.min(nbatch, maxGridZ);
        Dim3 grid = new Dim3((int) tiles.blocks(m, n, 1), (nbatch + zBlocks - 1) / zBlocks, zBlocks);
        launch("gemm", t, tiles.kernel(), grid, Dim3.of(Tiles.THREADS), 0,
                new KernelArgs().ptr(a).ptr(b).ptr(c).i32(m).i32(n).i32(k)
                        .i32(oa.rowStride).i32(oa.kStride).i32(ob.kStride).i32(ob.rowStride)
                        .i32(oa.mode(vw)).i32(ob.mode(vw)).i32(cvec)
                        .bytes(KernelLayout.shape8(batch)).bytes(oa.batchStrides).bytes(ob.batchStrides).i32(nbatch));
        return c;
    }

    /** An operand as the kernel reads it: element (r, k) at r * rowStride + k * kStride. */
    private static final class Operand {
        final long address;
        final int rowStride;
        final int kStride;
        final byte[] batchStrides;
        final int[] batchStrideValues;

        Operand(NdArray x, int rows, int k, int rowStride, int kStride, int[] batch) {
            this.address = address(x);
            // a stride over an extent of 1 is never used: 0 lets it pass any alignment test
            this.rowStride = rows == 1 ? 0 : rowStride;
            this.kStride = k == 1 ? 0 : kStride;
            int r = x.dim() - 2;
            // the batch dims alone (with k = 0 they are no view of the storage: only their strides matter)
            this.batchStrides = KernelLayout.strides8(Arrays.copyOf(x.shape(), r), Arrays.copyOf(x.stride(), r), batch);
            this.batchStrideValues = new int[r];
            for (int d = 0; d < r; d++) {
                batchStrideValues[d] = x.size(d) == 1 ? 0 : x.stride()[d];   // as strides8 reads them
            }
        }

        /** Chunks along the smaller stride; vector loads when it is 1 and every other step keeps 16-byte alignment. */
        int mode(int vw) {
            boolean kFast = kStride == 1 || (rowStride != 1 && kStride <= rowStride);
            int along = kFast ? kStride : rowStride;
            int across = kFast ? rowStride : kStride;
            boolean aligned = along == 1 && across % vw == 0 && address % VECTOR_BYTES == 0
                    && Arrays.stream(batchStrideValues).allMatch(s -> s % vw == 0);
            return (kFast ? KFAST : 0) | (aligned ? VEC : 0);
        }
    }

    /** The broadcast batch shape, or an exception naming the op, the argument and the shapes. */
    private int[] check(NdArray a, NdArray b) {
        String shapes = "self of shape " + Shape.str(a.shape()) + " and other of shape " + Shape.str(b.shape());
        if (a.dtype() != b.dtype() || !a.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("matmul: " + shapes + " need one floating dtype, got " + a.dtype()
                    + " and " + b.dtype());
        }
        if (!a.device().equals(context.device()) || !b.device().equals(context.device())) {
            throw new IllegalArgumentException("matmul: " + shapes + " must be on " + context.device() + ", got "
                    + a.device() + " and " + b.device());
        }
        if (a.dim() < 2 || b.dim() < 2) {
            throw new IllegalArgumentException("matmul: the backend takes operands of rank >= 2 (NdArray.matmul "
                    + "handles 1-D ones), got " + shapes);
        }
        if (a.size(-1) != b.size(-2)) {
            throw new IllegalArgumentException("matmul: " + shapes + " cannot be multiplied (" + a.size(-1) + " vs "
                    + b.size(-2) + ")");
        }
        int[] batch = Shape.broadcast("matmul (batch dims)", Arrays.copyOf(a.shape(), a.dim() - 2),
                Arrays.copyOf(b.shape(), b.dim() - 2));
        KernelLayout.checkRank("matmul (batch dims)", batch);
        return batch;
    }
}
