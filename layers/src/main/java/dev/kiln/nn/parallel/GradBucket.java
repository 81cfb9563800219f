package dev.kiln.nn.parallel;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.distributed.Work;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Gradients of some parameters (one dtype, in the order backward produces them) averaged across
 * ranks as one message: {@link #launch} starts the coalesced all-reduce, reading the gradients;
 * {@link #finish} waits for it, which writes the averages back into them.
 */
final class GradBucket {
    final int index;
    final List<Integer> members = new ArrayList<>(); // parameter indices
    private final List<Tensor> params;
    private final DType dtype;
    private List<Tensor> grads; // while in flight: each member's gradient, or zeros for a member without one
    private Work work;

    GradBucket(int index, List<Tensor> params, DType dtype) {
        this.index = index;
        this.params = params;
        this.dtype = dtype;
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
        grads = new ArrayList<>(members.size());
        for (int i : members) {
            Tensor p = params.get(i);
            grads.add(p.grad() != null ? p.grad() : Tensor.zeros(p.shape(), dtype, p.device()));
        }
        work = group.allReduceCoalescedAsync(grads, ReduceOp.AVG);
    }

    /** Lets the transport progress the all-reduce without waiting for it. */
    void poll() {
        if (work != null) {
            work.isCompleted();
        }
    }

    /**
     * Waits for the all-reduce, which writes the averages into the gradients; a member without a
     * gradient gets the average as its gradient when {@code keep} says some rank used it.
     */
    void finish(IntPredicate keep) {
        work.await();
        for (int k = 0; k < members.size(); k++) {
            Tensor p = params.get(members.get(k));
            if (p.grad() == null && keep.test(members.get(k))) {
                p.setGrad(grads.get(k));
            }
        }
        grads = null;
        work = null;
    }
}
