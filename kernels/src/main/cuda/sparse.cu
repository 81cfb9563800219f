// Sparse (CSR) x dense products, the primitives behind dev.kiln.SparseMatrix. Indices are int64 and
// were checked on the host when the pattern was built (SparsePattern), so the kernels trust them.
// Both kernels are deterministic: every output element is summed by one thread, in entry order
// (spmm) or in k order (sampled), as the CPU backend sums; float32 accumulates in float.
//
// spmm:    out (M, N) contiguous = A (M, K) @ x (K, N), A = (crow (M + 1), col (nnz), val (nnz)),
//          x read through strides (xs0, xs1). One thread per output element: threads of one row
//          read x's rows at consecutive columns (coalesced when xs1 == 1) and share the row's
//          indices and values (broadcast loads).
// sampled: out (nnz): out[e] = sum_k a[row[e], k] b[k, col[e]], a (M, K) and b (K, N) strided.
//          One thread per entry; neighbouring entries share a row of a (the pattern is row-major).

#include "kiln.cuh"

template <class T>
__device__ void spmm(const long long* __restrict__ crow, const long long* __restrict__ col, const T* __restrict__ val,
                     const T* __restrict__ x, T* __restrict__ out, int m, int n, int xs0, int xs1) {
    KILN_FOR_EACH(t, m * n) {
        const int i = t / n;
        const int j = t - i * n;
        const int end = static_cast<int>(crow[i + 1]);
        T s = 0;
        for (int e = static_cast<int>(crow[i]); e < end; e++) {
            s += val[e] * x[static_cast<int>(col[e]) * xs0 + j * xs1];
        }
        out[t] = s;
    }
}

template <class T>
__device__ void sampled_mm(const long long* __restrict__ row, const long long* __restrict__ col, const T* __restrict__ a,
                           const T* __restrict__ b, T* __restrict__ out, int nnz, int k, int as0, int as1, int bs0,
                           int bs1) {
    KILN_FOR_EACH(e, nnz) {
        const T* ar = a + static_cast<int>(row[e]) * as0;
        const T* bc = b + static_cast<int>(col[e]) * bs1;
        T s = 0;
        for (int i = 0; i < k; i++) {
            s += ar[i * as1] * bc[i * bs0];
        }
        out[e] = s;
    }
}

// ---- kernels

#define SPMM_PARAMS(T) \
    const long long *crow, const long long *col, const T *val, const T *x, T *out, int m, int n, int xs0, int xs1
#define SPMM_ARGS crow, col, val, x, out, m, n, xs0, xs1
#define SAMPLED_PARAMS(T)                                                                                     \
    const long long *row, const long long *col, const T *a, const T *b, T *out, int nnz, int k, int as0, int as1, \
        int bs0, int bs1
#define SAMPLED_ARGS row, col, a, b, out, nnz, k, as0, as1, bs0, bs1

#define SPARSE_ENTRIES(T, S)                                                                      \
    KILN_ENTRY(spmm_csr, S)(SPMM_PARAMS(T)) { spmm<T>(SPMM_ARGS); }                               \
    KILN_ENTRY(sampled_mm, S)(SAMPLED_PARAMS(T)) { sampled_mm<T>(SAMPLED_ARGS); }

KILN_FLOAT_TYPES(SPARSE_ENTRIES)
