// 16-byte loads and stores for kernels over contiguous operands: V elements of T per access, taken
// when every operand's pointer is 16-byte aligned; the remaining n % V elements (or all of them,
// unaligned) go one by one.
#pragma once

// V elements of T in one 16-byte load or store.
template <class T>
struct alignas(16) Pack {
    static constexpr int V = 16 / sizeof(T);
    T v[V];
};

template <class T>
__device__ __forceinline__ bool aligned16(const T* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0;
}

template <class T>
__device__ __forceinline__ Pack<T> load_pack(const T* p, int i) {
    return reinterpret_cast<const Pack<T>*>(p)[i];
}

template <class T>
__device__ __forceinline__ void store_pack(T* p, int i, const Pack<T>& x) {
    reinterpret_cast<Pack<T>*>(p)[i] = x;
}

// A pack of V copies of one value (a broadcast scalar operand).
template <class T>
__device__ __forceinline__ Pack<T> splat_pack(T x) {
    Pack<T> p;
#pragma unroll
    for (int k = 0; k < Pack<T>::V; k++) {
        p.v[k] = x;
    }
    return p;
}
