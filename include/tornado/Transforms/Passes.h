//===- Passes.h - Tornado passes --------------------------------*- C++ -*-===//

#ifndef TORNADO_TRANSFORMS_PASSES_H
#define TORNADO_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Interpreter/Tensor.h"
#include "llvm/ADT/StringMap.h"

namespace tornado {

#define GEN_PASS_DECL
#include "tornado/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tornado/Transforms/Passes.h.inc"

/// The interpreter's results for each network's sample input, by network
/// name (what interp::runNetwork returns).
using NetworkResults = llvm::StringMap<std::vector<interp::Tensor>>;

/// tornado-lower-to-hw taking the known answer of the networks in `results`
/// from there instead of running the interpreter again (a driver that has
/// run it already). Networks not listed are run as usual.
std::unique_ptr<mlir::Pass> createLowerToHW(const LowerToHWOptions &options,
                                            NetworkResults results);

} // namespace tornado

#endif // TORNADO_TRANSFORMS_PASSES_H
