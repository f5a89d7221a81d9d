// tornado-configure-host with the main() flags given (MAX78002).
// RUN: tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{max-speed=true switch-delay=0 boost=2.5 wfi=false debugwait=0 clock-trim=0,0,0x1a0 board=BCB defines="A B" c-filename=app weight-filename=w.h}))' | FileCheck %s --check-prefix=FLAGS
// --max-speed: the PLL at divider 1 throughout (the default divider, not
// printed), no switch around cnn_start.
// FLAGS-LABEL: tornado_hw.program @net02
// FLAGS-SAME: board = "BCB"
// FLAGS-SAME: boost = array<i32: 2, 5>
// FLAGS-SAME: clock_source = #tornado_hw.clock_source<ipll>
// FLAGS-SAME: clock_trim = array<i32: 0, 0, 416>
// FLAGS-SAME: debug_wait = 0
// FLAGS-SAME: defines = ["A", "B"]
// FLAGS-SAME: file_names = {main = "app.c", weights = "w.h"}
// FLAGS-NOT: run_clock_divider
// FLAGS-SAME: spin_wait
// FLAGS-NOT: tornado_hw.delay
tornado_hw.program @net02 attributes {device = "MAX78002"} {
  tornado_hw.func enable {
    tornado_hw.sys_write gcfr_reg0, 0x1
    tornado_hw.delay 10000
    tornado_hw.sys_write gcfr_reg2, 0xe
    tornado_hw.clock_enable
  }
}
