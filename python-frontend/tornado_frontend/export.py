"""ONNX export of models built from the building blocks.

The graph is exported in the model's mode (or the one given): ``float``/``qat`` give the
float network (QAT with its fake quantization), ``hw`` gives the integer network (integer
weights, bias * 128, the output shift as a multiply, floor and clip).  Whatever the mode, the
model's metadata ``tornado.layers`` carries one JSON record per accelerator layer (name,
op, pooling, activation, output shift, weight bits, wide output, flatten) so an importer does
not have to rediscover them from the arithmetic.
"""
import json
import warnings

import onnx
import torch

from .graph import trace
from .layers import layers_of

# Bumped when the metadata layout changes.
METADATA_VERSION = 1


def _records(model, input_shape):
    specs = trace(model, input_shape)
    by_name = dict(layers_of(model))
    out = []
    for s in specs:
        layer = by_name[s.name]
        rec = {
            'name': s.name, 'op': s.op, 'sources': s.sources, 'pooling': s.pooling,
            'pool_size': list(s.pool_size), 'pool_stride': list(s.pool_stride),
            'activation': s.activation, 'wide': s.wide, 'flatten': s.flatten,
            'eltwise': s.eltwise, 'operands': s.operands,
        }
        if layer.op is not None:
            rec['output_shift'] = int(layer.output_shift.item())
            rec['weight_bits'] = layer.bits
        out.append(rec)
    return out


def export_onnx(model, path, input_shape, mode=None, opset=13, input_name='input',
                output_name='output'):
    """Export `model` for one input of `input_shape` (no batch dimension) to `path`.

    Returns the loaded `onnx.ModelProto` (already checked).
    """
    layer_modes = [(m, m.mode) for _, m in layers_of(model)]
    mode = mode or (layer_modes[0][1] if layer_modes else 'float')
    was_training = model.training
    try:
        for m, _ in layer_modes:
            m.mode = mode
        model.eval()
        dtype = torch.float64 if mode == 'hw' else torch.float32
        example = torch.zeros((1,) + tuple(input_shape), dtype=dtype)
        with torch.no_grad(), warnings.catch_warnings():
            # shifts and bit widths are constants of the exported graph, as intended
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            torch.onnx.export(model, example, path, opset_version=opset,
                              input_names=[input_name], output_names=[output_name],
                              dynamic_axes={input_name: {0: 'batch'}, output_name: {0: 'batch'}},
                              do_constant_folding=True)
        records = _records(model, input_shape)
    finally:
        for m, old in layer_modes:
            m.mode = old
        model.train(was_training)

    proto = onnx.load(path)
    meta = {'tornado.mode': mode, 'tornado.layers': json.dumps(records),
            'tornado.metadata_version': str(METADATA_VERSION)}
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    onnx.save(proto, path)
    return proto
