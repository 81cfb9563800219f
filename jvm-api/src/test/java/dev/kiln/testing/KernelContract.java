package dev.kiln.testing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The kernel contract, checked on compiled classes: a backend works on {@code spi.NdArray}s (a
 * storage and its layout) and never touches the user API — no reference at all to {@code Tensor},
 * {@code Functional} or {@code spi.Tensors} (the tensor internals' back door), so no kernel can record
 * an autograd node or dispatch back through the backends. Every class a compiled class refers to is
 * in its constant pool (javap), method references and signatures included.
 */
public final class KernelContract {
    private static final Pattern REFERENCE = Pattern.compile("dev/kiln/(Tensor|Functional|spi/Tensors)(?![\\w$])(\\.[\\w$<>\"]+)?");

    private KernelContract() {
    }

    /** "Class -> Tensor[.member]" for every reference to the user API in the classes under dir. */
    public static Set<String> violations(Path dir) throws IOException {
        ToolProvider javap = ToolProvider.findFirst("javap")
                .orElseThrow(() -> new IllegalStateException("the kernel contract check needs javap (a JDK, not a JRE)"));
        List<String> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(p -> classes.add(p.toString()));
        }
        if (classes.isEmpty()) {
            throw new IllegalStateException("no classes under " + dir);
        }
        List<String> args = new ArrayList<>(List.of("-v", "-p"));
        args.addAll(classes);
        StringWriter text = new StringWriter();
        int rc = javap.run(new PrintWriter(text), new PrintWriter(text), args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javap failed under " + dir + ": " + text);
        }
        Set<String> out = new TreeSet<>();
        String current = "?";
        for (String line : text.toString().split("\n")) {
            if (line.startsWith("Classfile ")) {
                current = dir.relativize(Path.of(line.substring("Classfile ".length()).trim())).toString();
            }
            Matcher m = REFERENCE.matcher(line);
            while (m.find()) {
                out.add(current + " -> " + m.group(1) + (m.group(2) == null ? "" : m.group(2)));
            }
        }
        return out;
    }
}
