// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-place-bias))' -verify-diagnostics

// 300 + 300 bias bytes pinned to one group of 512.
tornado.network @exhausted(%a: tensor<1x4x4xi8>, %b: tensor<1x4x4xi8>) -> () {
  // expected-note @+1 {{bias map: group 0 bytes 0-299 hold layer 'l0'}}
  %0 = tornado.layer "l0"(%a) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<300x1x3x3xi8>,
      bias = dense<1> : tensor<300xi8>, bias_group = 0 : i64, pinned = ["bias_group"],
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0fffffffffffffff>}
      : (tensor<1x4x4xi8>) -> tensor<300x4x4xi8>
  // expected-error @+4 {{bias memory exhausted: layer 'l1' needs 300 bytes in one of groups [0]; the emptiest, group 0, has 212 bytes free}}
  // expected-note @+3 {{bias map: group 1 is empty (512 bytes free)}}
  // expected-note @+2 {{bias map: group 2 is empty (512 bytes free)}}
  // expected-note @+1 {{bias map: group 3 is empty (512 bytes free)}}
  %1 = tornado.layer "l1"(%b) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<300x1x3x3xi8>,
      bias = dense<2> : tensor<300xi8>, bias_group = 0 : i64, pinned = ["bias_group"],
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0fffffffffffffff>}
      : (tensor<1x4x4xi8>) -> tensor<300x4x4xi8>
  tornado.return
}

// -----

// Pinned offsets that overlap.
tornado.network @overlap(%in: tensor<1x4x4xi8>) -> () {
  // expected-note @+1 {{bias map: group 0 bytes 0-3 hold layer 'a'}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<1> : tensor<4xi8>, bias_group = 0 : i64, bias_offset = 0 : i64,
      pinned = ["bias_group", "bias_offset"],
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+4 {{bias memory exhausted: layer 'b' needs bytes 2-5 of group 0, which overlap layer 'a'}}
  // expected-note @+3 {{bias map: group 1 is empty (512 bytes free)}}
  // expected-note @+2 {{bias map: group 2 is empty (512 bytes free)}}
  // expected-note @+1 {{bias map: group 3 is empty (512 bytes free)}}
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<2> : tensor<4xi8>, bias_group = 0 : i64, bias_offset = 2 : i64,
      pinned = ["bias_group", "bias_offset"],
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

// A pinned offset needs a pinned group.
tornado.network @offset_only(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{layer 'a': a pinned bias_offset needs a pinned bias_group and a layer that is not depth-wise}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      bias = dense<1> : tensor<4xi8>, bias_offset = 0 : i64, pinned = ["bias_offset"],
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

// Depth-wise biases live in every group the layer reads.
tornado.network @depthwise_pinned(%in: tensor<16x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{layer 'dw': a depth-wise layer keeps its bias in every group it uses; bias_group cannot be pinned}}
  %0 = tornado.layer "dw"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, groups = 16 : i64,
      weights = dense<1> : tensor<16x1x3x3xi8>, bias = dense<1> : tensor<16xi8>,
      bias_group = 0 : i64, pinned = ["bias_group"],
      processors = #tornado.procs<0x000000000000ffff>,
      output_processors = #tornado.procs<0x000000000000ffff>}
      : (tensor<16x4x4xi8>) -> tensor<16x4x4xi8>
  tornado.return
}
