// Indexing along one dim d: range check, gather and scatter-add. The launcher expresses
// index_select and index_add as gather and scatter-add with the 1-D index expanded (stride 0) over
// the other dims, so these two kernels serve all four ops. Every index is checked in range by
// index_check before gather / scatter_add run, so they may trust it.
//
// Layouts are Shape8 / Strides8 views (kiln.cuh). A view "with d zeroed" has stride 0 at d: the
// index value supplies that coordinate, times the separate stride argument.

#include "kiln.cuh"

// atomicAdd for every element type scatter_add takes (CUDA has no signed 64-bit overload; two's
// complement addition is the same on the unsigned bits).
__device__ __forceinline__ void k_atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ __forceinline__ void k_atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ __forceinline__ void k_atomic_add(long long* p, long long v) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
}

// idx viewed with (shape, is), n elements: for every i with idx outside [0, size),
// *bad = max(*bad, n - i). *bad starts at 0, so afterwards n - *bad is the first bad position
// (row-major), or *bad == 0 when all are in range.
__device__ void index_check(const long long* __restrict__ idx, Shape8 shape, Strides8 is, int n, long long size,
                            unsigned long long* bad) {
    KILN_FOR_EACH(i, n) {
        const long long v = idx[strided_offset(i, shape, is)];
        if (v < 0 || v >= size) {
            atomicMax(bad, static_cast<unsigned long long>(n - i));
        }
    }
}

// out (n,) contiguous over shape = x at each position of shape, with the coordinate at d taken
// from idx. xs: x's strides with d zeroed; xd: x's stride at d; is: idx's strides.
template <class T>
__device__ void gather(const T* __restrict__ x, const long long* __restrict__ idx, T* __restrict__ out, Shape8 shape,
                       Strides8 xs, Strides8 is, int xd, int n) {
    KILN_FOR_EACH(i, n) {
        // (the div/mod chains of the offsets are the same expressions: the compiler shares them)
        out[i] = x[strided_offset(i, shape, xs) + static_cast<int>(idx[strided_offset(i, shape, is)]) * xd];
    }
}

// out[.., idx[.., j, ..], ..] += src[.., j, ..] along d. Each of the `lines` positions (row-major
// over lines) walks m elements along d: with m = 1 and lines = the index's shape every element is
// its own thread and adds atomically; with lines = the index's shape with d set to 1 and m its
// size at d, one thread owns a whole line of the output (lines never share an output element), so
// plain adds in index order give a deterministic sum, the CPU backend's. is, ss: idx and src
// strides over lines; os: out's strides with d zeroed; is_d, ss_d, os_d: the strides at d.
template <class T>
__device__ void scatter_add(const long long* __restrict__ idx, const T* __restrict__ src, T* __restrict__ out,
                            Shape8 lines, Strides8 is, Strides8 ss, Strides8 os, int n, int m, int is_d, int ss_d,
                            int os_d, int atomic) {
    KILN_FOR_EACH(l, n) {
        const int io = strided_offset(l, lines, is);
        const int so = strided_offset(l, lines, ss);
        const int oo = strided_offset(l, lines, os);
        for (int j = 0; j < m; j++) {
            T* p = out + oo + static_cast<int>(idx[io + j * is_d]) * os_d;
            const T v = src[so + j * ss_d];
            if (atomic) {
                k_atomic_add(p, v);
            } else {
                *p += v;
            }
        }
    }
}

// ---- kernels

#define INDEX_ENTRIES(T, S)                                                                                    \
    KILN_ENTRY(gather, S)(const T* x, const long long* idx, T* out, Shape8 shape, Strides8 xs, Strides8 is, int xd, \
                          int n) {                                                                             \
        gather<T>(x, idx, out, shape, xs, is, xd, n);                                                          \
    }                                                                                                          \
    KILN_ENTRY(scatter_add, S)(const long long* idx, const T* src, T* out, Shape8 lines, Strides8 is, Strides8 ss, \
                               Strides8 os, int n, int m, int is_d, int ss_d, int os_d, int atomic) {          \
        scatter_add<T>(idx, src, out, lines, is, ss, os, n, m, is_d, ss_d, os_d, atomic);                      \
    }

KILN_FLOAT_TYPES(INDEX_ENTRIES)
#ifndef KILN_F64
extern "C" __global__ void gather_b8(const unsigned char* x, const long long* idx, unsigned char* out, Shape8 shape, Strides8 xs,
                                  Strides8 is, int xd, int n) {
    gather<unsigned char>(x, idx, out, shape, xs, is, xd, n);
}
extern "C" __global__ void index_check_i64(const long long* idx, Shape8 shape, Strides8 is, int n, long long size,
                                           unsigned long long* bad) {
    index_check(idx, shape, is, n, size, bad);
}
extern "C" __global__ void gather_i64(const long long* x, const long long* idx, long long* out, Shape8 shape, Strides8 xs,
                                  Strides8 is, int xd, int n) {
    gather<long long>(x, idx, out, shape, xs, is, xd, n);
}
extern "C" __global__ void scatter_add_i64(const long long* idx, const long long* src, long long* out, Shape8 lines, Strides8 is,
                                       Strides8 ss, Strides8 os, int n, int m, int is_d, int ss_d, int os_d, int atomic) {
    scatter_add<long long>(idx, src, out, lines, is, ss, os, n, m, is_d, ss_d, os_d, atomic);
}
#endif
