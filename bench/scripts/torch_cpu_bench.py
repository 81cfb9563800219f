"""Times the shapes of Kiln's GemmBench, Conv2dBench, LeNetConvBench, SmallConvBench, CourseConvBench and SparseBench in
PyTorch on the CPU and prints GFLOP/s.

Run with the system interpreter that has torch: /usr/bin/python3 bench/scripts/torch_cpu_bench.py [REGEX]
(REGEX: only the cases whose name it matches, e.g. SmallConvBench).
Each case runs with 1 and with 2 threads. Output lines (tab-separated):
    <case>  <threads>  <gflops>
where <case> matches the JMH benchmark name (e.g. GemmBench.sgemm n=1024).
"""
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def median_seconds(fn, warmup=3, repeats=7, min_time=0.2):
    """Median wall time of fn() after warmup; each sample repeats fn until min_time has passed."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        calls = 0
        start = time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        samples.append(elapsed / calls)
    return statistics.median(samples)


def padded_conv(bench, shape, n, c, o, h, k, stride, g):
    """bench's forward, backward-input and backward-weight cases for x (n, c, h, h), weight (o, c, k, k), padding 1, no
    bias: the gradients as autograd computes them (aten.convolution_backward, one output each)."""
    oh = (h + 2 - k) // stride + 1
    flop = 2.0 * n * o * oh * oh * c * k * k
    x = torch.randn(n, c, h, h, generator=g)
    w = torch.randn(o, c, k, k, generator=g)
    gy = torch.randn(n, o, oh, oh, generator=g)

    def backward(mask):
        return torch.ops.aten.convolution_backward(gy, x, w, None, [stride] * 2, [1, 1], [1, 1], False, [0, 0], 1, mask)
    yield f"{bench}.forward shape={shape}", flop, lambda: F.conv2d(x, w, stride=stride, padding=1)
    yield f"{bench}.backwardInput shape={shape}", flop, lambda: backward([True, False, False])
    yield f"{bench}.backwardWeight shape={shape}", flop, lambda: backward([False, True, False])


def cases():
    g = torch.Generator().manual_seed(0)
    for n, dtype, name in ((1024, torch.float32, "GemmBench.sgemm n=1024"),
                           (2048, torch.float32, "GemmBench.sgemm n=2048"),
                           (1024, torch.float64, "GemmBench.dgemm n=1024")):
        a = torch.randn(n, n, generator=g, dtype=dtype)
        b = torch.randn(n, n, generator=g, dtype=dtype)
        yield name, 2.0 * n ** 3, lambda a=a, b=b: torch.matmul(a, b)

    # GemmBench.linear: the MLP 784-256-128-10's products at batch 64 (nt = A @ B^T, nn, tn = A^T @ B), then an
    # attention head's score and value products and a score layer's matrix-vector products (seq2seq's)
    for shape in ("64x784x256 nt", "64x256x784 nn", "256x64x784 tn", "64x256x128 nt", "64x128x256 nn",
                  "128x64x256 tn", "64x128x10 nt", "64x10x128 nn", "10x64x128 tn", "30x32x30 nt", "30x30x32 nn",
                  "128x1728x1 tn", "1728x128x1 nn"):
        dims, op = shape.split(" ")
        m, k, n = (int(v) for v in dims.split("x"))
        a = torch.randn(k, m, generator=g).t() if op[0] == "t" else torch.randn(m, k, generator=g)
        b = torch.randn(n, k, generator=g).t() if op[1] == "t" else torch.randn(k, n, generator=g)
        yield f"GemmBench.linear shape={shape}", 2.0 * m * n * k, lambda a=a, b=b: torch.matmul(a, b)

    # conv2d 64 -> 64, 3x3, pad 1, no bias, on x (16, 64, 56, 56), as Conv2dBench
    n, c, o, h, k = 16, 64, 64, 56, 3
    flop = 2.0 * n * o * h * h * c * k * k
    x = torch.randn(n, c, h, h, generator=g)
    w = torch.randn(o, c, k, k, generator=g)
    gy = torch.randn(n, o, h, h, generator=g)
    yield "Conv2dBench.forward", flop, lambda: F.conv2d(x, w, padding=1)
    yield "Conv2dBench.backwardInput", flop, lambda: torch.nn.grad.conv2d_input(x.shape, w, gy, padding=1)
    yield "Conv2dBench.backwardWeight", flop, lambda: torch.nn.grad.conv2d_weight(x, w.shape, gy, padding=1)

    # LeNet's convolutions at batch 64 with bias, as LeNetConvBench: conv1 1 -> 6 on 28x28 pad 2, conv2 6 -> 16 on 14x14
    for layer, c, o, h, pad in (("conv1", 1, 6, 28, 2), ("conv2", 6, 16, 14, 0)):
        oh = h + 2 * pad - 4
        flop = 2.0 * 64 * o * oh * oh * c * 25
        x = torch.randn(64, c, h, h, generator=g)
        w = torch.randn(o, c, 5, 5, generator=g)
        bias = torch.randn(o, generator=g)
        gy = torch.randn(64, o, oh, oh, generator=g)
        yield f"LeNetConvBench.forward layer={layer}", flop, \
            lambda x=x, w=w, bias=bias, pad=pad: F.conv2d(x, w, bias, padding=pad)
        yield f"LeNetConvBench.backwardInput layer={layer}", flop, \
            lambda x=x, w=w, gy=gy, pad=pad: torch.nn.grad.conv2d_input(x.shape, w, gy, padding=pad)
        yield f"LeNetConvBench.backwardWeight layer={layer}", flop, \
            lambda x=x, w=w, gy=gy, pad=pad: torch.nn.grad.conv2d_weight(x, w.shape, gy, padding=pad)

    # SmallConvBench: resnet-small's and cnn's 3x3 pad-1 convolutions at batch 64, no bias
    for shape in ("16x16x28s1", "32x32x14s1", "64x64x7s1", "32x64x14s1", "16x32x28s2", "32x64x14s2"):
        c, o, h, stride = (int(v) for v in shape.replace("s", "x").split("x"))
        yield from padded_conv("SmallConvBench", shape, 64, c, o, h, 3, stride, g)

    # CourseConvBench: the course workloads' convolutions (DDPM's U-Net at batch 128, the DCGAN's 4x4 stride 2 at 64),
    # padding 1, no bias; shape NxCxOxHxK + s stride
    for shape in ("128x32x32x28x3s1", "128x32x32x28x3s2", "128x64x64x14x3s1", "128x64x64x14x3s2", "128x128x64x14x3s1",
                  "128x64x128x7x3s1", "64x64x128x14x4s2", "64x128x64x7x4s2"):
        n, c, o, h, k, stride = (int(v) for v in shape.replace("s", "x").split("x"))
        yield from padded_conv("CourseConvBench", shape, n, c, o, h, k, stride, g)

    # SparseBench: a (20000, 20000) CSR matrix, 16 random columns per row, times x (20000, 64); its transpose
    # times g; (g @ x^T) sampled at its pattern. 2 FLOPs per entry and column.
    nodes, degree, features = 20000, 16, 64
    flop = 2.0 * nodes * degree * features
    rows = torch.arange(nodes).repeat_interleave(degree)
    cols = torch.randint(0, nodes, (nodes * degree,), generator=g)
    coo = torch.sparse_coo_tensor(torch.stack([rows, cols]), torch.randn(nodes * degree, generator=g), (nodes, nodes))
    a, at = coo.coalesce().to_sparse_csr(), coo.t().coalesce().to_sparse_csr()
    x, gx = torch.randn(nodes, features, generator=g), torch.randn(nodes, features, generator=g)
    yield "SparseBench.sparseMm", flop, lambda: torch.sparse.mm(a, x)
    yield "SparseBench.sparseMmTransposed", flop, lambda: torch.sparse.mm(at, gx)
    yield "SparseBench.sampledMm", flop, lambda: torch.sparse.sampled_addmm(a, gx, x.t(), beta=0.0)


def main():
    default_threads = torch.get_num_threads()
    print(f"# torch {torch.__version__}, default threads {default_threads}", file=sys.stderr)
    with torch.no_grad():
        for threads in (1, 2):  # on 2 cores, 1 thread is often faster (OpenMP and OpenBLAS threads oversubscribe)
            torch.set_num_threads(threads)
            for name, flop, fn in cases():
                if len(sys.argv) > 1 and not re.search(sys.argv[1], name):
                    continue
                seconds = median_seconds(fn)
                print(f"{name}\t{threads}\t{flop / seconds / 1e9:.1f}", flush=True)


if __name__ == "__main__":
    main()
