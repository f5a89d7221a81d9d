//===- NetworkConfigResolve.cpp - izer defaults and inference -------------===//
//
// Turns a NetworkConfig into a ResolvedNetwork by applying, in the izer's
// order, its defaults (per layer, from the operation), its layer ordering
// (`sequence`, `next_sequence`), the weight-derived values (channels,
// quantization, output shift) and its walk over the network that propagates
// channels, offsets, processor maps and dimensions from layer to layer.
// See docs/yaml-config.md for the rules in prose.
//
//===----------------------------------------------------------------------===//

#include "tornado/Import/NetworkConfig.h"
#include "YamlScalar.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>

using namespace tornado::netcfg;

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

template <typename T, typename U>
void setUser(Resolved<T> &r, const Located<U> &located, T value) {
  r.value = std::move(value);
  r.origin = ValueOrigin::User;
  r.loc = located.valueLoc;
}

template <typename T>
void set(Resolved<T> &r, T value, ValueOrigin origin, ConfigLoc loc = {}) {
  r.value = std::move(value);
  r.origin = origin;
  r.loc = std::move(loc);
}

/// The value of an optional key, or a default.
template <typename T>
void setOr(Resolved<T> &r, const OptLocated<T> &located, T fallback) {
  if (located)
    setUser(r, *located, located->value);
  else
    set(r, std::move(fallback), ValueOrigin::Default);
}

/// Copies the value of an optional key that needs no resolving, if written.
template <typename T, typename U>
void copyIfWritten(T &to, const OptLocated<U> &located) {
  if (located)
    to = located->value;
}

std::string hwString(const HW &hw) {
  return llvm::formatv("{0}x{1}", hw.h, hw.w).str();
}

class Resolver {
public:
  Resolver(const NetworkConfig &config,
           llvm::ArrayRef<LayerWeightsInfo> weights,
           const ResolveOptions &options)
      : config(config), weights(weights), options(options),
        autoPlace(options.autoPlace) {
    if (options.useProcessors)
      for (const LayerConfig &c : config.layers)
        autoPlace |= !c.processors.has_value();
  }

  llvm::Expected<ResolvedNetwork> run();

private:
  void error(const ConfigLoc &loc, const llvm::Twine &message) {
    errors.push_back({loc, message.str()});
  }
  void warn(const ConfigLoc &loc, const llvm::Twine &message) {
    net.warnings.push_back({loc, message.str()});
  }
  llvm::Error takeErrors();
  std::string layerStr(int64_t index) const {
    if (index == kInputLayer)
      return "input";
    if (index == kDataBufferLayer)
      return "data buffer";
    const ResolvedLayer &l = net.layers[index];
    if (l.name.empty())
      return std::to_string(index);
    return llvm::formatv("{0} ({1})", index, l.name).str();
  }

  bool orderLayers();
  void applyLayerDefaults(ResolvedLayer &l, const LayerConfig &c);
  std::optional<int64_t> resolveRef(const LayerRef &ref, const ConfigLoc &loc,
                                    llvm::StringRef key, bool allowStop);
  void resolveRefs(ResolvedLayer &l, const LayerConfig &c);
  bool consumesWeights(const LayerConfig &c) const;
  void applyWeights();
  void applyQuantization();
  void applyWeightSources();
  void walkChannels();
  void applyOutputMap();
  void walkGeometry();
  void resolveBuffers();

  /// A property (channels, dimensions) of the map `index` names: a layer's
  /// output, the network input or the data buffer.
  using InputShape = std::array<int64_t, 3>;
  template <typename T>
  Resolved<T>
  mapProperty(int64_t index, llvm::function_ref<T(const InputShape &)> ofInput,
              llvm::function_ref<T(const ResolvedDataBuffer &)> ofBuffer,
              Resolved<T> ResolvedLayer::*ofLayer) const;
  Resolved<int64_t> channelsOf(int64_t index) const;
  Resolved<HW> dimsOf(int64_t index) const;

  const NetworkConfig &config;
  llvm::ArrayRef<LayerWeightsInfo> weights;
  const ResolveOptions &options;
  /// Placement keys left out stay unresolved (ResolveOptions::autoPlace).
  bool autoPlace;
  ResolvedNetwork net;
  /// Layer configs in layer-number order.
  std::vector<const LayerConfig *> ordered;
  std::vector<std::pair<ConfigLoc, std::string>> errors;
};

llvm::Error Resolver::takeErrors() {
  llvm::Error all = llvm::Error::success();
  for (auto &[loc, message] : errors)
    all = llvm::joinErrors(std::move(all),
                           llvm::make_error<NetworkConfigError>(loc, message));
  errors.clear();
  return all;
}

/// `sequence` overrides the running count; gaps close up afterwards, so a
/// layer's number is its rank by sequence.
bool Resolver::orderLayers() {
  std::map<int64_t, const LayerConfig *> bySequence;
  int64_t sequence = 0;
  for (const LayerConfig &c : config.layers) {
    if (c.sequence)
      sequence = c.sequence->value;
    ConfigLoc loc = c.sequence ? c.sequence->valueLoc : c.loc;
    if (sequence >= int64_t(options.maxLayers)) {
      error(loc, llvm::formatv("layer sequence {0} is out of range: {1} "
                               "supports {2} layers (0 to {3})",
                               sequence, options.device, options.maxLayers,
                               options.maxLayers - 1));
    } else {
      auto inserted = bySequence.try_emplace(sequence, &c);
      if (!inserted.second)
        error(loc, llvm::formatv("layer sequence {0} is already used by the "
                                 "layer at {1}",
                                 sequence, inserted.first->second->loc.str()));
    }
    ++sequence;
  }
  unsigned index = 0;
  for (auto &[seq, c] : bySequence) {
    ordered.push_back(c);
    ResolvedLayer l;
    l.index = index++;
    l.sequence = seq;
    l.position = c->position;
    l.loc = c->loc;
    if (c->name)
      l.name = c->name->value;
    net.layers.push_back(std::move(l));
  }
  return errors.empty();
}

