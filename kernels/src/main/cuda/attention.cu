// Scaled-dot-product attention, FlashAttention style: softmax(scale q k^T + mask) v without ever
// holding a (Lq, Lk) matrix in global memory. q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev), the mask
// (B, Lq, Lk) and gOut / out (B, Lq, Ev) are read through their strides (the last three entries
// of a Strides8); out, logsumexp and the gradients are written contiguous.
//
// Blocks are 4 warps. A warp owns TM rows of the block's tile (query rows in the forward and dq
// kernels, key rows in dkdv) and lane l owns columns l, l + 32, ... of every product, so a row's
// softmax statistics are warp reductions and the row operand is a shared-memory broadcast; both
// operands are read 16 bytes at a time. Products are FMAs on the CUDA cores in the dtype itself (no
// tensor cores, so float32 stays float32 and float64 float64). The head dim is a template bound
// D (32, 64, 128 >= E, Ev); the tile sizes of every (dtype, D) are chosen to fit 48 KiB of static
// shared memory without register spills and are mirrored in dev.kiln.cuda.AttentionLauncher.TileRows
// (KernelConstantsTest compares).
//
// Forward: per key tile of BC keys, K then V pass through one shared buffer; the online softmax
// keeps a running max m and sum l per row in registers and rescales the output accumulator when
// m grows. A row that sees no key gets out = 0 and logsumexp = -inf. Causal tiles past the
// block's last query are skipped.
//
// Backward (FlashAttention-2): a prep kernel stores logsumexp and D = rowsum(dO * O) per row;
// P = exp(s - logsumexp) is recomputed per tile and dS = P * (dP - D) with dP = dO v^T. dK, dV
// come from blocks that own a key tile and walk the query tiles; dQ from a second kernel whose
// blocks own a query tile and walk the key tiles. No atomics: every gradient element is summed by
// one thread in a fixed order, so results are deterministic (the price: s and dP are computed
// twice).

#include "kiln.cuh"
#include "kmath.cuh"
#include "kwarp.cuh"

#define ATTN_WARPS 4  // a block is 128 threads (AttentionLauncher.THREADS)

// A (B, L, C) operand read through its strides.
template <class T>
struct Rows3 {
    const T* p;
    int sb, sr, sc;
    __device__ Rows3(const T* p_, const Strides8& st)
        : p(p_), sb(st.stride[KILN_DIMS - 3]), sr(st.stride[KILN_DIMS - 2]), sc(st.stride[KILN_DIMS - 1]) {}
    __device__ T at(int b, int r, int c) const { return p[b * sb + r * sr + c * sc]; }
};

// What the mask and causality make of a dot product q_i . k_j: scale * dot + mask, or -inf where
// the key is hidden (bool mask false, j > i under causality) or out of range (i >= Lq, j >= Lk).
template <class T>
struct Scores {
    const T* add;                // additive mask (B, Lq, Lk) or null
    const unsigned char* keep;   // bool mask (B, Lq, Lk) or null
    int sb, sr, sc;              // the mask's strides (0 where broadcast)
    int lq, lk;
    T scale;
    int causal;

    __device__ T operator()(T dot, int b, int i, int j) const {
        if (i >= lq || j >= lk || (causal && j > i)) {
            return -k_inf<T>();
        }
        const int o = b * sb + i * sr + j * sc;
        if (keep != nullptr && !keep[o]) {
            return -k_inf<T>();
        }
        return dot * scale + (add != nullptr ? add[o] : static_cast<T>(0));
    }
};

template <class T>
__device__ Scores<T> make_scores(const T* add, const unsigned char* keep, const Strides8& sm, int lq, int lk, T scale,
                                 int causal) {
    return Scores<T>{add, keep, sm.stride[KILN_DIMS - 3], sm.stride[KILN_DIMS - 2], sm.stride[KILN_DIMS - 1],
                     lq, lk, scale, causal};
}

// 16 bytes of T: one 128-bit shared-memory access. Tiles are 16-byte aligned with pitches of whole
// vectors and their rows zero-filled to a whole vector, so the dot products run VEC elements a step.
template <class T>
struct __align__(16) Vec16 {
    static constexpr int N = 16 / sizeof(T);
    T v[N];
};

