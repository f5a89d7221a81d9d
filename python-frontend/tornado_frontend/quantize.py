"""Turn a trained (QAT) checkpoint into a quantized checkpoint for the accelerator.

The result has the same semantics as the izer's quantize step, so Tornado, the izer and the
`hw` mode of `layers.Layer` all read it the same way.  Per layer (a state-dict entry
``<layer>.<op>.weight`` with two or more dimensions):

* weight bits: the per-layer override list, else ``<layer>.weight_bits`` (non-zero), else the
  `weight_bits` argument, else 8.
* scheme ``izer`` (the default, "MAX_BIT_SHIFT"): ``s = floor(log2(1 / q))`` where ``q`` is the
  ``<layer>.shift_quantile`` quantile (default 1, i.e. the maximum) of |weights and bias|,
  clamped to [-7 - bits, 23 - bits].  Weights become ``clamp(floor(w * 2**(bits-1) * 2**s
  + 0.5))`` in the signed `bits` range; the bias is rounded the same way, then multiplied by
  ``2**(bits - 8) * 128`` (the device adds bias * 128, and PyTorch can still run the file);
  ``output_shift = -s`` and ``bias_bits = bits``.
* scheme ``legacy``: what older tools wrote for checkpoints trained before ai8x-training had
  shift quantiles: ``s = ceil(log2(1 / max|weights|))``; the bias is rounded once at full
  precision, ``floor(b * 2**(bits-1) * 2**s * 128 + 0.5)``, and clamped to
  ``[-2**(bits+6), 2**(bits+6) - 1]``.
* scheme ``auto``: ``legacy`` when the checkpoint has no ``shift_quantile`` entries (an old
  trainer), else ``izer``.
* clip methods (``MAX``, ``AVGMAX``, ``STDDEV``, ``SCALE``) for checkpoints trained without
  QAT: a scale factor from the weight statistics, no output shift change.

Every ``adjust_output_shift`` becomes 0 and every ``quantize_activation`` 1; zero-point
entries (which must be zero) and ``base_b_q`` are dropped; ``extras['clipping_method']``
records the method and ``compression_sched['masks_dict']`` the new output shifts.
"""
import argparse
import copy
import sys
from functools import partial

import torch

SCHEMES = ('izer', 'legacy', 'auto')
CLIP_METHODS = ('MAX', 'AVGMAX', 'STDDEV', 'SCALE')
DEFAULT_WEIGHT_BITS = 8
ACTIVATION_BITS = 8
DEFAULT_SCALE = 0.85
DEFAULT_STDDEV = 2.0


def _as_int(v):
    return int(v.item()) if isinstance(v, torch.Tensor) else int(v)


def _split_key(key):
    """'a.b.op.weight' -> ('a.b', 'op', 'weight'); 'fc.weight' -> ('fc', None, 'weight')."""
    parts = key.rsplit('.', 2)
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    if len(parts) == 2:
        return parts[0], None, parts[1]
    return None, None, parts[0]


def _join(layer, operation, name):
    return '.'.join(p for p in (layer, operation, name) if p is not None)


# -- scale rules -----------------------------------------------------------------------------
def _bit_shift_quantile(params, bits, quantile):
    scale = 1.0 / torch.quantile(params.abs(), quantile)
    return torch.floor(torch.log2(scale)).clamp(min=-7. - bits, max=23. - bits)


def _bit_shift_legacy(weights):
    biggest = torch.max(weights.min().abs(), weights.max().abs())
    return torch.ceil(torch.log2(1.0 / biggest))


def _clip_max(t):
    return torch.max(t.min().abs(), t.max().abs())


def _clip_avgmax(t):
    rows = t.reshape(t.shape[0], -1)
    return torch.max(rows.min(dim=-1)[0].mean().abs(), rows.max(dim=-1)[0].mean().abs())


def _clip_stddev(t, n_stds):
    mean, std = t.mean(), t.std()
    lo = torch.max(t.min(), mean - n_stds * std)
    hi = torch.min(t.max(), mean + n_stds * std)
    return torch.max(lo.abs(), hi.abs())


def _uses_shift_quantile(state):
    return any(k.endswith('.shift_quantile') for k in state)


