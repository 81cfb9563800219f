"""PyTorch twin of `kiln run detect` (dev.kiln.cli.run.Detect): an anchor-free FCOS-style detector on synthetic shapes.
The images come from the same SplitMix64 streams as Kiln's Shapes (training from --seed, validation from ~seed), so
both train and validate on the very same pixels and boxes: 1 to 4 filled rectangles and ellipses (the two classes) on a
noisy background. The detector: five 3x3 convolutions without bias, each with batch norm and ReLU (widths w, 2w, 2w,
4w, 4w, the second and fourth of stride 2), a shared 3x3 convolution with ReLU, 1x1 heads for the class logits and the
distances exp(x) * 4 from each stride-4 location to its box's sides; PyTorch's default init, the class bias at
-log(99) (RetinaNet's prior 0.01). FCOS's centre sampling (radius 1.5 strides, the smallest box wins) assigns the
targets; loss = torchvision's sigmoid_focal_loss (alpha 0.25, gamma 2, summed, over the positives' count) + its
generalized_box_iou_loss (mean over positives); Adam lr 1e-3, batch 32. Validation: scores above 0.05, the 100 best,
boxes clipped, torchvision's batched_nms at 0.6, 100 detections per image, COCO's 101-point mAP (written here as Kiln's
MeanAveragePrecision computes it). Writes OUT/metrics.csv with kiln's columns.

Usage: /usr/bin/python3 scripts/workloads/detect.py [--epochs 5] [--seed 42] [--threads 2] [--batch-size 32]
       [--train-size 2000] [--val-size 500] [--image-size 48] [--width 16] [--out runs/torch-detect]"""
import math
import time

import numpy as np
import torch
from torch import nn
from torchvision.ops import batched_nms, clip_boxes_to_image, generalized_box_iou_loss, sigmoid_focal_loss

from gcn import uniforms
from twin import arguments, shuffled, write_metrics

CLASSES = ["rectangle", "ellipse"]
MAX_OBJECTS, TRIES, BACKGROUND, NOISE = 4, 10, 0.25, 0.3
STRIDE, RADIUS, PRIOR = 4, 1.5, 0.01
LR, FOCAL_ALPHA, FOCAL_GAMMA, GIOU_EPS = 1e-3, 0.25, 2, 1e-7
SCORE_THRESHOLD, TOP_K, NMS_THRESHOLD, MAX_DETECTIONS = 0.05, 100, 0.6, 100
MASK = (1 << 64) - 1


class Stream:
    """SplitMix64(seed) read in order, as Kiln's SplitMix64 walks it."""

    def __init__(self, seed):
        self.seed, self.drawn = seed & MASK, 0

    def next(self, count=None):
        u = uniforms(self.seed, self.drawn, 1 if count is None else count)
        self.drawn += len(u)
        return u[0] if count is None else u


def shapes(seed, n, size):
    """(images (n, 1, size, size) float32, boxes: per image an int array (G, 5) of label, x1, y1, x2, y2), drawn in
    Kiln's Shapes order: count, background, per object up to TRIES placements (class, w, h, x1, y1) until one overlaps
    no placed box, its intensity; then the noise of every pixel, row-major."""
    r = Stream(seed)
    images = np.empty((n, 1, size, size), dtype=np.float32)
    boxes = []
    lo, hi = size // 6, 5 * size // 12
    for i in range(n):
        count = 1 + int(r.next() * MAX_OBJECTS)
        fill = np.full((size, size), BACKGROUND * r.next())
        placed = []
        for _ in range(count):
            for _ in range(TRIES):
                label = int(r.next() * len(CLASSES))
                w = lo + int(r.next() * (hi - lo + 1))
                h = lo + int(r.next() * (hi - lo + 1))
                x1 = int(r.next() * (size - w + 1))
                y1 = int(r.next() * (size - h + 1))
                if all(not (x1 < b[3] and b[1] < x1 + w and y1 < b[4] and b[2] < y1 + h) for b in placed):
                    placed.append((label, x1, y1, x1 + w, y1 + h))
                    value = 0.5 + 0.5 * r.next()
                    y, x = np.mgrid[y1:y1 + h, x1:x1 + w].astype(np.int64)
                    dx, dy = 2 * x + 1 - 2 * x1 - w, 2 * y + 1 - 2 * y1 - h
                    inside = (label == 0) | (dx * dx * h * h + dy * dy * w * w <= w * w * h * h)
                    fill[y1:y1 + h, x1:x1 + w][inside] = value
                    break
        images[i, 0] = (fill.reshape(-1) + NOISE * (r.next(size * size) - 0.5)).reshape(size, size)
        boxes.append(np.array(placed, dtype=np.int64).reshape(-1, 5))
    return torch.from_numpy(images), boxes


