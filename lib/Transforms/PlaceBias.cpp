//===- PlaceBias.cpp - Choose bias groups and offsets ----------------------===//
//
// Each group (quadrant) has its own bias memory, one byte per entry. A
// layer reads its biases from one group starting at bias_offset; a
// depth-wise layer reads them from every group its input processors use.
// The chosen bytes appear in the bias image and the layer registers, so
// this pass reproduces the izer's allocator (docs/placement.md).
//
//===----------------------------------------------------------------------===//

#include "PlacementModel.h"
#include "tornado/Transforms/Passes.h"

#include "llvm/Support/FormatVariadic.h"

namespace tornado {
#define GEN_PASS_DEF_PLACEBIAS
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;
using namespace tornado::placement;

namespace {

/// Bytes of one group taken by one layer.
struct Extent {
  unsigned layer;
  int64_t begin, end;
};

/// A layer waiting for a group.
struct Request {
  unsigned layer;
  SmallVector<unsigned> groups; // allowed groups
  int64_t length;
  bool flatten;
};

struct PlaceBiasPass : public tornado::impl::PlaceBiasBase<PlaceBiasPass> {
  using PlaceBiasBase::PlaceBiasBase;
  void runOnOperation() override;

private:
  /// Reports that `length` bytes for `layer` do not fit; notes list every
  /// group's contents.
  void reportFull(LayerOp layer, const Twine &what);

