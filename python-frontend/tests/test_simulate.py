"""The bit-exact simulator: hand-made networks, the PyTorch 'hw' mode, and the known answers
(sampleoutput.h) of izer-generated corpus cases."""
import os
import shlex

import numpy as np
import pytest
import torch
import yaml

from conftest import CONFORMANCE, needs_corpus
from tornado_frontend import knownanswer as ka
from tornado_frontend import layers as L
from tornado_frontend.checkpoint import load_into
from tornado_frontend.device import packed_processors
from tornado_frontend.models import ai85net5
from tornado_frontend.simulate import HardwareNetwork


def test_two_layer_network_by_hand():
    desc = {'arch': 'hand', 'dataset': 'none', 'layers': [
        {'op': 'conv2d', 'kernel_size': '1x1', 'pad': 0, 'activate': 'ReLU',
         'max_pool': 2, 'pool_stride': 2},
        {'op': 'mlp', 'flatten': True, 'output_width': 32, 'activate': 'None'},
    ]}
    state = {
        'a.output_shift': torch.Tensor([-1.]), 'a.weight_bits': torch.Tensor([8.]),
        'a.op.weight': torch.tensor([[[[64.]]], [[[-64.]]]]),
        'a.op.bias': torch.tensor([128., 0.]),        # hardware biases 1 and 0
        'b.output_shift': torch.Tensor([0.]), 'b.weight_bits': torch.Tensor([8.]),
        'b.op.weight': torch.tensor([[1., 2.]]),
        'b.op.bias': torch.tensor([256.]),             # hardware bias 2
    }
    net = HardwareNetwork(desc, {'state_dict': state})
    sample = np.array([[[10, 20], [-30, 40]]])
    outs = net.run(sample)
    # pooling first: max = 40; channel 0: acc 64*40 + 128 = 2688, shift -1 -> /256 = 10.5
    # -> 11; channel 1: -2560 / 256 = -10 -> ReLU 0
    assert outs[0].reshape(-1).tolist() == [11, 0]
    # wide linear: 1*11 + 2*0 + 2*128 = 267
    assert outs[1].reshape(-1).tolist() == [267]


def test_eltwise_and_named_sequences():
    desc = {'layers': [
        {'name': 'one', 'op': 'conv2d', 'kernel_size': '1x1', 'pad': 0, 'activate': 'None'},
        {'name': 'sum', 'op': 'none', 'eltwise': 'add', 'in_sequences': ['input', 'one']},
    ]}
    state = {'one.output_shift': torch.Tensor([0.]), 'one.weight_bits': torch.Tensor([8.]),
             'one.op.weight': torch.tensor([[[[128.]]]])}      # identity
    net = HardwareNetwork(desc, {'state_dict': state})
    out = net(np.array([[[100, -100, 3]]]))
    assert out.reshape(-1).tolist() == [127, -128, 6]