template <class T>
__device__ __forceinline__ Vec16<T> load16(const T* p) {
    return *reinterpret_cast<const Vec16<T>*>(p);
}

// tile[r][c] (row pitch `pitch`) = x[b, r0 + r, c] for r < rows, c < cols, zero up to a whole vector;
// rows past L are zero.
template <class T>
__device__ void load_rows(T* tile, int pitch, int rows, const Rows3<T>& x, int b, int r0, int L, int cols) {
    constexpr int V = Vec16<T>::N;
    const int width = (cols + V - 1) / V * V;
    const int lane = threadIdx.x & 31;
    for (int r = threadIdx.x >> 5; r < rows; r += ATTN_WARPS) {
        const bool live = r0 + r < L;
        for (int c = lane; c < width; c += 32) {
            tile[r * pitch + c] = live && c < cols ? x.at(b, r0 + r, c) : static_cast<T>(0);
        }
    }
}

// acc[i][n] = sum_{d < len} a[row0 + i][d] * b[lane + 32 n][d]: the warp's TM rows of a (a broadcast
// read) against the lane's N rows of b (pitch pb = a multiple of the vector plus one vector, so the
// lanes' 128-bit reads hit distinct banks).
template <class T, int TM, int N>
__device__ __forceinline__ void dot_rows(T (&acc)[TM][N], const T* a, int pa, int row0, const T* b, int pb, int len) {
    constexpr int V = Vec16<T>::N;
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
        for (int n = 0; n < N; n++) {
            acc[i][n] = static_cast<T>(0);
        }
    }
#pragma unroll 2
    for (int d = 0; d < len; d += V) {
        Vec16<T> bv[N];
#pragma unroll
        for (int n = 0; n < N; n++) {
            bv[n] = load16(b + (lane + 32 * n) * pb + d);
        }
#pragma unroll
        for (int i = 0; i < TM; i++) {
            const Vec16<T> av = load16(a + (row0 + i) * pa + d);
#pragma unroll
            for (int u = 0; u < V; u++) {
#pragma unroll
                for (int n = 0; n < N; n++) {
                    acc[i][n] += av.v[u] * bv[n].v[u];
                }
            }
        }
    }
}

// acc[i][cc] += sum_{j < n} w[row0 + i][j] * x[j][lane + 32 cc] for columns < cols: the warp's TM rows
// of weights w (pitch pw, broadcast, n a whole number of vectors) times the rows of x (pitch px),
// lane-owned columns.
template <class T, int TM, int DC>
__device__ __forceinline__ void accumulate_rows(T (&acc)[TM][DC], const T* w, int pw, int row0, int n, const T* x, int px,
                                                int cols) {
    constexpr int V = Vec16<T>::N;
    const int lane = threadIdx.x & 31;
    for (int j = 0; j < n; j += V) {
        T xv[V][DC];
#pragma unroll
        for (int u = 0; u < V; u++) {
#pragma unroll
            for (int cc = 0; cc < DC; cc++) {
                xv[u][cc] = 32 * cc < cols ? x[(j + u) * px + lane + 32 * cc] : static_cast<T>(0);
            }
        }
#pragma unroll
        for (int i = 0; i < TM; i++) {
            const Vec16<T> wv = load16(w + (row0 + i) * pw + j);
#pragma unroll
            for (int u = 0; u < V; u++) {
#pragma unroll
                for (int cc = 0; cc < DC; cc++) {
                    acc[i][cc] += wv.v[u] * xv[u][cc];
                }
            }
        }
    }
}

// dst[(b, row, c)] = scale * acc for the warp's rows < L and columns < cols of a contiguous (B, L, cols).
template <class T, int TM, int DC>
__device__ void store_rows(T* dst, const T (&acc)[TM][DC], T scale, int b, int row0, int L, int cols) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int i = 0; i < TM; i++) {
        if (row0 + i < L) {
#pragma unroll
            for (int cc = 0; cc < DC; cc++) {
                const int c = lane + 32 * cc;
                if (c < cols) {
                    dst[(b * L + row0 + i) * cols + c] = scale * acc[i][cc];
                }
            }
        }
    }
}

