package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * kernels/sparse.cu: CSR x dense (spmm) and the dense product sampled at a sparse pattern. The
 * pattern's int64 indices come checked (SparsePattern) and contiguous; values are made contiguous
 * here, dense operands are read through their strides. One thread per output element (see the .cu).
 */
final class SparseLauncher extends Launcher {
    SparseLauncher(CudaContext context) {
        super(context);
    }

    /** out (M, N) = (crow (M + 1), col (nnz), values (nnz)) @ x (K, N). */
    NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x) {
        int m = crow.numel() - 1;
        int n = x.size(1);
        DType t = floating("sparse_mm", x);
        NdArray out = newArray(new int[] {m, n}, t);
        if (out.numel() == 0) {
            return out;
        }
        try (Temporaries tmp = temporaries()) {
            KernelArgs args = new KernelArgs().ptr(tmp.contiguous(crow)).ptr(tmp.contiguous(col))
                    .ptr(tmp.contiguous(values)).ptr(x).ptr(out).i32(m).i32(n).i32(x.stride(0)).i32(x.stride(1));
            launch("sparse", t, "spmm_csr_" + KernelLayout.suffix(t), gridFor(out.numel(), BLOCK), Dim3.of(BLOCK), 0, args);
        }
        return out;
    }

    /** out (nnz): out[e] = a (M, K) row row[e] . b (K, N) column col[e]. */
    NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b) {
        int nnz = row.numel();
        DType t = floating("sampled_mm", a);
        NdArray out = newArray(new int[] {nnz}, t);
        if (nnz == 0) {
            return out;
        }
        try (Temporaries tmp = temporaries()) {
            KernelArgs args = new KernelArgs().ptr(tmp.contiguous(row)).ptr(tmp.contiguous(col)).ptr(a).ptr(b).ptr(out)
                    .i32(nnz).i32(a.size(1)).i32(a.stride(0)).i32(a.stride(1)).i32(b.stride(0)).i32(b.stride(1));
            launch("sparse", t, "sampled_mm_" + KernelLayout.suffix(t), gridFor(nnz, BLOCK), Dim3.of(BLOCK), 0, args);
        }
        return out;
    }

    private DType floating(String op, NdArray x) {
        if (!x.dtype().isFloatingPoint()) {
            throw unsupported(op, x.dtype());
        }
        return x.dtype();
    }
}
