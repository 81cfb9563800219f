#!/usr/bin/python3
"""torchvision.ops values for dev.kiln.nn.detection's tests (BoxesTest, BoxLossesTest, NmsTest).

Run: /usr/bin/python3 layers/scripts/detection_reference.py (Debian's python3-torch and
python3-torchvision); the tests quote the printed numbers. float64 throughout.
"""
import torch
import torchvision.ops as ops

torch.set_printoptions(precision=17)
B1 = torch.tensor([[0., 0., 2., 2.], [1., 1., 3., 4.], [0.5, 0.5, 1.5, 2.5]], dtype=torch.float64)
B2 = torch.tensor([[1., 0., 3., 2.], [0., 0., 1., 1.]], dtype=torch.float64)
A2 = torch.tensor([[1., 0., 3., 2.], [2., 2., 5., 5.]], dtype=torch.float64)
LOGITS = torch.tensor([[-1.5, 0.2, 3.0], [0.7, -0.3, 2.2]], dtype=torch.float64)
TARGETS = torch.tensor([[0., 1., 1.], [1., 0., 0.]], dtype=torch.float64)
NMS_BOXES = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [20., 20., 30., 30.], [0., 0., 10., 9.]],
                         dtype=torch.float64)
NMS_SCORES = torch.tensor([0.9, 0.8, 0.7, 0.95], dtype=torch.float64)


def show(name, t):
    print(name, [float(v) for v in t.flatten()] if t.is_floating_point() else t.tolist())


show("box_iou", ops.box_iou(B1, B2))
show("generalized_box_iou", ops.generalized_box_iou(B1, B2))
show("distance_box_iou", ops.distance_box_iou(B1, B2))
show("complete_box_iou", ops.complete_box_iou(B1, B2))
show("generalized_box_iou_loss", ops.generalized_box_iou_loss(B1[:2], A2, reduction="none"))
show("distance_box_iou_loss", ops.distance_box_iou_loss(B1[:2], A2, reduction="none"))
show("complete_box_iou_loss", ops.complete_box_iou_loss(B1[:2], A2, reduction="none"))
show("sigmoid_focal_loss", ops.sigmoid_focal_loss(LOGITS, TARGETS, alpha=0.25, gamma=2, reduction="none"))
show("box_convert cxcywh->xyxy", ops.box_convert(torch.tensor([[2., 3., 4., 2.]], dtype=torch.float64), "cxcywh", "xyxy"))
show("nms 0.5", ops.nms(NMS_BOXES, NMS_SCORES, 0.5))
show("batched_nms 0.5", ops.batched_nms(NMS_BOXES, NMS_SCORES, torch.tensor([0, 1, 0, 0]), 0.5))

# Varifocal loss (VarifocalNet; mmdetection's varifocal_loss, iou_weighted) and distribution focal loss
# (GFL; mmdetection's distribution_focal_loss), written out from their formulas: no package ships them.
import torch.nn.functional as F
Q = torch.tensor([[0., 0.8, 0.], [0.35, 0., 1.]], dtype=torch.float64)
p = LOGITS.sigmoid()
weight = Q * (Q > 0).double() + 0.75 * (p - Q).abs().pow(2) * (Q <= 0).double()
show("varifocal_loss", F.binary_cross_entropy_with_logits(LOGITS, Q, reduction="none") * weight)
DFL_LOGITS = torch.tensor([[0.3, -1.0, 2.0, 0.5], [1.2, 0.1, -0.4, 0.0]], dtype=torch.float64)
DFL_TARGET = torch.tensor([1.25, 0.5], dtype=torch.float64)
left = DFL_TARGET.long()
show("distribution_focal_loss", F.cross_entropy(DFL_LOGITS, left, reduction="none") * (left + 1 - DFL_TARGET)
     + F.cross_entropy(DFL_LOGITS, left + 1, reduction="none") * (DFL_TARGET - left))

# CIoU's gradient (torchvision holds alpha constant under no_grad): d sum(loss) / d boxes1
b1 = B1[:2].clone().requires_grad_(True)
ops.complete_box_iou_loss(b1, A2, reduction="sum").backward()
show("complete_box_iou_loss grad", b1.grad)