/// Per-layer defaults that depend only on the layer's own keys.
void Resolver::applyLayerDefaults(ResolvedLayer &l, const LayerConfig &c) {
  // Processors: the CMSIS-NN target has none and ignores the maps.
  if (options.useProcessors) {
    // Without `processors` the network is placed automatically (the izer
    // requires the key; autoPlace is on whenever a layer leaves it out).
    if (c.processors)
      setUser(l.processors, *c.processors, c.processors->value);
    if (c.outputProcessors)
      setUser(l.outputProcessors, *c.outputProcessors,
              c.outputProcessors->value);
  } else {
    set(l.processors, uint64_t(1), ValueOrigin::Default);
  }

  // Operation, and the element-wise operation it may imply.
  LayerOp op = c.operation ? c.operation->value.op : LayerOp::Conv2d;
  if (c.operation)
    setUser(l.op, *c.operation, op);
  else
    set(l.op, op, ValueOrigin::Default);
  if (c.eltwise)
    setUser(l.eltwise, *c.eltwise, c.eltwise->value);
  else if (c.operation)
    setUser(l.eltwise, *c.operation, c.operation->value.eltwise);
  else
    set(l.eltwise, EltwiseOp::None, ValueOrigin::Default);
  bool isEltwise = l.eltwise.value != EltwiseOp::None;
  if (c.operands)
    setUser(l.operands, *c.operands, c.operands->value);
  else
    set(l.operands, int64_t(isEltwise ? 2 : 1),
        isEltwise ? ValueOrigin::Inferred : ValueOrigin::Default,
        l.eltwise.loc);

  bool isConv = op == LayerOp::Conv1d || op == LayerOp::Conv2d ||
                op == LayerOp::ConvTranspose2d;
  bool is1D = op == LayerOp::Conv1d;

  // Padding: 1 for convolutions, 0 for everything else.
  if (c.pad)
    setUser(l.pad, *c.pad, HW{c.pad->value, c.pad->value});
  else
    set(l.pad, isConv ? HW{1, 1} : HW{0, 0}, ValueOrigin::Default);

  // Kernel: 3x3 (2D), 9 (1D), 1x1 for Linear and passthrough.
  if (op == LayerOp::None || op == LayerOp::Linear)
    set(l.kernel, HW{1, 1}, ValueOrigin::Default);
  else if (c.kernelSize)
    setUser(l.kernel, *c.kernelSize, c.kernelSize->value.value);
  else
    set(l.kernel, is1D ? HW{9, 1} : HW{3, 3}, ValueOrigin::Default);

  // Stride: ConvTranspose2d always upsamples by 2.
  if (op == LayerOp::ConvTranspose2d) {
    if (c.stride && !c.maxPool && !c.avgPool)
      setUser(l.stride, *c.stride, HW{2, 2});
    else
      set(l.stride, HW{2, 2}, ValueOrigin::Default);
  } else if (c.stride) {
    int64_t s = c.stride->value.value.h;
    setUser(l.stride, *c.stride, HW{s, s});
  } else {
    set(l.stride, HW{1, 1}, ValueOrigin::Default);
  }

  auto pair = [](const OptLocated<PairValue> &v) -> OptLocated<HW> {
    if (!v)
      return std::nullopt;
    Located<HW> out;
    out.value = v->value.value;
    out.key = v->key;
    out.keyLoc = v->keyLoc;
    out.valueLoc = v->valueLoc;
    return out;
  };
  setOr(l.dilation, pair(c.dilation), HW{1, 1});
  setOr(l.poolDilation, pair(c.poolDilation), HW{1, 1});
  if (const Located<PairValue> *pool = c.pool()) {
    setUser(l.poolKind, *pool, c.maxPool ? PoolKind::Max : PoolKind::Avg);
    setUser(l.pool, *pool, pool->value.value);
  } else {
    set(l.poolKind, PoolKind::None, ValueOrigin::Default);
    set(l.pool, HW{1, 1}, ValueOrigin::Default);
  }
  setOr(l.poolStride, pair(c.poolStride), HW{1, 1});
  if (c.pool() && !c.poolStride)
    warn(c.pool()->keyLoc, "no `pool_stride` given: the pool stride defaults "
                           "to 1, not to the pool size");

  if (c.outputPad)
    setUser(l.outputPad, *c.outputPad,
            HW{c.outputPad->value, c.outputPad->value});
  else
    set(l.outputPad, op == LayerOp::ConvTranspose2d ? HW{1, 1} : HW{0, 0},
        ValueOrigin::Default);

  // 1D layers have no second dimension.
  if (is1D) {
    l.pad.value.w = 0;
    l.pool.value.w = 1;
    l.poolStride.value.w = 1;
    l.stride.value.w = 1;
    l.dilation.value.w = 1;
    l.poolDilation.value.w = 1;
  }

  setOr(l.activation, c.activation, Activation::None);
  setOr(l.poolFirst, c.poolFirst, true);
  if (c.dataFormat)
    setUser(l.bigData, *c.dataFormat, c.dataFormat->value == DataFormat::CHW);
  else
    set(l.bigData, false, ValueOrigin::Default);
  setOr(l.outputWidth, c.outputWidth, int64_t(8));
  setOr(l.groups, c.groups, int64_t(1));
  setOr(l.writeGap, c.writeGap, int64_t(0));
  setOr(l.inSkip, c.inSkip, int64_t(0));
  setOr(l.inChannelSkip, c.inChannelSkip, int64_t(0));
  if (c.inCrop)
    setUser(l.inCrop, *c.inCrop, c.inCrop->value.value);
  else
    set(l.inCrop, HW{0, 0}, ValueOrigin::Default);
  setOr(l.flatten, c.flatten, false);
  setOr(l.streaming, c.streaming, false);
  setOr(l.bypass, c.bypass, false);
  setOr(l.calcx4, c.calcx4, false);
  setOr(l.readahead, c.readahead, false);
  if (c.tcalc)
    setUser(l.tcalc, *c.tcalc, c.tcalc->value);
  setOr(l.outputLayer, c.output, false);
  if (c.biasGroup)
    setUser(l.biasGroups, *c.biasGroup, c.biasGroup->value);
  if (c.quantization)
    setUser(l.quantization, *c.quantization, c.quantization->value);
  if (c.outOffset)
    setUser(l.outOffset, *c.outOffset, c.outOffset->value);
  else if (!autoPlace)
    set(l.outOffset, int64_t(0), ValueOrigin::Default);
  copyIfWritten(l.snoopSequence, c.snoopSequence);
  copyIfWritten(l.bufferShift, c.bufferShift);
  copyIfWritten(l.bufferInsert, c.bufferInsert);
}

