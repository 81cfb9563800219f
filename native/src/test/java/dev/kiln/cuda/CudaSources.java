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
    /** An entry written out (native's Makefile greps the same in the preprocessed source), or a line exporting a macro's. */
    private static final Pattern ENTRY_OR_EXPORT = Pattern.compile(
            "extern \"C\" __global__ void (?:__launch_bounds__\\(\\d+\\) )?([A-Za-z0-9_]+)|(?m:^KILN_FLOAT_TYPES\\((\\w+)\\))");
    /** A KILN_ENTRY / KILN_BOUNDED_ENTRY line of an entry macro: the kernel's name without its type suffix. */
    private static final Pattern MACRO_ENTRY = Pattern.compile("KILN_(?:BOUNDED_)?ENTRY\\((?:\\d+, )?(\\w+), S\\)");
    /** A definition of kiln.cuh's KILN_FLOAT_TYPES, and one X(type, suffix) of it. */
    private static final Pattern FLOAT_TYPES = Pattern.compile("#define KILN_FLOAT_TYPES\\(X\\)([^\\n]*)");
    private static final Pattern FLOAT_TYPE = Pattern.compile("X\\(\\w+, (\\w+)\\)");

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
        return read(family + ".cu");
    }

    /**
     * The extern "C" kernels of a family, in source order: those written out, and those a KILN_FLOAT_TYPES(M) line
     * exports from macro M's KILN_ENTRY lines, one per floating type of kiln.cuh (read here from the text, as the
     * emulator's build reads them from the preprocessor: two readings that KernelTableTest holds to one table).
     */
    static List<String> entries(String family) {
        String text = text(family);
        List<String> suffixes = groups(FLOAT_TYPES, read("kiln.cuh"), 1).stream()
                .flatMap(line -> groups(FLOAT_TYPE, line[0], 1).stream()).map(g -> g[0]).distinct().toList();
        assertTrue(!suffixes.isEmpty(), "kiln.cuh: no X(type, suffix) in KILN_FLOAT_TYPES");
        List<String> found = new ArrayList<>();
        Matcher m = ENTRY_OR_EXPORT.matcher(text);
        while (m.find()) {
            if (m.group(1) != null) {
                found.add(m.group(1));
                continue;
            }
            String body = macroBody(m.group(2), family);
            for (String suffix : suffixes) {
                groups(MACRO_ENTRY, body, 1).forEach(g -> found.add(g[0] + "_" + suffix));
            }
        }
        return found;
    }

    /** The body of {@code #define name(T, S)}, its continuation lines joined. */
    private static String macroBody(String name, String family) {
        return only(Pattern.compile("(?m)^#define " + name + "\\(T, S\\)((?:[^\\n]*\\\\\\n)*[^\\n]*)"), family, 1)[0];
    }

    private static String read(String file) {
        try {
            return Files.readString(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
