"""Writes the tiny network's checkpoint and sample input (argv: out prefix).

Weights are random but fixed (seeded), quantized the way ai8x training
leaves them: integer-valued float tensors, bias pre-scaled by 2^(bits-1).
"""
import sys
from collections import OrderedDict

import numpy as np
import torch

prefix = sys.argv[1]
rng = np.random.default_rng(7)


def ints(shape, bits):
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return torch.tensor(rng.integers(lo, hi + 1, size=shape), dtype=torch.float32)


state = OrderedDict()
state["conv1.output_shift"] = torch.tensor([-1.0])
state["conv1.weight_bits"] = torch.tensor([8.0])
state["conv1.op.weight"] = ints((8, 1, 3, 3), 8)
state["conv1.op.bias"] = ints((8,), 8) * 128
state["conv2.output_shift"] = torch.tensor([1.0])
state["conv2.weight_bits"] = torch.tensor([4.0])
state["conv2.op.weight"] = ints((8, 8, 3, 3), 4)
state["conv2.op.bias"] = ints((8,), 8) * 8
state["fc.output_shift"] = torch.tensor([0.0])
state["fc.weight_bits"] = torch.tensor([8.0])
state["fc.op.weight"] = ints((10, 8 * 4 * 4), 8)
torch.save({"arch": "tiny", "epoch": 3, "state_dict": state,
            "extras": {"note": "test"}}, prefix + ".pth.tar")
np.save(prefix + "-sample.npy",
        rng.integers(-128, 128, size=(1, 8, 8)).astype(np.int64))
