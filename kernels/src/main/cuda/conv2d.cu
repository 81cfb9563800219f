// conv2d forward, backward-input and backward-weight as implicit GEMMs (no im2col buffer): each
// block computes a BM x BN tile of C = A B over a range of K, gathering its A and B tiles from the
// tensors straight into shared memory, BK = 16 at a time, double-buffered (the next tile is loaded
// into registers while the current one is multiplied). 256 threads; thread (tx, ty) = (tid % 16,
// tid / 16) owns C rows tx + 16 i and columns ty + 16 j (conflict-free shared reads, pixel-major
// stores). For every K tile 16 threads decode its 16 k indices once into a shared "tap" table, so
// the gathers need no division. blockIdx.z is the group (with the stride phase for backward-input,
// the K split for backward-weight).
//
//   forward          y (N, O, OH, OW)  : M = N*OH*OW pixels, N = O/groups, K = C/groups*KH*KW
//   backward-input   gx (N, C, H, W)   : M = N*H*W pixels,   N = C/groups, K = O/groups*KH*KW
//                                        (per stride phase: its pixels and its taps only)
//   backward-weight  gw (O, C/g, KH, KW): M = C/groups*KH*KW, N = O/groups, K = N*OH*OW (split)
//
// x, w, gy are contiguous. Backward-input gathers: input pixel iy takes output row oy where
// oy*sh - ph + kh*dh = iy, so each gx element is one dot product (no atomics, any stride).

#include "kiln.cuh"

// The geometry, written field for field by dev.kiln.cuda.ConvGeom (KernelConstantsTest compares the order).
struct ConvGeom {
    int n, c, h, w;   // x (n, c, h, w)
    int o, kh, kw;    // weight (o, c / groups, kh, kw)
    int oh, ow;       // y (n, o, oh, ow)
    int sh, sw, ph, pw, dh, dw;
    int groups;
};

