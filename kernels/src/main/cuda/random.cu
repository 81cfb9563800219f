// Random tensors and dropout from Philox4x32-10, every word of a block used: element i (row-major) of
// an op with offset o takes word set i % per of the block (seed, o + i / per) (philox.cuh), exactly as
// the CPU backend (dev.kiln.cpu.CpuRandom), so one (seed, offset) gives the same values and masks on
// every device. One thread per block writes its per elements. The SPI defines the values in double
// (low + (high - low) u, Box-Muller, x / (1 - p)), so every entry computes in double, float32
// outputs too (rounded once at the store, as the CPU does), and lives in the f64 module like
// copy.cu's cast_f64tof32_f64. __dmul_rn / __dadd_rn keep nvcc from fusing an FMA that Java does not.

#include "kiln.cuh"
#include "kmath.cuh"
#include "philox.cuh"

// Calls draw(i, m_i) for every element i < n of an op at offset, m_i its uniform draw's integer at T's
// resolution (u_i = m_i 2^-bits): word set i % per of block offset + i / per, one thread per block.
template <class T, class Draw>
__device__ __forceinline__ void for_each_draw(int n, unsigned long long seed, unsigned long long offset, Draw draw) {
    constexpr int per = UniformBits<T>::per_block;
    KILN_FOR_EACH(b, n / per + (n % per != 0)) {  // blocks, without overflowing n + per - 1
        const PhiloxWords w = philox4x32_10(seed, offset + static_cast<unsigned long long>(b));
#pragma unroll
        for (int j = 0; j < per; j++) {
            const long long i = static_cast<long long>(b) * per + j;
            if (i < n) {
                draw(static_cast<int>(i), UniformBits<T>::of(w, j));
            }
        }
    }
}

// y (n,) = low + range * u_i, u_i in [0, 1) at T's resolution (Philox.uniform24 / uniform53)
template <class T>
__device__ void uniform_contig(T* __restrict__ y, int n, unsigned long long seed, unsigned long long offset, double low,
                               double range) {
    const double scale = UniformBits<T>::bits == 24 ? 0x1p-24 : 0x1p-53;
    for_each_draw<T>(n, seed, offset, [&](int i, unsigned long long m) {
        const double u = static_cast<double>(m) * scale;  // exact
        y[i] = static_cast<T>(__dadd_rn(low, __dmul_rn(range, u)));
    });
}

// y (n,) = mean + std * z_i, z standard normal by Box-Muller from the four words of a block, two per block:
// r cos(2 pi u2) for the even element, r sin(2 pi u2) for the odd (Philox.normal)
template <class T>
__device__ void normal_contig(T* __restrict__ y, int n, unsigned long long seed, unsigned long long offset, double mean,
                              double std) {
    KILN_FOR_EACH(b, n / 2 + (n % 2)) {
        const PhiloxWords w = philox4x32_10(seed, offset + static_cast<unsigned long long>(b));
        const double u1 = 1.0 - static_cast<double>(philox_bits53(w.w0, w.w1)) * 0x1p-53;  // (0, 1]: log is finite
        const double u2 = static_cast<double>(philox_bits53(w.w2, w.w3)) * 0x1p-53;
        const double r = k_sqrt(__dmul_rn(-2.0, k_log(u1)));
        const double angle = __dmul_rn(2.0 * 3.14159265358979323846, u2);
        const long long i = 2 * static_cast<long long>(b);
        y[i] = static_cast<T>(__dadd_rn(mean, __dmul_rn(std, __dmul_rn(r, k_cos(angle)))));
        if (i + 1 < n) {
            y[i + 1] = static_cast<T>(__dadd_rn(mean, __dmul_rn(std, __dmul_rn(r, k_sin(angle)))));
        }
    }
}

// x viewed with (shape, xs) -> y (n,), mask (n,): element i is kept when its uniform draw m_i 2^-bits
// >= p, i.e. m_i >= threshold = ceil(p 2^bits) (an exact integer test, from the launcher);
// y = kept ? x * scale : 0, scale = 1 / (1 - p).
template <class T>
__device__ void dropout_strided(const T* __restrict__ x, T* __restrict__ y, unsigned char* __restrict__ mask, Shape8 shape,
                                Strides8 xs, int n, unsigned long long seed, unsigned long long offset,
                                long long threshold, double scale) {
    for_each_draw<T>(n, seed, offset, [&](int i, unsigned long long m) {
        const bool keep = static_cast<long long>(m) >= threshold;
        mask[i] = keep ? 1 : 0;
        y[i] = keep ? static_cast<T>(__dmul_rn(static_cast<double>(x[strided_offset(i, shape, xs)]), scale))
                    : static_cast<T>(0);
    });
}

// ---- kernels (all in the f64 module: see the top)

#ifdef KILN_F64
extern "C" __global__ void uniform_tof32_f64(float* y, int n, unsigned long long seed, unsigned long long offset, double low,
                                             double range) {
    uniform_contig<float>(y, n, seed, offset, low, range);
}
extern "C" __global__ void uniform_f64(double* y, int n, unsigned long long seed, unsigned long long offset, double low,
                                       double range) {
    uniform_contig<double>(y, n, seed, offset, low, range);
}
extern "C" __global__ void normal_tof32_f64(float* y, int n, unsigned long long seed, unsigned long long offset, double mean,
                                            double std) {
    normal_contig<float>(y, n, seed, offset, mean, std);
}
extern "C" __global__ void normal_f64(double* y, int n, unsigned long long seed, unsigned long long offset, double mean,
                                      double std) {
    normal_contig<double>(y, n, seed, offset, mean, std);
}
// x, y float32
extern "C" __global__ void dropout_onf32_f64(const float* x, float* y, unsigned char* mask, Shape8 shape, Strides8 xs, int n,
                                             unsigned long long seed, unsigned long long offset, long long threshold,
                                             double scale) {
    dropout_strided<float>(x, y, mask, shape, xs, n, seed, offset, threshold, scale);
}
extern "C" __global__ void dropout_f64(const double* x, double* y, unsigned char* mask, Shape8 shape, Strides8 xs, int n,
                                       unsigned long long seed, unsigned long long offset, long long threshold,
                                       double scale) {
    dropout_strided<double>(x, y, mask, shape, xs, n, seed, offset, threshold, scale);
}
#endif
