//===- PlaceKernels.cpp - Choose kernel-memory columns ---------------------===//
//
// Kernel memory is one column-addressed RAM per processor; a layer's kernels
// for input processor p sit in p's RAM from the layer's kernel_column on.
// The column each layer gets shows up in the mask registers and the weight
// image, so this pass reproduces the izer's allocator decision for decision
// (docs/placement.md): the order layers are placed in, the column
// alignment, the top-down search on MAX78002, where words are written and
// skipped, and the sharing of identical weights.
//
//===----------------------------------------------------------------------===//

#include "PlacementModel.h"
#include "tornado/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"

namespace tornado {
#define GEN_PASS_DEF_PLACEKERNELS
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;
using namespace tornado::placement;

namespace {

constexpr int kFree = -1;

/// Where one layer writes kernel words, relative to its kernel_column.
struct LayerFill {
  /// For each input processor (ascending), the relative columns written.
  SmallVector<std::pair<unsigned, SmallVector<int64_t>>> columns;
  /// For each input processor, how many of its columns hold data; the rest
  /// only hold padding (zero bytes).
  SmallVector<size_t> dataColumns;
  /// Columns the allocator reserves when searching (the izer's kern_len).
  int64_t searchLength = 0;
};

/// The relative columns a layer writes per input processor. Mirrors the
/// kernel loader's walk: each output channel (or pass) of each input
/// processor contributes one kernel, bytes are packed 9 to a word, holes in
/// the output processor map skip a word, and every processor is padded to
/// the same length.
/// `taken(p, rel)` says whether another layer already holds relative column
/// `rel` of processor `p`: the loader treats such a word like a partly
/// filled one of its own and moves past it.
LayerFill
simulateFill(const LayerGeometry &g, const target::Device &dev, bool newLoader,
             llvm::function_ref<bool(unsigned, int64_t)> taken = nullptr) {
  const unsigned wordBytes = dev.kernelWordBytes();
  const unsigned share = dev.processorsPerDataInstance();
  const unsigned perByte = g.perByte;
  const uint64_t outMap = g.outputProcs;
  const unsigned startCol = lowestBit(outMap) % share;
  const unsigned inPassesK = g.flatten ? 1 : g.inPasses;
  const int64_t inChannelsK = g.flatten ? g.inPerPass : g.inChannels;

  int64_t length = kernelSearchLength(g, dev);

  LayerFill fill;
  fill.searchLength = length;
  const uint64_t procMask = (uint64_t(1) << perByte) - 1;
  unsigned ch = 0;
  for (unsigned p = 0; p < 64; ++p) {
    if (!((g.inputProcs >> p) & 1))
      continue;
    llvm::DenseMap<int64_t, unsigned> bytes;
    SmallVector<int64_t> written;
    int64_t skipped = int64_t(startCol) * g.kernelBytes * inPassesK;
    int64_t colTarget = skipped / wordBytes;
    int64_t leftover = skipped % wordBytes;
    auto add = [&](int64_t count) {
      for (int64_t i = 0; i < count; ++i) {
        unsigned &used = bytes[colTarget];
        if (used == 0)
          written.push_back(colTarget);
        if (++used == wordBytes)
          ++colTarget;
      }
    };
    add(leftover / perByte);

    int64_t m = 0;
    unsigned outRange = g.depthwise ? 1 : g.outPasses;
    for (unsigned expand = 0; expand < outRange; ++expand) {
      uint64_t thisMap = outMap >> lowestBit(outMap);
      int64_t col = g.depthwise ? expand : expand * g.outPerPass;
      int64_t stop = g.depthwise ? expand + 1 : col + g.outPerPass;
      while (col < stop) {
        if (thisMap != 0)
          while ((thisMap & procMask) == 0) {
            ++colTarget; // a hole in the output map skips a whole word
            thisMap >>= perByte;
          }
        thisMap >>= perByte;
        int64_t inCh = g.flatten ? inChannelsK * perByte : inChannelsK;
        int64_t src = ch + m * inCh;
        for (unsigned ie = 0; ie < inPassesK; ++ie) {
          if (ie * g.inPerPass + ch < inCh && src < g.kernelRows) {
            if (!g.flatten) {
              add(g.kernelBytes);
              continue;
            }
            int64_t elems = 0, n = 0;
            for (unsigned i = 0; i < perByte; ++i) {
              if (m >= g.outChannels)
                continue;
              int64_t idx = n + ie * perByte;
              int64_t row = src + (idx % inPassesK) * g.inPerPass +
                            (idx / inPassesK) * inChannelsK;
              if (row < g.kernelRows)
                elems += g.rowLength;
              ++n;
            }
            add((elems + perByte - 1) / perByte);
          } else {
            add(g.kernelBytes / perByte); // zero kernel of a missing channel
          }
        }
        col += g.flatten ? 1 : perByte;
        m += g.flatten ? 1 : perByte;
      }
    }
    auto it = bytes.find(colTarget);
    if ((it != bytes.end() && it->second > 0) || (taken && taken(p, colTarget)))
      ++colTarget; // finish a partly filled word
    // Padding: zero bytes, which may go into another layer's partly
    // filled word without claiming it.
    const size_t dataWords = written.size();
    while (colTarget - startCol < length)
      add(1);
    fill.dataColumns.push_back(dataWords);
    if (g.flatten)
      length = colTarget;
    else if (!newLoader)
      length = colTarget - startCol;
    fill.columns.push_back({p, std::move(written)});
    ++ch;
  }
  return fill;
}

class KernelMemory {
public:
  explicit KernelMemory(const target::Device &dev) {
    for (unsigned p = 0; p < dev.numProcessors(); ++p)
      owner.emplace_back(dev.kernelWordsPerProcessor(p), kFree);
  }
  int64_t width(unsigned p) const { return owner[p].size(); }
  bool used(unsigned p, int64_t col) const {
    return col >= 0 && col < width(p) && owner[p][col] != kFree;
  }
  int ownerOf(unsigned p, int64_t col) const {
    return col >= 0 && col < width(p) ? owner[p][col] : kFree;
  }
  void claim(unsigned p, int64_t col, int layer) { owner[p][col] = layer; }

