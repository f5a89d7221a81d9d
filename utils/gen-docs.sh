#!/usr/bin/env bash
# Regenerates docs/reference/ (dialect and pass reference) from the ODS
# definitions. Run after changing any .td file.
#
# usage: utils/gen-docs.sh [--check] [BUILD_DIR]
#   BUILD_DIR  a configured build directory (default: build/ in the tree);
#              its mlir-doc target runs mlir-tblgen into BUILD_DIR/docs
#   --check    change nothing; show the difference and exit 1 when
#              docs/reference/ is not what the .td files generate (CTest
#              `docs-reference` runs this)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
build="${1:-$root/build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "error: $build is not a configured build directory" >&2
  exit 1
fi

# Quiet unless it fails: the check runs inside CTest.
if ! log="$(cmake --build "$build" --target mlir-doc 2>&1)"; then
  echo "$log" >&2
  exit 1
fi

# Generated file (under BUILD_DIR/docs) -> name in docs/reference/.
docs=(Tornado/TornadoDialect.md HW/TornadoHWDialect.md TornadoPasses.md)
stale=0
mkdir -p "$root/docs/reference"
for f in "${docs[@]}"; do
  generated="$build/docs/$f"
  reference="$root/docs/reference/$(basename "$f")"
  if [ ! -f "$generated" ]; then
    echo "error: mlir-doc did not generate $generated" >&2
    exit 1
  fi
  if [ "$check" = 1 ]; then
    diff -u "$reference" "$generated" || stale=1
  else
    cp "$generated" "$reference"
  fi
done
if [ "$stale" = 1 ]; then
  echo "docs/reference/ is out of date: run utils/gen-docs.sh $build" >&2
  exit 1
fi
