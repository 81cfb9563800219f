package dev.kiln.cuda;

import dev.kiln.DType;

/** Java arrays as copied to and from the device (bool travels as one byte per element). */
final class HostArrays {
    private HostArrays() {
    }

    /** Refuses an array that does not hold dtype's elements, and the dtypes the cuda backend has no kernels for. */
    static void check(Object array, DType dtype) {
        unsupported(dtype);
        DType held;
        if (array instanceof float[]) {
            held = DType.FLOAT32;
        } else if (array instanceof double[]) {
            held = DType.FLOAT64;
        } else if (array instanceof long[]) {
            held = DType.INT64;
        } else if (array instanceof boolean[]) {
            held = DType.BOOL;
        } else {
            throw new IllegalArgumentException("cuda storage: unsupported array type "
                    + (array == null ? "null" : array.getClass().getSimpleName()) + " (expected float[], double[], long[] or boolean[])");
        }
        if (held != dtype) {
            throw new IllegalArgumentException("cuda storage: a " + array.getClass().getSimpleName() + " holds " + held
                    + " elements, not " + dtype);
        }
    }

    /** bfloat16 and float16 run on the cpu only so far: a clear refusal before any device memory is taken. */
    static void unsupported(DType dtype) {
        if (dtype.isHalf()) {
            throw new UnsupportedOperationException("cuda: " + dtype + " tensors are not supported on cuda devices yet"
                    + " (the cpu computes them); convert with .to(DType.FLOAT32) first");
        }
    }

    static Object allocate(DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: return new float[n];
            case FLOAT64: return new double[n];
            case INT64: return new long[n];
            default: return new byte[n];
        }
    }

    static byte[] toBytes(boolean[] b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) (b[i] ? 1 : 0);
        }
        return out;
    }

    static boolean[] toBooleans(byte[] b) {
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] != 0;
        }
        return out;
    }
}
