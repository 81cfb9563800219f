"""PyTorch twin of `kiln run charlm` (dev.kiln.cli.run.CharLm): a character language model on the fortunes read as
bytes (every tenth fortune of each file held out for validation, each fortune followed by its "%" line), the training
text as --batch-size parallel streams walked in chunks of --bptt bytes. --model lstm: embedding 64 -> one-layer LSTM 256
-> linear, the state carried from chunk to chunk and detached (truncated BPTT); --model transformer: byte and learned
position embeddings (128), two pre-norm encoder layers (4 heads, feed-forward 512, GELU, no dropout) with a causal mask,
a final LayerNorm, a linear layer. Adam 1e-3, gradient norm clipped to 1. Writes OUT/metrics.csv with kiln's columns
and OUT/samples.txt (temperatures 0.5, 0.8, 1.0).

Usage: /usr/bin/python3 scripts/workloads/charlm.py [--model lstm] [--bptt 64] [--epochs 3] [--batch-size 64] [--seed 42]
       [--threads 2] [--data /usr/share/games/fortunes] [--limit-train 0] [--limit-test 0] [--out runs/torch-charlm]"""
import math
import os
import time

import torch
from torch import nn
import torch.nn.functional as F

from twin import arguments, write_metrics

SEPARATOR = b"%\n"
TEMPERATURES = (0.5, 0.8, 1.0)


def read(directory):
    """Every fortune of every category file, the files in name order, as [(category, bytes)]."""
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith(".dat") or name.startswith(".") or os.path.islink(path) or not os.path.isfile(path):
            continue
        data, text = open(path, "rb").read(), b""
        lines = data.split(b"\n")
        for line in lines[:-1] if data.endswith(b"\n") else lines:  # as Kiln: no empty line after the last '\n'
            if line == b"%":
                out += [(name, text)] if text else []
                text = b""
            else:
                text += line + b"\n"
        out += [(name, text)] if text else []
    return out


def split(fortunes):
    train, validation, category, index = [], [], None, 0
    for c, text in fortunes:
        index = index + 1 if c == category else 0
        category = c
        (validation if index % 10 == 9 else train).append(text)
    return train, validation


def batchify(ids, streams):
    length = len(ids) // streams
    return torch.tensor(ids[:length * streams], dtype=torch.int64).view(streams, length)


class CharLstm(nn.Module):
    def __init__(self, alphabet):
        super().__init__()
        self.embedding = nn.Embedding(alphabet, 64)
        self.lstm = nn.LSTM(64, 256, 1, batch_first=True)
        self.head = nn.Linear(256, alphabet)
        self.context = 1 << 30

    def forward(self, x, carried):
        out, state = self.lstm(self.embedding(x), carried)
        return self.head(out), state


class CharTransformer(nn.Module):
    def __init__(self, alphabet, context):
        super().__init__()
        self.context = context
        self.tokens, self.positions = nn.Embedding(alphabet, 128), nn.Embedding(context, 128)
        layer = nn.TransformerEncoderLayer(128, 4, 512, 0.0, "gelu", 1e-5, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, nn.LayerNorm(128), enable_nested_tensor=False)
        self.head = nn.Linear(128, alphabet)

    def forward(self, x, carried):
        t = x.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf")), 1)
        h = self.tokens(x) + self.positions(torch.arange(t))
        return self.head(self.encoder(h, mask)), None


def run_pass(model, data, bptt, alphabet, opt=None):
    """Mean cross-entropy per byte over the chunks, carrying the LSTM's state; learns from each chunk with opt."""
    total, count, carried = 0.0, 0, None
    targets = data.shape[1] - 1
    for start in range(0, targets, bptt):
        t = min(bptt, targets - start)
        x, y = data[:, start:start + t], data[:, start + 1:start + 1 + t]
        logits, state = model(x, carried)
        loss = F.cross_entropy(logits.reshape(-1, alphabet), y.reshape(-1))
        if opt is not None:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        carried = None if state is None else tuple(s.detach() for s in state)
        total += loss.item() * x.numel()
        count += x.numel()
    return total / count


@torch.no_grad()
def sample(model, alphabet, index, temperature, n, g):
    history = [index[b] for b in SEPARATOR]
    out, carried, start = bytearray(), None, 0
    while len(out) < n:
        window = history[max(start, len(history) - model.context):]
        logits, state = model(torch.tensor([window]), carried)
        p = torch.softmax(logits[0, -1].double() / temperature, 0)
        nxt = int(torch.multinomial(p, 1, generator=g))
        out.append(alphabet[nxt])
        history.append(nxt)
        if state is not None:
            carried, start = state, len(history) - 1
    return bytes(out)


def main():
    p = arguments("charlm", 3, 64)
    p.set_defaults(data="/usr/share/games/fortunes")
    p.add_argument("--model", default="lstm", choices=["lstm", "transformer"])
    p.add_argument("--bptt", type=int, default=64)
    p.add_argument("--sample-bytes", type=int, default=400)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    fortunes = read(a.data)
    alphabet = sorted(set(b"".join(t for _, t in fortunes)) | set(SEPARATOR))
    index = {b: i for i, b in enumerate(alphabet)}
    train, validation = split(fortunes)
    encode = lambda texts: [index[b] for t in texts for b in t + SEPARATOR]  # noqa: E731
    train_ids = encode(train[:a.limit_train or len(train)])
    validation_ids = encode(validation[:a.limit_test or len(validation)])
    model = CharLstm(len(alphabet)) if a.model == "lstm" else CharTransformer(len(alphabet), a.bptt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        loss = run_pass(model, batchify(train_ids, a.batch_size), a.bptt, len(alphabet), opt)
        model.eval()
        with torch.no_grad():
            val = run_pass(model, batchify(validation_ids, a.batch_size), a.bptt, len(alphabet))
        seconds = time.perf_counter() - start
        rows.append([epoch, loss, val, math.exp(val), seconds])
        print(f"epoch {epoch}/{a.epochs}: loss {loss:.4f} | validation {val:.4f} nats/byte, perplexity {math.exp(val):.3f}"
              f" | {seconds:.1f} s", flush=True)
    write_metrics(a.out, ["loss", "val_loss", "val_perplexity"], rows)
    g = torch.Generator().manual_seed(a.seed)
    with open(f"{a.out}/samples.txt", "wb") as f:
        for temperature in TEMPERATURES:
            f.write(f"=== temperature {temperature}, after epoch {a.epochs} ===\n".encode())
            f.write(sample(model, alphabet, index, temperature, a.sample_bytes, g) + b"\n")


if __name__ == "__main__":
    main()
