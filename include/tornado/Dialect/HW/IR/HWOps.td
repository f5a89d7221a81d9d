//===- HWOps.td - Register-level operations ----------------*- tablegen -*-===//

#ifndef TORNADO_HW_OPS_TD
#define TORNADO_HW_OPS_TD

include "tornado/Dialect/HW/IR/HWBase.td"
include "tornado/Dialect/HW/IR/HWAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

def HW_ProgramOp : HW_Op<"program", [
    IsolatedFromAbove, NoTerminator, SingleBlock, Symbol]> {
  let summary = "one generated accelerator program (an MSDK project)";
  let description = [{
    Holds the register writes of every generated function (`tornado_hw.func`)
    and the memory images the program copies. The attributes are the
    decisions that change the shape of the generated code; the symbol name is
    the project name (izer's `--prefix`).

    ```mlir
    tornado_hw.program @mnist attributes {device = "MAX78000", softmax,
        timer = 0 : i32} {
      tornado_hw.func init {
        tornado_hw.write 0x50100000, 0x00100008
      }
      tornado_hw.bias group 0 offset 0 : dense<[1, 2]> : tensor<2xui8>
    }
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    StrAttr:$device,
    DefaultValuedAttr<HW_KernelFormatAttr,
        "::tornado::hw::KernelFormat::express">:$kernel_format,
    DefaultValuedAttr<HW_KernelLoaderAttr,
        "::tornado::hw::KernelLoader::records">:$kernel_loader,
    DefaultValuedAttr<HW_InputLoaderAttr,
        "::tornado::hw::InputLoader::memory">:$input_loader,
    DefaultValuedAttr<HW_ClockSourceAttr,
        "::tornado::hw::ClockSource::pclk">:$clock_source,
    DefaultValuedAttr<I32Attr, "1">:$clock_divider,
    // Timer measuring the inference (MXC_TMR<n>); absent: no timer.
    OptionalAttr<I32Attr>:$timer,
    // Software softmax over the unloaded 32-bit outputs in main.c.
    UnitAttr:$softmax,
    // Known-answer test (sampleoutput.h, check_output()).
    DefaultValuedAttr<BoolAttr, "true">:$kat,
    // cnn_unload() is generated.
    DefaultValuedAttr<BoolAttr, "true">:$unload,
    // The accelerator is driven from the RISC-V core.
    UnitAttr:$riscv,
    // main.c measures energy (idle, weight loading, input loading,
    // inference) between the SYS_/CNN_ hooks; on devices whose power monitor
    // is triggered by GPIO the hooks drive its trigger pins.
    UnitAttr:$energy,
    // CNN_NUM_OUTPUTS: elements cnn_unload() delivers.
    DefaultValuedAttr<I64Attr, "0">:$num_outputs,
    // Bits per element cnn_unload() delivers (the final layer's width).
    DefaultValuedAttr<I32Attr, "32">:$output_width,
    // The softmax scales 32-bit outputs up by this many bits first (the
    // final layer's weights are narrower than 8 bits).
    DefaultValuedAttr<I32Attr, "0">:$softmax_shift,
    // main(): the CNN clock divider while the network runs, when main()
    // loads at clock_divider and switches around cnn_start (balanced
    // power with the PLL); absent: one clock throughout.
    OptionalAttr<I32Attr>:$run_clock_divider,
    // main(): GPIO [port, pin] of the boost circuit, on while inferring.
    OptionalAttr<DenseI32ArrayAttr>:$boost,
    // main() polls for completion instead of sleeping until the interrupt.
    UnitAttr:$spin_wait,
    // The Arm core waits for the RISC-V core in low-power (deep) sleep.
    UnitAttr:$deep_sleep,
    // Seconds main() waits after reset so a debugger can take over.
    DefaultValuedAttr<I32Attr, "2">:$debug_wait,
    // Oscillator trim overrides [7.3728 MHz, 60 MHz, 100 MHz]; 0 keeps one.
    OptionalAttr<DenseI32ArrayAttr>:$clock_trim,
    // RISC-V: runs from flash through the instruction cache (else SRAM),
    // input arrays in the RISC-V flash section, exclusive SRAM access,
    // JTAG debug set up first.
    UnitAttr:$riscv_cache,
    UnitAttr:$riscv_flash,
    UnitAttr:$riscv_exclusive,
    UnitAttr:$riscv_debug,
    // main() stops and continues the accelerator once after starting it.
    UnitAttr:$stop_start,
    // main() checks the result of cnn_init() (memory self-tests) and of
    // cnn_configure() (read-back of its stores).
    UnitAttr:$check_init,
    UnitAttr:$check_configure,
    // cnn_verify_weights() reads the kernel records back; main() calls it
    // after loading them.
    UnitAttr:$verify_kernels,
    // One-shot mode: main() continues the accelerator this many times after
    // starting it, waiting for each layer.
    OptionalAttr<I64Attr>:$one_shot_continues,
    // load_input() pushes FIFO words without checking that there is room.
    UnitAttr:$fifo_no_wait,
    // After the checked inference main() runs the network again and again
    // (for power measurements); the CNN is never disabled and fail()
    // raises the board's failure pin.
    UnitAttr:$forever,
    // MSDK board support package the project builds for.
    DefaultValuedAttr<StrAttr, "\"EvKit_V1\"">:$board,
    // Preprocessor definitions added to the project's compiler flags.
    OptionalAttr<StrArrayAttr>:$defines,
    // Eclipse: extra include-path entries (CDT XML) and OpenOCD arguments
    // of the debug launch; absent: the MSDK's include folders and the
    // CMSIS-DAP interface with the device's target script.
    OptionalAttr<StrAttr>:$eclipse_includes,
    OptionalAttr<StrAttr>:$openocd_args,
    // File names other than the MSDK defaults, by role: main (main.c),
    // api (cnn.c), weights (weights.h), sample (sampledata.h),
    // sample_output (sampleoutput.h).
    OptionalAttr<DictionaryAttr>:$file_names,
    // Free-form lines printed as a comment at the top of cnn.c.
    OptionalAttr<StrArrayAttr>:$notes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The device model this program targets (verified to exist).
    const ::tornado::target::Device &getTarget();
    /// The function of `kind`, or null.
    FuncOp lookupFunc(FuncKind kind);
    /// The name of the file with `role` (see file_names), or `fallback`.
    ::llvm::StringRef fileName(::llvm::StringRef role,
                               ::llvm::StringRef fallback);
  }];
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "llvm::StringRef":$name,
                                 "llvm::StringRef":$device)>];
}

def HW_FuncOp : HW_Op<"func", [
    HasParent<"ProgramOp">, NoTerminator, SingleBlock]> {
  let summary = "register traffic of one generated C function";
  let description = [{
    The ops in the body run in order: `cnn_init`, `cnn_configure`,
    `cnn_start`, the interrupt handler, `cnn_stop`, `cnn_continue`,
    `cnn_enable`, `cnn_disable` (`kind` selects which).
  }];
  let arguments = (ins HW_FuncKindAttr:$kind);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "custom<Keyword>($kind) attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Function contents
//===----------------------------------------------------------------------===//

def HW_WriteOp : HW_Op<"write", [HasParent<"FuncOp">]> {
  let summary = "32-bit store to an accelerator register";
  let description = [{
    `tornado_hw.write 0x50100000, 0x8` stores a value; with `or` / `and` the
    register is read, combined and written back (`|=`, `&=` in C). The
    address must be a register of the program's device.
  }];
  let arguments = (ins I64Attr:$address, I64Attr:$value,
                       DefaultValuedAttr<HW_WriteModeAttr,
                           "::tornado::hw::WriteMode::set">:$mode);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def HW_PollOp : HW_Op<"poll", [HasParent<"FuncOp">]> {
  let summary = "wait until (register & mask) == value";
  let arguments = (ins I64Attr:$address, I64Attr:$mask, I64Attr:$value);
  let assemblyFormat = [{
    custom<Hex>($address) `mask` custom<Hex>($mask) `value` custom<Hex>($value)
    attr-dict
  }];
  let hasVerifier = 1;
}

def HW_CheckOp : HW_Op<"check", [HasParent<"FuncOp">]> {
  let summary = "return CNN_FAIL unless (register & mask) == value";
  let description = [{
    Used after memory self tests: the function gives up when a failure bit
    is set.
  }];
  let arguments = (ins I64Attr:$address, I64Attr:$mask, I64Attr:$value);
  let assemblyFormat = [{
    custom<Hex>($address) `mask` custom<Hex>($mask) `value` custom<Hex>($value)
    attr-dict
  }];
  let hasVerifier = 1;
}

def HW_SysWriteOp : HW_Op<"sys_write", [HasParent<"FuncOp">]> {
  let summary = "store to an SDK system register (power domains)";
  let arguments = (ins HW_SysRegAttr:$reg, I64Attr:$value,
                       DefaultValuedAttr<HW_WriteModeAttr,
                           "::tornado::hw::WriteMode::set">:$mode);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def HW_DelayOp : HW_Op<"delay", [HasParent<"FuncOp">]> {
  let summary = "busy wait (microseconds)";
  let arguments = (ins I64Attr:$microseconds);
  let assemblyFormat = "$microseconds attr-dict";
  let hasVerifier = 1;
}

def HW_ClockEnableOp : HW_Op<"clock_enable", [HasParent<"FuncOp">]> {
  let summary = "select and enable the CNN clock, install the interrupt";
  let description = [{
    Selects the clock source and divider passed to `cnn_enable()` (waiting
    for the PLL when the device has one and it is selected), enables the
    CNN peripheral clock and installs the completion interrupt handler.
  }];
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def HW_TimerStartOp : HW_Op<"timer_start", [HasParent<"FuncOp">]> {
  let summary = "start the inference timer and raise CNN_START here";
  let description = [{
    Marks the point of `cnn_start()` where the measured inference begins:
    the timer (if the program has one) starts and the CNN_START hook runs.
    Normally just before the store that starts group 0.
  }];
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def HW_TimerStopOp : HW_Op<"timer_stop", [HasParent<"FuncOp">]> {
  let summary = "record the inference time and raise CNN_COMPLETE here";
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

def HW_ClockDisableOp : HW_Op<"clock_disable", [HasParent<"FuncOp">]> {
  let summary = "disable the CNN peripheral clock";
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Memory images
//===----------------------------------------------------------------------===//

def HW_KernelsOp : HW_Op<"kernels", [HasParent<"ProgramOp">]> {
  let summary = "consecutive kernel-memory words of one processor";
  let description = [{
    `data` is an N x 9 tensor of 8-bit integers: the 72-bit words written to
    columns `column` .. `column` + N - 1 of processor `proc` in `group`.
    With the record loader each op is one record; with the per-processor
    loader each processor has exactly one op.
  }];
  let arguments = (ins I32Attr:$group, I32Attr:$proc, I32Attr:$column,
                       ElementsAttr:$data);
  let assemblyFormat = [{
    `group` $group `proc` $proc `column` $column attr-dict `:` $data
  }];
  let hasVerifier = 1;
}

def HW_BiasOp : HW_Op<"bias", [HasParent<"ProgramOp">]> {
  let summary = "bias bytes of one group";
  let description = [{
    Bytes stored (one per 32-bit word) from bias entry `offset` of `group`.
  }];
  let arguments = (ins I32Attr:$group, I32Attr:$offset, ElementsAttr:$data);
  let assemblyFormat = "`group` $group `offset` $offset attr-dict `:` $data";
  let hasVerifier = 1;
}

def HW_InputOp : HW_Op<"input", [HasParent<"ProgramOp">]> {
  let summary = "sample-input words copied into data memory";
  let description = [{
    32-bit words written from byte offset `offset` of the data-memory block
    of global processor `processor` (which also names the C array).
  }];
  let arguments = (ins I32Attr:$processor, I32Attr:$offset,
                       ElementsAttr:$data);
  let assemblyFormat = [{
    `processor` $processor `offset` $offset attr-dict `:` $data
  }];
  let hasVerifier = 1;
}

def HW_FifoInputOp : HW_Op<"fifo_input", [HasParent<"ProgramOp">]> {
  let summary = "sample-input words pushed into one input FIFO";
  let description = [{
    Pushes the words of `data` into FIFO `fifo` in order. With `repeat R
    add A mask M` (a synthesized input, the izer's --synthesize-input) the
    words are pushed R times over, round k pushing (word + k * A) & M, so a
    long input needs only its first words in the program.
  }];
  let arguments = (ins I32Attr:$fifo, ElementsAttr:$data,
                   OptionalAttr<I64Attr>:$repeat, OptionalAttr<I64Attr>:$add,
                   OptionalAttr<I64Attr>:$mask);
  let assemblyFormat = [{
    `fifo` $fifo (`repeat` $repeat^ `add` $add `mask` custom<Hex>($mask))?
    attr-dict `:` $data
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The repeat/add/mask attributes are all present or all absent.
    ::mlir::LogicalResult verifySynthesis();
  }];
}

def HW_ExpectOp : HW_Op<"expect", [HasParent<"ProgramOp">]> {
  let summary = "known-answer check of consecutive data-memory words";
  let description = [{
    check_output() fails unless (word at address + 4 * i) & mask equals
    data[i] for every i.
  }];
  let arguments = (ins I64Attr:$address, I64Attr:$mask, ElementsAttr:$data);
  let assemblyFormat = [{
    custom<Hex>($address) `mask` custom<Hex>($mask) attr-dict `:` $data
  }];
  let hasVerifier = 1;
}

def HW_UnloadWordsOp : HW_Op<"unload_words", [HasParent<"ProgramOp">]> {
  let summary = "copy data-memory words into cnn_unload()'s buffer";
  let description = [{
    For i < count: the word at address + 4 * step * i is stored as 32 bits
    at byte `to` + 4 * i of the output buffer.
  }];
  let arguments = (ins I64Attr:$address, I64Attr:$count,
                       DefaultValuedAttr<I64Attr, "1">:$step, I64Attr:$to);
  let assemblyFormat = [{
    custom<Hex>($address) `count` $count (`step` $step^)? `to` $to attr-dict
  }];
  let hasVerifier = 1;
}

def HW_UnloadBytesOp : HW_Op<"unload_bytes", [HasParent<"ProgramOp">]> {
  let summary = "scatter the bytes of data-memory words into the buffer";
  let description = [{
    For i < count: byte lane k (bits 8k..8k+7) of the word at
    address + 4 * step * i is stored at byte lanes[k] + out_step * i of the
    output buffer; lanes[k] = -1 skips the lane.
  }];
  let arguments = (ins I64Attr:$address, I64Attr:$count,
                       DefaultValuedAttr<I64Attr, "1">:$step,
                       DenseI64ArrayAttr:$lanes,
                       DefaultValuedAttr<I64Attr, "1">:$out_step);
  let assemblyFormat = [{
    custom<Hex>($address) `count` $count (`step` $step^)? `to` $lanes
    (`out_step` $out_step^)? attr-dict
  }];
  let hasVerifier = 1;
}

def HW_UnloadMlatorOp : HW_Op<"unload_mlator", [HasParent<"ProgramOp">]> {
  let summary = "read one byte lane of data memory through a group's mlator";
  let description = [{
    A group's mlator packs byte `lane` of four consecutive data-memory words
    into one 32-bit read. cnn_unload() sets the group's layer-0 write pointer
    to `start` and its layer-0 layer control 2 to `increment` (the mlator's
    address counter and step), turns the mlator on for `lane` (control
    register: clock, load, lane), discards one read, stores read i as the
    32-bit word at byte to[i] of the output buffer, and turns the mlator
    off (control register: clock only).
  }];
  let arguments = (ins I32Attr:$group, I32Attr:$lane, I64Attr:$start,
                       I64Attr:$increment, DenseI64ArrayAttr:$to);
  let assemblyFormat = [{
    `group` $group `lane` $lane `start` $start `increment` $increment `to` $to
    attr-dict
  }];
  let hasVerifier = 1;
}

#endif // TORNADO_HW_OPS_TD
