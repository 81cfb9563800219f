package dev.kiln.mpi;

import dev.kiln.distributed.DistributedException;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.CommunicatorProvider;

/** Registers the MPI transport as backend "mpi". */
public final class MpiCommunicatorProvider implements CommunicatorProvider {
    private static String loadFailure;
    private static boolean loaded;

    @Override
    public String name() {
        return "mpi";
    }

    @Override
    public Communicator open() {
        synchronized (MpiCommunicatorProvider.class) {
            if (!loaded) {
                loadFailure = MpiNative.load();
                loaded = true;
            }
        }
        if (loadFailure != null) {
            throw new DistributedException("mpi: " + loadFailure);
        }
        return new MpiCommunicator();
    }
}
