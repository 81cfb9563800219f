package dev.kiln.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's main class as an MPI job ({@code mpirun -np N java -cp <this class path> Main args}),
 * for the tests of the distributed pieces. Root is allowed and ranks may oversubscribe the cores.
 */
public final class MpiRun {
    private MpiRun() {
    }

    /** What the job printed (stdout and stderr interleaved) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    /** Why no MPI job can be started here, or null when mpirun is on the PATH and kiln-native holds the binding. */
    public static String unavailable() {
        if (MpiRun.class.getResource("/kiln/mpi/libkiln_mpi.so") == null) {
            return "kiln-native's MPI binding is not on the class path (built without Open MPI's headers or g++)";
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "mpirun").canExecute()) {
                return null;
            }
        }
        return "mpirun is not on the PATH (apt-get install openmpi-bin libopenmpi-dev)";
    }

    /** Runs main on ranks processes; gives up (killing the job) after timeoutSeconds. */
    public static Result run(int ranks, int timeoutSeconds, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mpirun", "-np", Integer.toString(ranks), "--oversubscribe",
                "--bind-to", "none", System.getProperty("java.home") + "/bin/java", "-Xmx1g", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        Process p = pb.start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("(output lost: " + e + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(10_000);
            throw new AssertionError("mpirun " + main.getSimpleName() + " ran past " + timeoutSeconds + " s; output:\n"
                    + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }
}
