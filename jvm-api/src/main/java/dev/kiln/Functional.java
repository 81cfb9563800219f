package dev.kiln;

import dev.kiln.spi.BinaryOp;
import dev.kiln.graph.Op;
import java.util.Arrays;

/**
 * Neural-network functions, mirroring {@code torch.nn.functional} (conv2d, max_pool2d, softmax,
 * scaled_dot_product_attention, dropout, embedding, ...). The {@code *Backward} functions expose the
 * backward primitives that autograd's rules use. Shapes are checked here, with messages naming the
 * op, the argument and the shapes, before any kernel runs.
 */
public final class Functional {
    private Functional() {
    }

    // ---------------------------------------------------------------- activations

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /**
     * ReLU's gradient from its output y: grad where y > 0 (or y is NaN), else 0, as PyTorch's
     * threshold_backward(grad, y, 0); grad and y broadcast.
     */
    public static Tensor reluBackward(Tensor grad, Tensor y) {
        return activationBackward("relu_backward", BinaryOp.RELU_BACKWARD, grad, "output", y);
    }

    /** An activation's gradient primitive op (named name) of grad and the activation's input or output: checked, recorded. */
    private static Tensor activationBackward(String name, BinaryOp op, Tensor grad, String argument, Tensor at) {
        Checks.compatible(name, "grad_output", grad, argument, at);
        Checks.floating(name, "grad_output", grad);
        Shape.broadcast(name, grad.shape(), at.shape());
        return AutogradLink.record(new Op.Binary(op), Tensor.wrap(grad.backend().binary(op, grad.array(), at.array())), grad, at);
    }

    /**
     * GELU's gradient at its input x: grad * GELU'(x), approximate "none" (exact, with erf) or "tanh", as PyTorch's
     * gelu_backward(grad, x, approximate); grad and x broadcast.
     */
    public static Tensor geluBackward(Tensor grad, Tensor x, String approximate) {
        BinaryOp op = switch (approximate) {
            case "none" -> BinaryOp.GELU_BACKWARD;
            case "tanh" -> BinaryOp.GELU_TANH_BACKWARD;
            default -> throw new IllegalArgumentException("gelu_backward: approximate argument must be either none or tanh,"
                    + " got '" + approximate + "'");
        };
        return activationBackward("gelu_backward", op, grad, "self", x);
    }

    /** x * sigmoid(x), as F.silu (swish): one primitive, its gradient {@link #siluBackward}. */
    public static Tensor silu(Tensor x) {
        return x.silu();
    }

