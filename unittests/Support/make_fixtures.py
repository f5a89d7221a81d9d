#!/usr/bin/python3
"""Writes the test fixtures for TornadoSupport's checkpoint and .npy readers.

Usage: make_fixtures.py OUT_DIR [--corpus INPUTS_DIR]

Run at test time (CTest fixture) with Debian's /usr/bin/python3, python3-torch
and python3-numpy. Whatever cannot be produced because a module is missing is
skipped; the C++ tests skip the checks whose files are absent.

Layout of OUT_DIR:
  ckpt/*.pth.tar     valid checkpoints (zip and legacy formats)
  bad/*.pth.tar      corrupt checkpoints
  npy/*.npy          valid arrays          npy_bad/*.npy  invalid arrays
  npy_stream/*.npy   arrays saved back to back into one file
  expected.tsv       file, value path, dtype, shape, values of every tensor
                     and array we check (values as Python repr)
  bad.tsv            file, a substring the loader's error must contain
  corpus.tsv         digests of the conformance inputs, when --corpus is given
"""

import collections
import hashlib
import io
import os
import pickle
import shutil
import struct
import sys
import zlib

try:
    import numpy as np
except ImportError:  # pragma: no cover - depends on the machine
    np = None
try:
    import torch
    import torch._utils
except ImportError:  # pragma: no cover
    torch = None


# --------------------------------------------------------------------------
# Output bookkeeping
# --------------------------------------------------------------------------

class Out:
    def __init__(self, root):
        self.root = root
        self.expected = []
        self.bad = []
        self.corpus = []
        for sub in ("ckpt", "bad", "npy", "npy_bad", "npy_stream"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, data):
        with open(self.path(rel), "wb") as f:
            f.write(data)

    def expect_values(self, rel, key_path, dtype, shape, values):
        shape_text = ",".join(str(d) for d in shape)
        self.expected.append("\t".join(
            [rel, key_path, dtype, shape_text, " ".join(values)]))

    def expect_error(self, rel, substring):
        self.bad.append(rel + "\t" + substring)

    def finish(self):
        with open(self.path("expected.tsv"), "w") as f:
            f.write("\n".join(self.expected) + "\n")
        with open(self.path("bad.tsv"), "w") as f:
            f.write("\n".join(self.bad) + "\n")
        if self.corpus:
            with open(self.path("corpus.tsv"), "w") as f:
                f.write("\n".join(self.corpus) + "\n")


def value_text(x):
    """Exact text for one element: repr round-trips floats; bools are 0/1."""
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, float):
        return repr(x)
    return str(int(x))


# --------------------------------------------------------------------------
# Hand-written zip writer: lets us emit exact (and exactly broken) archives.
# --------------------------------------------------------------------------

def make_zip(records, zip64=True):
    """records: list of (name, bytes). STORED entries, no data descriptors."""
    out = bytearray()
    central = bytearray()
    for name, data in records:
        name_b = name.encode()
        offset = len(out)
        crc = zlib.crc32(data) & 0xFFFFFFFF
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc,
                           len(data), len(data), len(name_b), 0)
        out += name_b + data
        if zip64:
            extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
            sizes = (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        else:
            extra = b""
            sizes = (len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0,
                               0, 0, crc, sizes[0], sizes[1], len(name_b),
                               len(extra), 0, 0, 0, 0, sizes[2])
        central += name_b + extra
    cd_offset = len(out)
    out += central
    count = len(records)
    if zip64:
        end64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count,
                           count, len(central), cd_offset)
        out += struct.pack("<IIQI", 0x07064B50, 0, end64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF,
                           0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count,
                           len(central), cd_offset, 0)
    return bytes(out)


# --------------------------------------------------------------------------
# Crafted pickles with arbitrary storage/tensor metadata.
# --------------------------------------------------------------------------

class FakeStorage:
    """Pickled as the persistent id it carries."""

    def __init__(self, pid):
        self.pid = pid


class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2,
                self.args + (False, collections.OrderedDict()))


class FakePickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            return obj.pid
        return None


def fake_pickle(obj, protocol=2):
    buf = io.BytesIO()
    FakePickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


def float_storage(key, numel):
    return FakeStorage(("storage", torch.FloatStorage, key, "cpu", numel))


