"""Recover the accelerator layer sequence of a model built from `layers.Layer` blocks.

`trace(model, input_shape)` runs one forward pass and records, for every `Layer` call, its
configuration, input/output shapes and which earlier layer (or the model input) produced each
operand.  A reshape between layers (``x.view(n, -1)``) before a linear layer becomes
``flatten``.  Any other computation between layers cannot run on the accelerator and is
reported as an error.
"""
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import torch

from .layers import layers_of

INPUT = -1


@dataclass
class LayerSpec:
    """One accelerator layer as the YAML writer and the simulator see it."""

    name: str
    op: Optional[str]                 # 'conv2d', 'conv1d', 'convtranspose2d', 'linear' or None
    in_shape: Tuple[int, ...]         # (C, H, W) or (C, L) of each operand, before pooling
    out_shape: Tuple[int, ...]        # (C, H, W), (C, L) or (C,) for linear
    sources: List[int] = field(default_factory=list)   # producer layer index, INPUT = -1
    in_channels: int = 0              # channels as the processors see them (before flatten)
    out_channels: int = 0
    kernel_size: Tuple[int, ...] = (1, 1)
    stride: int = 1
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = False
    pooling: Optional[str] = None
    pool_size: Tuple[int, int] = (1, 1)
    pool_stride: Tuple[int, int] = (1, 1)
    pool_dilation: Tuple[int, int] = (1, 1)
    avg_pool_rounding: bool = False
    activation: Optional[str] = None
    wide: bool = False
    flatten: bool = False
    eltwise: Optional[str] = None
    operands: int = 1
    pool_first: bool = True
    weight_bits: int = 8


def _spec_from_layer(name, layer):
    spec = LayerSpec(name=name, op=layer.op_type, in_shape=(), out_shape=())
    spec.pooling = layer.pooling
    spec.pool_size = tuple(layer.pool_size)
    spec.pool_stride = tuple(layer.pool_stride)
    spec.pool_dilation = tuple(layer.pool_dilation)
    spec.avg_pool_rounding = layer.avg_pool_rounding
    spec.activation = layer.activation
    spec.wide = layer.wide
    spec.eltwise = layer.eltwise
    spec.operands = layer.operands
    spec.pool_first = layer.pool_first
    if layer.op is not None:
        spec.weight_bits = layer.bits
        spec.bias = layer.op.bias is not None
        spec.out_channels = layer.op.out_features if layer.op_type == 'linear' \
            else layer.op.out_channels
        if layer.op_type != 'linear':
            spec.kernel_size = tuple(layer.op.kernel_size)
            spec.stride = layer.op.stride[0]
            spec.padding = layer.op.padding[0]
            if layer.op_type == 'convtranspose2d':
                spec.output_padding = layer.op.output_padding[0]
            spec.dilation = layer.op.dilation[0]
            spec.groups = layer.op.groups
    return spec


def trace(model, input_shape):
    """Return the list of `LayerSpec` of `model` for one input of `input_shape` (no batch)."""
    names = {id(m): n for n, m in layers_of(model)}
    specs = []
    producers = {}          # data_ptr of a layer output -> layer index
    keep = []               # hold outputs so their storage is not reused during the trace
    hooks = []

    def pre_hook(module, inputs):
        spec = _spec_from_layer(names[id(module)], module)
        if any(s.name == spec.name for s in specs):
            raise ValueError(f'layer {spec.name} runs twice; shared weights are not supported')
        for t in inputs:
            ptr = t.data_ptr()
            if ptr not in producers:
                raise ValueError(f'layer {spec.name}: its input is computed outside the '
                                 'accelerator layers (only reshapes are allowed between layers)')
            spec.sources.append(producers[ptr])
        shape = tuple(inputs[0].shape[1:])
        src = spec.sources[0]
        src_shape = tuple(specs[src].out_shape) if src != INPUT else input_shape
        if module.op_type == 'linear':
            if len(src_shape) > 1 and tuple(src_shape[1:]) != (1,) * (len(src_shape) - 1):
                spec.flatten = True
                spec.in_shape = tuple(src_shape)
            else:
                spec.in_shape = (shape[0],) + (1, 1)
            spec.in_channels = spec.in_shape[0]
        else:
            if shape != tuple(src_shape):
                raise ValueError(f'layer {spec.name}: input reshaped from {src_shape} to '
                                 f'{shape}, which the accelerator cannot do here')
            spec.in_shape = shape
            spec.in_channels = shape[0]
        specs.append(spec)

    def post_hook(module, inputs, output):
        spec = specs[-1]
        spec.out_shape = tuple(output.shape[1:])
        if module.op is None:
            spec.out_channels = spec.out_shape[0]
        producers[output.data_ptr()] = len(specs) - 1
        keep.append(output)

    for _, m in layers_of(model):
        hooks.append(m.register_forward_pre_hook(pre_hook))
        hooks.append(m.register_forward_hook(post_hook))
    try:
        x = torch.zeros((1,) + tuple(input_shape))
        producers[x.data_ptr()] = INPUT
        was_training = model.training
        model.eval()
        with torch.no_grad():
            # The structure does not depend on the mode; float avoids needing quantized weights.
            modes = [(m, m.mode) for _, m in layers_of(model)]
            for m, _ in modes:
                m.mode = 'float'
            try:
                model(x)
            finally:
                for m, mode in modes:
                    m.mode = mode
        model.train(was_training)
    finally:
        for h in hooks:
            h.remove()
    if not specs:
        raise ValueError('model has no tornado_frontend Layer blocks')
    return specs


def is_sequential(specs):
    """True when every layer reads exactly the previous layer's output (or the input)."""
    return all(s.sources == [i - 1 if i else INPUT] for i, s in enumerate(specs))


def output_layers(specs):
    """Indices of layers whose output no later layer reads (the network outputs)."""
    used = {src for s in specs for src in s.sources}
    return [i for i in range(len(specs)) if i not in used]
