package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static dev.kiln.cuda.KernelFamiliesTest.normal;
import static dev.kiln.cuda.KernelFamiliesTest.permuted;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** softmax and log-softmax forward and backward on every target against a float64 CPU reference, on strided inputs. */
class SoftmaxTest {
    /** softmax / log-softmax along dim of a CPU tensor, in double, as the reference. */
    private static double[] softmaxReference(Tensor x, int dim, boolean log) {
        Tensor m = x.to(DType.FLOAT64).amax(new int[] {dim}, true);
        Tensor shifted = x.to(DType.FLOAT64).sub(m);
        Tensor lse = shifted.exp().sum(new int[] {dim}, true).log();
        Tensor y = log ? shifted.sub(lse) : shifted.sub(lse).exp();
        return y.toDoubleArray();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void softmaxForwardAndBackwardAlongEveryDim(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        // dim 1 has 1100 elements: above the warp-per-row limit, so the block-per-row kernels run too.
        Both xs = permuted(normal(9, 4, dtype, 3, 1100, 5), dev);  // (5, 3, 1100)
        Both gys = permuted(normal(10, 1, dtype, 3, 1100, 5), dev);
        Tensor x = xs.cpu();
        Tensor gy = gys.cpu();
        for (int dim = 0; dim < 3; dim++) {
            for (boolean log : new boolean[] {false, true}) {
                String what = (log ? "log_softmax" : "softmax") + " dim " + dim;
                Tensor y = log ? tensor(gpu.logSoftmax(nd(xs.dev()), dim)) : tensor(gpu.softmax(nd(xs.dev()), dim));
                Tolerances.BALANCED.of(dtype).assertClose(what, softmaxReference(x, dim, log), y.toDoubleArray());
                Tensor yCpu = y.to(Device.CPU);
                // gx = y (gy - sum(gy y)) for softmax, gy - exp(y) sum(gy) for log-softmax, on the CPU.
                Tensor want = log
                        ? gy.sub(yCpu.exp().mul(gy.sum(new int[] {dim}, true)))
                        : yCpu.mul(gy.sub(gy.mul(yCpu).sum(new int[] {dim}, true)));
                Tensor got = log ? tensor(gpu.logSoftmaxBackward(nd(gys.dev()), nd(y), dim)) : tensor(gpu.softmaxBackward(nd(gys.dev()),
                        nd(y), dim));
                Tolerances.BALANCED.of(dtype).assertClose(what + " backward", want, got.to(Device.CPU));
            }
        }
    }

    /**
     * Rows along the last dim of every size class of the in-register kernels (a warp per row, blocks
     * of 32 to 1024 threads, the most elements a thread holds, and one past it: the two-pass
     * kernels), aligned and at an odd offset (no 16-byte loads), and rows holding NaN, -inf and +inf
     * as the CPU backend gives them.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void lastDimRowsOfEverySize(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        int mostInRegisters = 1024 * (dtype == DType.FLOAT64 ? 16 : 32);
        int[] lengths = {1, 3, 32, 257, 1000, 4099, mostInRegisters, mostInRegisters + 1};
        for (int d : lengths) {
            int rows = d > 5000 ? 2 : 5;
            Tensor flat = normal(d, 6, dtype, rows * d + 1);
            for (int offset = 0; offset <= 1; offset++) {
                int at = offset;
                Both x = Both.of(flat, dev).view(t -> t.narrow(0, at, rows * d).view(rows, d));
                for (boolean log : new boolean[] {false, true}) {
                    String what = (log ? "log_softmax" : "softmax") + " of (" + rows + ", " + d + ") at offset " + offset;
                    Tensor y = log ? tensor(gpu.logSoftmax(nd(x.dev()), 1)) : tensor(gpu.softmax(nd(x.dev()), 1));
                    Tolerances.BALANCED.of(dtype).assertClose(what, softmaxReference(x.cpu(), 1, log), y.toDoubleArray());
                }
            }
        }
        double inf = Double.POSITIVE_INFINITY;
        Tensor special = Tensor.fromArray(new double[] {1, Double.NaN, 2, 3, -inf, -inf, -inf, -inf, 0, -inf, 1, 2,
            inf, 0, 1, 2}, 4, 4).to(dtype);
        for (boolean log : new boolean[] {false, true}) {
            Tensor want = log ? tensor(cpu.logSoftmax(nd(special), 1)) : tensor(cpu.softmax(nd(special), 1));
            Tensor got = log ? tensor(gpu.logSoftmax(nd(special.to(dev)), 1)) : tensor(gpu.softmax(nd(special.to(dev)), 1));
            Tolerances.BALANCED.of(dtype).assertClose((log ? "log_softmax" : "softmax") + " of NaN and infinite rows", want,
                    got.to(Device.CPU));
        }
    }
}
