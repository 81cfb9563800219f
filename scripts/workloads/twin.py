"""What the PyTorch twins of `kiln run` share: Fashion-MNIST as Kiln reads it, the command line, kiln's metrics.csv."""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench", "scripts"))
from epoch_torch import MEAN, STD, load  # noqa: E402,F401  (re-exported for the twins)


def arguments(name, epochs, batch_size):
    """The options every twin takes, with the workload's defaults; a twin adds its own before parse_args()."""
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=batch_size)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--limit-train", type=int, default=0)
    p.add_argument("--limit-test", type=int, default=0)
    p.add_argument("--out", default=f"runs/torch-{name}")
    return p


def epoch_seed(seed, epoch):
    """Epoch epoch's own seed, kiln's rule (RunSettings.epochSeed), so a resumed run draws as an uninterrupted one."""
    return seed * 1000003 + epoch


def shuffled(seed, epoch, n):
    """The epoch's order of n examples and a generator for its noise, seeded as kiln seeds them."""
    s = epoch_seed(seed, epoch)
    return torch.randperm(n, generator=torch.Generator().manual_seed(s)), torch.Generator().manual_seed(s + 1)


def write_metrics(out, columns, rows):
    """OUT/metrics.csv as kiln writes it: epoch, the metrics, seconds; rows of [epoch, *metrics, seconds]."""
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/metrics.csv", "w") as f:
        f.write(",".join(["epoch"] + columns + ["seconds"]) + "\n")
        for r in rows:
            f.write(",".join([str(r[0])] + [f"{v:.6g}" for v in r[1:]]) + "\n")