namespace conv {

constexpr int THREADS = 256;
constexpr int BK = 16;
// Added to a row coordinate to make every bounds check fail (an invalid tap or pixel); the
// launcher keeps coordinates below 2^30 so sums of two stay >= INT_MIN.
constexpr int FAR = -(1 << 30);

// Per-thread load slots of an R x BK tile (R = rows of the tile, 256 threads): "row-fast" slots
// walk the tile's rows across neighbouring threads (r-th slot: row tid % R, k tid / R + r * 256/R),
// "k-fast" slots walk k (k tid % BK, row tid / BK + r * 16).
template <int R>
struct RowFast {
    static constexpr int SLOTS = R * BK / THREADS;
    static __device__ __forceinline__ int row(int tid, int) { return tid % R; }
    static __device__ __forceinline__ int k(int tid, int r) { return tid / R + r * (THREADS / R); }
};
template <int R>
struct KFast {
    static constexpr int SLOTS = R * BK / THREADS;
    static __device__ __forceinline__ int row(int tid, int r) { return tid / BK + r * (THREADS / BK); }
    static __device__ __forceinline__ int k(int tid, int) { return tid % BK; }
};

// The block's C tile, BM x BN over THREADS: TM x TN accumulators per thread.
template <class T, int BM, int BN>
struct Acc {
    static constexpr int TM = BM / 16;
    static constexpr int TN = BN / 16;
    T v[TM][TN];
};

// acc += As^T Bs over one BK tile; As (BK, BM + 1), Bs (BK, BN + 1) (the +1 keeps k-fast stores
// free of bank conflicts).
template <class T, int BM, int BN>
__device__ __forceinline__ void multiply_tile(const T (*As)[BM + 1], const T (*Bs)[BN + 1], Acc<T, BM, BN>& acc,
                                              int tx, int ty) {
#pragma unroll
    for (int k = 0; k < BK; k++) {
        T a[Acc<T, BM, BN>::TM];
        T b[Acc<T, BM, BN>::TN];
#pragma unroll
        for (int i = 0; i < Acc<T, BM, BN>::TM; i++) {
            a[i] = As[k][tx + 16 * i];
        }
#pragma unroll
        for (int j = 0; j < Acc<T, BM, BN>::TN; j++) {
            b[j] = Bs[k][ty + 16 * j];
        }
#pragma unroll
        for (int i = 0; i < Acc<T, BM, BN>::TM; i++) {
#pragma unroll
            for (int j = 0; j < Acc<T, BM, BN>::TN; j++) {
                acc.v[i][j] += a[i] * b[j];
            }
        }
    }
}

// The main loop over K = [k_begin, k_end) for a gather G, which provides Tap (one decoded k),
// tap(k, k_end), gather(taps, k0, ra, rb) into registers and stage(ra, rb, As, Bs). One
// __syncthreads per K tile: taps, As and Bs are double-buffered.
template <class T, int BM, int BN, class G>
__device__ __forceinline__ void implicit_gemm(const G& g, int k_begin, int k_end, Acc<T, BM, BN>& acc) {
    __shared__ T As[2][BK][BM + 1];
    __shared__ T Bs[2][BK][BN + 1];
    __shared__ typename G::Tap taps[2][BK];
    const int tid = threadIdx.x;
    const int tx = tid % 16;
    const int ty = tid / 16;
#pragma unroll
    for (int i = 0; i < Acc<T, BM, BN>::TM; i++) {
#pragma unroll
        for (int j = 0; j < Acc<T, BM, BN>::TN; j++) {
            acc.v[i][j] = static_cast<T>(0);
        }
    }
    const int tiles = (k_end - k_begin + BK - 1) / BK;
    T ra[G::A::SLOTS];
    T rb[G::B::SLOTS];
    if (tid < BK) {
        taps[0][tid] = g.tap(k_begin + tid, k_end);
        taps[1][tid] = g.tap(k_begin + BK + tid, k_end);
    }
    __syncthreads();
    g.gather(taps[0], k_begin, ra, rb);
    g.stage(ra, rb, As[0], Bs[0]);
    __syncthreads();
    for (int t = 0; t < tiles; t++) {
        const int cur = t & 1;
        const bool more = t + 1 < tiles;
        if (more) {
            g.gather(taps[cur ^ 1], k_begin + (t + 1) * BK, ra, rb);
        }
        multiply_tile<T, BM, BN>(As[cur], Bs[cur], acc, tx, ty);
        if (more) {
            g.stage(ra, rb, As[cur ^ 1], Bs[cur ^ 1]);
            if (tid < BK) {
                taps[cur][tid] = g.tap(k_begin + (t + 2) * BK + tid, k_end);
            }
        }
        __syncthreads();
    }
}

// Stores register slots into a (BK, R + 1) shared tile by the slot layout L.
template <class T, class L, int R>
__device__ __forceinline__ void stage_slots(const T* regs, T (*tile)[R + 1]) {
    const int tid = threadIdx.x;
#pragma unroll
    for (int r = 0; r < L::SLOTS; r++) {
        tile[L::k(tid, r)][L::row(tid, r)] = regs[r];
    }
}

__device__ __forceinline__ bool inside(int i, int n) {
    return static_cast<unsigned>(i) < static_cast<unsigned>(n);
}

// The output row q < n with q * stride = t (t = input row + padding - tap offset), or -1.
__device__ __forceinline__ int source(int t, int stride, int n) {
    const int q = t / stride;
    return t >= 0 && q * stride == t && q < n ? q : -1;
}

// ---- forward: A (pixel, k) = x gathered, B (k, o) = w (o, K) row-major; k = (c, kh, kw)

template <class T, int BM, int BN>
struct Forward {
    using A = RowFast<BM>;
    using B = KFast<BN>;
    struct Tap {
        int off;     // c * h * w
        int dy, dx;  // kh * dh, kw * dw; dy FAR past K
    };
    ConvGeom s;
    int kdim;      // C/groups * KH * KW
    const T* xg;   // x[img, group's first channel] of this thread's pixel
    int y0, x0;    // the pixel's window corner oh*sh - ph, ow*sw - pw (y0 FAR past M)
    const T* wrow; // the w row of this thread's first B slot
    int wrows;     // B slots with a valid row

