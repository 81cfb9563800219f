package dev.kiln.cuda;

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
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.Tensors;
import dev.kiln.spi.UnaryOp;
import java.nio.ByteBuffer;

/**
 * The CUDA backend for one device (a GPU through JCuda, or cuda-emu): the same launchers on both.
 * Every primitive has a kernel in float32 and float64; a dtype a kernel lacks throws, naming the op
 * and the backend (DESIGN.md principle 2).
 */
public final class CudaBackend implements Backend {
    private final CudaContext context;
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
    public Storage fromArray(Object array, Device device) {
        Object host = array instanceof boolean[] b ? HostArrays.toBytes(b) : array;
        DType dtype = HostArrays.dtype(array);
        int n = java.lang.reflect.Array.getLength(array);
        CudaStorage s = new CudaStorage(context, dtype, n);
        if (n > 0) {
            context.api().copyToDevice(s.address(0), host, 0, (long) n * dtype.byteSize(), context.stream().handle());
        }
        return s;
    }

    /** Through a pinned staging buffer, the device copy queued on the stream (blocking beyond the staging cache's size). */
    @Override
    public Storage fromArrayNonBlocking(Object array, Device device) {
        Object host = array instanceof boolean[] b ? HostArrays.toBytes(b) : array;
        DType dtype = HostArrays.dtype(array);
        int n = java.lang.reflect.Array.getLength(array);
        if ((long) n * dtype.byteSize() > PinnedStaging.MAX_CACHED_BYTES) {
            return fromArray(array, device);
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
    public Object toArray(Tensor x) {
        int n = x.numel();
        DType t = x.dtype();
        Object host = HostArrays.allocate(t, n);
        if (n > 0) {
            try (Temporaries tmp = new Temporaries(context)) {
                Tensor c = tmp.contiguous(x);
                context.api().copyToHost(host, 0, Launcher.address(c), (long) n * t.byteSize(), context.stream().handle());
            }
        }
        return host instanceof byte[] b && t == DType.BOOL ? HostArrays.toBooleans(b) : host;
    }

    /** One device-to-host copy straight into the collective's buffer (a strided view through a contiguous temporary). */
    @Override
    public void copyToBuffer(Tensor x, ByteBuffer dst) {
        long bytes = (long) x.numel() * x.dtype().byteSize();
        if (bytes > 0) {
            try (Temporaries tmp = new Temporaries(context)) {
                Tensor c = tmp.contiguous(x);
                context.api().copyToHost(dst, dst.position(), Launcher.address(c), bytes, context.stream().handle());
            }
        }
        dst.position(Math.toIntExact(dst.position() + bytes));
    }

    /** One host-to-device copy from the collective's buffer (into a contiguous temporary first for a strided view). */
    @Override
    public void copyFromBuffer(ByteBuffer src, Tensor dst) {
        long bytes = (long) dst.numel() * dst.dtype().byteSize();
        if (bytes > 0) {
            try (Temporaries tmp = new Temporaries(context)) {
                Tensor c = dst.isContiguous() ? dst : tmp.empty(dst.shape(), dst.dtype());
                context.api().copyToDevice(Launcher.address(c), src, src.position(), bytes, context.stream().handle());
                if (c != dst) {
                    copies.copy(c, dst);
                }
            }
        }
        src.position(Math.toIntExact(src.position() + bytes));
        Tensors.storage(dst).bumpVersion();
    }

    @Override
    public Tensor contiguous(Tensor x) {
        return copies.contiguous(x);
    }

    @Override
    public Tensor cast(Tensor x, DType dtype) {
        return copies.cast(x, dtype);
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        copies.copy(src, dst);
    }

    // ---- creation

    @Override
    public Tensor full(int[] shape, DType dtype, double value, Device device) {
        return copies.full(shape, dtype, value);
    }

    @Override
    public Tensor arange(double start, double step, int n, DType dtype, Device device) {
        return copies.arange(start, step, n, dtype);
    }

    @Override
    public Tensor uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device) {
        return random.uniform(shape, dtype, low, high, seed, offset);
    }

    @Override
    public Tensor normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device) {
        return random.normal(shape, dtype, mean, std, seed, offset);
    }

