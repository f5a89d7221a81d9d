// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false mlator=true" | FileCheck %s

// --mlator: each channel of an 8-bit output is read four pixels at a time
// through the mlator of its group, channel c from byte lane c, into words
// c * 16 / 4 onwards (16 pixels per channel); one session per channel.
// CHECK-LABEL: tornado_hw.program @eligible
// CHECK: tornado_hw.unload_mlator group 0 lane 0 start 0 increment 0 to [0, 4, 8, 12]
// CHECK-NEXT: tornado_hw.unload_mlator group 0 lane 1 start 0 increment 0 to [16, 20, 24, 28]
// CHECK-NOT: unload_bytes
tornado.network @eligible(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// Nine pixels per channel are not a multiple of 4: the plain byte unload.
// CHECK-LABEL: tornado_hw.program @ineligible
// CHECK-NOT: unload_mlator
// CHECK: tornado_hw.unload_bytes
tornado.network @ineligible(%in: tensor<1x3x3xi8>) -> tensor<2x3x3xi8>
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x3x3xi8>) -> tensor<2x3x3xi8>
  tornado.return %0 : tensor<2x3x3xi8>
}
