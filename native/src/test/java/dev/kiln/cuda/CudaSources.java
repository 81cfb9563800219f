package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The kernel sources (kernels/src/main/cuda, beside this module), read by tests that hold Java to them. */
final class CudaSources {
    static final Path DIR = Path.of("..", "kernels", "src", "main", "cuda");
    /** An entry point as both builds list them (native's Makefile greps the same). */
    private static final Pattern ENTRY = Pattern.compile("extern \"C\" __global__ void (?:__launch_bounds__\\(\\d+\\) )?([A-Za-z0-9_]+)");

    private CudaSources() {
    }

    /** The families: the .cu files' names. */
    static List<String> families() {
        assertTrue(Files.isDirectory(DIR), "kernel sources not found at " + DIR.toAbsolutePath());
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".cu"))
                    .map(f -> f.substring(0, f.length() - 3)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String family) {
        try {
            return Files.readString(DIR.resolve(family + ".cu"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The extern "C" kernels of a family, in source order. */
    static List<String> entries(String family) {
        return groups(ENTRY, text(family), 1).stream().map(g -> g[0]).toList();
    }

    /** Every match of p in text, as its groups 1..count. */
    static List<String[]> groups(Pattern p, String text, int count) {
        List<String[]> found = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            String[] g = new String[count];
            for (int i = 0; i < count; i++) {
                g[i] = m.group(i + 1);
            }
            found.add(g);
        }
        return found;
    }

    /** The one match of p in family's source, as its groups. */
    static String[] only(Pattern p, String family, int count) {
        List<String[]> found = groups(p, text(family), count);
        assertTrue(found.size() == 1, family + ".cu: expected one match of " + p + ", found " + found.size());
        return found.get(0);
    }
}
