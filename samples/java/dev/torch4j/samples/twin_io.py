"""Shared by the PyTorch twins of the samples: seeds, a minimal safetensors writer and the export step.

The official `safetensors` package is not installable here (no PyPI); this writer follows the format spec:
8-byte little-endian header length, a JSON header (dtype, shape, data_offsets), then raw little-endian data.
"""
import json
import os
import struct

import torch

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def export(out_dir, inputs, expected):
    """inputs: name -> tensor (initial weights and data); expected: JSON-able results to match."""
    os.makedirs(out_dir, exist_ok=True)
    save_safetensors(os.path.join(out_dir, "inputs.safetensors"), inputs)
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(dict(expected, torch_version=torch.__version__), f, indent=1)
