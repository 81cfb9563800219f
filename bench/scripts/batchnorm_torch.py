"""PyTorch CPU counterparts of BatchNormBench: microseconds per call, best of 1 and 2 threads.

Prints one line per case: name (as the JMH benchmark and its channels parameter), tab, best
microseconds, tab, the thread count that won.
"""
import torch

from overhead_torch import print_best

BATCH = 64


def cases():
    g = torch.Generator().manual_seed(0)
    out = {}
    for channels in (16, 32, 64):
        h = 28 * 16 // channels
        bn = torch.nn.BatchNorm2d(channels)
        x = torch.randn(BATCH, channels, h, h, generator=g, requires_grad=True)
        gy = torch.randn(BATCH, channels, h, h, generator=g)

        def forward(bn=bn, x=x):
            with torch.no_grad():
                return bn(x)

        def forward_backward(bn=bn, x=x, gy=gy):
            x.grad = None
            bn.zero_grad()
            bn(x).backward(gy)

        out[f"forward channels={channels}"] = forward
        out[f"forwardBackward channels={channels}"] = forward_backward
    return out


def main():
    print_best(cases)


if __name__ == "__main__":
    main()
