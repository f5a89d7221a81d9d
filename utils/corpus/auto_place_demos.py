"""tornadoc places SDK demo networks whose YAML has no placement keys.

usage: auto_place_demos.py BUILD_BIN SOURCE_ROOT [--min N] [--keep DIR]

For every SDK demo case of the corpus (MANIFEST.tsv, cases without a folder
prefix), the YAML is written again without `processors`,
`output_processors`, `in_offset` and `out_offset` on every layer, and
tornadoc compiles it with the case's own command line. The program must
compute what the hand-placed build computes: the known-answer values
(sampleoutput.h without the addresses) are compared with a tornadoc build of
the original YAML. Per network the report's estimated cycles and the data
memory the layers' outputs span are printed for both, with compile times.

Prints "N of M demo networks compiled without placement keys"; exits 1 when
fewer than --min compile with the same known answer, 77 without the corpus.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

KEYS = re.compile(r"^\s*-?\s*(processors|output_processors|in_offset|out_offset)\s*:.*$")


def strip_yaml(text):
    """Drops the four placement keys; a list item that started with one
    keeps its dash on the next key."""
    out, dash = [], False
    for line in text.splitlines():
        if KEYS.match(line):
            dash = dash or line.lstrip().startswith("-")
            continue
        if dash and line.strip() and not line.lstrip().startswith("#"):
            indent = len(line) - len(line.lstrip())
            line = " " * max(0, indent - 2) + "- " + line.lstrip()
            dash = False
        out.append(line)
    return "\n".join(out) + "\n"


def report(stdout):
    m = re.search(r"~(\d+) cycles", stdout)
    cycles = int(m.group(1)) if m else None
    spans = re.findall(r"0x([0-9a-f]{4})-0x([0-9a-f]{4})", stdout)
    top = max((int(b, 16) + 1 for _, b in spans), default=0)
    return cycles, top


def run(bin_dir, wd, argv):
    t = time.perf_counter()
    r = subprocess.run([os.path.join(bin_dir, "tornadoc")] + argv, cwd=wd,
                       capture_output=True, text=True)
    return r, time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--min", type=int, default=0)
    p.add_argument("--keep")
    args = p.parse_args()
    conf = corpus.shared_dir(os.path.abspath(args.source_root))
    if not os.path.exists(os.path.join(conf, "MANIFEST.tsv")):
        print(f"{conf}/MANIFEST.tsv not found: skipped")
        return corpus.SKIP
    bin_dir = os.path.abspath(args.bin)
    demos = [c for c in corpus.load_cases(conf)
             if "/" not in c.name and c.device in ("MAX78000", "MAX78002")
             and "--rtl" not in " ".join(c.args)]
    work = args.keep or tempfile.mkdtemp(prefix="auto-demos-")
    wd = os.path.join(work, "wd")
    shutil.rmtree(wd, ignore_errors=True)
    os.makedirs(wd)
    inputs = os.path.join(conf, "inputs")
    for name in os.listdir(inputs):
        os.symlink(os.path.join(inputs, name), os.path.join(wd, name))
    os.makedirs(os.path.join(wd, "auto"))
    ok, ratios, mem_ratios = 0, [], []
    print(f"{'network':22} {'device':9} {'hand cyc':>9} {'auto cyc':>9} {'ratio':>6} "
          f"{'hand mem':>9} {'auto mem':>9} {'hand s':>7} {'auto s':>7}  result")
    for c in demos:
        argv = [a[len("inputs/"):] if a.startswith("inputs/") else a for a in c.args]
        i = argv.index("--config-file") + 1
        with open(os.path.join(wd, argv[i])) as f:
            stripped = strip_yaml(f.read())
        auto_yaml = os.path.join("auto", f"{c.device}-{c.name}.yaml")
        with open(os.path.join(wd, auto_yaml), "w") as f:
            f.write(stripped)
        argv = [a for a in argv if a not in ("--display-checkpoint", "--verbose")]
        t = argv.index("--test-dir") + 1
        hand_argv = list(argv)
        hand_argv[t] = os.path.join(work, "hand", c.device)
        auto_argv = list(argv)
        auto_argv[t] = os.path.join(work, "auto", c.device)
        auto_argv[i] = auto_yaml
        rh, th = run(bin_dir, wd, hand_argv + ["--overwrite"])
        ra, ta = run(bin_dir, wd, auto_argv + ["--overwrite"])
        prefix = c.opt("--prefix")
        if rh.returncode:
            print(f"{c.name:22} {c.device:9} hand-placed build failed: "
                  f"{rh.stderr.strip().splitlines()[:1]}")
            continue
        ch, mh = report(rh.stdout)
        if ra.returncode:
            msg = (ra.stderr.strip().splitlines() or ["?"])[0][:150]
            print(f"{c.name:22} {c.device:9} {ch or 0:>9} {'-':>9} {'-':>6} {mh:>9} {'-':>9} "
                  f"{th:7.2f} {ta:7.2f}  FAILS: {msg}")
            continue
        ca, ma = report(ra.stdout)
        # Outputs at other addresses are checked in another order: compare
        # the values as a multiset.
        same = corpus.known_answer_values(os.path.join(hand_argv[t], prefix)) == \
            corpus.known_answer_values(os.path.join(auto_argv[t], prefix))
        ratio = ca / ch if ch and ca else float("nan")
        if same:
            ok += 1
            if ch and ca:
                ratios.append(ratio)
            if mh and ma:
                mem_ratios.append(ma / mh)
        print(f"{c.name:22} {c.device:9} {ch or 0:>9} {ca or 0:>9} {ratio:6.3f} "
              f"{mh:>9x} {ma:>9x} {th:7.2f} {ta:7.2f}  "
              f"{'same known answer' if same else 'KNOWN ANSWER DIFFERS'}")
    geo = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else float("nan")
    geo_m = math.exp(sum(map(math.log, mem_ratios)) / len(mem_ratios)) \
        if mem_ratios else float("nan")
    print(f"\n{ok} of {len(demos)} demo networks compiled without placement keys "
          f"(same known answer); cycles auto/hand geometric mean {geo:.3f}, "
          f"memory span auto/hand geometric mean {geo_m:.3f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
