#!/usr/bin/python3
"""Checks that every program, library, Python module and data file the build
and the tests use is present, and that it comes from a package
utils/setup.sh installs (directly or as a dependency) or from Debian's
minimal image. A test needing something installed by hand would pass here
and fail on CI's fresh machine; this check fails first, with a message that
names the package to add.

usage: check-env.py [SOURCE_ROOT] [-v] [--only NAME]

Exit status 0 when everything is in place, 1 otherwise.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

# (what, who needs it, how to find it, package that provides it).
# A probe is ("cmd", name), ("file", glob), ("py", module) or
# ("arm-libc",): the Arm C library the generated main.c needs.
REQUIREMENTS = [
    ("CMake", "build", ("cmd", "cmake"), "cmake"),
    ("Ninja", "build", ("cmd", "ninja"), "ninja-build"),
    ("clang++-19", "build", ("cmd", "clang++-19"), "clang-19"),
    ("lld", "build", ("cmd", "ld.lld-19"), "lld-19"),
    ("ccache", "build", ("cmd", "ccache"), "ccache"),
    ("MLIR headers", "build", ("file", "/usr/lib/llvm-19/include/mlir/IR/Operation.h"),
     "libmlir-19-dev"),
    ("mlir-tblgen", "build", ("file", "/usr/lib/llvm-19/bin/mlir-tblgen"), "mlir-19-tools"),
    ("LLVM CMake files", "build", ("file", "/usr/lib/llvm-19/lib/cmake/llvm/LLVMConfig.cmake"),
     "llvm-19-dev"),
    ("yaml-cpp", "build", ("file", "/usr/include/yaml-cpp/yaml.h"), "libyaml-cpp-dev"),
    ("protobuf", "build", ("file", "/usr/include/google/protobuf/message.h"), "libprotobuf-dev"),
    ("protoc", "build", ("cmd", "protoc"), "protobuf-compiler"),
    ("ONNX headers", "build", ("file", "/usr/include/onnx/onnx_pb.h"), "libonnx-dev"),
    ("GoogleTest", "unittests", ("file", "/usr/include/gtest/gtest.h"), "libgtest-dev"),
    ("zlib", "build", ("file", "/usr/include/zlib.h"), "zlib1g-dev"),
    ("lit", "lit tests", ("file", "/usr/lib/llvm-19/build/utils/lit/lit.py"), "llvm-19-tools"),
    ("FileCheck", "lit tests", ("file", "/usr/lib/llvm-19/bin/FileCheck"), "llvm-19-tools"),
    ("not", "lit tests", ("file", "/usr/lib/llvm-19/bin/not"), "llvm-19-tools"),
    ("git", "--version's revision", ("cmd", "git"), "git"),
    ("arm-none-eabi-gcc", "test/Emit/arm-compile*.test", ("cmd", "arm-none-eabi-gcc"),
     "gcc-arm-none-eabi"),
    ("Arm C library (stdio.h for main.c)", "test/Emit/arm-compile*.test", ("arm-libc",),
     "libnewlib-arm-none-eabi"),
    ("numpy", "corpus and frontend tests", ("py", "numpy"), "python3-numpy"),
    ("PyYAML", "corpus and frontend tests", ("py", "yaml"), "python3-yaml"),
    ("onnx (Python)", "python-frontend tests", ("py", "onnx"), "python3-onnx"),
    ("torch", "python-frontend tests", ("py", "torch"), "python3-torch"),
    ("pytest", "python-frontend tests", ("py", "pytest"), "python3-pytest"),
    ("Fashion-MNIST", "python-frontend tests", ("file",
     "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"), "dataset-fashion-mnist"),
]


def setup_packages(root):
    """The package list of utils/setup.sh (its `packages=( ... )` array)."""
    text = open(os.path.join(root, "utils", "setup.sh")).read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        sys.exit("check-env: no packages=( ... ) list in utils/setup.sh")
    body = re.sub(r"#.*", "", m.group(1))
    return set(body.split())


def dependency_closure(packages):
    """Every package apt installs for `packages` (Depends and PreDepends)."""
    r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends",
                        "--no-suggests", "--no-conflicts", "--no-breaks",
                        "--no-replaces", "--no-enhances"] + sorted(packages),
                       capture_output=True, text=True)
    closure = set(packages)
    for line in r.stdout.splitlines():
        if line and not line.startswith((" ", "<")):
            closure.add(line.strip().split(":")[0])
        m = re.match(r"\s+(?:Pre)?Depends: (?!<)(\S+)", line)
        if m:
            closure.add(m.group(1).split(":")[0])
    return closure


def base_package(package):
    """Whether Debian's minimal image has `package` (Essential or required)."""
    r = subprocess.run(["dpkg-query", "-W", "-f=${Essential} ${Priority}", package],
                       capture_output=True, text=True)
    return r.returncode == 0 and ("yes" in r.stdout.split()[:1] or "required" in r.stdout)


def owner(path):
    """The installed package that owns `path` (after resolving links)."""
    for p in (path, os.path.realpath(path)):
        r = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0].split(",")[0].strip()
    return None


def locate(probe):
    """The file that satisfies `probe`, or None when it is missing."""
    kind = probe[0]
    if kind == "cmd":
        return shutil.which(probe[1])
    if kind == "file":
        found = glob.glob(probe[1])
        return found[0] if found else None
    if kind == "py":
        r = subprocess.run(["/usr/bin/python3", "-c",
                            f"import {probe[1]}; print({probe[1]}.__file__)"],
                           capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    if kind == "arm-libc":
        cc = shutil.which("arm-none-eabi-gcc")
        if not cc:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "t.c")
            with open(src, "w") as f:
                f.write("#include <stdio.h>\nint main(void) { printf(\"x\"); return 0; }\n")
            r = subprocess.run([cc, "-mcpu=cortex-m4", "-mthumb", "-H", "-c", src,
                                "-o", os.path.join(tmp, "t.o")],
                               capture_output=True, text=True)
            if r.returncode != 0:
                return None
            # -H lists the headers; the first one is stdio.h itself.
            headers = [x.lstrip(". ") for x in r.stderr.splitlines() if x.startswith(".")]
            return headers[0] if headers else None
    raise ValueError(probe)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root", nargs="?",
                   default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--only", default="", help="check the requirements whose name contains this")
    args = p.parse_args()
    listed = setup_packages(args.root)
    closure = None
    problems = []
    requirements = [r for r in REQUIREMENTS if args.only in r[0]]
    for what, user, probe, package in requirements:
        if package not in listed:
            problems.append(f"{what} (needed by {user}) comes from package {package}, "
                            "which utils/setup.sh does not list: add it")
        path = locate(probe)
        if not path:
            problems.append(f"{what} (needed by {user}) is missing: install package "
                            f"{package} (run utils/setup.sh)")
            continue
        pkg = owner(path)
        if pkg is None:
            problems.append(f"{what} (needed by {user}) is found at {path}, which no Debian "
                            f"package owns (installed by hand?): use package {package}")
            continue
        if closure is None:
            closure = dependency_closure(listed)
        if pkg not in closure and not base_package(pkg):
            problems.append(f"{what} (needed by {user}) is found at {path}, from package "
                            f"{pkg}, which utils/setup.sh does not install: add {package}")
            continue
        if args.verbose:
            print(f"ok  {what:40} {path} ({pkg})")
    for problem in problems:
        print("check-env: " + problem)
    if problems:
        print(f"check-env: {len(problems)} problem(s); the tests need these on a fresh machine")
        return 1
    print(f"check-env: all {len(requirements)} build and test requirements come from "
          "utils/setup.sh's packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
