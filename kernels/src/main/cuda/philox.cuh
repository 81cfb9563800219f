// Philox4x32-10 (Salmon et al., SC'11) word for word as dev.kiln.spi.Philox, so one (seed, counter)
// gives the same four words on every device: key = seed (low word, high word), counter = (low
// word, high word, 0, 0). A block serves several elements (UniformBits<T>::per_block, two normals):
// element i of a random op with offset o takes word set i % per of the block at counter o + i / per.
#pragma once

struct PhiloxWords {
    unsigned w0, w1, w2, w3;

    // word j (0..3); j is a constant in the unrolled loops that call it
    __device__ __forceinline__ unsigned word(int j) const { return j == 0 ? w0 : j == 1 ? w1 : j == 2 ? w2 : w3; }
};

__device__ __forceinline__ PhiloxWords philox4x32_10(unsigned long long seed, unsigned long long counter) {
    unsigned c0 = static_cast<unsigned>(counter);
    unsigned c1 = static_cast<unsigned>(counter >> 32);
    unsigned c2 = 0;
    unsigned c3 = 0;
    unsigned k0 = static_cast<unsigned>(seed);
    unsigned k1 = static_cast<unsigned>(seed >> 32);
#pragma unroll
    for (int r = 0; r < 10; r++) {
        // 32 x 32 -> 64-bit products: nvcc emits mul.lo / mul.hi, g++ a 64-bit multiply.
        const unsigned long long p0 = 0xD2511F53ull * c0;
        const unsigned long long p1 = 0xCD9E8D57ull * c2;
        const unsigned n0 = static_cast<unsigned>(p1 >> 32) ^ c1 ^ k0;
        const unsigned n1 = static_cast<unsigned>(p1);
        const unsigned n2 = static_cast<unsigned>(p0 >> 32) ^ c3 ^ k1;
        const unsigned n3 = static_cast<unsigned>(p0);
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return PhiloxWords{c0, c1, c2, c3};
}

// The integers m behind Philox.uniform24 (u = m 2^-24, one word) and uniform53 (u = m 2^-53, two words).
__device__ __forceinline__ unsigned long long philox_bits24(unsigned w) {
    return w >> 8;
}
__device__ __forceinline__ unsigned long long philox_bits53(unsigned hi, unsigned lo) {
    return (static_cast<unsigned long long>(hi >> 5) << 26) | (lo >> 6);
}

// Uniform draws at T's resolution, as CpuRandom.uniform01: 24 bits (one word) for float32, four per block;
// 53 bits (two words) for float64, two per block. of(w, j) is draw j of block w.
template <class T>
struct UniformBits;
template <>
struct UniformBits<float> {
    static constexpr int bits = 24;
    static constexpr int per_block = 4;
    __device__ static __forceinline__ unsigned long long of(const PhiloxWords& w, int j) { return philox_bits24(w.word(j)); }
};
template <>
struct UniformBits<double> {
    static constexpr int bits = 53;
    static constexpr int per_block = 2;
    __device__ static __forceinline__ unsigned long long of(const PhiloxWords& w, int j) {
        return philox_bits53(w.word(2 * j), w.word(2 * j + 1));
    }
};
