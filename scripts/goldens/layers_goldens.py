"""PyTorch goldens for the layers module: layers, losses, optimizers, schedulers, checkpoints.

Written by make_goldens.py (the one generator): layers/src/test/resources/goldens/<group>_{f32,f64}.safetensors for
the groups of GROUPS, and pytorch_state.safetensors. Run as a program, /usr/bin/python3 scripts/goldens/layers_goldens.py
--check-kiln FILE loads a checkpoint written by Kiln (see CheckpointRoundTripTest) into the same PyTorch model and checks
its output (exit status 1 if not).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "layers", "src", "test", "resources", "goldens")


def layer_case(out, name, module, x, dtype, train=True):
    """name.p.* state in, name.x -> name.y, and with a random name.gy: name.gx and name.g.* grads."""
    module = module.to(dtype)
    module.train(train)
    module.zero_grad(set_to_none=True)  # a module reused by two cases must not accumulate
    for k, v in module.state_dict().items():
        out[f"{name}.p.{k}"] = v.clone()
    x = x.detach().to(dtype).clone() if x.dtype.is_floating_point else x
    if x.dtype.is_floating_point:
        x.requires_grad_(True)
    y = module(x)
    gy = torch.randn(y.shape, dtype=dtype)
    (y * gy).sum().backward()
    out[f"{name}.x"], out[f"{name}.y"], out[f"{name}.gy"] = x.detach(), y.detach(), gy
    if x.dtype.is_floating_point:
        out[f"{name}.gx"] = x.grad
    for k, p in module.named_parameters():
        out[f"{name}.g.{k}"] = p.grad.clone()
    for k, b in module.named_buffers():
        out[f"{name}.s.{k}"] = b.clone()


def layers(dtype):
    out = {}
    layer_case(out, "linear", nn.Linear(5, 3), torch.randn(4, 5), dtype)
    layer_case(out, "conv2d", nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=1, groups=2), torch.randn(2, 4, 7, 7), dtype)
    layer_case(out, "conv2d_dilated", nn.Conv2d(3, 2, 3, padding=2, dilation=2, bias=False), torch.randn(1, 3, 6, 6), dtype)
    layer_case(out, "maxpool2d", nn.MaxPool2d(3, stride=2, padding=1), torch.randn(2, 3, 7, 7), dtype)
    layer_case(out, "avgpool2d", nn.AvgPool2d(2), torch.randn(2, 3, 6, 6), dtype)
    layer_case(out, "adaptiveavgpool2d", nn.AdaptiveAvgPool2d((3, 2)), torch.randn(2, 3, 7, 5), dtype)
    layer_case(out, "flatten", nn.Flatten(), torch.randn(2, 3, 2, 2), dtype)
    layer_case(out, "batchnorm1d", nn.BatchNorm1d(3), torch.randn(8, 3) * 2 + 1, dtype)
    layer_case(out, "batchnorm1d_3d", nn.BatchNorm1d(3), torch.randn(4, 3, 5), dtype)
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
    layer_case(out, "batchnorm2d", bn, torch.randn(4, 3, 3, 3) * 3 - 1, dtype)
    layer_case(out, "batchnorm2d_eval", bn, torch.randn(4, 3, 3, 3), dtype, train=False)
    ln = nn.LayerNorm([3, 4])
    with torch.no_grad():
        ln.weight.uniform_(0.5, 1.5)
        ln.bias.uniform_(-0.5, 0.5)
    layer_case(out, "layernorm", ln, torch.randn(2, 5, 3, 4), dtype)
    layer_case(out, "embedding", nn.Embedding(6, 3, padding_idx=2), torch.tensor([[0, 2, 5], [2, 1, 1]]), dtype)
    acts = {"relu": nn.ReLU(), "leakyrelu": nn.LeakyReLU(0.1), "elu": nn.ELU(0.7), "gelu": nn.GELU(),
            "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "softmax": nn.Softmax(dim=1), "logsoftmax": nn.LogSoftmax(dim=1)}
    for name, m in acts.items():
        layer_case(out, name, m, torch.randn(3, 4) * 3, dtype)
    # running statistics after several training steps, then eval output
    bn = nn.BatchNorm2d(2, momentum=0.3).to(dtype)
    for i in range(3):
        x = (torch.randn(3, 2, 2, 2) * (i + 1) + i).to(dtype)
        out[f"bn_steps.x{i}"] = x
        bn(x)
    for k, b in bn.named_buffers():
        out[f"bn_steps.s.{k}"] = b.clone()
    bn.eval()
    out["bn_steps.eval_x"] = torch.randn(2, 2, 2, 2).to(dtype)
    out["bn_steps.eval_y"] = bn(out["bn_steps.eval_x"]).detach()
    return out


def loss_case(out, name, fn, x, target, dtype, **extra):
    x = x.detach().to(dtype).clone().requires_grad_(True)
    target = target.to(dtype) if target.dtype.is_floating_point else target
    loss = fn(x, target)
    gy = torch.randn(loss.shape, dtype=dtype)
    (loss * gy).sum().backward()
    out[f"{name}.x"], out[f"{name}.target"], out[f"{name}.loss"] = x.detach(), target, loss.detach()
    out[f"{name}.gy"], out[f"{name}.gx"] = gy, x.grad
    for k, v in extra.items():
        out[f"{name}.{k}"] = v


def losses(dtype):
    out = {}
    x, t = torch.randn(4, 3), torch.randn(4, 3)
    for red in ["mean", "sum", "none"]:
        loss_case(out, f"mse_{red}", lambda a, b: F.mse_loss(a, b, reduction=red), x, t, dtype)
        loss_case(out, f"l1_{red}", lambda a, b: F.l1_loss(a, b, reduction=red), x, t, dtype)
    loss_case(out, "smoothl1", lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), x * 2, t, dtype)
    loss_case(out, "huber", lambda a, b: F.huber_loss(a, b, delta=0.7, reduction="sum"), x * 2, t, dtype)
    logits = torch.randn(5, 4) * 3
    idx = torch.tensor([0, 3, 1, -100, 2])
    w = torch.tensor([0.5, 1.0, 2.0, 1.5]).to(dtype)
    for red in ["mean", "sum", "none"]:
        loss_case(out, f"ce_{red}", lambda a, b: F.cross_entropy(a, b, reduction=red), logits, idx, dtype)
        loss_case(out, f"ce_w_ls_{red}", lambda a, b: F.cross_entropy(a, b, weight=w, label_smoothing=0.2, reduction=red),
                  logits, idx, dtype, weight=w)
        loss_case(out, f"nll_w_{red}", lambda a, b: F.nll_loss(a, b, weight=w, reduction=red),
                  torch.log_softmax(logits, 1), idx, dtype, weight=w)
    probs = torch.softmax(torch.randn(5, 4), 1)
    loss_case(out, "ce_probs", lambda a, b: F.cross_entropy(a, b), logits, probs, dtype)
    loss_case(out, "ce_probs_w_ls", lambda a, b: F.cross_entropy(a, b, weight=w, label_smoothing=0.1, reduction="sum"),
              logits, probs, dtype, weight=w)
    loss_case(out, "ce_spatial", lambda a, b: F.cross_entropy(a, b, ignore_index=1, label_smoothing=0.1),
              torch.randn(2, 3, 2, 2), torch.tensor([[[0, 1], [2, 2]], [[1, 1], [0, 2]]]), dtype)
    loss_case(out, "ce_large", lambda a, b: F.cross_entropy(a, b), torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 800.0, 1.0]]),
              torch.tensor([1, 1]), dtype)
    p, y = torch.rand(6, 2) * 0.98 + 0.01, (torch.rand(6, 2) > 0.5).double()
    loss_case(out, "bce", lambda a, b: F.binary_cross_entropy(a, b), p, y, dtype)
    bw = torch.rand(6, 2).to(dtype)
    loss_case(out, "bce_w_sum", lambda a, b: F.binary_cross_entropy(a, b, weight=bw, reduction="sum"), p, y, dtype, weight=bw)
    z = torch.randn(6, 2) * 4
    z[0, 0], z[1, 1] = 200.0, -200.0
    pw = torch.tensor([3.0, 0.5]).to(dtype)
    loss_case(out, "bcelogits", lambda a, b: F.binary_cross_entropy_with_logits(a, b), z, y, dtype)
    loss_case(out, "bcelogits_pw", lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=bw, pos_weight=pw,
              reduction="none"), z, y, dtype, weight=bw, pos_weight=pw)
    lq = torch.log_softmax(torch.randn(3, 4), 1)
    tp = torch.softmax(torch.randn(3, 4), 1)
    tp[0, 1] = 0.0
    for red in ["batchmean", "mean", "sum", "none"]:
        loss_case(out, f"kl_{red}", lambda a, b: F.kl_div(a, b, reduction=red), lq, tp, dtype)
    loss_case(out, "kl_logtarget", lambda a, b: F.kl_div(a, b, reduction="batchmean", log_target=True), lq,
              torch.log_softmax(torch.randn(3, 4), 1), dtype)
    return out


def recurrent_case(out, name, module, x, dtype, with_state, lengths=None):
    """name.p.* weights; x (and h0, c0) -> y, hn (cn); grads of sum(y gy) + sum(hn ghn) (+ sum(cn gcn)).
    With lengths: x is a padded batch read as pack_padded_sequence(x, lengths, enforce_sorted=False), y is
    pad_packed_sequence(..., total_length=L) of the output (zeros past each length); name.lengths holds them."""
    module = module.to(dtype)
    for k, v in module.state_dict().items():
        out[f"{name}.p.{k}"] = v.clone()
    x = x.to(dtype).requires_grad_(True)
    lstm = isinstance(module, nn.LSTM)
    state = None
    if with_state:
        # (D num_layers, N, H_out), no N for unbatched x; c0 has H where a projection makes H_out smaller
        slots = module.num_layers * (2 if module.bidirectional else 1)
        batch = [x.shape[0 if module.batch_first else 1]] if x.dim() == 3 else []
        h_out = getattr(module, "proj_size", 0) or module.hidden_size
        h0 = torch.randn(slots, *batch, h_out, dtype=dtype)
        h0.requires_grad_(True)
        out[f"{name}.h0"] = h0
        state = h0
        if lstm:
            c0 = torch.randn(slots, *batch, module.hidden_size, dtype=dtype).requires_grad_(True)
            out[f"{name}.c0"] = c0
            state = (h0, c0)
    if lengths is None:
        y, s = module(x, state)
    else:
        steps = x.shape[1 if module.batch_first else 0]
        packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), module.batch_first, enforce_sorted=False)
        y, s = module(packed, state)
        y = nn.utils.rnn.pad_packed_sequence(y, module.batch_first, total_length=steps)[0]
        out[f"{name}.lengths"] = torch.tensor(lengths)
    hn, cn = s if lstm else (s, None)
    total = 0
    for k, t in [("y", y), ("hn", hn), ("cn", cn)]:
        if t is not None:
            g = torch.randn(t.shape, dtype=dtype)
            out[f"{name}.{k}"], out[f"{name}.g{k}"] = t.detach(), g
            total = total + (t * g).sum()
    total.backward()
    out[f"{name}.x"], out[f"{name}.gx"] = x.detach(), x.grad
    if with_state:
        out[f"{name}.gh0"] = out[f"{name}.h0"].grad
        if lstm:
            out[f"{name}.gc0"] = out[f"{name}.c0"].grad
        out[f"{name}.h0"] = out[f"{name}.h0"].detach()
        if lstm:
            out[f"{name}.c0"] = out[f"{name}.c0"].detach()
    for k, p in module.named_parameters():
        out[f"{name}.g.{k}"] = p.grad


def recurrent(dtype):
    out = {}
    recurrent_case(out, "rnn_tanh", nn.RNN(3, 4, num_layers=2, batch_first=True), torch.randn(2, 5, 3), dtype, True)
    recurrent_case(out, "rnn_relu", nn.RNN(3, 4, nonlinearity="relu"), torch.randn(5, 2, 3), dtype, False)
    recurrent_case(out, "lstm", nn.LSTM(3, 4, num_layers=2), torch.randn(5, 2, 3), dtype, True)
    recurrent_case(out, "lstm_nobias_bf", nn.LSTM(3, 2, bias=False, batch_first=True), torch.randn(2, 4, 3), dtype, False)
    recurrent_case(out, "gru", nn.GRU(3, 4, num_layers=2, batch_first=True), torch.randn(2, 5, 3), dtype, True)
    return out


def packed(dtype):
    """Padded batches of several lengths (the padding holds random values, which must not count)."""
    out = {}
    recurrent_case(out, "gru_bi_packed_bf", nn.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True),
                   torch.randn(3, 5, 3), dtype, True, lengths=[5, 2, 4])
    recurrent_case(out, "lstm_bi_packed", nn.LSTM(3, 4, bidirectional=True), torch.randn(5, 3, 3), dtype, True,
                   lengths=[3, 5, 1])
    recurrent_case(out, "lstm_proj_packed", nn.LSTM(3, 4, num_layers=2, proj_size=2), torch.randn(4, 2, 3), dtype, False,
                   lengths=[2, 4])
    recurrent_case(out, "rnn_packed_bf", nn.RNN(3, 4, batch_first=True), torch.randn(2, 4, 3), dtype, False,
                   lengths=[4, 3])
    return out


def attention_case(out, name, module, inputs, dtype, call, masks=None):
    """name.p.* weights; inputs (floats get gradients) and masks (none do) -> y = call(module, {**inputs, **masks});
    grads of sum(y gy)."""
    module = module.to(dtype)
    for k, v in module.state_dict().items():
        out[f"{name}.p.{k}"] = v.clone()
    xs = {}
    for k, v in inputs.items():
        xs[k] = v.to(dtype).requires_grad_(True) if v.dtype.is_floating_point else v
        out[f"{name}.{k}"] = v.to(dtype) if v.dtype.is_floating_point else v
    consts = {}
    for k, v in (masks or {}).items():
        consts[k] = v.to(dtype) if v.dtype.is_floating_point else v
        out[f"{name}.{k}"] = consts[k]
    y = call(module, {**xs, **consts})
    gy = torch.randn(y.shape, dtype=dtype)
    (y * gy).sum().backward()
    out[f"{name}.y"], out[f"{name}.gy"] = y.detach(), gy
    for k, v in xs.items():
        if v.dtype.is_floating_point:
            out[f"{name}.g{k}"] = v.grad
    for k, p in module.named_parameters():
        out[f"{name}.g.{k}"] = p.grad


def attention(dtype):
    out = {}
    L, S, N, E = 4, 5, 2, 6
    causal = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    attention_case(out, "mha_self", nn.MultiheadAttention(E, 2), {"x": torch.randn(L, N, E)}, dtype,
                   lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=causal, need_weights=False)[0])
    attention_case(out, "mha_cross", nn.MultiheadAttention(E, 3, batch_first=True),
                   {"q": torch.randn(N, L, E), "kv": torch.randn(N, S, E), "kpm": kpm}, dtype,
                   lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["kpm"], need_weights=False)[0])
    attention_case(out, "encoder", nn.TransformerEncoderLayer(E, 2, 8, dropout=0.0), {"x": torch.randn(L, N, E)}, dtype,
                   lambda m, a: m(a["x"], src_mask=causal))
    attention_case(out, "encoder_prenorm_bf", nn.TransformerEncoderLayer(E, 3, 8, dropout=0.0, batch_first=True,
                   norm_first=True), {"x": torch.randn(N, S, E), "kpm": kpm}, dtype,
                   lambda m, a: m(a["x"], src_key_padding_mask=a["kpm"]))
    attention_case(out, "decoder", nn.TransformerDecoderLayer(E, 2, 8, dropout=0.0),
                   {"x": torch.randn(L, N, E), "mem": torch.randn(S, N, E), "kpm": kpm}, dtype,
                   lambda m, a: m(a["x"], a["mem"], tgt_mask=causal, memory_key_padding_mask=a["kpm"]))
    return out


def sequence(dtype):
    """Issue #12's PyTorch behaviours: bidirectional / projected / unbatched recurrent layers, attention with
    bias_k/v, zero attention, 3-D and float masks, unbatched inputs, gelu layers, nn.Transformer, unbatched losses."""
    out = {}
    recurrent_case(out, "rnn_bi", nn.RNN(3, 4, num_layers=2, bidirectional=True), torch.randn(5, 2, 3), dtype, True)
    recurrent_case(out, "lstm_bi_proj_bf", nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True, proj_size=2),
                   torch.randn(2, 5, 3), dtype, True)
    recurrent_case(out, "gru_bi_nobias", nn.GRU(3, 4, bias=False, bidirectional=True), torch.randn(4, 2, 3), dtype, False)
    recurrent_case(out, "lstm_proj_unbatched", nn.LSTM(3, 4, num_layers=2, proj_size=3), torch.randn(5, 3), dtype, True)
    recurrent_case(out, "gru_bi_unbatched", nn.GRU(3, 4, batch_first=True, bidirectional=True), torch.randn(5, 3), dtype, True)
    recurrent_case(out, "rnn_relu_unbatched", nn.RNN(3, 4, nonlinearity="relu"), torch.randn(4, 3), dtype, False)

    L, S, N, E = 4, 5, 2, 6
    kpm = torch.tensor([[False, False, False, True, True], [False, True, False, False, False]])
    lmask = torch.tensor([[False, True, False, False, True], [True, False, False, True, False],
                          [False, False, True, False, False], [False, True, True, True, False]])  # (L, S), no full row
    self_kpm = torch.tensor([[False, False, True, False], [False, False, False, True]])
    attention_case(out, "mha_bias_kv_zero_attn", nn.MultiheadAttention(E, 2, add_bias_kv=True, add_zero_attn=True),
                   {"q": torch.randn(L, N, E), "kv": torch.randn(S, N, E)}, dtype,
                   lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["kpm"], attn_mask=a["mask"],
                                  need_weights=False)[0], {"kpm": kpm, "mask": lmask})
    attention_case(out, "mha_zero_attn_causal", nn.MultiheadAttention(E, 3, add_zero_attn=True, batch_first=True),
                   {"x": torch.randn(N, L, E)}, dtype,
                   lambda m, a: m(a["x"], a["x"], a["x"], attn_mask=torch.triu(torch.ones(L, L, dtype=torch.bool), 1),
                                  need_weights=False)[0])
    attention_case(out, "mha_3d_float_mask", nn.MultiheadAttention(E, 3, batch_first=True), {"x": torch.randn(N, L, E)},
                   dtype, lambda m, a: m(a["x"], a["x"], a["x"], key_padding_mask=a["kpm"], attn_mask=a["mask"],
                                         need_weights=False)[0], {"kpm": self_kpm, "mask": torch.randn(N * 3, L, L)})
    attention_case(out, "mha_float_kpm", nn.MultiheadAttention(E, 2), {"q": torch.randn(L, N, E), "kv": torch.randn(S, N, E)},
                   dtype, lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["kpm"], need_weights=False)[0],
                   {"kpm": torch.randn(N, S)})
    attention_case(out, "mha_unbatched", nn.MultiheadAttention(E, 2, add_bias_kv=True),
                   {"q": torch.randn(L, E), "kv": torch.randn(S, E)}, dtype,
                   lambda m, a: m(a["q"], a["kv"], a["kv"], key_padding_mask=a["kpm"], attn_mask=a["mask"],
                                  need_weights=False)[0], {"kpm": kpm[1], "mask": torch.stack([lmask, lmask.flip(0)])})
    attention_case(out, "encoder_gelu_masks", nn.TransformerEncoderLayer(E, 2, 8, dropout=0.0, activation="gelu"),
                   {"x": torch.randn(L, N, E)}, dtype, lambda m, a: m(a["x"], src_mask=a["mask"], src_key_padding_mask=a["kpm"]),
                   {"mask": torch.randn(L, L), "kpm": self_kpm})
    attention_case(out, "encoder_unbatched_3d", nn.TransformerEncoderLayer(E, 3, 8, dropout=0.0, batch_first=True,
                   norm_first=True), {"x": torch.randn(L, E)}, dtype,
                   lambda m, a: m(a["x"], src_mask=a["mask"], src_key_padding_mask=a["kpm"]),
                   {"mask": (torch.rand(3, L, L) > 0.5) & (torch.arange(L) > 0), "kpm": self_kpm[0]})
    attention_case(out, "decoder_masks_bf", nn.TransformerDecoderLayer(E, 2, 8, dropout=0.0, activation="gelu",
                   batch_first=True, norm_first=True), {"x": torch.randn(N, L, E), "mem": torch.randn(N, S, E)}, dtype,
                   lambda m, a: m(a["x"], a["mem"], tgt_mask=a["tmask"], memory_mask=a["mmask"],
                                  tgt_key_padding_mask=a["tkpm"], memory_key_padding_mask=a["kpm"]),
                   {"tmask": nn.Transformer.generate_square_subsequent_mask(L), "mmask": torch.stack([lmask] * (N * 2)),
                    "tkpm": torch.tensor([[False, False, False, True], [False, False, False, False]]), "kpm": kpm})
    attention_case(out, "decoder_unbatched", nn.TransformerDecoderLayer(E, 2, 8, dropout=0.0),
                   {"x": torch.randn(L, E), "mem": torch.randn(S, E)}, dtype,
                   lambda m, a: m(a["x"], a["mem"], memory_mask=a["mmask"]), {"mmask": torch.randn(L, S)})
    attention_case(out, "transformer", nn.Transformer(E, 2, 2, 2, 8, dropout=0.0, activation="gelu"),
                   {"src": torch.randn(S, N, E), "tgt": torch.randn(L, N, E)}, dtype,
                   lambda m, a: m(a["src"], a["tgt"], tgt_mask=a["tmask"], src_key_padding_mask=a["kpm"],
                                  memory_key_padding_mask=a["kpm"]),
                   {"tmask": nn.Transformer.generate_square_subsequent_mask(L), "kpm": kpm})
    attention_case(out, "transformer_bf_prenorm_unbatched", nn.Transformer(E, 3, 1, 2, 8, dropout=0.0, batch_first=True,
                   norm_first=True), {"src": torch.randn(S, E), "tgt": torch.randn(L, E)}, dtype,
                   lambda m, a: m(a["src"], a["tgt"], src_mask=a["smask"], memory_mask=a["mmask"]),
                   {"smask": (torch.rand(S, S) > 0.5) & ~torch.eye(S, dtype=torch.bool), "mmask": torch.randn(L, S)})

    logits, w = torch.randn(5) * 2, torch.tensor([0.5, 1.0, 2.0, 1.5, 0.7]).to(dtype)
    for red in ["mean", "sum", "none"]:
        loss_case(out, f"ce_unbatched_{red}", lambda a, b: F.cross_entropy(a, b, weight=w, label_smoothing=0.1, reduction=red),
                  logits, torch.tensor(3), dtype, weight=w)
        loss_case(out, f"nll_unbatched_{red}", lambda a, b: F.nll_loss(a, b, weight=w, reduction=red),
                  torch.log_softmax(logits, 0), torch.tensor(2), dtype, weight=w)
    loss_case(out, "ce_unbatched_probs", lambda a, b: F.cross_entropy(a, b, reduction="none"), logits,
              torch.softmax(torch.randn(5), 0), dtype)
    return out


def generative(dtype):
    """The layers of the generative workloads: transposed convolutions, upsampling, group norm, SiLU."""
    out = {}
    layer_case(out, "convtranspose2d", nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
               torch.randn(2, 4, 5, 5), dtype)
    layer_case(out, "convtranspose2d_dilated", nn.ConvTranspose2d(3, 2, 3, padding=2, dilation=2, bias=False),
               torch.randn(1, 3, 6, 6), dtype)
    layer_case(out, "convtranspose2d_k4s2", nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1), torch.randn(2, 3, 4, 4), dtype)
    layer_case(out, "upsample_nearest2x", nn.Upsample(scale_factor=2, mode="nearest"), torch.randn(2, 3, 3, 4), dtype)
    layer_case(out, "upsample_nearest_size", nn.Upsample(size=(9, 7), mode="nearest"), torch.randn(1, 2, 6, 5), dtype)
    layer_case(out, "upsample_bilinear2x", nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
               torch.randn(2, 3, 3, 4), dtype)
    layer_case(out, "upsample_bilinear_ac", nn.Upsample(size=(7, 5), mode="bilinear", align_corners=True),
               torch.randn(1, 2, 4, 3), dtype)
    layer_case(out, "upsample_bilinear_down", nn.Upsample(size=(2, 3), mode="bilinear", align_corners=False),
               torch.randn(1, 2, 5, 7), dtype)
    gn = nn.GroupNorm(3, 6)
    with torch.no_grad():
        gn.weight.uniform_(0.5, 1.5)
        gn.bias.uniform_(-0.5, 0.5)
    layer_case(out, "groupnorm", gn, torch.randn(2, 6, 4, 3) * 2 + 1, dtype)
    layer_case(out, "groupnorm_noaffine", nn.GroupNorm(2, 4, affine=False), torch.randn(3, 4, 5), dtype)
    layer_case(out, "silu", nn.SiLU(), torch.randn(3, 4) * 3, dtype)
    return out


OPTIMIZERS = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.01),
    "adam_wd_amsgrad": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01),
    "rmsprop_centered": lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, weight_decay=0.01, momentum=0.5,
                                                       centered=True),
}
STEPS = 4


def optim(dtype):
    """Each optimizer runs STEPS steps on loss = sum((tanh(x w) + b - t)^2); params after each step."""
    out = {}
    x, t = torch.randn(5, 3).to(dtype), torch.randn(5, 2).to(dtype)
    w0, b0 = torch.randn(3, 2).to(dtype), torch.randn(2).to(dtype)
    out["x"], out["t"], out["w0"], out["b0"] = x, t, w0, b0
    for name, make in OPTIMIZERS.items():
        w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        opt = make([w, b])
        for s in range(STEPS):
            opt.zero_grad()
            ((torch.tanh(x @ w) + b - t) ** 2).sum().backward()
            opt.step()
            out[f"{name}.w{s}"], out[f"{name}.b{s}"] = w.detach().clone(), b.detach().clone()
    scheds = {
        "steplr": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
        "linear": lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4),
        "onecycle": lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, cycle_momentum=False),
    }
    for name, make in scheds.items():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        sched, lrs = make(opt), []
        for _ in range(10):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        out[f"sched.{name}"] = torch.tensor(lrs, dtype=torch.float64)
    g1, g2 = torch.randn(3, 2).to(dtype) * 3, torch.randn(2).to(dtype)
    out["clip.g1"], out["clip.g2"] = g1, g2
    for name, norm_type in [("l2", 2.0), ("inf", float("inf")), ("l1", 1.0)]:
        p1, p2 = torch.zeros(3, 2, dtype=dtype, requires_grad=True), torch.zeros(2, dtype=dtype, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm=1.5, norm_type=norm_type)
        out[f"clip.{name}.total"], out[f"clip.{name}.g1"], out[f"clip.{name}.g2"] = total.to(dtype), p1.grad, p2.grad
    return out


def checkpoint_model():
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))


def checkpoint_fixture():
    """A trained-looking state dict (running stats moved) with an input and the eval output."""
    m = checkpoint_model()
    m(torch.randn(8, 4) * 2)
    m.eval()
    state = dict(m.state_dict())
    x = torch.randn(3, 4)
    return state, {"x": x, "y": m(x).detach()}


def halves_fixture():
    """bfloat16 and float16 tensors as PyTorch casts them (ties, subnormals, overflow, NaN), each beside its values
    in float32: Kiln must read the values and write the same bytes back."""
    v = torch.tensor([[0.0, -0.0, 1.0, 1.00390625, 1.005859375, 3.1415927, 65504.0, 65520.0],
                      [6.1e-05, 5.9604645e-08, 1e-10, -2.5e-3, 3.4e38, float("inf"), float("-inf"), float("nan")]])
    out = {}
    for name, dtype in [("bf16", torch.bfloat16), ("f16", torch.float16)]:
        h = v.to(dtype)
        out[name] = h
        out[name + ".f32"] = h.to(torch.float32)
        out[name + ".t"] = h.t()   # a strided view, written contiguous
    return out


def check_kiln_halves(path):
    """Kiln's copy of the halves fixture must hold PyTorch's bits: every tensor of the fixture, same dtype and bytes."""
    kiln, want = safetensors_io.load(path), halves_fixture()
    bad = [k for k, t in want.items() if k not in kiln or kiln[k].dtype != t.dtype or kiln[k].shape != t.shape
           or not torch.equal(kiln[k].contiguous().view(torch.int16 if t.dtype != torch.float32 else torch.int32),
                              t.contiguous().view(torch.int16 if t.dtype != torch.float32 else torch.int32))]
    print("kiln bfloat16/float16 file has PyTorch's bits:", "ok" if not bad else "MISMATCH in " + ", ".join(bad))
    return 0 if not bad else 1


def check_kiln(path):
    """Loads Kiln's checkpoint into the PyTorch model and compares with the expected output stored beside it."""
    loaded = safetensors_io.load(path)
    x, y = loaded.pop("check.x"), loaded.pop("check.y")
    m = checkpoint_model()
    m.load_state_dict(loaded, strict=True)
    m.eval()
    ok = torch.allclose(m(x), y, rtol=1e-5, atol=1e-6)
    print("kiln checkpoint loads in PyTorch:", "ok" if ok else "MISMATCH")
    return 0 if ok else 1


