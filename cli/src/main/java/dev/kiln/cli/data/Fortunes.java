package dev.kiln.cli.data;

import dev.kiln.cli.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The text of the Debian `fortunes` package (/usr/share/games/fortunes): one file per category (computers, science,
 * literature, ...), fortunes separated by lines holding only "%". Read as bytes, so a model's alphabet is the bytes the
 * files use; the index files (.dat) and the .u8 links to the same files are skipped.
 */
public final class Fortunes {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/games/fortunes");
    /** Every VALIDATION_EVERY-th fortune of each file (the last of each run of ten) is held out. */
    static final int VALIDATION_EVERY = 10;

    /** One fortune: its category (the file's name) and its text, each line ended by '\n'. */
    public record Fortune(String category, byte[] text) {
    }

    /** The fortunes split into training and validation sets by their place in their file. */
    public record Split(List<Fortune> train, List<Fortune> validation) {
    }

    private Fortunes() {
    }

    /** Every fortune of every category file in dir, the files in name order, or a UserError saying what is missing. */
    public static List<Fortune> read(Path dir) {
        List<Path> files = categoryFiles(dir);
        List<Fortune> all = new ArrayList<>();
        for (Path f : files) {
            try {
                all.addAll(parse(f.getFileName().toString(), Files.readAllBytes(f)));
            } catch (IOException e) {
                throw new UserError(f + ": cannot read it (" + e + ")", e);
            }
        }
        if (all.isEmpty()) {
            throw new UserError(dir + ": its files hold no fortunes");
        }
        return all;
    }

    /** The fortunes of one file's bytes: the text between "%" lines, empty ones dropped. */
    static List<Fortune> parse(String category, byte[] bytes) {
        List<Fortune> out = new ArrayList<>();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end - start == 1 && bytes[start] == '%') {
                add(out, category, text);
            } else {
                text.write(bytes, start, end - start);
                text.write('\n');
            }
            start = end + 1;
        }
        add(out, category, text);
        return out;
    }

    /** Training and validation fortunes: the VALIDATION_EVERY-th of each category's goes to validation. */
    public static Split split(List<Fortune> fortunes) {
        List<Fortune> train = new ArrayList<>();
        List<Fortune> validation = new ArrayList<>();
        String category = null;
        int index = 0;
        for (Fortune f : fortunes) {
            index = f.category().equals(category) ? index + 1 : 0;
            category = f.category();
            (index % VALIDATION_EVERY == VALIDATION_EVERY - 1 ? validation : train).add(f);
        }
        return new Split(train, validation);
    }

    private static void add(List<Fortune> out, String category, ByteArrayOutputStream text) {
        if (text.size() > 0) {
            out.add(new Fortune(category, text.toByteArray()));
        }
        text.reset();
    }

    private static List<Path> categoryFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError("fortunes not found: " + dir + " is not a directory.\n"
                    + "Install them with:  apt-get install -y fortunes\n"
                    + "or point --data DIR at a directory of fortune files (fortunes separated by lines holding %)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p))
                    .filter(p -> !p.getFileName().toString().endsWith(".dat") && !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
            if (files.isEmpty()) {
                throw new UserError(dir + ": holds no fortune files (apt-get install -y fortunes installs them)");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot list it", e);
        }
    }
}
