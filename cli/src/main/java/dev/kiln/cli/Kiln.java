package dev.kiln.cli;

import dev.kiln.Threads;
import dev.kiln.cli.run.RunCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The `kiln` command: picocli dispatches to the subcommands; a {@link UserError} prints its message and exits 2. */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
        description = "Kiln, a deep-learning engine for the JVM: train and inspect models on Fashion-MNIST, run the course's"
                + " workloads.",
        subcommands = {TrainCommand.class, EvalCommand.class, SummaryCommand.class, GradcheckCommand.class,
                BenchCommand.class, RunCommand.class})
public final class Kiln {
    public static final int USER_ERROR = 2;

    @Spec
    CommandSpec spec;

    /** Before or after the subcommand: the CPU kernels' thread team, as torch.set_num_threads. */
    @Option(names = "--threads", scope = ScopeType.INHERIT, paramLabel = "N",
            description = "CPU threads for the kernels (default: the cores, or -Dkiln.threads=N)")
    void setThreads(int n) {
        if (n < 1 || n > Threads.maxThreads()) {
            throw new ParameterException(spec.commandLine(), "--threads must be 1 to " + Threads.maxThreads() + ", got " + n);
        }
        Threads.setNumThreads(n);
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.err, true), args));
    }

    /** Runs the command line and returns its exit code; errors go to err (tests call this rather than main). */
    static int run(PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Kiln());
        cl.setErr(err);
        cl.setOverwrittenOptionsAllowed(true); // the last --device (etc.) wins, so scripts can override a default
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError) {
                // under mpirun every rank checks the same arguments: one message is enough
                if (System.getenv().getOrDefault("OMPI_COMM_WORLD_RANK", "0").equals("0")) {
                    cmd.getErr().println("kiln: " + e.getMessage());
                }
                return USER_ERROR;
            }
            throw e;
        });
        return cl.execute(args);
    }
}
