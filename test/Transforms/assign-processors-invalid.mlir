// RUN: tornado-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(tornado.network(tornado-assign-processors))' -o /dev/null

// Over 64 channels a concatenation interleaves one input per pass, so the
// inputs must be equal.
tornado.network @too_wide(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{input #0 has 40 channels}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<40x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<40x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<30x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<30x4x4xi8>
  // expected-note @+1 {{input #1 has 30 channels}}
  %2 = tornado.layer "d"(%1) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<30x30x1x1xi8>}
      : (tensor<30x4x4xi8>) -> tensor<30x4x4xi8>
  // expected-error @+1 {{cannot place the inputs of layer 'cat': a concatenation of 70 channels takes 2 passes, so every input must have 36 channels}}
  %3 = tornado.layer "cat"(%0, %2) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x70x1x1xi8>}
      : (tensor<40x4x4xi8>, tensor<30x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %3 : tensor<4x4x4xi8>
}

// -----

// Pinned output processors of two element-wise operands differ.
tornado.network @operands(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      output_processors = #tornado.procs<0x00000000000000f0>, pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{input #1 is produced here}}
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      output_processors = #tornado.procs<0x0000000000000f00>, pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{cannot honour the processors of the inputs of layer 'sum': input #1 is on processors 0x0000000000000f00 but every operand must be on 0x00000000000000f0}}
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// A pinned reader's processors disagree with its producer's pin.
tornado.network @reader(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-note @+1 {{input #0 is produced here}}
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      output_processors = #tornado.procs<0x00000000000000f0>, pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{cannot honour the processors of the inputs of layer 'b': input #0 is on processors 0x00000000000000f0 but every operand must be on 0x000000000000000f}}
  %1 = tornado.layer "b"(%0, %in) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0x000000000000000f>, pinned = ["processors"]}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}

// -----

// CHW input takes one instance per channel: 20 channels do not fit.
// expected-note @+1 {{the network input is CHW: one channel per instance}}
tornado.network @chw(%in: tensor<20x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<chw>} {
  // expected-error @+1 {{CHW input with 20 channels per pass needs more than the 16 data-memory instances; use HWC input}}
  %0 = tornado.layer "l0"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x20x1x1xi8>}
      : (tensor<20x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %0 : tensor<4x4x4xi8>
}

// -----

// The reader's pinned processors hold 8 channels; the map has 4 (the layer
// verifier's rule, before any pass runs).
tornado.network @count(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{4 input channels in 1 pass need 4 processors per pass, but processors 0x00000000000000ff has 8}}
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      processors = #tornado.procs<0x00000000000000ff>, pinned = ["processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %1 : tensor<4x4x4xi8>
}


// -----

// Operands on the input loader's data need pass-through copies written with
// the write gap; 31 copies do not fit MAX78000's 32 layers.
tornado.network @too_many_copies(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  // expected-error @+2 {{cannot place the inputs of layer 'sum16': interleaving element-wise operands needs 31 pass-through copies (34 layers in all) but MAX78000 runs at most 32 layers}}
  // expected-note @+1 {{layer 'sum16' reads copies of input #0, #1, #2, #3, #4, #5, #6, #7, #8, #9, #10, #11, #12, #13, #14, #15 (the input loader writes no gaps)}}
  %0 = tornado.layer "sum16"(%in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'sum15' reads copies of input #0, #1, #2, #3, #4, #5, #6, #7, #8, #9, #10, #11, #12, #13, #14 (the input loader writes no gaps)}}
  %1 = tornado.layer "sum15"(%in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in, %in) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %2 = tornado.layer "both"(%0, %1) {eltwise = #tornado.eltwise<add>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %2 : tensor<4x4x4xi8>
}

// -----

// A skip connection inside the streaming prefix on MAX78000: 'a' would need
// a copy for the sum, but nothing can run between streaming layers.
tornado.network @streaming_copy(%in: tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>, streaming}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  %1 = tornado.layer "b"(%0) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<4x4x3x3xi8>, streaming}
      : (tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  // expected-error @+2 {{cannot place the inputs of streaming layer 'sum': input #0 must be copied to sit one word apart from the other operands, but no layer can run inside the streaming prefix}}
  // expected-note @+1 {{input #0 needs a copy: layer 'b' reads it without gaps and MAX78000 cannot skip words (read_gap)}}
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x3x3xi8>, streaming}
      : (tensor<4x8x8xi8>, tensor<4x8x8xi8>) -> tensor<4x8x8xi8>
  tornado.return %2 : tensor<4x8x8xi8>
}

// -----

// A layer without convolution cannot move data to another group of 16
// processors (the izer rejects this too). Its input processors follow from
// its operands' pins; a layer pinning both masks is rejected by the verifier
// (test/Dialect/Tornado/invalid-layer.mlir).
tornado.network @pass_through_group(%in: tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>} {
  %0 = tornado.layer "a"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      output_processors = #tornado.procs<0x00000000000000f0>, pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  %1 = tornado.layer "b"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>,
      output_processors = #tornado.procs<0x00000000000000f0>, pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-error @+1 {{layer 'sum' has no convolution, so it cannot move data between groups of 16 processors: its output processors 0x00000000000f0000 must be, in each group, one run as long as its processors 0x00000000000000f0 there}}
  %2 = tornado.layer "sum"(%0, %1) {eltwise = #tornado.eltwise<add>,
      output_processors = #tornado.procs<0x00000000000f0000>,
      pinned = ["output_processors"]}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  // expected-note @+1 {{layer 'out' reads it}}
  %3 = tornado.layer "out"(%2) {op = #tornado.op<conv2d>, kernel = array<i64: 1, 1>,
      weights = dense<1> : tensor<4x4x1x1xi8>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return %3 : tensor<4x4x4xi8>
}
