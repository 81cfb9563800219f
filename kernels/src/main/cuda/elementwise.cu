// Elementwise unary and binary ops over strided, broadcast inputs; the output is contiguous.
// Op codes are listed here and mirrored in dev.kiln.cuda.ElementwiseLauncher. Operands that are
// contiguous or one broadcast scalar (the common case) take the *_contig kernels: no index
// arithmetic, 16 bytes per access.

#include "kiln.cuh"
#include "kmath.cuh"
#include "kpack.cuh"

// 0 neg, 1 abs, 2 sign, 3 exp, 4 log, 5 log1p, 6 expm1, 7 sqrt, 8 rsqrt, 9 reciprocal, 10 square,
// 11 sin, 12 cos, 13 tanh, 14 sigmoid, 15 relu, 16 gelu (exact, with erf), 17 erf, 18 floor,
// 19 ceil, 20 round (half to even), 22 gelu_tanh (approximate='tanh'), 23 atan, 24 silu (x sigmoid(x))
template <class T>
__device__ __forceinline__ T unary_op(int op, T x) {
    const T one = static_cast<T>(1);
    const T zero = static_cast<T>(0);
    switch (op) {
        case 0: return -x;
        case 1: return k_fabs(x);
        case 2: return static_cast<T>((zero < x) - (x < zero));  // NaN and -0 give 0, as PyTorch
        case 3: return k_exp(x);
        case 4: return k_log(x);
        case 5: return k_log1p(x);
        case 6: return k_expm1(x);
        case 7: return k_sqrt(x);
        case 8: return one / k_sqrt(x);
        case 9: return one / x;
        case 10: return x * x;
        case 11: return k_sin(x);
        case 12: return k_cos(x);
        case 13: return k_tanh(x);
        case 14: return one / (one + k_exp(-x));
        case 15: return k_isnan(x) ? x : x > zero ? x : zero;
        case 16: return static_cast<T>(0.5) * x * (one + k_erf(x * static_cast<T>(0.70710678118654752440)));
        case 17: return k_erf(x);
        case 18: return k_floor(x);
        case 19: return k_ceil(x);
        case 23: return k_atan(x);
        case 24: return x / (one + k_exp(-x));
        case 22: {
            const T inner = static_cast<T>(0.79788456080286535588) * (x + static_cast<T>(0.044715) * x * x * x);
            return static_cast<T>(0.5) * x * (one + k_tanh(inner));
        }
        default: return k_rint(x);
    }
}

// PyTorch's div_floor_floating: the floor of the exact quotient, found from fmod (a / b may round
// up to an integer); a zero divisor gives a / b.
template <class T>
__device__ __forceinline__ T div_floor(T a, T b) {
    if (b == T(0)) {
        return a / b;
    }
    const T mod = k_fmod(a, b);
    T div = (a - mod) / b;
    if (mod != T(0) && (b < T(0)) != (mod < T(0))) {
        div -= T(1);
    }
    if (div == T(0)) {
        return k_copysign(T(0), a / b);
    }
    const T floordiv = k_floor(div);
    return div - floordiv > static_cast<T>(0.5) ? floordiv + T(1) : floordiv;
}

// 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 maximum, 6 minimum (both propagate NaN), 9 relu_backward
// (a where b > 0 or b is NaN, else 0), 10 div_trunc, 11 div_floor, 12 gelu_backward (a GELU'(b)),
// 13 gelu_tanh_backward (a times the tanh approximation's derivative at b), 14 silu_backward (a SiLU'(b))
template <class T>
__device__ __forceinline__ T binary_op(int op, T a, T b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return k_pow(a, b);
        case 5: return k_isnan(a) || k_isnan(b) ? a + b : a > b ? a : b;
        case 6: return k_isnan(a) || k_isnan(b) ? a + b : a < b ? a : b;
        case 10: return k_trunc(a / b);
        case 11: return div_floor(a, b);
        case 12: {
            const T cdf = static_cast<T>(0.5) * (T(1) + k_erf(b * static_cast<T>(0.70710678118654752440)));
            const T pdf = k_exp(static_cast<T>(-0.5) * b * b) * static_cast<T>(0.39894228040143267794);
            return a * (cdf + b * pdf);
        }
        case 13: {
            const T x2 = b * b;
            const T t = k_tanh(static_cast<T>(0.79788456080286535588) * (b + static_cast<T>(0.044715) * x2 * b));
            const T du = static_cast<T>(0.79788456080286535588) * (T(1) + static_cast<T>(3 * 0.044715) * x2);
            return a * (static_cast<T>(0.5) * (T(1) + t) + static_cast<T>(0.5) * b * (T(1) - t * t) * du);
        }
        case 14: {
            const T s = T(1) / (T(1) + k_exp(-b));
            return a * (s * (T(1) + b * (T(1) - s)));
        }
        default: return b <= T(0) ? T(0) : a;
    }
}

