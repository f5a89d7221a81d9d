"""compare.py ACTUAL.npy EXPECTED.npy: every item's output is identical.

Both arrays hold one output per item along the first axis (tornado-run --batch writes
the stacked results); prints the number of items compared, exits 1 on any difference.
"""
import sys

import numpy as np

actual, expected = np.load(sys.argv[1]), np.load(sys.argv[2])
n = expected.shape[0]
actual = actual.reshape(n, -1)
expected = expected.reshape(n, -1)
if actual.shape != expected.shape:
    sys.exit(f'shape {actual.shape} != {expected.shape}')
bad = np.nonzero((actual != expected).any(axis=1))[0]
if len(bad):
    i = bad[0]
    sys.exit(f'{len(bad)} of {n} items differ; item {i}: {actual[i]} != {expected[i]}')
print(f'identical: {n} items, {expected.size} values')
