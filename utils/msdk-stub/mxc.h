/*
 * Minimal stand-in for the Analog Devices MSDK umbrella header "mxc.h".
 *
 * Written for Tornado's tests: it declares only what Tornado-generated
 * projects use, so their C can be compiled (not linked) without the SDK.
 * Values of the register-field macros are placeholders; the real SDK
 * headers define the actual ones.
 */
#ifndef TORNADO_MSDK_STUB_MXC_H
#define TORNADO_MSDK_STUB_MXC_H

#include <stdint.h>

/* Core and interrupts. */
typedef enum { CNN_IRQn = 1, RISCV_IRQn = 2 } IRQn_Type;
void MXC_NVIC_SetVector(IRQn_Type irq, void (*handler)(void));
void NVIC_EnableIRQ(IRQn_Type irq);
void NVIC_EnableEVENT(IRQn_Type irq);
void NVIC_ClearPendingIRQ(IRQn_Type irq);
void NVIC_ClearPendingEVENT(IRQn_Type irq);
void __enable_irq(void);
extern uint32_t SystemCoreClock;
void SystemCoreClockUpdate(void);

/* Global control (clock divider, PLL). */
typedef struct {
  volatile uint32_t pclkdiv;
  volatile uint32_t ipll_ctrl;
} mxc_gcr_regs_t;
extern mxc_gcr_regs_t *const MXC_GCR;
#define MXC_F_GCR_PCLKDIV_CNNCLKDIV (0x7u << 14)
#define MXC_F_GCR_PCLKDIV_CNNCLKSEL (0x3u << 17)
#define MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV1 (0x0u << 14)
#define MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV2 (0x1u << 14)
#define MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV4 (0x2u << 14)
#define MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV8 (0x3u << 14)
#define MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV16 (0x4u << 14)
#define MXC_S_GCR_PCLKDIV_CNNCLKSEL_PCLK (0x0u << 17)
#define MXC_S_GCR_PCLKDIV_CNNCLKSEL_IPLL (0x1u << 17)
#define MXC_F_GCR_IPLL_CTRL_EN (0x1u << 0)
#define MXC_F_GCR_IPLL_CTRL_RDY (0x1u << 8)

/* System clocks and peripheral clock gates. */
typedef enum {
  MXC_SYS_PERIPH_CLOCK_CNN,
  MXC_SYS_PERIPH_CLOCK_SMPHR,
  MXC_SYS_PERIPH_CLOCK_CPU1
} mxc_sys_periph_clock_t;
typedef enum { MXC_SYS_CLOCK_IPO } mxc_sys_system_clock_t;
void MXC_SYS_ClockEnable(mxc_sys_periph_clock_t clock);
void MXC_SYS_ClockDisable(mxc_sys_periph_clock_t clock);
int MXC_SYS_Clock_Select(mxc_sys_system_clock_t clock);
int MXC_SYS_ClockSourceEnable(mxc_sys_system_clock_t clock);

/* Delays. */
int MXC_Delay(uint32_t us);
#define USEC(us) ((uint32_t) (us))
#define MSEC(ms) ((uint32_t) (ms) * 1000u)
#define SEC(s) ((uint32_t) (s) * 1000000u)

/* Instruction cache, low power. */
typedef struct {
  volatile uint32_t ctrl;
} mxc_icc_regs_t;
extern mxc_icc_regs_t *const MXC_ICC0;
extern mxc_icc_regs_t *const MXC_ICC1;
void MXC_ICC_Enable(mxc_icc_regs_t *icc);
void MXC_LP_EnterSleepMode(void);
void MXC_LP_EnterLowPowerMode(void);

/* Power sequencer (RISC-V wake-up of the Arm core from low power). */
typedef struct {
  volatile uint32_t lppwen;
} mxc_pwrseq_regs_t;
extern mxc_pwrseq_regs_t *const MXC_PWRSEQ;
#define MXC_F_PWRSEQ_LPPWEN_CPU1 (0x1u << 3)

/* System control block (deep sleep). */
typedef struct {
  volatile uint32_t SCR;
} scb_type_t;
extern scb_type_t *const SCB;
#define SCB_SCR_SLEEPDEEP_Msk (0x1u << 2)

/* RISC-V JTAG. */
void Debug_Init(void);