def floats(values):
    return struct.pack("<%df" % len(values), *values)


# --------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------

class Custom:
    """A user class the C++ side never heard of."""

    def __init__(self):
        self.name = "custom"
        self.weights = torch.tensor([1.0, 2.0]) if torch else None
        self.count = 3


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def tensor_values(t):
    flat = t.detach().contiguous().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.to(torch.float64)
    return [value_text(x) for x in flat.tolist()]


def expect_tensor(out, rel, key_path, t):
    out.expect_values(rel, key_path, dtype_name(t.dtype), list(t.shape),
                      tensor_values(t))


def dtype_state():
    sd = collections.OrderedDict()
    sd["f32"] = torch.tensor([[1.5, -2.25, 3.0e-8, 1e30],
                              [0.0, -0.0, float("inf"), float("nan")]])
    sd["f64"] = torch.tensor([1.0 / 3.0, -2.5e-300, 1e300], dtype=torch.float64)
    sd["f16"] = torch.tensor([0.5, -65504.0, 6e-8, 1.0009765625, float("-inf")],
                             dtype=torch.float16)
    sd["bf16"] = torch.tensor([1.0, -3.0e38, 0.0078125, 1e-40],
                              dtype=torch.bfloat16)
    sd["i64"] = torch.tensor([2**62, -2**63, 0, -1, 123456789012])
    sd["i32"] = torch.tensor([2**31 - 1, -2**31, 5], dtype=torch.int32)
    sd["i16"] = torch.tensor([32767, -32768, -1], dtype=torch.int16)
    sd["i8"] = torch.tensor([[127, -128], [0, -5]], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 255, 128], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True, True])
    sd["scalar"] = torch.tensor(3.5)
    sd["empty"] = torch.zeros(0, 3)
    gen = torch.Generator().manual_seed(1234)
    sd["conv1.weight"] = torch.randn(4, 1, 3, 3, generator=gen)
    return sd


def view_state():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    sd = collections.OrderedDict()
    sd["base"] = base
    sd["transposed"] = base.t()
    sd["sliced"] = base[1:3, 2:5]
    sd["stepped"] = base[::2, ::3]
    sd["row"] = base[2]
    sd["expanded"] = torch.arange(3).expand(4, 3)
    sd["int16_t"] = torch.arange(12, dtype=torch.int16).reshape(3, 4).t()
    sd["strided_1d"] = torch.arange(10.0, dtype=torch.float64)[3::2]
    sd["permuted"] = torch.arange(60).reshape(3, 4, 5).permute(2, 0, 1)
    return sd


class TinyNet(torch.nn.Module if torch else object):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 2, 3)
        self.bn = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        x = self.bn(self.conv1(x))
        return self.fc(x.flatten(1)[:, :8])


def full_checkpoint():
    torch.manual_seed(7)
    model = TinyNet()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = model(torch.randn(2, 1, 5, 5)).sum()
    loss.backward()
    opt.step()
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3)
    shared = [1, 2, 3]
    sd = model.state_dict()
    extras = {
        "best_top1": np.float64(99.25),
        "np_int": np.int64(7),
        "np_array": np.arange(3),
        "clipping_method": "MAX_BIT_SHIFT",
        "nested": {"a": [1, 2, (3, "x")], "b": None, "c": True, "d": 2.5,
                   "e": b"\x00\x01", "f": {4, 5}, "big": 2**70,
                   "neg": -2**40, "deep": [[[[1]]]], 1: "int key"},
        "custom": Custom(),
        "shared_a": shared,
        "shared_b": shared,
        "alias": sd["conv1.weight"],
    }
    return {
        "epoch": 42,
        "arch": "ai85net5",
        "state_dict": sd,
        "optimizer_state_dict": opt.state_dict(),
        "optimizer_type": torch.optim.SGD,
        "optimizer": opt,
        "scheduler_state_dict": sched.state_dict(),
        "extras": extras,
    }


