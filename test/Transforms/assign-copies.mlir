// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-assign-processors,tornado-assign-offsets,tornado-check-hazards))' | FileCheck %s

// A skip connection on MAX78000: 'a' is read by 'b' without gaps and by the
// sum interleaved with 'b''s output, which MAX78000 cannot read both from
// one copy (no read_gap). A pass-through copy written with the gap goes
// right before the sum, as in the izer's residual networks; it stays on
// the processors it reads (it cannot leave its group of 16).
// CHECK-LABEL: @residual
// CHECK: layer "a"(%arg0)
// CHECK-NOT: write_gap
// CHECK: layer "b"(%0){{.*}}out_offset = 68 : i64{{.*}}write_gap = 1 : i64
// CHECK-NEXT: %[[C:.*]] = layer "sum_copy0"(%0) {in_offset = 0 : i64, out_offset = 64 : i64, output_processors = #tornado.procs<0x00000000000000f0>, processors = #tornado.procs<0x00000000000000f0>, write_gap = 1 : i64}
// CHECK-NEXT: layer "sum"(%[[C]], %1)
// CHECK-NOT: read_gap
tornado.network @residual(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// The same network on MAX78002: 'b' skips the other operand's words.
// CHECK-LABEL: @residual_read_gap
// CHECK-NOT: copy
// CHECK: layer "b"{{.*}}read_gap = 1 : i64{{.*}}write_gap = 1 : i64
tornado.network @residual_read_gap(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {device = #tornado.device<max78002>,
                input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// A map can be interleaved in one operand list only: 'diff' and 'again'
// read (a, b) from the same words, 'all' (a, b, c) needs a write gap of 2
// and gets copies of a and b; c is written in place.
// CHECK-LABEL: @operand_lists
// CHECK: layer "a"{{.*}}write_gap = 1 : i64
// CHECK: layer "b"{{.*}}write_gap = 1 : i64
// CHECK: layer "c"{{.*}}write_gap = 2 : i64
// CHECK: layer "diff"(%0, %1)
// CHECK: %[[A:.*]] = layer "all_copy0"(%0) {{.*}}write_gap = 2 : i64
// CHECK: %[[B:.*]] = layer "all_copy1"(%1) {{.*}}write_gap = 2 : i64
// CHECK: layer "all"(%[[A]], %[[B]], %2)
// CHECK: layer "again"(%0, %1)
tornado.network @operand_lists(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {device = #tornado.device<max78002>,
                input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<2> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "c"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<3> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %3 = tornado.layer "diff"(%0, %1) {eltwise = #tornado.eltwise<sub>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %4 = tornado.layer "all"(%0, %1, %2) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %5 = tornado.layer "again"(%0, %1) {eltwise = #tornado.eltwise<xor>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %6 = tornado.layer "out"(%3, %4, %5) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %6 : tensor<4x4x4xi8>
}

// -----

// The input loader writes no gaps, a map cannot sit at two places of one
// list, and a slice of a concatenation is read without gaps: copies.
// CHECK-LABEL: @plain_only
// CHECK: %[[I:.*]] = layer "twice_copy0"(%arg0)
// CHECK-NEXT: %[[T:.*]] = layer "twice_copy1"(%arg0)
// CHECK-NEXT: %[[TW:.*]] = layer "twice"(%[[I]], %[[T]])
// CHECK-NEXT: %[[B:.*]] = layer "b"(%[[TW]])
// CHECK-NEXT: %[[A:.*]] = layer "sum_copy0"(%[[TW]])
// CHECK-NEXT: %[[S:.*]] = layer "sum"(%[[A]], %[[B]])
// CHECK-NEXT: layer "cat"(%[[TW]], %[[S]])
tornado.network @plain_only(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {device = #tornado.device<max78002>,
                input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "twice"(%in, %in) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %3 = tornado.layer "cat"(%0, %2) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x8x1x1xi8>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %3 : tensor<4x4x4xi8>
}

// -----

// CHW input on processors 0 and 4: its copy writes two adjacent processors
// of the same group of 16 (a layer without convolution cannot leave its
// group), and the other operand follows.
// CHECK-LABEL: @chw_copy
// CHECK: layer "b"(%arg0) {{.*}}output_processors = #tornado.procs<0x0000000000000300>
// CHECK: layer "sum_copy0"(%arg0) {{.*}}output_processors = #tornado.procs<0x0000000000000300>, processors = #tornado.procs<0x0000000000000011>
tornado.network @chw_copy(%in: tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {input_format = #tornado.data_format<chw>} {
  %0 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<2x2x1x1xi8>}
      : (tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  %1 = tornado.layer "sum"(%in, %0) {eltwise = #tornado.eltwise<add>}
      : (tensor<2x4x4xi8>, tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %1 : tensor<2x4x4xi8>
}
