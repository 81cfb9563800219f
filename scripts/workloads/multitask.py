"""PyTorch twin of `kiln run multitask [--pcgrad]` (dev.kiln.cli.run.MultiTask): the same trunk and heads, PyTorch's
default initialisation (Kiln's layers draw the same schemes), Fashion-MNIST normalised as Kiln does, Adam lr 1e-3,
batch 64; per step each task's gradient of the trunk (torch.autograd.grad per loss), their cosine, and the trunk
updated with their sum or PCGrad's projected sum. Writes OUT/metrics.csv with kiln's columns.

Usage: /usr/bin/python3 scripts/workloads/multitask.py [--pcgrad] [--epochs 3] [--seed 42] [--threads 2]
       [--data /usr/share/datasets/fashion-mnist] [--limit-train 0] [--limit-test 0] [--out runs/torch-multitask]"""
import random
import time

import torch
from torch import nn

from twin import arguments, epoch_seed, load as load_all, shuffled, write_metrics

UPPER_BODY = torch.tensor([1, 0, 1, 0, 1, 0, 1, 0, 0, 0])  # T-shirt/top, pullover, coat, shirt


def load(d, prefix, limit):
    x, y = load_all(d, prefix)
    n = limit or len(y)
    return x[:n], y[:n]


def flat_dot(a, b):
    return sum((x * y).sum() for x, y in zip(a, b))


def pcgrad(tasks, rng):
    """Yu et al. 2020: each task's gradient projected off every other task's it conflicts with, in a random order."""
    total = None
    for t, g in enumerate(tasks):
        g = list(g)
        others = [o for o in range(len(tasks)) if o != t]
        rng.shuffle(others)
        for o in others:
            d = flat_dot(g, tasks[o])
            if d < 0:
                c = d / flat_dot(tasks[o], tasks[o])
                g = [x - c * y for x, y in zip(g, tasks[o])]
        total = g if total is None else [x + y for x, y in zip(total, g)]
    return total


def main():
    p = arguments("multitask", 3, 64)
    p.add_argument("--pcgrad", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr = load(a.data, "train", a.limit_train)
    xte, yte = load(a.data, "t10k", a.limit_test)
    trunk = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU())
    class_head, upper_head = nn.Linear(128, 10), nn.Linear(128, 2)
    shared = list(trunk.parameters())
    opt = torch.optim.Adam(shared + list(class_head.parameters()) + list(upper_head.parameters()), lr=1e-3)
    ce = nn.CrossEntropyLoss()
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        rng = random.Random(epoch_seed(a.seed, epoch))
        perm, _ = shuffled(a.seed, epoch, len(ytr))
        sums, cos_sum, conflicts, steps = [0.0, 0.0], 0.0, 0, 0
        for i in range(0, len(perm), a.batch_size):
            b = perm[i:i + a.batch_size]
            x, y = xtr[b], ytr[b]
            h = trunk(x)
            lc, lu = ce(class_head(h), y), ce(upper_head(h), UPPER_BODY[y])
            gc = torch.autograd.grad(lc, shared + list(class_head.parameters()), retain_graph=True)
            gu = torch.autograd.grad(lu, shared + list(upper_head.parameters()))
            sc, su = gc[:len(shared)], gu[:len(shared)]
            cos = (flat_dot(sc, su) / (flat_dot(sc, sc) * flat_dot(su, su)).sqrt()).item()
            update = pcgrad([sc, su], rng) if a.pcgrad else [x + y for x, y in zip(sc, su)]
            for prm, g in zip(shared, update):
                prm.grad = g
            for prm, g in zip(class_head.parameters(), gc[len(shared):]):
                prm.grad = g
            for prm, g in zip(upper_head.parameters(), gu[len(shared):]):
                prm.grad = g
            opt.step()
            opt.zero_grad(set_to_none=True)
            sums[0] += lc.item() * len(b)
            sums[1] += lu.item() * len(b)
            cos_sum += cos
            conflicts += cos < 0
            steps += 1
        with torch.no_grad():
            h = trunk(xte)
            acc_class = (class_head(h).argmax(1) == yte).double().mean().item()
            acc_upper = (upper_head(h).argmax(1) == UPPER_BODY[yte]).double().mean().item()
        seconds = time.perf_counter() - start
        rows.append([epoch, sums[0] / len(perm), sums[1] / len(perm), cos_sum / steps, conflicts / steps, acc_class,
                     acc_upper, seconds])
        print(f"epoch {epoch}/{a.epochs}: loss class {rows[-1][1]:.4f} upper {rows[-1][2]:.4f} | cosine "
              f"{rows[-1][3]:+.3f}, {100 * rows[-1][4]:.0f}% of steps conflict | test acc class {100 * acc_class:.2f}% "
              f"upper {100 * acc_upper:.2f}% | {seconds:.1f} s", flush=True)
    write_metrics(a.out, ["class_loss", "upper_loss", "mean_cosine", "conflict_fraction", "test_class_accuracy",
                          "test_upper_accuracy"], rows)


if __name__ == "__main__":
    main()
