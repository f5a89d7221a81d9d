//===- NetworkConfig.h - izer-compatible YAML network descriptions -*- C++
//-*-===//
//
// Plain data model and entry points for the YAML network-description language
// of the ai8x-synthesis tool ("the izer"). Two steps:
//
//   1. parseNetworkConfig(): YAML text -> NetworkConfig. Every key the izer
//      accepts, exactly as written, with the source location of each key and
//      value. Rejects what the izer rejects syntactically (types, enums,
//      conflicting aliases, per-layer consistency rules).
//   2. resolveNetworkConfig(): NetworkConfig + per-layer weight shapes +
//      device -> ResolvedNetwork. Applies the izer's defaults and inference
//      (layer order, offsets, processor maps, channel counts, dimensions,
//      quantization, output shift) and records for every value whether the
//      user wrote it ("pinned") or where it came from.
//
// This header needs neither exceptions nor yaml-cpp nor MLIR. Every error is
// an llvm::Error holding NetworkConfigError values ("file:line:col: error:
// rule"); see docs/yaml-config.md for the language and the rules.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_IMPORT_NETWORKCONFIG_H
#define TORNADO_IMPORT_NETWORKCONFIG_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace tornado {
namespace netcfg {

//===----------------------------------------------------------------------===//
// Locations and errors
//===----------------------------------------------------------------------===//

/// A position in a network-description file. `line` and `col` are 1-based;
/// 0 means unknown. Maps directly onto mlir::FileLineColLoc.
struct ConfigLoc {
  std::string file;
  unsigned line = 0;
  unsigned col = 0;

  bool isValid() const { return line != 0; }
  /// "file:line:col" (or just "file" when the position is unknown).
  std::string str() const;
};

/// One located problem. An llvm::Error returned by this library is one of
/// these or an llvm::ErrorList of several (use llvm::handleErrors to visit).
class NetworkConfigError : public llvm::ErrorInfo<NetworkConfigError> {
public:
  static char ID;
  NetworkConfigError(ConfigLoc loc, std::string message)
      : loc(std::move(loc)), message(std::move(message)) {}

  const ConfigLoc &getLoc() const { return loc; }
  /// The rule that was broken, without location or "error:" prefix.
  const std::string &getMessage() const { return message; }
  /// Prints "file:line:col: error: message".
  void log(llvm::raw_ostream &os) const override;
  std::error_code convertToErrorCode() const override;

private:
  ConfigLoc loc;
  std::string message;
};

/// A non-fatal observation (the izer prints these as warnings).
struct ConfigWarning {
  ConfigLoc loc;
  std::string message;
};

//===----------------------------------------------------------------------===//
// Value vocabulary
//===----------------------------------------------------------------------===//

/// Main operation of a layer after optional pooling (mirrors
/// tornado::target::LayerOp).
enum class LayerOp { None, Conv1d, Conv2d, ConvTranspose2d, Linear };
/// Element-wise operation combining several inputs.
enum class EltwiseOp { None, Add, Sub, Or, Xor };
enum class Activation { None, ReLU, Abs };
enum class PoolKind { None, Max, Avg };
/// `data_format`: HWC ("little", the default) or CHW ("big").
enum class DataFormat { HWC, CHW };

llvm::StringRef stringifyLayerOp(LayerOp op);
llvm::StringRef stringifyEltwiseOp(EltwiseOp op);
llvm::StringRef stringifyActivation(Activation act);
llvm::StringRef stringifyPoolKind(PoolKind kind);

/// A [H, W] pair. For 1D data W is 1.
struct HW {
  int64_t h = 0;
  int64_t w = 0;
  bool operator==(const HW &o) const { return h == o.h && w == o.w; }
  bool operator!=(const HW &o) const { return !(*this == o); }
};

/// A pair key as written: a single integer N (meaning [N, N], or [N, 1]
/// for `in_dim`) or a list [H, W].
struct PairValue {
  HW value;
  bool writtenAsList = false;
};

/// The value of `operation` (alias `op`, `operator`, `convolution`).
/// "add"/"sub"/"or"/"xor" select LayerOp::None with an element-wise op.
struct OperationValue {
  LayerOp op = LayerOp::Conv2d;
  EltwiseOp eltwise = EltwiseOp::None;
  std::string spelling; // as written, e.g. "Conv2d", "MLP", "BitwiseXor"
};

/// The value of `kernel_size`: "3x3"/"1x1" (2D) or an integer (1D).
struct KernelValue {
  HW value;
  std::string spelling; // as written, e.g. "3x3" or "5"
};

/// A reference to a layer: a sequence number or a name. Names are matched
/// case-insensitively; "input" means the network input, and "stop" (only for
/// next_sequence/simulated_sequence) ends execution.
struct LayerRef {
  bool isName = false;
  int64_t number = 0;
  std::string name;
};

/// A value with the key it was written under (aliases differ) and where.
template <typename T> struct Located {
  T value{};
  std::string key;
  ConfigLoc keyLoc;
  ConfigLoc valueLoc;
};
template <typename T> using OptLocated = std::optional<Located<T>>;

//===----------------------------------------------------------------------===//
// Step 1: the file as written
//===----------------------------------------------------------------------===//

/// One item of the `layers` list. Every key the izer accepts; a key that was
/// not written is std::nullopt. Aliases share a field (`key` tells which).
struct LayerConfig {
  unsigned position = 0; // index in the YAML `layers` list
  ConfigLoc loc;         // start of the layer's mapping
  /// Every key in file order (for tooling and "unused key" diagnostics).
  std::vector<std::pair<std::string, ConfigLoc>> keys;

