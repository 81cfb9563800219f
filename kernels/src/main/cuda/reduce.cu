// Reductions over the last `inner` elements of a (outer, inner) row-major view: the launcher
// permutes the reduced dims last, so any set of dims reduces here. Block (r, s) of a grid
// (rows, splits) takes chunk s of row r (block_chunk): unsplit (splits 1) the whole row, each
// thread striding over it, then a warp-shuffle + shared-memory block reduction. Few long rows are
// split: a first launch writes each chunk's partial to an (outer, splits) tensor, a second reduces
// that as rows of `splits` elements; the merge order is fixed, so every run gives the same bits.
// Op codes (mirrored in dev.kiln.cuda.ReduceLauncher): 0 sum, 1 mean, 2 prod, 3 max, 4 min;
// max/min propagate NaN. var and argreduce use the same views and chunks.

#include "kiln.cuh"
#include "kmath.cuh"

// The largest value of T: +inf, or for int64 its maximum (it has no infinity); the smallest is
// -highest - 1 for int64 and -highest for floats (-inf - 1 stays -inf).
template <class T>
__device__ __forceinline__ T reduce_highest() {
    return k_inf<T>();
}
template <>
__device__ __forceinline__ long long reduce_highest<long long>() {
    return 0x7fffffffffffffffLL;
}

template <class T>
__device__ __forceinline__ T reduce_identity(int op) {
    switch (op) {
        case 2: return static_cast<T>(1);
        case 3: return -reduce_highest<T>() - static_cast<T>(1);
        case 4: return reduce_highest<T>();
        default: return static_cast<T>(0);
    }
}

// Elements [begin, end) of its row that block (., blockIdx.y) takes: chunk blockIdx.y of `chunk`.
struct Chunk {
    int begin;
    int end;
};
__device__ __forceinline__ Chunk block_chunk(int inner, int chunk) {
    const int begin = blockIdx.y * chunk;
    return Chunk{begin, min(inner, begin + chunk)};
}

// a + b and a * b; for int64 wrapping modulo 2^64 as Java's long does (signed overflow is undefined
// in C++, so in unsigned arithmetic).
template <class T>
__device__ __forceinline__ T wrap_add(T a, T b) {
    return a + b;
}
template <>
__device__ __forceinline__ long long wrap_add<long long>(long long a, long long b) {
    return static_cast<long long>(static_cast<unsigned long long>(a) + static_cast<unsigned long long>(b));
}
template <class T>
__device__ __forceinline__ T wrap_mul(T a, T b) {
    return a * b;
}
template <>
__device__ __forceinline__ long long wrap_mul<long long>(long long a, long long b) {
    return static_cast<long long>(static_cast<unsigned long long>(a) * static_cast<unsigned long long>(b));
}

template <class T>
__device__ __forceinline__ T reduce_combine(int op, T a, T b) {
    switch (op) {
        case 2: return wrap_mul(a, b);
        case 3: return k_isnan(a) || k_isnan(b) ? a + b : a > b ? a : b;
        case 4: return k_isnan(a) || k_isnan(b) ? a + b : a < b ? a : b;
        default: return wrap_add(a, b);
    }
}

