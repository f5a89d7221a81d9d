"""Property test of automatic data-memory placement.

usage: random_nets.py BUILD_BIN [--seeds N] [--first S] [-v] [--keep FILE]
                      [--max-rejected N] [--run-limit N]

Generates N small random valid networks (chains, element-wise branches,
residual blocks whose skip map is also read by a convolution, element-wise
layers sharing operands with 2 and 3 operands, the network input as an
operand, concatenations across processors and over 64 channels, multi-pass
and 32-bit maps, pooling) and places each on MAX78000 and on MAX78002 with
tornado-assign-processors, tornado-assign-offsets and tornado-check-hazards
in one tornado-opt call per device. Every placed network is then checked
with its own simple model (written independently of
lib/Transforms/MemoryMap.cpp): every layer reads where its inputs were
written (interleaved operands 4 bytes apart with write_gap n - 1, plain
readers with read_gap equal to the write gap, none on MAX78000), layers
without convolution keep their data in its group of 16 processors, every map
fits its instance, no two maps that are live at the same time share an
(instance, byte lane, word), and the layer count fits the device. Networks
the passes changed (pass-through copies; the first --run-limit of them)
are run by tornado-run before and after on a random input and must give
the same output. Networks the passes
reject are counted with the first line of their error. Prints
"N of M placements accepted (R rejected, r%), 0 overlaps, 0 problems";
exits 1 on any problem or when more than --max-rejected are rejected.
"""
import argparse
import collections
import os
import random
import re
import subprocess
import sys
import tempfile

PIPELINE = ("builtin.module(tornado.network(tornado-assign-processors,"
            "tornado-assign-offsets,tornado-check-hazards))")
DEVICES = ("max78000", "max78002")
INSTANCE_BYTES = {"max78000": 32768, "max78002": 81920}
MAX_LAYERS = {"max78000": 32, "max78002": 128}


# --- generator -------------------------------------------------------------

