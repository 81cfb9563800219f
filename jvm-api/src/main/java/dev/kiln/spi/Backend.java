package dev.kiln.spi;

import dev.kiln.AdamParams;
import dev.kiln.AttentionParams;
import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.DeviceProperties;
import dev.kiln.MemoryStats;
import dev.kiln.Pool2dParams;
import dev.kiln.SgdParams;
import dev.kiln.Tensor;
import java.nio.ByteBuffer;

/**
 * The kernel contract: the small set of primitives every backend implements. Everything else in
 * Kiln is composed from these. Inputs may be any strided view on this backend's device; outputs are
 * new contiguous tensors. The tensor API has checked dtypes, devices and shapes before a call, so a
 * backend may assume valid arguments (but must never crash the JVM on them).
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

    /** A copy of a Java array ({@code float[]}, {@code double[]}, {@code long[]}, {@code boolean[]}). */
    Storage fromArray(Object array, Device device);

    /**
     * As {@link #fromArray}, but the copy may still be running when this returns, ordered before the work queued
     * after it (a GPU stages it through pinned memory); the array may be reused at once.
     */
    default Storage fromArrayNonBlocking(Object array, Device device) {
        return fromArray(array, device);
    }

    /** The elements of view {@code x} in row-major order, as a new Java array of its dtype. */
    Object toArray(Tensor x);

    /**
     * Writes x's elements in row-major order into dst from its position, advancing it, in native byte
     * order (float32, float64 or int64): how collectives stage a tensor, in one copy.
     */
    void copyToBuffer(Tensor x, ByteBuffer dst);

    /**
     * Reads dst.numel() elements from src's position (as {@link #copyToBuffer} wrote them), advancing
     * it, into the view dst, in place; bumps dst's storage version.
     */
    void copyFromBuffer(ByteBuffer src, Tensor dst);

    /** x: any view -> a new contiguous tensor of the same shape and dtype. */
    Tensor contiguous(Tensor x);

    /** x -> a new contiguous tensor converted to {@code dtype} (float to int64 truncates toward zero). */
    Tensor cast(Tensor x, DType dtype);

    /**
     * Writes src, broadcast to dst's shape, into the (possibly strided) view dst, in place. Both are
     * of one dtype and device; src never shares dst's storage (Tensor.copy_ passes a snapshot).
     */
    void copyInto(Tensor dst, Tensor src);

    // ---- creation

    /** A tensor of {@code shape} filled with {@code value}. */
    Tensor full(int[] shape, DType dtype, double value, Device device);

    /** (n,): start + i * step. */
    Tensor arange(double start, double step, int n, DType dtype, Device device);

    /** Uniform in [low, high) from Philox(seed, offset + i) for element i. */
    Tensor uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device);

    /** Normal(mean, std) from Philox(seed, offset + i) for element i (Box-Muller). */
    Tensor normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device);

    // ---- elementwise

    /** y = op(x), same shape and dtype. */
    Tensor unary(UnaryOp op, Tensor x);

    /** out = op(a, b); a, b same dtype, shapes broadcast to out's. */
    Tensor binary(BinaryOp op, Tensor a, Tensor b);

    /** bool out = op(a, b); a, b same dtype, shapes broadcast. */
    Tensor compare(CompareOp op, Tensor a, Tensor b);

    /** out = cond ? a : b; cond bool; a, b same dtype; all three broadcast. */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    // ---- reductions

    /**
     * Reduces x over {@code dims} (distinct, non-negative). Sums accumulate in a tree or blocked order
     * at least in the element type (the CPU backend accumulates float32 in double; CUDA kernels keep
     * float32 in float32, as ptxas refuses double in float32 kernels).
     */
    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim);

    /**
     * Max or min along one dim with the index of the first extreme element (NaN counts as the
     * extreme). Returns {values (dtype of x), indices (int64)}.
     */
    Tensor[] reduceWithIndices(ReduceOp op, Tensor x, int dim, boolean keepdim);

    /**
     * Variance over dims: sum((x - mean)^2) / max(0, n - correction), two passes (mean, then squared
     * deviations). Accumulation as for {@link #reduce}: the CPU backend in double; CUDA kernels in the
     * element type, subtracting (sum(x - mean))^2 / n to cancel the rounding of the mean.
     */
    Tensor variance(Tensor x, int[] dims, double correction, boolean keepdim);

    // ---- linear algebra

    /**
     * a: (..., M, K), b: (..., K, N) -> (..., M, N), batch dims broadcast. Both have rank >= 2
     * (the API handles 1-D operands). Transposed views are read through their strides, not copied.
     */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * Sparse (CSR) times dense: out (M, N) = A (M, K) @ x (K, N), A given by crow (M + 1) and col (nnz),
     * int64 and already checked, and values (nnz) of x's dtype. Each output element sums its row's
     * entries in entry order.
     */
    Tensor sparseMm(Tensor crow, Tensor col, Tensor values, Tensor x);

    /** out (nnz): out[e] = sum_k a[row[e], k] b[k, col[e]], a (M, K), b (K, N); row and col (nnz) int64, checked. */
    Tensor sampledMm(Tensor row, Tensor col, Tensor a, Tensor b);

    // ---- indexing

    /** out[i][j][k] = x[i][index[i][j][k]][k] (dim = 1); index int64 of out's shape, rank of x. */
    Tensor gather(Tensor x, int dim, Tensor index);

    /** out = x with out[i][index[i][j][k]][k] += src[i][j][k] (dim = 1); index shaped like src. */
    Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src);

    /** out = x.narrow(dim) at the positions of index (1-D int64), in order. */
    Tensor indexSelect(Tensor x, int dim, Tensor index);

    /** out = x with out.select(dim, index[i]) += src.select(dim, i); index 1-D int64. */
    Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src);

    /** Concatenation along dim; all same dtype and rank, equal sizes except at dim. */
    Tensor cat(Tensor[] xs, int dim);

    // ---- convolution: x (N, C, H, W), w (O, C/groups, kH, kW), bias (O) or null, y (N, O, OH, OW)

    Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p);

    /** gy (N, O, OH, OW), w -> gx of {@code inputShape} (N, C, H, W). */
    Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] inputShape, Conv2dParams p);

    /** gy (N, O, OH, OW), x (N, C, H, W) -> gw of {@code weightShape} (O, C/groups, kH, kW). */
    Tensor conv2dBackwardWeight(Tensor gy, Tensor x, int[] weightShape, Conv2dParams p);

    // ---- pooling: x (N, C, H, W) -> y (N, C, OH, OW)

    /** Returns {y, indices}: indices (int64, y's shape) are flat positions h * W + w in the input plane. */
    Tensor[] maxPool2d(Tensor x, Pool2dParams p);

    /**
     * gy (N, C, OH, OW), indices from {@link #maxPool2d} with p -> gx of inputShape. The geometry lets a
     * device gather each input's gradient over the windows that can contain it (no atomics).
     */
    Tensor maxPool2dBackward(Tensor gy, Tensor indices, int[] inputShape, Pool2dParams p);

    Tensor avgPool2d(Tensor x, Pool2dParams p);

    Tensor avgPool2dBackward(Tensor gy, int[] inputShape, Pool2dParams p);

    // ---- softmax along any dim (y is the forward output)

    Tensor softmax(Tensor x, int dim);

    Tensor logSoftmax(Tensor x, int dim);

    /** gx = y * (gy - sum(gy * y, dim)). */
    Tensor softmaxBackward(Tensor gy, Tensor y, int dim);

    /** gx = gy - exp(y) * sum(gy, dim). */
    Tensor logSoftmaxBackward(Tensor gy, Tensor y, int dim);

    // ---- batch normalisation: x (N, C, *) seen as (N, C, S), per-channel statistics over N and S (as
    // PyTorch's batch_norm_stats / _elemt / _backward_reduce / _backward_elemt); (C) tensors have x's dtype

    /** x (N, C, *) -> {mean (C), biased variance (C)} over every dim but dim 1, accumulated in double. */
    Tensor[] batchNormStats(Tensor x);

    /** y = (x - mean[c]) * invstd[c] * weight[c] + bias[c]: x (N, C, *) -> y of x's shape. */
    Tensor batchNormElemt(Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor bias);

    /** gy, x (N, C, *), mean (C) -> {sum(gy) (C), sum(gy * (x - mean)) (C)} over every dim but dim 1. */
    Tensor[] batchNormBackwardReduce(Tensor gy, Tensor x, Tensor mean);

    /**
     * gx = (gy - sumDy[c] / count - (x - mean[c]) * invstd[c]^2 * sumDyXmu[c] / count) * invstd[c] * weight[c],
     * the input gradient of batch statistics over count values per channel (count may exceed x's, as in
     * SyncBatchNorm); sumDy and sumDyXmu both null: gx = gy * invstd[c] * weight[c] (statistics held constant).
     */
    Tensor batchNormBackwardElemt(Tensor gy, Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor sumDy,
                                  Tensor sumDyXmu, long count);

    // ---- attention: q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev) -> out (B, Lq, Ev); B = all batch dims flattened

    /**
     * softmax(q k^T * scale + mask) v (see {@link AttentionParams}; causal is top-left aligned, as in
     * PyTorch). Returns {out, logsumexp (B, Lq) of q's dtype}. A row with every key masked yields
     * zeros and logsumexp = -inf.
     */
    Tensor[] attention(Tensor q, Tensor k, Tensor v, AttentionParams p);

    /** Returns {gq, gk, gv} from gOut (B, Lq, Ev) and the forward's inputs, out and logsumexp. */
    Tensor[] attentionBackward(Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor logsumexp, AttentionParams p);

    // ---- dropout

    /**
     * Returns {y, mask}: mask (bool, x's shape) keeps element i when Philox(seed, offset + i) gives
     * u >= p; y = x * mask / (1 - p).
     */
    Tensor[] dropout(Tensor x, double p, long seed, long offset);

    // ---- optimizer steps: one pass over memory, in place. Every tensor has param's shape, dtype and
    // device, is contiguous and has its own storage (the API checks this, makes grad contiguous and
    // bumps the storage versions). Each stored value is rounded once (the CPU backend computes in
    // double; CUDA kernels in the element type).

    /**
     * One {@code torch.optim.SGD} step: d = g + wd p; with momentum (momentumBuffer non-null)
     * b = firstStep ? d : μ b + (1 - dampening) d and d = nesterov ? d + μ b : b; then p -= lr d.
     * Writes param and momentumBuffer (null when momentum is 0).
     */
    void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams p);

    /**
     * One {@code torch.optim.Adam} / {@code AdamW} step: p *= {@link AdamParams#paramScale}; g += l2 p;
     * m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²; with AMSGrad (maxExpAvgSq non-null)
     * vmax = max(vmax, v) replaces v below; p -= stepSize m / (sqrt(v) / biasCorrection2Sqrt + eps).
     * Writes param, expAvg, expAvgSq and maxExpAvgSq (null without AMSGrad).
     */
    void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, AdamParams p);
}
