// RUN: tornado-opt %s --tornado-fuse-layers --split-input-file --verify-diagnostics | FileCheck %s

// Ops without a convolution become layers of their own; a pool absorbs the
// element-wise op feeding it, and a concatenation becomes an operand list.
// CHECK-LABEL: tornado.network @leftovers
tornado.network @leftovers(%a: tensor<2x4x4xi8>, %b: tensor<2x4x4xi8>) -> tensor<4x2x2xi8> {
  // CHECK: %[[P:.*]] = layer "pool_{{[0-9]+}}"(%arg0, %arg1) {eltwise = #tornado.eltwise<xor>, pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>, pool_first = false}
  %e = tornado.eltwise <xor> %a, %b : (tensor<2x4x4xi8>, tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  %p = tornado.pool %e {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<2x4x4xi8> -> tensor<2x2x2xi8>
  // CHECK: %[[T:.*]] = layer "passthrough_{{[0-9]+}}"(%[[P]]) :
  %t = tornado.passthrough %p : tensor<2x2x2xi8>
  // CHECK: %[[C:.*]] = layer "concat_{{[0-9]+}}"(%[[P]], %[[T]]) :
  %c = tornado.concat %p, %t : (tensor<2x2x2xi8>, tensor<2x2x2xi8>) -> tensor<4x2x2xi8>
  // CHECK: return %[[C]]
  tornado.return %c : tensor<4x2x2xi8>
}

// -----

tornado.network @bn(%a: tensor<2x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{batchnorm must be folded before fusion}}
  %0 = tornado.batchnorm %a {mean = dense<0.0> : tensor<2xf32>, variance = dense<1.0> : tensor<2xf32>} : tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
