package dev.kiln.spi;

/** Registered with {@link java.util.ServiceLoader}: a named collective transport ("mpi"). */
public interface CommunicatorProvider {
    String name();

    /**
     * Joins the job this process was launched in, or throws an exception whose message says why the
     * transport cannot be used (library not installed, not built).
     */
    Communicator open();
}