# -- main entry points -----------------------------------------------------------------------
def quantize_checkpoint(checkpoint, scheme='izer', clip_method=None, weight_bits=None,
                        layer_bits=None, scale=None, stddev=None):
    """Return a quantized copy of `checkpoint` (a dict with a 'state_dict').

    `weight_bits` is the fallback for layers whose checkpoint does not say; `layer_bits` is an
    optional per-layer list that overrides everything (like a YAML `quantization:` key).
    `clip_method` selects non-QAT scaling (see the module docstring).
    """
    if scheme not in SCHEMES:
        raise ValueError(f'scheme must be one of {SCHEMES}')
    if clip_method is not None and clip_method not in CLIP_METHODS:
        raise ValueError(f'clip_method must be one of {CLIP_METHODS}')
    if 'state_dict' not in checkpoint:
        raise ValueError('checkpoint has no state_dict')

    out = dict(checkpoint)
    state = checkpoint['state_dict']
    new_state = state.copy()
    sched = copy.copy(checkpoint.get('compression_sched'))
    masks = None
    if isinstance(sched, dict) and 'masks_dict' in sched:
        masks = dict(sched['masks_dict'])
        sched['masks_dict'] = masks
    extras = dict(checkpoint.get('extras') or {})
    out['extras'] = extras

    if scheme == 'auto':
        scheme = 'izer' if _uses_shift_quantile(state) else 'legacy'

    sat_fn = None
    if clip_method is None:
        extras['clipping_method'] = 'MAX_BIT_SHIFT'
    elif clip_method == 'STDDEV':
        n = DEFAULT_STDDEV if stddev is None else stddev
        sat_fn = partial(_clip_stddev, n_stds=n)
        extras['clipping_method'] = 'STDDEV'
        extras['clipping_nstds'] = n
    elif clip_method == 'MAX':
        sat_fn = _clip_max
        extras['clipping_method'] = 'MAX'
    elif clip_method == 'AVGMAX':
        sat_fn = _clip_avgmax
        extras['clipping_method'] = 'AVGMAX'
    else:
        value = DEFAULT_SCALE if scale is None else scale
        sat_fn = lambda _t: value  # noqa: E731
        extras['clipping_method'] = 'SCALE'
        extras['clipping_scale'] = value

    layer_index = 0
    for key in state.keys():
        layer, operation, param = _split_key(key)
        if layer is None:
            continue
        if param in ('w_zero_point', 'b_zero_point'):
            if state[key].count_nonzero() != 0:
                raise ValueError(f'{key} is not zero')
            del new_state[key]
        elif param == 'base_b_q':
            del new_state[key]
        elif param == 'adjust_output_shift':
            new_state[key] = torch.Tensor([0.])
        elif param == 'quantize_activation':
            new_state[key] = torch.Tensor([1.])
        elif param == 'weight':
            if layer_bits is not None and layer_index >= len(layer_bits):
                continue
            if state[key].dim() < 2:
                raise ValueError(f'{key} is one-dimensional: fold batchnorm before quantizing')
            bits = _layer_bits(state, layer, layer_index, layer_bits, weight_bits)
            _quantize_layer(state, new_state, masks, key, layer, operation, bits, scheme,
                            sat_fn)
            layer_index += 1

    out['state_dict'] = new_state
    if masks is not None:
        out['compression_sched'] = sched
    return out


def _layer_bits(state, layer, index, layer_bits, weight_bits):
    if layer_bits is not None and layer_bits[index] is not None:
        return int(layer_bits[index])
    name = _join(layer, None, 'weight_bits')
    if name in state and _as_int(state[name]) != 0:
        return _as_int(state[name])
    return DEFAULT_WEIGHT_BITS if weight_bits is None else int(weight_bits)


