"""Property test of automatic data-memory placement.

usage: random_nets.py BUILD_BIN [--seeds N] [--first S] [-v] [--keep FILE]

Generates N small random valid networks (chains, element-wise branches,
concatenations, multi-pass and 32-bit maps, pooling; MAX78000 or MAX78002),
runs tornado-assign-processors, tornado-assign-offsets and
tornado-check-hazards on them in one tornado-opt call, then checks the
result with its own simple model (written independently of
lib/Transforms/MemoryMap.cpp): every layer reads where its inputs were
written, every map fits its instance, and no two maps that are live at the
same time share a (instance, byte lane, word). Prints "N of M random
networks placed, 0 overlaps"; exits 1 on any failure.
"""
import argparse
import os
import random
import re
import subprocess
import sys

PIPELINE = ("builtin.module(tornado.network(tornado-assign-processors,"
            "tornado-assign-offsets,tornado-check-hazards))")
INSTANCE_BYTES = {"max78000": 32768, "max78002": 81920}


# --- generator -------------------------------------------------------------

def gen_network(seed):
    rnd = random.Random(seed)
    device = rnd.choice(["max78000", "max78002"])
    size = rnd.choice([4, 8, 16])
    in_ch = rnd.choice([1, 3, 4, 16])
    lines = []
    vals = [("%in", in_ch, size)]  # (name, channels, size)
    n = [0]

    def layer(inputs, out_ch, kind="conv", pool=False, wide=False, k=3):
        name = f"l{n[0]}"
        res = f"%{n[0]}"
        n[0] += 1
        ch_in = sum(v[1] for v in inputs)
        sz = inputs[0][2]
        attrs = []
        if pool:
            attrs.append("pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], "
                         "dilation = [1, 1]>")
            sz //= 2
        if kind == "add":
            attrs.append("eltwise = #tornado.eltwise<add>")
            out_ch = inputs[0][1]
        else:
            attrs.append("op = #tornado.op<conv2d>")
            attrs.append(f"kernel = array<i64: {k}, {k}>")
            if k == 3:
                attrs.append("padding = array<i64: 1, 1>")
            attrs.append(f"weights = dense<1> : tensor<{out_ch}x{ch_in}x{k}x{k}xi8>")
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

    cur = vals[0]
    for _ in range(rnd.randint(1, 6)):
        choice = rnd.random()
        pool = cur[2] >= 8 and rnd.random() < 0.3
        if choice < 0.2 and cur[2] >= 2:
            # Element-wise sum of two branches read only by the sum.
            c = rnd.choice([4, 8, 16, 32])
            a = layer([cur], c, pool=pool, k=rnd.choice([1, 3]))
            b = layer([cur], c, pool=pool, k=rnd.choice([1, 3]))
            cur = layer([a, b], c, kind="add")
        elif choice < 0.35:
            # Concatenation across processors.
            c1, c2 = rnd.choice([4, 8, 12]), rnd.choice([4, 8, 20])
            a = layer([cur], c1, pool=pool)
            b = layer([cur], c2, pool=pool)
            cur = layer([a, b], rnd.choice([8, 16]), k=1)
        else:
            c = rnd.choice([4, 8, 16, 32, 60, 64, 96, 128])
            cur = layer([cur], c, pool=pool, k=rnd.choice([1, 3]))
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
            res, lname, ins, attrs, _, c, h, w, ety = lm.groups()

            def get(key, default=None):
                mm = re.search(rf"\b{key} = (?:#tornado\.procs<)?(0x[0-9a-f]+|\d+)", attrs)
                return int(mm.group(1), 0) if mm else default
            layers.append(dict(res=res, name=lname,
                               ins=[s.strip() for s in ins.split(",")],
                               procs=get("processors"), oprocs=get("output_processors"),
                               inoff=get("in_offset"), outoff=get("out_offset"),
                               gap=get("write_gap", 0), rgap=get("read_gap", 0),
                               eltwise="eltwise" in attrs,
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
        # Reads where the inputs were written.
        srcs = [layers[index[v]] if v in index else None for v in l["ins"]]
        union = 0
        for k, (v, src) in enumerate(zip(l["ins"], srcs)):
            maps[v][1] = max(maps[v][1], i)
            if src is None:
                union |= first["procs"]
                continue
            union |= src["oprocs"]
            same = len(l["ins"]) > 1 and all(s and s["oprocs"] == srcs[0]["oprocs"] for s in srcs)
            want = l["inoff"] + (4 * k if same else 0)
            if src["outoff"] != want:
                problems.append(f"{l['name']} reads input #{k} at {want}, "
                                f"written at {src['outoff']}")
            if same and src["gap"] != len(l["ins"]) - 1:
                problems.append(f"{src['name']} needs write_gap {len(l['ins']) - 1}")
            if not same and src["gap"] != l["rgap"]:
                problems.append(f"{l['name']} reads {src['name']} with read_gap "
                                f"{l['rgap']}, written with gap {src['gap']}")
        if union != l["procs"]:
            problems.append(f"{l['name']}: processors {l['procs']:x} != inputs' {union:x}")
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("--seeds", type=int, default=200)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--keep", help="write the generated networks here")
    p.add_argument("-v", action="store_true")
    args = p.parse_args()
    seeds = range(args.first, args.first + args.seeds)
    source = "\n// -----\n".join(gen_network(s) for s in seeds)
    if args.keep:
        with open(args.keep, "w") as f:
            f.write(source)
    r = subprocess.run([os.path.join(args.bin, "tornado-opt"), "-", "-split-input-file",
                        f"--pass-pipeline={PIPELINE}", "--mlir-print-op-on-diagnostic=false"],
                       input=source, capture_output=True, text=True)
    nets = {n["name"]: n for n in parse(r.stdout)}
    errors = {}
    for line in r.stderr.splitlines():
        m = re.match(r"within split at .*?:\d+ offset :\d+:\d+: error: (.*)", line)
        if m:
            errors.setdefault(len(errors), m.group(1))
    placed = overlaps = 0
    for s in seeds:
        net = nets.get(f"n{s}")
        if net is None:
            print(f"FAIL seed {s}: not placed")
            continue
        problems = check(net)
        overlaps += sum("overlap" in q for q in problems)
        if problems:
            print(f"FAIL seed {s}: " + "; ".join(problems[:3]))
            continue
        placed += 1
        if args.v:
            print(f"ok   seed {s} ({len(net['layers'])} layers, {net['dev']})")
    for e in errors.values():
        print("error:", e)
    print(f"{placed} of {len(seeds)} random networks placed, {overlaps} overlaps")
    return 0 if placed == len(seeds) else 1


if __name__ == "__main__":
    sys.exit(main())
