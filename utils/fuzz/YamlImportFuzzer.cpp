//===- YamlImportFuzzer.cpp - libFuzzer harness for the YAML importer -----===//
//
// Runs the whole MLIR import (tornado-translate --import-yaml) on arbitrary
// bytes. `arch: test` networks find small fixed weights and a sample input
// in a directory written at start-up:
//
//   tests/sample_t.npy   int64 [4, 8, 8]      (dataset: t)
//   tests/weights_t.npy  16 x [4, 4, 3, 3]    (the default for dataset: t)
//   tests/w1.npy         16 x [4, 4, 1, 1]    (weights: w1)
//   tests/w1d.npy        16 x [4, 4, 3]       (weights: w1d)
//   tests/wfc.npy        16 x [4, 4]          (weights: wfc)
//   tests/bias_t.npy     16 arrays [4]        (bias: t)
//
// Every input must end in a module that verifies or in error diagnostics
// that all point into the input.
//
//===----------------------------------------------------------------------===//

#include "tornado/Import/ImportNetwork.h"
#include "tornado/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace llvm;
using namespace tornado;

namespace {

std::string fixtureDir;

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

/// Writes `count` layers of `shape` (one array [count, shape...]) with
/// values cycling through -1, 0, 1.
void writeWeights(StringRef name, int64_t count, ArrayRef<int64_t> shape,
                  bool separate = false) {
  SmallString<128> path(fixtureDir);
  sys::path::append(path, "tests", name);
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  check(!ec);
  int64_t per = 1;
  for (int64_t d : shape)
    per *= d;
  auto values = [](int64_t n, int64_t seed) {
    std::vector<uint8_t> bytes(n * 8);
    for (int64_t i = 0; i < n; ++i) {
      int64_t v = ((i * 7 + seed) % 3) - 1;
      memcpy(&bytes[i * 8], &v, 8);
    }
    return bytes;
  };
  if (separate) {
    for (int64_t i = 0; i < count; ++i) {
      Expected<HostTensor> t =
          HostTensor::create(DType::Int64, shape, values(per, i));
      check(bool(t));
      check(!writeNpy(os, *t));
    }
    return;
  }
  SmallVector<int64_t> full{count};
  full.append(shape.begin(), shape.end());
  Expected<HostTensor> t =
      HostTensor::create(DType::Int64, full, values(count * per, 0));
  check(bool(t));
  check(!writeNpy(os, *t));
}

void writeSample() {
  SmallString<128> path(fixtureDir);
  sys::path::append(path, "tests", "sample_t.npy");
  std::vector<uint8_t> bytes(256 * 8);
  for (int64_t i = 0; i < 256; ++i) {
    int64_t v = ((i * 37) % 256) - 128;
    memcpy(&bytes[i * 8], &v, 8);
  }
  Expected<HostTensor> t =
      HostTensor::create(DType::Int64, {4, 8, 8}, std::move(bytes));
  check(bool(t));
  check(!writeNpy(path, *t));
}

unsigned numLines = 0;

void import(StringRef text, const char *device) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler handler(
      &context, [](mlir::Diagnostic &diag) {
        if (diag.getSeverity() == mlir::DiagnosticSeverity::Remark ||
            diag.getSeverity() == mlir::DiagnosticSeverity::Note)
          return mlir::success();
        auto loc = dyn_cast<mlir::FileLineColLoc>(diag.getLocation());
        check(loc && loc.getFilename() == "fuzz.yaml");
        check(loc.getLine() >= 1 && loc.getLine() <= numLines);
        check(!diag.str().empty());
        return mlir::success();
      });
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(MemoryBuffer::getMemBufferCopy(text, "fuzz.yaml"),
                               SMLoc());
  ImportOptions options;
  options.device = device;
  options.searchDirs = {fixtureDir};
  mlir::OwningOpRef<mlir::ModuleOp> module =
      importNetwork(sourceMgr, &context, options);
  if (module)
    check(succeeded(mlir::verify(*module)));
}

} // namespace

// libMLIR.so is not instrumented, but LLVM's allocator headers poison slab
// memory when they are compiled into instrumented code. Attributes that the
// library then allocates in such a slab would look poisoned; ASan must not
// act on that user poisoning.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  SmallString<128> dir;
  check(!sys::fs::createUniqueDirectory("tornado-yaml-import-fuzz", dir));
  fixtureDir = std::string(dir);
  SmallString<128> tests(dir);
  sys::path::append(tests, "tests");
  check(!sys::fs::create_directory(tests));
  writeSample();
  writeWeights("weights_t.npy", 16, {4, 4, 3, 3});
  writeWeights("w1.npy", 16, {4, 4, 1, 1});
  writeWeights("w1d.npy", 16, {4, 4, 3});
  writeWeights("wfc.npy", 16, {4, 4});
  writeWeights("bias_t.npy", 16, {4}, /*separate=*/true);
  std::atexit([] { sys::fs::remove_directories(fixtureDir); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StringRef text(reinterpret_cast<const char *>(data), size);
  numLines = text.count('\n') + 1;
  import(text, "MAX78000");
  import(text, "MAX78002");
  return 0;
}
