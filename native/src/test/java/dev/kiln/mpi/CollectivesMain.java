package dev.kiln.mpi;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.distributed.Work;
import java.util.Arrays;
import java.util.List;

/**
 * One rank of ProcessGroupMpiTest's job: every collective on every dtype, on the device named by
 * args[0], checked against values each rank can work out alone. Prints "rank R ok" at the end.
 */
public final class CollectivesMain {
    public static void main(String[] args) {
        Device device = Device.parse(args[0]);
        ProcessGroup g = Distributed.initProcessGroup("mpi");
        int r = g.rank();
        int n = g.size();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}) {
            // rank r holds (r + 1) * [1, 2, 3, 4, 5, 6] as (2, 3)
            Tensor t = Tensor.arange(1, 7, 1, dtype, device).mul(r + 1).reshape(2, 3);
            double ranksSum = n * (n + 1) / 2.0;
            check("sum " + dtype, reduce(g, t, ReduceOp.SUM), k -> k * ranksSum);
            check("max " + dtype, reduce(g, t, ReduceOp.MAX), k -> k * n);
            check("min " + dtype, reduce(g, t, ReduceOp.MIN), k -> k);
            double factorial = 1;
            for (int i = 2; i <= n; i++) {
                factorial *= i;
            }
            double f = factorial;
            check("product " + dtype, reduce(g, t, ReduceOp.PRODUCT), k -> Math.pow(k, n) * f);
            if (dtype.isFloatingPoint()) {
                check("avg " + dtype, reduce(g, t, ReduceOp.AVG), k -> k * ranksSum / n);
                // a strided view is reduced in place through its own layout
                Tensor base = Tensor.arange(1, 7, 1, dtype, device).mul(r + 1).reshape(2, 3);
                g.allReduce(base.t(), ReduceOp.SUM);
                check("sum of a transposed view " + dtype, base, k -> k * ranksSum);
            }
            Tensor b = Tensor.full(new int[] {4}, r + 10, dtype, device);
            g.broadcast(b, n - 1);
            check("broadcast " + dtype, b, k -> n - 1 + 10);
            Tensor gathered = g.allGather(Tensor.full(new int[] {3}, r, dtype, device));
            if (!Arrays.equals(gathered.shape(), new int[] {n, 3}) || !gathered.device().equals(device)) {
                throw new AssertionError("all_gather shape " + Arrays.toString(gathered.shape()) + " on " + gathered.device());
            }
            double[] got = gathered.to(DType.FLOAT64).toDoubleArray();
            for (int i = 0; i < got.length; i++) {
                if (got[i] != i / 3) {
                    throw new AssertionError("all_gather " + dtype + ": element " + i + " is " + got[i]);
                }
            }
        }
        // two reductions in flight at once complete independently
        Tensor a = Tensor.full(new int[] {1000}, 1, DType.FLOAT32, device);
        Tensor c = Tensor.full(new int[] {10}, r, DType.FLOAT64, device);
        Work wa = g.allReduceAsync(a, ReduceOp.SUM);
        Work wc = g.allReduceAsync(c, ReduceOp.MAX);
        wc.await();
        wa.await();
        check("async sum", a, k -> n);
        check("async max", c, k -> n - 1);
        // several tensors as one message (a strided view among them), averaged, and broadcast back
        Tensor p = Tensor.full(new int[] {3}, r, DType.FLOAT64, device);
        Tensor q = Tensor.arange(1, 7, 1, DType.FLOAT64, device).mul(r + 1).reshape(2, 3).t();
        g.allReduceCoalescedAsync(List.of(p, q), ReduceOp.AVG).await();
        check("coalesced avg, first", p, k -> (n - 1) / 2.0);
        check("coalesced avg, transposed view", q.t(), k -> k * (n + 1) / 2.0);
        Tensor s1 = Tensor.full(new int[] {2}, r, DType.INT64, device);
        Tensor s2 = Tensor.full(new int[] {5}, -r, DType.INT64, device);
        g.broadcastCoalesced(List.of(s1, s2), n - 1);
        check("coalesced broadcast, first", s1, k -> n - 1);
        check("coalesced broadcast, second", s2, k -> 1 - n);
        g.barrier();
        System.out.println("rank " + r + " of " + n + " ok on " + device + " (" + g.description() + ")");
        Distributed.destroyProcessGroup();
    }

    private static Tensor reduce(ProcessGroup g, Tensor t, ReduceOp op) {
        Tensor out = t.clone();
        g.allReduce(out, op);
        return out;
    }

    /** Element i of t (flattened) must be expected(i + 1). */
    private static void check(String what, Tensor t, java.util.function.DoubleUnaryOperator expected) {
        double[] got = t.contiguous().to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < got.length; i++) {
            double want = expected.applyAsDouble(i + 1);
            if (Math.abs(got[i] - want) > 1e-6 * Math.abs(want)) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + want);
            }
        }
    }
}
