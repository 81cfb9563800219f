package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run seq2seq [--model gru|transformer]`: see {@link Seq2Seq} and {@link Dates}. */
@Command(name = "seq2seq", mixinStandardHelpOptions = true,
        description = "Sequence to sequence with attention: dates written in words (\"tuesday, march 3, 1987\", \"03/03/87\","
                + " ...) to ISO dates, by a GRU encoder-decoder with additive attention or a transformer encoder-decoder;"
                + " validation token accuracy and greedy decoding's exact match per epoch, an attention heat map. The"
                + " dates are drawn from --seed: --limit-train / --limit-test set how many (default 10000 / 1000); no --data.")
final class Seq2SeqCommand implements Callable<Integer> {
    static final int DEFAULT_TRAIN = 10_000;
    static final int DEFAULT_VALIDATION = 1_000;

    @Mixin
    RunOptions options;
    @Option(names = "--model", description = "gru or transformer; default: ${DEFAULT-VALUE}")
    String model = "gru";

    @Override
    public Integer call() {
        if (!model.equals("gru") && !model.equals("transformer")) {
            throw new UserError("--model " + model + ": expected gru or transformer");
        }
        if (options.run.data != null) {
            throw new UserError("--data " + options.run.data + ": kiln run seq2seq draws its dates from --seed and reads no"
                    + " data (--limit-train / --limit-test set how many)");
        }
        RunSettings s = options.settings(Seq2Seq.name(model), 5, 64, Seq2Seq.FILES, null);
        int train = s.limitTrain() > 0 ? s.limitTrain() : DEFAULT_TRAIN;
        int validation = s.limitTest() > 0 ? s.limitTest() : DEFAULT_VALIDATION;
        WorkloadRunner.run(new Seq2Seq(s, model, Dates.generate(s.seed(), train, validation)), s, System.out);
        return 0;
    }
}
