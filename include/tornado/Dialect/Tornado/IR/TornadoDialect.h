//===- TornadoDialect.h - Tornado dialect -----------------------*- C++ -*-===//

#ifndef TORNADO_DIALECT_TORNADO_IR_TORNADODIALECT_H
#define TORNADO_DIALECT_TORNADO_IR_TORNADODIALECT_H

#include "mlir/IR/Dialect.h"

#include "tornado/Dialect/Tornado/IR/TornadoOpsDialect.h.inc"

#endif // TORNADO_DIALECT_TORNADO_IR_TORNADODIALECT_H