    __device__ Forward(const T* x, const T* w, const ConvGeom& s_, int m0, int n0, int grp) : s(s_) {
        const int cg = s.c / s.groups;
        const int og = s.o / s.groups;
        kdim = cg * s.kh * s.kw;
        const int m = m0 + A::row(threadIdx.x, 0);
        const int plane = s.oh * s.ow;
        const int img = m / plane;
        const int pix = m % plane;
        const bool live = img < s.n;
        xg = x + (live ? (img * s.c + grp * cg) * s.h * s.w : 0);
        y0 = live ? (pix / s.ow) * s.sh - s.ph : FAR;
        x0 = (pix % s.ow) * s.sw - s.pw;
        const int o = n0 + B::row(threadIdx.x, 0);
        wrows = o < og ? (og - o + THREADS / BK - 1) / (THREADS / BK) : 0;
        wrow = w + (o < og ? (grp * og + o) * kdim : 0);
    }

    __device__ Tap tap(int k, int k_end) const {
        if (k >= k_end) {
            return Tap{0, FAR, 0};
        }
        const int taps = s.kh * s.kw;
        const int r = k % taps;
        return Tap{(k / taps) * s.h * s.w, (r / s.kw) * s.dh, (r % s.kw) * s.dw};
    }

    __device__ void gather(const Tap* taps, int k0, T* ra, T* rb) const {
        const int tid = threadIdx.x;
#pragma unroll
        for (int r = 0; r < A::SLOTS; r++) {
            const Tap t = taps[A::k(tid, r)];
            const int iy = y0 + t.dy;
            const int ix = x0 + t.dx;
            ra[r] = inside(iy, s.h) && inside(ix, s.w) ? xg[t.off + iy * s.w + ix] : static_cast<T>(0);
        }
        const int k = k0 + B::k(tid, 0);
#pragma unroll
        for (int r = 0; r < B::SLOTS; r++) {
            rb[r] = r < wrows && k < kdim ? wrow[r * (THREADS / BK) * kdim + k] : static_cast<T>(0);
        }
    }

    __device__ void stage(const T* ra, const T* rb, T (*As)[BM + 1], T (*Bs)[BN + 1]) const {
        stage_slots<T, A, BM>(ra, As);
        stage_slots<T, B, BN>(rb, Bs);
    }
};

// y (n, o, oh, ow) = x * w (+ bias (o)); grid (M tiles, N tiles, groups)
template <class T, int BM, int BN>
__device__ void conv2d_fwd(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ bias,
                           T* __restrict__ y, ConvGeom s) {
    const int grp = blockIdx.z;
    const int m0 = blockIdx.x * BM;
    const int n0 = blockIdx.y * BN;
    const Forward<T, BM, BN> g(x, w, s, m0, n0, grp);
    Acc<T, BM, BN> acc;
    implicit_gemm<T, BM, BN>(g, 0, g.kdim, acc);
    const int og = s.o / s.groups;
    const int plane = s.oh * s.ow;
    const int tx = threadIdx.x % 16;
    const int ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < Acc<T, BM, BN>::TM; i++) {
        const int m = m0 + tx + 16 * i;
        if (m >= s.n * plane) {
            continue;
        }
        T* yp = y + (m / plane) * s.o * plane + m % plane;
#pragma unroll
        for (int j = 0; j < Acc<T, BM, BN>::TN; j++) {
            const int o = grp * og + n0 + ty + 16 * j;
            if (n0 + ty + 16 * j < og) {
                yp[o * plane] = acc.v[i][j] + (bias != nullptr ? bias[o] : static_cast<T>(0));
            }
        }
    }
}

// ---- backward-input: A (pixel, k) = gy gathered, B (k, c) = w; k = (o, kh, kw) of one phase
//
// With stride s, input row iy is reached from output row (iy + ph - kh*dh) / s only where that
// divides exactly. The rows with (iy + ph) % s == p (phase p) all divide with the same kernel rows
// kh (those with kh*dh % s == p), so each phase (py, px) is its own GEMM over just its pixels and
// taps: no wasted multiplies and no division in the gathers. blockIdx.z = group * sh*sw + phase.

