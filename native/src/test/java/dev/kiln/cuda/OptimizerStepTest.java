package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.AdamParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.FusedOptim;
import dev.kiln.Generator;
import dev.kiln.SgdParams;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/optim.cu against the CPU backend: the same fused SGD and Adam steps from the same values,
 * over several steps, comparing the parameter and every state buffer after each. The size (61 x 53)
 * is several blocks of 16-byte packs plus a tail; the parameter is also taken at a storage offset of
 * one element (unaligned: the one-by-one path), and the gradient is a transposed view.
 */
class OptimizerStepTest {
    private static final int ROWS = 61;
    private static final int COLS = 53;
    private static final int STEPS = 3;

    /** The CPU and device copies of one parameter and its state, stepped side by side. */
    private record Pair(Tensor cpu, Tensor dev) {
        static Pair of(Tensor cpu, Device dev, boolean unaligned) {
            Tensor d = cpu.to(dev);
            if (unaligned) {
                Tensor padded = Tensor.zeros(new int[] {cpu.numel() + 1}, cpu.dtype(), dev);
                d = padded.narrow(0, 1, cpu.numel()).view(cpu.shape());
                d.copy_(cpu.to(dev));
            }
            return new Pair(cpu.clone(), d);
        }

        void check(DType dtype, String what) {
            Tolerances.BALANCED.of(dtype).assertClose(what, cpu, dev.to(Device.CPU));
        }
    }

    private static Tensor normal(long seed, DType dtype) {
        return Tensor.normal(new Generator(seed), 0, 1, new int[] {ROWS, COLS}, dtype, Device.CPU);
    }

    /** A (ROWS, COLS) gradient stored transposed, as a CPU tensor and its device copy. */
    private static Tensor[] transposedGrad(long seed, DType dtype, Device dev) {
        Tensor stored = Tensor.normal(new Generator(seed), 0, 1, new int[] {COLS, ROWS}, dtype, Device.CPU);
        return new Tensor[] {stored.t(), stored.to(dev).t()};
    }

    private static Pair zeros(DType dtype, Device dev) {
        return Pair.of(Tensor.zeros(new int[] {ROWS, COLS}, dtype, Device.CPU), dev, false);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void sgdVariantsMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        SgdParams[] variants = {
            new SgdParams(0.1, 0, 0, 0, false, false),
            new SgdParams(0.05, 0.9, 0.1, 0.01, false, false),
            new SgdParams(0.05, 0.9, 0, 0.01, true, false),
        };
        for (int k = 0; k < variants.length; k++) {
            SgdParams hp = variants[k];
            String name = "sgd " + hp;
            Pair p = Pair.of(normal(k, dtype), dev, k == 1);
            Pair buf = hp.momentum() != 0 ? zeros(dtype, dev) : null;
            for (int s = 0; s < STEPS; s++) {
                Tensor[] g = transposedGrad(100 + s, dtype, dev);
                SgdParams step = new SgdParams(hp.lr(), hp.momentum(), hp.dampening(), hp.weightDecay(), hp.nesterov(), s == 0);
                FusedOptim.sgd_(p.cpu, g[0], buf == null ? null : buf.cpu, step);
                FusedOptim.sgd_(p.dev, g[1], buf == null ? null : buf.dev, step);
                p.check(dtype, name + " param after step " + (s + 1));
                if (buf != null) {
                    buf.check(dtype, name + " momentum buffer after step " + (s + 1));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void adamVariantsMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        // {lr, beta1, beta2, eps, weight decay, decoupled (AdamW), amsgrad}
        double[][] variants = {
            {0.01, 0.9, 0.999, 1e-8, 0, 0, 0},
            {0.01, 0.8, 0.99, 1e-6, 0.1, 0, 1},
            {0.01, 0.9, 0.999, 1e-8, 0.1, 1, 0},
            {0.02, 0.5, 0.9, 1e-3, 0.05, 1, 1},
        };
        for (int k = 0; k < variants.length; k++) {
            double[] v = variants[k];
            boolean amsgrad = v[6] != 0;
            String name = "adam " + java.util.Arrays.toString(v);
            Pair p = Pair.of(normal(10 + k, dtype), dev, k == 3);
            Pair m = zeros(dtype, dev);
            Pair sq = zeros(dtype, dev);
            Pair max = amsgrad ? zeros(dtype, dev) : null;
            for (int t = 1; t <= STEPS; t++) {
                Tensor[] g = transposedGrad(200 + t, dtype, dev);
                AdamParams hp = new AdamParams(v[0], v[1], v[2], v[3], v[4], v[5] != 0, t);
                FusedOptim.adam_(p.cpu, g[0], m.cpu, sq.cpu, max == null ? null : max.cpu, hp);
                FusedOptim.adam_(p.dev, g[1], m.dev, sq.dev, max == null ? null : max.dev, hp);
                p.check(dtype, name + " param after step " + t);
                m.check(dtype, name + " exp_avg after step " + t);
                sq.check(dtype, name + " exp_avg_sq after step " + t);
                if (max != null) {
                    max.check(dtype, name + " max_exp_avg_sq after step " + t);
                }
            }
        }
    }

    @Test
    void theLauncherRefusesOperandsOfAnotherSizeOrLayout_beforeAnyLaunch() {
        Device dev = Device.parse("cuda-emu:0");
        Backend backend = Backends.of(dev);
        Tensor p = Tensor.zeros(new int[] {4, 6}, DType.FLOAT32, dev);
        Tensor g = Tensor.zeros(new int[] {4, 6}, DType.FLOAT32, dev);
        SgdParams momentum = new SgdParams(0.1, 0.9, 0, 0, false, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.sgdStep(nd(p), nd(g), nd(Tensor.zeros(new int[] {4, 5}, DType.FLOAT32, dev)), momentum));
        assertTrue(e.getMessage().contains("sgd_step: every operand must be a contiguous float32 tensor of 24 elements"), e.getMessage());
        AdamParams adam = new AdamParams(0.1, 0.9, 0.999, 1e-8, 0, false, 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.adamStep(nd(p), nd(Tensor.zeros(new int[] {6, 4}, DType.FLOAT32, dev).t()), nd(g), nd(g), null, adam));
        assertTrue(e.getMessage().contains("with strides [1, 4]"), e.getMessage());
    }
}
