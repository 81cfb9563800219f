package dev.kiln.mpi;

import dev.kiln.DType;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.spi.Communicator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/** The MPI transport: Kiln's own duplicate of MPI_COMM_WORLD, collectives started non-blocking. */
final class MpiCommunicator implements Communicator {
    private final int rank;
    private final int size;
    private final String library;

    MpiCommunicator() {
        MpiNative.init();
        this.rank = MpiNative.rank();
        this.size = MpiNative.size();
        this.library = MpiNative.library();
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String description() {
        return library;
    }

    @Override
    public Request allReduce(ByteBuffer buffer, int count, DType dtype, ReduceOp op) {
        int code = switch (op) {
            case SUM -> 0;
            case MAX -> 1;
            case MIN -> 2;
            case PRODUCT -> 3;
            case AVG -> throw new IllegalArgumentException("mpi: AVG is computed as SUM by the process group");
        };
        return request(MpiNative.allReduce(direct(buffer, count, dtype), count, code(dtype), code));
    }

    @Override
    public Request broadcast(ByteBuffer buffer, int count, DType dtype, int root) {
        return request(MpiNative.broadcast(direct(buffer, count, dtype), count, code(dtype), root));
    }

    @Override
    public Request allGather(ByteBuffer send, ByteBuffer receive, int count, DType dtype) {
        direct(receive, (long) count * size, dtype);
        return request(MpiNative.allGather(direct(send, count, dtype), receive, count, code(dtype)));
    }

    @Override
    public Request barrier() {
        return request(MpiNative.barrier());
    }

    @Override
    public long[] exchangePositions(long position, Duration grace) {
        ByteBuffer out = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(0, position);
        ByteBuffer in = ByteBuffer.allocateDirect(size * Long.BYTES).order(ByteOrder.nativeOrder());
        long[] sends = new long[size];
        long[] receives = new long[size];
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                sends[r] = MpiNative.sendStatus(out, r);
                receives[r] = MpiNative.receiveStatus(in.slice(r * Long.BYTES, Long.BYTES), r);
            }
        }
        long[] positions = new long[size];
        Arrays.fill(positions, -1);
        positions[rank] = position;
        long deadline = System.nanoTime() + grace.toNanos();
        int waiting = size - 1;
        while (waiting > 0 && System.nanoTime() - deadline < 0) {
            for (int r = 0; r < size; r++) {
                if (receives[r] != 0 && MpiNative.test(receives[r])) {
                    receives[r] = 0;
                    positions[r] = in.getLong(r * Long.BYTES);
                    waiting--;
                }
            }
            LockSupport.parkNanos(1_000_000);
        }
        for (int r = 0; r < size; r++) {
            if (receives[r] != 0) {
                MpiNative.cancel(receives[r]);
            }
            if (sends[r] != 0 && !MpiNative.test(sends[r])) {
                MpiNative.cancel(sends[r]);
            }
        }
        return positions;
    }

    @Override
    public void abort(int exitCode) {
        MpiNative.abort(exitCode);
    }

    @Override
    public void close() {
        MpiNative.finish();
    }

    private static Request request(long handle) {
        boolean[] done = {false};
        return () -> done[0] || (done[0] = MpiNative.test(handle));
    }

    /** Checks what the native side cannot: a direct buffer holding count elements. */
    private static ByteBuffer direct(ByteBuffer b, long count, DType dtype) {
        if (!b.isDirect() || b.capacity() < count * dtype.byteSize()) {
            throw new IllegalArgumentException("mpi: expected a direct buffer of at least " + count * dtype.byteSize()
                    + " bytes, got " + b);
        }
        return b;
    }

    private static int code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT64 -> 1;
            case INT64 -> 2;
            case BOOL, BFLOAT16, FLOAT16 -> throw new IllegalArgumentException("mpi: " + dtype + " buffers are not sent");
        };
    }
}
