#!/usr/bin/python3
"""Compile emitted projects with the Arm GCC against utils/msdk-stub.

Each input (a tornado_hw IR file, or a corpus case rebuilt by dump2hw.py) is
printed by tornado-emit into its own folder, then every C file that runs on
the Arm core is compiled (not linked) with
    -mcpu=cortex-m4 -mthumb -Os -Wall -Wextra -Werror
RISC-V programs contribute only their Arm-side main.c (the rest targets the
RISC-V core). Exits 1 on any emitter or compiler failure.
"""

import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = ['-mcpu=cortex-m4', '-mthumb', '-Os', '-Wall', '-Wextra', '-Werror']
RISCV_CORE_FILES = {'cnn.c', 'main_riscv.c', 'softmax.c'}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--emit', required=True, help='tornado-emit binary')
    ap.add_argument('--cc', default='arm-none-eabi-gcc')
    ap.add_argument('--stub', default=os.path.join(HERE, '..', 'msdk-stub'))
    ap.add_argument('--conformance', default=None, help='shared/conformance folder')
    ap.add_argument('--ir', action='append', default=[], help='tornado_hw IR file')
    ap.add_argument('--case', action='append', default=[],
                    help='corpus case (folder below corpus/), rebuilt with dump2hw.py')
    ap.add_argument('--workdir', help='keep the projects here')
    args = ap.parse_args(argv)

    work = args.workdir or tempfile.mkdtemp(prefix='tornado-cc-')
    os.makedirs(work, exist_ok=True)
    inputs = [(os.path.splitext(os.path.basename(p))[0], p) for p in args.ir]
    if args.case:
        sys.path.insert(0, HERE)
        import dump2hw  # pylint: disable=import-outside-toplevel
        conformance = args.conformance or dump2hw.DEFAULT_CONFORMANCE
        for case in args.case:
            ir = os.path.join(work, case.replace('/', '_') + '.mlir')
            rc = dump2hw.main(['--conformance', conformance, '--case', case, '-o', ir])
            if rc:
                print(f'FAIL {case}: dump2hw exited with {rc}')
                return 1
            inputs.append((case.replace('/', '_'), ir))

    compiled = 0
    for name, ir in inputs:
        out = os.path.join(work, name)
        p = subprocess.run([args.emit, '--emit-c', f'--emit-c-dir={out}', ir],
                           capture_output=True, text=True, check=False)
        if p.returncode:
            print(f'FAIL {name}: tornado-emit: {p.stderr.strip()}')
            return 1
        count = compile_project(args.cc, args.stub, name, out)
        if count is None:
            return 1
        compiled += count
    print(f'compiled {compiled} files of {len(inputs)} projects without warnings')
    return 0


def compile_project(cc, stub, name, out):
    """Compiles the Arm-side C files of the project in `out`; returns how
    many, or None (after printing the compiler's message) on a failure or
    any warning."""
    files = sorted(f for f in os.listdir(out) if f.endswith('.c'))
    if 'main_riscv.c' in files:
        files = [f for f in files if f not in RISCV_CORE_FILES]
    for f in files:
        cmd = [cc, *FLAGS, '-I', stub, '-I', out, '-c',
               os.path.join(out, f), '-o', os.path.join(out, f + '.o')]
        p = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if p.returncode or p.stderr.strip():
            print(f'FAIL {name}/{f}:\n{p.stderr}')
            return None
    print(f'ok {name}: {", ".join(files)}')
    return len(files)


if __name__ == '__main__':
    sys.exit(main())