// ---- forward: a block per (batch entry, tile of BR = 4 TM queries); key tiles of BC = 32 NC

// out (B, Lq, Ev), lse (B, Lq)
template <class T, int D, int TM, int NC>
__device__ void attention_fwd(const T* q, const T* k, const T* v, const T* madd, const unsigned char* mkeep, T* out,
                              T* lse, Strides8 sq, Strides8 sk, Strides8 sv, Strides8 sm, int nb, int lq, int lk, int e,
                              int ev, T scale, int causal) {
    constexpr int BR = ATTN_WARPS * TM;
    constexpr int BC = 32 * NC;
    constexpr int DC = D / 32;
    constexpr int V = Vec16<T>::N;  // the K / V / Q / gOut rows read by lanes are padded by a vector
    __shared__ __align__(16) T sQ[BR][D];
    __shared__ __align__(16) T sKV[BC][D + V];  // K, then V, of the key tile
    __shared__ __align__(16) T sP[BR][BC];      // exp(s - m) of the tile; each warp its own rows
    const int tiles = (lq + BR - 1) / BR;
    const int b = blockIdx.x / tiles;
    if (b >= nb) {
        return;
    }
    const int i0 = (blockIdx.x % tiles) * BR;
    const int lane = threadIdx.x & 31;
    const int row0 = (threadIdx.x >> 5) * TM;  // the warp's first row in the tile
    const Scores<T> score = make_scores(madd, mkeep, sm, lq, lk, scale, causal);
    load_rows(&sQ[0][0], D, BR, Rows3<T>(q, sq), b, i0, lq, e);

    T acc[TM][DC];
    T m[TM];
    T l[TM];
#pragma unroll
    for (int i = 0; i < TM; i++) {
        m[i] = -k_inf<T>();
        l[i] = static_cast<T>(0);
#pragma unroll
        for (int cc = 0; cc < DC; cc++) {
            acc[i][cc] = static_cast<T>(0);
        }
    }
    const int kEnd = causal ? min(lk, i0 + BR) : lk;
    for (int j0 = 0; j0 < kEnd; j0 += BC) {
        __syncthreads();  // the previous tile's V is read (and, the first time, sQ written)
        load_rows(&sKV[0][0], D + V, BC, Rows3<T>(k, sk), b, j0, lk, e);
        __syncthreads();
        T s[TM][NC];
        dot_rows(s, &sQ[0][0], D, row0, &sKV[0][0], D + V, e);
#pragma unroll
        for (int i = 0; i < TM; i++) {
            T mx = -k_inf<T>();
#pragma unroll
            for (int n = 0; n < NC; n++) {
                s[i][n] = score(s[i][n], b, i0 + row0 + i, j0 + lane + 32 * n);
                mx = s[i][n] > mx ? s[i][n] : mx;
            }
            mx = warp_max(mx);
            const T mNew = m[i] > mx ? m[i] : mx;
            T sum = static_cast<T>(0);
#pragma unroll
            for (int n = 0; n < NC; n++) {
                const T p = mNew == -k_inf<T>() ? static_cast<T>(0) : k_exp(s[i][n] - mNew);
                sP[row0 + i][lane + 32 * n] = p;
                sum += p;
            }
            sum = warp_sum(sum);
            if (mNew != -k_inf<T>()) {  // else every key so far is hidden: nothing to add
                const T alpha = k_exp(m[i] - mNew);  // 0 while m was -inf
                l[i] = l[i] * alpha + sum;
                m[i] = mNew;
#pragma unroll
                for (int cc = 0; cc < DC; cc++) {
                    acc[i][cc] *= alpha;
                }
            }
        }
        __syncthreads();  // every warp is done with K (and its sP rows are written)
        load_rows(&sKV[0][0], D + V, BC, Rows3<T>(v, sv), b, j0, lk, ev);
        __syncthreads();
        accumulate_rows(acc, &sP[0][0], BC, row0, BC, &sKV[0][0], D + V, ev);
    }
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const T inv = l[i] > static_cast<T>(0) ? static_cast<T>(1) / l[i] : static_cast<T>(0);  // no key: out = 0
        const int qi = i0 + row0 + i;
        if (lane == 0 && qi < lq) {
            lse[b * lq + qi] = l[i] > static_cast<T>(0) ? m[i] + k_log(l[i]) : -k_inf<T>();
        }
#pragma unroll
        for (int cc = 0; cc < DC; cc++) {
            acc[i][cc] *= inv;
        }
    }
    store_rows(out, acc, static_cast<T>(1), b, i0 + row0, lq, ev);
}

