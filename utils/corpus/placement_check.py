"""Checks kernel and bias placement against the izer's images in the corpus.

usage: placement_check.py BUILD_BIN SOURCE_ROOT [--cache DIR] [--min-kernels N]
                          [--min-bias N] [--case SUBSTR] [-v]

For every MAX78000/MAX78002 corpus case: imports the network, runs
tornado-place-kernels and tornado-place-bias, predicts from the placed
attributes and the weights which kernel-memory words and bias bytes the
accelerator holds (with their contents, following the kernel loader's byte
layout, docs/placement.md), and compares that with the izer's output as
`tornado-conform --dump` decodes it. Prints one line per differing case and
"N of M cases: kernel placement identical", "N of M: bias identical".
Exits 1 below a --min ratchet, 77 (skipped) without the corpus.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import corpus

# Kernel- and bias-memory layout per device (tornado-conform README).
KERNEL_BASE = {"MAX78000": (0x50180000, 0x400000, 0x4000),
               "MAX78002": (0x51400000, 0x1000000, 0x20000)}
KERNEL_WIDTH = {"MAX78000": (768, 768), "MAX78002": (4096, 5120)}
WORD_BYTES = 9
SHARE = 4
PROCS_PER_GROUP = 16


# --- reading tornado-opt output ------------------------------------------

def parse_module(text):
    """Layers (in order) with the attributes placement needs, and blobs."""
    blobs = {}
    for name, hexdata in re.findall(r'^\s*(\w+): "0x([0-9A-Fa-f]*)"', text, re.M):
        raw = bytes.fromhex(hexdata)[4:]  # 4-byte alignment header
        blobs[name] = [b - 256 if b > 127 else b for b in raw]
    layers = []
    for m in re.finditer(r'= (?:tornado\.)?layer "([^"]*)"\(([^)]*)\) \{(.*?)\} : '
                         r'\(([^)]*)\) -> (tensor<[^>]*>)', text):
        name, _, attrs, in_types, out_type = m.groups()
        lay = {"name": name}

        def get(pattern, conv=int, default=None):
            mm = re.search(pattern, attrs)
            return conv(mm.group(1)) if mm else default

        lay["procs"] = get(r'\bprocessors = #tornado\.procs<0x([0-9a-f]+)>',
                           lambda s: int(s, 16), 0)
        lay["outprocs"] = get(r'\boutput_processors = #tornado\.procs<0x([0-9a-f]+)>',
                              lambda s: int(s, 16), 0)
        lay["op"] = get(r'\bop = #tornado\.op<(\w+)>', str, "none")
        lay["bits"] = get(r'\bweight_bits = (-?\d+)', int, 8)
        lay["groups"] = get(r'\bgroups = (\d+)', int, 1)
        lay["kernel"] = get(r'\bkernel = array<i64: ([\d, ]+)>',
                            lambda s: [int(x) for x in s.split(",")], [])
        lay["dilation"] = get(r'\bdilation = array<i64: ([\d, ]+)>',
                              lambda s: [int(x) for x in s.split(",")], [1])
        lay["column"] = get(r'\bkernel_column = (\d+)')
        lay["bias_group"] = get(r'\bbias_group = (\d+)')
        lay["bias_offset"] = get(r'\bbias_offset = (\d+)')
        lay["bias_offsets"] = get(r'\bbias_offsets = array<i64: ([-\d, ]+)>',
                                  lambda s: [int(x) for x in s.split(",")])
        lay["flatten"] = re.search(r'(?:^|, )flatten(?:,|$)', attrs) is not None
        lay["streaming"] = re.search(r'(?:^|, )streaming(?:,|$)', attrs) is not None
        lay["calcx4"] = re.search(r'(?:^|, )calcx4(?:,|$)', attrs) is not None
        eltwise = re.search(r'\beltwise = ', attrs) is not None
        w = re.search(r'\bweights = dense_resource<(\w+)> : tensor<([\dx]+)xi8>', attrs)
        lay["weights"] = blobs.get(w.group(1)) if w else None
        lay["wshape"] = [int(x) for x in w.group(2).split("x")] if w else None
        b = re.search(r'\bbias = dense_resource<(\w+)>', attrs)
        lay["bias"] = blobs.get(b.group(1)) if b else None
        ins = re.findall(r'tensor<(\d+)', in_types)
        total = sum(int(x) for x in ins)
        operands = get(r'\boperands = (\d+)', int, len(ins) if eltwise else 1)
        lay["in_ch"] = total // max(1, operands if eltwise else 1)
        lay["out_ch"] = int(re.match(r'tensor<(\d+)', out_type).group(1))
        layers.append(lay)
    return layers


# --- izer geometry and kernel byte layout ----------------------------------

def ffs(x):
    return (x & -x).bit_length() - 1


def fls(x):
    return x.bit_length() - 1


def passes(channels):
    n = max(1, -(-channels // 64))
    per = -(-channels // n)
    if channels > 64:
        per = min(-(-per // SHARE) * SHARE, 64)
    return n, per


def hw_rows(lay, device, producer_streams):
    """The kernel matrix the loader walks: rows of per-kernel values."""
    w, shape, op = lay["weights"], lay["wshape"], lay["op"]
    out_ch = lay["out_ch"]
    if op == "linear" and not lay["flatten"]:
        return [[v] for v in w], 1
    if lay["flatten"]:
        in_exp, iet = passes(lay["in_ch"])
        feats = len(w) // out_ch
        rows = []
        # [out, in_exp, rest] -> [out, rest, in_exp] -> [out * iet, -1]
        rest = feats // in_exp
        swapped = []
        for o in range(out_ch):
            for r in range(rest):
                for e in range(in_exp):
                    swapped.append(w[o * feats + e * rest + r])
        per_row = len(swapped) // (out_ch * iet)
        for i in range(out_ch * iet):
            rows.append(swapped[i * per_row:(i + 1) * per_row])
        return rows, 1
    if op == "conv1d":
        k = shape[2]
        d = lay["dilation"][0] if lay["dilation"] else 1
        rows = [w[i * k:(i + 1) * k] for i in range(len(w) // k)]
        if d > 1 and (k - 1) * d < 9:
            rows = [[r[j // d] if j % d == 0 else 0 for j in range((k - 1) * d + 1)]
                    for r in rows]
            return rows, (k - 1) * d + 1
        if d > 1:
            out = []
            for r in rows:
                col = [0] * (3 - k) + list(r) if k == 2 else (
                    [0] + list(r) + [0] if k == 1 else list(r))
                out.append([col[y] if x == 1 else 0 for y in range(3) for x in range(3)])
            return out, 9
        return rows, k
    ks = shape[2] * shape[3]
    rows = [w[i * ks:(i + 1) * ks] for i in range(len(w) // ks)]
    if ks == 1 and device == "MAX78002" and (lay["streaming"] or producer_streams):
        return [[0, 0, 0, 0, r[0], 0, 0, 0, 0] for r in rows], 9
    return rows, ks


def kernel_words(lay, device, producer_streams, new_loader=True):
    """{(proc, column): 9 bytes} one layer writes (absolute columns)."""
    bits = 1 if lay["bits"] == -1 else abs(lay["bits"])
    qf = 8 // bits
    rows, ksize = hw_rows(lay, device, producer_streams)
    if lay["bits"] == -1:
        rows = [[min(max(v, -1), 0) for v in r] for r in rows]
    in_exp_all, iet = passes(lay["in_ch"])
    out_exp, oet = passes(lay["out_ch"])
    flatten = lay["flatten"]
    in_exp = 1 if flatten else in_exp_all
    in_chan = iet if flatten else lay["in_ch"]
    depthwise = lay["groups"] > 1
    outmap, procmap = lay["outprocs"], lay["procs"]
    start_col = ffs(outmap) % SHARE
    first_out = ffs(outmap) - (start_col if out_exp > 1 else 0)
    kc = in_exp if depthwise else (1 + fls(outmap) - first_out) * out_exp * in_exp
    if flatten:
        row_len = len(rows[0]) if rows else 0
        kc = kc * row_len - (out_exp * bin(outmap).count("1") - lay["out_ch"]) * row_len
    res = (kc % qf) * ksize * (qf - 1)
    kern_len = (kc * ksize * bits + res + 71) // 72
    offs = lay["column"]
    words = {}
    used = {}
    proc_mask = 2 ** qf - 1
    ch = 0
    for p in range(64):
        if not procmap >> p & 1:
            continue
        col_target, col_bytes = divmod(start_col * ksize * in_exp, 9)

        def add(b):
            nonlocal col_target
            key = (p, offs + col_target)
            n = used.get(key, 0)
            data = words.setdefault(key, bytearray(9))
            data[8 - n] = b & 0xff
            used[key] = n + 1
            if n + 1 == 9:
                col_target += 1

        for _ in range(col_bytes // qf):
            add(0)
        m = 0
        for expand in range(1 if depthwise else out_exp):
            this_map = outmap >> ffs(outmap)
            col, stop = (expand, expand + 1) if depthwise else (expand * oet, expand * oet + oet)
            while col < stop:
                if this_map:
                    while this_map & proc_mask == 0:
                        col_target += 1
                        this_map >>= qf
                this_map >>= qf
                in_ch = in_chan * qf if flatten else in_chan
                src = ch + m * in_ch
                for ie in range(in_exp):
                    if ie * iet + ch < in_ch and src < len(rows):
                        k = [0] * ksize if not flatten else []
                        n = 0
                        for i in range(qf):
                            if m < lay["out_ch"]:
                                idx = n + ie * qf
                                ko = src + (idx % in_exp) * iet + (idx // in_exp) * in_chan
                                if ko < len(rows):
                                    kern = [v & (2 ** bits - 1) for v in rows[ko]]
                                    if not flatten:
                                        k = [a | (b << (i * bits)) for a, b in zip(k, kern)]
                                    else:
                                        k = k + kern
                                n += 1
                        if flatten:
                            if len(k) % qf:
                                k += [0] * (qf - len(k) % qf)
                            for i in range(len(k) // qf):
                                e = k[i * qf]
                                for j in range(1, qf):
                                    e |= k[i * qf + j] << (j * bits)
                                add(e)
                        else:
                            for i in range(ksize):
                                add(k[ksize - i - 1])
                    else:
                        for _ in range(ksize // qf):
                            add(0)
                col += 1 if flatten else qf
                m += 1 if flatten else qf
        if used.get((p, offs + col_target), 0) > 0:
            col_target += 1
        while col_target - start_col < kern_len:
            add(0)
        if flatten:
            kern_len = col_target
        elif not new_loader:
            kern_len = col_target - start_col
        ch += 1
    if lay["calcx4"]:
        count = in_exp_all * lay["out_ch"] * 9 * bits // (ksize * 8)
        small, large = KERNEL_WIDTH[device]
        moved = {}
        for (p, idx), data in words.items():
            mem, rem = divmod(idx - offs, (count + 3) // 4)
            if idx < small:
                idx = mem * (small // 4) + rem + offs // 4
            else:
                idx = mem * ((large - small) // 4) + rem + small + offs // 4
            moved[(p, idx)] = data
        words = moved
    return words


def predict_kernels(layers, device, new_loader=True):
    base, gstride, pstride = KERNEL_BASE[device]
    out, placed = {}, {}
    for i, lay in enumerate(layers):
        if lay["op"] == "none" or lay["weights"] is None or lay["column"] is None:
            continue
        prev = layers[i - 1] if i > 0 else None
        key = (tuple(lay["weights"]), tuple(lay["wshape"]), lay["bits"], lay["procs"])
        if key in placed:
            continue  # shares the first copy
        placed[key] = i
        for (p, col), data in kernel_words(lay, device, bool(prev and prev["streaming"]),
                                           new_loader).items():
            addr = base + (p // 16) * gstride + (p % 16) * pstride + col * 16
            out[addr] = bytes(data).hex()
    return out


def predict_bias(layers, device):
    """{(group, byte): value} for the izer's bias images."""
    values = {}
    ends = [0, 0, 0, 0]
    seen = set()
    for i, lay in enumerate(layers):
        b = lay["bias"]
        if lay["op"] == "none" or b is None or not any(b) or lay["bias_group"] is None:
            continue
        if tuple(b) in seen:
            continue
        seen.add(tuple(b))
        out_exp, oet = passes(lay["out_ch"])
        if lay["bias_offsets"] is not None:  # depth-wise: every used group
            procs = lay["procs"]
            broadcast = procs == lay["outprocs"]
            offs = lay["bias_offsets"]
            used_groups = sum(1 for g in range(4) if offs[g] >= 0)
            pad = list(b) + [None] * (out_exp * oet - len(b))
            table = [pad[e * oet:(e + 1) * oet] for e in range(out_exp)]
            mp = procs
            if not broadcast:
                s = ffs(mp)
                fg = s // 16
                gm = 0xffff << (fg * 16)
                mp = (mp & ~gm) | ((procs & gm) >> (s % 16))
            start, last = ffs(mp), fls(mp)
            if broadcast:
                last = ((last + 16) & ~15) - 1
            if broadcast or used_groups > 1:
                start &= ~15
            for p in range(start, last + 1):
                if not mp >> p & 1:
                    for row in table:
                        row.insert(min(p, len(row)), None)
            pos = list(offs)
            for e in range(out_exp):
                for p in range(start, last + 1):
                    g = p // 16
                    src = (p & ~15) + (p % 4) * 4 + (p % 16) // 4 if broadcast else p
                    v = table[e][src - start] if src - start < len(table[e]) else None
                    if v is not None:
                        values[(g, pos[g])] = v & 0xff
                    pos[g] += 1
                    ends[g] = max(ends[g], pos[g] if v is not None else ends[g])
            continue
        g, off = lay["bias_group"], lay["bias_offset"]
        target = ffs(lay["outprocs"]) % SHARE * out_exp
        if i == 0 and lay["streaming"] and device == "MAX78000":
            values[(g, off)] = 0
            target += 1
        for j, v in enumerate(b):
            values[(g, off + target + j)] = v & 0xff
        ends[g] = max(ends[g], off + target + len(b))
    for g in range(4):
        for k in range(ends[g]):
            values.setdefault((g, k), 0)
    return values