// The combination of v over the block, valid in every thread. blockDim.x: a multiple of 32.
template <class T>
__device__ T block_reduce(int op, T v) {
    __shared__ T partial[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    for (int off = 16; off > 0; off >>= 1) {
        v = reduce_combine(op, v, __shfl_xor_sync(0xffffffffu, v, off));
    }
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    const int warps = blockDim.x >> 5;
    v = lane < warps ? partial[lane] : reduce_identity<T>(op);
    for (int off = 16; off > 0; off >>= 1) {
        v = reduce_combine(op, v, __shfl_xor_sync(0xffffffffu, v, off));
    }
    __syncthreads();  // partial is reused by the next call
    return v;
}

// x: the (outer, inner) view (shape, xs) -> y (outer, gridDim.y): chunk blockIdx.y of each row;
// mean (op 1) divides by count, the length of the whole row.
template <class T>
__device__ void reduce_rows(const T* __restrict__ x, T* __restrict__ y, Shape8 shape, Strides8 xs, int outer,
                            int inner, int chunk, int op, int count) {
    const Chunk c = block_chunk(inner, chunk);
    for (int row = blockIdx.x; row < outer; row += gridDim.x) {
        T acc = reduce_identity<T>(op);
#pragma unroll 4  // several loads in flight per thread
        for (int j = c.begin + threadIdx.x; j < c.end; j += blockDim.x) {
            acc = reduce_combine(op, acc, x[strided_offset(row * inner + j, shape, xs)]);
        }
        acc = block_reduce(op, acc);
        if (threadIdx.x == 0) {
            y[row * gridDim.y + blockIdx.y] = op == 1 ? acc / static_cast<T>(count) : acc;
        }
    }
}

// The mean of elements [begin, end) of the row-major view (shape, xs) and the sum of their squared
// deviations, valid in every thread: two passes, with the correction of Chan, Golub & LeVeque
// (minus (sum(x - mean))^2 / n, which cancels the rounding error of the mean), so a mean large
// against the spread costs no accuracy in float32 either. The whole block calls it.
template <class T>
struct Moments {
    T mean;
    T m2;
};
template <class T>
__device__ Moments<T> block_moments(const T* __restrict__ x, const Shape8& shape, const Strides8& xs, int begin, int end) {
    const T zero = static_cast<T>(0);
    const T n = static_cast<T>(end - begin);
    T sum = zero;
    for (int j = begin + threadIdx.x; j < end; j += blockDim.x) {
        sum += x[strided_offset(j, shape, xs)];
    }
    const T mean = block_reduce(0, sum) / n;
    T dev = zero;
    T sq = zero;
    for (int j = begin + threadIdx.x; j < end; j += blockDim.x) {
        const T d = x[strided_offset(j, shape, xs)] - mean;
        dev += d;
        sq += d * d;
    }
    dev = block_reduce(0, dev);
    sq = block_reduce(0, sq);
    const T m2 = sq - dev * dev / n;
    return Moments<T>{mean, m2 < zero ? zero : m2};  // keeps NaN
}

// x: the (outer, inner) view (shape, xs) -> y (outer,) = sum((x - mean)^2) / denom, a block per row
template <class T>
__device__ void var_rows(const T* __restrict__ x, T* __restrict__ y, Shape8 shape, Strides8 xs, int outer, int inner,
                         T denom) {
    for (int row = blockIdx.x; row < outer; row += gridDim.x) {
        const Moments<T> m = block_moments(x, shape, xs, row * inner, (row + 1) * inner);
        if (threadIdx.x == 0) {
            y[row] = m.m2 / denom;
        }
    }
}

// Few long rows: block (row, s) of grid (outer, splits) takes chunk s of its row of the (outer, inner)
// view and writes its (count, mean, m2) to part (outer, splits, 3).
template <class T>
__device__ void var_chunks(const T* __restrict__ x, T* __restrict__ part, Shape8 shape, Strides8 xs, int inner, int chunk) {
    const int row = blockIdx.x;
    const Chunk c = block_chunk(inner, chunk);
    const Moments<T> m = block_moments(x, shape, xs, row * inner + c.begin, row * inner + c.end);
    if (threadIdx.x == 0) {
        T* p = part + (row * gridDim.y + blockIdx.y) * 3;
        p[0] = static_cast<T>(c.end - c.begin);
        p[1] = m.mean;
        p[2] = m.m2;
    }
}

// part (outer, splits, 3) -> y (outer,): a row's chunks merged in order by the pairwise update of
// Chan, Golub & LeVeque (mean += d nb / n, m2 += m2b + d^2 na nb / n, d = mean_b - mean_a).
template <class T>
__device__ void var_merge(const T* __restrict__ part, T* __restrict__ y, int outer, int splits, T denom) {
    KILN_FOR_EACH(row, outer) {
        const T* p = part + row * splits * 3;
        T n = p[0];
        T mean = p[1];
        T m2 = p[2];
        for (int s = 1; s < splits; s++) {
            const T nb = p[3 * s];
            const T d = p[3 * s + 1] - mean;
            const T total = n + nb;
            mean += d * (nb / total);
            m2 += p[3 * s + 2] + d * d * (n * (nb / total));
            n = total;
        }
        y[row] = m2 / denom;
    }
}

// The better of two (value, index) candidates for max (op 3) or min (op 4): NaN wins, then the
// extreme value, then the smaller index.
template <class T>
__device__ __forceinline__ void arg_combine(int op, T& v, int& i, T v2, int i2) {
    const bool nan1 = k_isnan(v);
    const bool nan2 = k_isnan(v2);
    bool take;
    if (nan1 || nan2) {
        take = nan2 && (!nan1 || i2 < i);
    } else if (v2 == v) {
        take = i2 < i;
    } else {
        take = op == 3 ? v2 > v : v2 < v;
    }
    if (take) {
        v = v2;
        i = i2;
    }
}

// x: the (outer, inner) view (shape, xs) -> values, indices (outer, gridDim.y): the first extreme of
// chunk blockIdx.y of each row. Its index is the position in the row or, where xi is not null, xi at
// that position: a second pass over the (outer, splits) candidates of a split first pass.
template <class T>
__device__ void argreduce_rows(const T* __restrict__ x, const long long* __restrict__ xi, T* __restrict__ values,
                               long long* __restrict__ indices, Shape8 shape, Strides8 xs, int outer, int inner,
                               int chunk, int op) {
    const int none = 0x7fffffff;  // the index of no element: loses every tie against a real one
    __shared__ T pv[32];
    __shared__ int pi[32];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const Chunk c = block_chunk(inner, chunk);
    for (int row = blockIdx.x; row < outer; row += gridDim.x) {
        T v = reduce_identity<T>(op);
        int i = none;
#pragma unroll 4
        for (int j = c.begin + threadIdx.x; j < c.end; j += blockDim.x) {
            const int k = row * inner + j;
            arg_combine(op, v, i, x[strided_offset(k, shape, xs)], xi ? static_cast<int>(xi[k]) : j);
        }
        for (int off = 16; off > 0; off >>= 1) {
            arg_combine(op, v, i, __shfl_xor_sync(0xffffffffu, v, off), __shfl_xor_sync(0xffffffffu, i, off));
        }
        if (lane == 0) {
            pv[warp] = v;
            pi[warp] = i;
        }
        __syncthreads();
        if (warp == 0) {
            v = lane < (int)(blockDim.x >> 5) ? pv[lane] : reduce_identity<T>(op);
            i = lane < (int)(blockDim.x >> 5) ? pi[lane] : none;
            for (int off = 16; off > 0; off >>= 1) {
                arg_combine(op, v, i, __shfl_xor_sync(0xffffffffu, v, off), __shfl_xor_sync(0xffffffffu, i, off));
            }
            if (lane == 0) {
                values[row * gridDim.y + blockIdx.y] = v;
                indices[row * gridDim.y + blockIdx.y] = i;
            }
        }
        __syncthreads();  // pv/pi are reused by the next row
    }
}

// ---- kernels

#define REDUCE_ENTRIES(T, S)                                                                                   \
    KILN_ENTRY(reduce_rows, S)(const T* x, T* y, Shape8 shape, Strides8 xs, int outer, int inner, int chunk, int op, \
                               int count) {                                                                    \
        reduce_rows<T>(x, y, shape, xs, outer, inner, chunk, op, count);                                       \
    }                                                                                                          \
    KILN_ENTRY(argreduce_rows, S)(const T* x, const long long* xi, T* values, long long* indices, Shape8 shape,  \
                                  Strides8 xs, int outer, int inner, int chunk, int op) {                      \
        argreduce_rows<T>(x, xi, values, indices, shape, xs, outer, inner, chunk, op);                         \
    }                                                                                                          \
    KILN_ENTRY(var_rows, S)(const T* x, T* y, Shape8 shape, Strides8 xs, int outer, int inner, T denom) {      \
        var_rows<T>(x, y, shape, xs, outer, inner, denom);                                                     \
    }                                                                                                          \
    KILN_ENTRY(var_chunks, S)(const T* x, T* part, Shape8 shape, Strides8 xs, int inner, int chunk) {          \
        var_chunks<T>(x, part, shape, xs, inner, chunk);                                                       \
    }                                                                                                          \
    KILN_ENTRY(var_merge, S)(const T* part, T* y, int outer, int splits, T denom) {                            \
        var_merge<T>(part, y, outer, splits, denom);                                                           \
    }

KILN_FLOAT_TYPES(REDUCE_ENTRIES)
#ifndef KILN_F64
// int64: sum, prod, max, min and their indices (no var: the API refuses it for integers)
extern "C" __global__ void reduce_rows_i64(const long long* x, long long* y, Shape8 shape, Strides8 xs, int outer, int inner,
                                           int chunk, int op, int count) {
    reduce_rows<long long>(x, y, shape, xs, outer, inner, chunk, op, count);
}
extern "C" __global__ void argreduce_rows_i64(const long long* x, const long long* xi, long long* values, long long* indices,
                                              Shape8 shape, Strides8 xs, int outer, int inner, int chunk, int op) {
    argreduce_rows<long long>(x, xi, values, indices, shape, xs, outer, inner, chunk, op);
}
#endif
