// Math overloaded on float and double, resolving to the f-suffixed function for float, so a
// templated kernel never computes in double by accident (ptxas -warn-double-usage checks it).
#pragma once

#include <math.h>

__device__ __forceinline__ float k_exp(float x) { return expf(x); }
__device__ __forceinline__ double k_exp(double x) { return exp(x); }
__device__ __forceinline__ float k_log(float x) { return logf(x); }
__device__ __forceinline__ double k_log(double x) { return log(x); }
__device__ __forceinline__ float k_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double k_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float k_expm1(float x) { return expm1f(x); }
__device__ __forceinline__ double k_expm1(double x) { return expm1(x); }
__device__ __forceinline__ float k_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double k_sqrt(double x) { return sqrt(x); }
// sin/cos without CUDA's Payne-Hanek path for huge arguments (it computes in double and, for
// double, in local memory; ptxas -warn-double-usage / -warn-lmem-usage refuse both). Here
// x = k pi/2 + r by a three-part Cody-Waite reduction (each k * C1 exact: |x| < ~1e5 in float,
// ~1.6e6 in double; beyond that the error grows with |x|), then sinpi/cospi of r / pi on the
// quadrant k mod 4.
__device__ __forceinline__ float k_sincos(float x, bool cosine) {
    const float k = rintf(x * 0.636619772f);
    float r = fmaf(-k, 1.5703125f, x);
    r = fmaf(-k, 4.837512969970703125e-4f, r);
    r = fmaf(-k, 7.54978995489188216e-8f, r);
    const float t = r * 0.318309886f;
    const int q = (static_cast<int>(k) + (cosine ? 1 : 0)) & 3;
    const float v = (q & 1) ? cospif(t) : sinpif(t);
    return (q & 2) ? -v : v;
}
__device__ __forceinline__ double k_sincos(double x, bool cosine) {
    const double k = rint(x * 0.63661977236758134308);
    double r = fma(-k, 1.57079632673412561417e+00, x);
    r = fma(-k, 6.07710050630396597660e-11, r);
    r = fma(-k, 2.02226624879595063154e-21, r);
    const double t = r * 0.31830988618379067154;
    const int q = (static_cast<int>(k) + (cosine ? 1 : 0)) & 3;
    const double v = (q & 1) ? cospi(t) : sinpi(t);
    return (q & 2) ? -v : v;
}
__device__ __forceinline__ float k_sin(float x) { return k_sincos(x, false); }
__device__ __forceinline__ double k_sin(double x) { return k_sincos(x, false); }
__device__ __forceinline__ float k_cos(float x) { return k_sincos(x, true); }
__device__ __forceinline__ double k_cos(double x) { return k_sincos(x, true); }
__device__ __forceinline__ float k_atan(float x) { return atanf(x); }
__device__ __forceinline__ double k_atan(double x) { return atan(x); }
__device__ __forceinline__ float k_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double k_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float k_erf(float x) { return erff(x); }
__device__ __forceinline__ double k_erf(double x) { return erf(x); }
__device__ __forceinline__ float k_floor(float x) { return floorf(x); }
__device__ __forceinline__ double k_floor(double x) { return floor(x); }
__device__ __forceinline__ float k_ceil(float x) { return ceilf(x); }
__device__ __forceinline__ double k_ceil(double x) { return ceil(x); }
__device__ __forceinline__ float k_trunc(float x) { return truncf(x); }
__device__ __forceinline__ double k_trunc(double x) { return trunc(x); }
__device__ __forceinline__ float k_fmod(float x, float y) { return fmodf(x, y); }
__device__ __forceinline__ double k_fmod(double x, double y) { return fmod(x, y); }
__device__ __forceinline__ float k_copysign(float x, float y) { return copysignf(x, y); }
__device__ __forceinline__ double k_copysign(double x, double y) { return copysign(x, y); }
__device__ __forceinline__ float k_rint(float x) { return rintf(x); }
__device__ __forceinline__ double k_rint(double x) { return rint(x); }
__device__ __forceinline__ float k_fabs(float x) { return fabsf(x); }
__device__ __forceinline__ double k_fabs(double x) { return fabs(x); }
__device__ __forceinline__ float k_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double k_pow(double x, double y) { return pow(x, y); }

template <class T>
__device__ __forceinline__ bool k_isnan(T x) {
    return x != x;
}

// +infinity of T, without a double constant in float code.
template <class T>
__device__ __forceinline__ T k_inf() {
    return static_cast<T>(INFINITY);
}
