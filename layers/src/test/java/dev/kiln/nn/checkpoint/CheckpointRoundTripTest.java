package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.LayerGoldens;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.testing.Tolerances;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints in both directions with PyTorch. The fixture pytorch_state.safetensors is a state dict
 * of Sequential(Linear(4, 3), BatchNorm1d(3), ReLU(), Linear(3, 2)) after one training batch, with an
 * input check.x and PyTorch's eval output check.y, from {@code /usr/bin/python3 scripts/goldens/make_goldens.py};
 * the other direction runs {@code scripts/goldens/layers_goldens.py --check-kiln FILE} on Kiln's file.
 */
class CheckpointRoundTripTest {
    @TempDir
    Path dir;

    private static Sequential model(Generator g) {
        return new Sequential(new Linear(4, 3, g), new BatchNorm1d(3), new ReLU(), new Linear(3, 2, g));
    }

    @Test
    void pytorchStateDict_loadsIntoTheSameKilnModel_andGivesPyTorchsOutput() throws IOException {
        Map<String, Tensor> file = SafeTensors.read(LayerGoldens.path("pytorch_state.safetensors"));
        Tensor x = file.remove("check.x");
        Tensor y = file.remove("check.y");
        Sequential m = model(new Generator(1));
        m.loadStateDict(file);
        m.eval();
        assertEquals(1, m.stateDict().get("1.num_batches_tracked").toLongArray()[0]);
        Tolerances.BALANCED.of(DType.FLOAT32).assertClose("eval output after loading PyTorch's state", y, m.forward(x));
    }

    @Test
    void kilnCheckpoint_loadsInPyTorch_withTheSameOutput() throws Exception {
        Sequential m = model(new Generator(2));
        m.forward(Tensor.randn(new Generator(3), 8, 4)); // a training batch moves the running statistics
        m.eval();
        Tensor x = Tensor.randn(new Generator(4), 3, 4);
        Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
        state.put("check.x", x);
        state.put("check.y", m.forward(x));
        Path file = dir.resolve("kiln_state.safetensors");
        SafeTensors.write(file, state);
        assertTrue(torchAvailable(), "/usr/bin/python3 with torch is needed for the PyTorch side of this check:"
                + " apt-get install -y python3-torch (the README's test command does)");
        Process p = new ProcessBuilder("/usr/bin/python3", "../scripts/goldens/layers_goldens.py", "--check-kiln", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    /**
     * bfloat16 / float16 both ways: pytorch_halves.safetensors (PyTorch's casts of edge values, each beside its
     * float32 values, and a transposed view) loads with those values, and the file Kiln writes back holds
     * PyTorch's bits ({@code layers_goldens.py --check-kiln-halves}).
     */
    @Test
    void bfloat16AndFloat16FilesMatchPyTorchBothWays() throws Exception {
        Map<String, Tensor> file = SafeTensors.read(LayerGoldens.path("pytorch_halves.safetensors"));
        for (String name : new String[] {"bf16", "f16"}) {
            DType dtype = name.equals("bf16") ? DType.BFLOAT16 : DType.FLOAT16;
            assertEquals(dtype, file.get(name).dtype(), name);
            assertTrue(java.util.Arrays.equals(file.get(name + ".f32").toFloatArray(), file.get(name).toFloatArray()), name);
            assertTrue(java.util.Arrays.equals(file.get(name + ".f32").t().contiguous().toFloatArray(),
                    file.get(name + ".t").toFloatArray()), name + ".t");
        }
        Map<String, Tensor> back = new LinkedHashMap<>(file);
        back.put("bf16.t", file.get("bf16").t());   // written from a strided view
        Path out = dir.resolve("kiln_halves.safetensors");
        SafeTensors.write(out, back);
        assertTrue(torchAvailable(), "/usr/bin/python3 with torch is needed: apt-get install -y python3-torch");
        Process p = new ProcessBuilder("/usr/bin/python3", "../scripts/goldens/layers_goldens.py", "--check-kiln-halves",
                out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
    }

    private static boolean torchAvailable() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return false;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void saveThenLoad_restoresEveryParameterAndBuffer_inFloat64() throws IOException {
        Sequential a = model(new Generator(5));
        a.to(DType.FLOAT64);
        a.forward(Tensor.randn(new Generator(6), 8, 4).to(DType.FLOAT64));
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(a, file);
        Sequential b = model(new Generator(7));
        b.to(DType.FLOAT64);
        Checkpoint.load(b, file);
        a.stateDict().forEach((k, t) -> Tolerances.BALANCED.of(DType.FLOAT64).assertClose(k, t, b.stateDict().get(k)));
        assertTrue(a.stateDict().get("0.weight").allclose(b.stateDict().get("0.weight"), 0, 0));
    }

    @Test
    void everyDtype_roundTripsExactly() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Tensor.of(1.5f, -2.25f, Float.MIN_VALUE).reshape(3, 1));
        m.put("f64", Tensor.of(Math.PI, -0.0, 1e-300));
        m.put("i64", Tensor.fromArray(new long[] {Long.MIN_VALUE, 0, 7}, 3));
        m.put("bool", Tensor.fromArray(new boolean[] {true, false}, 2));
        m.put("scalar", Tensor.scalar(3, DType.FLOAT64));
        m.put("key \"quoted\" \\ é", Tensor.zeros(0, 2));
        Path file = dir.resolve("all.safetensors");
        SafeTensors.write(file, m);
        Map<String, Tensor> r = SafeTensors.read(file);
        assertEquals(m.keySet(), r.keySet());
        m.forEach((k, t) -> {
            assertEquals(t.dtype(), r.get(k).dtype(), k);
            assertTrue(java.util.Arrays.equals(t.shape(), r.get(k).shape()), k);
        });
        assertTrue(java.util.Arrays.equals(m.get("i64").toLongArray(), r.get("i64").toLongArray()));
        assertTrue(java.util.Arrays.equals(m.get("bool").toBooleanArray(), r.get("bool").toBooleanArray()));
        assertTrue(java.util.Arrays.equals(m.get("f64").toDoubleArray(), r.get("f64").toDoubleArray()));
        assertTrue(java.util.Arrays.equals(m.get("f32").toFloatArray(), r.get("f32").toFloatArray()));
        long headerLen = java.nio.ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8, "data is 8-byte aligned");
    }
}
