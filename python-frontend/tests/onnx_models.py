"""Small quantized models exported to ONNX for Tornado's ONNX import tests.

    onnx_models.py MODEL PREFIX [--count N]

MODEL is `classifier` (conv, max/avg pooling, wide linear), `residual` (element-wise
addition of two convolution outputs), `conv1d`, `upsample` (transposed convolution, Abs), `dw-upsample` (depth-wise
transposed convolution, MAX78002),
`narrow` (4-, 2- and 1-bit weights) or `pooling` (rounding average pooling, stride-only
pooling).  Writes, for one randomly initialized, quantized model (fixed seed):

    PREFIX.onnx           the whole graph in hardware mode (integer arithmetic)
    PREFIX-qat.onnx       the whole graph in QAT mode (float weights with fake quantization,
                          data scaled by 1/128), exported before quantization
    PREFIX-weights.onnx   the float-mode graph of the quantized weights (what the izer's
                          ONNX weight path reads: Conv/Gemm initializers)
    PREFIX.pth.tar        the quantized checkpoint
    PREFIX.yaml           its network description
    PREFIX-onnx.yaml      the same with each weight layer's `quantization` and
                          `output_shift` written out (an ONNX file carries neither)
    PREFIX-sample.npy     one sample input
    PREFIX-batch.npy      N sample inputs
    PREFIX-expected.npy   the hardware-mode PyTorch output for each of them
"""
import argparse
import os
import sys
import warnings

import numpy as np
import torch
import yaml
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tornado_frontend import layers as L  # noqa: E402
from tornado_frontend.checkpoint import quantize_model  # noqa: E402
from tornado_frontend.export import export_onnx  # noqa: E402
from tornado_frontend.layers import layers_of, set_mode  # noqa: E402
from tornado_frontend.yamlgen import write_yaml  # noqa: E402

warnings.filterwarnings('ignore')


class Classifier(nn.Module):
    """conv -> maxpool+conv -> avgpool+conv -> flatten -> wide linear."""

    input_shape = (1, 12, 12)

    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dReLU(1, 8, 3, padding=1, bias=True)
        self.c2 = L.FusedMaxPoolConv2dReLU(8, 8, 3, padding=1, bias=True)
        self.c3 = L.FusedAvgPoolConv2dReLU(8, 6, 3, padding=1, bias=False)
        self.fc = L.Linear(6 * 3 * 3, 5, bias=True, wide=True)

    def forward(self, x):
        x = self.c3(self.c2(self.c1(x)))
        return self.fc(x.view(x.size(0), -1))


class Residual(nn.Module):
    """conv -> conv, their element-wise sum -> maxpool+conv -> flatten -> wide linear."""

    input_shape = (2, 8, 8)

    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dReLU(2, 6, 3, padding=1, bias=True)
        self.c2 = L.FusedConv2dReLU(6, 6, 3, padding=1, bias=True)
        self.add = L.Add()
        self.c3 = L.FusedMaxPoolConv2dReLU(6, 4, 3, padding=1, bias=True)
        self.fc = L.Linear(4 * 4 * 4, 3, bias=True, wide=True)

    def forward(self, x):
        a = self.c1(x)
        b = self.c2(a)
        s = self.add(a, b)
        y = self.c3(s)
        return self.fc(y.view(y.size(0), -1))


class Conv1dNet(nn.Module):
    """conv1d -> maxpool+conv1d -> conv1d (no activation) -> flatten -> wide linear."""

    input_shape = (3, 24)

    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv1dReLU(3, 8, 3, padding=1, bias=True)
        self.c2 = L.FusedMaxPoolConv1dReLU(8, 8, 5, padding=2, bias=True, pool_size=2)
        self.c3 = L.Conv1d(8, 4, 1, padding=0, bias=False)
        self.fc = L.Linear(4 * 12, 4, bias=True, wide=True)

    def forward(self, x):
        x = self.c3(self.c2(self.c1(x)))
        return self.fc(x.view(x.size(0), -1))


class Upsample(nn.Module):
    """conv -> transposed conv (stride 2) -> abs-activated conv -> flatten -> wide linear."""

    input_shape = (2, 4, 4)

    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dReLU(2, 4, 3, padding=1, bias=True)
        self.up = L.FusedConvTranspose2dReLU(4, 4, 3, stride=2, padding=1, output_padding=1,
                                             bias=True)
        self.c2 = L.FusedConv2dAbs(4, 2, 3, padding=1, bias=False)
        self.fc = L.Linear(2 * 8 * 8, 3, bias=True, wide=True)

    def forward(self, x):
        x = self.c2(self.up(self.c1(x)))
        return self.fc(x.view(x.size(0), -1))


class DepthwiseUpsample(nn.Module):
    """conv -> depth-wise transposed conv (stride 2, MAX78002) -> conv -> wide linear."""

    input_shape = (4, 4, 4)

    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dReLU(4, 4, 3, padding=1, bias=True)
        self.up = L.FusedConvTranspose2dReLU(4, 4, 3, stride=2, padding=1, output_padding=1,
                                             groups=4, bias=True)
        self.c2 = L.FusedConv2dAbs(4, 2, 3, padding=1, bias=False)
        self.fc = L.Linear(2 * 8 * 8, 3, bias=True, wide=True)

    def forward(self, x):
        x = self.c2(self.up(self.c1(x)))
        return self.fc(x.view(x.size(0), -1))


