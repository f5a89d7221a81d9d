// RUN: tornado-opt %s --tornado-lower-to-hw="fifo=true kat=false" | FileCheck %s
// RUN: tornado-opt %s --tornado-lower-to-hw="fifo=true kat=false increase-start=5 increase-delta1=1 increase-delta2=3" | FileCheck %s --check-prefix=INC

// Two streaming layers fed by the FIFO on MAX78000 (CHW input): stream
// start, deltas, rollover and the shared TRAM.

// Layer 0 starts after 1 word (no pooling); CHW input rolls over at 12.
// CHECK-LABEL: tornado_hw.func configure
// CHECK-DAG: write 0x50100810, 0x00000001
// CHECK-DAG: write 0x50100910, 0x0000000c
// Frame size: 64 pixels, 16 CHW words.
// CHECK-DAG: write 0x50100990, 0x00000010
// Layer 1: the previous layer's padded row is 8 + 2; start after
// 10 * (2 + 1) + 2 + 2 plus the margin of 2 = 36; delta1 = pool stride 2,
// delta2 = (2 - 1) * 10 + 2; input volume 1 (one pass before it); rollover
// 36 + (2 - 1) * 8 + 2 = 46. Its TRAM starts after layer 0's 8 rows:
// 3 + 8, start 8.
// CHECK-DAG: write 0x50100814, 0x00000024
// CHECK-DAG: write 0x50100894, 0x000c0021
// CHECK-DAG: write 0x50100914, 0x0000002e
// CHECK-DAG: write 0x50100694, 0x0008000b
// Start: streaming (bit 14), FIFO (15), circular buffers (19), external
// sync (11), express (20), clocks (3).
// CHECK-LABEL: tornado_hw.func start
// CHECK-NEXT: write 0x50100000, 0x0018c808
// CHECK-NEXT: timer_start
// CHECK-NEXT: write 0x50100000, 0x0018c809
// The interrupt also clears the streaming bit.
// CHECK-LABEL: tornado_hw.func isr
// CHECK-NEXT: write and 0x50100000, 0xffffaffe
// CHECK: tornado_hw.fifo_input fifo 0 : {{.*}} : tensor<16xui32>

// --increase-start/-delta1/-delta2 move layer 1's margin from 2 to 5
// (start 39, rollover 49) and add 1 to delta1 (3) and 3 to delta2 (15).
// INC-LABEL: tornado_hw.func configure
// INC-DAG: write 0x50100814, 0x00000027
// INC-DAG: write 0x50100894, 0x000f0031
// INC-DAG: write 0x50100914, 0x00000031

tornado.network @stream(%in: tensor<1x8x8xi8>) -> tensor<4x4x4xi8>
    attributes {sample_input = dense<3> : tensor<1x8x8xi8>} {
  %0 = tornado.layer "s0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>, streaming,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>,
      in_offset = 0 : i64, out_offset = 4096 : i64, kernel_column = 0 : i64}
      : (tensor<1x8x8xi8>) -> tensor<4x8x8xi8>
  %1 = tornado.layer "s1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>, streaming,
      pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>,
      in_offset = 4096 : i64, out_offset = 8192 : i64, kernel_column = 4 : i64}
      : (tensor<4x8x8xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}
