// Option and module-level errors of tornado-lower-to-hw.
// RUN: not tornado-opt %s --tornado-lower-to-hw="timer=-2" 2>&1 | FileCheck %s --check-prefix=TIMER
// RUN: not tornado-opt %s --tornado-lower-to-hw="start-layer=3" 2>&1 | FileCheck %s --check-prefix=START
// RUN: not tornado-opt %s --tornado-lower-to-hw="max-checklines=-1" 2>&1 | FileCheck %s --check-prefix=LINES
// RUN: not tornado-opt %s --tornado-lower-to-hw 2>&1 | FileCheck %s --check-prefix=KAT
// RUN: echo 'module {}' | not tornado-opt --tornado-lower-to-hw 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false fifo=true" | FileCheck %s --check-prefix=FIFO
// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false zero-sram=true compact-data=false" | FileCheck %s --check-prefix=ZERO
// RUN: tornado-opt %s --tornado-lower-to-hw="kat=false powerdown=true" | FileCheck %s --check-prefix=POWER
// RUN: not tornado-opt %s --tornado-lower-to-hw="kat=false fifo-go=true" 2>&1 | FileCheck %s --check-prefix=GO
// RUN: not tornado-opt %s --tornado-lower-to-hw="kat=false fifo=true fixed-input=true" 2>&1 | FileCheck %s --check-prefix=FIXED

// TIMER: timer must be -1 (none) or a timer number, got -2
// START: start-layer 3 exceeds the MAX78000 maximum of 0
// LINES: max-checklines must not be negative
// KAT: the known-answer test needs a sample_input (or kat=false)
// EMPTY: the module holds no tornado.network
// GO: fifo-go is not supported by MAX78000
// FIXED: fixed-input needs the memory input loader (no fifo)

// Only group 0 is used: cnn_start powers down the memories of groups 1-3
// (AON control bits 13-15) before starting.
// POWER-LABEL: tornado_hw.func start
// POWER-NEXT: write 0x50100000, 0x00100808
// POWER-NEXT: write 0x50001000, 0x0000e000
// POWER-NEXT: timer_start

// FIFO: input_loader = #tornado_hw.input_loader<fifo>
// Control with the FIFO enabled (bit 15) in cnn_init.
// FIFO: write 0x50100000, 0x00108008
// Stream start: 16 pixels, CHW packs 4 per word; frame size likewise.
// FIFO: write 0x50100810, 0x00000004
// FIFO: write 0x50100990, 0x00000004
// FIFO control: FIFO 0 carries the channel (bit 12); bit 11 is required on
// this device.
// FIFO: write 0x50000000, 0x00001908
// FIFO: tornado_hw.func start
// FIFO-NEXT: write 0x50100000, 0x00108808
// FIFO-NEXT: timer_start
// FIFO-NEXT: write 0x50100000, 0x00108809

// ZERO: input_loader = #tornado_hw.input_loader<inline_stores>
// After the group setup: self test of each memory in all four groups
// (data first): start, wait for done, fail on the error bit, reset.
// ZERO: write 0x50100004, 0x0000040e
// ZERO-NEXT: write 0x5010000c, 0x00000001
// ZERO-NEXT: write 0x5050000c, 0x00000001
// ZERO-NEXT: write 0x5090000c, 0x00000001
// ZERO-NEXT: write 0x50d0000c, 0x00000001
// ZERO-NEXT: poll 0x5010000c mask 0x08040000 value 0x08040000
// ZERO: check 0x5010000c mask 0x00004000 value 0x00000000
// ZERO: write 0x50d0000c, 0x00000000
// Kernel memory (mask) test next.
// ZERO-NEXT: write 0x5010000c, 0x00000004
// All-zero kernel words are left to the self test: none are loaded here
// except the non-zero ones (the weights are all 1).
// ZERO: tornado_hw.kernels group 0 proc 0 column 0

tornado.network @net(%in: tensor<1x4x4xi8>) -> tensor<2x4x4xi8> {
  %0 = tornado.layer "conv"(%in) {op = #tornado.op<conv2d>, kernel = array<i64: 3, 3>,
      padding = array<i64: 1, 1>, weights = dense<1> : tensor<2x1x3x3xi8>,
      processors = #tornado.procs<0x0000000000000001>,
      output_processors = #tornado.procs<0x0000000000000003>,
      in_offset = 0 : i64, out_offset = 256 : i64, kernel_column = 0 : i64}
      : (tensor<1x4x4xi8>) -> tensor<2x4x4xi8>
  tornado.return %0 : tensor<2x4x4xi8>
}
