package dev.kiln.nn.detection;

import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Boxes compared two by two, as the IoU family needs them (intersection, union, enclosing box, centres):
 * every pair of boxes1 (N, 4) and boxes2 (M, 4), coordinates broadcast as (N, 1) against (1, M), or (the
 * losses) box i with box i of two (N, 4), coordinates (N).
 */
record Pairs(Tensor x1, Tensor y1, Tensor x2, Tensor y2, Tensor gx1, Tensor gy1, Tensor gx2, Tensor gy2) {
    static Pairs of(String op, Tensor boxes1, Tensor boxes2) {
        Boxes.check(op, "boxes1", boxes1);
        Boxes.check(op, "boxes2", boxes2);
        return new Pairs(col(boxes1, 0), col(boxes1, 1), col(boxes1, 2), col(boxes1, 3), row(boxes2, 0), row(boxes2, 1),
                row(boxes2, 2), row(boxes2, 3));
    }

    static Pairs aligned(String op, Tensor boxes1, Tensor boxes2) {
        Boxes.check(op, "boxes1", boxes1);
        Boxes.check(op, "boxes2", boxes2);
        if (boxes1.size(0) != boxes2.size(0)) {
            throw new IllegalArgumentException(op + ": boxes1 " + Shape.str(boxes1.shape()) + " and boxes2 "
                    + Shape.str(boxes2.shape()) + " must hold the same number of boxes");
        }
        return new Pairs(Boxes.coord(boxes1, 0), Boxes.coord(boxes1, 1), Boxes.coord(boxes1, 2), Boxes.coord(boxes1, 3),
                Boxes.coord(boxes2, 0), Boxes.coord(boxes2, 1), Boxes.coord(boxes2, 2), Boxes.coord(boxes2, 3));
    }

    private static Tensor col(Tensor boxes, int k) {
        return Boxes.coord(boxes, k).unsqueeze(1); // (N, 1)
    }

    private static Tensor row(Tensor boxes, int k) {
        return Boxes.coord(boxes, k).unsqueeze(0); // (1, M)
    }

    Tensor intersection() {
        Tensor w = x2.minimum(gx2).sub(x1.maximum(gx1)).clamp(0, Double.POSITIVE_INFINITY);
        Tensor h = y2.minimum(gy2).sub(y1.maximum(gy1)).clamp(0, Double.POSITIVE_INFINITY);
        return w.mul(h);
    }

    /** The union given the intersection. */
    Tensor union(Tensor intersection) {
        Tensor area1 = x2.sub(x1).mul(y2.sub(y1));
        Tensor area2 = gx2.sub(gx1).mul(gy2.sub(gy1));
        return area1.add(area2).sub(intersection);
    }

    /** intersection / (union + eps). */
    Tensor iou(double eps) {
        Tensor inter = intersection();
        return inter.div(union(inter).add(eps));
    }

    Tensor enclosingArea() {
        return enclosingWidth().mul(enclosingHeight());
    }

    Tensor enclosingDiagonalSquared() {
        return enclosingWidth().square().add(enclosingHeight().square());
    }

    /**
     * CIoU's aspect-ratio term v = 4/pi^2 (atan(w2 / h2) - atan(w1 / h1))^2 and its weight
     * alpha = v / (1 - iou + v + eps), detached as in torchvision (alpha is not differentiated).
     */
    Tensor aspectPenalty(Tensor iou, double eps) {
        Tensor a1 = x2.sub(x1).div(y2.sub(y1)).atan();
        Tensor a2 = gx2.sub(gx1).div(gy2.sub(gy1)).atan();
        Tensor v = a2.sub(a1).square().mul(4 / (Math.PI * Math.PI));
        Tensor alpha = v.detach().div(iou.detach().rsub(1).add(v.detach()).add(eps));
        return alpha.mul(v);
    }

    Tensor centreDistanceSquared() {
        Tensor dx = x1.add(x2).sub(gx1.add(gx2)).mul(0.5);
        Tensor dy = y1.add(y2).sub(gy1.add(gy2)).mul(0.5);
        return dx.square().add(dy.square());
    }

    private Tensor enclosingWidth() {
        return x2.maximum(gx2).sub(x1.minimum(gx1)).clamp(0, Double.POSITIVE_INFINITY);
    }

    private Tensor enclosingHeight() {
        return y2.maximum(gy2).sub(y1.minimum(gy1)).clamp(0, Double.POSITIVE_INFINITY);
    }
}
