//===- HWDialect.cpp - Register-level dialect registration ----------------===//

#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Dialect/HW/IR/HWOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tornado::hw;

#include "tornado/Dialect/HW/IR/HWOpsDialect.cpp.inc"

#include "tornado/Dialect/HW/IR/HWEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tornado/Dialect/HW/IR/HWAttrs.cpp.inc"

void TornadoHWDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "tornado/Dialect/HW/IR/HWOps.cpp.inc"
      >();
}

void TornadoHWDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tornado/Dialect/HW/IR/HWAttrs.cpp.inc"
      >();
}
