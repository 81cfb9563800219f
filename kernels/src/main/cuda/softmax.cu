// softmax / log-softmax forward and backward along one dim of a contiguous tensor viewed as
// (outer, d, inner): row r = (o, i) holds elements o * d * inner + j * inner + i, j < d.
// Forward along the last dim (inner == 1) with rows of up to 1024 * 32 elements holds each row in
// registers (softmax_rows*): one read, one exp per element, one write. Otherwise it is online: one
// pass keeps a running (max, sum of exp(x - max)) per thread, the pairs are merged across the warp /
// block, a second pass reads again and writes. The launcher picks one warp per row for short rows
// (d <= 1024) and one block per row otherwise. log: 0 softmax, 1 log-softmax.

#include "kiln.cuh"
#include "kmath.cuh"
#include "kpack.cuh"
#include "kwarp.cuh"

// (m, s) <- the merge of (m, s) and (m2, s2); an empty side has m = -inf and s = 0.
template <class T>
__device__ __forceinline__ void online_merge(T& m, T& s, T m2, T s2) {
    const T mm = m > m2 ? m : m2;
    if (mm == -k_inf<T>()) {
        return;  // both empty (or all -inf): exp(-inf - -inf) would be NaN
    }
    s = (m == -k_inf<T>() ? static_cast<T>(0) : s * k_exp(m - mm)) + (m2 == -k_inf<T>() ? static_cast<T>(0) : s2 * k_exp(m2 - mm));
    m = mm;
}

template <class T>
__device__ __forceinline__ void online_add(T& m, T& s, T x) {
    online_merge(m, s, x, static_cast<T>(1));
}

template <class T>
__device__ __forceinline__ void warp_merge(T& m, T& s) {
    for (int off = 16; off > 0; off >>= 1) {
        online_merge(m, s, __shfl_xor_sync(0xffffffffu, m, off), __shfl_xor_sync(0xffffffffu, s, off));
    }
}

template <class T>
__device__ __forceinline__ T softmax_value(T x, T m, T s, int log) {
    return log ? x - m - k_log(s) : k_exp(x - m) / s;
}

// gx for one element from the row sum: softmax sum(gy * y), log-softmax sum(gy).
template <class T>
__device__ __forceinline__ T softmax_grad(T gy, T y, T sum, int log) {
    return log ? gy - k_exp(y) * sum : y * (gy - sum);
}

// ---- one warp per row; block (32, rows per block)

// x, y: (outer, d, inner)
template <class T>
__device__ void softmax_warp(const T* __restrict__ x, T* __restrict__ y, int outer, int d, int inner, int log) {
    const int row = blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= outer * inner) {
        return;  // whole warps leave together: no warp intrinsic waits for them
    }
    const int base = (row / inner) * d * inner + row % inner;
    T m = -k_inf<T>();
    T s = static_cast<T>(0);
    for (int j = threadIdx.x; j < d; j += 32) {
        online_add(m, s, x[base + j * inner]);
    }
    warp_merge(m, s);
    for (int j = threadIdx.x; j < d; j += 32) {
        y[base + j * inner] = softmax_value(x[base + j * inner], m, s, log);
    }
}

// gy, y, gx: (outer, d, inner); y is the forward output
template <class T>
__device__ void softmax_bwd_warp(const T* __restrict__ gy, const T* __restrict__ y, T* __restrict__ gx, int outer,
                                 int d, int inner, int log) {
    const int row = blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= outer * inner) {
        return;
    }
    const int base = (row / inner) * d * inner + row % inner;
    T sum = static_cast<T>(0);
    for (int j = threadIdx.x; j < d; j += 32) {
        const int k = base + j * inner;
        sum += log ? gy[k] : gy[k] * y[k];
    }
    sum = warp_sum(sum);
    for (int j = threadIdx.x; j < d; j += 32) {
        const int k = base + j * inner;
        gx[k] = softmax_grad(gy[k], y[k], sum, log);
    }
}

// ---- one block per row; blockDim.x a multiple of 32, up to 1024

