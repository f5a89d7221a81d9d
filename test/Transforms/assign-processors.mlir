// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-assign-processors))' | FileCheck %s

// HWC input from processor 0; each map on a window aligned to its size
// whose instances its producer's input does not use.
// CHECK-LABEL: @chain
// CHECK: layer "l0"{{.*}}output_processors = #tornado.procs<0x00000000ffff0000>{{.*}}processors = #tornado.procs<0x0000000000000007>
// CHECK: layer "l1"{{.*}}output_processors = #tornado.procs<0x000fffffffffffff>{{.*}}processors = #tornado.procs<0x00000000ffff0000>
// CHECK: layer "l2"{{.*}}output_processors = #tornado.procs<0x00000000000003ff>{{.*}}processors = #tornado.procs<0x000fffffffffffff>
tornado.network @chain(%in: tensor<3x8x8xi8>) -> tensor<10x1x1xi32>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<16x3x3x3xi8>}
      : (tensor<3x8x8xi8>) -> tensor<16x8x8xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<100x16x3x3xi8>}
      : (tensor<16x8x8xi8>) -> tensor<100x8x8xi8>
  %2 = tornado.layer "l2"(%1) {op = #tornado.op<linear>, flatten,
      weights = dense<1> : tensor<10x6400xi8>, output_width = 32 : i64}
      : (tensor<100x8x8xi8>) -> tensor<10x1x1xi32>
  tornado.return %2 : tensor<10x1x1xi32>
}

// -----

// CHW input: one channel per data-memory instance.
// CHECK-LABEL: @chw
// CHECK: layer "l0"{{.*}}output_processors = #tornado.procs<0x00000000000000ff>{{.*}}processors = #tornado.procs<0x0000000000000111>
tornado.network @chw(%in: tensor<3x8x8xi8>) -> tensor<8x8x8xi8>
    attributes {input_format = #tornado.data_format<chw>} {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<8x3x3x3xi8>}
      : (tensor<3x8x8xi8>) -> tensor<8x8x8xi8>
  tornado.return %0 : tensor<8x8x8xi8>
}

// -----

// Element-wise operands share one mask; a concatenation takes adjacent
// slices in operand order; pinned masks are kept. The pin of 'c' puts
// 'sum' on 12-19, so its operands are there too: a layer without
// convolution cannot move data to another group of 16 processors.
// CHECK-LABEL: @join
// CHECK: layer "a"{{.*}}output_processors = #tornado.procs<0x00000000000ff000>
// CHECK: layer "b"{{.*}}output_processors = #tornado.procs<0x00000000000ff000>
// CHECK: layer "sum"{{.*}}output_processors = #tornado.procs<0x00000000000ff000>{{.*}}processors = #tornado.procs<0x00000000000ff000>
// CHECK: layer "c"{{.*}}output_processors = #tornado.procs<0x0000000000f00000>
// CHECK: layer "cat"{{.*}}processors = #tornado.procs<0x0000000000fff000>
tornado.network @join(%in: tensor<4x4x4xi8>) -> tensor<8x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<8x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<8x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<8x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<8x4x4xi8>
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>}
      : (tensor<8x4x4xi8>, tensor<8x4x4xi8>) -> tensor<8x4x4xi8>
  %3 = tornado.layer "c"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      output_processors = #tornado.procs<0x0000000000f00000>,
      pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %4 = tornado.layer "cat"(%2, %3) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<8x12x1x1xi8>}
      : (tensor<8x4x4xi8>, tensor<4x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return %4 : tensor<8x4x4xi8>
}