// One spatial dim of a phase: inputs i = first + stride * q (q < inputs) and taps
// t = tap0 + step * a (a < taps); the output row of (q, a) is q + (first + pad - t * dil) / stride.
struct Phase {
    int first, inputs, tap0, step, taps;

    __device__ Phase(int phase, int size, int stride, int pad, int kernel, int dil) {
        first = ((phase - pad) % stride + stride) % stride;
        inputs = first < size ? (size - first + stride - 1) / stride : 0;
        step = 1;  // t * dil % stride repeats with period stride / gcd(dil, stride)
        while (step * dil % stride != 0) {
            step++;
        }
        tap0 = 0;
        while (tap0 < step && tap0 * dil % stride != phase) {
            tap0++;
        }
        taps = tap0 < step && tap0 < kernel ? (kernel - tap0 + step - 1) / step : 0;
    }

    __device__ int tap(int a) const {
        return tap0 + step * a;
    }
};

template <class T, int BM, int BN>
struct BackwardInput {
    using A = RowFast<BM>;
    using B = KFast<BN>;
    struct Tap {
        int gy_off;  // o * oh * ow
        int oy, ox;  // output row / col of phase-local input row / col 0; oy FAR past K
        int w_off;   // o * cg * KH * KW + kh * KW + kw; -1 past K
    };
    ConvGeom s;
    Phase py, px;
    int kdim;       // O/groups * the phase's taps
    const T* gyg;   // gy[img, group's first channel] of this thread's pixel
    int q, r;       // the pixel's phase-local row and column (q FAR past M)
    const T* wcol;  // w[group's first o, c of this thread's first B slot]
    int wcols;      // B slots with a valid c

    // py, px: the phase, which has pixels
    __device__ BackwardInput(const T* gy, const T* w, const ConvGeom& s_, const Phase& py_, const Phase& px_, int m0,
                             int n0, int grp)
        : s(s_), py(py_), px(px_) {
        const int cg = s.c / s.groups;
        const int og = s.o / s.groups;
        kdim = og * py.taps * px.taps;
        const int m = m0 + A::row(threadIdx.x, 0);
        const int plane = py.inputs * px.inputs;
        const int img = m / plane;
        const int pix = m % plane;
        const bool live = img < s.n;
        gyg = gy + (live ? (img * s.o + grp * og) * s.oh * s.ow : 0);
        q = live ? pix / px.inputs : FAR;
        r = pix % px.inputs;
        const int c = n0 + B::row(threadIdx.x, 0);
        wcols = c < cg ? (cg - c + THREADS / BK - 1) / (THREADS / BK) : 0;
        wcol = w + (c < cg ? grp * og * cg * s.kh * s.kw + c * s.kh * s.kw : 0);
    }

    __device__ Tap tap(int k, int k_end) const {
        if (k >= k_end) {
            return Tap{0, FAR, 0, -1};
        }
        const int taps = py.taps * px.taps;
        const int o = k / taps;
        const int kh = py.tap(k % taps / px.taps);
        const int kw = px.tap(k % px.taps);
        return Tap{o * s.oh * s.ow, (py.first + s.ph - kh * s.dh) / s.sh, (px.first + s.pw - kw * s.dw) / s.sw,
                   (o * (s.c / s.groups) * s.kh + kh) * s.kw + kw};
    }

    __device__ void gather(const Tap* taps, int, T* ra, T* rb) const {
        const int tid = threadIdx.x;
#pragma unroll
        for (int i = 0; i < A::SLOTS; i++) {
            const Tap t = taps[A::k(tid, i)];
            const int oy = q + t.oy;
            const int ox = r + t.ox;
            ra[i] = inside(oy, s.oh) && inside(ox, s.ow) ? gyg[t.gy_off + oy * s.ow + ox] : static_cast<T>(0);
        }
        const int w_off = taps[B::k(tid, 0)].w_off;
        const int stride = (THREADS / BK) * s.kh * s.kw;
#pragma unroll
        for (int i = 0; i < B::SLOTS; i++) {
            rb[i] = i < wcols && w_off >= 0 ? wcol[i * stride + w_off] : static_cast<T>(0);
        }
    }

