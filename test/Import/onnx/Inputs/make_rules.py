"""make_rules.py PREFIX: an ONNX model for weights-rules.test (and its sample input).

conv0: weights with fractions in (-8, 8), truncated to [-7, 7] (so the izer's rule gives
4 bits); bias 300, -1, -129, 127 (floor-divided by 128: 2, -1, -2, 0).  conv1: 8-bit
weights, no bias.  fc: Gemm [3, 64] with transB = 1 and bias 128 * (1, -2, 3).  A MatMul
with an initializer and a Relu in between are not weight layers.
"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

prefix = sys.argv[1]
rng = np.random.default_rng(3)
w0 = rng.uniform(-7.99, 7.99, size=(4, 1, 3, 3)).astype(np.float32)
w0[0, 0, 0, 0], w0[0, 0, 0, 1] = 7.9, -7.9
b0 = np.array([300, -1, -129, 127], np.float32)
w1 = rng.integers(-128, 128, size=(4, 4, 3, 3)).astype(np.float32)
wf = rng.integers(-128, 128, size=(3, 64)).astype(np.float32)
bf = np.array([128, -256, 384], np.float32)
other = np.ones((2, 2), np.float32)
inits = [numpy_helper.from_array(a, n) for a, n in
         ((w0, 'w0'), (b0, 'b0'), (w1, 'w1'), (wf, 'wf'), (bf, 'bf'), (other, 'other'))]
nodes = [
    helper.make_node('Conv', ['x', 'w0', 'b0'], ['c0'], name='conv0', kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1]),
    helper.make_node('Relu', ['c0'], ['r0'], name='relu0'),
    helper.make_node('MaxPool', ['r0'], ['p0'], name='pool', kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node('Conv', ['p0', 'w1'], ['c1'], name='conv1', kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1]),
    helper.make_node('Flatten', ['c1'], ['f'], name='flat'),
    helper.make_node('MatMul', ['other', 'other'], ['unused'], name='mm'),
    helper.make_node('Gemm', ['f', 'wf', 'bf'], ['y'], name='fc', transB=1),
]
graph = helper.make_graph(
    nodes, 'rules', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, 8, 8])],
    [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 3])], initializer=inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
with open(prefix + '.onnx', 'wb') as f:
    f.write(model.SerializeToString())
np.save(prefix + '-sample.npy', rng.integers(-128, 128, size=(1, 8, 8)).astype(np.int64))
