//===- YamlConfigFuzzer.cpp - libFuzzer harness for YAML network configs --===//
//
// Parses arbitrary bytes as an izer network description and resolves what
// parses against several devices and weight sets. Besides "no crash, no
// sanitizer report", every error must be a located NetworkConfigError
// inside the input, and a resolved network must be internally consistent
// (the importer indexes with these numbers without checking them again).
//
//===----------------------------------------------------------------------===//

#include "tornado/Import/NetworkConfig.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace llvm;
using namespace tornado::netcfg;

namespace {

unsigned numLines = 0;

void check(bool ok) {
  if (!ok)
    __builtin_trap();
}

/// Every error is a NetworkConfigError with a message and a position
/// within the input.
void checkErrors(Error err) {
  handleAllErrors(
      std::move(err),
      [](const NetworkConfigError &e) {
        check(!e.getMessage().empty());
        check(e.getLoc().file == "fuzz.yaml");
        check(e.getLoc().line >= 1 && e.getLoc().line <= numLines);
        check(e.getLoc().col >= 1);
      },
      [](const ErrorInfoBase &) { check(false); });
}

/// Weights for every layer that has an operation, shaped the way the
/// layer asks for (so that resolving gets past the weight checks).
std::vector<LayerWeightsInfo> weightsFor(const NetworkConfig &config,
                                         int64_t minValue, int64_t maxValue) {
  std::vector<LayerWeightsInfo> weights;
  for (const LayerConfig &l : config.layers) {
    LayerOp op = l.operation ? l.operation->value.op : LayerOp::Conv2d;
    if (op == LayerOp::None)
      continue;
    int64_t out = l.outChannels ? std::min<int64_t>(l.outChannels->value, 64)
                                : 4;
    int64_t in = l.inChannels ? std::min<int64_t>(l.inChannels->value, 64)
                              : 4;
    LayerWeightsInfo w;
    HW k = l.kernelSize ? l.kernelSize->value.value : HW{3, 3};
    if (op == LayerOp::Linear)
      w.shape = {out, in};
    else if (op == LayerOp::Conv1d)
      w.shape = {out, in, std::max<int64_t>(k.h, 1)};
    else
      w.shape = {out, in, std::max<int64_t>(k.h, 1),
                 std::max<int64_t>(k.w, 1)};
    w.minValue = minValue;
    w.maxValue = maxValue;
    w.anyZero = minValue <= 0 && maxValue >= 0;
    if (l.quantization)
      w.weightBits = l.quantization->value;
    weights.push_back(std::move(w));
  }
  return weights;
}

void checkResolved(const ResolvedNetwork &net, size_t numWeights) {
  int64_t n = net.layers.size();
  check(net.numLayers <= net.layers.size());
  check(net.finalLayer < net.layers.size());
  for (int64_t i = 0; i < n; ++i) {
    const ResolvedLayer &l = net.layers[i];
    check(l.index == i);
    check(l.weightIndex < (int)numWeights);
    if (l.inSequences.isKnown())
      for (int64_t ref : l.inSequences.value)
        check(ref >= kDataBufferLayer && ref < n);
    if (l.prevSequence.isKnown())
      check(l.prevSequence.value >= kInputLayer && l.prevSequence.value < n);
    if (l.nextSequence.isKnown())
      check(l.nextSequence.value >= kStopLayer && l.nextSequence.value < n);
  }
  for (const ConfigWarning &w : net.warnings)
    check(w.loc.line >= 1 && w.loc.line <= numLines && !w.message.empty());
  printResolvedNetwork(net, nulls());
}

void resolve(const NetworkConfig &config, const char *device,
             std::optional<std::array<int64_t, 3>> input,
             ArrayRef<LayerWeightsInfo> weights, bool weightsKnown,
             unsigned startLayer) {
  std::optional<ResolveOptions> options = ResolveOptions::forDevice(device);
  check(options.has_value());
  options->inputShape = input;
  options->weightsKnown = weightsKnown;
  options->startLayer = startLayer;
  Expected<ResolvedNetwork> net =
      resolveNetworkConfig(config, weights, *options);
  if (net)
    checkResolved(*net, weightsKnown ? weights.size() : 0);
  else
    checkErrors(net.takeError());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StringRef text(reinterpret_cast<const char *>(data), size);
  numLines = text.count('\n') + 1;
  Expected<NetworkConfig> config = parseNetworkConfig(text, "fuzz.yaml");
  if (!config) {
    checkErrors(config.takeError());
    return 0;
  }
  check(!config->layers.empty());

  std::vector<LayerWeightsInfo> narrow = weightsFor(*config, -1, 1);
  std::vector<LayerWeightsInfo> wide = weightsFor(*config, -128, 127);
  resolve(*config, "MAX78000", std::array<int64_t, 3>{4, 8, 8}, narrow, true,
          0);
  resolve(*config, "MAX78002", std::array<int64_t, 3>{64, 32, 32}, wide,
          true, 0);
  resolve(*config, "MAX78002", std::array<int64_t, 3>{3, 16, 1}, narrow,
          true, 1);
  resolve(*config, "MAX78000", std::nullopt, {}, false, 0);
  resolve(*config, "CMSIS-NN", std::array<int64_t, 3>{1, 1, 1}, {}, true, 0);
  return 0;
}
