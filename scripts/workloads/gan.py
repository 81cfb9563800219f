"""PyTorch twin of `kiln run gan` (dev.kiln.cli.run.Gan): the same DCGAN (64-d noise; generator of transposed
convolutions with batch norm, ReLU and tanh; discriminator of strided convolutions with LeakyReLU(0.2)), DCGAN's
N(0, 0.02) initialisation, images in [-1, 1], Adam lr 2e-4 with betas (0.5, 0.999), batch 128, the discriminator
step on a detached fake batch then the non-saturating generator step. Writes OUT/metrics.csv with kiln's columns.

Usage: /usr/bin/python3 scripts/workloads/gan.py [--epochs 5] [--seed 42] [--threads 2]
       [--data /usr/share/datasets/fashion-mnist] [--limit-train 0] [--out runs/torch-gan]"""
import time

import torch
from torch import nn
import torch.nn.functional as F

from twin import MEAN, STD, arguments, load as load_all, shuffled, write_metrics

NOISE = 64


def nets():
    g = nn.Sequential(nn.ConvTranspose2d(NOISE, 128, 7, 1, 0, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
                      nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                      nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=False), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                      nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
                      nn.Conv2d(128, 1, 7, 1, 0, bias=False), nn.Flatten())
    for net in (g, d):
        for name, p in net.named_parameters():
            with torch.no_grad():
                if p.dim() > 1:
                    p.normal_(0, 0.02)
                elif name.endswith("weight"):
                    p.normal_(1, 0.02)
                else:
                    p.zero_()
    return g, d


def main():
    p = arguments("gan", 5, 128)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, _ = load_all(a.data, "train")
    real_all = ((x[:a.limit_train or len(x)] * STD + MEAN).clamp(0, 1)) * 2 - 1
    gen, disc = nets()
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        perm, noise = shuffled(a.seed, epoch, len(real_all))
        sums = [0.0] * 4
        for i in range(0, len(perm), a.batch_size):
            real = real_all[perm[i:i + a.batch_size]]
            n = len(real)
            fake = gen(torch.randn(n, NOISE, 1, 1, generator=noise))
            ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
            opt_d.zero_grad(set_to_none=True)
            real_logits, fake_logits = disc(real), disc(fake.detach())
            loss_d = (F.binary_cross_entropy_with_logits(real_logits, ones)
                      + F.binary_cross_entropy_with_logits(fake_logits, zeros))
            loss_d.backward()
            opt_d.step()
            opt_g.zero_grad(set_to_none=True)
            loss_g = F.binary_cross_entropy_with_logits(disc(fake), ones)
            loss_g.backward()
            opt_g.step()
            for k, v in enumerate([loss_d.item(), loss_g.item(), torch.sigmoid(real_logits).mean().item(),
                                   torch.sigmoid(fake_logits).mean().item()]):
                sums[k] += v * n
        seconds = time.perf_counter() - start
        rows.append([epoch] + [v / len(perm) for v in sums] + [seconds])
        r = rows[-1]
        print(f"epoch {epoch}/{a.epochs}: loss D {r[1]:.4f} G {r[2]:.4f} | D(x) {r[3]:.3f} D(G(z)) {r[4]:.3f} | "
              f"{seconds:.1f} s", flush=True)
    write_metrics(a.out, ["loss_d", "loss_g", "d_real", "d_fake"], rows)


if __name__ == "__main__":
    main()
