package dev.kiln.distributed;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.CommunicatorProvider;
import dev.kiln.spi.Tensors;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.locks.LockSupport;

/**
 * The processes of one job and the collectives among them, as a {@code torch.distributed} process
 * group. Tensors on any device are staged through host buffers (reused across calls); each
 * collective waits at most {@link #timeout()} and then fails naming itself, this rank and the ranks
 * that are not in it (asked over a side channel), after which the group is broken. Calls are
 * serialised; every rank must issue the same collectives in the same order.
 */
public final class ProcessGroup implements AutoCloseable {
    private final String backend;
    private final Communicator communicator;
    private final Duration timeout;
    private final List<ByteBuffer> spare = new ArrayList<>(); // host staging buffers, reused
    private long sequence; // collectives started, for messages
    private String broken; // why the group can no longer be used

    private ProcessGroup(String backend, Communicator communicator, Duration timeout) {
        this.backend = backend;
        this.communicator = communicator;
        this.timeout = timeout;
    }

    /** Joins the job through the named transport ("mpi"); prefer {@link Distributed#initProcessGroup}. */
    public static ProcessGroup open(String backend, Duration timeout) {
        checkTimeout(timeout);
        List<String> names = new ArrayList<>();
        for (CommunicatorProvider p : ServiceLoader.load(CommunicatorProvider.class, ProcessGroup.class.getClassLoader())) {
            if (p.name().equals(backend)) {
                return over(backend, p.open(), timeout);
            }
            names.add(p.name());
        }
        throw new DistributedException("init_process_group: no '" + backend + "' backend on the class path (found "
                + names + "; kiln-native provides 'mpi')");
    }

    /**
     * A group over a communicator opened by the caller (a transport's own tests and benchmarks, which
     * time the transport alone beside the group on the same connection).
     */
    public static ProcessGroup over(String backend, Communicator communicator, Duration timeout) {
        checkTimeout(timeout);
        return new ProcessGroup(backend, communicator, timeout);
    }

