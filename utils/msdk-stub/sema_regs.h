/* Minimal stand-in for the MSDK "sema_regs.h" (Tornado tests; see mxc.h). */
#ifndef TORNADO_MSDK_STUB_SEMA_REGS_H
#define TORNADO_MSDK_STUB_SEMA_REGS_H

#include <stdint.h>

typedef struct {
  volatile uint32_t irq0; /* Arm-core interrupt from the RISC-V core */
} mxc_sema_regs_t;
extern mxc_sema_regs_t *const MXC_SEMA;
#define MXC_F_SEMA_IRQ0_EN (0x1u << 0)
#define MXC_F_SEMA_IRQ0_CM4_IRQ (0x1u << 16)

#endif /* TORNADO_MSDK_STUB_SEMA_REGS_H */