// ---- backward

// stats (2, B * Lq): [0] the forward's logsumexp, [1] D = rowsum(gOut * out); a warp per row.
template <class T>
__device__ void attention_bwd_prep(const T* gout, const T* out, const T* lse, T* stats, Strides8 sg, Strides8 so,
                                   Strides8 sl, int nb, int lq, int ev) {
    const int row = blockIdx.x * ATTN_WARPS + (threadIdx.x >> 5);
    if (row >= nb * lq) {
        return;  // whole warps leave together
    }
    const int b = row / lq;
    const int i = row - b * lq;
    const Rows3<T> g(gout, sg);
    const Rows3<T> o(out, so);
    T d = static_cast<T>(0);
    for (int c = threadIdx.x & 31; c < ev; c += 32) {
        d += g.at(b, i, c) * o.at(b, i, c);
    }
    d = warp_sum(d);
    if ((threadIdx.x & 31) == 0) {
        stats[row] = lse[b * sl.stride[KILN_DIMS - 2] + i * sl.stride[KILN_DIMS - 1]];
        stats[nb * lq + row] = d;
    }
}

// gk (B, Lk, E) = scale dS^T q, gv (B, Lk, Ev) = P^T gOut: a block per (batch entry, tile of BK = 4 TK
// keys) walking query tiles of BQ = 32 queries. SHARE: q and gOut take turns in one buffer (q is
// loaded twice per tile), for the head dims whose tiles would not fit otherwise.
template <class T, int D, int TK, bool SHARE>
__device__ void attention_bwd_dkdv(const T* q, const T* k, const T* v, const T* gout, const T* madd,
                                   const unsigned char* mkeep, const T* stats, T* gk, T* gv, Strides8 sq, Strides8 sk,
                                   Strides8 sv, Strides8 sg, Strides8 sm, int nb, int lq, int lk, int e, int ev,
                                   T scale, int causal) {
    constexpr int BK = ATTN_WARPS * TK;
    constexpr int BQ = 32;
    constexpr int DC = D / 32;
    constexpr int V = Vec16<T>::N;  // the K / V / Q / gOut rows read by lanes are padded by a vector
    __shared__ __align__(16) T sK[BK][D];
    __shared__ __align__(16) T sV[BK][D];
    __shared__ __align__(16) T sQ[BQ][D + V];
    __shared__ __align__(16) T sOwn[SHARE ? 1 : BQ][D + V];
    __shared__ __align__(16) T sPS[BK][BQ];  // P, then dS, of the tile transposed (keys x queries); each warp its own rows
    __shared__ T sLse[BQ];
    __shared__ T sDelta[BQ];
    T* const sdO = SHARE ? &sQ[0][0] : &sOwn[0][0];
    const int tiles = (lk + BK - 1) / BK;
    const int b = blockIdx.x / tiles;
    if (b >= nb) {
        return;
    }
    const int j0 = (blockIdx.x % tiles) * BK;
    const int lane = threadIdx.x & 31;
    const int row0 = (threadIdx.x >> 5) * TK;
    const Scores<T> score = make_scores(madd, mkeep, sm, lq, lk, scale, causal);
    const Rows3<T> qs(q, sq);
    const Rows3<T> gs(gout, sg);
    load_rows(&sK[0][0], D, BK, Rows3<T>(k, sk), b, j0, lk, e);
    load_rows(&sV[0][0], D, BK, Rows3<T>(v, sv), b, j0, lk, ev);

    T dk[TK][DC];
    T dv[TK][DC];
#pragma unroll
    for (int t = 0; t < TK; t++) {
#pragma unroll
        for (int cc = 0; cc < DC; cc++) {
            dk[t][cc] = static_cast<T>(0);
            dv[t][cc] = static_cast<T>(0);
        }
    }
    for (int i0 = causal ? j0 : 0; i0 < lq; i0 += BQ) {  // causality hides key j0 from every query before it
        __syncthreads();  // the previous tile's buffers are read
        load_rows(&sQ[0][0], D + V, BQ, qs, b, i0, lq, e);
        if constexpr (!SHARE) {
            load_rows(sdO, D + V, BQ, gs, b, i0, lq, ev);
        }
        if (threadIdx.x < BQ) {
            const int qi = i0 + threadIdx.x;
            sLse[threadIdx.x] = qi < lq ? stats[b * lq + qi] : -k_inf<T>();
            sDelta[threadIdx.x] = qi < lq ? stats[nb * lq + b * lq + qi] : static_cast<T>(0);
        }
        __syncthreads();
        T p[TK][1];
        T ds[TK][1];
        dot_rows(p, &sK[0][0], D, row0, &sQ[0][0], D + V, e);  // s^T: (keys, queries)
        if constexpr (SHARE) {
            __syncthreads();
            load_rows(sdO, D + V, BQ, gs, b, i0, lq, ev);
            __syncthreads();
        }
        dot_rows(ds, &sV[0][0], D, row0, sdO, D + V, ev);  // dP^T
        const T lseq = sLse[lane];
        const T delta = sDelta[lane];
#pragma unroll
        for (int t = 0; t < TK; t++) {
            const T x = score(p[t][0], b, i0 + lane, j0 + row0 + t);
            p[t][0] = lseq == -k_inf<T>() ? static_cast<T>(0) : k_exp(x - lseq);  // a row with no key: P = 0
            ds[t][0] = p[t][0] * (ds[t][0] - delta);
            sPS[row0 + t][lane] = p[t][0];
        }
        __syncwarp();
        accumulate_rows(dv, &sPS[0][0], BQ, row0, BQ, sdO, D + V, ev);
        if constexpr (SHARE) {
            __syncthreads();  // every warp is done with gOut
            load_rows(&sQ[0][0], D + V, BQ, qs, b, i0, lq, e);
            __syncthreads();
        } else {
            __syncwarp();  // the warp is done reading P
        }
#pragma unroll
        for (int t = 0; t < TK; t++) {
            sPS[row0 + t][lane] = ds[t][0];
        }
        __syncwarp();
        accumulate_rows(dk, &sPS[0][0], BQ, row0, BQ, &sQ[0][0], D + V, e);
    }
    store_rows(gk, dk, scale, b, j0 + row0, lk, e);
    store_rows(gv, dv, static_cast<T>(1), b, j0 + row0, lk, ev);
}

