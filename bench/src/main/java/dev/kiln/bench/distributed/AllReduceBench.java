package dev.kiln.bench.distributed;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.CommunicatorProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * All-reduce (sum, float32) time and bus bandwidth against message size, as nccl-tests and
 * osu_allreduce report them: Kiln's ProcessGroup on a CPU tensor beside the transport alone on a
 * direct buffer (the floor: what MPI costs), on the same connection in the same run. Run under
 * mpirun: {@code mpirun -np 2 java -cp bench/target/benchmarks.jar dev.kiln.bench.distributed.AllReduceBench}
 * (bench/scripts/allreduce_bench.sh). Bus bandwidth = size / time x 2 (n - 1) / n.
 */
public final class AllReduceBench {
    public static void main(String[] args) {
        String backend = args.length > 0 ? args[0] : "mpi";
        CommunicatorProvider provider = ServiceLoader.load(CommunicatorProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals(backend)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no '" + backend + "' transport on the class path"));
        Communicator raw = provider.open();
        ProcessGroup group = ProcessGroup.over(backend, raw, Duration.ofMinutes(5));
        int n = group.size();
        double busFactor = n == 1 ? 1 : 2.0 * (n - 1) / n;
        if (group.rank() == 0) {
            System.out.printf(Locale.ROOT, "all_reduce sum float32, %d ranks, %s%n", n, group.description());
            System.out.println("| bytes | transport us | Kiln us | Kiln / transport | transport busbw GB/s | Kiln busbw GB/s |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
        }
        for (int bytes = 4; bytes <= (64 << 20); bytes *= 4) {
            int count = bytes / 4;
            int iterations = (int) Math.max(5, Math.min(2000, (256L << 20) / bytes / 4));
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            Tensor t = Tensor.ones(new int[] {count}, DType.FLOAT32, Device.CPU);
            double transport = best(group, iterations, () -> wait(raw.allReduce(buffer, count, DType.FLOAT32, ReduceOp.SUM)));
            double kiln = best(group, iterations, () -> group.allReduce(t, ReduceOp.SUM));
            if (group.rank() == 0) {
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.3f | %.3f |%n", bytes, transport * 1e6, kiln * 1e6,
                        kiln / transport, bytes / transport * busFactor / 1e9, bytes / kiln * busFactor / 1e9);
            }
        }
        group.close();
    }

    /** Seconds per call: the best of 5 timed rounds of iterations calls, each round started together. */
    private static double best(ProcessGroup group, int iterations, Runnable call) {
        for (int i = 0; i < Math.min(iterations, 20); i++) {
            call.run(); // warm-up: JIT, buffers, the transport's connections
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            group.barrier();
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                call.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / iterations);
        }
        return best;
    }

    private static void wait(Communicator.Request request) {
        while (!request.test()) {
            Thread.onSpinWait();
        }
    }
}