  /// One note per layer: which columns of which processors it holds.
  void attachMap(InFlightDiagnostic &diag, ArrayRef<LayerOp> layers) const {
    for (auto [index, constLayer] : llvm::enumerate(layers)) {
      LayerOp layer = constLayer;
      // Group processors holding the same columns.
      SmallVector<std::pair<SmallVector<unsigned>, uint64_t>> groups;
      for (unsigned p = 0; p < owner.size(); ++p) {
        SmallVector<unsigned> cols;
        for (unsigned c = 0; c < owner[p].size(); ++c)
          if (owner[p][c] == int(index))
            cols.push_back(c);
        if (cols.empty())
          continue;
        auto it = llvm::find_if(groups, [&](auto &e) { return e.first == cols; });
        if (it == groups.end())
          groups.push_back({cols, uint64_t(1) << p});
        else
          it->second |= uint64_t(1) << p;
      }
      for (auto &[cols, procs] : groups)
        diag.attachNote(layer.getLoc())
            << "kernel map: layer " << layerLabel(layer) << " holds columns "
            << formatRanges(cols) << " of processors "
            << formatBitRanges(procs);
    }
  }

private:
  SmallVector<SmallVector<int>> owner;
};

struct PlaceKernelsPass
    : public tornado::impl::PlaceKernelsBase<PlaceKernelsPass> {
  using PlaceKernelsBase::PlaceKernelsBase;

  void runOnOperation() override;

private:
  /// The izer's search for `length` free columns on every input processor,
  /// from `offs` upwards (or downwards from `offs` when `reverse`).
  /// Returns the start column (reverse: the end column), or nullopt;
  /// `failProc` names the processor that ran out.
  std::optional<int64_t> search(const KernelMemory &mem,
                                const LayerGeometry &g, int64_t length,
                                int64_t offs, bool reverse,
                                unsigned &failProc) const;

  const target::Device *dev = nullptr;
};

std::optional<int64_t>
PlaceKernelsPass::search(const KernelMemory &mem, const LayerGeometry &g,
                         int64_t length, int64_t offs, bool reverse,
                         unsigned &failProc) const {
  const int64_t align = dev->processorsPerDataInstance();
  const unsigned first = lowestBit(g.inputProcs);
  const unsigned last = highestBit(g.inputProcs);
  auto fits = [&](unsigned p, int64_t at, bool down) {
    if (down ? at < 0 : at + length > mem.width(p)) {
      failProc = p;
      return false;
    }
    return true;
  };
  // Depth-wise kernels must not straddle a kernel RAM instance (the weight
  // mask covers one instance). The izer's instance-size test looks one
  // column ahead of the column it is given.
  unsigned smallWidth = ~0u, largeProc = 0;
  for (unsigned p = 0; p < dev->numProcessors(); ++p) {
    smallWidth = std::min(smallWidth, dev->kernelWordsPerProcessor(p));
    if (dev->kernelWordsPerProcessor(p) > dev->kernelWordsPerProcessor(largeProc))
      largeProc = p;
  }
  auto regions = dev->kernelRegions(largeProc);
  auto instanceMask = [&](int64_t col) -> int64_t {
    const target::KernelRegion &r =
        col + 1 >= smallWidth ? regions.back() : regions.front();
    return int64_t(r.columnsPerInstance) - 1;
  };
  const bool oneInstance =
      dev->needs(target::Requirement::WeightMask) && g.depthwise;

  unsigned p = first;
  while (mem.used(p, offs)) {
    offs += reverse ? -align : align;
    if (!fits(p, offs, reverse))
      return std::nullopt;
  }
  while (p <= last) {
    if (!((g.inputProcs >> p) & 1)) {
      ++p;
      continue;
    }
    int64_t begin, end, step;
    if (!reverse) {
      if (oneInstance) {
        int64_t mm = instanceMask(offs + 1);
        if (((offs + 1) & ~mm) != ((offs + length) & ~mm)) {
          offs = ((offs + mm) & ~mm) - 1;
          mm = instanceMask(offs + 1);
          if (((offs + 1) & ~mm) != ((offs + length) & ~mm)) {
            failProc = p;
            return std::nullopt;
          }
        }
      }
      begin = offs, end = offs + length, step = 1;
    } else {
      if (oneInstance) {
        int64_t mm = instanceMask(offs - 1);
        if (((offs - 1) & ~mm) != ((offs - length) & ~mm))
          offs &= ~mm;
      }
      begin = offs, end = offs - length, step = -1;
      if (end + 1 < 0) {
        failProc = p;
        return std::nullopt;
      }
    }
    bool restart = false;
    for (int64_t i = begin; i != end; i += step) {
      if (!mem.used(p, i))
        continue;
      offs = reverse ? ((i - 1) & ~(align - 1))
                     : ((i + 1 + align - 1) & ~(align - 1));
      // The izer checks the upward bound here even when searching down.
      if (!fits(p, offs, false) || offs < 0)
        return std::nullopt;
      restart = true;
      break;
    }
    p = restart ? first : p + 1;
  }
  return offs;
}

void PlaceKernelsPass::runOnOperation() {
  NetworkOp net = getOperation();
  dev = &net.getTarget();
  // Kernels are allocated in hardware-layer order, as the izer does.
  SmallVector<LayerOp> layers = placement::layersInHwOrder(net);

  // Geometry of every layer with kernels.
  SmallVector<std::optional<LayerGeometry>> geo(layers.size());
  for (auto [i, layer] : llvm::enumerate(layers)) {
    if (!hasKernels(layer))
      continue;
    FailureOr<LayerGeometry> g = getLayerGeometry(layer, i, *dev);
    if (failed(g))
      return signalPassFailure();
    geo[i] = *g;
  }

  // Identical weights with the same width and input processors share one
  // copy (the earliest layer's). A pinned column opts out.
  SmallVector<int> sharesWith(layers.size(), -1);
  SmallVector<SmallVector<int64_t>> values(layers.size());
  if (deduplicate) {
    for (auto [i, layer] : llvm::enumerate(layers)) {
      if (!geo[i] || layer.isPinned("kernel_column"))
        continue;
      values[i] = readValues(layer.getWeights());
      for (size_t j = 0; j < i; ++j) {
        if (!geo[j] || sharesWith[j] >= 0 || layers[j].isPinned("kernel_column"))
          continue;
        if (layers[j].getWeights()->getType() == layer.getWeights()->getType() &&
            layers[j].getWeightBits() == layer.getWeightBits() &&
            geo[j]->inputProcs == geo[i]->inputProcs && !values[i].empty() &&
            values[j] == values[i]) {
          sharesWith[i] = j;
          break;
        }
      }
    }
  }

  // Pinned layers first, then layers using every processor, then the rest.
  const uint64_t allProcs = dev->allProcessorsMask();
  SmallVector<unsigned> order;
  for (int pass = 0; pass < 3; ++pass)
    for (unsigned i = 0; i < layers.size(); ++i) {
      if (!geo[i] || sharesWith[i] >= 0)
        continue;
      bool pinned = layers[i].isPinned("kernel_column");
      bool all = geo[i]->inputProcs == allProcs;
      if ((pass == 0 && pinned) || (pass == 1 && !pinned && all) ||
          (pass == 2 && !pinned && !all))
        order.push_back(i);
    }

  KernelMemory mem(*dev);
  const int64_t align = dev->processorsPerDataInstance();
  unsigned smallWidth = ~0u, largeWidth = 0;
  for (unsigned p = 0; p < dev->numProcessors(); ++p) {
    smallWidth = std::min(smallWidth, dev->kernelWordsPerProcessor(p));
    largeWidth = std::max(largeWidth, dev->kernelWordsPerProcessor(p));
  }
  smallWidth = std::min(smallWidth, largeWidth);
  SmallVector<int64_t> column(layers.size(), -1);

  for (unsigned i : order) {
    LayerOp layer = layers[i];
    const LayerGeometry &g = *geo[i];
    LayerFill fill = simulateFill(g, *dev, newKernelLoader);
    const int64_t length = fill.searchLength;
    const uint64_t outMap = g.outputProcs;
    // The previous layer counts whether or not it has kernels.
    const bool x4Start =
        i > 0 && g.calcx4 && !layers[i - 1].getCalcx4();
    int64_t offs;
    unsigned failProc = lowestBit(g.inputProcs);

    auto exhausted = [&](int64_t at) {
      InFlightDiagnostic diag = layer.emitError()
          << "kernel memory exhausted: layer " << layerLabel(layer)
          << " needs " << length << " columns from column " << at
          << " on processors " << formatBitRanges(g.inputProcs)
          << " but processor " << failProc << " has "
          << mem.width(failProc) << " columns";
      mem.attachMap(diag, layers);
      signalPassFailure();
    };

    if (layer.isPinned("kernel_column")) {
      offs = *layer.getKernelColumn();
    } else {
      std::optional<int64_t> found;
      bool fromTop = false;
      // Devices whose first processor per group has extra (small) RAM
      // instances fill those from the top first.
      if (newKernelLoader && !x4Start && largeWidth > smallWidth) {
        bool allLarge = true;
        for (unsigned p = 0; p < dev->numProcessors(); ++p)
          if (((g.inputProcs >> p) & 1) &&
              dev->kernelWordsPerProcessor(p) != largeWidth)
            allLarge = false;
        unsigned smallInstance =
            dev->kernelRegions(lowestBit(g.inputProcs)).back().columnsPerInstance;
        if (allLarge && (!dev->needs(target::Requirement::WeightMask) ||
                         !g.depthwise || length <= smallInstance)) {
          unsigned ignored;
          found = search(mem, g, length, largeWidth - 1, true, ignored);
          fromTop = found.has_value();
        }
      }
      if (fromTop) {
        offs = (*found - (length - 1)) & ~(align - 1);
        // Rounding down to a whole instance can land on words another
        // layer holds; the izer then packs both layers' kernels into those
        // words and the hardware reads the wrong weights. Search further
        // down instead.
        const int64_t izerOffs = offs;
        auto collides = [&](int64_t at) {
          LayerFill f = simulateFill(g, *dev, newKernelLoader,
                                     [&](unsigned p, int64_t rel) {
                                       return mem.used(p, at + rel);
                                     });
          for (auto [k, pc] : llvm::enumerate(f.columns))
            for (auto [n, rel] : llvm::enumerate(pc.second))
              if (n < f.dataColumns[k] && mem.used(pc.first, at + rel))
                return true;
          return false;
        };
        while (offs >= 0 && collides(offs)) {
          unsigned ignored;
          std::optional<int64_t> next =
              offs > 0 ? search(mem, g, length, offs - 1, true, ignored)
                       : std::nullopt;
          offs = next ? (*next - (length - 1)) & ~(align - 1) : -1;
        }
        if (offs < 0) {
          fromTop = false;
        } else if (offs != izerOffs) {
          layer.emitWarning("layer ")
              << layerLabel(layer) << ": kernels placed at column " << offs
              << "; the izer's program puts them at column " << izerOffs
              << ", into kernel words another layer holds, and reads wrong "
              << "weights";
        }
      }
      if (!fromTop) {
        int64_t start = (int64_t(weightStart) + align - 1) & ~(align - 1);
        found = search(mem, g, length, start, false, failProc);
        if (!found)
          return exhausted(start);
        offs = *found;
        // The izer's work-around for a calcx4 layer after a plain one.
        if (x4Start)
          offs *= 4;
        if (!newKernelLoader) {
          int64_t lead = (lowestBit(outMap) % align + g.perByte - 1) / g.perByte;
          offs = std::max<int64_t>(0, offs - lead);
        }
        offs = (offs + align - 1) & ~(align - 1);
      }
      unsigned last = highestBit(g.inputProcs);
      if (offs + length > mem.width(last)) {
        failProc = last;
        return exhausted(offs);
      }
    }

    // Claim the words the loader writes, now that the words of the layers
    // placed before are known.
    fill = simulateFill(g, *dev, newKernelLoader,
                        [&](unsigned p, int64_t rel) {
                          return mem.used(p, offs + rel);
                        });
    for (auto [k, pc] : llvm::enumerate(fill.columns)) {
      auto &[p, cols] = pc;
      for (auto [n, rel] : llvm::enumerate(cols)) {
        int64_t col = offs + rel;
        // Zero padding goes into another layer's word without claiming it.
        if (n >= fill.dataColumns[k] && mem.ownerOf(p, col) != kFree)
          continue;
        if (col >= mem.width(p)) {
          InFlightDiagnostic diag = layer.emitError()
              << "kernel memory exhausted: layer " << layerLabel(layer)
              << " at column " << offs << " writes column " << col
              << " of processor " << p << ", which has " << mem.width(p)
              << " columns";
          mem.attachMap(diag, layers);
          return signalPassFailure();
        }
        int other = mem.ownerOf(p, col);
        if (other != kFree) {
          InFlightDiagnostic diag = layer.emitError()
              << "kernel memory conflict: layer " << layerLabel(layer)
              << " at column " << offs << " needs column " << col
              << " of processor " << p << ", which layer "
              << layerLabel(layers[other]) << " holds";
          mem.attachMap(diag, layers);
          return signalPassFailure();
        }
        mem.claim(p, col, i);
      }
    }
    column[i] = offs;
  }

  Builder b(&getContext());
  for (auto [i, layer] : llvm::enumerate(layers)) {
    int src = sharesWith[i] >= 0 ? sharesWith[i] : int(i);
    if (column[src] >= 0 && !layer.isPinned("kernel_column"))
      layer.setKernelColumnAttr(b.getI64IntegerAttr(column[src]));
  }
}

} // namespace
