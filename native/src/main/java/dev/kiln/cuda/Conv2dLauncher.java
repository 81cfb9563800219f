package dev.kiln.cuda;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;

/**
 * kernels/conv2d.cu: the three convolution primitives as implicit GEMMs over contiguous operands,
 * output tiles of 256 threads (float 128 x 64, double 64 x 64; N 32 wide where N &lt;= 32), grid
 * (M tiles, N tiles, groups).
 * With one input channel per group (depthwise) a tile would be mostly padding, so direct loops run
 * instead, one thread per output element. Backward-weight reduces over N*OH*OW, so when its tiles
 * are too few to fill a GPU the reduction is split into chunks written to a workspace and summed in
 * split order by a second kernel (deterministic, no atomics).
 * Shapes, dtypes and devices are validated above the backend (Functional); here only float dtypes
 * and the 32-bit index range are checked.
 */
final class Conv2dLauncher extends Launcher {
    /**
     * conv2d.cu's conv::Tile<T> (BM by dtype, BN, and NARROW: BN of the "narrow" kernels) and conv::BK;
     * KernelConstantsTest compares.
     */
    static final int BM_F32 = 128;
    static final int BM_F64 = 64;
    static final int BN = 64;
    static final int NARROW = 32;
    static final int BK = 16;
    /** Backward-weight splits its reduction until about this many blocks run per SM... */
    private static final int TARGET_BLOCKS_PER_SM = 2;
    /** ...but gives each split at least this many K tiles. */
    private static final int MIN_TILES_PER_SPLIT = 8;
    /** The direct backward-weight splits until every SM is full of threads, chunks of at least 64. */
    private static final int MIN_DIRECT_CHUNK = 64;
    /** Forward and backward-input take the direct loops for C/groups == 1 up to this O/groups. */
    private static final int DIRECT_MAX_OUT_PER_GROUP = 8;
    /** Kernel coordinates and their sentinel sums stay inside int (conv::FAR = -2^30). */
    private static final int COORD_LIMIT = 1 << 29;
    private static final int MAX_GRID_YZ = KernelLimits.MAX_GRID_YZ;
    /** GEMM extents stay below this, so the kernels' look-ahead past K (two tiles) stays inside int. */
    private static final int INDEX_LIMIT = Integer.MAX_VALUE - 2 * BK;

    Conv2dLauncher(CudaContext context) {
        super(context);
    }

    /** x (N, C, H, W), w (O, C/groups, KH, KW), bias (O) or null -> y (N, O, OH, OW). */
    NdArray forward(NdArray x, NdArray w, NdArray bias, Conv2dParams p) {
        String op = "conv2d";
        DType t = floating(op, x);
        ConvGeom g = geometry(op, x.shape(), w.shape(), p);
        NdArray y = newArray(new int[] {x.size(0), w.size(0), g.oh(), g.ow()}, t);
        if (y.numel() == 0) {
            return y;
        }
        try (Temporaries tmp = temporaries()) {
            NdArray xc = tmp.contiguous(x);
            NdArray wc = tmp.contiguous(w);
            NdArray bc = bias == null ? null : tmp.contiguous(bias);
            KernelArgs args = new KernelArgs().ptr(xc).ptr(wc).ptrOrNull(bc)
                    .ptr(y).bytes(g.bytes());
            int og = w.size(0) / p.groups();
            if (direct(w.size(1), og)) {
                launch("conv2d", t, "conv2d_dwfwd_" + KernelLayout.suffix(t), gridFor(y.numel(), BLOCK), Dim3.of(BLOCK), 0, args);
            } else {
                launch("conv2d", t, gemm("conv2d_fwd", og, t), grid(op, t, x.size(0) * g.oh() * g.ow(), og,
                        p.groups()), Dim3.of(BLOCK), 0, args);
            }
        }
        return y;
    }