def gen_network(seed, device):
    """The network for `seed` (the same topology on every device)."""
    rnd = random.Random(seed)
    size = rnd.choice([4, 8, 16])
    in_ch = rnd.choice([1, 3, 4, 16])
    lines = []
    vals = [("%in", in_ch, size)]  # (name, channels, size)
    n = [0]

    def layer(inputs, out_ch, kind="conv", pool=False, wide=False, k=3,
              eltwise=None):
        name = f"l{n[0]}"
        res = f"%{n[0]}"
        n[0] += 1
        ch_in = inputs[0][1] if eltwise else sum(v[1] for v in inputs)
        sz = inputs[0][2]
        attrs = []
        if pool:
            attrs.append("pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], "
                         "dilation = [1, 1]>")
            sz //= 2
        if eltwise:
            attrs.append(f"eltwise = #tornado.eltwise<{eltwise}>")
        if kind == "conv":
            attrs.append("op = #tornado.op<conv2d>")
            attrs.append(f"kernel = array<i64: {k}, {k}>")
            if k == 3:
                attrs.append("padding = array<i64: 1, 1>")
            attrs.append(f"weights = dense<1> : tensor<{out_ch}x{ch_in}x{k}x{k}xi8>")
        else:
            out_ch = ch_in
        ety = "i8"
        if wide:
            attrs.append("output_width = 32 : i64")
            ety = "i32"
        in_types = ", ".join(f"tensor<{v[1]}x{v[2]}x{v[2]}xi8>" for v in inputs)
        out_type = f"tensor<{out_ch}x{sz}x{sz}x{ety}>"
        lines.append(f'  {res} = tornado.layer "{name}"({", ".join(v[0] for v in inputs)}) '
                     f'{{{", ".join(attrs)}}} : ({in_types}) -> {out_type}')
        v = (res, out_ch, sz)
        vals.append(v)
        return v

    def conv(src, c, pool=False):
        return layer([src], c, pool=pool, k=rnd.choice([1, 3]))

    def ew(inputs, op=None, pool=False, keep=False):
        # Sometimes the sum is convolved in the same layer (keeping the
        # channel count if the result is an operand again).
        op = op or rnd.choice(["add", "add", "sub", "xor"])
        fuse = rnd.random() < 0.4
        # MAX78000 runs multi-pass element-wise operations other than 2 x 2
        # emulated, without pooling or a convolution, and pools without a
        # convolution over one pass only (the izer's rules; the verifier's).
        passes = passes_of(inputs[0][1])[0]
        if device == "max78000" and passes > 1:
            pool = False
            if not (len(inputs) == 2 and passes == 2):
                fuse = False
        if fuse:
            out = inputs[0][1] if keep else rnd.choice([4, 8, 16])
            return layer(inputs, out, pool=pool, eltwise=op, k=rnd.choice([1, 3]))
        return layer(inputs, 0, kind="none", pool=pool, eltwise=op)

    cur = vals[0]
    for _ in range(rnd.randint(1, 6)):
        choice = rnd.random()
        pool = cur[2] >= 8 and rnd.random() < 0.3
        c = rnd.choice([4, 8, 16, 32, 96, 128] if choice < 0.55 else [4, 8, 16, 32])
        if choice < 0.15 and cur[2] >= 2:
            # Element-wise sum of two branches read only by the sum.
            a = conv(cur, c, pool)
            b = conv(cur, c, pool)
            cur = ew([a, b])
        elif choice < 0.3:
            # Residual block: the skip map is read by the next convolution
            # and by the sum.
            a = conv(cur, c, pool)
            b = conv(a, c)
            cur = ew([a, b] if rnd.random() < 0.5 else [b, a],
                     pool=cur[2] >= 8 and rnd.random() < 0.3)
        elif choice < 0.4 and cur[1] <= 64:
            # The previous map (maybe the network input) as an operand.
            b = conv(cur, cur[1])
            cur = ew([cur, b])
        elif choice < 0.5:
            # Element-wise layers sharing operands (2 and 3 operands).
            a = conv(cur, c, pool)
            b = conv(cur, c, pool)
            d = ew([a, b], op="sub", keep=True)
            t = ew([a, b, d], op="add", keep=True)
            cur = ew([t, b], op="xor") if rnd.random() < 0.5 else t
        elif choice < 0.6:
            # Concatenation across processors.
            c1, c2 = rnd.choice([4, 8, 12]), rnd.choice([4, 8, 20])
            a = conv(cur, c1, pool)
            b = conv(cur, c2, pool)
            cur = layer([a, b], rnd.choice([8, 16]), k=1)
        elif choice < 0.68:
            # Concatenation over 64 channels: one input per pass.
            half = rnd.choice([40, 48, 64])
            a = conv(cur, half, pool)
            b = conv(cur, half, pool)
            cur = layer([a, b], rnd.choice([8, 16]), k=1)
        else:
            cur = conv(cur, rnd.choice([4, 8, 16, 32, 60, 64, 96, 128]), pool)
    wide = rnd.random() < 0.3
    if wide:
        cur = layer([cur], rnd.choice([4, 10]), wide=True, k=1)
    ety = "i32" if wide else "i8"
    out_type = f"tensor<{cur[1]}x{cur[2]}x{cur[2]}x{ety}>"
    head = (f"tornado.network @n{seed}(%in: tensor<{in_ch}x{size}x{size}xi8>) -> {out_type}\n"
            f"    attributes {{device = #tornado.device<{device}>, "
            f"input_format = #tornado.data_format<hwc>}} {{")
    return "\n".join([head] + lines + [f"  tornado.return {cur[0]} : {out_type}", "}"])


# --- independent checker ---------------------------------------------------