/// Layer names match case-insensitively; "input" is the network input and
/// a data buffer's name stands for the buffer.
std::optional<int64_t> Resolver::resolveRef(const LayerRef &ref,
                                            const ConfigLoc &loc,
                                            llvm::StringRef key,
                                            bool allowStop) {
  int64_t numLayers = net.layers.size();
  if (!ref.isName) {
    if (ref.number >= numLayers) {
      error(loc, llvm::formatv("`{0}` refers to layer {1}, but the network "
                               "has {2} layers (0 to {3})",
                               key, ref.number, numLayers, numLayers - 1));
      return std::nullopt;
    }
    return ref.number;
  }
  std::string lower = llvm::StringRef(ref.name).lower();
  if (allowStop && lower == "stop")
    return kStopLayer;
  if (lower == "input")
    return kInputLayer;
  for (const ResolvedLayer &l : net.layers)
    if (!l.name.empty() && llvm::StringRef(l.name).equals_insensitive(lower))
      return int64_t(l.index);
  for (const DataBufferConfig &b : config.dataBuffers)
    if (llvm::StringRef(b.name.value).equals_insensitive(lower))
      return kDataBufferLayer;
  std::string message =
      llvm::formatv("`{0}` names layer `{1}`, but no layer has that name", key,
                    ref.name)
          .str();
  llvm::StringRef best;
  unsigned bestDistance = ~0u;
  for (const ResolvedLayer &l : net.layers) {
    if (l.name.empty())
      continue;
    unsigned d = llvm::StringRef(lower).edit_distance(
        llvm::StringRef(l.name).lower(), true, bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = l.name;
    }
  }
  if (!best.empty() && bestDistance <= std::max<size_t>(2, lower.size() / 3))
    message += llvm::formatv("; did you mean `{0}`?", best).str();
  error(loc, message);
  return std::nullopt;
}

void Resolver::resolveRefs(ResolvedLayer &l, const LayerConfig &c) {
  if (c.inSequences) {
    std::vector<int64_t> inputs;
    bool ok = true;
    for (const LayerRef &ref : c.inSequences->value) {
      std::optional<int64_t> index =
          resolveRef(ref, c.inSequences->valueLoc, "in_sequences", false);
      ok &= index.has_value();
      if (index)
        inputs.push_back(*index);
    }
    if (ok)
      setUser(l.inSequences, *c.inSequences, std::move(inputs));
  }
  int64_t numLayers = net.layers.size();
  if (c.nextSequence) {
    if (std::optional<int64_t> next =
            resolveRef(c.nextSequence->value, c.nextSequence->valueLoc,
                       "next_sequence", true))
      setUser(l.nextSequence, *c.nextSequence, *next);
  } else {
    set(l.nextSequence,
        int64_t(l.index + 1 < numLayers ? l.index + 1 : kStopLayer),
        ValueOrigin::Default);
  }
  if (c.simulatedSequence)
    l.simulatedSequence =
        resolveRef(c.simulatedSequence->value, c.simulatedSequence->valueLoc,
                   "simulated_sequence", true);
  if (c.weightSource) {
    std::optional<int64_t> source =
        resolveRef(c.weightSource->value, c.weightSource->valueLoc,
                   "weight_source", false);
    if (source && *source < 0) {
      error(c.weightSource->valueLoc,
            "`weight_source` must name a layer with weights");
      source.reset();
    }
    l.weightSource = source;
  }
}

bool Resolver::consumesWeights(const LayerConfig &c) const {
  LayerOp op = c.operation ? c.operation->value.op : LayerOp::Conv2d;
  if (op == LayerOp::None || (c.bypass && c.bypass->value))
    return false;
  // Checkpoints hold shared weights once; test weight files do not skip.
  return config.isTestNetwork() || !c.weightSource;
}

