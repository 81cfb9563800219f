package dev.kiln.spi;

import dev.kiln.AdamParams;
import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.DeviceProperties;
import dev.kiln.MemoryStats;
import dev.kiln.Pool2dParams;
import dev.kiln.SgdParams;
import java.nio.ByteBuffer;

/**
 * The kernel contract: the small set of primitives every backend implements. Everything else in
 * Kiln is composed from these. Inputs are {@link NdArray}s — a storage and its layout, no autograd —
 * and may be any strided view on this backend's device; outputs are new contiguous arrays, which
 * the tensor API wraps. A backend never sees a {@code Tensor}, so it cannot call back into the user
 * API. The tensor API has checked dtypes, devices and shapes before a call, so a backend may assume
 * valid arguments (but must never crash the JVM on them).
 *
 * <p>Backends are found with {@link java.util.ServiceLoader} through {@link BackendProvider}.
 */
public interface Backend {
    /** A short name for messages, e.g. {@code cpu} or {@code cuda}. */
    String name();

    /** This backend's memory counters (see {@link MemoryStats}). */
    MemoryStats memoryStats();

    /** What the device reports of itself (see {@link DeviceProperties}). */
    DeviceProperties properties();

    // ---- storage and layout

    /** A zero-filled buffer of {@code size} elements on {@code device}. */
    Storage allocate(DType dtype, int size, Device device);

    /**
     * A copy of a Java array of dtype: {@code float[]} float32, {@code double[]} float64, {@code short[]}
     * bfloat16 or float16 (their bits), {@code long[]} int64, {@code boolean[]} bool.
     */
    Storage fromArray(Object array, DType dtype, Device device);

    /**
     * As {@link #fromArray}, but the copy may still be running when this returns, ordered before the work queued
     * after it (a GPU stages it through pinned memory); the array may be reused at once.
     */
    default Storage fromArrayNonBlocking(Object array, DType dtype, Device device) {
        return fromArray(array, dtype, device);
    }

    /** The elements of view {@code x} in row-major order, as a new Java array of its dtype (as {@link #fromArray} takes). */
    Object toArray(NdArray x);

    /**
     * Writes x's elements in row-major order into dst from its position, advancing it, in native byte
     * order (float32, float64 or int64): how collectives stage a tensor, in one copy.
     */
    void copyToBuffer(NdArray x, ByteBuffer dst);

    /**
     * Reads dst.numel() elements from src's position (as {@link #copyToBuffer} wrote them), advancing
     * it, into the view dst, in place; bumps dst's storage version.
     */
    void copyFromBuffer(ByteBuffer src, NdArray dst);

    /** x: any view -> a new contiguous tensor of the same shape and dtype. */
    NdArray contiguous(NdArray x);

    /** x -> a new contiguous tensor converted to {@code dtype} (float to int64 truncates toward zero). */
    NdArray cast(NdArray x, DType dtype);

    /**
     * Writes src, broadcast to dst's shape, into the (possibly strided) view dst, in place. Both are
     * of one dtype and device; src never shares dst's storage (NdArray.copy_ passes a snapshot).
     */
    void copyInto(NdArray dst, NdArray src);

    // ---- creation

    /** A tensor of {@code shape} filled with {@code value}. */
    NdArray full(int[] shape, DType dtype, double value, Device device);

    /** (n,): start + i * step. */
    NdArray arange(double start, double step, int n, DType dtype, Device device);

