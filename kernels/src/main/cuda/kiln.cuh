// Shared by every kernel file: the strided-layout structs passed by value and the index helper.
// dev.kiln.cuda.Layout writes them from Java field for field. Shapes are right-aligned into
// KILN_DIMS entries (leading sizes 1, strides 0), so every loop over dims has constant bounds and
// unrolls: no dynamic indexing into a parameter, no local memory.
#pragma once

#define KILN_DIMS 8

struct Shape8 {
    int size[KILN_DIMS];
};

// Element strides of one operand over a Shape8 (0 where the operand is broadcast).
struct Strides8 {
    int stride[KILN_DIMS];
};

// The storage offset of element i (row-major over shape) of a view with strides st.
__device__ __forceinline__ int strided_offset(int i, const Shape8& shape, const Strides8& st) {
    int off = 0;
#pragma unroll
    for (int d = KILN_DIMS - 1; d >= 0; d--) {
        if (shape.size[d] != 1) {  // a uniform branch that saves the division in padding dims
            const int c = i % shape.size[d];
            i /= shape.size[d];
            off += c * st.stride[d];
        }
    }
    return off;
}

// A grid-stride loop over [0, n).
#define KILN_FOR_EACH(i, n) \
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// ---- entry points (docs/ELEMENT_TYPES.md)
// Every .cu file is compiled twice: the base module (float32 and integer entries) and the f64 module
// (-DKILN_F64, the only one allowed doubles). A family whose kernels are templates on the element type
// writes its entries once, as a macro FAMILY_ENTRIES(T, S) of KILN_ENTRY lines, and exports them with
// KILN_FLOAT_TYPES(FAMILY_ENTRIES): one set per floating type of the module being compiled, named
// <name>_<S>. A new floating type is one X(type, suffix) here. Entries instantiated with per-type tile
// constants (gemm, attention) or for one type only are written out, one line each.
#ifdef KILN_F64
#define KILN_FLOAT_TYPES(X) X(double, f64)
#else
#define KILN_FLOAT_TYPES(X) X(float, f32)
#endif
#define KILN_ENTRY(name, suffix) extern "C" __global__ void name##_##suffix
#define KILN_BOUNDED_ENTRY(threads, name, suffix) extern "C" __global__ void __launch_bounds__(threads) name##_##suffix
