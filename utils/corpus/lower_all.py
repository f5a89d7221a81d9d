"""Lowers every corpus network to C and compares the hardware state with the izer's.

usage: lower_all.py BUILD_BIN SOURCE_ROOT [--min N] [--min-full N] [--case SUBSTR] [--all]
                    [--jobs N] [--keep DIR] [--tornadoc] [-v]

With --tornadoc each case runs as the izer command line with tornadoc in
the izer's place (from a folder laid out like the izer's), which is how
users run it; without it the tools run one by one.

For each MANIFEST case the izer built for MAX78000/MAX78002 (not RTL
simulation, not CMSIS-NN): import the network (tornado-translate), place
kernels and bias, run tornado-lower-to-hw with the pass options that mirror
the case's izer flags, emit C (tornado-emit --emit-c-dir) and compare with
the reference folder using tornado-conform. Prints one line per case that
is not identical, then per category "N of M equal" and "N of M cases
identical". By default a representative subset runs (about a minute);
--all or TORNADO_FULL_CONFORM=1 runs every case (about 10 minutes on 2
cores). Exits 1 when fewer cases than the ratchet (--min for the subset,
--min-full for all cases) are identical, 77 (skipped) without the corpus.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

import corpus
import main_behaviour

CATEGORIES = ["registers", "kernels", "bias", "input", "output", "api", "unload"]

# Cases run by default: every code shape the lowering handles (CHW/HWC,
# both devices, loaders, FIFO, 32-bit and 8-bit outputs, multi-pass,
# flatten, element-wise, pass-through).
SUBSET = {
    ("MAX78000", "mnist"), ("MAX78002", "mnist"),
    ("MAX78000", "cifar-10"), ("MAX78002", "cifar-10"),
    ("MAX78000", "kws20_v3"),
    ("MAX78000", "options/mnist-no-mexpress"), ("MAX78000", "options/mnist-zero-sram"),
    ("MAX78000", "options/cifar-10-fifo"), ("MAX78002", "options/mnist-fifo"),
    ("MAX78000", "options/mnist-no-unload"),
    ("MAX78000", "tests/test-eltwiseadd-poolafter"), ("MAX78000", "tests/test-mpadd-256"),
    ("MAX78000", "tests/test-conv1d-pool-3-q2"), ("MAX78000", "tests/test-mlpflatten768to100-big-q4"),
    ("MAX78000", "tests/test-passthrough-2-pool"), ("MAX78000", "tests/test-upsample-nonsquare-pad1B"),
    ("MAX78000", "tests/test-wideout-q1"), ("MAX78000", "tests/test-fifo-hwc-nonsquare"),
    ("MAX78000", "tests/test-ai85-fire-cifar10"), ("MAX78002", "scripts/dotprod_demo"),
}

RTL_FLAGS = ("--rtl", "--rtl-preload", "--rtl-preload-weights", "--block-mode")


def pass_options(case):
    """tornado-lower-to-hw options mirroring the izer flags of `case`."""
    opts = []
    if case.opt("--prefix"):
        opts.append(f"prefix={case.opt('--prefix')}")
    if case.opt("--fast-fifo"):
        opts.append("fast-fifo=true")
    elif case.opt("--fifo"):
        opts.append("fifo=true")
    if case.opt("--no-compact-data"):
        opts.append("compact-data=false")
    if case.opt("--no-mexpress"):
        opts.append("mexpress=false")
    if case.opt("--old-kernel-loader"):
        opts.append("old-kernel-loader=true")
    # The izer measures energy with the power monitor instead of a timer.
    if case.opt("--timer") is not None and not case.opt("--energy"):
        opts.append(f"timer={case.opt('--timer')}")
    for flag, opt in (("--softmax", "softmax=true"), ("--no-kat", "kat=false"),
                      ("--no-unload", "unload=false"), ("--riscv", "riscv=true"),
                      ("--no-pipeline", "pipeline=false"),
                      ("--write-zero-registers", "write-zero-registers=true"),
                      ("--zero-sram", "zero-sram=true"), ("--energy", "energy=true")):
        if case.opt(flag):
            opts.append(opt)
    if case.opt("--start-layer"):
        opts.append(f"start-layer={case.opt('--start-layer')}")
    if case.opt("--max-checklines"):
        opts.append(f"max-checklines={case.opt('--max-checklines')}")
    return opts


def placement_options(case):
    kopts = f"weight-start={case.opt('--weight-start', 0)}"
    if case.opt("--old-kernel-loader"):
        kopts += " new-kernel-loader=false"
    if case.opt("--no-deduplicate-weights"):
        kopts += " deduplicate=false"
    return kopts


def short(text, n=160):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return (lines[0] if lines else "?")[:n]


def izer_workdir(conf, work):
    """A folder laid out like the izer's working directory: the corpus
    inputs (networks/, tests/, trained/) under their own names, so the
    MANIFEST command line and the files it loads by name resolve."""
    wd = os.path.join(work, "wd")
    if not os.path.isdir(wd):
        os.makedirs(wd)
        inputs = os.path.join(conf, "inputs")
        for name in os.listdir(inputs):
            os.symlink(os.path.join(inputs, name), os.path.join(wd, name))
    return wd


def run_tornadoc(args, conf, case, work, ref):
    """The case's izer command line with tornadoc in the izer's place."""
    argv = [a[len("inputs/"):] if a.startswith("inputs/") else a for a in case.args]
    out_root = os.path.join(work, case.device + "_" + case.name.replace("/", "_"))
    argv[argv.index("--test-dir") + 1] = out_root
    r = subprocess.run([os.path.join(args.bin, "tornadoc"), "--no-report"] + argv,
                       cwd=izer_workdir(conf, work), capture_output=True, text=True)
    if r.returncode:
        return None, "tornadoc: " + short(r.stderr)
    return os.path.join(out_root, case.opt("--prefix")), ""


def compare(conf, ref, cdir):
    r = subprocess.run([sys.executable, os.path.join(conf, "tornado-conform"), ref, cdir,
                        "--json"], capture_output=True, text=True)
    try:
        report = json.loads(r.stdout)
    except ValueError:
        return None, "tornado-conform: " + short(r.stderr or r.stdout)
    result = {c: report["categories"].get(c, {}).get("status") == "equal" for c in CATEGORIES}
    bad = [c for c in CATEGORIES if not result[c]]
    return result, ("differs: " + ", ".join(bad)) if bad else ""


def compare_main(ref, cdir, result, msg):
    """Adds the `main` category: what main() does (clocks, boost, sleep,
    call order), which tornado-conform does not look at."""
    diffs = main_behaviour.compare(ref, cdir)
    result["main"] = not diffs
    if diffs:
        msg = (msg + "; " if msg else "differs: ") + "main"
    return result, msg


def run_case(args, conf, case, work):
    """Returns (case, {category: equal?} or None, message)."""
    ref = os.path.join(conf, case.folder)
    if args.tornadoc:
        cdir, msg = run_tornadoc(args, conf, case, work, ref)
        if cdir is None:
            return case, None, msg
        result, msg = compare(conf, ref, cdir)
        if result is None:
            return case, None, msg
        return (case,) + compare_main(ref, cdir, result, msg)
    out = os.path.join(work, case.device + "_" + case.name.replace("/", "_"))
    os.makedirs(out, exist_ok=True)
    cmd = corpus.import_command(args.bin, conf, case, "-")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return case, None, "import: " + short(r.stderr)
    lower = " ".join(pass_options(case))
    pipeline = (f"builtin.module(tornado.network(tornado-place-kernels{{{placement_options(case)}}},"
                f"tornado-place-bias),tornado-lower-to-hw{{{lower}}})")
    hw = os.path.join(out, "program.mlir")
    r = subprocess.run([os.path.join(args.bin, "tornado-opt"), f"--pass-pipeline={pipeline}",
                        "-o", hw], input=r.stdout, capture_output=True, text=True)
    if r.returncode:
        return case, None, "lower: " + short(r.stderr)
    cdir = os.path.join(out, "c")
    r = subprocess.run([os.path.join(args.bin, "tornado-emit"), "--emit-c",
                        f"--emit-c-dir={cdir}", hw], capture_output=True, text=True)
    if r.returncode:
        return case, None, "emit: " + short(r.stderr)
    return (case,) + compare(conf, ref, cdir)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--min", type=int, default=0,
                   help="ratchet: identical cases needed in the default subset")
    p.add_argument("--min-full", type=int, default=0,
                   help="ratchet: identical cases needed with --all")
    p.add_argument("--case", help="only cases whose name contains this")
    p.add_argument("--all", action="store_true", help="every case (TORNADO_FULL_CONFORM=1)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", help="keep the generated programs and C in this folder")
    p.add_argument("--tornadoc", action="store_true",
                   help="run tornadoc with the case's izer command line instead of "
                        "the individual tools")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)
    conf = corpus.shared_dir(os.path.abspath(args.source_root))
    if not os.path.isdir(conf):
        print("skipped: no conformance corpus at", conf)
        return corpus.SKIP
    full = args.all or os.environ.get("TORNADO_FULL_CONFORM") == "1"

    cases = []
    for case in corpus.load_cases(conf):
        if case.device not in ("MAX78000", "MAX78002"):
            continue  # CMSIS-NN software output
        if any(case.opt(f) for f in RTL_FLAGS):
            continue
        if not os.path.exists(os.path.join(conf, case.folder, "cnn.c")):
            continue
        if args.case and args.case not in case.name:
            continue
        if not full and not args.case and (case.device, case.name) not in SUBSET:
            continue
        cases.append(case)

    work = args.keep or tempfile.mkdtemp(prefix="lower-all-")
    if args.tornadoc:
        # Made once, before the workers: two making it at once collide.
        izer_workdir(conf, work)
    categories = CATEGORIES + (["main"] if args.tornadoc else [])
    counts = {c: 0 for c in categories}
    identical = 0
    # The SDK demos are the corpus's top-level cases.
    demos = sum(1 for c in cases if "/" not in c.name)
    demos_identical = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_case, args, conf, c, work) for c in cases]
            for future in concurrent.futures.as_completed(futures):
                case, result, msg = future.result()
                if result is not None:
                    for c in categories:
                        counts[c] += result[c]
                    if all(result.values()):
                        identical += 1
                        demos_identical += "/" not in case.name
                if msg:
                    print(f"FAIL {case.device} {case.name}: {msg}", flush=True)
                elif args.verbose:
                    print(f"ok   {case.device} {case.name}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    m = len(cases)
    for c in categories:
        print(f"{c:10} {counts[c]} of {m} equal")
    print(f"{demos_identical} of {demos} demo cases identical")
    print(f"{identical} of {m} cases identical")
    need = args.min_full if full and not args.case else args.min
    if identical < need:
        print(f"below the ratchet: {identical} < {need}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