template <class T>
__device__ void block_merge(T& m, T& s) {
    __shared__ T pm[32];
    __shared__ T ps[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    warp_merge(m, s);
    if (lane == 0) {
        pm[warp] = m;
        ps[warp] = s;
    }
    __syncthreads();
    const bool live = lane < (int)(blockDim.x >> 5);
    m = live ? pm[lane] : -k_inf<T>();
    s = live ? ps[lane] : static_cast<T>(0);
    warp_merge(m, s);
    __syncthreads();  // pm/ps are reused by the next row
}

template <class T>
__device__ T block_sum(T v) {
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    v = warp_sum(v);
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    v = warp_sum(lane < (int)(blockDim.x >> 5) ? partial[lane] : static_cast<T>(0));
    __syncthreads();
    return v;
}

template <class T>
__device__ void softmax_block(const T* __restrict__ x, T* __restrict__ y, int outer, int d, int inner, int log) {
    for (int row = blockIdx.x; row < outer * inner; row += gridDim.x) {
        const int base = (row / inner) * d * inner + row % inner;
        T m = -k_inf<T>();
        T s = static_cast<T>(0);
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            online_add(m, s, x[base + j * inner]);
        }
        block_merge(m, s);
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            y[base + j * inner] = softmax_value(x[base + j * inner], m, s, log);
        }
    }
}

template <class T>
__device__ void softmax_bwd_block(const T* __restrict__ gy, const T* __restrict__ y, T* __restrict__ gx, int outer,
                                  int d, int inner, int log) {
    for (int row = blockIdx.x; row < outer * inner; row += gridDim.x) {
        const int base = (row / inner) * d * inner + row % inner;
        T sum = static_cast<T>(0);
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            const int k = base + j * inner;
            sum += log ? gy[k] : gy[k] * y[k];
        }
        sum = block_sum(sum);
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            const int k = base + j * inner;
            gx[k] = softmax_grad(gy[k], y[k], sum, log);
        }
    }
}

// ---- rows held in registers: inner == 1 and d <= N * blockDim.x. blockDim (P, R): P threads per row
// (a multiple of 32, up to 1024), R rows per block where P == 32 (a warp per row), else R == 1. A row is
// dealt to its threads in 16-byte packs when every row is aligned (d a multiple of the pack, x and y
// aligned), element by element otherwise; either way neighbouring threads touch neighbouring addresses.

// max that propagates NaN (a NaN row gives NaN, as PyTorch), the same in every lane of a butterfly.
template <class T>
__device__ __forceinline__ T max_or_nan(T a, T b) {
    return b > a || b != b ? b : a;
}

template <class T, bool MAX>
__device__ __forceinline__ T warp_all(T v) {
    for (int off = 16; off > 0; off >>= 1) {
        const T o = __shfl_xor_sync(0xffffffffu, v, off);
        v = MAX ? max_or_nan(v, o) : v + o;
    }
    return v;
}

// The max (MAX) or the sum of v over the P threads of this row, in every one of them.
template <class T, bool MAX>
__device__ T row_all(T v) {
    v = warp_all<T, MAX>(v);
    if (blockDim.x == 32) {
        return v;
    }
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31;
    if (lane == 0) {
        partial[threadIdx.x >> 5] = v;
    }
    __syncthreads();
    v = warp_all<T, MAX>(lane < (int)(blockDim.x >> 5) ? partial[lane] : MAX ? -k_inf<T>() : static_cast<T>(0));
    __syncthreads();  // partial is free again
    return v;
}

