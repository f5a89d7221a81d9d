// Errors found while building the images.
// RUN: tornado-opt %s -split-input-file -verify-diagnostics --tornado-lower-to-hw="kat=false fast-fifo=true"
// RUN: sed -e 's/^\/\/ -----$//' %s | not tornado-opt --tornado-lower-to-hw="kat=false prefix=x" 2>&1 | FileCheck %s --check-prefix=PREFIX
// PREFIX: 'prefix' names one program but the module holds {{[0-9]+}} networks

// Two kernel words from column 767 do not fit the 768 columns.
// expected-error @+1 {{kernels of processor 0 reach column 768, beyond its 768 kernel words}}
tornado.network @kernel_overflow(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 767 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

tornado.network @bias_overflow(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  // expected-error @+1 {{layer 'conv': bias entries 511..512 exceed the 512 bias bytes of group 0}}
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      bias = dense<1> : tensor<2xi8>, bias_group = 0 : i64, bias_offset = 511 : i64,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

// expected-error @+1 {{network 'input_result': every result must come from a tornado.layer}}
tornado.network @input_result(%in: tensor<1x4x4xi8>) -> (tensor<2x4x4xi8>, tensor<1x4x4xi8>) {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0, %in : tensor<2x4x4xi8>, tensor<1x4x4xi8>
}

// -----

// Eight HWC channels need two FIFOs; the fast FIFO is one.
// expected-error @+1 {{the fast FIFO carries at most 4 HWC channels or one CHW channel}}
tornado.network @fast_fifo(%in: tensor<8x4x4xi8>) -> tensor<2x4x4xi8> attributes {
    input_format = #tornado.data_format<hwc>, sample_input = dense<1> : tensor<8x4x4xi8>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x8x3x3xi8>,
      processors = #tornado.procs<0x00000000000f000f>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<8x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
