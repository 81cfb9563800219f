"""PyTorch twin of `kiln run vae` (dev.kiln.cli.run.Vae / VaeModel): the same convolutional VAE (latent 16), PyTorch's
default initialisation (Kiln's layers draw the same schemes), Fashion-MNIST pixels in [0, 1], the negative ELBO =
binary cross-entropy with logits summed over pixels + KL, per image, Adam lr 1e-3, batch 128. Writes OUT/metrics.csv
with kiln's columns.

Usage: /usr/bin/python3 scripts/workloads/vae.py [--epochs 5] [--seed 42] [--threads 2]
       [--data /usr/share/datasets/fashion-mnist] [--limit-train 0] [--limit-test 0] [--out runs/torch-vae]"""
import time

import torch
from torch import nn
import torch.nn.functional as F

from twin import MEAN, STD, arguments, load as load_all, shuffled, write_metrics

LATENT = 16


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
                                     nn.Flatten())
        self.to_stats = nn.Linear(64 * 7 * 7, 2 * LATENT)
        self.from_latent = nn.Linear(LATENT, 64 * 7 * 7)
        self.decoder = nn.Sequential(nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1))

    def encode(self, x):
        stats = self.to_stats(self.encoder(x))
        return stats[:, :LATENT], stats[:, LATENT:]

    def decode(self, z):
        return self.decoder(torch.relu(self.from_latent(z)).view(-1, 64, 7, 7))


def elbo(model, x, generator):
    mean, logvar = model.encode(x)
    eps = torch.randn(mean.shape, generator=generator)
    z = mean + torch.exp(0.5 * logvar) * eps
    n = x.shape[0]
    rec = F.binary_cross_entropy_with_logits(model.decode(z), x, reduction="sum") / n
    kl = -0.5 * (1 + logvar - mean ** 2 - logvar.exp()).sum() / n
    return rec + kl, rec, kl


def main():
    p = arguments("vae", 5, 128)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    pixels = {}
    for split, limit in [("train", a.limit_train), ("t10k", a.limit_test)]:
        x, _ = load_all(a.data, split)
        pixels[split] = (x[:limit or len(x)] * STD + MEAN).clamp(0, 1)
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = []
    xtr, xte = pixels["train"], pixels["t10k"]
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        perm, noise = shuffled(a.seed, epoch, len(xtr))
        sums = [0.0, 0.0, 0.0]
        model.train()
        for i in range(0, len(perm), a.batch_size):
            x = xtr[perm[i:i + a.batch_size]]
            terms = elbo(model, x, noise)
            opt.zero_grad(set_to_none=True)
            terms[0].backward()
            opt.step()
            for k in range(3):
                sums[k] += terms[k].item() * len(x)
        model.eval()
        test = [0.0, 0.0, 0.0]
        noise = torch.Generator().manual_seed(a.seed + 7)
        with torch.no_grad():
            for i in range(0, len(xte), max(a.batch_size, 256)):
                x = xte[i:i + max(a.batch_size, 256)]
                terms = elbo(model, x, noise)
                for k in range(3):
                    test[k] += terms[k].item() * len(x)
        seconds = time.perf_counter() - start
        rows.append([epoch] + [v / len(xtr) for v in sums] + [v / len(xte) for v in test] + [seconds])
        r = rows[-1]
        print(f"epoch {epoch}/{a.epochs}: -ELBO {r[1]:.2f} (reconstruction {r[2]:.2f} + KL {r[3]:.2f}) | test -ELBO "
              f"{r[4]:.2f} ({r[5]:.2f} + {r[6]:.2f}) | {seconds:.1f} s", flush=True)
    write_metrics(a.out, ["loss", "reconstruction", "kl", "test_loss", "test_reconstruction", "test_kl"], rows)


if __name__ == "__main__":
    main()
