"""PyTorch twin of `kiln run textcls` (dev.kiln.cli.run.TextCls): which category file a fortune comes from. The fortunes
of --categories (every tenth of each file held out for validation) read as bytes, cut to --max-length; --limit-train /
--limit-test keep that many at evenly spaced places. Each epoch's shuffle draws from SplitMix64 (as Kiln's
LengthBuckets), is cut into pools of 16 batches, each pool sorted by length (longest first) and cut into batches;
validation is sorted by length. Byte embedding 64 (padding id 256) -> a bidirectional LSTM or GRU (128) over
pack_padded_sequence -> linear on both directions' final states. Adam 1e-3, gradient norm clipped to 1. Writes
OUT/metrics.csv with kiln's columns and OUT/confusion.csv.

Usage: /usr/bin/python3 scripts/workloads/textcls.py [--model lstm] [--categories computers,science,...]
       [--max-length 256] [--epochs 3] [--batch-size 32] [--seed 42] [--threads 2] [--data /usr/share/games/fortunes]
       [--limit-train 0] [--limit-test 0] [--out runs/torch-textcls]"""
import time

import torch
from torch import nn
import torch.nn.functional as F

from charlm import read
from gcn import shuffled
from twin import arguments, epoch_seed, write_metrics

CATEGORIES = "computers,science,politics,literature,food,sports"
PAD = 256
POOL = 16


def split(fortunes, categories, max_length):
    """[(bytes, label)] for training and validation: every tenth fortune of each file held out (Fortunes.split)."""
    train, validation, category, index = [], [], None, 0
    for c, text in fortunes:
        if c not in categories:
            continue
        index = index + 1 if c == category else 0
        category = c
        (validation if index % 10 == 9 else train).append((text[:max_length], categories.index(c)))
    return train, validation


def spread(examples, limit):
    """limit examples at evenly spaced places, as FortuneClasses (the files come one after another)."""
    n = len(examples)
    return examples if limit <= 0 or limit >= n else [examples[i * n // limit] for i in range(limit)]


def by_length(examples, batch_size):
    s = sorted(examples, key=lambda e: -len(e[0]))  # stable, as Java's List.sort
    return [s[i:i + batch_size] for i in range(0, len(s), batch_size)]


def training_batches(examples, batch_size, seed):
    """LengthBuckets.training: SplitMix64's Fisher-Yates shuffle, then pools of POOL batches sorted by length."""
    order = shuffled(examples, seed)
    pool = POOL * batch_size
    return [b for start in range(0, len(order), pool) for b in by_length(order[start:start + pool], batch_size)]


def tensors(batch):
    lengths = torch.tensor([len(t) for t, _ in batch])
    tokens = torch.full((len(batch), int(lengths.max())), PAD, dtype=torch.int64)
    for i, (t, _) in enumerate(batch):
        tokens[i, :len(t)] = torch.tensor(list(t))
    return tokens, lengths, torch.tensor([label for _, label in batch])


class TextClassifier(nn.Module):
    def __init__(self, cell, classes):
        super().__init__()
        self.embedding = nn.Embedding(PAD + 1, 64, padding_idx=PAD)
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(64, 128, 1, batch_first=True, bidirectional=True)
        self.head = nn.Linear(256, classes)

    def forward(self, tokens, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        h = state[0] if isinstance(state, tuple) else state  # (2, B, H): forward, reverse
        return self.head(torch.cat([h[0], h[1]], 1))


def run_pass(model, batches, opt=None, confusion=None):
    total, count = 0.0, 0
    for batch in batches:
        tokens, lengths, labels = tensors(batch)
        logits = model(tokens, lengths)
        loss = F.cross_entropy(logits, labels)
        if opt is not None:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        if confusion is not None:
            for t, p in zip(labels.tolist(), logits.argmax(1).tolist()):
                confusion[t][p] += 1
        total += loss.item() * len(batch)
        count += len(batch)
    return total / count


def accuracies(confusion):
    right = sum(confusion[i][i] for i in range(len(confusion)))
    recalls = [row[i] / sum(row) for i, row in enumerate(confusion) if sum(row) > 0]
    return right / sum(map(sum, confusion)), sum(recalls) / len(recalls)


def main():
    p = arguments("textcls", 3, 32)
    p.set_defaults(data="/usr/share/games/fortunes")
    p.add_argument("--model", default="lstm", choices=["lstm", "gru"])
    p.add_argument("--categories", default=CATEGORIES)
    p.add_argument("--max-length", type=int, default=256)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    categories = a.categories.split(",")
    train, validation = split(read(a.data), categories, a.max_length)
    train, validation = spread(train, a.limit_train), spread(validation, a.limit_test)
    model = TextClassifier(a.model, len(categories))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        loss = run_pass(model, training_batches(train, a.batch_size, epoch_seed(a.seed, epoch)), opt)
        model.eval()
        confusion = [[0] * len(categories) for _ in categories]
        with torch.no_grad():
            val = run_pass(model, by_length(validation, a.batch_size), confusion=confusion)
        accuracy, balanced = accuracies(confusion)
        seconds = time.perf_counter() - start
        rows.append([epoch, loss, val, accuracy, balanced, seconds])
        print(f"epoch {epoch}/{a.epochs}: loss {loss:.4f} | validation loss {val:.4f}, accuracy {100 * accuracy:.2f}%,"
              f" balanced {100 * balanced:.2f}% | {seconds:.1f} s", flush=True)
    write_metrics(a.out, ["loss", "val_loss", "val_accuracy", "val_balanced_accuracy"], rows)
    with open(f"{a.out}/confusion.csv", "w") as f:
        f.write("true\\predicted," + ",".join(categories) + "\n")
        f.writelines(c + "," + ",".join(map(str, row)) + "\n" for c, row in zip(categories, confusion))


if __name__ == "__main__":
    main()
