// RUN: tornado-opt %s --split-input-file --tornado-lower-to-hw="kat=false fifo=true synthesize-input=1 synthesize-words=8" -verify-diagnostics | FileCheck %s
// RUN: not tornado-opt %s --split-input-file --tornado-lower-to-hw="kat=false synthesize-input=1 synthesize-words=8" 2>&1 | FileCheck %s --check-prefix=NOFIFO

// --synthesize-input: one HWC channel, 16 pixels; the second block of 8
// words is the first plus 1 (masked to the one channel's byte), so the
// program stores 8 words and repeats them twice.
// CHECK: tornado_hw.fifo_input fifo 0 repeat 2 add 1 mask 0x000000ff : dense<0> : tensor<8xui32>
// NOFIFO: synthesize-input needs HWC input through the FIFOs
tornado.network @synth(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>,
                sample_input = dense<[[[0, 0, 0, 0], [0, 0, 0, 0],
                                       [1, 1, 1, 1], [1, 1, 1, 1]]]> : tensor<1x4x4xi8>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}

// -----

// A sample that was not synthesized with the same step is refused.
// expected-error @+1 {{network 'plain': word 8 of FIFO 0 does not follow the synthesized input (import the sample with the same --synthesize-input)}}
tornado.network @plain(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
    attributes {input_format = #tornado.data_format<hwc>,
                sample_input = dense<0> : tensor<1x4x4xi8>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
