//===- OnnxImport.h - ONNX models -> Tornado ------------------*- C++ -*-===//
//
// Two ways to use an ONNX model:
//
//  * izer-compatible weights: `--checkpoint-file model.onnx` with a YAML
//    network. The weights of the Conv and Gemm nodes (and, beyond the izer,
//    ConvTranspose) are read from the initializers in graph order, exactly as
//    the izer's ONNX loader does; the YAML describes the network.
//  * whole-graph import (`tornado-translate --import-onnx`): the graph of a
//    quantized export (integer arithmetic, or a QAT graph's power-of-two
//    scaled arithmetic) becomes graph-level tornado ops, with the arithmetic
//    around each convolution recognised as output shift, rounding and
//    saturation. No YAML is needed.
//
// See docs/onnx.md.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_IMPORT_ONNXIMPORT_H
#define TORNADO_IMPORT_ONNXIMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace tornado {

/// Whether the izer would read `path` as ONNX: its last extension is `onnx`
/// (any case).
bool isOnnxFile(llvm::StringRef path);

/// One weight layer of an ONNX file, as the izer's ONNX loader sees it.
struct OnnxWeightLayer {
  /// Name of the initializer holding the weights.
  std::string key;
  /// Node that uses them (its name, or `<op type> #<index>`).
  std::string node;
  /// As stored: [out, in/groups, k...] (Conv), [out, in] (Gemm),
  /// [in, out/groups, kh, kw] (ConvTranspose, like a PyTorch checkpoint).
  std::vector<int64_t> shape;
  /// Truncated towards zero, as numpy's astype(int64).
  std::vector<int64_t> values;
  /// The node's third input when it is an initializer: trunc(b) floor-divided
  /// by 128 (the izer's BIAS_DIV, whatever the weight width).
  std::optional<std::vector<int64_t>> bias;
  std::string biasKey;
  /// The izer's weight width for a layer whose YAML gives no `quantization`.
  int64_t weightBits = 8;
};

/// Reads the weight layers of an ONNX model held in `bytes`; `name` names it
/// in messages. Malformed files are errors, never crashes.
llvm::Expected<std::vector<OnnxWeightLayer>>
readOnnxWeights(llvm::StringRef bytes, llvm::StringRef name);

/// Reads the file at `path` with readOnnxWeights.
llvm::Expected<std::vector<OnnxWeightLayer>>
readOnnxWeightsFile(llvm::StringRef path);

struct OnnxImportOptions {
  /// MAX78000 (also 85, AI85) or MAX78002 (87, AI87).
  std::string device = "MAX78000";
  /// Optional sample input (.npy) stored as the network's sample_input.
  std::string sampleInputFile;
  /// `--avg-pool-rounding`: the network is meant for the hardware's
  /// rounding average pooling, so every 2-D average must round (without
  /// it, each average pool records what its graph computes).
  bool avgPoolRounding = false;
};

/// Imports the ONNX model held by `sourceMgr`'s main buffer as a
/// `tornado.network` of graph ops. Problems are MLIR diagnostics naming the
/// node and op type; the result is then null.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(llvm::SourceMgr &sourceMgr, mlir::MLIRContext *context,
                const OnnxImportOptions &options);

} // namespace tornado

#endif // TORNADO_IMPORT_ONNXIMPORT_H