// gq (B, Lq, E) = scale dS k: a block per (batch entry, tile of BR = 4 TM queries) walking key tiles
// of BC = 32 NC keys; V, then K, of each key tile pass through one shared buffer.
template <class T, int D, int TM, int NC>
__device__ void attention_bwd_dq(const T* q, const T* k, const T* v, const T* gout, const T* madd,
                                 const unsigned char* mkeep, const T* stats, T* gq, Strides8 sq, Strides8 sk,
                                 Strides8 sv, Strides8 sg, Strides8 sm, int nb, int lq, int lk, int e, int ev, T scale,
                                 int causal) {
    constexpr int BR = ATTN_WARPS * TM;
    constexpr int BC = 32 * NC;
    constexpr int DC = D / 32;
    constexpr int V = Vec16<T>::N;  // the K / V / Q / gOut rows read by lanes are padded by a vector
    __shared__ __align__(16) T sQ[BR][D];
    __shared__ __align__(16) T sdO[BR][D];
    __shared__ __align__(16) T sKV[BC][D + V];
    __shared__ __align__(16) T sDS[BR][BC];  // each warp its own rows
    const int tiles = (lq + BR - 1) / BR;
    const int b = blockIdx.x / tiles;
    if (b >= nb) {
        return;
    }
    const int i0 = (blockIdx.x % tiles) * BR;
    const int lane = threadIdx.x & 31;
    const int row0 = (threadIdx.x >> 5) * TM;
    const Scores<T> score = make_scores(madd, mkeep, sm, lq, lk, scale, causal);
    load_rows(&sQ[0][0], D, BR, Rows3<T>(q, sq), b, i0, lq, e);
    load_rows(&sdO[0][0], D, BR, Rows3<T>(gout, sg), b, i0, lq, ev);
    T lse[TM];
    T delta[TM];
    T dq[TM][DC];
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int qi = i0 + row0 + i;
        lse[i] = qi < lq ? stats[b * lq + qi] : -k_inf<T>();
        delta[i] = qi < lq ? stats[nb * lq + b * lq + qi] : static_cast<T>(0);
#pragma unroll
        for (int cc = 0; cc < DC; cc++) {
            dq[i][cc] = static_cast<T>(0);
        }
    }
    const int kEnd = causal ? min(lk, i0 + BR) : lk;
    for (int j0 = 0; j0 < kEnd; j0 += BC) {
        __syncthreads();  // the previous tile's K is read (and, the first time, sQ, sdO written)
        load_rows(&sKV[0][0], D + V, BC, Rows3<T>(v, sv), b, j0, lk, ev);
        __syncthreads();
        T ds[TM][NC];
        dot_rows(ds, &sdO[0][0], D, row0, &sKV[0][0], D + V, ev);  // dP
        __syncthreads();
        load_rows(&sKV[0][0], D + V, BC, Rows3<T>(k, sk), b, j0, lk, e);
        __syncthreads();
        T s[TM][NC];
        dot_rows(s, &sQ[0][0], D, row0, &sKV[0][0], D + V, e);
#pragma unroll
        for (int i = 0; i < TM; i++) {
#pragma unroll
            for (int n = 0; n < NC; n++) {
                const T x = score(s[i][n], b, i0 + row0 + i, j0 + lane + 32 * n);
                const T p = lse[i] == -k_inf<T>() ? static_cast<T>(0) : k_exp(x - lse[i]);
                sDS[row0 + i][lane + 32 * n] = p * (ds[i][n] - delta[i]);
            }
        }
        __syncwarp();
        accumulate_rows(dq, &sDS[0][0], BC, row0, BC, &sKV[0][0], D + V, e);
    }
    store_rows(gq, dq, scale, b, i0 + row0, lq, e);
}

