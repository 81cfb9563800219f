package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/** What every kernel-family launcher shares: the device, new outputs, grid sizes and the launch. */
abstract class Launcher {
    static final int BLOCK = 256;
    /** Grid-stride kernels need no more blocks than this to fill a GPU. */
    static final int MAX_GRID = 4096;

    final CudaContext context;

    Launcher(CudaContext context) {
        this.context = context;
    }

    NdArray newArray(int[] shape, DType dtype) {
        return newArray(context, shape, dtype);
    }

    static NdArray newArray(CudaContext context, int[] shape, DType dtype) {
        return NdArray.of(new CudaStorage(context, dtype, dev.kiln.Shape.numel(shape)), shape);
    }

    /** Where a launch makes its copies and workspaces: {@code try (Temporaries tmp = temporaries()) ...}. */
    Temporaries temporaries() {
        return new Temporaries(context);
    }

    static long address(NdArray t) {
        return ((CudaStorage) t.storage()).address(t.storageOffset());
    }

    static Dim3 gridFor(long n, int block) {
        return Dim3.of((int) Math.max(1, Math.min(MAX_GRID, (n + block - 1) / block)));
    }

    /** The 16-byte packs that n elements of dtype fill (kernels/kpack.cuh): the threads a *_contig kernel needs. */
    static long packs(long n, DType dtype) {
        long perPack = 16 / dtype.byteSize();
        return (n + perPack - 1) / perPack;
    }

    void launch(String family, DType dtype, String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        DeviceApi api = context.api();
        if (block.count() > api.maxThreadsPerBlock() || sharedBytes > api.maxSharedBytesPerBlock()) {
            throw new IllegalStateException(kernel + ": block " + block + " with " + sharedBytes
                    + " bytes of shared memory exceeds the limits of " + api.name());
        }
        KernelLimits.checkGrid(kernel, grid);
        long step = (long) grid.x() * block.x();   // the longest step of a grid-stride loop
        for (NdArray v : args.views()) {
            KernelLimits.checkView(kernel, v, step);
        }
        api.launch(context.kernel(KernelLayout.module(family, dtype), kernel), grid, block, sharedBytes, args, context.stream().handle());
    }

    /**
     * Runs a check kernel over n positions whose last argument is a flag it raises to n - (a bad
     * position) with atomicMax; returns the first bad position (row-major), or -1 when there is none.
     * Reads back 8 bytes, so it waits for the stream.
     */
    int firstFlagged(String family, String kernel, int n, KernelArgs args) {
        try (Temporaries tmp = temporaries()) {
            long at = address(tmp.empty(new int[] {1}, DType.INT64));
            Object stream = context.stream().handle();
            context.api().memset(at, 0, 8, stream);
            launch(family, DType.INT64, kernel, gridFor(n, BLOCK), Dim3.of(BLOCK), 0, args.ptr(at));
            long[] bad = new long[1];
            context.api().copyToHost(bad, 0, at, 8, stream);
            return bad[0] == 0 ? -1 : n - (int) bad[0];
        }
    }

    UnsupportedOperationException unsupported(String op, Object what) {
        return new UnsupportedOperationException(op + ": not implemented by the " + context.device().type()
                + " backend for " + what);
    }
}