    __device__ void stage(const T* ra, const T* rb, T (*As)[BM + 1], T (*Bs)[BN + 1]) const {
        stage_slots<T, A, BM>(ra, As);
        stage_slots<T, B, BN>(rb, Bs);
    }
};

// gx (n, c, h, w) from gy (n, o, oh, ow) and w; grid (M tiles of the largest phase, N tiles,
// groups * sh * sw)
template <class T, int BM, int BN>
__device__ void conv2d_bwd_input(const T* __restrict__ gy, const T* __restrict__ w, T* __restrict__ gx, ConvGeom s) {
    const int phases = s.sh * s.sw;
    const int grp = blockIdx.z / phases;
    const int m0 = blockIdx.x * BM;
    const int n0 = blockIdx.y * BN;
    const int phase = blockIdx.z % phases;
    const Phase py(phase / s.sw, s.h, s.sh, s.ph, s.kh, s.dh);
    const Phase px(phase % s.sw, s.w, s.sw, s.pw, s.kw, s.dw);
    const int plane = py.inputs * px.inputs;
    if (m0 >= s.n * plane) {
        return;  // the whole block: this phase has fewer pixels (or none)
    }
    const BackwardInput<T, BM, BN> g(gy, w, s, py, px, m0, n0, grp);
    Acc<T, BM, BN> acc;
    implicit_gemm<T, BM, BN>(g, 0, g.kdim, acc);
    const int cg = s.c / s.groups;
    const int tx = threadIdx.x % 16;
    const int ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < Acc<T, BM, BN>::TM; i++) {
        const int m = m0 + tx + 16 * i;
        if (m >= s.n * plane) {
            continue;
        }
        const int pix = m % plane;
        const int iy = py.first + s.sh * (pix / px.inputs);
        const int ix = px.first + s.sw * (pix % px.inputs);
        T* gp = gx + (m / plane) * s.c * s.h * s.w + iy * s.w + ix;
#pragma unroll
        for (int j = 0; j < Acc<T, BM, BN>::TN; j++) {
            const int c = n0 + ty + 16 * j;
            if (c < cg) {
                gp[(grp * cg + c) * s.h * s.w] = acc.v[i][j];
            }
        }
    }
}

// ---- backward-weight: A (j, k) = x gathered with j = (c, kh, kw), B (k, o) = gy; k = (img, oy, ox)

template <class T, int BM, int BN>
struct BackwardWeight {
    using A = KFast<BM>;
    using B = KFast<BN>;
    struct Tap {
        int x_off;   // img * c * h * w
        int y0, x0;  // oy * sh - ph, ox * sw - pw; y0 FAR past K
        int gy_off;  // img * o * oh * ow + oy * ow + ox; -1 past K
    };
    const T* x;
    ConvGeom s;
    int ch[A::SLOTS];      // (group's first channel + c) * h * w of each A slot's j
    int dy[A::SLOTS];      // kh * dh (FAR past C/groups * KH * KW)
    int dx[A::SLOTS];      // kw * dw
    const T* gyrow;        // gy[0, group's first o + o of the first B slot]
    int gyrows;            // B slots with a valid o

    __device__ BackwardWeight(const T* x_, const T* gy, const ConvGeom& s_, int m0, int n0, int grp) : x(x_), s(s_) {
        const int cg = s.c / s.groups;
        const int og = s.o / s.groups;
        const int taps = s.kh * s.kw;
#pragma unroll
        for (int r = 0; r < A::SLOTS; r++) {
            const int j = m0 + A::row(threadIdx.x, r);
            const int q = j % taps;
            ch[r] = (grp * cg + j / taps) * s.h * s.w;
            dy[r] = j < cg * taps ? (q / s.kw) * s.dh : FAR;
            dx[r] = (q % s.kw) * s.dw;
        }
        const int o = n0 + B::row(threadIdx.x, 0);
        gyrows = o < og ? (og - o + THREADS / BK - 1) / (THREADS / BK) : 0;
        gyrow = gy + (o < og ? (grp * og + o) * s.oh * s.ow : 0);
    }

