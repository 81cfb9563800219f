package dev.kiln.autograd;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The registry of differentiable primitives: each case is a small function of float64 inputs (with
 * broadcasting and non-contiguous views where the op allows them) that exercises one op. The gradient
 * tests and {@code kiln gradcheck} both run over it, so a new primitive gets one case here.
 */
public final class PrimitiveCases {
    private PrimitiveCases() {
    }

    /** gradgrad: whether the op's rule is itself differentiable (checked by gradgradcheck). */
    public record Case(String name, Function<Tensor[], Tensor> f, int[][] shapes, boolean positive, boolean gradgrad) {
        public Tensor[] inputs(long seed) {
            return inputs(seed, Device.CPU);
        }

        /**
         * Seeded float64 leaves requiring grad on {@code device} (positive ones for ops defined there
         * only); drawn on the CPU, so every device checks the same values.
         */
        public Tensor[] inputs(long seed, Device device) {
            Generator g = new Generator(seed);
            Tensor[] xs = new Tensor[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                Tensor r = Tensor.normal(g, 0, 1, shapes[i], DType.FLOAT64, Device.CPU);
                xs[i] = (positive ? r.abs().add(0.5) : r).to(device).requiresGrad_(true);
            }
            return xs;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static int[][] s(int[]... shapes) {
        return shapes;
    }

    private static int[] d(int... dims) {
        return dims;
    }

    /** An index or mask constant on the device of the case's inputs. */
    private static Tensor on(Tensor like, Tensor constant) {
        return constant.to(like.device());
    }

    private static Tensor idx(Tensor like, long... values) {
        return on(like, Tensor.fromArray(values, values.length));
    }

    /** The 3 x 4 sparse matrix with values v (5) at (0, 1), (2, 0), (0, 3), (2, 3), (0, 1), on v's device. */
    private static SparseMatrix sparse(Tensor v) {
        return SparseMatrix.coo(Tensor.fromArray(new long[] {0, 2, 0, 2, 0, 1, 0, 3, 3, 1}, 2, 5), v, 3, 4);
    }

    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // elementwise unary, on a transposed (non-contiguous) view
        c.add(new Case("neg", a -> a[0].t().neg(), s(d(3, 4)), false, true));
        c.add(new Case("abs", a -> a[0].t().abs(), s(d(3, 4)), false, true));
        c.add(new Case("sign", a -> a[0].sign().add(a[0]), s(d(5)), false, true));
        c.add(new Case("exp", a -> a[0].t().exp(), s(d(3, 4)), false, true));
        c.add(new Case("log", a -> a[0].t().log(), s(d(3, 4)), true, true));
        c.add(new Case("log1p", a -> a[0].log1p(), s(d(5)), true, true));
        c.add(new Case("expm1", a -> a[0].expm1(), s(d(5)), false, true));
        c.add(new Case("sqrt", a -> a[0].sqrt(), s(d(5)), true, true));
        c.add(new Case("rsqrt", a -> a[0].rsqrt(), s(d(5)), true, true));
        c.add(new Case("reciprocal", a -> a[0].reciprocal(), s(d(5)), true, true));
        c.add(new Case("square", a -> a[0].square(), s(d(5)), false, true));
        c.add(new Case("sin", a -> a[0].sin(), s(d(5)), false, true));
        c.add(new Case("cos", a -> a[0].cos(), s(d(5)), false, true));
        c.add(new Case("atan", a -> a[0].atan(), s(d(2, 3)), false, true));
        c.add(new Case("tanh", a -> a[0].tanh(), s(d(2, 3)), false, true));
        c.add(new Case("sigmoid", a -> a[0].sigmoid(), s(d(2, 3)), false, true));
        c.add(new Case("relu", a -> a[0].relu(), s(d(2, 3)), false, true));
        c.add(new Case("gelu", a -> a[0].gelu(), s(d(2, 3)), false, true));
        c.add(new Case("erf", a -> a[0].erf(), s(d(2, 3)), false, true));
        c.add(new Case("gelu_tanh", a -> a[0].t().gelu("tanh"), s(d(3, 4)), false, true));
        c.add(new Case("silu", a -> Functional.silu(a[0].t()), s(d(3, 4)), false, true));
        c.add(new Case("floor_ceil_round", a -> a[0].mul(3).floor().add(a[0].ceil()).add(a[0].round()).add(a[0]),
                s(d(4)), false, true));
        // binary with broadcasting: (3, 1) op (4,) -> (3, 4)
        c.add(new Case("add", a -> a[0].add(a[1]), s(d(3, 1), d(4)), false, true));
        c.add(new Case("sub", a -> a[0].sub(a[1].t()), s(d(3, 4), d(4, 3)), false, true));
        c.add(new Case("mul", a -> a[0].mul(a[1]), s(d(3, 1), d(4)), false, true));
        c.add(new Case("div", a -> a[0].div(a[1]), s(d(3, 1), d(4)), true, true));
        c.add(new Case("pow", a -> a[0].pow(a[1]), s(d(3, 1), d(4)), true, true));
        // piecewise constant: the zero gradient, plus a term so the check sees a non-zero one
        c.add(new Case("div_trunc_floor", a -> a[0].mul(3).div(a[1], "trunc").add(a[0].mul(3).div(a[1], "floor"))
                .add(a[0].mul(a[1])), s(d(3, 1), d(4)), true, true));
        c.add(new Case("pow_scalar", a -> a[0].pow(2.5), s(d(4)), true, true));
        c.add(new Case("maximum", a -> a[0].maximum(a[1]), s(d(3, 1), d(4)), false, true));
        c.add(new Case("minimum", a -> a[0].minimum(a[1]), s(d(3, 4), d(4)), false, true));
        c.add(new Case("relu_backward", a -> Functional.reluBackward(a[0], a[1]), s(d(3, 1), d(4)), false, true));
        c.add(new Case("gelu_backward", a -> Functional.geluBackward(a[0], a[1], "none"), s(d(3, 1), d(4)), false, true));
        c.add(new Case("gelu_tanh_backward", a -> Functional.geluBackward(a[0], a[1], "tanh"), s(d(3, 1), d(4)), false,
                true));
        c.add(new Case("silu_backward", a -> Functional.siluBackward(a[0], a[1]), s(d(3, 1), d(4)), false, true));
        c.add(new Case("where", a -> Tensor.where(a[0].gt(0), a[0], a[1]), s(d(3, 4), d(4)), false, true));
        c.add(new Case("clamp_tensor_bounds", a -> a[0].clamp(a[1], a[2]), s(d(3, 4), d(4), d(3, 1)), false, true));
        c.add(new Case("add_sub_alpha", a -> a[0].add(a[1], 2.5).sub(a[1], -0.5), s(d(3, 1), d(4)), false, true));
        // reductions
        c.add(new Case("sum_dims", a -> a[0].sum(d(0, 2), false), s(d(2, 3, 4)), false, true));
        c.add(new Case("sum_keepdim_noncontiguous", a -> a[0].permute(2, 0, 1).sum(d(1), true), s(d(2, 3, 4)), false, true));
        c.add(new Case("mean", a -> a[0].mean(d(1), false), s(d(3, 4)), false, true));
        c.add(new Case("prod", a -> a[0].prod(d(1), false), s(d(3, 4)), false, true));
        c.add(new Case("amax", a -> a[0].amax(d(0), true), s(d(3, 4)), false, true));
        c.add(new Case("amin", a -> a[0].amin(d(1), false), s(d(3, 4)), false, true));
        c.add(new Case("max_dim", a -> a[0].max(1, false).values(), s(d(3, 4)), false, true));
        c.add(new Case("min_dim_keepdim", a -> a[0].min(0, true).values(), s(d(3, 4)), false, true));
        c.add(new Case("var", a -> a[0].var(d(1), 1, false), s(d(3, 4)), false, true));
        // linear algebra
        c.add(new Case("matmul_broadcast_batch", a -> a[0].matmul(a[1]), s(d(2, 3, 4), d(4, 5)), false, true));
        c.add(new Case("matmul_transposed", a -> a[0].t().matmul(a[1]), s(d(4, 3), d(4, 2)), false, true));
        c.add(new Case("matmul_vector", a -> a[0].matmul(a[1]), s(d(3, 4), d(4)), false, true));
        c.add(new Case("dot", a -> a[0].matmul(a[1]), s(d(4), d(4)), false, true));
        // sparse-dense products over a 3 x 4 pattern given out of order, with an empty row and (0, 1) twice
        c.add(new Case("sparse_mm", a -> sparse(a[0]).mm(a[1].t()), s(d(5), d(2, 4)), false, true));
        c.add(new Case("sparse_mm_transpose", a -> sparse(a[0]).t().mm(a[1]), s(d(5), d(3, 2)), false, true));
        c.add(new Case("sampled_mm", a -> SparseMatrix.sampledMm(sparse(a[0].detach()).pattern(), a[1], a[2].t()).values()
                .mul(a[0]), s(d(5), d(3, 2), d(4, 2)), false, true));
        // views
        c.add(new Case("reshape", a -> a[0].t().reshape(2, 6).mul(a[0].reshape(2, 6)), s(d(3, 4)), false, true));
        c.add(new Case("permute", a -> a[0].permute(2, 0, 1).mul(1.5), s(d(2, 3, 4)), false, true));
        c.add(new Case("expand", a -> a[0].expand(3, 2, 4).mul(a[1]), s(d(2, 1), d(3, 2, 4)), false, true));
        c.add(new Case("narrow", a -> a[0].narrow(1, 1, 2).square(), s(d(3, 4)), false, true));
        c.add(new Case("slice_step", a -> a[0].slice(1, 0, 5, 2).square(), s(d(2, 5)), false, true));
        c.add(new Case("select", a -> a[0].select(0, -1).square(), s(d(3, 4)), false, true));
        c.add(new Case("unbind", a -> { // the middle slice gets no gradient: it arrives as zeros
            Tensor[] p = a[0].unbind(1);                                                  // 3 x (2, 4)
            return p[0].mul(p[2]).add(p[2].square());
        }, s(d(2, 3, 4)), false, true));
        c.add(new Case("squeeze_unsqueeze", a -> a[0].unsqueeze(1).squeeze(1).square(), s(d(3)), false, true));
        c.add(new Case("clone", a -> a[0].t().contiguous().square(), s(d(3, 2)), false, true));
        // indexing
        c.add(new Case("gather", a -> a[0].gather(1, on(a[0], Tensor.fromArray(new long[] {2, 0, 1, 1, 3, 0}, 2, 3))),
                s(d(2, 4)), false, true));
        c.add(new Case("scatter_add", a -> a[0].scatterAdd(1, on(a[0], Tensor.fromArray(new long[] {0, 2, 0, 3, 3, 1}, 2, 3)), a[1]),
                s(d(2, 4), d(2, 3)), false, true));
        c.add(new Case("index_select", a -> a[0].indexSelect(0, idx(a[0], 2, 0, 2)), s(d(3, 2)), false, true));
        c.add(new Case("index_add", a -> a[0].indexAdd(0, idx(a[0], 1, 1), a[1]), s(d(3, 2), d(2, 2)), false, true));
        c.add(new Case("embedding", a -> Functional.embedding(on(a[0], Tensor.fromArray(new long[] {1, 0, 1, 3}, 2, 2)), a[0]),
                s(d(4, 3)), false, true));
        c.add(new Case("cat", a -> Tensor.cat(new Tensor[] {a[0], a[1].t()}, 0), s(d(2, 3), d(3, 1)), false, true));
        c.add(new Case("stack", a -> Tensor.stack(new Tensor[] {a[0], a[1]}, 1), s(d(2, 3), d(2, 3)), false, true));
        // convolution, pooling, softmax, batch norm, attention, dropout, binary cross entropy
        Conv2dParams conv = new Conv2dParams(2, 1, 1, 2, 2, 1, 2);
        c.add(new Case("conv2d_stride_pad_dilation_groups_bias",
                a -> Functional.conv2d(a[0], a[1], a[2], conv), s(d(2, 4, 7, 6), d(4, 2, 3, 2), d(4)), false, true));
        c.add(new Case("conv2d_depthwise_noncontiguous",
                a -> Functional.conv2d(a[0].transpose(2, 3), a[1], null, Conv2dParams.of(1, 1, 1, 3)),
                s(d(1, 3, 5, 4), d(3, 1, 3, 3)), false, true));
        c.add(new Case("conv2d_backward_input", a -> Functional.conv2dBackwardInput(a[0], a[1], d(1, 2, 5, 5),
                Conv2dParams.of(2, 1, 1, 1)), s(d(1, 3, 3, 3), d(3, 2, 3, 3)), false, true));
        c.add(new Case("conv2d_backward_weight", a -> Functional.conv2dBackwardWeight(a[0], a[1], d(3, 2, 3, 3),
                Conv2dParams.of(2, 1, 1, 1)), s(d(1, 3, 3, 3), d(1, 2, 5, 5)), false, true));
        Pool2dParams maxp = new Pool2dParams(3, 2, 2, 1, 1, 1, 2, 1, true, true);
        c.add(new Case("max_pool2d_dilation_ceil", a -> Functional.maxPool2d(a[0], maxp), s(d(1, 2, 6, 5)), false, true));
        c.add(new Case("pad_constant_reflect_replicate_circular", a -> Functional.pad(Functional.pad(Functional.pad(
                Functional.pad(a[0], d(1, -1), "constant", 0.5), d(2, 1), "reflect", 0), d(1, 0, 0, 2), "replicate", 0),
                d(0, 3, 2, 1), "circular", 0), s(d(2, 3, 4)), false, true));
        c.add(new Case("conv2d_same_even_kernel_unbatched", a -> Functional.conv2dSame(a[0], a[1], a[2], 1, 3, 1),
                s(d(2, 4, 5), d(3, 2, 2, 2), d(3)), false, true));
        c.add(new Case("avg_pool2d_divisor_override", a -> Functional.avgPool2d(a[0],
                new Pool2dParams(3, 2, 2, 1, 1, 1, 1, 1, true, true, 5)), s(d(1, 2, 5, 6)), false, true));
        Pool2dParams avgp = new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, true, false);
        c.add(new Case("avg_pool2d_ceil_exclude_pad", a -> Functional.avgPool2d(a[0], avgp), s(d(2, 1, 5, 6)), false, true));
        c.add(new Case("softmax_dim0", a -> Functional.softmax(a[0], 0), s(d(3, 4)), false, true));
        c.add(new Case("softmax_last", a -> Functional.softmax(a[0].t(), -1), s(d(3, 4)), false, true));
        c.add(new Case("log_softmax_dim1", a -> Functional.logSoftmax(a[0], 1), s(d(2, 3, 2)), false, true));
        c.add(new Case("batch_norm_training_affine", a -> Functional.batchNorm(a[0], null, null, a[1], a[2], true, 0.1, 1e-5),
                s(d(3, 2, 2, 3), d(2), d(2)), false, true));
        c.add(new Case("batch_norm_training_2d_noncontiguous_no_affine",
                a -> Functional.batchNorm(a[0].t(), null, null, null, null, true, 0.1, 1e-5), s(d(3, 4)), false, true));
        c.add(new Case("batch_norm_eval_running_stats_with_grad", a -> Functional.batchNorm(a[0], a[1], a[2].mul(a[2]).add(0.5),
                a[3], a[4], false, 0.1, 1e-5), s(d(2, 3, 4), d(3), d(3), d(3), d(3)), false, true));
        c.add(new Case("attention_causal", a -> Functional.scaledDotProductAttention(a[0], a[1], a[2], null, true, Double.NaN),
                s(d(2, 3, 4), d(2, 3, 4), d(2, 3, 5)), false, false));
        Tensor boolMask = Tensor.fromArray(new boolean[] {true, false, true, true, true, false, false, true}, 2, 4);
        c.add(new Case("attention_bool_mask_lq_ne_lk", a -> Functional.scaledDotProductAttention(a[0], a[1], a[2],
                on(a[0], boolMask), false, 0.7), s(d(1, 2, 2, 3), d(1, 2, 4, 3), d(1, 2, 4, 2)), false, false));
        c.add(new Case("dropout", a -> Functional.dropout(a[0], 0.4, true, new Generator(7)), s(d(3, 5)), false, true));
        c.add(new Case("binary_cross_entropy", a -> Functional.binaryCrossEntropy(a[0].sigmoid(), a[1].sigmoid()),
                s(d(3, 4), d(3, 4)), false, true));
        return c;
    }
}
