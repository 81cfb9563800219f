"""One epoch of the `kiln train --model lenet` recipe in PyTorch (CPU): same data, normalisation,
model, Adam lr 1e-3, batch 64, then one pass over the test set. Prints the epoch's seconds."""
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


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def main(d):
    torch.manual_seed(42)
    xtr, ytr = load(d, "train")
    xte, yte = load(d, "t10k")
    model = lenet()
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
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads): test accuracy {100 * correct / len(yte):.2f}%",
          file=sys.stderr)
    print(f"{seconds:.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
