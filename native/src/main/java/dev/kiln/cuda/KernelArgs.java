package dev.kiln.cuda;

import dev.kiln.spi.NdArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's arguments in parameter order, each as the little-endian bytes the kernel's parameter
 * holds (a device pointer is its 8-byte address; a struct its bytes as laid out in the .cu file).
 * Both devices take exactly these bytes, so a size mismatch is caught on cuda-emu before a GPU.
 */
public final class KernelArgs {
    private final List<byte[]> values = new ArrayList<>();
    /** The tensors passed, which {@link Launcher#launch} checks against {@link KernelLimits}. */
    private final List<NdArray> views = new ArrayList<>();

    public KernelArgs ptr(long address) {
        return i64(address);
    }

    /** The address of view's first element. */
    KernelArgs ptr(NdArray view) {
        views.add(view);
        return ptr(Launcher.address(view));
    }

    /** {@link #ptr(NdArray)}, or a null pointer for a null view. */
    KernelArgs ptrOrNull(NdArray view) {
        return view == null ? ptr(0) : ptr(view);
    }

    public KernelArgs i32(int v) {
        return add(buffer(4).putInt(v));
    }

    public KernelArgs i64(long v) {
        return add(buffer(8).putLong(v));
    }

    public KernelArgs f32(float v) {
        return add(buffer(4).putFloat(v));
    }

    public KernelArgs f64(double v) {
        return add(buffer(8).putDouble(v));
    }

    /** A struct passed by value, already laid out (e.g. {@link #ints}, {@link ConvGeom#bytes}). */
    public KernelArgs bytes(byte[] struct) {
        values.add(struct.clone());
        return this;
    }

    /** The bytes of a struct of ints declared in this order. */
    static byte[] ints(int... fields) {
        ByteBuffer b = buffer(4 * fields.length);
        for (int f : fields) {
            b.putInt(f);
        }
        return b.array();
    }

    List<NdArray> views() {
        return views;
    }

    List<byte[]> values() {
        return values;
    }

    int[] sizes() {
        return values.stream().mapToInt(v -> v.length).toArray();
    }

    byte[] packed() {
        ByteBuffer b = ByteBuffer.allocate(values.stream().mapToInt(v -> v.length).sum());
        values.forEach(b::put);
        return b.array();
    }

    private static ByteBuffer buffer(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private KernelArgs add(ByteBuffer b) {
        values.add(b.array());
        return this;
    }
}
