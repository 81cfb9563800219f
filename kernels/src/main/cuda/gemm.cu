// Batched matrix product C = A B: a (batch, M, K) and b (batch, K, N) read through any strides (a
// transposed view needs no copy), c (batch, M, N) contiguous. Batch entry z reads each operand at
// strided_offset(z, batch, its batch strides), 0 where it is broadcast. float32 accumulates in
// float (no TF32), float64 in double.
//
// A block computes one BM x BN tile of C, stepping through K by BK. The A and B tiles are staged
// in shared memory k-major (As[k][m], Bs[k][n]) and double-buffered: the global loads of step
// t + 1 are in flight while step t multiplies, with one __syncthreads per step. Each thread keeps a
// TM x TN micro-tile in registers, made of VW-wide strips spaced BM / (TM / VW) apart, so a warp's
// vector reads of a shared row touch consecutive 16-byte words (no bank conflicts).
//
// Operand load mode (bits, chosen by the launcher from the strides):
//   KFAST: a thread's chunk of VW elements runs along k (k has the smaller stride), otherwise
//          along m (or n);
//   VEC:   a chunk is one vector load (unit stride along it, base and other strides VW-aligned);
//          otherwise VW scalar loads through any strides.
// Tiles at the edges of M, N, K are zero-filled on load and masked on store: any sizes work.

#include "kiln.cuh"

#define GEMM_KFAST 1
#define GEMM_VEC 2

// The 16-byte vector of each element type.
template <class T>
struct VecWidth;
template <>
struct VecWidth<float> {
    static constexpr int n = 4;
};
template <>
struct VecWidth<double> {
    static constexpr int n = 2;
};

__device__ __forceinline__ void load_vec(const float* p, float* out) {
    const float4 v = *reinterpret_cast<const float4*>(p);
    out[0] = v.x;
    out[1] = v.y;
    out[2] = v.z;
    out[3] = v.w;
}

__device__ __forceinline__ void load_vec(const double* p, double* out) {
    const double2 v = *reinterpret_cast<const double2*>(p);
    out[0] = v.x;
    out[1] = v.y;
}

__device__ __forceinline__ void store_vec(float* p, const float* in) {
    float4 v;
    v.x = in[0];
    v.y = in[1];
    v.z = in[2];
    v.w = in[3];
    *reinterpret_cast<float4*>(p) = v;
}

__device__ __forceinline__ void store_vec(double* p, const double* in) {
    double2 v;
    v.x = in[0];
    v.y = in[1];
    *reinterpret_cast<double2*>(p) = v;
}

// One operand's ROWS x BK tile, element (r, k) at x[r * sr + k * sk], moved global -> registers ->
// shared memory s[k][r] by THREADS threads. Each thread moves E / VW chunks of VW elements running
// along k (KFAST) or along r; VEC loads a chunk as one vector, otherwise element by element.
template <class T, int ROWS, int BK, int THREADS>
struct TileLoader {
    static constexpr int VW = VecWidth<T>::n;
    static constexpr int PITCH = ROWS + VW;  // padded rows: vector-aligned, transposed stores spread over banks
    static constexpr int E = ROWS * BK / THREADS;
    static_assert(E % VW == 0 && BK % VW == 0 && ROWS % VW == 0, "a thread moves whole vectors");

    T v[E];

    // The tile position (r, k) where this thread's chunk c starts.
    __device__ __forceinline__ static void chunk(int c, bool kfast, int& r, int& k) {
        const int i = threadIdx.x + c * THREADS;
        if (kfast) {
            r = i / (BK / VW);
            k = i % (BK / VW) * VW;
        } else {
            k = i / (ROWS / VW);
            r = i % (ROWS / VW) * VW;
        }
    }

