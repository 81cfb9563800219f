package dev.kiln.bench.gpu;

import dev.kiln.AdamParams;
import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.Tensors;
import dev.kiln.spi.UnaryOp;
import java.util.function.Supplier;

/**
 * Builds a case's inputs on the device and the one Backend primitive call that is timed (on the
 * arrays a backend takes, so no tensor API runs inside the timing), with the work it does: FLOPs
 * for compute-bound kernels, bytes read + written for memory-bound ones.
 */
final class GpuKernels {
    /** The timed call (its results are closed after each run) and its work. */
    record Timed(Supplier<NdArray[]> call, double flops, double bytes) {
    }

    private final Backend backend;
    private final Device device;
    private final Generator g = new Generator(0);

    GpuKernels(Backend backend, Device device) {
        this.backend = backend;
        this.device = device;
    }

    private NdArray randn(DType t, int... shape) {
        return Tensors.array(Tensor.normal(g, 0, 1, shape, t, device));
    }

    private static long numel(int... shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    Timed prepare(GpuCase c) {
        DType t = c.dtype();
        int es = c.bytesPerElement();
        return switch (c.op()) {
            case "copy" -> {
                NdArray x = randn(t, c.get("numel"));                               // (numel)
                NdArray y = Tensors.array(Tensor.zeros(x.shape(), t, device));
                yield new Timed(() -> {
                    backend.copyInto(y, x);
                    return new NdArray[0];
                }, 0, 2.0 * es * x.numel());
            }
            case "matmul" -> {
                int m = c.get("m");
                int n = c.get("n");
                int k = c.get("k");
                NdArray a = randn(t, m, k);                                        // (m, k)
                NdArray b = randn(t, k, n);                                        // (k, n)
                yield new Timed(() -> new NdArray[] {backend.matmul(a, b)}, 2.0 * m * n * k,
                        (double) es * (numel(m, k) + numel(k, n) + numel(m, n)));
            }
            case "sparse_mm" -> sparseMm(c, t, es);
            case "conv2d", "conv2d_backward_input", "conv2d_backward_weight" -> conv(c, t, es);
            case "softmax", "log_softmax", "softmax_backward" -> {
                int rows = c.get("rows");
                int cols = c.get("cols");
                NdArray x = randn(t, rows, cols);                                  // (rows, cols)
                double bytes = 2.0 * es * x.numel();
                yield switch (c.op()) {
                    case "softmax" -> new Timed(() -> new NdArray[] {backend.softmax(x, 1)}, 0, bytes);
                    case "log_softmax" -> new Timed(() -> new NdArray[] {backend.logSoftmax(x, 1)}, 0, bytes);
                    default -> {
                        NdArray y = backend.softmax(x, 1);
                        NdArray gy = randn(t, rows, cols);
                        yield new Timed(() -> new NdArray[] {backend.softmaxBackward(gy, y, 1)}, 0, 1.5 * bytes);
                    }
                };
            }
            case "max_pool2d", "avg_pool2d" -> {
                NdArray x = randn(t, c.get("n"), c.get("c"), c.get("h"), c.get("w")); // (n, c, h, w)
                Pool2dParams p = Pool2dParams.of(c.get("k"), c.get("stride"), 0, 1, false);
                boolean max = c.op().equals("max_pool2d");
                NdArray[] probe = max ? backend.maxPool2d(x, p) : new NdArray[] {backend.avgPool2d(x, p)};
                // max also writes int64 indices for backward
                double bytes = (double) es * x.numel() + (es + (max ? 8 : 0)) * (double) probe[0].numel();
                yield new Timed(max ? () -> backend.maxPool2d(x, p) : () -> new NdArray[] {backend.avgPool2d(x, p)}, 0, bytes);
            }
            case "attention", "attention_backward" -> attention(c, t, es);
            case "batch_norm", "batch_norm_backward" -> batchNorm(c, t, es);
            case "fill", "exp", "add", "mul_scalar", "add_rows", "transpose_copy", "sum", "adam" -> elementwise(c, t, es);
            default -> throw new IllegalArgumentException("gpu bench case '" + c.text() + "': unknown op " + c.op()
                    + " (copy, matmul, conv2d, conv2d_backward_input, conv2d_backward_weight, softmax, log_softmax,"
                    + " softmax_backward, max_pool2d, avg_pool2d, attention, attention_backward, batch_norm,"
                    + " batch_norm_backward, fill, exp, add,"
                    + " mul_scalar, add_rows, transpose_copy, sum, adam)");
        };
    }

    /** Memory-bound ops over numel elements, or (rows, cols); bytes read + written once each. */
    private Timed elementwise(GpuCase c, DType t, int es) {
        if (c.params().containsKey("rows")) {
            int rows = c.get("rows");
            int cols = c.get("cols");
            NdArray x = randn(t, rows, cols);                                      // (rows, cols)
            double n = x.numel();
            return switch (c.op()) {
                case "add_rows" -> {
                    NdArray row = randn(t, cols);                                  // (cols), broadcast over rows
                    yield new Timed(() -> new NdArray[] {backend.binary(BinaryOp.ADD, x, row)}, 0, es * (2 * n + cols));
                }
                case "transpose_copy" -> new Timed(() -> new NdArray[] {backend.contiguous(x.permute(new int[] {1, 0}))}, 0, 2.0 * es * n);
                case "sum" -> {
                    int dim = c.get("dim");
                    double out = dim == 0 ? cols : rows;
                    yield new Timed(() -> new NdArray[] {backend.reduce(ReduceOp.SUM, x, new int[] {dim}, false)}, 0,
                            es * (n + out));
                }
                default -> throw new IllegalArgumentException("gpu bench case '" + c.text() + "': " + c.op()
                        + " takes numel=..., not rows and cols");
            };
        }
        int numel = c.get("numel");
        NdArray x = randn(t, numel);                                               // (numel)
        double n = numel;
        return switch (c.op()) {
            case "fill" -> new Timed(() -> new NdArray[] {backend.full(x.shape(), t, 1.5, device)}, 0, es * n);
            case "exp" -> new Timed(() -> new NdArray[] {backend.unary(UnaryOp.EXP, x)}, 0, 2 * es * n);
            case "add" -> {
                NdArray y = randn(t, numel);
                yield new Timed(() -> new NdArray[] {backend.binary(BinaryOp.ADD, x, y)}, 0, 3 * es * n);
            }
            case "mul_scalar" -> {
                NdArray scalar = Tensors.array(Tensor.full(new int[0], 0.5, t, device)); // () broadcast
                yield new Timed(() -> new NdArray[] {backend.binary(BinaryOp.MUL, x, scalar)}, 0, 2 * es * n);
            }
            case "adam" -> {
                NdArray grad = randn(t, numel);
                NdArray m = Tensors.array(Tensor.zeros(x.shape(), t, device));
                NdArray v = Tensors.array(Tensor.zeros(x.shape(), t, device));
                AdamParams p = new AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, false, 1);
                yield new Timed(() -> {
                    backend.adamStep(x, grad, m, v, null, p);
                    return new NdArray[0];
                }, 0, 7 * es * n);                                                 // reads p, g, m, v; writes p, m, v
            }
            default -> throw new IllegalArgumentException("gpu bench case '" + c.text() + "': " + c.op()
                    + " takes rows=... cols=..., not numel");
        };
    }