    __device__ Tap tap(int k, int k_end) const {
        if (k >= k_end) {
            return Tap{0, FAR, 0, -1};
        }
        const int plane = s.oh * s.ow;
        const int img = k / plane;
        const int pix = k % plane;
        const int oy = pix / s.ow;
        const int ox = pix % s.ow;
        return Tap{img * s.c * s.h * s.w, oy * s.sh - s.ph, ox * s.sw - s.pw, img * s.o * plane + pix};
    }

    __device__ void gather(const Tap* taps, int, T* ra, T* rb) const {
        const Tap t = taps[A::k(threadIdx.x, 0)];  // k-fast: one k per thread
#pragma unroll
        for (int r = 0; r < A::SLOTS; r++) {
            const int iy = t.y0 + dy[r];
            const int ix = t.x0 + dx[r];
            ra[r] = inside(iy, s.h) && inside(ix, s.w) ? x[t.x_off + ch[r] + iy * s.w + ix] : static_cast<T>(0);
        }
        const int stride = (THREADS / BK) * s.oh * s.ow;
#pragma unroll
        for (int r = 0; r < B::SLOTS; r++) {
            rb[r] = r < gyrows && t.gy_off >= 0 ? gyrow[r * stride + t.gy_off] : static_cast<T>(0);
        }
    }

    __device__ void stage(const T* ra, const T* rb, T (*As)[BM + 1], T (*Bs)[BN + 1]) const {
        stage_slots<T, A, BM>(ra, As);
        stage_slots<T, B, BN>(rb, Bs);
    }
};

// gw (o, c/groups, kh, kw), or with splits > 1 the partial sums part (splits, o, c/groups, kh, kw)
// over K chunks of `chunk` (a multiple of BK); grid (M tiles, N tiles, groups * splits)
template <class T, int BM, int BN>
__device__ void conv2d_bwd_weight(const T* __restrict__ x, const T* __restrict__ gy, T* __restrict__ out, ConvGeom s,
                                  int chunk) {
    const int grp = blockIdx.z % s.groups;
    const int split = blockIdx.z / s.groups;
    const int m0 = blockIdx.x * BM;
    const int n0 = blockIdx.y * BN;
    const int kdim = s.n * s.oh * s.ow;
    const int k_begin = split * chunk;
    const int k_end = k_begin + min(kdim - k_begin, chunk);  // no int overflow
    const BackwardWeight<T, BM, BN> g(x, gy, s, m0, n0, grp);
    Acc<T, BM, BN> acc;
    implicit_gemm<T, BM, BN>(g, k_begin, k_end, acc);
    const int cg = s.c / s.groups;
    const int og = s.o / s.groups;
    const int jdim = cg * s.kh * s.kw;
    T* part = out + split * s.o * jdim;
    const int tx = threadIdx.x % 16;
    const int ty = threadIdx.x / 16;
#pragma unroll
    for (int i = 0; i < Acc<T, BM, BN>::TM; i++) {
        const int j = m0 + tx + 16 * i;
#pragma unroll
        for (int jj = 0; jj < Acc<T, BM, BN>::TN; jj++) {
            const int o = n0 + ty + 16 * jj;
            if (j < jdim && o < og) {
                part[(grp * og + o) * jdim + j] = acc.v[i][jj];
            }
        }
    }
}

// gw[i] = sum over s < splits of part[s * size + i], in split order (deterministic)
template <class T>
__device__ void sum_splits(const T* __restrict__ part, T* __restrict__ gw, int size, int splits) {
    KILN_FOR_EACH(i, size) {
        T sum = part[i];
        for (int s = 1; s < splits; s++) {
            sum += part[s * size + i];
        }
        gw[i] = sum;
    }
}

