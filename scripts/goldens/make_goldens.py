#!/usr/bin/python3
"""Golden values from PyTorch for Kiln, forward and backward, float32 and float64: the one generator of every
golden file.

Run from the repository root (PyTorch 1.13 CPU, Debian's python3-torch):

    /usr/bin/python3 scripts/goldens/make_goldens.py [--only NAME,...]

It writes every file in one format, safetensors (safetensors_io.py):
- the primitives' families (FAMILIES below), read by dev.kiln.testing.Goldens:
  jvm-api/src/test/resources/goldens/<family>.safetensors. Tensors are named "<case>/<field>" in the order written;
  text fields (every case's "dtype", ops' names) are "<case>/<field>" entries of the header's __metadata__. Every
  case draws its inputs from a generator seeded by a CRC32 of the case's name (without the dtype), so the float32
  and float64 variants share inputs and a rerun writes identical files. Float32 goldens are computed by torch in
  float32, float64 goldens in float64. Backward values come from torch.autograd.grad with a random grad_out.
- the layers' groups (layers_goldens.py: GROUPS, and pytorch_state), read by dev.kiln.nn.LayerGoldens:
  layers/src/test/resources/goldens/<group>_{f32,f64}.safetensors.

--only writes just the named families and groups.
"""

import math
import os
import sys
import zlib

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layers_goldens  # noqa: E402
import safetensors_io  # noqa: E402

FLOATS = (torch.float32, torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "jvm-api", "src", "test", "resources", "goldens")


class Family:
    """The entries of one family file, in order."""

    def __init__(self, name):
        self.name = name
        self.entries = []
        self.cases = set()

    def case(self, name, dtype, **fields):
        assert name not in self.cases, name
        assert "/" not in name
        self.cases.add(name)
        self.entries.append((name + "/dtype", str(dtype).replace("torch.", "")))
        for key, value in fields.items():
            if value is not None:
                self.entries.append((name + "/" + key, value))

    def write(self, folder):
        tensors, texts = {}, {}
        for name, value in self.entries:
            if isinstance(value, str):
                texts[name] = value
            elif isinstance(value, (int, bool)):
                tensors[name] = torch.tensor(int(value), dtype=torch.int64)
            elif isinstance(value, (list, tuple)):
                tensors[name] = torch.tensor(value, dtype=torch.int64)
            else:
                tensors[name] = value
        path = os.path.join(folder, self.name + ".safetensors")
        safetensors_io.save(path, tensors, texts)
        return path


def gen(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode("utf-8")))


def randn(g, *shape):
    return torch.randn(shape, generator=g, dtype=torch.float64)


def uniform(g, low, high, *shape):
    return low + (high - low) * torch.rand(shape, generator=g, dtype=torch.float64)


def coin(g, p, *shape):
    """Bool tensor, True with probability p."""
    return torch.rand(shape, generator=g, dtype=torch.float64) < p


def random_sign(g, *shape):
    return torch.where(coin(g, 0.5, *shape), -1.0, 1.0).double()


def tag(dtype):
    return str(dtype).replace("torch.", "")


def grads(out, inputs, g_out):
    """d(sum(out * g_out)) / d(inputs), None for inputs not reached."""
    return torch.autograd.grad(out, inputs, g_out, allow_unused=True)


def leaf(x, dtype):
    return x.to(dtype).requires_grad_(True)


# ---------------------------------------------------------------- elementwise

def unary_domain(op, g, shape):
    """Inputs valid for op, away from kinks where PyTorch's subgradient convention would matter."""
    if op in ("log", "sqrt", "rsqrt"):
        return uniform(g, 0.1, 3.0, *shape)
    if op == "log1p":
        return uniform(g, -0.5, 2.0, *shape)
    if op == "reciprocal":
        return uniform(g, 0.3, 2.0, *shape) * random_sign(g, *shape)
    if op in ("floor", "ceil", "round"):
        # quarter steps hit exact integers and exact halves (round is half-to-even)
        return torch.round(uniform(g, -3.0, 3.0, *shape) * 4) / 4
    if op == "sign":
        return torch.round(randn(g, *shape) * 2) / 2  # includes zeros
    if op in ("abs", "relu"):
        x = randn(g, *shape)
        return torch.where(x.abs() < 0.05, x + 0.1, x)
    return randn(g, *shape) * 1.5


UNARY = {
    "neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "exp": torch.exp, "log": torch.log,
    "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
    "reciprocal": torch.reciprocal, "square": torch.square, "sin": torch.sin, "cos": torch.cos,
    "atan": torch.atan,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "gelu": F.gelu, "erf": torch.erf,
    "floor": torch.floor, "ceil": torch.ceil, "round": torch.round,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
}
INTEGRAL_UNARY = ("neg", "abs", "sign", "square")

