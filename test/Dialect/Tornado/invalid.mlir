// RUN: tornado-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{body must end with tornado.return}}
tornado.network @no_return(%in: tensor<1x4x4xi8>) -> () {
  %0 = tornado.passthrough %in : tensor<1x4x4xi8>
}


// -----

tornado.network @return_count(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi8> {
  // expected-error @+1 {{returns 0 values but the network declares 1}}
  tornado.return
}

// -----

tornado.network @return_type(%in: tensor<1x4x4xi8>) -> tensor<1x4x4xi32> {
  // expected-error @+1 {{output 0 has type 'tensor<1x4x4xi8>' but the network declares 'tensor<1x4x4xi32>'}}
  tornado.return %in : tensor<1x4x4xi8>
}

// -----

// expected-error @+1 {{expected integer value}}
module attributes {m = #tornado.procs<foo>} {}

// -----

// expected-error @+1 {{pool kernel must have 1 or 2 dimensions}}
module attributes {p = #tornado.pool<max, kernel = [2, 2, 2], stride = [1, 1, 1], dilation = [1, 1, 1]>} {}

// -----

// expected-error @+1 {{pool kernel, stride and dilation must have the same rank}}
module attributes {p = #tornado.pool<max, kernel = [2, 2], stride = [1], dilation = [1, 1]>} {}

// -----

// expected-error @+1 {{pool kernel, stride and dilation must be >= 1}}
module attributes {p = #tornado.pool<max, kernel = [2, 2], stride = [0, 1], dilation = [1, 1]>} {}

// -----

// expected-error @+1 {{only average pooling can round}}
module attributes {p = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1], rounding>} {}

// -----

// expected-error @+1 {{1-D average pooling always truncates; `rounding` needs a 2-D pool}}
module attributes {p = #tornado.pool<avg, kernel = [2], stride = [2], dilation = [1], rounding>} {}

// -----

// expected-error @+1 {{expected pool kind `max` or `avg`}}
module attributes {p = #tornado.pool<mean, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>} {}

// -----

// expected-error @+1 {{expected 'rounding'}}
module attributes {p = #tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1], round>} {}

// -----

tornado.network @conv_rank(%in: tensor<1x4xi8>) -> () {
  // expected-error @+1 {{expects input and output of rank 3 (channels x H x W)}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4xi8> -> tensor<1x4xi8>
  tornado.return
}

// -----

tornado.network @conv_weights_type(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{weights must have an integer element type}}
  %0 = tornado.conv2d %in {weights = dense<1.0> : tensor<1x1x3x3xf32>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_weights_rank(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{weights must have rank 4 (out x in/groups x kernel), got 3}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_stride_len(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{stride, padding and dilation must each have 2 element(s)}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_channels(%in: tensor<5000x4x4xi8>) -> () {
  // expected-error @+1 {{input channel count 5000 is outside [1,}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x5000x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<5000x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_dims(%in: tensor<1x2000x4xi8>) -> () {
  // expected-error @+1 {{input dimension 2000 is outside [1, 1024]}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x2000x4xi8> -> tensor<1x2000x4xi8>
  tornado.return
}

// -----

tornado.network @conv_groups_divide(%in: tensor<3x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{groups 2 must divide the input channel count 3}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<3x1x3x3xi8>, groups = 2 : i64,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<3x4x4xi8> -> tensor<3x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_groups_device(%in: tensor<4x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{grouped convolution is not supported by MAX78000}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<4x1x3x3xi8>, groups = 4 : i64,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<4x4x4xi8> -> tensor<4x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_groups_depthwise(%in: tensor<4x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78002>} {
  // expected-error @+1 {{only depthwise grouping is supported}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<4x2x3x3xi8>, groups = 2 : i64,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<4x4x4xi8> -> tensor<4x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_out_channels(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{weights have 2 output channels but the result has 1}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<2x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_in_channels(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{weights expect 2 input channels but the input has 1}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x2x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_kernel(%in: tensor<1x8x8xi8>) -> ()
    attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{kernel size 5x5 is not supported by MAX78000}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x5x5xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 2, 2>,
      dilation = array<i64: 1, 1>} : tensor<1x8x8xi8> -> tensor<1x8x8xi8>
  tornado.return
}

// -----

tornado.network @conv_padding(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{padding 40 is outside [0,}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 40, 40>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x82x82xi8>
  tornado.return
}

// -----

tornado.network @conv_stride(%in: tensor<1x40x40xi8>) -> () {
  // expected-error @+1 {{stride 20 is outside [1,}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 20, 20>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x40x40xi8> -> tensor<1x2x2xi8>
  tornado.return
}

// -----

tornado.network @conv_dilation(%in: tensor<1x80x80xi8>) -> () {
  // expected-error @+1 {{dilation 30 is outside [1,}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 30, 30>} : tensor<1x80x80xi8> -> tensor<1x22x22xi8>
  tornado.return
}

// -----

tornado.network @conv_fit(%in: tensor<1x1x1xi8>) -> () {
  // expected-error @+1 {{kernel does not fit the padded input}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 0, 0>,
      dilation = array<i64: 1, 1>} : tensor<1x1x1xi8> -> tensor<1x1x1xi8>
  tornado.return
}

// -----

tornado.network @conv_result(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{result dimension 1 is 4 but the input 1x4x4 gives 2}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 0, 0>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_bias_type(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{bias must have an integer element type}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      bias = dense<1.0> : tensor<1xf32>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_bias_size(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{bias must have one value per output channel (1)}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      bias = dense<1> : tensor<2xi8>,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_weight_bits(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{weight_bits 3 is not supported by MAX78000}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      weight_bits = 3 : i64,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv_shift(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{output_shift 100 with 8-bit weights gives a total shift of 100, outside the range}}
  %0 = tornado.conv2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      output_shift = 100 : i64,
      stride = array<i64: 1, 1>, padding = array<i64: 1, 1>,
      dilation = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @conv1d_rank(%in: tensor<1x4x4xi8>) -> () {
  // expected-error @+1 {{expects input and output of rank 2 (channels x length)}}
  %0 = tornado.conv1d %in {weights = dense<1> : tensor<1x1x3xi8>,
      stride = array<i64: 1>, padding = array<i64: 1>,
      dilation = array<i64: 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @convt_result(%in: tensor<1x4x4xi8>) -> ()
    attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{result dimension 1 is 4 but the input 1x4x4 gives 8}}
  %0 = tornado.conv_transpose2d %in {weights = dense<1> : tensor<1x1x3x3xi8>,
      stride = array<i64: 2, 2>, padding = array<i64: 1, 1>,
      output_padding = array<i64: 1, 1>} : tensor<1x4x4xi8> -> tensor<1x4x4xi8>
  tornado.return
}

// -----

tornado.network @linear_rank(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{linear weights must have rank 2 (out x in)}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x8x1xi8>}
      : tensor<8xi8> -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @linear_type(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{weights must have an integer element type}}
  %0 = tornado.linear %in {weights = dense<1.0> : tensor<2x8xf32>}
      : tensor<8xi8> -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @linear_in(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{input has 8 elements but the weights expect 9}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x9xi8>}
      : tensor<8xi8> -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @linear_out(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{result must have 2 channels (one per weight row)}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x8xi8>}
      : tensor<8xi8> -> tensor<3xi8>
  tornado.return
}

// -----

tornado.network @linear_bias(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{bias must have one value per output (2)}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x8xi8>,
      bias = dense<0> : tensor<3xi8>} : tensor<8xi8> -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @linear_channels(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{output channel count 5000 is outside [1,}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<5000x8xi8>}
      : tensor<8xi8> -> tensor<5000xi8>
  tornado.return
}

// -----

tornado.network @linear_shift(%in: tensor<8xi8>) -> () {
  // expected-error @+1 {{output_shift -100 with 8-bit weights gives a total shift of -100, outside the range}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x8xi8>,
      output_shift = -100 : i64} : tensor<8xi8> -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @pool_input_rank(%in: tensor<1x8xi8>) -> () {
  // expected-error @+1 {{a 2D pool needs a feature map of rank 3}}
  %0 = tornado.pool %in {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<1x8xi8> -> tensor<1x4xi8>
  tornado.return
}

// -----

tornado.network @pool_size(%in: tensor<1x40x40xi8>) -> () {
  // expected-error @+1 {{pool size 17 is outside [1, 16]}}
  %0 = tornado.pool %in {pool = #tornado.pool<max, kernel = [17, 17], stride = [1, 1], dilation = [1, 1]>}
      : tensor<1x40x40xi8> -> tensor<1x24x24xi8>
  tornado.return
}

// -----

tornado.network @pool_stride(%in: tensor<1x40x40xi8>) -> () {
  // expected-error @+1 {{pool stride 17 exceeds 16}}
  %0 = tornado.pool %in {pool = #tornado.pool<max, kernel = [2, 2], stride = [17, 17], dilation = [1, 1]>}
      : tensor<1x40x40xi8> -> tensor<1x3x3xi8>
  tornado.return
}

// -----

tornado.network @pool_dilation(%in: tensor<1x40x40xi8>) -> ()
    attributes {device = #tornado.device<max78000>} {
  // expected-error @+1 {{pool dilation is not supported by MAX78000}}
  %0 = tornado.pool %in {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [2, 2]>}
      : tensor<1x40x40xi8> -> tensor<1x19x19xi8>
  tornado.return
}

// -----

tornado.network @pool_window(%in: tensor<1x2x2xi8>) -> () {
  // expected-error @+1 {{pool window 3 is larger than the input dimension 2}}
  %0 = tornado.pool %in {pool = #tornado.pool<avg, kernel = [3, 3], stride = [1, 1], dilation = [1, 1]>}
      : tensor<1x2x2xi8> -> tensor<1x1x1xi8>
  tornado.return
}

// -----

tornado.network @pool_result(%in: tensor<1x8x8xi8>) -> () {
  // expected-error @+1 {{result shape must be 1x4x4}}
  %0 = tornado.pool %in {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<1x8x8xi8> -> tensor<1x8x8xi8>
  tornado.return
}

// -----

tornado.network @pool_type(%in: tensor<1x8x8xi8>) -> () {
  // expected-error @+1 {{pooling keeps the element type}}
  %0 = tornado.pool %in {pool = #tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>}
      : tensor<1x8x8xi8> -> tensor<1x4x4xi32>
  tornado.return
}

// -----

tornado.network @eltwise_count(%in: tensor<1x8x8xi8>) -> () {
  // expected-error @+1 {{element-wise operations take 2 to 16 operands, got 1}}
  %0 = tornado.eltwise <add> %in : (tensor<1x8x8xi8>) -> tensor<1x8x8xi8>
  tornado.return
}

// -----

tornado.network @eltwise_types(%a: tensor<1x8x8xi8>, %b: tensor<1x4x8xi8>) -> () {
  // expected-error @+1 {{element-wise operands must have the same type}}
  %0 = tornado.eltwise <add> %a, %b : (tensor<1x8x8xi8>, tensor<1x4x8xi8>) -> tensor<1x8x8xi8>
  tornado.return
}

// -----

tornado.network @eltwise_result(%a: tensor<1x8x8xi8>) -> () {
  // expected-error @+1 {{result type must match the operands}}
  %0 = tornado.eltwise <or> %a, %a : (tensor<1x8x8xi8>, tensor<1x8x8xi8>) -> tensor<1x8x8xi32>
  tornado.return
}

// -----

tornado.network @bn_param(%in: tensor<2x8x8xi8>) -> () {
  // expected-error @+1 {{variance must be a float vector of 2 elements}}
  %0 = tornado.batchnorm %in {mean = dense<0.0> : tensor<2xf32>,
      variance = dense<1.0> : tensor<3xf32>} : tensor<2x8x8xi8>
  tornado.return
}

// -----

tornado.network @bn_eps(%in: tensor<2x8x8xi8>) -> () {
  // expected-error @+1 {{epsilon must not be negative}}
  %0 = tornado.batchnorm %in {mean = dense<0.0> : tensor<2xf32>,
      variance = dense<1.0> : tensor<2xf32>, epsilon = -1.0 : f64} : tensor<2x8x8xi8>
  tornado.return
}

// -----

tornado.network @flatten(%in: tensor<2x8x8xi8>) -> () {
  // expected-error @+1 {{result must be a vector of 128 elements}}
  %0 = tornado.flatten %in : tensor<2x8x8xi8> -> tensor<64xi8>
  tornado.return
}

// -----

tornado.network @concat_spatial(%a: tensor<2x8x8xi8>, %b: tensor<2x4x8xi8>) -> () {
  // expected-error @+1 {{concatenated feature maps must have the same spatial shape}}
  %0 = tornado.concat %a, %b : (tensor<2x8x8xi8>, tensor<2x4x8xi8>) -> tensor<4x8x8xi8>
  tornado.return
}

// -----

tornado.network @concat_result(%a: tensor<2x8x8xi8>) -> () {
  // expected-error @+1 {{result shape must be 4x8x8}}
  %0 = tornado.concat %a, %a : (tensor<2x8x8xi8>, tensor<2x8x8xi8>) -> tensor<3x8x8xi8>
  tornado.return
}

// -----

tornado.network @concat_empty() -> () {
  // expected-error @+1 {{needs at least one operand}}
  %0 = tornado.concat : () -> tensor<3x8x8xi8>
  tornado.return
}

// -----

tornado.network @shift_narrow(%in: tensor<8xi8>) -> () {
  // 2-bit weights add an implicit shift of 6: 10 + 6 is out of range.
  // expected-error @+1 {{output_shift 10 with 2-bit weights gives a total shift of 16}}
  %0 = tornado.linear %in {weights = dense<1> : tensor<2x8xi8>,
      weight_bits = 2 : i64, output_shift = 10 : i64} : tensor<8xi8> -> tensor<2xi8>
  tornado.return
}

// -----

tornado.network @reshape_channels(%in: tensor<2x4x4xi8>) -> () {
  // expected-error @+1 {{reshaping reads at most the input's pixels per channel, or regroups all of its elements}}
  %0 = tornado.reshape %in : tensor<2x4x4xi8> -> tensor<4x9xi8>
  tornado.return
}

// -----

tornado.network @reshape_more(%in: tensor<2x4x4xi8>) -> () {
  // expected-error @+1 {{reshaping reads at most the input's pixels per channel, or regroups all of its elements}}
  %0 = tornado.reshape %in : tensor<2x4x4xi8> -> tensor<2x5x4xi8>
  tornado.return
}

// -----

tornado.network @reshape_type(%in: tensor<2x4x4xi8>) -> () {
  // expected-error @+1 {{reshaping keeps the element type}}
  %0 = tornado.reshape %in : tensor<2x4x4xi8> -> tensor<2x16xi32>
  tornado.return
}
