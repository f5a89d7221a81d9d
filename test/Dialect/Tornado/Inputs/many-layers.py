"""Prints a network with N pass-through hardware layers (argv: N, device)."""
import sys

n, device = int(sys.argv[1]), sys.argv[2]
print(f"tornado.network @many(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi8>")
print(f"    attributes {{device = #tornado.device<{device}>}} {{")
prev = "%in"
for i in range(n):
    print(f'  %{i} = tornado.layer "l{i}"({prev}) {{}} '
          f": (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>")
    prev = f"%{i}"
print(f"  tornado.return {prev} : tensor<1x4x4xi8>")
print("}")
