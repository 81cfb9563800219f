// Fused optimizer steps (torch.optim.SGD, Adam / AdamW), in place over contiguous tensors of n
// elements: each operand is read once and each updated one written once. The launcher
// (dev.kiln.cuda.OptimLauncher) computes the scalars on the host in double and passes them as T.
// Threads move 16 bytes per operand where every pointer is aligned (kpack.cuh).

#include "kiln.cuh"
#include "kmath.cuh"
#include "kpack.cuh"

// torch.maximum: NaN propagates.
template <class T>
__device__ __forceinline__ T max_nan(T a, T b) {
    return k_isnan(a) || k_isnan(b) ? a + b : a > b ? a : b;
}

// ---- SGD: d = g + wd w; with a buffer b = first ? d : mu b + keep d, d = nesterov ? d + mu b : b;
// w -= lr d. keep = 1 - dampening.

template <class T>
struct SgdScalars {
    T lr, mu, keep, wd;
    bool has_buf, nesterov, first;
};

template <class T>
__device__ __forceinline__ void sgd_update(T& w, T g, T& b, const SgdScalars<T>& s) {
    T d = s.wd != static_cast<T>(0) ? g + s.wd * w : g;
    if (s.has_buf) {
        b = s.first ? d : s.mu * b + s.keep * d;
        d = s.nesterov ? d + s.mu * b : b;
    }
    w = w - s.lr * d;
}

// p, g, buf (or null): (n,)
template <class T>
__device__ void sgd_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ buf, int n, SgdScalars<T> s) {
    constexpr int V = Pack<T>::V;
    const bool load_buf = s.has_buf && !s.first;
    const int packs = aligned16(p) && aligned16(g) && aligned16(buf) ? n / V : 0;
    KILN_FOR_EACH(i, packs) {
        Pack<T> w = load_pack(p, i);
        const Pack<T> gr = load_pack(g, i);
        Pack<T> b = {};
        if (load_buf) {
            b = load_pack(buf, i);
        }
#pragma unroll
        for (int k = 0; k < V; k++) {
            sgd_update(w.v[k], gr.v[k], b.v[k], s);
        }
        store_pack(p, i, w);
        if (s.has_buf) {
            store_pack(buf, i, b);
        }
    }
    KILN_FOR_EACH(j, n - packs * V) {
        const int i = packs * V + j;
        T w = p[i];
        T b = load_buf ? buf[i] : static_cast<T>(0);
        sgd_update(w, g[i], b, s);
        p[i] = w;
        if (s.has_buf) {
            buf[i] = b;
        }
    }
}

// ---- Adam / AdamW: w *= scale; g += l2 w; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// with AMSGrad vmax = max(vmax, v) is used for v; w -= step_size m / (sqrt(v) / bc2 + eps).

template <class T>
struct AdamScalars {
    T scale, l2, b1, omb1, b2, omb2, eps, step_size, bc2;
    bool amsgrad;
};

template <class T>
__device__ __forceinline__ void adam_update(T& w, T g, T& m, T& v, T& vmax, const AdamScalars<T>& s) {
    w = w * s.scale;
    if (s.l2 != static_cast<T>(0)) {
        g = g + s.l2 * w;
    }
    m = s.b1 * m + s.omb1 * g;
    v = s.b2 * v + s.omb2 * g * g;
    T denom_of = v;
    if (s.amsgrad) {
        vmax = max_nan(vmax, v);
        denom_of = vmax;
    }
    w = w - s.step_size * (m / (k_sqrt(denom_of) / s.bc2 + s.eps));
}

// p, g, m, v, vmax (or null): (n,)
template <class T>
__device__ void adam_step(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                          T* __restrict__ vmax, int n, AdamScalars<T> s) {
    constexpr int V = Pack<T>::V;
    const int packs = aligned16(p) && aligned16(g) && aligned16(m) && aligned16(v) && aligned16(vmax) ? n / V : 0;
    KILN_FOR_EACH(i, packs) {
        Pack<T> w = load_pack(p, i);
        const Pack<T> gr = load_pack(g, i);
        Pack<T> mm = load_pack(m, i);
        Pack<T> vv = load_pack(v, i);
        Pack<T> mx = {};
        if (s.amsgrad) {
            mx = load_pack(vmax, i);
        }
#pragma unroll
        for (int k = 0; k < V; k++) {
            adam_update(w.v[k], gr.v[k], mm.v[k], vv.v[k], mx.v[k], s);
        }
        store_pack(p, i, w);
        store_pack(m, i, mm);
        store_pack(v, i, vv);
        if (s.amsgrad) {
            store_pack(vmax, i, mx);
        }
    }
    KILN_FOR_EACH(j, n - packs * V) {
        const int i = packs * V + j;
        T w = p[i];
        T mm = m[i];
        T vv = v[i];
        T mx = s.amsgrad ? vmax[i] : static_cast<T>(0);
        adam_update(w, g[i], mm, vv, mx, s);
        p[i] = w;
        m[i] = mm;
        v[i] = vv;
        if (s.amsgrad) {
            vmax[i] = mx;
        }
    }
}

// ---- kernels (buf, vmax: null when absent; nesterov, first: 0 or 1)

#define OPTIM_ENTRIES(T, S)                                                                                    \
    KILN_ENTRY(sgd_step, S)(T* p, const T* g, T* buf, int n, T lr, T mu, T keep, T wd, int nesterov, int first) {  \
        sgd_step<T>(p, g, buf, n, SgdScalars<T>{lr, mu, keep, wd, buf != nullptr, nesterov != 0, first != 0});  \
    }                                                                                                          \
    KILN_ENTRY(adam_step, S)(T* p, const T* g, T* m, T* v, T* vmax, int n, T scale, T l2, T b1, T omb1, T b2,   \
                             T omb2, T eps, T step_size, T bc2) {                                              \
        adam_step<T>(p, g, m, v, vmax, n,                                                                      \
                     AdamScalars<T>{scale, l2, b1, omb1, b2, omb2, eps, step_size, bc2, vmax != nullptr});     \
    }

KILN_FLOAT_TYPES(OPTIM_ENTRIES)