/// Hands weight tensors to layers and derives channel counts from them.
void Resolver::applyWeights() {
  bool fromCheckpoint = !config.isTestNetwork();
  unsigned next = 0, missing = 0;
  const ResolvedLayer *firstMissing = nullptr;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    if (!consumesWeights(*ordered[i]))
      continue;
    if (next < weights.size()) {
      net.layers[i].weightIndex = next++;
    } else {
      ++missing;
      if (!firstMissing)
        firstMissing = &net.layers[i];
    }
  }
  if (missing) {
    error(firstMissing->loc,
          llvm::formatv("layer {0} has no weights: {1} weight tensors were "
                        "supplied for {2} layers that need them",
                        layerStr(firstMissing->index), weights.size(),
                        weights.size() + missing));
    return;
  }

  for (size_t i = 0; i < net.layers.size(); ++i) {
    ResolvedLayer &l = net.layers[i];
    const LayerConfig &c = *ordered[i];
    if (l.weightIndex < 0)
      continue;
    const LayerWeightsInfo &w = weights[l.weightIndex];
    ConfigLoc where = c.operation ? c.operation->keyLoc : c.loc;
    if (w.shape.size() < 2 || w.shape.size() > 4) {
      error(where, llvm::formatv("layer {0}: weights must have 2 to 4 "
                                 "dimensions, got {1}",
                                 layerStr(i), w.shape.size()));
      continue;
    }
    bool transposed = l.op.value == LayerOp::ConvTranspose2d;
    int64_t groups = l.groups.value;
    std::vector<int64_t> shape = w.shape;
    if (transposed && fromCheckpoint)
      std::swap(shape[0], shape[1]);
    set(l.inChannels, shape[1] * (transposed ? 1 : groups),
        ValueOrigin::Weights);
    set(l.outChannels, shape[0] * (transposed ? groups : 1),
        ValueOrigin::Weights);

    if (fromCheckpoint) {
      HW expected = w.shape.size() == 2   ? HW{1, 1}
                    : w.shape.size() == 3 ? HW{w.shape[2], 1}
                                          : HW{w.shape[2], w.shape[3]};
      if (expected != l.kernel.value) {
        ConfigLoc loc = c.kernelSize ? c.kernelSize->valueLoc : where;
        error(loc, llvm::formatv("layer {0}: the kernel size is {1} but the "
                                 "weights are {2}; set `kernel_size` to match",
                                 layerStr(i), hwString(l.kernel.value),
                                 hwString(expected)));
      }
    }
  }
}

/// Quantization and total output shift of every layer with weights.
void Resolver::applyQuantization() {
  bool fromCheckpoint = !config.isTestNetwork();
  for (size_t i = 0; i < net.layers.size(); ++i) {
    ResolvedLayer &l = net.layers[i];
    const LayerConfig &c = *ordered[i];
    if (!consumesWeights(c))
      continue;
    const LayerWeightsInfo *w = options.weightsKnown && l.weightIndex >= 0
                                    ? &weights[l.weightIndex]
                                    : nullptr;
    ConfigLoc where = c.operation ? c.operation->keyLoc : c.loc;
    bool binary = w && w->minValue >= -1 && w->maxValue <= 1 && !w->anyZero;
    if (l.quantization.isPinned()) {
      int64_t q = l.quantization.value;
      bool fits =
          !w || (q == -1 ? binary
                         : w->minValue >= -(int64_t(1) << (q - 1)) &&
                               w->maxValue <= (int64_t(1) << (q - 1)) - 1);
      // Test weights are re-quantized by their reader, so only checkpoints
      // must fit.
      if (fromCheckpoint && !fits)
        error(
            l.quantization.loc,
            llvm::formatv("layer {0}: weights range from {1} to {2}, which "
                          "does not fit `quantization: {3}`",
                          layerStr(i), w->minValue, w->maxValue,
                          q == -1 ? std::string("binary") : std::to_string(q)));
    } else if (!fromCheckpoint) {
      set(l.quantization, int64_t(8), ValueOrigin::Default);
    } else if (w) {
      int64_t q;
      if (options.binaryWeights && binary)
        q = -1;
      else if (w->minValue == 0 && w->maxValue == 0)
        q = 1;
      else
        q = w->weightBits.value_or(8);
      if (q == 0)
        q = 8;
      if (q > 8 || q < -1) {
        error(where, llvm::formatv("layer {0}: the checkpoint's weight_bits "
                                   "({1}) must be at most 8",
                                   layerStr(i), q));
        q = 8;
      }
      set(l.quantization, q, ValueOrigin::Weights);
    }
    if (!l.quantization.isKnown()) {
      l.outputShift = Resolved<int64_t>();
      continue;
    }

    // Total shift = written (or checkpoint) shift + the quantization's own.
    int64_t implicit = 8 - std::abs(l.quantization.value);
    if (c.outputShift)
      setUser(l.outputShift, *c.outputShift, c.outputShift->value + implicit);
    else if (fromCheckpoint && w && w->outputShift)
      set(l.outputShift, *w->outputShift + implicit, ValueOrigin::Weights);
    else if (!fromCheckpoint || w)
      set(l.outputShift, implicit, ValueOrigin::Default);
    else
      l.outputShift = Resolved<int64_t>();
  }
}

