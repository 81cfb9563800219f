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
 * The kernel contract, checked on compiled classes: a backend reads a tensor's layout and storage
 * and makes new views with {@code Tensor.wrap} (or {@code dev.kiln.spi.Views}), but never calls the
 * user API — no view method that records an autograd node, no creation op that dispatches back
 * through the backends, nothing in {@code Functional}. Every method a class references is read
 * from its constant pool (javap), so method references count too.
 */
public final class KernelContract {
    /** The Tensor methods a backend may use: a view's layout and storage, wrap, and close (to free a temporary). */
    public static final Set<String> ALLOWED = Set.of("shape", "size", "stride", "storageOffset", "storage", "dtype",
            "device", "numel", "dim", "isContiguous", "wrap", "close");
    private static final Pattern REFERENCE = Pattern.compile("Methodref\\s+\\S+\\s+// (dev/kiln/(?:Tensor|Functional))\\.([\\w$<>\"]+):");

    private KernelContract() {
    }

    /** "Class -> Tensor.method" for every reference outside the contract in the classes under dir. */
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
            if (m.find() && !(m.group(1).endsWith("Tensor") && ALLOWED.contains(m.group(2)))) {
                out.add(current + " -> " + m.group(1).substring("dev/kiln/".length()) + "." + m.group(2));
            }
        }
        return out;
    }
}
