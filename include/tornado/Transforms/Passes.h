//===- Passes.h - Tornado passes --------------------------------*- C++ -*-===//

#ifndef TORNADO_TRANSFORMS_PASSES_H
#define TORNADO_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"

namespace tornado {

#define GEN_PASS_DECL
#include "tornado/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tornado/Transforms/Passes.h.inc"

} // namespace tornado

#endif // TORNADO_TRANSFORMS_PASSES_H
