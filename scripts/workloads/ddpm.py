"""PyTorch twin of `kiln run ddpm` (dev.kiln.cli.run.Ddpm): the same DDPM on Fashion-MNIST scaled to [-1, 1] — the
linear (DDPM's, scaled by 1000 / T, beta capped at 0.999) or cosine (Nichol and Dhariwal's) schedule, the same small
U-Net (DiffusionUNet: GroupNorm(8)/SiLU residual blocks with a projected sinusoidal step embedding, widths 32/64/64 at
28/14/7 pixels, stride-2 convolutions down, nearest upsampling and a convolution up, skips concatenated), the
epsilon-prediction MSE with a uniform step per image, Adam lr 1e-3, batch 128; the test loss with steps and noise from
a fixed stream. With --sample it times kiln's picture: 40 images by the ancestral chain (x0 clipped to [-1, 1]).
Writes OUT/metrics.csv with kiln's columns.

Usage: /usr/bin/python3 scripts/workloads/ddpm.py [--epochs 5] [--schedule linear] [--timesteps 1000] [--seed 42]
       [--threads 2] [--data /usr/share/datasets/fashion-mnist] [--limit-train 0] [--limit-test 0] [--sample]
       [--out runs/torch-ddpm]"""
import math
import time

import torch
from torch import nn
import torch.nn.functional as F

from twin import MEAN, STD, arguments, load, shuffled, write_metrics

WIDTHS = (32, 64, 64)
GROUPS, TIME_FEATURES, TIME_WIDTH = 8, 32, 128


def betas(kind, steps):
    if kind == "linear":
        scale = 1000 / steps
        return torch.linspace(scale * 1e-4, min(scale * 0.02, 0.999), steps, dtype=torch.float64)
    f = lambda t: math.cos((t / steps + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
    return torch.tensor([min(1 - f(t + 1) / f(t), 0.999) for t in range(steps)], dtype=torch.float64)


def time_features(t):
    half = TIME_FEATURES // 2
    frequencies = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / (half - 1)).float()
    angles = t[:, None] * frequencies[None]
    return torch.cat([angles.sin(), angles.cos()], 1)


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(GROUPS, cin), nn.Conv2d(cin, cout, 3, 1, 1)
        self.time = nn.Linear(TIME_WIDTH, cout)
        self.norm2, self.conv2 = nn.GroupNorm(GROUPS, cout), nn.Conv2d(cout, cout, 3, 1, 1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, t):
        h = self.conv1(F.silu(self.norm1(x))) + self.time(F.silu(t))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (x if self.skip is None else self.skip(x))


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        c1, c2, c3 = WIDTHS
        self.time1, self.time2 = nn.Linear(TIME_FEATURES, TIME_WIDTH), nn.Linear(TIME_WIDTH, TIME_WIDTH)
        self.inc = nn.Conv2d(1, c1, 3, 1, 1)
        self.down1, self.downsample1 = Block(c1, c1), nn.Conv2d(c1, c1, 3, 2, 1)
        self.down2, self.downsample2 = Block(c1, c2), nn.Conv2d(c2, c2, 3, 2, 1)
        self.middle = Block(c2, c3)
        self.up2_conv, self.up2 = nn.Conv2d(c3, c2, 3, 1, 1), Block(2 * c2, c2)
        self.up1_conv, self.up1 = nn.Conv2d(c2, c1, 3, 1, 1), Block(2 * c1, c1)
        self.out_norm, self.out = nn.GroupNorm(GROUPS, c1), nn.Conv2d(c1, 1, 3, 1, 1)

    def forward(self, x, t):
        time = self.time2(F.silu(self.time1(time_features(t))))
        skip1 = self.down1(self.inc(x), time)
        skip2 = self.down2(self.downsample1(skip1), time)
        h = self.middle(self.downsample2(skip2), time)
        h = self.up2(torch.cat([self.up2_conv(F.interpolate(h, scale_factor=2)), skip2], 1), time)
        h = self.up1(torch.cat([self.up1_conv(F.interpolate(h, scale_factor=2)), skip1], 1), time)
        return self.out(F.silu(self.out_norm(h)))


def noise_loss(model, alpha_bar, x0, g):
    t = torch.randint(0, len(alpha_bar), (len(x0),), generator=g)
    eps = torch.randn(x0.shape, generator=g)
    a = alpha_bar[t].float()[:, None, None, None]
    return F.mse_loss(model(a.sqrt() * x0 + (1 - a).sqrt() * eps, t.float()), eps)


@torch.no_grad()
def sample(model, beta, alpha_bar, n, g):
    """Ancestral sampling as Ddpm.write: x0 predicted and clipped, then the posterior's mean and noise."""
    previous = torch.cat([torch.ones(1, dtype=torch.float64), alpha_bar[:-1]])
    x = torch.randn(n, 1, 28, 28, generator=g)
    for t in range(len(beta) - 1, -1, -1):
        eps = model(x, torch.full((n,), float(t)))
        x0 = ((x - (1 - alpha_bar[t]).sqrt().item() * eps) / alpha_bar[t].sqrt().item()).clamp(-1, 1)
        mean_x0 = (beta[t] * previous[t].sqrt() / (1 - alpha_bar[t])).item()
        mean_xt = ((1 - previous[t]) * (1 - beta[t]).sqrt() / (1 - alpha_bar[t])).item()
        x = mean_x0 * x0 + mean_xt * x
        if t > 0:
            x = x + math.sqrt((beta[t] * (1 - previous[t]) / (1 - alpha_bar[t])).item()) * torch.randn(x.shape, generator=g)
    return x


def main():
    p = arguments("ddpm", 5, 128)
    p.add_argument("--schedule", default="linear", choices=["linear", "cosine"])
    p.add_argument("--timesteps", type=int, default=1000)
    p.add_argument("--sample", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    scaled = lambda x: (x * STD + MEAN).clamp(0, 1) * 2 - 1  # noqa: E731
    x, _ = load(a.data, "train")
    xt, _ = load(a.data, "t10k")
    train, test = scaled(x[:a.limit_train or len(x)]), scaled(xt[:a.limit_test or len(xt)])
    beta = betas(a.schedule, a.timesteps)
    alpha_bar = torch.cumprod(1 - beta, 0)
    model = UNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rows = []
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        perm, g = shuffled(a.seed, epoch, len(train))
        total = 0.0
        model.train()
        for i in range(0, len(perm), a.batch_size):
            x0 = train[perm[i:i + a.batch_size]]
            loss = noise_loss(model, alpha_bar, x0, g)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(x0)
        model.eval()
        g, test_total = torch.Generator().manual_seed(a.seed + 7), 0.0
        with torch.no_grad():
            for i in range(0, len(test), max(a.batch_size, 256)):
                test_total += noise_loss(model, alpha_bar, test[i:i + 256], g).item() * len(test[i:i + 256])
        seconds = time.perf_counter() - start
        rows.append([epoch, total / len(perm), test_total / len(test), seconds])
        print(f"epoch {epoch}/{a.epochs}: noise MSE {rows[-1][1]:.4f} | test {rows[-1][2]:.4f} | {seconds:.1f} s",
              flush=True)
    write_metrics(a.out, ["loss", "test_loss"], rows)
    if a.sample:
        start = time.perf_counter()
        sample(model, beta, alpha_bar, 40, torch.Generator().manual_seed(a.seed))
        print(f"40 samples by {a.timesteps} steps: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
