"""Seeded random-network differential tester: the izer is the oracle.

usage: random_oracle.py BUILD_BIN SOURCE_ROOT [--seeds N] [--first S] [--seed S]
                        [--jobs J] [--csv FILE] [--keep DIR]
                        [--device MAX78000|MAX78002] [--izer-only] [--print]

Every seed gives one small random network (generate(seed), deterministic per
seed): an `arch: test` YAML, sample weights (several arrays appended to one
.npy, the izer's sample-weight layout), optional bias, a sample input, the
device and a set of izer flags. The network is written into a scratch work
directory laid out like oracle.setup_workdir; the izer and tornadoc run with
the same arguments and tornado-conform compares the two output folders.

Outcomes per seed:
  EQUAL                     both compiled, every category identical
  DIFFERS                   both compiled, tornado-conform lists the categories
  DELIBERATE                differs where tornadoc warns that the izer's program
                            is wrong (docs/conformance.md), or refuses a network
                            saying why the izer's program for it is wrong;
                            does not fail the run
  TORNADOC-REJECTS          the izer accepted the network, tornadoc refused it
  TORNADOC-CRASH            signal, exit code > 1, assertion, LLVM ERROR, stack
                            dump or timeout (whatever the izer did)
  BOTH-REJECT               the izer rejected it (first ERROR line) and so did
                            tornadoc (its message, and whether it has file:line:col)
  TORNADOC-ACCEPTS-INVALID  the izer rejected it, tornadoc compiled it
  IZER-ACCEPTS/IZER-REJECTS (--izer-only) what the izer did
  CONFORM-ERROR, GEN-ERROR, RUN-ERROR  a problem of the tester itself

The feature mix is the probability table FEATURES below. The summary counts,
per device and per feature tag, the networks the izer accepted, those
tornadoc compiled and those that were identical. Exits 77 (skipped) unless
IZER_DIR names an ai8x-synthesis checkout and tornado-conform is present; 0
only when every network the izer accepted is identical and nothing crashed.
"""
import argparse
import collections
import csv
import functools
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import oracle  # noqa: E402

# --- the feature mix ----------------------------------------------------------
# Probabilities (or weights, for the dicts of choices). Tune here.
FEATURES = {
    "max78002": 0.5,            # device, unless --device
    # Input.
    "input_1d": 0.2,            # 1-D input (Conv1d networks)
    "input_channels": {1: 3, 2: 1, 3: 5, 4: 3, 8: 2, 12: 1, 16: 2, 24: 1, 32: 2, 48: 1,
                       64: 1, 96: 1, 128: 1},
    "input_size": {4: 1, 6: 1, 8: 3, 10: 1, 12: 2, 16: 4, 20: 1, 24: 1, 28: 2, 32: 2},
    "input_length": {8: 1, 12: 1, 16: 2, 24: 1, 32: 2, 40: 1, 48: 1, 64: 1},
    "nonsquare": 0.1,
    "chw": 0.35,                # CHW input when at most 16 channels
    "in_offset": 0.25,          # the input somewhere else than 0
    "eltwise_input": 0.04,      # first layer adds operands stored in the input
    # Network shape.
    "layers": {1: 2, 2: 4, 3: 5, 4: 5, 5: 4, 6: 3, 8: 2, 10: 1},
    "block_2d": {"conv3x3": 40, "conv1x1": 12, "pass": 5, "poolpass": 7, "convT": 4,
                 "linear": 4, "eltwise": 12, "concat": 6, "depthwise": 6},
    "block_1d": {"conv1d": 60, "pass": 5, "poolpass": 6, "linear": 6, "eltwise": 6,
                 "concat": 5, "depthwise": 5},
    "out_channels": {1: 1, 2: 1, 3: 1, 4: 3, 5: 1, 8: 4, 10: 2, 12: 2, 16: 5, 20: 1,
                     24: 2, 32: 4, 48: 2, 64: 3},
    "multipass": 0.12,          # more than 64 output channels
    "multipass_channels": {65: 1, 72: 1, 96: 2, 100: 1, 128: 2, 160: 1, 192: 1, 256: 1},
    "pad_3x3": {1: 6, 0: 2, 2: 2},
    "conv1d_kernel": {1: 2, 2: 1, 3: 5, 4: 1, 5: 2, 6: 1, 7: 1, 8: 1, 9: 2},
    "dilation": 0.1,            # Conv1d
    "convT_pad": {1: 4, 0: 1, 2: 1},
    # Pooling.
    "pool": 0.3,
    "avg": 0.4,
    "pool_size": {2: 12, 3: 3, 4: 3, 5: 1, 6: 1, 8: 1, 16: 1},
    "pool_stride_same": 0.65,   # else 1 or another value
    "pool_nonsquare": 0.07,
    "pool_dilation": 0.06,      # MAX78002
    # Element-wise.
    "operands": {2: 30, 3: 8, 4: 4, 5: 2, 6: 1, 8: 1, 12: 1, 16: 1},
    "eltwise_op": {"add": 6, "sub": 2, "xor": 2, "or": 2},
    "eltwise_conv": 0.3,        # fused element-wise + convolution
    "eltwise_pool": 0.25,
    "pool_after": 0.5,          # of pooled 2-operand element-wise layers
    "eltwise_copy": 0.4,        # one operand is a pass-through copy
    "eltwise_readgap": 0.3,     # MAX78002: the source is an operand, read with read_gap
    # Per layer.
    "quant": {8: 20, 4: 3, 2: 2, 1: 2, "binary": 1},
    "output_shift": 0.2,
    "activation": {"ReLU": 6, "None": 3, "Abs": 1},
    "bias": 0.4,
    "out32": 0.15,              # final layer output_width: 32
    "final_outproc": 0.5,       # explicit output_processors on the final layer
    "procs_start0": 0.35,
    "procs_align4": 0.6,
    "procs_scatter": 0.06,
    "calcx4": 0.12,             # MAX78002, per layer
    "readahead": 0.08,          # MAX78002, per layer
    "offset_align": {4: 2, 0x10: 2, 0x100: 3, 0x1000: 4},
    # Sequencing.
    "streaming": 0.08,          # first layers streaming (--fifo)
    "link_layers": 0.12,        # MAX78002: layers out of hardware order
    "early_stop": 0.04,         # MAX78002: next_sequence: stop before the end
    # Deliberately invalid networks (a rejection is the expected result).
    "invalid": 0.05,
    # Flags (each independently, where it applies).
    "flags": {
        "--mexpress": 0.08, "--no-mexpress": 0.1,
        "--compact-data": 0.04, "--no-compact-data": 0.1,
        "--mlator": 0.12,
        "--unload": 0.04, "--no-unload": 0.08,
        "--softmax": 0.15,
        "--fifo": 0.15,
        "--fast-fifo": 0.3,         # of --fifo networks that allow it
        "--riscv": 0.05, "--riscv-debug": 0.02,
        "--zero-sram": 0.08,
        "--write-zero-registers": 0.08,
        "--no-kat": 0.04,
        "--stop-after": 0.05,
        "--avg-pool-rounding": 0.12,
        "--powerdown": 0.06,
        "--link-layer": 0.06,       # MAX78002
        "--calcx4": 0.04,           # MAX78002
        "--read-ahead": 0.03,       # MAX78002
        "--no-pipeline": 0.04,      # MAX78002
        "--energy": 0.04,
        "--old-kernel-loader": 0.05, "--new-kernel-loader": 0.03,
        "--no-deduplicate-weights": 0.04,
        "--max-checklines": 0.04,
        "--fifo-go": 0.2,           # of MAX78002 --fifo networks
        "--output-width": 0.03,
        "--fixed-input": 0.03,
        "--synthesize-input": 0.15,  # of HWC --fifo networks
        "--overlap-data": 0.02,
    },
}

DEVICES = {
    # data memory bytes per group of 4 processors, one memory instance
    # (read-ahead), kernel words we let a processor use, bias bytes per group
    "MAX78000": dict(mem=0x8000, instance=0x8000, kernels=640, bias=512, max_layers=32),
    "MAX78002": dict(mem=0x14000, instance=0x4000, kernels=3000, bias=2048, max_layers=128),
}

