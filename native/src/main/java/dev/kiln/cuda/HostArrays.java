package dev.kiln.cuda;

import dev.kiln.DType;

/** Java arrays as copied to and from the device (bool travels as one byte per element). */
final class HostArrays {
    private HostArrays() {
    }

    /** Refuses an array that does not hold dtype's elements (a short[] holds bfloat16 or float16 bits). */
    static void check(Object array, DType dtype) {
        DType held;
        if (array instanceof float[]) {
            held = DType.FLOAT32;
        } else if (array instanceof double[]) {
            held = DType.FLOAT64;
        } else if (array instanceof long[]) {
            held = DType.INT64;
        } else if (array instanceof boolean[]) {
            held = DType.BOOL;
        } else if (array instanceof short[]) {
            held = dtype.isHalf() ? dtype : DType.BFLOAT16;
        } else {
            throw new IllegalArgumentException("cuda storage: unsupported array type "
                    + (array == null ? "null" : array.getClass().getSimpleName())
                    + " (expected float[], double[], short[], long[] or boolean[])");
        }
        if (held != dtype) {
            throw new IllegalArgumentException("cuda storage: a " + array.getClass().getSimpleName() + " holds " + held
                    + " elements, not " + dtype);
        }
    }

    static Object allocate(DType dtype, int n) {
        switch (dtype) {
            case FLOAT32: return new float[n];
            case FLOAT64: return new double[n];
            case INT64: return new long[n];
            case BFLOAT16: case FLOAT16: return new short[n];
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
