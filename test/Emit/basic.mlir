// RUN: tornado-emit --emit-c %S/Inputs/tiny.mlir | FileCheck %s
// RUN: rm -rf %t && tornado-emit --emit-c --emit-c-dir=%t %S/Inputs/tiny.mlir
// RUN: FileCheck %s --check-prefix=DIR --input-file=%t/cnn.c

// Files come in a fixed order, each after a marker line.
// CHECK: // ----- FILE: cnn.h
// CHECK-NOT: Copyright
// CHECK: #define CNN_NUM_OUTPUTS 2
// CHECK: #define CNN_INFERENCE_TIMER MXC_TMR0
// CHECK: extern volatile uint32_t cnn_time;
// CHECK: int cnn_enable(uint32_t clock_source, uint32_t clock_divider);
// CHECK: int cnn_unload(uint32_t *out_buf);
// CHECK: int cnn_boost_disable(mxc_gpio_regs_t *port, uint32_t pin);

// CHECK: // ----- FILE: cnn.c
// The ISR clears the bits the `and` mask drops, then stops the timer.
// CHECK-LABEL: void CNN_ISR(void)
// CHECK-NEXT: {
// CHECK-NEXT: *((volatile uint32_t *) 0x50100000) &= ~0x00001001u; // Control, group 0
// CHECK-NEXT: CNN_COMPLETE;
// CHECK: cnn_time = MXC_TMR_SW_Stop(CNN_INFERENCE_TIMER);
// CHECK-LABEL: int cnn_continue(void)
// CHECK: *((volatile uint32_t *) 0x50100000) |= 0x00000001; // Control, group 0
// CHECK-LABEL: int cnn_stop(void)
// CHECK: *((volatile uint32_t *) 0x50100000) &= ~0x00000001u;
// Express records: the byte store selects the first column.
// CHECK-LABEL: int cnn_load_weights(void)
// CHECK: *((volatile uint8_t *) ((uint32_t) dst | 1)) = 0x01;
// CHECK: static const uint8_t bias_0[] = BIAS_0;
// CHECK-LABEL: int cnn_load_bias(void)
// CHECK: load_bias_bytes((volatile uint32_t *) 0x50108000, bias_0, 2);
// CHECK-LABEL: int cnn_init(void)
// CHECK-NEXT: {
// CHECK-NEXT: *((volatile uint32_t *) 0x50001000) = 0x00000000; // AonControl
// CHECK-NEXT: *((volatile uint32_t *) 0x50100000) = 0x00100008; // Control, group 0
// CHECK-NEXT: *((volatile uint32_t *) 0x50100004) = 0x0000040e; // SramControl, group 0
// CHECK-NEXT: *((volatile uint32_t *) 0x50100008) = 0x00000000; // LayerCount, group 0
// CHECK-LABEL: int cnn_configure(void)
// CHECK-NEXT: {
// CHECK-NEXT: // Layer 0, group 0
// CHECK-NEXT: *((volatile uint32_t *) 0x50100010) = 0x00010001; // Rows, layer 0, group 0
// CHECK-NEXT: *((volatile uint32_t *) 0x50100590) = 0x00000b60; // LayerControl, layer 0, group 0
// CHECK-NEXT: *((volatile uint32_t *) 0x50100710) = 0x00010001; // Enables, layer 0, group 0
// The timer starts right before the store that starts group 0.
// CHECK-LABEL: int cnn_start(void)
// CHECK: MXC_TMR_SW_Start(CNN_INFERENCE_TIMER);
// CHECK: CNN_START;
// CHECK-NEXT: *((volatile uint32_t *) 0x50100000) = 0x00100009; // Control, group 0
// CHECK-LABEL: int cnn_unload(uint32_t *out_buf)
// CHECK: src = (volatile uint32_t *) 0x50401000;
// CHECK-NEXT: for (i = 0; i < 2; i++)
// CHECK-NEXT: out_buf[i] = src[i];
// CHECK: src = (volatile uint32_t *) 0x50400000;
// CHECK-NEXT: for (i = 0; i < 3; i++) {
// CHECK-NEXT: val = src[i];
// CHECK-NEXT: out_bytes[0x0008 + i] = val & 0xff;
// CHECK-NEXT: out_bytes[0x000b + i] = (val >> 16) & 0xff;
// CHECK-NEXT: out_bytes[0x000e + i] = (val >> 24) & 0xff;
// CHECK-LABEL: int cnn_enable(uint32_t clock_source, uint32_t clock_divider)
// CHECK-NEXT: {
// CHECK-NEXT: MXC_GCFR->reg3 = 0xf;
// CHECK-NEXT: MXC_GCFR->reg0 = 0x1;
// CHECK-NEXT: MXC_GCFR->reg3 = 0x0;
// CHECK-NEXT: MXC_GCR->pclkdiv = (MXC_GCR->pclkdiv & ~(MXC_F_GCR_PCLKDIV_CNNCLKDIV | MXC_F_GCR_PCLKDIV_CNNCLKSEL))
// CHECK-NEXT: | clock_divider | clock_source;
// CHECK-NOT: IPLL
// CHECK: MXC_NVIC_SetVector(CNN_IRQn, CNN_ISR);
// CHECK-LABEL: int cnn_disable(void)
// CHECK-NEXT: {
// CHECK-NEXT: MXC_SYS_ClockDisable(MXC_SYS_PERIPH_CLOCK_CNN);
// CHECK-NEXT: MXC_GCFR->reg2 |= 0xf;

// Express record: processor base with the column in bits 2.., 5 words for
// 18 bytes (two 9-byte words packed most significant byte first), then 0.
// CHECK: // ----- FILE: weights.h
// CHECK: #define KERNELS { \
// CHECK-NEXT: 0x50180000, 0x00000005, 0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10, 0x11120000, 0x00000000 \
// CHECK-NEXT: }
// CHECK: #define BIAS_0 { \
// CHECK-NEXT: 0x16, 0x1c \

// CHECK: // ----- FILE: sampledata.h
// CHECK: #define SAMPLE_INPUT_0 { \
// CHECK-NEXT: 0x80808080, 0x00000001 \

// CHECK: // ----- FILE: sampleoutput.h
// CHECK: #define SAMPLE_OUTPUT { \
// CHECK-NEXT: 0x50401000, 0xffffffff, 0x00000002, 0xfffecf58, 0x00016cc1, 0x00000000 \

// Memory input: load, then start.
// CHECK: // ----- FILE: main.c
// CHECK: memcpy32((uint32_t *) 0x50400000, input_0, 2);
// CHECK: int check_output(void)
// CHECK: softmax_q17p14_q15((const q31_t *) ml_data, CNN_NUM_OUTPUTS, ml_softmax);
// CHECK: cnn_enable(MXC_S_GCR_PCLKDIV_CNNCLKSEL_PCLK, MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV1);
// CHECK: load_input();
// CHECK-NEXT: cnn_start();
// CHECK: // ----- FILE: softmax.c
// CHECK: void softmax_q17p14_q15(
// CHECK: // ----- FILE: Makefile
// CHECK: TARGET := MAX78000
// CHECK: // ----- FILE: project.mk

// DIR: #include "weights.h"
// DIR: int cnn_init(void)
