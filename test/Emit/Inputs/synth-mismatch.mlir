tornado_hw.program @mismatch attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fifo>} {
  tornado_hw.fifo_input fifo 0 repeat 3 add 1 mask 0xffff : dense<[1, 2]> : tensor<2xui32>
  tornado_hw.fifo_input fifo 1 repeat 3 add 2 mask 0xffff : dense<[1, 2]> : tensor<2xui32>
}