    // ---- elementwise

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        return elementwise.unary(op, x);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return elementwise.binary(op, a, b);
    }

    @Override
    public Tensor compare(CompareOp op, Tensor a, Tensor b) {
        return comparisons.compare(op, a, b);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        return comparisons.where(cond, a, b);
    }

    // ---- reductions

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        return reductions.reduce(op, x, dims, keepdim);
    }

    @Override
    public Tensor[] reduceWithIndices(ReduceOp op, Tensor x, int dim, boolean keepdim) {
        return reductions.argReduce(op, x, dim, keepdim);
    }

    @Override
    public Tensor variance(Tensor x, int[] dims, double correction, boolean keepdim) {
        return reductions.variance(x, dims, correction, keepdim);
    }

    // ---- linear algebra

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return gemm.matmul(a, b);
    }

    @Override
    public Tensor sparseMm(Tensor crow, Tensor col, Tensor values, Tensor x) {
        return sparse.sparseMm(crow, col, values, x);
    }

    @Override
    public Tensor sampledMm(Tensor row, Tensor col, Tensor a, Tensor b) {
        return sparse.sampledMm(row, col, a, b);
    }

    // ---- indexing and concatenation

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return indexing.gather(x, dim, index);
    }

    @Override
    public Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        return indexing.scatterAdd(x, dim, index, src);
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return indexing.indexSelect(x, dim, index);
    }

    @Override
    public Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src) {
        return indexing.indexAdd(x, dim, index, src);
    }

    @Override
    public Tensor cat(Tensor[] xs, int dim) {
        return indexing.cat(xs, dim);
    }

    // ---- convolution

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        return conv2d.forward(x, w, bias, p);
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] inputShape, Conv2dParams p) {
        return conv2d.backwardInput(gy, w, inputShape, p);
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor gy, Tensor x, int[] weightShape, Conv2dParams p) {
        return conv2d.backwardWeight(gy, x, weightShape, p);
    }

    // ---- pooling

    @Override
    public Tensor[] maxPool2d(Tensor x, Pool2dParams p) {
        return pooling.maxPool2d(x, p);
    }

    @Override
    public Tensor maxPool2dBackward(Tensor gy, Tensor indices, int[] inputShape, Pool2dParams p) {
        return pooling.maxPool2dBackward(gy, indices, inputShape, p);
    }

    @Override
    public Tensor avgPool2d(Tensor x, Pool2dParams p) {
        return pooling.avgPool2d(x, p);
    }

    @Override
    public Tensor avgPool2dBackward(Tensor gy, int[] inputShape, Pool2dParams p) {
        return pooling.avgPool2dBackward(gy, inputShape, p);
    }

    // ---- softmax

    @Override
    public Tensor softmax(Tensor x, int dim) {
        return softmax.forward(x, dim, false);
    }

    @Override
    public Tensor logSoftmax(Tensor x, int dim) {
        return softmax.forward(x, dim, true);
    }

    @Override
    public Tensor softmaxBackward(Tensor gy, Tensor y, int dim) {
        return softmax.backward(gy, y, dim, false);
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor gy, Tensor y, int dim) {
        return softmax.backward(gy, y, dim, true);
    }

    // ---- batch normalisation

    @Override
    public Tensor[] batchNormStats(Tensor x) {
        return batchNorm.stats(x);
    }

    @Override
    public Tensor batchNormElemt(Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor bias) {
        return batchNorm.elemt(x, mean, invstd, weight, bias);
    }

    @Override
    public Tensor[] batchNormBackwardReduce(Tensor gy, Tensor x, Tensor mean) {
        return batchNorm.backwardReduce(gy, x, mean);
    }

    @Override
    public Tensor batchNormBackwardElemt(Tensor gy, Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor sumDy,
                                         Tensor sumDyXmu, long count) {
        return batchNorm.backwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count);
    }

    @Override
    public Tensor[] attention(Tensor q, Tensor k, Tensor v, AttentionParams p) {
        return attention.forward(q, k, v, p);
    }

    @Override
    public Tensor[] attentionBackward(Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor logsumexp,
                                      AttentionParams p) {
        return attention.backward(gOut, q, k, v, out, logsumexp, p);
    }

    @Override
    public Tensor[] dropout(Tensor x, double p, long seed, long offset) {
        return random.dropout(x, p, seed, offset);
    }

    // ---- optimizer steps

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams p) {
        optim.sgd(param, grad, momentumBuffer, p);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, AdamParams p) {
        optim.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, p);
    }
}
