//===- ImportNetwork.cpp - YAML + checkpoint -> tornado dialect -----------===//
//
// Three steps:
//   1. read the weights (checkpoint state dict, or the .npy files of an
//      `arch: test` network) the way the izer matches them to layers;
//   2. let netcfg::resolveNetworkConfig apply the izer's defaults;
//   3. build one tornado.layer per resolved layer, with the values the user
//      wrote listed in `pinned`.
//
//===----------------------------------------------------------------------===//

#include "tornado/Import/ImportNetwork.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Import/NetworkConfig.h"
#include "tornado/Import/OnnxImport.h"
#include "tornado/Support/Checkpoint.h"
#include "tornado/Support/Npy.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include <cmath>
#include <map>

using namespace mlir;
using namespace tornado;
namespace nc = tornado::netcfg;

namespace {

/// One weight-bearing layer as read from the weight source, in the order
/// the izer hands them to layers.
struct WeightLayer {
  std::string key; // state-dict key or "<file>[i]"
  SmallVector<int64_t, 4> shape;
  std::vector<int64_t> values;
  std::optional<std::vector<int64_t>> bias;
  std::optional<int64_t> weightBits;  // checkpoint `<layer>.weight_bits`
  std::optional<int64_t> outputShift; // checkpoint `<layer>.output_shift`
  std::string biasKey;                // where `bias` came from
};

class Importer {
public:
  Importer(llvm::SourceMgr &sourceMgr, MLIRContext *context,
           const ImportOptions &options)
      : sourceMgr(sourceMgr), context(context), options(options),
        builder(context) {}

  OwningOpRef<ModuleOp> run();

private:
  InFlightDiagnostic error(const nc::ConfigLoc &loc) {
    return emitError(toLoc(loc));
  }
  Location toLoc(const nc::ConfigLoc &loc) {
    if (!loc.isValid())
      return FileLineColLoc::get(context, yamlFile, 1, 1);
    return FileLineColLoc::get(context, loc.file.empty() ? yamlFile : loc.file,
                               loc.line, loc.col);
  }
  /// Reports every error in `err` as a diagnostic; errors without a YAML
  /// location of their own (file readers) are reported at `where`.
  void report(llvm::Error err, const nc::ConfigLoc &where);
  /// Where problems with the checkpoint are reported: the `arch` the
  /// checkpoint must match.
  nc::ConfigLoc checkpointLoc;
  /// Where problems with the sample input are reported: `dataset`.
  nc::ConfigLoc sampleLoc;

  std::optional<std::string> findFile(StringRef relative);
  LogicalResult readCheckpointWeights(const nc::NetworkConfig &config);
  LogicalResult readOnnxCheckpointWeights();
  LogicalResult readTestWeights(const nc::NetworkConfig &config);
  /// Applies --synthesize-input to the sample just read from `path`.
  LogicalResult synthesizeSample(StringRef path);
  LogicalResult readSampleInput(const nc::NetworkConfig &config);
  FailureOr<Value> buildLayer(const nc::ResolvedLayer &layer,
                              ArrayRef<Value> inputs);
  /// The layers in the order `next_sequence` runs them; errors on orders
  /// the lowering cannot program.
  std::optional<std::vector<unsigned>>
  executionOrder(const nc::ResolvedNetwork &net);
  ElementsAttr makeBlob(StringRef name, ShapedType type,
                        ArrayRef<int64_t> values);