/// Checkpoint layers that reuse another layer's weights (`weight_source`)
/// copy its weights, channel counts and total output shift.
void Resolver::applyWeightSources() {
  for (ResolvedLayer &l : net.layers) {
    const LayerConfig &c = *ordered[l.index];
    if (!l.weightSource || consumesWeights(c) || l.op.value == LayerOp::None ||
        l.bypass.value)
      continue;
    const ResolvedLayer &source = net.layers[*l.weightSource];
    if (!consumesWeights(*ordered[source.index])) {
      error(c.weightSource->valueLoc,
            llvm::formatv("`weight_source` layer {0} has no weights of its "
                          "own",
                          layerStr(source.index)));
      continue;
    }
    l.weightIndex = source.weightIndex;
    auto copy = [&](Resolved<int64_t> &to, const Resolved<int64_t> &from) {
      to = from;
      if (to.isKnown()) {
        to.origin = ValueOrigin::Weights;
        to.loc = c.weightSource->valueLoc;
      }
    };
    copy(l.inChannels, source.inChannels);
    copy(l.outChannels, source.outChannels);
    copy(l.outputShift, source.outputShift);
  }
}

template <typename T>
Resolved<T> Resolver::mapProperty(
    int64_t index, llvm::function_ref<T(const InputShape &)> ofInput,
    llvm::function_ref<T(const ResolvedDataBuffer &)> ofBuffer,
    Resolved<T> ResolvedLayer::*ofLayer) const {
  Resolved<T> r;
  if (index == kInputLayer) {
    if (options.inputShape)
      set(r, ofInput(*options.inputShape), ValueOrigin::Inferred);
  } else if (index == kDataBufferLayer) {
    if (!net.dataBuffers.empty())
      set(r, ofBuffer(net.dataBuffers.front()), ValueOrigin::Inferred);
  } else {
    r = net.layers[index].*ofLayer;
  }
  return r;
}

Resolved<int64_t> Resolver::channelsOf(int64_t index) const {
  return mapProperty<int64_t>(
      index, [](const InputShape &s) { return s[0]; },
      [](const ResolvedDataBuffer &b) { return b.channels; },
      &ResolvedLayer::outChannels);
}

Resolved<HW> Resolver::dimsOf(int64_t index) const {
  return mapProperty<HW>(
      index,
      [](const InputShape &s) -> HW {
        return {s[1], s[2]};
      },
      [](const ResolvedDataBuffer &b) { return b.dim; },
      &ResolvedLayer::outDim);
}

/// The izer's first walk along next_sequence: channel counts, default
/// output processors, the previous-layer links and the final layer.
void Resolver::walkChannels() {
  int64_t numLayers = net.layers.size();
  int64_t ll = options.startLayer;
  if (ll >= numLayers) {
    error(config.layersLoc,
          llvm::formatv("the start layer {0} does not exist (the network has "
                        "{1} layers)",
                        ll, numLayers));
    return;
  }
  int64_t prev = kInputLayer;
  int64_t maxLayer = ll;
  std::optional<int64_t> finalLayer;
  std::vector<bool> visited(numLayers, false);
  while (ll < numLayers) {
    ResolvedLayer &l = net.layers[ll];
    const LayerConfig &c = *ordered[ll];
    if (visited[ll]) {
      const LayerConfig &from = *ordered[prev];
      error(from.nextSequence ? from.nextSequence->valueLoc : from.loc,
            llvm::formatv("`next_sequence` leads back to layer {0}: the "
                          "layer sequence must not loop",
                          layerStr(ll)));
      return;
    }
    visited[ll] = true;
    l.reachable = true;

    // Input channels: explicit inputs, weights, the previous layer, or the
    // network input.
    bool weightLayer = consumesWeights(c) || l.weightSource;
    if (l.inSequences.isKnown()) {
      const std::vector<int64_t> &inputs = l.inSequences.value;
      Resolved<int64_t> sum;
      if (l.eltwise.value == EltwiseOp::None) {
        int64_t total = 0;
        bool known = true;
        for (int64_t e : inputs) {
          Resolved<int64_t> ch = channelsOf(e);
          known &= ch.isKnown();
          total += ch.value;
          // Repeated concatenation grows without bound; stop it early.
          if (ch.isKnown() && total > detail::kMaxSize) {
            error(c.inSequences->valueLoc,
                  llvm::formatv("layer {0}: concatenating `in_sequences` "
                                "gives more than {1} channels",
                                layerStr(ll), detail::kMaxSize));
            return;
          }
        }
        if (known)
          set(sum, total, ValueOrigin::Inferred, l.inSequences.loc);
      } else {
        sum = channelsOf(inputs.front());
        if (sum.isKnown())
          set(sum, sum.value, ValueOrigin::Inferred, l.inSequences.loc);
      }
      if (sum.isKnown() || !l.inChannels.isKnown())
        l.inChannels = sum;
    }
    bool pending = !l.inChannels.isKnown() && !l.inSequences.isKnown() &&
                   !(weightLayer && !options.weightsKnown);
    if (pending) {
      if (prev == kInputLayer) {
        if (options.inputShape)
          set(l.inChannels, (*options.inputShape)[0] / l.operands.value,
              ValueOrigin::Inferred);
      } else {
        const Resolved<int64_t> &p = net.layers[prev].outChannels;
        if (p.isKnown())
          set(l.inChannels, p.value, ValueOrigin::Inferred);
      }
    }
    if (c.inChannels)
      setUser(l.inChannels, *c.inChannels, c.inChannels->value);
    if (!l.outChannels.isKnown() && !(weightLayer && !options.weightsKnown) &&
        l.inChannels.isKnown())
      set(l.outChannels, l.inChannels.value, ValueOrigin::Inferred);
    if (c.outChannels)
      setUser(l.outChannels, *c.outChannels, c.outChannels->value);

    int64_t next = l.nextSequence.value;
    if (options.useProcessors && !l.outputProcessors.isKnown() &&
        next != kStopLayer && next < numLayers &&
        net.layers[next].processors.isKnown())
      set(l.outputProcessors, net.layers[next].processors.value,
          ValueOrigin::Inferred, net.layers[next].processors.loc);

    set(l.prevSequence, prev,
        prev == kInputLayer ? ValueOrigin::Default : ValueOrigin::Inferred);
    prev = ll;
    maxLayer = std::max(maxLayer, ll);
    if (next != kStopLayer && next != ll + 1 && !options.linkLayers) {
      error(c.nextSequence ? c.nextSequence->valueLoc : c.loc,
            llvm::formatv("`next_sequence` can only jump on devices with "
                          "link layers (MAX78002); {0} runs layers in order",
                          options.device));
      return;
    }
    if (next > numLayers) {
      warn(c.nextSequence->valueLoc, "`next_sequence` is beyond the last "
                                     "layer; stopping here");
      set(l.nextSequence, kStopLayer, ValueOrigin::Inferred);
      next = kStopLayer;
    }
    if (next == kStopLayer) {
      finalLayer = ll;
      break;
    }
    ll = next;
  }
  net.numLayers = maxLayer + 1;
  net.finalLayer = finalLayer.value_or(maxLayer);
}

