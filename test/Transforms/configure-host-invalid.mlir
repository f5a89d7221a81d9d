// Every refusal of tornado-configure-host.
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{pll=on}))' 2>&1 | FileCheck %s --check-prefix=PLL
// PLL: error: --pll: the MAX78000 has no PLL for the CNN clock
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{max-speed=true}))' 2>&1 | FileCheck %s --check-prefix=SPEED
// SPEED: error: --max-speed needs the PLL clock
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{clock-divider=3}))' 2>&1 | FileCheck %s --check-prefix=DIV
// DIV: error: --clock-divider must be a power of two up to 16, not 3
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{boost=x.1}))' 2>&1 | FileCheck %s --check-prefix=BOOST
// BOOST: error: --boost must be port.pin (e.g. 2.5), not 'x.1'
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{clock-trim=1,2}))' 2>&1 | FileCheck %s --check-prefix=TRIM
// TRIM: error: --clock-trim expects three numbers A,B,C, not '1,2'
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{deepsleep=true}))' 2>&1 | FileCheck %s --check-prefix=SLEEP
// SLEEP: error: --deepsleep needs --riscv
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{riscv-debug=true}))' 2>&1 | FileCheck %s --check-prefix=RISCV
// RISCV: error: RISC-V settings (cache, flash, exclusive, debug) need a program for the RISC-V core (--riscv)
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{pll=maybe}))' 2>&1 | FileCheck %s --check-prefix=TRI
// TRI: error: pll must be auto, on or off, not 'maybe'
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{board=EvKit_V2}))' 2>&1 | FileCheck %s --check-prefix=BOARD
// BOARD: error: unknown board 'EvKit_V2' for the MAX78000; the MSDK has EvKit_V1, FTHR_RevA, MAXREFDES178, CAM01_RevA, CAM02_RevA, Aud01_RevA, BCB, Emulator, ROM
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{weight-filename=../w.h}))' 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: error: --weight-filename: '../w.h' is not a file name inside the project folder
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{sample-filename=cnn.h}))' 2>&1 | FileCheck %s --check-prefix=CLASH
// CLASH: error: --sample-filename: 'cnn.h' is also the name of another file
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{api-filename=none}))' 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: error: --api-filename: 'none' is not a file name inside the project folder (tornadoc always writes the file)
// RUN: not tornado-opt %s --pass-pipeline='builtin.module(tornado_hw.program(tornado-configure-host{switch-delay=2}))' 2>&1 | FileCheck %s --check-prefix=ISO
// ISO: error: --switch-delay: cnn_enable releases no memory isolation
tornado_hw.program @net attributes {device = "MAX78000"} {
  tornado_hw.func enable {
    tornado_hw.clock_enable
  }
}
