//===- Executor.h - Run a tornado.network bit-exactly ----------*- C++ -*-===//
//
// Executes a `tornado.network` (graph ops and/or hardware layers) with the
// accelerator's integer semantics, using the kernels in Kernels.h. Its result
// is the known answer the generated test checks on the chip.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_INTERPRETER_EXECUTOR_H
#define TORNADO_INTERPRETER_EXECUTOR_H

#include "tornado/Interpreter/Tensor.h"
#include "tornado/KnownAnswer/KnownAnswer.h"
#include <optional>
#include "llvm/Support/Error.h"
#include <functional>
#include <vector>

namespace mlir {
class Operation;
} // namespace mlir

namespace tornado {
class NetworkOp;
namespace interp {

struct ExecOptions {
  /// Called after each op with its result (for --print-layers style dumps).
  std::function<void(mlir::Operation *, const Tensor &)> onResult;
};

/// Runs `network` on `inputs` (one tensor per network argument, shaped like
/// it; none: the network's `sample_input`) and returns one tensor per
/// network result. Errors name the op (by
/// layer name where it has one) that could not be executed.
llvm::Expected<std::vector<Tensor>> runNetwork(NetworkOp network,
                                               llvm::ArrayRef<Tensor> inputs,
                                               const ExecOptions &options = {});

/// The known answer for `results` (what runNetwork returned): the words each
/// result's layer leaves in data memory, per its output_processors,
/// out_offset, output_width and write_gap. Fails if a result does not come
/// from a placed tornado.layer.
llvm::Expected<std::vector<kat::Record>>
knownAnswerFor(NetworkOp network, llvm::ArrayRef<Tensor> results,
               std::optional<unsigned> maxCheckLines = std::nullopt);

} // namespace interp
} // namespace tornado

#endif // TORNADO_INTERPRETER_EXECUTOR_H
