"""An independent numpy model of the accelerator's integer arithmetic for
the tiny network; prints the final 32-bit outputs one per line.

argv: checkpoint, sample input. Kept deliberately simple (loops, no
shared code with the C++ interpreter) so the two cross-check each other.
"""
import sys

import numpy as np
import torch

ck = torch.load(sys.argv[1], map_location="cpu", weights_only=False)["state_dict"]
x = np.load(sys.argv[2]).astype(np.int64)


def layer(name):
    bits = int(ck[name + ".weight_bits"][0])
    w = ck[name + ".op.weight"].numpy().astype(np.int64)
    b = ck.get(name + ".op.bias")
    b = None if b is None else np.floor(b.numpy() / 2 ** (bits - 1)).astype(np.int64)
    shift = int(ck[name + ".output_shift"][0]) + 8 - bits
    return w, b, shift


def finish(acc, shift, relu):
    # floor(acc * 2^shift / 128 + 1/2), saturate, ReLU.
    out = np.floor(acc * 2.0 ** shift / 128 + 0.5).astype(np.int64)
    out = np.clip(out, -128, 127)
    return np.maximum(out, 0) if relu else out


def conv3x3(x, w, b):
    c, h, wd = x.shape
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    acc = np.zeros((w.shape[0], h, wd), dtype=np.int64)
    for o in range(w.shape[0]):
        for i in range(c):
            for dy in range(3):
                for dx in range(3):
                    acc[o] += w[o, i, dy, dx] * p[i, dy:dy + h, dx:dx + wd]
        if b is not None:
            acc[o] += b[o] * 128
    return acc


w, b, s = layer("conv1")
x = finish(conv3x3(x, w, b), s, True)
x = x.reshape(x.shape[0], x.shape[1] // 2, 2, x.shape[2] // 2, 2).max(axis=(2, 4))
w, b, s = layer("conv2")
x = finish(conv3x3(x, w, b), s, True)
w, b, s = layer("fc")
acc = w @ x.reshape(-1)
for v in acc:
    print(int(v))
