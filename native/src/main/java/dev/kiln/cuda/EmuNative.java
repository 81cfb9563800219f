package dev.kiln.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The emulated device's JNI library (native/src/main/cpp/cuda_emu), extracted from the jar to a
 * temporary directory and loaded on first use; kernel modules are extracted next to it on demand.
 */
final class EmuNative {
    /** Where the library and modules lie in the jar; constants, so reading them does not load the library. */
    static final String RESOURCES = "/kiln/emu/";
    static final String LIBRARY = "libkiln_cuda_emu.so";
    private static final Path DIR = loadLibrary();

    private EmuNative() {
    }

    private static Path loadLibrary() {
        try {
            Path dir = Files.createTempDirectory("kiln-cuda-emu");
            dir.toFile().deleteOnExit();
            System.load(extract(dir, LIBRARY).toString());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cuda-emu: cannot extract the emulator library to a temporary directory", e);
        }
    }

    private static Path extract(Path dir, String file) throws IOException {
        String resource = RESOURCES + file;
        try (InputStream in = EmuNative.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("cuda-emu: " + resource + " is not on the class path (kiln-native was built without g++?)");
            }
            Path out = dir.resolve(file);
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            out.toFile().deleteOnExit();
            return out;
        }
    }

    /** Loads kernel module {@code name} (resource kiln/emu/name.so); returns its handle. */
    static synchronized long loadModule(String name) {
        try {
            return loadModuleFile(extract(DIR, name + ".so").toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cuda-emu: cannot extract kernel module " + name, e);
        }
    }

    static native long malloc(long bytes);

    static native void free(long address);

    static native void copyFromArray(long dst, Object array, long byteOffset, long bytes);

    static native void copyToArray(Object array, long byteOffset, long src, long bytes);

    static native void memset(long dst, int value, long bytes);

    private static native long loadModuleFile(String path);

    static native long function(long module, String name);

    /** "name(const float*, int)": the parameter list as compiled. */
    static native String signature(long function);

    static native void launch(long function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                              byte[] args, int[] argSizes, int order, long seed, int workers);
}
