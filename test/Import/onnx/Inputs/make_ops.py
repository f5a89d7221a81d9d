"""make_ops.py PREFIX: hand-built integer ONNX graphs for ops.test, with expected outputs.

PREFIX-ops.onnx (MAX78002: depthwise convolution): convolutions whose output stage is
written with Min/Max instead of Clip, the bias as the Conv's third input, a depthwise
convolution, a saturating Sub, a three-operand Add, a BitwiseXor, a Concat, a Reshape to
another spatial shape, Identity, Flatten and a Gemm with transB = 0 (weights [in, out]).
PREFIX-batch.npy holds 20 inputs, PREFIX-expected.npy the graph's value for each
(computed here with torch in float64, which is exact for these integers).
PREFIX-bn.onnx: a convolution followed by BatchNormalization, for batchnorm folding.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

prefix = sys.argv[1]
rng = np.random.default_rng(11)
C, H = 4, 6


def ints(shape, lo=-20, hi=20):
    return rng.integers(lo, hi + 1, size=shape).astype(np.float64)


w1, b1 = ints((C, C, 3, 3)), ints((C,), -3, 3) * 128
wd = ints((C, 1, 3, 3))
wr = ints((2, C, 1, 1))
wg, bg = ints((2 * C * H * H // 2, 5)), ints((5,), -3, 3) * 128
consts = {'w1': w1, 'b1': b1, 'wd': wd, 'wr': wr, 'wg': wg, 'bg': bg,
          'k': np.array(2.0 ** -5), 'half': np.array(0.5), 'lo': np.array(-128.0),
          'hi': np.array(127.0), 'zero': np.array(0.0),
          'shape': np.array([1, 2, H // 2, H * 2], np.int64)}
inits = [numpy_helper.from_array(v.astype(np.int64 if k == 'shape' else np.float32), k)
         for k, v in consts.items()]


def stage(src, out, relu=False):
    """* 2^-5, + 0.5, Floor, then Max(-128)/Min(127) (or Max(0) for ReLU)."""
    return [helper.make_node('Mul', [src, 'k'], [out + '_m']),
            helper.make_node('Add', [out + '_m', 'half'], [out + '_a']),
            helper.make_node('Floor', [out + '_a'], [out + '_f']),
            helper.make_node('Max', [out + '_f', 'zero' if relu else 'lo'], [out + '_x']),
            helper.make_node('Min', [out + '_x', 'hi'], [out])]


nodes = [helper.make_node('Conv', ['x', 'w1', 'b1'], ['c1'], name='conv1', pads=[1, 1, 1, 1])]
nodes += stage('c1', 'a', relu=True)
nodes += [helper.make_node('Conv', ['a', 'wd'], ['cd'], name='depthwise', group=C,
                           pads=[1, 1, 1, 1])]
nodes += stage('cd', 'd')
nodes += [helper.make_node('Sub', ['a', 'd'], ['s0'], name='sub'),
          helper.make_node('Clip', ['s0', 'lo', 'hi'], ['s'], name='sub_sat'),
          helper.make_node('Add', ['a', 'd'], ['t0'], name='add1'),
          helper.make_node('Add', ['t0', 's'], ['t1'], name='add2'),
          helper.make_node('Clip', ['t1', 'lo', 'hi'], ['t'], name='add_sat'),
          helper.make_node('BitwiseXor', ['t', 'd'], ['xr'], name='xor'),
          helper.make_node('Concat', ['t', 'xr'], ['cat'], name='cat', axis=1),
          helper.make_node('Identity', ['cat'], ['cat2'], name='id'),
          helper.make_node('Conv', ['cat2', 'wr8'], ['cr'], name='conv_r')]
# wr8: [2, 8, 1, 1], the 1x1 reduction after the concatenation
wr8 = ints((2, 2 * C, 1, 1))
inits.append(numpy_helper.from_array(wr8.astype(np.float32), 'wr8'))
nodes += stage('cr', 'r')
nodes += [helper.make_node('Reshape', ['r', 'shape'], ['rs'], name='reshape'),
          helper.make_node('Flatten', ['rs'], ['fl'], name='flatten'),
          helper.make_node('Gemm', ['fl', 'wg', 'bg'], ['y'], name='fc')]
wg = ints((2 * H * H, 5))
inits = [i for i in inits if i.name != 'wg'] + [numpy_helper.from_array(wg.astype(np.float32),
                                                                        'wg')]
graph = helper.make_graph(
    nodes, 'ops', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', C, H, H])],
    [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 5])], initializer=inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 18)])
with open(prefix + '-ops.onnx', 'wb') as f:
    f.write(model.SerializeToString())

T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731


def out_stage(acc, relu=False):
    y = torch.floor(acc * 2.0 ** -5 + 0.5).clamp(-128, 127)
    return y.clamp(min=0) if relu else y


x = rng.integers(-128, 128, size=(20, C, H, H))
a = out_stage(F.conv2d(T(x), T(w1), T(b1), padding=1), relu=True)
d = out_stage(F.conv2d(a, T(wd), None, padding=1, groups=C))
s = (a - d).clamp(-128, 127)
t = (a + d + s).clamp(-128, 127)
xr = (t.to(torch.int64) ^ d.to(torch.int64)).to(torch.float64)
r = out_stage(F.conv2d(torch.cat([t, xr], 1), T(wr8)))
y = r.reshape(20, -1) @ T(wg) + T(bg)
np.save(prefix + '-batch.npy', x.astype(np.int64))
np.save(prefix + '-expected.npy', y.numpy().astype(np.int64))

# Convolution + BatchNormalization (k = scale / sqrt(var + eps) = 0.5 exactly).
wb = ints((2, 1, 3, 3), -8, 8)
bn_inits = [numpy_helper.from_array(v.astype(np.float32), n) for n, v in (
    ('wb', wb), ('k', np.array(2.0 ** -7)), ('half', np.array(0.5)), ('lo', np.array(-128.0)),
    ('hi', np.array(127.0)), ('scale', np.array([1.0, 1.0])), ('shift', np.array([0.0, 0.0])),
    ('mean', np.array([0.0, 0.0])), ('var', np.array([4.0, 4.0])))]
bn_nodes = [helper.make_node('Conv', ['x', 'wb'], ['c'], name='conv', pads=[1, 1, 1, 1]),
            helper.make_node('Mul', ['c', 'k'], ['m']),
            helper.make_node('Add', ['m', 'half'], ['h']),
            helper.make_node('Floor', ['h'], ['f']),
            helper.make_node('Clip', ['f', 'lo', 'hi'], ['q']),
            helper.make_node('BatchNormalization', ['q', 'scale', 'shift', 'mean', 'var'], ['y'],
                             name='bn', epsilon=0.0)]
graph = helper.make_graph(
    bn_nodes, 'bn', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, 4, 4])],
    [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 2, 4, 4])], initializer=bn_inits)
with open(prefix + '-bn.onnx', 'wb') as f:
    f.write(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
            .SerializeToString())
