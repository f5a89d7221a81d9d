/* Minimal stand-in for the MSDK "gcfr_regs.h" (Tornado tests; see mxc.h). */
#ifndef TORNADO_MSDK_STUB_GCFR_REGS_H
#define TORNADO_MSDK_STUB_GCFR_REGS_H

#include <stdint.h>

/* Power, memory, isolation and reset controls of the CNN domains. */
typedef struct {
  volatile uint32_t reg0;
  volatile uint32_t reg1;
  volatile uint32_t reg2;
  volatile uint32_t reg3;
} mxc_gcfr_regs_t;
extern mxc_gcfr_regs_t *const MXC_GCFR;

#endif /* TORNADO_MSDK_STUB_GCFR_REGS_H */
