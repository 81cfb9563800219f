"""PyTorch twin of `kiln run gcn` (dev.kiln.cli.run.Gcn): semi-supervised node classification on a planted-partition
graph. The graph, its node features and the split come from the same SplitMix64 stream as Kiln's PlantedPartition (so
both train on the very same nodes, edges and labels): features are the community's mean (N(0, 1/F) per coordinate)
plus N(0, noise^2) noise, edges are drawn with probability p_in inside a community and p_out across, and
--labels-per-class nodes of each community are labelled for training, --validation-nodes more validate, the rest test.
--model gcn: Kipf & Welling's two layers A_hat relu(A_hat X W0) W1 with A_hat = D^-1/2 (A + I) D^-1/2; --model poly:
two polynomial layers Y = phi(sum_k A_hat^k X alpha_k + b), k = 0..--order. Dropout 0.5 on the input and the hidden
layer, GCN weights Glorot-uniform and biases zero (polynomial layers: GraphConv's U(+-1/sqrt(K in))), Adam lr 0.01
with weight decay 5e-4 on the first layer only, one full-batch step per epoch, cross-entropy on the labelled nodes.
A_hat is a torch.sparse_coo_tensor, used only through torch.sparse.mm. Writes OUT/metrics.csv with kiln's columns.

Usage: /usr/bin/python3 scripts/workloads/gcn.py [--model gcn|poly] [--order 2] [--epochs 200] [--seed 42] [--threads 2]
       [--communities 4] [--community-size 400] [--p-in 0.02] [--p-out 0.004] [--noise 1.0] [--labels-per-class 20]
       [--validation-nodes 500] [--hidden 16] [--out runs/torch-gcn]"""
import math
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from twin import arguments, epoch_seed, write_metrics

FEATURES = 32
DROPOUT = 0.5
WEIGHT_DECAY = 5e-4
MASK = (1 << 64) - 1
GAMMA = np.uint64(0x9E3779B97F4A7C15)


