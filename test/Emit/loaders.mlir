// RUN: tornado-emit --emit-c -split-input-file %s | FileCheck %s
// Synthesized FIFOs must agree (one loop pushes them all).
// RUN: not tornado-emit --emit-c %S/Inputs/synth-mismatch.mlir 2>&1 | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: synthesized FIFO inputs must all repeat the same number of words with the same step and mask
// RUN: tornado-emit --emit-c %S/Inputs/mlator.mlir | FileCheck %s --check-prefix=MLATOR
// An mlator session: the group's layer-0 write pointer and layer control
// 2 take the address counter and step, the control register turns the
// mlator on for the lane (bit 3 clock, bit 16 load, bits 17-18 lane), one
// read primes it, consecutive outputs become a loop, then the mlator is
// turned off.
// MLATOR-LABEL: FILE: cnn.c
// MLATOR: {{^}}int cnn_unload(uint32_t *out_buf){{$}}
// MLATOR-NEXT: {
// MLATOR-NEXT: uint32_t i;
// MLATOR: // mlator of group 1, byte lane 2
// MLATOR-NEXT: *((volatile uint32_t *) 0x5210001c) = 0x00000000;
// MLATOR-NEXT: *((volatile uint32_t *) 0x52100034) = 0x00000000;
// MLATOR-NEXT: *((volatile uint32_t *) 0x52000000) = 0x00050008;
// MLATOR-NEXT: (void) *((volatile uint32_t *) 0x52110000); // the first read primes the mlator
// MLATOR-NEXT: for (i = 0; i < 3; i++)
// MLATOR-NEXT: out_buf[0 + i] = *((volatile uint32_t *) 0x52110000);
// MLATOR-NEXT: out_buf[4] = *((volatile uint32_t *) 0x52110000);
// MLATOR-NEXT: *((volatile uint32_t *) 0x52000000) = 0x00000008;
// MLATOR: // mlator of group 1, byte lane 3
// MLATOR-NEXT: *((volatile uint32_t *) 0x5210001c) = 0x00000004;
// MLATOR-NEXT: *((volatile uint32_t *) 0x52100034) = 0x00000001;
// MLATOR-NEXT: *((volatile uint32_t *) 0x52000000) = 0x00070008;
// MLATOR: out_buf[8] = *((volatile uint32_t *) 0x52110000);

// Plain records: physical slot address, 4 words per kernel word (byte 0,
// bytes 1-4, bytes 5-8, committing 0), no set-column store.
// CHECK-LABEL: FILE: cnn.h
// CHECK: {{^}}int cnn_load_weights(void){{$}}
// CHECK-NOT: volatile uint8_t
// CHECK: n = *rec++;
// CHECK: #define KERNELS { \
// CHECK-NEXT: 0x50184020, 0x00000004, 0x00000001, 0x02030405, 0x06070809, 0x00000000, 0x00000000 \
tornado_hw.program @plain attributes {device = "MAX78000",
    kernel_format = #tornado_hw.kernel_format<plain>} {
  tornado_hw.kernels group 0 proc 1 column 2 : dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9]]> : tensor<1x9xui8>
}

// -----

// Per-processor express arrays: set the column, then copy ceil(9n/4) words.
// CHECK-LABEL: FILE: cnn.h
// CHECK: static const uint32_t kernels_17[] = KERNELS_17;
// CHECK-LABEL: {{^}}int cnn_load_weights(void){{$}}
// CHECK-NEXT: {
// CHECK-NEXT: *((volatile uint8_t *) 0x50584009) = 0x01; // processor 17, column 2
// CHECK-NEXT: memcpy32((uint32_t *) 0x50584008, kernels_17, 5);
// CHECK: #define KERNELS_17 { \
// CHECK-NEXT: 0x01020304, 0x05060708, 0x09010203, 0x04050607, 0x08090000 \
tornado_hw.program @old_express attributes {device = "MAX78000",
    kernel_loader = #tornado_hw.kernel_loader<per_processor>} {
  tornado_hw.kernels group 1 proc 1 column 2 : dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9]]> : tensor<2x9xui8>
}

