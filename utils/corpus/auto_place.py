"""Automatic data-memory placement and the hazard check on the corpus.

usage: auto_place.py BUILD_BIN SOURCE_ROOT [--run-bin DIR] [--min N]
                     [--min-hazard N] [--skip-hazards] [-v]

1. Automatic placement: every demo network (inputs/networks/*.yaml) is
   imported with the izer's settings from MANIFEST.tsv, then processors,
   output_processors, in_offset and out_offset are stripped from every
   layer; tornado-assign-processors, tornado-assign-offsets,
   tornado-check-hazards and kernel/bias placement must succeed and
   tornado-run must print the same output as for the pinned import.
   Prints "N of M networks placed automatically".
2. Pinned hazards: every MANIFEST case is imported as written and checked
   with tornado-check-hazards; the check must fail exactly for the cases
   the izer ran with --overlap-data. Prints "hazard check agrees with
   --overlap-data on N of M cases".

Exits 1 below a --min ratchet, 77 (skipped) without the corpus.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import corpus

STRIP = ("processors", "output_processors", "in_offset", "out_offset")
AUTO = ("tornado-assign-processors,tornado-assign-offsets,"
        "tornado-check-hazards,tornado-place-kernels,tornado-place-bias")


def strip_placement(text):
    """Removes the four placement attributes (and their pins) from layers."""
    def fix_pins(m):
        names = [n for n in re.findall(r'"(\w+)"', m.group(1)) if n not in STRIP]
        if not names:
            return ""
        return "pinned = [" + ", ".join(f'"{n}"' for n in names) + "]"
    text = re.sub(r"pinned = \[([^\]]*)\]", fix_pins, text)
    text = re.sub(r"\b(?:output_processors|processors) = #tornado\.procs<0x[0-9a-fA-F]+>",
                  "", text)
    text = re.sub(r"\b(?:in_offset|out_offset) = \d+ : i64", "", text)
    # Tidy the attribute dictionaries the removals left behind.
    text = re.sub(r"(, )+(?=[,}])", "", text)
    text = re.sub(r"\{(, )+", "{", text)
    text = re.sub(r", (, )+", ", ", text)
    text = re.sub(r", \}", "}", text)
    return text


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def first_line(r):
    lines = [l for l in r.stderr.strip().splitlines() if "error" in l]
    return (lines or r.stderr.strip().splitlines() or ["(no message)"])[0]


def auto_place(args, conf, tmp):
    cases = {}
    for case in corpus.load_cases(conf):
        cfg = case.opt("--config-file") or ""
        if not cfg.startswith("inputs/networks/"):
            continue
        if case.device in ("MAX78000", "MAX78002"):
            if cfg not in cases or cases[cfg].options.get("cmsis"):
                cases[cfg] = case
        elif cfg not in cases:
            # A network the corpus only runs for CMSIS-NN runs on MAX78000.
            case.device = "MAX78000"
            case.options["cmsis"] = True
            cases[cfg] = case
    networks = os.path.join(conf, "inputs", "networks")
    for name in sorted(os.listdir(networks)):
        if name.endswith(".yaml") and f"inputs/networks/{name}" not in cases:
            print(f"FAIL {name}: no MANIFEST case gives its checkpoint")
    opt = os.path.join(args.bin, "tornado-opt")
    runner = os.path.join(args.run_bin or args.bin, "tornado-run")
    ok = 0
    for cfg, case in sorted(cases.items()):
        name = os.path.basename(cfg)
        pinned = os.path.join(tmp, "pinned.mlir")
        r = run(corpus.import_command(args.bin, conf, case, pinned))
        if r.returncode != 0:
            print(f"FAIL {name}: import: {first_line(r)}")
            continue
        with open(pinned) as f:
            stripped = strip_placement(f.read())
        auto = os.path.join(tmp, "auto.mlir")
        r = run([opt, "-", "-o", auto,
                 f"--pass-pipeline=builtin.module(tornado.network({AUTO}))"],
                input=stripped)
        if r.returncode != 0:
            print(f"FAIL {name}: {first_line(r)}")
            continue
        outs = []
        for path in (pinned, auto):
            rr = run([runner, path, "--print"])
            outs.append(rr.stdout if rr.returncode == 0 else None)
        if outs[0] is None or outs[0] != outs[1]:
            print(f"FAIL {name}: interpreter output differs")
            continue
        ok += 1
        if args.v:
            print(f"ok   {name}")
    print(f"{ok} of {len(cases)} networks placed automatically")
    return ok


def pinned_hazards(args, conf, tmp):
    opt = os.path.join(args.bin, "tornado-opt")
    seen = {}
    agree = 0
    for case in corpus.load_cases(conf):
        if case.device not in ("MAX78000", "MAX78002"):
            continue
        key = (case.opt("--config-file"), case.opt("--checkpoint-file"),
               case.opt("--sample-input"), case.opt("--start-layer"),
               case.device, bool(case.opt("--overlap-data")))
        if key in seen:
            continue
        mlir = os.path.join(tmp, "case.mlir")
        r = run(corpus.import_command(args.bin, conf, case, mlir))
        if r.returncode != 0:
            continue
        r = run([opt, mlir, "-o", os.devnull,
                 "--pass-pipeline=builtin.module(tornado.network(tornado-check-hazards))"])
        flagged = r.returncode != 0
        wanted = bool(case.opt("--overlap-data"))
        seen[key] = flagged == wanted
        if flagged != wanted:
            what = first_line(r) if flagged else "no hazard found"
            print(f"DIFF {case.name} ({case.device}, --overlap-data={wanted}): {what}")
        elif args.v:
            print(f"ok   {case.name} ({case.device}) flagged={flagged}")
        agree += flagged == wanted
    need = sum(1 for k in seen if k[-1])
    print(f"{need} of {len(seen)} cases need --overlap-data; "
          f"hazard check agrees with --overlap-data on {agree} of {len(seen)} cases")
    return agree


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--run-bin", help="folder of tornado-run (default: BUILD_BIN)")
    p.add_argument("--min", type=int, default=0)
    p.add_argument("--min-hazard", type=int, default=0)
    p.add_argument("--skip-hazards", action="store_true")
    p.add_argument("-v", action="store_true")
    args = p.parse_args()
    conf = corpus.shared_dir(args.source_root)
    if not os.path.isdir(conf):
        print("skipped: no conformance corpus at", conf)
        return corpus.SKIP
    with tempfile.TemporaryDirectory() as tmp:
        ok = auto_place(args, conf, tmp)
        agree = args.min_hazard if args.skip_hazards else pinned_hazards(args, conf, tmp)
    return 0 if ok >= args.min and agree >= args.min_hazard else 1


if __name__ == "__main__":
    sys.exit(main())
