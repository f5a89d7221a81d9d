// RUN: %python -c "import numpy as np; np.save('%t.npy', np.array([[[1, 2], [3, -4]]], dtype=np.int64))"
// RUN: tornado-run %s --network=layer --input %t.npy --print | FileCheck %s --check-prefix=LAYER
// RUN: tornado-run %s --network=graph --input %t.npy --print | FileCheck %s --check-prefix=GRAPH
// RUN: tornado-run %s --network=graph --input %t.npy --output %t.out.npy
// RUN: %python -c "import numpy as np; print(np.load('%t.out.npy').tolist())" | FileCheck %s --check-prefix=NPY
// RUN: tornado-run %s --network=graph --input %t.npy --print-layers | FileCheck %s --check-prefix=TRACE

// acc = 64 * x; out = floor(64 * x / 128 + 1/2): 1 -> 1, 2 -> 1, 3 -> 2,
// -4 -> -2 (ties round towards +infinity), then ReLU.
// LAYER: shape 1x2x2
// LAYER-NEXT: 1 1
// LAYER-NEXT: 2 0
tornado.network @layer(%in: tensor<1x2x2xi8>) -> tensor<1x2x2xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>,
      weights = dense<64> : tensor<1x1x1x1xi8>,
      activation = #tornado.activation<relu>}
      : (tensor<1x2x2xi8>) -> tensor<1x2x2xi8>
  tornado.return %0 : tensor<1x2x2xi8>
}

// The same at graph level, then 2x2 max pooling and a 32-bit linear layer:
// max(1, 1, 2, 0) = 2; 2 * 3 + bias 1 * 128 = 134 (unshifted, unclipped).
// GRAPH: shape 1
// GRAPH-NEXT: 134
// NPY: [134]
// TRACE: tornado.conv2d: 1x2x2 min -2 max 2
// TRACE-NEXT: tornado.activate: 1x2x2 min 0 max 2
// TRACE-NEXT: tornado.pool: 1x1x1 min 2 max 2
// TRACE-NEXT: tornado.linear: 1 min 134 max 134
tornado.network @graph(%in: tensor<1x2x2xi8>) -> tensor<1xi32> {
  %0 = tornado.conv2d %in {weights = dense<64> : tensor<1x1x1x1xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 0, 0>,
      dilation = array<i64: 1, 1>} : tensor<1x2x2xi8> -> tensor<1x2x2xi8>
  %1 = tornado.activate <relu> %0 : tensor<1x2x2xi8>
  %2 = tornado.pool %1 {pool = #tornado.pool<max, kernel = [2, 2],
      stride = [2, 2], dilation = [1, 1]>} : tensor<1x2x2xi8> -> tensor<1x1x1xi8>
  %3 = tornado.linear %2 {weights = dense<3> : tensor<1x1xi8>,
      bias = dense<1> : tensor<1xi8>} : tensor<1x1x1xi8> -> tensor<1xi32>
  tornado.return %3 : tensor<1xi32>
}
