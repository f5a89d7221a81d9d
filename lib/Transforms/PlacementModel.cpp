//===- PlacementModel.cpp - Layer facts for kernel and bias placement -----===//

#include "PlacementModel.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace tornado;
using namespace tornado::placement;

namespace {

/// Whether the layer feeding `layer`'s first input streams.
bool producerStreams(LayerOp layer) {
  if (layer.getInputs().empty())
    return false;
  Operation *def = layer.getInputs().front().getDefiningOp();
  while (auto reshape = dyn_cast_or_null<ReshapeOp>(def))
    def = reshape.getInput().getDefiningOp();
  auto producer = dyn_cast_or_null<LayerOp>(def);
  return producer && producer.getStreaming();
}

} // namespace

bool placement::hasKernels(LayerOp layer) {
  return layer.getOp() != LayerOpKind::none && layer.getWeights().has_value();
}

SmallVector<int64_t> placement::readValues(std::optional<ElementsAttr> attr) {
  SmallVector<int64_t> values;
  if (attr && !getIntegerValues(*attr, values))
    values.clear();
  return values;
}

int64_t placement::kernelSearchLength(const LayerGeometry &g,
                                      const target::Device &dev) {
  const int64_t wordBytes = dev.kernelWordBytes();
  const uint64_t outMap = g.outputProcs;
  const unsigned startCol = lowestBit(outMap) % dev.processorsPerDataInstance();
  const unsigned inPassesK = g.flatten ? 1 : g.inPasses;
  // Kernels per input processor (holes in the output map included), bytes
  // packed into words.
  int64_t firstOut = lowestBit(outMap);
  if (g.outPasses > 1)
    firstOut -= startCol;
  int64_t kernels = g.depthwise ? int64_t(inPassesK)
                                : (1 + highestBit(outMap) - firstOut) *
                                      g.outPasses * inPassesK;
  if (g.flatten) {
    kernels *= g.rowLength;
    kernels -= (int64_t(g.outPasses) * llvm::popcount(outMap) - g.outChannels) *
               g.rowLength;
  }
  int64_t padding = (kernels % g.perByte) * g.kernelBytes * (g.perByte - 1);
  return (kernels * g.kernelBytes * g.bits + padding + wordBytes * 8 - 1) /
         (wordBytes * 8);
}

FailureOr<LayerGeometry>
placement::getLayerGeometry(LayerOp layer, unsigned index,
                            const target::Device &dev) {
  LayerGeometry g;
  g.index = index;
  auto procs = layer.getProcessorsAttr();
  auto outProcs = layer.getOutputProcessorsAttr();
  if (!procs || procs.getMask() == 0 || !outProcs || outProcs.getMask() == 0)
    return layer.emitError("layer ")
           << layerLabel(layer)
           << " needs non-empty processors and output_processors before "
              "kernel or bias placement";
  g.inputProcs = procs.getMask();
  g.outputProcs = outProcs.getMask();

  int64_t wbits = layer.getWeightBits();
  g.binary = wbits == -1;
  g.bits = g.binary ? 1 : unsigned(std::abs(wbits));
  g.perByte = 8 / g.bits;
  g.flatten = layer.getFlatten();
  g.streaming = layer.getStreaming();
  g.calcx4 = layer->hasAttr("calcx4");
  g.groups = layer.getGroups();

  // Data channels of one operand: the operands sit back to back in memory.
  int64_t total = 0;
  for (Value in : layer.getInputs())
    total += cast<ShapedType>(in.getType()).getDimSize(0);
  int64_t operands = 1;
  if (layer.getEltwise())
    operands = layer.getOperands().value_or(layer.getInputs().size());
  g.inChannels = operands > 0 ? total / operands : total;
  g.outChannels = cast<ShapedType>(layer.getOutput().getType()).getDimSize(0);
  g.depthwise = g.groups > 1;
  std::tie(g.inPasses, g.inPerPass) = dev.splitPasses(g.inChannels);
  std::tie(g.outPasses, g.outPerPass) = dev.splitPasses(g.outChannels);

  // Bytes of one kernel in hardware.
  ArrayRef<int64_t> kernel = layer.getKernel().value_or(ArrayRef<int64_t>());
  switch (layer.getOp()) {
  case LayerOpKind::conv1d: {
    int64_t k = kernel.empty() ? 1 : kernel[0];
    int64_t d = 1;
    if (auto dil = layer.getDilation(); dil && !dil->empty())
      d = (*dil)[0];
    // A dilated kernel is stretched with zeros when it still fits one
    // kernel word, else run on 3x3 Conv2d hardware.
    constexpr int64_t kWordBytes = 9;
    if (d > 1)
      g.kernelBytes = (k - 1) * d < kWordBytes ? (k - 1) * d + 1 : kWordBytes;
    else
      g.kernelBytes = k;
    break;
  }
  case LayerOpKind::conv2d:
  case LayerOpKind::conv_transpose2d: {
    int64_t kh = kernel.size() > 0 ? kernel[0] : 1;
    int64_t kw = kernel.size() > 1 ? kernel[1] : 1;
    g.kernelBytes = kh * kw;
    // Streaming 1x1 kernels run as the centre of a 3x3 kernel.
    if (g.kernelBytes == 1 &&
        dev.needs(target::Requirement::Emulate1x1Streaming) &&
        (g.streaming || producerStreams(layer)))
      g.kernelBytes = 9;
    break;
  }
  default:
    g.kernelBytes = 1;
    break;
  }

  int64_t weightElems = 0;
  if (auto w = layer.getWeights())
    weightElems = cast<ShapedType>(w->getType()).getNumElements();
  if (g.flatten) {
    g.kernelRows = g.outChannels * g.inPerPass;
    g.rowLength = g.kernelRows ? weightElems / g.kernelRows : 0;
  } else {
    g.kernelRows = g.outChannels * (g.inChannels / std::max<int64_t>(1, g.groups));
    g.rowLength = g.kernelBytes;
  }
  return g;
}

