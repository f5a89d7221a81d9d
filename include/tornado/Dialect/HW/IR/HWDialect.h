//===- HWDialect.h - Register-level dialect ---------------------*- C++ -*-===//

#ifndef TORNADO_DIALECT_HW_IR_HWDIALECT_H
#define TORNADO_DIALECT_HW_IR_HWDIALECT_H

#include "mlir/IR/Dialect.h"

#include "tornado/Dialect/HW/IR/HWOpsDialect.h.inc"

#endif // TORNADO_DIALECT_HW_IR_HWDIALECT_H
