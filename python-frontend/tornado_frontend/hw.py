"""Integer arithmetic of one accelerator layer, in NumPy (int64).

These functions are the reference for what the hardware computes; the PyTorch building blocks
(`layers.py`, mode 'hw') and the network simulator (`simulate.py`) are both built on the same
rules:

* data and weights are integers; the accumulator is exact (no wrap-around),
* the bias is added as ``bias * 128``,
* the output is ``floor(0.5 + acc / 2**(7 - shift))`` (round half toward +infinity), where
  ``shift = output_shift + 8 - weight_bits``, then saturated to [-128, 127],
* ReLU clips to [0, 127]; Abs takes |x| and clips to 127,
* a 32-bit ("wide") output is the raw accumulator, neither shifted nor clipped,
* max pooling takes the maximum; average pooling divides the window sum by its size and
  truncates toward zero (the hardware's "floor" for non-negative data), or rounds half away
  from zero when rounding is enabled,
* element-wise add/sub/or/xor work on the 8-bit values and saturate the result.
"""
import numpy as np

ACT_MIN = -128
ACT_MAX = 127


def shift_round(acc, shift):
    """Scale accumulator values by 2**(shift - 7) with round-half-up, exactly.

    `shift` is the total output shift (``output_shift + 8 - weight_bits``).
    """
    acc = np.asarray(acc, dtype=np.int64)
    down = 7 - int(shift)
    if down > 0:
        return (acc + (1 << (down - 1))) >> down
    return acc << -down


def saturate(x, bits=8):
    """Clip to the signed range of `bits` bits."""
    return np.clip(x, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)


def activate(x, activation):
    """Apply 'relu', 'abs' or None to saturated 8-bit data."""
    if activation is None or activation == 'none':
        return x
    if activation == 'relu':
        return np.clip(x, 0, ACT_MAX)
    if activation == 'abs':
        return np.clip(np.abs(x), 0, ACT_MAX)
    raise ValueError(f'unknown activation {activation!r}')


def layer_output(acc, output_shift, weight_bits=8, activation=None, wide=False):
    """Turn an accumulator into the layer's output values."""
    if wide:
        return np.asarray(acc, dtype=np.int64)
    out = saturate(shift_round(acc, output_shift + 8 - weight_bits))
    return activate(out, activation)


def _windows(data, size, stride, dilation=(1, 1)):
    """View (C, H, W) data as (C, OH, OW, KH, KW) pooling windows (no padding)."""
    c, h, w = data.shape
    oh = (h - dilation[0] * (size[0] - 1) - 1) // stride[0] + 1
    ow = (w - dilation[1] * (size[1] - 1) - 1) // stride[1] + 1
    s = data.strides
    return np.lib.stride_tricks.as_strided(
        data, shape=(c, oh, ow, size[0], size[1]),
        strides=(s[0], s[1] * stride[0], s[2] * stride[1], s[1] * dilation[0], s[2] * dilation[1]),
        writeable=False)


