"""Writes the small weight, sample and checkpoint files of the yaml-errors
tests (argv[1]: output directory).

Plain Python only (no numpy, no torch) so that every test stays fast:
.npy files are written by hand and checkpoints are torch.save-style zip
archives around a pickle that names torch's rebuild function and storage
class through a stand-in `torch` module.

Layout of the output directory:
  tests/sample_t.npy       int64 [4, 8, 8], the `dataset: t` sample input
  tests/weights_t.npy      int64 [3, 4, 4, 3, 3]: three 3x3 layers, -1..1
  tests/w1x1.npy           one [4, 4, 1, 1] layer
  tests/wlinear.npy        one [10, 4] linear layer
  tests/wwide.npy          one 3x3 layer holding 1000 (wider than 8 bits)
  tests/wrank1.npy         one rank-1 array (not a weight tensor)
  tests/wnan.npy           one float64 3x3 layer holding NaN
  tests/wbroken.npy        not an .npy file
  tests/bias_big.npy       one [4] bias holding 200 (beyond 8 bits)
  tests/bias_broken.npy    not an .npy file
  sample.npy               int64 [4, 8, 8] (for --sample-input)
  sample-rank4.npy         int64 [1, 4, 8, 8]
  sample-big.npy           int64 [4, 8, 8] holding 300
  sample-nan.npy           float64 [4, 8, 8] holding NaN
  sample-broken.npy        not an .npy file
  ck.pth.tar               arch ai85net: conv1, conv2 with [4, 4, 3, 3]
                           weights in -1..1, 8-bit, zero bias
  ck-nostate.pth.tar       arch ai85net, no state_dict
  ck-bn.pth.tar            conv1 plus an unfolded 1-D batchnorm weight
  ck-1d.pth.tar            a 1-D weight that is not batchnorm
  ck-nan.pth.tar           conv1 weights holding NaN
  ck-wide.pth.tar          conv1 weights -100..90 with weight_bits 4
  ck-bias.pth.tar          conv1 bias 200 (stored as 200 * 2^7)
  ck-nanbias.pth.tar       conv1 bias NaN
  ck-wbits.pth.tar         conv1 with weight_bits 16
  ck-broken.pth.tar        not a checkpoint
"""

import collections
import io
import math
import os
import pickle
import struct
import sys
import types
import zipfile

out = sys.argv[1]
os.makedirs(os.path.join(out, "tests"), exist_ok=True)


def product(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def npy_bytes(shape, values, dtype="<i8"):
    fmt = {"<i8": "q", "<f8": "d", "<f4": "f"}[dtype]
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, dims)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
            header.encode("latin1") +
            struct.pack("<%d%s" % (len(values), fmt), *values))


def save_npy(rel, shape, values, dtype="<i8"):
    assert product(shape) == len(values)
    with open(os.path.join(out, rel), "wb") as f:
        f.write(npy_bytes(shape, values, dtype))


def save_raw(rel, data):
    with open(os.path.join(out, rel), "wb") as f:
        f.write(data)


def ternary(n, seed):
    """n fixed values in -1..1 that include all three."""
    return [((i * 7 + seed) % 3) - 1 for i in range(n)]


def pixels(n):
    return [((i * 37) % 256) - 128 for i in range(n)]


# ---- arch: test weights, biases and samples -----------------------------
save_npy("tests/sample_t.npy", [4, 8, 8], pixels(256))
save_npy("tests/weights_t.npy", [3, 4, 4, 3, 3], ternary(3 * 144, 1))
save_npy("tests/w1x1.npy", [1, 4, 4, 1, 1], ternary(16, 2))
save_npy("tests/wlinear.npy", [1, 10, 4], ternary(40, 3))
save_npy("tests/wwide.npy", [1, 4, 4, 3, 3], [1000] + ternary(143, 4))
save_npy("tests/wrank1.npy", [4], [1, -1, 0, 1])
save_npy("tests/wnan.npy", [1, 4, 4, 3, 3], [math.nan] + [0.0] * 143, "<f8")
save_raw("tests/wbroken.npy", b"this is not an npy file\n")
save_npy("tests/bias_big.npy", [4], [200, 0, 0, 0])
save_raw("tests/bias_broken.npy", b"\x93NUMPY\x01\x00\x05\x00{'de")

