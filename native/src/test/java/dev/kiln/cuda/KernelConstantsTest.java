package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The launchers' copies of the kernels' structs and tile sizes, held to the .cu sources. */
class KernelConstantsTest {
    private static int intOf(String s) {
        return Integer.parseInt(s);
    }

    /** The record's components are struct ConvGeom's fields in order, and bytes() writes them in that order. */
    @Test
    void convGeomIsTheStructFieldForField() throws ReflectiveOperationException {
        String body = CudaSources.only(Pattern.compile("struct ConvGeom \\{([^}]*)\\}"), "conv2d", 1)[0];
        String[] fields = Arrays.stream(body.replaceAll("//[^\n]*", "").replace("int ", "").split("[;,]"))
                .map(String::trim).filter(f -> !f.isEmpty()).toArray(String[]::new);
        RecordComponent[] components = ConvGeom.class.getRecordComponents();
        assertArrayEquals(fields, Arrays.stream(components).map(RecordComponent::getName).toArray(String[]::new));
        int[] values = new int[components.length];
        Arrays.setAll(values, i -> 100 + i);
        ConvGeom g = (ConvGeom) ConvGeom.class.getDeclaredConstructors()[0]
                .newInstance(Arrays.stream(values).boxed().toArray());
        ByteBuffer bytes = ByteBuffer.wrap(g.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4 * fields.length, bytes.remaining());
        for (RecordComponent c : components) {
            assertEquals(c.getAccessor().invoke(g), bytes.getInt(), c.getName());
        }
    }

    @Test
    void convTilesAreConv2dCus() {
        String fields = "\\s*static constexpr int BM = (\\d+);\\s*static constexpr int BN = (\\d+);"
                + "\\s*static constexpr int NARROW = (\\d+);";
        String[] f64 = CudaSources.only(Pattern.compile("struct Tile \\{" + fields), "conv2d", 3);
        String[] f32 = CudaSources.only(Pattern.compile("struct Tile<float> \\{" + fields), "conv2d", 3);
        assertEquals(List.of(Conv2dLauncher.BM_F64, Conv2dLauncher.BN, Conv2dLauncher.NARROW),
                Arrays.stream(f64).map(Integer::valueOf).toList());
        assertEquals(List.of(Conv2dLauncher.BM_F32, Conv2dLauncher.BN, Conv2dLauncher.NARROW),
                Arrays.stream(f32).map(Integer::valueOf).toList());
        assertEquals(Conv2dLauncher.BK, intOf(CudaSources.only(Pattern.compile("constexpr int BK = (\\d+);"), "conv2d", 1)[0]));
        assertEquals(Launcher.BLOCK, intOf(CudaSources.only(Pattern.compile("constexpr int THREADS = (\\d+);"), "conv2d", 1)[0]));
    }

    /** Each gemm_<BM>x<BN> entry instantiates a BM x BN tile of Tiles.THREADS threads; Tiles lists every entry. */
    @Test
    void gemmTilesAreTheInstantiations() {
        List<String[]> entries = CudaSources.groups(Pattern.compile(
                "void (gemm_\\d+x\\d+_f\\d\\d)\\(GEMM_PARAMS\\(\\w+\\)\\) \\{\\s*gemm<\\w+, (\\d+), (\\d+), \\d+, (\\d+), (\\d+)>"),
                CudaSources.text("gemm"), 5);
        assertEquals(CudaSources.entries("gemm").size(), entries.size());
        assertEquals(entries.stream().map(e -> e[0]).sorted().toList(),
                Arrays.stream(GemmLauncher.Tiles.values()).map(GemmLauncher.Tiles::kernel).sorted().toList());
        for (String[] e : entries) {
            GemmLauncher.Tiles tiles = Arrays.stream(GemmLauncher.Tiles.values()).filter(x -> x.kernel().equals(e[0]))
                    .findFirst().orElseThrow();
            assertEquals(List.of(tiles.tileM, tiles.tileN), List.of(intOf(e[1]), intOf(e[2])), e[0]);
            assertEquals(GemmLauncher.Tiles.THREADS, (intOf(e[1]) / intOf(e[3])) * (intOf(e[2]) / intOf(e[4])), e[0]);
        }
        assertEquals(GemmLauncher.KFAST, intOf(CudaSources.only(Pattern.compile("#define GEMM_KFAST (\\d+)"), "gemm", 1)[0]));
        assertEquals(GemmLauncher.VEC, intOf(CudaSources.only(Pattern.compile("#define GEMM_VEC (\\d+)"), "gemm", 1)[0]));
    }

    /** Each attention variant's rows per block are ATTN_WARPS times the TM / TK it is instantiated with. */
    @Test
    void attentionTileRowsAreTheInstantiations() {
        assertEquals(AttentionLauncher.WARPS,
                intOf(CudaSources.only(Pattern.compile("#define ATTN_WARPS (\\d+)"), "attention", 1)[0]));
        List<String[]> variants = CudaSources.groups(Pattern.compile(
                "void attention_(fwd|bwd_dkdv|bwd_dq)_d(\\d+)_(f32|f64)\\(.*\\{ attention_\\w+<(?:float|double), (\\d+), (\\d+),"),
                CudaSources.text("attention"), 5);
        assertEquals(3 * 2 * AttentionLauncher.HEAD_DIMS.length, variants.size());
        for (String[] v : variants) {
            int d = intOf(v[1]);
            assertEquals(d, intOf(v[3]), "attention_" + v[0] + "_d" + d + ": its name and D differ");
            assertTrue(Arrays.stream(AttentionLauncher.HEAD_DIMS).anyMatch(h -> h == d), "head dim " + d);
            AttentionLauncher.TileRows rows = AttentionLauncher.TileRows.of(v[2].equals("f32") ? DType.FLOAT32 : DType.FLOAT64, d);
            int java = v[0].equals("fwd") ? rows.fwd() : v[0].equals("bwd_dq") ? rows.dq() : rows.dkdv();
            assertEquals(AttentionLauncher.WARPS * intOf(v[4]), java, "attention_" + v[0] + "_d" + d + "_" + v[2]);
        }
    }
}