// ---- kernels: <dtype, D> variants; (TM, NC) and (TK, SHARE) as mirrored in AttentionLauncher. Each
// entry is written out, one line per type and head dimension: its tile constants are per-type tuning,
// which KernelConstantsTest holds to the launcher.

#define ATTN_FWD_PARAMS(T)                                                                                        \
    const T *q, const T *k, const T *v, const T *madd, const unsigned char *mkeep, T *out, T *lse, Strides8 sq,  \
        Strides8 sk, Strides8 sv, Strides8 sm, int nb, int lq, int lk, int e, int ev, T scale, int causal
#define ATTN_FWD_ARGS q, k, v, madd, mkeep, out, lse, sq, sk, sv, sm, nb, lq, lk, e, ev, scale, causal
#define ATTN_PREP_PARAMS(T) \
    const T *gout, const T *out, const T *lse, T *stats, Strides8 sg, Strides8 so, Strides8 sl, int nb, int lq, int ev
#define ATTN_PREP_ARGS gout, out, lse, stats, sg, so, sl, nb, lq, ev
#define ATTN_DKDV_PARAMS(T)                                                                                       \
    const T *q, const T *k, const T *v, const T *gout, const T *madd, const unsigned char *mkeep, const T *stats, \
        T *gk, T *gv, Strides8 sq, Strides8 sk, Strides8 sv, Strides8 sg, Strides8 sm, int nb, int lq, int lk,    \
        int e, int ev, T scale, int causal
#define ATTN_DKDV_ARGS q, k, v, gout, madd, mkeep, stats, gk, gv, sq, sk, sv, sg, sm, nb, lq, lk, e, ev, scale, causal
#define ATTN_DQ_PARAMS(T)                                                                                         \
    const T *q, const T *k, const T *v, const T *gout, const T *madd, const unsigned char *mkeep, const T *stats, \
        T *gq, Strides8 sq, Strides8 sk, Strides8 sv, Strides8 sg, Strides8 sm, int nb, int lq, int lk, int e,    \
        int ev, T scale, int causal
#define ATTN_DQ_ARGS q, k, v, gout, madd, mkeep, stats, gq, sq, sk, sv, sg, sm, nb, lq, lk, e, ev, scale, causal

