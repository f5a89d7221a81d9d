// RUN: tornado-opt %s --tornado-fuse-layers | FileCheck %s
// Fusion must not change a single output value:
// RUN: %python -c "import numpy as np; np.save('%t.npy', np.random.default_rng(1).integers(-128, 128, size=(2, 8, 8)))"
// RUN: tornado-run %s --input %t.npy --print > %t.graph
// RUN: tornado-opt %s --tornado-fuse-layers | tornado-run --input %t.npy --print > %t.fused
// RUN: diff %t.graph %t.fused

// CHECK-LABEL: tornado.network @net
tornado.network @net(%in: tensor<2x8x8xi8>) -> tensor<5xi32> {
  // conv + ReLU: one layer.
  // CHECK: %[[C1:.*]] = layer "conv2d_0"(%arg0) {activation = #tornado.activation<relu>
  // CHECK-SAME: kernel = array<i64: 3, 3>, op = #tornado.op<conv2d>
  %c1 = tornado.conv2d %in {weights = dense<[[[[1, -2, 3], [0, 5, -1], [2, 2, -7]], [[4, 0, -3], [1, 1, 1], [-2, 6, 0]]],
      [[[-5, 2, 0], [3, -1, 4], [0, 0, 9]], [[1, -8, 2], [2, 3, -3], [7, 0, 1]]]]> : tensor<2x2x3x3xi8>,
      bias = dense<[3, -5]> : tensor<2xi8>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, output_shift = -2 : i64} : tensor<2x8x8xi8> -> tensor<2x8x8xi8>
  %r1 = tornado.activate <relu> %c1 : tensor<2x8x8xi8>
  // Both operands pooled alike, then added, then a 1x1 conv: pool_first.
  // CHECK: %[[E:.*]] = layer "conv2d_1"(%arg0, %[[C1]]) {{{.*}}eltwise = #tornado.eltwise<add>
  // CHECK-SAME: pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>
  // CHECK-NOT: pool_first
  // CHECK-SAME: -> tensor<3x4x4xi8>
  %p1 = tornado.pool %in {pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<2x8x8xi8> -> tensor<2x4x4xi8>
  %p2 = tornado.pool %r1 {pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<2x8x8xi8> -> tensor<2x4x4xi8>
  %e1 = tornado.eltwise <add> %p1, %p2 : (tensor<2x4x4xi8>, tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  %c2 = tornado.conv2d %e1 {weights = dense<[[[[30]], [[-20]]], [[[11]], [[64]]], [[[-7]], [[5]]]]> : tensor<3x2x1x1xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>}
      : tensor<2x4x4xi8> -> tensor<3x4x4xi8>
  // A conv whose result has two users keeps its activation separate.
  // CHECK: %[[A:.*]] = layer "activate_{{[0-9]+}}"(%[[E]]) {activation = #tornado.activation<abs>
  // CHECK-SAME: op = #tornado.op<conv2d>, output_shift = 7 : i64
  // CHECK-SAME: weights = dense<{{.*}}> : tensor<3x3x1x1xi8>
  %a2 = tornado.activate <abs> %c2 : tensor<3x4x4xi8>
  // Subtract, then max-pool in one layer; the hardware cannot pool and
  // flatten in one layer, so the linear layer flattens the pooled map.
  // CHECK: %[[P:.*]] = layer "pool_{{[0-9]+}}"(%[[A]], %[[E]]) {eltwise = #tornado.eltwise<sub>
  // CHECK-SAME: pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>
  // CHECK-SAME: pool_first = false
  // CHECK: layer "linear_{{[0-9]+}}"(%[[P]]) {{{.*}}flatten
  // CHECK-SAME: op = #tornado.op<linear>
  %e2 = tornado.eltwise <sub> %a2, %c2 : (tensor<3x4x4xi8>, tensor<3x4x4xi8>) -> tensor<3x4x4xi8>
  %p3 = tornado.pool %e2 {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<3x4x4xi8> -> tensor<3x2x2xi8>
  %f = tornado.flatten %p3 : tensor<3x2x2xi8> -> tensor<12xi8>
  %l = tornado.linear %f {weights = dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12], [5, 0, 5, 0, 5, 0, 5, 0, 5, 0, 5, 0],
      [9, 9, 9, 9, -9, -9, -9, -9, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127]]> : tensor<5x12xi8>,
      bias = dense<[1, 2, 3, 4, 5]> : tensor<5xi8>} : tensor<12xi8> -> tensor<5xi32>
  // CHECK: return
  tornado.return %l : tensor<5xi32>
}
