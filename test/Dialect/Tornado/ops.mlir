// RUN: tornado-opt %s | tornado-opt | FileCheck %s
// RUN: tornado-opt %s --mlir-print-op-generic | tornado-opt | FileCheck %s

// Every graph op, in a network that reads like a small classifier.

// CHECK-LABEL: tornado.network @graph
// CHECK-SAME: (%[[IN:.*]]: tensor<1x28x28xi8>) -> tensor<10xi32>
// CHECK-SAME: device = #tornado.device<max78000>
tornado.network @graph(%in: tensor<1x28x28xi8>) -> tensor<10xi32>
    attributes {device = #tornado.device<max78000>} {
  // CHECK: %[[C:.*]] = conv2d %[[IN]] {bias = dense<{{.*}}> : tensor<4xi8>
  // CHECK-SAME: output_shift = -1 : i64
  // CHECK-SAME: : tensor<1x28x28xi8> -> tensor<4x28x28xi8>
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<[1, 2, 3, 4]> : tensor<4xi8>, stride = array<i64: 1, 1>,
      padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
      output_shift = -1 : i64} : tensor<1x28x28xi8> -> tensor<4x28x28xi8>
  // CHECK: activate <relu> %[[C]] : tensor<4x28x28xi8>
  %1 = tornado.activate <relu> %0 : tensor<4x28x28xi8>
  // CHECK: batchnorm
  %2 = tornado.batchnorm %1 {mean = dense<0.0> : tensor<4xf32>,
      variance = dense<1.0> : tensor<4xf32>, epsilon = 1.0e-05 : f64}
      : tensor<4x28x28xi8>
  // CHECK: pool {{.*}} {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
  %3 = tornado.pool %2 {pool = #tornado.pool<max, kernel = [2, 2],
      stride = [2, 2], dilation = [1, 1]>}
      : tensor<4x28x28xi8> -> tensor<4x14x14xi8>
  // CHECK: reshape {{.*}} : tensor<4x14x14xi8> -> tensor<4x196xi8>
  %r = tornado.reshape %3 : tensor<4x14x14xi8> -> tensor<4x196xi8>
  // CHECK: passthrough
  %4 = tornado.passthrough %3 : tensor<4x14x14xi8>
  // CHECK: eltwise <add> {{.*}} : (tensor<4x14x14xi8>, tensor<4x14x14xi8>) -> tensor<4x14x14xi8>
  %5 = tornado.eltwise <add> %3, %4
      : (tensor<4x14x14xi8>, tensor<4x14x14xi8>) -> tensor<4x14x14xi8>
  // CHECK: eltwise <xor>
  %6 = tornado.eltwise <xor> %5, %4, %3
      : (tensor<4x14x14xi8>, tensor<4x14x14xi8>, tensor<4x14x14xi8>) -> tensor<4x14x14xi8>
  // CHECK: concat {{.*}} -> tensor<8x14x14xi8>
  %7 = tornado.concat %6, %5
      : (tensor<4x14x14xi8>, tensor<4x14x14xi8>) -> tensor<8x14x14xi8>
  // CHECK: conv_transpose2d {{.*}} -> tensor<2x28x28xi8>
  %8 = tornado.conv_transpose2d %7 {weights = dense<0> : tensor<2x8x3x3xi8>,
      stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
      output_padding = array<i64: 1, 1>} : tensor<8x14x14xi8> -> tensor<2x28x28xi8>
  // CHECK: flatten {{.*}} -> tensor<1568xi8>
  %9 = tornado.flatten %8 : tensor<2x28x28xi8> -> tensor<1568xi8>
  // CHECK: linear {{.*}}weight_bits = 4 : i64{{.*}} : tensor<1568xi8> -> tensor<10xi32>
  %10 = tornado.linear %9 {weights = dense<1> : tensor<10x1568xi8>,
      weight_bits = 4 : i64} : tensor<1568xi8> -> tensor<10xi32>
  // CHECK: return %{{.*}} : tensor<10xi32>
  tornado.return %10 : tensor<10xi32>
}

// CHECK-LABEL: tornado.network @audio
tornado.network @audio(%in: tensor<128x128xi8>) -> tensor<16x126xi8> {
  // CHECK: conv1d {{.*}} : tensor<128x128xi8> -> tensor<16x126xi8>
  %0 = tornado.conv1d %in {weights = dense<1> : tensor<16x128x3xi8>,
      stride = array<i64: 1>, padding = array<i64: 0>,
      dilation = array<i64: 1>} : tensor<128x128xi8> -> tensor<16x126xi8>
  // CHECK: layer "c1d"{{.*}}op = #tornado.op<conv1d>
  %1 = tornado.layer "c1d"(%0) {op = #tornado.op<conv1d>,
      weights = dense<1> : tensor<16x16x1xi8>}
      : (tensor<16x126xi8>) -> tensor<16x126xi8>
  tornado.return %1 : tensor<16x126xi8>
}

// Hardware layers with resource attributes, pins and a dense resource blob.

