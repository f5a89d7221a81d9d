// RUN: tornado-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(tornado.network(tornado-assign-offsets))' -o /dev/null

// 'a' must interleave with 'b' for the sum, but MAX78000 cannot make 'b'
// skip the other operand's words (without tornado-assign-processors, which
// would give the sum a copy of 'a').
tornado.network @residual(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{layer 'a' writes instance 1 (processors 4-7), bytes 0x0000-0x007b (1 of every 2 words)}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 256 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>,
      pinned = ["in_offset"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{cannot place the input of layer 'b': layer 'a' writes it with write_gap 1 and MAX78000 cannot skip words when reading (read_gap)}}
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'sum' reads it interleaved with other operands; tornado-assign-processors gives such readers a pass-through copy unless write_gap is pinned}}
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// A 64x64 map cannot share the instance with the 64x64 input it is
// computed from, and the pinned input fills the instance's middle.
tornado.network @exhausted(%in: tensor<4x64x64xi8>) -> tensor<4x64x64xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+2 {{data memory exhausted: no offset holds the output of layer 'l0'}}
  // expected-note @+1 {{memory map of instance 0 at layer 0: 0x2000-0x5fff input (live start..0)}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 8192 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, pinned = ["in_offset"]}
      : (tensor<4x64x64xi8>) -> tensor<4x64x64xi8>
  tornado.return %0 : tensor<4x64x64xi8>
}

// -----

// Two pins imply different offsets for the same map.
tornado.network @conflict(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+1 {{cannot honour the data-memory offsets around layer 'a': they need base offset 0x0040 where layer 'b' needs 0x0080}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, out_offset = 64 : i64,
      pinned = ["out_offset"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'b' fixes the offset here}}
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000f0>, in_offset = 128 : i64,
      output_processors = #tornado.procs<0x000000000000000f>, pinned = ["in_offset"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}

// -----

// The pinned in_offset of 'b' puts 'a''s output on the input loader's data,
// which 'c' still reads.
tornado.network @pinned_overlap(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 0 : i64,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+2 {{cannot honour the data-memory offset 0x0020 of layer 'b': the output of layer 'a' would overwrite the input loader's data while it is live}}
  // expected-note @+1 {{memory map of instance 0 at layer 0: 0x0000-0x003f input (live start..2)}}
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>, in_offset = 32 : i64,
      output_processors = #tornado.procs<0x00000000000000f0>, pinned = ["in_offset"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "c"(%in, %1) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x8x1x1xi8>,
      processors = #tornado.procs<0x00000000000000ff>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// Offsets need processors first.
tornado.network @no_procs(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8> {
  // expected-error @+1 {{layer 'a' needs processors and output_processors before offsets; run tornado-assign-processors first}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}


// -----

// A pinned write gap that does not match the number of operands.
tornado.network @pinned_gap(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+1 {{cannot place the output of layer 'a': it is written with write_gap 2 but its reader takes it interleaved with 1 other operand(s), which needs write_gap 1}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>,
      write_gap = 2 : i64, pinned = ["write_gap"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{read by layer 'sum'}}
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// Without tornado-assign-processors (which would copy them), 'a' and 'b'
// cannot be both (a, b) and (b, a).
tornado.network @two_orders(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x000000000000000f>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'ab' reads it interleaved with other operands}}
  %2 = tornado.layer "ab"(%0, %1) {eltwise = #tornado.eltwise<sub>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{cannot place the inputs of layer 'ba' automatically: the output of layer 'b' is also read in another arrangement (other operands or another write_gap); pin in_offset/out_offset}}
  %3 = tornado.layer "ba"(%1, %0) {eltwise = #tornado.eltwise<sub>,
      processors = #tornado.procs<0x00000000000000f0>,
      output_processors = #tornado.procs<0x00000000000000f0>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %4 = tornado.layer "out"(%2, %3) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x8x1x1xi8>,
      processors = #tornado.procs<0x00000000000000ff>,
      output_processors = #tornado.procs<0x000000000000000f>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %4 : tensor<4x4x4xi8>
}
