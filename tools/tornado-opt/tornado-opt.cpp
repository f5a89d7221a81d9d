//===- tornado-opt.cpp - Tornado optimizer driver -------------------------===//
//
// mlir-opt for the tornado dialect: parses, verifies, runs passes, prints.
// Only the dialects Tornado uses are registered (keeps builds and startup
// small).
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Dialect/Tornado/IR/TornadoDialect.h"
#include "tornado/Tools/ToolSupport.h"
#include "tornado/Transforms/Passes.h"

int main(int argc, char **argv) {
  // MlirOptMain registers the MLIR options (passes, pipelines, printing)
  // after this, so they stay visible.
  tornado::setUpToolCommandLine({});
  mlir::DialectRegistry registry;
  registry.insert<tornado::TornadoDialect, tornado::hw::TornadoHWDialect>();
  tornado::registerTornadoPasses();
  // Generic cleanups are useful in pipelines and cost nothing to register.
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tornado optimizer driver\n", registry));
}
