package dev.kiln.cuda;

import dev.kiln.spi.AttentionSpec;
import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * kernels/attention.cu: q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev) and the mask (B, Lq, Lk) are read
 * through their strides, so views (transposes, broadcast masks) need no copy. Blocks of 128 threads;
 * the kernel variant is the smallest head-dim bound (32, 64, 128) >= max(E, Ev). Backward runs a prep
 * kernel (logsumexp and rowsum(gOut * out) per row), a dK/dV kernel over key tiles and a dQ kernel over
 * query tiles: no atomics, so the gradients are deterministic.
 */
final class AttentionLauncher extends Launcher {
    private static final String OP = "scaled_dot_product_attention";
    static final int THREADS = 128;
    /** attention.cu's ATTN_WARPS. */
    static final int WARPS = THREADS / 32;
    static final int[] HEAD_DIMS = {32, 64, 128};

    AttentionLauncher(CudaContext context) {
        super(context);
    }

    /**
     * Rows per block of the forward, dQ and dK/dV kernels (queries, queries, keys) for head-dim bound d:
     * WARPS times the TM or TK each variant is instantiated with at the end of attention.cu
     * (AttentionTilesTest compares).
     */
    record TileRows(int fwd, int dq, int dkdv) {
        static TileRows of(DType t, int d) {
            boolean f32 = t == DType.FLOAT32;
            switch (d) {
                case 32: return f32 ? new TileRows(64, 32, 64) : new TileRows(32, 32, 32);
                case 64: return f32 ? new TileRows(64, 32, 32) : new TileRows(32, 16, 8);
                default: return f32 ? new TileRows(32, 16, 8) : new TileRows(8, 4, 4);
            }
        }
    }

    /** The checked shapes of one call: {B, Lq, Lk, E, Ev} and the head-dim bound. */
    private record Dims(int nb, int lq, int lk, int e, int ev, int d) {
        int blocks(int len, int rows) {
            return nb * ((len + rows - 1) / rows);
        }
    }

