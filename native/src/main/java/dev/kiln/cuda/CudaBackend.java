package dev.kiln.cuda;

import dev.kiln.AdamParams;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.DeviceProperties;
import dev.kiln.MemoryStats;
import dev.kiln.Pool2dParams;
import dev.kiln.SgdParams;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.HalvesAsFloat32;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
import java.nio.ByteBuffer;

/**
 * The CUDA backend for one device (a GPU through JCuda, or cuda-emu): the same launchers on both.
 * Every primitive has a kernel in float32 and float64; a dtype a kernel lacks throws, naming the op
 * and the backend (DESIGN.md principle 2). bfloat16 and float16 are stored, copied, filled and cast by
 * their own kernels and computed by the float32 ones ({@link HalvesAsFloat32}).
 */
public final class CudaBackend implements Backend {
    private final CudaContext context;
    private final HalvesAsFloat32 halves = new HalvesAsFloat32(this);
    private final CopyLauncher copies;
    private final ElementwiseLauncher elementwise;
    private final ReduceLauncher reductions;
    private final SoftmaxLauncher softmax;
    private final OptimLauncher optim;
    private final IndexLauncher indexing;
    private final Pool2dLauncher pooling;
    private final GemmLauncher gemm;
    private final CompareLauncher comparisons;
    private final RandomLauncher random;
    private final AttentionLauncher attention;
    private final Conv2dLauncher conv2d;
    private final BatchNormLauncher batchNorm;
    private final SparseLauncher sparse;
    private final PinnedStaging staging;

    CudaBackend(CudaContext context) {
        this.context = context;
        this.copies = new CopyLauncher(context);
        this.elementwise = new ElementwiseLauncher(context);
        this.reductions = new ReduceLauncher(context);
        this.softmax = new SoftmaxLauncher(context);
        this.optim = new OptimLauncher(context);
        this.indexing = new IndexLauncher(context, copies);
        this.pooling = new Pool2dLauncher(context, indexing);
        this.gemm = new GemmLauncher(context);
        this.comparisons = new CompareLauncher(context);
        this.random = new RandomLauncher(context);
        this.attention = new AttentionLauncher(context);
        this.conv2d = new Conv2dLauncher(context);
        this.batchNorm = new BatchNormLauncher(context);
        this.sparse = new SparseLauncher(context);
        this.staging = new PinnedStaging(context);
    }

    /** The device's caching allocator (statistics, emptyCache). */
    public CachingAllocator allocator() {
        return context.allocator();
    }

    CudaContext context() {
        return context;
    }

    /** A new stream on this device; make it the thread's current one with {@link CudaStream#use}. */
    public CudaStream newStream() {
        return new CudaStream(context, context.api().createStream());
    }

    /** The calling thread's current stream on this device (the default stream unless one is in use). */
    public CudaStream currentStream() {
        return context.stream();
    }

    /** A new event on this device, for timing and ordering work across streams. */
    public CudaEvent newEvent() {
        return new CudaEvent(context);
    }

    @Override
    public DeviceProperties properties() {
        DeviceApi api = context.api();
        return new DeviceProperties(api.name(), api.multiprocessorCount(), api.maxThreadsPerMultiprocessor(),
                api.specMemoryBandwidth(), api.specFloat32Flops());
    }

    /** Waits for all work on every stream of this device. */
    public void synchronize() {
        context.api().synchronize();
    }

    @Override
    public String name() {
        return context.device().type().toString();
    }

    /** The caching allocator's counters (its {@link AllocatorStats} has the device mallocs too). */
    @Override
    public MemoryStats memoryStats() {
        AllocatorStats s = context.allocator().stats();
        return new MemoryStats(s.allocated(), s.peak(), s.cached(), s.allocations());
    }

    // ---- storage and layout

    @Override
    public Storage allocate(DType dtype, int size, Device device) {
        CudaStorage s = new CudaStorage(context, dtype, size);
        context.api().memset(s.address(0), 0, (long) size * dtype.byteSize(), context.stream().handle());
        return s;
    }

