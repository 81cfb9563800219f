package dev.kiln;

import dev.kiln.graph.Op;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts, while open, the multiply-adds of the matmul-like ops this thread runs (matmul, conv2d and
 * its two backward primitives, attention forward and backward) and the bytes of the new tensors the
 * differentiable ops return, as torch.utils.flop_counter.FlopCounterMode; elementwise ops, reductions
 * and views count no multiply-adds, and non-differentiable results (comparisons, argmax) no bytes.
 * Counters nest: an op counts in every open counter of its thread.
 * <pre>{@code try (FlopCounter c = FlopCounter.open()) { model.forward(x); } c.macs(); }</pre>
 */
public final class FlopCounter implements AutoCloseable {
    private static final ThreadLocal<FlopCounter> INNERMOST = new ThreadLocal<>();
    /** Counters open on any thread: the op path reads only this while none is. */
    private static volatile int open;

    private final FlopCounter outer;
    private final Map<String, Long> macsByOp = new TreeMap<>();
    private long macs;
    private long outputBytes;
    private boolean closed;

    private FlopCounter(FlopCounter outer) {
        this.outer = outer;
    }

    public static FlopCounter open() {
        FlopCounter c = new FlopCounter(INNERMOST.get());
        INNERMOST.set(c);
        synchronized (FlopCounter.class) {
            open++;
        }
        return c;
    }

    /** Multiply-adds counted. */
    public long macs() {
        return macs;
    }

    /** Floating-point operations, two per multiply-add (the convention of FlopCounterMode and roofline plots). */
    public long flops() {
        return 2 * macs;
    }

    /** Bytes of the tensors the ops returned that do not share an input's storage (views are free). */
    public long outputBytes() {
        return outputBytes;
    }

    /** Multiply-adds per op name (ops with none are left out). */
    public Map<String, Long> macsByOp() {
        return Collections.unmodifiableMap(macsByOp);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (INNERMOST.get() != this) {
            throw new IllegalStateException("FlopCounter: counters must be closed innermost first, on the thread that opened them");
        }
        closed = true;
        INNERMOST.set(outer);
        synchronized (FlopCounter.class) {
            open--;
        }
    }

    static boolean anyOpen() {
        return open > 0;
    }

    /** Called for every recorded op when {@link #anyOpen()}; inputs may hold nulls (absent optional inputs). */
    static void observe(Op op, Tensor[] inputs, Tensor[] outputs) {
        FlopCounter c = INNERMOST.get();
        if (c == null) {
            return;
        }
        long opMacs = OpCosts.macs(op, inputs, outputs);
        long bytes = OpCosts.newOutputBytes(inputs, outputs);
        for (; c != null; c = c.outer) {
            c.macs += opMacs;
            c.outputBytes += bytes;
            if (opMacs > 0) {
                c.macsByOp.merge(op.name(), opMacs, Long::sum);
            }
        }
    }
}
