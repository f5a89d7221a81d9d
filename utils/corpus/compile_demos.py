"""Compiles tornadoc's output for every corpus demo network with the Arm GCC.

usage: compile_demos.py BUILD_BIN SOURCE_ROOT [--cc arm-none-eabi-gcc]
Runs tornadoc with each SDK demo's izer command line (both devices), then
compiles the generated C with -mcpu=cortex-m4 -mthumb -Os -Wall -Wextra
-Werror against utils/msdk-stub. Exits 1 on any failure or warning, 77
(skipped) without the corpus or the compiler.
"""
import argparse
import os
import shutil
import sys
import tempfile

import corpus
import lower_all

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conform"))
import compile_check  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--cc", default="arm-none-eabi-gcc")
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)
    root = os.path.abspath(args.source_root)
    conf = corpus.shared_dir(root)
    cc = shutil.which(args.cc)
    if not os.path.isdir(conf) or not cc:
        print("skipped: needs the conformance corpus and", args.cc)
        return corpus.SKIP
    stub = os.path.join(root, "utils", "msdk-stub")
    demos = [c for c in corpus.load_cases(conf)
             if c.device in ("MAX78000", "MAX78002") and "/" not in c.name]
    ok = files = 0
    with tempfile.TemporaryDirectory() as work:
        for case in demos:
            out, msg = lower_all.run_tornadoc(args, conf, case, work, None)
            if out is None:
                print(f"FAIL {case.device} {case.name}: {msg}")
                continue
            count = compile_check.compile_project(cc, stub, f"{case.device} {case.name}", out)
            if count is not None:
                ok += 1
                files += count
    print(f"{ok} of {len(demos)} demo projects compiled without warnings ({files} files)")
    return 0 if ok == len(demos) else 1


if __name__ == "__main__":
    sys.exit(main())
