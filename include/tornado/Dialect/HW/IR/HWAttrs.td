//===- HWAttrs.td - Register-level enums -------------------*- tablegen -*-===//

#ifndef TORNADO_HW_ATTRS_TD
#define TORNADO_HW_ATTRS_TD

include "tornado/Dialect/HW/IR/HWBase.td"
include "mlir/IR/EnumAttr.td"

class HW_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::tornado::hw";
  let genSpecializedAttr = 0;
}

class HW_EnumAttr<I32EnumAttr enumInfo, string mnemonic>
    : EnumAttr<TornadoHW_Dialect, enumInfo, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

// How a register store combines with the register's current value.
def HW_WriteMode : HW_Enum<"WriteMode", "register store kind", [
    I32EnumAttrCase<"set", 0>,
    I32EnumAttrCase<"bit_or", 1, "or">,
    I32EnumAttrCase<"bit_and", 2, "and">]>;
def HW_WriteModeAttr : HW_EnumAttr<HW_WriteMode, "write_mode">;

// Kernel-memory write protocol.
def HW_KernelFormat : HW_Enum<"KernelFormat", "kernel write protocol", [
    // Set-column byte store, then packed bytes (group control bit 20 set).
    I32EnumAttrCase<"express", 0>,
    // Four 32-bit stores per 72-bit word, the last one commits.
    I32EnumAttrCase<"plain", 1>]>;
def HW_KernelFormatAttr : HW_EnumAttr<HW_KernelFormat, "kernel_format">;

// How cnn_load_weights() walks the kernel images.
def HW_KernelLoader : HW_Enum<"KernelLoader", "kernel loader shape", [
    // One table of (address, length, data) records.
    I32EnumAttrCase<"records", 0>,
    // One array per processor, copied with memcpy (izer's old loader).
    I32EnumAttrCase<"per_processor", 1>]>;
def HW_KernelLoaderAttr : HW_EnumAttr<HW_KernelLoader, "kernel_loader">;

// How load_input() delivers the sample input.
def HW_InputLoader : HW_Enum<"InputLoader", "input loader", [
    // memcpy32 of one array per data-memory block.
    I32EnumAttrCase<"memory", 0>,
    // One store statement per word (no arrays).
    I32EnumAttrCase<"inline_stores", 1>,
    // Words pushed into the input FIFOs, polling before each push.
    I32EnumAttrCase<"fifo", 2>,
    // RISC-V fast FIFO.
    I32EnumAttrCase<"fast_fifo", 3>]>;
def HW_InputLoaderAttr : HW_EnumAttr<HW_InputLoader, "input_loader">;

// Generated C functions that touch accelerator registers.
def HW_FuncKind : HW_Enum<"FuncKind", "generated function", [
    I32EnumAttrCase<"enable", 0>,
    I32EnumAttrCase<"init", 1>,
    I32EnumAttrCase<"configure", 2>,
    I32EnumAttrCase<"start", 3>,
    I32EnumAttrCase<"isr", 4>,
    I32EnumAttrCase<"stop", 5>,
    I32EnumAttrCase<"resume", 6, "continue">,
    I32EnumAttrCase<"disable", 7>]>;
def HW_FuncKindAttr : HW_EnumAttr<HW_FuncKind, "func">;

// Clock the CNN runs from (main.c passes it to cnn_enable).
def HW_ClockSource : HW_Enum<"ClockSource", "CNN clock source", [
    I32EnumAttrCase<"pclk", 0>,
    I32EnumAttrCase<"ipll", 1>]>;
def HW_ClockSourceAttr : HW_EnumAttr<HW_ClockSource, "clock_source">;

// SDK system registers written by cnn_enable/cnn_disable.
def HW_SysReg : HW_Enum<"SysReg", "SDK system register", [
    I32EnumAttrCase<"gcfr_reg0", 0>,
    I32EnumAttrCase<"gcfr_reg1", 1>,
    I32EnumAttrCase<"gcfr_reg2", 2>,
    I32EnumAttrCase<"gcfr_reg3", 3>]>;
def HW_SysRegAttr : HW_EnumAttr<HW_SysReg, "sys_reg">;

#endif // TORNADO_HW_ATTRS_TD
