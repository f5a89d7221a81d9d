#!/usr/bin/env bash
# The main job on the bundled example: compile the Fashion-MNIST network
# (YAML + quantized checkpoint + sample input in networks/) with tornadoc,
# the izer-compatible driver, into an MSDK project whose known-answer test
# comes from Tornado's bit-exact interpreter.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/build/example"
mkdir -p "$out"
"$root/build/bin/tornadoc" --test-dir "$out" --prefix fashion-mnist \
  --config-file "$root/networks/fashion-mnist.yaml" \
  --checkpoint-file "$root/networks/fashion-mnist-qat8-q.pth.tar" \
  --sample-input "$root/networks/sample_fashion_mnist.npy" \
  --device MAX78000 --softmax --timer 0 --timing --overwrite
echo "generated project: $out/fashion-mnist"
ls "$out/fashion-mnist"
