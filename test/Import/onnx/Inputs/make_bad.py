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
