//===- EmitCTranslation.cpp - The --emit-c translation --------------------===//

#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Emit/EmitC.h"
#include "tornado/Tools/ToolSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;

static llvm::cl::opt<std::string>
    emitDir("emit-c-dir",
            llvm::cl::desc("with --emit-c: write the project files into this "
                           "directory instead of one marked stream"),
            llvm::cl::value_desc("dir"), llvm::cl::init(""),
            llvm::cl::cat(tornado::getEmitOptionCategory()));

void tornado::emit::registerEmitCTranslation() {
  static TranslateFromMLIRRegistration reg(
      "emit-c", "print a tornado_hw.program as MSDK C project files",
      [](Operation *op, raw_ostream &os) { return emitC(op, os, emitDir); },
      [](DialectRegistry &registry) {
        registry.insert<tornado::hw::TornadoHWDialect>();
      });
}
