// RUN: tornado-emit --hw-print %s | FileCheck %s
// RUN: tornado-emit --hw-print %s | tornado-emit --hw-print | FileCheck %s

// CHECK-LABEL: tornado_hw.program @roundtrip
// CHECK-SAME: device = "MAX78002"
// CHECK-SAME: input_loader = #tornado_hw.input_loader<fifo>
// CHECK-SAME: kernel_format = #tornado_hw.kernel_format<plain>
tornado_hw.program @roundtrip attributes {
    device = "MAX78002",
    kernel_format = #tornado_hw.kernel_format<plain>,
    input_loader = #tornado_hw.input_loader<fifo>,
    clock_source = #tornado_hw.clock_source<ipll>, clock_divider = 4 : i32,
    timer = 0 : i32, kat = true, num_outputs = 4} {
  // CHECK: tornado_hw.func enable {
  // CHECK-NEXT: tornado_hw.sys_write gcfr_reg0, 0xf
  // CHECK-NEXT: tornado_hw.delay 10000
  // CHECK-NEXT: tornado_hw.sys_write and gcfr_reg2, 0x0
  // CHECK-NEXT: tornado_hw.clock_enable
  tornado_hw.func enable {
    tornado_hw.sys_write gcfr_reg0, 0xf
    tornado_hw.delay 10000
    tornado_hw.sys_write and gcfr_reg2, 0
    tornado_hw.clock_enable
  }
  // CHECK: tornado_hw.func init {
  // CHECK-NEXT: tornado_hw.write 0x5100000c, 0x00001c80
  // CHECK-NEXT: tornado_hw.poll 0x5100000c mask 0x02000000 value 0x02000000
  // CHECK-NEXT: tornado_hw.check 0x5100000c mask 0x00004000 value 0x00000000
  // CHECK-NEXT: tornado_hw.write or 0x51000000, 0x00000008
  tornado_hw.func init {
    tornado_hw.write 0x5100000c, 0x1c80
    tornado_hw.poll 0x5100000c mask 0x2000000 value 0x2000000
    tornado_hw.check 0x5100000c mask 0x4000 value 0
    tornado_hw.write or 0x51000000, 8
  }
  // CHECK: tornado_hw.func start {
  // CHECK-NEXT: tornado_hw.timer_start
  // CHECK-NEXT: tornado_hw.write 0x51000000, 0x00100009
  tornado_hw.func start {
    tornado_hw.timer_start
    tornado_hw.write 0x51000000, 0x00100009
  }
  // CHECK: tornado_hw.func isr {
  // CHECK-NEXT: tornado_hw.write and 0x51000000, 0xffffeffe
  // CHECK-NEXT: tornado_hw.timer_stop
  tornado_hw.func isr {
    tornado_hw.write and 0x51000000, 0xffffeffe
    tornado_hw.timer_stop
  }
  // CHECK: tornado_hw.func disable {
  // CHECK-NEXT: tornado_hw.clock_disable
  tornado_hw.func disable {
    tornado_hw.clock_disable
  }
  // CHECK: tornado_hw.kernels group 3 proc 15 column 5 : dense<{{.*}}> : tensor<1x9xui8>
  tornado_hw.kernels group 3 proc 15 column 5 : dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9]]> : tensor<1x9xui8>
  // CHECK: tornado_hw.bias group 1 offset 2040 : dense<[1, 255]> : tensor<2xui8>
  tornado_hw.bias group 1 offset 2040 : dense<[1, 255]> : tensor<2xui8>
  // CHECK: tornado_hw.fifo_input fifo 3 : dense_resource<fifo3> : tensor<2xui32>
  tornado_hw.fifo_input fifo 3 : dense_resource<fifo3> : tensor<2xui32>
  // CHECK: tornado_hw.fifo_input fifo 2 repeat 4 add 9600 mask 0x00ffffff : dense<[1, 2]> : tensor<2xui32>
  tornado_hw.fifo_input fifo 2 repeat 4 add 9600 mask 0x00ffffff : dense<[1, 2]> : tensor<2xui32>
  // CHECK: tornado_hw.unload_mlator group 3 lane 1 start 8 increment 1 to [0, 4]
  tornado_hw.unload_mlator group 3 lane 1 start 8 increment 1 to [0, 4]
  // CHECK: tornado_hw.expect 0x51800000 mask 0x00ffffff : dense<[1, 2]> : tensor<2xui32>
  tornado_hw.expect 0x51800000 mask 0x00ffffff : dense<[1, 2]> : tensor<2xui32>
  // CHECK: tornado_hw.unload_words 0x51800000 count 2 step 3 to 8
  tornado_hw.unload_words 0x51800000 count 2 step 3 to 8
  // CHECK: tornado_hw.unload_bytes 0x51800000 count 4 to [0, -1, -1, 7] out_step 2
  tornado_hw.unload_bytes 0x51800000 count 4 step 1 to [0, -1, -1, 7] out_step 2
}

{-#
  dialect_resources: {
    builtin: {
      fifo3: "0x040000000100000002000000"
    }
  }
#-}
