// Kernels with planted bugs, each next to its fixed twin: the emulated device must catch every
// bug (a diagnostic, a wrong result in some scheduling order, or an ASan/UBSan report) and pass
// every fixed kernel. See EmulatorPlantedBugsTest for which order catches which bug.

// ---- warp-synchronous tail. x: (64 * blocks,), y: (blocks,) block sums; block of 64 threads.

template <bool SYNC>
__device__ void block_sum64(const float* x, float* y) {
    __shared__ float s[64];
    const int t = threadIdx.x;
    s[t] = x[blockIdx.x * 64 + t];
    __syncthreads();
    if (t < 32) {
        volatile float* v = s;
        if (SYNC) {
            // Read, then write, each step separated by __syncwarp (correct since Volta).
            float acc = v[t] + v[t + 32];
            __syncwarp();
            v[t] = acc;
            __syncwarp();
            for (int off = 16; off > 0; off /= 2) {
                if (t < off) {
                    acc += v[t + off];
                }
                __syncwarp();
                if (t < off) {
                    v[t] = acc;
                }
                __syncwarp();
            }
        } else {
            // The pre-Volta idiom: assumes the 32 lanes run in lockstep.
            v[t] += v[t + 32];
            v[t] += v[t + 16];
            v[t] += v[t + 8];
            v[t] += v[t + 4];
            v[t] += v[t + 2];
            v[t] += v[t + 1];
        }
    }
    if (t == 0) {
        y[blockIdx.x] = s[0];
    }
}

// ---- tiled matmul. a: (n, k), b: (k, m), c: (n, m); 16x16 tiles, block (16, 16).

template <bool SYNC>
__device__ void matmul16(const float* a, const float* b, float* c, int n, int k, int m) {
    __shared__ float as[16][16];
    __shared__ float bs[16][16];
    const int tx = threadIdx.x;
    const int ty = threadIdx.y;
    const int row = blockIdx.y * 16 + ty;
    const int col = blockIdx.x * 16 + tx;
    float acc = 0.0f;
    for (int k0 = 0; k0 < k; k0 += 16) {
        as[ty][tx] = row < n && k0 + tx < k ? a[row * k + k0 + tx] : 0.0f;
        bs[ty][tx] = k0 + ty < k && col < m ? b[(k0 + ty) * m + col] : 0.0f;
        __syncthreads();
        for (int j = 0; j < 16; j++) {
            acc += as[ty][j] * bs[j][tx];
        }
        if (SYNC) {
            __syncthreads();  // the planted bug drops this one: the next tile overwrites as/bs
        }
    }
    if (row < n && col < m) {
        c[row * m + col] = acc;
    }
}

// ---- scratch reused without a barrier. x: (64,), y: (2,); block of 64 threads (2 warps).
// y[w] = sum of the other warp's x + sum of the other warp's x^2.

template <bool SYNC>
__device__ void scratch_reuse(const float* x, float* y) {
    __shared__ float s[64];
    const int t = threadIdx.x;
    s[t] = x[t];
    __syncthreads();
    float v = s[(t + 32) & 63];
    for (int off = 16; off > 0; off /= 2) {
        v += __shfl_down_sync(0xffffffffu, v, off);
    }
    if (SYNC) {
        __syncthreads();  // the other warp may still be about to read s
    }
    s[t] = x[t] * x[t];
    __syncthreads();
    float q = s[(t + 32) & 63];
    for (int off = 16; off > 0; off /= 2) {
        q += __shfl_down_sync(0xffffffffu, q, off);
    }
    if ((t & 31) == 0) {
        y[t / 32] = v + q;
    }
}

// ---- early return before a barrier. x, y: (n,); one block of blockDim.x >= n threads.
// y[i] = x[i] + x[n - 1 - i].

template <bool GUARDED>
__device__ void reverse_add(const float* x, float* y, int n) {
    __shared__ float s[1024];
    const int t = threadIdx.x;
    if (GUARDED) {
        if (t < n) {
            s[t] = x[t];
        }
        __syncthreads();
        if (t < n) {
            y[t] = s[t] + s[n - 1 - t];
        }
    } else {
        if (t >= n) {
            return;
        }
        s[t] = x[t];
        __syncthreads();
        y[t] = s[t] + s[n - 1 - t];
    }
}

// ---- warp intrinsic misuse: a shuffle reading a lane outside its mask, and lanes at different
// intrinsics. x, y: (32,); one warp.

__device__ void shfl_outside_mask(const float* x, float* y) {
    const int t = threadIdx.x;
    // Lanes 0-15 shuffle among themselves but read lane t + 16, which is not in the mask.
    if (t < 16) {
        y[t] = __shfl_sync(0x0000ffffu, x[t], t + 16);
    }
}

__device__ void mixed_intrinsics(const float* x, float* y) {
    const int t = threadIdx.x;
    if (t % 2 == 0) {
        y[t] = __shfl_xor_sync(0xffffffffu, x[t], 1);
    } else {
        y[t] = static_cast<float>(__ballot_sync(0xffffffffu, x[t] > 0.0f));
    }
}

// ---- for the ASan/UBSan build. x, y: (n,)

__device__ void unguarded_copy(const float* x, float* y, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    (void)n;  // the planted bug: no `if (i < n)`, the last block writes past y
    y[i] = x[i < n ? i : 0];
}

__device__ void misaligned_float4(const float* x, float* y, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (4 * i + 4 < n) {
        // x + 1 is not 16-byte aligned: a float4 load from it is undefined behaviour.
        float4 v = reinterpret_cast<const float4*>(x + 1)[i];
        y[i] = v.x + v.y + v.z + v.w;
    }
}

// ---- kernels

extern "C" __global__ void warp_tail_fixed_f32(const float* x, float* y) { block_sum64<true>(x, y); }
extern "C" __global__ void warp_tail_buggy_f32(const float* x, float* y) { block_sum64<false>(x, y); }
extern "C" __global__ void matmul_fixed_f32(const float* a, const float* b, float* c, int n, int k, int m) {
    matmul16<true>(a, b, c, n, k, m);
}
extern "C" __global__ void matmul_buggy_f32(const float* a, const float* b, float* c, int n, int k, int m) {
    matmul16<false>(a, b, c, n, k, m);
}
extern "C" __global__ void scratch_fixed_f32(const float* x, float* y) { scratch_reuse<true>(x, y); }
extern "C" __global__ void scratch_buggy_f32(const float* x, float* y) { scratch_reuse<false>(x, y); }
extern "C" __global__ void reverse_fixed_f32(const float* x, float* y, int n) { reverse_add<true>(x, y, n); }
extern "C" __global__ void reverse_buggy_f32(const float* x, float* y, int n) { reverse_add<false>(x, y, n); }
extern "C" __global__ void shfl_outside_mask_f32(const float* x, float* y) { shfl_outside_mask(x, y); }
extern "C" __global__ void mixed_intrinsics_f32(const float* x, float* y) { mixed_intrinsics(x, y); }
extern "C" __global__ void unguarded_copy_f32(const float* x, float* y, int n) { unguarded_copy(x, y, n); }
extern "C" __global__ void misaligned_float4_f32(const float* x, float* y, int n) { misaligned_float4(x, y, n); }
