"""PyTorch twin of `kiln run seq2seq` (dev.kiln.cli.run.Seq2Seq): dates written in words to ISO dates. The dates come
from the same SplitMix64 stream as Kiln's Dates (per example a day in 1950-01-01 .. 2049-12-31 and one of 8 formats;
days divisible by 10 validate, the others train), with the same character vocabularies (DateBatch). --model gru: a GRU
encoder (embedding 32, hidden 128) and a GRU decoder with additive attention score = v^T tanh(W_q s + W_k h) over the
encoder outputs (padding masked), fed [embedding of the previous character, context], logits from [state, context];
--model transformer: character + learned position embeddings (64) into nn.Transformer (2 + 2 post-norm layers, 2 heads,
feed-forward 256, no dropout; its xavier-uniform init), source padding masked, causal decoder. Teacher forcing, token
cross-entropy, Adam 1e-3, gradient norm clipped to 1, batches of a SplitMix64 shuffle (Kiln's order). Validation:
teacher-forced loss and token accuracy, greedy decoding's exact match. Writes OUT/metrics.csv with kiln's columns and
OUT/samples.txt.

Usage: /usr/bin/python3 scripts/workloads/seq2seq.py [--model gru|transformer] [--epochs 5] [--batch-size 64]
       [--seed 42] [--threads 2] [--limit-train 10000] [--limit-test 1000] [--out runs/torch-seq2seq]"""
import datetime
import time

import torch
from torch import nn
import torch.nn.functional as F

from gcn import shuffled, uniforms
from twin import arguments, epoch_seed, write_metrics

DAYS = 36525
FORMATS = 8
FIRST = datetime.date(1950, 1, 1)
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PAD, BOS, EOS = 0, 1, 2
SOURCE_CHARS = " ,./0123456789abcdefghijklmnopqrstuvwxyz"
TARGET_CHARS = "0123456789-"
SOURCE_VOCABULARY = 1 + len(SOURCE_CHARS)
TARGET_VOCABULARY = 3 + len(TARGET_CHARS)
STEPS = 11
MAX_SOURCE = 32
SHOWN = 12


def ordinal(day):
    return f"{day}{'th' if day // 10 == 1 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def write(d, f):
    """Date d in format f, as Dates.format."""
    day, month, weekday, year = d.day, MONTHS[d.month - 1], WEEKDAYS[d.weekday()], d.year
    yy = f"{year % 100:02d}"
    return [f"{weekday}, {month} {day}, {year}", f"{day} {month} {year}", f"{month} {ordinal(day)} {year}",
            f"{d.month:02d}/{day:02d}/{yy}", f"{month[:3]} {day}, {year}", f"the {ordinal(day)} of {month}, {year}",
            f"{day}.{d.month}.{year}", f"{weekday[:3]} {day} {month[:3]} {yy}"][f]


def dates(seed, train_size, validation_size):
    """([(source, target)] for training, for validation): Dates.generate's draws, in chunks of SplitMix64 doubles."""
    train, validation, drawn, u, k = [], [], 0, [], 0
    while len(train) < train_size or len(validation) < validation_size:
        if k + 2 > len(u):
            u, k = uniforms(seed, drawn, 65536), 0
            drawn += 65536
        day, f = int(u[k] * DAYS), int(u[k + 1] * FORMATS)
        k += 2
        to, size = (validation, validation_size) if day % 10 == 0 else (train, train_size)
        if len(to) < size:
            d = FIRST + datetime.timedelta(days=day)
            to.append((write(d, f), d.isoformat()))
    return train, validation


def tensors(batch):
    """DateBatch.of: source (B, S) padded, padding (B, S) bool, last (B), input (B, T), output (B, T)."""
    s = max(len(src) for src, _ in batch)
    source = torch.full((len(batch), s), PAD, dtype=torch.int64)
    for i, (src, _) in enumerate(batch):
        source[i, :len(src)] = torch.tensor([1 + SOURCE_CHARS.index(c) for c in src])
    target = torch.tensor([[3 + TARGET_CHARS.index(c) for c in tgt] for _, tgt in batch])
    last = torch.tensor([i * s + len(src) - 1 for i, (src, _) in enumerate(batch)])
    n = len(batch)
    return (source, source == PAD, last, torch.cat([torch.full((n, 1), BOS), target], 1),
            torch.cat([target, torch.full((n, 1), EOS)], 1))


def additive_mask(padding):
    return torch.zeros(padding.shape).masked_fill(padding, float("-inf"))