    /** SiLU's gradient at its input x: grad * SiLU'(x), as PyTorch's silu_backward(grad, x); grad and x broadcast. */
    public static Tensor siluBackward(Tensor grad, Tensor x) {
        return activationBackward("silu_backward", BinaryOp.SILU_BACKWARD, grad, "self", x);
    }

    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /**
     * log(1 + exp(x)), linear above 20, as F.softplus(x) (beta 1, threshold 20); its gradient is
     * sigmoid(x) everywhere (the unused branch sees 0, so exp never overflows).
     */
    public static Tensor softplus(Tensor x) {
        Tensor linear = x.gt(20);
        return Tensor.where(linear, x, Tensor.where(linear, Tensor.zerosLike(x), x).exp().log1p());
    }

    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }

    /** approximate: "none" (exact) or "tanh", as F.gelu(x, approximate=...). */
    public static Tensor gelu(Tensor x, String approximate) {
        return x.gelu(approximate);
    }

    /** x > 0 ? x : slope * x; at 0 the gradient is the slope, as PyTorch's leaky_relu_backward. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return Tensor.where(x.gt(0), x, x.mul(negativeSlope));
    }

    /**
     * x > 0 ? x : alpha * (exp(x) - 1). The unused branch sees 0 where x > 0: expm1 of a large x would
     * overflow, and its masked-out gradient 0 * inf would be NaN.
     */
    public static Tensor elu(Tensor x, double alpha) {
        Tensor positive = x.gt(0);
        Tensor negativePart = Tensor.where(positive, Tensor.zerosLike(x), x);
        return Tensor.where(positive, x, negativePart.expm1().mul(alpha));
    }

    // ---------------------------------------------------------------- linear and embedding

    /** x (..., in) @ w (out, in)^T + b (out) -> (..., out), as F.linear. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        x = Autocast.lower(x);   // one op under autocast, as PyTorch's addmm: the bias in the same dtype
        w = Autocast.lower(w);
        b = Autocast.lower(b);
        Checks.rank("linear", "weight", w, 2, "(out_features, in_features)");
        if (x.dim() == 0 || x.size(-1) != w.size(1)) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.str(x.shape()) + " has "
                    + (x.dim() == 0 ? 0 : x.size(-1)) + " features but weight " + Shape.str(w.shape()) + " expects "
                    + w.size(1));
        }
        Tensor y = x.matmul(w.t());
        if (b != null) {
            if (b.dim() != 1 || b.size(0) != w.size(0)) {
                throw new IllegalArgumentException("linear: bias of shape " + Shape.str(b.shape()) + " must be ("
                        + w.size(0) + ",) for weight " + Shape.str(w.shape()));
            }
            y = y.add(b);
        }
        return y;
    }

    /** weight (V, D), indices int64 of any shape -> (..., D), as F.embedding. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        Checks.rank("embedding", "weight", weight, 2, "(num_embeddings, embedding_dim)");
        Checks.dtype("embedding", "indices", indices, DType.INT64);
        Tensor rows = weight.indexSelect(0, indices.reshape(-1));
        return rows.reshape(Shape.concat(indices.shape(), new int[] {weight.size(1)}));
    }

    // ---------------------------------------------------------------- convolution

    /**
     * x (N, C, H, W) or unbatched (C, H, W), w (O, C/groups, kH, kW), bias (O) or null ->
     * (N, O, OH, OW) or (O, OH, OW), as F.conv2d.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
        return conv2d(x, w, bias, Conv2dParams.of(stride, padding, dilation, groups));
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        return Convolution.batched("conv2d", x, b -> new Tensor[] {Convolution.conv2d(b, w, bias, p)})[0];
    }

    /**
     * Pads the last dims, as F.pad(x, pad, mode, value): pad = (left, right) of the last dim, then
     * (top, bottom) of the one before, ...; mode "constant" (value; negative pads crop), "reflect"
     * (pads &lt; the dim's size), "replicate" or "circular" (pads &lt;= the dim's size).
     */
    public static Tensor pad(Tensor x, int[] pad, String mode, double value) {
        return Pad.pad(x, pad, mode, value);
    }

    /**
     * F.conv2d(x, w, bias, stride=1, padding='same', dilation, groups): the output keeps H and W. The
     * total padding dilation * (k - 1) is split evenly; an odd total puts the extra row (column) at the
     * bottom (right), as PyTorch does.
     */
    public static Tensor conv2dSame(Tensor x, Tensor w, Tensor bias, int dilationH, int dilationW, int groups) {
        return Convolution.same(x, w, bias, dilationH, dilationW, groups);
    }

    /**
     * The padding='same' of a stride-1 convolution as F.pad's (left, right, top, bottom): the total
     * dilation * (k - 1) per dim, the extra one of an odd total on the right (bottom).
     */
    public static int[] samePadding(int kernelH, int kernelW, int dilationH, int dilationW) {
        return Convolution.samePadding(kernelH, kernelW, dilationH, dilationW);
    }

    /**
     * x (N, Cin, H, W) or unbatched, w (Cin, Cout/groups, kH, kW), bias (Cout) or null -> (N, Cout, OH, OW) with
     * OH = (H - 1) stride - 2 padding + dilation (kH - 1) + outputPadding + 1, as F.conv_transpose2d: the adjoint
     * of conv2d (its input gradient), so its gradients are a convolution and conv2d's weight gradient.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int outputPadding,
                                         int groups, int dilation) {
        return Convolution.batched("conv_transpose2d", x, b -> new Tensor[] {Convolution.transpose(b, w, bias,
                Conv2dParams.of(stride, padding, dilation, groups), outputPadding)})[0];
    }

    public static Tensor conv2dBackwardInput(Tensor gy, Tensor w, int[] inputShape, Conv2dParams p) {
        Convolution.check(inputShape, w, p, "grad_output", gy);
        Convolution.checkOutput(gy, inputShape, w.shape(), p);
        return AutogradLink.record(new Op.Conv2dBackwardInput(inputShape.clone(), p),
                Tensor.wrap(gy.backend().conv2dBackwardInput(gy.array(), w.array(), inputShape.clone(), p)), gy, w);
    }

    public static Tensor conv2dBackwardWeight(Tensor gy, Tensor x, int[] weightShape, Conv2dParams p) {
        Checks.compatible("conv2d_backward_weight", "grad_output", gy, "input", x);
        Checks.rank("conv2d_backward_weight", "input", x, 4, "(N, C, H, W)");
        if (weightShape.length != 4 || weightShape[1] * p.groups() != x.size(1) || weightShape[0] % p.groups() != 0) {
            throw new IllegalArgumentException("conv2d_backward_weight: weight shape " + Shape.str(weightShape)
                    + " does not fit input " + Shape.str(x.shape()) + " with groups " + p.groups());
        }
        Convolution.checkOutput(gy, x.shape(), weightShape, p);
        return AutogradLink.record(new Op.Conv2dBackwardWeight(weightShape.clone(), p),
                Tensor.wrap(gy.backend().conv2dBackwardWeight(gy.array(), x.array(), weightShape.clone(), p)), gy, x);
    }

    // ---------------------------------------------------------------- pooling

    /** x (N, C, H, W) -> (N, C, OH, OW), or unbatched (C, H, W) -> (C, OH, OW), as F.max_pool2d. */
    public static Tensor maxPool2d(Tensor x, Pool2dParams p) {
        return maxPool2dWithIndices(x, p)[0];
    }

    public static Tensor maxPool2d(Tensor x, int kernel) {
        return maxPool2d(x, Pool2dParams.of(kernel));
    }

    /**
     * Returns {y, indices}, as F.max_pool2d(..., return_indices=True): indices (int64, y's shape) are
     * flat h * W + w positions in each input plane.
     */
    public static Tensor[] maxPool2dWithIndices(Tensor x, Pool2dParams p) {
        Pooling.checkDivisor("max_pool2d", p);
        return Convolution.batched("max_pool2d", x, b -> {
            Pooling.checkPool("max_pool2d", b, p);
            return AutogradLink.record(new Op.MaxPool2d(p), Tensor.wrap(b.backend().maxPool2d(b.array(), p)), b);
        });
    }

    /** gy, indices (N, C, OH, OW) from max pooling an inputShape input with p -> gx of inputShape. */
    public static Tensor maxPool2dBackward(Tensor gy, Tensor indices, int[] inputShape, Pool2dParams p) {
        Checks.floating("max_pool2d_backward", "grad_output", gy);
        Checks.dtype("max_pool2d_backward", "indices", indices, DType.INT64);
        Checks.sameDevice("max_pool2d_backward", "grad_output", gy, "indices", indices);
        if (inputShape.length != 4) {
            throw new IllegalArgumentException("max_pool2d_backward: input shape must be 4-D (N, C, H, W), got "
                    + Shape.str(inputShape));
        }
        int[] expected = {inputShape[0], inputShape[1], p.outH(inputShape[2]), p.outW(inputShape[3])};
        if (!Arrays.equals(gy.shape(), expected) || !Arrays.equals(indices.shape(), expected)) {
            throw new IllegalArgumentException("max_pool2d_backward: grad_output " + Shape.str(gy.shape()) + " and indices "
                    + Shape.str(indices.shape()) + " must both have the shape pooling " + Shape.str(inputShape) + " gives, "
                    + Shape.str(expected));
        }
        return AutogradLink.record(new Op.MaxPool2dBackward(inputShape.clone(), p),
                Tensor.wrap(gy.backend().maxPool2dBackward(gy.array(), indices.array(), inputShape.clone(), p)), gy, indices);
    }

    /**
     * x (N, C, H, W) -> (N, C, OH, OW), or unbatched (C, H, W) -> (C, OH, OW), as F.avg_pool2d; a
     * non-zero {@link Pool2dParams#divisorOverride} divides every window's sum (divisor_override).
     */
    public static Tensor avgPool2d(Tensor x, Pool2dParams p) {
        Pooling.checkNoDilation("avg_pool2d", p);
        return Convolution.batched("avg_pool2d", x, b -> {
            Pooling.checkPool("avg_pool2d", b, p);
            return new Tensor[] {AutogradLink.record(new Op.AvgPool2d(p), Tensor.wrap(b.backend().avgPool2d(b.array(), p)), b)};
        })[0];
    }

    public static Tensor avgPool2dBackward(Tensor gy, int[] inputShape, Pool2dParams p) {
        Pooling.checkNoDilation("avg_pool2d_backward", p);
        Checks.floating("avg_pool2d_backward", "grad_output", gy);
        if (inputShape.length != 4) {
            throw new IllegalArgumentException("avg_pool2d_backward: input shape must be 4-D (N, C, H, W), got "
                    + Shape.str(inputShape));
        }
        int[] expected = {inputShape[0], inputShape[1], p.outH(inputShape[2]), p.outW(inputShape[3])};
        if (!Arrays.equals(gy.shape(), expected)) {
            throw new IllegalArgumentException("avg_pool2d_backward: grad_output has shape " + Shape.str(gy.shape())
                    + " but pooling " + Shape.str(inputShape) + " gives " + Shape.str(expected));
        }
        return AutogradLink.record(new Op.AvgPool2dBackward(inputShape.clone(), p),
                Tensor.wrap(gy.backend().avgPool2dBackward(gy.array(), inputShape.clone(), p)), gy);
    }

    /**
     * Average over an output-size grid of adaptive windows, as F.adaptive_avg_pool2d (composed). An
     * output size of 0 gives an empty output, as PyTorch; an empty input plane is an error.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return Pooling.adaptiveAvgPool2d(x, outH, outW);
    }

    // ---------------------------------------------------------------- normalization

    /**
     * x (N, C, *) normalised over each group of C / numGroups channels (and all their positions) with the biased
     * variance, then times weight plus bias (each (C), or null), as F.group_norm.
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return Normalization.groupNorm(Autocast.widen(x), numGroups, Autocast.widen(weight), Autocast.widen(bias), eps);
    }

    /**
     * x (N, C, H, W) resized to (N, C, outH, outW), as F.interpolate(x, size, mode, align_corners): mode "nearest"
     * or "bilinear" (alignCorners: corner pixels' centres map onto each other; only for bilinear).
     */
    public static Tensor interpolate(Tensor x, int outH, int outW, String mode, boolean alignCorners) {
        Checks.rank("interpolate", "input", x, 4, "(N, C, H, W)");
        return Interpolation.interpolate(x, outH, outW, (double) x.size(2) / outH, (double) x.size(3) / outW, mode, alignCorners);
    }

    /** As F.interpolate(x, scale_factor=scale, ...): size floor(H scale), source positions at steps of 1 / scale. */
    public static Tensor interpolate(Tensor x, double scale, String mode, boolean alignCorners) {
        Checks.rank("interpolate", "input", x, 4, "(N, C, H, W)");
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("interpolate: scale_factor must be a positive number, got " + scale);
        }
        return Interpolation.interpolate(x, (int) Math.floor(x.size(2) * scale), (int) Math.floor(x.size(3) * scale),
                1 / scale, 1 / scale, mode, alignCorners);
    }

    /**
     * x (..., *normalizedShape) normalised over its trailing normalizedShape dims with the biased
     * variance, then times weight plus bias (each normalizedShape, or null), as F.layer_norm.
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(Autocast.widen(x), normalizedShape, Autocast.widen(weight), Autocast.widen(bias), eps);
    }

    /**
     * x (N, C, *) normalised per channel, as F.batch_norm: in training with the batch's mean and biased
     * variance, and runningMean / runningVar (C, or null) move towards the batch's mean and unbiased
     * variance by momentum (in place, an empty batch leaves them as they are); otherwise with the
     * running statistics. weight and bias are (C) or null.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return Normalization.batchNorm(Autocast.widen(x), runningMean, runningVar, Autocast.widen(weight), Autocast.widen(bias),
                training, momentum, eps);
    }

    // batch_norm's pieces, as torch.batch_norm_stats / _elemt / _backward_reduce / _backward_elemt, per channel of
    // x (N, C, *). Not differentiable: refused on inputs that require grad while grad mode is on.

    /** {mean (C), biased variance (C)} over every dim but 1 (torch's returns invstd instead of the variance). */
    public static Tensor[] batchNormStats(Tensor x) {
        return Normalization.batchNormStats(x);
    }

    /** (x - mean) * invstd * weight + bias per channel. */
    public static Tensor batchNormElemt(Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor bias) {
        return Normalization.batchNormElemt(x, mean, invstd, weight, bias);
    }

    /** {sum(gy), sum(gy * (x - mean))} per channel. */
    public static Tensor[] batchNormBackwardReduce(Tensor gy, Tensor x, Tensor mean) {
        return Normalization.batchNormBackwardReduce(gy, x, mean);
    }

    /** The input gradient from those sums over count values per channel; sums null: gy * invstd * weight. */
    public static Tensor batchNormBackwardElemt(Tensor gy, Tensor x, Tensor mean, Tensor invstd, Tensor weight,
                                                Tensor sumDy, Tensor sumDyXmu, long count) {
        return Normalization.batchNormBackwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count);
    }

    // ---------------------------------------------------------------- softmax

    public static Tensor softmax(Tensor x, int dim) {
        return softmax(x, dim, false);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return softmax(x, dim, true);
    }

    private static Tensor softmax(Tensor x, int dim, boolean log) {
        x = Autocast.widen(x);
        String op = log ? "log_softmax" : "softmax";
        Checks.floating(op, "input", x);
        if (x.dim() == 0) {
            return softmax(x.reshape(1), 0, log).reshape();
        }
        int d = Shape.dim(op, dim, x.dim());
        Tensor y = Tensor.wrap(log ? x.backend().logSoftmax(x.array(), d) : x.backend().softmax(x.array(), d));
        return AutogradLink.record(new Op.Softmax(d, log), y, x);
    }

    public static Tensor softmaxBackward(Tensor gy, Tensor y, int dim) {
        return softmaxBackward(gy, y, dim, false);
    }

    public static Tensor logSoftmaxBackward(Tensor gy, Tensor y, int dim) {
        return softmaxBackward(gy, y, dim, true);
    }

    private static Tensor softmaxBackward(Tensor gy, Tensor y, int dim, boolean log) {
        String op = log ? "log_softmax_backward" : "softmax_backward";
        Checks.sameShape(op, "grad_output", gy, "output", y);
        if (y.dim() == 0) { // as the forward: a 0-D tensor is a softmax over one element
            return softmaxBackward(gy.reshape(1), y.reshape(1), 0, log).reshape();
        }
        int d = Shape.dim(op, dim, y.dim());
        Tensor gx = Tensor.wrap(log ? gy.backend().logSoftmaxBackward(gy.array(), y.array(), d)
                : gy.backend().softmaxBackward(gy.array(), y.array(), d));
        return AutogradLink.record(new Op.SoftmaxBackward(d, log), gx, gy, y);
    }


    // ---------------------------------------------------------------- attention

    /**
     * softmax(q k^T * scale + mask) v, as F.scaled_dot_product_attention. q (..., Lq, E),
     * k (..., Lk, E), v (..., Lk, Ev) with equal batch dims; mask null, bool (true = attend) or
     * additive float, broadcastable to (..., Lq, Lk); scale NaN means 1/sqrt(E).
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        AttentionInputs a = AttentionInputs.prepare(Autocast.lower(q), Autocast.lower(k), Autocast.lower(v),
                new AttentionParams(mask != null && mask.dtype() != DType.BOOL ? Autocast.lower(mask) : mask, causal, scale));
        return a.forward()[0].reshape(a.outShape());
    }

    /** Returns {out, logsumexp} with batch dims flattened: out (B, Lq, Ev), logsumexp (B, Lq). */
    public static Tensor[] attentionForward(Tensor q, Tensor k, Tensor v, AttentionParams p) {
        return AttentionInputs.prepare(q, k, v, p).forward();
    }

    /** Returns {gq, gk, gv} shaped like q, k, v; out and logsumexp as from {@link #attentionForward}. */
    public static Tensor[] attentionBackward(Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor logsumexp,
                                             AttentionParams p) {
        AttentionInputs a = AttentionInputs.prepare(q, k, v, p);
        String op = "scaled_dot_product_attention_backward";
        Checks.compatible(op, "query", q, "grad_output", gOut);
        Checks.compatible(op, "query", q, "output", out);
        Checks.compatible(op, "query", q, "logsumexp", logsumexp);
        int[] outShape = {a.q().size(0), a.q().size(1), a.v().size(2)};
        if (!Arrays.equals(out.shape(), outShape) || !Arrays.equals(logsumexp.shape(), Arrays.copyOf(outShape, 2))
                || gOut.numel() != out.numel()) {
            throw new IllegalArgumentException(op + ": expected output " + Shape.str(outShape) + ", logsumexp "
                    + Shape.str(Arrays.copyOf(outShape, 2)) + " and grad_output of " + Shape.str(a.outShape()) + ", got "
                    + Shape.str(out.shape()) + ", " + Shape.str(logsumexp.shape()) + " and " + Shape.str(gOut.shape()));
        }
        Tensor g = gOut.reshape(out.shape());
        Tensor[] r = AutogradLink.record(new Op.AttentionBackward(), Tensor.wrap(a.q().backend().attentionBackward(g.array(),
                a.q().array(), a.k().array(), a.v().array(), out.array(), logsumexp.array(), a.spec())),
                g, a.q(), a.k(), a.v(), out, logsumexp, a.p().mask());
        return new Tensor[] {r[0].reshape(q.shape()), r[1].reshape(k.shape()), r[2].reshape(v.shape())};
    }

    // ---------------------------------------------------------------- losses

    /**
     * -(y log x + (1 - y) log(1 - x)) elementwise, each log clamped at -100 so x = 0 or 1 stays finite,
     * as F.binary_cross_entropy with reduction 'none'. Recorded as one op: its gradient is PyTorch's
     * (x - y) / max(x (1 - x), 1e-12), finite at x = 0 and 1, where the clamped logs' chain rule gives 0 * inf.
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
        input = Autocast.widen(input);
        target = Autocast.widen(target);
        String op = "binary_cross_entropy";
        Checks.floating(op, "input", input);
        Checks.compatible(op, "input", input, "target", target);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": target of shape " + Shape.str(target.shape())
                    + " must have the input's shape " + Shape.str(input.shape()));
        }
        Tensor l;
        try (var scope = GradMode.noGrad()) {
            Tensor logX = input.log().clamp(-100, Double.POSITIVE_INFINITY);
            Tensor log1mX = input.rsub(1).log().clamp(-100, Double.POSITIVE_INFINITY);
            l = target.mul(logX).add(target.rsub(1).mul(log1mX)).neg();
        }
        return AutogradLink.record(new Op.BinaryCrossEntropy(), l, input, target);
    }

    // ---------------------------------------------------------------- dropout

    /** Inverted dropout: zeroes with probability p and scales kept values by 1/(1-p); identity when not training. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator g) {
        return dropoutWithMask(x, p, training, g)[0];
    }

    /** Returns {y, mask (bool)}; the mask is what backward multiplies by (scaled by 1/(1-p)). */
    public static Tensor[] dropoutWithMask(Tensor x, double p, boolean training, Generator g) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: probability must be in [0, 1], got " + p);
        }
        Checks.floating("dropout", "input", x);
        if (!training || p == 0) {
            return new Tensor[] {x, Tensor.full(x.shape(), 1, DType.BOOL, x.device())};
        }
        if (p == 1) {
            return new Tensor[] {Tensor.zerosLike(x), Tensor.full(x.shape(), 0, DType.BOOL, x.device())};
        }
        return AutogradLink.record(new Op.Dropout(p), Tensor.wrap(x.backend().dropout(x.array(), p, g.seed(), g.reserve(x.numel()))), x);
    }
}
