"""One epoch of a `kiln train --model MODEL` recipe in PyTorch (CPU): same data, normalisation, model
(dev.kiln.cli.train.Models), Adam lr 1e-3, batch 64, then one pass over the test set, on THREADS threads.
Prints the epoch's seconds.

Usage: /usr/bin/python3 epoch_torch.py MODEL DATA_DIR THREADS   (MODEL: mlp, lenet, cnn, resnet-small)"""
import gzip
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

MEAN, STD = 0.2860, 0.3530  # as dev.kiln.cli.data.FashionMnist


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(d, prefix):
    x = torch.from_numpy((idx(f"{d}/{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255 - MEAN) / STD)
    y = torch.from_numpy(idx(f"{d}/{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return x.unsqueeze(1), y


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                         nn.Linear(128, 10))


class Residual(nn.Module):
    """dev.kiln.nn.ResidualBlock.basic: relu(body(x) + shortcut(x)), a 1x1 conv + BN shortcut on a change of shape."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet_small():
    return nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(), Residual(16, 16, 1),
                         Residual(16, 32, 2), Residual(32, 64, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(64, 10))


MODELS = {"mlp": mlp, "lenet": lenet, "cnn": cnn, "resnet-small": resnet_small}


def main(name, d, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    xtr, ytr = load(d, "train")
    xte, yte = load(d, "t10k")
    model = MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ce = nn.CrossEntropyLoss()
    start = time.perf_counter()
    model.train()
    perm = torch.randperm(len(ytr))
    for i in range(0, len(ytr), 64):
        b = perm[i:i + 64]
        opt.zero_grad()
        loss = ce(model(xtr[b]), ytr[b])
        loss.backward()
        opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(yte), 256):
            correct += (model(xte[i:i + 256]).argmax(1) == yte[i:i + 256]).sum().item()
    seconds = time.perf_counter() - start
    print(f"torch {torch.__version__} {name} ({torch.get_num_threads()} threads): test accuracy {100 * correct / len(yte):.2f}%",
          file=sys.stderr)
    print(f"{seconds:.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in MODELS:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
