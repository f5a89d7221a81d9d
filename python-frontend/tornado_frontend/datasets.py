"""Fashion-MNIST from Debian's `dataset-fashion-mnist` package (IDX files, gzip)."""
import gzip
import os

import numpy as np

FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'
FASHION_MNIST_CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
                         'Shirt', 'Sneaker', 'Bag', 'Ankle boot')

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: '>i2', 0x0C: '>i4', 0x0D: '>f4',
              0x0E: '>f8'}


def read_idx(path):
    """Read an IDX file (optionally gzip-compressed) into a NumPy array."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f'{path}: not an IDX file')
    dtype = np.dtype(_IDX_TYPES[data[2]])
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    offset = 4 + 4 * ndim
    count = int(np.prod(shape)) if shape else 0
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return arr.reshape(shape)


def load_fashion_mnist(split='test', root=FASHION_MNIST_DIR):
    """Return (images uint8 [N, 28, 28], labels int64 [N]) of the 'train' or 'test' split."""
    prefix = {'train': 'train', 'test': 't10k'}[split]
    images = read_idx(os.path.join(root, f'{prefix}-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(root, f'{prefix}-labels-idx1-ubyte.gz'))
    if len(images) != len(labels):
        raise ValueError('image and label counts differ')
    return images, labels.astype(np.int64)


def fashion_mnist_available(root=FASHION_MNIST_DIR):
    """True when the dataset files are installed."""
    return os.path.exists(os.path.join(root, 't10k-images-idx3-ubyte.gz'))
