package dev.kiln.spi;

import dev.kiln.DType;
import dev.kiln.distributed.ReduceOp;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One process's end of a collective transport (MPI today, NCCL next), the kernel contract of
 * {@link dev.kiln.distributed.ProcessGroup}. Every collective is non-blocking and works in place on
 * direct buffers in native byte order, which must stay untouched until the request completes; every
 * rank must start the same collectives in the same order.
 */
public interface Communicator {
    int rank();

    int size();

    /** The transport and its library version, for messages ("Open MPI v4.1.4"). */
    String description();

    /** Reduces count elements across ranks; every rank ends with the result in buffer. */
    Request allReduce(ByteBuffer buffer, int count, DType dtype, ReduceOp op);

    /** Copies root's count elements into every other rank's buffer. */
    Request broadcast(ByteBuffer buffer, int count, DType dtype, int root);

    /** Concatenates every rank's count elements of send, in rank order, into receive (size * count). */
    Request allGather(ByteBuffer send, ByteBuffer receive, int count, DType dtype);

    Request barrier();

    /**
     * After a collective timed out: sends position (how many collectives this rank has started) to
     * every other rank and collects theirs for at most grace. Returns every rank's position, -1 for a
     * rank that did not answer (hung, dead, or busy outside the collectives).
     */
    long[] exchangePositions(long position, Duration grace);

    /** Ends every rank's process with exitCode (MPI_Abort): the way out when a peer is lost. */
    void abort(int exitCode);

    /** Leaves the transport (MPI_Finalize); no collective may follow. */
    void close();

    /** A collective in flight. */
    interface Request {
        /** Progresses the transport; true once the collective has completed on this rank. */
        boolean test();
    }
}
