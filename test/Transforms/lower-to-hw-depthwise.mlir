// RUN: tornado-opt %s --pass-pipeline='builtin.module(tornado.network(tornado-place-bias),tornado-lower-to-hw{kat=false})' | FileCheck %s

// MAX78002 depth-wise and calcx4 layers (oracle-checked against the izer by
// utils/corpus/oracle.py; the values below are worked out by hand).

// Broadcast (output processors == input processors): layer control sets
// bit 29 (0x20880920 = broadcast | 3x3 kernel | SRAM source | max pool |
// master) and no partial-sum sources; the four processors of the instance
// take turns, so time slots = 4 - 1 = 3 in the output channel count (0x40)
// and in the 1D register (0x0c); post processing: depth-wise (bit 30),
// time slots (bit 24), bias enabled at entry 0 / 4.
// CHECK-LABEL: tornado_hw.program @bcast
// CHECK-LABEL: tornado_hw.func configure
// CHECK:      write 0x51100030, 0x20880920
// CHECK:      write 0x51100040, 0x00000003
// CHECK-NEXT: write 0x5110000c, 0x00000003
// CHECK:      write 0x5110004c, 0x41001000
// One kernel per processor; the bias entries follow the broadcast read
// order (processor p of an instance reads entry 4 p + instance), trailing
// holes trimmed.
// CHECK: tornado_hw.kernels group 0 proc 0 column 0 : dense<1> : tensor<1x9xui8>
// CHECK: tornado_hw.kernels group 0 proc 3 column 0 : dense<1> : tensor<1x9xui8>
// CHECK: tornado_hw.bias group 0 offset 0 : dense<[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]> : tensor<13xui8>
tornado.network @bcast(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8> attributes {
    device = #tornado.device<max78002>, input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "dw"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>, groups = 4 : i64,
      bias = dense<[1, 2, 3, 4]> : tensor<4xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x000000000000000f>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}

// Moving the output (processors 0-1 -> 4-5): the write pointer names the
// target instance 1 (bit 15) and the time-slot offset steps 4 instances
// (0x8000); two processors write one byte each: time slots 2 - 1 = 1; no
// broadcast bit; post processing depth-wise | time slots without bias.
// CHECK-LABEL: tornado_hw.program @move
// CHECK-LABEL: tornado_hw.func configure
// CHECK:      write 0x5110001c, 0x00008040
// CHECK-NEXT: write 0x51100020, 0x00008000
// CHECK:      write 0x51100030, 0x00880920
// CHECK:      write 0x51100040, 0x00000001
// CHECK-NEXT: write 0x5110000c, 0x00000001
// CHECK:      write 0x5110004c, 0x41000000
// CHECK-NOT:  tornado_hw.bias
// CHECK:      tornado_hw.unload_bytes 0x51820100 count 16 to [0, 16, -1, -1]
tornado.network @move(%in: tensor<2x4x4xi8>) -> tensor<2x4x4xi8> attributes {
    device = #tornado.device<max78002>, input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "dw"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>, groups = 2 : i64,
      processors = #tornado.procs<0x0000000000000003>,
      output_processors = #tornado.procs<0x0000000000000030>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// calcx4, 8 output channels from kernel column 0: the first layer's mask
// range counts in units of four lanes ((7 * 8 + 8 + 3) / 4 - 8 = 8 at
// 0x38), output channels (8 - 1) / 4 = 1, post processing calcx4 (bit 29)
// with the bias at entry 0 / 4. Lane r computes channels r and r + 4: the
// eight kernel words are split into four runs of two, one per 1024-column
// instance.
// CHECK-LABEL: tornado_hw.program @x4
// CHECK-LABEL: tornado_hw.func configure
// CHECK:      write 0x51100038, 0x00000008
// CHECK-NEXT: write 0x51100040, 0x00000001
// CHECK:      write 0x5110004c, 0x20001000
// CHECK: tornado_hw.kernels group 0 proc 0 column 0 : dense<{{\[}}[1, 1, 1, 1, 1, 1, 1, 1, 1], [5, 5, 5, 5, 5, 5, 5, 5, 5]]> : tensor<2x9xui8>
// CHECK: tornado_hw.kernels group 0 proc 0 column 1024 : dense<{{\[}}[2, 2, 2, 2, 2, 2, 2, 2, 2], [6, 6, 6, 6, 6, 6, 6, 6, 6]]> : tensor<2x9xui8>
// CHECK: tornado_hw.kernels group 0 proc 0 column 2048 : dense<{{\[}}[3, 3, 3, 3, 3, 3, 3, 3, 3], [7, 7, 7, 7, 7, 7, 7, 7, 7]]> : tensor<2x9xui8>
// CHECK: tornado_hw.kernels group 0 proc 0 column 3072 : dense<{{\[}}[4, 4, 4, 4, 4, 4, 4, 4, 4], [8, 8, 8, 8, 8, 8, 8, 8, 8]]> : tensor<2x9xui8>
// CHECK: tornado_hw.bias group 0 offset 0 : dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xui8>
tornado.network @x4(%in: tensor<1x4x4xi8>) -> tensor<8x4x4xi8> attributes {
    device = #tornado.device<max78002>} {
  %0 = tornado.layer "x4"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, calcx4,
      weights = dense<[[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]], [[[2, 2, 2], [2, 2, 2], [2, 2, 2]]],
                       [[[3, 3, 3], [3, 3, 3], [3, 3, 3]]], [[[4, 4, 4], [4, 4, 4], [4, 4, 4]]],
                       [[[5, 5, 5], [5, 5, 5], [5, 5, 5]]], [[[6, 6, 6], [6, 6, 6], [6, 6, 6]]],
                       [[[7, 7, 7], [7, 7, 7], [7, 7, 7]]], [[[8, 8, 8], [8, 8, 8], [8, 8, 8]]]]>
                : tensor<8x1x3x3xi8>,
      bias = dense<[1, 2, 3, 4, 5, 6, 7, 8]> : tensor<8xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x00000000000000ff>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return %0 : tensor<8x4x4xi8>
}