def centres(cells):
    """(F * F, 2): each location's pixel (x, y), row-major."""
    j, i = np.meshgrid(np.arange(cells), np.arange(cells))
    return torch.from_numpy(np.stack([STRIDE * j + STRIDE / 2, STRIDE * i + STRIDE / 2], -1).reshape(-1, 2)).float()


def fcos_targets(boxes, cells):
    """FCOS's centre sampling for every image: (one-hot classes (N, C, F, F), box per location (N, F * F, 4),
    positive (N, F * F)); a location is a positive of a box when strictly inside the box clipped to RADIUS strides
    around its centre, the smallest box winning (the first drawn among equals)."""
    c = centres(cells).double().numpy()
    n = len(boxes)
    onehot = np.zeros((n, len(CLASSES), cells * cells), dtype=np.float32)
    target = np.zeros((n, cells * cells, 4), dtype=np.float32)
    positive = np.zeros((n, cells * cells), dtype=bool)
    r = RADIUS * STRIDE
    for i, b in enumerate(boxes):
        owner = np.full(cells * cells, -1)
        for k, (label, x1, y1, x2, y2) in enumerate(b):
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            inside = ((np.maximum(x1, cx - r) < c[:, 0]) & (c[:, 0] < np.minimum(x2, cx + r))
                      & (np.maximum(y1, cy - r) < c[:, 1]) & (c[:, 1] < np.minimum(y2, cy + r)))
            area = (x2 - x1) * (y2 - y1)
            areas = np.where(owner >= 0, (b[owner, 3] - b[owner, 1]) * (b[owner, 4] - b[owner, 2]), np.inf)
            owner[inside & (area < areas)] = k
        at = owner >= 0
        onehot[i, b[owner[at], 0], np.nonzero(at)[0]] = 1
        target[i, at] = b[owner[at], 1:].astype(np.float32)
        positive[i] = at
    return (torch.from_numpy(onehot).reshape(n, len(CLASSES), cells, cells), torch.from_numpy(target),
            torch.from_numpy(positive))


class ShapeDetector(nn.Module):
    def __init__(self, width, classes):
        super().__init__()
        layers, cin = [], 1
        for w, s in zip([width, 2 * width, 2 * width, 4 * width, 4 * width], [1, 2, 1, 2, 1]):
            layers += [nn.Conv2d(cin, w, 3, s, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
            cin = w
        self.backbone = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Conv2d(cin, cin, 3, 1, 1), nn.ReLU())
        self.classes = nn.Conv2d(cin, classes, 1)
        self.box = nn.Conv2d(cin, 4, 1)
        nn.init.constant_(self.classes.bias, -math.log((1 - PRIOR) / PRIOR))

    def forward(self, x):
        h = self.head(self.backbone(x))                                   # (N, 4w, S/4, S/4)
        return self.classes(h), torch.exp(self.box(h)) * STRIDE


def location_boxes(distances, c):
    """distances (N, 4, F, F) -> boxes (N, F * F, 4): centre - (l, t), centre + (r, b)."""
    d = distances.permute(0, 2, 3, 1).reshape(distances.shape[0], -1, 4)
    return torch.cat([c - d[..., :2], c + d[..., 2:]], 2)


def detections(logits, boxes, size):
    """Per image (boxes, scores, labels): scores above SCORE_THRESHOLD, the TOP_K best, clipped, batched NMS."""
    n, classes = logits.shape[:2]
    locations = boxes.shape[1]
    scores = logits.sigmoid().reshape(n, -1)                              # (N, C * F * F)
    out = []
    for i in range(n):
        candidates = torch.nonzero(scores[i] > SCORE_THRESHOLD).squeeze(1)
        order = torch.sort(scores[i][candidates], descending=True, stable=True).indices[:TOP_K]
        k = candidates[order]
        b = clip_boxes_to_image(boxes[i][k % locations], (size, size))
        s, labels = scores[i][k], k // locations
        keep = batched_nms(b, s, labels, NMS_THRESHOLD)[:MAX_DETECTIONS]
        out.append((b[keep].double().numpy(), s[keep].double().numpy(), labels[keep].numpy()))
    return out


def iou(a, b):
    """(D, 4) x (G, 4) -> (D, G), 0 where the union is empty."""
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = w * h
    area_a, area_b = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]), (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0)


