package dev.kiln;

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

    /** The i-th CUDA device; using it fails with the reason when no CUDA backend can serve it. */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("cuda: device index must be >= 0, got " + index);
        }
        return new Device(Type.CUDA, index);
    }

    public static Device cuda() {
        return cuda(0);
    }

    /** Parses {@code cpu}, {@code cuda}, {@code cuda:1}, {@code cuda-emu:0}. */
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
                return t == Type.CPU ? CPU : new Device(t, index);
            }
        }
        throw new IllegalArgumentException("device: unknown device '" + spec + "' (valid: cpu, cuda, cuda:N, cuda-emu:N)");
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