// CHECK-LABEL: tornado.network @layers
// CHECK-SAME: device = #tornado.device<max78002>
// CHECK-SAME: input_format = #tornado.data_format<hwc>
tornado.network @layers(%in: tensor<3x32x32xi8>) -> tensor<10xi32>
    attributes {device = #tornado.device<max78002>,
                input_format = #tornado.data_format<hwc>} {
  // CHECK: layer "conv1"(%{{.*}}) {
  // CHECK-SAME: activation = #tornado.activation<relu>
  // CHECK-SAME: op = #tornado.op<conv2d>
  // CHECK-SAME: out_offset = 8192 : i64
  // CHECK-SAME: pinned = ["processors", "out_offset"]
  // CHECK-SAME: processors = #tornado.procs<0x0000000000000007>
  // CHECK-SAME: weights = dense_resource<conv1_w> : tensor<2x3x1x1xi8>
  %0 = tornado.layer "conv1"(%in) {op = #tornado.op<conv2d>,
      kernel = array<i64: 1, 1>, padding = array<i64: 0, 0>,
      weights = dense_resource<conv1_w> : tensor<2x3x1x1xi8>,
      bias = dense<[3, -3]> : tensor<2xi8>,
      activation = #tornado.activation<relu>,
      processors = #tornado.procs<0x7>, out_offset = 8192 : i64,
      pinned = ["processors", "out_offset"]}
      : (tensor<3x32x32xi8>) -> tensor<2x32x32xi8>
  // CHECK: layer "res"
  // CHECK-SAME: eltwise = #tornado.eltwise<sub>
  // CHECK-SAME: pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1], rounding>
  // CHECK-SAME: pool_first = false
  %1 = tornado.layer "res"(%0, %0) {eltwise = #tornado.eltwise<sub>,
      pool_first = false,
      pool = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1], rounding>,
      output_processors = #tornado.procs<0x0003000000000000>,
      in_offset = 8192 : i64, out_offset = 0 : i64}
      : (tensor<2x32x32xi8>, tensor<2x32x32xi8>) -> tensor<2x16x16xi8>
  // CHECK: layer "fc"
  // CHECK-SAME: flatten
  // CHECK-SAME: output_width = 32
  %2 = tornado.layer "fc"(%1) {op = #tornado.op<linear>, flatten,
      weights = dense<1> : tensor<10x512xi8>, output_width = 32 : i64,
      kernel_column = 10 : i64, bias_group = 1 : i64, bias_offset = 4 : i64,
      passes = 1 : i64, read_gap = 0 : i64, write_gap = 1 : i64,
      tram_max = 3 : i64}
      : (tensor<2x16x16xi8>) -> tensor<10xi32>
  // CHECK: layer "stream"
  // CHECK-SAME: streaming
  %3 = tornado.layer "stream"(%in) {op = #tornado.op<conv2d>, streaming,
      weights = dense<1> : tensor<3x3x3x3xi8>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>, stride = array<i64: 1, 1>, groups = 1 : i64}
      : (tensor<3x32x32xi8>) -> tensor<3x32x32xi8>
  // CHECK: layer "dw"
  %4 = tornado.layer "dw"(%3) {op = #tornado.op<conv2d>, groups = 3 : i64,
      weights = dense<1> : tensor<3x1x3x3xi8>, padding = array<i64: 1, 1>,
      weight_bits = 2 : i64}
      : (tensor<3x32x32xi8>) -> tensor<3x32x32xi8>
  // CHECK: layer "cat"
  %5 = tornado.layer "cat"(%4, %3) {}
      : (tensor<3x32x32xi8>, tensor<3x32x32xi8>) -> tensor<6x32x32xi8>
  // CHECK: layer "packed"{{.*}}operands = 2 : i64
  %p = tornado.layer "packed"(%5) {eltwise = #tornado.eltwise<add>, operands = 2 : i64}
      : (tensor<6x32x32xi8>) -> tensor<3x32x32xi8>
  // CHECK: layer "fc1x1"{{.*}}flatten
  %pp = tornado.layer "pool16"(%p) {
      pool = #tornado.pool<max, kernel = [16, 16], stride = [16, 16], dilation = [1, 1]>}
      : (tensor<3x32x32xi8>) -> tensor<3x2x2xi8>
  %q = tornado.layer "fc1x1"(%pp) {op = #tornado.op<conv2d>, flatten,
      weights = dense<1> : tensor<4x12x1x1xi8>}
      : (tensor<3x2x2xi8>) -> tensor<4x1x1xi8>
  // CHECK: layer "up"
  // CHECK-SAME: op = #tornado.op<conv_transpose2d>
  %6 = tornado.layer "up"(%5) {op = #tornado.op<conv_transpose2d>,
      weights = dense<1> : tensor<6x6x3x3xi8>, stride = array<i64: 2, 2>,
      padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>}
      : (tensor<6x32x32xi8>) -> tensor<6x64x64xi8>
  tornado.return %2 : tensor<10xi32>
}

// A layer without convolution may pack its data within each group it reads
// (here 4 processors in group 0 and 4 in group 1).
// CHECK-LABEL: tornado.network @pass_through_pack
tornado.network @pass_through_pack(%in: tensor<8x4x4xi8>) -> tensor<8x4x4xi8> {
  // CHECK: layer "copy"
  // CHECK-SAME: output_processors = #tornado.procs<0x00000000000f00f0>
  // CHECK-SAME: processors = #tornado.procs<0x0000000000f00f00>
  %0 = tornado.layer "copy"(%in) {processors = #tornado.procs<0xf00f00>,
      output_processors = #tornado.procs<0xf00f0>}
      : (tensor<8x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return %0 : tensor<8x4x4xi8>
}

{-#
  dialect_resources: {
    builtin: {
      conv1_w: "0x01000000010203040506"
    }
  }
#-}
