package dev.kiln.nn.detection;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Overlap of masks, per sample: pred and target (N, ...) with values in [0, 1] (soft predictions or
 * 0/1 masks; bool masks count as 0/1), reduced over every dim but the first. eps smooths empty masks:
 * two empty masks score 1. Differentiable in pred, so 1 - dice is the Dice loss.
 */
public final class MaskMetrics {
    private MaskMetrics() {
    }

    /** (2 |P T| + eps) / (|P| + |T| + eps): (N). */
    public static Tensor dice(Tensor pred, Tensor target, double eps) {
        Tensor[] pt = prepared("dice", pred, target);
        int[] dims = sampleDims(pt[0]);
        Tensor inter = pt[0].mul(pt[1]).sum(dims, false);
        return inter.mul(2).add(eps).div(pt[0].sum(dims, false).add(pt[1].sum(dims, false)).add(eps));
    }

    /** (|P T| + eps) / (|P| + |T| - |P T| + eps): (N). */
    public static Tensor iou(Tensor pred, Tensor target, double eps) {
        Tensor[] pt = prepared("mask_iou", pred, target);
        int[] dims = sampleDims(pt[0]);
        Tensor inter = pt[0].mul(pt[1]).sum(dims, false);
        Tensor union = pt[0].sum(dims, false).add(pt[1].sum(dims, false)).sub(inter);
        return inter.add(eps).div(union.add(eps));
    }

    private static Tensor[] prepared(String op, Tensor pred, Tensor target) {
        if (!Arrays.equals(pred.shape(), target.shape()) || pred.dim() < 2) {
            throw new IllegalArgumentException(op + ": pred " + Shape.str(pred.shape()) + " and target "
                    + Shape.str(target.shape()) + " must have the same shape (N, ...) with at least 2 dims");
        }
        DType dt = pred.dtype().isFloatingPoint() ? pred.dtype() : DType.FLOAT32;
        return new Tensor[] {pred.to(dt), target.to(dt)};
    }

    private static int[] sampleDims(Tensor t) {
        int[] dims = new int[t.dim() - 1];
        Arrays.setAll(dims, i -> i + 1);
        return dims;
    }
}
