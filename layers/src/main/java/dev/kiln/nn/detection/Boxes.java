package dev.kiln.nn.detection;

import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Box utilities as torchvision.ops names them, composed from tensor ops (any device, differentiable).
 * Boxes are (N, 4) in (x1, y1, x2, y2) with x1 &lt;= x2 and y1 &lt;= y2 unless a method says otherwise;
 * pairwise measures of boxes1 (N, 4) and boxes2 (M, 4) are (N, M).
 */
public final class Boxes {
    private Boxes() {
    }

    /** (N, 4) -> (N): (x2 - x1) * (y2 - y1), as box_area. */
    public static Tensor boxArea(Tensor boxes) {
        check("box_area", "boxes", boxes);
        return coord(boxes, 2).sub(coord(boxes, 0)).mul(coord(boxes, 3).sub(coord(boxes, 1)));
    }

    /** (N, 4) from one format to another: "xyxy", "xywh" (corner and size) or "cxcywh" (centre and size), as box_convert. */
    public static Tensor boxConvert(Tensor boxes, String in, String out) {
        check("box_convert", "boxes", boxes);
        Tensor xyxy = switch (in) {
            case "xyxy" -> boxes;
            case "xywh" -> Tensor.stack(new Tensor[] {coord(boxes, 0), coord(boxes, 1), coord(boxes, 0).add(coord(boxes, 2)),
                coord(boxes, 1).add(coord(boxes, 3))}, 1);
            case "cxcywh" -> {
                Tensor hw = coord(boxes, 2).mul(0.5);
                Tensor hh = coord(boxes, 3).mul(0.5);
                yield Tensor.stack(new Tensor[] {coord(boxes, 0).sub(hw), coord(boxes, 1).sub(hh), coord(boxes, 0).add(hw),
                    coord(boxes, 1).add(hh)}, 1);
            }
            default -> throw badFormat("in_fmt", in);
        };
        return switch (out) {
            case "xyxy" -> xyxy;
            case "xywh" -> Tensor.stack(new Tensor[] {coord(xyxy, 0), coord(xyxy, 1), coord(xyxy, 2).sub(coord(xyxy, 0)),
                coord(xyxy, 3).sub(coord(xyxy, 1))}, 1);
            case "cxcywh" -> Tensor.stack(new Tensor[] {coord(xyxy, 0).add(coord(xyxy, 2)).mul(0.5),
                coord(xyxy, 1).add(coord(xyxy, 3)).mul(0.5), coord(xyxy, 2).sub(coord(xyxy, 0)),
                coord(xyxy, 3).sub(coord(xyxy, 1))}, 1);
            default -> throw badFormat("out_fmt", out);
        };
    }

    /** Intersection over union of every pair, as box_iou: (N, M). */
    public static Tensor boxIou(Tensor boxes1, Tensor boxes2) {
        return Pairs.of("box_iou", boxes1, boxes2).iou(0);
    }

    /** IoU minus the share of the enclosing box the union leaves empty, as generalized_box_iou: (N, M), in [-1, 1]. */
    public static Tensor generalizedBoxIou(Tensor boxes1, Tensor boxes2) {
        Pairs p = Pairs.of("generalized_box_iou", boxes1, boxes2);
        Tensor inter = p.intersection();
        Tensor union = p.union(inter);
        Tensor enclosing = p.enclosingArea();
        return inter.div(union).sub(enclosing.sub(union).div(enclosing));
    }

    /**
     * IoU minus the squared distance of the centres over the squared diagonal of the enclosing box (plus
     * eps), as distance_box_iou (eps 1e-7 there): (N, M).
     */
    public static Tensor distanceBoxIou(Tensor boxes1, Tensor boxes2, double eps) {
        Pairs p = Pairs.of("distance_box_iou", boxes1, boxes2);
        return p.iou(0).sub(p.centreDistanceSquared().div(p.enclosingDiagonalSquared().add(eps)));
    }

    /** DIoU minus the aspect-ratio penalty alpha v (see complete_box_iou's paper), as complete_box_iou: (N, M). */
    public static Tensor completeBoxIou(Tensor boxes1, Tensor boxes2, double eps) {
        Pairs p = Pairs.of("complete_box_iou", boxes1, boxes2);
        Tensor iou = p.iou(0);
        Tensor diou = iou.sub(p.centreDistanceSquared().div(p.enclosingDiagonalSquared().add(eps)));
        return diou.sub(p.aspectPenalty(iou, eps));
    }

    /** Column k of boxes (N, 4): (N). */
    static Tensor coord(Tensor boxes, int k) {
        return boxes.select(1, k);
    }

    static void check(String op, String name, Tensor boxes) {
        if (boxes.dim() != 2 || boxes.size(1) != 4) {
            throw new IllegalArgumentException(op + ": " + name + " must be (N, 4), got " + Shape.str(boxes.shape()));
        }
        if (!boxes.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": " + name + " must be floating point, got " + boxes.dtype());
        }
    }

    private static IllegalArgumentException badFormat(String arg, String fmt) {
        return new IllegalArgumentException("box_convert: unsupported " + arg + " '" + fmt + "' (xyxy, xywh or cxcywh)");
    }
}
