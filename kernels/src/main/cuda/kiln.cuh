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