class _Res(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dReLU(3, 4, 3, padding=1)
        self.c2 = L.Conv2d(4, 4, 3, padding=1)
        self.add = L.Add()
        self.fc = L.Linear(4 * 2 * 2, 5, wide=True, pooling=None)

    def forward(self, x):
        a = self.c1(x)
        b = self.c2(a)
        s = self.add(a, b)
        return self.fc(s.view(s.size(0), -1))


def test_model_hw_mode_matches_simulator():
    from tornado_frontend.checkpoint import quantize_model
    from tornado_frontend.yamlgen import network_description
    torch.manual_seed(7)
    model = _Res()
    L.start_qat(model)
    quantized = quantize_model(model, 'res')
    desc = network_description(model, (3, 2, 2), 'res', 'rand', placement=False)
    net = HardwareNetwork(desc, quantized)
    rng = np.random.default_rng(1)
    for _ in range(5):
        x = rng.integers(-128, 128, size=(3, 2, 2))
        with torch.no_grad():
            ref = model(torch.tensor(x[None], dtype=torch.float64)).numpy().reshape(-1)
        assert net(x).reshape(-1).tolist() == ref.astype(np.int64).tolist()


# -- known answers of the izer corpus ------------------------------------------------------
_CASES = ['mnist', 'cifar-10', 'kws20_v3', 'cats-dogs', 'facedet_tinierssd',
          'tests/test-ai85-cifar10-hwc-quant4', 'tests/test-ai85-cifar10-hwc-1x1',
          'tests/test-fashionmnist-chw', 'tests/test-kws20-hwc', 'tests/test-cifar10-abs',
          'tests/test-pooling2x2s1', 'tests/test-ai85-cifar10-hwc-3x3s2p2avgpool']


def _manifest_row(case, device='MAX78000'):
    with open(os.path.join(CONFORMANCE, 'MANIFEST.tsv'), encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').split('\t')
            if cols[0] == case and cols[1] == device:
                return cols
    raise KeyError(case)


def _mask(value):
    if isinstance(value, str):
        return int(value.replace('.', '').replace('_', ''), 16)
    return value


def corpus_words(case):
    """Simulate a corpus case; returns (checks from sampleoutput.h, our expected words)."""
    _, device, command, folder, implicit = _manifest_row(case)
    args = shlex.split(command)

    def opt(name):
        return args[args.index(name) + 1] if name in args else None

    with open(os.path.join(CONFORMANCE, opt('--config-file')), encoding='utf-8') as f:
        cfg = yaml.safe_load(f)
    sample = opt('--sample-input') or implicit.strip()
    net = HardwareNetwork(cfg, os.path.join(CONFORMANCE, opt('--checkpoint-file')))
    outs = net.run(np.load(os.path.join(CONFORMANCE, sample)))
    layers = cfg['layers']
    expected = {}
    for i, entry in enumerate(layers):
        if not (entry.get('output') or i == len(layers) - 1):
            continue
        procs = _mask(entry.get('output_processors'))
        if procs is None:
            procs = _mask(layers[i + 1]['processors']) if i + 1 < len(layers) \
                else packed_processors(outs[i].shape[0], device, align=True)[0]
        expected.update(ka.output_words(outs[i], procs, entry.get('out_offset', 0), device,
                                        entry.get('output_width', 8) == 32))
    with open(os.path.join(CONFORMANCE, folder, 'sampleoutput.h'), encoding='utf-8') as f:
        checks = ka.parse_sample_output(f.read())
    return checks, expected


@needs_corpus
@pytest.mark.parametrize('case', _CASES)
def test_corpus_known_answer(case):
    checks, expected = corpus_words(case)
    assert checks, 'no checks parsed'
    assert ka.compare(checks, expected) == []


@needs_corpus
def test_torch_hw_mode_on_corpus_mnist():
    inputs = os.path.join(CONFORMANCE, 'inputs')
    model = ai85net5()
    load_into(model, os.path.join(inputs, 'trained', 'ai85-mnist-qat8-q.pth.tar'), mode='hw')
    sample = np.load(os.path.join(inputs, 'tests', 'sample_mnist.npy'))
    with torch.no_grad():
        out = model(L.to_model_input(sample[None], 'hw')).numpy().astype(np.int64)
    net = HardwareNetwork(os.path.join(inputs, 'networks', 'mnist-chw-ai85.yaml'),
                          os.path.join(inputs, 'trained', 'ai85-mnist-qat8-q.pth.tar'))
    assert out.reshape(-1).tolist() == net(sample).reshape(-1).tolist()
    checks, _ = corpus_words('mnist')
    words = ka.output_words(out[0], 0x3ff, 0x1000, 'MAX78000', wide=True)
    assert ka.compare(checks, words) == []


def test_output_words_layout():
    # 8-bit, 5 channels of 1x2 on processors 0-4: channels 0-3 share a word per pixel,
    # channel 4 sits in the next instance (+0x8000) at byte lane 0
    out = np.array([[[1, 2]], [[3, 4]], [[5, 6]], [[-1, -2]], [[7, 8]]])
    words = ka.output_words(out, 0x1f, 0x100, 'MAX78000')
    base = 0x50400100
    assert words[base] == (0xffffffff, 0xff050301)
    assert words[base + 4] == (0xffffffff, 0xfe060402)
    assert words[base + 0x8000] == (0xff, 7)
    # 32-bit: one word per processor
    wide = ka.output_words(np.array([-2, 3]), 0x3, 0, 'MAX78000', wide=True)
    assert wide == {0x50400000: (0xffffffff, 0xfffffffe), 0x50400004: (0xffffffff, 3)}
    text = '#define SAMPLE_OUTPUT { \\\n 0x50400000, 0xffffffff, 0x00000002, 0xfffffffe, ' \
           '0x00000003, 0x00000000 \\\n}'
    assert ka.compare(ka.parse_sample_output(text), wide) == []
