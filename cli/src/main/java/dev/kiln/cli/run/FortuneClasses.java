package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Fortunes;
import dev.kiln.cli.data.Fortunes.Fortune;
import dev.kiln.cli.run.TextBatch.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fortunes of some categories as a classification task: each fortune's bytes (cut to a maximum length) labelled
 * with its category's place in the list, training and validation split as {@link Fortunes#split} holds out.
 */
final class FortuneClasses {
    private final List<String> categories;
    private final int maxLength;
    private final List<Example> train;
    private final List<Example> validation;

    /** limitTrain / limitTest: how many examples to keep (0: all), spread evenly over the set so every class stays. */
    FortuneClasses(Path dir, List<String> categories, int maxLength, int limitTrain, int limitTest) {
        this.categories = List.copyOf(categories);
        this.maxLength = maxLength;
        List<Fortune> all = Fortunes.read(dir);
        Map<String, Integer> sizes = new TreeMap<>();
        all.forEach(f -> sizes.merge(f.category(), 1, Integer::sum));
        for (String c : categories) {
            if (!sizes.containsKey(c)) {
                throw new UserError("--categories: " + dir + " has no fortunes of category " + c + "; it has " + sizes);
            }
        }
        Fortunes.Split split = Fortunes.split(all.stream().filter(f -> categories.contains(f.category())).toList());
        train = spread(examples(split.train(), maxLength), limitTrain);
        validation = spread(examples(split.validation(), maxLength), limitTest);
        if (train.isEmpty() || validation.isEmpty()) {
            throw new UserError("textcls: the categories " + categories + " leave " + train.size() + " training and "
                    + validation.size() + " validation fortunes; each set needs at least one");
        }
    }

    List<String> categories() {
        return categories;
    }

    /** The bytes read of each fortune. */
    int maxLength() {
        return maxLength;
    }

    List<Example> train() {
        return train;
    }

    List<Example> validation() {
        return validation;
    }

    private List<Example> examples(List<Fortune> fortunes, int maxLength) {
        List<Example> out = new ArrayList<>();
        for (Fortune f : fortunes) {
            byte[] text = f.text().length > maxLength ? Arrays.copyOf(f.text(), maxLength) : f.text();
            out.add(new Example(text, categories.indexOf(f.category())));
        }
        return out;
    }

    /**
     * limit examples at evenly spaced places (i n / limit): the files come one after another, so the first `limit`
     * would be the first categories' only.
     */
    private static List<Example> spread(List<Example> all, int limit) {
        if (limit <= 0 || limit >= all.size()) {
            return all;
        }
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            out.add(all.get((int) ((long) i * all.size() / limit)));
        }
        return out;
    }
}