    @Override
    public Storage fromArray(Object array, DType dtype, Device device) {
        Object host = array instanceof boolean[] b ? HostArrays.toBytes(b) : array;
        HostArrays.check(array, dtype);
        int n = java.lang.reflect.Array.getLength(array);
        CudaStorage s = new CudaStorage(context, dtype, n);
        if (n > 0) {
            context.api().copyToDevice(s.address(0), host, 0, (long) n * dtype.byteSize(), context.stream().handle());
        }
        return s;
    }

    /** Through a pinned staging buffer, the device copy queued on the stream (blocking beyond the staging cache's size). */
    @Override
    public Storage fromArrayNonBlocking(Object array, DType dtype, Device device) {
        Object host = array instanceof boolean[] b ? HostArrays.toBytes(b) : array;
        HostArrays.check(array, dtype);
        int n = java.lang.reflect.Array.getLength(array);
        if ((long) n * dtype.byteSize() > PinnedStaging.MAX_CACHED_BYTES) {
            return fromArray(array, dtype, device);
        }
        CudaStorage s = new CudaStorage(context, dtype, n);
        if (n > 0) {
            staging.upload(host, dtype, n, s.address(0));
        }
        return s;
    }

    /** Bytes held by the pinned staging buffers of {@link #fromArrayNonBlocking}. */
    long stagingBytes() {
        return staging.cachedBytes();
    }

    @Override
    public Object toArray(NdArray x) {
        int n = x.numel();
        DType t = x.dtype();
        Object host = HostArrays.allocate(t, n);
        if (n > 0) {
            try (Temporaries tmp = new Temporaries(context)) {
                NdArray c = tmp.contiguous(x);
                context.api().copyToHost(host, 0, Launcher.address(c), (long) n * t.byteSize(), context.stream().handle());
            }
        }
        return host instanceof byte[] b && t == DType.BOOL ? HostArrays.toBooleans(b) : host;
    }

    /** One device-to-host copy straight into the collective's buffer (a strided view through a contiguous temporary). */
    @Override
    public void copyToBuffer(NdArray x, ByteBuffer dst) {
        long bytes = (long) x.numel() * x.dtype().byteSize();
        if (bytes > 0) {
            try (Temporaries tmp = new Temporaries(context)) {
                NdArray c = tmp.contiguous(x);
                context.api().copyToHost(dst, dst.position(), Launcher.address(c), bytes, context.stream().handle());
            }
        }
        dst.position(Math.toIntExact(dst.position() + bytes));
    }

    /** One host-to-device copy from the collective's buffer (into a contiguous temporary first for a strided view). */
    @Override
    public void copyFromBuffer(ByteBuffer src, NdArray dst) {
        long bytes = (long) dst.numel() * dst.dtype().byteSize();
        if (bytes > 0) {
            try (Temporaries tmp = new Temporaries(context)) {
                NdArray c = dst.isContiguous() ? dst : tmp.empty(dst.shape(), dst.dtype());
                context.api().copyToDevice(Launcher.address(c), src, src.position(), bytes, context.stream().handle());
                if (c != dst) {
                    copies.copy(c, dst);
                }
            }
        }
        src.position(Math.toIntExact(src.position() + bytes));
        dst.storage().bumpVersion();
    }

    @Override
    public NdArray contiguous(NdArray x) {
        return copies.contiguous(x);
    }

    @Override
    public NdArray cast(NdArray x, DType dtype) {
        return copies.cast(x, dtype);
    }

    @Override
    public void copyInto(NdArray dst, NdArray src) {
        copies.copy(src, dst);
    }

    // ---- creation

    @Override
    public NdArray full(int[] shape, DType dtype, double value, Device device) {
        return copies.full(shape, dtype, value);
    }

    @Override
    public NdArray arange(double start, double step, int n, DType dtype, Device device) {
        return copies.arange(start, step, n, dtype);
    }

