//===- TornadoAttrs.cpp - Tornado attributes -------------------------------===//

#include "tornado/Dialect/Tornado/IR/TornadoAttrs.h"
#include "tornado/Dialect/Tornado/IR/TornadoDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace tornado;

#include "tornado/Dialect/Tornado/IR/TornadoEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tornado/Dialect/Tornado/IR/TornadoAttrs.cpp.inc"

void TornadoDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tornado/Dialect/Tornado/IR/TornadoAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ProcMaskAttr
//===----------------------------------------------------------------------===//

// Printed with all 16 hex digits so masks line up and read like the YAML.
void ProcMaskAttr::print(AsmPrinter &printer) const {
  printer << '<' << llvm::format("0x%016llx", (unsigned long long)getMask())
          << '>';
}

Attribute ProcMaskAttr::parse(AsmParser &parser, Type) {
  uint64_t mask = 0;
  if (parser.parseLess() || parser.parseInteger(mask) || parser.parseGreater())
    return {};
  return ProcMaskAttr::get(parser.getContext(), mask);
}

//===----------------------------------------------------------------------===//
// PoolAttr
//===----------------------------------------------------------------------===//

LogicalResult PoolAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               PoolKind, ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> stride,
                               ArrayRef<int64_t> dilation) {
  if (kernel.empty() || kernel.size() > 2)
    return emitError() << "pool kernel must have 1 or 2 dimensions";
  if (stride.size() != kernel.size() || dilation.size() != kernel.size())
    return emitError()
           << "pool kernel, stride and dilation must have the same rank";
  for (ArrayRef<int64_t> list : {kernel, stride, dilation})
    for (int64_t v : list)
      if (v < 1)
        return emitError() << "pool kernel, stride and dilation must be >= 1";
  return success();
}
