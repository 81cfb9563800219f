package dev.kiln.cpu;

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
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The pure-Java backend: every primitive, float32 and float64, its loops split over {@link Parallel}'s thread team. */
public final class CpuBackend implements Backend {
    static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** The JVM heap's counters: CPU tensors are Java arrays on it. */
    @Override
    public MemoryStats memoryStats() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new MemoryStats(heap.getUsed(), Math.max(peak, heap.getUsed()), heap.getCommitted() - heap.getUsed(),
                CpuStorage.allocations());
    }

    /** The cores the kernels' team may use (one thread each); no specified peaks: kiln bench measures them. */
    @Override
    public DeviceProperties properties() {
        return new DeviceProperties("cpu", Parallel.maxThreads(), 1, 0, 0);
    }

    @Override
    public Storage allocate(DType dtype, int size, Device device) {
        return CpuStorage.allocate(dtype, size);
    }

    @Override
    public Storage fromArray(Object array, Device device) {
        if (array instanceof float[] f) {
            return new CpuStorage(f.clone());
        } else if (array instanceof double[] d) {
            return new CpuStorage(d.clone());
        } else if (array instanceof long[] l) {
            return new CpuStorage(l.clone());
        } else if (array instanceof boolean[] b) {
            return new CpuStorage(b.clone());
        }
        return new CpuStorage(array); // throws, naming the unsupported type
    }

    @Override
    public Object toArray(Tensor x) {
        // a fresh copy the caller keeps: its storage must not pool it when a scope releases it
        return ((CpuStorage) Tensors.storage(CpuElementwise.contiguous(x))).surrender();
    }

    @Override
    public void copyToBuffer(Tensor x, ByteBuffer dst) {
        CpuStaging.copyToBuffer(x, dst);
    }

    @Override
    public void copyFromBuffer(ByteBuffer src, Tensor dst) {
        CpuStaging.copyFromBuffer(src, dst);
    }

    @Override
    public Tensor contiguous(Tensor x) {
        return CpuElementwise.contiguous(x);
    }

    @Override
    public Tensor cast(Tensor x, DType dtype) {
        return CpuElementwise.cast(x, dtype);
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        CpuElementwise.copyInto(dst, src);
    }

    @Override
    public Tensor full(int[] shape, DType dtype, double value, Device device) {
        Tensor t = CpuMap.newTensor(shape, dtype);
        Object a = CpuStorage.array(t);
        if (a instanceof float[] f) {
            Arrays.fill(f, (float) value);
        } else if (a instanceof double[] d) {
            Arrays.fill(d, value);
        } else if (a instanceof long[] l) {
            Arrays.fill(l, (long) value);
        } else {
            Arrays.fill((boolean[]) a, value != 0);
        }
        return t;
    }

    @Override
    public Tensor arange(double start, double step, int n, DType dtype, Device device) {
        if (dtype == DType.INT64) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = (long) (start + i * step);
            }
            return CpuMap.ofArray(v, n);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return CpuElementwise.cast(CpuMap.ofArray(v, n), dtype);
    }

    @Override
    public Tensor uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device) {
        return CpuRandom.uniform(shape, dtype, low, high, seed, offset);
    }

    @Override
    public Tensor normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device) {
        return CpuRandom.normal(shape, dtype, mean, std, seed, offset);
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x) {
        return CpuElementwise.unary(op, x);
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return CpuElementwise.binary(op, a, b);
    }

    @Override
    public Tensor compare(CompareOp op, Tensor a, Tensor b) {
        return CpuElementwise.compare(op, a, b);
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        return CpuElementwise.where(cond, a, b);
    }

    @Override
    public Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        return CpuReduce.reduce(op, x, dims, keepdim);
    }

    @Override
    public Tensor[] reduceWithIndices(ReduceOp op, Tensor x, int dim, boolean keepdim) {
        return CpuReduce.reduceWithIndices(op, x, dim, keepdim);
    }

    @Override
    public Tensor variance(Tensor x, int[] dims, double correction, boolean keepdim) {
        return CpuReduce.variance(x, dims, correction, keepdim);
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        return CpuMatmul.matmul(a, b);
    }

    @Override
    public Tensor sparseMm(Tensor crow, Tensor col, Tensor values, Tensor x) {
        return CpuSparse.sparseMm(crow, col, values, x);
    }

    @Override
    public Tensor sampledMm(Tensor row, Tensor col, Tensor a, Tensor b) {
        return CpuSparse.sampledMm(row, col, a, b);
    }

    @Override
    public Tensor gather(Tensor x, int dim, Tensor index) {
        return CpuIndexing.gather(x, dim, index);
    }

    @Override
    public Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        return CpuIndexing.scatterAdd(x, dim, index, src);
    }

    @Override
    public Tensor indexSelect(Tensor x, int dim, Tensor index) {
        return CpuIndexing.indexSelect(x, dim, index);
    }

    @Override
    public Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src) {
        return CpuIndexing.indexAdd(x, dim, index, src);
    }

    @Override
    public Tensor cat(Tensor[] xs, int dim) {
        return CpuIndexing.cat(xs, dim);
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        return CpuConv2d.forward(x, w, bias, p);
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] inputShape, Conv2dParams p) {
        return CpuConv2d.backwardInput(gy, w, inputShape, p);
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor gy, Tensor x, int[] weightShape, Conv2dParams p) {
        return CpuConv2d.backwardWeight(gy, x, weightShape, p);
    }

    @Override
    public Tensor[] maxPool2d(Tensor x, Pool2dParams p) {
        return CpuPool2d.maxForward(x, p);
    }

    @Override
    public Tensor maxPool2dBackward(Tensor gy, Tensor indices, int[] inputShape, Pool2dParams p) {
        return CpuPool2d.maxBackward(gy, indices, inputShape, p);
    }

    @Override
    public Tensor avgPool2d(Tensor x, Pool2dParams p) {
        return CpuPool2d.avgForward(x, p);
    }

    @Override
    public Tensor avgPool2dBackward(Tensor gy, int[] inputShape, Pool2dParams p) {
        return CpuPool2d.avgBackward(gy, inputShape, p);
    }

    @Override
    public Tensor softmax(Tensor x, int dim) {
        return CpuSoftmax.softmax(x, dim, false);
    }

    @Override
    public Tensor logSoftmax(Tensor x, int dim) {
        return CpuSoftmax.softmax(x, dim, true);
    }

    @Override
    public Tensor softmaxBackward(Tensor gy, Tensor y, int dim) {
        return CpuSoftmax.backward(gy, y, dim, false);
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor gy, Tensor y, int dim) {
        return CpuSoftmax.backward(gy, y, dim, true);
    }

    @Override
    public Tensor[] batchNormStats(Tensor x) {
        return CpuBatchNorm.stats(x);
    }

    @Override
    public Tensor batchNormElemt(Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor bias) {
        return CpuBatchNorm.elemt(x, mean, invstd, weight, bias);
    }

    @Override
    public Tensor[] batchNormBackwardReduce(Tensor gy, Tensor x, Tensor mean) {
        return CpuBatchNorm.backwardReduce(gy, x, mean);
    }

    @Override
    public Tensor batchNormBackwardElemt(Tensor gy, Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor sumDy,
                                         Tensor sumDyXmu, long count) {
        return CpuBatchNorm.backwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count);
    }

    @Override
    public Tensor[] attention(Tensor q, Tensor k, Tensor v, AttentionParams p) {
        return CpuAttention.forward(q, k, v, p);
    }

    @Override
    public Tensor[] attentionBackward(Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor logsumexp,
                                      AttentionParams p) {
        return CpuAttention.backward(gOut, q, k, v, out, logsumexp, p);
    }

    @Override
    public Tensor[] dropout(Tensor x, double p, long seed, long offset) {
        return CpuRandom.dropout(x, p, seed, offset);
    }

    @Override
    public void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams p) {
        CpuOptim.sgd(param, grad, momentumBuffer, p);
    }

    @Override
    public void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, AdamParams p) {
        CpuOptim.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, p);
    }
}
