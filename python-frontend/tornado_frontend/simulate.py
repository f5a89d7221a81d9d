"""Bit-exact simulation of a quantized network, from its YAML description and checkpoint.

This reads the same two inputs as the izer and Tornado (a network description and a
quantized checkpoint) and computes every layer with the integer rules of `hw.py`.  The last
layer's output is the known answer a generated project checks.

Supported: conv2d, conv1d, convtranspose2d, linear ('mlp', with or without flatten),
passthrough, `in_dim` reshapes, max/avg
pooling (pool-first or not), element-wise add/sub/or/xor over `in_sequences`, ReLU/Abs,
8- and 32-bit outputs, 1/2/4/8-bit weights, YAML `output_shift`/`quantization` overrides.
"""
import numpy as np
import yaml

from . import hw
from .quantize import load_checkpoint_file

_OPS = {
    'conv2d': 'conv2d', 'conv1d': 'conv1d', 'convtranspose2d': 'convtranspose2d',
    'mlp': 'linear', 'linear': 'linear',
    'fc': 'linear', 'none': None, 'passthrough': None,
    'add': None, 'sub': None, 'or': None, 'xor': None,
}


def _pair(v, default):
    if v is None:
        return default
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


class SimLayer:
    """One layer of a description, with its integer weights attached."""

    def __init__(self, index, entry):
        self.index = index
        self.entry = entry
        op_name = str(entry.get('op', entry.get('operation', entry.get('operator', 'conv2d'))))
        op_name = op_name.lower()
        if op_name not in _OPS:
            raise ValueError(f'layer {index}: unsupported op {op_name!r}')
        self.op = _OPS[op_name]
        self.eltwise = entry.get('eltwise')
        if op_name in ('add', 'sub', 'or', 'xor'):
            self.eltwise = op_name
        self.eltwise = self.eltwise.lower() if self.eltwise else None
        self.operands = int(entry.get('operands', 2 if self.eltwise else 1))
        self.pool_first = bool(entry.get('pool_first', True))
        self.sources = entry.get('in_sequences')
        if self.sources is not None and not isinstance(self.sources, list):
            self.sources = [self.sources]
        one_d = self.op == 'conv1d'
        if 'max_pool' in entry or 'avg_pool' in entry:
            self.average = 'avg_pool' in entry
            size = entry['avg_pool' if self.average else 'max_pool']
            self.pool = _pair(size, (1, 1)) if not one_d else (int(size), 1)
        else:
            self.average = False
            self.pool = (1, 1)
        stride = entry.get('pool_stride', 1)
        self.pool_stride = _pair(stride, (1, 1)) if not one_d else (int(stride), 1)
        dil = entry.get('pool_dilation', 1)
        self.pool_dilation = _pair(dil, (1, 1)) if not one_d else (int(dil), 1)
        default_pad = 1 if self.op == 'conv2d' else 0
        self.pad = int(entry.get('pad', default_pad))
        self.stride = int(entry.get('stride', 1) if not isinstance(entry.get('stride'), list)
                          else entry['stride'][0])
        self.dilation = int(entry.get('dilation', 1) if not isinstance(entry.get('dilation'),
                                                                         list)
                            else entry['dilation'][0])
        self.groups = int(entry.get('groups', entry.get('conv_groups', 1)))
        act = str(entry.get('activate', entry.get('activation', 'none'))).lower()
        self.activation = None if act == 'none' else act
        self.wide = int(entry.get('output_width', 8)) == 32
        self.flatten = bool(entry.get('flatten', False))
        out_pad = entry.get('output_pad', 1 if self.op == 'convtranspose2d' else 0)
        self.output_pad = int(out_pad[0] if isinstance(out_pad, list) else out_pad)
        in_dim = entry.get('in_dim')
        self.in_dim = None if in_dim is None else \
            (tuple(in_dim) if isinstance(in_dim, list) else (int(in_dim), 1))
        self.yaml_bits = entry.get('quantization')
        self.yaml_shift = entry.get('output_shift')
        self.weight = None
        self.bias = None
        self.weight_bits = 8
        self.output_shift = 0

    def attach(self, weight, stored_bias, weight_bits, output_shift):
        """Attach integer weights, the checkpoint bias and the layer's shift.

        The bias is scaled back with the checkpoint's weight bits; a YAML `quantization`
        only changes the implicit output shift (the izer's rule).
        """
        self.weight_bits = int(self.yaml_bits) if self.yaml_bits is not None else weight_bits
        self.weight = np.asarray(weight).astype(np.int64)
        if self.op == 'convtranspose2d':
            # PyTorch stores (in, out, kh, kw); as a convolution it is flipped and transposed.
            self.weight = np.ascontiguousarray(np.flip(self.weight, axis=(2, 3)).swapaxes(0, 1))
        self.bias = None if stored_bias is None \
            else hw.hardware_bias(stored_bias, weight_bits)
        self.output_shift = int(self.yaml_shift) if self.yaml_shift is not None \
            else int(output_shift)

    def _pool(self, x):
        if self.pool == (1, 1):
            if self.pool_stride == (1, 1):
                return x
            if x.ndim == 2:
                return x[:, ::self.pool_stride[0]]
            return x[:, ::self.pool_stride[0], ::self.pool_stride[1]]
        rounding = False
        if x.ndim == 2:
            return hw.pool1d(x, self.pool[0], self.pool_stride[0], self.average, rounding,
                             self.pool_dilation[0])
        return hw.pool2d(x, self.pool, self.pool_stride, self.average, rounding,
                         self.pool_dilation)

    def reshape_input(self, x):
        """Apply `in_dim` and the 1D/2D conversions the izer allows between layers."""
        if self.op == 'conv1d' and x.ndim == 3:
            return x.reshape(x.shape[0], -1)
        if self.in_dim is not None and self.op != 'conv1d':
            return x.reshape(x.shape[0], self.in_dim[0], self.in_dim[1])
        if x.ndim == 2 and self.op != 'conv1d':
            return x[:, :, None]
        return x

    def run(self, inputs):
        """Compute this layer from its operand arrays."""
        inputs = [self.reshape_input(x) for x in inputs]
        if len(inputs) != self.operands:
            raise ValueError(f'layer {self.index}: expected {self.operands} operand(s)')
        if self.operands > 1 and not self.pool_first:
            x = self._pool(hw.eltwise(self.eltwise, inputs))
        else:
            pooled = [self._pool(x) for x in inputs]
            x = hw.eltwise(self.eltwise, pooled) if self.operands > 1 else pooled[0]
        if self.op is None:
            return x
        if self.flatten and self.op != 'linear':
            x = x.reshape(-1, 1, 1)
        if self.op == 'linear':
            if x.ndim > 1 and not self.flatten and any(d != 1 for d in x.shape[1:]):
                raise ValueError(f'layer {self.index}: linear input {x.shape} needs flatten')
            acc = hw.linear(x.reshape(-1), self.weight)
            if self.bias is not None:
                acc = acc + self.bias * 128
            out = hw.layer_output(acc, self.output_shift, self.weight_bits, self.activation,
                                  self.wide)
            return out.reshape(-1, 1, 1)
        if self.op == 'conv2d':
            acc = hw.conv2d(x, self.weight, (self.stride, self.stride), (self.pad, self.pad),
                            (self.dilation, self.dilation), self.groups)
            bshape = (-1, 1, 1)
        elif self.op == 'convtranspose2d':
            acc = hw.conv_transpose2d(x, self.weight, 2, self.pad, self.output_pad,
                                      self.dilation, self.groups)
            bshape = (-1, 1, 1)
        else:
            acc = hw.conv1d(x, self.weight, self.stride, self.pad, self.dilation, self.groups)
            bshape = (-1, 1)
        if self.bias is not None:
            acc = acc + (self.bias * 128).reshape(bshape)
        return hw.layer_output(acc, self.output_shift, self.weight_bits, self.activation,
                               self.wide)


