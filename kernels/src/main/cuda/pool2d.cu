// max / avg pool2d forward and backward over (N, C, H, W), window for window as the CPU backend
// (dev.kiln.cpu.CpuPool2d) and PyTorch. Memory-bound: one thread per output element (forward, max
// index check) or per input element (backward), adjacent threads on adjacent w, grid-stride
// loops. Inputs are read through their strides (no copy of a view); outputs are contiguous.

#include "kiln.cuh"
#include "kmath.cuh"

// Sizes or element strides of an (N, C, H, W) tensor.
struct Nchw {
    int n, c, h, w;
};

// Pooling window (dev.kiln.spi.Pool2dParams): kernel, stride, padding, dilation per dim.
struct Window {
    int kh, kw, sh, sw, ph, pw, dh, dw;
};

// First dilated tap of a window starting at s (possibly in the padding) that lies in the input.
__device__ __forceinline__ int first_tap(int s, int dilation) {
    return s >= 0 ? s : s + ((-s + dilation - 1) / dilation) * dilation;
}

// x (N, C, H, W) strided -> y, ind (N, C, OH, OW) contiguous; ind = h * W + w of the maximum.
// Padding is -inf: an all -inf window reports its first in-input tap; a NaN always wins and a
// later NaN replaces an earlier one.
template <class T>
__device__ void maxpool2d_fwd(const T* __restrict__ x, T* __restrict__ y, long long* __restrict__ ind, Nchw size,
                              Nchw xs, int oh, int ow, Window win) {
    const int total = size.n * size.c * oh * ow;
    KILN_FOR_EACH(o, total) {
        const int j = o % ow;
        const int i = (o / ow) % oh;
        const int plane = o / (ow * oh);
        const T* xp = x + (plane / size.c) * xs.n + (plane % size.c) * xs.c;
        const int hs = i * win.sh - win.ph;
        const int ws = j * win.sw - win.pw;
        const int h1 = min(hs + (win.kh - 1) * win.dh + 1, size.h);
        const int w1 = min(ws + (win.kw - 1) * win.dw + 1, size.w);
        const int h0 = first_tap(hs, win.dh);
        const int w0 = first_tap(ws, win.dw);
        T best = -k_inf<T>();
        int best_at = h0 * size.w + w0;
        for (int r = h0; r < h1; r += win.dh) {
            for (int c = w0; c < w1; c += win.dw) {
                const T v = xp[r * xs.h + c * xs.w];
                if (v > best || k_isnan(v)) {
                    best = v;
                    best_at = r * size.w + c;
                }
            }
        }
        y[o] = best;
        ind[o] = best_at;
    }
}

// True when input position r is a tap s + a * dilation (0 <= a < kernel) of the window starting at s.
__device__ __forceinline__ bool is_tap(int r, int s, int kernel, int dilation) {
    const int d = r - s;
    return d >= 0 && d % dilation == 0 && d / dilation < kernel;
}

// ind (N, C, OH, OW) strided: for every output o whose index is not a tap of its own window inside the
// H x W plane, *bad = max(*bad, total - o). *bad starts at 0, so total - *bad is the first such output
// (row-major), or *bad == 0 when all are. The backward gather trusts this.
__device__ void maxpool2d_index_check(const long long* __restrict__ ind, Nchw osize, Nchw is, int h, int w, Window win,
                                      unsigned long long* bad) {
    const int total = osize.n * osize.c * osize.h * osize.w;
    KILN_FOR_EACH(o, total) {
        const int j = o % osize.w;
        const int i = (o / osize.w) % osize.h;
        const int c = (o / (osize.w * osize.h)) % osize.c;
        const int n = o / (osize.w * osize.h * osize.c);
        const long long at = ind[n * is.n + c * is.c + i * is.h + j * is.w];
        const bool ok = at >= 0 && at < static_cast<long long>(h) * w
                && is_tap(static_cast<int>(at / w), i * win.sh - win.ph, win.kh, win.dh)
                && is_tap(static_cast<int>(at % w), j * win.sw - win.pw, win.kw, win.dw);
        if (!ok) {
            atomicMax(bad, static_cast<unsigned long long>(total - o));
        }
    }
}