// int64 (Java's wrap-around arithmetic, done unsigned) has neg, abs, sign and square; bool has
// 21 logical_not.
__device__ __forceinline__ long long unary_op(int op, long long x) {
    const unsigned long long u = static_cast<unsigned long long>(x);
    switch (op) {
        case 0: return static_cast<long long>(0ULL - u);
        case 1: return x < 0 ? static_cast<long long>(0ULL - u) : x;
        case 2: return (x > 0) - (x < 0);
        default: return static_cast<long long>(u * u);
    }
}
__device__ __forceinline__ unsigned char unary_op(int, unsigned char x) { return x ? 0 : 1; }

// int64: add, sub, mul (wrapping), maximum, minimum, div_trunc, div_floor. The tensor API rejects
// b == 0; here it gives 0 rather than trap (cuda-emu runs on the host CPU, where x / 0 and
// LLONG_MIN / -1 raise SIGFPE), and b == -1 negates, wrapping. bool: 7 logical_and, 8 logical_or
__device__ __forceinline__ long long binary_op(int op, long long a, long long b) {
    const unsigned long long ua = static_cast<unsigned long long>(a);
    const unsigned long long ub = static_cast<unsigned long long>(b);
    switch (op) {
        case 0: return static_cast<long long>(ua + ub);
        case 1: return static_cast<long long>(ua - ub);
        case 2: return static_cast<long long>(ua * ub);
        case 10:
        case 11: {
            if (b == 0 || b == -1) {
                return b == 0 ? 0 : static_cast<long long>(0ULL - ua);
            }
            const long long q = a / b;
            // floor: one less where the remainder is non-zero and the signs differ
            return op == 11 && (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
        }
        case 5: return a > b ? a : b;
        default: return a < b ? a : b;
    }
}
__device__ __forceinline__ unsigned char binary_op(int op, unsigned char a, unsigned char b) {
    return op == 7 ? (a && b) : (a || b);
}

// x viewed with (shape, xs) -> y (n,)
template <class T>
__device__ void unary_strided(const T* __restrict__ x, T* __restrict__ y, Shape8 shape, Strides8 xs, int n, int op) {
    KILN_FOR_EACH(i, n) {
        y[i] = unary_op(op, x[strided_offset(i, shape, xs)]);
    }
}

// a with (shape, as), b with (shape, bs) (strides 0 where broadcast) -> y (n,)
template <class T>
__device__ void binary_strided(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ y, Shape8 shape,
                               Strides8 as, Strides8 bs, int n, int op) {
    KILN_FOR_EACH(i, n) {
        y[i] = binary_op(op, a[strided_offset(i, shape, as)], b[strided_offset(i, shape, bs)]);
    }
}

// y (n,) = op(x (n,))
template <class T>
__device__ void unary_contig(const T* __restrict__ x, T* __restrict__ y, int n, int op) {
    constexpr int V = Pack<T>::V;
    const int packs = aligned16(x) ? n / V : 0;
    KILN_FOR_EACH(i, packs) {
        Pack<T> p = load_pack(x, i);
#pragma unroll
        for (int k = 0; k < V; k++) {
            p.v[k] = unary_op(op, p.v[k]);
        }
        store_pack(y, i, p);
    }
    KILN_FOR_EACH(j, n - packs * V) {
        y[packs * V + j] = unary_op(op, x[packs * V + j]);
    }
}

// y (n,) = op(a, b), each operand (n,) or, where its flag is set, one scalar broadcast to (n,)
template <class T>
__device__ void binary_contig(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ y, int n,
                              bool a_scalar, bool b_scalar, int op) {
    constexpr int V = Pack<T>::V;
    const int packs = (a_scalar || aligned16(a)) && (b_scalar || aligned16(b)) ? n / V : 0;
    const Pack<T> a0 = splat_pack(a_scalar ? a[0] : T(0));
    const Pack<T> b0 = splat_pack(b_scalar ? b[0] : T(0));
    KILN_FOR_EACH(i, packs) {
        const Pack<T> pa = a_scalar ? a0 : load_pack(a, i);
        Pack<T> pb = b_scalar ? b0 : load_pack(b, i);
#pragma unroll
        for (int k = 0; k < V; k++) {
            pb.v[k] = binary_op(op, pa.v[k], pb.v[k]);
        }
        store_pack(y, i, pb);
    }
    KILN_FOR_EACH(j, n - packs * V) {
        const int i = packs * V + j;
        y[i] = binary_op(op, a[a_scalar ? 0 : i], b[b_scalar ? 0 : i]);
    }
}

// ---- kernels (a_scalar, b_scalar: 0 or 1)

#define ELEMENTWISE_ENTRIES(T, S)                                                                              \
    KILN_ENTRY(unary_strided, S)(const T* x, T* y, Shape8 shape, Strides8 xs, int n, int op) {                 \
        unary_strided<T>(x, y, shape, xs, n, op);                                                              \
    }                                                                                                          \
    KILN_ENTRY(binary_strided, S)(const T* a, const T* b, T* y, Shape8 shape, Strides8 as, Strides8 bs, int n,  \
                                  int op) {                                                                    \
        binary_strided<T>(a, b, y, shape, as, bs, n, op);                                                      \
    }                                                                                                          \
    KILN_ENTRY(unary_contig, S)(const T* x, T* y, int n, int op) { unary_contig<T>(x, y, n, op); }             \
    KILN_ENTRY(binary_contig, S)(const T* a, const T* b, T* y, int n, int a_scalar, int b_scalar, int op) {    \
        binary_contig<T>(a, b, y, n, a_scalar != 0, b_scalar != 0, op);                                        \
    }

KILN_FLOAT_TYPES(ELEMENTWISE_ENTRIES)
#ifndef KILN_F64
extern "C" __global__ void unary_strided_i64(const long long* x, long long* y, Shape8 shape, Strides8 xs, int n, int op) {
    unary_strided<long long>(x, y, shape, xs, n, op);
}
extern "C" __global__ void binary_strided_i64(const long long* a, const long long* b, long long* y, Shape8 shape,
                                              Strides8 as, Strides8 bs, int n, int op) {
    binary_strided<long long>(a, b, y, shape, as, bs, n, op);
}
extern "C" __global__ void unary_strided_b8(const unsigned char* x, unsigned char* y, Shape8 shape, Strides8 xs, int n,
                                            int op) {
    unary_strided<unsigned char>(x, y, shape, xs, n, op);
}
extern "C" __global__ void binary_strided_b8(const unsigned char* a, const unsigned char* b, unsigned char* y,
                                             Shape8 shape, Strides8 as, Strides8 bs, int n, int op) {
    binary_strided<unsigned char>(a, b, y, shape, as, bs, n, op);
}
extern "C" __global__ void unary_contig_i64(const long long* x, long long* y, int n, int op) {
    unary_contig<long long>(x, y, n, op);
}
extern "C" __global__ void binary_contig_i64(const long long* a, const long long* b, long long* y, int n,
                                             int a_scalar, int b_scalar, int op) {
    binary_contig<long long>(a, b, y, n, a_scalar != 0, b_scalar != 0, op);
}
extern "C" __global__ void unary_contig_b8(const unsigned char* x, unsigned char* y, int n, int op) {
    unary_contig<unsigned char>(x, y, n, op);
}
extern "C" __global__ void binary_contig_b8(const unsigned char* a, const unsigned char* b, unsigned char* y, int n,
                                             int a_scalar, int b_scalar, int op) {
    binary_contig<unsigned char>(a, b, y, n, a_scalar != 0, b_scalar != 0, op);
}
#endif