def uniforms(seed, first, count):
    """Draws first .. first + count - 1 of SplitMix64 seeded with seed, as doubles in [0, 1) (the top 53 bits).
    SplitMix64's k-th draw (0-based) mixes seed + (k + 1) * golden gamma, so a slice needs no loop; Kiln's
    PlantedPartition.SplitMix64 walks the same sequence one draw at a time."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed & MASK) + np.arange(first + 1, first + count + 1, dtype=np.uint64) * GAMMA
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53



def shuffled(items, seed):
    """A copy of items in the order of Kiln's SplitMix64.shuffle: Fisher-Yates from the last position down, each swapped
    with the one at int(u * (i + 1)) for SplitMix64's next double u (the same floor in both languages)."""
    order = list(items)
    u = uniforms(seed, 0, max(0, len(order) - 1))
    for k, i in enumerate(range(len(order) - 1, 0, -1)):
        j = int(u[k] * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def normals(u):
    """Box-Muller on consecutive pairs (u1, u2), the cosine branch only; math's log and cos as Java's StrictMath's."""
    return np.array([math.sqrt(-2 * math.log(1 - a)) * math.cos(2 * math.pi * b) for a, b in zip(u[0::2], u[1::2])])


def planted_partition(seed, communities, size, p_in, p_out, noise, labels_per_class, validation):
    """(x (n, F) float32, y (n) int64, edges (E, 2) with i < j, train, val, test index arrays), draws in Kiln's order:
    the means, the features, one draw per node pair (i < j, row by row), a Fisher-Yates shuffle for the split."""
    n = communities * size
    y = np.arange(n) // size
    means = normals(uniforms(seed, 0, 2 * communities * FEATURES)).reshape(communities, FEATURES) / math.sqrt(FEATURES)
    drawn = 2 * communities * FEATURES
    z = normals(uniforms(seed, drawn, 2 * n * FEATURES)).reshape(n, FEATURES)
    drawn += 2 * n * FEATURES
    x = (means[y] + noise * z).astype(np.float32)
    i, j = np.triu_indices(n, 1)                                   # row by row, as Kiln's loops
    keep = uniforms(seed, drawn, len(i)) < np.where(y[i] == y[j], p_in, p_out)
    drawn += len(i)
    edges = np.stack([i[keep], j[keep]], 1)
    u = uniforms(seed, drawn, n - 1)
    order = list(range(n))
    for t, last in enumerate(range(n - 1, 0, -1)):
        k = int(u[t] * (last + 1))
        order[last], order[k] = order[k], order[last]
    labelled, rest = [0] * communities, []
    train = []
    for node in order:
        if labelled[y[node]] < labels_per_class:
            labelled[y[node]] += 1
            train.append(node)
        else:
            rest.append(node)
    return (torch.from_numpy(x), torch.from_numpy(y), edges, torch.tensor(sorted(train)),
            torch.tensor(sorted(rest[:validation])), torch.tensor(sorted(rest[validation:])))


def normalized_adjacency(edges, n):
    """A_hat = D^-1/2 (A + I) D^-1/2 as a sparse COO tensor; values 1 / sqrt(d_i d_j) in float64, then float32
    (Kiln's GCNConv.normalize computes them in float32 on the device: they may differ in the last bit)."""
    degree = np.ones(n, dtype=np.int64) + np.bincount(edges.reshape(-1), minlength=n)
    loops = np.arange(n)
    rows = np.concatenate([edges[:, 0], edges[:, 1], loops])
    cols = np.concatenate([edges[:, 1], edges[:, 0], loops])
    values = 1.0 / np.sqrt((degree[rows] * degree[cols]).astype(np.float64))
    return torch.sparse_coo_tensor(torch.from_numpy(np.stack([rows, cols])), torch.from_numpy(values).float(), (n, n))


class GcnLayer(nn.Module):
    """A_hat X W + b (Kipf & Welling): W (in, out) Glorot-uniform, b zero."""

    def __init__(self, fin, fout):
        super().__init__()
        self.weight = nn.Parameter(nn.init.xavier_uniform_(torch.empty(fin, fout)))
        self.bias = nn.Parameter(torch.zeros(fout))

    def forward(self, a, x):
        return torch.sparse.mm(a, x @ self.weight) + self.bias


class PolynomialLayer(nn.Module):
    """sum_k A_hat^k X alpha_k + b, k = 0..order, as Kiln's GraphConv: alpha (K, in, out) and b (out) start
    U(+-1/sqrt(K in)) with K = order + 1 terms."""

    def __init__(self, fin, fout, order):
        super().__init__()
        bound = 1 / math.sqrt((order + 1) * fin)
        self.alpha = nn.Parameter(torch.empty(order + 1, fin, fout).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(fout).uniform_(-bound, bound))

    def forward(self, a, x):
        h, y = x, x @ self.alpha[0]
        for k in range(1, self.alpha.shape[0]):
            h = torch.sparse.mm(a, h)                              # A_hat^k X, (n, in)
            y = y + h @ self.alpha[k]
        return y + self.bias


class NodeClassifier(nn.Module):
    def __init__(self, first, second):
        super().__init__()
        self.first, self.second = first, second

    def forward(self, a, x):
        h = torch.relu(self.first(a, F.dropout(x, DROPOUT, self.training)))
        return self.second(a, F.dropout(h, DROPOUT, self.training))


def accuracy(logits, y, nodes):
    return (logits[nodes].argmax(1) == y[nodes]).double().mean().item()


def main():
    p = arguments("gcn", 200, 0)
    p.add_argument("--model", choices=["gcn", "poly"], default="gcn")
    p.add_argument("--order", type=int, default=2)
    p.add_argument("--communities", type=int, default=4)
    p.add_argument("--community-size", type=int, default=400)
    p.add_argument("--p-in", type=float, default=0.02)
    p.add_argument("--p-out", type=float, default=0.004)
    p.add_argument("--noise", type=float, default=1.0)
    p.add_argument("--labels-per-class", type=int, default=20)
    p.add_argument("--validation-nodes", type=int, default=500)
    p.add_argument("--hidden", type=int, default=16)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    x, y, edges, train, val, test = planted_partition(a.seed, a.communities, a.community_size, a.p_in, a.p_out, a.noise,
                                                      a.labels_per_class, a.validation_nodes)
    graph = normalized_adjacency(edges, len(y))
    print(f"{len(y)} nodes, {len(edges)} edges; {len(train)} labelled, {len(val)} validation, {len(test)} test",
          flush=True)
    torch.manual_seed(a.seed)
    if a.model == "gcn":
        model = NodeClassifier(GcnLayer(FEATURES, a.hidden), GcnLayer(a.hidden, a.communities))
    else:
        model = NodeClassifier(PolynomialLayer(FEATURES, a.hidden, a.order),
                               PolynomialLayer(a.hidden, a.communities, a.order))
    opt = torch.optim.Adam([{"params": model.first.parameters(), "weight_decay": WEIGHT_DECAY},
                            {"params": model.second.parameters()}], lr=0.01)
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        torch.manual_seed(epoch_seed(a.seed, epoch))               # the epoch's dropout masks
        model.train()
        loss = F.cross_entropy(model(graph, x)[train], y[train])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            logits = model(graph, x)
            val_loss = F.cross_entropy(logits[val], y[val]).item()
            accuracies = [accuracy(logits, y, nodes) for nodes in (train, val, test)]
        seconds = time.perf_counter() - start
        rows.append([epoch, loss.item(), val_loss, *accuracies, seconds])
        print(f"epoch {epoch}/{a.epochs}: loss {loss.item():.4f} | validation loss {val_loss:.4f} | accuracy train "
              f"{100 * accuracies[0]:.2f}% validation {100 * accuracies[1]:.2f}% test {100 * accuracies[2]:.2f}% | "
              f"{seconds:.3f} s", flush=True)
    write_metrics(a.out, ["loss", "val_loss", "train_accuracy", "val_accuracy", "test_accuracy"], rows)


if __name__ == "__main__":
    main()