// ---- direct loops for C/groups == 1 (depthwise): a GEMM tile would be almost all padding

// y (n, o, oh, ow) = x * w (+ bias); one thread per output element
template <class T>
__device__ void depthwise_fwd(const T* __restrict__ x, const T* __restrict__ w, const T* __restrict__ bias,
                              T* __restrict__ y, ConvGeom s) {
    const int og = s.o / s.groups;
    KILN_FOR_EACH(i, s.n * s.o * s.oh * s.ow) {
        const int ox = i % s.ow;
        const int oy = i / s.ow % s.oh;
        const int o = i / (s.ow * s.oh) % s.o;
        const int img = i / (s.ow * s.oh * s.o);
        const T* xp = x + (img * s.c + o / og) * s.h * s.w;
        const T* wp = w + o * s.kh * s.kw;
        T acc = bias != nullptr ? bias[o] : static_cast<T>(0);
        for (int kh = 0; kh < s.kh; kh++) {
            const int iy = oy * s.sh - s.ph + kh * s.dh;
            for (int kw = 0; inside(iy, s.h) && kw < s.kw; kw++) {
                const int ix = ox * s.sw - s.pw + kw * s.dw;
                if (inside(ix, s.w)) {
                    acc += wp[kh * s.kw + kw] * xp[iy * s.w + ix];
                }
            }
        }
        y[i] = acc;
    }
}

// gx (n, c, h, w); one thread per input element, summing the og * kh * kw outputs that read it
template <class T>
__device__ void depthwise_bwd_input(const T* __restrict__ gy, const T* __restrict__ w, T* __restrict__ gx, ConvGeom s) {
    const int og = s.o / s.groups;
    KILN_FOR_EACH(i, s.n * s.c * s.h * s.w) {
        const int ix = i % s.w;
        const int iy = i / s.w % s.h;
        const int c = i / (s.w * s.h) % s.c;
        const int img = i / (s.w * s.h * s.c);
        T acc = static_cast<T>(0);
        for (int o = c * og; o < (c + 1) * og; o++) {
            const T* gp = gy + (img * s.o + o) * s.oh * s.ow;
            for (int kh = 0; kh < s.kh; kh++) {
                const int oy = source(iy + s.ph - kh * s.dh, s.sh, s.oh);
                for (int kw = 0; oy >= 0 && kw < s.kw; kw++) {
                    const int ox = source(ix + s.pw - kw * s.dw, s.sw, s.ow);
                    if (ox >= 0) {
                        acc += gp[oy * s.ow + ox] * w[(o * s.kh + kh) * s.kw + kw];
                    }
                }
            }
        }
        gx[i] = acc;
    }
}

// part (splits, o, 1, kh, kw): thread (split, j) sums gy * x over reduction indices
// [split * chunk, + chunk) of (img, oy, ox) for weight element j = (o, kh, kw); neighbouring
// threads take neighbouring taps of one channel (shared gy reads, nearby x reads)
template <class T>
__device__ void depthwise_bwd_weight(const T* __restrict__ x, const T* __restrict__ gy, T* __restrict__ part,
                                     ConvGeom s, int chunk, int splits) {
    const int og = s.o / s.groups;
    const int taps = s.kh * s.kw;
    const int size = s.o * taps;
    const int plane = s.oh * s.ow;
    KILN_FOR_EACH(i, splits * size) {
        const int j = i % size;
        const int split = i / size;
        const int o = j / taps;
        const int dy = (j % taps) / s.kw * s.dh - s.ph;
        const int dx = (j % s.kw) * s.dw - s.pw;
        const int k_begin = split * chunk;
        const int k_end = k_begin + min(s.n * plane - k_begin, chunk);  // no int overflow
        T acc = static_cast<T>(0);
        for (int k = k_begin; k < k_end; k++) {
            const int img = k / plane;
            const int oy = k % plane / s.ow;
            const int ox = k % s.ow;
            const int iy = oy * s.sh + dy;
            const int ix = ox * s.sw + dx;
            if (inside(iy, s.h) && inside(ix, s.w)) {
                acc += gy[(img * s.o + o) * plane + k % plane] * x[((img * s.c + o / og) * s.h + iy) * s.w + ix];
            }
        }
        part[i] = acc;
    }
}

