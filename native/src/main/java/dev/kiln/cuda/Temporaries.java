package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Tensor;
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
    private final List<Tensor> made = new ArrayList<>();
    private CopyLauncher copies;

    Temporaries(CudaContext context) {
        this.context = context;
    }

    /** A new uninitialised tensor, freed on close. */
    Tensor empty(int[] shape, DType dtype) {
        return keep(Launcher.newTensor(context, shape, dtype));
    }

    /** x itself when contiguous, else a contiguous copy freed on close. */
    Tensor contiguous(Tensor x) {
        if (x.isContiguous()) {
            return x;
        }
        if (copies == null) {
            copies = new CopyLauncher(context);
        }
        return keep(copies.contiguous(x));
    }

    private Tensor keep(Tensor t) {
        made.add(t);
        return t;
    }

    @Override
    public void close() {
        made.forEach(Tensor::close);
    }
}
