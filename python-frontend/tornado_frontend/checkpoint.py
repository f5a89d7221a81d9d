"""Checkpoints in the ai8x-training layout (what the izer and Tornado read).

A checkpoint is a dict saved with `torch.save`:
``{'epoch': int, 'arch': str, 'state_dict': {...}, 'extras': {...}}``.
State-dict keys are the model's own (``conv1.op.weight``, ``conv1.output_shift``, ...); a
``module.`` prefix from DataParallel is accepted when loading.
"""
import torch
from torch import nn

from .layers import fold_batchnorm, layers_of, set_mode
from .quantize import load_checkpoint_file, quantize_checkpoint


# Older checkpoints lack some per-layer entries; the model's defaults stand in for them.
_OPTIONAL = ('shift_quantile', 'adjust_output_shift', 'quantize_activation', 'bias_bits')


def make_checkpoint(model, arch, epoch=0, extras=None):
    """Build a checkpoint dict for `model` (tensors copied to the CPU)."""
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    return {
        'epoch': int(epoch),
        'state_dict': state,
        'arch': arch,
        'extras': dict(extras or {}),
    }


def save_checkpoint(model, path, arch, epoch=0, extras=None):
    """Write `model` as a checkpoint file; returns the dict written."""
    ck = make_checkpoint(model, arch, epoch, extras)
    torch.save(ck, path)
    return ck


def _strip_prefix(state):
    if state and all(k.startswith('module.') for k in state):
        return {k[len('module.'):]: v for k, v in state.items()}
    return state


def load_into(model, checkpoint, mode=None):
    """Load a checkpoint (dict or path) into `model`.

    When the checkpoint has no BatchNorm entries but the model has BatchNorm, the model's
    BatchNorm is folded first (the checkpoint comes from after QAT started).  Missing biases
    are created.  With `mode`, the model is switched to that mode afterwards.
    """
    if not isinstance(checkpoint, dict):
        checkpoint = load_checkpoint_file(checkpoint)
    state = _strip_prefix(checkpoint['state_dict'])
    has_bn = any('.bn.' in k for k in state)
    if not has_bn:
        fold_batchnorm(model)
    for name, layer in layers_of(model):
        if layer.op is None:
            continue
        key = f'{name}.op.bias' if name else 'op.bias'
        if key in state and layer.op.bias is None:
            layer.op.bias = nn.Parameter(torch.zeros_like(state[key]))
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if k.rsplit('.', 1)[-1] not in _OPTIONAL]
    if missing or result.unexpected_keys:
        raise KeyError(f'checkpoint does not fit the model: missing {missing}, '
                       f'unexpected {result.unexpected_keys}')
    if mode is not None:
        set_mode(model, mode)
    return checkpoint


def quantize_model(model, arch='model', **kwargs):
    """Quantize a QAT-trained model in memory and switch it to 'hw' mode.

    This is the same path as quantizing a checkpoint file and loading it back.  Returns the
    quantized checkpoint dict.
    """
    quantized = quantize_checkpoint(make_checkpoint(model, arch), **kwargs)
    load_into(model, quantized, mode='hw')
    return quantized