    // x at the tile's (0, 0); rows, ks: how many rows and k exist from there (may exceed the tile).
    __device__ __forceinline__ void load(const T* x, int rows, int ks, int sr, int sk, int mode) {
        const bool kfast = mode & GEMM_KFAST;
        const int along = kfast ? sk : sr;  // the stride within a chunk (1 when VEC)
#pragma unroll
        for (int c = 0; c < E / VW; c++) {
            int r, k;
            chunk(c, kfast, r, k);
            T* out = &v[c * VW];
            const int avail = r < rows && k < ks ? (kfast ? ks - k : rows - r) : 0;
            if ((mode & GEMM_VEC) && avail >= VW) {
                load_vec(x + r * sr + k * sk, out);
            } else {
#pragma unroll
                for (int j = 0; j < VW; j++) {
                    out[j] = j < avail ? x[r * sr + k * sk + j * along] : static_cast<T>(0);
                }
            }
        }
    }

    __device__ __forceinline__ void store(T (*s)[PITCH], int mode) const {
        const bool kfast = mode & GEMM_KFAST;
#pragma unroll
        for (int c = 0; c < E / VW; c++) {
            int r, k;
            chunk(c, kfast, r, k);
            if (kfast) {
#pragma unroll
                for (int j = 0; j < VW; j++) {
                    s[k + j][r] = v[c * VW + j];
                }
            } else {
                store_vec(&s[k][r], &v[c * VW]);
            }
        }
    }
};

// The thread's TM values along one tile side from shared row s: strips of VW at g * (SIDE / (TM / VW)) + t * VW.
template <class T, int SIDE, int TM>
__device__ __forceinline__ void load_fragment(const T* s, int t, T* frag) {
    constexpr int VW = VecWidth<T>::n;
    constexpr int STRIPS = TM / VW;
#pragma unroll
    for (int g = 0; g < STRIPS; g++) {
        load_vec(s + g * (SIDE / STRIPS) + t * VW, frag + g * VW);
    }
}

// a: (batch, M, K) strides (bsA, sam, sak); b: (batch, K, N) strides (bsB, sbk, sbn); c: (nbatch, M, N).
// blockDim.x = (BM / TM) (BN / TN); gridDim.x = tiles of C; batch entry blockIdx.y gridDim.z + blockIdx.z.
template <class T, int BM, int BN, int BK, int TM, int TN>
__device__ void gemm(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ c, int M, int N, int K,
                     int sam, int sak, int sbk, int sbn, int amode, int bmode, int cvec, Shape8 batch, Strides8 bsA,
                     Strides8 bsB, int nbatch) {
    constexpr int VW = VecWidth<T>::n;
    constexpr int THREADS_N = BN / TN;
    constexpr int THREADS = (BM / TM) * THREADS_N;
    static_assert(TM % VW == 0 && TN % VW == 0, "micro-tiles are whole vector strips");
    using LoadA = TileLoader<T, BM, BK, THREADS>;
    using LoadB = TileLoader<T, BN, BK, THREADS>;
    __shared__ __align__(16) T As[2][BK][LoadA::PITCH];
    __shared__ __align__(16) T Bs[2][BK][LoadB::PITCH];

    // Tiles in groups of GROUP tile rows, column by column, so blocks running together share A and B in L2.
    constexpr int GROUP = 8;
    const int tiles_m = (M + BM - 1) / BM;
    const int tiles_n = (N + BN - 1) / BN;
    const int per_group = GROUP * tiles_n;
    const int first_m = (int)blockIdx.x / per_group * GROUP;
    const int group_rows = min(tiles_m - first_m, GROUP);
    const int in_group = (int)blockIdx.x % per_group;
    const int m0 = (first_m + in_group % group_rows) * BM;
    const int n0 = in_group / group_rows * BN;
    const int tx = threadIdx.x % THREADS_N;
    const int ty = threadIdx.x / THREADS_N;
    const int ktiles = (K + BK - 1) / BK;

    const int z = blockIdx.y * gridDim.z + blockIdx.z;
    if (z >= nbatch) {
        return;  // the whole block, before any barrier
    }
    const T* az = a + strided_offset(z, batch, bsA) + m0 * sam;
    const T* bz = b + strided_offset(z, batch, bsB) + n0 * sbn;
    LoadA la;
    LoadB lb;
    la.load(az, M - m0, K, sam, sak, amode);
    lb.load(bz, N - n0, K, sbn, sbk, bmode);
    la.store(As[0], amode);
    lb.store(Bs[0], bmode);
    __syncthreads();

    T acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
        for (int j = 0; j < TN; j++) {
            acc[i][j] = static_cast<T>(0);
        }
    }
    for (int kt = 0; kt < ktiles; kt++) {
        const int cur = kt & 1;
        const bool more = kt + 1 < ktiles;
        if (more) {
            const int k0 = (kt + 1) * BK;
            la.load(az + k0 * sak, M - m0, K - k0, sam, sak, amode);
            lb.load(bz + k0 * sbk, N - n0, K - k0, sbn, sbk, bmode);
        }
        // Unrolled by 2, not by BK: full unrolling lets ptxas read fragments far ahead and take
        // over 128 registers (one 256-thread block per SM); this way every kernel here stays
        // under 128 (two blocks per SM). Which is faster is for a GPU benchmark to say.
#pragma unroll 2
        for (int k = 0; k < BK; k++) {
            T fa[TM];
            T fb[TN];
            load_fragment<T, BM, TM>(As[cur][k], ty, fa);
            load_fragment<T, BN, TN>(Bs[cur][k], tx, fb);
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) {
                    acc[i][j] += fa[i] * fb[j];
                }
            }
        }
        if (more) {
            la.store(As[cur ^ 1], amode);
            lb.store(Bs[cur ^ 1], bmode);
        }
        __syncthreads();  // the buffer read now is written at the next step
    }

    T* cz = c + z * M * N;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int row = m0 + i / VW * (BM / (TM / VW)) + ty * VW + i % VW;
        if (row >= M) {
            continue;
        }