  // Placement and data memory.
  OptLocated<uint64_t> processors;        // processors
  OptLocated<uint64_t> outputProcessors;  // output_processors
  OptLocated<int64_t> inOffset;           // in_offset
  OptLocated<int64_t> outOffset;          // out_offset
  OptLocated<int64_t> sequence;           // sequence
  OptLocated<LayerRef> nextSequence;      // next_sequence
  OptLocated<LayerRef> simulatedSequence; // simulated_sequence
  OptLocated<int64_t> snoopSequence;      // snoop_sequence
  OptLocated<std::string> name;           // name

  // Operation.
  OptLocated<OperationValue> operation; // op/operation/operator/convolution
  OptLocated<EltwiseOp> eltwise;        // eltwise
  OptLocated<int64_t> operands;         // operands
  OptLocated<KernelValue> kernelSize;   // kernel_size
  OptLocated<int64_t> pad;              // pad
  OptLocated<int64_t> outputPad;        // output_pad
  OptLocated<PairValue> stride;         // stride
  OptLocated<PairValue> dilation;       // dilation
  OptLocated<int64_t> groups;           // groups/conv_groups
  OptLocated<Activation> activation;    // activate/activation
  OptLocated<bool> bypass;              // bypass
  OptLocated<std::vector<int64_t>> biasGroup; // bias_group/bias_quadrant
  OptLocated<LayerRef> weightSource;          // weight_source

  // Pooling.
  OptLocated<PairValue> maxPool;      // max_pool
  OptLocated<PairValue> avgPool;      // avg_pool
  OptLocated<PairValue> poolStride;   // pool_stride
  OptLocated<PairValue> poolDilation; // pool_dilation
  OptLocated<bool> poolFirst;         // pool_first

  // Input shape and layout.
  OptLocated<std::vector<LayerRef>> inSequences; // in_sequences
  OptLocated<int64_t> inChannels;                // in_channels
  OptLocated<int64_t> outChannels;               // out_channels
  OptLocated<PairValue> inDim;                   // in_dim
  OptLocated<PairValue> inCrop;                  // in_crop
  OptLocated<int64_t> inSkip;                    // in_skip/read_gap
  OptLocated<int64_t> inChannelSkip;             // in_channel_skip
  OptLocated<DataFormat> dataFormat;             // data_format
  OptLocated<bool> flatten;                      // flatten

  // Output.
  OptLocated<int64_t> outputWidth;  // output_width (8 or 32)
  OptLocated<int64_t> outputShift;  // output_shift
  OptLocated<int64_t> quantization; // quantization (1, 2, 4, 8; -1 = binary)
  OptLocated<int64_t> writeGap;     // write_gap
  OptLocated<bool> output;          // output

  // Execution modes.
  OptLocated<bool> streaming; // streaming
  OptLocated<bool> calcx4;    // calcx4
  OptLocated<bool> readahead; // readahead
  OptLocated<bool> tcalc;     // tcalc

  // Rolling data buffers.
  OptLocated<int64_t> bufferShift;  // buffer_shift
  OptLocated<int64_t> bufferInsert; // buffer_insert