    /**
     * A (rows, cols) CSR matrix with deg random columns in every row @ x (cols, n): memory-bound (2 FLOPs
     * per 4-8 bytes gathered), so it is reported against bandwidth; bytes: the indices, values, x and the
     * output once each (a gathered row of x read again may hit the cache, which this does not count).
     */
    private Timed sparseMm(GpuCase c, DType t, int es) {
        int rows = c.get("rows");
        int cols = c.get("cols");
        int deg = c.get("deg");
        int n = c.get("n");
        int nnz = rows * deg;
        NdArray crow = Tensors.array(Tensor.arange(0, nnz + 1.0, deg, DType.INT64, device)); // (rows + 1)
        NdArray col = Tensors.array(Tensor.randint(g, 0, cols, new int[] {nnz}, device));     // (nnz)
        NdArray values = randn(t, nnz);
        NdArray x = randn(t, cols, n);
        double bytes = 8.0 * (rows + 1 + nnz) + (double) es * (nnz + numel(cols, n) + numel(rows, n));
        return new Timed(() -> new NdArray[] {backend.sparseMm(crow, col, values, x)}, 0, bytes);
    }

    private Timed conv(GpuCase c, DType t, int es) {
        int n = c.get("n");
        int ch = c.get("c");
        int o = c.get("o");
        int k = c.get("k");
        Conv2dParams p = Conv2dParams.of(1, c.get("pad"), c.get("dil"), 1);
        int[] xShape = {n, ch, c.get("h"), c.get("w")};
        int[] wShape = {o, ch, k, k};
        NdArray x = randn(t, xShape);                                             // (n, c, h, w)
        NdArray w = randn(t, wShape);                                             // (o, c, k, k)
        NdArray y = backend.conv2d(x, w, null, p);                                // (n, o, oh, ow)
        double flops = 2.0 * y.numel() * ch * k * k;
        double bytes = (double) es * (x.numel() + w.numel() + y.numel());
        return switch (c.op()) {
            case "conv2d" -> new Timed(() -> new NdArray[] {backend.conv2d(x, w, null, p)}, flops, bytes);
            case "conv2d_backward_input" -> {
                NdArray gy = randn(t, y.shape());
                yield new Timed(() -> new NdArray[] {backend.conv2dBackwardInput(gy, w, xShape, p)}, flops, bytes);
            }
            default -> {
                NdArray gy = randn(t, y.shape());
                yield new Timed(() -> new NdArray[] {backend.conv2dBackwardWeight(gy, x, wShape, p)}, flops, bytes);
            }
        };
    }