class AttentionGru(nn.Module):
    def __init__(self):
        super().__init__()
        self.source_embedding = nn.Embedding(SOURCE_VOCABULARY, 32, padding_idx=PAD)
        self.encoder = nn.GRU(32, 128, 1, batch_first=True)
        self.target_embedding = nn.Embedding(TARGET_VOCABULARY, 32, padding_idx=PAD)
        self.query = nn.Linear(128, 128, bias=False)
        self.key = nn.Linear(128, 128)
        self.score = nn.Linear(128, 1, bias=False)
        self.decoder = nn.GRU(32 + 128, 128, 1, batch_first=True)
        self.head = nn.Linear(256, TARGET_VOCABULARY)

    def decode(self, source, padding, last, teacher):
        """Each step's logits (B, T, V), attention (B, T, S) and greedy tokens (B, T); teacher (B, T) or None."""
        memory, _ = self.encoder(self.source_embedding(source))            # (B, S, H)
        state = memory.reshape(-1, 128)[last]                               # (B, H)
        keys, mask = self.key(memory), additive_mask(padding)
        previous = torch.full((source.shape[0], 1), BOS)
        logits, attention, tokens = [], [], []
        for t in range(STEPS):
            x = teacher[:, t:t + 1] if teacher is not None else previous
            alpha = torch.softmax(self.score(torch.tanh(keys + self.query(state).unsqueeze(1))).squeeze(2) + mask, 1)
            context = alpha.unsqueeze(1).bmm(memory)                        # (B, 1, H)
            _, h = self.decoder(torch.cat([self.target_embedding(x), context], 2), state.unsqueeze(0))
            state = h.squeeze(0)
            logits.append(self.head(torch.cat([state, context.squeeze(1)], 1)))
            attention.append(alpha)
            previous = logits[-1].argmax(1, keepdim=True)
            tokens.append(previous)
        return torch.stack(logits, 1), torch.stack(attention, 1), torch.cat(tokens, 1)

    def forward(self, source, padding, last, teacher):
        return self.decode(source, padding, last, teacher)[0]

    def greedy(self, source, padding, last):
        _, attention, tokens = self.decode(source, padding, last, None)
        return tokens, attention


class DateTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.source_tokens = nn.Embedding(SOURCE_VOCABULARY, 64, padding_idx=PAD)
        self.source_positions = nn.Embedding(MAX_SOURCE, 64)
        self.target_tokens = nn.Embedding(TARGET_VOCABULARY, 64, padding_idx=PAD)
        self.target_positions = nn.Embedding(STEPS, 64)
        self.transformer = nn.Transformer(64, 2, 2, 2, 256, 0.0, batch_first=True)
        self.head = nn.Linear(64, TARGET_VOCABULARY)

    def encode(self, source, padding):
        return self.transformer.encoder(self.source_tokens(source) + self.source_positions(
            torch.arange(source.shape[1])), src_key_padding_mask=padding)

    def decode(self, tokens, memory, padding):
        x = self.target_tokens(tokens) + self.target_positions(torch.arange(tokens.shape[1]))
        causal = nn.Transformer.generate_square_subsequent_mask(tokens.shape[1])
        return self.transformer.decoder(x, memory, tgt_mask=causal, memory_key_padding_mask=padding)

    def forward(self, source, padding, last, teacher):
        return self.head(self.decode(teacher, self.encode(source, padding), padding))

    def greedy(self, source, padding, last):
        memory = self.encode(source, padding)
        tokens = torch.full((source.shape[0], 1), BOS)
        for t in range(STEPS):
            tokens = torch.cat([tokens, self.head(self.decode(tokens, memory, padding)[:, t:t + 1]).argmax(2)], 1)
        return tokens[:, 1:], None


def batches(examples, batch_size):
    return [examples[i:i + batch_size] for i in range(0, len(examples), batch_size)]


def validate(model, validation, batch_size, samples):
    loss, right, exact = 0.0, 0, 0
    for batch in batches(validation, batch_size):
        source, padding, last, teacher, output = tensors(batch)
        logits = model(source, padding, last, teacher)
        loss += F.cross_entropy(logits.reshape(-1, TARGET_VOCABULARY), output.reshape(-1)).item() * len(batch)
        right += int((logits.argmax(2) == output).sum())
        tokens, _ = model.greedy(source, padding, last)
        hits = (tokens == output).all(1)
        exact += int(hits.sum())
        for (src, tgt), got, hit in zip(batch, tokens.tolist(), hits.tolist()):
            if len(samples) < SHOWN:
                text = "".join(TARGET_CHARS[i - 3] if i >= 3 else "?" for i in got[:got.index(EOS) if EOS in got else STEPS])
                samples.append(f"{src:<30s} -> {text:<10s} {'  ' if hit else '!='} {tgt}")
    n = len(validation)
    return loss / n, right / (n * STEPS), exact / n


def main():
    p = arguments("seq2seq", 5, 64)
    p.set_defaults(limit_train=10000, limit_test=1000)
    p.add_argument("--model", default="gru", choices=["gru", "transformer"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train, validation = dates(a.seed, a.limit_train, a.limit_test)
    model = AttentionGru() if a.model == "gru" else DateTransformer()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows, samples = [], []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        model.train()
        total = 0.0
        for batch in batches(shuffled(train, epoch_seed(a.seed, epoch)), a.batch_size):
            source, padding, last, teacher, output = tensors(batch)
            loss = F.cross_entropy(model(source, padding, last, teacher).reshape(-1, TARGET_VOCABULARY), output.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += loss.item() * len(batch)
        model.eval()
        samples.clear()
        with torch.no_grad():
            val, tokens, exact = validate(model, validation, a.batch_size, samples)
        seconds = time.perf_counter() - start
        rows.append([epoch, total / len(train), val, tokens, exact, seconds])
        print(f"epoch {epoch}/{a.epochs}: loss {total / len(train):.4f} | validation loss {val:.4f}, token accuracy"
              f" {100 * tokens:.2f}%, exact match {100 * exact:.2f}% | {seconds:.1f} s", flush=True)
    write_metrics(a.out, ["loss", "val_loss", "val_token_accuracy", "val_exact_match"], rows)
    with open(f"{a.out}/samples.txt", "w") as f:
        f.writelines(s + "\n" for s in samples)


if __name__ == "__main__":
    main()
