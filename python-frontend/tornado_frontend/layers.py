"""Quantization-aware building blocks for MAX78000/MAX78002 networks.

Every `Layer` is one accelerator layer, in the order the hardware applies things:

    [pooling] -> [element-wise op] -> [conv1d | conv2d | convtranspose2d | linear (+bias)]
              -> [batchnorm]
              -> [output shift] -> [ReLU | Abs] -> [round + clamp to 8 bits]

A layer runs in one of three modes (see `set_mode`):

``float``  plain floating point; activations are clamped to [-1, 1] so the network learns the
           data range of the device.  BatchNorm is active.
``qat``    quantization-aware training: BatchNorm must be folded (`fold_batchnorm`); weights
           and bias are rounded to ``weight_bits`` with the output shift derived from their
           magnitude (the same rule as `quantize`), activations are rounded to multiples of
           1/128 and clamped, exactly as the hardware will; gradients pass straight through
           the rounding.
``hw``     integer evaluation of a *quantized* checkpoint: data are integer-valued float64
           tensors in [-128, 127], weights are the quantized integers and the arithmetic is
           that of `hw.py`, bit for bit.

State-dict layout follows ai8x-training, so checkpoints load into the izer and into Tornado:
``<layer>.output_shift``, ``.weight_bits``, ``.bias_bits``, ``.quantize_activation``,
``.adjust_output_shift``, ``.shift_quantile``, ``.op.weight``, ``.op.bias`` (and ``.bn.*``
before folding).
"""
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

MODES = ('float', 'qat', 'hw')
OPS = ('conv1d', 'conv2d', 'convtranspose2d', 'linear', None)
ELTWISE = ('add', 'sub', 'or', 'xor')


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _ste(x, q):
    """Value of `q`, gradient of `x` (straight-through estimator)."""
    return x + (q - x).detach()


def _round_half_up(x):
    return torch.floor(x + 0.5)


def max_bit_shift(params, bits, quantile=1.0):
    """Weight scaling exponent used by QAT and by `quantize` (the izer's MAX_BIT_SHIFT rule).

    Returns ``floor(log2(1 / q))`` where ``q`` is the `quantile` of |params|, clamped to
    [-7 - bits, 23 - bits].  The layer's output shift is the negative of this value.
    """
    params = params.detach().abs().flatten()
    q = torch.as_tensor(quantile, dtype=params.dtype).reshape(-1)
    limit = params.max().reshape(1) if float(q[0]) >= 1.0 else torch.quantile(params, q)
    return torch.floor(torch.log2(1.0 / limit)).clamp(min=-7. - bits, max=23. - bits)