class HardwareNetwork:
    """A quantized network ready to simulate."""

    def __init__(self, description, checkpoint):
        if not isinstance(description, dict):
            with open(description, encoding='utf-8') as f:
                description = yaml.safe_load(f)
        if not isinstance(checkpoint, dict):
            checkpoint = load_checkpoint_file(checkpoint)
        self.description = description
        self.layers = [SimLayer(i, e) for i, e in enumerate(description['layers'])]
        names = {str(e['name']).lower(): i for i, e in enumerate(description['layers'])
                 if 'name' in e}
        names['input'] = -1
        for layer in self.layers:
            if layer.sources is not None:
                layer.sources = [names[s.lower()] if isinstance(s, str) else int(s)
                                 for s in layer.sources]
        self._attach(checkpoint['state_dict'])

    def _attach(self, state):
        weighted = [layer for layer in self.layers if layer.op is not None]
        keys = [k for k, v in state.items() if k.endswith('.weight') and v.dim() >= 2]
        if len(keys) < len(weighted):
            raise ValueError(f'checkpoint has {len(keys)} weight tensors for '
                             f'{len(weighted)} layers with weights')
        for layer, key in zip(weighted, keys):
            prefix = key[:-len('.weight')]
            owner = prefix.rsplit('.', 1)[0] if '.' in prefix else prefix
            bits_key = f'{owner}.weight_bits'
            bits = int(state[bits_key].reshape(-1)[0]) if bits_key in state else 8
            bits = bits if bits != 0 else 8
            shift_key = f'{owner}.output_shift'
            shift = int(state[shift_key].reshape(-1)[0]) if shift_key in state else 0
            bias = state.get(f'{prefix}.bias')
            layer.attach(state[key].numpy(), None if bias is None else bias.numpy(), bits,
                         shift)

    def run(self, sample):
        """Return the outputs of all layers for one integer sample ((C, H, W) or (C, L))."""
        x = np.asarray(sample, dtype=np.int64)
        outputs = []
        for i, layer in enumerate(self.layers):
            srcs = layer.sources if layer.sources is not None else [i - 1]
            inputs = [x if s == -1 else outputs[s] for s in srcs]
            if layer.operands == 1 and len(inputs) > 1:
                inputs = [np.concatenate(inputs, axis=0)]   # channel concatenation
            outputs.append(layer.run(inputs))
        return outputs

    def __call__(self, sample):
        """Final layer output for one sample."""
        return self.run(sample)[-1]


def simulate(description, checkpoint, sample):
    """Simulate `sample` through the network; returns the last layer's integer output."""
    return HardwareNetwork(description, checkpoint)(sample)
