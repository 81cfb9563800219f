package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * The copies and workspaces one launch needs, freed together when it is closed. The free is
 * stream-ordered: the memory returns to the allocator for work queued after the launch, so closing
 * right after queueing is safe. Every launcher makes its temporaries here (try-with-resources);
 * none is left to the garbage collector.
 */
final class Temporaries implements AutoCloseable {
    private final CudaContext context;
    private final List<Storage> made = new ArrayList<>();
    private CopyLauncher copies;

    Temporaries(CudaContext context) {
        this.context = context;
    }

    /** A new uninitialised array, freed on close. */
    NdArray empty(int[] shape, DType dtype) {
        return keep(Launcher.newArray(context, shape, dtype));
    }

    /** x itself when contiguous, else a contiguous copy freed on close. */
    NdArray contiguous(NdArray x) {
        if (x.isContiguous()) {
            return x;
        }
        if (copies == null) {
            copies = new CopyLauncher(context);
        }
        return keep(copies.contiguous(x));
    }

    private NdArray keep(NdArray t) {
        made.add(t.storage());
        return t;
    }

    @Override
    public void close() {
        made.forEach(Storage::release);
    }
}
