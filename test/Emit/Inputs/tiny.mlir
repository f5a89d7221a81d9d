// A small but complete register-level program (one layer, group 0).
tornado_hw.program @tiny attributes {device = "MAX78000", timer = 0 : i32, softmax, num_outputs = 2} {
  tornado_hw.func enable {
    tornado_hw.sys_write gcfr_reg3, 0xf
    tornado_hw.sys_write gcfr_reg0, 0x1
    tornado_hw.sys_write gcfr_reg3, 0x0
    tornado_hw.clock_enable
  }
  tornado_hw.func init {
    tornado_hw.write 0x50001000, 0x0
    tornado_hw.write 0x50100000, 0x00100008
    tornado_hw.write 0x50100004, 0x40e
    tornado_hw.write 0x50100008, 0x0
  }
  tornado_hw.func configure {
    tornado_hw.write 0x50100010, 0x00010001
    tornado_hw.write 0x50100590, 0x00000b60
    tornado_hw.write 0x50100710, 0x00010001
  }
  tornado_hw.func start {
    tornado_hw.timer_start
    tornado_hw.write 0x50100000, 0x00100009
  }
  tornado_hw.func isr {
    tornado_hw.write and 0x50100000, 0xffffeffe
    tornado_hw.timer_stop
  }
  tornado_hw.func stop {
    tornado_hw.write and 0x50100000, 0xfffffffe
  }
  tornado_hw.func continue {
    tornado_hw.write or 0x50100000, 0x1
  }
  tornado_hw.func disable {
    tornado_hw.clock_disable
    tornado_hw.sys_write or gcfr_reg2, 0xf
  }
  tornado_hw.kernels group 0 proc 0 column 0 : dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18]]> : tensor<2x9xui8>
  tornado_hw.bias group 0 offset 0 : dense<[22, 28]> : tensor<2xui8>
  tornado_hw.input processor 0 offset 0 : dense<[2155905152, 1]> : tensor<2xui32>
  tornado_hw.expect 0x50401000 mask 0xffffffff : dense<[4294889304, 93377]> : tensor<2xui32>
  tornado_hw.unload_words 0x50401000 count 2 to 0
  tornado_hw.unload_bytes 0x50400000 count 3 to [8, -1, 11, 14]
}
