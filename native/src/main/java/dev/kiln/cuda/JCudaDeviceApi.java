package dev.kiln.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventQuery;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import dev.kiln.kernels.Fatbins;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * A GPU through the JCuda driver API: its primary context, streams, events, fatbin modules. Copies
 * from and to Java arrays cannot be asynchronous (the garbage collector may move an array), so they
 * wait for their stream and then copy synchronously on the legacy default stream; streams are
 * created blocking (CU_STREAM_DEFAULT), so their later work is ordered after such a copy.
 */
final class JCudaDeviceApi implements DeviceApi {
    /** CUDA 12.0: the oldest driver the fatbins (built by nvcc 13 for sm_80/sm_90) are meant for. */
    private static final int MIN_DRIVER = 12000;

    private final String name;
    private final CUcontext context = new CUcontext();
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final int maxThreads;
    private final int maxShared;
    private final int multiprocessors;
    private final int maxThreadsPerMultiprocessor;
    private final double specMemoryBandwidth;
    private final double specFloat32Flops;
    /** Pinned buffers from cuMemHostAlloc and their pointers (by identity: a ByteBuffer's equals compares contents). */
    private final Map<ByteBuffer, Pointer> pinned = new IdentityHashMap<>();

    /** A device pointer whose raw address can be read (kernels take addresses as 8 bytes). */
    private static final class DevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    private JCudaDeviceApi(int index) {
        this.name = "cuda:" + index;
        CUdevice device = new CUdevice();
        check(cuDeviceGet(device, index), "cuDeviceGet");
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        maxThreads = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, device);
        maxShared = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, device);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        maxThreadsPerMultiprocessor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, device);
        // kHz and bits; two transfers per clock
        specMemoryBandwidth = 2.0 * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, device) * 1e3
                * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, device) / 8;
        int major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        int minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        // kHz; two FLOPs per fused multiply-add
        specFloat32Flops = 2.0 * multiprocessors * float32LanesPerMultiprocessor(major, minor)
                * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE, device) * 1e3;
    }

    /**
     * float32 FMA units per SM: 64 on sm_70 to sm_80 (V100, T4, A100), 128 on sm_86 and later (A10, L4, H100,
     * B200) — the CUDA C++ Programming Guide's throughput table. The fatbins need sm_80 or later.
     */
    static int float32LanesPerMultiprocessor(int major, int minor) {
        return major < 8 || major == 8 && minor == 0 ? 64 : 128;
    }

    /** Device {@code index}, or a {@link CudaUnavailableException} that says why it cannot be used. */
    static JCudaDeviceApi open(int index) {
        String device = "cuda:" + index;
        try {
            int r = cuInit(0);
            if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
                throw new CudaUnavailableException(device + ": the CUDA driver is installed but reports no GPU", null);
            }
            if (r == CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH) {
                throw new CudaUnavailableException(device + ": libcuda.so.1 and the loaded NVIDIA kernel module are of "
                        + "different driver versions (reboot or reinstall the driver)", null);
            }
            if (r != CUresult.CUDA_SUCCESS) {
                throw new CudaUnavailableException(device + ": cuInit failed: " + CUresult.stringFor(r), null);
            }
            int[] version = new int[1];
            cuDriverGetVersion(version);
            if (version[0] < MIN_DRIVER) {
                throw new CudaUnavailableException(device + ": the CUDA driver supports CUDA " + version[0] / 1000 + "."
                        + version[0] % 1000 / 10 + "; Kiln needs 12.0 or newer", null);
            }
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (index >= count[0]) {
                throw new CudaUnavailableException(device + ": no such GPU (" + count[0] + " present)", null);
            }
            return new JCudaDeviceApi(index);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            // JCuda's class fails once with the loader's report, then with NoClassDefFoundError: keep the first.
            synchronized (JCudaDeviceApi.class) {
                if (driverMissing == null) {
                    driverMissing = loaderReason(e.getMessage());
                }
            }
            throw new CudaUnavailableException(device + ": no CUDA driver: libcuda.so.1 (needed by JCuda's "
                    + "libJCudaDriver) could not be loaded: " + driverMissing, e);
        }
    }

    private static String driverMissing;

    /** The line of JCuda's loader report that names libcuda, else its first line. */
    private static String loaderReason(String report) {
        String text = report == null ? "(no message)" : report;
        return text.lines().filter(l -> l.contains("libcuda")).findFirst().orElse(text.lines().findFirst().orElse(text)).trim();
    }

    private int attribute(int attribute, CUdevice device) {
        int[] v = new int[1];
        check(cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute");
        return v[0];
    }

    private void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(name + ": " + call + " failed: " + CUresult.stringFor(result));
        }
    }

    /** The calling thread may not have the context current yet. */
    private void current() {
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    private static Pointer host(Object array, long byteOffset) {
        Pointer p;
        if (array instanceof float[] f) {
            p = Pointer.to(f);
        } else if (array instanceof double[] d) {
            p = Pointer.to(d);
        } else if (array instanceof long[] l) {
            p = Pointer.to(l);
        } else if (array instanceof short[] h) {
            p = Pointer.to(h);
        } else if (array instanceof ByteBuffer b) {
            p = Pointer.to(b.duplicate().clear()); // from the buffer's start, whatever its position: byteOffset says where
        } else {
            p = Pointer.to((byte[]) array);
        }
        return p.withByteOffset(byteOffset);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long malloc(long bytes) {
        current();
        DevicePointer p = new DevicePointer();
        int r = cuMemAlloc(p, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return 0;
        }
        check(r, "cuMemAlloc(" + bytes + ")");
        return p.address();
    }

    @Override
    public void free(long address) {
        current();
        check(cuMemFree(at(address)), "cuMemFree");
    }

    @Override
    public void copyToDevice(long dst, Object array, long byteOffset, long bytes, Object stream) {
        synchronizeStream(stream);
        check(cuMemcpyHtoD(at(dst), host(array, byteOffset), bytes), "cuMemcpyHtoD");
    }

    @Override
    public void copyToHost(Object array, long byteOffset, long src, long bytes, Object stream) {
        synchronizeStream(stream);
        check(cuMemcpyDtoH(host(array, byteOffset), at(src), bytes), "cuMemcpyDtoH");
    }

    @Override
    public synchronized ByteBuffer allocatePinned(long bytes) {
        current();
        Pointer p = new Pointer();
        int r = cuMemHostAlloc(p, bytes, 0);
        if (r != CUresult.CUDA_SUCCESS) { // pinned memory is scarce on some hosts: a pageable buffer still works
            return DeviceApi.super.allocatePinned(bytes);
        }
        ByteBuffer b = p.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        pinned.put(b, p);
        return b;
    }

    @Override
    public synchronized void freePinned(ByteBuffer buffer) {
        Pointer p = pinned.remove(buffer);
        if (p != null) {
            current();
            check(cuMemFreeHost(p), "cuMemFreeHost");
        }
    }

    @Override
    public void copyToDeviceAsync(long dst, ByteBuffer buffer, long bytes, Object stream) {
        current();
        check(cuMemcpyHtoDAsync(at(dst), Pointer.to(buffer.duplicate().clear()), bytes, (CUstream) stream), "cuMemcpyHtoDAsync");
    }

    @Override
    public void memset(long dst, int value, long bytes, Object stream) {
        current();
        check(cuMemsetD8Async(at(dst), (byte) value, bytes, (CUstream) stream), "cuMemsetD8Async");
    }

    @Override
    public Kernel kernel(String module, String kernelName) {
        CUmodule m = modules.computeIfAbsent(module, this::load);
        CUfunction f = new CUfunction();
        check(cuModuleGetFunction(f, m, kernelName), "cuModuleGetFunction(" + kernelName + ")");
        return new Kernel(module, kernelName, f);
    }

    private CUmodule load(String module) {
        byte[] fatbin = Fatbins.read(module).orElseThrow(() -> new IllegalStateException(name + ": kernel module " + module
                + " is not in kiln-kernels (it was built without nvcc)"));
        current();
        CUmodule m = new CUmodule();
        check(cuModuleLoadData(m, fatbin), "cuModuleLoadData(" + module + ")");
        return m;
    }

    @Override
    public void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args, Object stream) {
        current();
        Pointer[] params = args.values().stream().map(Pointer::to).toArray(Pointer[]::new);
        check(cuLaunchKernel((CUfunction) kernel.handle(), grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, (CUstream) stream, Pointer.to(params), null), "cuLaunchKernel(" + kernel.name() + ")");
    }

    @Override
    public void synchronize() {
        current();
        check(cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public Object createStream() {
        current();
        CUstream s = new CUstream();
        check(cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
        return s;
    }

    @Override
    public void destroyStream(Object stream) {
        current();
        check(cuStreamDestroy((CUstream) stream), "cuStreamDestroy");
    }

    @Override
    public void synchronizeStream(Object stream) {
        current();
        check(cuStreamSynchronize((CUstream) stream), "cuStreamSynchronize");
    }

    @Override
    public Object createEvent(boolean timing) {
        current();
        CUevent e = new CUevent();
        check(cuEventCreate(e, timing ? CUevent_flags.CU_EVENT_DEFAULT : CUevent_flags.CU_EVENT_DISABLE_TIMING),
                "cuEventCreate");
        return e;
    }

    @Override
    public void destroyEvent(Object event) {
        current();
        check(cuEventDestroy((CUevent) event), "cuEventDestroy");
    }

    @Override
    public void recordEvent(Object event, Object stream) {
        current();
        check(cuEventRecord((CUevent) event, (CUstream) stream), "cuEventRecord");
    }

    @Override
    public void streamWaitEvent(Object stream, Object event) {
        current();
        check(cuStreamWaitEvent((CUstream) stream, (CUevent) event, 0), "cuStreamWaitEvent");
    }

    @Override
    public boolean eventComplete(Object event) {
        current();
        int r = cuEventQuery((CUevent) event);
        if (r == CUresult.CUDA_ERROR_NOT_READY) {
            return false;
        }
        check(r, "cuEventQuery");
        return true;
    }

    @Override
    public void synchronizeEvent(Object event) {
        current();
        check(cuEventSynchronize((CUevent) event), "cuEventSynchronize");
    }

    @Override
    public float elapsedMillis(Object start, Object end) {
        current();
        float[] ms = new float[1];
        check(cuEventElapsedTime(ms, (CUevent) start, (CUevent) end), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public int maxThreadsPerBlock() {
        return maxThreads;
    }

    @Override
    public int maxSharedBytesPerBlock() {
        return maxShared;
    }

    @Override
    public int multiprocessorCount() {
        return multiprocessors;
    }

    @Override
    public int maxThreadsPerMultiprocessor() {
        return maxThreadsPerMultiprocessor;
    }

    @Override
    public double specMemoryBandwidth() {
        return specMemoryBandwidth;
    }

    @Override
    public double specFloat32Flops() {
        return specFloat32Flops;
    }
}
