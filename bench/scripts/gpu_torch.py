"""Times the GPU bench cases (bench/src/main/resources/dev/kiln/bench/gpu/cases.txt) with PyTorch on
the GPU: cuBLAS (matmul), cuDNN (conv2d and its gradients), SDPA (attention), PyTorch's own softmax,
pooling, batch norm, copy, elementwise and reduction kernels, its fused Adam and cuSPARSE's SpMM. float32 without TF32. Each case: 3 warm-up runs, then CUDA-event timings
with the L2 cache flushed before each; prints "case<TAB>median ms" lines for GpuBench --baseline.

Usage: python3 gpu_torch.py CASES_FILE [REPEATS]
"""
import statistics
import sys

import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
dev = torch.device("cuda")
DTYPES = {"f32": torch.float32, "f64": torch.float64}


def parse(line):
    words = line.split()
    return words[0], DTYPES[words[1]], {k: int(v) for k, v in (w.split("=") for w in words[2:])}


def prepare(op, dt, p):
    """The timed call for a case (as GpuKernels.prepare builds it for Kiln)."""
    randn = lambda *shape: torch.randn(*shape, dtype=dt, device=dev)
    if op == "copy":
        x, y = randn(p["numel"]), torch.empty(p["numel"], dtype=dt, device=dev)
        return lambda: y.copy_(x)
    if op == "matmul":
        a, b = randn(p["m"], p["k"]), randn(p["k"], p["n"])
        return lambda: a @ b
    if op.startswith("conv2d"):
        x = randn(p["n"], p["c"], p["h"], p["w"])
        w = randn(p["o"], p["c"], p["k"], p["k"])
        args = dict(padding=p["pad"], dilation=p["dil"])
        if op == "conv2d":
            return lambda: F.conv2d(x, w, **args)
        gy = torch.randn_like(F.conv2d(x, w, **args))
        if op == "conv2d_backward_input":
            return lambda: torch.nn.grad.conv2d_input(x.shape, w, gy, **args)
        return lambda: torch.nn.grad.conv2d_weight(x, w.shape, gy, **args)
    if op in ("softmax", "log_softmax", "softmax_backward"):
        x = randn(p["rows"], p["cols"])
        if op == "softmax":
            return lambda: torch.softmax(x, 1)
        if op == "log_softmax":
            return lambda: torch.log_softmax(x, 1)
        y, gy = torch.softmax(x, 1), randn(p["rows"], p["cols"])
        return lambda: torch._softmax_backward_data(gy, y, 1, dt)
    if op == "max_pool2d":
        x = randn(p["n"], p["c"], p["h"], p["w"])
        return lambda: F.max_pool2d(x, p["k"], p["stride"], return_indices=True)
    if op == "avg_pool2d":
        x = randn(p["n"], p["c"], p["h"], p["w"])
        return lambda: F.avg_pool2d(x, p["k"], p["stride"])
    if op in ("batch_norm", "batch_norm_backward"):
        x = randn(p["n"], p["c"], p["h"], p["w"])
        w, b = torch.ones(p["c"], dtype=dt, device=dev), torch.zeros(p["c"], dtype=dt, device=dev)
        if op == "batch_norm":  # training, no running statistics: cuDNN's (or PyTorch's) forward
            return lambda: torch.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)
        _, mean, invstd = torch.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)
        gy = torch.randn_like(x)
        return lambda: torch.ops.aten.native_batch_norm_backward(gy, x, w, None, None, mean, invstd, True, 1e-5,
                                                                 [True, False, False])
    if op in ("attention", "attention_backward"):
        shape = (p["b"], p["h"], p["s"], p["d"])
        causal = bool(p["causal"])
        if op == "attention":
            q, k, v = randn(*shape), randn(*shape), randn(*shape)
            return lambda: F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        q, k, v = (randn(*shape).requires_grad_() for _ in range(3))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        g = torch.randn_like(out)
        return lambda: torch.autograd.grad(out, (q, k, v), g, retain_graph=True)
    if op == "sparse_mm":  # CSR (rows, cols) with deg random columns per row @ dense (cols, n): cuSPARSE SpMM
        crow = torch.arange(0, p["rows"] * p["deg"] + 1, p["deg"], device=dev)
        col = torch.randint(0, p["cols"], (p["rows"] * p["deg"],), device=dev)
        a = torch.sparse_csr_tensor(crow, col, randn(p["rows"] * p["deg"]), (p["rows"], p["cols"]))
        x = randn(p["cols"], p["n"])
        return lambda: torch.sparse.mm(a, x)
    if "rows" in p:  # memory-bound ops on (rows, cols)
        x = randn(p["rows"], p["cols"])
        if op == "add_rows":
            row = randn(p["cols"])
            return lambda: x + row
        if op == "transpose_copy":
            return lambda: x.t().contiguous()
        if op == "sum":
            return lambda: x.sum(p["dim"])
    elif op in ("fill", "exp", "add", "mul_scalar", "adam"):
        x = randn(p["numel"])
        if op == "fill":
            return lambda: torch.full((p["numel"],), 1.5, dtype=dt, device=dev)
        if op == "exp":
            return lambda: torch.exp(x)
        if op == "add":
            y = randn(p["numel"])
            return lambda: x + y
        if op == "mul_scalar":
            scalar = torch.tensor(0.5, dtype=dt, device=dev)
            return lambda: x * scalar
        # one fused (foreach-free) Adam step over one tensor, as Kiln's adam_step
        param = torch.nn.Parameter(x)
        param.grad = randn(p["numel"])
        adam = torch.optim.Adam([param], lr=1e-3, fused=True)
        return adam.step
    raise ValueError(f"unknown op {op}")


def median_ms(fn, repeats):
    flush = torch.empty(256 << 18, dtype=torch.float32, device=dev)
    for _ in range(3):
        fn()
    times = []
    for r in range(repeats):
        flush.fill_(r)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for raw in open(sys.argv[1]):
        line = " ".join(raw.split("#")[0].split())
        if line:
            try:
                ms = median_ms(prepare(*parse(line)), repeats)
            except (RuntimeError, ValueError) as e:  # e.g. out of memory for f64 at this size: no baseline
                print(f"{line}: {e}", file=sys.stderr)
                continue
            print(f"{line}\t{ms:.6f}", flush=True)
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