  llvm::SourceMgr &sourceMgr;
  MLIRContext *context;
  const ImportOptions &options;
  OpBuilder builder;
  std::string yamlFile;
  std::optional<nc::ResolveOptions> resolveOptions;
  std::vector<WeightLayer> weights;
  std::optional<HostTensor> sample;
  std::vector<int64_t> sampleValues;
  bool testNetwork = false;
};

std::optional<std::vector<unsigned>>
Importer::executionOrder(const nc::ResolvedNetwork &net) {
  // The resolver already refused cycles, jumps on devices without link
  // layers and jumps past the end.
  std::vector<unsigned> order;
  std::vector<bool> runs(net.numLayers, false);
  for (int64_t ll = options.startLayer;
       ll != nc::kStopLayer && ll < int64_t(net.numLayers);
       ll = net.layers[ll].nextSequence.value) {
    order.push_back(ll);
    runs[ll] = true;
  }
  if (llvm::is_sorted(order) &&
      order.size() + options.startLayer == net.numLayers)
    return order;
  auto nextLoc = [&](const nc::ResolvedLayer &l) {
    return l.nextSequence.isPinned() ? l.nextSequence.loc : l.loc;
  };
  for (unsigned ll : order) {
    const nc::ResolvedLayer &l = net.layers[ll];
    if (options.startLayer > 0) {
      error(nextLoc(l)) << "layer " << ll
                        << ": `next_sequence` jumps together with "
                           "--start-layer are not supported";
      return std::nullopt;
    }
    int64_t next = l.nextSequence.value;
    // The izer requires the same of streaming layers.
    if (l.streaming.value && next != nc::kStopLayer &&
        next != int64_t(ll) + 1) {
      error(nextLoc(l)) << "layer " << ll
                        << ": a streaming layer must run before the next "
                           "layer, not jump to layer "
                        << next;
      return std::nullopt;
    }
  }
  // The izer would still program a layer the sequence skips, from
  // defaults nothing checks.
  for (unsigned ll = 0; ll < net.numLayers; ++ll)
    if (!runs[ll]) {
      error(net.layers[ll].loc)
          << "layer " << ll
          << " never runs: `next_sequence` skips it, but it lies before the "
             "last layer that runs";
      return std::nullopt;
    }
  return order;
}

void Importer::report(llvm::Error err, const nc::ConfigLoc &where) {
  llvm::handleAllErrors(
      std::move(err),
      [&](const nc::NetworkConfigError &e) {
        error(e.getLoc()) << e.getMessage();
      },
      [&](const llvm::ErrorInfoBase &e) { error(where) << e.message(); });
}

std::optional<std::string> Importer::findFile(StringRef relative) {
  SmallVector<std::string> dirs(options.searchDirs.begin(),
                                options.searchDirs.end());
  if (dirs.empty()) {
    dirs.push_back(".");
    // The izer runs from its checkout, where tests/ sits beside networks/.
    SmallString<256> parent(llvm::sys::path::parent_path(yamlFile));
    dirs.push_back(std::string(llvm::sys::path::parent_path(parent)));
  }
  for (const std::string &dir : dirs) {
    SmallString<256> path(dir.empty() ? "." : dir);
    llvm::sys::path::append(path, relative);
    if (llvm::sys::fs::exists(path))
      return std::string(path);
  }
  return std::nullopt;
}

/// The izer's split of a state-dict key: at most two '.'-separated
/// components are taken from the right (layer, operator, parameter).
static SmallVector<StringRef, 3> splitKey(StringRef key) {
  SmallVector<StringRef, 3> parts;
  StringRef rest = key;
  for (int i = 0; i < 2; ++i) {
    auto [head, tail] = rest.rsplit('.');
    if (tail.empty() && head == rest)
      break;
    parts.insert(parts.begin(), tail);
    rest = head;
  }
  parts.insert(parts.begin(), rest);
  return parts;
}

LogicalResult Importer::readCheckpointWeights(const nc::NetworkConfig &config) {
  if (options.checkpointFile.empty()) {
    error(checkpointLoc)
        << "a checkpoint file is required (--checkpoint-file) unless the "
           "network is `arch: test`";
    return failure();
  }
  // The izer reads a --checkpoint-file ending in .onnx as an ONNX model.
  if (isOnnxFile(options.checkpointFile))
    return readOnnxCheckpointWeights();
  llvm::Expected<Checkpoint> ck = readCheckpoint(options.checkpointFile);
  if (!ck) {
    error(checkpointLoc) << "cannot read the checkpoint: "
                         << llvm::toString(ck.takeError());
    return failure();
  }
  if (!ck->getStateDict()) {
    error(checkpointLoc) << options.checkpointFile
                         << ": no `state_dict` in the checkpoint";
    return failure();
  }
  if (std::optional<StringRef> arch = ck->getArch())
    if (!config.arch.value.empty() && !arch->equals_insensitive(config.arch.value)) {
      error(config.arch.valueLoc)
          << "network architecture `" << config.arch.value
          << "` does not match the checkpoint's `" << *arch << "`";
      return failure();
    }

  // WeightLayer's move may throw (SmallVector), so growing the vector would
  // copy every weight array: make room up front.
  std::vector<NamedTensor> entries = ck->getStateTensors();
  weights.reserve(weights.size() + entries.size());
  for (const NamedTensor &entry : entries) {
    SmallVector<StringRef, 3> parts = splitKey(entry.Name);
    if (parts.size() < 2 || parts.back() != "weight")
      continue;
    StringRef layer = parts[0];
    std::optional<StringRef> op =
        parts.size() == 3 ? std::optional<StringRef>(parts[1]) : std::nullopt;
    const HostTensor &t = *entry.Tensor;
    if (t.getRank() == 1) {
      if (op == StringRef("bn")) {
        if (options.ignoreBatchNorm)
          continue;
        error(checkpointLoc)
            << options.checkpointFile << ": checkpoint tensor `" << entry.Name
            << "` is a 1-D batchnorm weight: fold batchnorm into the "
                   "convolutions before synthesis (or pass --ignore-bn)";
        return failure();
      }
      error(checkpointLoc)
          << options.checkpointFile << ": checkpoint tensor `" << entry.Name
          << "` is a 1-D weight; expected a convolution or linear weight";
      return failure();
    }
    WeightLayer w;
    w.key = entry.Name.str();
    w.shape.assign(t.getShape().begin(), t.getShape().end());
    llvm::Expected<std::vector<int64_t>> values = t.getInt64Values();
    if (!values) {
      error(checkpointLoc) << options.checkpointFile
                           << ": checkpoint tensor `" << entry.Name
                           << "`: " << llvm::toString(values.takeError());
      return failure();
    }
    w.values = std::move(*values);
    auto scalar = [&](StringRef name) -> std::optional<int64_t> {
      const HostTensor *s = ck->getTensor(name);
      if (!s || s->getNumElements() < 1)
        return std::nullopt;
      llvm::Expected<int64_t> v = s->getInt64(0);
      if (!v) {
        llvm::consumeError(v.takeError());
        return std::nullopt;
      }
      return *v;
    };
    w.weightBits = scalar((layer + ".weight_bits").str());
    w.outputShift = scalar((layer + ".output_shift").str());
    std::string biasName =
        op ? (layer + "." + *op + ".bias").str() : (layer + ".bias").str();
    if (const HostTensor *b = ck->getTensor(biasName)) {
      // Training stores the bias pre-scaled by 2^(weight_bits - 1).
      int64_t wb = w.weightBits.value_or(8);
      if (wb == 0)
        wb = 8;
      double scale = std::ldexp(1.0, wb - 1);
      std::vector<int64_t> bias;
      for (double v : b->getDoubleValues()) {
        double q = std::floor(v / scale);
        // Whatever fits int64 is range-checked per layer; the rest cannot
        // be converted at all.
        if (!(q >= -9223372036854775808.0 && q < 9223372036854775808.0)) {
          error(checkpointLoc)
              << options.checkpointFile << ": checkpoint tensor `" << biasName
              << "` holds " << v << ", which is not a bias value";
          return failure();
        }
        bias.push_back((int64_t)q);
      }
      w.bias = std::move(bias);
      w.biasKey = biasName;
    }
    weights.push_back(std::move(w));
  }
  return success();
}

/// Weights from the initializers of an ONNX model's Conv/Gemm nodes
/// (docs/onnx.md). The file carries no weight_bits or output_shift; the
/// izer's width inference stands in for the checkpoint's weight_bits.
LogicalResult Importer::readOnnxCheckpointWeights() {
  llvm::Expected<std::vector<OnnxWeightLayer>> layers =
      readOnnxWeightsFile(options.checkpointFile);
  if (!layers) {
    error(checkpointLoc) << "cannot read the ONNX weights: "
                         << llvm::toString(layers.takeError());
    return failure();
  }
  for (OnnxWeightLayer &l : *layers) {
    WeightLayer w;
    w.key = l.key;
    w.shape.assign(l.shape.begin(), l.shape.end());
    w.values = std::move(l.values);
    w.bias = std::move(l.bias);
    w.biasKey = l.biasKey;
    w.weightBits = l.weightBits;
    weights.push_back(std::move(w));
  }
  return success();
}

/// Index of the most significant set bit (-1 for 0), as the izer's fls.
static int fls(uint64_t x) { return x ? 63 - llvm::countl_zero(x) : -1; }

LogicalResult Importer::readTestWeights(const nc::NetworkConfig &config) {
  std::string name = config.weights
                         ? config.weights->value
                         : "weights_" + StringRef(config.dataset.value).lower();
  std::string relative = "tests/" + name + ".npy";
  std::optional<std::string> path =
      options.weightInputFile.empty() ? findFile(relative)
                                      : std::optional(options.weightInputFile);
  if (!options.weightInputFile.empty())
    relative = options.weightInputFile;
  // Problems with the file are reported at the key that named it.
  const nc::ConfigLoc &fileLoc =
      config.weights ? config.weights->valueLoc : config.dataset.valueLoc;
  if (!path) {
    error(fileLoc) << "sample weights file `" << relative << "` not found";
    return failure();
  }
  llvm::Expected<std::vector<HostTensor>> arrays = readNpyArrays(*path);
  if (!arrays) {
    report(arrays.takeError(), fileLoc);
    return failure();
  }
  // A single array holds one layer per leading index.
  std::vector<HostTensor> layers;
  if (arrays->size() == 1 && (*arrays)[0].getRank() >= 3 &&
      (*arrays)[0].getRank() <= 5) {
    const HostTensor &all = (*arrays)[0];
    ArrayRef<int64_t> shape = all.getShape().drop_front();
    size_t bytes = all.getRawData().size() / std::max<int64_t>(1, all.getShape()[0]);
    for (int64_t i = 0; i < all.getShape()[0]; ++i) {
      std::vector<uint8_t> part(all.getRawData().begin() + i * bytes,
                                all.getRawData().begin() + (i + 1) * bytes);
      llvm::Expected<HostTensor> t =
          HostTensor::create(all.getDType(), shape, std::move(part));
      if (!t) {
        report(t.takeError(), fileLoc);
        return failure();
      }
      layers.push_back(std::move(*t));
    }
  } else {
    layers = std::move(*arrays);
  }

  // Quantization per weight layer, in layer order, for the izer's narrowing.
  std::vector<int64_t> quant;
  for (const nc::LayerConfig &l : config.layers) {
    bool hasOp = !l.operation || l.operation->value.op != nc::LayerOp::None;
    if (!hasOp || (l.bypass && l.bypass->value))
      continue;
    quant.push_back(l.quantization ? l.quantization->value : 8);
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    WeightLayer w;
    w.key = (relative + "[" + llvm::Twine(i) + "]").str();
    w.shape.assign(layers[i].getShape().begin(), layers[i].getShape().end());
    llvm::Expected<std::vector<int64_t>> values = layers[i].getInt64Values();
    if (!values) {
      error(fileLoc) << "`" << w.key
                     << "`: " << llvm::toString(values.takeError());
      return failure();
    }
    w.values = std::move(*values);
    int64_t q = i < quant.size() ? quant[i] : 8;
    int64_t maxW = 0, minW = 0;
    for (int64_t v : w.values) {
      maxW = std::max(maxW, v);
      minW = std::min(minW, v);
    }
    int64_t lowest = minW, highest = maxW;
    if (maxW < 0)
      maxW += 1;
    if (minW < 0)
      minW += 1;
    int bits = std::max(fls(std::abs(minW)), fls(std::abs(maxW))) + 2;
    if (bits > 8) {
      error(fileLoc) << "`" << w.key << "`: weights range from " << lowest
                     << " to " << highest << ", wider than 8 bits";
      return failure();
    }
    // Test weights are narrowed to the layer's width the way the izer does.
    for (int64_t &v : w.values) {
      if (q == -1)
        v = v >= 0 ? 1 : -1;
      else if (bits > std::abs(q))
        v >>= bits - std::abs(q);
    }
    w.weightBits = q;
    weights.push_back(std::move(w));
  }

  if (config.bias || !options.biasInputFile.empty()) {
    // --bias-input names the file itself; problems are reported at the
    // `bias` key, or the `dataset` key without one.
    const nc::ConfigLoc &biasLoc =
        config.bias ? config.bias->valueLoc : config.dataset.valueLoc;
    std::string biasRel = options.biasInputFile.empty()
                              ? "tests/bias_" + config.bias->value + ".npy"
                              : options.biasInputFile;
    std::optional<std::string> biasPath =
        options.biasInputFile.empty() ? findFile(biasRel)
                                      : std::optional(biasRel);
    if (!biasPath) {
      error(biasLoc) << "sample bias file `" << biasRel << "` not found";
      return failure();
    }
    llvm::Expected<std::vector<HostTensor>> biases = readNpyArrays(*biasPath);
    if (!biases) {
      report(biases.takeError(), biasLoc);
      return failure();
    }
    for (size_t i = 0; i < biases->size() && i < weights.size(); ++i) {
      std::string key = (biasRel + "[" + llvm::Twine(i) + "]").str();
      llvm::Expected<std::vector<int64_t>> v = (*biases)[i].getInt64Values();
      if (!v) {
        error(biasLoc) << "`" << key << "`: " << llvm::toString(v.takeError());
        return failure();
      }
      weights[i].bias = std::move(*v);
      weights[i].biasKey = std::move(key);
    }
  }
  return success();
}

LogicalResult Importer::readSampleInput(const nc::NetworkConfig &config) {
  std::string path = options.sampleInputFile;
  if (path.empty()) {
    std::string relative =
        "tests/sample_" + StringRef(config.dataset.value).lower() + ".npy";
    std::optional<std::string> found = findFile(relative);
    if (!found) {
      error(sampleLoc)
          << "sample input `" << relative
          << "` not found; give one with --sample-input";
      return failure();
    }
    path = *found;
  }
  llvm::Expected<HostTensor> array = readNpy(path);
  if (!array) {
    report(array.takeError(), sampleLoc);
    return failure();
  }
  if (array->getRank() < 1 || array->getRank() > 3) {
    error(sampleLoc) << path << ": the sample input must be CHW or CL, got rank "
            << array->getRank();
    return failure();
  }
  // Floats would be truncated silently; the izer refuses them too.
  if (isFloatingPoint(array->getDType())) {
    error(sampleLoc) << path << ": the sample input holds "
                     << getDTypeName(array->getDType())
                     << " values; it must hold integers in [-128, 127] "
                        "(quantize it, e.g. "
                        "np.round(x).clip(-128, 127).astype(np.int64))";
    return failure();
  }
  llvm::Expected<std::vector<int64_t>> values = array->getInt64Values();
  if (!values) {
    error(sampleLoc) << path << ": " << llvm::toString(values.takeError());
    return failure();
  }
  for (int64_t v : *values)
    if (v < -128 || v > 127) {
      error(sampleLoc) << path << ": sample input value " << v
              << " is outside the 8-bit range [-128, 127]";
      return failure();
    }
  sampleValues = std::move(*values);
  sample = std::move(*array);
  if (options.synthesizeWords)
    return synthesizeSample(path);
  return success();
}

LogicalResult Importer::synthesizeSample(StringRef path) {
  int64_t channels = sample->getShape()[0];
  int64_t pixels =
      int64_t(sampleValues.size()) / std::max<int64_t>(1, channels);
  int64_t words = options.synthesizeWords;
  if (channels < 1 || channels > 4) {
    error(sampleLoc) << path << ": --synthesize-input needs 1 to 4 input "
                     << "channels, got " << channels;
    return failure();
  }
  if (pixels % words) {
    error(sampleLoc) << "--synthesize-words " << words << " must divide the "
                     << pixels << " pixels per channel of " << path;
    return failure();
  }
  uint64_t mask = channels == 4 ? 0xffffffffu : (1ull << (8 * channels)) - 1;
  for (int64_t p = words; p < pixels; ++p) {
    uint64_t v = 0;
    for (int64_t c = channels - 1; c >= 0; --c)
      v = v << 8 | uint8_t(sampleValues[c * pixels + p - words]);
    v = (v + uint64_t(options.synthesizeInput)) & mask;
    for (int64_t c = 0; c < channels; ++c)
      sampleValues[c * pixels + p] = int8_t((v >> (8 * c)) & 0xff);
  }
  return success();
}

ElementsAttr Importer::makeBlob(StringRef name, ShapedType type,
                                ArrayRef<int64_t> values) {
  unsigned width = type.getElementTypeBitWidth();
  if (width == 8) {
    std::vector<int8_t> data(values.begin(), values.end());
    return DenseResourceElementsAttr::get(
        type, name,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<int8_t>(data)));
  }
  std::vector<int32_t> data(values.begin(), values.end());
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<int32_t>(data)));
}

