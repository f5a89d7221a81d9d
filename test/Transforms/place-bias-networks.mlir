// RUN: tornado-opt %s -pass-pipeline='builtin.module(tornado.network(tornado-place-bias))' | FileCheck %s

// One pass instance places the bias of every network of a module: each
// network starts with empty bias memories.
// CHECK-LABEL: @first
// CHECK: bias_group = 0 : i64, bias_offset = 0 : i64
// CHECK-LABEL: @second
// CHECK: bias_group = 0 : i64, bias_offset = 0 : i64
tornado.network @first(%in: tensor<1x4x4xi8>) -> tensor<4x4x4xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<1> : tensor<4xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}
tornado.network @second(%in: tensor<1x4x4xi8>) -> tensor<4x4x4xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<2> : tensor<4xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}
