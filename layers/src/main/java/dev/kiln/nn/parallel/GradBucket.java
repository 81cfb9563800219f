package dev.kiln.nn.parallel;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.Reduction;
import dev.kiln.distributed.Work;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Gradients of some parameters (one dtype, in the order backward produces them) averaged across
 * ranks as one flat tensor: {@link #launch} starts the all-reduce, {@link #finish} waits for it and
 * writes each parameter's slice back into its gradient.
 */
final class GradBucket {
    final int index;
    final List<Integer> members = new ArrayList<>(); // parameter indices
    private final List<Tensor> params;
    private final DType dtype;
    private Tensor flat; // (sum of the members' numel), while in flight
    private Work work;

    GradBucket(int index, List<Tensor> params, DType dtype) {
        this.index = index;
        this.params = params;
        this.dtype = dtype;
    }

    DType dtype() {
        return dtype;
    }

    long bytes() {
        long n = 0;
        for (int i : members) {
            n += (long) params.get(i).numel() * dtype.byteSize();
        }
        return n;
    }

    boolean inFlight() {
        return work != null;
    }

    /** Starts averaging the members' gradients (zeros for a member without one). */
    void launch(ProcessGroup group) {
        List<Tensor> grads = new ArrayList<>(members.size());
        for (int i : members) {
            Tensor p = params.get(i);
            grads.add(p.grad() != null ? p.grad() : Tensor.zeros(p.shape(), dtype, p.device()));
        }
        flat = Coalesced.flatten(grads, dtype);
        work = group.allReduceAsync(flat, Reduction.AVG);
    }

    /** Lets the transport progress the all-reduce without waiting for it. */
    void poll() {
        if (work != null) {
            work.isCompleted();
        }
    }

    /**
     * Waits for the all-reduce and writes the averages into the members' gradients; members for which
     * {@code keep} is false (unused on every rank) are left as they are.
     */
    void finish(IntPredicate keep) {
        work.await();
        int offset = 0;
        for (int i : members) {
            Tensor p = params.get(i);
            Tensor average = flat.narrow(0, offset, p.numel()).view(p.shape());
            offset += p.numel();
            if (!keep.test(i)) {
                continue;
            }
            if (p.grad() == null) {
                p.autogradMeta().setGrad(average.clone());
            } else {
                Coalesced.unflatten(average.reshape(-1), List.of(p.grad()));
            }
        }
        flat = null;
        work = null;
    }
}
