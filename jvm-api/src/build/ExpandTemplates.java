import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Expands the CPU backend's element-type templates (docs/ELEMENT_TYPES.md): every
 * {@code <Family>.java.template} under the templates folder becomes one {@code <Family><Suffix>.java} per element
 * type, in the same package folder under the output folder. Run by the build (jvm-api/pom.xml, generate-sources) as
 * a single-file program: {@code java ExpandTemplates.java <templates> <output>}.
 *
 * <p>Placeholders: {@code ${T}} the element type ({@code float}), {@code ${Box}} its box ({@code Float}),
 * {@code ${Suffix}} ({@code F32}), {@code ${dtype}} ({@code float32}). Values that differ per type (tuning
 * constants) are declared in the template itself by lines {@code //@ F32 NAME=value ...}, read as
 * {@code ${NAME}}; those lines are not copied. A placeholder with no value is an error, so a template never
 * expands half-way. Files whose text is unchanged are not rewritten (the compiler's incremental build sees them as
 * they were).
 */
public final class ExpandTemplates {
    /** The element types, in the order classes are generated: suffix, Java type, box, Kiln dtype. */
    private static final List<Map<String, String>> TYPES = List.of(
            Map.of("Suffix", "F32", "T", "float", "Box", "Float", "dtype", "float32"),
            Map.of("Suffix", "F64", "T", "double", "Box", "Double", "dtype", "float64"));
    private static final String SUFFIX = ".java.template";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern PER_TYPE = Pattern.compile("^\\s*//@\\s+(\\S+)((?:\\s+[A-Za-z_][A-Za-z0-9_]*=\\S+)*)\\s*$");

    private ExpandTemplates() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: java ExpandTemplates.java <templates folder> <output folder>");
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Path> templates;
        try (Stream<Path> files = Files.walk(in)) {
            templates = files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        int written = 0;
        for (Path template : templates) {
            String family = template.getFileName().toString();
            family = family.substring(0, family.length() - SUFFIX.length());
            Path folder = out.resolve(in.relativize(template.getParent()).toString());
            List<String> lines = Files.readAllLines(template, StandardCharsets.UTF_8);
            Map<String, Map<String, String>> perType = perTypeValues(template, lines);
            for (Map<String, String> type : TYPES) {
                Map<String, String> values = new LinkedHashMap<>(type);
                values.putAll(perType.getOrDefault(type.get("Suffix"), Map.of()));
                String text = expand(template, lines, values);
                Path target = folder.resolve(family + type.get("Suffix") + ".java");
                if (!Files.exists(target) || !Files.readString(target, StandardCharsets.UTF_8).equals(text)) {
                    Files.createDirectories(folder);
                    Files.writeString(target, text, StandardCharsets.UTF_8);
                    written++;
                }
            }
        }
        System.out.printf("ExpandTemplates: %d templates, %d classes written (the rest unchanged)%n", templates.size(),
                written);
    }

    /** The {@code //@ SUFFIX NAME=value ...} lines of a template, by suffix. */
    private static Map<String, Map<String, String>> perTypeValues(Path template, List<String> lines) {
        Map<String, Map<String, String>> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).stripLeading().startsWith("//@")) {
                continue;
            }
            Matcher m = PER_TYPE.matcher(lines.get(i));
            String suffix = m.matches() ? m.group(1) : null;
            if (suffix == null || TYPES.stream().noneMatch(t -> t.get("Suffix").equals(suffix))) {
                throw new IllegalArgumentException(template + ":" + (i + 1) + ": expected '//@ <F32|F64> NAME=value ...'");
            }
            for (String pair : m.group(2).trim().split("\\s+")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    values.computeIfAbsent(suffix, s -> new LinkedHashMap<>()).put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return values;
    }

    private static String expand(Path template, List<String> lines, Map<String, String> values) {
        StringBuilder text = new StringBuilder();
        text.append("// Generated from ").append(template.getFileName()).append(" for ").append(values.get("dtype"))
                .append(" by jvm-api/src/build/ExpandTemplates.java: edit the template, not this file.\n");
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith("//@")) {
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(line);
            StringBuilder expanded = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    missing.add(template + ":" + (i + 1) + ": ${" + m.group(1) + "} has no value for " + values.get("Suffix"));
                    value = m.group();
                }
                m.appendReplacement(expanded, Matcher.quoteReplacement(value));
            }
            m.appendTail(expanded);
            text.append(expanded).append('\n');
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", missing));
        }
        return text.toString();
    }
}
