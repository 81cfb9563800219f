// Batch normalisation's four primitives (PyTorch's batch_norm_stats / _elemt / _backward_reduce /
// _backward_elemt) over a contiguous x (N, C, *) seen as (N, C, S): element (n, c, s) is at
// (n C + c) S + s, so channel c is N runs of S elements.
//
// Reductions (stats, bwdreduce): a block per channel (blocks stride over channels), its threads
// stride over the channel's N S elements in order, so neighbouring threads read neighbouring
// elements of a run; per-thread sums are combined by warp shuffles, then across warps in shared
// memory. The SPI defines the sums in double for float32 too, so every reduction entry computes in
// double and lives in the f64 module (float32 ones as *_onf32_f64, like random.cu's dropout_onf32_f64).
//
// Elementwise (elemt, bwdelemt): a grid-stride loop over all N C S elements in the dtype itself,
// channel (i / S) % C.

#include "kiln.cuh"
#include "kwarp.cuh"

#ifdef KILN_F64
// Index of element j (of N S) of channel ch: run j / S, position j % S in it.
__device__ __forceinline__ int bn_at(int j, int ch, int c, int s) {
    const int n = j / s;
    return (n * c + ch) * s + (j - n * s);
}

// The sum of v over the block, valid in every thread. blockDim.x: a multiple of 32, up to 1024.
__device__ double bn_block_sum(double v) {
    __shared__ double partial[32];
    const int lane = threadIdx.x & 31;
    v = warp_sum(v);
    if (lane == 0) {
        partial[threadIdx.x >> 5] = v;
    }
    __syncthreads();
    v = warp_sum(lane < (int)(blockDim.x >> 5) ? partial[lane] : 0.0);
    __syncthreads();  // partial is reused by the next call
    return v;
}

// x (N, C, S) -> mean (C), var (C) biased: two passes per channel, the second around the mean.
// N S == 0 gives 0 / 0 = NaN for both.
template <class T>
__device__ void batch_norm_stats(const T* __restrict__ x, T* __restrict__ mean, T* __restrict__ var, int n, int c, int s) {
    const int count = n * s;
    for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
        double sum = 0.0;
        for (int j = threadIdx.x; j < count; j += blockDim.x) {
            sum += static_cast<double>(x[bn_at(j, ch, c, s)]);
        }
        const double m = bn_block_sum(sum) / count;
        double sq = 0.0;
        for (int j = threadIdx.x; j < count; j += blockDim.x) {
            const double d = static_cast<double>(x[bn_at(j, ch, c, s)]) - m;
            sq += d * d;
        }
        sq = bn_block_sum(sq);
        if (threadIdx.x == 0) {
            mean[ch] = static_cast<T>(m);
            var[ch] = static_cast<T>(sq / count);
        }
    }
}

// gy, x (N, C, S), mean (C) -> sum_dy (C) = sum(gy), sum_dy_xmu (C) = sum(gy (x - mean)), one pass.
template <class T>
__device__ void batch_norm_bwd_reduce(const T* __restrict__ gy, const T* __restrict__ x, const T* __restrict__ mean,
                                      T* __restrict__ sum_dy, T* __restrict__ sum_dy_xmu, int n, int c, int s) {
    const int count = n * s;
    for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
        const double m = static_cast<double>(mean[ch]);
        double dy = 0.0;
        double dy_xmu = 0.0;
        for (int j = threadIdx.x; j < count; j += blockDim.x) {
            const int at = bn_at(j, ch, c, s);
            const double g = static_cast<double>(gy[at]);
            dy += g;
            dy_xmu += g * (static_cast<double>(x[at]) - m);
        }
        dy = bn_block_sum(dy);
        dy_xmu = bn_block_sum(dy_xmu);
        if (threadIdx.x == 0) {
            sum_dy[ch] = static_cast<T>(dy);
            sum_dy_xmu[ch] = static_cast<T>(dy_xmu);
        }
    }
}
#endif