// -----

// Per-processor plain arrays: three words per kernel word; the helper adds
// the committing store.
// CHECK-LABEL: FILE: cnn.h
// CHECK: static void load_plain_kernels(volatile uint32_t *dst, const uint32_t *src, int n)
// CHECK: *dst++ = 0;
// CHECK: load_plain_kernels((volatile uint32_t *) 0x50180000, kernels_0, 1);
// CHECK: #define KERNELS_0 { \
// CHECK-NEXT: 0x00000001, 0x02030405, 0x06070809 \
tornado_hw.program @old_plain attributes {device = "MAX78000",
    kernel_format = #tornado_hw.kernel_format<plain>,
    kernel_loader = #tornado_hw.kernel_loader<per_processor>} {
  tornado_hw.kernels group 0 proc 0 column 0 : dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9]]> : tensor<1x9xui8>
}

// -----

// FIFOs of different lengths: one loop, the shorter FIFO guarded; each push
// waits while the FIFO's Full bit is set. Start before loading.
// CHECK-LABEL: FILE: cnn.h
// CHECK: FILE: sampledata.h
// CHECK: #define SAMPLE_FIFO_0 { \
// CHECK: #define SAMPLE_FIFO_2 { \
// CHECK: FILE: main.c
// CHECK: for (i = 0; i < 3; i++) {
// CHECK-NEXT: while ((*((volatile uint32_t *) 0x50000004) & 0x00000001) != 0)
// CHECK-NEXT: ; // FIFO 0 is full
// CHECK-NEXT: *((volatile uint32_t *) 0x50000008) = fifo_0[i];
// CHECK-NEXT: if (i < 2) {
// CHECK-NEXT: while ((*((volatile uint32_t *) 0x50000004) & 0x00000004) != 0)
// CHECK-NEXT: ; // FIFO 2 is full
// CHECK-NEXT: *((volatile uint32_t *) 0x50000010) = fifo_2[i];
// CHECK-NEXT: }
// CHECK: cnn_start();
// CHECK-NEXT: load_input();
tornado_hw.program @fifo attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fifo>} {
  tornado_hw.fifo_input fifo 0 : dense<[1, 2, 3]> : tensor<3xui32>
  tornado_hw.fifo_input fifo 2 : dense<[4, 5]> : tensor<2xui32>
}

// -----

// A synthesized input: the two stored words are pushed 3 times, the step
// added (masked) after each round.
// CHECK-LABEL: FILE: cnn.h
// CHECK: #define SAMPLE_FIFO_0 { \
// CHECK-NEXT: 0x00000001, 0x00000002 \
// CHECK: FILE: main.c
// CHECK: uint32_t add = 0;
// CHECK: for (i = 0; i < 6; i++) {
// CHECK-NEXT: while ((*((volatile uint32_t *) 0x50000004) & 0x00000001) != 0)
// CHECK-NEXT: ; // FIFO 0 is full
// CHECK-NEXT: *((volatile uint32_t *) 0x50000008) = (fifo_0[i % 2] + add) & 0x00ffffff;
// CHECK-NEXT: if (i % 2 == 1)
// CHECK-NEXT: add = (add + 0x00002580) & 0x00ffffff;
tornado_hw.program @synth attributes {device = "MAX78000",
    input_loader = #tornado_hw.input_loader<fifo>} {
  tornado_hw.fifo_input fifo 0 repeat 3 add 9600 mask 0xffffff : dense<[1, 2]> : tensor<2xui32>
}

// -----

