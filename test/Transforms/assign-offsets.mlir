// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-assign-offsets,tornado-check-hazards))' | FileCheck %s

// A chain ping-pongs: each map starts at 0 unless the map it reads sits
// in the same instances.
// CHECK-LABEL: @chain
// CHECK: layer "l0"{{.*}}in_offset = 0 : i64{{.*}}out_offset = 256 : i64
// CHECK: layer "l1"{{.*}}in_offset = 256 : i64{{.*}}out_offset = 0 : i64
// CHECK: layer "l2"{{.*}}in_offset = 0 : i64{{.*}}out_offset = 0 : i64
tornado.network @chain(%in: tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  %2 = tornado.layer "l2"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %2 : tensor<4x8x8xi8>
}

// -----

// Element-wise operands on the same processors interleave one word apart
// (write_gap 1); the skip input stays live until the sum; a pinned offset
// is kept. On MAX78002 'b' skips the other operand's words (read_gap).
// CHECK-LABEL: @residual
// CHECK: layer "a"{{.*}}in_offset = 256 : i64{{.*}}out_offset = 0 : i64{{.*}}write_gap = 1 : i64
// CHECK: layer "b"{{.*}}in_offset = 0 : i64{{.*}}out_offset = 4 : i64{{.*}}read_gap = 1 : i64{{.*}}write_gap = 1 : i64
// CHECK: layer "sum"{{.*}}in_offset = 0 : i64{{.*}}out_offset = 0 : i64
tornado.network @residual(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {device = #tornado.device<max78002>,
                input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 256 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>,
      pinned = ["in_offset"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// A concatenation across processors: both slices at one offset.
// CHECK-LABEL: @concat
// CHECK: layer "a"{{.*}}out_offset = 64 : i64
// CHECK: layer "b"{{.*}}out_offset = 64 : i64
// CHECK: layer "cat"{{.*}}in_offset = 64 : i64{{.*}}out_offset = 0 : i64
tornado.network @concat(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "cat"(%0, %1) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x8x1x1xi8>,
      processors = #tornado.procs<0x00000000000000ff>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}
