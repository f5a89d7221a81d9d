//===- Report.h - Per-layer compile report for tornadoc ---------*- C++ -*-===//

#ifndef TORNADOC_REPORT_H
#define TORNADOC_REPORT_H

#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Interpreter/Tensor.h"
#include "llvm/Support/raw_ostream.h"
#include <vector>

namespace tornado {
namespace driver {

/// Prints one line per hardware layer: operation, shapes, processors,
/// data-memory ranges, kernel-memory use, MACs and an estimated cycle
/// count, then totals (in the spirit of Arm Vela's performance summary).
void printReport(NetworkOp network, const std::vector<interp::Tensor> &results,
                 llvm::raw_ostream &os);

} // namespace driver
} // namespace tornado

#endif // TORNADOC_REPORT_H