def write(only=None):
    """The groups named in only (all of them, and pytorch_state, when None); the paths written."""
    os.makedirs(OUT, exist_ok=True)
    written = []
    for suffix, dtype in [("f32", torch.float32), ("f64", torch.float64)]:
        for name, make in GROUPS:
            if only is None or name in only:
                torch.manual_seed(0)
                written.append(os.path.join(OUT, f"{name}_{suffix}.safetensors"))
                safetensors_io.save(written[-1], make(dtype))
    if only is None or "pytorch_state" in only:
        torch.manual_seed(0)
        state, io = checkpoint_fixture()
        written.append(os.path.join(OUT, "pytorch_state.safetensors"))
        safetensors_io.save(written[-1], {**state, **{f"check.{k}": v for k, v in io.items()}})
    if only is None or "pytorch_halves" in only:
        written.append(os.path.join(OUT, "pytorch_halves.safetensors"))
        safetensors_io.save(written[-1], halves_fixture())
    return written


GROUPS = [("layers", layers), ("losses", losses), ("optim", optim), ("recurrent", recurrent), ("attention", attention),
          ("sequence", sequence), ("generative", generative), ("packed", packed)]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("--check-kiln", "--check-kiln-halves"):
        sys.exit("usage: layers_goldens.py --check-kiln|--check-kiln-halves FILE (the goldens are written by make_goldens.py)")
    sys.exit(check_kiln(sys.argv[2]) if sys.argv[1] == "--check-kiln" else check_kiln_halves(sys.argv[2]))
