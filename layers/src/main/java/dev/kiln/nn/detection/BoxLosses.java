package dev.kiln.nn.detection;

import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Box-regression and dense-detection losses as torchvision.ops computes them, for boxes1 (N, 4) against
 * boxes2 (N, 4) box by box (not pairwise), reduced by "none" (N), "mean" or "sum" ().
 */
public final class BoxLosses {
    private BoxLosses() {
    }

    /** 1 - GIoU, as generalized_box_iou_loss: IoU = I / (U + eps), GIoU = IoU - (C - U) / (C + eps). */
    public static Tensor generalizedBoxIouLoss(Tensor boxes1, Tensor boxes2, String reduction, double eps) {
        Pairs p = Pairs.aligned("generalized_box_iou_loss", boxes1, boxes2);
        Tensor inter = p.intersection();
        Tensor union = p.union(inter);
        Tensor enclosing = p.enclosingArea();
        Tensor giou = inter.div(union.add(eps)).sub(enclosing.sub(union).div(enclosing.add(eps)));
        return reduce("generalized_box_iou_loss", giou.rsub(1), reduction);
    }

    /** 1 - IoU + d^2 / (c^2 + eps) (d the centres' distance, c the enclosing diagonal), as distance_box_iou_loss. */
    public static Tensor distanceBoxIouLoss(Tensor boxes1, Tensor boxes2, String reduction, double eps) {
        Pairs p = Pairs.aligned("distance_box_iou_loss", boxes1, boxes2);
        Tensor loss = p.iou(eps).rsub(1).add(p.centreDistanceSquared().div(p.enclosingDiagonalSquared().add(eps)));
        return reduce("distance_box_iou_loss", loss, reduction);
    }

    /**
     * RetinaNet's focal loss on logits and 0/1 targets of the same shape, as sigmoid_focal_loss:
     * alpha_t (1 - p_t)^gamma BCE(logits, targets), alpha_t = alpha for positives and 1 - alpha for
     * negatives (no weighting when alpha &lt; 0).
     */
    public static Tensor sigmoidFocalLoss(Tensor logits, Tensor targets, double alpha, double gamma, String reduction) {
        String op = "sigmoid_focal_loss";
        if (!Arrays.equals(logits.shape(), targets.shape())) {
            throw new IllegalArgumentException(op + ": inputs " + Shape.str(logits.shape()) + " and targets "
                    + Shape.str(targets.shape()) + " must have the same shape");
        }
        Tensor p = logits.sigmoid();
        // BCE with logits, stable: max(x, 0) - x t + log(1 + e^-|x|)
        Tensor ce = logits.clamp(0, Double.POSITIVE_INFINITY).sub(logits.mul(targets)).add(logits.abs().neg().exp().log1p());
        Tensor pt = p.mul(targets).add(p.rsub(1).mul(targets.rsub(1)));
        Tensor loss = ce.mul(pt.rsub(1).pow(gamma));
        if (alpha >= 0) {
            loss = targets.mul(alpha).add(targets.rsub(1).mul(1 - alpha)).mul(loss);
        }
        return reduce(op, loss, reduction);
    }

    static Tensor reduce(String op, Tensor loss, String reduction) {
        return switch (reduction) {
            case "none" -> loss;
            case "mean" -> loss.numel() == 0 ? loss.sum().mul(0) : loss.mean();
            case "sum" -> loss.sum();
            default -> throw new IllegalArgumentException(op + ": reduction must be 'none', 'mean' or 'sum', got '"
                    + reduction + "'");
        };
    }
}