static tornado::Activation toActivation(nc::Activation a) {
  switch (a) {
  case nc::Activation::None:
    return tornado::Activation::none;
  case nc::Activation::ReLU:
    return tornado::Activation::relu;
  case nc::Activation::Abs:
    return tornado::Activation::abs;
  }
  llvm_unreachable("unknown activation");
}

static std::optional<tornado::EltwiseKind> toEltwise(nc::EltwiseOp e) {
  switch (e) {
  case nc::EltwiseOp::None:
    return std::nullopt;
  case nc::EltwiseOp::Add:
    return tornado::EltwiseKind::add;
  case nc::EltwiseOp::Sub:
    return tornado::EltwiseKind::sub;
  case nc::EltwiseOp::Or:
    return tornado::EltwiseKind::bitwise_or;
  case nc::EltwiseOp::Xor:
    return tornado::EltwiseKind::bitwise_xor;
  }
  llvm_unreachable("unknown eltwise op");
}

static tornado::LayerOpKind toLayerOp(nc::LayerOp op) {
  switch (op) {
  case nc::LayerOp::None:
    return tornado::LayerOpKind::none;
  case nc::LayerOp::Conv1d:
    return tornado::LayerOpKind::conv1d;
  case nc::LayerOp::Conv2d:
    return tornado::LayerOpKind::conv2d;
  case nc::LayerOp::ConvTranspose2d:
    return tornado::LayerOpKind::conv_transpose2d;
  case nc::LayerOp::Linear:
    return tornado::LayerOpKind::linear;
  }
  llvm_unreachable("unknown layer op");
}