/* Timers. */
typedef struct {
  volatile uint32_t cnt;
} mxc_tmr_regs_t;
extern mxc_tmr_regs_t *const MXC_TMR0;
extern mxc_tmr_regs_t *const MXC_TMR1;
extern mxc_tmr_regs_t *const MXC_TMR2;
extern mxc_tmr_regs_t *const MXC_TMR3;
extern mxc_tmr_regs_t *const MXC_TMR4;
extern mxc_tmr_regs_t *const MXC_TMR5;
void MXC_TMR_SW_Start(mxc_tmr_regs_t *tmr);
unsigned int MXC_TMR_SW_Stop(mxc_tmr_regs_t *tmr);
void MXC_TMR_Delay(mxc_tmr_regs_t *tmr, uint32_t us);

/* GPIO. */
typedef struct {
  volatile uint32_t out;
} mxc_gpio_regs_t;
extern mxc_gpio_regs_t *const MXC_GPIO0;
extern mxc_gpio_regs_t *const MXC_GPIO1;
extern mxc_gpio_regs_t *const MXC_GPIO2;
extern mxc_gpio_regs_t *const MXC_GPIO3;
#define MXC_GPIO_PIN_0 (1u << 0)
#define MXC_GPIO_PIN_1 (1u << 1)
#define MXC_GPIO_PIN_2 (1u << 2)
#define MXC_GPIO_PIN_3 (1u << 3)
#define MXC_GPIO_PIN_4 (1u << 4)
#define MXC_GPIO_PIN_5 (1u << 5)
#define MXC_GPIO_PIN_6 (1u << 6)
#define MXC_GPIO_PIN_7 (1u << 7)
#define MXC_GPIO_PIN_8 (1u << 8)
#define MXC_GPIO_PIN_9 (1u << 9)
#define MXC_GPIO_PIN_10 (1u << 10)
#define MXC_GPIO_PIN_11 (1u << 11)
#define MXC_GPIO_PIN_12 (1u << 12)
#define MXC_GPIO_PIN_13 (1u << 13)
#define MXC_GPIO_PIN_14 (1u << 14)
#define MXC_GPIO_PIN_15 (1u << 15)
#define MXC_GPIO_PIN_16 (1u << 16)
#define MXC_GPIO_PIN_17 (1u << 17)
#define MXC_GPIO_PIN_18 (1u << 18)
#define MXC_GPIO_PIN_19 (1u << 19)
#define MXC_GPIO_PIN_20 (1u << 20)
#define MXC_GPIO_PIN_21 (1u << 21)
#define MXC_GPIO_PIN_22 (1u << 22)
#define MXC_GPIO_PIN_23 (1u << 23)
#define MXC_GPIO_PIN_24 (1u << 24)
#define MXC_GPIO_PIN_25 (1u << 25)
#define MXC_GPIO_PIN_26 (1u << 26)
#define MXC_GPIO_PIN_27 (1u << 27)
#define MXC_GPIO_PIN_28 (1u << 28)
#define MXC_GPIO_PIN_29 (1u << 29)
#define MXC_GPIO_PIN_30 (1u << 30)
#define MXC_GPIO_PIN_31 (1u << 31)
typedef enum { MXC_GPIO_FUNC_IN, MXC_GPIO_FUNC_OUT } mxc_gpio_func_t;
typedef enum { MXC_GPIO_PAD_NONE } mxc_gpio_pad_t;
typedef enum { MXC_GPIO_VSSEL_VDDIO, MXC_GPIO_VSSEL_VDDIOH } mxc_gpio_vssel_t;
typedef enum { MXC_GPIO_DRVSTR_0, MXC_GPIO_DRVSTR_1 } mxc_gpio_drvstr_t;
typedef struct {
  mxc_gpio_regs_t *port;
  uint32_t mask;
  mxc_gpio_func_t func;
  mxc_gpio_pad_t pad;
  mxc_gpio_vssel_t vssel;
  mxc_gpio_drvstr_t drvstr;
} mxc_gpio_cfg_t;
int MXC_GPIO_Config(const mxc_gpio_cfg_t *cfg);
void MXC_GPIO_OutSet(mxc_gpio_regs_t *port, uint32_t mask);
void MXC_GPIO_OutClr(mxc_gpio_regs_t *port, uint32_t mask);

/* Board support (EV kit LEDs). */
void LED_On(unsigned int idx);
void LED_Off(unsigned int idx);

#endif /* TORNADO_MSDK_STUB_MXC_H */
