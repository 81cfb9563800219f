package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.HalfFloats;
import dev.kiln.Device;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.Allocations;
import dev.kiln.spi.Storage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Java array: float[] (float32), double[] (float64), short[] (bfloat16 or float16: the bits, see
 * {@link HalfFloats}), long[] (int64) or boolean[] (bool). Released (by
 * Tensor.close() or a MemoryScope), it drops the array, as a device frees its memory, and refuses use;
 * an array it allocated goes back to {@link CpuArrayPool} for the next storage of its size.
 */
final class CpuStorage implements Storage {
    private static final LongAdder ALLOCATIONS = new LongAdder();
    private static final VarHandle DATA;

    static {
        try {
            DATA = MethodHandles.lookup().findVarHandle(CpuStorage.class, "data", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Object data;
    private final DType dtype;
    private final int size;
    private volatile int version;
    /** Whether release may pool the array: this storage allocated it and has not handed it out. */
    private volatile boolean pooled;

    /** Storage of a 16-bit float dtype over its bits (kept, not copied). */
    CpuStorage(short[] bits, DType dtype) {
        if (!dtype.isHalf()) {
            throw new IllegalArgumentException("cpu storage: a short[] holds bfloat16 or float16 bits, not " + dtype);
        }
        this.data = bits;
        this.dtype = dtype;
        this.size = bits.length;
        Allocations.created(this);
        ALLOCATIONS.increment();
    }

    CpuStorage(Object data) {
        this.data = data;
        if (data instanceof float[] f) {
            dtype = DType.FLOAT32;
            size = f.length;
        } else if (data instanceof double[] d) {
            dtype = DType.FLOAT64;
            size = d.length;
        } else if (data instanceof long[] l) {
            dtype = DType.INT64;
            size = l.length;
        } else if (data instanceof boolean[] b) {
            dtype = DType.BOOL;
            size = b.length;
        } else {
            throw new IllegalArgumentException("cpu storage: unsupported array type "
                    + (data == null ? "null" : data.getClass().getSimpleName())
                    + " (expected float[], double[], long[] or boolean[])");
        }
        Allocations.created(this);
        ALLOCATIONS.increment();
    }

    /** CPU storages made so far. */
    static long allocations() {
        return ALLOCATIONS.sum();
    }

    /** The array behind t, which must be a CPU tensor whose storage is not released. */
    static Object array(NdArray t) {
        return ((CpuStorage) t.storage()).array();
    }

    Object array() {
        Object a = data;
        if (a == null) {
            throw new IllegalStateException("cpu: a " + dtype + " tensor's storage (" + size + " elements) was used after"
                    + " it was closed (Tensor.close() or its MemoryScope ended)");
        }
        return a;
    }

    @Override
    public void release() {
        Object a = DATA.getAndSet(this, null); // once: two releases must not pool the array twice
        if (a != null && pooled) {
            CpuArrayPool.give(dtype, a, size);
        }
    }

    /** The array, which from now on belongs to the caller (a copy handed to the user): never pooled. */
    Object surrender() {
        pooled = false;
        return array();
    }

    static CpuStorage allocate(DType dtype, int size) {
        return allocate(dtype, size, true);
    }

    /**
     * zeroed false: the contents are unspecified (as torch.empty's), for a kernel that writes every element;
     * an array from the pool then skips its zeroing pass.
     */
    static CpuStorage allocate(DType dtype, int size, boolean zeroed) {
        Object reused = CpuArrayPool.take(dtype, size, zeroed);
        if (reused != null) {
            return pooled(reused instanceof short[] bits ? new CpuStorage(bits, dtype) : new CpuStorage(reused));
        }
        try {
            switch (dtype) {
                case FLOAT32: return pooled(new CpuStorage(new float[size]));
                case FLOAT64: return pooled(new CpuStorage(new double[size]));
                case INT64: return pooled(new CpuStorage(new long[size]));
                case BFLOAT16: case FLOAT16: return pooled(new CpuStorage(new short[size], dtype));
                default: return pooled(new CpuStorage(new boolean[size]));
            }
        } catch (OutOfMemoryError e) {
            Runtime rt = Runtime.getRuntime();
            OutOfMemoryError named = new OutOfMemoryError("cpu: out of memory allocating " + size + " " + dtype
                    + " elements (" + (long) size * dtype.byteSize() + " bytes); the JVM heap has "
                    + (rt.maxMemory() - rt.totalMemory() + rt.freeMemory()) + " of " + rt.maxMemory()
                    + " bytes free (raise it with -Xmx)");
            named.initCause(e);
            throw named;
        }
    }

    private static CpuStorage pooled(CpuStorage s) {
        s.pooled = true;
        return s;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public synchronized void bumpVersion() {
        version++;
    }
}
