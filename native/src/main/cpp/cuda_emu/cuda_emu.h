// The CUDA dialect for g++: included (with -include) before an unchanged .cu kernel source so
// that the kernels compile for the CPU and run on the emulated device (cuda-emu). Each CUDA
// thread is a fiber; sync points (__syncthreads, warp intrinsics) switch back to the block's
// scheduler in runtime.cpp, which checks them and reports misuse as an error of the launch.
#pragma once

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#define KILN_CUDA_EMU 1

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// A fiber never leaves its worker thread, and a worker runs one block at a time, so a
// thread_local is exactly one copy per block in flight. Block-scope thread_local implies static.
// Dynamic shared memory must be declared `extern __shared__ __align__(16) unsigned char
// kiln_smem[];` (the runtime owns that array; in CUDA all extern __shared__ arrays alias anyway).
#define __shared__ thread_local

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

struct uint3 {
    unsigned x, y, z;
};

constexpr int warpSize = 32;

// The runtime's symbols that kernel modules link against (everything else stays hidden).
#define KILN_EMU_API __attribute__((visibility("default")))

namespace kiln_emu {

// The coordinates of the fiber now running on this worker thread.
struct ThreadCoords {
    uint3 threadIdx;
    uint3 blockIdx;
    dim3 blockDim;
    dim3 gridDim;
};

extern KILN_EMU_API thread_local const ThreadCoords* current;

enum class WarpOp : int { SHFL, SHFL_UP, SHFL_DOWN, SHFL_XOR, BALLOT, ANY, ALL, SYNCWARP };

// Implemented in runtime.cpp: each suspends the calling fiber until the operation can complete.
KILN_EMU_API void syncthreads(const char* file, int line);
KILN_EMU_API unsigned long long warp_op(WarpOp op, unsigned mask, unsigned long long value, int arg, int width,
                                        const char* file, int line);

template <class T>
T shuffle(WarpOp op, unsigned mask, T var, int arg, int width, const char* file, int line) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffled values are at most 8 bytes");
    unsigned long long bits = 0;
    std::memcpy(&bits, &var, sizeof(T));
    bits = warp_op(op, mask, bits, arg, width, file, line);
    T out;
    std::memcpy(&out, &bits, sizeof(T));
    return out;
}

template <class T>
T cas_loop(T* address, T val, T (*combine)(T, T)) {
    using Bits = std::conditional_t<sizeof(T) == 4, unsigned, unsigned long long>;
    static_assert(sizeof(T) == sizeof(Bits), "4- or 8-byte atomics only");
    Bits* word = reinterpret_cast<Bits*>(address);
    Bits expected = __atomic_load_n(word, __ATOMIC_RELAXED);
    for (;;) {
        T old;
        std::memcpy(&old, &expected, sizeof(T));
        T next = combine(old, val);
        Bits desired;
        std::memcpy(&desired, &next, sizeof(T));
        if (__atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            return old;
        }
    }
}

}  // namespace kiln_emu

#define threadIdx (::kiln_emu::current->threadIdx)
#define blockIdx (::kiln_emu::current->blockIdx)
#define blockDim (::kiln_emu::current->blockDim)
#define gridDim (::kiln_emu::current->gridDim)

// ---- synchronisation (the call site is kept for diagnostics)

inline void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    kiln_emu::syncthreads(file, line);
}

inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    kiln_emu::warp_op(kiln_emu::WarpOp::SYNCWARP, mask, 0, 0, 32, file, line);
}

template <class T>
T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32,
              const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return kiln_emu::shuffle(kiln_emu::WarpOp::SHFL, mask, var, srcLane, width, file, line);
}

template <class T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32,
                 const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return kiln_emu::shuffle(kiln_emu::WarpOp::SHFL_UP, mask, var, static_cast<int>(delta), width, file, line);
}