class SiluBackward(torch.autograd.Function):
    """aten's silu_backward (its values), which 1.13 cannot differentiate: its gradients through its formula as tensor ops."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.ops.aten.silu_backward(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = (t.detach().requires_grad_() for t in ctx.saved_tensors)
        with torch.enable_grad():
            s = torch.sigmoid(b)
            return torch.autograd.grad(a * s * (1 + b * (1 - s)), (a, b), g)


BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum,
    "relu_backward": lambda a, b: torch.ops.aten.threshold_backward(a, b, 0),
    # aten's gelu_backward takes equal shapes (its oneDNN route fails on broadcast ones): broadcast first
    "gelu_backward": lambda a, b: torch.ops.aten.gelu_backward(*torch.broadcast_tensors(a, b)),
    "gelu_tanh_backward": lambda a, b: torch.ops.aten.gelu_backward(*torch.broadcast_tensors(a, b), approximate="tanh"),
    "silu_backward": lambda a, b: SiluBackward.apply(*torch.broadcast_tensors(a, b)),
    "div_trunc": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda a, b: torch.div(a, b, rounding_mode="floor"),
}
INTEGRAL_BINARY = ("add", "sub", "mul", "maximum", "minimum", "div_trunc", "div_floor")
DIVISIONS = ("div", "div_trunc", "div_floor")
# (a shape, b shape): same, trailing broadcast, both sides broadcast, 0-D operand
BROADCASTS = {"same": ((2, 3), (2, 3)), "row": ((2, 3, 4), (4,)), "both": ((3, 1, 4), (2, 1)),
              "scalar": ((), (2, 3))}

COMPARE = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}


def binary_inputs(op, g, sa, sb):
    if op == "pow":
        return uniform(g, 0.2, 2.5, *sa), uniform(g, -2.0, 2.0, *sb)
    if op in DIVISIONS:
        b = uniform(g, 0.4, 2.0, *sb) * random_sign(g, *sb)
        return randn(g, *sa) * (1 if op == "div" else 4), b
    return randn(g, *sa), randn(g, *sb)


def elementwise():
    fam = Family("elementwise")
    for op, fn in UNARY.items():
        base = "unary_" + op
        g = gen(base)
        x = unary_domain(op, g, (3, 4))
        g_out = randn(g, 3, 4)
        for dtype in FLOATS:
            xl = leaf(x, dtype)
            out = fn(xl)
            (gx,) = grads(out, [xl], g_out.to(dtype))
            fam.case(base + "_" + tag(dtype), dtype, op=op, x=xl, out=out, grad_out=g_out.to(dtype),
                     grad_x=torch.zeros_like(xl) if gx is None else gx)
        if op in INTEGRAL_UNARY:
            xi = torch.randint(-9, 10, (3, 4), generator=g)
            fam.case(base + "_int64", torch.int64, op=op, x=xi, out=fn(xi))
    b = coin(gen("unary_logical_not"), 0.5, 3, 4)
    fam.case("unary_logical_not_bool", torch.bool, op="logical_not", x=b, out=torch.logical_not(b))

    for op, fn in BINARY.items():
        for bname, (sa, sb) in BROADCASTS.items():
            base = "binary_%s_%s" % (op, bname)
            g = gen(base)
            a, b = binary_inputs(op, g, sa, sb)
            out_shape = torch.broadcast_shapes(sa, sb)
            g_out = randn(g, *out_shape)
            for dtype in FLOATS:
                al, bl = leaf(a, dtype), leaf(b, dtype)
                out = fn(al, bl)
                ga, gb = grads(out, [al, bl], g_out.to(dtype))
                fam.case(base + "_" + tag(dtype), dtype, op=op, a=al, b=bl, out=out, grad_out=g_out.to(dtype),
                         grad_a=ga, grad_b=gb)
            if op in INTEGRAL_BINARY:
                ai = torch.randint(-9, 10, sa, generator=g)
                bi = torch.randint(-9, 10, sb, generator=g)
                if op in DIVISIONS:
                    bi = torch.where(bi == 0, torch.full_like(bi, 4), bi)  # PyTorch refuses integer division by 0
                fam.case(base + "_int64", torch.int64, op=op, a=ai, b=bi, out=fn(ai, bi))
    for op, fn in (("logical_and", torch.logical_and), ("logical_or", torch.logical_or)):
        g = gen("binary_" + op)
        a = coin(g, 0.5, 3, 1, 4)
        b = coin(g, 0.5, 2, 1)
        fam.case("binary_%s_both_bool" % op, torch.bool, op=op, a=a, b=b, out=fn(a, b))

    for op, fn in COMPARE.items():
        base = "compare_" + op
        g = gen(base)
        # half steps in a small range, so equal values occur
        a = torch.round(randn(g, 3, 1, 4) * 2) / 2
        b = torch.round(randn(g, 2, 4) * 2) / 2
        for dtype in FLOATS:
            fam.case(base + "_" + tag(dtype), dtype, op=op, a=a.to(dtype), b=b.to(dtype), out=fn(a.to(dtype), b.to(dtype)))
        ai, bi = (a * 2).long(), (b * 2).long()
        fam.case(base + "_int64", torch.int64, op=op, a=ai, b=bi, out=fn(ai, bi))

    g = gen("where")
    cond = coin(g, 0.5, 2, 1, 4)
    a = randn(g, 3, 4)
    b = randn(g, 2, 3, 1)
    g_out = randn(g, 2, 3, 4)
    for dtype in FLOATS:
        al, bl = leaf(a, dtype), leaf(b, dtype)
        out = torch.where(cond, al, bl)
        ga, gb = grads(out, [al, bl], g_out.to(dtype))
        fam.case("where_" + tag(dtype), dtype, cond=cond, a=al, b=bl, out=out, grad_out=g_out.to(dtype),
                 grad_a=ga, grad_b=gb)
    return fam


# ---------------------------------------------------------------- reductions

def reductions():
    fam = Family("reduction")
    dim_sets = {"all": [], "d0": [0], "d12": [1, 2], "dlast": [-1]}
    ops = {"sum": torch.sum, "mean": torch.mean, "prod": torch.prod, "amax": torch.amax, "amin": torch.amin}
    for op, fn in ops.items():
        for dname, dims in dim_sets.items():
            for keepdim in (False, True):
                if op == "prod" and len(dims) != 1:
                    continue  # torch.prod reduces one dim (or all, without keepdim)
                base = "%s_%s_%s" % (op, dname, "keep" if keepdim else "drop")
                g = gen(base)
                x = uniform(g, 0.6, 1.4, 3, 4, 5) if op == "prod" else randn(g, 3, 4, 5)
                for dtype in FLOATS:
                    xl = leaf(x, dtype)
                    if op == "prod":
                        out = fn(xl, dims[0], keepdim=keepdim)
                    else:
                        out = fn(xl, dims if dims else [0, 1, 2], keepdim=keepdim)
                    g_out = randn(gen(base + "_grad"), *out.shape).to(dtype)
                    (gx,) = grads(out, [xl], g_out)
                    fam.case(base + "_" + tag(dtype), dtype, op=op, x=xl, dims=dims, keepdim=keepdim, out=out,
                             grad_out=g_out, grad_x=gx)
    # prod over everything without keepdim
    g = gen("prod_all_drop")
    x = uniform(g, 0.6, 1.4, 3, 4)
    for dtype in FLOATS:
        xl = leaf(x, dtype)
        out = torch.prod(xl)
        g_out = randn(gen("prod_all_drop_grad")).to(dtype)
        (gx,) = grads(out, [xl], g_out)
        fam.case("prod_all_drop_" + tag(dtype), dtype, op="prod", x=xl, dims=[], keepdim=False, out=out,
                 grad_out=g_out, grad_x=gx)

    for correction in (0, 1):
        for dname, dims in (("all", []), ("d1", [1]), ("d02", [0, 2])):
            for keepdim in (False, True):
                base = "var_c%d_%s_%s" % (correction, dname, "keep" if keepdim else "drop")
                g = gen(base)
                x = randn(g, 3, 4, 5)
                for dtype in FLOATS:
                    xl = leaf(x, dtype)
                    out = torch.var(xl, dims if dims else None, correction=correction, keepdim=keepdim)
                    g_out = randn(g, *out.shape).to(dtype)
                    (gx,) = grads(out, [xl], g_out)
                    fam.case(base + "_" + tag(dtype), dtype, op="var", x=xl, dims=dims, keepdim=keepdim,
                             correction=correction, out=out, grad_out=g_out, grad_x=gx)

    for op, fn in (("max", torch.max), ("min", torch.min)):
        for dim in (0, 1, -1):
            for keepdim in (False, True):
                base = "%s_dim%d_%s" % (op, dim, "keep" if keepdim else "drop")
                g = gen(base)
                x = randn(g, 3, 4, 5)
                for dtype in FLOATS:
                    xl = leaf(x, dtype)
                    values, indices = fn(xl, dim, keepdim)
                    g_out = randn(g, *values.shape).to(dtype)
                    (gx,) = grads(values, [xl], g_out)
                    fam.case(base + "_" + tag(dtype), dtype, op=op, x=xl, dim=dim, keepdim=keepdim, values=values,
                             indices=indices, grad_out=g_out, grad_x=gx)
    return fam


# ---------------------------------------------------------------- matmul

MATMUL_SHAPES = {
    "mm": ((3, 4), (4, 5)),
    "vec_mat": ((4,), (4, 5)),
    "mat_vec": ((3, 4), (4,)),
    "dot": ((4,), (4,)),
    "batch_broadcast": ((2, 1, 3, 4), (3, 4, 2)),
    "batch_mat": ((5, 3, 4), (4, 2)),
    "vec_batch": ((4,), (2, 4, 3)),
    "batch_vec": ((2, 3, 4), (4,)),
}


def matmul():
    fam = Family("matmul")
    for name, (sa, sb) in MATMUL_SHAPES.items():
        base = "matmul_" + name
        g = gen(base)
        a, b = randn(g, *sa), randn(g, *sb)
        for dtype in FLOATS:
            al, bl = leaf(a, dtype), leaf(b, dtype)
            out = torch.matmul(al, bl)
            g_out = randn(gen(base + "_grad"), *out.shape).to(dtype)
            ga, gb = grads(out, [al, bl], g_out)
            fam.case(base + "_" + tag(dtype), dtype, a=al, b=bl, out=out, grad_out=g_out, grad_a=ga, grad_b=gb)
    return fam


# ---------------------------------------------------------------- sparse

SPARSE_SHAPES = {"square": (6, 6, 3, 14), "wide": (4, 9, 5, 11), "tall": (9, 3, 2, 12), "one_col": (5, 7, 1, 8)}


def sparse():
    """torch.sparse.mm of an uncoalesced COO matrix (entries out of order, positions repeated, empty rows)
    and torch.sparse.sampled_addmm (beta 0) at its coalesced pattern (CSR order), with gradients."""
    fam = Family("sparse")
    for name, (m, k, n, nnz) in SPARSE_SHAPES.items():
        base = "sparse_" + name
        g = gen(base)
        rows = torch.randint(0, m - 1, (nnz,), generator=g)   # the last row stays empty
        cols = torch.randint(0, k, (nnz,), generator=g)
        rows[1], cols[1] = rows[0], cols[0]                      # one position given twice
        indices = torch.stack([rows, cols])
        values, x, a, b = randn(g, nnz), randn(g, k, n), randn(g, m, n), randn(g, n, k)
        g_out = randn(g, m, n)
        pattern = torch.sparse_coo_tensor(indices, torch.ones(nnz, dtype=torch.float64), (m, k)).coalesce()
        g_sampled = randn(g, pattern._nnz())
        for dtype in FLOATS:
            vl, xl, al, bl = leaf(values, dtype), leaf(x, dtype), leaf(a, dtype), leaf(b, dtype)
            out = torch.sparse.mm(torch.sparse_coo_tensor(indices, vl, (m, k)), xl)
            gv, gx = grads(out, [vl, xl], g_out.to(dtype))
            csr = pattern.to(dtype).to_sparse_csr()
            sampled = torch.sparse.sampled_addmm(csr, al, bl, beta=0.0).values()
            # torch 1.13 has no CPU backward for sampled_addmm: the gradients of the same values taken densely
            dense = (al @ bl)[pattern.indices()[0], pattern.indices()[1]]
            ga, gb = grads(dense, [al, bl], g_sampled.to(dtype))
            fam.case(base + "_" + tag(dtype), dtype, indices=indices, rows=m, cols=k, values=vl, x=xl, out=out,
                     grad_out=g_out.to(dtype), grad_values=gv, grad_x=gx, pattern=pattern.indices(), a=al, b=bl,
                     sampled=sampled, grad_sampled=g_sampled.to(dtype), grad_a=ga, grad_b=gb)
    return fam


# ---------------------------------------------------------------- indexing

def indexing():
    fam = Family("indexing")

    def each(base, build):
        g = gen(base)
        data = build(g)
        for dtype in FLOATS:
            fam.case(base + "_" + tag(dtype), dtype, **data(dtype))

    def gather_case(shape, dim, index_shape):
        def build(g):
            x = randn(g, *shape)
            index = torch.randint(0, shape[dim], index_shape, generator=g)
            g_out = randn(g, *index_shape)

            def data(dtype):
                xl = leaf(x, dtype)
                out = torch.gather(xl, dim, index)
                (gx,) = grads(out, [xl], g_out.to(dtype))
                return dict(op="gather", x=xl, dim=dim, index=index, out=out, grad_out=g_out.to(dtype), grad_x=gx)
            return data
        return build

    each("gather_dim1", gather_case((3, 5), 1, (3, 4)))
    each("gather_dim0", gather_case((4, 3, 2), 0, (2, 3, 2)))
    each("gather_dimlast_smaller", gather_case((3, 4, 5), -1, (2, 3, 6)))

    def scatter_case(shape, dim, index_shape, src_shape):
        def build(g):
            x = randn(g, *shape)
            index = torch.randint(0, shape[dim], index_shape, generator=g)  # duplicates accumulate
            src = randn(g, *src_shape)
            g_out = randn(g, *shape)

            def data(dtype):
                xl, sl = leaf(x, dtype), leaf(src, dtype)
                out = torch.scatter_add(xl, dim, index, sl)
                if index_shape == src_shape:
                    gx, gs = grads(out, [xl, sl], g_out.to(dtype))
                else:  # torch 1.13's scatter_add backward rejects an index smaller than src
                    (gx,), gs = grads(out, [xl], g_out.to(dtype)), None
                return dict(op="scatter_add", x=xl, dim=dim, index=index, src=sl, out=out, grad_out=g_out.to(dtype),
                            grad_x=gx, grad_src=gs)
            return data
        return build

    each("scatter_add_dim1", scatter_case((3, 5), 1, (3, 4), (3, 4)))
    each("scatter_add_dim0_src_larger", scatter_case((4, 3), 0, (5, 2), (6, 3)))

    def index_select_case(shape, dim, index):
        def build(g):
            x = randn(g, *shape)
            idx = torch.tensor(index)
            out_shape = list(shape)
            out_shape[dim] = len(index)
            g_out = randn(g, *out_shape)

            def data(dtype):
                xl = leaf(x, dtype)
                out = torch.index_select(xl, dim, idx)
                (gx,) = grads(out, [xl], g_out.to(dtype))
                return dict(op="index_select", x=xl, dim=dim, index=idx, out=out, grad_out=g_out.to(dtype), grad_x=gx)
            return data
        return build

    each("index_select_dim1", index_select_case((4, 3, 2), 1, [2, 0, 2, 1]))
    each("index_select_dim0", index_select_case((5, 3), 0, [4, 4, 0]))

    def index_add_case(shape, dim, index):
        def build(g):
            x = randn(g, *shape)
            idx = torch.tensor(index)
            src_shape = list(shape)
            src_shape[dim] = len(index)
            src = randn(g, *src_shape)
            g_out = randn(g, *shape)

            def data(dtype):
                xl, sl = leaf(x, dtype), leaf(src, dtype)
                out = torch.index_add(xl, dim, idx, sl)
                gx, gs = grads(out, [xl, sl], g_out.to(dtype))
                return dict(op="index_add", x=xl, dim=dim, index=idx, src=sl, out=out, grad_out=g_out.to(dtype),
                            grad_x=gx, grad_src=gs)
            return data
        return build

    each("index_add_dim0", index_add_case((5, 3), 0, [0, 2, 0, 4]))
    each("index_add_dim1", index_add_case((2, 4, 3), 1, [3, 3, 1]))

    def embedding_build(g):
        weight = randn(g, 6, 4)
        indices = torch.tensor([[0, 5, 2], [2, 2, 4]])
        g_out = randn(g, 2, 3, 4)

        def data(dtype):
            wl = leaf(weight, dtype)
            out = F.embedding(indices, wl)
            (gw,) = grads(out, [wl], g_out.to(dtype))
            return dict(op="embedding", weight=wl, indices=indices, out=out, grad_out=g_out.to(dtype), grad_weight=gw)
        return data

    each("embedding", embedding_build)

    def join_case(op, shapes, dim):
        def build(g):
            xs = [randn(g, *s) for s in shapes]
            fn = torch.cat if op == "cat" else torch.stack
            out_shape = fn([x for x in xs], dim).shape
            g_out = randn(g, *out_shape)

            def data(dtype):
                ls = [leaf(x, dtype) for x in xs]
                out = fn(ls, dim)
                gs = grads(out, ls, g_out.to(dtype))
                d = dict(op=op, n=len(ls), dim=dim, out=out, grad_out=g_out.to(dtype))
                for i, (x, gx) in enumerate(zip(ls, gs)):
                    d["x%d" % i] = x
                    d["grad_x%d" % i] = gx
                return d
            return data
        return build

    each("cat_dim0", join_case("cat", [(2, 3), (1, 3), (3, 3)], 0))
    each("cat_dim1", join_case("cat", [(2, 1, 4), (2, 3, 4)], 1))
    each("cat_dimlast", join_case("cat", [(2, 3, 1), (2, 3, 2), (2, 3, 2)], -1))
    each("cat_with_empty", join_case("cat", [(2, 3), (0, 3), (1, 3)], 0))
    each("stack_dim0", join_case("stack", [(2, 3)] * 3, 0))
    each("stack_dim1", join_case("stack", [(2, 3)] * 2, 1))
    each("stack_dimlast", join_case("stack", [(2, 3)] * 2, -1))
    return fam


# ---------------------------------------------------------------- conv2d

# name: (x shape, weight shape, bias?, stride, padding, dilation, groups); stride etc. as (h, w)
CONV = {
    "basic_bias": ((2, 3, 6, 6), (4, 3, 3, 3), True, (1, 1), (0, 0), (1, 1), 1),
    "stride2": ((2, 3, 7, 7), (4, 3, 3, 3), True, (2, 2), (0, 0), (1, 1), 1),
    "padding1": ((2, 3, 5, 5), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1), 1),
    "dilation2": ((1, 2, 8, 8), (3, 2, 3, 3), True, (1, 1), (0, 0), (2, 2), 1),
    "groups2": ((2, 4, 5, 5), (6, 2, 3, 3), True, (1, 1), (1, 1), (1, 1), 2),
    "depthwise": ((2, 3, 5, 5), (6, 1, 3, 3), True, (1, 1), (1, 1), (1, 1), 3),
    "rect_kernel": ((1, 2, 6, 7), (3, 2, 2, 3), True, (2, 1), (1, 0), (1, 1), 1),
    "nonsquare_input": ((2, 2, 5, 9), (3, 2, 3, 3), False, (1, 2), (0, 1), (1, 1), 1),
    "all_combined": ((2, 4, 9, 8), (4, 2, 3, 2), False, (2, 2), (1, 2), (2, 1), 2),
    "kernel1x1": ((2, 3, 4, 4), (5, 3, 1, 1), True, (1, 1), (0, 0), (1, 1), 1),
}


def conv2d():
    fam = Family("conv2d")
    for name, (xs, ws, has_bias, stride, padding, dilation, groups) in CONV.items():
        base = "conv2d_" + name
        g = gen(base)
        x, w = randn(g, *xs), randn(g, *ws)
        b = randn(g, ws[0]) if has_bias else None
        params = list(stride) + list(padding) + list(dilation) + [groups]
        for dtype in FLOATS:
            xl, wl = leaf(x, dtype), leaf(w, dtype)
            bl = leaf(b, dtype) if has_bias else None
            out = F.conv2d(xl, wl, bl, stride, padding, dilation, groups)
            g_out = randn(gen(base + "_grad"), *out.shape).to(dtype)
            inputs = [xl, wl] + ([bl] if has_bias else [])
            gs = grads(out, inputs, g_out)
            fam.case(base + "_" + tag(dtype), dtype, x=xl, weight=wl, bias=bl, params=params, out=out,
                     grad_out=g_out, grad_x=gs[0], grad_weight=gs[1], grad_bias=gs[2] if has_bias else None)
    return fam


# ---------------------------------------------------------------- pooling

# name: (x shape, kernel, stride, padding, dilation, ceil_mode); kernel etc. as (h, w)
MAX_POOL = {
    "k2": ((2, 2, 6, 6), (2, 2), (2, 2), (0, 0), (1, 1), False),
    "k3_s2_p1": ((2, 2, 7, 7), (3, 3), (2, 2), (1, 1), (1, 1), False),
    "k3_s1_p1_d2": ((1, 3, 7, 6), (3, 3), (1, 1), (1, 1), (2, 2), False),
    "k3_s2_ceil": ((2, 2, 8, 8), (3, 3), (2, 2), (0, 0), (1, 1), True),
    "k2_s2_p1_ceil": ((1, 2, 7, 6), (2, 2), (2, 2), (1, 1), (1, 1), True),
    "rect": ((1, 2, 5, 8), (2, 3), (1, 2), (1, 1), (1, 2), False),
}

# name: (x shape, kernel, stride, padding, ceil_mode, count_include_pad)
AVG_POOL = {
    "k2": ((2, 2, 6, 6), (2, 2), (2, 2), (0, 0), False, True),
    "k3_s2_p1_include_pad": ((2, 2, 7, 7), (3, 3), (2, 2), (1, 1), False, True),
    "k3_s2_p1_exclude_pad": ((2, 2, 7, 7), (3, 3), (2, 2), (1, 1), False, False),
    "k3_s2_ceil": ((1, 2, 8, 8), (3, 3), (2, 2), (0, 0), True, True),
    "k3_s2_p1_ceil_include_pad": ((1, 2, 6, 6), (3, 3), (2, 2), (1, 1), True, True),
    "k3_s2_p1_ceil_exclude_pad": ((1, 2, 6, 6), (3, 3), (2, 2), (1, 1), True, False),
    "rect": ((1, 2, 5, 8), (2, 4), (1, 3), (1, 2), False, False),
}


def pooling():
    fam = Family("pool2d")
    for name, (xs, k, s, p, d, ceil) in MAX_POOL.items():
        base = "max_pool2d_" + name
        g = gen(base)
        x = randn(g, *xs)
        params = list(k) + list(s) + list(p) + list(d) + [int(ceil)]
        for dtype in FLOATS:
            xl = leaf(x, dtype)
            out, indices = F.max_pool2d(xl, k, s, p, d, ceil_mode=ceil, return_indices=True)
            g_out = randn(gen(base + "_grad"), *out.shape).to(dtype)
            (gx,) = grads(out, [xl], g_out)
            fam.case(base + "_" + tag(dtype), dtype, op="max_pool2d", x=xl, params=params, out=out, indices=indices,
                     grad_out=g_out, grad_x=gx)
    for name, (xs, k, s, p, ceil, include) in AVG_POOL.items():
        base = "avg_pool2d_" + name
        g = gen(base)
        x = randn(g, *xs)
        params = list(k) + list(s) + list(p) + [1, 1, int(ceil), int(include)]
        for dtype in FLOATS:
            xl = leaf(x, dtype)
            out = F.avg_pool2d(xl, k, s, p, ceil_mode=ceil, count_include_pad=include)
            g_out = randn(gen(base + "_grad"), *out.shape).to(dtype)
            (gx,) = grads(out, [xl], g_out)
            fam.case(base + "_" + tag(dtype), dtype, op="avg_pool2d", x=xl, params=params, out=out,
                     grad_out=g_out, grad_x=gx)
    return fam


# ---------------------------------------------------------------- softmax

def softmax():
    fam = Family("softmax")
    shapes = {"dim0": ((3, 4, 5), 0), "dim1": ((3, 4, 5), 1), "dimlast": ((3, 4, 5), -1), "vector": ((6,), 0),
              "scalar": ((), 0)}
    for op, fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for name, (shape, dim) in shapes.items():
            base = "%s_%s" % (op, name)
            g = gen(base)
            x = randn(g, *shape) * 2
            g_out = randn(g, *shape)
            for dtype in FLOATS:
                xl = leaf(x, dtype)
                out = fn(xl, dim)
                (gx,) = grads(out, [xl], g_out.to(dtype))
                fam.case(base + "_" + tag(dtype), dtype, op=op, x=xl, dim=dim, out=out, grad_out=g_out.to(dtype),
                         grad_x=gx)
    return fam


# ---------------------------------------------------------------- attention

def attention_reference(q, k, v, mask, causal, scale):
    """softmax(q k^T * scale + mask) v, written out (torch 1.13 has no scaled_dot_product_attention).
    Returns (out, logsumexp of the masked scaled scores)."""
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    lq, lk = q.shape[-2], k.shape[-2]
    if causal:
        keep = torch.ones(lq, lk, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    lse = torch.logsumexp(scores, -1)
    return torch.matmul(torch.softmax(scores, -1), v), lse


# name: (batch dims, Lq, Lk, E, Ev, causal, mask kind, scale); scale None is 1/sqrt(E)
ATTENTION = {
    "plain": ((2,), 4, 5, 8, 6, False, None, None),
    "causal": ((2, 2), 5, 5, 4, 4, True, None, None),
    "causal_rect": ((1,), 3, 5, 4, 3, True, None, None),
    "bool_mask": ((2, 2), 4, 5, 4, 3, False, "bool", None),
    "additive_mask": ((2, 2), 4, 5, 4, 3, False, "float", None),
    "explicit_scale": ((3,), 3, 4, 5, 2, False, None, 0.3),
}


def attention():
    fam = Family("attention")
    for name, (batch, lq, lk, e, ev, causal, mask_kind, scale) in ATTENTION.items():
        base = "attention_" + name
        g = gen(base)
        q, k, v = randn(g, *batch, lq, e), randn(g, *batch, lk, e), randn(g, *batch, lk, ev)
        mask = None
        if mask_kind == "bool":
            mask = coin(g, 0.6, batch[0], 1, lq, lk)  # broadcast over heads
            mask[..., 0] = True  # no fully masked row
        elif mask_kind == "float":
            mask = uniform(g, -2.0, 0.0, 1, batch[-1], lq, lk)
            mask[..., 1, 2] = float("-inf")
        g_out = randn(g, *batch, lq, ev)
        s = 1.0 / math.sqrt(e) if scale is None else scale
        for dtype in FLOATS:
            ql, kl, vl = leaf(q, dtype), leaf(k, dtype), leaf(v, dtype)
            m = mask if mask is None or mask.dtype == torch.bool else mask.to(dtype)
            out, lse = attention_reference(ql, kl, vl, m, causal, s)
            gq, gk, gv = grads(out, [ql, kl, vl], g_out.to(dtype))
            fam.case(base + "_" + tag(dtype), dtype, q=ql, k=kl, v=vl, mask=m, causal=causal,
                     scale=torch.tensor(float("nan") if scale is None else scale, dtype=torch.float64),
                     out=out, logsumexp=lse, grad_out=g_out.to(dtype), grad_q=gq, grad_k=gk, grad_v=gv)
    return fam


# ---------------------------------------------------------------- bfloat16 / float16

HALF_OPS = {
    "add": lambda x, y: x + y, "mul": lambda x, y: x * y, "div": lambda x, y: x / (y.abs() + 1),
    "exp": lambda x, y: torch.exp(x), "tanh": lambda x, y: torch.tanh(x), "sigmoid": lambda x, y: torch.sigmoid(x),
    "gelu": lambda x, y: F.gelu(x), "relu": lambda x, y: torch.relu(x), "matmul": lambda x, y: x @ y.t(),
    "softmax": lambda x, y: torch.softmax(x, 1), "log_softmax": lambda x, y: torch.log_softmax(x, 0),
    "sum": lambda x, y: x.sum(1), "mean": lambda x, y: x.mean(0), "max_pool2d": lambda x, y: F.max_pool2d(x.view(1, 1, 4, 6), 2),
    "conv2d": lambda x, y: F.conv2d(x.view(1, 1, 4, 6), y[:2, :4].reshape(2, 1, 2, 2), padding=1),
}


def halves():
    """bfloat16 / float16 ops as PyTorch's CPU kernels compute them, for the ops it has in that dtype (1.13 lacks
    many float16 CPU kernels: those cases are left out, not made up), and "exact": the op in float64 on the same
    16-bit inputs (div's divisor rounded as PyTorch rounds it), since some of 1.13's 16-bit kernels (gelu, conv2d)
    round in between. Inputs and outputs are stored as float32, whose values they are exactly; "dtype" says which
    16-bit type."""
    fam = Family("halves")
    for op, fn in HALF_OPS.items():
        g = gen("halves_" + op)
        x, y = randn(g, 4, 6), randn(g, 4, 6)
        for dtype in (torch.bfloat16, torch.float16):
            xh, yh = x.to(dtype), y.to(dtype)
            try:
                out = fn(xh, yh)
            except RuntimeError:   # "... not implemented for 'Half'"
                continue
            exact = (xh.double() / (yh.abs() + 1).double() if op == "div" else fn(xh.double(), yh.double())).float()
            fam.case("%s_%s" % (op, tag(dtype)), dtype, op=op, x=xh.float(), y=yh.float(), out=out.float(), exact=exact)
    return fam


FAMILIES = (elementwise, reductions, matmul, sparse, indexing, conv2d, pooling, softmax, attention, halves)


def main(only):
    """Every family and layers group, or those only names (a family by its function here, a group by its name)."""
    families = {build.__name__: build for build in FAMILIES}
    groups = {g for g, _ in layers_goldens.GROUPS} | {"pytorch_state"}
    unknown = set(only or []) - set(families) - groups
    if unknown:
        sys.exit("unknown family or group: %s (families: %s; groups: %s)" % (", ".join(sorted(unknown)),
                 ", ".join(families), ", ".join(sorted(groups))))
    os.makedirs(OUT, exist_ok=True)
    written = [build().write(OUT) for name, build in families.items() if only is None or name in only]
    if only is None or set(only) & groups:
        written += layers_goldens.write(only)
    for path in written:
        print("%-80s %8d bytes" % (os.path.relpath(path), os.path.getsize(path)))


if __name__ == "__main__":
    if len(sys.argv) not in (1, 3) or (len(sys.argv) == 3 and sys.argv[1] != "--only"):
        sys.exit("usage: make_goldens.py [--only NAME,...]")
    main(sys.argv[2].split(",") if len(sys.argv) == 3 else None)
