package dev.kiln.distributed;

import java.time.Duration;

/**
 * The default process group of this process, as {@code torch.distributed}: {@link #initProcessGroup}
 * once per process (under {@code mpirun -np N}), then rank, size and the collectives anywhere.
 */
public final class Distributed {
    /** Seconds a collective may wait before failing; PyTorch's default is 30 minutes. */
    public static final String TIMEOUT_PROPERTY = "kiln.distributed.timeout";

    private static ProcessGroup group;

    private Distributed() {
    }

    /** Joins the job through backend ("mpi") with the timeout from {@value #TIMEOUT_PROPERTY} (default 1800 s). */
    public static ProcessGroup initProcessGroup(String backend) {
        return initProcessGroup(backend, Duration.ofMillis((long) (1000 * Double.parseDouble(
                System.getProperty(TIMEOUT_PROPERTY, "1800")))));
    }

    public static synchronized ProcessGroup initProcessGroup(String backend, Duration timeout) {
        if (group != null) {
            throw new IllegalStateException("init_process_group: already initialised (" + group.description() + ")");
        }
        group = ProcessGroup.open(backend, timeout);
        return group;
    }

    public static synchronized boolean isInitialized() {
        return group != null;
    }

    /** The default group; throws when {@link #initProcessGroup} has not run. */
    public static synchronized ProcessGroup group() {
        if (group == null) {
            throw new IllegalStateException("distributed: the default process group is not initialised; call "
                    + "Distributed.initProcessGroup(\"mpi\") first (and launch with mpirun -np N)");
        }
        return group;
    }

    public static int rank() {
        return group().rank();
    }

    public static int worldSize() {
        return group().size();
    }

    /** Leaves the job (MPI_Finalize); the default group is then uninitialised. */
    public static synchronized void destroyProcessGroup() {
        if (group != null) {
            group.close();
            group = null;
        }
    }
}