def pool2d(data, size, stride, average=False, rounding=False, dilation=(1, 1)):
    """Max or average pooling of (C, H, W) int data."""
    data = np.ascontiguousarray(data, dtype=np.int64)
    win = _windows(data, size, stride, dilation)
    if not average:
        return win.max(axis=(3, 4))
    total = win.sum(axis=(3, 4))
    count = size[0] * size[1]
    if rounding:
        # Half away from zero, on the exact rational value.
        mag = (2 * np.abs(total) + count) // (2 * count)
        out = np.sign(total) * mag
    else:
        out = np.sign(total) * (np.abs(total) // count)   # toward zero
    return saturate(out)


def pool1d(data, size, stride, average=False, rounding=False, dilation=1):
    """Max or average pooling of (C, L) int data."""
    out = pool2d(np.asarray(data)[:, :, None], (size, 1), (stride, 1), average, rounding,
                 (dilation, 1))
    return out[:, :, 0]


def conv2d(data, weight, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    """Exact integer 2D convolution of (C, H, W) data with (O, C/groups, KH, KW) weights."""
    data = np.asarray(data, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.int64)
    c = data.shape[0]
    o, cg, kh, kw = weight.shape
    data = np.pad(data, ((0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    win = _windows(np.ascontiguousarray(data), (kh, kw), stride, dilation)  # C,OH,OW,KH,KW
    oh, ow = win.shape[1], win.shape[2]
    out = np.empty((o, oh, ow), dtype=np.int64)
    per_group = o // groups
    for g in range(groups):
        part = win[g * cg:(g + 1) * cg]                      # cg,OH,OW,KH,KW
        cols = part.transpose(1, 2, 0, 3, 4).reshape(oh * ow, cg * kh * kw)
        wg = weight[g * per_group:(g + 1) * per_group].reshape(per_group, -1)
        out[g * per_group:(g + 1) * per_group] = (cols @ wg.T).T.reshape(per_group, oh, ow)
    assert c == cg * groups, 'channel count does not match weights and groups'
    return out


def conv1d(data, weight, stride=1, padding=0, dilation=1, groups=1):
    """Exact integer 1D convolution of (C, L) data with (O, C/groups, K) weights."""
    out = conv2d(np.asarray(data)[:, :, None], np.asarray(weight)[:, :, :, None],
                 (stride, 1), (padding, 0), (dilation, 1), groups)
    return out[:, :, 0]


def conv_transpose2d(data, weight, stride=2, padding=1, output_padding=1, dilation=1,
                     groups=1):
    """Exact transposed 2D convolution, with `weight` already in (O, C/groups, KH, KW)
    convolution form (flipped and transposed from PyTorch's layout).

    Zeros are inserted between input pixels, the border is padded by
    ``dilation * (k - 1) - padding`` (plus `output_padding` at the end) and a stride-1
    convolution follows.
    """
    data = np.asarray(data, dtype=np.int64)
    c, h, w = data.shape
    kh, kw = weight.shape[2], weight.shape[3]
    grown = np.zeros((c, (h - 1) * stride + 1, (w - 1) * stride + 1), dtype=np.int64)
    grown[:, ::stride, ::stride] = data
    ph = dilation * (kh - 1) - padding
    pw = dilation * (kw - 1) - padding
    grown = np.pad(grown, ((0, 0), (ph, ph + output_padding), (pw, pw + output_padding)))
    return conv2d(grown, weight, (1, 1), (0, 0), (dilation, dilation), groups)


def linear(data, weight):
    """Exact integer matrix-vector product of flat data with (O, I) weights."""
    return np.asarray(weight, dtype=np.int64) @ np.asarray(data, dtype=np.int64).reshape(-1)


def eltwise(operation, operands):
    """Element-wise add/sub/or/xor over 8-bit operands, saturated to 8 bits."""
    out = np.asarray(operands[0], dtype=np.int64)
    for other in operands[1:]:
        other = np.asarray(other, dtype=np.int64)
        if operation == 'add':
            out = out + other
        elif operation == 'sub':
            out = out - other
        elif operation == 'or':
            out = np.bitwise_or(out, other)
        elif operation == 'xor':
            out = np.bitwise_xor(out, other)
        else:
            raise ValueError(f'unknown element-wise operation {operation!r}')
    return saturate(out)


def hardware_bias(stored_bias, weight_bits):
    """Bias integer the accelerator holds, from a quantized checkpoint's bias tensor.

    Quantized checkpoints keep the bias multiplied by 2**(weight_bits - 1) so that PyTorch can
    still run them; the device uses ``floor(stored / 2**(weight_bits - 1))``.
    """
    stored = np.asarray(stored_bias, dtype=np.float64)
    return np.floor(stored / 2 ** (weight_bits - 1)).astype(np.int64)
