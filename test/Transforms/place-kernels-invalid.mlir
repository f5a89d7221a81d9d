// RUN: tornado-opt %s -split-input-file -pass-pipeline='builtin.module(tornado.network(tornado-place-kernels))' -verify-diagnostics

// 512 + 512 kernel words on processor 0 do not fit its 768 columns.
tornado.network @exhausted(%a: tensor<1x4x4xi8>, %b: tensor<1x4x4xi8>) -> () {
  // expected-note @+1 {{kernel map: layer 'l0' holds columns 0-511 of processors 0}}
  %0 = tornado.layer "l0"(%a) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<512x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0xffffffffffffffff>}
      : (tensor<1x4x4xi8>) -> tensor<512x4x4xi8>
  // expected-error @+1 {{kernel memory exhausted: layer 'l1' needs 512 columns from column 0 on processors 0 but processor 0 has 768 columns}}
  %1 = tornado.layer "l1"(%b) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<2> : tensor<512x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0xffffffffffffffff>}
      : (tensor<1x4x4xi8>) -> tensor<512x4x4xi8>
  tornado.return
}

// -----

// Two pinned columns that overlap.
tornado.network @pinned_conflict(%in: tensor<1x4x4xi8>) -> () {
  // expected-note @+1 {{kernel map: layer 'a' holds columns 0-3 of processors 0}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>,
      kernel_column = 0 : i64, pinned = ["kernel_column"]}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{kernel memory conflict: layer 'b' at column 2 needs column 2 of processor 0, which layer 'a' holds}}
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<2> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x000000000000000f>,
      kernel_column = 2 : i64, pinned = ["kernel_column"]}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

// A pinned column too close to the end of kernel memory.
tornado.network @pinned_past_end(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+2 {{kernel memory exhausted: layer 'a' at column 764 writes column 768 of processor 0, which has 768 columns}}
  // expected-note @+1 {{kernel map: layer 'a' holds columns 764-767 of processors 0}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<8x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x00000000000000ff>,
      kernel_column = 764 : i64, pinned = ["kernel_column"]}
      : (tensor<1x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return
}

// -----

// Placement needs the processor maps.
tornado.network @no_processors(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{layer 'a' needs non-empty processors and output_processors before kernel or bias placement}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>}
      : (tensor<1x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}
