#!/usr/bin/env bash
# The main job on the bundled example: import the Fashion-MNIST network
# (YAML + quantized checkpoint + sample input) into the tornado dialect, then
# run it bit-exactly on its sample input and print the class scores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/bin"
out="$root/build/example"
mkdir -p "$out"
"$bin/tornado-translate" --import-yaml "$root/networks/fashion-mnist.yaml" \
  --checkpoint-file "$root/networks/fashion-mnist-qat8-q.pth.tar" \
  --sample-input "$root/networks/sample_fashion_mnist.npy" \
  -o "$out/fashion-mnist.mlir"
echo "IR: $out/fashion-mnist.mlir"
"$bin/tornado-run" "$out/fashion-mnist.mlir" --print-layers --print \
  --output "$out/fashion-mnist-output.npy"
