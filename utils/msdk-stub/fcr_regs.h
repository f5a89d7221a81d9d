/* Minimal stand-in for the MSDK "fcr_regs.h" (Tornado tests; see mxc.h). */
#ifndef TORNADO_MSDK_STUB_FCR_REGS_H
#define TORNADO_MSDK_STUB_FCR_REGS_H

#include <stdint.h>

typedef struct {
  volatile uint32_t urvbootaddr; /* RISC-V boot address */
  volatile uint32_t urvctrl;     /* RISC-V control (bit 0: exclusive SRAM) */
} mxc_fcr_regs_t;
extern mxc_fcr_regs_t *const MXC_FCR;

#endif /* TORNADO_MSDK_STUB_FCR_REGS_H */
