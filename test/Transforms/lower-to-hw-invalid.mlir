// RUN: tornado-opt %s -split-input-file -verify-diagnostics --tornado-lower-to-hw="kat=false"

tornado.network @no_kernel_column(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{kernel_column}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @no_bias_placement(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{layer 'conv': needs bias_group and bias_offset}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      bias = dense<1> : tensor<2xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @no_in_offset(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{layer 'conv': needs in_offset}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @no_out_offset(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{layer 'conv': needs out_offset}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @no_processors(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{needs non-empty processors and output_processors}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @calcx4(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> attributes {
    device = #tornado.device<max78002>} {
  // expected-error @+1 {{layer 'conv': calcx4 needs a multiple of 4 output channels, got 2}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>, calcx4,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @depthwise(%in: tensor<2x4x4xi8>) -> tensor<2x4x4xi8> attributes {
    device = #tornado.device<max78002>, input_format = #tornado.data_format<hwc>} {
  // expected-error @+1 {{layer 'dw': a depth-wise layer with bias needs bias_offsets (run --tornado-place-bias first)}}
  %0 = tornado.layer "dw"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>, groups = 2 : i64,
      bias = dense<[1, 2]> : tensor<2xi8>, bias_group = 0 : i64, bias_offset = 0 : i64,
      processors = #tornado.procs<0x0000000000000003>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<2x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @dilated(%in: tensor<1x32xi8>) -> tensor<2x17xi8> {
  // expected-error @+1 {{layer 'c1': dilated Conv1d kernels longer than 3 cannot run on Conv2d hardware}}
  %0 = tornado.layer "c1"(%in) {op = #tornado.op<conv1d>, kernel = array<i64: 4>,
      padding = array<i64: 0>, dilation = array<i64: 5>, weights = dense<1> : tensor<2x1x4xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x32xi8>) -> tensor<2x17xi8>
  tornado.return %0 : tensor<2x17xi8>
}

// -----

// expected-error @+1 {{has no tornado.layer to lower}}
tornado.network @empty(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi8> {
  tornado.return %in : tensor<1x4x4xi8>
}

// -----

// calcx4 kernels in the extra (small) instances: the quarters would land
// past the end of kernel memory.
tornado.network @calcx4_high(%in: tensor<1x4x4xi8>) -> tensor<8x4x4xi8> attributes {
    device = #tornado.device<max78002>} {
  // expected-error @+1 {{layer 'x4': calcx4 kernels from column 5112 do not fit the parallel kernel-memory instances (column 5112 of processor 0 maps to 5374); place the layer's kernels lower}}
  %0 = tornado.layer "x4"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<8x1x3x3xi8>, calcx4,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x00000000000000ff>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 5112 : i64}
      : (tensor<1x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return %0 : tensor<8x4x4xi8>
}

// -----

// Read-ahead with input and output in the same data-memory RAM.
tornado.network @readahead_ram(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> attributes {
    device = #tornado.device<max78002>} {
  // expected-error @+1 {{layer 'ra': read-ahead needs input and output in different data memory RAMs (16384-byte RAMs: input 0x0-0x3f, output 0x100-0x13f)}}
  %0 = tornado.layer "ra"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>, readahead,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