class Layer(nn.Module):
    """One accelerator layer (see the module docstring for the pipeline and the modes)."""

    def __init__(self, op, in_channels=None, out_channels=None, kernel_size=None, stride=1,
                 padding=0, dilation=1, groups=1, bias=True, output_padding=1, pooling=None,
                 pool_size=2,
                 pool_stride=None, pool_dilation=1, avg_pool_rounding=False, activation=None,
                 batchnorm=None, wide=False, weight_bits=8, shift_quantile=1.0, eltwise=None,
                 operands=1, pool_first=True):
        super().__init__()
        if op not in OPS:
            raise ValueError(f'op must be one of {OPS}, not {op!r}')
        if pooling not in ('max', 'avg', None):
            raise ValueError(f'pooling must be "max", "avg" or None, not {pooling!r}')
        if activation not in ('relu', 'abs', None):
            raise ValueError(f'activation must be "relu", "abs" or None, not {activation!r}')
        if eltwise is not None and eltwise not in ELTWISE:
            raise ValueError(f'eltwise must be one of {ELTWISE}, not {eltwise!r}')
        if wide and (op is None or activation is not None):
            raise ValueError('a 32-bit (wide) output needs a weight op and no activation')
        if batchnorm not in (None, 'affine', 'noaffine'):
            raise ValueError('batchnorm must be None, "affine" or "noaffine"')
        if weight_bits not in (1, 2, 4, 8):
            raise ValueError('weight_bits must be 1, 2, 4 or 8')

        self.op_type = op
        self.one_d = op == 'conv1d'
        self.pooling = pooling
        dims = 1 if self.one_d else 2
        self.pool_size = (_pair(pool_size) if dims == 2 else (int(pool_size), 1)) \
            if pooling else (1, 1)
        if pool_stride is None:
            pool_stride = pool_size if pooling else 1
        self.pool_stride = _pair(pool_stride) if dims == 2 else (int(pool_stride), 1)
        self.pool_dilation = _pair(pool_dilation) if dims == 2 else (int(pool_dilation), 1)
        self.avg_pool_rounding = avg_pool_rounding
        self.activation = activation
        self.wide = wide
        self.eltwise = eltwise
        self.operands = operands if eltwise is None else max(operands, 2)
        self.pool_first = pool_first
        self.mode = 'float'

        if op is None:
            self.op = None
            self.bn = None
            return

        # Order matters: these come first in the state dict, as in ai8x-training.
        self.register_buffer('output_shift', torch.zeros(1))
        self.register_buffer('weight_bits', torch.full((1,), float(weight_bits)))
        self.register_buffer('bias_bits', torch.full((1,), float(weight_bits)))
        self.register_buffer('quantize_activation', torch.zeros(1))
        self.register_buffer('adjust_output_shift', torch.ones(1))
        self.register_buffer('shift_quantile', torch.full((1,), float(shift_quantile)))

        if op == 'conv2d':
            self.op = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                                padding=padding, dilation=dilation, groups=groups, bias=bias)
            bn_cls = nn.BatchNorm2d
        elif op == 'convtranspose2d':
            self.op = nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=stride,
                                         padding=padding, output_padding=output_padding,
                                         groups=groups, bias=bias, dilation=dilation)
            bn_cls = nn.BatchNorm2d
        elif op == 'conv1d':
            self.op = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride,
                                padding=padding, dilation=dilation, groups=groups, bias=bias)
            bn_cls = nn.BatchNorm1d
        else:
            self.op = nn.Linear(in_channels, out_channels, bias=bias)
            bn_cls = nn.BatchNorm1d
        self.bn = bn_cls(out_channels, affine=batchnorm == 'affine') if batchnorm else None

    # -- helpers ---------------------------------------------------------------------------
    @property
    def bits(self):
        """Weight bits in use (a stored 0 means the 8-bit default)."""
        if self.op is None:
            return 8
        b = int(self.weight_bits.item())
        return b if b != 0 else 8

    def _apply_op(self, x, weight, bias):
        if self.op_type == 'linear':
            return F.linear(x, weight, bias)
        if self.op_type == 'convtranspose2d':
            return F.conv_transpose2d(x, weight, bias, self.op.stride, self.op.padding,
                                      self.op.output_padding, self.op.groups, self.op.dilation)
        conv = F.conv2d if self.op_type == 'conv2d' else F.conv1d
        return conv(x, weight, bias, self.op.stride, self.op.padding, self.op.dilation,
                    self.op.groups)

    def _pool(self, x):
        if self.pooling is None:
            if self.pool_stride != (1, 1):   # stride-only "pooling" keeps every n-th pixel
                return x[..., ::self.pool_stride[0], ::self.pool_stride[1]] if not self.one_d \
                    else x[..., ::self.pool_stride[0]]
            return x
        if self.one_d:
            size, stride, dil = self.pool_size[0], self.pool_stride[0], self.pool_dilation[0]
            if self.pooling == 'max':
                return F.max_pool1d(x, size, stride, dilation=dil)
            if dil != 1:
                raise NotImplementedError('dilated average pooling')
            avg = F.avg_pool1d(x, size, stride)
        else:
            if self.pooling == 'max':
                return F.max_pool2d(x, self.pool_size, self.pool_stride,
                                    dilation=self.pool_dilation)
            if self.pool_dilation != (1, 1):
                raise NotImplementedError('dilated average pooling')
            avg = F.avg_pool2d(x, self.pool_size, self.pool_stride)
        if self.mode == 'float':
            return avg
        scale = 128.0 if self.mode == 'qat' else 1.0
        v = avg * scale
        if self.avg_pool_rounding:
            q = torch.sign(v) * torch.floor(v.abs() + 0.5)
        else:
            q = torch.sign(v) * torch.floor(v.abs())   # toward zero (exportable form)
        return _ste(avg, q / scale) if self.mode == 'qat' else q

    def _combine(self, xs):
        if len(xs) != self.operands:
            raise ValueError(f'layer expects {self.operands} input(s), got {len(xs)}')
        if self.operands == 1:
            return xs[0]
        out = xs[0]
        for other in xs[1:]:
            if self.eltwise == 'add':
                out = out + other
            elif self.eltwise == 'sub':
                out = out - other
            else:
                if self.mode == 'float' or self.mode == 'qat':
                    raise NotImplementedError('bitwise element-wise ops only run in hw mode')
                a, b = out.to(torch.int64), other.to(torch.int64)
                out = (a | b if self.eltwise == 'or' else a ^ b).to(out.dtype)
        lo, hi = (-1.0, 127.0 / 128.0) if self.mode != 'hw' else (-128.0, 127.0)
        if self.mode == 'float':
            hi = 1.0
        return out.clamp(lo, hi)

    # -- forward ---------------------------------------------------------------------------
    def forward(self, *xs):
        if self.mode not in MODES:
            raise ValueError(f'unknown mode {self.mode!r}')
        if self.pool_first:
            x = self._combine([self._pool(x) for x in xs])
        else:
            x = self._pool(self._combine(list(xs)))
        if self.op is None:
            return x
        if self.mode == 'float':
            return self._forward_float(x)
        if self.bn is not None:
            raise RuntimeError('fold batchnorm (fold_batchnorm) before QAT or hw evaluation')
        if self.mode == 'qat':
            return self._forward_qat(x)
        return self._forward_hw(x)

    def _finish(self, y, scale):
        """Apply the activation; returns it with the clamp range (`scale` = 128 or 1)."""
        if self.activation == 'relu':
            y = F.relu(y)
        elif self.activation == 'abs':
            y = y.abs()
        lo = 0.0 if self.activation else -128.0 / scale
        return y, lo, 127.0 / scale

    def _forward_float(self, x):
        y = self.op(x)
        if self.bn is not None:
            y = self.bn(y)
        if self.wide:
            return y
        y, lo, _ = self._finish(y, 128.0)
        return y.clamp(lo, 1.0)

    def quantized_params(self):
        """Fake-quantized (weight, bias) and the output shift, as used in QAT.

        The returned tensors are the device integers divided by 2**(weight_bits - 1).
        """
        bits = self.bits
        w, b = self.op.weight, self.op.bias
        if int(self.adjust_output_shift.item()):
            params = w.flatten() if b is None else torch.cat((w.flatten(), b.flatten()))
            shift = max_bit_shift(params, bits, self.shift_quantile)
            with torch.no_grad():
                self.output_shift.copy_(-shift)
        # The integer weights carry the 2**-output_shift scaling; the layer output is
        # multiplied by 2**output_shift again, as the hardware does.
        gain = 2.0 ** (-self.output_shift.item())
        half = 2.0 ** (bits - 1)
        wq = _ste(w * gain, _round_half_up(w * gain * half).clamp(-half, half - 1) / half)
        bq = None
        if b is not None:
            bq = _ste(b * gain, _round_half_up(b * gain * half).clamp(-half, half - 1) / half)
        return wq, bq, self.output_shift.item()

    def _forward_qat(self, x):
        wq, bq, shift = self.quantized_params()
        y = self._apply_op(x, wq, bq) * 2.0 ** shift
        if self.wide:
            return y
        # Same order as the hardware: round and saturate, then the activation.
        y = _ste(y, _round_half_up(y * 128.0) / 128.0).clamp(-1.0, 127.0 / 128.0)
        y, lo, hi = self._finish(y, 128.0)
        return y.clamp(lo, hi)

    def _forward_hw(self, x):
        bits = self.bits
        w = self.op.weight.detach()
        # float32 sums are exact while every partial sum stays below 2**24; data are at most
        # 128 in magnitude, so bound by sum |w| per output.  Otherwise use float64.
        dims = tuple(range(1, w.dim())) if self.op_type != 'convtranspose2d' \
            else (0,) + tuple(range(2, w.dim()))
        bound = float(w.abs().sum(dim=dims).max()) * 128.0 if w.numel() else 0.0
        dtype = torch.float32 if bound < 2.0 ** 24 else torch.float64
        acc = self._apply_op(x.to(dtype), w.to(dtype), None).to(torch.float64)
        if self.op.bias is not None:
            b = torch.floor(self.op.bias.detach().to(torch.float64) / 2 ** (bits - 1))
            shape = (1, -1) + (1,) * (acc.dim() - 2)
            acc = acc + (b * 128).reshape(shape)
        if self.wide:
            return acc
        shift = int(self.output_shift.item()) + 8 - bits
        y = torch.floor(acc * 2.0 ** (shift - 7) + 0.5).clamp(-128, 127)
        y, lo, hi = self._finish(y, 1.0)
        return y.clamp(lo, hi)

    def extra_repr(self):
        parts = [f'op={self.op_type}']
        if self.pooling:
            parts.append(f'{self.pooling}_pool={self.pool_size}/{self.pool_stride}')
        if self.eltwise:
            parts.append(f'eltwise={self.eltwise}x{self.operands}')
        if self.activation:
            parts.append(f'activation={self.activation}')
        if self.wide:
            parts.append('wide')
        parts.append(f'mode={self.mode}')
        return ', '.join(parts)