#ifndef KILN_F64
extern "C" __global__ void attention_fwd_d32_f32(ATTN_FWD_PARAMS(float)) { attention_fwd<float, 32, 16, 2>(ATTN_FWD_ARGS); }
extern "C" __global__ void attention_fwd_d64_f32(ATTN_FWD_PARAMS(float)) { attention_fwd<float, 64, 16, 1>(ATTN_FWD_ARGS); }
extern "C" __global__ void attention_fwd_d128_f32(ATTN_FWD_PARAMS(float)) { attention_fwd<float, 128, 8, 1>(ATTN_FWD_ARGS); }
extern "C" __global__ void attention_bwd_prep_f32(ATTN_PREP_PARAMS(float)) { attention_bwd_prep<float>(ATTN_PREP_ARGS); }
extern "C" __global__ void attention_bwd_dkdv_d32_f32(ATTN_DKDV_PARAMS(float)) { attention_bwd_dkdv<float, 32, 16, false>(ATTN_DKDV_ARGS); }
extern "C" __global__ void attention_bwd_dkdv_d64_f32(ATTN_DKDV_PARAMS(float)) { attention_bwd_dkdv<float, 64, 8, false>(ATTN_DKDV_ARGS); }
extern "C" __global__ void attention_bwd_dkdv_d128_f32(ATTN_DKDV_PARAMS(float)) { attention_bwd_dkdv<float, 128, 2, false>(ATTN_DKDV_ARGS); }
extern "C" __global__ void attention_bwd_dq_d32_f32(ATTN_DQ_PARAMS(float)) { attention_bwd_dq<float, 32, 8, 2>(ATTN_DQ_ARGS); }
extern "C" __global__ void attention_bwd_dq_d64_f32(ATTN_DQ_PARAMS(float)) { attention_bwd_dq<float, 64, 8, 2>(ATTN_DQ_ARGS); }
extern "C" __global__ void attention_bwd_dq_d128_f32(ATTN_DQ_PARAMS(float)) { attention_bwd_dq<float, 128, 4, 1>(ATTN_DQ_ARGS); }
#else
extern "C" __global__ void attention_fwd_d32_f64(ATTN_FWD_PARAMS(double)) { attention_fwd<double, 32, 8, 2>(ATTN_FWD_ARGS); }
extern "C" __global__ void attention_fwd_d64_f64(ATTN_FWD_PARAMS(double)) { attention_fwd<double, 64, 8, 1>(ATTN_FWD_ARGS); }
extern "C" __global__ void attention_fwd_d128_f64(ATTN_FWD_PARAMS(double)) { attention_fwd<double, 128, 2, 1>(ATTN_FWD_ARGS); }
extern "C" __global__ void attention_bwd_prep_f64(ATTN_PREP_PARAMS(double)) { attention_bwd_prep<double>(ATTN_PREP_ARGS); }
extern "C" __global__ void attention_bwd_dkdv_d32_f64(ATTN_DKDV_PARAMS(double)) { attention_bwd_dkdv<double, 32, 8, false>(ATTN_DKDV_ARGS); }
extern "C" __global__ void attention_bwd_dkdv_d64_f64(ATTN_DKDV_PARAMS(double)) { attention_bwd_dkdv<double, 64, 2, false>(ATTN_DKDV_ARGS); }
extern "C" __global__ void attention_bwd_dkdv_d128_f64(ATTN_DKDV_PARAMS(double)) { attention_bwd_dkdv<double, 128, 1, true>(ATTN_DKDV_ARGS); }
extern "C" __global__ void attention_bwd_dq_d32_f64(ATTN_DQ_PARAMS(double)) { attention_bwd_dq<double, 32, 8, 1>(ATTN_DQ_ARGS); }
extern "C" __global__ void attention_bwd_dq_d64_f64(ATTN_DQ_PARAMS(double)) { attention_bwd_dq<double, 64, 4, 1>(ATTN_DQ_ARGS); }
extern "C" __global__ void attention_bwd_dq_d128_f64(ATTN_DQ_PARAMS(double)) { attention_bwd_dq<double, 128, 1, 1>(ATTN_DQ_ARGS); }
#endif
