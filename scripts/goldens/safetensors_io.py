"""Hand-written safetensors reader/writer (the `safetensors` package is not installed here): the one format of
every golden file (make_goldens.py) and of Kiln's checkpoints.

Format: 8-byte little-endian header length, a JSON header
{name: {"dtype": "F32"|"F64"|"BF16"|"F16"|"I64"|"BOOL", "shape": [...], "data_offsets": [begin, end]},
"__metadata__": {str: str}},
then the raw little-endian data, offsets relative to the end of the header.
"""
import json
import struct

import numpy as np
import torch

_CODES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.float16: ("F16", "<f2"),
          torch.int64: ("I64", "<i8"), torch.bool: ("BOOL", "|b1"),
          torch.bfloat16: ("BF16", "<i2")}   # numpy has no bfloat16: its bits travel as int16
_NUMPY = {code: np_type for code, np_type in _CODES.values()}


def save(path, tensors, metadata=None):
    """tensors in order; metadata: text values (safetensors' __metadata__, string to string)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        code, np_type = _CODES[t.dtype]
        data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().astype(np_type).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = dict(metadata)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode("utf-8"))
        for b in blobs:
            f.write(b)


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        a = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=_NUMPY[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(a.copy())
        if e["dtype"] == "BF16":
            out[name] = out[name].view(torch.bfloat16)
    return out
