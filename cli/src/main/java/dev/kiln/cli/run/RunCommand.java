package dev.kiln.cli.run;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** `kiln run <workload>`: the course's workloads end to end, each one subcommand with the options of {@link RunOptions}. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one of the course's workloads end to end.",
        subcommands = {VaeCommand.class, GanCommand.class, DdpmCommand.class, MultiTaskCommand.class,
                CharLmCommand.class, GcnCommand.class, TextClsCommand.class, DetectCommand.class,
                Seq2SeqCommand.class})
public final class RunCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a workload: " + String.join(", ", spec.subcommands().keySet()));
    }
}