    /** q, k, v (b·h, s, d) as the SPI takes them; FLOPs of the two (forward) or five (backward) matmuls. */
    private Timed attention(GpuCase c, DType t, int es) {
        int bh = c.get("b") * c.get("h");
        int s = c.get("s");
        int d = c.get("d");
        boolean causal = c.get("causal") != 0;
        double scale = 1 / Math.sqrt(d);
        NdArray q = randn(t, bh, s, d);
        NdArray k = randn(t, bh, s, d);
        NdArray v = randn(t, bh, s, d);
        double forwardFlops = 4.0 * bh * s * (double) s * d * (causal ? 0.5 : 1);
        double io = (double) es * 4 * q.numel();
        if (c.op().equals("attention")) {
            return new Timed(() -> backend.attention(q, k, v,
                    new AttentionSpec(null, causal, scale)), forwardFlops, io);
        }
        NdArray[] outAndLse = backend.attention(q, k, v, new AttentionSpec(null, causal, scale));
        NdArray gOut = randn(t, bh, s, d);
        return new Timed(() -> backend.attentionBackward(gOut, q, k, v, outAndLse[0], outAndLse[1],
                new AttentionSpec(null, causal, scale)),
                2.5 * forwardFlops, 2 * io);
    }

    /**
     * Training batch norm of x (n, c, h, w): the forward's statistics, invstd and normalisation, or the
     * backward's reduction and input gradient. Bytes as one read of each input and one write of each output
     * per pass the ideal kernel needs (forward: x twice, y; backward: gy and x twice, gx).
     */
    private Timed batchNorm(GpuCase c, DType t, int es) {
        NdArray x = randn(t, c.get("n"), c.get("c"), c.get("h"), c.get("w"));     // (n, c, h, w)
        int[] channels = {c.get("c")};
        NdArray w = Tensors.array(Tensor.ones(channels, t, device));
        NdArray b = Tensors.array(Tensor.zeros(channels, t, device));
        NdArray eps = Tensors.array(Tensor.full(new int[0], 1e-5, t, device));
        double n = x.numel();
        NdArray[] stats = backend.batchNormStats(x);
        NdArray invstd = backend.unary(UnaryOp.RSQRT, backend.binary(BinaryOp.ADD, stats[1], eps));
        if (c.op().equals("batch_norm")) {
            return new Timed(() -> {
                NdArray[] s = backend.batchNormStats(x);
                NdArray k = backend.unary(UnaryOp.RSQRT, backend.binary(BinaryOp.ADD, s[1], eps));
                return new NdArray[] {s[0], s[1], k, backend.batchNormElemt(x, s[0], k, w, b)};
            }, 0, 3 * es * n);
        }
        NdArray gy = randn(t, x.shape());
        long count = x.numel() / channels[0];
        return new Timed(() -> {
            NdArray[] sums = backend.batchNormBackwardReduce(gy, x, stats[0]);
            return new NdArray[] {sums[0], sums[1],
                backend.batchNormBackwardElemt(gy, x, stats[0], invstd, w, sums[0], sums[1], count)};
        }, 0, 5 * es * n);
    }
}