  /// Pooling as written: max_pool or avg_pool (never both), or nullptr.
  const Located<PairValue> *pool() const {
    return maxPool ? &*maxPool : avgPool ? &*avgPool : nullptr;
  }
};

/// What the items of `unload` and `data_buffer` both describe: a map in
/// data memory.
struct MemoryMapConfig {
  ConfigLoc loc;
  Located<uint64_t> processors;
  Located<PairValue> dim; // integer L means [L, 1]
  Located<int64_t> channels;
  Located<int64_t> offset;
  OptLocated<int64_t> width; // 8 or 32
};

/// One item of the global `unload` list (custom cnn_unload()).
struct UnloadConfig : MemoryMapConfig {
  OptLocated<int64_t> writeGap;
};

/// One item of the global `data_buffer` list (rolling buffers, e.g. TCN).
struct DataBufferConfig : MemoryMapConfig {
  Located<std::string> name;
};

/// A whole network description as written.
struct NetworkConfig {
  std::string fileName;
  Located<std::string> arch;       // "test" selects synthetic test networks
  Located<std::string> dataset;    // names sample data / test weight files
  OptLocated<std::string> bias;    // arch: test only: tests/bias_<bias>.npy
  OptLocated<std::string> weights; // arch: test only: tests/<weights>.npy
  OptLocated<uint64_t> outputMap;  // output_map
  OptLocated<std::vector<int64_t>> snoop;
  std::vector<UnloadConfig> unload;
  std::vector<DataBufferConfig> dataBuffers;
  ConfigLoc layersLoc; // the `layers` key
  std::vector<LayerConfig> layers;

