package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random chains of view ops with extreme arguments (0, -1, 2^31-1, 2^31-4, 65536, ...) on a small
 * tensor, then reads and writes through the result, on the CPU and on the device side by side.
 * Each chain must either fail on both with the same exception type (an argument error, never a
 * crash of the JVM or an Error) or give the same values on both.
 */
class ViewFuzzTest {
    private static final int[] EXTREMES = {Integer.MIN_VALUE, -65536, -3, -2, -1, 0, 1, 2, 3, 4, 5, 7, 65536,
        Integer.MAX_VALUE - 3, Integer.MAX_VALUE};

    private static int arg(Random r) {
        return r.nextInt(8) == 0 ? EXTREMES[r.nextInt(EXTREMES.length)] : r.nextInt(6) - 1;
    }

    private static int[] args(Random r, int max) {
        int[] a = new int[1 + r.nextInt(max)];
        for (int i = 0; i < a.length; i++) {
            a[i] = arg(r);
        }
        return a;
    }

    /** One random view step, described for the failure message. */
    private record Step(String name, UnaryOperator<Tensor> op) {
    }

    private static Step step(Random r) {
        int a = arg(r);
        int b = arg(r);
        int c = arg(r);
        int[] sizes = args(r, 4);
        switch (r.nextInt(11)) {
            case 0: return new Step("narrow(" + a + "," + b + "," + c + ")", t -> t.narrow(a, b, c));
            case 1: {
                int step = arg(r);
                return new Step("slice(" + a + "," + b + "," + c + "," + step + ")", t -> t.slice(a, b, c, step));
            }
            case 2: return new Step("select(" + a + "," + b + ")", t -> t.select(a, b));
            case 3: return new Step("expand" + java.util.Arrays.toString(sizes), t -> t.expand(sizes));
            case 4: return new Step("reshape" + java.util.Arrays.toString(sizes), t -> t.reshape(sizes));
            case 5: return new Step("view" + java.util.Arrays.toString(sizes), t -> t.view(sizes));
            case 6: return new Step("transpose(" + a + "," + b + ")", t -> t.transpose(a, b));
            case 7: return new Step("unsqueeze(" + a + ")", t -> t.unsqueeze(a));
            case 8: return new Step("squeeze(" + a + ")", t -> t.squeeze(a));
            case 9: return new Step("flatten(" + a + "," + b + ")", t -> t.flatten(a, b));
            default: {
                int[] stride = new int[sizes.length];
                for (int i = 0; i < stride.length; i++) {
                    stride[i] = arg(r);
                }
                return new Step("wrap(" + java.util.Arrays.toString(sizes) + "," + java.util.Arrays.toString(stride)
                        + "," + a + ")", t -> Tensors.wrap(Tensors.storage(t), sizes, stride, a));
            }
        }
    }

    /** What a chain gave: its values read back, then the storage after writing through the view. */
    private record Outcome(Class<?> failure, int[] shape, double[] read, double[] storageAfterWrite) {
    }

    private static Outcome run(List<Step> chain, Device d) {
        Tensor base = Tensor.arange(0, 24, 1, DType.FLOAT64, d).reshape(2, 3, 4);
        try {
            Tensor t = base;
            for (Step s : chain) {
                t = s.op().apply(t);
            }
            double[] read = t.contiguous().toDoubleArray();
            double sum = t.sum().item();
            assertEquals(java.util.Arrays.stream(read).sum(), sum, 1e-9, "sum of " + chain);
            t.copy_(Tensor.full(t.shape(), -1, DType.FLOAT64, d));
            return new Outcome(null, t.shape(), read, base.reshape(24).toDoubleArray());
        } catch (IllegalArgumentException | IndexOutOfBoundsException | IllegalStateException e) {
            return new Outcome(e.getClass(), null, null, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void randomViewChainsFailOrAgreeWithTheCpu(Target target) {
        Device d = target.use();
        Random r = new Random(2026);
        int succeeded = 0;
        for (int i = 0; i < 400; i++) {
            List<Step> chain = new ArrayList<>();
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                chain.add(step(r));
            }
            Outcome cpu = run(chain, Device.CPU);
            Outcome dev = run(chain, d);
            String what = chain.stream().map(Step::name).toList().toString();
            if (cpu.failure() != dev.failure()) {
                fail(what + ": cpu " + cpu.failure() + " but " + target + " " + dev.failure());
            }
            if (cpu.failure() == null) {
                succeeded++;
                assertArrayEquals(cpu.shape(), dev.shape(), what);
                assertArrayEquals(cpu.read(), dev.read(), what);
                assertArrayEquals(cpu.storageAfterWrite(), dev.storageAfterWrite(), what);
            }
        }
        // the chains must exercise both outcomes, or the test proves nothing
        assertTrue(succeeded > 60 && succeeded < 340, succeeded + " of 400 chains succeeded");
    }
}