    /** Uniform in [low, high) from Philox(seed, offset + i) for element i. */
    NdArray uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device);

    /** Normal(mean, std) from Philox(seed, offset + i) for element i (Box-Muller). */
    NdArray normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device);

    // ---- elementwise

    /** y = op(x), same shape and dtype. */
    NdArray unary(UnaryOp op, NdArray x);

    /** out = op(a, b); a, b same dtype, shapes broadcast to out's. */
    NdArray binary(BinaryOp op, NdArray a, NdArray b);

    /** bool out = op(a, b); a, b same dtype, shapes broadcast. */
    NdArray compare(CompareOp op, NdArray a, NdArray b);

    /** out = cond ? a : b; cond bool; a, b same dtype; all three broadcast. */
    NdArray where(NdArray cond, NdArray a, NdArray b);

    // ---- reductions

    /**
     * Reduces x over {@code dims} (distinct, non-negative). Sums accumulate in a tree or blocked order
     * at least in the element type (the CPU backend accumulates float32 in double; CUDA kernels keep
     * float32 in float32, as ptxas refuses double in float32 kernels).
     */
    NdArray reduce(ReduceOp op, NdArray x, int[] dims, boolean keepdim);

    /**
     * Max or min along one dim with the index of the first extreme element (NaN counts as the
     * extreme). Returns {values (dtype of x), indices (int64)}.
     */
    NdArray[] reduceWithIndices(ReduceOp op, NdArray x, int dim, boolean keepdim);

    /**
     * Variance over dims: sum((x - mean)^2) / max(0, n - correction), two passes (mean, then squared
     * deviations). Accumulation as for {@link #reduce}: the CPU backend in double; CUDA kernels in the
     * element type, subtracting (sum(x - mean))^2 / n to cancel the rounding of the mean.
     */
    NdArray variance(NdArray x, int[] dims, double correction, boolean keepdim);

    // ---- linear algebra

    /**
     * a: (..., M, K), b: (..., K, N) -> (..., M, N), batch dims broadcast. Both have rank >= 2
     * (the API handles 1-D operands). Transposed views are read through their strides, not copied.
     */
    NdArray matmul(NdArray a, NdArray b);

    /**
     * Sparse (CSR) times dense: out (M, N) = A (M, K) @ x (K, N), A given by crow (M + 1) and col (nnz),
     * int64 and already checked, and values (nnz) of x's dtype. Each output element sums its row's
     * entries in entry order.
     */
    NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x);

    /** out (nnz): out[e] = sum_k a[row[e], k] b[k, col[e]], a (M, K), b (K, N); row and col (nnz) int64, checked. */
    NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b);

    // ---- indexing

    /** out[i][j][k] = x[i][index[i][j][k]][k] (dim = 1); index int64 of out's shape, rank of x. */
    NdArray gather(NdArray x, int dim, NdArray index);

    /** out = x with out[i][index[i][j][k]][k] += src[i][j][k] (dim = 1); index shaped like src. */
    NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src);

    /** out = x.narrow(dim) at the positions of index (1-D int64), in order. */
    NdArray indexSelect(NdArray x, int dim, NdArray index);

    /** out = x with out.select(dim, index[i]) += src.select(dim, i); index 1-D int64. */
    NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src);

    /** Concatenation along dim; all same dtype and rank, equal sizes except at dim. */
    NdArray cat(NdArray[] xs, int dim);

    // ---- convolution: x (N, C, H, W), w (O, C/groups, kH, kW), bias (O) or null, y (N, O, OH, OW)

    NdArray conv2d(NdArray x, NdArray w, NdArray bias, Conv2dParams p);

    /** gy (N, O, OH, OW), w -> gx of {@code inputShape} (N, C, H, W). */
    NdArray conv2dBackwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p);

    /** gy (N, O, OH, OW), x (N, C, H, W) -> gw of {@code weightShape} (O, C/groups, kH, kW). */
    NdArray conv2dBackwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p);

    // ---- pooling: x (N, C, H, W) -> y (N, C, OH, OW)

    /** Returns {y, indices}: indices (int64, y's shape) are flat positions h * W + w in the input plane. */
    NdArray[] maxPool2d(NdArray x, Pool2dParams p);

    /**
     * gy (N, C, OH, OW), indices from {@link #maxPool2d} with p -> gx of inputShape. The geometry lets a
     * device gather each input's gradient over the windows that can contain it (no atomics).
     */
    NdArray maxPool2dBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p);

    NdArray avgPool2d(NdArray x, Pool2dParams p);

    NdArray avgPool2dBackward(NdArray gy, int[] inputShape, Pool2dParams p);

    // ---- softmax along any dim (y is the forward output)

    NdArray softmax(NdArray x, int dim);

    NdArray logSoftmax(NdArray x, int dim);

    /** gx = y * (gy - sum(gy * y, dim)). */
    NdArray softmaxBackward(NdArray gy, NdArray y, int dim);

    /** gx = gy - exp(y) * sum(gy, dim). */
    NdArray logSoftmaxBackward(NdArray gy, NdArray y, int dim);

    // ---- batch normalisation: x (N, C, *) seen as (N, C, S), per-channel statistics over N and S (as
    // PyTorch's batch_norm_stats / _elemt / _backward_reduce / _backward_elemt); (C) tensors have x's dtype

    /** x (N, C, *) -> {mean (C), biased variance (C)} over every dim but dim 1, accumulated in double. */
    NdArray[] batchNormStats(NdArray x);

    /** y = (x - mean[c]) * invstd[c] * weight[c] + bias[c]: x (N, C, *) -> y of x's shape. */
    NdArray batchNormElemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias);

    /** gy, x (N, C, *), mean (C) -> {sum(gy) (C), sum(gy * (x - mean)) (C)} over every dim but dim 1. */
    NdArray[] batchNormBackwardReduce(NdArray gy, NdArray x, NdArray mean);

    /**
     * gx = (gy - sumDy[c] / count - (x - mean[c]) * invstd[c]^2 * sumDyXmu[c] / count) * invstd[c] * weight[c],
     * the input gradient of batch statistics over count values per channel (count may exceed x's, as in
     * SyncBatchNorm); sumDy and sumDyXmu both null: gx = gy * invstd[c] * weight[c] (statistics held constant).
     */
    NdArray batchNormBackwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy,
                                  NdArray sumDyXmu, long count);

    // ---- attention: q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev) -> out (B, Lq, Ev); B = all batch dims flattened

    /**
     * softmax(q k^T * scale + mask) v (see {@link AttentionSpec}; causal is top-left aligned, as in
     * PyTorch). Returns {out, logsumexp (B, Lq) of q's dtype}. A row with every key masked yields
     * zeros and logsumexp = -inf.
     */
    NdArray[] attention(NdArray q, NdArray k, NdArray v, AttentionSpec p);

    /** Returns {gq, gk, gv} from gOut (B, Lq, Ev) and the forward's inputs, out and logsumexp. */
    NdArray[] attentionBackward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp, AttentionSpec p);

    // ---- dropout

    /**
     * Returns {y, mask}: mask (bool, x's shape) keeps element i when Philox(seed, offset + i) gives
     * u >= p; y = x * mask / (1 - p).
     */
    NdArray[] dropout(NdArray x, double p, long seed, long offset);

    // ---- optimizer steps: one pass over memory, in place. Every tensor has param's shape, dtype and
    // device, is contiguous and has its own storage (the API checks this, makes grad contiguous and
    // bumps the storage versions). Each stored value is rounded once (the CPU backend computes in
    // double; CUDA kernels in the element type).

    /**
     * One {@code torch.optim.SGD} step: d = g + wd p; with momentum (momentumBuffer non-null)
     * b = firstStep ? d : μ b + (1 - dampening) d and d = nesterov ? d + μ b : b; then p -= lr d.
     * Writes param and momentumBuffer (null when momentum is 0).
     */
    void sgdStep(NdArray param, NdArray grad, NdArray momentumBuffer, SgdParams p);

    /**
     * One {@code torch.optim.Adam} / {@code AdamW} step: p *= {@link AdamParams#paramScale}; g += l2 p;
     * m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²; with AMSGrad (maxExpAvgSq non-null)
     * vmax = max(vmax, v) replaces v below; p -= stepSize m / (sqrt(v) / biasCorrection2Sqrt + eps).
     * Writes param, expAvg, expAvgSq and maxExpAvgSq (null without AMSGrad).
     */
    void adamStep(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p);
}
