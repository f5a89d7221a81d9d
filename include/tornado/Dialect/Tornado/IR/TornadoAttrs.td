//===- TornadoAttrs.td - Tornado enums and attributes ------*- tablegen -*-===//

#ifndef TORNADO_ATTRS_TD
#define TORNADO_ATTRS_TD

include "tornado/Dialect/Tornado/IR/TornadoBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Tornado_DeviceKind : I32EnumAttr<"DeviceKind", "accelerator device", [
    I32EnumAttrCase<"max78000", 0>,
    I32EnumAttrCase<"max78002", 1>]> {
  let cppNamespace = "::tornado";
  let genSpecializedAttr = 0;
}
def Tornado_DeviceAttr : EnumAttr<Tornado_Dialect, Tornado_DeviceKind, "device"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tornado_PoolKind : I32EnumAttr<"PoolKind", "pooling kind", [
    I32EnumAttrCase<"max", 0>,
    I32EnumAttrCase<"avg", 1>]> {
  let cppNamespace = "::tornado";
  let genSpecializedAttr = 0;
}
def Tornado_PoolKindAttr : EnumAttr<Tornado_Dialect, Tornado_PoolKind, "pool_kind"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tornado_EltwiseKind : I32EnumAttr<"EltwiseKind", "element-wise operation", [
    I32EnumAttrCase<"add", 0>,
    I32EnumAttrCase<"sub", 1>,
    I32EnumAttrCase<"bitwise_xor", 2, "xor">,
    I32EnumAttrCase<"bitwise_or", 3, "or">]> {
  let cppNamespace = "::tornado";
  let genSpecializedAttr = 0;
}
def Tornado_EltwiseKindAttr
    : EnumAttr<Tornado_Dialect, Tornado_EltwiseKind, "eltwise"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tornado_Activation : I32EnumAttr<"Activation", "activation function", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"relu", 1>,
    I32EnumAttrCase<"abs", 2>]> {
  let cppNamespace = "::tornado";
  let genSpecializedAttr = 0;
}
def Tornado_ActivationAttr
    : EnumAttr<Tornado_Dialect, Tornado_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tornado_LayerOpKind : I32EnumAttr<"LayerOpKind",
    "the computation of a hardware layer", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"conv1d", 1>,
    I32EnumAttrCase<"conv2d", 2>,
    I32EnumAttrCase<"conv_transpose2d", 3>,
    I32EnumAttrCase<"linear", 4>]> {
  let cppNamespace = "::tornado";
  let genSpecializedAttr = 0;
}
def Tornado_LayerOpKindAttr
    : EnumAttr<Tornado_Dialect, Tornado_LayerOpKind, "op"> {
  let assemblyFormat = "`<` $value `>`";
}

def Tornado_DataFormat : I32EnumAttr<"DataFormat", "input data layout", [
    I32EnumAttrCase<"chw", 0>,
    I32EnumAttrCase<"hwc", 1>]> {
  let cppNamespace = "::tornado";
  let genSpecializedAttr = 0;
}
def Tornado_DataFormatAttr
    : EnumAttr<Tornado_Dialect, Tornado_DataFormat, "data_format"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Tornado_ProcMaskAttr : Tornado_Attr<"ProcMask", "procs"> {
  let summary = "a set of the 64 accelerator processors, printed as hex";
  let description = [{
    Bit `i` selects processor `i` (group `i / 16`, processor `i % 16` within
    the group). Printed as a 64-bit hex number so masks read like the YAML
    users write: `#tornado.procs<0x000000000000ffff>`.
  }];
  let parameters = (ins "uint64_t":$mask);
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    unsigned count() const { return llvm::popcount(getMask()); }
    bool contains(unsigned proc) const { return (getMask() >> proc) & 1; }
    /// Index of the lowest selected processor (64 if empty).
    unsigned first() const { return llvm::countr_zero(getMask()); }
  }];
}

def Tornado_PoolAttr : Tornado_Attr<"Pool", "pool"> {
  let summary = "pooling stage of a hardware layer";
  let description = [{
    `#tornado.pool<max, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]>`.
    1D layers use one-element lists.

    `rounding` (2-D average pooling only) rounds the mean half away from zero
    and clamps it to 8 bits instead of truncating it: the izer's
    `--avg-pool-rounding`, the hardware's PoolRnd bit. That bit is one switch
    for the whole network, so the lowering rejects a network whose 2-D
    average pools disagree; the interpreter runs each pool as written.
  }];
  let parameters = (ins
    "PoolKind":$kind,
    ArrayRefParameter<"int64_t">:$kernel,
    ArrayRefParameter<"int64_t">:$stride,
    ArrayRefParameter<"int64_t">:$dilation,
    DefaultValuedParameter<"bool", "false">:$rounding);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // TORNADO_ATTRS_TD
