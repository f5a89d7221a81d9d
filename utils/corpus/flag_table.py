"""Every flag of the izer's command line, given to tornadoc.

usage: flag_table.py BUILD_BIN SOURCE_ROOT [--markdown] [-v]

test/tornadoc/izer-flags.tsv lists the 173 flags of ai8xize.py (and their
aliases) with the arguments a check needs. For each flag and alias this
runs tornadoc on the bundled fashion-mnist network with that flag added and
sorts the outcome:

  accepted   the project was written (or the network was refused with a
             located error that the flag's setting causes)
  refused    tornadoc stopped with a message that names the flag
  failed     tornadoc stopped for another reason (a bug of this table or of
             tornadoc)
  unknown    "Unknown command line argument": the flag is not recognised

Prints the counts (the issue's "flags accepted / 173") and, with
--markdown, the table of docs/tornadoc.md: flag, outcome, what tornadoc
does with it (its --help-hidden text) and how it is checked (corpus: a
corpus command line uses it; oracle: an oracle.py case compares it with the
live izer). Exits 1 when a flag is unknown, failed or crashed.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402


def load_table(root):
    rows = []
    with open(os.path.join(root, "test", "tornadoc", "izer-flags.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            flag, kind, aliases, extra = (line.rstrip("\n").split("\t") + [""] * 4)[:4]
            rows.append((flag, kind, aliases.split(), extra.split()))
    return rows


def run(binary, root, work, spelling, extra):
    net = os.path.join(root, "networks")
    base = {
        "--config-file": os.path.join(net, "fashion-mnist.yaml"),
        "--checkpoint-file": os.path.join(net, "fashion-mnist-qat8-q.pth.tar"),
        "--sample-input": os.path.join(net, "sample_fashion_mnist.npy"),
        "--test-dir": work,
        "--prefix": "p",
    }
    args = [spelling]
    subst = {"CONFIG": base["--config-file"], "CHECKPOINT": base["--checkpoint-file"],
             "SAMPLE": base["--sample-input"], "OUT": work}
    args += [subst.get(a, a) for a in extra]
    argv = [binary, "--no-report", "--overwrite"]
    # The table's own value replaces the base argument of the same flag.
    for flag, value in base.items():
        if flag != spelling:
            argv += [flag, value]
    if spelling in ("--ai85",):
        argv = [a for i, a in enumerate(argv) if not (a == "--device")]
    argv += args
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    err = r.stderr
    if "Unknown command line argument" in err:
        return "unknown", err
    if r.returncode < 0 or "Stack dump" in err or "LLVM ERROR" in err:
        return "crashed", err
    if r.returncode:
        name = spelling
        if ".yaml:" in err:
            # The flag was taken; this network does not allow it (e.g.
            # --synthesize-input needs HWC input), said at its YAML line.
            return "accepted", err
        return ("refused" if name in err else "failed"), err
    return "accepted", err


def help_texts(binary):
    """{flag: description} from tornadoc --help-hidden."""
    import re  # pylint: disable=import-outside-toplevel
    out = subprocess.run([binary, "--help-hidden"], capture_output=True).stdout
    texts = {}
    for line in out.decode("utf-8", "replace").splitlines():
        m = re.match(r"\s+(-{1,2}[\w-]+)(?:=<[^>]*>)?\s+- (.*)", line)
        if m:
            texts[m.group(1)] = m.group(2).strip()
    return texts


def checked_by(root, flag):
    """How a flag is checked against the izer, for the docs table."""
    how = []
    manifest = os.path.join(corpus.shared_dir(root), "MANIFEST.tsv")
    if os.path.exists(manifest) and any(
            flag in line.split("\t")[2].split() for line in open(manifest) if "\t" in line):
        how.append("corpus")
    oracle = open(os.path.join(root, "utils", "corpus", "oracle.py")).read()
    if f'"{flag}"' in oracle or f"'{flag}'" in oracle:
        how.append("oracle")
    return ", ".join(how) or "flag table"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    binary = os.path.join(os.path.abspath(args.bin), "tornadoc")
    root = os.path.abspath(args.source_root)
    rows = load_table(root)
    counts = {}
    bad = 0
    work = tempfile.mkdtemp(prefix="flag-table-")
    texts = help_texts(binary) if args.markdown else {}
    if args.markdown:
        print("| flag | tornadoc | effect | checked |")
        print("|---|---|---|---|")
    try:
        for flag, kind, aliases, extra in rows:
            outcomes = []
            for spelling in [flag] + aliases:
                outcome, err = run(binary, root, work, spelling, extra)
                outcomes.append(outcome)
                if outcome in ("unknown", "failed", "crashed"):
                    bad += 1
                    print(f"{outcome.upper()} {spelling} {' '.join(extra)}: "
                          f"{err.strip().splitlines()[-1] if err.strip() else ''}")
                elif args.verbose:
                    last = err.strip().splitlines()[-1] if err.strip() else ""
                    print(f"{outcome:8} {spelling} {last}")
            counts[outcomes[0]] = counts.get(outcomes[0], 0) + 1
            if args.markdown:
                # libLLVM owns --stop-after; tornadoc reads the izer's as
                # --izer-stop-after.
                text = texts.get("--izer-stop-after" if flag == "--stop-after" else flag,
                                 "").replace("|", "/")
                for prefix, short in (("Accepted, no effect: ", "no effect: "),
                                      ("Refused: ", "")):
                    if text.startswith(prefix):
                        text = short + text[len(prefix):]
                print(f"| `{flag}`{''.join(', `' + a + '`' for a in aliases)} | "
                      f"{outcomes[0]} | {text} | {checked_by(root, flag)} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = len(rows)
    print(f"{counts.get('accepted', 0)} of {total} izer flags accepted, "
          f"{counts.get('refused', 0)} refused with a message, "
          f"{counts.get('unknown', 0)} unknown, {counts.get('failed', 0) + counts.get('crashed', 0)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
