// RUN: tornado-opt %s -split-input-file -verify-diagnostics

tornado.network @no_inputs() -> () {
  // expected-error @+1 {{needs at least one input}}
  %0 = tornado.layer "l"() {} : () -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @pool_first(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{pool_first = false needs an element-wise operation}}
  %0 = tornado.layer "l"(%in) {pool_first = false} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @eltwise_one(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{element-wise operations take 2 to 16 operands, got 1}}
  %0 = tornado.layer "l"(%in) {eltwise = #tornado.eltwise<add>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @concat_spatial(%a: tensor<1x4x4xi8>, %b: tensor<1x2x4xi8>) -> () {
  // expected-error @+1 {{concatenated feature maps must have the same spatial shape}}
  %0 = tornado.layer "l"(%a, %b) {} : (tensor<1x4x4xi8>, tensor<1x2x4xi8>) -> tensor<2x4x4xi8>
  tornado.return
}

// -----

tornado.network @pool_size(%in: tensor<1x40x40xi8>) -> () {
  // expected-error @+1 {{pool size 20 is outside [1, 16]}}
  %0 = tornado.layer "l"(%in) {pool = #tornado.pool<max, kernel = [20, 20], stride = [1, 1], dilation = [1, 1]>}
      : (tensor<1x40x40xi8>) -> tensor<1x21x21xi8>
  tornado.return
}

// -----

tornado.network @flatten_conv(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{flatten is only valid for a linear layer or a 1x1 convolution}}
  %0 = tornado.layer "l"(%in) {flatten, op = #tornado.op<conv2d>, padding = array<i64: 1, 1>,
      weights = dense<1> : tensor<1x1x3x3xi8>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @none_weights(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{a layer without an operation has no weights or bias}}
  %0 = tornado.layer "l"(%in) {weights = dense<1> : tensor<1x1x1x1xi8>}
      : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @none_shape(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{result shape must be 1x4x4}}
  %0 = tornado.layer "l"(%in) {} : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return
}

// -----

tornado.network @need_weights(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{operation 'conv2d' needs weights}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @weights_rank(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{weights must have rank 4}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, weights = dense<1> : tensor<1x1x1xi8>}
      : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @kernel_mismatch(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{kernel 3x3 does not match the weights' 1x1}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      weights = dense<1> : tensor<1x1x1x1xi8>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @output_padding(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{output_padding is only valid for conv_transpose2d}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, output_padding = array<i64: 1, 1>,
      weights = dense<1> : tensor<1x1x1x1xi8>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @layer_conv_shape(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{result dimension 2 is 5 but the input 1x4x4 gives 4}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>,
      weights = dense<1> : tensor<1x1x1x1xi8>} : (tensor<1x4x4xi8>) -> tensor<1x4x5xi8>
  tornado.return
}

// -----

tornado.network @layer_linear(%in: tensor<2x2x2xi8>) -> () {
  // expected-error @+1 {{input has 8 elements but the weights expect 4}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, flatten,
      weights = dense<1> : tensor<3x4xi8>} : (tensor<2x2x2xi8>) -> tensor<3xi8>
  tornado.return
}

// -----

tornado.network @output_width(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{output_width must be 8 or 32, got 16}}
  %0 = tornado.layer "l"(%in) {output_width = 16 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @output_width_type(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{output_width 32 requires an i32 result}}
  %0 = tornado.layer "l"(%in) {output_width = 32 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @wide_activation(%in: tensor<4xi8>) -> () {
  // expected-error @+1 {{32-bit output cannot be combined with an activation}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, weights = dense<1> : tensor<2x4xi8>,
      output_width = 32 : i64, activation = #tornado.activation<relu>}
      : (tensor<4xi8>) -> tensor<2xi32>
  tornado.return
}

// -----

tornado.network @offset_align(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{out_offset 6 must be a multiple of 4 inside the data memory}}
  %0 = tornado.layer "l"(%in) {out_offset = 6 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @offset_range(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{in_offset 4194304 must be a multiple of 4 inside the data memory}}
  %0 = tornado.layer "l"(%in) {in_offset = 4194304 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @gap(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{write_gap must not be negative}}
  %0 = tornado.layer "l"(%in) {write_gap = -1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @kernel_column(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{kernel_column 100000 is beyond the}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, weights = dense<1> : tensor<1x1x1x1xi8>,
      kernel_column = 100000 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @bias_group(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{bias_group 4 is not one of the 4 groups}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, weights = dense<1> : tensor<1x1x1x1xi8>,
      bias = dense<1> : tensor<1xi8>, bias_group = 4 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @bias_offset(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{bias_offset 100000 is beyond the}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, weights = dense<1> : tensor<1x1x1x1xi8>,
      bias = dense<1> : tensor<1xi8>, bias_offset = 100000 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @empty_mask(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{processor masks must select at least one processor}}
  %0 = tornado.layer "l"(%in) {processors = #tornado.procs<0x0>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

// A layer without convolution keeps its data in the groups of 16 processors
// it reads from: an element-wise sum cannot write group 1 from group 0.
tornado.network @pass_through_other_group(%in: tensor<4x4x4xi8>) -> () {
  // expected-error @+1 {{layer 'sum' has no convolution, so it cannot move data between groups of 16 processors: its output processors 0x00000000000f0000 must be, in each group, one run as long as its processors 0x00000000000000f0 there}}
  %0 = tornado.layer "sum"(%in, %in) {eltwise = #tornado.eltwise<add>,
      processors = #tornado.procs<0xf0>, output_processors = #tornado.procs<0xf0000>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

// Pooling only, on MAX78002: within a group the outputs must be one run.
tornado.network @pass_through_hole(%in: tensor<8x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{layer 'pool' has no convolution, so it cannot move data between groups of 16 processors: its output processors 0x0000000000000f0f must be, in each group, one run as long as its processors 0x00000000000000ff there}}
  %0 = tornado.layer "pool"(%in) {
      pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>,
      processors = #tornado.procs<0xff>, output_processors = #tornado.procs<0xf0f>}
      : (tensor<8x4x4xi8>) -> tensor<8x2x2xi8>
  tornado.return
}

// -----

// A pass-through spread over two groups cannot leave one of them: 4
// processors in group 0 and 4 in group 1 need 4 outputs in each.
tornado.network @pass_through_merge(%in: tensor<8x4x4xi8>) -> () {
  // expected-error @+1 {{layer 'copy' has no convolution, so it cannot move data between groups of 16 processors: its output processors 0x00000000000000ff must be, in each group, one run as long as its processors 0x00000000000f000f there}}
  %0 = tornado.layer "copy"(%in) {
      processors = #tornado.procs<0xf000f>, output_processors = #tornado.procs<0xff>}
      : (tensor<8x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return
}

// -----

tornado.network @pin_unknown(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{pinned names 'weights', which is not a resource attribute}}
  %0 = tornado.layer "l"(%in) {pinned = ["weights"]} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @pin_missing(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{pins 'out_offset' but does not set it}}
  %0 = tornado.layer "l"(%in) {pinned = ["out_offset"]} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @none_shift(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{a layer without an operation has no output shift}}
  %0 = tornado.layer "l"(%in) {output_shift = 16 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @operands_split(%in: tensor<3x4x4xi8>) -> () {
  // expected-error @+1 {{the input's 3 channels do not split into 2 equal operands}}
  %0 = tornado.layer "l"(%in) {eltwise = #tornado.eltwise<add>, operands = 2 : i64}
      : (tensor<3x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @operands_no_eltwise(%in: tensor<4x4x4xi8>) -> () {
  // expected-error @+1 {{operands is only meaningful with an element-wise operation}}
  %0 = tornado.layer "l"(%in) {operands = 2 : i64} : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

tornado.network @eltwise_types(%a: tensor<2x4x4xi8>, %b: tensor<2x4x4xi32>) -> () {
  // expected-error @+1 {{element-wise operands must have the same type}}
  %0 = tornado.layer "l"(%a, %b) {eltwise = #tornado.eltwise<add>}
      : (tensor<2x4x4xi8>, tensor<2x4x4xi32>) -> tensor<2x4x4xi8>
  tornado.return
}

// -----

tornado.network @none_activation(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{a layer without an operation cannot have an activation}}
  %0 = tornado.layer "l"(%in) {activation = #tornado.activation<relu>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @bias_offsets(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{bias_offsets needs one entry per group (4)}}
  %0 = tornado.layer "l"(%in) {bias_offsets = array<i64: 0, 1>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @bias_offsets_range(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{bias_offsets entry 100000 is outside [-1, 512)}}
  %0 = tornado.layer "l"(%in) {bias_offsets = array<i64: 0, -1, -1, 100000>} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @calcx4(%in: tensor<1x4x4xi8>) -> () attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{calcx4 is not supported by MAX78000}}
  %0 = tornado.layer "l"(%in) {calcx4} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @readahead(%in: tensor<1x4x4xi8>) -> () attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{readahead/tcalc is not supported by MAX78000}}
  %0 = tornado.layer "l"(%in) {readahead} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @tcalc(%in: tensor<1x4x4xi8>) -> () attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{readahead/tcalc is not supported by MAX78000}}
  %0 = tornado.layer "l"(%in) {tcalc = true} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

// MAX78000 cannot skip input words between reads (the izer: "`read_gap`
// must be 0 for this device").
tornado.network @read_gap(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{read_gap 1 needs a device that can skip input words between reads; MAX78000 reads with read_gap 0}}
  %0 = tornado.layer "l"(%in) {read_gap = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @read_gap_02(%in: tensor<1x4x4xi8>) -> () attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "l"(%in) {read_gap = 1 : i64} : (tensor<1x4x4xi8>) -> tensor<1x4x4xi8>
  tornado.return
}

// -----

// The hardware restrictions the izer enforces (ai8x-synthesis backend checks).

// MAX78000 pools over one pass only, unless the result is one pixel.
tornado.network @pool_passes(%in: tensor<128x4x4xi8>) -> () {
  // expected-error @+1 {{pooling in a layer without a convolution reads 128 channels in 2 passes; MAX78000 pools over at most 1 pass}}
  %0 = tornado.layer "l"(%in) {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : (tensor<128x4x4xi8>) -> tensor<128x2x2xi8>
  tornado.return
}

// -----

tornado.network @pool_passes_1px(%in: tensor<128x2x2xi8>) -> () {
  %0 = tornado.layer "l"(%in) {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : (tensor<128x2x2xi8>) -> tensor<128x1x1xi8>
  tornado.return
}

// -----

// MAX78000 emulates element-wise operations over more than 2 passes: alone.
tornado.network @eltwise_emulated(%a: tensor<128x4x4xi8>, %b: tensor<128x4x4xi8>, %c: tensor<128x4x4xi8>) -> () {
  // expected-error @+1 {{an element-wise operation of 3 operands over 2 passes runs emulated on MAX78000 and cannot be combined with pooling or a convolution}}
  %0 = tornado.layer "l"(%a, %b, %c) {eltwise = #tornado.eltwise<add>, op = #tornado.op<conv2d>,
      weights = dense<1> : tensor<8x128x1x1xi8>}
      : (tensor<128x4x4xi8>, tensor<128x4x4xi8>, tensor<128x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return
}

// -----

// 2 operands x 2 passes is the one multi-pass element-wise form that
// convolves.
tornado.network @eltwise_2x2(%a: tensor<128x4x4xi8>, %b: tensor<128x4x4xi8>) -> () {
  %0 = tornado.layer "l"(%a, %b) {eltwise = #tornado.eltwise<add>, op = #tornado.op<conv2d>,
      weights = dense<1> : tensor<8x128x1x1xi8>}
      : (tensor<128x4x4xi8>, tensor<128x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return
}

// -----

tornado.network @eltwise_conv_bias(%a: tensor<4x4x4xi8>, %b: tensor<4x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{on MAX78002 an element-wise operation cannot share a layer with a convolution that has a bias}}
  %0 = tornado.layer "l"(%a, %b) {eltwise = #tornado.eltwise<add>, op = #tornado.op<conv2d>,
      weights = dense<1> : tensor<4x4x1x1xi8>, bias = dense<[0, 1, 0, 0]> : tensor<4xi8>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

// An all-zero bias is no bias (the izer places none).
tornado.network @eltwise_conv_zero_bias(%a: tensor<4x4x4xi8>, %b: tensor<4x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "l"(%a, %b) {eltwise = #tornado.eltwise<add>, op = #tornado.op<conv2d>,
      weights = dense<1> : tensor<4x4x1x1xi8>, bias = dense<0> : tensor<4xi8>}
      : (tensor<4x4x4xi8>, tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv1d_pad_passes(%in: tensor<128x16xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{a padded Conv1d cannot read 128 input channels in 2 passes on MAX78002}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv1d>, weights = dense<1> : tensor<8x128x3xi8>,
      padding = array<i64: 1>}
      : (tensor<128x16xi8>) -> tensor<8x16xi8>
  tornado.return
}

// -----

tornado.network @flatten_pixels(%in: tensor<1x32x32xi8>) -> () {
  // expected-error @+1 {{flatten reads 1024 pixels per channel; at most 256 are supported}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, flatten, weights = dense<1> : tensor<2x1024xi8>}
      : (tensor<1x32x32xi8>) -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @flatten_pool(%in: tensor<1x8x8xi8>) -> () {
  // expected-error @+1 {{flatten cannot be combined with pooling in one layer}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, flatten, weights = dense<1> : tensor<2x16xi8>,
      pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : (tensor<1x8x8xi8>) -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @flatten_stream(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{flatten cannot be combined with streaming}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, flatten, streaming, weights = dense<1> : tensor<2x16xi8>}
      : (tensor<1x4x4xi8>) -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @depthwise_out_align(%in: tensor<8x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{a depth-wise convolution writes from output processor 1, which is not a multiple of 4}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, groups = 8 : i64, weights = dense<1> : tensor<8x1x3x3xi8>,
      padding = array<i64: 1, 1>, processors = #tornado.procs<0x00000000000001fe>,
      output_processors = #tornado.procs<0x00000000000001fe>}
      : (tensor<8x4x4xi8>) -> tensor<8x4x4xi8>
  tornado.return
}

// -----

tornado.network @depthwise_span_align(%in: tensor<17x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{a depth-wise convolution spanning groups must start on a processor that is a multiple of 4, not 1}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, groups = 17 : i64, weights = dense<1> : tensor<17x1x3x3xi8>,
      padding = array<i64: 1, 1>, processors = #tornado.procs<0x000000000003fffe>,
      output_processors = #tornado.procs<0x00000000001ffff0>}
      : (tensor<17x4x4xi8>) -> tensor<17x4x4xi8>
  tornado.return
}

// -----

tornado.network @input_count(%in: tensor<4x4x4xi8>) -> () {
  // expected-error @+1 {{4 input channels in 1 pass need 4 processors per pass, but processors 0x000000000000001f has 5}}
  %0 = tornado.layer "l"(%in) {processors = #tornado.procs<0x000000000000001f>}
      : (tensor<4x4x4xi8>) -> tensor<4x4x4xi8>
  tornado.return
}

// -----

tornado.network @flatten_input_count(%in: tensor<2x2x2xi8>) -> () {
  // expected-error @+1 {{2 input channels (before flattening) in 1 pass need 2 processors per pass, but processors 0x0000000000000001 has 1}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, flatten, weights = dense<1> : tensor<3x8xi8>,
      processors = #tornado.procs<0x0000000000000001>}
      : (tensor<2x2x2xi8>) -> tensor<3xi8>
  tornado.return
}

// -----

tornado.network @output_count(%in: tensor<100x4x4xi8>) -> () {
  // expected-error @+1 {{100 output channels in 2 passes need 52 output processors per pass, but output_processors 0x00000000ffffffff has 32}}
  %0 = tornado.layer "l"(%in) {output_processors = #tornado.procs<0x00000000ffffffff>}
      : (tensor<100x4x4xi8>) -> tensor<100x4x4xi8>
  tornado.return
}

// -----

// The write pointer steps by passes * (write_gap + 1) - 1 extra words after
// each output word: 4 bits on MAX78000 (the izer's test-widegap).
tornado.network @write_gap_field(%in: tensor<4x4x4xi8>) -> () {
  // expected-error @+1 {{write_gap 15 with 2 output passes steps the write pointer by 31 extra words; MAX78000 steps by at most 15}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, weights = dense<1> : tensor<128x4x1x1xi8>,
      write_gap = 15 : i64}
      : (tensor<4x4x4xi8>) -> tensor<128x4x4xi8>
  tornado.return
}

// -----

tornado.network @write_gap_field_02(%in: tensor<4x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  %0 = tornado.layer "l"(%in) {op = #tornado.op<conv2d>, weights = dense<1> : tensor<128x4x1x1xi8>,
      write_gap = 15 : i64}
      : (tensor<4x4x4xi8>) -> tensor<128x4x4xi8>
  tornado.return
}

// -----

tornado.network @calcx4_linear(%in: tensor<16xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{calcx4 needs a convolution or a flattening linear layer; use a 1x1 convolution here}}
  %0 = tornado.layer "l"(%in) {op = #tornado.op<linear>, calcx4, weights = dense<1> : tensor<24x16xi8>}
      : (tensor<16xi8>) -> tensor<24xi8>
  tornado.return
}