/// The final layer writes to the global output_map, its own
/// output_processors, or a packed map starting at processor 0.
void Resolver::applyOutputMap() {
  ResolvedLayer &last = net.layers[net.finalLayer];
  if (options.useProcessors) {
    if (config.outputMap) {
      setUser(last.outputProcessors, *config.outputMap,
              config.outputMap->value);
    } else if (!autoPlace && !last.outputProcessors.isKnown() &&
               last.outChannels.isKnown() && last.outChannels.value > 0) {
      int64_t channels = last.outChannels.value;
      int64_t procs = options.numProcessors;
      int64_t passes = (channels + procs - 1) / procs;
      int64_t chunk = (channels + passes - 1) / passes;
      if (channels > procs)
        chunk = std::min<int64_t>((chunk + 3) & ~int64_t(3), procs);
      uint64_t map = chunk >= 64 ? ~uint64_t(0) : (uint64_t(1) << chunk) - 1;
      set(last.outputProcessors, map, ValueOrigin::Inferred);
    }
  }

  bool anyOutput = false;
  for (unsigned i = 0; i < net.numLayers; ++i)
    anyOutput |= net.layers[i].outputLayer.value;
  if (!anyOutput)
    set(last.outputLayer, true, ValueOrigin::Default);
  else if (!last.outputLayer.value)
    warn(last.loc, llvm::formatv("the final layer {0} is not marked "
                                 "`output: true`",
                                 layerStr(last.index)));
}

