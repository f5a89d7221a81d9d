#!/usr/bin/env bash
# Regenerates docs/reference/ (dialect and pass reference) from the ODS
# definitions. Run after changing any .td file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ninja -C "$root/build" mlir-doc
mkdir -p "$root/docs/reference"
cp "$root/build/docs/Tornado/TornadoDialect.md" "$root/docs/reference/"
cp "$root/build/docs/TornadoPasses.md" "$root/docs/reference/"