# --- driver ----------------------------------------------------------------

def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("source_root")
    ap.add_argument("--cache", default=None)
    ap.add_argument("--min-kernels", type=int, default=0)
    ap.add_argument("--min-bias", type=int, default=0)
    ap.add_argument("--case", default=None)
    ap.add_argument("--every", type=int, default=1,
                    help="check every Nth case only (all with TORNADO_FULL_CONFORM=1)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    conf = corpus.shared_dir(args.source_root)
    if not os.path.isdir(conf):
        print("skipped: no conformance corpus at", conf)
        return corpus.SKIP
    cache = args.cache or os.path.join(args.bin, "..", "placement-cache")
    os.makedirs(cache, exist_ok=True)
    checker = os.path.join(conf, "tornado-conform")
    total = kern_ok = bias_ok = 0
    every = 1 if os.environ.get("TORNADO_FULL_CONFORM") else max(1, args.every)
    index = -1
    for case in corpus.load_cases(conf):
        if case.device not in ("MAX78000", "MAX78002"):
            continue
        index += 1
        if index % every:
            continue
        if args.case and args.case not in case.name:
            continue
        folder = os.path.join(conf, case.folder)
        tag = (case.device + "_" + case.name).replace("/", "_")
        dump_file = os.path.join(cache, tag + ".json")
        if not os.path.exists(dump_file):
            r = run([checker, "--dump", folder, "--json"])
            with open(dump_file, "w") as f:
                f.write(r.stdout)
        try:
            with open(dump_file) as f:
                dump = json.load(f)
        except ValueError:
            dump = None
        if not dump or not dump.get("kernels", {}).get("words"):
            continue  # RTL-only or unreadable output: nothing to compare
        total += 1
        r = run(corpus.import_command(args.bin, conf, case, "-"))
        if r.returncode != 0:
            print(f"FAIL {case.device} {case.name}: import: "
                  f"{(r.stderr.strip().splitlines() or ['?'])[0]}")
            continue
        new_loader = not case.opt("--old-kernel-loader")
        kopts = f"weight-start={case.opt('--weight-start', 0)}"
        if not new_loader:
            kopts += " new-kernel-loader=false"
        if case.opt("--no-deduplicate-weights"):
            kopts += " deduplicate=false"
        pipeline = (f"builtin.module(tornado.network(tornado-place-kernels{{{kopts}}},"
                    "tornado-place-bias))")
        r = subprocess.run([os.path.join(args.bin, "tornado-opt"),
                            f"--pass-pipeline={pipeline}"],
                           input=r.stdout, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {case.device} {case.name}: placement: "
                  f"{(r.stderr.strip().splitlines() or ['?'])[0]}")
            continue
        layers = parse_module(r.stdout)
        try:
            kpred = predict_kernels(layers, case.device, new_loader)
            bpred = predict_bias(layers, case.device)
        except (IndexError, ValueError, TypeError, ZeroDivisionError) as e:
            print(f"FAIL {case.device} {case.name}: prediction: {e!r}")
            continue
        kref = dump["kernels"]["words"]
        if case.opt("--zero-sram"):
            kpred = {a: v for a, v in kpred.items() if int(v, 16) != 0}
        kgot = {int(a, 16): v for a, v in kref.items()}
        k_same = kgot == kpred
        bref = {}
        for key, v in dump.get("bias", {}).get("bytes", {}).items():
            g, b = key[1:].split("+")
            bref[(int(g), int(b))] = int(v, 16)
        if case.opt("--zero-sram"):
            bpred = {k: v for k, v in bpred.items() if v != 0}
            bref = {k: v for k, v in bref.items() if v != 0}
        b_same = bref == bpred
        kern_ok += k_same
        bias_ok += b_same
        if not (k_same and b_same):
            msg = []
            if not k_same:
                missing = sorted(set(kgot) - set(kpred))
                extra = sorted(set(kpred) - set(kgot))
                wrong = sorted(a for a in set(kgot) & set(kpred) if kgot[a] != kpred[a])
                msg.append(f"kernels: {len(missing)} missing, {len(extra)} extra, "
                           f"{len(wrong)} differ"
                           + (f" (first missing 0x{missing[0]:08x})" if missing else "")
                           + (f" (first extra 0x{extra[0]:08x})" if extra else "")
                           + (f" (first differing 0x{wrong[0]:08x})" if wrong else ""))
            if not b_same:
                diff = sorted(k for k in set(bref) | set(bpred) if bref.get(k) != bpred.get(k))
                msg.append(f"bias: {len(diff)} bytes differ (first G{diff[0][0]}+{diff[0][1]}: "
                           f"izer {bref.get(diff[0])}, predicted {bpred.get(diff[0])})")
            print(f"DIFF {case.device} {case.name}: " + "; ".join(msg))
        elif args.verbose:
            print(f"OK   {case.device} {case.name}")
    print(f"{kern_ok} of {total} cases: kernel placement identical")
    print(f"{bias_ok} of {total}: bias identical")
    return 0 if kern_ok >= args.min_kernels and bias_ok >= args.min_bias else 1


if __name__ == "__main__":
    sys.exit(main())