    /** gy (N, O, OH, OW), w (O, C/groups, KH, KW) -> gx of inputShape (N, C, H, W). */
    NdArray backwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p) {
        String op = "conv2d_backward_input";
        DType t = floating(op, gy);
        ConvGeom g = geometry(op, inputShape, w.shape(), p);
        NdArray gx = newArray(inputShape, t);
        if (gx.numel() == 0) {
            return gx;
        }
        try (Temporaries tmp = temporaries()) {
            NdArray gyc = tmp.contiguous(gy);
            NdArray wc = tmp.contiguous(w);
            KernelArgs args = new KernelArgs().ptr(gyc).ptr(wc).ptr(gx).bytes(g.bytes());
            int cg = inputShape[1] / p.groups();
            if (direct(cg, w.size(0) / p.groups())) {
                launch("conv2d", t, "conv2d_dwbwdinput_" + KernelLayout.suffix(t), gridFor(gx.numel(), BLOCK), Dim3.of(BLOCK),
                        0, args);
            } else {
                // one GEMM per stride phase (py, px), over the input pixels of the largest phase
                int phases = p.strideH() * p.strideW();
                Dim3 grid = grid(op, t, inputShape[0] * ceilDiv(inputShape[2], p.strideH())
                        * ceilDiv(inputShape[3], p.strideW()), cg, (long) p.groups() * phases);
                launch("conv2d", t, gemm("conv2d_bwdinput", cg, t), grid, Dim3.of(BLOCK), 0, args);
            }
        }
        return gx;
    }

    /**
     * gy (N, O, OH, OW), x (N, C, H, W) -> gw of weightShape (O, C/groups, KH, KW), a reduction over
     * N*OH*OW split into chunks: by the GEMM, or with C/groups == 1 by one thread per (chunk, element).
     */
    NdArray backwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p) {
        String op = "conv2d_backward_weight";
        DType t = floating(op, gy);
        ConvGeom g = geometry(op, x.shape(), weightShape, p);
        int size = Shape.numel(weightShape);
        int reduction = x.size(0) * g.oh() * g.ow();
        if (reduction == 0 || size == 0) {
            return zeros(weightShape, t);
        }
        int og = weightShape[0] / p.groups();
        int jdim = size / weightShape[0];
        boolean direct = weightShape[1] == 1;
        // the reduction in `splits` chunks of `chunk` (for the GEMM, whole K tiles), none empty
        int step = direct ? 1 : BK;
        int steps = ceilDiv(reduction, step);
        long unsplit = direct ? size : (long) ceilDiv(jdim, tileM(t)) * ceilDiv(og, tileN(og)) * p.groups();  // threads / blocks
        DeviceApi api = context.api();
        long target = direct ? (long) api.multiprocessorCount() * api.maxThreadsPerMultiprocessor()
                : (long) api.multiprocessorCount() * TARGET_BLOCKS_PER_SM;
        long wanted = Math.min(ceilDiv(target, unsplit),
                ceilDiv(steps, direct ? MIN_DIRECT_CHUNK : MIN_TILES_PER_SPLIT));
        long fits = Math.min(Integer.MAX_VALUE / size, direct ? Integer.MAX_VALUE : MAX_GRID_YZ / p.groups());
        int splits = (int) Math.max(1, Math.min(wanted, fits));
        int chunk = ceilDiv(steps, splits) * step;
        splits = ceilDiv(reduction, chunk);
        NdArray gw = newArray(weightShape, t);
        try (Temporaries tmp = temporaries()) {
            NdArray gyc = tmp.contiguous(gy);
            NdArray xc = tmp.contiguous(x);
            NdArray out = splits == 1 ? gw : tmp.empty(new int[] {splits * size}, t);
            KernelArgs args = new KernelArgs().ptr(xc).ptr(gyc).ptr(out).bytes(g.bytes())
                    .i32(chunk);
            if (direct) {
                launch("conv2d", t, "conv2d_dwbwdweight_" + KernelLayout.suffix(t), gridFor((long) splits * size, BLOCK),
                        Dim3.of(BLOCK), 0, args.i32(splits));
            } else {
                Dim3 grid = grid(op, t, jdim, og, p.groups());
                launch("conv2d", t, gemm("conv2d_bwdweight", og, t), new Dim3(grid.x(), grid.y(),
                        p.groups() * splits), Dim3.of(BLOCK), 0, args);
            }
            if (splits > 1) {
                launch("conv2d", t, "conv2d_sumsplits_" + KernelLayout.suffix(t), gridFor(size, BLOCK), Dim3.of(BLOCK), 0,
                        new KernelArgs().ptr(out).ptr(gw).i32(size).i32(splits));
            }
        }
        return gw;
    }

    /** The direct (depthwise) loops serve one input channel per group with few outputs per group. */
    private static boolean direct(int cg, int og) {
        return cg == 1 && og <= DIRECT_MAX_OUT_PER_GROUP;
    }

    /** Dtype and device agreement of the operands is checked above the backend (Functional). */
    private DType floating(String op, NdArray x) {
        if (x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64) {
            throw unsupported(op, x.dtype());
        }
        return x.dtype();
    }

    /** The kernels' geometry, after checking that every index they form fits in an int. */
    private static ConvGeom geometry(String op, int[] in, int[] ws, Conv2dParams p) {
        int oh = p.outH(in[2], ws[2]);
        int ow = p.outW(in[3], ws[3]);
        // the largest GEMM extent or index: output, backward-input pixels, backward-weight reduction
        long outElements = Math.max((long) in[0] * Math.max(1, ws[0]) * oh * ow, (long) in[0] * in[2] * in[3]);
        long padded = Math.max((long) in[2] + 2L * p.padH(), (long) in[3] + 2L * p.padW());
        if (outElements > INDEX_LIMIT || padded >= COORD_LIMIT || (long) oh * p.strideH() >= COORD_LIMIT
                || (long) ow * p.strideW() >= COORD_LIMIT) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(in) + " with weight " + Shape.str(ws)
                    + " is too large for the cuda backend's 32-bit indexing (output " + Shape.str(new int[] {in[0], ws[0], oh, ow})
                    + ", padded input " + (in[2] + 2L * p.padH()) + "x" + (in[3] + 2L * p.padW()) + ")");
        }
        return new ConvGeom(in[0], in[1], in[2], in[3], ws[0], ws[2], ws[3], oh, ow,
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW(), p.groups());
    }

    private static int tileM(DType t) {
        return t == DType.FLOAT32 ? BM_F32 : BM_F64;
    }

    private static int tileN(int n) {
        return n <= NARROW ? NARROW : BN;
    }

    /** The GEMM kernel for a GEMM N of n: the narrow one where its tile covers n. */
    private static String gemm(String kernel, int n, DType t) {
        return kernel + (n <= NARROW ? "narrow_" : "_") + KernelLayout.suffix(t);
    }

    /** (M tiles, N tiles, z) for an M x N output per z (a group, or a group's stride phase). */
    private static Dim3 grid(String op, DType t, int m, int n, long z) {
        int nTiles = ceilDiv(n, tileN(n));
        if (nTiles > MAX_GRID_YZ || z > MAX_GRID_YZ) {
            throw new IllegalArgumentException(op + ": " + n + " channels per group in " + z
                    + " groups (times stride phases for the input gradient) exceed the cuda backend's grid limits");
        }
        return new Dim3(ceilDiv(m, tileM(t)), nTiles, (int) z);
    }

    private static int ceilDiv(int a, int b) {
        return (int) ceilDiv((long) a, b);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private NdArray zeros(int[] shape, DType t) {
        NdArray z = newArray(shape, t);
        if (z.numel() > 0) {
            context.api().memset(address(z), 0, (long) z.numel() * t.byteSize(), context.stream().handle());
        }
        return z;
    }
}
