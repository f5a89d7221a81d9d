// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-place-bias))' | FileCheck %s

// First-fit decreasing: the 20-byte bias goes first, into group 0; the
// 10-byte bias then goes to the emptier group 1 (used by the output).
// A bias of zeros needs no memory.
// CHECK-LABEL: @decreasing
// CHECK: layer "small"{{.*}}bias_group = 1 : i64, bias_offset = 0
// CHECK: layer "big"{{.*}}bias_group = 0 : i64, bias_offset = 0
// CHECK: layer "zero"
// CHECK-NOT: bias_group
// CHECK: return
tornado.network @decreasing(%in: tensor<1x4x4xi8>) -> tensor<20x4x4xi8> {
  %0 = tornado.layer "small"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<10x1x3x3xi8>,
      bias = dense<1> : tensor<10xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x00000000000003ff>}
      : (tensor<1x4x4xi8>) -> tensor<10x4x4xi8>
  %1 = tornado.layer "big"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<20x10x3x3xi8>,
      bias = dense<2> : tensor<20xi8>,
      processors = #tornado.procs<0x00000000000003ff>,
      output_processors = #tornado.procs<0x00000000000fffff>}
      : (tensor<10x4x4xi8>) -> tensor<20x4x4xi8>
  %2 = tornado.layer "zero"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<20x20x3x3xi8>,
      bias = dense<0> : tensor<20xi8>,
      processors = #tornado.procs<0x00000000000fffff>,
      output_processors = #tornado.procs<0x00000000000fffff>}
      : (tensor<20x4x4xi8>) -> tensor<20x4x4xi8>
  tornado.return %2 : tensor<20x4x4xi8>
}

// -----

// A pinned group is the only choice; single-group layers go before larger
// free ones. An output starting at processor 2 leaves 2 bytes unused in
// front of the values. Equal biases share one copy.
// CHECK-LABEL: @pinned
// CHECK: layer "a"{{.*}}bias_group = 0 : i64, bias_offset = 0 : i64{{.*}}pinned = ["bias_group"]
// CHECK: layer "b"{{.*}}bias_group = 1 : i64, bias_offset = 0
// CHECK: layer "c"{{.*}}bias_group = 0 : i64, bias_offset = 0
// CHECK: layer "d"{{.*}}bias_group = 0 : i64, bias_offset = 6
tornado.network @pinned(%in: tensor<1x4x4xi8>) -> tensor<4x4x4xi8> {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<1> : tensor<4xi8>, bias_group = 0 : i64, pinned = ["bias_group"],
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000003c>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<8x4x3x3xi8>,
      bias = dense<2> : tensor<8xi8>,
      processors = #tornado.procs<0x000000000000003c>,
      output_processors = #tornado.procs<0x00000000000f000f>}
      : (tensor<4x4x4xi8>) -> tensor<8x4x4xi8>
  %2 = tornado.layer "c"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x8x3x3xi8>,
      bias = dense<1> : tensor<4xi8>,
      processors = #tornado.procs<0x00000000000f000f>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<8x4x4xi8>) -> tensor<4x4x4xi8>
  %3 = tornado.layer "d"(%2) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>,
      bias = dense<3> : tensor<4xi8>, bias_group = 0 : i64, pinned = ["bias_group"],
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %3 : tensor<4x4x4xi8>
}

// -----

// Depth-wise layers keep their bias in every group they read from, placed
// before the others; broadcast (same input and output map) starts each
// group's part on a 4-byte boundary.
// CHECK-LABEL: @depthwise
// CHECK: layer "dw"{{.*}}bias_group = 0 : i64, bias_offset = 0 : i64, bias_offsets = array<i64: 0, 0, -1, -1>
// CHECK: layer "conv"{{.*}}bias_group = 0 : i64, bias_offset = 16
tornado.network @depthwise(%in: tensor<32x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "dw"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, groups = 32 : i64,
      weights = dense<1> : tensor<32x1x3x3xi8>, bias = dense<1> : tensor<32xi8>,
      processors = #tornado.procs<0x00000000ffffffff>,
      output_processors = #tornado.procs<0x00000000ffffffff>}
      : (tensor<32x4x4xi8>) -> tensor<32x4x4xi8>
  %1 = tornado.layer "conv"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x32x3x3xi8>,
      bias = dense<2> : tensor<4xi8>,
      processors = #tornado.procs<0x00000000ffffffff>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<32x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}
