"""The quantized PyTorch model (hardware-exact simulation) and the C++ reference
interpreter (tornado-run) agree on every output value of the bundled network
over 1000 Fashion-MNIST test images."""
import os
import subprocess

import numpy as np
import pytest

from conftest import NETWORKS, REPO
from tornado_frontend.datasets import fashion_mnist_available, load_fashion_mnist
from tornado_frontend.sample import from_dataset
from tornado_frontend.simulate import HardwareNetwork

BIN = os.path.join(REPO, 'build', 'bin')
YAML_FILE = os.path.join(NETWORKS, 'fashion-mnist.yaml')
CHECKPOINT = os.path.join(NETWORKS, 'fashion-mnist-qat8-q.pth.tar')
SAMPLE = os.path.join(NETWORKS, 'sample_fashion_mnist.npy')


@pytest.mark.skipif(not os.path.exists(os.path.join(BIN, 'tornado-run')),
                    reason='tornado-run is not built')
@pytest.mark.skipif(not fashion_mnist_available(), reason='dataset-fashion-mnist missing')
def test_tornado_run_equals_pytorch_hw_simulation(tmp_path):
    images, _ = load_fashion_mnist('test')
    # The device input format the frontend uses for the dataset (CHW int8).
    batch = np.stack([from_dataset(images, i) for i in range(1000)]).astype(np.int64)
    batch_file = tmp_path / 'batch.npy'
    np.save(batch_file, batch)
    mlir = tmp_path / 'net.mlir'
    subprocess.run([os.path.join(BIN, 'tornado-translate'), '--import-yaml', YAML_FILE,
                    '--checkpoint-file', CHECKPOINT, '--sample-input', SAMPLE,
                    '-o', str(mlir)], check=True)
    out_file = tmp_path / 'out.npy'
    subprocess.run([os.path.join(BIN, 'tornado-run'), str(mlir), '--input', str(batch_file),
                    '--batch', '--output', str(out_file)], check=True)
    ours = np.load(out_file).reshape(len(batch), -1)
    sim = HardwareNetwork(YAML_FILE, CHECKPOINT)
    for i, x in enumerate(batch):
        expected = np.asarray(sim(x)).reshape(-1)
        assert np.array_equal(ours[i], expected), f'image {i}: {ours[i]} != {expected}'