// x, y (N, C, S); mean, invstd, weight, bias (C): y = (x - mean) invstd weight + bias. total = N C S.
template <class T>
__device__ void batch_norm_elemt(const T* __restrict__ x, const T* __restrict__ mean, const T* __restrict__ invstd,
                                 const T* __restrict__ weight, const T* __restrict__ bias, T* __restrict__ y, int c, int s,
                                 int total) {
    KILN_FOR_EACH(i, total) {
        const int ch = (i / s) % c;
        y[i] = (x[i] - mean[ch]) * (invstd[ch] * weight[ch]) + bias[ch];
    }
}

// gy, x, gx (N, C, S); mean, invstd, weight, sum_dy, sum_dy_xmu (C):
// gx = (gy - sum_dy / count - (x - mean) invstd^2 sum_dy_xmu / count) invstd weight, or gy invstd
// weight when sum_dy is null (then sum_dy_xmu, x and mean are not read).
template <class T>
__device__ void batch_norm_bwd_elemt(const T* __restrict__ gy, const T* __restrict__ x, const T* __restrict__ mean,
                                     const T* __restrict__ invstd, const T* __restrict__ weight,
                                     const T* __restrict__ sum_dy, const T* __restrict__ sum_dy_xmu, T* __restrict__ gx,
                                     int c, int s, int total, T count) {
    KILN_FOR_EACH(i, total) {
        const int ch = (i / s) % c;
        const T k = invstd[ch];
        const T scale = k * weight[ch];
        if (sum_dy == nullptr) {  // uniform across the grid
            gx[i] = gy[i] * scale;
        } else {
            const T proj = k * k * sum_dy_xmu[ch] / count;
            gx[i] = (gy[i] - sum_dy[ch] / count - (x[i] - mean[ch]) * proj) * scale;
        }
    }
}

// ---- kernels

#define BN_STATS_PARAMS(T) const T* x, T* mean, T* var, int n, int c, int s
#define BN_STATS_ARGS x, mean, var, n, c, s
#define BN_BWDREDUCE_PARAMS(T) const T* gy, const T* x, const T* mean, T* sum_dy, T* sum_dy_xmu, int n, int c, int s
#define BN_BWDREDUCE_ARGS gy, x, mean, sum_dy, sum_dy_xmu, n, c, s
#define BN_ELEMT_PARAMS(T) \
    const T* x, const T* mean, const T* invstd, const T* weight, const T* bias, T* y, int c, int s, int total
#define BN_ELEMT_ARGS x, mean, invstd, weight, bias, y, c, s, total
#define BN_BWDELEMT_PARAMS(T)                                                                                      \
    const T* gy, const T* x, const T* mean, const T* invstd, const T* weight, const T* sum_dy, const T* sum_dy_xmu, \
        T* gx, int c, int s, int total, T count
#define BN_BWDELEMT_ARGS gy, x, mean, invstd, weight, sum_dy, sum_dy_xmu, gx, c, s, total, count

#define BATCH_NORM_ENTRIES(T, S)                                                                    \
    KILN_ENTRY(batch_norm_elemt, S)(BN_ELEMT_PARAMS(T)) { batch_norm_elemt<T>(BN_ELEMT_ARGS); }     \
    KILN_ENTRY(batch_norm_bwdelemt, S)(BN_BWDELEMT_PARAMS(T)) { batch_norm_bwd_elemt<T>(BN_BWDELEMT_ARGS); }

KILN_FLOAT_TYPES(BATCH_NORM_ENTRIES)
#ifdef KILN_F64
// the statistics sum in double, so every input type's entries are in the f64 module
extern "C" __global__ void batch_norm_stats_onf32_f64(BN_STATS_PARAMS(float)) { batch_norm_stats<float>(BN_STATS_ARGS); }
extern "C" __global__ void batch_norm_stats_f64(BN_STATS_PARAMS(double)) { batch_norm_stats<double>(BN_STATS_ARGS); }
extern "C" __global__ void batch_norm_bwdreduce_onf32_f64(BN_BWDREDUCE_PARAMS(float)) {
    batch_norm_bwd_reduce<float>(BN_BWDREDUCE_ARGS);
}
extern "C" __global__ void batch_norm_bwdreduce_f64(BN_BWDREDUCE_PARAMS(double)) {
    batch_norm_bwd_reduce<double>(BN_BWDREDUCE_ARGS);
}
#endif
