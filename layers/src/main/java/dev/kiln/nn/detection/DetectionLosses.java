package dev.kiln.nn.detection;

import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.nn.loss.BCEWithLogitsLoss;
import dev.kiln.nn.loss.Reduction;
import java.util.Arrays;

/**
 * Detection losses: box regression (GIoU, DIoU, CIoU, as torchvision.ops, boxes1 (N, 4) against boxes2 (N, 4)
 * box by box, not pairwise), dense classification (sigmoid focal loss as torchvision; varifocal loss as
 * VarifocalNet / mmdetection) and distribution focal loss (GFL / mmdetection). Each reduces by NONE, MEAN
 * (0 for no elements, as torchvision's box losses) or SUM.
 */
public final class DetectionLosses {
    private static final BCEWithLogitsLoss BCE = new BCEWithLogitsLoss(null, Reduction.NONE, null);
    private DetectionLosses() {
    }

    /** 1 - GIoU, as generalized_box_iou_loss: IoU = I / (U + eps), GIoU = IoU - (C - U) / (C + eps). */
    public static Tensor generalizedBoxIouLoss(Tensor boxes1, Tensor boxes2, Reduction reduction, double eps) {
        Pairs p = Pairs.aligned("generalized_box_iou_loss", boxes1, boxes2);
        Tensor inter = p.intersection();
        Tensor union = p.union(inter);
        Tensor enclosing = p.enclosingArea();
        Tensor giou = inter.div(union.add(eps)).sub(enclosing.sub(union).div(enclosing.add(eps)));
        return reduce("generalized_box_iou_loss", giou.rsub(1), reduction);
    }

    /** 1 - IoU + d^2 / (c^2 + eps) (d the centres' distance, c the enclosing diagonal), as distance_box_iou_loss. */
    public static Tensor distanceBoxIouLoss(Tensor boxes1, Tensor boxes2, Reduction reduction, double eps) {
        Pairs p = Pairs.aligned("distance_box_iou_loss", boxes1, boxes2);
        Tensor loss = p.iou(eps).rsub(1).add(p.centreDistanceSquared().div(p.enclosingDiagonalSquared().add(eps)));
        return reduce("distance_box_iou_loss", loss, reduction);
    }

    /** The DIoU loss plus the aspect-ratio penalty alpha v, as complete_box_iou_loss. */
    public static Tensor completeBoxIouLoss(Tensor boxes1, Tensor boxes2, Reduction reduction, double eps) {
        Pairs p = Pairs.aligned("complete_box_iou_loss", boxes1, boxes2);
        Tensor iou = p.iou(eps);
        Tensor loss = iou.rsub(1).add(p.centreDistanceSquared().div(p.enclosingDiagonalSquared().add(eps)));
        return reduce("complete_box_iou_loss", loss.add(p.aspectPenalty(iou, eps)), reduction);
    }

    /**
     * RetinaNet's focal loss on logits and 0/1 targets of the same shape, as sigmoid_focal_loss:
     * alpha_t (1 - p_t)^gamma BCE(logits, targets), alpha_t = alpha for positives and 1 - alpha for
     * negatives (no weighting when alpha &lt; 0).
     */
    public static Tensor sigmoidFocalLoss(Tensor logits, Tensor targets, double alpha, double gamma, Reduction reduction) {
        String op = "sigmoid_focal_loss";
        sameShape(op, logits, targets);
        Tensor p = logits.sigmoid();
        Tensor ce = BCE.forward(logits, targets);
        Tensor pt = p.mul(targets).add(p.rsub(1).mul(targets.rsub(1)));
        Tensor loss = ce.mul(pt.rsub(1).pow(gamma));
        if (alpha >= 0) {
            loss = targets.mul(alpha).add(targets.rsub(1).mul(1 - alpha)).mul(loss);
        }
        return reduce(op, loss, reduction);
    }

    /**
     * VarifocalNet's loss on logits and IoU-aware targets q in [0, 1] of the same shape: BCE(logits, q)
     * weighted by q where q &gt; 0 (positives, weighted by their quality) and by alpha |p - q|^gamma where
     * q = 0 (negatives, focal); mmdetection's varifocal_loss with iou_weighted (alpha 0.75, gamma 2 there).
     */
    public static Tensor varifocalLoss(Tensor logits, Tensor targets, double alpha, double gamma, Reduction reduction) {
        String op = "varifocal_loss";
        sameShape(op, logits, targets);
        Tensor p = logits.sigmoid();
        Tensor positive = targets.gt(0).to(logits.dtype());
        Tensor weight = targets.mul(positive).add(p.sub(targets).abs().pow(gamma).mul(alpha).mul(positive.rsub(1)));
        return reduce(op, BCE.forward(logits, targets).mul(weight), reduction);
    }

    /**
     * Generalized Focal Loss's distribution focal loss: logits (N, n + 1) over the bins 0..n of a box side's
     * distance, target (N) continuous in [0, n): the cross entropy of the two bins around the target, each
     * weighted by the target's nearness to the other, -((y_r - y) log S_l + (y - y_l) log S_r).
     */
    public static Tensor distributionFocalLoss(Tensor logits, Tensor target, Reduction reduction) {
        String op = "distribution_focal_loss";
        if (logits.dim() != 2 || target.dim() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException(op + ": expected logits (N, bins) and target (N), got " + Shape.str(logits.shape())
                    + " and " + Shape.str(target.shape()));
        }
        double max = target.numel() == 0 ? 0 : target.max().item();
        double min = target.numel() == 0 ? 0 : target.min().item();
        if (min < 0 || max >= logits.size(1) - 1) {
            throw new IllegalArgumentException(op + ": target must lie in [0, " + (logits.size(1) - 1) + ") for "
                    + logits.size(1) + " bins, got values in [" + min + ", " + max + "]");
        }
        Tensor left = target.floor(); // (N)
        Tensor logp = logits.logSoftmax(1); // (N, bins)
        Tensor leftIndex = left.to(dev.kiln.DType.INT64).unsqueeze(1);
        Tensor logLeft = logp.gather(1, leftIndex).squeeze(1);
        Tensor logRight = logp.gather(1, leftIndex.add(1)).squeeze(1);
        Tensor loss = logLeft.mul(left.add(1).sub(target)).add(logRight.mul(target.sub(left))).neg();
        return reduce(op, loss, reduction);
    }

    private static void sameShape(String op, Tensor logits, Tensor targets) {
        if (!Arrays.equals(logits.shape(), targets.shape())) {
            throw new IllegalArgumentException(op + ": inputs " + Shape.str(logits.shape()) + " and targets "
                    + Shape.str(targets.shape()) + " must have the same shape");
        }
    }

    private static Tensor reduce(String op, Tensor loss, Reduction reduction) {
        return reduction == Reduction.MEAN && loss.numel() == 0 ? loss.sum().mul(0) : reduction.apply(op, loss);
    }
}