template <class T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32,
                   const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return kiln_emu::shuffle(kiln_emu::WarpOp::SHFL_DOWN, mask, var, static_cast<int>(delta), width, file, line);
}

template <class T>
T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32,
                  const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return kiln_emu::shuffle(kiln_emu::WarpOp::SHFL_XOR, mask, var, laneMask, width, file, line);
}

inline unsigned __ballot_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return static_cast<unsigned>(kiln_emu::warp_op(kiln_emu::WarpOp::BALLOT, mask, predicate != 0, 0, 32, file, line));
}

inline int __any_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return static_cast<int>(kiln_emu::warp_op(kiln_emu::WarpOp::ANY, mask, predicate != 0, 0, 32, file, line));
}

inline int __all_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    return static_cast<int>(kiln_emu::warp_op(kiln_emu::WarpOp::ALL, mask, predicate != 0, 0, 32, file, line));
}

inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

// ---- atomics: blocks run in parallel on worker threads, so these are real atomics

inline int atomicAdd(int* a, int v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
inline unsigned atomicAdd(unsigned* a, unsigned v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) {
    return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);
}
inline float atomicAdd(float* a, float v) {
    return kiln_emu::cas_loop<float>(a, v, [](float x, float y) { return x + y; });
}
inline double atomicAdd(double* a, double v) {
    return kiln_emu::cas_loop<double>(a, v, [](double x, double y) { return x + y; });
}
inline int atomicMax(int* a, int v) {
    return kiln_emu::cas_loop<int>(a, v, [](int x, int y) { return x > y ? x : y; });
}
inline int atomicMin(int* a, int v) {
    return kiln_emu::cas_loop<int>(a, v, [](int x, int y) { return x < y ? x : y; });
}
inline unsigned atomicMax(unsigned* a, unsigned v) {
    return kiln_emu::cas_loop<unsigned>(a, v, [](unsigned x, unsigned y) { return x > y ? x : y; });
}
inline unsigned long long atomicMax(unsigned long long* a, unsigned long long v) {
    return kiln_emu::cas_loop<unsigned long long>(a, v, [](unsigned long long x, unsigned long long y) { return x > y ? x : y; });
}
inline int atomicExch(int* a, int v) { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); }
inline float atomicExch(float* a, float v) {
    return kiln_emu::cas_loop<float>(a, v, [](float, float y) { return y; });
}
inline int atomicCAS(int* a, int compare, int v) {
    __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long compare, unsigned long long v) {
    __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}

// ---- device functions g++'s libm lacks or names differently

inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float sinpif(float x) { return static_cast<float>(std::sin(M_PI * static_cast<double>(x))); }
inline float cospif(float x) { return static_cast<float>(std::cos(M_PI * static_cast<double>(x))); }
inline double sinpi(double x) { return std::sin(M_PI * x); }
inline double cospi(double x) { return std::cos(M_PI * x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float x, float y) { return x / y; }
// Rounded double ops that nvcc never fuses into an FMA (baseline x86-64 has no FMA for g++ to fuse into).
inline double __dadd_rn(double x, double y) { return x + y; }
inline double __dmul_rn(double x, double y) { return x * y; }
template <class T>
inline T __ldg(const T* p) { return *p; }
inline int __float_as_int(float x) { int i; std::memcpy(&i, &x, 4); return i; }
inline float __int_as_float(int i) { float x; std::memcpy(&x, &i, 4); return x; }
inline long long __double_as_longlong(double x) { long long i; std::memcpy(&i, &x, 8); return i; }
inline double __longlong_as_double(long long i) { double x; std::memcpy(&x, &i, 8); return x; }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }

// float4 and friends, 16-byte aligned as on the device (misaligned use is caught by UBSan).
struct __align__(16) float4 { float x, y, z, w; };
struct __align__(8) float2 { float x, y; };
struct __align__(16) double2 { double x, y; };
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
inline float2 make_float2(float x, float y) { return float2{x, y}; }