// Block tiles BM x BN: float 128 x 64 (8 x 4 accumulators a thread), double 64 x 64 (4 x 4); the
// "narrow" kernels take BN = 32 for GEMMs with N <= 32 (few channels per group), which would leave
// half a 64-wide tile idle. dev.kiln.cuda.Conv2dLauncher sizes its grids by the same numbers
// (its BM_F32, BM_F64, BN, NARROW, BK; KernelConstantsTest compares).
template <class T>
struct Tile {
    static constexpr int BM = 64;
    static constexpr int BN = 64;
    static constexpr int NARROW = 32;
};
template <>
struct Tile<float> {
    static constexpr int BM = 128;
    static constexpr int BN = 64;
    static constexpr int NARROW = 32;
};

}  // namespace conv

// ---- kernels

#define CONV2D_ENTRIES(T, S)                                                                                  \
    KILN_ENTRY(conv2d_fwd, S)(const T* x, const T* w, const T* bias, T* y, ConvGeom s) {                      \
        conv::conv2d_fwd<T, conv::Tile<T>::BM, conv::Tile<T>::BN>(x, w, bias, y, s);                           \
    }                                                                                                        \
    KILN_ENTRY(conv2d_bwdinput, S)(const T* gy, const T* w, T* gx, ConvGeom s) {                              \
        conv::conv2d_bwd_input<T, conv::Tile<T>::BM, conv::Tile<T>::BN>(gy, w, gx, s);                         \
    }                                                                                                        \
    KILN_ENTRY(conv2d_bwdweight, S)(const T* x, const T* gy, T* out, ConvGeom s, int chunk) {                 \
        conv::conv2d_bwd_weight<T, conv::Tile<T>::BM, conv::Tile<T>::BN>(x, gy, out, s, chunk);                \
    }                                                                                                        \
    KILN_ENTRY(conv2d_fwdnarrow, S)(const T* x, const T* w, const T* bias, T* y, ConvGeom s) {                \
        conv::conv2d_fwd<T, conv::Tile<T>::BM, conv::Tile<T>::NARROW>(x, w, bias, y, s);                       \
    }                                                                                                        \
    KILN_ENTRY(conv2d_bwdinputnarrow, S)(const T* gy, const T* w, T* gx, ConvGeom s) {                        \
        conv::conv2d_bwd_input<T, conv::Tile<T>::BM, conv::Tile<T>::NARROW>(gy, w, gx, s);                     \
    }                                                                                                        \
    KILN_ENTRY(conv2d_bwdweightnarrow, S)(const T* x, const T* gy, T* out, ConvGeom s, int chunk) {           \
        conv::conv2d_bwd_weight<T, conv::Tile<T>::BM, conv::Tile<T>::NARROW>(x, gy, out, s, chunk);            \
    }                                                                                                        \
    KILN_ENTRY(conv2d_sumsplits, S)(const T* part, T* gw, int size, int splits) {                             \
        conv::sum_splits<T>(part, gw, size, splits);                                                         \
    }                                                                                                        \
    KILN_ENTRY(conv2d_dwfwd, S)(const T* x, const T* w, const T* bias, T* y, ConvGeom s) {                    \
        conv::depthwise_fwd<T>(x, w, bias, y, s);                                                            \
    }                                                                                                        \
    KILN_ENTRY(conv2d_dwbwdinput, S)(const T* gy, const T* w, T* gx, ConvGeom s) {                            \
        conv::depthwise_bwd_input<T>(gy, w, gx, s);                                                          \
    }                                                                                                        \
    KILN_ENTRY(conv2d_dwbwdweight, S)(const T* x, const T* gy, T* part, ConvGeom s, int chunk, int splits) {  \
        conv::depthwise_bwd_weight<T>(x, gy, part, s, chunk, splits);                                        \
    }

KILN_FLOAT_TYPES(CONV2D_ENTRIES)
