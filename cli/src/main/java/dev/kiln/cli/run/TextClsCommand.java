package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Fortunes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run textcls [--model lstm|gru] [--categories a,b,...] [--max-length N]`: see {@link TextCls}. */
@Command(name = "textcls", mixinStandardHelpOptions = true,
        description = "Text classification on the fortunes (apt-get install fortunes): which category file a fortune comes"
                + " from, read as bytes by a bidirectional LSTM or GRU over padded batches of similar lengths; validation"
                + " accuracy, balanced accuracy and the confusion matrix per epoch. --limit-train / --limit-test count"
                + " fortunes, taken evenly over the set.")
final class TextClsCommand implements Callable<Integer> {
    /**
     * Six categories of distinct vocabulary and 150 to 1,050 fortunes each (computers is seven times sports: the
     * balanced accuracy shows what plain accuracy hides).
     */
    static final List<String> DEFAULT_CATEGORIES = List.of("computers", "science", "politics", "literature", "food", "sports");

    @Mixin
    RunOptions options;
    @Option(names = "--model", description = "lstm or gru; default: ${DEFAULT-VALUE}")
    String model = "lstm";
    @Option(names = "--categories", split = ",", description = "the fortune files to tell apart, in label order;"
            + " default: computers,science,politics,literature,food,sports")
    List<String> categories = DEFAULT_CATEGORIES;
    @Option(names = "--max-length", description = "bytes read of each fortune (the rest is cut); default: ${DEFAULT-VALUE}")
    int maxLength = 256;

    @Override
    public Integer call() {
        if (!model.equals("lstm") && !model.equals("gru")) {
            throw new UserError("--model " + model + ": expected lstm or gru");
        }
        if (maxLength < 1) {
            throw new UserError("--max-length must be >= 1, got " + maxLength);
        }
        if (categories.size() < 2 || categories.stream().distinct().count() != categories.size()) {
            throw new UserError("--categories: name two or more different categories, got " + String.join(",", categories));
        }
        RunSettings s = options.settings(TextCls.name(model, categories, maxLength), 3, 32, TextCls.FILES, Fortunes.DEFAULT_DIR);
        FortuneClasses data = new FortuneClasses(s.data(), categories, maxLength, s.limitTrain(), s.limitTest());
        WorkloadRunner.run(new TextCls(s, model, data), s, System.out);
        return 0;
    }
}
