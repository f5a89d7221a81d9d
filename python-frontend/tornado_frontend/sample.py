"""Sample inputs in the format the izer and Tornado load: a CHW (or CL) int64 .npy file with
values in [-128, 127].

Command line::

    python3 -m tornado_frontend.sample OUT.npy --fashion-mnist INDEX
    python3 -m tornado_frontend.sample OUT.npy --random 3x32x32 [--seed N]
"""
import argparse
import sys

import numpy as np

from .layers import normalize_uint8


def from_image(image):
    """Device integers from one uint8 image: (H, W) grey or (H, W, C) / (C, H, W) color."""
    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise ValueError('expected 8-bit pixels (uint8)')
    if img.ndim == 2:
        img = img[None]
    elif img.ndim == 3 and img.shape[-1] in (1, 3) and img.shape[0] not in (1, 3):
        img = img.transpose(2, 0, 1)          # HWC -> CHW
    return normalize_uint8(img).numpy().astype(np.int64)


def from_dataset(images, index):
    """Sample `index` of an image array (N, H, W[, C]) as CHW device integers."""
    return from_image(images[index])


def random_sample(shape, seed=0, low=-128, high=127):
    """Uniform random integers of `shape` (CHW) in [low, high]."""
    rng = np.random.default_rng(seed)
    return rng.integers(low, high + 1, size=tuple(shape), dtype=np.int64)


def check_sample(sample):
    """Raise ValueError unless `sample` is a valid device input; returns it as int64."""
    arr = np.asarray(sample)
    if arr.ndim not in (2, 3):
        raise ValueError(f'sample must be CHW or CL, got shape {arr.shape}')
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f'sample must hold integers, got {arr.dtype}')
    if arr.min() < -128 or arr.max() > 127:
        raise ValueError('sample values must be in [-128, 127]')
    return arr.astype(np.int64)


def save_sample(path, sample):
    """Write `sample` as an int64 .npy file (no pickling)."""
    arr = check_sample(sample)
    np.save(path, arr, allow_pickle=False)
    return arr


def main(argv=None):
    parser = argparse.ArgumentParser(description='Write a sample input .npy for the izer/Tornado')
    parser.add_argument('output')
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument('--fashion-mnist', type=int, metavar='INDEX',
                     help='use test-set image INDEX of Fashion-MNIST')
    src.add_argument('--random', metavar='CxHxW', help='random data of this shape')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if args.random:
        arr = random_sample([int(v) for v in args.random.lower().split('x')], args.seed)
    else:
        from .datasets import load_fashion_mnist
        images, labels = load_fashion_mnist('test')
        arr = from_dataset(images, args.fashion_mnist)
        print(f'label: {int(labels[args.fashion_mnist])}')
    save_sample(args.output, arr)
    print(f'wrote {args.output}: shape {arr.shape}, int64')
    return 0


if __name__ == '__main__':
    sys.exit(main())
