#!/usr/bin/env bash
# CTest `install`: installs the build into a temporary prefix, then runs the
# installed tornadoc on the bundled example and the installed python-frontend
# from outside the source and build trees.
# usage: test-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
src="$(cd "$2" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cd "$tmp"
"$tmp/prefix/bin/tornadoc" --version
"$tmp/prefix/bin/tornadoc" --test-dir "$tmp/out" --prefix fashion-mnist \
  --config-file "$src/networks/fashion-mnist.yaml" \
  --checkpoint-file "$src/networks/fashion-mnist-qat8-q.pth.tar" \
  --sample-input "$src/networks/sample_fashion_mnist.npy" \
  --device MAX78000 --softmax --no-report
for f in cnn.c cnn.h weights.h sampledata.h sampleoutput.h main.c; do
  [ -s "$tmp/out/fashion-mnist/$f" ] || { echo "installed tornadoc wrote no $f"; exit 1; }
done
for tool in tornado-opt tornado-translate tornado-run tornado-emit; do
  "$tmp/prefix/bin/$tool" --version >/dev/null
done
site=("$tmp"/prefix/lib/python3.*/dist-packages)
PYTHONPATH="${site[0]}" /usr/bin/python3 -m tornado_frontend sample "$tmp/s.npy" --random 1x8x8
PYTHONPATH="${site[0]}" /usr/bin/python3 -c \
  "import tornado_frontend, sys; sys.exit(not tornado_frontend.__file__.startswith('$tmp'))"
echo "installed tools and python-frontend work outside the tree"