    private Dims check(String op, NdArray q, NdArray k, NdArray v, NdArray mask) {
        DType t = q.dtype();
        if (!t.isFloatingPoint() || k.dtype() != t || v.dtype() != t) {
            throw unsupported(op, "query " + q.dtype() + ", key " + k.dtype() + " and value " + v.dtype());
        }
        if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || k.size(0) != q.size(0) || v.size(0) != q.size(0)
                || k.size(2) != q.size(2) || v.size(1) != k.size(1)) {
            throw new IllegalArgumentException(op + ": expected query (B, Lq, E), key (B, Lk, E) and value (B, Lk, Ev), got "
                    + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + " and " + Shape.str(v.shape()));
        }
        int e = q.size(2);
        int ev = v.size(2);
        int d = Arrays.stream(HEAD_DIMS).filter(h -> h >= Math.max(e, ev)).findFirst().orElseThrow(() ->
                new UnsupportedOperationException(op + ": the cuda backend supports head dims up to "
                        + HEAD_DIMS[HEAD_DIMS.length - 1] + ", got query " + Shape.str(q.shape()) + " and value "
                        + Shape.str(v.shape())));
        Dims dims = new Dims(q.size(0), q.size(1), k.size(1), e, ev, d);
        if (mask != null) {
            int[] expected = {dims.nb, dims.lq, dims.lk};
            if (!Arrays.equals(mask.shape(), expected) || (mask.dtype() != DType.BOOL && mask.dtype() != t)) {
                throw new IllegalArgumentException(op + ": attn_mask must be bool or " + t + " of shape "
                        + Shape.str(expected) + ", got " + mask.dtype() + " " + Shape.str(mask.shape()));
            }
        }
        return dims;
    }

    private static void expectShape(String op, String name, NdArray x, DType t, int... shape) {
        if (x.dtype() != t || !Arrays.equals(x.shape(), shape)) {
            throw new IllegalArgumentException(op + ": expected " + name + " " + t + " " + Shape.str(shape) + ", got "
                    + x.dtype() + " " + Shape.str(x.shape()));
        }
    }

    private static byte[] strides(NdArray x) {
        return KernelLayout.strides8(x, x.shape());
    }

    private static String kernel(String name, int d, DType t) {
        return "attention_" + name + (d > 0 ? "_d" + d : "") + "_" + KernelLayout.suffix(t);
    }

    /** The additive mask pointer, the bool mask pointer (one or both 0) and the mask's strides. */
    private static KernelArgs maskArgs(KernelArgs args, NdArray mask) {
        boolean bool = mask != null && mask.dtype() == DType.BOOL;
        return args.ptrOrNull(bool ? null : mask).ptrOrNull(bool ? mask : null);
    }

    private static KernelArgs tail(KernelArgs args, AttentionSpec p, Dims s, DType t) {
        NdArray mask = p.mask();
        double scale = p.scale();
        boolean causal = p.causal();
        args.bytes(mask == null ? new byte[4 * KernelLayout.DIMS] : strides(mask))
                .i32(s.nb).i32(s.lq).i32(s.lk).i32(s.e).i32(s.ev);
        (t == DType.FLOAT32 ? args.f32((float) scale) : args.f64(scale)).i32(causal ? 1 : 0);
        return args;
    }

    private void run(DType t, String kernel, int blocks, KernelArgs args) {
        if (blocks > 0) {
            launch("attention", t, kernel, Dim3.of(blocks), Dim3.of(THREADS), 0, args);
        }
    }

    /** {out (B, Lq, Ev), logsumexp (B, Lq)}. */
    NdArray[] forward(NdArray q, NdArray k, NdArray v, AttentionSpec p) {
        Dims s = check(OP, q, k, v, p.mask());
        DType t = q.dtype();
        NdArray out = newArray(new int[] {s.nb, s.lq, s.ev}, t);
        NdArray lse = newArray(new int[] {s.nb, s.lq}, t);
        KernelArgs args = maskArgs(new KernelArgs().ptr(q).ptr(k).ptr(v), p.mask())
                .ptr(out).ptr(lse).bytes(strides(q)).bytes(strides(k)).bytes(strides(v));
        run(t, kernel("fwd", s.d, t), s.blocks(s.lq, TileRows.of(t, s.d).fwd()), tail(args, p, s, t));
        return new NdArray[] {out, lse};
    }

    /** {gq, gk, gv} shaped like q, k, v (contiguous). */
    NdArray[] backward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp, AttentionSpec p) {
        String op = OP + "_backward";
        Dims s = check(op, q, k, v, p.mask());
        DType t = q.dtype();
        expectShape(op, "grad_output", gOut, t, s.nb, s.lq, s.ev);
        expectShape(op, "output", out, t, s.nb, s.lq, s.ev);
        expectShape(op, "logsumexp", logsumexp, t, s.nb, s.lq);
        NdArray gq = newArray(q.shape(), t);
        NdArray gk = newArray(k.shape(), t);
        NdArray gv = newArray(v.shape(), t);
        TileRows rows = TileRows.of(t, s.d);
        try (Temporaries tmp = temporaries()) {
            NdArray stats = tmp.empty(new int[] {2, s.nb * s.lq}, t);   // (logsumexp, rowsum(gOut * out)) per row
            run(t, kernel("bwd_prep", 0, t), (s.nb * s.lq + WARPS - 1) / WARPS,
                    new KernelArgs().ptr(gOut).ptr(out).ptr(logsumexp).ptr(stats)
                            .bytes(strides(gOut)).bytes(strides(out)).bytes(strides(logsumexp))
                            .i32(s.nb).i32(s.lq).i32(s.ev));
            KernelArgs dkdv = maskArgs(new KernelArgs().ptr(q).ptr(k).ptr(v)
                    .ptr(gOut), p.mask()).ptr(stats).ptr(gk).ptr(gv)
                    .bytes(strides(q)).bytes(strides(k)).bytes(strides(v)).bytes(strides(gOut));
            run(t, kernel("bwd_dkdv", s.d, t), s.blocks(s.lk, rows.dkdv()), tail(dkdv, p, s, t));
            KernelArgs dq = maskArgs(new KernelArgs().ptr(q).ptr(k).ptr(v)
                    .ptr(gOut), p.mask()).ptr(stats).ptr(gq)
                    .bytes(strides(q)).bytes(strides(k)).bytes(strides(v)).bytes(strides(gOut));
            run(t, kernel("bwd_dq", s.d, t), s.blocks(s.lq, rows.dq()), tail(dq, p, s, t));
        }
        return new NdArray[] {gq, gk, gv};
    }
}
