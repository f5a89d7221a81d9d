// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-place-kernels))' | FileCheck %s
// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-place-kernels{weight-start=6}))' | FileCheck %s --check-prefix=START

// Layers go in order; a layer starts at the first multiple of 4 at which
// all of its input processors are free. l0 holds column 0-3 of processor 0.
// CHECK-LABEL: @in_order
// CHECK: layer "l0"{{.*}}kernel_column = 0
// CHECK: layer "l1"{{.*}}kernel_column = 4
// START-LABEL: @in_order
// START: layer "l0"{{.*}}kernel_column = 8
// START: layer "l1"{{.*}}kernel_column = 12
tornado.network @in_order(%in: tensor<1x8x8xi8>) -> tensor<4x8x8xi8> {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<2> : tensor<4x4x3x3xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %1 : tensor<4x8x8xi8>
}

// -----

// A layer reading all 64 processors is placed before the others.
// CHECK-LABEL: @all_first
// CHECK: layer "l0"{{.*}}kernel_column = 4
// CHECK: layer "l1"{{.*}}kernel_column = 0
tornado.network @all_first(%in: tensor<1x8x8xi8>) -> tensor<4x8x8xi8> {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<64x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0xffffffffffffffff>}
      : (tensor<1x8x8xi8>) -> tensor<64x8x8xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<2> : tensor<4x64x3x3xi8>,
      processors = #tornado.procs<0xffffffffffffffff>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<64x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %1 : tensor<4x8x8xi8>
}

// -----

// Identical weights, width and input processors share one copy; a pinned
// column is kept and the others avoid it. 2-bit weights pack four output
// channels per byte: 16 kernels take 2 words.
// CHECK-LABEL: @share_and_pin
// CHECK: layer "a"{{.*}}kernel_column = 4
// CHECK: layer "b"{{.*}}kernel_column = 4
// CHECK: layer "c"{{.*}}kernel_column = 0{{.*}}pinned = ["kernel_column"]
// CHECK: layer "d"{{.*}}kernel_column = 8
tornado.network @share_and_pin(%in: tensor<1x8x8xi8>) -> tensor<16x8x8xi8> {
  %a = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
  %b = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
  %c = tornado.layer "c"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<3> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>,
      kernel_column = 0 : i64, pinned = ["kernel_column"]}
      : (tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
  %d = tornado.layer "d"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<16x1x3x3xi8>,
      weight_bits = 2 : i64,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000ffff>}
      : (tensor<1x8x8xi8>) -> tensor<16x8x8xi8>
  tornado.return %d : tensor<16x8x8xi8>
}

// -----

// MAX78002: layers whose input processors all have the extra kernel RAM
// (the first of each group) fill it from the top: 4 words end at 5119.
// CHECK-LABEL: @from_top
// CHECK: layer "l0"{{.*}}kernel_column = 5116
// CHECK: layer "l1"{{.*}}kernel_column = 0
tornado.network @from_top(%in: tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<2> : tensor<4x4x3x3xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %1 : tensor<4x8x8xi8>
}

// -----

// A linear layer over a flattened 4x4 map: 16 bytes per output channel and
// input processor, 10 outputs = 160 bytes = 18 words.
// CHECK-LABEL: @flatten
// CHECK: layer "fc"{{.*}}kernel_column = 0
// CHECK: layer "after"{{.*}}kernel_column = 20
tornado.network @flatten(%in: tensor<2x4x4xi8>) -> tensor<10x1x1xi8> {
  %0 = tornado.layer "fc"(%in) {op = #tornado.op<linear>, flatten,
      weights = dense<1> : tensor<10x32xi8>,
      processors = #tornado.procs<0x0000000000000003>,
      output_processors = #tornado.procs<0x00000000000003ff>}
      : (tensor<2x4x4xi8>) -> tensor<10x1x1xi8>
  %1 = tornado.layer "after"(%0) {op = #tornado.op<linear>,
      weights = dense<1> : tensor<10x10xi8>,
      processors = #tornado.procs<0x00000000000003ff>,
      output_processors = #tornado.procs<0x00000000000003ff>}
      : (tensor<10x1x1xi8>) -> tensor<10x1x1xi8>
  tornado.return %1 : tensor<10x1x1xi8>
}
