//===- TornadoAttrs.h - Tornado attributes ----------------------*- C++ -*-===//

#ifndef TORNADO_DIALECT_TORNADO_IR_TORNADOATTRS_H
#define TORNADO_DIALECT_TORNADO_IR_TORNADOATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/bit.h"

#include "tornado/Dialect/Tornado/IR/TornadoEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tornado/Dialect/Tornado/IR/TornadoAttrs.h.inc"

#endif // TORNADO_DIALECT_TORNADO_IR_TORNADOATTRS_H
