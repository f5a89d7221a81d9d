// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-place-bias))' | FileCheck %s

// Depth-wise layers that span several groups, or broadcast, walk the
// processors from 0: every group below the first one they read takes holes
// too. "dw" (processors 20-35) takes 16 bytes in groups 0 and 1 and 4 in
// group 2 (its trailing holes are given back); "bc" (16-31) takes 16 more
// in groups 0 and 1. The regular layers then fill group 2. The izer places
// this network the same way.
// CHECK-LABEL: @span
// CHECK: layer "conv"{{.*}}bias_group = 2 : i64, bias_offset = 4 : i64
// CHECK: layer "dw"{{.*}}bias_group = 1 : i64, bias_offset = 0 : i64, bias_offsets = array<i64: -1, 0, 0, -1>
// CHECK: layer "bc"{{.*}}bias_group = 1 : i64, bias_offset = 16 : i64, bias_offsets = array<i64: -1, 16, -1, -1>
// CHECK: layer "out"{{.*}}bias_group = 2 : i64, bias_offset = 20 : i64
tornado.network @span(%in: tensor<16x4x4xi8>) -> tensor<10x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<16x16x1x1xi8>, bias = dense<1> : tensor<16xi8>,
      processors = #tornado.procs<0x000000000000ffff>,
      output_processors = #tornado.procs<0x0000000ffff00000>}
      : (tensor<16x4x4xi8>) -> tensor<16x4x4xi8>
  %1 = tornado.layer "dw"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, groups = 16 : i64,
      weights = dense<1> : tensor<16x1x3x3xi8>, bias = dense<2> : tensor<16xi8>,
      processors = #tornado.procs<0x0000000ffff00000>,
      output_processors = #tornado.procs<0x00000000ffff0000>}
      : (tensor<16x4x4xi8>) -> tensor<16x4x4xi8>
  %2 = tornado.layer "bc"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, groups = 16 : i64,
      weights = dense<1> : tensor<16x1x3x3xi8>, bias = dense<3> : tensor<16xi8>,
      processors = #tornado.procs<0x00000000ffff0000>,
      output_processors = #tornado.procs<0x00000000ffff0000>}
      : (tensor<16x4x4xi8>) -> tensor<16x4x4xi8>
  %3 = tornado.layer "out"(%2) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<10x16x3x3xi8>,
      bias = dense<4> : tensor<10xi8>,
      processors = #tornado.procs<0x00000000ffff0000>,
      output_processors = #tornado.procs<0x00000000000003ff>}
      : (tensor<16x4x4xi8>) -> tensor<10x4x4xi8>
  tornado.return %3 : tensor<10x4x4xi8>
}

// -----

// Depth-wise layers in groups 1-3 (one of them calcx4 broadcast) mixed with
// regular ones; the holes both leave in group 0 send the 32-byte bias to
// group 3. Reduced from a random network; the izer places it the same way.
// CHECK-LABEL: @mixed
// CHECK: layer "l0"{{.*}}bias_group = 0 : i64, bias_offset = 32 : i64
// CHECK: layer "l1"{{.*}}bias_group = 1 : i64, bias_offset = 0 : i64, bias_offsets = array<i64: -1, 0, 0, 0>
// CHECK: layer "l2"{{.*}}bias_group = 1 : i64, bias_offset = 32 : i64
// CHECK: layer "l3"{{.*}}bias_group = 2 : i64, bias_offset = 32 : i64
// CHECK: layer "l5"{{.*}}bias_group = 1 : i64, bias_offset = 16 : i64, bias_offsets = array<i64: -1, 16, 16, -1>
// CHECK: layer "l6"{{.*}}bias_group = 3 : i64, bias_offset = 4 : i64
// CHECK: layer "l7"{{.*}}bias_group = 3 : i64, bias_offset = 36 : i64
tornado.network @mixed(%in: tensor<32x4x4xi8>) -> tensor<2x2x2xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<24x32x1x1xi8>, bias = dense<1> : tensor<24xi8>,
      processors = #tornado.procs<0x00000ffffffff000>,
      output_processors = #tornado.procs<0x000ffffff0000000>}
      : (tensor<32x4x4xi8>) -> tensor<24x4x4xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, groups = 24 : i64,
      weights = dense<1> : tensor<24x1x3x3xi8>, bias = dense<2> : tensor<24xi8>,
      processors = #tornado.procs<0x000ffffff0000000>,
      output_processors = #tornado.procs<0x00000ffffff00000>}
      : (tensor<24x4x4xi8>) -> tensor<24x4x4xi8>
  %2 = tornado.layer "l2"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<24x24x3x3xi8>,
      bias = dense<3> : tensor<24xi8>,
      processors = #tornado.procs<0x00000ffffff00000>,
      output_processors = #tornado.procs<0x0000ffffff000000>}
      : (tensor<24x4x4xi8>) -> tensor<24x4x4xi8>
  %3 = tornado.layer "l3"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<24x24x3x3xi8>,
      bias = dense<4> : tensor<24xi8>,
      processors = #tornado.procs<0x00000ffffff00000>,
      output_processors = #tornado.procs<0x0000ffffff000000>}
      : (tensor<24x4x4xi8>) -> tensor<24x4x4xi8>
  %4 = tornado.layer "l5"(%3) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      groups = 24 : i64, calcx4,
      weights = dense<1> : tensor<24x1x3x3xi8>, bias = dense<5> : tensor<24xi8>,
      processors = #tornado.procs<0x0000ffffff000000>,
      output_processors = #tornado.procs<0x0000ffffff000000>}
      : (tensor<24x4x4xi8>) -> tensor<24x2x2xi8>
  %5 = tornado.layer "l6"(%4) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<32x24x3x3xi8>,
      bias = dense<6> : tensor<32xi8>,
      processors = #tornado.procs<0x0000ffffff000000>,
      output_processors = #tornado.procs<0x000ffffffff00000>}
      : (tensor<24x2x2xi8>) -> tensor<32x2x2xi8>
  %6 = tornado.layer "l7"(%5) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x32x3x3xi8>,
      bias = dense<7> : tensor<2xi8>,
      processors = #tornado.procs<0x000ffffffff00000>,
      output_processors = #tornado.procs<0x0000000000000003>}
      : (tensor<32x2x2xi8>) -> tensor<2x2x2xi8>
  tornado.return %6 : tensor<2x2x2xi8>
}