def save(obj, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    return buf.getvalue()


def legacy_stream(obj_pickle, storages, keys=None, magic=None):
    """A legacy-format file around a crafted object pickle.

    storages: list of (key, element_count, raw bytes) in file order."""
    parts = [pickle.dumps(magic if magic is not None
                          else 0x1950A86A20F9469CFC6C, protocol=2),
             pickle.dumps(1001, protocol=2),
             pickle.dumps({"protocol_version": 1001, "little_endian": True,
                           "type_sizes": {"short": 2, "int": 4, "long": 8}},
                          protocol=2),
             obj_pickle,
             pickle.dumps(keys if keys is not None
                          else [k for k, _, _ in storages], protocol=2)]
    for _, numel, raw in storages:
        parts.append(struct.pack("<q", numel) + raw)
    return b"".join(parts)


def write_checkpoints(out):
    # dtypes and views, in both formats.
    for stem, state in (("dtypes", dtype_state()), ("views", view_state())):
        obj = {"arch": "ai85net5", "epoch": 7, "state_dict": state}
        for fmt, kwargs in (("zip", {}),
                            ("legacy", {"_use_new_zipfile_serialization":
                                        False})):
            rel = "ckpt/%s_%s.pth.tar" % (stem, fmt)
            out.write(rel, save(obj, **kwargs))
            for key, t in state.items():
                expect_tensor(out, rel, "state_dict/" + key, t)

    full = full_checkpoint()
    for rel, kwargs in (("ckpt/full_zip.pth.tar", {}),
                        ("ckpt/full_legacy.pth.tar",
                         {"_use_new_zipfile_serialization": False}),
                        ("ckpt/full_proto4.pth.tar", {"pickle_protocol": 4}),
                        ("ckpt/full_proto5.pth.tar", {"pickle_protocol": 5})):
        out.write(rel, save(full, **kwargs))
        for key, t in full["state_dict"].items():
            expect_tensor(out, rel, "state_dict/" + key, t)
        for index, state in full["optimizer_state_dict"]["state"].items():
            expect_tensor(out, rel,
                          "optimizer_state_dict/state/#%d/momentum_buffer"
                          % index, state["momentum_buffer"])
        expect_tensor(out, rel, "extras/alias", full["extras"]["alias"])

    bare = full["state_dict"]
    out.write("ckpt/bare_zip.pth.tar", save(bare))
    for key, t in bare.items():
        expect_tensor(out, "ckpt/bare_zip.pth.tar", key, t)

    # Crafted: zip with and without ZIP64 records, legacy storage views.
    ok_pickle = fake_pickle({"state_dict": collections.OrderedDict(
        [("w", FakeTensor(float_storage("0", 6), 0, (2, 3), (3, 1))),
         ("wt", FakeTensor(float_storage("0", 6), 1, (2, 2), (1, 3)))])})
    six = floats([0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
    records = [("archive/data.pkl", ok_pickle), ("archive/data/0", six)]
    for rel, zip64 in (("ckpt/crafted_zip64.pth.tar", True),
                       ("ckpt/crafted_zip32.pth.tar", False)):
        out.write(rel, make_zip(records, zip64=zip64))
        out.expect_values(rel, "state_dict/w", "float32", [2, 3],
                          ["0.5", "1.5", "2.5", "3.5", "4.5", "5.5"])
        out.expect_values(rel, "state_dict/wt", "float32", [2, 2],
                          ["1.5", "4.5", "2.5", "5.5"])
    # Thousands of size-1 dimensions around a transposed 2x3 view.
    sizes = (2,) + (1,) * 3000 + (3,)
    strides = (1,) + (7,) * 3000 + (2,)
    tall = fake_pickle({"state_dict": collections.OrderedDict(
        [("t", FakeTensor(float_storage("0", 6), 0, sizes, strides))])})
    out.write("ckpt/crafted_high_rank.pth.tar",
              make_zip([("archive/data.pkl", tall), ("archive/data/0", six)]))
    out.expect_values("ckpt/crafted_high_rank.pth.tar", "state_dict/t",
                      "float32", list(sizes),
                      ["0.5", "2.5", "4.5", "1.5", "3.5", "5.5"])
    big = make_zip([("archive/data.pkl", ok_pickle),
                    ("archive/byteorder", b"big"),
                    ("archive/data/0", struct.pack(">6f", 0.5, 1.5, 2.5, 3.5,
                                                   4.5, 5.5))])
    out.write("ckpt/crafted_bigendian.pth.tar", big)
    out.expect_values("ckpt/crafted_bigendian.pth.tar", "state_dict/w",
                      "float32", [2, 3],
                      ["0.5", "1.5", "2.5", "3.5", "4.5", "5.5"])

    view_pid = ("storage", torch.FloatStorage, "root", "cpu", 8,
                ("view1", 2, 5))
    legacy_view = legacy_stream(
        fake_pickle({"state_dict": collections.OrderedDict(
            [("v", FakeTensor(FakeStorage(view_pid), 1, (2, 2), (2, 1)))])}),
        [("root", 8, floats([0, 1, 2, 3, 4, 5, 6, 7]))])
    out.write("ckpt/crafted_legacy_view.pth.tar", legacy_view)
    # view = root[2:7] = 2..6; tensor offset 1, (2,2) strides (2,1): 3 4 5 6
    out.expect_values("ckpt/crafted_legacy_view.pth.tar", "state_dict/v",
                      "float32", [2, 2], ["3.0", "4.0", "5.0", "6.0"])


def write_bad_checkpoints(out):
    good = save({"arch": "x", "epoch": 1, "state_dict": dtype_state()})
    good_legacy = save({"state_dict": dtype_state()},
                       _use_new_zipfile_serialization=False)

    def bad(name, data, message):
        rel = "bad/" + name + ".pth.tar"
        out.write(rel, data)
        out.expect_error(rel, message)

    def bad_pickle(name, pkl, message, storages=()):
        records = [("archive/data.pkl", pkl)] + list(storages)
        bad(name, make_zip(records), message)

    bad("empty", b"", "empty checkpoint file")
    bad("text", b"hello, this is not a checkpoint\n", "not a PyTorch checkpoint")
    bad("truncated_half", good[:len(good) // 2],
        "end of central directory record not found")
    bad("truncated_tail", good[:-30], "end of central directory record not found")
    bad("truncated_legacy", good_legacy[:-5], "truncated")
    tar = bytearray(1024)
    tar[0:9] = b"something"
    tar[257:263] = b"ustar\0"
    bad("tar", bytes(tar), "tar-format checkpoints")

    # Directory damage, applied to a crafted archive whose layout we know.
    storage = ("archive/data/0", floats([1, 2, 3, 4, 5, 6]))
    pkl = fake_pickle({"state_dict": {"w": FakeTensor(float_storage("0", 6),
                                                      0, (6,), (1,))}})
    base = bytearray(make_zip([("archive/data.pkl", pkl), storage]))
    cd = base.find(b"PK\x01\x02")
    end64 = base.find(b"PK\x06\x06")

    damaged = bytearray(base)
    damaged[cd + 3] = 0x07
    bad("bad_cd_signature", bytes(damaged),
        "bad central directory entry signature")

    damaged = bytearray(base)
    struct.pack_into("<Q", damaged, end64 + 48, len(base) * 4)
    bad("cd_offset_out_of_range", bytes(damaged), "lies outside the file")

    damaged = bytearray(base)
    struct.pack_into("<Q", damaged, end64 + 24, 0xFFFFFFFFFFFF)
    struct.pack_into("<Q", damaged, end64 + 32, 0xFFFFFFFFFFFF)
    bad("huge_entry_count", bytes(damaged), "claims")

    # The first local header's signature doubles as the file magic, so
    # damage the second one.
    damaged = bytearray(base)
    second = base.find(b"PK\x03\x04", 4)
    damaged[second + 2] = 0x09
    bad("bad_local_signature", bytes(damaged), "bad local header signature")

    damaged = bytearray(base)
    # ZIP64 extra of the first central entry: huge uncompressed/compressed.
    name_len = struct.unpack_from("<H", base, cd + 28)[0]
    extra = cd + 46 + name_len
    struct.pack_into("<QQ", damaged, extra + 4, 1 << 40, 1 << 40)
    bad("huge_entry_size", bytes(damaged), "lies outside the file")

    last_data = base.find(floats([1, 2, 3, 4, 5, 6]))
    damaged = bytearray(base)
    damaged[last_data + 5] ^= 0x40
    bad("crc_mismatch", bytes(damaged), "CRC-32")

    bad("duplicate_entry",
        make_zip([("archive/data.pkl", pkl), storage, storage]),
        "duplicate entry")
    bad("no_data_pkl", make_zip([storage]), "no <dir>/data.pkl")

    buf = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/data/0", storage[1])
    bad("deflated", buf.getvalue(), "compression method 8")

    # Storage/tensor metadata that does not match the data.
    bad_pickle("storage_size_mismatch", pkl, "holds 20 bytes",
               [("archive/data/0", storage[1][:20])])
    bad_pickle("storage_missing", pkl, "is missing")
    bad_pickle("huge_numel",
               fake_pickle({"w": FakeTensor(float_storage("0", 2**60), 0,
                                            (4,), (1,))}),
               "more than the", [storage])
    bad_pickle("view_out_of_bounds",
               fake_pickle({"w": FakeTensor(float_storage("0", 6), 0, (3, 3),
                                            (3, 1))}),
               "exceeds its storage", [storage])
    bad_pickle("huge_view",
               fake_pickle({"w": FakeTensor(float_storage("0", 6), 0,
                                            (2**20, 2**20), (1, 1))}),
               "exceeds its storage", [storage])
    bad_pickle("overflow_view",
               fake_pickle({"w": FakeTensor(float_storage("0", 6), 0,
                                            (2**62, 4), (4, 1))}),
               "overflow", [storage])
    bad_pickle("expand_bomb",
               fake_pickle({"w": FakeTensor(float_storage("0", 6), 0,
                                            (2**20, 2**20), (0, 0))}),
               "out of proportion", [storage])
    bad_pickle("negative_stride",
               fake_pickle({"w": FakeTensor(float_storage("0", 6), 5, (6,),
                                            (-1,))}),
               "non-negative", [storage])

    # Pickle damage.
    unknown = bytearray(pkl)
    unknown.insert(2, 0xFF)
    bad_pickle("unknown_opcode", bytes(unknown),
               "unsupported pickle opcode 0xff", [storage])
    bad_pickle("stack_underflow", b"\x80\x02a.", "stack underflow")
    bad_pickle("no_stop", b"\x80\x02N", "without a STOP")
    bad_pickle("missing_memo", b"\x80\x02h\x05.", "memo entry 5")
    bad_pickle("huge_string", b"\x80\x02X\xf0\xff\xff\xff" + b"abc",
               "exceeds")
    bad_pickle("protocol_6", b"\x80\x06N.", "unsupported pickle protocol 6")
    cyclic = []
    cyclic.append(cyclic)
    bad_pickle("cycle", pickle.dumps(cyclic, protocol=2), "reference cycle")
    bad_pickle("deep", b"\x80\x02" + b"]" * 1000 + b"a" * 999 + b".",
               "nesting deeper")
    bad_pickle("mark_barrier", b"\x80\x02]((a.", "stack underflow")

    # Legacy-format damage.
    six_legacy = [("k", 6, floats([1, 2, 3, 4, 5, 6]))]
    legacy_pkl = fake_pickle({"w": FakeTensor(FakeStorage(
        ("storage", torch.FloatStorage, "k", "cpu", 6, None)), 0, (6,), (1,))})
    bad("legacy_bad_magic", legacy_stream(legacy_pkl, six_legacy, magic=12345),
        "wrong magic number")
    bad("legacy_count_mismatch",
        legacy_stream(legacy_pkl, [("k", 5, floats([1, 2, 3, 4, 5]))]),
        "holds 5 elements")
    bad("legacy_unknown_key",
        legacy_stream(legacy_pkl, six_legacy, keys=["k", "zz"]),
        "not referenced")
    bad("legacy_missing_data", legacy_stream(legacy_pkl, [], keys=[]),
        "has no data")
    bad("legacy_truncated_storage",
        legacy_stream(legacy_pkl, six_legacy)[:-7], "truncated")


# --------------------------------------------------------------------------
# .npy files
# --------------------------------------------------------------------------

NPY_VALUES = {
    "b1": [True, False, True, True, False, True],
    "i1": [-128, 127, 0, -1, 5, 100],
    "u1": [0, 255, 128, 1, 2, 3],
    "i2": [-32768, 32767, -1, 0, 258, 7],
    "u2": [0, 65535, 258, 1, 2, 3],
    "i4": [-2**31, 2**31 - 1, -1, 0, 65536, 9],
    "u4": [0, 2**32 - 1, 65536, 1, 2, 3],
    "i8": [-2**63, 2**63 - 1, -1, 0, 2**40, 11],
    "u8": [0, 2**64 - 1, 2**63, 1, 2, 3],
    "f2": [0.5, -65504.0, 6e-8, 1.0009765625, float("inf"), -0.0],
    "f4": [1.5, -2.25, 3.0e-8, 1e30, float("-inf"), float("nan")],
    "f8": [1.0 / 3.0, -2.5e-300, 1e300, 0.0, -7.0, 2.0**60],
}


def npy_dtype_name(dt):
    return "bool" if dt.kind == "b" else dt.name


def write_npy_file(out, rel, arr, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, arr, version=version,
                                  allow_pickle=False)
    out.write(rel, buf.getvalue())
    vals = [value_text(x) for x in np.ravel(arr).tolist()]
    out.expect_values(rel, "", npy_dtype_name(arr.dtype), list(arr.shape),
                      vals)


def write_npy(out):
    for code, values in NPY_VALUES.items():
        orders = ["|"] if code in ("b1", "i1", "u1") else ["<", ">"]
        for order in orders:
            arr = np.array(values, dtype=np.dtype(order + code)).reshape(2, 3)
            tag = {"<": "le", ">": "be", "|": "na"}[order]
            write_npy_file(out, "npy/%s_%s.npy" % (code, tag), arr)
    grid = (np.arange(24, dtype=np.int64) - 5).reshape(2, 3, 4)
    for version in ((1, 0), (2, 0), (3, 0)):
        write_npy_file(out, "npy/version_%d.npy" % version[0], grid,
                       version=version)
    write_npy_file(out, "npy/scalar.npy", np.array(-3.25, dtype=np.float32))
    write_npy_file(out, "npy/empty.npy", np.zeros((0, 4), dtype=np.int32))
    write_npy_file(out, "npy/vector.npy", np.arange(70000, dtype=np.int8) % 7)
    write_npy_file(out, "npy/wide.npy",
                   np.arange(2 * 3 * 4 * 5 * 6, dtype=np.float64)
                   .reshape(2, 3, 4, 5, 6))

    # A stream of arrays saved back to back into one file.
    stream = io.BytesIO()
    parts = [np.arange(4, dtype=np.int64).reshape(2, 2),
             np.array([1.5, -2.5], dtype=">f4"),
             np.zeros((0,), dtype=np.int8),
             np.array(True)]
    for arr in parts:
        np.save(stream, arr, allow_pickle=False)
    out.write("npy_stream/stream.npy", stream.getvalue())
    for index, arr in enumerate(parts):
        out.expect_values("npy_stream/stream.npy", "#%d" % index,
                          npy_dtype_name(arr.dtype), list(arr.shape),
                          [value_text(x) for x in np.ravel(arr).tolist()])
    bad_stream = stream.getvalue() + b"\x93NUMPY\x01\x00\x10"
    out.write("npy_stream/bad_stream.npy", bad_stream)
    out.expect_error("npy_stream/bad_stream.npy", "array 4 at offset")

    def bad(name, data, message):
        rel = "npy_bad/%s.npy" % name
        out.write(rel, data)
        out.expect_error(rel, message)

    def saved(arr, allow_pickle=False):
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=allow_pickle)
        return buf.getvalue()

    def with_header(text, data=b"", version=1):
        header = text.encode("latin1") + b"\n"
        if version == 1:
            return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + \
                header + data
        return b"\x93NUMPY" + bytes([version, 0]) + \
            struct.pack("<I", len(header)) + header + data

    good = saved(np.arange(6, dtype=np.int64).reshape(2, 3))
    bad("fortran", saved(np.asfortranarray(np.arange(6).reshape(2, 3))),
        "Fortran-order")
    bad("object", saved(np.array([1, "a"], dtype=object), allow_pickle=True),
        "object arrays")
    bad("structured", saved(np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")])),
        "structured")
    bad("complex", saved(np.zeros(2, dtype=np.complex64)), "unsupported dtype")
    bad("unicode", saved(np.array(["ab", "c"])), "unsupported dtype")
    bad("bad_magic", b"\x93NUMPX" + good[6:], "magic")
    bad("too_short", b"\x93NUM", "magic")
    bad("truncated_data", good[:-3], "more elements than")
    bad("trailing_data", good + b"\x00\x01", "unexpected bytes")
    bad("header_too_long", good[:8] + b"\xff\xff" + good[10:40],
        "header length")
    bad("huge_shape",
        with_header("{'descr': '<i8', 'fortran_order': False, "
                    "'shape': (4611686018427387904, 4611686018427387904), }",
                    b"\x00" * 16),
        "more elements than")
    bad("overflowing_dim",
        with_header("{'descr': '<i8', 'fortran_order': False, "
                    "'shape': (99999999999999999999999,), }"),
        "too large")
    bad("version_4", b"\x93NUMPY\x04\x00" + good[8:], "unsupported format "
        "version 4.0")
    bad("not_a_dict", with_header("[1, 2, 3]"), "not a dict")
    bad("missing_key",
        with_header("{'descr': '<i8', 'shape': (1,), }", b"\x00" * 8),
        "lacks")
    bad("unknown_key",
        with_header("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), "
                    "'extra': 1, }", b"\x00" * 8),
        "unexpected header key")
    bad("int_shape",
        with_header("{'descr': '<i8', 'fortran_order': False, 'shape': (1), }",
                    b"\x00" * 8),
        "not a tuple")
    bad("unterminated",
        with_header("{'descr': '<i8, 'fortran_order': False, 'shape': (1,)}"),
        "expected ',' or '}'")
    bad("v2_truncated_length", b"\x93NUMPY\x02\x00\x10\x00", "truncated")


# --------------------------------------------------------------------------
# Conformance corpus digests
# --------------------------------------------------------------------------

def sha256_tensor(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return hashlib.sha256(t.numpy().tobytes()).hexdigest()


def write_corpus(out, inputs):
    for dirpath, _, files in sorted(os.walk(inputs)):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, inputs)
            if name.endswith(".npy") and np is not None:
                # The izer's sample weight/bias files hold one array per
                # layer, saved back to back; read them the way it does.
                with open(path, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    index = 0
                    while f.tell() < size:
                        arr = np.load(f, allow_pickle=False)
                        arr = np.ascontiguousarray(
                            arr, dtype=arr.dtype.newbyteorder("<"))
                        out.corpus.append("\t".join(
                            ["npy", rel, str(index), npy_dtype_name(arr.dtype),
                             ",".join(str(d) for d in arr.shape),
                             hashlib.sha256(arr.tobytes()).hexdigest()]))
                        index += 1
            elif name.endswith(".pth.tar") and torch is not None:
                ckpt = torch.load(path, map_location="cpu")
                sd = ckpt.get("state_dict", ckpt) if isinstance(ckpt, dict) \
                    else {}
                tensors = [(k, v) for k, v in sd.items()
                           if isinstance(k, str) and torch.is_tensor(v)]
                arch = ckpt.get("arch", "") if isinstance(ckpt, dict) else ""
                epoch = ckpt.get("epoch", "") if isinstance(ckpt, dict) else ""
                out.corpus.append("\t".join(
                    ["ckpt", rel, str(arch), str(epoch), str(len(tensors))]))
                for key, t in tensors:
                    out.corpus.append("\t".join(
                        ["tensor", rel, key, dtype_name(t.dtype),
                         ",".join(str(d) for d in t.shape), sha256_tensor(t)]))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    corpus = None
    if len(argv) >= 4 and argv[2] == "--corpus":
        corpus = argv[3]
    if os.path.isdir(root):
        shutil.rmtree(root)
    out = Out(root)
    if np is None:
        print("make_fixtures: numpy missing; no fixtures written")
    else:
        write_npy(out)
    if torch is None or np is None:
        print("make_fixtures: torch missing; no checkpoint fixtures written")
    else:
        write_checkpoints(out)
        write_bad_checkpoints(out)
    if corpus and os.path.isdir(corpus):
        write_corpus(out, corpus)
    out.finish()
    print("make_fixtures: %d expected tensors, %d bad files, %d corpus lines "
          "written to %s" % (len(out.expected), len(out.bad), len(out.corpus),
                             root))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
