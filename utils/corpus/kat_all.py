"""Checks the interpreter's known answer against every corpus sampleoutput.h.

usage: kat_all.py BUILD_BIN SOURCE_ROOT [--min N] [--verbose]
For each corpus case with a sampleoutput.h: import the network, run it on
its sample input with tornado-run, and compare the 32-bit words it predicts
in data memory with the izer's. Prints "N of M cases match"; exits 1 below
--min, 77 (skipped) without the corpus.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import corpus


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--min", type=int, default=0)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    conf = corpus.shared_dir(args.source_root)
    if not os.path.isdir(conf):
        print("skipped: no conformance corpus at", conf)
        return corpus.SKIP
    imported = {}
    total = ok = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in corpus.load_cases(conf):
            expected = os.path.join(conf, case.folder, "sampleoutput.h")
            if case.device not in ("MAX78000", "MAX78002") or not os.path.exists(expected):
                continue
            total += 1
            key = corpus.import_key(case)
            if key not in imported:
                mlir = os.path.join(tmp, f"{len(imported)}.mlir")
                cmd = corpus.import_command(args.bin, conf, case, mlir)
                r = subprocess.run(cmd, capture_output=True, text=True)
                imported[key] = mlir if r.returncode == 0 else None
                if r.returncode and args.verbose:
                    print(f"IMPORT FAIL {case.name}: {r.stderr.strip()[:200]}")
            mlir = imported[key]
            if mlir is None:
                print(f"FAIL {case.name}: import failed")
                continue
            cmd = [os.path.join(args.bin, "tornado-run"), mlir, "--check-kat", expected]
            if case.opt("--max-checklines"):
                cmd += ["--max-checklines", case.opt("--max-checklines")]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode == 0:
                ok += 1
            else:
                lines = (r.stderr.strip() or r.stdout.strip()).splitlines()
                print(f"FAIL {case.name}: {' | '.join(lines[:3])[:300]}")
    print(f"{ok} of {total} cases match")
    return 0 if ok >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
