package dev.kiln.cpu;

import dev.kiln.spi.NdArray;
import java.nio.ByteBuffer;

/**
 * Tensors to and from the direct buffers collectives send: one bulk copy between the storage's array
 * and the buffer (a strided view is made contiguous first, or written through a contiguous copy).
 */
final class CpuStaging {
    private CpuStaging() {
    }

    static void copyToBuffer(NdArray x, ByteBuffer dst) {
        NdArray c = CpuElementwise.asContiguous(x);
        Object a = CpuStorage.array(c);
        int from = c.storageOffset();
        int n = c.numel();
        int at = dst.position();
        if (a instanceof float[] f) {
            dst.asFloatBuffer().put(f, from, n);
        } else if (a instanceof double[] d) {
            dst.asDoubleBuffer().put(d, from, n);
        } else if (a instanceof long[] l) {
            dst.asLongBuffer().put(l, from, n);
        } else {
            throw new IllegalArgumentException("collectives send float32, float64 and int64 tensors, got " + x.dtype());
        }
        dst.position(at + n * x.dtype().byteSize());
    }

    static void copyFromBuffer(ByteBuffer src, NdArray dst) {
        NdArray c = dst.isContiguous() ? dst : CpuElementwise.contiguous(dst);
        Object a = CpuStorage.array(c);
        int from = c.storageOffset();
        int n = c.numel();
        int at = src.position();
        if (a instanceof float[] f) {
            src.asFloatBuffer().get(f, from, n);
        } else if (a instanceof double[] d) {
            src.asDoubleBuffer().get(d, from, n);
        } else if (a instanceof long[] l) {
            src.asLongBuffer().get(l, from, n);
        } else {
            throw new IllegalArgumentException("collectives receive float32, float64 and int64 tensors, got " + dst.dtype());
        }
        src.position(at + n * dst.dtype().byteSize());
        if (c != dst) {
            CpuElementwise.copyInto(dst, c);
        }
        dst.storage().bumpVersion();
    }
}