save_npy("sample.npy", [4, 8, 8], pixels(256))
save_npy("sample-rank4.npy", [1, 4, 8, 8], pixels(256))
save_npy("sample-big.npy", [4, 8, 8], [300] + pixels(255))
save_npy("sample-nan.npy", [4, 8, 8], [math.nan] + [0.0] * 255, "<f8")
save_raw("sample-broken.npy", b"\x93NUMPY\x09\x00")

# ---- checkpoints ---------------------------------------------------------
# A stand-in `torch` so that pickle writes GLOBAL torch._utils
# _rebuild_tensor_v2 and torch.FloatStorage, as torch.save does.
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
FloatStorage = type("FloatStorage", (), {"__module__": "torch"})
torch.FloatStorage = FloatStorage
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


class Storage:
    def __init__(self, key, values):
        self.key = key
        self.values = values


class Tensor:
    def __init__(self, storage, shape):
        self.storage = storage
        self.shape = tuple(shape)

    def __reduce__(self):
        stride, s = [], 1
        for d in reversed(self.shape):
            stride.insert(0, s)
            s *= d
        return (_rebuild_tensor_v2,
                (self.storage, 0, self.shape, tuple(stride), False,
                 collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", len(obj.values))
        return None


def save_checkpoint(rel, arch, state):
    """state: list of (key, shape, float values), or None to omit it."""
    storages = []
    sd = None
    if state is not None:
        sd = collections.OrderedDict()
        for key, shape, values in state:
            assert product(shape) == len(values), key
            storage = Storage(str(len(storages)), values)
            storages.append(storage)
            sd[key] = Tensor(storage, shape)
    obj = {"arch": arch, "epoch": 1}
    if sd is not None:
        obj["state_dict"] = sd
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(os.path.join(out, rel), "w",
                         zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for s in storages:
            z.writestr("archive/data/" + s.key,
                       struct.pack("<%df" % len(s.values), *s.values))
        z.writestr("archive/version", "3\n")


def conv(name, values=None, bits=8.0, bias=None):
    values = values if values is not None else [float(v) for v in
                                                ternary(144, len(name))]
    bias = bias if bias is not None else [0.0] * 4
    return [(name + ".output_shift", [1], [0.0]),
            (name + ".weight_bits", [1], [bits]),
            (name + ".op.weight", [4, 4, 3, 3], values),
            (name + ".op.bias", [4], bias)]


save_checkpoint("ck.pth.tar", "ai85net", conv("conv1") + conv("conv2"))
save_checkpoint("ck-nostate.pth.tar", "ai85net", None)
save_checkpoint("ck-bn.pth.tar", "ai85net",
                conv("conv1") + [("conv1.bn.weight", [4], [1.0] * 4)])
save_checkpoint("ck-1d.pth.tar", "ai85net",
                conv("conv1") + [("scale.weight", [4], [1.0] * 4)])
save_checkpoint("ck-nan.pth.tar", "ai85net",
                conv("conv1", values=[math.nan] + [0.0] * 143))
save_checkpoint("ck-wide.pth.tar", "ai85net",
                conv("conv1", values=[-100.0, 90.0] + [0.0] * 142, bits=4.0))
save_checkpoint("ck-bias.pth.tar", "ai85net",
                conv("conv1", bias=[200.0 * 128, 0.0, 0.0, 0.0]))
save_checkpoint("ck-nanbias.pth.tar", "ai85net",
                conv("conv1", bias=[math.nan, 0.0, 0.0, 0.0]))
save_checkpoint("ck-wbits.pth.tar", "ai85net", conv("conv1", bits=16.0))
save_raw("ck-broken.pth.tar", b"PK\x03\x04 not really a zip archive")