  const target::Device *dev = nullptr;
  SmallVector<LayerOp> layers;
  SmallVector<SmallVector<Extent>> extents; // per group
  SmallVector<int64_t> top;                 // next free byte per group
};

void PlaceBiasPass::reportFull(LayerOp layer, const Twine &what) {
  InFlightDiagnostic diag = layer.emitError()
      << "bias memory exhausted: layer " << layerLabel(layer) << " " << what;
  for (unsigned g = 0; g < extents.size(); ++g) {
    if (extents[g].empty()) {
      diag.attachNote() << "bias map: group " << g << " is empty ("
                        << dev->biasBytesPerGroup() << " bytes free)";
      continue;
    }
    for (const Extent &e : extents[g])
      diag.attachNote(layers[e.layer].getLoc())
          << "bias map: group " << g << " bytes " << e.begin << "-"
          << e.end - 1 << " hold layer " << layerLabel(layers[e.layer]);
  }
  signalPassFailure();
}

void PlaceBiasPass::runOnOperation() {
  NetworkOp net = getOperation();
  dev = &net.getTarget();
  // The pass instance may run on several networks: start afresh.
  // Bias is allocated in hardware-layer order, as the izer does.
  layers = placement::layersInHwOrder(net);
  const unsigned numGroups = dev->numGroups();
  const unsigned perGroup = dev->processorsPerGroup();
  const int64_t capacity = dev->biasBytesPerGroup();
  const unsigned share = dev->processorsPerDataInstance();
  extents.assign(numGroups, {});
  top.assign(numGroups, 0);
  auto groupBits = [&](uint64_t mask, unsigned g) {
    return (mask >> (g * perGroup)) & ((uint64_t(1) << perGroup) - 1);
  };

  // Groups any layer touches; a layer without a pinned group may use each.
  uint64_t usedProcs = 0;
  for (LayerOp l : layers)
    if (auto p = l.getProcessorsAttr())
      usedProcs |= p.getMask();
  if (!layers.empty())
    if (auto p = layers.back().getOutputProcessorsAttr())
      usedProcs |= p.getMask();
  SmallVector<unsigned> activeGroups;
  for (unsigned g = 0; g < numGroups; ++g)
    if (groupBits(usedProcs, g))
      activeGroups.push_back(g);

  // Layers with a non-zero bias; identical biases share one copy.
  SmallVector<SmallVector<int64_t>> bias(layers.size());
  SmallVector<int> sharesWith(layers.size(), -1);
  SmallVector<std::optional<LayerGeometry>> geo(layers.size());
  for (auto [i, layer] : llvm::enumerate(layers)) {
    if (!layer.getBias() || layer.getOp() == LayerOpKind::none)
      continue;
    bias[i] = readValues(layer.getBias());
    if (deduplicate && !layer.isPinned("bias_group") &&
        !layer.isPinned("bias_offset"))
      for (size_t j = 0; j < i; ++j)
        if (sharesWith[j] < 0 && !bias[j].empty() && bias[j] == bias[i] &&
            !layers[j].isPinned("bias_offset")) {
          sharesWith[i] = j;
          break;
        }
    if (sharesWith[i] >= 0 || llvm::all_of(bias[i], [](int64_t v) { return v == 0; }))
      continue;
    FailureOr<LayerGeometry> g = getLayerGeometry(layer, i, *dev);
    if (failed(g))
      return signalPassFailure();
    geo[i] = *g;
  }

  SmallVector<int64_t> group(layers.size(), -1), offset(layers.size(), -1);
  SmallVector<SmallVector<int64_t>> depthwiseOffsets(layers.size());
  SmallVector<Request> requests;
  // Bytes holding a depth-wise or pinned layer's value, which the trimming
  // of depth-wise holes stops at.
  SmallVector<SmallVector<bool>> written(numGroups,
                                         SmallVector<bool>(capacity, false));
  auto take = [&](unsigned i, unsigned g, int64_t begin, int64_t end) {
    extents[g].push_back({i, begin, end});
    top[g] = std::max(top[g], end);
    std::fill(written[g].begin() + begin, written[g].begin() + end, true);
  };

  // Pinned offsets first: everything else goes above them.
  for (auto [i, layer] : llvm::enumerate(layers)) {
    if (!geo[i] || !layer.isPinned("bias_offset"))
      continue;
    if (!layer.isPinned("bias_group") || geo[i]->depthwise) {
      layer.emitError("layer ")
          << layerLabel(layer)
          << ": a pinned bias_offset needs a pinned bias_group and a layer "
             "that is not depth-wise";
      return signalPassFailure();
    }
    unsigned g = *layer.getBiasGroup();
    int64_t begin = *layer.getBiasOffset();
    int64_t end = begin + geo[i]->outChannels +
                  lowestBit(geo[i]->outputProcs) % share * geo[i]->outPasses;
    if (end > capacity)
      return reportFull(layer, llvm::formatv("needs bytes {0}-{1} of group {2}, "
                                             "which has {3} bytes",
                                             begin, end - 1, g, capacity)
                                   .str());
    for (const Extent &e : extents[g])
      if (e.begin < end && begin < e.end)
        return reportFull(layer, llvm::formatv("needs bytes {0}-{1} of group "
                                               "{2}, which overlap layer {3}",
                                               begin, end - 1, g,
                                               layerLabel(layers[e.layer]))
                                     .str());
    take(i, g, begin, end);
    group[i] = g, offset[i] = begin;
  }

  // Depth-wise layers, in order, in every group they read from; the rest
  // are collected for first-fit-decreasing packing.
  for (auto [i, layer] : llvm::enumerate(layers)) {
    if (!geo[i] || offset[i] >= 0)
      continue;
    const LayerGeometry &g = *geo[i];
    if (!g.depthwise) {
      int64_t length =
          g.outChannels + lowestBit(g.outputProcs) % share * g.outPasses;
      // MAX78000 cannot use the first bias entry of a streaming first layer.
      if (i == 0 && g.streaming && !dev->hasFeature(target::Feature::StreamBias))
        ++length;
      SmallVector<unsigned> allowed = activeGroups;
      if (layer.isPinned("bias_group"))
        allowed = {unsigned(*layer.getBiasGroup())};
      requests.push_back({unsigned(i), allowed, length, g.flatten});
      continue;
    }
    if (layer.isPinned("bias_group")) {
      layer.emitError("layer ") << layerLabel(layer)
                                << ": a depth-wise layer keeps its bias in "
                                   "every group it uses; bias_group cannot be "
                                   "pinned";
      return signalPassFailure();
    }
    // Broadcast (input map == output map) reads all groups in parallel, so
    // each group's part starts on a 4-byte boundary.
    DepthwiseBias dw = depthwiseBias(g, bias[i], *dev);
    SmallVector<int64_t> begin(numGroups, -1), from(numGroups);
    for (unsigned grp = 0; grp < numGroups; ++grp) {
      bool reads = groupBits(g.inputProcs, grp) != 0;
      if (reads && dw.broadcast)
        top[grp] = (top[grp] + share - 1) & ~int64_t(share - 1);
      if (reads)
        begin[grp] = top[grp];
      if (top[grp] + int64_t(dw.entries[grp].size()) > capacity)
        return reportFull(layer, llvm::formatv("needs more than the {0} "
                                               "bytes of group {1}",
                                               capacity, grp)
                                     .str());
      from[grp] = top[grp];
      for (int64_t v : dw.entries[grp])
        written[grp][top[grp]++] = v != kBiasHole;
    }
    // The izer gives back every trailing unwritten byte of the last group,
    // not only this layer's holes: also alignment padding and the holes of
    // earlier depth-wise layers (other layers' values come later).
    int64_t &end = top[dw.lastGroup];
    while (end > 0 && !written[dw.lastGroup][end - 1])
      --end;
    // Groups the layer does not read still hold its holes: list them too.
    for (unsigned grp = 0; grp < numGroups; ++grp)
      if (top[grp] > from[grp])
        extents[grp].push_back({unsigned(i), from[grp], top[grp]});
    depthwiseOffsets[i] = begin;
    for (unsigned grp = 0; grp < numGroups; ++grp)
      if (begin[grp] >= 0) {
        group[i] = grp, offset[i] = begin[grp];
        break;
      }
  }

  // First-fit decreasing: flatten layers first where the device needs it,
  // then single-group layers, then by decreasing size (stable).
  const bool flattenFirst = dev->needs(target::Requirement::FlattenBiasFirst);
  auto rank = [&](const Request &r) -> int64_t {
    if (flattenFirst && r.flatten)
      return -1;
    if (r.groups.size() == 1)
      return 0;
    return capacity - r.length;
  };
  // Ties keep layer order.
  llvm::sort(requests, [&](const Request &a, const Request &b) {
    return std::make_pair(rank(a), a.layer) < std::make_pair(rank(b), b.layer);
  });
  for (const Request &r : requests) {
    LayerOp layer = layers[r.layer];
    bool x4 = geo[r.layer]->calcx4;
    auto level = [&](unsigned g) {
      return x4 ? (top[g] + share - 1) & ~int64_t(share - 1) : top[g];
    };
    unsigned best = r.groups.front();
    for (unsigned g : r.groups)
      if (level(g) < level(best))
        best = g;
    top[best] = level(best);
    if (top[best] + r.length > capacity) {
      std::string groups;
      for (unsigned g : r.groups)
        groups += (groups.empty() ? "" : ", ") + std::to_string(g);
      return reportFull(layer, llvm::formatv("needs {0} bytes in one of groups "
                                             "[{1}]; the emptiest, group {2}, "
                                             "has {3} bytes free",
                                             r.length, groups, best,
                                             capacity - top[best])
                                   .str());
    }
    group[r.layer] = best, offset[r.layer] = top[best];
    take(r.layer, best, top[best], top[best] + r.length);
  }

  Builder b(&getContext());
  for (auto [i, layer] : llvm::enumerate(layers)) {
    int src = sharesWith[i] >= 0 ? sharesWith[i] : int(i);
    if (group[src] < 0)
      continue;
    if (!layer.isPinned("bias_group"))
      layer.setBiasGroupAttr(b.getI64IntegerAttr(group[src]));
    if (!layer.isPinned("bias_offset"))
      layer.setBiasOffsetAttr(b.getI64IntegerAttr(offset[src]));
    if (!depthwiseOffsets[src].empty())
      layer->setAttr("bias_offsets",
                     b.getDenseI64ArrayAttr(depthwiseOffsets[src]));
  }
}

} // namespace