#pragma unroll
        for (int h = 0; h < TN / VW; h++) {
            const int col = n0 + h * (BN / (TN / VW)) + tx * VW;
            if (col >= N) {
                continue;
            }
            T* p = cz + row * N + col;
            if (cvec && col + VW <= N) {
                store_vec(p, &acc[i][h * VW]);
            } else {
#pragma unroll
                for (int j = 0; j < VW; j++) {
                    if (col + j < N) {
                        p[j] = acc[i][h * VW + j];
                    }
                }
            }
        }
    }
}

// ---- kernels: gemm_<BM>x<BN>_<dtype>, (BM / TM) (BN / TN) = 256 threads each

#define GEMM_PARAMS(T)                                                                                    \
    const T *a, const T *b, T *c, int M, int N, int K, int sam, int sak, int sbk, int sbn, int amode, int bmode, \
        int cvec, Shape8 batch, Strides8 bsA, Strides8 bsB, int nbatch
#define GEMM_ARGS a, b, c, M, N, K, sam, sak, sbk, sbn, amode, bmode, cvec, batch, bsA, bsB, nbatch

#ifndef KILN_F64
extern "C" __global__ void gemm_128x128_f32(GEMM_PARAMS(float)) {
    gemm<float, 128, 128, 8, 8, 8>(GEMM_ARGS);
}
extern "C" __global__ void gemm_64x64_f32(GEMM_PARAMS(float)) {
    gemm<float, 64, 64, 16, 4, 4>(GEMM_ARGS);
}
#else
extern "C" __global__ void gemm_64x64_f64(GEMM_PARAMS(double)) {
    gemm<double, 64, 64, 8, 4, 4>(GEMM_ARGS);
}
extern "C" __global__ void gemm_32x32_f64(GEMM_PARAMS(double)) {
    gemm<double, 32, 32, 16, 2, 2>(GEMM_ARGS);
}
#endif
