// An mlator unload (two sessions of group 1) and a synthesized FIFO input.
tornado_hw.program @mlator attributes {device = "MAX78002", timer = 0 : i32, num_outputs = 16,
    input_loader = #tornado_hw.input_loader<fifo>} {
  tornado_hw.func enable {
    tornado_hw.clock_enable
  }
  tornado_hw.func start {
    tornado_hw.timer_start
    tornado_hw.write 0x51000000, 0x00100009
  }
  tornado_hw.fifo_input fifo 0 repeat 4 add 258 mask 0xffff : dense<[1, 2]> : tensor<2xui32>
  tornado_hw.unload_mlator group 1 lane 2 start 0 increment 0 to [0, 4, 8, 16]
  tornado_hw.unload_mlator group 1 lane 3 start 4 increment 1 to [32]
}