TIMEOUT = 300


class Retry(Exception):
    """The generator painted itself into a corner: draw again."""


def pick(rnd, table):
    keys = list(table)
    return rnd.choices(keys, weights=[table[k] for k in keys])[0]


def ceil_div(a, b):
    return -(-a // b)


def thresh(ch):
    """(passes, processors per pass) of a map with `ch` channels."""
    expand = ceil_div(ch, 64)
    t = ceil_div(ch, expand)
    if ch > 64:
        t = min((t + 3) & ~3, 64)
    return expand, t


def popcount(x):
    return bin(x).count("1")


def ffs(x):
    return (x & -x).bit_length() - 1


def bits(x):
    return [i for i in range(64) if x >> i & 1]


def packed(procs, rnd=None):
    """Pass-through output processors: in each group of 16, as many processors
    as the input uses there, contiguous (at the input's first one, or moved)."""
    out = 0
    for g in range(4):
        n = popcount(procs >> 16 * g & 0xffff)
        if not n:
            continue
        first = ffs(procs >> 16 * g & 0xffff)
        start = min(first, 16 - n)
        if rnd is not None and rnd.random() < 0.3:
            start = rnd.randrange(0, 17 - n)
        out |= ((1 << n) - 1) << (16 * g + start)
    return out


def izer_dilated_pool_ok(size, pool, stride, dil):
    """The izer computes a dilated pool's output size with one formula and
    pools with another; use only sizes where both agree."""
    want = (size + stride - pool - dil + 1) // stride
    rows = min(size, (size - pool + dil - 1) // stride * stride + pool)
    return want >= 1 and 1 + (rows - pool - dil + 1) // stride == want


def default_final_procs(ch):
    """The izer's output map of a final layer without output_processors."""
    _, t = thresh(ch)
    return (1 << t) - 1


class Map:
    """A layer's output (or the input) in data memory."""

    def __init__(self, producer, ch, dims, procs, one_d, width=8, gap=0):
        self.producer = producer          # logical layer index, -1: the input
        self.ch = ch
        self.h, self.w = dims
        self.one_d = one_d
        self.procs = procs
        self.width = width
        self.gap = gap
        self.buf = None
        self.rel = 0                      # byte offset inside the buffer
        self.consumers = []
        self.pre = 0                      # bytes written before the offset
        self.extra = 0                    # bytes written past the end

    @property
    def expand(self):
        return thresh(self.ch)[0]

    @property
    def dims(self):
        return (self.h, self.w)

    @property
    def offset(self):
        return self.buf.offset + self.rel

    def nbytes(self):
        """Bytes from the map's offset to its end in each memory it uses."""
        return 4 * self.h * self.w * self.expand * (self.gap + 1) * (self.width // 8) \
            + self.extra


class Buffer:
    """Maps placed together: interleaved operands (4 bytes apart) or
    concatenated maps (same offset, other processors)."""

    def __init__(self, maps, rels=None):
        self.maps = maps
        for i, m in enumerate(maps):
            m.buf = self
            m.rel = rels[i] if rels else 0
        self.offset = None

    def quads(self):
        q = set()
        for m in self.maps:
            procs = m.procs
            q |= {p // 4 for p in bits(procs)}
        return q

    def span(self):
        lo = min(m.rel - m.pre for m in self.maps)
        hi = max(m.rel + m.nbytes() for m in self.maps)
        return lo, hi


class Layer:
    def __init__(self, kind, inputs, fields=None):
        self.kind = kind                  # conv2d conv1d linear convT pass elt
        self.inputs = inputs              # maps read (several: in_sequences)
        # YAML keys other than processors, offsets and sequencing, in order
        self.fields = fields if fields is not None else {}
        self.out = None
        self.wshape = None                # sample weight shape
        self.index = None                 # logical (execution) position
        self.yaml_index = None
        self.explicit_seq = False         # emit in_sequences even for one input
        self.out_procs_explicit = True
        self.in_offset_explicit = False
        self.readahead = False
        self.x4 = False

    @property
    def weighted(self):
        return self.wshape is not None


class Network:
    def __init__(self, seed, device, dataset, yaml_text, weights, bias, sample, flags,
                 features):
        self.seed = seed
        self.device = device
        self.dataset = dataset
        self.yaml = yaml_text
        self.weights = weights
        self.bias = bias
        self.sample = sample
        self.flags = flags
        self.features = features

    def write(self, tests):
        """Writes the YAML, weights, bias and sample into `tests`; returns the
        YAML file name."""
        import numpy as np
        name = f"random-{self.seed}.yaml"
        with open(os.path.join(tests, name), "w") as f:
            f.write(self.yaml)
        with open(os.path.join(tests, f"weights_{self.dataset}.npy"), "wb") as f:
            # A lone array would be indexed by layer: wrap it.
            ws = [self.weights[0][np.newaxis]] if len(self.weights) == 1 else self.weights
            for w in ws:
                np.save(f, w)
        if self.bias is not None:
            with open(os.path.join(tests, f"bias_{self.dataset}.npy"), "wb") as f:
                for b in self.bias:
                    np.save(f, b)
        np.save(os.path.join(tests, f"sample_{self.dataset}.npy"), self.sample)
        return name


# --- the generator ------------------------------------------------------------

class Gen:
    """One attempt at the network of a seed: layers are drawn block by
    block in execution order (each block knows the constraints the izer
    enforces), then the hardware order, the data-memory offsets and the
    flags; Retry starts the next attempt."""

    def __init__(self, seed, attempt, device):
        self.seed = seed
        self.rnd = random.Random(f"random-oracle:{seed}:{attempt}")
        self.wseed = [seed, attempt]
        self.F = FEATURES
        rnd = self.rnd
        if device is None:
            device = "MAX78002" if rnd.random() < self.F["max78002"] else "MAX78000"
        self.device = device
        self.dev = DEVICES[device]
        self.m2 = device == "MAX78002"
        self.layers = []
        self.tags = set()
        self.flags = []
        self.kernel_use = collections.Counter()   # processor -> kernel words
        self.bias_use = 0
        self.streaming = False
        self.invalid = None

    def p(self, key):
        return self.rnd.random() < self.F[key]

    # -- processors ---------------------------------------------------------

    def procs(self, ch, align4=False, start=None):
        """Output processors for a map of `ch` channels."""
        rnd = self.rnd
        _, k = thresh(ch)
        # The izer cannot place the kernels of multi-pass output that starts
        # inside a group of four processors.
        align4 = align4 or ch > 64 or self.global_x4
        if start is not None:
            return ((1 << k) - 1) << start
        if not align4 and k < 64 and rnd.random() < self.F["procs_scatter"]:
            self.tags.add("scatterprocs")
            return sum(1 << b for b in rnd.sample(range(64), k))
        if rnd.random() < self.F["procs_start0"]:
            return (1 << k) - 1
        align = 4 if align4 or rnd.random() < self.F["procs_align4"] else 1
        starts = [s for s in range(0, 65 - k) if s % align == 0]
        return ((1 << k) - 1) << rnd.choice(starts)

    # -- layers -------------------------------------------------------------

    def add(self, layer, out):
        layer.index = len(self.layers)
        layer.out = out
        out.producer = layer.index
        for m in layer.inputs:
            m.consumers.append(layer.index)
        self.layers.append(layer)
        return out

    def use_kernels(self, in_map, words):
        for p in bits(in_map.procs):
            self.kernel_use[p] += words
            if self.kernel_use[p] > self.dev["kernels"]:
                raise Retry("kernel memory")

    def weights_for(self, layer, in_map, cout, kdims, groups=1, flatten_px=1):
        cin = in_map.ch
        if layer.kind == "linear":
            layer.wshape = (cout, cin * flatten_px)
        elif layer.kind == "convT":
            layer.wshape = (cout // groups, cin) + tuple(kdims)
        else:
            layer.wshape = (cout, cin // groups) + tuple(kdims)
        words = in_map.expand * (1 if groups > 1 else cout) * ceil_div(flatten_px, 9)
        self.use_kernels(in_map, words)
        if self.has_bias:
            self.bias_use += cout
            if cout > self.dev["bias"] or self.bias_use > 3 * self.dev["bias"]:
                raise Retry("bias memory")

    def conv_common(self, layer, procs=None):
        """Quantization, output shift, activation, calcx4, read-ahead.
        `procs`: the output processors when the caller fixed them."""
        rnd, f = self.rnd, layer.fields
        q = pick(rnd, self.F["quant"])
        if q == "binary" and (not self.m2 or self.uses_q1):
            q = 8
        if q == 1:
            if self.uses_binary:
                q = 2
            self.uses_q1 = True
        if q == "binary":
            self.uses_binary = True
        if q != 8 or rnd.random() < 0.1:
            f["quantization"] = q
            self.tags.add(f"q{q}" if q != "binary" else "qbin")
        if self.p("output_shift"):
            f["output_shift"] = rnd.randint(-3, 3)
            self.tags.add("shift")
        act = pick(rnd, self.F["activation"])
        if act != "None" or rnd.random() < 0.5:
            f["activate"] = act
        if act != "None":
            self.tags.add(act.lower())
        # calcx4: the izer needs a multiple of 4 output channels starting
        # at a multiple of 4 output processors.
        cout = layer.wshape[0] * (f.get("groups", 1) if layer.kind == "convT" else 1)
        x4_ok = cout % 4 == 0 and (procs is None or ffs(procs) % 4 == 0)
        if self.global_x4 and not x4_ok:
            raise Retry("--calcx4 layer shape")
        layer.x4 = self.global_x4
        if self.m2 and not self.global_x4 and x4_ok and self.p("calcx4"):
            f["calcx4"] = True
            layer.x4 = True
            self.tags.add("calcx4")
        if self.m2 and self.p("readahead"):
            f["readahead"] = True
            layer.readahead = True
            self.tags.add("readahead")

    def pool_fields(self, fields, dims, one_d, allow=True, force=False):
        """Maybe pooling; returns the pooled dims."""
        rnd = self.rnd
        h, w = dims
        if not allow or not (force or self.p("pool")):
            return dims
        for _ in range(10):
            size = pick(rnd, self.F["pool_size"])
            sizes = [size, size]
            if not one_d and rnd.random() < self.F["pool_nonsquare"]:
                sizes = [size, rnd.choice([1, 2, 3])]
            if sizes[0] > h or (not one_d and sizes[1] > w):
                continue
            r = rnd.random()
            if r < self.F["pool_stride_same"]:
                stride = max(sizes)
            elif r < 0.85:
                stride = 1
            else:
                stride = rnd.randint(1, 4)
            dil = 1
            if self.m2 and sizes == [2, 2] and rnd.random() < self.F["pool_dilation"]:
                # Size 2 only, and only where the izer's pooled size and its
                # simulation agree.
                dil = rnd.randint(2, 4)
                if not all(izer_dilated_pool_ok(x, 2, stride, dil)
                           for x in ((h,) if one_d else (h, w))):
                    dil = 1
            # The izer's pooled size (its formula, also with pool_dilation).
            ph = (h + stride - sizes[0] - dil + 1) // stride
            pw = 1 if one_d else (w + stride - sizes[1] - dil + 1) // stride
            if ph < 1 or pw < 1:
                continue
            key = "avg_pool" if rnd.random() < self.F["avg"] else "max_pool"
            fields[key] = sizes[0] if sizes[0] == sizes[1] or one_d else sizes
            fields["pool_stride"] = stride
            if dil > 1:
                fields["pool_dilation"] = dil
                self.tags.add("pooldil")
            self.tags.add("avgpool" if key == "avg_pool" else "maxpool")
            if max(sizes) > 4 or stride not in (max(sizes),):
                self.tags.add("oddpool")
            return (ph, pw)
        return dims

    def out_channels(self, allow_multipass=True):
        if allow_multipass and self.p("multipass"):
            self.tags.add("multipass")
            c = pick(self.rnd, self.F["multipass_channels"])
        else:
            c = pick(self.rnd, self.F["out_channels"])
        return (c + 3) & ~3 if self.global_x4 else c

    def conv2d(self, src, k=None, pad=None, cout=None, procs=None, pool=True,
               groups=1):
        rnd = self.rnd
        if k is None:
            k = 3 if rnd.random() < 0.78 else 1
        f = {"operation": "conv2d"}
        if k == 1 or rnd.random() < 0.5:
            f["kernel_size"] = f"{k}x{k}"
        if pad is None:
            pad = pick(rnd, self.F["pad_3x3"]) if k == 3 else 0
        layer = Layer("conv2d", [src], f)
        dims = self.pool_fields(f, src.dims, False, allow=pool)
        oh, ow = dims[0] + 2 * pad - k + 1, dims[1] + 2 * pad - k + 1
        if oh < 1 or ow < 1:
            raise Retry("conv output")
        f["pad"] = pad
        cout = self.conv_weights(layer, f, src, cout, (k, k), groups)
        self.conv_common(layer, procs)
        self.tags.add("conv1x1" if k == 1 else "conv3x3")
        if pad != (1 if k == 3 else 0):
            self.tags.add(f"pad{pad}")
        if procs is None:
            procs = self.procs(cout, align4=groups > 1 or layer.x4)
        return self.add(layer, Map(None, cout, (oh, ow), procs, False))

    def conv_weights(self, layer, f, src, cout, kernel, groups):
        """Output channels of a convolution (all of the input's when
        depth-wise), with its random weights; returns them."""
        if groups > 1:
            cout = src.ch
            f["groups"] = groups
            self.tags.add("depthwise")
        if cout is None:
            cout = self.out_channels()
        self.weights_for(layer, src, cout, kernel, groups)
        return cout

    def conv1d(self, src, cout=None, procs=None, pool=True, groups=1, k=None, pad=None,
               dilate=True):
        rnd = self.rnd
        f = {"operation": "conv1d"}
        if k is None:
            k = pick(rnd, self.F["conv1d_kernel"])
        f["kernel_size"] = k
        layer = Layer("conv1d", [src], f)
        dil = 1
        if k > 1 and dilate and self.p("dilation"):
            dil = rnd.choice([2, 2, 3, 4, 5, 7, 8, 13])
            if (k - 1) * dil >= 9 and k > 3:
                dil = max(1, 8 // (k - 1))
        big_dil = dil > 1 and (k - 1) * dil >= 9
        dims = self.pool_fields(f, src.dims, True, allow=pool and not big_dil)
        fixed = pad is not None
        if pad is None:
            pad = rnd.randint(0, min(2, k - 1))
        if big_dil or (self.m2 and src.expand > 1):
            # MAX78002: no padded multi-pass Conv1d.
            if fixed and pad:
                raise Retry("padded multi-pass conv1d")
            pad = 0
        f["pad"] = pad
        if dil > 1:
            f["dilation"] = dil
            self.tags.add("dilation")
        out_len = dims[0] + 2 * pad - dil * (k - 1)
        if out_len < 1:
            raise Retry("conv1d output")
        cout = self.conv_weights(layer, f, src, cout, (k,), groups)
        self.conv_common(layer, procs)
        if big_dil:
            layer.readahead = False
            f.pop("readahead", None)
        self.tags.add("conv1d")
        if procs is None:
            procs = self.procs(cout, align4=groups > 1 or layer.x4)
        out = Map(None, cout, (out_len, 1), procs, True)
        if big_dil:
            # Conv2d hardware: writes before the offset and past the end.
            out.pre = 4 * dil * out.expand
            out.extra = 4 * (dil + 2) * out.expand
        return self.add(layer, out)

    def passthrough(self, src, pool=False):
        f = {"operation": self.rnd.choice(["passthrough", "none"])}
        layer = Layer("pass", [src], f)
        # MAX78000 pools one pass at most in a pass-through layer.
        allow = src.expand == 1 or self.m2
        dims = self.pool_fields(f, src.dims, src.one_d, allow=allow, force=pool)
        if "max_pool" in f or "avg_pool" in f:
            self.tags.add("poolpass")
        else:
            self.tags.add("pass")
        out = Map(None, src.ch, dims, packed(src.procs, self.rnd), src.one_d)
        return self.add(layer, out)

    def linear(self, src):
        rnd = self.rnd
        f = {"operation": rnd.choice(["linear", "mlp", "fc"])}
        px = src.h * src.w
        if px > 256:
            raise Retry("flatten too big")
        if px > 1 and src.expand > 1 and src.ch != src.expand * thresh(src.ch)[1]:
            # The izer reshapes the kernels of multi-pass flatten by passes.
            raise Retry("flatten of uneven passes")
        if px > 1:
            f["flatten"] = True
            self.tags.add("flatten")
        layer = Layer("linear", [src], f)
        cout = self.out_channels(allow_multipass=px * src.ch <= 1024)
        self.weights_for(layer, src, cout, (), flatten_px=px)
        self.conv_common(layer)
        layer.fields.pop("readahead", None)
        layer.readahead = False
        self.tags.add("linear")
        return self.add(layer, Map(None, cout, (1, 1), self.procs(cout, align4=layer.x4),
                                   False))

    def convT(self, src, groups=1):
        rnd = self.rnd
        if src.h > 16 or src.w > 16:
            raise Retry("convT too big")
        f = {"operation": "convtranspose2d"}
        pad = pick(rnd, self.F["convT_pad"])
        f["pad"] = pad
        if rnd.random() < 0.3:
            f["kernel_size"] = "3x3"
        if rnd.random() < 0.3:
            f["output_pad"] = 1
        if rnd.random() < 0.2:
            f["stride"] = 2
        layer = Layer("convT", [src], f)
        cout = src.ch if groups > 1 else self.out_channels()
        if groups > 1:
            f["groups"] = groups
            self.tags.add("depthwise")
        self.weights_for(layer, src, cout, (3, 3), groups)
        self.conv_common(layer)
        self.tags.add("convT")
        dims = (2 * src.h + 2 - 2 * pad, 2 * src.w + 2 - 2 * pad)
        return self.add(layer, Map(None, cout, dims,
                                   self.procs(cout, align4=groups > 1 or layer.x4), False))

    def depthwise(self, src):
        if not self.m2:
            raise Retry("depth-wise on MAX78000")
        if ffs(src.procs) % 4 and (src.procs >> ffs(src.procs)) >> 16:
            raise Retry("depth-wise input alignment")
        rnd = self.rnd
        broadcast = rnd.random() < 0.6
        procs = src.procs if broadcast and ffs(src.procs) % 4 == 0 else None
        if src.one_d:
            return self.conv1d(src, procs=procs, groups=src.ch)
        if src.h <= 12 and rnd.random() < 0.15:
            out = self.convT(src, groups=src.ch)
            return out
        return self.conv2d(src, procs=procs, groups=src.ch)

    def eltwise(self, src):
        """n producers read `src` and write interleaved; an element-wise layer
        combines them."""
        rnd = self.rnd
        n = pick(rnd, self.F["operands"])
        same = (rnd.random() < 0.5 or src.ch > 64) and not (self.global_x4 and src.ch % 4)
        ce = src.ch if same else self.out_channels()
        procs = self.procs(ce)
        producers = []
        first_copy = (ce == src.ch and rnd.random() < self.F["eltwise_copy"])
        readgap = (self.m2 and not first_copy and src.expand == 1 and ce == src.ch
                   and src.producer is not None and src.producer >= 0
                   and self.layers[src.producer].kind != "elt"
                   and src.gap == 0 and not src.consumers and not src.buf
                   and not self.streaming and rnd.random() < self.F["eltwise_readgap"])
        pool_f = {}
        if readgap:
            # The source itself is operand 0: its producer writes with a gap,
            # the other producers read it with read_gap.
            self.tags.add("readgap")
            producers.append(src)
            procs = src.procs
        if first_copy:
            layer = Layer("pass", [src], {"operation": "passthrough"})
            m = self.add(layer, Map(None, src.ch, src.dims, packed(src.procs), src.one_d))
            procs = m.procs
            producers.append(m)
            self.tags.add("pass")
        k = 3 if rnd.random() < 0.6 else 1
        while len(producers) < n:
            pool = bool(pool_f)
            if src.one_d:
                m = self.conv1d(src, cout=ce, procs=procs, pool=False, k=k if k == 1 else 3,
                                pad=0 if k == 1 else 1, dilate=False)
            else:
                m = self.conv2d(src, k=k, pad=1 if k == 3 else 0, cout=ce, procs=procs,
                                pool=pool)
            layer = self.layers[m.producer]
            if len(producers) > 0 or readgap:
                layer.explicit_seq = True
            if readgap:
                layer.fields["read_gap"] = n - 1
            producers.append(m)
        for m in producers:
            m.gap = n - 1
        Buffer(producers, rels=[4 * i for i in range(n)])
        self.tags.add("writegap")
        op = pick(rnd, self.F["eltwise_op"])
        self.tags.add(f"eltwise{n}")
        self.tags.add(f"elt-{op}")
        e = producers[0]
        fused = (not e.one_d and rnd.random() < self.F["eltwise_conv"]
                 and not (self.m2 and self.has_bias))
        expand = e.expand
        mp_limit = (not self.m2 and expand > 1 and n * expand != n + expand)
        if mp_limit:
            fused = False
        f = {}
        if fused:
            f["eltwise"] = op
            f["operation"] = "conv2d"
            layer = Layer("conv2d", producers, f)
        else:
            f["operation"] = op
            layer = Layer("elt", producers, f)
        if n > 2 or rnd.random() < 0.3:
            f["operands"] = n
        dims = e.dims
        # MAX78000 pools one pass at most without a convolution.
        pool_ok = not mp_limit and (fused or expand == 1 or self.m2)
        if pool_ok and rnd.random() < self.F["eltwise_pool"]:
            dims = self.pool_fields(f, e.dims, e.one_d, force=True)
            if ("max_pool" in f or "avg_pool" in f) and n <= 2 \
                    and rnd.random() < self.F["pool_after"]:
                f["pool_first"] = False
                self.tags.add("poolafter")
            self.tags.add("eltpool")
        if fused:
            self.tags.add("eltconv")
            k = 3 if rnd.random() < 0.7 else 1
            pad = 1 if k == 3 else 0
            if k == 1 or rnd.random() < 0.5:
                f["kernel_size"] = f"{k}x{k}"
            f["pad"] = pad
            cout = self.out_channels()
            self.weights_for(layer, e, cout, (k, k))
            self.conv_common(layer)
            out = Map(None, cout, (dims[0] + 2 * pad - k + 1, dims[1] + 2 * pad - k + 1),
                      self.procs(cout, align4=layer.x4), False)
        else:
            out = Map(None, e.ch, dims, packed(e.procs, self.rnd), e.one_d)
        layer.explicit_seq = True
        return self.add(layer, out)

    def eltwise_input(self, inp):
        """First layer: the input holds `n` operands."""
        rnd = self.rnd
        n = pick(rnd, self.F["operands"])
        op = pick(rnd, self.F["eltwise_op"])
        f = {"operation": op, "operands": n}
        layer = Layer("elt", [inp], f)
        dims = inp.dims
        if rnd.random() < 0.3:
            dims = self.pool_fields(f, inp.dims, inp.one_d, force=True)
        self.tags.update({"eltinput", f"eltwise{n}", f"elt-{op}"})
        inp.operands = n
        return self.add(layer, Map(None, inp.ch, dims, packed(inp.procs, rnd), inp.one_d))

    def concat(self, src):
        """Two or three branches on separate processors, one consumer."""
        rnd = self.rnd
        nb = 2 if rnd.random() < 0.8 else 3
        # The izer wants the same channel count from every member.
        chans = [pick(rnd, {1: 1, 2: 1, 3: 1, 4: 3, 8: 3, 12: 1, 16: 2, 20: 1})] * nb
        if self.global_x4:
            chans = [(chans[0] + 3) & ~3] * nb
        total = sum(chans)
        if total > 64:
            raise Retry("concat too wide")
        # Disjoint processor ranges in order.
        # Each branch in its own groups of four processors (the izer checks
        # output overwrites word by word).
        gaps = [4 * rnd.choice([0, 0, 0, 1, 2]) for _ in range(nb)]
        start = rnd.choice([0, 0, 4, 8, 16])
        need = start + sum(gaps) + sum((c + 3) & ~3 for c in chans)
        if need > 64:
            start, gaps = 0, [0] * nb
            if sum((c + 3) & ~3 for c in chans) > 64:
                raise Retry("concat too wide")
        branches = []
        k = 3 if rnd.random() < 0.6 else 1
        for i, c in enumerate(chans):
            start += gaps[i]
            procs = ((1 << c) - 1) << start
            start += (c + 3) & ~3
            if src.one_d:
                m = self.conv1d(src, cout=c, procs=procs, pool=False, k=k, pad=k // 2,
                                dilate=False)
            else:
                m = self.conv2d(src, k=k, pad=k // 2, cout=c, procs=procs, pool=False)
            if i:
                self.layers[m.producer].explicit_seq = True
            branches.append(m)
        Buffer(branches)
        self.tags.add("concat")
        union = 0
        for m in branches:
            union |= m.procs
        # The consumer reads all channels, in order.
        cat = Map(-2, total, branches[0].dims, union, src.one_d)
        cat.parts = branches
        self.cat_source = cat
        if rnd.random() < 0.2:
            layer = Layer("pass", branches, {"operation": "passthrough"})
            out = Map(None, total, cat.dims, packed(union), src.one_d)
            self.tags.add("pass")
        else:
            if src.one_d:
                out = self.conv1d(cat, pool=True)
            else:
                out = self.conv2d(cat)
            layer = self.layers.pop()
            for m in layer.inputs:
                m.consumers.pop()
            layer.inputs = branches
            out = layer.out
        layer.explicit_seq = True
        layer.cat = cat
        return self.add(layer, out)

    # -- the network --------------------------------------------------------

    def make_input(self):
        rnd = self.rnd
        one_d = self.p("input_1d")
        ch = pick(rnd, self.F["input_channels"])
        if one_d:
            dims = (pick(rnd, self.F["input_length"]), 1)
        else:
            s = pick(rnd, self.F["input_size"])
            dims = (s, s)
            if self.p("nonsquare"):
                dims = (s, pick(rnd, self.F["input_size"]))
                self.tags.add("nonsquare")
        chw = ch <= 16 and self.p("chw")
        self.streaming = not one_d and ch <= 16 and self.p("streaming")
        fifo = self.streaming or (ch <= 16 and self.p_flag("--fifo"))
        if fifo:
            if chw and ch > 4:
                chw = False
            if chw:
                procs = sum(1 << (16 * i) for i in range(ch))
            else:
                procs = sum(1 << b for b in [g * 16 + i for g in range(4) for i in range(4)][:ch])
            self.flags.append("--fifo")
        elif chw:
            # One channel per memory instance (group of four processors).
            quads = sorted(rnd.sample(range(16), ch)) if rnd.random() < 0.2 else list(range(ch))
            lane = rnd.choice([0, 0, 0, 1, 2, 3])
            procs = sum(1 << (4 * q + lane) for q in quads)
        else:
            procs = self.procs(ch)
        if procs & 0xffff == 0:
            procs = self.procs(ch, start=0) if not chw else procs
        inp = Map(-1, ch, dims, procs, one_d)
        inp.chw = chw
        inp.operands = 1
        self.tags.add("chw" if chw else "hwc")
        if one_d:
            self.tags.add("input1d")
        return inp

    def p_flag(self, flag):
        return self.rnd.random() < self.F["flags"][flag]

    def build(self):
        rnd = self.rnd
        # Flags that shape every layer are drawn first.
        self.global_x4 = self.m2 and self.p_flag("--calcx4")
        self.has_bias = self.p("bias")
        self.uses_q1 = self.uses_binary = False
        inp = self.make_input()
        self.inp = inp
        target = pick(rnd, self.F["layers"])
        cur = inp
        if self.streaming:
            self.tags.add("streaming")
            ns = rnd.randint(1, min(3, target))
            for i in range(ns):
                cur = self.conv2d(cur, k=3, pad=1, cout=pick(rnd, {4: 1, 8: 2, 16: 2, 32: 1}))
                self.layers[-1].fields["streaming"] = True
            self.n_stream = ns
        elif not inp.one_d and not inp.chw and inp.expand == 1 \
                and "--fifo" not in self.flags and self.p("eltwise_input"):
            cur = self.eltwise_input(inp)
        while len(self.layers) < target:
            blocks = self.F["block_1d"] if cur.one_d else self.F["block_2d"]
            kind = pick(rnd, blocks)
            if kind in ("eltwise", "concat", "depthwise", "pass", "poolpass") and cur is inp:
                kind = "conv1d" if cur.one_d else "conv3x3"
            if kind == "linear" and len(self.layers) < target - 2 and rnd.random() < 0.7:
                kind = "conv1d" if cur.one_d else "conv3x3"
            if kind in ("conv3x3", "conv1x1"):
                cur = self.conv2d(cur, k=3 if kind == "conv3x3" else 1)
            elif kind == "conv1d":
                cur = self.conv1d(cur)
            elif kind == "pass":
                cur = self.passthrough(cur)
            elif kind == "poolpass":
                cur = self.passthrough(cur, pool=True)
            elif kind == "convT":
                cur = self.convT(cur)
            elif kind == "linear":
                cur = self.linear(cur)
            elif kind == "eltwise":
                cur = self.eltwise(cur)
            elif kind == "concat":
                cur = self.concat(cur)
            elif kind == "depthwise":
                cur = self.depthwise(cur)
        if len(self.layers) > self.dev["max_layers"] - 2:
            raise Retry("too many layers")
        self.finish()
        self.sequence()
        self.global_ra = self.m2 and self.p_flag("--read-ahead")
        self.allocate()
        self.make_flags()
        self.maybe_invalid()
        return self.emit()

    def finish(self):
        """The final layer's output: width and processors."""
        rnd = self.rnd
        last = self.layers[-1]
        out = last.out
        if last.kind != "pass" and last.kind != "elt" and self.p("out32") \
                and last.fields.get("activate", "None") == "None":
            last.fields["output_width"] = 32
            out.width = 32
            self.tags.add("out32")
        if rnd.random() >= self.F["final_outproc"]:
            if last.kind not in ("pass", "elt"):
                out.procs = default_final_procs(out.ch)
                last.out_procs_explicit = False
            elif default_final_procs(out.ch) == out.procs:
                # Pass-through output must stay a packed copy of its input.
                last.out_procs_explicit = False
        used = self.inp.procs | out.procs
        for ly in self.layers:
            used |= ly.inputs[0].procs if len(ly.inputs) == 1 else \
                functools.reduce(lambda a, b: a | b, (m.procs for m in ly.inputs))
        if used & 0xffff == 0:
            raise Retry("group 0 unused")

    def sequence(self):
        """Hardware order: the execution order, or (MAX78002) a permutation
        linked by next_sequence."""
        rnd = self.rnd
        n = len(self.layers)
        order = list(range(n))
        self.early_stop = None
        if self.m2 and n > 2 and not self.streaming and self.p("link_layers"):
            # The izer finds the output of layer i that a later layer reads
            # through in_sequences as the input of layer i + 1: such a layer
            # and its successor stay together (chunks move as a whole).
            glue = set()
            for ly in self.layers:
                if self.reads_sequences(ly):
                    glue |= {m.producer for m in ly.inputs if m.producer >= 0}
            chunks = [[0]]
            for i in range(1, n):
                if i - 1 in glue:
                    chunks[-1].append(i)
                else:
                    chunks.append([i])
            rest = chunks[1:]
            rnd.shuffle(rest)
            order = [i for c in [chunks[0]] + rest for i in c]
            if order != list(range(n)):
                self.tags.add("linklayer")
        # yaml position -> logical layer
        self.yaml_order = order
        for pos, li in enumerate(order):
            self.layers[li].yaml_index = pos
        if self.m2 and n > 1 and not self.streaming and self.p("early_stop"):
            # Extra layers after a stop: they are never run.
            self.early_stop = True
            self.tags.add("earlystop")

    def reads_sequences(self, ly):
        """Whether the layer names its inputs with in_sequences."""
        prev = self.layers[ly.index - 1].out if ly.index > 0 else self.inp
        return len(ly.inputs) > 1 or ly.explicit_seq or ly.inputs[0] is not prev

    # -- data memory --------------------------------------------------------

    def allocate(self):
        rnd = self.rnd
        n = len(self.layers)
        inp = self.inp
        bufs = []
        inp_buf = Buffer([inp])
        inp.gap = 0
        bufs.append(inp_buf)
        for layer in self.layers:
            if layer.out.buf is None:
                Buffer([layer.out])
            if layer.out.buf not in bufs:
                bufs.append(layer.out.buf)

        def life(buf):
            start = min(m.producer for m in buf.maps)
            end = max([m.producer + 1 for m in buf.maps]
                      + [c for m in buf.maps for c in m.consumers])
            if any(m is self.layers[-1].out for m in buf.maps):
                end = n + 1
            return start, end

        size_in = 4 * inp.h * inp.w * inp.expand * inp.operands
        if inp.chw:
            size_in = 4 * ceil_div(inp.h * inp.w, 4) * inp.expand * inp.operands
        inp.extra = size_in - inp.nbytes()
        mem = self.dev["mem"]
        placed = []
        for buf in bufs:
            start, end = life(buf)
            lo, hi = buf.span()
            # Conflicts are per group of four processors (one memory
            # instance): the izer checks overwrites word by word.
            quads = buf.quads()
            # Read-ahead: input and output in different memory instances.
            readers = [self.layers[m.producer] for m in buf.maps if m.producer >= 0]
            ra = [ly for ly in readers if ly.readahead or self.global_ra]

            def fits(off):
                if off + lo < 0 or off + hi > mem:
                    return False
                for (pb, ps, pe, pq, plo, phi) in placed:
                    if pe < start or end < ps or not (pq & quads):
                        continue
                    if off + lo < pb + phi and pb + plo < off + hi:
                        return False
                for ly in ra:
                    inst = self.dev["instance"]
                    for m in ly.inputs:
                        if m.buf.offset is None:
                            continue
                        ilo = m.buf.offset + m.rel
                        ihi = ilo + 4 * m.h * m.w * m.expand * len(ly.inputs) - 1
                        olo = off
                        ohi = off + 4 * ly.out.h * ly.out.w * ly.out.expand \
                            * (ly.out.width // 8) - 1
                        if ilo // inst == olo // inst or ihi // inst == ohi // inst:
                            return False
                return True

            choice = None
            # (The izer loads passes after the first without the input offset.)
            if buf is inp_buf and (inp.expand > 1 or not rnd.random() < self.F["in_offset"]):
                cands = [0]
            else:
                cands = []
                for _ in range(24):
                    align = pick(rnd, self.F["offset_align"])
                    cands.append(rnd.randrange(0, max(1, (mem - hi) // align + 1)) * align)
            for c in cands:
                if fits(c):
                    choice = c
                    break
            if choice is None:
                # First fit after every placed end.
                edges = sorted({0} | {(pb + phi - lo + 3) & ~3
                                      for (pb, _, _, _, _, phi) in placed})
                for c in edges:
                    if fits(c):
                        choice = c
                        break
            if choice is None:
                raise Retry("data memory")
            buf.offset = choice
            placed.append((choice, start, end, quads, lo, hi))
        if inp_buf.offset:
            self.tags.add("inoffset")

    # -- flags --------------------------------------------------------------

    def make_flags(self):
        rnd, fl = self.rnd, self.flags
        F = self.F["flags"]

        def maybe(flag, cond=True):
            if cond and rnd.random() < F[flag]:
                fl.append(flag)
                return True
            return False

        inp = self.inp
        first = self.layers[0]
        if "--fifo" in fl:
            self.tags.add("fifo")
            fast_ok = (first.kind != "pass" and first.kind != "elt"
                       and ((inp.chw and inp.ch == 1) or (not inp.chw and inp.ch <= 4))
                       and first.out.width == 8 and not self.streaming)
            if maybe("--fast-fifo", fast_ok):
                fl.append("--riscv")
            if self.m2:
                maybe("--fifo-go")
            if not inp.chw and inp.ch <= 4 and "--fast-fifo" not in fl \
                    and maybe("--synthesize-input"):
                fl.append(hex(rnd.choice([0x1, 0x2580, 0x10203, 0x44])))
        if "--riscv" not in fl:
            maybe("--riscv")
            if "--riscv" not in fl:
                maybe("--riscv-debug")
        if not maybe("--mexpress"):
            maybe("--no-mexpress")
        if not maybe("--compact-data"):
            maybe("--no-compact-data")
        maybe("--mlator")
        if not maybe("--unload"):
            maybe("--no-unload")
        maybe("--softmax")
        maybe("--zero-sram")
        maybe("--write-zero-registers")
        maybe("--no-kat")
        if len(self.layers) > 1 and maybe("--stop-after"):
            last = len(self.layers) - 2
            fl.append(str(self.layers[rnd.randint(0, last)].yaml_index))
        has_avg = any("avg_pool" in ly.fields for ly in self.layers)
        if rnd.random() < (0.4 if has_avg else F["--avg-pool-rounding"]):
            fl.append("--avg-pool-rounding")
        maybe("--powerdown")
        if self.m2:
            maybe("--link-layer")
            if self.global_x4:
                fl.append("--calcx4")
                self.tags.add("calcx4")
            if self.global_ra:
                fl.append("--read-ahead")
                self.tags.add("readahead")
            maybe("--no-pipeline")
        maybe("--energy")
        if not maybe("--old-kernel-loader"):
            maybe("--new-kernel-loader")
        maybe("--no-deduplicate-weights")
        if maybe("--max-checklines"):
            fl.append(str(rnd.choice([1, 4, 16, 64])))
        last = self.layers[-1]
        if last.kind not in ("pass", "elt") and last.out.width == 8 \
                and "--stop-after" not in fl \
                and last.fields.get("activate", "None") == "None" \
                and maybe("--output-width"):
            fl.append("32")
            last.out.width = 32
        if "--fifo" not in fl:
            maybe("--fixed-input")
        maybe("--overlap-data")

    def maybe_invalid(self):
        """Rarely, break one rule on purpose."""
        rnd = self.rnd
        if not self.p("invalid"):
            return
        kinds = ["pad3", "kernel5", "operands17", "shift", "procs", "overlap",
                 "outwidth16", "passact"]
        if not self.m2:
            kinds += ["depthwise", "calcx4", "readgap", "nextseq"]
        kind = rnd.choice(kinds)
        self.invalid = kind
        self.tags.add("invalid")
        self.tags.add(f"invalid-{kind}")

    # -- output -------------------------------------------------------------

    def emit(self):
        import numpy as np
        rnd = self.rnd
        wrng = np.random.default_rng(self.wseed)
        dataset = f"random_oracle_{self.seed}"
        n = len(self.layers)
        lines = ["---", f"# random_oracle.py seed {self.seed}", "arch: test",
                 f"dataset: {dataset}"]
        # (No bias file when no layer has weights: it would be empty.)
        if not any(ly.weighted for ly in self.layers):
            self.has_bias = False
        if self.has_bias:
            lines.append(f"bias: {dataset}")
            self.tags.add("bias")
        lines.append("")
        lines.append("layers:")
        weights, biases = [], []
        inv = self.invalid
        inv_layer = None
        if inv:
            cands = [pos for pos in range(n)
                     if self.rule_applies(inv, self.layers[self.yaml_order[pos]])]
            if cands:
                inv_layer = rnd.choice(cands)
            else:
                self.tags -= {"invalid", f"invalid-{inv}"}
                inv = self.invalid = None
        for pos in range(n):
            ly = self.layers[self.yaml_order[pos]]
            items = []
            if pos == 0 and (self.inp.chw or rnd.random() < 0.5):
                items.append(("data_format", "CHW" if self.inp.chw else "HWC"))
            procs = ly.cat.procs if getattr(ly, "cat", None) else ly.inputs[0].procs
            if ly.index == 0:
                procs = self.inp.procs
            if inv == "procs" and pos == inv_layer:
                procs ^= 1 << 63 if procs >> 63 == 0 else 1 << 62
            items.append(("processors", procs))
            if ly.out_procs_explicit:
                items.append(("output_processors", ly.out.procs))
            # Where the input is read.
            src = ly.inputs[0]
            in_off = src.offset
            if self.reads_sequences(ly):
                seq = [-1 if m.producer == -1 else self.layers[m.producer].yaml_index
                       for m in ly.inputs]
                items.append(("in_sequences", seq if len(seq) > 1 or rnd.random() < 0.5
                              else seq[0]))
                items.append(("in_offset", in_off))
            elif ly.index == 0 and (in_off or rnd.random() < 0.3):
                items.append(("in_offset", in_off))
            elif rnd.random() < 0.15:
                items.append(("in_offset", in_off))
            out_off = ly.out.offset
            if inv == "overlap" and pos == inv_layer:
                out_off = in_off
            items.append(("out_offset", out_off))
            for k, v in ly.fields.items():
                items.append((k, v))
            if ly.out.gap:
                items.append(("write_gap", ly.out.gap))
            if self.early_stop is not None or self.yaml_order != list(range(n)):
                nxt = ly.index + 1
                if nxt < n:
                    items.append(("next_sequence", self.layers[nxt].yaml_index))
                elif pos != n - 1 or self.early_stop or rnd.random() < 0.5:
                    items.append(("next_sequence", "stop"))
            items = self.break_rule(items, ly, pos == inv_layer)
            lines.append(f"  # layer {pos} (runs as {ly.index}): {ly.kind}")
            for i, (k, v) in enumerate(items):
                lines.append(("  - " if i == 0 else "    ") + f"{k}: {fmt(k, v)}")
        if self.early_stop:
            # A layer that is never run: its weights are still loaded.
            last = self.layers[-1].out
            lines.append("  # never run")
            lines.append(f"  - processors: {fmt('processors', last.procs)}")
            lines.append(f"    out_offset: {fmt('out_offset', 0)}")
            lines.append("    operation: conv2d" if not last.one_d else
                         "    operation: conv1d")
            lines.append("    kernel_size: 1x1" if not last.one_d else "    kernel_size: 1")
            lines.append("    pad: 0")
            extra = Layer("conv2d" if not last.one_d else "conv1d", [last])
            extra.wshape = (4, last.ch) + ((1, 1) if not last.one_d else (1,))
            extra.yaml_index = n
            extra_layers = [extra]
        else:
            extra_layers = []
        # Weights and bias in YAML order.
        for ly in [self.layers[i] for i in self.yaml_order] + extra_layers:
            if not ly.weighted:
                continue
            fan = 1
            for d in ly.wshape[1:]:
                fan *= d
            sd = min(64.0, 160.0 / max(1.0, fan ** 0.5))
            w = np.clip(np.rint(wrng.normal(0, sd, ly.wshape)), -128, 127).astype(np.int64)
            weights.append(w)
            cout = ly.wshape[0] * (ly.fields.get("groups", 1) if ly.kind == "convT" else 1)
            biases.append(wrng.integers(-64, 64, (cout,), dtype=np.int64))
        if not weights:
            # The izer needs a weights file even without weights.
            weights.append(np.zeros((1, 1, 1, 1), dtype=np.int64))
        inp = self.inp
        shape = (inp.ch * inp.operands, inp.h) if inp.one_d else \
            (inp.ch * inp.operands, inp.h, inp.w)
        sample = wrng.integers(-128, 128, shape, dtype=np.int64)
        features = sorted(self.tags) + [f"flag:{f}" for f in self.flags if f.startswith("--")]
        return Network(self.seed, self.device, dataset, "\n".join(lines) + "\n", weights,
                       biases if self.has_bias else None, sample, self.flags, features)

    def rule_applies(self, inv, ly):
        if inv in ("pad3", "depthwise"):
            return ly.kind in ("conv2d", "conv1d") and "groups" not in ly.fields
        if inv == "kernel5":
            return ly.kind == "conv2d"
        if inv in ("shift", "calcx4"):
            return ly.weighted
        if inv == "passact":
            return ly.kind == "pass"
        if inv == "nextseq":
            return len(self.layers) > 2 and ly.index < len(self.layers) - 2
        if inv == "readgap":
            return ly.index > 0
        return True

    def break_rule(self, items, ly, here):
        inv = self.invalid
        if not here or inv is None:
            return items
        d = dict(items)
        if inv == "pad3":
            d["pad"] = 3
        elif inv == "kernel5":
            d["kernel_size"] = "5x5"
        elif inv == "operands17":
            d.pop("operation", None)
            d["eltwise"] = "add"
            d["operands"] = 17
        elif inv == "shift":
            d["output_shift"] = 16
        elif inv == "outwidth16":
            d["output_width"] = 16
        elif inv == "passact":
            d["activate"] = "ReLU"
        elif inv == "depthwise":
            d["groups"] = 2
        elif inv == "calcx4":
            d["calcx4"] = True
        elif inv == "readgap":
            d["read_gap"] = 1
        elif inv == "nextseq":
            d["next_sequence"] = len(self.layers) - 1
        return list(d.items())


def fmt(key, v):
    if key in ("processors", "output_processors"):
        return f"0x{v:016x}"
    if key in ("in_offset", "out_offset"):
        return f"0x{v:04x}"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def generate(seed, device=None):
    """The network for `seed` (deterministic)."""
    last = None
    for attempt in range(200):
        try:
            return Gen(seed, attempt, device).build()
        except Retry as e:
            last = e
    raise RuntimeError(f"seed {seed}: no network after 200 attempts ({last})")


# --- running ------------------------------------------------------------------

CRASH = re.compile(r"assert|LLVM ERROR|Stack dump|PLEASE submit a bug report|"
                   r"Segmentation fault|Aborted", re.I)
LOCATION = re.compile(r"[^\s:]+:\d+:\d+:")


def crashed(r):
    return r.returncode < 0 or r.returncode > 1 or bool(CRASH.search(r.stderr))


def first_line(text):
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return "?"


def izer_error(r):
    """The izer's first ERROR line (with the next line when the message
    starts there), or the last line of a traceback."""
    lines = [x.strip() for x in (r.stdout + r.stderr).splitlines() if x.strip()]
    for i, line in enumerate(lines):
        if line.startswith("ERROR:"):
            if line == "ERROR:" and i + 1 < len(lines):
                return "ERROR: " + lines[i + 1][:300]
            return line[:300]
    if r.returncode == -999:
        return "izer timeout"
    return (lines[-1] if lines else "no output")[:300]


def run_tool(cmd, cwd):
    # A rebuild may replace the binary while we run: wait for it a while.
    for _ in range(60):
        if os.path.exists(cmd[0]):
            break
        time.sleep(5)
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
        return subprocess.CompletedProcess(cmd, -999, out or "", "timeout")


def run_seed(cfg, seed):
    """Runs one seed; returns a result row."""
    try:
        net = generate(seed, cfg["device"])
    except Exception as e:  # a generator bug: report it, keep going
        return dict(seed=seed, device=cfg["device"] or "?", features="", outcome="GEN-ERROR",
                    detail=f"{type(e).__name__}: {e}")
    row = dict(seed=seed, device=net.device, features=";".join(net.features))
    tmp = tempfile.mkdtemp(prefix=f"rorc{seed}-", dir=cfg["tmp"])
    try:
        outcome, detail = run_network(cfg, net, tmp)
    except Exception as e:  # keep going; the row says what happened
        outcome, detail = "RUN-ERROR", f"{type(e).__name__}: {e}"
    finally:
        if cfg["keep"]:
            dest = os.path.join(cfg["keep"], str(seed))
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(tmp, dest, symlinks=True, ignore=keep_ignore)
        shutil.rmtree(tmp, ignore_errors=True)
    row.update(outcome=outcome, detail=detail)
    return row


def keep_ignore(folder, names):
    # Drop the links to the izer's test files; keep what the seed wrote.
    if os.path.basename(folder) != "tests":
        return []
    return [x for x in names if os.path.islink(os.path.join(folder, x))]


def run_network(cfg, net, tmp):
    wd = os.path.join(tmp, "wd")
    oracle.setup_workdir(cfg["izer"], cfg["conf"], wd)
    yaml_name = net.write(os.path.join(wd, "tests"))
    name = f"r{net.seed}"
    common = ["--prefix", name, "--config-file", os.path.join("tests", yaml_name),
              "--device", net.device, "--timer", "0", "--overwrite"] + net.flags
    ref, cand = os.path.join(tmp, "izer"), os.path.join(tmp, "tornado")
    with open(os.path.join(tmp, "command.txt"), "w") as f:
        f.write(" ".join(common) + "\n")
    ri = run_tool(oracle.izer_command(cfg["izer"], ref, common), wd)
    with open(os.path.join(tmp, "izer.log"), "w") as f:
        f.write(ri.stdout + ri.stderr)
    izer_ok = ri.returncode == 0 and os.path.exists(os.path.join(ref, name, "cnn.c"))
    if cfg["izer_only"]:
        return ("IZER-ACCEPTS", "") if izer_ok else ("IZER-REJECTS", izer_error(ri))
    rt = run_tool(oracle.tornadoc_command(cfg["bin"], cand, common), wd)
    with open(os.path.join(tmp, "tornadoc.log"), "w") as f:
        f.write(rt.stdout + rt.stderr)
    if crashed(rt):
        lines = [x for x in rt.stderr.splitlines() if CRASH.search(x)] or [first_line(rt.stderr)]
        what = "timeout" if rt.returncode == -999 else f"exit {rt.returncode}: {lines[0].strip()}"
        pre = "" if izer_ok else "izer rejects; "
        return "TORNADOC-CRASH", pre + what
    if not izer_ok:
        ierr = izer_error(ri)
        if rt.returncode != 0:
            msg = first_line(rt.stderr)
            loc = "file:line:col" if LOCATION.search(msg) else "no location"
            return "BOTH-REJECT", f"izer: {ierr} | tornadoc ({loc}): {msg}"
        return "TORNADOC-ACCEPTS-INVALID", f"izer: {ierr}"
    if rt.returncode != 0:
        # A refusal that says the izer's program is wrong (docs/conformance.md).
        if "the izer's program" in first_line(rt.stderr):
            return "DELIBERATE", "rejected | " + first_line(rt.stderr)
        return "TORNADOC-REJECTS", first_line(rt.stderr)
    r, differs = oracle.conform(cfg["conf"], os.path.join(ref, name), os.path.join(cand, name))
    with open(os.path.join(tmp, "conform.txt"), "w") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode > 1:
        return "CONFORM-ERROR", first_line(r.stderr or r.stdout)
    # What main() does (clocks, waits, call order) is compared too.
    if oracle.main_behaviour.compare(os.path.join(ref, name), os.path.join(cand, name)):
        differs.append("main")
    if not differs:
        return ("EQUAL", "") if r.returncode == 0 else (
            "CONFORM-ERROR", first_line(r.stderr or r.stdout))
    # tornadoc names the differences it makes on purpose (where the izer's
    # program is wrong) in a warning; docs/conformance.md lists them.
    return oracle.deliberate(rt.stderr, differs) or ("DIFFERS", " ".join(differs))


def summarize(rows):
    def counts(sel):
        acc = [r for r in sel if r["outcome"] in ("EQUAL", "DIFFERS", "DELIBERATE",
                                                   "TORNADOC-REJECTS", "CONFORM-ERROR",
                                                   "IZER-ACCEPTS")
               or (r["outcome"] == "TORNADOC-CRASH" and "izer rejects" not in r["detail"])]
        comp = [r for r in acc if r["outcome"] in ("EQUAL", "DIFFERS", "DELIBERATE",
                                                   "CONFORM-ERROR")]
        same = [r for r in comp if r["outcome"] == "EQUAL"]
        return len(sel), len(acc), len(comp), len(same)

    print()
    print(f"{'':28} {'seeds':>6} {'izer-ok':>8} {'compiled':>9} {'identical':>10}")
    for dev in sorted({r["device"] for r in rows}):
        sel = [r for r in rows if r["device"] == dev]
        print(f"{dev:28} {'%6d %8d %9d %10d' % counts(sel)}")
    print(f"{'all':28} {'%6d %8d %9d %10d' % counts(rows)}")
    print()
    tags = collections.Counter(t for r in rows for t in r["features"].split(";") if t)
    for tag in sorted(tags):
        sel = [r for r in rows if tag in r["features"].split(";")]
        print(f"{tag:28} {'%6d %8d %9d %10d' % counts(sel)}")
    print()
    by = collections.Counter((r["device"], r["outcome"]) for r in rows)
    outcomes = sorted({o for _, o in by})
    devs = sorted({d for d, _ in by})
    print(f"{'outcome':26}" + "".join(f"{d:>10}" for d in devs) + f"{'total':>8}")
    for o in outcomes:
        print(f"{o:26}" + "".join(f"{by[(d, o)]:>10}" for d in devs)
              + f"{sum(by[(d, o)] for d in devs):>8}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--seeds", type=int, default=100, help="how many seeds (default 100)")
    p.add_argument("--first", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--seed", type=int, help="run this one seed")
    p.add_argument("--jobs", type=int, default=2, help="seeds run in parallel (default 2)")
    p.add_argument("--csv", help="write one row per seed here")
    p.add_argument("--keep", help="keep each seed's files and outputs in DIR/<seed>")
    p.add_argument("--device", choices=["MAX78000", "MAX78002"])
    p.add_argument("--izer-only", action="store_true",
                   help="only run the izer (measures how many networks it accepts)")
    p.add_argument("--print", action="store_true",
                   help="print the generated networks and flags, run nothing")
    args = p.parse_args()
    seeds = [args.seed] if args.seed is not None else \
        list(range(args.first, args.first + args.seeds))
    if args.print:
        for s in seeds:
            net = generate(s, args.device)
            print(f"# seed {s} {net.device} {' '.join(net.flags)}")
            print(f"# features {';'.join(net.features)}")
            print(net.yaml)
            print("# weights", [list(w.shape) for w in net.weights],
                  "input", list(net.sample.shape))
        return 0
    izer, conf = oracle.find_oracle(args.source_root)
    if not izer:
        return corpus.SKIP
    bin_dir = os.path.abspath(args.bin)
    if not args.izer_only and not os.path.exists(os.path.join(bin_dir, "tornadoc")):
        print(f"{bin_dir}/tornadoc not found")
        return 1
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="random-oracle-") as tmp:
        cfg = dict(izer=os.path.abspath(izer), conf=conf, bin=bin_dir, tmp=tmp,
                   keep=os.path.abspath(args.keep) if args.keep else None,
                   device=args.device, izer_only=args.izer_only)
        rows = []
        work = functools.partial(run_seed, cfg)
        out = open(args.csv, "w", newline="") if args.csv else None
        writer = None
        if out:
            writer = csv.DictWriter(out, fieldnames=["seed", "device", "features", "outcome",
                                                     "detail"])
            writer.writeheader()

        def report(row):
            rows.append(row)
            print(f"{row['seed']:6} {row['device']:9} {row['outcome']:24} "
                  f"{row['detail'][:160]}", flush=True)
            if writer:
                writer.writerow(row)
                out.flush()

        if args.jobs > 1 and len(seeds) > 1:
            with multiprocessing.Pool(args.jobs) as pool:
                for row in pool.imap(work, seeds):
                    report(row)
        else:
            for s in seeds:
                report(work(s))
        if out:
            out.close()
    summarize(rows)
    bad = [r for r in rows if r["outcome"] in ("DIFFERS", "TORNADOC-REJECTS", "TORNADOC-CRASH",
                                               "CONFORM-ERROR", "GEN-ERROR", "RUN-ERROR")]
    if args.izer_only:
        return 0
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
