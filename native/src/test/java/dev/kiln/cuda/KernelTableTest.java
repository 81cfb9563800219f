package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.kernels.Fatbins;
import dev.kiln.spi.Backends;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** KernelTable against what is built: the .cu sources, the fatbins, the emulator's modules; and its cache. */
class KernelTableTest {
    /** A cubin holds each kernel's code in section .text.<name>. */
    private static final Pattern TEXT_SECTION = Pattern.compile("\\.text\\.([A-Za-z0-9_]+)\\x00");

    /** Module -> kernels, from the extern "C" entries of every .cu file. */
    private static Map<String, Set<String>> fromSources() {
        Map<String, Set<String>> modules = new TreeMap<>();
        for (String family : CudaSources.families()) {
            for (String name : CudaSources.entries(family)) {
                modules.computeIfAbsent(KernelTable.moduleOf(family, name), m -> new TreeSet<>()).add(name);
            }
        }
        return modules;
    }

    private static Map<String, Set<String>> table() {
        Map<String, Set<String>> sorted = new TreeMap<>();
        KernelTable.modules().forEach((m, names) -> sorted.put(m, new TreeSet<>(names)));
        return sorted;
    }

    @Test
    void tableListsExactlyTheExternCEntriesOfTheSources() {
        assertEquals(new TreeSet<>(CudaSources.families()), new TreeSet<>(KernelTable.families()));
        Map<String, Set<String>> sources = fromSources();
        assertEquals(sources.keySet(), table().keySet());
        sources.forEach((module, names) -> assertEquals(names, table().get(module), "module " + module));
    }

    /** Each fatbin (SASS for sm_80 and sm_90) holds exactly its module's kernels. */
    @Test
    void tableListsExactlyTheKernelsOfEachFatbin() {
        Assumptions.assumeTrue(Fatbins.read("gemm").isPresent(), "no fatbins in kiln-kernels (built without nvcc)");
        for (Map.Entry<String, Set<String>> module : table().entrySet()) {
            byte[] fatbin = Fatbins.read(module.getKey()).orElseThrow(() -> new AssertionError(module.getKey() + ".fatbin is missing"));
            String bytes = new String(fatbin, StandardCharsets.ISO_8859_1);
            Set<String> sections = CudaSources.groups(TEXT_SECTION, bytes, 1).stream().map(g -> g[0])
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(module.getValue(), sections, module.getKey() + ".fatbin");
        }
    }

    /** On cuda-emu every entry is among the emulator module's exports; on a GPU, in the loaded fatbin. */
    @ParameterizedTest
    @MethodSource("dev.kiln.cuda.Target#all")
    void everyEntryLoadsOnceOnTheDevice(Target target) {
        Device d = target.use();
        CudaContext context = ((CudaBackend) Backends.of(d)).context();
        KernelTable.modules().forEach((module, names) -> names.forEach(name -> {
            Kernel k = context.kernel(module, name);
            assertEquals(name, k.name());
            assertSame(k, context.kernel(module, name), module + "/" + name + " looked up again");
        }));
    }

    @Test
    void handlesAreLookedUpOncePerModuleAndName() {
        FakeDeviceApi api = new FakeDeviceApi();
        CudaContext context = new CudaContext(Device.parse("cuda-emu:9"), api);
        Kernel k = context.kernel("gemm", "gemm_64x64_f32");
        for (int i = 0; i < 3; i++) {
            assertSame(k, context.kernel("gemm", "gemm_64x64_f32"));
        }
        context.kernel("gemm_f64", "gemm_64x64_f64");
        assertEquals(2, api.kernelLookups);
    }

    @Test
    void aKernelOutsideTheTableIsRefusedBeforeTheDeviceIsAsked() {
        FakeDeviceApi api = new FakeDeviceApi();
        CudaContext context = new CudaContext(Device.parse("cuda-emu:9"), api);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> context.kernel("gemm", "gemm_64x64_f64"));
        assertTrue(e.getMessage().contains("gemm") && e.getMessage().contains("gemm_64x64_f64"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> context.kernel("nope", "gemm_64x64_f32"));
        assertEquals(0, api.kernelLookups);
    }
}
