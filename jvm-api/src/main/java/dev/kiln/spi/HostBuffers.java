package dev.kiln.spi;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.nio.ByteBuffer;

/** Java arrays and tensors to and from the direct buffers collectives send (native byte order). */
final class HostBuffers {
    private HostBuffers() {
    }

    /** Appends a float[], double[] or long[] at dst's position, advancing it. */
    static void put(ByteBuffer dst, Object array) {
        int at = dst.position();
        int bytes;
        if (array instanceof float[] f) {
            dst.asFloatBuffer().put(f);
            bytes = f.length * Float.BYTES;
        } else if (array instanceof double[] d) {
            dst.asDoubleBuffer().put(d);
            bytes = d.length * Double.BYTES;
        } else if (array instanceof long[] l) {
            dst.asLongBuffer().put(l);
            bytes = l.length * Long.BYTES;
        } else {
            throw new IllegalArgumentException("collectives send float32, float64 and int64 tensors, got "
                    + array.getClass().getSimpleName());
        }
        dst.position(at + bytes);
    }

    /** The elements at src's position as a new CPU tensor of shape, advancing src. */
    static Tensor tensor(ByteBuffer src, DType dtype, int[] shape) {
        int n = Shape.numel(shape);
        int at = src.position();
        Tensor out = switch (dtype) {
            case FLOAT32 -> {
                float[] a = new float[n];
                src.asFloatBuffer().get(a);
                yield Tensor.fromArray(a, shape);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                src.asDoubleBuffer().get(a);
                yield Tensor.fromArray(a, shape);
            }
            case INT64 -> {
                long[] a = new long[n];
                src.asLongBuffer().get(a);
                yield Tensor.fromArray(a, shape);
            }
            default -> throw new IllegalArgumentException("collectives send float32, float64 and int64 tensors, got " + dtype);
        };
        src.position(at + n * dtype.byteSize());
        return out;
    }
}
