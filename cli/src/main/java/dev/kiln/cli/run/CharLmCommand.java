package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Fortunes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run charlm [--model lstm|transformer] [--bptt K]`: see {@link CharLm}. */
@Command(name = "charlm", mixinStandardHelpOptions = true,
        description = "A character language model on the fortunes (apt-get install fortunes): an LSTM by truncated BPTT or"
                + " a small causal transformer; validation perplexity per epoch, samples at three temperatures."
                + " --batch-size is the number of parallel text streams, --limit-train / --limit-test count fortunes.")
final class CharLmCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;
    @Option(names = "--model", description = "lstm or transformer; default: ${DEFAULT-VALUE}")
    String model = "lstm";
    @Option(names = "--bptt", description = "bytes per chunk: truncated BPTT's length, the transformer's context;"
            + " default: ${DEFAULT-VALUE}")
    int bptt = 64;
    @Option(names = "--sample-bytes", description = "bytes sampled at each temperature after each epoch (samples.txt);"
            + " default: ${DEFAULT-VALUE}")
    int sampleBytes = 400;

    @Override
    public Integer call() {
        if (!model.equals("lstm") && !model.equals("transformer")) {
            throw new UserError("--model " + model + ": expected lstm or transformer");
        }
        if (bptt < 1 || sampleBytes < 1) {
            throw new UserError("--bptt and --sample-bytes must be >= 1, got " + bptt + " and " + sampleBytes);
        }
        RunSettings s = options.settings(CharLm.name(model, bptt), 3, 64, CharLm.FILES, Fortunes.DEFAULT_DIR);
        WorkloadRunner.run(new CharLm(s, model, bptt, sampleBytes), s, System.out);
        return 0;
    }
}
