// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false start-layer=2" | FileCheck %s

// MAX78002: load-switch delay, register clear before configuring, and the
// program starting at hardware layer 2.

// CHECK-LABEL: tornado_hw.func enable
// CHECK: sys_write gcfr_reg0, 0x1
// CHECK-NEXT: delay 10000
// Clear without bias (0x1880), wait for bit 25, then the usual init; the
// layer count holds last layer 2 and start layer 2.
// CHECK-LABEL: tornado_hw.func init
// CHECK-NEXT: write 0x51000000, 0x00000008
// CHECK-NEXT: write 0x50001000, 0x00000000
// CHECK-NEXT: write 0x51000004, 0x0000040e
// CHECK-NEXT: write 0x5100000c, 0x00001880
// CHECK-NEXT: poll 0x5100000c mask 0x02000000 value 0x02000000
// CHECK-NEXT: write 0x5100000c, 0x00000000
// CHECK-NEXT: write 0x51000000, 0x00100008
// CHECK-NEXT: write 0x51000008, 0x00000202
// Layer registers of hardware layer 2. Rows/columns: last index 3, one
// column to the next pooling start (bit 16), padding enabled (bit 15);
// multi-pass stride 1 (bit 4); 3x3 kernel in layer control bits 18-25;
// output span 8 at bit 12 of control 2; separate mask max (8) and output
// channel count (2 - 1).
// CHECK-LABEL: tornado_hw.func configure
// CHECK-NEXT: write 0x51100204, 0x00018003
// CHECK-NEXT: write 0x51100208, 0x00018003
// CHECK-NEXT: write 0x51100218, 0x00000010
// CHECK-NEXT: write 0x5110021c, 0x00000040
// CHECK-NEXT: write 0x51100224, 0x00008000
// CHECK-NEXT: write 0x51100230, 0x00880960
// CHECK-NEXT: write 0x51100234, 0x00008000
// CHECK-NEXT: write 0x51100238, 0x00000008
// CHECK-NEXT: write 0x51100240, 0x00000001
// CHECK-NEXT: write 0x51100244, 0x00000003
// CHECK-NEXT: write 0x51100248, 0x00010001
// CHECK-NEXT: }

tornado.network @net(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// Binary weights: -1 is stored as 1, +1 as 0; the post register holds
// weight size 1 and the implicit shift 8 - 1 = 7 plus output_shift -2;
// cnn_start sets the device-wide binary-weights bit 30.
// CHECK-LABEL: tornado_hw.program @bin
// CHECK: write 0x5110024c, 0x0040a000
// CHECK-LABEL: tornado_hw.func start
// CHECK-NEXT: write 0x51000000, 0x40100808
// CHECK: tornado_hw.kernels group 0 proc 0 column 0 : dense<{{\[}}[1, 0, 1, 0, 1, 0, 1, 0, 1]]> : tensor<1x9xui8>
tornado.network @bin(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weight_bits = -1 : i64, output_shift = -2 : i64,
      weights = dense<[[[[-1, 1, -1], [1, -1, 1], [-1, 1, -1]]]]> : tensor<1x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000001>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return %0 : tensor<1x4x4xi8>
}
