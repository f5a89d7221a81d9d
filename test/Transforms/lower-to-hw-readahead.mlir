// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false" | FileCheck %s

// MAX78002 read-ahead: layer control bit 17 (0x00880960 -> 0x008a0960)
// with the pass shift count (one pass: 0); tcalc sets post-processing
// bit 31. Oracle-checked against the izer by utils/corpus/oracle.py.
// CHECK-LABEL: tornado_hw.program @ra
// CHECK: write 0x51100030, 0x008a0960
// CHECK-NOT: write 0x5110004c
// CHECK-LABEL: tornado_hw.program @tcalc
// CHECK: write 0x51100030, 0x008a0960
// CHECK: write 0x5110004c, 0x80000000

tornado.network @ra(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>, readahead,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 16384 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

tornado.network @tcalc(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>, readahead,
      tcalc = true,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 16384 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
