// RUN: tornado-opt %s --tornado-lower-to-hw="prefix=tiny timer=0 softmax=true" | FileCheck %s
// RUN: tornado-opt %s --tornado-lower-to-hw="mexpress=false old-kernel-loader=true kat=false unload=false" | FileCheck %s --check-prefix=OPTS

// A CHW 3x3 convolution (2 channels, bias, ReLU, shift -1) feeding a
// flattened linear layer with 32-bit output, on MAX78000 group 0.

// CHECK-LABEL: tornado_hw.program @tiny
// CHECK-SAME: num_outputs = 3
// CHECK-SAME: softmax
// CHECK-SAME: timer = 0 : i32
// Power: group 0 only (mask 1, isolate the other three).
// CHECK: tornado_hw.func enable
// CHECK-NEXT: sys_write gcfr_reg3, 0xf
// CHECK-NEXT: sys_write gcfr_reg1, 0x1
// CHECK-NEXT: sys_write gcfr_reg0, 0x1
// CHECK-NEXT: sys_write gcfr_reg2, 0xe
// CHECK-NEXT: sys_write gcfr_reg3, 0x0
// CHECK-NEXT: clock_enable
// AON, control (express bit 20, clocks bit 3), SRAM control, last layer 1.
// CHECK: tornado_hw.func init
// CHECK-NEXT: write 0x50001000, 0x00000000
// CHECK-NEXT: write 0x50100000, 0x00100008
// CHECK-NEXT: write 0x50100004, 0x0000040e
// CHECK-NEXT: write 0x50100008, 0x00000001
// CHECK-NEXT: }
// Layer 0: rows/columns 4 - 1 + 2 * pad 1 with the pad in bits 16-17; write
// pointer 0x100 / 4; mask offset 1 << 13; layer control master, CHW,
// max-pool default, ReLU, SRAM source; 2 output processors * 8 bits in
// control 2; kernels 2 words (bit max 8); TRAM 4 + 2 - 3 + 1 - 1; shift
// right 1 with the bias at entry 0; processors and masks 0x1.
// CHECK: tornado_hw.func configure
// CHECK-NEXT: write 0x50100010, 0x00010005
// CHECK-NEXT: write 0x50100090, 0x00010005
// CHECK-NEXT: write 0x50100310, 0x00000040
// CHECK-NEXT: write 0x50100410, 0x00002000
// CHECK-NEXT: write 0x50100590, 0x00000b60
// CHECK-NEXT: write 0x50100a10, 0x00000800
// CHECK-NEXT: write 0x50100610, 0x00000008
// CHECK-NEXT: write 0x50100690, 0x00000003
// CHECK-NEXT: write 0x50100790, 0x00023000
// CHECK-NEXT: write 0x50100710, 0x00010001
// Layer 1 (flatten, 32-bit): rows/columns 0 are not stored; time-slot
// offset 1 (1x1); 16 pixels - 1 in control 2 with 3 outputs * 8; 48 kernels
// from column 4 (bit 9 * 4 * 8); 1x1 marker; 32-bit output bit 16.
// CHECK-NEXT: write 0x50100314, 0x00000080
// CHECK-NEXT: write 0x50100394, 0x00000001
// CHECK-NEXT: write 0x50100414, 0x00002000
// CHECK-NEXT: write 0x50100514, 0x00000040
// CHECK-NEXT: write 0x50100594, 0x00010920
// CHECK-NEXT: write 0x50100a14, 0x0000100f
// CHECK-NEXT: write 0x50100614, 0x01200298
// CHECK-NEXT: write 0x50100114, 0x00000100
// CHECK-NEXT: write 0x50100714, 0x00030003
// CHECK-NEXT: }
// Start: group 0 with external sync, the timer, then the run bit.
// CHECK: tornado_hw.func start
// CHECK-NEXT: write 0x50100000, 0x00100808
// CHECK-NEXT: timer_start
// CHECK-NEXT: write 0x50100000, 0x00100009
// CHECK: tornado_hw.func isr
// CHECK-NEXT: write and 0x50100000, 0xffffeffe
// CHECK-NEXT: timer_stop
// CHECK: tornado_hw.func stop
// CHECK-NEXT: write and 0x50100000, 0xfffffffe
// CHECK: tornado_hw.func continue
// CHECK-NEXT: write or 0x50100000, 0x00000001
// CHECK: tornado_hw.func disable
// CHECK-NEXT: clock_disable
// Kernels: one 3x3 kernel per output channel, in weight order.
// CHECK: tornado_hw.kernels group 0 proc 0 column 0 : dense<{{\[}}[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18]]> : tensor<2x9xui8>
// CHECK: tornado_hw.kernels group 0 proc 0 column 4 :
// CHECK: tornado_hw.kernels group 0 proc 1 column 4 :
// CHECK: tornado_hw.bias group 0 offset 0 : dense<[1, 255]> : tensor<2xui8>
// CHW: 4 pixels per word, first pixel in the low byte.
// CHECK: tornado_hw.input processor 0 offset 0 : dense<[67305985, 134678021, 202050057, 269422093]> : tensor<4xui32>
// Known answer: 3 words at 0x200 of instance 0; unload copies them.
// CHECK: tornado_hw.expect 0x50400200 mask 0xffffffff : dense<{{.*}}> : tensor<3xui32>
// CHECK: tornado_hw.unload_words 0x50400200 count 3 to 0

// OPTS: tornado_hw.program @net attributes
// OPTS-SAME: kat = false
// OPTS-SAME: kernel_format = #tornado_hw.kernel_format<plain>
// OPTS-SAME: kernel_loader = #tornado_hw.kernel_loader<per_processor>
// OPTS-SAME: unload = false
// Control without the express bit.
// OPTS: write 0x50100000, 0x00000008
// Old loader: one op per processor, from its first to its last column.
// OPTS: tornado_hw.kernels group 0 proc 0 column 0 : {{.*}} : tensor<{{[0-9]+}}x9xui8>
// OPTS-NEXT: tornado_hw.kernels group 0 proc 1 column 4 :
// OPTS-NOT: tornado_hw.expect
// OPTS-NOT: tornado_hw.unload

tornado.network @net(%in: tensor<1x4x4xi8>) -> tensor<3xi32>
    attributes {sample_input = dense<[[[1, 2, 3, 4], [5, 6, 7, 8],
                                       [9, 10, 11, 12], [13, 14, 15, 16]]]> : tensor<1x4x4xi8>} {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
      weights = dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]],
                       [[[10, 11, 12], [13, 14, 15], [16, 17, 18]]]]> : tensor<2x1x3x3xi8>,
      bias = dense<[1, -1]> : tensor<2xi8>, output_shift = -1 : i64,
      activation = #tornado.activation<relu>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64,
      bias_group = 0 : i64, bias_offset = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  %1 = tornado.layer "fc"(%0) {op = #tornado.op<linear>, flatten,
      weights = dense<1> : tensor<3x32xi8>, output_width = 32 : i64,
      processors = #tornado.procs<0x0000000000000003>,
      output_processors = #tornado.procs<0x0000000000000007>,
      in_offset = 256 : i64, out_offset = 512 : i64, kernel_column = 4 : i64}
      : (tensor<2x4x4xi8>) -> tensor<3xi32>
  tornado.return %1 : tensor<3xi32>
}
