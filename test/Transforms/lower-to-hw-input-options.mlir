// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false fixed-input=true" | FileCheck %s --check-prefix=FIXED
// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false fifo=true fifo-go=true" | FileCheck %s --check-prefix=GO

// --fixed-input: the loader copies 0x55555555, 0xaaaaaaaa, ... instead of
// the sample, two words at a time: the 5 x 5 CHW channel (7 words) gets 8.
// The known answer (not checked here) stays the sample's.
// FIXED: tornado_hw.input processor 0 offset 0 : dense<[1431655765, 2863311530, 1431655765, 2863311530, 1431655765, 2863311530, 1431655765, 2863311530]> : tensor<8xui32>

// --fifo-go (MAX78002): the first layer's stream start register also gets
// bit 25 (start before the first FIFO word): 25 pixels prefilled, CHW
// packs 4 per word -> 7.
// GO-LABEL: tornado_hw.func configure
// GO: write 0x51108000, 0x02000007

tornado.network @net(%in: tensor<1x5x5xi8>) -> tensor<2x5x5xi8>
    attributes {device = #tornado.device<max78002>,
                sample_input = dense<3> : tensor<1x5x5xi8>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x5x5xi8>) -> tensor<2x5x5xi8>
  tornado.return %0 : tensor<2x5x5xi8>
}
