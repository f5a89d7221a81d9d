#!/usr/bin/env bash
# Regenerates docs/reference/ (dialect and pass reference) from the ODS
# definitions. Run after changing any .td file.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ninja -C "$root/build" mlir-doc
mkdir -p "$root/docs/reference"
for f in Tornado/TornadoDialect.md HW/TornadoHWDialect.md TornadoPasses.md; do
  [ -f "$root/build/docs/$f" ] && cp "$root/build/docs/$f" "$root/docs/reference/"
done
