// RUN: tornado-emit --hw-print %s -split-input-file -verify-diagnostics

// expected-error @+1 {{unknown device 'MAX99999'}}
tornado_hw.program @p attributes {device = "MAX99999"} {
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
  }
  // expected-error @+1 {{duplicate function 'init'}}
  tornado_hw.func init {
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
    // Kernel memory is no register.
    // expected-error @+1 {{address 0x50180000 is no register of MAX78000}}
    tornado_hw.write 0x50180000, 0x1
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78002"} {
  tornado_hw.func init {
    // A MAX78000 group-1 address means nothing on the MAX78002.
    // expected-error @+1 {{address 0x50500000 is no register of MAX78002}}
    tornado_hw.write 0x50500000, 0x8
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
    // expected-error @+1 {{address must be a 32-bit aligned address}}
    tornado_hw.write 0x50100002, 0x8
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
    // expected-error @+1 {{value must fit in 32 bits}}
    tornado_hw.write 0x50100000, 0x100000000
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
    // expected-error @+1 {{value has bits outside the mask}}
    tornado_hw.poll 0x5010000c mask 0x1 value 0x3
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func isr {
    // expected-error @+1 {{is only allowed in init, configure and start}}
    tornado_hw.check 0x5010000c mask 0x4000 value 0x0
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
    // expected-error @+1 {{is only allowed in enable and disable}}
    tornado_hw.sys_write gcfr_reg0, 0xf
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func disable {
    // expected-error @+1 {{is only allowed in enable}}
    tornado_hw.clock_enable
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func isr {
    // expected-error @+1 {{is only allowed in start}}
    tornado_hw.timer_start
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.func init {
    // expected-error @+1 {{unknown system register 'gcfr_reg9'}}
    tornado_hw.sys_write gcfr_reg9, 0xf
  }
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // MAX78000 processors have 768 kernel words.
  // expected-error @+1 {{columns 767..768 exceed the processor's 768 kernel words}}
  tornado_hw.kernels group 0 proc 0 column 767 : dense<0> : tensor<2x9xui8>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{expects N x 9 bytes (72-bit kernel words)}}
  tornado_hw.kernels group 0 proc 0 column 0 : dense<0> : tensor<2x8xui8>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{group/processor out of range}}
  tornado_hw.kernels group 0 proc 16 column 0 : dense<0> : tensor<1x9xui8>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  tornado_hw.kernels group 0 proc 1 column 10 : dense<0> : tensor<4x9xui8>
  // expected-error @+1 {{overlaps another kernel image of group 0 processor 1}}
  tornado_hw.kernels group 0 proc 1 column 13 : dense<0> : tensor<1x9xui8>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000",
    kernel_loader = #tornado_hw.kernel_loader<per_processor>} {
  tornado_hw.kernels group 0 proc 1 column 0 : dense<0> : tensor<1x9xui8>
  // expected-error @+1 {{the per-processor loader needs one image per processor}}
  tornado_hw.kernels group 0 proc 1 column 5 : dense<0> : tensor<1x9xui8>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // MAX78000 groups have 512 bias entries.
  // expected-error @+1 {{bias entries 511..512 exceed the group's 512 entries}}
  tornado_hw.bias group 0 offset 511 : dense<1> : tensor<2xui8>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{expects data of rank 1 with i8 or ui8 elements}}
  tornado_hw.bias group 0 offset 0 : dense<1> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{words must be aligned and stay inside one 32768-byte data memory}}
  tornado_hw.input processor 0 offset 32764 : dense<1> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{requires a FIFO input loader}}
  tornado_hw.fifo_input fifo 0 : dense<1> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fifo>} {
  // expected-error @+1 {{FIFO must be 0..3}}
  tornado_hw.fifo_input fifo 4 : dense<1> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fifo>} {
  // expected-error @+1 {{repeat, add and mask go together}}
  tornado_hw.fifo_input fifo 0 {repeat = 2 : i64} : dense<1> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fifo>} {
  // expected-error @+1 {{repeat must be at least 1}}
  tornado_hw.fifo_input fifo 0 repeat 0 add 1 mask 0xff : dense<1> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{lane must be 0..3}}
  tornado_hw.unload_mlator group 0 lane 4 start 0 increment 0 to [0]
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{group must be 0..3}}
  tornado_hw.unload_mlator group 4 lane 0 start 0 increment 0 to [0]
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{output offsets must be non-negative multiples of 4, got 6}}
  tornado_hw.unload_mlator group 0 lane 0 start 0 increment 0 to [0, 6]
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{needs at least one read}}
  tornado_hw.unload_mlator group 0 lane 0 start 0 increment 0 to []
}

// -----

// expected-error @+1 {{the fast FIFO is only reachable from RISC-V}}
tornado_hw.program @p attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fast_fifo>} {
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{expected value 1 has bits outside the mask}}
  tornado_hw.expect 0x50400000 mask 0xff : dense<[1, 256]> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // The last word would be in the next data-memory instance.
  // expected-error @+1 {{words must lie in one data-memory instance of MAX78000}}
  tornado_hw.expect 0x50407ffc mask 0xffffffff : dense<[1, 2]> : tensor<2xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000", kat = false} {
  // expected-error @+1 {{requires a program with kat = true}}
  tornado_hw.expect 0x50400000 mask 0xffffffff : dense<[1]> : tensor<1xui32>
}

// -----

tornado_hw.program @p attributes {device = "MAX78000", unload = false} {
  // expected-error @+1 {{requires a program with unload = true}}
  tornado_hw.unload_words 0x50400000 count 1 to 0
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{output offset must be a multiple of 4}}
  tornado_hw.unload_words 0x50400000 count 1 to 2
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{expects 4 lane offsets}}
  tornado_hw.unload_bytes 0x50400000 count 1 to [0, 1]
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{expects at least one used lane}}
  tornado_hw.unload_bytes 0x50400000 count 1 to [-1, -1, -1, -1]
}

// -----

// expected-error @+1 {{softmax needs cnn_unload (unload = true) and num_outputs > 0}}
tornado_hw.program @p attributes {device = "MAX78000", softmax} {
}

// -----

// expected-error @+1 {{MAX78000 has no PLL clock source}}
tornado_hw.program @p attributes {device = "MAX78000",
    clock_source = #tornado_hw.clock_source<ipll>} {
}

// -----

tornado_hw.program @p attributes {device = "MAX78000"} {
  // expected-error @+1 {{unknown function kind 'reset'}}
  tornado_hw.func reset {
  }
}
