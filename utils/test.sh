#!/usr/bin/env bash
# Runs every Tornado test (lit, C++ unit tests, Python frontend tests) through
# CTest, which ends with its "N tests failed out of M" summary and a non-zero
# exit status when anything fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/utils/setup.sh"
ctest --test-dir "$root/build" --output-on-failure -j"${TORNADO_JOBS:-2}"