    @Override
    public NdArray uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device) {
        return dtype.isHalf() ? halves.uniform(shape, dtype, low, high, seed, offset, device)
                : random.uniform(shape, dtype, low, high, seed, offset);
    }

    @Override
    public NdArray normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device) {
        return dtype.isHalf() ? halves.normal(shape, dtype, mean, std, seed, offset, device)
                : random.normal(shape, dtype, mean, std, seed, offset);
    }

    // ---- elementwise

    @Override
    public NdArray unary(UnaryOp op, NdArray x) {
        return HalvesAsFloat32.any(x) ? halves.unary(op, x) : elementwise.unary(op, x);
    }

    @Override
    public NdArray binary(BinaryOp op, NdArray a, NdArray b) {
        return HalvesAsFloat32.any(a, b) ? halves.binary(op, a, b) : elementwise.binary(op, a, b);
    }

    @Override
    public NdArray compare(CompareOp op, NdArray a, NdArray b) {
        return HalvesAsFloat32.any(a, b) ? halves.compare(op, a, b) : comparisons.compare(op, a, b);
    }

    @Override
    public NdArray where(NdArray cond, NdArray a, NdArray b) {
        return HalvesAsFloat32.any(a, b) ? halves.where(cond, a, b) : comparisons.where(cond, a, b);
    }

    // ---- reductions

    @Override
    public NdArray reduce(ReduceOp op, NdArray x, int[] dims, boolean keepdim) {
        return HalvesAsFloat32.any(x) ? halves.reduce(op, x, dims, keepdim) : reductions.reduce(op, x, dims, keepdim);
    }

    @Override
    public NdArray[] reduceWithIndices(ReduceOp op, NdArray x, int dim, boolean keepdim) {
        return HalvesAsFloat32.any(x) ? halves.reduceWithIndices(op, x, dim, keepdim) : reductions.argReduce(op, x, dim, keepdim);
    }

    @Override
    public NdArray variance(NdArray x, int[] dims, double correction, boolean keepdim) {
        return HalvesAsFloat32.any(x) ? halves.variance(x, dims, correction, keepdim)
                : reductions.variance(x, dims, correction, keepdim);
    }

    // ---- linear algebra

    @Override
    public NdArray matmul(NdArray a, NdArray b) {
        return HalvesAsFloat32.any(a, b) ? halves.matmul(a, b) : gemm.matmul(a, b);
    }

    @Override
    public NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x) {
        return HalvesAsFloat32.any(values, x) ? halves.sparseMm(crow, col, values, x) : sparse.sparseMm(crow, col, values, x);
    }

    @Override
    public NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b) {
        return HalvesAsFloat32.any(a, b) ? halves.sampledMm(row, col, a, b) : sparse.sampledMm(row, col, a, b);
    }

    // ---- indexing and concatenation

    @Override
    public NdArray gather(NdArray x, int dim, NdArray index) {
        return HalvesAsFloat32.any(x) ? halves.gather(x, dim, index) : indexing.gather(x, dim, index);
    }

    @Override
    public NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src) {
        return HalvesAsFloat32.any(x) ? halves.scatterAdd(x, dim, index, src) : indexing.scatterAdd(x, dim, index, src);
    }

    @Override
    public NdArray indexSelect(NdArray x, int dim, NdArray index) {
        return HalvesAsFloat32.any(x) ? halves.indexSelect(x, dim, index) : indexing.indexSelect(x, dim, index);
    }

    @Override
    public NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src) {
        return HalvesAsFloat32.any(x) ? halves.indexAdd(x, dim, index, src) : indexing.indexAdd(x, dim, index, src);
    }

    @Override
    public NdArray cat(NdArray[] xs, int dim) {
        return HalvesAsFloat32.any(xs) ? halves.cat(xs, dim) : indexing.cat(xs, dim);
    }

    // ---- convolution

    @Override
    public NdArray conv2d(NdArray x, NdArray w, NdArray bias, Conv2dParams p) {
        return HalvesAsFloat32.any(x) ? halves.conv2d(x, w, bias, p) : conv2d.forward(x, w, bias, p);
    }

    @Override
    public NdArray conv2dBackwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.conv2dBackwardInput(gy, w, inputShape, p) : conv2d.backwardInput(gy, w, inputShape, p);
    }

    @Override
    public NdArray conv2dBackwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.conv2dBackwardWeight(gy, x, weightShape, p)
                : conv2d.backwardWeight(gy, x, weightShape, p);
    }

    // ---- pooling

    @Override
    public NdArray[] maxPool2d(NdArray x, Pool2dParams p) {
        return HalvesAsFloat32.any(x) ? halves.maxPool2d(x, p) : pooling.maxPool2d(x, p);
    }

    @Override
    public NdArray maxPool2dBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.maxPool2dBackward(gy, indices, inputShape, p)
                : pooling.maxPool2dBackward(gy, indices, inputShape, p);
    }

    @Override
    public NdArray avgPool2d(NdArray x, Pool2dParams p) {
        return HalvesAsFloat32.any(x) ? halves.avgPool2d(x, p) : pooling.avgPool2d(x, p);
    }

    @Override
    public NdArray avgPool2dBackward(NdArray gy, int[] inputShape, Pool2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.avgPool2dBackward(gy, inputShape, p) : pooling.avgPool2dBackward(gy, inputShape, p);
    }

    // ---- softmax

    @Override
    public NdArray softmax(NdArray x, int dim) {
        return HalvesAsFloat32.any(x) ? halves.softmax(x, dim, false) : softmax.forward(x, dim, false);
    }

    @Override
    public NdArray logSoftmax(NdArray x, int dim) {
        return HalvesAsFloat32.any(x) ? halves.softmax(x, dim, true) : softmax.forward(x, dim, true);
    }

    @Override
    public NdArray softmaxBackward(NdArray gy, NdArray y, int dim) {
        return HalvesAsFloat32.any(gy) ? halves.softmaxBackward(gy, y, dim, false) : softmax.backward(gy, y, dim, false);
    }

    @Override
    public NdArray logSoftmaxBackward(NdArray gy, NdArray y, int dim) {
        return HalvesAsFloat32.any(gy) ? halves.softmaxBackward(gy, y, dim, true) : softmax.backward(gy, y, dim, true);
    }

    // ---- batch normalisation

    @Override
    public NdArray[] batchNormStats(NdArray x) {
        return HalvesAsFloat32.any(x) ? halves.batchNormStats(x) : batchNorm.stats(x);
    }

    @Override
    public NdArray batchNormElemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias) {
        return HalvesAsFloat32.any(x) ? halves.batchNormElemt(x, mean, invstd, weight, bias)
                : batchNorm.elemt(x, mean, invstd, weight, bias);
    }

    @Override
    public NdArray[] batchNormBackwardReduce(NdArray gy, NdArray x, NdArray mean) {
        return HalvesAsFloat32.any(x) ? halves.batchNormBackwardReduce(gy, x, mean) : batchNorm.backwardReduce(gy, x, mean);
    }

    @Override
    public NdArray batchNormBackwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy,
                                         NdArray sumDyXmu, long count) {
        return HalvesAsFloat32.any(x) ? halves.batchNormBackwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count)
                : batchNorm.backwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count);
    }

    @Override
    public NdArray[] attention(NdArray q, NdArray k, NdArray v, AttentionSpec p) {
        return HalvesAsFloat32.any(q) ? halves.attention(q, k, v, p) : attention.forward(q, k, v, p);
    }

    @Override
    public NdArray[] attentionBackward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp,
                                      AttentionSpec p) {
        return HalvesAsFloat32.any(q) ? halves.attentionBackward(gOut, q, k, v, out, logsumexp, p)
                : attention.backward(gOut, q, k, v, out, logsumexp, p);
    }

    @Override
    public NdArray[] dropout(NdArray x, double p, long seed, long offset) {
        return HalvesAsFloat32.any(x) ? halves.dropout(x, p, seed, offset) : random.dropout(x, p, seed, offset);
    }

    // ---- optimizer steps

    @Override
    public void sgdStep(NdArray param, NdArray grad, NdArray momentumBuffer, SgdParams p) {
        if (HalvesAsFloat32.any(param)) {
            halves.sgdStep(param, grad, momentumBuffer, p);
        } else {
            optim.sgd(param, grad, momentumBuffer, p);
        }
    }

    @Override
    public void adamStep(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p) {
        if (HalvesAsFloat32.any(param)) {
            halves.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, p);
        } else {
            optim.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, p);
        }
    }
}
