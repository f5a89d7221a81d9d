//===- EmitC.h - C project emitter for register-level programs --*- C++ -*-===//
//
// Prints a `tornado_hw.program` as an MSDK project: cnn.c, cnn.h, weights.h,
// sampledata.h, sampleoutput.h, main.c, softmax.c, Makefile, project.mk (and
// main_riscv.c for RISC-V programs). The emitter only prints: every register
// value, address and memory image comes from the IR; addresses derived from
// (group, processor, column) come from the device target model.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_EMIT_EMITC_H
#define TORNADO_EMIT_EMITC_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir {
class Operation;
} // namespace mlir

namespace tornado {
namespace hw {
class ProgramOp;
} // namespace hw

namespace emit {

/// One generated file: its name inside the project folder and its text.
struct EmittedFile {
  std::string name;
  std::string text;
};

/// Prints `program` as the files of an MSDK project. Fails (with a
/// diagnostic on the offending op) if the IR holds something the printer
/// cannot express, e.g. an unreadable resource blob.
mlir::LogicalResult emitProject(hw::ProgramOp program,
                                std::vector<EmittedFile> &files);

/// Marker line that precedes each file in the single-stream form.
constexpr llvm::StringLiteral kFileMarker = "// ----- FILE: ";

/// Writes all files to one stream, each preceded by `kFileMarker` + name.
void writeFileStream(llvm::ArrayRef<EmittedFile> files, llvm::raw_ostream &os);

/// Writes the files into directory `dir` (created if missing).
llvm::Error writeDirectory(llvm::ArrayRef<EmittedFile> files,
                           llvm::StringRef dir);

/// Emits the single `tornado_hw.program` in `op` (a module or the program
/// itself) to a directory if `dir` is non-empty, else to `os` with markers.
mlir::LogicalResult emitC(mlir::Operation *op, llvm::raw_ostream &os,
                          llvm::StringRef dir = {});

/// Registers the `--emit-c` translation (option `--emit-c-dir=DIR` writes a
/// directory instead of the marked stream).
void registerEmitCTranslation();

} // namespace emit
} // namespace tornado

#endif // TORNADO_EMIT_EMITC_H