/// The izer's second walk: offsets, streaming and format rules, input and
/// output dimensions.
void Resolver::walkGeometry() {
  int64_t numLayers = net.numLayers;
  int64_t start = options.startLayer;
  int64_t ll = start;

  {
    ResolvedLayer &first = net.layers[start];
    const LayerConfig &c = *ordered[start];
    if (c.inDim)
      setUser(first.inDim, *c.inDim, c.inDim->value.value);
    else if (options.inputShape)
      first.inDim = dimsOf(kInputLayer);
    if (c.inOffset)
      setUser(first.inOffset, *c.inOffset, c.inOffset->value);
    else if (!autoPlace)
      set(first.inOffset, int64_t(0), ValueOrigin::Default);
  }

  while (ll < numLayers) {
    ResolvedLayer &l = net.layers[ll];
    const LayerConfig &c = *ordered[ll];
    int64_t prev = l.prevSequence.value;

    if (ll != start && prev >= 0) {
      const ResolvedLayer &p = net.layers[prev];
      if (c.inOffset) {
        setUser(l.inOffset, *c.inOffset, c.inOffset->value);
        if (!c.inSequences && p.outOffset.isKnown() &&
            c.inOffset->value != p.outOffset.value)
          warn(c.inOffset->valueLoc,
               llvm::formatv("`in_offset` {0:x4} differs from the previous "
                             "layer's `out_offset` {1:x4}, but no "
                             "`in_sequences` is given; assuming the input is "
                             "layer {2}",
                             c.inOffset->value, p.outOffset.value,
                             layerStr(prev)));
      } else if (p.outOffset.isKnown()) {
        set(l.inOffset, p.outOffset.value, ValueOrigin::Inferred,
            p.outOffset.loc);
      }
      if (l.streaming.value && !p.streaming.value)
        error(c.streaming->keyLoc,
              llvm::formatv("layer {0} streams but the layer before it ({1}) "
                            "does not: streaming must start at the first "
                            "layer and be continuous",
                            layerStr(ll), layerStr(prev)));
      if (l.bigData.value)
        error(c.dataFormat->valueLoc,
              "`data_format: CHW` can only be given for the first layer");
    }

    int64_t next = l.nextSequence.value;
    if (l.outputWidth.value != 8 && next != kStopLayer && next < numLayers) {
      const ResolvedLayer &n = net.layers[next];
      if (!n.inSequences.isKnown() ||
          llvm::is_contained(n.inSequences.value, ll))
        warn(c.outputWidth->valueLoc,
             "`output_width` should be 8 for layers that feed another layer");
    }

    if (l.inSequences.isKnown()) {
      for (int64_t e : l.inSequences.value) {
        if (!options.linkLayers && e >= ll) {
          error(c.inSequences->valueLoc,
                llvm::formatv("`in_sequences` may only name earlier layers on "
                              "{0}; layer {1} comes at or after layer {2}",
                              options.device, layerStr(e), layerStr(ll)));
          break;
        }
      }
    }

    // Input dimensions: explicit, from the inputs, or from the previous
    // layer. The start layer was handled above.
    if (ll != start) {
      Resolved<HW> automatic;
      int64_t pixels = 0;
      bool pixelsKnown = true;
      if (l.inSequences.isKnown()) {
        const std::vector<int64_t> &inputs = l.inSequences.value;
        automatic = dimsOf(inputs.front());
        for (int64_t e : inputs) {
          Resolved<HW> d = dimsOf(e);
          if (!d.isKnown() || e == kDataBufferLayer) {
            pixelsKnown = false;
            continue;
          }
          if (automatic.isKnown() && d.value != automatic.value && !c.inDim)
            error(c.inSequences->valueLoc,
                  llvm::formatv("cannot concatenate inputs of different "
                                "dimensions ({0} vs {1}) without `in_dim`",
                                hwString(automatic.value), hwString(d.value)));
          pixels += d.value.h * d.value.w;
        }
      } else if (prev >= 0) {
        automatic = net.layers[prev].outDim;
      }
      if (c.inDim) {
        HW dim = c.inDim->value.value;
        HW crop = l.inCrop.value;
        int64_t count = (dim.h + crop.h + crop.w) * dim.w;
        if (l.inSequences.isKnown() && pixelsKnown && pixels > 0 &&
            count != pixels)
          error(c.inDim->valueLoc,
                llvm::formatv("`in_dim` {0} (plus `in_crop`) has {1} pixels, "
                              "but the layers in `in_sequences` produce {2}",
                              hwString(dim), count, pixels));
        setUser(l.inDim, *c.inDim, dim);
      } else if (automatic.isKnown()) {
        set(l.inDim, automatic.value, ValueOrigin::Inferred);
      }
    }

    if (l.inDim.isKnown()) {
      HW in = l.inDim.value;
      LayerOp op = l.op.value;
      bool oneD = op == LayerOp::Conv1d || (op == LayerOp::None && in.w == 1);
      HW ps = l.poolStride.value, pool = l.pool.value,
         pd = l.poolDilation.value;
      HW pooled;
      if (!oneD) {
        if (ps.h != ps.w)
          error(c.poolStride->valueLoc,
                llvm::formatv("{0} needs a square pool stride, got {1}",
                              stringifyLayerOp(op), hwString(ps)));
        pooled = HW{floorDiv(in.h + ps.h - pool.h - pd.h + 1, ps.h),
                    floorDiv(in.w + ps.w - pool.w - pd.w + 1, ps.w)};
      } else {
        l.pool.value.w = 1;
        pooled = HW{floorDiv(in.h + ps.h - pool.h - pd.h + 1, ps.h), 1};
      }
      set(l.pooledDim, pooled, ValueOrigin::Inferred);
      ConfigLoc poolLoc = c.pool() ? c.pool()->valueLoc : l.loc;
      if (pooled.h <= 0 || pooled.w <= 0)
        error(poolLoc, llvm::formatv("pooling the {0} input leaves {1}: a "
                                     "dimension is zero",
                                     hwString(in), hwString(pooled)));

      HW k = l.kernel.value, pad = l.pad.value, s = l.stride.value,
         d = l.dilation.value;
      HW out;
      if (!oneD) {
        if (op != LayerOp::ConvTranspose2d && s.h != 1)
          error(c.stride ? c.stride->valueLoc : l.loc,
                llvm::formatv("{0} supports only stride 1 on 2D data, got {1}",
                              stringifyLayerOp(op), s.h));
        if (op == LayerOp::ConvTranspose2d)
          out = HW{(pooled.h - 1) * s.h - 2 * pad.h + d.h * (k.h - 1) +
                       l.outputPad.value.h + 1,
                   (pooled.w - 1) * s.w - 2 * pad.w + d.w * (k.w - 1) +
                       l.outputPad.value.w + 1};
        else
          out =
              HW{floorDiv(pooled.h - d.h * (k.h - 1) - 1 + 2 * pad.h, s.h) + 1,
                 floorDiv(pooled.w - d.w * (k.w - 1) - 1 + 2 * pad.w, s.w) + 1};
        if (l.flatten.value) {
          out = HW{1, 1};
          int64_t area = pooled.h * pooled.w;
          if (l.inChannels.isKnown() && area > 0) {
            if (l.inChannels.value / area <= 0)
              error(c.flatten->keyLoc,
                    llvm::formatv("`flatten` divides {0} input channels by "
                                  "the {1} input pixels, leaving none",
                                  l.inChannels.value, hwString(pooled)));
            else
              set(l.inChannels, l.inChannels.value / area,
                  ValueOrigin::Inferred, l.inChannels.loc);
          }
        }
      } else {
        out = HW{floorDiv(pooled.h - d.h * (k.h - 1) - 1 + 2 * pad.h, s.h) + 1,
                 1};
      }
      set(l.outDim, out, ValueOrigin::Inferred);
      if (pooled.h > 0 && pooled.w > 0 && (out.h <= 0 || out.w <= 0))
        error(l.loc,
              llvm::formatv("layer {0}: the output dimension {1} is "
                            "zero (input {2})",
                            layerStr(ll), hwString(out), hwString(pooled)));
      // Transposed convolutions double the dimensions layer after layer.
      if (out.h > detail::kMaxSize || out.w > detail::kMaxSize) {
        error(l.loc, llvm::formatv("layer {0}: the output dimension {1} is "
                                   "larger than {2}",
                                   layerStr(ll), hwString(out),
                                   detail::kMaxSize));
        return;
      }
    }

    if (l.op.value == LayerOp::None && (l.pad.value.h > 0 || l.pad.value.w > 0))
      error(c.pad->valueLoc, "`pad` can only be used with a convolution "
                             "(this layer is passthrough or element-wise)");
    if (l.pad.value.h >= l.kernel.value.h || l.pad.value.w >= l.kernel.value.w)
      if (l.op.value != LayerOp::None)
        error(c.pad ? c.pad->valueLoc : l.loc,
              llvm::formatv("the padding {0} must be smaller than the kernel "
                            "{1}",
                            hwString(l.pad.value), hwString(l.kernel.value)));
    if (l.activation.value != Activation::None && l.op.value == LayerOp::None)
      error(c.activation->valueLoc,
            llvm::formatv("activation `{0}` cannot be used in a passthrough "
                          "or element-wise layer",
                          c.activation->value == Activation::ReLU ? "ReLU"
                                                                  : "Abs"));
    if (l.bufferShift && l.op.value != LayerOp::None)
      error(c.bufferShift->keyLoc,
            "`buffer_shift` can only be used in a passthrough layer");

    if (next == kStopLayer)
      break;
    ll = next;
  }

  // Layers outside the walk still get the plain defaults.
  for (ResolvedLayer &l : net.layers) {
    const LayerConfig &c = *ordered[l.index];
    if (!l.inOffset.isKnown() && c.inOffset)
      setUser(l.inOffset, *c.inOffset, c.inOffset->value);
    if (!l.inDim.isKnown() && c.inDim)
      setUser(l.inDim, *c.inDim, c.inDim->value.value);
  }
}