class Narrow(nn.Module):
    """8-, 4- and 2-bit convolutions and a 1-bit wide linear layer."""

    input_shape = (2, 6, 6)

    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dReLU(2, 6, 3, padding=1, bias=True)
        self.c2 = L.FusedConv2dReLU(6, 6, 3, padding=1, bias=True, weight_bits=4)
        self.c3 = L.FusedMaxPoolConv2dReLU(6, 4, 3, padding=1, bias=True, weight_bits=2)
        self.fc = L.Linear(4 * 3 * 3, 3, bias=True, wide=True, weight_bits=1)

    def forward(self, x):
        x = self.c3(self.c2(self.c1(x)))
        return self.fc(x.view(x.size(0), -1))


class Pooling(nn.Module):
    """conv -> rounding average pool + conv -> every second pixel + 1x1 conv -> wide linear.

    The network needs the hardware's --avg-pool-rounding.
    """

    input_shape = (2, 8, 8)

    def __init__(self):
        super().__init__()
        self.c1 = L.Conv2d(2, 4, 3, padding=1, bias=True)
        self.c2 = L.FusedAvgPoolConv2d(4, 4, 3, padding=1, bias=True, avg_pool_rounding=True)
        self.c3 = L.FusedConv2dReLU(4, 4, 1, padding=0, bias=False, pool_stride=2)
        self.fc = L.Linear(4 * 2 * 2, 3, bias=True, wide=True)

    def forward(self, x):
        x = self.c3(self.c2(self.c1(x)))
        return self.fc(x.view(x.size(0), -1))


MODELS = {'classifier': Classifier, 'residual': Residual, 'conv1d': Conv1dNet,
          'upsample': Upsample, 'dw-upsample': DepthwiseUpsample, 'narrow': Narrow,
          'pooling': Pooling}


def build(name, seed=0, qat_onnx=None):
    """The quantized model `name` in hardware mode, and its quantized checkpoint dict.

    With `qat_onnx`, the model is also exported there in QAT mode (float weights, fake
    quantization) before it is quantized.
    """
    torch.manual_seed(seed)
    model = MODELS[name]()
    # Wider weights than PyTorch's default init, so the quantized layers use their range.
    with torch.no_grad():
        for _, layer in layers_of(model):
            if layer.op is not None:
                layer.op.weight.mul_(3.0)
                if layer.op.bias is not None:
                    layer.op.bias.uniform_(-0.5, 0.5)
    L.start_qat(model)
    if qat_onnx:
        export_onnx(model, qat_onnx, model.input_shape, mode='qat')
    checkpoint = quantize_model(model, arch=name)
    return model, checkpoint


def annotate_yaml(src, dst, model):
    """Write `src` with each weight layer's quantization and output shift to `dst`."""
    with open(src, encoding='utf-8') as f:
        desc = yaml.safe_load(f)
    weight_layers = [m for _, m in layers_of(model) if m.op is not None]
    entries = [e for e in desc['layers'] if e.get('op') != 'none']
    assert len(entries) == len(weight_layers)
    for entry, layer in zip(entries, weight_layers):
        entry['quantization'] = layer.bits
        entry['output_shift'] = int(layer.output_shift.item())
    with open(dst, 'w', encoding='utf-8') as f:
        yaml.safe_dump(desc, f, sort_keys=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('model', choices=sorted(MODELS))
    parser.add_argument('prefix')
    parser.add_argument('--count', type=int, default=50)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    model, checkpoint = build(args.model, qat_onnx=args.prefix + '-qat.onnx')
    shape = model.input_shape
    torch.save(checkpoint, args.prefix + '.pth.tar')
    # The frontend places chains only; the residual network's YAML leaves placement out.
    write_yaml(args.prefix + '.yaml', model, shape, args.model, 'onnx_test',
               placement=args.model != 'residual')
    annotate_yaml(args.prefix + '.yaml', args.prefix + '-onnx.yaml', model)

    export_onnx(model, args.prefix + '.onnx', shape, mode='hw')
    export_onnx(model, args.prefix + '-weights.onnx', shape, mode='float')
    set_mode(model, 'hw')

    rng = np.random.default_rng(1)
    batch = rng.integers(-128, 128, size=(args.count,) + tuple(shape)).astype(np.int64)
    np.save(args.prefix + '-sample.npy', batch[0])
    np.save(args.prefix + '-batch.npy', batch)
    model.eval()
    with torch.no_grad():
        out = model(torch.tensor(batch, dtype=torch.float64))
    expected = out.numpy().reshape(args.count, -1)
    assert np.all(expected == np.round(expected)), 'hardware-mode output is not integral'
    np.save(args.prefix + '-expected.npy', expected.astype(np.int64))


if __name__ == '__main__':
    main()