// Outputs [first, end) along one dim whose windows (start o * stride - pad, extent (kernel - 1) *
// dilation + 1) reach input position x.
struct Windows {
    int first, end;
};

__device__ __forceinline__ Windows windows_reaching(int x, int out, int kernel, int stride, int pad, int dilation) {
    const int at = x + pad;
    const int extent = (kernel - 1) * dilation + 1;
    return Windows{at < extent ? 0 : (at - extent) / stride + 1, min(at / stride + 1, out)};
}

// gy, ind (N, C, OH, OW) strided -> gx (N, C, H, W) contiguous. One thread per input gathers gy of
// every window that picked it (ind == h * W + w), in the CPU backend's (i, j) order: no atomics, so
// float32 sums are the same on every run, whatever the windows' overlap. Indices were checked to be
// taps of their windows (maxpool2d_index_check), so no pick is missed.
template <class T>
__device__ void maxpool2d_bwd(const T* __restrict__ gy, const long long* __restrict__ ind, T* __restrict__ gx, Nchw size,
                              Nchw gs, Nchw is, int oh, int ow, Window win) {
    const int total = size.n * size.c * size.h * size.w;
    KILN_FOR_EACH(t, total) {
        const int w = t % size.w;
        const int h = (t / size.w) % size.h;
        const int plane = t / (size.w * size.h);
        const int n = plane / size.c;
        const int c = plane % size.c;
        const T* gp = gy + n * gs.n + c * gs.c;
        const long long* ip = ind + n * is.n + c * is.c;
        const Windows rows = windows_reaching(h, oh, win.kh, win.sh, win.ph, win.dh);
        const Windows cols = windows_reaching(w, ow, win.kw, win.sw, win.pw, win.dw);
        const long long at = h * size.w + w;
        T acc = static_cast<T>(0);
        for (int i = rows.first; i < rows.end; i++) {
            for (int j = cols.first; j < cols.end; j++) {
                if (ip[i * is.h + j * is.w] == at) {
                    acc += gp[i * gs.h + j * gs.w];
                }
            }
        }
        gx[t] = acc;
    }
}

// Average-pool window of output o along one dim: inputs [start, end) and the length clipped to
// input + padding (the count_include_pad divisor). Pool2dParams' ceil_mode rule keeps every
// window's start inside the input or the left padding, so none is empty. No dilation.
struct AvgSpan {
    int start, end, padded;
};

__device__ __forceinline__ AvgSpan avg_span(int o, int in, int kernel, int stride, int pad) {
    const int s = o * stride - pad;
    const int e = min(s + kernel, in + pad);
    return AvgSpan{max(s, 0), min(e, in), e - s};
}

// Pool2dParams' divisor: the override when non-zero, else by count_include_pad.
__device__ __forceinline__ int avg_divisor(AvgSpan r, AvgSpan c, int count_include_pad, int divisor_override) {
    if (divisor_override != 0) {
        return divisor_override;
    }
    return count_include_pad ? r.padded * c.padded : (r.end - r.start) * (c.end - c.start);
}

// x (N, C, H, W) strided -> y (N, C, OH, OW) contiguous, the window means.
template <class T>
__device__ void avgpool2d_fwd(const T* __restrict__ x, T* __restrict__ y, Nchw size, Nchw xs, int oh, int ow,
                              Window win, int count_include_pad, int divisor_override) {
    const int total = size.n * size.c * oh * ow;
    KILN_FOR_EACH(o, total) {
        const int j = o % ow;
        const int i = (o / ow) % oh;
        const int plane = o / (ow * oh);
        const T* xp = x + (plane / size.c) * xs.n + (plane % size.c) * xs.c;
        const AvgSpan rs = avg_span(i, size.h, win.kh, win.sh, win.ph);
        const AvgSpan cs = avg_span(j, size.w, win.kw, win.sw, win.pw);
        T sum = static_cast<T>(0);
        for (int r = rs.start; r < rs.end; r++) {
            for (int c = cs.start; c < cs.end; c++) {
                sum += xp[r * xs.h + c * xs.w];
            }
        }
        y[o] = sum / static_cast<T>(avg_divisor(rs, cs, count_include_pad, divisor_override));
    }
}

