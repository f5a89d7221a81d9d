#!/usr/bin/env bash
# Runs every Tornado test (lit, C++ unit tests, Python frontend tests) through
# CTest, which ends with its "N tests failed out of M" summary and a non-zero
# exit status when anything fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/utils/setup.sh"
# Fails first, naming the package, when a test needs something utils/setup.sh
# does not install (a fresh CI machine would fail deep inside that test).
/usr/bin/python3 "$root/utils/check-env.py" "$root"
ctest --test-dir "$root/build" --output-on-failure -j"${TORNADO_JOBS:-2}"
