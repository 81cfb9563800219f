package dev.kiln.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The CUDA kernel modules this jar carries, each one fatbin (SASS for sm_80 and sm_90, PTX for newer GPUs)
 * built by nvcc from src/main/cuda: {@code <family>.fatbin} for the float32 and integer kernels,
 * {@code <family>_f64.fatbin} for the float64 ones. They are read through this class, so they stay readable
 * when the jar is a named module (a resource in a module is visible to that module's classes only).
 */
public final class Fatbins {
    private Fatbins() {
    }

    /** Kernel module {@code name} ("gemm", "gemm_f64"), or empty when this jar was built without nvcc. */
    public static Optional<byte[]> read(String name) {
        String resource = "/kiln/kernels/" + name + ".fatbin";
        try (InputStream in = Fatbins.class.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("kiln-kernels: cannot read " + resource, e);
        }
    }
}
