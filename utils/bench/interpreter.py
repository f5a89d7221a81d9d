"""Benchmark: the reference interpreter on the largest corpus networks.

usage: interpreter.py BUILD_BIN SOURCE_ROOT [--cases N] [--repeat R]
Prints MACs, time and MAC/s per network (tornado-run --mac-stats). With
IZER_DIR set to an ai8x-synthesis checkout, also times the izer on the same
case (its full run, which includes its simulation of the network) and prints
the ratio of the two wall-clock times measured in this run. A benchmark, not
a test: nothing is asserted.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "corpus"))
import corpus  # noqa: E402


def import_case(bin_dir, conf, case, out):
    cmd = corpus.import_command(bin_dir, conf, case, out)
    return subprocess.run(cmd, capture_output=True).returncode == 0


def time_izer(izer, conf, case):
    """Runs the izer's own command from a scratch copy of its inputs."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [a.replace("inputs/", os.path.join(conf, "inputs") + "/") for a in case.args]
        i = args.index("--test-dir")
        args[i + 1] = os.path.join(tmp, "out")
        t = time.time()
        r = subprocess.run(["/usr/bin/python3", os.path.join(izer, "ai8xize.py")] + args,
                           cwd=os.path.join(conf, "inputs"), capture_output=True)
        return time.time() - t if r.returncode == 0 else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--cases", type=int, default=3)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    conf = corpus.shared_dir(args.source_root)
    izer = os.environ.get("IZER_DIR")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        seen = set()
        for case in corpus.load_cases(conf):
            if case.device not in ("MAX78000", "MAX78002") or not case.opt("--checkpoint-file"):
                continue
            key = case.opt("--config-file")
            if key in seen:
                continue
            seen.add(key)
            mlir = os.path.join(tmp, f"{len(seen)}.mlir")
            if not import_case(args.bin, conf, case, mlir):
                continue
            r = subprocess.run([os.path.join(args.bin, "tornado-run"), mlir, "--mac-stats",
                                "--repeat", str(args.repeat)], capture_output=True, text=True)
            m = re.search(r"MACs (\d+) per run, (\d+) run\(s\) in ([\d.]+) s: ([\d.]+) G", r.stdout)
            if m:
                runs.append((int(m.group(1)), case, mlir, float(m.group(3)) / args.repeat,
                             float(m.group(4))))
        runs.sort(key=lambda x: -x[0])
        for macs, case, mlir, secs, gmacs in runs[:args.cases]:
            line = f"{case.name:32} {macs / 1e6:9.1f} M MAC  {secs * 1e3:8.1f} ms  {gmacs:6.2f} G MAC/s"
            if izer:
                t = time.time()
                import_case(args.bin, conf, case, mlir)
                subprocess.run([os.path.join(args.bin, "tornado-run"), mlir], capture_output=True)
                ours = time.time() - t
                theirs = time_izer(izer, conf, case)
                if theirs:
                    line += f"  | import+run {ours:6.2f} s, izer {theirs:7.2f} s, ratio {theirs / ours:6.1f}x"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
