"""Tracing models, writing network descriptions, and sample inputs."""
import numpy as np
import pytest
import torch
import yaml

from tornado_frontend import layers as L
from tornado_frontend.datasets import fashion_mnist_available, load_fashion_mnist, read_idx
from tornado_frontend.graph import INPUT, trace
from tornado_frontend.models import ai85net5, fashion_net
from tornado_frontend.sample import (check_sample, from_dataset, from_image, main,
                                     random_sample, save_sample)
from tornado_frontend.yamlgen import (PlacementError, dump_description, network_description,
                                      write_yaml)


def test_trace_net5():
    specs = trace(fashion_net(), (1, 28, 28))
    assert [s.name for s in specs] == ['conv1', 'conv2', 'conv3', 'conv4', 'fc']
    assert [s.sources for s in specs] == [[INPUT], [0], [1], [2], [3]]
    assert [s.out_shape for s in specs] == [(24, 28, 28), (48, 16, 16), (48, 8, 8),
                                            (12, 4, 4), (10,)]
    fc = specs[-1]
    assert fc.flatten and fc.in_channels == 12 and fc.wide and fc.op == 'linear'
    assert specs[1].pooling == 'max' and specs[1].padding == 2
    assert specs[3].pooling == 'avg' and specs[3].pool_stride == (2, 2)


def test_description_matches_izer_conventions(tmp_path):
    path = tmp_path / 'net.yaml'
    write_yaml(str(path), ai85net5(), (1, 28, 28), 'ai85net5', 'MNIST', comment='test')
    text = path.read_text()
    assert 'processors: 0x0000000000000001' in text       # hex masks like izer files
    cfg = yaml.safe_load(text)
    assert cfg['arch'] == 'ai85net5' and cfg['dataset'] == 'MNIST'
    layers = cfg['layers']
    assert len(layers) == 5
    assert layers[0]['data_format'] == 'CHW'
    assert [ll['op'] for ll in layers] == ['conv2d'] * 4 + ['mlp']
    assert [ll['processors'] for ll in layers] == [0x1, (1 << 60) - 1, (1 << 60) - 1,
                                                   (1 << 56) - 1, (1 << 12) - 1]
    # outputs ping-pong between the two halves of the 32 KiB instances, input at 0
    assert [ll['out_offset'] for ll in layers] == [0x4000, 0, 0x4000, 0, 0x4000]
    assert layers[-1]['output_processors'] == (1 << 10) - 1
    assert layers[-1]['output_width'] == 32 and layers[-1]['flatten'] is True
    assert layers[-1]['activate'] == 'None'
    assert layers[1]['max_pool'] == 2 and layers[1]['pool_stride'] == 2
    assert layers[1]['pad'] == 2 and layers[1]['activate'] == 'ReLU'
    assert layers[3]['avg_pool'] == 2
    assert 'kernel_size' not in layers[0]                 # 3x3 is the default


def test_description_without_placement_and_graphs():
    class Res(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = L.FusedConv2dReLU(3, 8, 1, padding=0)
            self.b = L.FusedConv2dReLU(8, 8, 3, padding=1)
            self.add = L.Add()
            self.c = L.FusedMaxPoolConv2dReLU(8, 4, 3, pool_size=2, padding=1)

        def forward(self, x):
            a = self.a(x)
            return self.c(self.add(a, self.b(a)))

    model = Res()
    with pytest.raises(PlacementError):
        network_description(model, (3, 8, 8), 'res', 'rand')
    desc = network_description(model, (3, 8, 8), 'res', 'rand', placement=False)
    layers = desc['layers']
    assert all('processors' not in ll and 'out_offset' not in ll for ll in layers)
    assert layers[0]['data_format'] == 'HWC' and layers[0]['kernel_size'] == '1x1'
    assert layers[2] == {'name': 'add', 'op': 'none', 'in_sequences': [0, 1], 'eltwise': 'add'}
    assert 'in_sequences' not in layers[3]
    assert yaml.safe_load(dump_description(desc)) == desc


def test_trace_rejects_work_outside_layers():
    class Bad(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = L.FusedConv2dReLU(1, 2, 3, padding=1)
            self.b = L.FusedConv2dReLU(2, 2, 3, padding=1)

        def forward(self, x):
            return self.b(self.a(x) * 2)

    with pytest.raises(ValueError, match='outside the accelerator'):
        trace(Bad(), (1, 4, 4))


def test_sample_from_image_by_hand():
    img = np.array([[0, 255], [128, 127]], dtype=np.uint8)
    # (p / 255 - 0.5) * 256, rounded and clamped: 0 -> -128, 255 -> 128 -> 127,
    # 128 -> 0.502 -> 1, 127 -> -0.502 -> -1
    assert from_image(img).tolist() == [[[-128, 127], [1, -1]]]
    color = np.zeros((2, 3, 3), dtype=np.uint8)      # HWC
    assert from_image(color).shape == (3, 2, 3)
    with pytest.raises(ValueError):
        from_image(img.astype(np.float32))


def test_save_and_check_sample(tmp_path):
    rnd = random_sample((2, 3, 4), seed=5)
    assert rnd.dtype == np.int64 and rnd.min() >= -128 and rnd.max() <= 127
    assert np.array_equal(rnd, random_sample((2, 3, 4), seed=5))
    path = tmp_path / 's.npy'
    save_sample(str(path), rnd.astype(np.int32))
    back = np.load(str(path), allow_pickle=False)
    assert back.dtype == np.int64 and np.array_equal(back, rnd)
    with pytest.raises(ValueError):
        check_sample(np.array([[[200]]]))
    with pytest.raises(ValueError):
        check_sample(np.zeros((1, 2, 2), dtype=np.float32))
    with pytest.raises(ValueError):
        check_sample(np.zeros(4, dtype=np.int64))
    out = tmp_path / 'r.npy'
    assert main([str(out), '--random', '3x5x7', '--seed', '2']) == 0
    assert np.load(str(out)).shape == (3, 5, 7)


def test_read_idx(tmp_path):
    header = bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, 'big') + (3).to_bytes(4, 'big')
    (tmp_path / 'x.idx').write_bytes(header + bytes(range(6)))
    assert read_idx(str(tmp_path / 'x.idx')).tolist() == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.skipif(not fashion_mnist_available(), reason='dataset-fashion-mnist not installed')
def test_fashion_mnist_sample():
    images, labels = load_fashion_mnist('test')
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    sample = from_dataset(images, 0)
    assert sample.shape == (1, 28, 28) and sample.dtype == np.int64
    expected = np.clip(np.round((images[0].astype(np.float64) / 255 - 0.5) * 256), -128, 127)
    assert np.array_equal(sample[0], expected)
