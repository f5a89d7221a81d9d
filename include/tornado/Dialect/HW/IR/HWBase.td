//===- HWBase.td - Register-level dialect definition -------*- tablegen -*-===//
//
// The `tornado_hw` dialect states what a generated accelerator program does:
// register writes and polls grouped by the C function that performs them,
// and the memory images (kernels, bias, input, expected output) the program
// copies. The C emitter prints this level and decides nothing.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_HW_BASE_TD
#define TORNADO_HW_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def TornadoHW_Dialect : Dialect {
  let name = "tornado_hw";
  let cppNamespace = "::tornado::hw";
  let summary = "register-level programs for the MAX78000/MAX78002 accelerators";
  let description = [{
    One `tornado_hw.program` per generated project. Every bus address is
    checked against the device target model (tornado/Target/Device.h) by the
    verifiers. Data images are elements attributes (dense resource blobs for
    real networks).
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class HW_Op<string mnemonic, list<Trait> traits = []>
    : Op<TornadoHW_Dialect, mnemonic, traits>;

#endif // TORNADO_HW_BASE_TD