def passes_of(channels):
    p = max(1, (channels + 63) // 64)
    per = (channels + p - 1) // p
    if channels > 64:
        per = min((per + 3) & ~3, 64)
    return p, per


def bits(mask):
    return [i for i in range(64) if mask >> i & 1]


def parse(text):
    nets = []
    for m in re.finditer(r"tornado\.network @(\w+)\((.*?)\) -> .*? attributes \{(.*?)\} \{(.*?)\n  \}",
                         text, re.S):
        name, args, nattrs, body = m.groups()
        dev = re.search(r"device<(\w+)>", nattrs).group(1)
        arg = re.match(r"(%\w+): tensor<(\d+)x(\d+)x(\d+)xi8>", args)
        layers = []
        for lm in re.finditer(r'(%\w+) = layer "(\w+)"\(([^)]*)\) \{(.*?)\} : \((.*?)\) -> '
                              r'tensor<(\d+)x(\d+)x(\d+)x(i8|i32)>', body):
            res, lname, ins, attrs, in_types, c, h, w, ety = lm.groups()

            def get(key, default=None):
                mm = re.search(rf"\b{key} = (?:#tornado\.procs<)?(0x[0-9a-f]+|\d+)", attrs)
                return int(mm.group(1), 0) if mm else default
            in_ch = [int(x) for x in re.findall(r"tensor<(\d+)x", in_types)]
            layers.append(dict(res=res, name=lname,
                               ins=[s.strip() for s in ins.split(",")],
                               procs=get("processors"), oprocs=get("output_processors"),
                               inoff=get("in_offset"), outoff=get("out_offset"),
                               gap=get("write_gap", 0), rgap=get("read_gap", 0),
                               eltwise="eltwise" in attrs, in_ch=in_ch,
                               conv="op = #tornado.op<" in attrs,
                               ch=int(c), pixels=int(h) * int(w), wide=ety == "i32"))
        ret = re.search(r"return (%\w+)", body).group(1)
        nets.append(dict(name=name, dev=dev, arg=arg.group(1), in_ch=int(arg.group(2)),
                         in_pixels=int(arg.group(3)) * int(arg.group(4)),
                         layers=layers, ret=ret))
    return nets


def words(procs, offset, channels, pixels, gap, wide):
    """Set of (instance, lane, word) a map occupies."""
    passes, _ = passes_of(channels)
    s = 4 if wide else 1
    out = set()
    for p in bits(procs):
        lanes = range(4) if wide else [p % 4]
        for i in range(pixels):
            for k in range(passes):
                base = offset // 4 + (i * passes + k) * s * (gap + 1)
                for j in range(s):
                    for lane in lanes:
                        out.add((p // 4, lane, base + j))
    return out


def check(net):
    problems = []
    layers = net["layers"]
    if len(layers) > MAX_LAYERS[net["dev"]]:
        problems.append(f"{len(layers)} layers")
    index = {l["res"]: i for i, l in enumerate(layers)}
    maps = {}  # value -> (def, lastuse, words)
    first = next(l for l in layers if net["arg"] in l["ins"])
    maps[net["arg"]] = [-1, -1, words(first["procs"], first["inoff"], net["in_ch"],
                                      net["in_pixels"], 0, False)]
    for i, l in enumerate(layers):
        if None in (l["procs"], l["oprocs"], l["inoff"], l["outoff"]):
            problems.append(f"{l['name']}: not placed")
            return problems
        maps[l["res"]] = [i, i, words(l["oprocs"], l["outoff"], l["ch"], l["pixels"],
                                      l["gap"], l["wide"])]
        n = len(l["ins"])
        # Element-wise operands, and inputs of a layer reading over 64
        # channels, are read one word apart from the same processors.
        interleaved = n > 1 and (l["eltwise"] or sum(l["in_ch"]) > 64)
        if l["rgap"] and net["dev"] == "max78000":
            problems.append(f"{l['name']}: read_gap on MAX78000")
        union = 0
        for k, v in enumerate(l["ins"]):
            maps[v][1] = max(maps[v][1], i)
            src = layers[index[v]] if v in index else None
            if src is None:
                union |= first["procs"]
                # The loader writes one plain copy where the first reader
                # says.
                if interleaved or l["inoff"] != first["inoff"] or l["rgap"]:
                    problems.append(f"{l['name']} reads the loader's data at {l['inoff']}")
                continue
            union |= src["oprocs"]
            if interleaved:
                want, gap = l["inoff"] + 4 * k, n - 1
                if src["oprocs"] != l["procs"]:
                    problems.append(f"{l['name']}: operand #{k} on other processors")
            else:
                want, gap = l["inoff"], l["rgap"]
            if src["outoff"] != want:
                problems.append(f"{l['name']} reads input #{k} at {want}, "
                                f"written at {src['outoff']}")
            if src["gap"] != gap:
                problems.append(f"{l['name']} reads {src['name']} with gap {gap}, "
                                f"written with gap {src['gap']}")
        if union != l["procs"]:
            problems.append(f"{l['name']}: processors {l['procs']:x} != inputs' {union:x}")
        # Without a convolution, data stays in its group of 16 processors:
        # per group the outputs are one run as long as the inputs there.
        for g in range(4):
            i_g = (l["procs"] >> (16 * g)) & 0xffff
            o_g = (l["oprocs"] >> (16 * g)) & 0xffff
            while o_g and not o_g & 1:
                o_g >>= 1
            if not l["conv"] and o_g != (1 << bin(i_g).count("1")) - 1:
                problems.append(f"{l['name']}: pass-through leaves group {g}")
    maps[net["ret"]][1] = len(layers)
    limit = INSTANCE_BYTES[net["dev"]] // 4
    vals = list(maps.items())
    for v, (d, u, w) in vals:
        if any(word >= limit for _, _, word in w):
            problems.append(f"{v} extends past its instance")
    # O(n^2): every pair of maps live at the same time.
    for a in range(len(vals)):
        for b in range(a + 1, len(vals)):
            (va, (da, ua, wa)), (vb, (db, ub, wb)) = vals[a], vals[b]
            if da <= db <= ua or db <= da <= ub:
                common = wa & wb
                if common:
                    problems.append(f"{va} and {vb} overlap at {sorted(common)[0]}")
    return problems


def same_output(args, original, placed, net, tmp):
    """tornado-run gives the same output before and after placement."""
    import numpy as np
    rnd = np.random.default_rng(0)
    x = rnd.integers(-128, 128, size=(net["in_ch"], net["in_pixels"]), dtype=np.int8)
    side = int(round(net["in_pixels"] ** 0.5))
    path = os.path.join(tmp, "in.npy")
    np.save(path, x.reshape(net["in_ch"], side, side))
    outs = []
    for text in (original, placed):
        mlir = os.path.join(tmp, "net.mlir")
        with open(mlir, "w") as f:
            f.write(text)
        r = subprocess.run([os.path.join(args.bin, "tornado-run"), mlir, "--input", path,
                            "--print"], capture_output=True, text=True)
        outs.append(r.stdout if r.returncode == 0 else None)
    return outs[0] is not None and outs[0] == outs[1]


def split_starts(source):
    """Where tornado-opt says each -split-input-file chunk starts."""
    starts = [1]
    for line, text in enumerate(source.split("\n"), 1):
        if text == "// -----":
            starts.append(line)
    return starts


def place(args, device, seeds):
    sources = [gen_network(s, device) for s in seeds]
    source = "\n// -----\n".join(sources)
    if args.keep:
        with open(f"{args.keep}.{device}.mlir", "w") as f:
            f.write(source)
    r = subprocess.run([os.path.join(args.bin, "tornado-opt"), "-", "-split-input-file",
                        f"--pass-pipeline={PIPELINE}", "--mlir-print-op-on-diagnostic=false"],
                       input=source, capture_output=True, text=True)
    nets = {n["name"]: n for n in parse(r.stdout)}
    placed_text = {}
    for chunk in r.stdout.split("// -----"):
        m = re.search(r"tornado\.network @(\w+)", chunk)
        if m:
            placed_text[m.group(1)] = chunk
    starts = split_starts(source)
    errors = {}
    for line in r.stderr.splitlines():
        m = re.match(r"within split at .*?:(\d+) offset :\d+:\d+: error: (.*)", line)
        if m:
            chunk = starts.index(int(m.group(1)))
            errors.setdefault(seeds[chunk], m.group(2))
    return sources, nets, placed_text, errors


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("--seeds", type=int, default=200)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--keep", help="write the generated networks to KEEP.<device>.mlir")
    p.add_argument("--max-rejected", type=int, default=None,
                   help="fail when the passes reject more placements")
    p.add_argument("--run-limit", type=int, default=60,
                   help="run at most this many changed networks in tornado-run (-1: all)")
    p.add_argument("-v", action="store_true")
    args = p.parse_args()
    seeds = list(range(args.first, args.first + args.seeds))
    accepted = rejected = overlaps = bad = copied = 0
    reasons = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for device in DEVICES:
            sources, nets, placed_text, errors = place(args, device, seeds)
            for s, source in zip(seeds, sources):
                net = nets.get(f"n{s}")
                if net is None:
                    rejected += 1
                    why = errors.get(s, "no output")
                    reasons[re.sub(r"'[^']*'|0x[0-9a-f]+|\d+", "_", why)] += 1
                    if args.v:
                        print(f"rej  seed {s} ({device}): {why}")
                    continue
                accepted += 1
                problems = check(net)
                n_orig = source.count("tornado.layer")
                if not problems and len(net["layers"]) != n_orig:
                    copied += 1
                    run = args.run_limit < 0 or copied <= args.run_limit
                    if run and not same_output(
                            args, source, placed_text[f"n{s}"], net, tmp):
                        problems.append("tornado-run output differs after placement")
                overlaps += sum("overlap" in q for q in problems)
                if problems:
                    bad += 1
                    print(f"FAIL seed {s} ({device}): " + "; ".join(problems[:3]))
                elif args.v:
                    print(f"ok   seed {s} ({device}, {len(net['layers'])} layers)")
    total = accepted + rejected
    for why, count in reasons.most_common():
        print(f"rejected {count}x: {why}")
    print(f"{accepted} of {total} placements accepted ({rejected} rejected, "
          f"{100.0 * rejected / max(1, total):.1f}%), {copied} with pass-through copies, "
          f"{overlaps} overlaps, {bad} problems")
    too_many = args.max_rejected is not None and rejected > args.max_rejected
    return 1 if bad or too_many else 0


if __name__ == "__main__":
    sys.exit(main())
