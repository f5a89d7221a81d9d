// RUN: tornado-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(tornado.network(tornado-check-hazards))' -o /dev/null
//
// One test per hazard kind; the notes name both layers, the instance and
// both byte ranges.

// Output written ahead of the reads of its own input (input loader's data).
// expected-note @+1 {{the input loader wrote instance 0 (processors 0-3), bytes 0x0000-0x00ff, live start..0}}
tornado.network @own_input(%in: tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+3 {{data hazard: layer 'l0' overwrites its own input (the input loader's data) while still reading it in instance 0}}
  // expected-note @+2 {{layer 'l0' writes instance 0 (processors 0-3), bytes 0x0040-0x013f}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, out_offset = 64 : i64}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %0 : tensor<4x8x8xi8>
}

// -----

// Writes trailing the reads (the izer's --overlap-data case).
// expected-note @+1 {{the input loader wrote instance 0 (processors 0-3), bytes 0x0040-0x013f, live start..0}}
tornado.network @trailing(%in: tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+4 {{data hazard: layer 'l0' writes its output over its own input (the input loader's data) in instance 0}}
  // expected-note @+3 {{layer 'l0' writes instance 0 (processors 0-3), bytes 0x0000-0x00ff}}
  // expected-note @+2 {{each output pixel only overwrites input rows the layer has finished reading}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 64 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, out_offset = 0 : i64}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %0 : tensor<4x8x8xi8>
}

// -----

// A skip connection: l1 overwrites l0's output, which l2 still reads.
tornado.network @skip(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{layer 'l0' wrote instance 1 (processors 4-7), bytes 0x0000-0x003f, live 0..2}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+3 {{data hazard: layer 'l1' overwrites the output of layer 'l0' while it is still needed in instance 1}}
  // expected-note @+2 {{layer 'l1' writes instance 1 (processors 4-7), bytes 0x0020-0x005f}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 32 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'l2' (layer 2) reads it later}}
  %2 = tornado.layer "l2"(%0, %1) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// A later layer overwrites a network output.
tornado.network @output(%in: tensor<4x4x4xi8>) -> (tensor<4x4x4xi8>, tensor<2x4x4xi8>)
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{layer 'l0' wrote instance 1 (processors 4-7), bytes 0x0000-0x003f, live 0..end}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+3 {{data hazard: layer 'l1' overwrites the output of layer 'l0' while it is still needed in instance 1}}
  // expected-note @+2 {{layer 'l1' writes instance 1 (processors 6,7), bytes 0x0000-0x003f}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<2x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000c0>, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<2x4x4xi8>
  // expected-note @+1 {{it is a network output}}
  tornado.return %0, %1 : tensor<4x4x4xi8>, tensor<2x4x4xi8>
}

// -----

// The input loader's data is read again by l1 but l0 overwrites it.
// expected-note @+1 {{the input loader wrote instance 0 (processors 0-3), bytes 0x0000-0x003f, live start..1}}
tornado.network @loader(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+3 {{data hazard: layer 'l0' overwrites the input loader's data while it is still needed in instance 0}}
  // expected-note @+2 {{layer 'l0' writes instance 0 (processors 0,1), bytes 0x003c-0x007b}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<2x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x0000000000000003>, out_offset = 60 : i64}
      : (tensor<4x4x4xi8>) -> tensor<2x4x4xi8>
  // expected-note @+1 {{layer 'l1' (layer 1) reads it later}}
  %1 = tornado.layer "l1"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}

// -----

// Multi-pass: 128 channels take two words per pixel, so the second pass of
// l0's output reaches l1's output.
tornado.network @multipass(%in: tensor<4x4x4xi8>) -> (tensor<128x4x4xi8>, tensor<4x4x4xi8>)
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{layer 'l0' wrote instance 1 (processors 4-7), bytes 0x0040-0x00bf, live 0..end}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<128x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0xffffffffffffffff>, out_offset = 64 : i64}
      : (tensor<4x4x4xi8>) -> tensor<128x4x4xi8>
  // expected-error @+3 {{data hazard: layer 'l1' overwrites the output of layer 'l0' while it is still needed in instance 1}}
  // expected-note @+2 {{layer 'l1' writes instance 1 (processors 4-7), bytes 0x00a0-0x00df}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %1 = tornado.layer "l1"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 160 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{it is a network output}}
  tornado.return %0, %1 : tensor<128x4x4xi8>, tensor<4x4x4xi8>
}

// -----

// Interleaved operands: with write_gap 0 the first operand's pixels land on
// the second operand's words.
tornado.network @gap(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{layer 'a' wrote instance 1 (processors 4-7), bytes 0x0000-0x003f, live 0..2}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64,
      write_gap = 0 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+3 {{data hazard: layer 'b' overwrites the output of layer 'a' while it is still needed in instance 1}}
  // expected-note @+2 {{layer 'b' writes instance 1 (processors 4-7), bytes 0x0004-0x007f (1 of every 2 words)}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 4 : i64,
      write_gap = 1 : i64}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'sum' (layer 2) reads it later}}
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, out_offset = 256 : i64}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// Streaming: l1's output lands in the ring buffer l1 reads from while l0
// still streams into it.
tornado.network @stream(%in: tensor<4x16x16xi8>) -> tensor<4x16x16xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{layer 'l0' streams into instance 1 (processors 4-7), bytes 0x0000-0x009f, live start..1}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>, streaming,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64}
      : (tensor<4x16x16xi8>) -> tensor<4x16x16xi8>
  // expected-error @+3 {{streaming hazard: layer 'l1' overwrites its own input (the output of layer 'l0') while still reading it in instance 1}}
  // expected-note @+2 {{layer 'l1' writes instance 1 (processors 4-7), bytes 0x0080-0x047f}}
  // expected-note @+1 {{use overlap-data=true if the overlap is intended}}
  %1 = tornado.layer "l1"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>, streaming,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 128 : i64}
      : (tensor<4x16x16xi8>) -> tensor<4x16x16xi8>
  tornado.return %1 : tensor<4x16x16xi8>
}

// -----

// 64x64 pixels at offset 0x4000 do not fit a 32 KiB instance.
tornado.network @overflow(%in: tensor<4x64x64xi8>) -> tensor<4x64x64xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+2 {{data memory overflow: the output of layer 'l0' ends at byte 0x9000 but a data-memory instance has 32768 bytes}}
  // expected-note @+1 {{it occupies instance 1 (processors 4-7), bytes 0x5000-0x8fff}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 20480 : i64}
      : (tensor<4x64x64xi8>) -> tensor<4x64x64xi8>
  tornado.return %0 : tensor<4x64x64xi8>
}

// -----

// CHW input: two channels in one instance share words.
// expected-error @+1 {{data hazard: the input loader's data puts two channels on the same words of instance 0}}
tornado.network @chw(%in: tensor<2x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<chw>} {
  // expected-note @+1 {{CHW input allows one processor per data-memory instance}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x2x1x1xi8>,
      processors = #tornado.procs<0x0000000000000003>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 0 : i64}
      : (tensor<2x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}

// -----

// Not placed yet.
tornado.network @unplaced(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8> {
  // expected-error @+1 {{layer 'l0' has no output_processors/out_offset; run tornado-assign-processors and tornado-assign-offsets first}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}

