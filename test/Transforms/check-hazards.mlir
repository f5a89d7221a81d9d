// RUN: tornado-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(tornado.network(tornado-check-hazards{overlap-data=true}))' -o /dev/null

// Byte lanes of one instance belong to different processors: two maps at
// the same offset in lanes 0-1 and 2-3 do not touch. The input's words are
// free again once l1 (its last reader) has run. Interleaved operands with
// write_gap 1 share no word.
tornado.network @disjoint(%in: tensor<4x4x4xi8>) -> (tensor<2x4x4xi8>, tensor<2x4x4xi8>)
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<2x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x0000000000000030>, out_offset = 0 : i64,
      write_gap = 1 : i64}
      : (tensor<4x4x4xi8>) -> tensor<2x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<2x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x0000000000000030>, out_offset = 4 : i64,
      write_gap = 1 : i64}
      : (tensor<4x4x4xi8>) -> tensor<2x4x4xi8>
  %2 = tornado.layer "c"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<2x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000c0>, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<2x4x4xi8>
  %3 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x0000000000000030>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x0000000000000003>, out_offset = 0 : i64}
      : (tensor<2x4x4xi8>, tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %2, %3 : tensor<2x4x4xi8>, tensor<2x4x4xi8>
}

// -----

// With overlap-data the trailing in-place write is only a warning.
// expected-note @+1 {{the input loader wrote instance 0 (processors 0-3), bytes 0x0040-0x013f, live start..0}}
tornado.network @trailing(%in: tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-warning @+3 {{data hazard: layer 'l0' writes its output over its own input (the input loader's data) in instance 0}}
  // expected-note @+2 {{layer 'l0' writes instance 0 (processors 0-3), bytes 0x0000-0x00ff}}
  // expected-note @+1 {{each output pixel only overwrites input rows the layer has finished reading}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 64 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, out_offset = 0 : i64}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %0 : tensor<4x8x8xi8>
}

// -----

// A layer after the streaming prefix may write trailing over the streamed
// map (the izer accepts this without --overlap-data).
tornado.network @after_stream(%in: tensor<4x16x16xi8>) -> tensor<4x16x16xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>, streaming,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 512 : i64}
      : (tensor<4x16x16xi8>) -> tensor<4x16x16xi8>
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 512 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64}
      : (tensor<4x16x16xi8>) -> tensor<4x16x16xi8>
  tornado.return %1 : tensor<4x16x16xi8>
}

