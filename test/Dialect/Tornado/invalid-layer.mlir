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
