"""make_bad.py DIR: write malformed and unsupported ONNX models for errors.test."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def model(nodes, inits, inputs=None, outputs=None, name='bad'):
    inputs = inputs or [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 1, 4, 4])]
    outputs = outputs or [helper.make_tensor_value_info('y', TensorProto.FLOAT, None)]
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])


def save(m, name):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(m.SerializeToString())


W = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), 'w')
FW = numpy_helper.from_array(np.full((2, 1, 3, 3), 0.3, np.float32), 'fw')


def conv(**attrs):
    attrs.setdefault('kernel_shape', [3, 3])
    attrs.setdefault('pads', [1, 1, 1, 1])
    return helper.make_node('Conv', ['x', 'w'], ['c'], name='conv', **attrs)


def stage(src, lo=-128.0, hi=127.0):
    """The hardware output stage after a convolution: * 2^-7, + 0.5, Floor, Clip."""
    consts = [numpy_helper.from_array(np.array(v, np.float32), n)
              for n, v in (('k', 2.0 ** -7), ('half', 0.5), ('lo', lo), ('hi', hi))]
    nodes = [helper.make_node('Mul', [src, 'k'], ['m'], name='mul'),
             helper.make_node('Add', ['m', 'half'], ['a'], name='add'),
             helper.make_node('Floor', ['a'], ['f'], name='floor'),
             helper.make_node('Clip', ['f', 'lo', 'hi'], ['y'], name='clip')]
    return nodes, consts


with open(os.path.join(out, 'garbage.onnx'), 'wb') as f:
    f.write(b'\x0a\xff\xff\xff\xff\x0fnot an onnx model')

nodes, consts = stage('c')
good = model([conv()] + nodes, [W] + consts)
save(good, 'good.onnx')
data = good.SerializeToString()
with open(os.path.join(out, 'truncated.onnx'), 'wb') as f:
    f.write(data[:len(data) // 2])

save(model([conv(), helper.make_node('Softmax', ['c'], ['y'], name='sm')], [W]),
     'softmax.onnx')
nodes, consts = stage('c')
save(model([conv(auto_pad='SAME_UPPER', pads=None)] + nodes, [W] + consts), 'autopad.onnx')
save(model([conv(pads=[0, 0, 1, 1])] + nodes, [W] + consts), 'asymmetric.onnx')
save(model([helper.make_node('Conv', ['x', 'fw'], ['c'], name='conv', kernel_shape=[3, 3],
                             pads=[1, 1, 1, 1])] + nodes, [FW] + consts), 'float-weights.onnx')
nodes, consts = stage('c', -1.0, 1.0)
save(model([conv()] + nodes, [W] + consts), 'qat-clip.onnx')
save(model([helper.make_node('MaxPool', ['x'], ['y'], name='pool', kernel_shape=[2, 2],
                             pads=[1, 1, 1, 1])], []), 'pool-pads.onnx')
save(model([helper.make_node('Flatten', ['x'], ['fl'], name='flat'),
            helper.make_node('Gemm', ['fl', 'g'], ['y'], name='fc', alpha=2.0, transB=1)],
           [numpy_helper.from_array(np.ones((3, 16), np.float32), 'g')]), 'gemm-alpha.onnx')
ext = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), 'w')
ext.ClearField('raw_data')
ext.data_location = TensorProto.EXTERNAL
entry = ext.external_data.add()
entry.key, entry.value = 'location', 'weights.bin'
nodes, consts = stage('c')
save(model([conv()] + nodes, [ext] + consts), 'external.onnx')
save(model([helper.make_node('Add', ['x', 'x2'], ['y'], name='sum')], [],
           inputs=[helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, 4, 4]),
                   helper.make_tensor_value_info('x2', TensorProto.FLOAT, [1, 1, 4, 4])]),
     'two-inputs.onnx')
save(model([helper.make_node('Relu', ['later'], ['y'], name='early'),
            helper.make_node('Relu', ['x'], ['later'], name='late')], []), 'unsorted.onnx')
bad_size = numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), 'w')
bad_size.raw_data = bad_size.raw_data[:-4]
nodes, consts = stage('c')
save(model([conv()] + nodes, [bad_size] + consts), 'short-tensor.onnx')


# -- QAT exports, metadata, rounding, pooling ------------------------------------------------
def meta(m, **props):
    for key, value in props.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key.replace('_', '.', 1), value
    return m


def c(name, value):
    return numpy_helper.from_array(np.array(value, np.float32), name)


def layers(*records):
    import json
    return json.dumps([dict(name=n, op=o, weight_bits=b, output_shift=s, wide=w)
                       for n, o, b, s, w in records])


nodes, consts = stage('c')
save(meta(model([conv()] + nodes, [W] + consts), tornado_mode='float'), 'float-mode.onnx')
save(meta(model([conv()] + nodes, [W] + consts), tornado_mode='int4'), 'bad-mode.onnx')
save(meta(model([conv()] + nodes, [W] + consts), tornado_layers='[{'), 'meta-json.onnx')
save(meta(model([conv()] + nodes, [W] + consts),
          tornado_layers=layers(('c1', 'linear', 8, 0, False))), 'meta-op.onnx')
save(meta(model([conv()] + nodes, [W] + consts),
          tornado_layers=layers(('c1', 'conv2d', 1, 0, False))), 'meta-bits.onnx')
save(meta(model([conv()] + nodes, [W] + consts),
          tornado_layers=layers(('c1', 'conv2d', 8, 3, False))), 'meta-shift.onnx')
save(meta(model([conv()] + nodes, [W] + consts),
          tornado_layers=layers(('c1', 'conv2d', 8, 0, False), ('fc', 'linear', 8, 0, True))),
     'meta-count.onnx')
save(meta(model([conv()] + nodes, [W] + consts),
          tornado_layers=layers(('c1', 'conv2d', 8, 0, True))), 'meta-wide.onnx')
# 4-bit weights: the hardware adds bias * 128 to the 4-bit accumulator.
save(meta(model([helper.make_node('Conv', ['x', 'w', 'b'], ['c'], name='conv',
                                  kernel_shape=[3, 3], pads=[1, 1, 1, 1])] + nodes,
                [W, c('b', [64.0, 128.0])] + consts),
          tornado_layers=layers(('c1', 'conv2d', 4, -4, False))), 'bias-narrow.onnx')


def round_stage(weight, scale):
    """Conv, * scale, Round (in place of + 0.5, Floor), Clip [-128, 127]."""
    w = numpy_helper.from_array(np.full((2, 1, 3, 3), weight, np.float32), 'w')
    return model([conv(), helper.make_node('Mul', ['c', 'k'], ['m'], name='mul'),
                  helper.make_node('Round', ['m'], ['r'], name='round'),
                  helper.make_node('Clip', ['r', 'lo', 'hi'], ['y'], name='clip')],
                 [w, c('k', scale), c('lo', -128.0), c('hi', 127.0)])


save(round_stage(1.0, 2.0 ** -7), 'round-tie.onnx')
save(round_stage(2.0, 0.5), 'round-ok.onnx')
nodes, consts = stage('c')
save(model([conv()] + nodes[:3] + [helper.make_node('Sub', ['f', 'c'], ['y'], name='diff')],
           [W] + consts), 'diff.onnx')
save(model([conv()] + nodes + [helper.make_node('Mul', ['y', 'two'], ['y2'], name='double')],
           [W] + consts + [c('two', 2.0)],
           outputs=[helper.make_tensor_value_info('y2', TensorProto.FLOAT, None)]),
     'out-scale.onnx')
save(model([helper.make_node('Flatten', ['x'], ['fl'], name='flat'),
            helper.make_node('Gemm', ['fl', 'g'], ['acc'], name='fc', transB=1),
            helper.make_node('Mul', ['acc', 'two'], ['y'], name='double')],
           [numpy_helper.from_array(np.ones((3, 16), np.float32), 'g'), c('two', 2.0)]),
     'wide-scaled.onnx')
save(model([conv()] + nodes + [helper.make_node('Mul', ['x', 'two'], ['x2'], name='double'),
                               helper.make_node('Add', ['y', 'x2'], ['s'], name='sum')],
           [W] + consts + [c('two', 2.0)],
           outputs=[helper.make_tensor_value_info('s', TensorProto.FLOAT, None)]),
     'scales-differ.onnx')
save(model([helper.make_node('ConvTranspose', ['x', 'wt'], ['c'], name='up', group=2,
                             kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2],
                             output_padding=[1, 1])] + nodes,
           [numpy_helper.from_array(np.ones((2, 1, 3, 3), np.float32), 'wt')] + consts,
           inputs=[helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 2, 4, 4])]),
     'convt-groups.onnx')
save(model([helper.make_node('ConvTranspose', ['x', 'wt'], ['c'], name='up',
                             kernel_shape=[3, 3], pads=[1, 1, 1, 1])] + nodes,
           [numpy_helper.from_array(np.ones((3, 2, 3, 3), np.float32), 'wt')] + consts,
           inputs=[helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 2, 4, 4])]),
     'convt-channels.onnx')


def avg(rounded, spatial=(4, 4)):
    """AveragePool, then Sign(a) * Floor(Abs(a) [+ 0.5])."""
    k = [2] * len(spatial)
    ns = [helper.make_node('AveragePool', ['x'], ['a'], name='pool', kernel_shape=k, strides=k),
          helper.make_node('Sign', ['a'], ['s'], name='sign'),
          helper.make_node('Abs', ['a'], ['m'], name='abs')]
    if rounded:
        ns.append(helper.make_node('Add', ['m', 'half'], ['mh'], name='half'))
    ns += [helper.make_node('Floor', ['mh' if rounded else 'm'], ['f'], name='floor'),
           helper.make_node('Mul', ['s', 'f'], ['y'], name='avg')]
    return model(ns, [c('half', 0.5)],
                 inputs=[helper.make_tensor_value_info('x', TensorProto.FLOAT,
                                                       ['N', 1] + list(spatial))])


save(avg(True), 'avg-round.onnx')
save(avg(False), 'avg-trunc.onnx')
save(avg(True, (8,)), 'avg-round-1d.onnx')
both = avg(True)
both.graph.node.extend([
    helper.make_node('Floor', ['m'], ['f2'], name='floor2'),
    helper.make_node('Mul', ['s', 'f2'], ['y2'], name='avg2')])
both.graph.output.append(helper.make_tensor_value_info('y2', TensorProto.FLOAT, None))
save(both, 'avg-both.onnx')
save(model([helper.make_node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y'], name='slice')],
           [numpy_helper.from_array(np.array(v, np.int64), n)
            for n, v in (('st', [1]), ('en', [4]), ('ax', [2]), ('sp', [2]))]),
     'slice-offset.onnx')
QW = numpy_helper.from_array(np.full((2, 1, 3, 3), 0.3, np.float32), 'w')
nodes, consts = stage('c')
save(meta(model([conv()] + nodes, [QW] + consts), tornado_mode='qat'), 'qat-weights.onnx')
# QAT: data int / 128, weights int / 128; rounding at * 2^14 (shift 7), then
# divided by 128 and clipped as if it were still the integer.
QW1 = numpy_helper.from_array(np.full((2, 1, 3, 3), 1 / 128, np.float32), 'w')
save(meta(model([conv(), helper.make_node('Mul', ['c', 'k'], ['m'], name='mul'),
                 helper.make_node('Add', ['m', 'half'], ['a'], name='add'),
                 helper.make_node('Floor', ['a'], ['f'], name='floor'),
                 helper.make_node('Div', ['f', 'd'], ['q'], name='div'),
                 helper.make_node('Clip', ['q', 'lo', 'hi'], ['y'], name='clip')],
                [QW1, c('k', 2.0 ** 14), c('half', 0.5), c('d', 128.0), c('lo', -128.0),
                 c('hi', 127.0)]), tornado_mode='qat'), 'qat-clip-scale.onnx')
# Depth-wise Conv: MAX78002 only.
save(model([helper.make_node('Conv', ['x', 'w'], ['c'], name='dw', group=2, kernel_shape=[3, 3],
                             pads=[1, 1, 1, 1])] + nodes, [W] + consts,
           inputs=[helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 2, 4, 4])]),
     'conv-groups.onnx')
save(model([helper.make_node('Conv', ['x', 'w4'], ['c'], name='grouped', group=2,
                             kernel_shape=[3, 3], pads=[1, 1, 1, 1])] + nodes,
           [numpy_helper.from_array(np.ones((4, 2, 3, 3), np.float32), 'w4')] + consts,
           inputs=[helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 4, 4, 4])]),
     'conv-groups-2.onnx')
