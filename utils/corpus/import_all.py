"""Imports every YAML + weights input of the conformance corpus.

usage: import_all.py BUILD_BIN SOURCE_ROOT [--min N]
Prints one line per failure and "N of M imported"; exits 1 when fewer than
--min import, 77 (skipped) when the corpus is absent.
"""
import argparse
import os
import subprocess
import sys

import corpus


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--min", type=int, default=0)
    args = p.parse_args()
    conf = corpus.shared_dir(args.source_root)
    if not os.path.isdir(conf):
        print("skipped: no conformance corpus at", conf)
        return corpus.SKIP
    seen = {}
    for case in corpus.load_cases(conf):
        if case.device not in ("MAX78000", "MAX78002"):
            continue
        key = corpus.import_key(case)
        if key in seen:
            continue
        cmd = corpus.import_command(args.bin, conf, case, os.devnull)
        r = subprocess.run(cmd, capture_output=True, text=True)
        seen[key] = r.returncode == 0
        if r.returncode != 0:
            first = (r.stderr.strip().splitlines() or ["(no message)"])[0]
            print(f"FAIL {case.name}: {first}")
    ok = sum(seen.values())
    print(f"{ok} of {len(seen)} imported")
    return 0 if ok >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