// gy (N, C, OH, OW) strided -> gx (N, C, H, W) contiguous. One thread per input gathers the
// shares gy / divisor of the windows covering it, in the CPU backend's (i, j) order: no atomics.
// Window i covers row h iff i * sh - ph <= h < i * sh - ph + kh.
template <class T>
__device__ void avgpool2d_bwd(const T* __restrict__ gy, T* __restrict__ gx, Nchw size, Nchw gs, int oh, int ow,
                              Window win, int count_include_pad, int divisor_override) {
    const int total = size.n * size.c * size.h * size.w;
    KILN_FOR_EACH(t, total) {
        const int w = t % size.w;
        const int h = (t / size.w) % size.h;
        const int plane = t / (size.w * size.h);
        const T* gp = gy + (plane / size.c) * gs.n + (plane % size.c) * gs.c;
        const int i0 = h + win.ph < win.kh ? 0 : (h + win.ph - win.kh) / win.sh + 1;
        const int i1 = min((h + win.ph) / win.sh + 1, oh);
        const int j0 = w + win.pw < win.kw ? 0 : (w + win.pw - win.kw) / win.sw + 1;
        const int j1 = min((w + win.pw) / win.sw + 1, ow);
        T acc = static_cast<T>(0);
        for (int i = i0; i < i1; i++) {
            const AvgSpan rs = avg_span(i, size.h, win.kh, win.sh, win.ph);
            for (int j = j0; j < j1; j++) {
                const AvgSpan cs = avg_span(j, size.w, win.kw, win.sw, win.pw);
                acc += gp[i * gs.h + j * gs.w] / static_cast<T>(avg_divisor(rs, cs, count_include_pad, divisor_override));
            }
        }
        gx[t] = acc;
    }
}

// ---- kernels

#define POOL2D_ENTRIES(T, S)                                                                                   \
    KILN_ENTRY(maxpool2d_fwd, S)(const T* x, T* y, long long* ind, Nchw size, Nchw xs, int oh, int ow, Window win) { \
        maxpool2d_fwd<T>(x, y, ind, size, xs, oh, ow, win);                                                    \
    }                                                                                                          \
    KILN_ENTRY(maxpool2d_bwd, S)(const T* gy, const long long* ind, T* gx, Nchw size, Nchw gs, Nchw is, int oh,  \
                                 int ow, Window win) {                                                         \
        maxpool2d_bwd<T>(gy, ind, gx, size, gs, is, oh, ow, win);                                              \
    }                                                                                                          \
    KILN_ENTRY(avgpool2d_fwd, S)(const T* x, T* y, Nchw size, Nchw xs, int oh, int ow, Window win,             \
                                 int count_include_pad, int divisor_override) {                                \
        avgpool2d_fwd<T>(x, y, size, xs, oh, ow, win, count_include_pad, divisor_override);                    \
    }                                                                                                          \
    KILN_ENTRY(avgpool2d_bwd, S)(const T* gy, T* gx, Nchw size, Nchw gs, int oh, int ow, Window win,           \
                                 int count_include_pad, int divisor_override) {                                \
        avgpool2d_bwd<T>(gy, gx, size, gs, oh, ow, win, count_include_pad, divisor_override);                  \
    }

KILN_FLOAT_TYPES(POOL2D_ENTRIES)
#ifndef KILN_F64
extern "C" __global__ void maxpool2d_index_check_i64(const long long* ind, Nchw osize, Nchw is, int h, int w, Window win,
                                                     unsigned long long* bad) {
    maxpool2d_index_check(ind, osize, is, h, w, win, bad);
}
#endif
