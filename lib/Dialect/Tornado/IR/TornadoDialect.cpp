//===- TornadoDialect.cpp - Tornado dialect registration ------------------===//

#include "tornado/Dialect/Tornado/IR/TornadoDialect.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"

using namespace mlir;
using namespace tornado;

#include "tornado/Dialect/Tornado/IR/TornadoOpsDialect.cpp.inc"

void TornadoDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "tornado/Dialect/Tornado/IR/TornadoOps.cpp.inc"
      >();
}
