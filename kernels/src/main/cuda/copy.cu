// Copies, casts, fills and arange. n = number of elements of shape; y contiguous unless given strides.

#include "kiln.cuh"
#include "kpack.cuh"

// x viewed with (shape, xs) -> the view (shape, ys) of y. xs may hold 0s (broadcast).
template <class T>
__device__ void copy_strided(const T* __restrict__ x, T* __restrict__ y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    KILN_FOR_EACH(i, n) {
        y[strided_offset(i, shape, ys)] = x[strided_offset(i, shape, xs)];
    }
}

// y (n,) = x (n,): the contiguous case without strided_offset's divisions, 16 bytes per access.
template <class T>
__device__ void copy_contig(const T* __restrict__ x, T* __restrict__ y, int n) {
    constexpr int V = Pack<T>::V;
    const int packs = aligned16(x) && aligned16(y) ? n / V : 0;
    KILN_FOR_EACH(i, packs) {
        store_pack(y, i, load_pack(x, i));
    }
    KILN_FOR_EACH(j, n - packs * V) {
        y[packs * V + j] = x[packs * V + j];
    }
}

// y (n,) = value
template <class T>
__device__ void fill_contig(T* __restrict__ y, T value, int n) {
    constexpr int V = Pack<T>::V;
    const int packs = aligned16(y) ? n / V : 0;
    const Pack<T> p = splat_pack(value);
    KILN_FOR_EACH(i, packs) {
        store_pack(y, i, p);
    }
    KILN_FOR_EACH(j, n - packs * V) {
        y[packs * V + j] = value;
    }
}

#ifdef KILN_F64  // arange computes in double for every dtype: its entries are all in the f64 module
// double -> D as Java converts: (float) rounds to nearest, (long) truncates toward zero and
// saturates (NaN -> 0), bool is v != 0 (NaN is true).
__device__ __forceinline__ void store_double(float* y, double v) { *y = static_cast<float>(v); }
__device__ __forceinline__ void store_double(double* y, double v) { *y = v; }
__device__ __forceinline__ void store_double(long long* y, double v) {
    *y = v != v ? 0LL
       : v >= 9223372036854775807.0 ? 0x7fffffffffffffffLL
       : v <= -9223372036854775808.0 ? -0x7fffffffffffffffLL - 1
       : static_cast<long long>(v);
}
__device__ __forceinline__ void store_double(unsigned char* y, double v) { *y = v != 0.0 ? 1 : 0; }

// y (n,) = start + i * step, in double as the SPI defines it (__dmul_rn / __dadd_rn: no FMA, as in
// Java), then converted to D.
template <class D>
__device__ void arange_contig(D* __restrict__ y, double start, double step, int n) {
    KILN_FOR_EACH(i, n) {
        store_double(&y[i], __dadd_rn(start, __dmul_rn(static_cast<double>(i), step)));
    }
}

// The CPU backend's casts are Java conversions: to int64 (and to bool from int64/bool) through
// long, every other pair through double; both steps exactly as Java does them.
__device__ __forceinline__ long long to_long(float v) { long long y; store_double(&y, v); return y; }
__device__ __forceinline__ long long to_long(double v) { long long y; store_double(&y, v); return y; }
__device__ __forceinline__ long long to_long(long long v) { return v; }
__device__ __forceinline__ long long to_long(unsigned char v) { return v; }
__device__ __forceinline__ void store_long(long long* y, long long v) { *y = v; }
__device__ __forceinline__ void store_long(unsigned char* y, long long v) { *y = v != 0 ? 1 : 0; }

// x viewed with (shape, xs) -> y (n,) contiguous, converted to D.
template <class S, class D, bool VIA_LONG>
__device__ void cast_strided(const S* __restrict__ x, D* __restrict__ y, Shape8 shape, Strides8 xs, int n) {
    KILN_FOR_EACH(i, n) {
        S v = x[strided_offset(i, shape, xs)];
        if constexpr (VIA_LONG) {
            store_long(&y[i], to_long(v));
        } else {
            store_double(&y[i], static_cast<double>(v));
        }
    }
}
#endif

// ---- kernels

#define COPY_ENTRIES(T, S)                                                                                     \
    KILN_ENTRY(copy_strided, S)(const T* x, T* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {             \
        copy_strided<T>(x, y, shape, xs, ys, n);                                                               \
    }                                                                                                          \
    KILN_ENTRY(copy_contig, S)(const T* x, T* y, int n) { copy_contig<T>(x, y, n); }                           \
    KILN_ENTRY(fill_contig, S)(T* y, T value, int n) { fill_contig<T>(y, value, n); }

KILN_FLOAT_TYPES(COPY_ENTRIES)
#ifndef KILN_F64
extern "C" __global__ void copy_strided_i64(const long long* x, long long* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    copy_strided<long long>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void copy_strided_b8(const unsigned char* x, unsigned char* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    copy_strided<unsigned char>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void copy_contig_i64(const long long* x, long long* y, int n) { copy_contig<long long>(x, y, n); }
extern "C" __global__ void copy_contig_b8(const unsigned char* x, unsigned char* y, int n) {
    copy_contig<unsigned char>(x, y, n);
}
extern "C" __global__ void fill_contig_i64(long long* y, long long value, int n) { fill_contig<long long>(y, value, n); }
// value: 0 or 1
extern "C" __global__ void fill_contig_b8(unsigned char* y, int value, int n) {
    fill_contig<unsigned char>(y, static_cast<unsigned char>(value), n);
}
#else
extern "C" __global__ void arange_f64(double* y, double start, double step, int n) { arange_contig<double>(y, start, step, n); }
extern "C" __global__ void arange_tof32_f64(float* y, double start, double step, int n) {
    arange_contig<float>(y, start, step, n);
}
extern "C" __global__ void arange_toi64_f64(long long* y, double start, double step, int n) {
    arange_contig<long long>(y, start, step, n);
}
extern "C" __global__ void arange_tob8_f64(unsigned char* y, double start, double step, int n) {
    arange_contig<unsigned char>(y, start, step, n);
}
// cast_<from>to<to>_f64 for every pair of distinct dtypes (all in the f64 module: they go through double;
// written out because the emulator build lists entries by name)
extern "C" __global__ void cast_f32tof64_f64(const float* x, double* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<float, double, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_f32toi64_f64(const float* x, long long* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<float, long long, true>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_f32tob8_f64(const float* x, unsigned char* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<float, unsigned char, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_f64tof32_f64(const double* x, float* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<double, float, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_f64toi64_f64(const double* x, long long* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<double, long long, true>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_f64tob8_f64(const double* x, unsigned char* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<double, unsigned char, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_i64tof32_f64(const long long* x, float* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<long long, float, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_i64tof64_f64(const long long* x, double* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<long long, double, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_i64tob8_f64(const long long* x, unsigned char* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<long long, unsigned char, true>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_b8tof32_f64(const unsigned char* x, float* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<unsigned char, float, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_b8tof64_f64(const unsigned char* x, double* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<unsigned char, double, false>(x, y, shape, xs, n);
}
extern "C" __global__ void cast_b8toi64_f64(const unsigned char* x, long long* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<unsigned char, long long, true>(x, y, shape, xs, n);
}
#endif
