//===- OnnxImportFuzzer.cpp - libFuzzer harness for the ONNX importers ----===//
//
// Feeds arbitrary bytes to both ONNX readers: the izer-compatible weight
// reader (readOnnxWeights) and the whole-graph import (tornado-translate
// --import-onnx) for both devices (MAX78002 with average-pool rounding).
// Every input must end in weight layers
// whose sizes agree with their shapes, or a module that verifies, or error
// diagnostics with a message; any crash, sanitizer report or leak is a bug.
//
//===----------------------------------------------------------------------===//

#include "tornado/Import/OnnxImport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace llvm;
using namespace tornado;

namespace {

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

void readWeights(StringRef bytes) {
  Expected<std::vector<OnnxWeightLayer>> layers =
      readOnnxWeights(bytes, "fuzz.onnx");
  if (!layers) {
    check(!toString(layers.takeError()).empty());
    return;
  }
  for (const OnnxWeightLayer &l : *layers) {
    int64_t count = 1;
    for (int64_t d : l.shape)
      count *= d;
    check(l.shape.size() > 1 && (int64_t)l.values.size() == count);
    check(l.weightBits >= 1);
    if (l.bias)
      check(!l.biasKey.empty());
  }
}

void importGraph(StringRef bytes, const char *device, bool avgPoolRounding) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  bool errors = false;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &diag) {
    if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
      errors = true;
    check(!diag.str().empty());
    return mlir::success();
  });
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      MemoryBuffer::getMemBufferCopy(bytes, "fuzz.onnx"), SMLoc());
  OnnxImportOptions options;
  options.device = device;
  options.avgPoolRounding = avgPoolRounding;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importOnnxModel(sourceMgr, &context, options);
  if (module)
    check(!errors && succeeded(mlir::verify(*module)));
  else
    check(errors);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StringRef bytes(reinterpret_cast<const char *>(data), size);
  readWeights(bytes);
  importGraph(bytes, "MAX78000", /*avgPoolRounding=*/false);
  importGraph(bytes, "MAX78002", /*avgPoolRounding=*/true);
  return 0;
}
