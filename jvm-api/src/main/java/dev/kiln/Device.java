package dev.kiln;

import dev.kiln.spi.Backends;
import java.util.Objects;

/**
 * Where a tensor's storage lives: {@code cpu}, {@code cuda:i}, or {@code cuda-emu:i} (the CUDA
 * kernels run on the CPU by the emulated device, for machines without a GPU).
 */
public final class Device {
    public enum Type {
        CPU("cpu"), CUDA("cuda"), CUDA_EMU("cuda-emu");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    public static final Device CPU = new Device(Type.CPU, 0);

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    public static Device cpu() {
        return CPU;
    }

    /**
     * The i-th CUDA device. Throws, saying why, when it cannot be used: kiln-native is not on the
     * class path, or its backend reports no libcuda.so.1, no such GPU or a driver too old. There is
     * never a silent fallback; {@link #isAvailable(Type, int)} asks without throwing.
     */
    public static Device cuda(int index) {
        return of(Type.CUDA, index);
    }

    public static Device cuda() {
        return cuda(0);
    }

    /** Whether device {@code index} of {@code type} can be used here, as torch.cuda.is_available; {@link #of} says why not. */
    public static boolean isAvailable(Type type, int index) {
        return Backends.isAvailable(type, index);
    }

    /**
     * Device {@code index} of {@code type} ({@code cpu} has only index 0). A CUDA or emulated device is
     * checked here, through its backend, so the error ({@link DeviceUnavailableException}) surfaces where
     * the device is chosen, not at first use.
     */
    public static Device of(Type type, int index) {
        if (index < 0 || type == Type.CPU && index != 0) {
            throw new IllegalArgumentException("device: " + type + " index must be " + (type == Type.CPU ? "0" : ">= 0")
                    + ", got " + index);
        }
        if (type == Type.CPU) {
            return CPU;
        }
        Device d = new Device(type, index);
        Backends.of(d);   // throws DeviceUnavailableException, saying why, when it cannot be used
        return d;
    }

    /** Parses {@code cpu}, {@code cuda}, {@code cuda:1}, {@code cuda-emu:0}; a CUDA device is checked as by {@link #cuda(int)}. */
    public static Device parse(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = s.lastIndexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        int index = 0;
        if (colon >= 0) {
            try {
                index = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device: bad index in '" + spec + "' (expected e.g. cuda:0)");
            }
        }
        for (Type t : Type.values()) {
            if (t.label.equals(kind)) {
                return t == Type.CPU ? CPU : of(t, index);
            }
        }
        throw new IllegalArgumentException("device: unknown device '" + spec + "' (valid: cpu, cuda, cuda:N, cuda-emu:N)");
    }

    /** This device's memory counters, as torch.cuda.memory_stats (the JVM heap's for the CPU). */
    public MemoryStats memoryStats() {
        return Backends.of(this).memoryStats();
    }

    /** What this device reports of itself, as torch.cuda.get_device_properties: name, multiprocessors, peaks. */
    public DeviceProperties properties() {
        return Backends.of(this).properties();
    }

    public Type type() {
        return type;
    }

    public int index() {
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, index);
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : type + ":" + index;
    }
}