    private static void checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("init_process_group: timeout must be positive, got " + timeout);
        }
    }

    public int rank() {
        return communicator.rank();
    }

    public int size() {
        return communicator.size();
    }

    public String backend() {
        return backend;
    }

    /** The transport and its version ("mpi: Open MPI v4.1.4"). */
    public String description() {
        return backend + ": " + communicator.description();
    }

    public Duration timeout() {
        return timeout;
    }

    /** Combines t across ranks in place; every rank ends with the result. */
    public void allReduce(Tensor t, ReduceOp op) {
        allReduceAsync(t, op).await();
    }

    /**
     * Starts an all-reduce of t, as {@code dist.all_reduce(t, async_op=True)}: t's values are read now
     * and the result written into t by {@link Work#await()}.
     */
    public Work allReduceAsync(Tensor t, ReduceOp op) {
        return allReduceCoalescedAsync(List.of(t), op);
    }

    /**
     * Starts one all-reduce of several tensors of one dtype, as {@code all_reduce_coalesced}: they
     * travel as one message (one copy each into it and out of it), and {@link Work#await()} writes
     * each one's result into it. Data-parallel training sends a bucket of gradients this way.
     */
    public synchronized Work allReduceCoalescedAsync(List<Tensor> tensors, ReduceOp op) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("all_reduce_coalesced: no tensors");
        }
        Tensor first = tensors.get(0);
        String what = tensors.size() == 1 ? describe("all_reduce", first)
                : "all_reduce_coalesced #" + (sequence + 1) + " (" + tensors.size() + " " + first.dtype() + " tensors)";
        int n = checkOneMessage(what, tensors, op);
        if (size() == 1) { // every reduction of one rank's values is those values
            return new Work(this, what, start(what, () -> () -> true), () -> { });
        }
        ByteBuffer buffer = stage(tensors, (long) n * first.dtype().byteSize());
        Communicator.Request request = start(what, () -> communicator.allReduce(buffer, n, first.dtype(),
                op == ReduceOp.AVG ? ReduceOp.SUM : op));
        return new Work(this, what, request, () -> {
            if (op == ReduceOp.AVG) {
                divide(buffer, first.dtype(), n, size());
            }
            unstage(buffer, tensors);
        });
    }

    /** Copies src's tensor into every other rank's t (same shape and dtype on every rank). */
    public void broadcast(Tensor t, int src) {
        broadcastCoalesced(List.of(t), src);
    }

    /**
     * Copies rank src's tensors (one dtype) into every other rank's, as one message, as
     * {@code _broadcast_coalesced}: how data-parallel training hands out rank 0's state.
     */
    public void broadcastCoalesced(List<Tensor> tensors, int src) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("broadcast_coalesced: no tensors");
        }
        Tensor first = tensors.get(0);
        String what = tensors.size() == 1 ? describe("broadcast", first)
                : "broadcast_coalesced #" + (sequence + 1) + " (" + tensors.size() + " " + first.dtype() + " tensors)";
        if (src < 0 || src >= size()) {
            throw new IllegalArgumentException(what + ": source rank " + src + " is not in [0, " + size() + ")");
        }
        int count = checkOneMessage(what, tensors, ReduceOp.SUM);
        Work work;
        synchronized (this) {
            ByteBuffer buffer = stage(tensors, (long) count * first.dtype().byteSize());
            Communicator.Request request = start(what, () -> communicator.broadcast(buffer, count, first.dtype(), src));
            work = new Work(this, what, request, () -> unstage(buffer, tensors));
        }
        work.await();
    }

    /** Every rank's t stacked in rank order: (size, *t.shape), on t's device. */
    public Tensor allGather(Tensor t) {
        String what = describe("all_gather", t);
        checkDType(what, t, ReduceOp.SUM);
        int[] shape = new int[t.dim() + 1];
        shape[0] = size();
        System.arraycopy(t.shape(), 0, shape, 1, t.dim());
        int total = Math.multiplyExact(t.numel(), size());
        Tensor[] out = new Tensor[1];
        Work work;
        synchronized (this) {
            ByteBuffer send = stage(t);
            ByteBuffer receive = take((long) total * t.dtype().byteSize());
            Communicator.Request request = start(what, () -> communicator.allGather(send, receive, t.numel(), t.dtype()));
            work = new Work(this, what, request, () -> {
                give(send);
                out[0] = Tensor.zeros(shape, t.dtype(), t.device());
                unstage(receive, out[0]);
            });
        }
        work.await();
        return out[0];
    }

    /** Returns once every rank has reached it. */
    public void barrier() {
        Work work;
        synchronized (this) {
            work = new Work(this, "barrier", start("barrier", communicator::barrier), () -> { });
        }
        work.await();
    }

    /** Ends every rank's process (MPI_Abort), after this rank's message has been printed. */
    public void abort(int exitCode) {
        communicator.abort(exitCode);
    }

    @Override
    public synchronized void close() {
        if (broken == null || !broken.startsWith("closed")) {
            broken = "closed";
            communicator.close();
        }
    }

    private String describe(String op, Tensor t) {
        return op + " #" + (sequence + 1) + " (" + t.dtype() + " " + Shape.str(t.shape()) + ")";
    }

    /** The elements of tensors that travel together: one dtype that can be sent, at most 2^31 - 1 of them. */
    private static int checkOneMessage(String what, List<Tensor> tensors, ReduceOp op) {
        DType dtype = tensors.get(0).dtype();
        long count = 0;
        for (Tensor t : tensors) {
            if (t.dtype() != dtype) {
                throw new IllegalArgumentException(what + ": every tensor must be " + dtype + ", got " + t.dtype());
            }
            checkDType(what, t, op);
            count += t.numel();
        }
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": " + count + " elements exceed one message (2^31 - 1)");
        }
        return (int) count;
    }

    private static void checkDType(String what, Tensor t, ReduceOp op) {
        if (t.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(what + ": bool tensors cannot be sent; convert to int64 first");
        }
        if (op == ReduceOp.AVG && !t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(what + ": AVG needs a floating-point tensor, got " + t.dtype());
        }
    }

    private Communicator.Request start(String what, java.util.function.Supplier<Communicator.Request> collective) {
        if (broken != null) {
            throw new DistributedException(what + ": the process group cannot be used: " + broken);
        }
        sequence++;
        return collective.get();
    }

    /** Waits for request on behalf of work; a timeout breaks the group. */
    synchronized void complete(String what, Communicator.Request request) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int spins = 0; !request.test(); spins++) {
            if (System.nanoTime() - deadline > 0) {
                broken = what + " timed out on rank " + rank();
                throw new DistributedException(what + " did not complete within " + seconds(timeout) + " on rank " + rank()
                        + " of " + size() + ": " + diagnose());
            }
            if (spins > 1000) {
                LockSupport.parkNanos(20_000); // waiting long: let the other threads and ranks run
            }
        }
    }

    /** Which ranks are not where this one is, from what the others answer within a grace period. */
    private String diagnose() {
        Duration grace = Duration.ofMillis(Math.max(1000, Math.min(10_000, timeout.toMillis() / 4)));
        long[] positions = communicator.exchangePositions(sequence, grace);
        List<String> silent = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (int r = 0; r < positions.length; r++) {
            if (positions[r] < 0) {
                silent.add(Integer.toString(r));
            } else if (positions[r] != sequence) {
                elsewhere.add("rank " + r + " has started " + positions[r]);
            }
        }
        List<String> said = new ArrayList<>();
        if (!silent.isEmpty()) {
            said.add((silent.size() == 1 ? "rank " : "ranks ") + String.join(", ", silent) + " did not answer within "
                    + seconds(grace) + " (hung, dead, or busy outside the collectives)");
        }
        if (!elsewhere.isEmpty()) {
            said.add(String.join(", ", elsewhere) + " collectives where this rank has started " + sequence
                    + " (the ranks issued different collectives)");
        }
        return said.isEmpty() ? "every rank answered from the same collective (the transport itself is stuck)"
                : String.join("; ", said);
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + " s";
    }

    /** t's values in a staging buffer, in the dtype's native layout, positioned at 0. */
    private ByteBuffer stage(Tensor t) {
        return stage(List.of(t), (long) t.numel() * t.dtype().byteSize());
    }

    /** The tensors' values one after another in a staging buffer of bytes, positioned at 0. */
    private ByteBuffer stage(List<Tensor> tensors, long bytes) {
        ByteBuffer b = take(bytes);
        for (Tensor t : tensors) {
            Backends.of(t.device()).copyToBuffer(Tensors.array(t), b);
        }
        return b.rewind();
    }

    /** Writes the buffer's values into t, in place and outside autograd; the buffer goes back to the spares. */
    private void unstage(ByteBuffer b, Tensor t) {
        unstage(b, List.of(t));
    }

    /** Writes consecutive slices of the buffer into the tensors; the buffer goes back to the spares. */
    private void unstage(ByteBuffer b, List<Tensor> tensors) {
        b.rewind();
        for (Tensor t : tensors) {
            Backends.of(t.device()).copyFromBuffer(b, Tensors.array(t));
        }
        give(b);
    }

    /** AVG as sum / n, element by element, as PyTorch divides the sum. */
    private static void divide(ByteBuffer b, DType dtype, int count, int n) {
        if (dtype == DType.FLOAT32) {
            FloatBuffer f = b.asFloatBuffer();
            for (int i = 0; i < count; i++) {
                f.put(i, f.get(i) / n);
            }
        } else {
            DoubleBuffer d = b.asDoubleBuffer();
            for (int i = 0; i < count; i++) {
                d.put(i, d.get(i) / n);
            }
        }
    }

    private synchronized ByteBuffer take(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("process group: " + bytes + " bytes exceed one staging buffer (2 GiB)");
        }
        for (Iterator<ByteBuffer> it = spare.iterator(); it.hasNext(); ) {
            ByteBuffer b = it.next();
            if (b.capacity() >= bytes) {
                it.remove();
                return b.clear().limit((int) bytes);
            }
        }
        return ByteBuffer.allocateDirect((int) Math.max(bytes, 1)).order(ByteOrder.nativeOrder()).limit((int) bytes);
    }

    private synchronized void give(ByteBuffer b) {
        spare.add(b);
    }
}