// x, y: (rows, d); the row's element k of this thread is v[k] (-inf past the row's end)
template <class T, int N>
__device__ void softmax_rows(const T* __restrict__ x, T* __restrict__ y, int rows, int d, int log) {
    constexpr int V = Pack<T>::V;
    static_assert(N % V == 0, "whole packs per thread");
    const int row = blockIdx.x * blockDim.y + threadIdx.y;
    if (row >= rows) {
        return;  // only where R > 1: whole warps leave together, no block barrier follows
    }
    const T* xr = x + static_cast<long long>(row) * d;
    T* yr = y + static_cast<long long>(row) * d;
    const int t = threadIdx.x;
    const int p = blockDim.x;
    const bool packed = d % V == 0 && aligned16(x) && aligned16(y);
    T v[N];
#pragma unroll
    for (int q = 0; q < N / V; q++) {
        if (packed) {
            const int at = t + q * p;  // in packs
            const Pack<T> in = at * V < d ? load_pack(xr, at) : splat_pack(-k_inf<T>());
#pragma unroll
            for (int k = 0; k < V; k++) {
                v[q * V + k] = in.v[k];
            }
        } else {
#pragma unroll
            for (int k = 0; k < V; k++) {
                const int j = t + (q * V + k) * p;
                v[q * V + k] = j < d ? xr[j] : -k_inf<T>();
            }
        }
    }
    T m = -k_inf<T>();
#pragma unroll
    for (int k = 0; k < N; k++) {
        m = max_or_nan(m, v[k]);
    }
    m = row_all<T, true>(m);
    T s = static_cast<T>(0);
#pragma unroll
    for (int k = 0; k < N; k++) {  // past the end: exp(-inf - m) = 0
        v[k] = log ? v[k] - m : k_exp(v[k] - m);
        s += log ? k_exp(v[k]) : v[k];
    }
    s = row_all<T, false>(s);
    const T r = log ? k_log(s) : static_cast<T>(1) / s;  // one division per row
#pragma unroll
    for (int k = 0; k < N; k++) {
        v[k] = log ? v[k] - r : v[k] * r;
    }
#pragma unroll
    for (int q = 0; q < N / V; q++) {
        if (packed) {
            const int at = t + q * p;
            if (at * V < d) {
                Pack<T> out;
#pragma unroll
                for (int k = 0; k < V; k++) {
                    out.v[k] = v[q * V + k];
                }
                store_pack(yr, at, out);
            }
        } else {
#pragma unroll
            for (int k = 0; k < V; k++) {
                const int j = t + (q * V + k) * p;
                if (j < d) {
                    yr[j] = v[q * V + k];
                }
            }
        }
    }
}

// ---- kernels (softmax_rows<N>: N elements per thread; float64 up to 16, where 1024 threads have registers for them)

#define SOFTMAX_ENTRIES(T, S)                                                                                  \
    KILN_ENTRY(softmax_warp, S)(const T* x, T* y, int outer, int d, int inner, int log) {                      \
        softmax_warp<T>(x, y, outer, d, inner, log);                                                           \
    }                                                                                                          \
    KILN_ENTRY(softmax_block, S)(const T* x, T* y, int outer, int d, int inner, int log) {                     \
        softmax_block<T>(x, y, outer, d, inner, log);                                                          \
    }                                                                                                          \
    KILN_ENTRY(softmax_bwdwarp, S)(const T* gy, const T* y, T* gx, int outer, int d, int inner, int log) {     \
        softmax_bwd_warp<T>(gy, y, gx, outer, d, inner, log);                                                  \
    }                                                                                                          \
    KILN_ENTRY(softmax_bwdblock, S)(const T* gy, const T* y, T* gx, int outer, int d, int inner, int log) {    \
        softmax_bwd_block<T>(gy, y, gx, outer, d, inner, log);                                                 \
    }                                                                                                          \
    KILN_BOUNDED_ENTRY(1024, softmax_rows4, S)(const T* x, T* y, int rows, int d, int log) {                   \
        softmax_rows<T, 4>(x, y, rows, d, log);                                                                \
    }                                                                                                          \
    KILN_BOUNDED_ENTRY(1024, softmax_rows8, S)(const T* x, T* y, int rows, int d, int log) {                   \
        softmax_rows<T, 8>(x, y, rows, d, log);                                                                \
    }                                                                                                          \
    KILN_BOUNDED_ENTRY(1024, softmax_rows16, S)(const T* x, T* y, int rows, int d, int log) {                  \
        softmax_rows<T, 16>(x, y, rows, d, log);                                                               \
    }

KILN_FLOAT_TYPES(SOFTMAX_ENTRIES)
#ifndef KILN_F64
// 32 elements per thread: float32 only (1024 threads have no registers for 32 doubles each)
extern "C" __global__ void __launch_bounds__(1024) softmax_rows32_f32(const float* x, float* y, int rows, int d, int log) {
    softmax_rows<float, 32>(x, y, rows, d, log);
}
#endif
