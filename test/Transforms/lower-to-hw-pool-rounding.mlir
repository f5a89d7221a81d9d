// PoolRnd (Control bit 13) comes from the network's avg_pool_rounding or the
// `rounding` of the 2-D average pools; it is one bit for the whole network,
// so the pools must agree with each other and with the network.
// RUN: tornado-opt %s -split-input-file -verify-diagnostics --tornado-lower-to-hw="kat=false" | FileCheck %s

// CHECK-LABEL: tornado_hw.program @round
// CHECK: tornado_hw.func start
// CHECK-NEXT: write 0x50100000, 0x00102808
tornado.network @round(%in: tensor<1x4x4xi8>) -> tensor<2x2x2xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1], rounding>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x2x2xi8>
  tornado.return %0 : tensor<2x2x2xi8>
}

// -----

// Without `rounding` the bit stays clear.
// CHECK-LABEL: tornado_hw.program @truncate
// CHECK: tornado_hw.func start
// CHECK-NEXT: write 0x50100000, 0x00100808
tornado.network @truncate(%in: tensor<1x4x4xi8>) -> tensor<2x2x2xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x2x2xi8>
  tornado.return %0 : tensor<2x2x2xi8>
}

// -----

tornado.network @disagree(%in: tensor<1x8x8xi8>) -> tensor<2x2x2xi8> {
  %0 = tornado.layer "first"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1], rounding>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x8x8xi8>) -> tensor<2x4x4xi8>
  // expected-error @+1 {{layer 'second': its average pooling truncates, but layer 'first''s rounds; the hardware rounds all 2-D averages or none}}
  %1 = tornado.layer "second"(%0) {op = #tornado.op<none>,
      pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>,
      processors = #tornado.procs<0x0000000000000003>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 256 : i64, out_offset = 0 : i64}
      : (tensor<2x4x4xi8>) -> tensor<2x2x2xi8>
  tornado.return %1 : tensor<2x2x2xi8>
}

// -----

// The network's avg_pool_rounding (--avg-pool-rounding) makes every 2-D
// average round: a truncating one contradicts it.
tornado.network @flagged(%in: tensor<1x8x8xi8>) -> tensor<2x4x4xi8> attributes {avg_pool_rounding} {
  // expected-error @+1 {{layer 'only': its average pooling truncates, but the network (avg_pool_rounding) rounds; the hardware rounds all 2-D averages or none}}
  %0 = tornado.layer "only"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x8x8xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
