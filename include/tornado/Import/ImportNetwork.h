//===- ImportNetwork.h - YAML + checkpoint -> tornado dialect ---*- C++ -*-===//
//
// Builds a `tornado.network` of `tornado.layer` ops from an izer network
// description (YAML), its weights (a PyTorch checkpoint, or the .npy files of
// an `arch: test` network) and a sample input. Values the user wrote become
// pinned resource attributes; everything else the izer would infer is filled
// in the same way.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_IMPORT_IMPORTNETWORK_H
#define TORNADO_IMPORT_IMPORTNETWORK_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace tornado {

struct ImportOptions {
  /// `--checkpoint-file`: a .pth.tar checkpoint. Ignored for `arch: test`.
  std::string checkpointFile;
  /// `--sample-input`; default: tests/sample_<dataset>.npy.
  std::string sampleInputFile;
  /// `--device`: MAX78000 (also 85, AI85) or MAX78002 (87, AI87).
  std::string device = "MAX78000";
  /// Directories searched for files the izer loads by name
  /// (tests/sample_*.npy, tests/weights_*.npy, tests/bias_*.npy). Empty:
  /// the working directory, then the parent of the YAML file's directory.
  std::vector<std::string> searchDirs;
  /// Accept 1-D batchnorm weights in the checkpoint (the izer's
  /// --ignore-bn); they are skipped.
  bool ignoreBatchNorm = false;
  /// `--start-layer`: the first layer that runs (MAX78002 can start later
  /// in a network).
  unsigned startLayer = 0;
  /// `--stop-after`: the last layer that runs (its output becomes the
  /// network's result); -1: the network's own final layer.
  int stopAfter = -1;
  /// `--output-width`: 8 or 32 for the final layer; 0: as the YAML says.
  unsigned outputWidth = 0;
  /// `--avg-pool-rounding`: every 2-D average pool gets `rounding`.
  bool avgPoolRounding = false;
  /// `--synthesize-input N` with `--synthesize-words W` (W > 0): the sample
  /// input (1 to 4 channels) keeps its first W pixels; every later block of
  /// W pixels is the block before it, read as one little-endian value per
  /// pixel (channel c in byte c), plus N (the izer's synthesized input).
  int64_t synthesizeInput = 0;
  unsigned synthesizeWords = 0;
  /// `--weight-input` / `--bias-input`: the sample weights / bias of an
  /// `arch: test` network from these files instead of the names the YAML
  /// implies (a bias file is read even without a `bias` key).
  std::string weightInputFile, biasInputFile;
  /// `--no-bias`: these YAML layers (all when empty) run without the bias
  /// the checkpoint or sample file holds.
  std::optional<std::vector<int64_t>> noBias;
  /// `--ignore-streaming`: no layer streams; then `--streaming-layers`:
  /// these YAML layers stream.
  bool ignoreStreaming = false;
  std::vector<int64_t> streamingLayers;
  /// `--ignore-activation`: every layer without its activation.
  bool ignoreActivation = false;
  /// `--input-offset`: the start layer's `in_offset` (bytes).
  std::optional<int64_t> inputOffset;
};

/// Imports the YAML held by `sourceMgr`'s main buffer. Errors are emitted as
/// MLIR diagnostics (YAML problems at file:line:col, weight problems naming
/// the layer) and yield a null module.
mlir::OwningOpRef<mlir::ModuleOp>
importNetwork(llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context,
              const ImportOptions &options);

} // namespace tornado

#endif // TORNADO_IMPORT_IMPORTNETWORK_H
