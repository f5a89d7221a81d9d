// RUN: tornado-opt %s --tornado-fold-batchnorm --split-input-file --verify-diagnostics | FileCheck %s

// k = 1 / sqrt(3 + 1) = 0.5, c = 1 - 0.5 * 4 = -1 (total shift 0):
// w' = 0.5 * 10 = 5, b' = 0.5 * 2 + (-1) * 2^0 = 0.
// CHECK-LABEL: tornado.network @simple
// CHECK: conv2d %arg0 {bias = dense<0> : tensor<1xi8>
// CHECK-SAME: weights = dense<5> : tensor<1x1x1x1xi8>
// CHECK-NOT: batchnorm
tornado.network @simple(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi8> {
  %0 = tornado.conv2d %in {weights = dense<10> : tensor<1x1x1x1xi8>, bias = dense<2> : tensor<1xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>}
      : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  %1 = tornado.batchnorm %0 {mean = dense<4.0> : tensor<1xf32>, variance = dense<3.0> : tensor<1xf32>,
      shift = dense<1.0> : tensor<1xf32>, epsilon = 1.0 : f64} : tensor<1x4x4xi8>
  tornado.return %1 : tensor<1x4x4xi8>
}

// -----

// k = 4 / sqrt(4) = 2 doubles the weights past 8 bits (200): everything is
// halved again and the output shift raised by one.
// CHECK-LABEL: tornado.network @rescale
// CHECK: linear %arg0 {bias = dense<[10, -3]> : tensor<2xi8>, output_shift = 1 : i64
// CHECK-SAME: weights = dense<{{\[}}[100, -50], [1, 2]]> : tensor<2x2xi8>
tornado.network @rescale(%in: tensor<2xi8>) -> tensor<2xi8> {
  %0 = tornado.linear %in {weights = dense<[[100, -50], [1, 2]]> : tensor<2x2xi8>,
      bias = dense<[10, -3]> : tensor<2xi8>} : tensor<2xi8> -> tensor<2xi8>
  %1 = tornado.batchnorm %0 {mean = dense<0.0> : tensor<2xf32>, variance = dense<4.0> : tensor<2xf32>,
      scale = dense<4.0> : tensor<2xf32>, epsilon = 0.0 : f64} : tensor<2xi8>
  tornado.return %1 : tensor<2xi8>
}

// -----

tornado.network @not_conv(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi8> {
  // expected-error @+1 {{cannot fold a batchnorm whose input is not a convolution or linear op}}
  %0 = tornado.batchnorm %in {mean = dense<0.0> : tensor<1xf32>, variance = dense<1.0> : tensor<1xf32>} : tensor<1x4x4xi8>
  tornado.return %0 : tensor<1x4x4xi8>
}

// -----

tornado.network @shared(%in: tensor<1x4x4xi8>) -> (tensor<1x4x4xi8>, tensor<1x4x4xi8>) {
  %0 = tornado.conv2d %in {weights = dense<10> : tensor<1x1x1x1xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>}
      : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  // expected-error @+1 {{cannot fold a batchnorm into a convolution whose result has other users}}
  %1 = tornado.batchnorm %0 {mean = dense<0.0> : tensor<1xf32>, variance = dense<1.0> : tensor<1xf32>} : tensor<1x4x4xi8>
  tornado.return %0, %1 : tensor<1x4x4xi8>, tensor<1x4x4xi8>
}

// -----

tornado.network @binary(%in: tensor<2xi8>) -> tensor<2xi8>
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{cannot fold a batchnorm into binary weights}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x2xi8>, weight_bits = -1 : i64}
      : tensor<2xi8> -> tensor<2xi8>
  %1 = tornado.batchnorm %0 {mean = dense<0.0> : tensor<2xf32>, variance = dense<1.0> : tensor<2xf32>} : tensor<2xi8>
  tornado.return %1 : tensor<2xi8>
}

// -----

tornado.network @too_far(%in: tensor<2xi8>) -> tensor<2xi8> {
  %0 = tornado.linear %in {weights = dense<100> : tensor<2x2xi8>, output_shift = 15 : i64}
      : tensor<2xi8> -> tensor<2xi8>
  // expected-error @+1 {{folding needs an output shift of 16, beyond what the device supports}}
  %1 = tornado.batchnorm %0 {mean = dense<0.0> : tensor<2xf32>, variance = dense<1.0> : tensor<2xf32>,
      scale = dense<2.0> : tensor<2xf32>, epsilon = 0.0 : f64} : tensor<2xi8>
  tornado.return %1 : tensor<2xi8>
}