/// Shape of a layer's data: [C, L] for 1D layers, [C, H, W] otherwise.
static SmallVector<int64_t, 3> fmapShape(bool is1d, int64_t channels,
                                         nc::HW dim) {
  if (is1d)
    return {channels, dim.h * dim.w};
  return {channels, dim.h, dim.w};
}

FailureOr<Value> Importer::buildLayer(const nc::ResolvedLayer &l,
                                      ArrayRef<Value> inputs) {
  Location loc = toLoc(l.loc);
  std::string name = l.name.empty() ? ("l" + llvm::Twine(l.index)).str()
                                    : l.name;
  auto layerError = [&]() -> InFlightDiagnostic {
    return emitError(loc) << "layer " << l.index << " ('" << name << "'): ";
  };
  if (!l.inChannels.isKnown() || !l.outChannels.isKnown() ||
      !l.inDim.isKnown() || !l.outDim.isKnown()) {
    layerError() << "cannot determine its channel counts and dimensions";
    return failure();
  }
  bool is1d = l.op.value == nc::LayerOp::Conv1d;
  Type i8 = builder.getIntegerType(8), i32 = builder.getIntegerType(32);
  int64_t operands = std::max<int64_t>(1, l.operands.value);
  std::optional<tornado::EltwiseKind> eltwise = toEltwise(l.eltwise.value);

  // Each operand must arrive with the shape the layer reads: reinterpret a
  // producer's pixels where the layer says so (in_dim, 1D/2D changes).
  SmallVector<Value> operandsIn;
  auto want = fmapShape(is1d, l.inChannels.value, l.inDim.value);
  // An element-wise layer whose single input holds all operands, read with
  // an in_dim that regroups each operand's channels: reshape the whole input
  // row-major to operands x in_channels channels of in_dim.
  SmallVector<Value> sources(inputs.begin(), inputs.end());
  if (eltwise && sources.size() == 1 && operands > 1) {
    auto type = cast<RankedTensorType>(sources[0].getType());
    SmallVector<int64_t, 3> regrouped(want);
    regrouped[0] = operands * l.inChannels.value;
    int64_t count = 1;
    for (int64_t d : regrouped)
      count *= d;
    if (type.getDimSize(0) != regrouped[0] && type.getNumElements() == count)
      sources[0] = builder.create<ReshapeOp>(
          loc, RankedTensorType::get(regrouped, type.getElementType()),
          sources[0]);
  }
  for (Value v : sources) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t, 3> shape(type.getShape());
    int64_t channels = shape[0];
    int64_t perChannel = type.getNumElements() / std::max<int64_t>(1, channels);
    int64_t wantPerChannel = is1d ? want[1] : want[1] * want[2];
    if (perChannel >= wantPerChannel && ArrayRef(shape).drop_front() !=
                                            ArrayRef(want).drop_front()) {
      SmallVector<int64_t, 3> newShape(want);
      newShape[0] = channels;
      auto newType = RankedTensorType::get(newShape, type.getElementType());
      v = builder.create<ReshapeOp>(loc, newType, v);
    }
    operandsIn.push_back(v);
  }

  OperationState state(loc, LayerOp::getOperationName());
  state.addOperands(operandsIn);
  SmallVector<NamedAttribute> attrs;
  SmallVector<Attribute> pins;
  auto add = [&](StringRef attrName, Attribute value) {
    attrs.push_back(builder.getNamedAttr(attrName, value));
  };
  auto i64 = [&](int64_t v) { return builder.getI64IntegerAttr(v); };
  auto pinIf = [&](StringRef attrName, bool pinned) {
    if (pinned)
      pins.push_back(builder.getStringAttr(attrName));
  };

  add("name", builder.getStringAttr(name));
  if (l.poolKind.value != nc::PoolKind::None) {
    SmallVector<int64_t> k{l.pool.value.h}, s{l.poolStride.value.h},
        d{l.poolDilation.value.h};
    if (!is1d) {
      k.push_back(l.pool.value.w);
      s.push_back(l.poolStride.value.w);
      d.push_back(l.poolDilation.value.w);
    }
    bool avg = l.poolKind.value != nc::PoolKind::Max;
    add("pool", PoolAttr::get(context, avg ? PoolKind::avg : PoolKind::max, k,
                              s, d, avg && !is1d && options.avgPoolRounding));
  }
  if (eltwise) {
    add("eltwise", EltwiseKindAttr::get(context, *eltwise));
    if ((size_t)operands != inputs.size())
      add("operands", i64(operands));
    if (!l.poolFirst.value)
      add("pool_first", builder.getBoolAttr(false));
  }
  tornado::LayerOpKind kind = toLayerOp(l.op.value);
  add("op", LayerOpKindAttr::get(context, kind));

  if (kind != tornado::LayerOpKind::none) {
    if (l.weightIndex < 0 || (size_t)l.weightIndex >= weights.size()) {
      layerError() << "has no weights: the weight source has only "
                   << weights.size() << " weight layers";
      return failure();
    }
    WeightLayer &w = weights[l.weightIndex];
    SmallVector<int64_t, 4> shape = w.shape;
    std::vector<int64_t> values = w.values;
    if (kind == tornado::LayerOpKind::conv_transpose2d && !testNetwork) {
      // PyTorch stores [in, out/groups, kh, kw]; the hardware applies each
      // kernel rotated by 180 degrees with the channel roles swapped.
      if (shape.size() != 4) {
        layerError() << "transposed-convolution weights `" << w.key
                     << "` must be 4-D";
        return failure();
      }
      int64_t ci = shape[0], co = shape[1], kh = shape[2], kw = shape[3];
      std::vector<int64_t> out(values.size());
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              out[((o * ci + i) * kh + y) * kw + x] =
                  values[((i * co + o) * kh + (kh - 1 - y)) * kw +
                         (kw - 1 - x)];
      values = std::move(out);
      shape = {co, ci, kh, kw};
    } else if (kind == tornado::LayerOpKind::conv_transpose2d &&
               l.groups.value > 1 && shape.size() == 4 &&
               shape[1] % l.groups.value == 0) {
      // Test weights of a grouped transposed convolution are stored
      // [out/groups, in, kh, kw] (the izer's reading); the kernels are in
      // the same order as [out, in/groups, kh, kw].
      shape = {shape[0] * l.groups.value, shape[1] / l.groups.value, shape[2],
               shape[3]};
    }
    if (kind == tornado::LayerOpKind::linear && shape.size() > 2) {
      // [out, in, 1, 1] and the like: a linear layer's weights are 2-D.
      int64_t in = 1;
      for (int64_t d : ArrayRef(shape).drop_front())
        in *= d;
      shape = {shape[0], in};
    }
    // Checkpoint kernels were matched while resolving; test weights are
    // taken as they are, so say here what does not fit the operation.
    if (kind != tornado::LayerOpKind::linear) {
      SmallVector<int64_t, 2> kern{l.kernel.value.h};
      if (!is1d)
        kern.push_back(l.kernel.value.w);
      if (shape.size() != kern.size() + 2 ||
          ArrayRef(shape).take_back(kern.size()) != ArrayRef(kern)) {
        auto diag = emitError(l.kernel.isPinned() ? toLoc(l.kernel.loc) : loc)
                    << "layer " << l.index << " ('" << name << "'): "
                    << nc::stringifyLayerOp(l.op.value) << " with kernel "
                    << l.kernel.value.h;
        if (!is1d)
          diag << "x" << l.kernel.value.w;
        diag << " needs weights shaped [out, in, ";
        llvm::interleave(kern, diag, ", ");
        diag << "], but `" << w.key << "` is ";
        llvm::interleave(w.shape, diag, "x");
        return failure();
      }
    }
    int64_t bits = l.quantization.value;
    int64_t lo = bits == -1 ? -1 : -(int64_t(1) << (std::abs(bits) - 1));
    int64_t hi = bits == -1 ? 1 : (int64_t(1) << (std::abs(bits) - 1)) - 1;
    for (int64_t v : values)
      if (v < lo || v > hi) {
        layerError() << "weight value " << v << " in `" << w.key
                     << "` does not fit " << bits << "-bit weights";
        return failure();
      }
    auto wType = RankedTensorType::get(shape, i8);
    add("weights", makeBlob((name + "_weights"), wType, values));
    // --no-bias drops the bias of the layers it lists (all without a list).
    bool dropBias = options.noBias &&
                    (options.noBias->empty() ||
                     llvm::is_contained(*options.noBias, int64_t(l.index)));
    if (w.bias && !dropBias) {
      for (int64_t v : *w.bias)
        if (v < -128 || v > 127) {
          layerError() << "bias value " << v << " of `" << w.biasKey
                       << "` does not fit the 8-bit bias memory";
          return failure();
        }
      auto bType = RankedTensorType::get({(int64_t)w.bias->size()}, i8);
      add("bias", makeBlob((name + "_bias"), bType, *w.bias));
    }
    if (bits != 8)
      add("weight_bits", i64(bits));
    if (kind != tornado::LayerOpKind::linear) {
      SmallVector<int64_t> kern{l.kernel.value.h}, pad{l.pad.value.h},
          stride{l.stride.value.h}, dil{l.dilation.value.h};
      if (!is1d) {
        kern.push_back(l.kernel.value.w);
        pad.push_back(l.pad.value.w);
        stride.push_back(l.stride.value.w);
        dil.push_back(l.dilation.value.w);
      }
      add("kernel", builder.getDenseI64ArrayAttr(kern));
      add("padding", builder.getDenseI64ArrayAttr(pad));
      add("stride", builder.getDenseI64ArrayAttr(stride));
      add("dilation", builder.getDenseI64ArrayAttr(dil));
      if (kind == tornado::LayerOpKind::conv_transpose2d)
        add("output_padding", builder.getDenseI64ArrayAttr(
                                  {l.outputPad.value.h, l.outputPad.value.w}));
      if (l.groups.value != 1)
        add("groups", i64(l.groups.value));
    }
  }
  // The resolver's shift is the hardware total; the dialect keeps the
  // checkpoint's value and adds the narrow-weight shift itself.
  int64_t implicit =
      kind == tornado::LayerOpKind::none
          ? 0
          : 8 - std::abs(l.quantization.value == -1 ? 1 : l.quantization.value);
  if (l.outputShift.value - implicit != 0)
    add("output_shift", i64(l.outputShift.value - implicit));
  if (l.activation.value != nc::Activation::None)
    add("activation",
        ActivationAttr::get(context, toActivation(l.activation.value)));
  bool wide = l.outputWidth.value == 32;
  if (wide)
    add("output_width", i64(32));
  if (l.flatten.value)
    add("flatten", builder.getUnitAttr());
  if (l.streaming.value)
    add("streaming", builder.getUnitAttr());
  if (l.calcx4.value)
    add("calcx4", builder.getUnitAttr());
  if (l.readahead.value)
    add("readahead", builder.getUnitAttr());
  if (l.tcalc.isKnown())
    add("tcalc", builder.getBoolAttr(l.tcalc.value));

  // Resources.
  if (l.processors.isKnown()) {
    add("processors", ProcMaskAttr::get(context, l.processors.value));
    pinIf("processors", l.processors.isPinned());
  }
  if (l.outputProcessors.isKnown()) {
    add("output_processors",
        ProcMaskAttr::get(context, l.outputProcessors.value));
    pinIf("output_processors", l.outputProcessors.isPinned());
  }
  if (l.inOffset.isKnown()) {
    add("in_offset", i64(l.inOffset.value));
    pinIf("in_offset", l.inOffset.isPinned());
  }
  if (l.outOffset.isKnown()) {
    add("out_offset", i64(l.outOffset.value));
    pinIf("out_offset", l.outOffset.isPinned());
  }
  if (l.inSkip.isPinned()) {
    add("read_gap", i64(l.inSkip.value));
    pinIf("read_gap", true);
  }
  if (l.writeGap.isPinned()) {
    add("write_gap", i64(l.writeGap.value));
    pinIf("write_gap", true);
  }
  if (l.biasGroups.isPinned() && !l.biasGroups.value.empty()) {
    add("bias_group", i64(l.biasGroups.value.front()));
    pinIf("bias_group", true);
  }
  if (!pins.empty())
    add("pinned", builder.getArrayAttr(pins));

  state.addAttributes(attrs);
  auto outShape = kind == tornado::LayerOpKind::linear
                      ? SmallVector<int64_t, 3>{l.outChannels.value, 1, 1}
                      : fmapShape(is1d, l.outChannels.value, l.outDim.value);
  state.addTypes(RankedTensorType::get(outShape, wide ? i32 : i8));
  Operation *op = builder.create(state);
  return op->getResult(0);
}