DepthwiseBias placement::depthwiseBias(const LayerGeometry &g,
                                       ArrayRef<int64_t> bias,
                                       const target::Device &dev) {
  const unsigned perGroup = dev.processorsPerGroup();
  const unsigned share = dev.processorsPerDataInstance();
  DepthwiseBias out;
  out.broadcast = g.inputProcs == g.outputProcs;
  out.entries.resize(dev.numGroups());
  out.kept.assign(dev.numGroups(), 0);
  unsigned usedGroups = 0;
  for (unsigned grp = 0; grp < dev.numGroups(); ++grp)
    if ((g.inputProcs >> (grp * perGroup)) & ((uint64_t(1) << perGroup) - 1))
      ++usedGroups;
  // Processors from the first used one (the first group's leading hole
  // moves to its end) to the last, per output pass.
  uint64_t map = g.inputProcs;
  if (!out.broadcast) {
    unsigned first = lowestBit(map);
    unsigned firstGroup = first / perGroup;
    uint64_t groupMask = ((uint64_t(1) << perGroup) - 1)
                         << (firstGroup * perGroup);
    map =
        (map & ~groupMask) | ((g.inputProcs & groupMask) >> (first % perGroup));
  }
  unsigned start = lowestBit(map), last = highestBit(map);
  if (out.broadcast)
    last = ((last + perGroup) & ~(perGroup - 1)) - 1;
  // The izer aligns the start by clearing the low perGroup bits (a group's
  // processor mask) rather than log2(perGroup) bits, which clears every
  // processor index: the walk starts at processor 0 and every group below
  // the first used one takes holes.
  if (out.broadcast || usedGroups > 1)
    start = 0;
  // Bias table per pass, widened with holes for unused processors (the
  // izer inserts them at the absolute processor index).
  SmallVector<SmallVector<int64_t>> table(g.outPasses);
  for (unsigned pass = 0; pass < g.outPasses; ++pass)
    for (unsigned c = 0; c < g.outPerPass; ++c) {
      size_t k = size_t(pass) * g.outPerPass + c;
      table[pass].push_back(k < bias.size() ? bias[k] : kBiasHole);
    }
  for (unsigned p = start; p <= last; ++p)
    if (!((map >> p) & 1))
      for (auto &row : table)
        row.insert(row.begin() + std::min<size_t>(p, row.size()), kBiasHole);
  auto source = [&](unsigned p) {
    return out.broadcast ? (p & ~(perGroup - 1)) + (p % share) * share +
                               (p % perGroup) / share
                         : p;
  };
  unsigned &lastGroup = out.lastGroup;
  for (unsigned pass = 0; pass < g.outPasses; ++pass)
    for (unsigned p = start; p <= last; ++p) {
      size_t idx = source(p) - start;
      lastGroup = p / perGroup;
      out.entries[lastGroup].push_back(
          idx < table[pass].size() ? table[pass][idx] : kBiasHole);
    }
  for (unsigned grp = 0; grp < dev.numGroups(); ++grp)
    out.kept[grp] = out.entries[grp].size();
  size_t &kept = out.kept[lastGroup];
  while (kept > 0 && out.entries[lastGroup][kept - 1] == kBiasHole)
    --kept;
  return out;
}

std::string placement::formatRanges(ArrayRef<unsigned> values) {
  std::string out;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[j] + 1)
      ++j;
    if (!out.empty())
      out += ", ";
    out += j == i ? llvm::formatv("{0}", values[i]).str()
                  : llvm::formatv("{0}-{1}", values[i], values[j]).str();
    i = j + 1;
  }
  return out;
}

std::string placement::formatBitRanges(uint64_t mask) {
  SmallVector<unsigned> bits;
  for (unsigned i = 0; i < 64; ++i)
    if ((mask >> i) & 1)
      bits.push_back(i);
  return formatRanges(bits);
}

SmallVector<LayerOp> placement::layersInHwOrder(NetworkOp network) {
  SmallVector<LayerOp> layers(network.getBody().front().getOps<LayerOp>());
  // The verifier makes the slots a permutation of 0..n-1 when present.
  llvm::stable_sort(layers, [](LayerOp a, LayerOp b) {
    return a.getHwLayer().value_or(0) < b.getHwLayer().value_or(0);
  });
  return layers;
}

