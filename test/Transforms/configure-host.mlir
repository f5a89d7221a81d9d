// tornado-configure-host turns the izer's clock, power, board and RISC-V
// flags into program attributes (the emitter prints them in main()).
// RUN: tornado-opt %s --split-input-file --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host))' | FileCheck %s --check-prefix=DEFAULT
// RUN: tornado-opt %s --split-input-file --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{pll=off clock-divider=2 switch-delay=3}))' | FileCheck %s --check-prefix=APB

// MAX78002 by default: PLL, weights and data loaded at divider 4, the
// network run at divider 1; the 10 ms load-switch delay stays.
// DEFAULT-LABEL: tornado_hw.program @net02
// DEFAULT-SAME: clock_divider = 4
// DEFAULT-SAME: clock_source = #tornado_hw.clock_source<ipll>
// DEFAULT-SAME: run_clock_divider = 1
// DEFAULT: tornado_hw.delay 10000
// The APB clock: one divider, no switch; the delay as given.
// APB-LABEL: tornado_hw.program @net02
// APB-SAME: clock_divider = 2
// APB-NOT: run_clock_divider
// APB: tornado_hw.delay 3000
tornado_hw.program @net02 attributes {device = "MAX78002"} {
  tornado_hw.func enable {
    tornado_hw.sys_write gcfr_reg0, 0x1
    tornado_hw.delay 10000
    tornado_hw.sys_write gcfr_reg2, 0xe
    tornado_hw.clock_enable
  }
}

// -----

// MAX78000: the APB clock at divider 1, no delay (none is inserted by
// default; a switch delay adds one before the isolation is released).
// DEFAULT-LABEL: tornado_hw.program @net00
// DEFAULT-SAME: {device = "MAX78000"}
// DEFAULT-NOT: run_clock_divider
// DEFAULT-NOT: tornado_hw.delay
// APB-LABEL: tornado_hw.program @net00
// APB: tornado_hw.sys_write gcfr_reg0
// APB-NEXT: tornado_hw.delay 3000
// APB-NEXT: tornado_hw.sys_write gcfr_reg2
tornado_hw.program @net00 attributes {device = "MAX78000"} {
  tornado_hw.func enable {
    tornado_hw.sys_write gcfr_reg0, 0x1
    tornado_hw.sys_write gcfr_reg2, 0xe
    tornado_hw.clock_enable
  }
}
