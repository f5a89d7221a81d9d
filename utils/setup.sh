#!/usr/bin/env bash
# Installs every Debian package Tornado needs, then configures and builds it
# into build/. Idempotent: re-running only rebuilds what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

packages=(
  cmake ninja-build clang-19 lld-19 ccache
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libyaml-cpp-dev libprotobuf-dev protobuf-compiler libonnx-dev
  libgtest-dev zlib1g-dev git
  # The Arm compile tests build the generated main.c, which needs a C library.
  gcc-arm-none-eabi libnewlib-arm-none-eabi
  python3-numpy python3-yaml python3-onnx python3-torch python3-pytest
  dataset-fashion-mnist
  # What the izer needs to run as the oracle (IZER_DIR; utils/corpus/oracle.py,
  # random_oracle.py): the tests that use it skip without IZER_DIR.
  python3-rich python3-xxhash python3-git python3-github yamllint
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
ninja -C build -j"${TORNADO_JOBS:-2}"
