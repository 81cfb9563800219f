// Comparisons (bool out) and where over strided, broadcast inputs; the output is contiguous.
// Op codes are the ordinals of dev.kiln.spi.CompareOp: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge
// (a NaN operand makes every op false but ne, as in Java and PyTorch). bool is one byte, 0 or 1.

#include "kiln.cuh"

template <class T>
__device__ __forceinline__ bool compare_op(int op, T a, T b) {
    switch (op) {
        case 0: return a == b;
        case 1: return a != b;
        case 2: return a < b;
        case 3: return a <= b;
        case 4: return a > b;
        default: return a >= b;
    }
}

// a with (shape, as), b with (shape, bs) (strides 0 where broadcast) -> y (n,) bool
template <class T>
__device__ void compare_strided(const T* __restrict__ a, const T* __restrict__ b, unsigned char* __restrict__ y,
                                Shape8 shape, Strides8 as, Strides8 bs, int n, int op) {
    KILN_FOR_EACH(i, n) {
        y[i] = compare_op(op, a[strided_offset(i, shape, as)], b[strided_offset(i, shape, bs)]) ? 1 : 0;
    }
}

// cond (bool) with (shape, cs), a with (shape, as), b with (shape, bs) -> y (n,) = cond ? a : b
template <class T>
__device__ void where_strided(const unsigned char* __restrict__ cond, const T* __restrict__ a, const T* __restrict__ b,
                              T* __restrict__ y, Shape8 shape, Strides8 cs, Strides8 as, Strides8 bs, int n) {
    KILN_FOR_EACH(i, n) {
        y[i] = cond[strided_offset(i, shape, cs)] ? a[strided_offset(i, shape, as)] : b[strided_offset(i, shape, bs)];
    }
}

// ---- kernels

#define COMPARE_ENTRIES(T, S)                                                                                   \
    KILN_ENTRY(compare_strided, S)(const T* a, const T* b, unsigned char* y, Shape8 shape, Strides8 as, Strides8 bs, \
                                   int n, int op) {                                                            \
        compare_strided<T>(a, b, y, shape, as, bs, n, op);                                                     \
    }                                                                                                          \
    KILN_ENTRY(where_strided, S)(const unsigned char* cond, const T* a, const T* b, T* y, Shape8 shape, Strides8 cs, \
                                 Strides8 as, Strides8 bs, int n) {                                            \
        where_strided<T>(cond, a, b, y, shape, cs, as, bs, n);                                                 \
    }

KILN_FLOAT_TYPES(COMPARE_ENTRIES)
#ifndef KILN_F64
extern "C" __global__ void compare_strided_i64(const long long* a, const long long* b, unsigned char* y, Shape8 shape, Strides8 as,
        Strides8 bs, int n, int op) {
    compare_strided<long long>(a, b, y, shape, as, bs, n, op);
}
extern "C" __global__ void where_strided_i64(const unsigned char* cond, const long long* a, const long long* b, long long* y, Shape8 shape,
        Strides8 cs, Strides8 as, Strides8 bs, int n) {
    where_strided<long long>(cond, a, b, y, shape, cs, as, bs, n);
}
extern "C" __global__ void compare_strided_b8(const unsigned char* a, const unsigned char* b, unsigned char* y, Shape8 shape, Strides8 as,
        Strides8 bs, int n, int op) {
    compare_strided<unsigned char>(a, b, y, shape, as, bs, n, op);
}
extern "C" __global__ void where_strided_b8(const unsigned char* cond, const unsigned char* a, const unsigned char* b, unsigned char* y, Shape8 shape,
        Strides8 cs, Strides8 as, Strides8 bs, int n) {
    where_strided<unsigned char>(cond, a, b, y, shape, cs, as, bs, n);
}
#endif
