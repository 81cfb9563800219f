package dev.kiln.mpi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The MPI binding (native/src/main/cpp/mpi/kiln_mpi.cpp), extracted from the jar and loaded on first
 * use. Codes: dtype 0 float32, 1 float64, 2 int64; op 0 sum, 1 max, 2 min, 3 product.
 */
final class MpiNative {
    private MpiNative() {
    }

    /** Loads the library, or returns why it cannot be loaded. */
    static String load() {
        String resource = "/kiln/mpi/libkiln_mpi.so";
        try (InputStream in = MpiNative.class.getResourceAsStream(resource)) {
            if (in == null) {
                return resource + " is not in kiln-native (it was built without Open MPI's headers or g++: "
                        + "apt-get install libopenmpi-dev openmpi-bin g++, then rebuild)";
            }
            Path dir = Files.createTempDirectory("kiln-mpi");
            dir.toFile().deleteOnExit();
            Path out = dir.resolve("libkiln_mpi.so");
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            out.toFile().deleteOnExit();
            System.load(out.toString());
            return null;
        } catch (IOException e) {
            return "cannot extract " + resource + ": " + e.getMessage();
        } catch (UnsatisfiedLinkError e) {
            return "cannot load the MPI binding (is Open MPI installed? apt-get install openmpi-bin): " + e.getMessage();
        }
    }

    /** MPI_Init_thread (serialized); returns the thread level provided. */
    static native int init();

    static native int rank();

    static native int size();

    static native String library();

    static native long allReduce(ByteBuffer buffer, int count, int dtype, int op);

    static native long broadcast(ByteBuffer buffer, int count, int dtype, int root);

    static native long allGather(ByteBuffer send, ByteBuffer receive, int count, int dtype);

    static native long barrier();

    /** True once the request completed (its handle is then freed). */
    static native boolean test(long request);

    /** Sends buffer's first int64 to dest on the status communicator. */
    static native long sendStatus(ByteBuffer buffer, int dest);

    /** Receives one int64 from source into buffer on the status communicator. */
    static native long receiveStatus(ByteBuffer buffer, int source);

    /** Cancels and frees a request that has not completed. */
    static native void cancel(long request);

    static native void abort(int code);

    static native void finish();
}