def _quantize_layer(state, new_state, masks, key, layer, operation, bits, scheme, sat_fn):
    weights = state[key]
    bias_key = _join(layer, operation, 'bias')
    bias = state.get(bias_key)
    half = 2 ** (bits - 1)
    shift = None            # log2 of the extra weight scaling; output_shift = -shift

    if sat_fn is not None:
        factor = half * sat_fn(weights)
    elif scheme == 'legacy':
        shift = _bit_shift_legacy(weights)
        factor = half * torch.pow(2., shift)
    else:
        params = weights.flatten() if bias is None \
            else torch.cat((weights.flatten(), bias.flatten()))
        qname = _join(layer, None, 'shift_quantile')
        quantile = state[qname] if qname in state else 1.0
        shift = _bit_shift_quantile(params, bits, quantile)
        factor = half * torch.pow(2., shift)

    new_state[key] = (factor * weights).add(.5).floor().clamp(min=-half, max=half - 1)

    wb_name = _join(layer, None, 'weight_bits')
    if wb_name not in new_state:
        new_state[wb_name] = torch.Tensor([DEFAULT_WEIGHT_BITS])
        if masks is not None:
            masks[wb_name] = torch.Tensor([DEFAULT_WEIGHT_BITS])
    elif _as_int(new_state[wb_name]) == 0:
        new_state[wb_name] = torch.Tensor([DEFAULT_WEIGHT_BITS])

    if bias is not None:
        act_scale = 2 ** (ACTIVATION_BITS - 1)
        if scheme == 'legacy' and sat_fn is None:
            limit = half * act_scale
            q = (bias * factor * act_scale).add(.5).floor().clamp(min=-limit, max=limit - 1)
        else:
            scaled = bias * torch.pow(2., shift) if shift is not None else bias * factor / half
            q = (half * scaled).add(.5).floor().clamp(min=-half, max=half - 1)
            # Stored scaled so PyTorch can run the file; the device divides this back out.
            q = q * 2 ** (bits - 8) * act_scale
        new_state[bias_key] = q
        new_state[_join(layer, None, 'bias_bits')] = torch.Tensor([bits])

    if sat_fn is None:
        shift_name = _join(layer, None, 'output_shift')
        value = torch.Tensor([-1 * shift.reshape(-1)[0]])
        new_state[shift_name] = value
        if masks is not None:
            masks[shift_name] = value


def load_checkpoint_file(path):
    """torch.load a checkpoint with full unpickling (checkpoints carry Python objects)."""
    try:
        return torch.load(path, map_location='cpu', weights_only=False)
    except TypeError:   # torch without the weights_only argument
        return torch.load(path, map_location='cpu')


def quantize_file(input_path, output_path, **kwargs):
    """Quantize the checkpoint file `input_path` into `output_path`; returns the new dict."""
    result = quantize_checkpoint(load_checkpoint_file(input_path), **kwargs)
    torch.save(result, output_path)
    return result


def main(argv=None):
    """Command line: python3 -m tornado_frontend.quantize IN OUT [options]."""
    parser = argparse.ArgumentParser(description='Quantize a MAX78000/MAX78002 checkpoint')
    parser.add_argument('input')
    parser.add_argument('output')
    parser.add_argument('--scheme', choices=SCHEMES, default='izer',
                        help='output-shift rule for QAT checkpoints (default: izer)')
    parser.add_argument('--clip-method', choices=CLIP_METHODS,
                        help='scale a checkpoint trained without QAT')
    parser.add_argument('--weight-bits', '--qat-weight-bits', type=int, dest='weight_bits',
                        help='weight bits for layers whose checkpoint does not say')
    parser.add_argument('--scale', type=float, help=f'SCALE factor (default {DEFAULT_SCALE})')
    parser.add_argument('--stddev', type=float,
                        help=f'STDDEV standard deviations (default {DEFAULT_STDDEV})')
    parser.add_argument('-c', '--config-file',
                        help='YAML network description; its per-layer `quantization` wins')
    args = parser.parse_args(argv)

    layer_bits = None
    if args.config_file:
        import yaml
        with open(args.config_file, encoding='utf-8') as f:
            cfg = yaml.safe_load(f)
        layer_bits = [ll.get('quantization') for ll in cfg.get('layers', [])]
        layer_bits = [None if b in ('bin', 'binary') else b for b in layer_bits]
    result = quantize_file(args.input, args.output, scheme=args.scheme,
                           clip_method=args.clip_method, weight_bits=args.weight_bits,
                           layer_bits=layer_bits, scale=args.scale, stddev=args.stddev)
    shifts = {k: int(v.item()) for k, v in result['state_dict'].items()
              if k.endswith('.output_shift')}
    print(f'wrote {args.output}; output shifts: {shifts}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