# -- model-level helpers ---------------------------------------------------------------------
def layers_of(model):
    """All `Layer` modules of `model` with their qualified names, in registration order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, Layer)]


def set_mode(model, mode):
    """Switch every `Layer` of `model` to 'float', 'qat' or 'hw'."""
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}')
    for _, layer in layers_of(model):
        layer.mode = mode
        if layer.op is not None:
            layer.quantize_activation.fill_(0.0 if mode == 'float' else 1.0)
    return model


def fold_batchnorm(model):
    """Fold every layer's BatchNorm into its weights and bias, then drop the BatchNorm.

    Must run before QAT: the hardware has no BatchNorm, and the izer refuses unfolded
    checkpoints.  New parameters are created, so build the optimizer afterwards.
    """
    for _, layer in layers_of(model):
        bn = layer.bn
        if bn is None:
            continue
        with torch.no_grad():
            inv_std = 1.0 / torch.sqrt(bn.running_var + bn.eps)
            gamma = bn.weight if bn.affine else torch.ones_like(inv_std)
            beta = bn.bias if bn.affine else torch.zeros_like(inv_std)
            scale = gamma * inv_std
            w = layer.op.weight
            if layer.op_type == 'convtranspose2d':   # (in, out / groups, kh, kw)
                groups = layer.op.groups
                w.mul_(scale.reshape(groups, 1, -1, 1, 1).expand(
                    groups, w.shape[0] // groups, -1, 1, 1).reshape(w.shape[0], -1, 1, 1))
            else:
                w.mul_(scale.reshape((-1,) + (1,) * (w.dim() - 1)))
            old_bias = layer.op.bias if layer.op.bias is not None else torch.zeros_like(scale)
            new_bias = (old_bias - bn.running_mean) * scale + beta
        layer.op.bias = nn.Parameter(new_bias.detach().clone())
        layer.bn = None
    return model


def start_qat(model, weight_bits=None, shift_quantile=None):
    """Prepare a float-trained model for quantization-aware training.

    Folds BatchNorm, optionally overrides the weight bits / shift quantile of every layer,
    enables output-shift adjustment and activation quantization and switches to 'qat'.
    """
    fold_batchnorm(model)
    for _, layer in layers_of(model):
        if layer.op is None:
            continue
        if weight_bits is not None:
            layer.weight_bits.fill_(float(weight_bits))
            layer.bias_bits.fill_(float(weight_bits))
        if shift_quantile is not None:
            layer.shift_quantile.fill_(float(shift_quantile))
        layer.adjust_output_shift.fill_(1.0)
    return set_mode(model, 'qat')


def to_model_input(x_int, mode):
    """Convert integer device data ([-128, 127]) into the input a model expects in `mode`."""
    x = torch.as_tensor(x_int)
    if mode == 'hw':
        return x.to(torch.float64)
    return x.to(torch.float32) / 128.0


def normalize_uint8(images):
    """Map 8-bit pixels (0..255) to device integers in [-128, 127] (ai8x-training's rule)."""
    x = torch.tensor(np.asarray(images), dtype=torch.float32) / 255.0   # copies read-only data
    return torch.round((x - 0.5) * 256.0).clamp(-128, 127)


# -- ai8x-style constructors -----------------------------------------------------------------
def _make(op, activation=None, pooling=None, batchnorm=None):
    def build(*args, **kwargs):
        kwargs.setdefault('activation', activation)
        kwargs.setdefault('pooling', pooling)
        if batchnorm is not None:
            kwargs.setdefault('batchnorm', batchnorm)
        return Layer(op, *args, **kwargs)
    return build


Conv2d = _make('conv2d')
FusedConv2dReLU = _make('conv2d', 'relu')
FusedConv2dAbs = _make('conv2d', 'abs')
FusedConv2dBNReLU = _make('conv2d', 'relu', batchnorm='noaffine')
FusedMaxPoolConv2d = _make('conv2d', pooling='max')
FusedMaxPoolConv2dReLU = _make('conv2d', 'relu', 'max')
FusedMaxPoolConv2dAbs = _make('conv2d', 'abs', 'max')
FusedMaxPoolConv2dBNReLU = _make('conv2d', 'relu', 'max', 'noaffine')
FusedAvgPoolConv2d = _make('conv2d', pooling='avg')
FusedAvgPoolConv2dReLU = _make('conv2d', 'relu', 'avg')
FusedAvgPoolConv2dAbs = _make('conv2d', 'abs', 'avg')
FusedAvgPoolConv2dBNReLU = _make('conv2d', 'relu', 'avg', 'noaffine')
ConvTranspose2d = _make('convtranspose2d')
FusedConvTranspose2dReLU = _make('convtranspose2d', 'relu')
Conv1d = _make('conv1d')
FusedConv1dReLU = _make('conv1d', 'relu')
FusedConv1dBNReLU = _make('conv1d', 'relu', batchnorm='noaffine')
FusedMaxPoolConv1dReLU = _make('conv1d', 'relu', 'max')
FusedAvgPoolConv1dReLU = _make('conv1d', 'relu', 'avg')
FusedLinearReLU = _make('linear', 'relu')
FusedLinearAbs = _make('linear', 'abs')


def Linear(in_features, out_features, bias=True, wide=False, **kwargs):  # noqa: N802
    """Fully connected layer; `wide=True` gives the 32-bit unclipped output of a classifier."""
    return Layer('linear', in_features, out_features, bias=bias, wide=wide, **kwargs)


def MaxPool2d(pool_size=2, pool_stride=None, **kwargs):  # noqa: N802
    """Pooling-only (passthrough) layer."""
    return Layer(None, pooling='max', pool_size=pool_size, pool_stride=pool_stride, **kwargs)


def AvgPool2d(pool_size=2, pool_stride=None, **kwargs):  # noqa: N802
    """Pooling-only (passthrough) layer with average pooling."""
    return Layer(None, pooling='avg', pool_size=pool_size, pool_stride=pool_stride, **kwargs)


def Add(operands=2, **kwargs):  # noqa: N802
    """Element-wise addition of `operands` inputs (saturating)."""
    return Layer(None, eltwise='add', operands=operands, **kwargs)


def Sub(operands=2, **kwargs):  # noqa: N802
    """Element-wise subtraction (saturating)."""
    return Layer(None, eltwise='sub', operands=operands, **kwargs)


def Or(operands=2, **kwargs):  # noqa: N802
    """Element-wise bitwise OR (hw mode only)."""
    return Layer(None, eltwise='or', operands=operands, **kwargs)


def Xor(operands=2, **kwargs):  # noqa: N802
    """Element-wise bitwise XOR (hw mode only)."""
    return Layer(None, eltwise='xor', operands=operands, **kwargs)


def output_scale(layer):
    """Factor between a wide layer's QAT output and its hardware accumulator."""
    bits = layer.bits
    return 128.0 * 2 ** (bits - 1) * 2.0 ** (-layer.output_shift.item())