def mean_average_precision(dets, truths):
    """(mAP@[.5:.95], mAP@0.5, mAP@0.75), COCO's 101-point interpolated AP over classes with ground truth, as Kiln's
    MeanAveragePrecision: per class and threshold, each image's detections in decreasing score each take the unmatched
    ground truth of their class they overlap most (at IoU >= t), then every image's detections by decreasing score."""
    ious = [iou(d[0], t[:, 1:].astype(np.float64)) for d, t in zip(dets, truths)]
    classes = sorted({int(label) for t in truths for label in t[:, 0]})
    sums = np.zeros(10)
    for c in classes:
        positives = sum(int((t[:, 0] == c).sum()) for t in truths)
        for ti in range(10):
            t = min(0.5 + 0.05 * ti, 1 - 1e-10)
            scored = []
            for (boxes, scores, labels), truth, m in zip(dets, truths, ious):
                taken = np.zeros(len(truth), dtype=bool)
                for d in np.argsort(-scores, kind="stable"):
                    if labels[d] != c:
                        continue
                    best, best_iou = -1, t
                    for j in range(len(truth)):
                        if truth[j, 0] == c and not taken[j] and m[d, j] >= best_iou:
                            best, best_iou = j, m[d, j]
                    if best >= 0:
                        taken[best] = True
                    scored.append((scores[d], best >= 0))
            scored.sort(key=lambda e: -e[0])                                # stable: ties stay in image order
            tp = np.cumsum([e[1] for e in scored]) if scored else np.zeros(0)
            precision = tp / np.arange(1, len(scored) + 1)
            recall = tp / positives
            precision = np.maximum.accumulate(precision[::-1])[::-1] if len(scored) else precision
            at = np.searchsorted(recall, np.linspace(0, 1, 101), side="left")
            sums[ti] += sum(precision[a] if a < len(scored) else 0 for a in at) / 101
    n = len(classes)
    return sums.sum() / (10 * n), sums[0] / n, sums[5] / n


def main():
    p = arguments("detect", 5, 32)
    p.add_argument("--train-size", type=int, default=2000)
    p.add_argument("--val-size", type=int, default=500)
    p.add_argument("--image-size", type=int, default=48)
    p.add_argument("--width", type=int, default=16)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    size, cells = a.image_size, a.image_size // STRIDE
    x_train, b_train = shapes(a.seed, a.train_size, size)
    x_val, b_val = shapes(~a.seed, a.val_size, size)
    print(f"{a.train_size} training images ({sum(map(len, b_train))} objects), {a.val_size} validation images "
          f"({sum(map(len, b_val))} objects), {size}x{size}", flush=True)
    onehot, target, positive = fcos_targets(b_train, cells)
    c = centres(cells)
    torch.manual_seed(a.seed)
    net = ShapeDetector(a.width, len(CLASSES))
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        perm, _ = shuffled(a.seed, epoch, a.train_size)
        net.train()
        sums, seen = [0.0, 0.0], 0
        for i in range(0, a.train_size, a.batch_size):
            b = perm[i:i + a.batch_size]
            logits, distances = net(x_train[b])
            pos = positive[b].reshape(-1)
            cls = sigmoid_focal_loss(logits, onehot[b], FOCAL_ALPHA, FOCAL_GAMMA, "sum") / max(1, int(pos.sum()))
            predicted = location_boxes(distances, c).reshape(-1, 4)[pos]                        # (P, 4)
            box = (generalized_box_iou_loss(predicted, target[b].reshape(-1, 4)[pos], "mean", GIOU_EPS) if pos.any()
                   else predicted.sum() * 0)
            opt.zero_grad(set_to_none=True)
            (cls + box).backward()
            opt.step()
            sums[0] += cls.item() * len(b)
            sums[1] += box.item() * len(b)
            seen += len(b)
        net.eval()
        dets = []
        with torch.no_grad():
            for i in range(0, a.val_size, 100):
                logits, distances = net(x_val[i:i + 100])
                dets += detections(logits, location_boxes(distances, c), size)
        maps = mean_average_precision(dets, b_val)
        seconds = time.perf_counter() - start
        cls_loss, box_loss = sums[0] / seen, sums[1] / seen
        rows.append([epoch, cls_loss + box_loss, cls_loss, box_loss, *maps, seconds])
        print(f"epoch {epoch}/{a.epochs}: loss {cls_loss + box_loss:.4f} (cls {cls_loss:.4f}, box {box_loss:.4f}) | "
              f"validation mAP@0.5 {100 * maps[1]:.2f}% mAP@[.5:.95] {100 * maps[0]:.2f}% | {seconds:.1f} s",
              flush=True)
    write_metrics(a.out, ["loss", "cls_loss", "box_loss", "val_map", "val_map50", "val_map75"], rows)


if __name__ == "__main__":
    main()
