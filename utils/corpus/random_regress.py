"""Random-network regressions without the izer: each listed seed's program
must program the hardware state it programmed when it was checked against
the izer.

usage: random_regress.py BUILD_BIN SOURCE_ROOT [--list FILE] [--record SEED...]

The list (default test/corpus/random-regressions.txt) holds one line per
seed: `SEED OUTCOME SHA256  # why it is there`. For each seed the tester's
generator (random_oracle.generate, deterministic per seed) writes the network,
tornadoc compiles it with the seed's arguments, and tornado-conform --dump
prints the canonical hardware state; its SHA-256 (without the folder path
line) must equal the recorded one. OUTCOME is what the izer comparison gave
when the hash was recorded: EQUAL, or DELIBERATE (Tornado differs where the
izer's program is wrong; docs/conformance.md).

--record SEED... (needs IZER_DIR) runs the izer comparison for those seeds
first and records the hash only when it is EQUAL or DELIBERATE. The izer's
files are never stored, only the hash of Tornado's own state.

Exits 77 (skipped) when tornado-conform is absent (../shared/conformance).
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402
import oracle  # noqa: E402
import random_oracle  # noqa: E402

LINE = re.compile(r"^\s*(\d+)\s+(EQUAL|DELIBERATE)\s+([0-9a-f]{64})\s*(#.*)?$")


def read_list(path):
    entries = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = LINE.match(line)
            if not m:
                raise SystemExit(f"{path}:{n}: expected `SEED EQUAL|DELIBERATE SHA256 # note`")
            entries[int(m.group(1))] = (m.group(2), m.group(3), (m.group(4) or "").strip())
    return entries


def state_hash(conform_bin, folder):
    r = subprocess.run([conform_bin, "--dump", folder], capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr or r.stdout).strip()
    lines = [x for x in r.stdout.splitlines() if not x.startswith("path:")]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest(), ""


def compile_seed(bin_dir, seed, tmp):
    """Writes seed's network into tmp/wd/tests and compiles it; returns the
    output folder or an error message."""
    net = random_oracle.generate(seed)
    wd = os.path.join(tmp, "wd")
    os.makedirs(os.path.join(wd, "tests"))
    yaml_name = net.write(os.path.join(wd, "tests"))
    name = f"r{seed}"
    common = ["--prefix", name, "--config-file", os.path.join("tests", yaml_name),
              "--device", net.device, "--timer", "0", "--overwrite"] + net.flags
    out = os.path.join(tmp, "tornado")
    r = subprocess.run(oracle.tornadoc_command(bin_dir, out, common), cwd=wd,
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return None, f"tornadoc failed ({r.returncode}): {r.stderr.strip()[:300]}"
    return os.path.join(out, name), ""


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--list", help="the seed list (default test/corpus/random-regressions.txt)")
    p.add_argument("--record", type=int, nargs="+", metavar="SEED",
                   help="check these seeds against the izer and record their hashes")
    p.add_argument("--note", default="", help="the note written with --record")
    args = p.parse_args()
    root = os.path.abspath(args.source_root)
    path = args.list or os.path.join(root, "test", "corpus", "random-regressions.txt")
    bin_dir = os.path.abspath(args.bin)
    conform_bin = os.path.join(corpus.shared_dir(root), "tornado-conform")
    if not os.path.exists(conform_bin):
        print(f"{conform_bin} not found: skipped")
        return corpus.SKIP
    entries = read_list(path) if os.path.exists(path) else {}

    if args.record:
        izer, conf2 = oracle.find_oracle(root)
        if not izer:
            print("--record needs IZER_DIR (the izer is the oracle)")
            return 1
        cfg = dict(izer=os.path.abspath(izer), conf=conf2, bin=bin_dir, keep=None,
                   device=None, izer_only=False)
        failed = 0
        for seed in args.record:
            with tempfile.TemporaryDirectory(prefix=f"rreg{seed}-") as tmp:
                cfg["tmp"] = tmp
                row = random_oracle.run_seed(cfg, seed)
            if row["outcome"] not in ("EQUAL", "DELIBERATE"):
                print(f"{seed}: {row['outcome']} {row['detail'][:200]} -- not recorded")
                failed += 1
                continue
            with tempfile.TemporaryDirectory(prefix=f"rreg{seed}-") as tmp:
                folder, err = compile_seed(bin_dir, seed, tmp)
                digest, err2 = state_hash(conform_bin, folder) if folder else (None, err)
            if not digest:
                print(f"{seed}: {err2} -- not recorded")
                failed += 1
                continue
            old = entries.get(seed)
            entries[seed] = (row["outcome"], digest, old[2] if old and not args.note
                             else "# " + args.note if args.note else "")
            print(f"{seed}: {row['outcome']} {digest}")
        with open(path, "w") as f:
            f.write("# Random-network regressions (utils/corpus/random_regress.py): seed, the\n"
                    "# izer comparison when recorded, SHA-256 of tornado-conform --dump of\n"
                    "# Tornado's program (folder path line removed). Re-record with --record.\n")
            for seed in sorted(entries):
                outcome, digest, note = entries[seed]
                f.write(f"{seed} {outcome} {digest}{'  ' + note if note else ''}\n")
        return 1 if failed else 0

    if not entries:
        print(f"{path}: no seeds")
        return 1
    bad = 0
    for seed, (outcome, digest, note) in sorted(entries.items()):
        with tempfile.TemporaryDirectory(prefix=f"rreg{seed}-") as tmp:
            folder, err = compile_seed(bin_dir, seed, tmp)
            got, err2 = state_hash(conform_bin, folder) if folder else (None, err)
        if got == digest:
            print(f"{seed:6} ok     {outcome:10} {note}")
            continue
        bad += 1
        print(f"{seed:6} FAILED {outcome:10} {note}\n       "
              + (err2 if not got else f"hardware state changed: {got} != {digest}"))
    print(f"\n{len(entries) - bad} of {len(entries)} seeds program the recorded state")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