// RISC-V with the fast FIFO: its own status and data registers; the ISR
// and main run on the RISC-V core; main.c boots it from the Arm core.
// CHECK-LABEL: FILE: cnn.h
// CHECK: void __attribute__((interrupt("machine"))) CNN_IRQHandler(void)
// CHECK: NVIC_ClearPendingIRQ(CNN_IRQn);
// CHECK: NVIC_EnableIRQ(CNN_IRQn);
// CHECK: FILE: main_riscv.c
// CHECK: while ((*((volatile uint32_t *) 0x400c0404) & 0x00000002) != 0)
// CHECK: *((volatile uint32_t *) 0x400c0410) = fifo_0[i];
// CHECK: asm volatile("wfi");
// CHECK: MXC_SEMA->irq0 = MXC_F_SEMA_IRQ0_EN | MXC_F_SEMA_IRQ0_CM4_IRQ;
// CHECK: FILE: main.c
// CHECK: MXC_FCR->urvbootaddr = (uint32_t) &__FlashStart_;
// CHECK: FILE: project.mk
// CHECK: RISCV_LOAD = 1
tornado_hw.program @riscv attributes {device = "MAX78000", riscv, riscv_cache, riscv_flash,
    input_loader = #tornado_hw.input_loader<fast_fifo>} {
  tornado_hw.func enable {
    tornado_hw.clock_enable
  }
  tornado_hw.func isr {
    tornado_hw.write and 0x50100000, 0xffffeffe
    tornado_hw.timer_stop
  }
  tornado_hw.fifo_input fifo 0 : dense<[1, 2]> : tensor<2xui32>
}

// -----

// Inline input stores; MAX78002 with the PLL: the enable waits for it.
// CHECK-LABEL: FILE: cnn.h
// CHECK: {{^}}int cnn_init(void){{$}}
// CHECK: while ((*((volatile uint32_t *) 0x5100000c) & 0x02000000) != 0x02000000)
// CHECK-NEXT: ; // wait for SramTest, group 0
// CHECK-NEXT: if ((*((volatile uint32_t *) 0x5100000c) & 0x00004000) != 0x00000000)
// CHECK-NEXT: return CNN_FAIL; // SramTest, group 0 reports a failure
// CHECK: {{^}}int cnn_enable(uint32_t clock_source, uint32_t clock_divider){{$}}
// CHECK-NEXT: {
// CHECK-NEXT: MXC_GCFR->reg0 = 0xf;
// CHECK-NEXT: MXC_Delay(MSEC(10));
// CHECK-NEXT: if (clock_source == MXC_S_GCR_PCLKDIV_CNNCLKSEL_IPLL)
// CHECK: MXC_GCR->pclkdiv =
// CHECK: FILE: main.c
// CHECK: {{^}}void load_input(void){{$}}
// CHECK-NEXT: {
// CHECK-NEXT: *((volatile uint32_t *) 0x51800004) = 0x00000007;
// CHECK-NEXT: *((volatile uint32_t *) 0x51800008) = 0x00000008;
// CHECK: MXC_GCR->ipll_ctrl |= MXC_F_GCR_IPLL_CTRL_EN;
// CHECK: cnn_enable(MXC_S_GCR_PCLKDIV_CNNCLKSEL_IPLL, MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV4);
tornado_hw.program @inline attributes {device = "MAX78002",
    input_loader = #tornado_hw.input_loader<inline_stores>,
    clock_source = #tornado_hw.clock_source<ipll>, clock_divider = 4 : i32} {
  tornado_hw.func enable {
    tornado_hw.sys_write gcfr_reg0, 0xf
    tornado_hw.delay 10000
    tornado_hw.clock_enable
  }
  tornado_hw.func init {
    tornado_hw.write 0x5100000c, 0x1c80
    tornado_hw.poll 0x5100000c mask 0x2000000 value 0x2000000
    tornado_hw.check 0x5100000c mask 0x4000 value 0
  }
  tornado_hw.input processor 0 offset 4 : dense<[7, 8]> : tensor<2xui32>
}

// -----

// No known-answer test: no sampleoutput.h and no check_output().
// CHECK-LABEL: FILE: cnn.h
// CHECK-NOT: FILE: sampleoutput.h
// CHECK: FILE: main.c
// CHECK-NOT: check_output
// CHECK: FILE: softmax.c
tornado_hw.program @nokat attributes {device = "MAX78000", kat = false} {
}
