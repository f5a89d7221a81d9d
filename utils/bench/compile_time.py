"""Benchmark: tornadoc against the izer on the corpus demo networks.

usage: compile_time.py BUILD_BIN SOURCE_ROOT [--cases N] [--repeat R]
Runs tornadoc with each demo case's izer command line (the SDK demos: top-
level corpus cases of both devices) and reports its wall-clock time. With
IZER_DIR pointing at an ai8x-synthesis checkout, runs the izer on the same
case in the same run and prints the ratio. A benchmark, not a test.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "corpus"))
import corpus  # noqa: E402


def timed(cmd, cwd, repeat):
    best = None
    for _ in range(repeat):
        t = time.time()
        r = subprocess.run(cmd, cwd=cwd, capture_output=True)
        dt = time.time() - t
        if r.returncode != 0:
            return None, r.stderr.decode(errors="replace").strip().splitlines()[:1]
        best = dt if best is None else min(best, dt)
    return best, None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--cases", type=int, default=100)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)
    conf = corpus.shared_dir(os.path.abspath(args.source_root))
    izer = os.environ.get("IZER_DIR")
    inputs = os.path.join(conf, "inputs")
    demos = [c for c in corpus.load_cases(conf)
             if c.device in ("MAX78000", "MAX78002") and "/" not in c.name][:args.cases]
    total_ours = total_izer = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        # The izer reads its templates from assets/ and the inputs from
        # networks/, tests/, trained/ relative to its working directory.
        izer_wd = os.path.join(tmp, "izer-wd")
        os.makedirs(izer_wd)
        for name in os.listdir(inputs):
            os.symlink(os.path.join(inputs, name), os.path.join(izer_wd, name))
        if izer:
            os.symlink(os.path.join(izer, "assets"), os.path.join(izer_wd, "assets"))
        for case in demos:
            argv = [a[len("inputs/"):] if a.startswith("inputs/") else a for a in case.args]
            i = argv.index("--test-dir")
            argv[i + 1] = os.path.join(tmp, "out")
            ours, err = timed([os.path.join(args.bin, "tornadoc"), "--no-report",
                               "--overwrite"] + argv,
                              inputs, args.repeat)
            line = f"{case.device:8} {case.name:24} "
            line += f"tornadoc {ours * 1e3:8.1f} ms" if ours else f"tornadoc failed: {err}"
            if izer and ours:
                izer_argv = list(argv)
                izer_argv[i + 1] = os.path.join(tmp, "izer-out")
                theirs, ierr = timed(["/usr/bin/python3", os.path.join(izer, "ai8xize.py"),
                                      "--overwrite"] + izer_argv, izer_wd, 1)
                if theirs:
                    line += f"  izer {theirs:7.2f} s  ratio {theirs / ours:7.0f}x"
                    total_ours += ours
                    total_izer += theirs
                else:
                    line += f"  izer failed: {ierr}"
            print(line, flush=True)
    if total_ours:
        print(f"total: tornadoc {total_ours:.2f} s, izer {total_izer:.2f} s, "
              f"ratio {total_izer / total_ours:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
