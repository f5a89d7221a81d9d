//===- TornadoBase.td - Tornado dialect definition ---------*- tablegen -*-===//
//
// The `tornado` dialect models CNN inference for the MAX7800x accelerators at
// two levels: graph ops (what a network says) and hardware layers (what one
// accelerator layer computes, plus where its data lives).
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_BASE_TD
#define TORNADO_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/AttrTypeBase.td"

def Tornado_Dialect : Dialect {
  let name = "tornado";
  let cppNamespace = "::tornado";
  let summary = "CNN inference for the MAX78000/MAX78002 accelerators";
  let description = [{
    Feature maps are ranked tensors of integers: `tensor<C x H x W x i8>` for
    2D data, `tensor<C x L x i8>` for 1D data, `tensor<N x i8>` after
    flattening; a layer with 32-bit output produces `i32` elements. Weights and
    biases are elements attributes on the ops that use them (dense resource
    blobs for real networks, so the IR prints and copies cheaply).
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Tornado_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tornado_Dialect, mnemonic, traits>;

class Tornado_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Tornado_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // TORNADO_BASE_TD
