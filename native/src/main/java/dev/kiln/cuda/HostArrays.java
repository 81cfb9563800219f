package dev.kiln.cuda;

import dev.kiln.DType;

/** Java arrays as copied to and from the device (bool travels as one byte per element). */
final class HostArrays {
    private HostArrays() {
    }

    static DType dtype(Object array) {
        if (array instanceof float[]) {
            return DType.FLOAT32;
        } else if (array instanceof double[]) {
            return DType.FLOAT64;
        } else if (array instanceof long[]) {
            return DType.INT64;
        } else if (array instanceof boolean[]) {
            return DType.BOOL;
        }
        throw new IllegalArgumentException("cuda storage: unsupported array type "
                + (array == null ? "null" : array.getClass().getSimpleName()) + " (expected float[], double[], long[] or boolean[])");
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
