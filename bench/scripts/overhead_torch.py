"""PyTorch CPU counterparts of OverheadBench: microseconds per call, best of 1 and 2 threads.

Prints one line per benchmark: name, tab, best microseconds, tab, the thread count that won.
"""
import time

import torch

BATCH = 64


def per_call_us(fn, seconds=2.0):
    for _ in range(20):
        fn()
    calls, start = 0, time.perf_counter()
    batch = 1
    while time.perf_counter() - start < seconds:
        for _ in range(batch):
            fn()
        calls += batch
        batch *= 2
    return (time.perf_counter() - start) / calls * 1e6


def cases():
    g = torch.Generator().manual_seed(0)
    one, two = torch.randn(1, generator=g), torch.randn(1, generator=g)
    one_leaf = torch.randn(1, generator=g, requires_grad=True)
    two_leaf = torch.randn(1, generator=g, requires_grad=True)
    linear = torch.nn.Linear(784, 256)
    linear_input = torch.randn(BATCH, 784, generator=g)

    def linear_forward_backward():
        linear.zero_grad()
        linear(linear_input).sum().backward()

    mlp = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 10))
    # lr 0, as OverheadBench: the weights stay put, so every call does the same work (thousands of steps on
    # one batch would drive the loss and gradients toward 0); every op of the step still runs. Debian's
    # PyTorch 1.13 spends most of this step in Adam (3.5-4.5 ms for the MLP's 235k parameters, 1 thread).
    adam = torch.optim.Adam(mlp.parameters(), lr=0.0)
    mlp_input = torch.randn(BATCH, 784, generator=g)
    mlp_target = torch.arange(BATCH) % 10
    loss = torch.nn.CrossEntropyLoss()

    def mlp_adam_step():
        adam.zero_grad()
        loss(mlp(mlp_input), mlp_target).backward()
        adam.step()

    return {
        "add": lambda: one + two,
        "addRecorded": lambda: one_leaf + two_leaf,
        "linearForwardBackward": linear_forward_backward,
        "mlpAdamStep": mlp_adam_step,
    }


def print_best(make_cases):
    """Runs every case at 1 and 2 threads; prints name, tab, the best microseconds, tab, the threads that won."""
    best = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for name, fn in make_cases().items():
            us = per_call_us(fn)
            if name not in best or us < best[name][0]:
                best[name] = (us, threads)
    for name, (us, threads) in best.items():
        print(f"{name}\t{us:.3f}\t{threads}")


def main():
    print_best(cases)


if __name__ == "__main__":
    main()
