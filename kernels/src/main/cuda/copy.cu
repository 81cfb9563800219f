// Copies, casts and fills. n = number of elements of shape; y contiguous unless given strides.

#include "kiln.cuh"

// x viewed with (shape, xs) -> the view (shape, ys) of y. xs may hold 0s (broadcast).
template <class T>
__device__ void copy_strided(const T* __restrict__ x, T* __restrict__ y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    KILN_FOR_EACH(i, n) {
        y[strided_offset(i, shape, ys)] = x[strided_offset(i, shape, xs)];
    }
}

// x viewed with (shape, xs) -> y (n,) contiguous, converted to D.
template <class S, class D>
__device__ void cast_strided(const S* __restrict__ x, D* __restrict__ y, Shape8 shape, Strides8 xs, int n) {
    KILN_FOR_EACH(i, n) {
        y[i] = static_cast<D>(x[strided_offset(i, shape, xs)]);
    }
}

// y (n,) = value
template <class T>
__device__ void fill_contig(T* __restrict__ y, T value, int n) {
    KILN_FOR_EACH(i, n) {
        y[i] = value;
    }
}

// ---- kernels

#ifndef KILN_F64
extern "C" __global__ void copy_strided_f32(const float* x, float* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    copy_strided<float>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void copy_strided_i64(const long long* x, long long* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    copy_strided<long long>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void copy_strided_b8(const unsigned char* x, unsigned char* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    copy_strided<unsigned char>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void fill_contig_f32(float* y, float value, int n) { fill_contig<float>(y, value, n); }
extern "C" __global__ void fill_contig_i64(long long* y, long long value, int n) { fill_contig<long long>(y, value, n); }
// value: 0 or 1
extern "C" __global__ void fill_contig_b8(unsigned char* y, int value, int n) {
    fill_contig<unsigned char>(y, static_cast<unsigned char>(value), n);
}
#else
extern "C" __global__ void copy_strided_f64(const double* x, double* y, Shape8 shape, Strides8 xs, Strides8 ys, int n) {
    copy_strided<double>(x, y, shape, xs, ys, n);
}
extern "C" __global__ void fill_contig_f64(double* y, double value, int n) { fill_contig<double>(y, value, n); }
// x float32 -> y float64
extern "C" __global__ void cast_fromf32_f64(const float* x, double* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<float, double>(x, y, shape, xs, n);
}
// x float64 -> y float32 (round to nearest)
extern "C" __global__ void cast_tof32_f64(const double* x, float* y, Shape8 shape, Strides8 xs, int n) {
    cast_strided<double, float>(x, y, shape, xs, n);
}
#endif
