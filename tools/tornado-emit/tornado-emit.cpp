//===- tornado-emit.cpp - Register-level IR to C driver -------------------===//
//
// A small mlir-translate for the tornado_hw dialect: `--emit-c` prints a
// program as MSDK project files (one marked stream, or `--emit-c-dir=DIR`),
// `--hw-print` parses, verifies and prints the IR (round-trip tests). Lets
// the register level be tested before tornado-translate knows it.
//
//===----------------------------------------------------------------------===//

#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Emit/EmitC.h"
#include "tornado/Tools/ToolSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

using namespace mlir;

int main(int argc, char **argv) {
  tornado::setUpToolCommandLine({&tornado::getEmitOptionCategory()});
  tornado::emit::registerEmitCTranslation();
  TranslateFromMLIRRegistration print(
      "hw-print", "verify and print tornado_hw IR",
      [](Operation *op, raw_ostream &os) {
        op->print(os);
        os << "\n";
        return success();
      },
      [](DialectRegistry &registry) {
        registry.insert<tornado::hw::TornadoHWDialect>();
      });
  return failed(
      mlirTranslateMain(argc, argv, "Tornado register-level IR to C\n"));
}