  bool isTestNetwork() const { return arch.value == "test"; }
};

/// Parses `yamlText`; `fileName` is only used in locations.
llvm::Expected<NetworkConfig> parseNetworkConfig(llvm::StringRef yamlText,
                                                 llvm::StringRef fileName);
/// Reads and parses a file.
llvm::Expected<NetworkConfig> parseNetworkConfigFile(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// Step 2: defaults and inference
//===----------------------------------------------------------------------===//

/// Facts about one weight tensor, supplied by the checkpoint reader (or, for
/// `arch: test`, by the sample-weight reader), one entry per layer that has
/// weights, in checkpoint order.
struct LayerWeightsInfo {
  /// Tensor shape as stored: [O, I/groups, KH, KW] (2D), [O, I/groups, K]
  /// (1D), [O, I] (linear). ConvTranspose2d tensors in checkpoints keep
  /// PyTorch's [I, O/groups, KH, KW]; resolve swaps them like the izer.
  /// `arch: test` sample weights are always [O, I/groups, ...].
  std::vector<int64_t> shape;
  int64_t minValue = 0;
  int64_t maxValue = 0;
  bool anyZero = false;
  /// Checkpoint `<layer>.weight_bits` and `<layer>.output_shift`, if present.
  std::optional<int64_t> weightBits;
  std::optional<int64_t> outputShift;
};

/// Device facts and command-line choices that the izer's defaults depend on.
struct ResolveOptions {
  std::string device = "MAX78000";
  unsigned maxLayers = 32;
  /// False for the CMSIS-NN software target: `processors` is ignored.
  bool useProcessors = true;
  /// Layers may leave out `processors`, `output_processors`, `in_offset`
  /// and `out_offset`: they stay unresolved and the placement passes choose
  /// them (what a layer writes is a pin). Also on whenever a layer lacks
  /// `processors`, which the izer requires.
  bool autoPlace = false;
  /// MAX78002: next_sequence may jump, binary weights exist.
  bool linkLayers = false;
  bool binaryWeights = false;
  unsigned numProcessors = 64;
  /// --start-layer.
  unsigned startLayer = 0;
  /// Sample input shape [C, H, W] (1D inputs: W = 1). Without it, the first
  /// layer's dimensions and channel counts stay unresolved unless written.
  std::optional<std::array<int64_t, 3>> inputShape;
  /// False when no weight information is available at all: the `weights`
  /// argument is ignored and weight-derived values stay unresolved.
  bool weightsKnown = true;

  /// MAX78000/AI85/85, MAX78002/AI87/87, CMSIS-NN (case-insensitive).
  static std::optional<ResolveOptions> forDevice(llvm::StringRef name);
};

/// Where a resolved value came from.
enum class ValueOrigin {
  User,      // written in the YAML file ("pinned"); loc is its value
  Default,   // a fixed default of the language
  Inferred,  // derived from other layers or the input
  Weights,   // derived from the weight tensors
  Unresolved // not determinable with the information given
};
llvm::StringRef stringifyValueOrigin(ValueOrigin origin);

template <typename T> struct Resolved {
  T value{};
  ValueOrigin origin = ValueOrigin::Unresolved;
  ConfigLoc loc;

  bool isPinned() const { return origin == ValueOrigin::User; }
  bool isKnown() const { return origin != ValueOrigin::Unresolved; }
};

/// Layer number of the network input in `inSequences` etc.
constexpr int64_t kInputLayer = -1;
/// Layer number standing for the data buffer in `inSequences`.
constexpr int64_t kDataBufferLayer = -2;
/// `nextSequence` value meaning "stop".
constexpr int64_t kStopLayer = -1;

struct ResolvedLayer {
  unsigned index = 0;    // layer number (position after sorting by sequence)
  int64_t sequence = 0;  // sequence number written or counted
  unsigned position = 0; // index into NetworkConfig::layers
  std::string name;      // empty when unnamed
  ConfigLoc loc;
  /// Visited when walking next_sequence from the start layer.
  bool reachable = false;
  /// Index into the weights array, or -1 for layers without weights.
  int weightIndex = -1;

  Resolved<uint64_t> processors;
  Resolved<uint64_t> outputProcessors;
  Resolved<int64_t> inOffset;
  Resolved<int64_t> outOffset;

  Resolved<LayerOp> op;
  Resolved<EltwiseOp> eltwise;
  Resolved<int64_t> operands;
  Resolved<Activation> activation;
  Resolved<HW> kernel;
  Resolved<HW> pad;
  Resolved<HW> outputPad;
  Resolved<HW> stride;
  Resolved<HW> dilation;
  Resolved<int64_t> groups;
  Resolved<bool> bypass;

  Resolved<PoolKind> poolKind;
  Resolved<HW> pool; // [1, 1] without pooling
  Resolved<HW> poolStride;
  Resolved<HW> poolDilation;
  Resolved<bool> poolFirst;

  /// Explicit inputs; Unresolved (empty) means "the previous layer".
  Resolved<std::vector<int64_t>> inSequences;
  Resolved<int64_t> nextSequence; // kStopLayer ends execution
  Resolved<int64_t> prevSequence; // kInputLayer for the first layer
  Resolved<int64_t> inChannels;
  Resolved<int64_t> outChannels;
  Resolved<HW> inDim;
  Resolved<HW> inCrop;
  Resolved<HW> pooledDim;
  Resolved<HW> outDim;
  Resolved<int64_t> inSkip;
  Resolved<int64_t> inChannelSkip;
  Resolved<bool> bigData; // data_format CHW
  Resolved<bool> flatten;

  Resolved<int64_t> outputWidth;
  /// Total shift: the written (or checkpoint) output_shift plus the implicit
  /// 8 - |quantization| for layers with weights.
  Resolved<int64_t> outputShift;
  Resolved<int64_t> quantization; // 0 for layers without weights; -1 binary
  Resolved<int64_t> writeGap;
  Resolved<bool> outputLayer;

  Resolved<bool> streaming;
  Resolved<bool> calcx4;
  Resolved<bool> readahead;
  /// Unresolved: the back end decides (readahead and multi-pass input).
  Resolved<bool> tcalc;
  /// Unresolved: the bias allocator decides.
  Resolved<std::vector<int64_t>> biasGroups;

  std::optional<int64_t> simulatedSequence; // kStopLayer = stop
  std::optional<int64_t> snoopSequence;
  std::optional<int64_t> weightSource;
  std::optional<int64_t> bufferShift;
  std::optional<int64_t> bufferInsert;
};

/// A resolved `unload` or `data_buffer` map.
struct ResolvedMemoryMap {
  uint64_t processors = 0;
  int64_t channels = 0;
  HW dim;
  int64_t offset = 0;
  int64_t width = 8;
};

struct ResolvedUnload : ResolvedMemoryMap {
  int64_t writeGap = 0;
};

struct ResolvedDataBuffer : ResolvedMemoryMap {
  std::string name;
};

struct ResolvedNetwork {
  std::string fileName;
  std::string arch;
  std::string dataset;
  bool isTestNetwork = false;
  std::optional<std::string> testBias;
  std::optional<std::string> testWeights;
  std::optional<std::vector<int64_t>> snoop;
  /// All configured layers in layer-number order.
  std::vector<ResolvedLayer> layers;
  /// Layers the izer keeps: the highest reachable layer number + 1.
  unsigned numLayers = 0;
  unsigned startLayer = 0;
  unsigned finalLayer = 0;
  std::vector<ResolvedUnload> unload;
  std::vector<ResolvedDataBuffer> dataBuffers;
  std::vector<ConfigWarning> warnings;
};

/// Applies the izer's defaults and inference. `weights` has one entry per
/// weight tensor in checkpoint order; they are handed to the layers that take
/// weights in layer-number order (ResolvedLayer::weightIndex tells which):
/// every layer except passthrough/element-wise-only, `bypass`, and (for
/// checkpoint networks) `weight_source` layers. Extra entries are ignored.
llvm::Expected<ResolvedNetwork>
resolveNetworkConfig(const NetworkConfig &config,
                     llvm::ArrayRef<LayerWeightsInfo> weights,
                     const ResolveOptions &options);

/// Writes a resolved network as JSON (for tests and --dump options).
void printResolvedNetwork(const ResolvedNetwork &net, llvm::raw_ostream &os);

} // namespace netcfg
} // namespace tornado

#endif // TORNADO_IMPORT_NETWORKCONFIG_H
