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

// bfloat16 / float16 elements are their 16 bits; converted as the CPU backend's dev.kiln.HalfFloats
// converts (PyTorch's bits): from double through float, rounding to nearest even; NaN -> bfloat16 0xFFFF,
// float16 sign | 0x7E00; float16 keeps subnormals and overflows to infinity from 65520.
struct bf16_bits { unsigned short v; };
struct f16_bits { unsigned short v; };

__device__ __forceinline__ float bf16_to_float(unsigned short h) {
    return __int_as_float(static_cast<int>(static_cast<unsigned>(h) << 16));
}
__device__ __forceinline__ unsigned short float_to_bf16(float f) {
    if (f != f) {
        return 0xFFFF;
    }
    const unsigned x = static_cast<unsigned>(__float_as_int(f));
    return static_cast<unsigned short>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);   // ties to the even upper half
}
__device__ __forceinline__ float f16_to_float(unsigned short h) {
    const unsigned sign = (h & 0x8000u) << 16;
    const unsigned e = (h >> 10) & 0x1Fu;
    const unsigned m = h & 0x3FFu;
    if (e == 0) {   // zero or subnormal: m * 2^-24, exact in float
        const float magnitude = static_cast<float>(m) * 5.9604644775390625e-8f;
        return sign ? -magnitude : magnitude;
    }
    if (e == 0x1F) {   // infinity or NaN, payload kept
        return __int_as_float(static_cast<int>(sign | 0x7F800000u | (m << 13)));
    }
    return __int_as_float(static_cast<int>(sign | ((e - 15 + 127) << 23) | (m << 13)));
}
__device__ __forceinline__ unsigned short float_to_f16(float f) {
    const unsigned x = static_cast<unsigned>(__float_as_int(f));
    const unsigned sign = (x >> 16) & 0x8000u;
    const unsigned a = x & 0x7FFFFFFFu;
    if (a > 0x7F800000u) {
        return static_cast<unsigned short>(sign | 0x7E00u);
    }
    if (a >= 0x477FF000u) {   // 65520 and up round to infinity
        return static_cast<unsigned short>(sign | 0x7C00u);
    }
    if (a < 0x38800000u) {   // below 2^-14: subnormal steps of 2^-24 (the product is exact; rint ties to even)
        return static_cast<unsigned short>(sign | static_cast<unsigned>(rintf(__int_as_float(static_cast<int>(a)) * 16777216.0f)));
    }
    unsigned h = (((a >> 23) - 127 + 15) << 10) | ((a >> 13) & 0x3FFu);
    const unsigned rest = a & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) {
        h++;   // a carry into the exponent rounds right too
    }
    return static_cast<unsigned short>(sign | h);
}
__device__ __forceinline__ void store_double(bf16_bits* y, double v) { y->v = float_to_bf16(static_cast<float>(v)); }
__device__ __forceinline__ void store_double(f16_bits* y, double v) { y->v = float_to_f16(static_cast<float>(v)); }

template <class S>
__device__ __forceinline__ double to_double(S v) { return static_cast<double>(v); }
__device__ __forceinline__ double to_double(bf16_bits h) { return bf16_to_float(h.v); }
__device__ __forceinline__ double to_double(f16_bits h) { return f16_to_float(h.v); }

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
__device__ __forceinline__ long long to_long(bf16_bits v) { return to_long(to_double(v)); }
__device__ __forceinline__ long long to_long(f16_bits v) { return to_long(to_double(v)); }
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
            store_double(&y[i], to_double(v));
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
// bfloat16 and float16 move as their 16 bits (casts: the f64 module's cast_*bf16* / *f16* entries)
extern "C" __global__ void copy_strided_u16(const unsigned short* x, unsigned short* y, Shape8 shape, Strides8 xs, Strides8 ys,
                                            int n) {
    copy_strided<unsigned short>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void copy_contig_u16(const unsigned short* x, unsigned short* y, int n) {
    copy_contig<unsigned short>(x, y, n);
}
// value: the element's 16 bits
extern "C" __global__ void fill_contig_u16(unsigned short* y, int value, int n) {
    fill_contig<unsigned short>(y, static_cast<unsigned short>(value), n);
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
extern "C" __global__ void arange_tobf16_f64(unsigned short* y, double start, double step, int n) {
    arange_contig<bf16_bits>(reinterpret_cast<bf16_bits*>(y), start, step, n);
}
extern "C" __global__ void arange_tof16_f64(unsigned short* y, double start, double step, int n) {
    arange_contig<f16_bits>(reinterpret_cast<f16_bits*>(y), start, step, n);
}
// Casts from and to the 16-bit floats: their pointers are unsigned short (the bits), read and written
// through bf16_bits / f16_bits. To int64 through long (truncation, as Java), every other pair through double.
extern "C" __global__ void cast_bf16tof32_f64(const unsigned short* x, float* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<bf16_bits, float, false>(reinterpret_cast<const bf16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_bf16tof64_f64(const unsigned short* x, double* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<bf16_bits, double, false>(reinterpret_cast<const bf16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_bf16toi64_f64(const unsigned short* x, long long* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<bf16_bits, long long, true>(reinterpret_cast<const bf16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_bf16tob8_f64(const unsigned short* x, unsigned char* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<bf16_bits, unsigned char, false>(reinterpret_cast<const bf16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_bf16tof16_f64(const unsigned short* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<bf16_bits, f16_bits, false>(reinterpret_cast<const bf16_bits*>(x), reinterpret_cast<f16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_f16tof32_f64(const unsigned short* x, float* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<f16_bits, float, false>(reinterpret_cast<const f16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_f16tof64_f64(const unsigned short* x, double* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<f16_bits, double, false>(reinterpret_cast<const f16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_f16toi64_f64(const unsigned short* x, long long* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<f16_bits, long long, true>(reinterpret_cast<const f16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_f16tob8_f64(const unsigned short* x, unsigned char* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<f16_bits, unsigned char, false>(reinterpret_cast<const f16_bits*>(x), y, shape, xs, n);
}
extern "C" __global__ void cast_f16tobf16_f64(const unsigned short* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<f16_bits, bf16_bits, false>(reinterpret_cast<const f16_bits*>(x), reinterpret_cast<bf16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_f32tobf16_f64(const float* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<float, bf16_bits, false>(x, reinterpret_cast<bf16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_f64tobf16_f64(const double* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<double, bf16_bits, false>(x, reinterpret_cast<bf16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_i64tobf16_f64(const long long* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<long long, bf16_bits, false>(x, reinterpret_cast<bf16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_b8tobf16_f64(const unsigned char* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<unsigned char, bf16_bits, false>(x, reinterpret_cast<bf16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_f32tof16_f64(const float* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<float, f16_bits, false>(x, reinterpret_cast<f16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_f64tof16_f64(const double* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<double, f16_bits, false>(x, reinterpret_cast<f16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_i64tof16_f64(const long long* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<long long, f16_bits, false>(x, reinterpret_cast<f16_bits*>(y), shape, xs, n);
}
extern "C" __global__ void cast_b8tof16_f64(const unsigned char* x, unsigned short* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<unsigned char, f16_bits, false>(x, reinterpret_cast<f16_bits*>(y), shape, xs, n);
}
#endif