OwningOpRef<ModuleOp> Importer::run() {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  yamlFile = buffer->getBufferIdentifier().str();

  llvm::Expected<nc::NetworkConfig> config =
      nc::parseNetworkConfig(buffer->getBuffer(), yamlFile);
  if (!config) {
    report(config.takeError(), nc::ConfigLoc());
    return nullptr;
  }
  checkpointLoc = config->arch.valueLoc;
  sampleLoc = config->dataset.valueLoc;
  resolveOptions = nc::ResolveOptions::forDevice(options.device);
  std::optional<target::DeviceKind> deviceKind =
      target::Device::parse(options.device);
  if (!resolveOptions || !deviceKind) {
    // A command-line problem: nothing in the YAML file to point at.
    emitError(UnknownLoc::get(context))
        << "unknown device `" << options.device
            << "` (expected MAX78000 or MAX78002)";
    return nullptr;
  }

  testNetwork = config->isTestNetwork();
  if (failed(testNetwork ? readTestWeights(*config)
                                     : readCheckpointWeights(*config)))
    return nullptr;
  if (failed(readSampleInput(*config)))
    return nullptr;

  resolveOptions->startLayer = options.startLayer;
  ArrayRef<int64_t> inShape = sample->getShape();
  resolveOptions->inputShape = std::array<int64_t, 3>{
      inShape[0], inShape.size() > 1 ? inShape[1] : 1,
      inShape.size() > 2 ? inShape[2] : 1};
  std::vector<nc::LayerWeightsInfo> infos;
  for (const WeightLayer &w : weights) {
    nc::LayerWeightsInfo info;
    info.shape.assign(w.shape.begin(), w.shape.end());
    for (int64_t v : w.values) {
      info.minValue = std::min(info.minValue, v);
      info.maxValue = std::max(info.maxValue, v);
      info.anyZero |= v == 0;
    }
    info.weightBits = w.weightBits;
    info.outputShift = w.outputShift;
    infos.push_back(std::move(info));
  }
  llvm::Expected<nc::ResolvedNetwork> net =
      nc::resolveNetworkConfig(*config, infos, *resolveOptions);
  if (!net) {
    report(net.takeError(), nc::ConfigLoc());
    return nullptr;
  }
  for (const nc::ConfigWarning &w : net->warnings)
    emitWarning(toLoc(w.loc)) << w.message;
  // Command-line overrides of the YAML, as the izer applies them.
  for (nc::ResolvedLayer &l : net->layers) {
    if (options.ignoreStreaming)
      l.streaming.value = false;
    if (llvm::is_contained(options.streamingLayers, int64_t(l.index)))
      l.streaming.value = true;
    if (options.ignoreActivation)
      l.activation.value = nc::Activation::None;
  }
  for (int64_t index : options.streamingLayers)
    if (index < 0 || index >= int64_t(net->layers.size())) {
      error(config->layersLoc) << "--streaming-layers " << index
                               << " is not a layer of this network";
      return nullptr;
    }
  // --input-offset moves where the start layer reads the loaded input.
  if (options.inputOffset)
    for (nc::ResolvedLayer &l : net->layers)
      if (l.index == options.startLayer) {
        if (*options.inputOffset < 0 || *options.inputOffset % 4) {
          error(l.loc) << "--input-offset " << *options.inputOffset
                       << " must be a non-negative multiple of 4 bytes";
          return nullptr;
        }
        l.inOffset.value = *options.inputOffset;
        l.inOffset.origin = nc::ValueOrigin::User;
      }

  // Control flow the lowering does not program yet (the izer's snoop
  // registers, kernel bypass): refuse instead of compiling a different
  // program.
  if (net->snoop) {
    error(config->snoop->valueLoc) << "`snoop` is not supported yet";
    return nullptr;
  }
  for (const nc::ResolvedLayer &l : net->layers) {
    if (l.bypass.value) {
      error(l.loc) << "layer " << l.index
                   << ": `bypass` (kernel bypass) is not supported yet";
      return nullptr;
    }
    if (l.snoopSequence) {
      error(l.loc) << "layer " << l.index
                   << ": `snoop_sequence` is not supported yet";
      return nullptr;
    }
    // Keys the izer reads that Tornado cannot honour yet: refused where
    // they are written rather than compiled without them.
    auto refuse = [&](const nc::ConfigLoc &loc, llvm::StringRef key,
                      llvm::StringRef what) {
      error(loc.isValid() ? loc : l.loc)
          << "layer " << l.index << ": `" << key << "` (" << what
          << ") is not supported yet";
      return nullptr;
    };
    if (l.inCrop.isPinned() && (l.inCrop.value.h || l.inCrop.value.w))
      return refuse(l.inCrop.loc, "in_crop", "cropped input rows");
    if (l.inChannelSkip.isPinned() && l.inChannelSkip.value)
      return refuse(l.inChannelSkip.loc, "in_channel_skip",
                    "skipped input channels");
    if (l.simulatedSequence)
      return refuse(l.loc, "simulated_sequence",
                    "the simulator's layer order");
    // buffer_shift / buffer_insert need a data buffer, whose reader is
    // refused below.
    if (l.biasGroups.isPinned() && l.biasGroups.value.size() > 1)
      return refuse(l.biasGroups.loc, "bias_group",
                    "bias spread over several groups");
  }
  if (!net->unload.empty()) {
    error(config->unload.front().loc)
        << "`unload` (a custom unload list) is not supported yet";
    return nullptr;
  }
  std::optional<std::vector<unsigned>> order = executionOrder(*net);
  if (!order)
    return nullptr;

  Location fileLoc = FileLineColLoc::get(context, yamlFile, 1, 1);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  Type i8 = builder.getIntegerType(8);
  auto inType = RankedTensorType::get(inShape, i8);

  // The final layer's result is the network output.
  unsigned finalIndex = net->finalLayer;
  if (options.stopAfter >= 0) {
    if ((unsigned)options.stopAfter >= net->numLayers ||
        (unsigned)options.stopAfter < options.startLayer) {
      error(config->layersLoc) << "--stop-after " << options.stopAfter
              << " is not a layer of this network (layers "
              << options.startLayer << " to " << net->numLayers - 1 << ")";
      return nullptr;
    }
    finalIndex = options.stopAfter;
  }
  if (options.outputWidth) {
    if (options.outputWidth != 8 && options.outputWidth != 32) {
      error(config->layersLoc) << "--output-width must be 8 or 32, not "
              << options.outputWidth;
      return nullptr;
    }
    for (nc::ResolvedLayer &l : net->layers)
      if (l.index == finalIndex)
        l.outputWidth.value = options.outputWidth;
  }
  std::string netName = config->arch.value.empty() ? "network"
                                                   : config->arch.value;
  auto network = builder.create<NetworkOp>(
      fileLoc, netName, builder.getFunctionType({inType}, {}));
  network.setDevice(*deviceKind == target::DeviceKind::MAX78002
                        ? DeviceKind::max78002
                        : DeviceKind::max78000);
  bool chw = !net->layers.empty() && net->layers.front().bigData.value;
  network.setInputFormat(chw ? DataFormat::chw : DataFormat::hwc);
  network.setAvgPoolRounding(options.avgPoolRounding);
  network->setAttr("sample_input", makeBlob("sample_input", inType,
                                            sampleValues));
  Block *body = new Block();
  network.getBody().push_back(body);
  Value input = body->addArgument(inType, fileLoc);
  builder.setInsertionPointToEnd(body);

  std::map<int64_t, Value> results;
  // Layers marked `output: true` (and the final layer) are the network's
  // results; the known answer checks all of them.
  SmallVector<Value> outputs;
  Value last = input;
  // Layers are built in execution order; out of hardware-layer order, each
  // names its hardware layer (`hw_layer`).
  bool linked = !llvm::is_sorted(*order);
  for (unsigned index : *order) {
    const nc::ResolvedLayer &l = net->layers[index];
    SmallVector<Value> inputs;
    auto valueOf = [&](int64_t ref) -> Value {
      if (ref == nc::kInputLayer)
        return input;
      auto it = results.find(ref);
      return it == results.end() ? Value() : it->second;
    };
    if (l.inSequences.isKnown() && !l.inSequences.value.empty()) {
      for (int64_t ref : l.inSequences.value) {
        Value v = valueOf(ref);
        if (!v && ref == nc::kDataBufferLayer) {
          emitError(toLoc(l.inSequences.loc))
              << "layer " << l.index << " reads data buffer `"
              << net->dataBuffers.front().name
              << "`: rolling data buffers (`data_buffer`) are not supported "
                 "by the importer yet";
          return nullptr;
        }
        if (!v) {
          emitError(toLoc(l.inSequences.loc))
              << "layer " << l.index << " reads layer " << ref
              << ", which has not run yet";
          return nullptr;
        }
        inputs.push_back(v);
      }
    } else if (l.prevSequence.isKnown()) {
      Value v = valueOf(l.prevSequence.value);
      inputs.push_back(v ? v : last);
    } else {
      inputs.push_back(last);
    }
    FailureOr<Value> result = buildLayer(l, inputs);
    if (failed(result))
      return nullptr;
    if (linked)
      result->getDefiningOp()->setAttr(
          "hw_layer", builder.getI64IntegerAttr(l.index));
    results[l.index] = *result;
    last = *result;
    if (l.outputLayer.value && l.index != finalIndex)
      outputs.push_back(*result);
    if (l.index == finalIndex)
      break;
  }
  outputs.push_back(last);
  builder.create<ReturnOp>(fileLoc, outputs);
  network.setFunctionType(builder.getFunctionType(
      {inType}, ValueRange(outputs).getTypes()));
  // A verifier failure points at the layer's YAML; the generic form of the
  // op would only bury that.
  bool printOp = context->shouldPrintOpOnDiagnostic();
  context->printOpOnDiagnostic(false);
  LogicalResult verified = verify(*module);
  context->printOpOnDiagnostic(printOp);
  if (failed(verified))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> tornado::importNetwork(llvm::SourceMgr &sourceMgr,
                                             MLIRContext *context,
                                             const ImportOptions &options) {
  context->loadDialect<TornadoDialect>();
  Importer importer(sourceMgr, context, options);
  return importer.run();
}