/// The fields every map in data memory has. The izer ignores `width` here
/// (always 8 bits); kept identical.
static void resolveMap(const MemoryMapConfig &c, ResolvedMemoryMap &r) {
  r.processors = c.processors.value;
  r.channels = c.channels.value;
  r.dim = c.dim.value.value;
  r.offset = c.offset.value;
  r.width = 8;
}

void Resolver::resolveBuffers() {
  for (const UnloadConfig &u : config.unload) {
    ResolvedUnload &r = net.unload.emplace_back();
    resolveMap(u, r);
    r.writeGap = u.writeGap ? u.writeGap->value : 0;
  }
  for (const DataBufferConfig &b : config.dataBuffers) {
    ResolvedDataBuffer &r = net.dataBuffers.emplace_back();
    resolveMap(b, r);
    r.name = b.name.value;
  }
}

llvm::Expected<ResolvedNetwork> Resolver::run() {
  net.fileName = config.fileName;
  net.arch = config.arch.value;
  net.dataset = config.dataset.value;
  net.isTestNetwork = config.isTestNetwork();
  copyIfWritten(net.testBias, config.bias);
  copyIfWritten(net.testWeights, config.weights);
  copyIfWritten(net.snoop, config.snoop);
  net.startLayer = options.startLayer;
  resolveBuffers();

  if (!orderLayers())
    return takeErrors();
  for (size_t i = 0; i < net.layers.size(); ++i)
    applyLayerDefaults(net.layers[i], *ordered[i]);
  for (size_t i = 0; i < net.layers.size(); ++i)
    resolveRefs(net.layers[i], *ordered[i]);
  if (!errors.empty())
    return takeErrors();

  // Quantization and shift of layers without weights.
  for (size_t i = 0; i < net.layers.size(); ++i) {
    ResolvedLayer &l = net.layers[i];
    const LayerConfig &c = *ordered[i];
    if (!l.quantization.isKnown() &&
        (l.op.value == LayerOp::None || l.bypass.value))
      set(l.quantization, int64_t(0), ValueOrigin::Default);
    if (c.outputShift)
      setUser(l.outputShift, *c.outputShift, c.outputShift->value);
    else if (l.op.value == LayerOp::None || l.bypass.value)
      set(l.outputShift, int64_t(l.bypass.value ? 7 : 0), ValueOrigin::Default);
  }
  if (options.weightsKnown)
    applyWeights();
  if (!errors.empty())
    return takeErrors();
  applyQuantization();
  applyWeightSources();
  // Layers sharing another layer's weights keep the izer's plain default,
  // 8 bits, unless they say otherwise.
  for (ResolvedLayer &l : net.layers)
    if (!l.quantization.isKnown() && l.weightSource &&
        !consumesWeights(*ordered[l.index]))
      set(l.quantization, int64_t(8), ValueOrigin::Default);
  if (!errors.empty())
    return takeErrors();

  walkChannels();
  if (!errors.empty())
    return takeErrors();
  applyOutputMap();
  walkGeometry();
  if (!errors.empty())
    return takeErrors();
  return std::move(net);
}

} // namespace

llvm::Expected<ResolvedNetwork>
tornado::netcfg::resolveNetworkConfig(const NetworkConfig &config,
                                      llvm::ArrayRef<LayerWeightsInfo> weights,
                                      const ResolveOptions &options) {
  Resolver resolver(config, weights, options);
  return resolver.run();
}
