//===- LowerToHWImages.cpp - Memory images of the generated program -------===//
//
// Kernel words (from the weights and kernel_column), bias bytes (bias_group,
// bias_offset), the sample input in data memory, the known answer (the
// network run by the interpreter) and the unload map. docs/lowering.md,
// "Memory images", gives the rules.
//
//===----------------------------------------------------------------------===//

#include "LowerToHW.h"

#include "tornado/Interpreter/Executor.h"
#include "tornado/KnownAnswer/KnownAnswer.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include "llvm/ADT/StringExtras.h"

#include <array>
#include <map>

using namespace mlir;
using namespace tornado;
using namespace tornado::lower;

namespace {

class ImageWriter {
public:
  ImageWriter(hw::ProgramOp program, const NetworkFacts &facts,
              const LowerOptions &opts)
      : program(program), facts(facts), opts(opts), dev(*facts.dev),
        builder(program.getContext()) {
    builder.setInsertionPointToEnd(&program.getBody().front());
  }

  LogicalResult run() {
    if (failed(kernels()) || failed(bias()) || failed(input()))
      return failure();
    if (opts.kat && failed(expected()))
      return failure();
    if ((opts.unload || opts.softmax) && failed(unload()))
      return failure();
    return success();
  }

private:
  hw::ProgramOp program;
  const NetworkFacts &facts;
  const LowerOptions &opts;
  const target::Device &dev;
  OpBuilder builder;

  Type u8() {
    return IntegerType::get(builder.getContext(), 8, IntegerType::Unsigned);
  }
  Type u32() {
    return IntegerType::get(builder.getContext(), 32, IntegerType::Unsigned);
  }
  /// A data-memory byte address as (group, instance, offset in instance).
  struct DataPos {
    unsigned group, instance;
    uint32_t offset;
  };
  std::optional<DataPos> dataPos(uint32_t addr) {
    std::optional<target::DecodedAddress> d = dev.decodeAddress(addr);
    if (!d || d->kind != target::AddressKind::Data)
      return std::nullopt;
    return DataPos{d->group, d->index, d->offset};
  }

  LogicalResult kernels();
  LogicalResult bias();
  LogicalResult input();
  LogicalResult expected();
  LogicalResult unload();
  /// Says that cnn_unload differs from the izer's, which misplaces channels
  /// of `l` (output processors not packed from a 4-processor boundary).
  void warnUnload(const HwLayer &l, StringRef why);
  /// The izer's walk over an output layer's channels, one call per data
  /// memory instance of output processors: first channel, output pass,
  /// first processor of the instance, used lanes (bit k: processor + k).
  LogicalResult walkOutputChannels(
      const HwLayer &l,
      function_ref<void(int64_t, int64_t, int64_t, uint64_t)> fn);
};

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

/// One processor's kernel memory while layers are written into it.
struct KernelColumn {
  std::array<uint8_t, 9> bytes{};
  unsigned used = 0; // bytes written, filled from the last byte down
  int layer = -1;    // the layer that wrote it; -1: never written
};
using KernelMemory = std::vector<KernelColumn>;

/// Writes one layer's bytes into a processor's kernel memory, keeping the
/// column being filled at hand (one lookup per word, not per byte).
class ColumnWriter {
public:
  ColumnWriter(KernelMemory &mem, int layer, int64_t col)
      : mem(mem), layer(layer), col(col) {}

  int64_t column() const { return col; }
  void skip() {
    ++col;
    cur = nullptr;
  }
  void put(uint8_t b) {
    KernelColumn &c = current();
    // A word belongs to the layer that wrote its first byte; padding may
    // append zero bytes to another layer's partly filled word.
    if (c.used == 0)
      c.layer = layer;
    if (c.used < 9)
      c.bytes[8 - c.used] = b;
    if (++c.used == 9)
      skip();
  }
  /// Whether the current column holds bytes.
  bool started() const {
    return col < int64_t(mem.size()) && mem[col].used > 0;
  }

private:
  KernelColumn &current() {
    if (!cur) {
      if (col >= int64_t(mem.size()))
        mem.resize(std::max<size_t>(col + 1, 2 * mem.size()));
      cur = &mem[col];
    }
    return *cur;
  }

  KernelMemory &mem;
  int layer;
  int64_t col;
  KernelColumn *cur = nullptr;
};

/// The rows of a layer's weight matrix in the order the loader walks them,
/// each value already masked to the weight width: rows x rowLength bytes.
struct KernelRows {
  std::vector<uint8_t> values;
  int64_t rows = 0, rowLength = 0;
  const uint8_t *row(int64_t r) const { return &values[r * rowLength]; }
};

KernelRows kernelRows(const HwLayer &l, ArrayRef<int64_t> w,
                      const target::Device &dev) {
  const placement::LayerGeometry &g = l.geom;
  const int64_t inThresh = g.inPerPass;
  const uint64_t valueMask = (1u << l.bits) - 1;
  auto value = [&](int64_t v) -> uint8_t {
    if (l.weightBits == -1) // binary: -1 -> 1, +1 -> 0
      v = std::clamp<int64_t>(v, -1, 0);
    return uint8_t(uint64_t(v) & valueMask);
  };
  KernelRows k;
  const int64_t ksize = l.kh * l.kw;
  if (l.flatten) {
    k.rows = l.outC * inThresh;
    k.rowLength = g.rowLength;
  } else if (l.foldedTaps) {
    k.rows = int64_t(w.size()) / l.foldedTaps;
    k.rowLength = ksize;
  } else if (l.center1x1) {
    k.rows = int64_t(w.size());
    k.rowLength = ksize;
  } else {
    k.rows = int64_t(w.size()) / ((ksize - 1) / l.stretch + 1);
    k.rowLength = ksize;
  }
  k.values.assign(k.rows * k.rowLength, 0);

  // calcx4: the four lanes compute output channels o, o + C/4, o + C/2, ...
  // at once, so the loader walks the output channels interleaved.
  const bool interleave = l.calcx4 && !l.flatten;
  const int64_t lanes = dev.calcX4Lanes();
  const int64_t perOut = k.rows / std::max<int64_t>(1, l.outC);
  const int64_t quarter = std::max<int64_t>(1, l.outC / lanes);
  for (int64_t r = 0; r < k.rows; ++r) {
    int64_t src = r;
    if (interleave) {
      int64_t o = r / perOut;
      src = ((o % quarter) * lanes + o / quarter) * perOut + r % perOut;
      if (src >= k.rows)
        continue;
    }
    uint8_t *out = &k.values[r * k.rowLength];
    if (l.flatten) {
      // Row (m * perPass + ch) holds, for pixel p and pass e, the weight of
      // input channel e * perPass + ch.
      const int64_t hw = l.pooledH * l.pooledW;
      const int64_t inFeatures =
          int64_t(w.size()) / std::max<int64_t>(1, l.outC);
      const int64_t passes = g.inPasses;
      int64_t m = src / inThresh, ch = src % inThresh;
      for (int64_t j = 0; j < k.rowLength; ++j) {
        int64_t pix = j / passes, e = j % passes;
        int64_t idx = (e * inThresh + ch) * hw + pix;
        out[j] = value(idx >= inFeatures ? 0 : w[m * inFeatures + idx]);
      }
    } else if (l.foldedTaps) {
      // A Conv1d kernel of 1-3 taps in the middle column of a 3x3 one.
      const int64_t kt = l.foldedTaps;
      for (int64_t j = 0; j < k.rowLength; ++j) {
        int64_t t = j / 3 - (kt == 3 ? 0 : 1);
        out[j] = value(j % 3 != 1 || t < 0 || t >= kt ? 0 : w[src * kt + t]);
      }
    } else if (l.center1x1) {
      for (int64_t j = 0; j < k.rowLength; ++j)
        out[j] = value(j == 4 ? w[src] : 0);
    } else {
      // A stretched Conv1d kernel has zeros between its stored taps.
      const int64_t stretch = l.stretch;
      const int64_t taps = (ksize - 1) / stretch + 1;
      const int64_t *kernel = &w[src * taps];
      if (stretch == 1)
        for (int64_t j = 0; j < k.rowLength; ++j)
          out[j] = value(kernel[j]);
      else
        for (int64_t j = 0; j < k.rowLength; ++j)
          out[j] = value(j % stretch ? 0 : kernel[j / stretch]);
    }
  }
  return k;
}

LogicalResult ImageWriter::kernels() {
  const unsigned nproc = dev.numProcessors();
  std::vector<KernelMemory> mem(nproc);

  // The loader fills layers that use every processor first, then the rest:
  // a layer's fill looks at words earlier layers left (a partly used word).
  const uint64_t allProcs = dev.allProcessorsMask();
  SmallVector<const HwLayer *> order;
  for (bool all : {true, false})
    for (const HwLayer &l : facts.layers)
      if ((l.procs == allProcs) == all)
        order.push_back(&l);

  for (const HwLayer *lp : order) {
    const HwLayer &l = *lp;
    if (!l.conv || !l.kernelColumn || l.kernelSource != l.index)
      continue;
    const placement::LayerGeometry &g = l.geom;
    SmallVector<int64_t> w = placement::readValues(l.op.getWeights());
    if (w.empty())
      return l.op.emitError("layer ") << placement::layerLabel(l.op)
                                      << ": weights are not readable integers";
    const KernelRows rows = kernelRows(l, w, dev);
    const int64_t qf = 8 / l.bits;
    const int64_t ksize = l.kh * l.kw;
    const int64_t inExp = l.flatten ? 1 : g.inPasses;
    const int64_t inChan = l.flatten ? g.inPerPass : g.inChannels;
    const int64_t inThresh = g.inPerPass;
    const int64_t outThresh = g.outPerPass;
    const int64_t outExpand = g.outPasses;
    const int64_t rowLen = rows.rowLength;

    const unsigned col0 = *l.kernelColumn;
    const uint64_t procMask = (1u << qf) - 1;
    const int startCol = ffs64(l.outProcs) % dev.processorsPerDataInstance();
    const uint64_t mapInit = l.outProcs >> ffs64(l.outProcs);
    // One kernel's packed bytes (qf kernels share a byte).
    SmallVector<uint64_t> k;
    int64_t ch = 0;
    // The length every processor is padded to is carried from one processor
    // to the next: a flatten layer (and the old loader) pads each processor
    // up to where the previous one ended, a staircase of zero words.
    int64_t kernLen = l.kernLen;
    for (int p = ffs64(l.procs); p >= 0 && p <= fls64(l.procs); ++p) {
      if (!((l.procs >> p) & 1))
        continue;
      const int64_t colStart = (startCol * ksize * inExp) / 9;
      const int64_t colBytes = (startCol * ksize * inExp) % 9;
      ColumnWriter out(mem[p], l.index, col0 + colStart);
      for (int64_t i = 0; i < colBytes / qf; ++i)
        out.put(0);
      int64_t m = 0;
      // A depth-wise layer has one kernel per input channel: one round.
      const int64_t outRange = l.depthwise ? 1 : outExpand;
      for (int64_t expand = 0; expand < outRange; ++expand) {
        uint64_t thisMap = mapInit;
        int64_t col = l.depthwise ? expand : expand * outThresh;
        int64_t stopCol = l.depthwise ? expand + 1 : col + outThresh;
        while (col < stopCol) {
          if (thisMap != 0)
            while ((thisMap & procMask) == 0) {
              out.skip();
              thisMap >>= qf;
            }
          thisMap >>= qf;
          int64_t inCh = l.flatten ? inChan * qf : inChan;
          int64_t srcOffs = ch + m * inCh;
          for (int64_t ie = 0; ie < inExp; ++ie) {
            if (ie * inThresh + ch < inCh && srcOffs < rows.rows) {
              k.clear();
              if (!l.flatten)
                k.assign(rowLen, 0);
              int64_t n = 0;
              for (int64_t i = 0; i < qf; ++i) {
                if (m < l.outC) {
                  int64_t idx = n + ie * qf;
                  int64_t koffs = srcOffs + (idx % inExp) * inThresh +
                                  (idx / inExp) * inChan;
                  if (koffs < rows.rows) {
                    const uint8_t *row = rows.row(koffs);
                    if (!l.flatten)
                      for (int64_t j = 0; j < rowLen; ++j)
                        k[j] |= uint64_t(row[j]) << (i * l.bits);
                    else
                      k.append(row, row + rowLen);
                  }
                  ++n;
                }
              }
              if (l.flatten) {
                while (k.size() % qf)
                  k.push_back(0);
                for (size_t i = 0; i < k.size() / qf; ++i) {
                  uint64_t e = k[i * qf];
                  for (int64_t j = 1; j < qf; ++j)
                    e |= k[i * qf + j] << (j * l.bits);
                  out.put(e & 0xff);
                }
              } else {
                for (int64_t i = 0; i < ksize; ++i)
                  out.put(k[ksize - i - 1] & 0xff);
              }
            } else {
              for (int64_t i = 0; i < ksize / qf; ++i)
                out.put(0);
            }
          }
          if (!l.flatten) {
            col += qf;
            m += qf;
          } else {
            col += 1;
            m += 1;
          }
        }
      }
      // A partly filled word counts as used; pad to the layer's length.
      if (out.column() < dev.kernelWordsPerProcessor(p) && out.started())
        out.skip();
      while (out.column() - col0 - startCol < kernLen)
        out.put(0);
      if (l.flatten)
        kernLen = out.column() - col0;
      else if (opts.oldKernelLoader)
        kernLen = out.column() - col0 - startCol;
      ++ch;
    }
  }

  // calcx4 layers store each quarter of their words in its own instance.
  for (auto [p, pm] : llvm::enumerate(mem)) {
    if (llvm::none_of(pm, [&](const KernelColumn &word) {
          return word.layer >= 0 && facts.layers[word.layer].calcx4;
        }))
      continue;
    KernelMemory placed;
    for (auto [c, word] : llvm::enumerate(pm)) {
      if (word.layer < 0)
        continue;
      unsigned at = c;
      if (facts.layers[word.layer].calcx4) {
        const HwLayer &l = facts.layers[word.layer];
        int64_t words =
            int64_t(l.geom.inPasses) * l.outC * 9 * l.bits / (l.kh * l.kw * 8);
        unsigned lanes = dev.calcX4Lanes();
        at = dev.calcX4KernelColumn(c, *l.kernelColumn,
                                    (words + lanes - 1) / lanes);
        if (at >= dev.kernelWordsPerProcessor(p))
          return l.op.emitError("layer ")
                 << placement::layerLabel(l.op) << ": calcx4 kernels from "
                 << "column " << *l.kernelColumn << " do not fit the "
                 << "parallel kernel-memory instances (column " << c
                 << " of processor " << p << " maps to " << at
                 << "); place the layer's kernels lower";
      }
      if (at >= placed.size())
        placed.resize(std::max<size_t>(at + 1, pm.size()));
      placed[at] = word;
    }
    pm = std::move(placed);
  }

  // One op per run of consecutive columns (per processor with the old
  // loader, from its first to its last column).
  SmallVector<uint8_t> data;
  for (unsigned p = 0; p < nproc; ++p) {
    KernelMemory &pm = mem[p];
    // After the memory self test kernel memory is zero: skip zero words.
    auto isWord = [&](const KernelColumn &c) {
      return c.layer >= 0 &&
             !(opts.zeroSram &&
               llvm::all_of(c.bytes, [](uint8_t b) { return b == 0; }));
    };
    auto firstIt = llvm::find_if(pm, isWord);
    if (firstIt == pm.end())
      continue;
    const unsigned first = firstIt - pm.begin();
    unsigned last = pm.size() - 1;
    while (!isWord(pm[last]))
      --last;
    unsigned maxCol = dev.kernelWordsPerProcessor(p);
    if (last >= maxCol)
      return program.emitError("kernels of processor ")
             << p << " reach column " << last << ", beyond its " << maxCol
             << " kernel words";
    auto emitRun = [&](unsigned from, unsigned to) {
      data.clear();
      data.reserve((to - from + 1) * 9);
      for (unsigned c = from; c <= to; ++c) {
        if (isWord(pm[c]))
          data.append(pm[c].bytes.begin(), pm[c].bytes.end());
        else
          data.append(9, 0);
      }
      auto type = RankedTensorType::get({int64_t(to - from + 1), 9}, u8());
      builder.create<hw::KernelsOp>(
          program.getLoc(), builder.getI32IntegerAttr(p / 16),
          builder.getI32IntegerAttr(p % 16), builder.getI32IntegerAttr(from),
          DenseElementsAttr::get(type, ArrayRef<uint8_t>(data)));
    };
    if (opts.oldKernelLoader) {
      emitRun(first, last);
      continue;
    }
    for (unsigned c = first; c <= last;) {
      unsigned end = c;
      while (end < last && isWord(pm[end + 1]))
        ++end;
      emitRun(c, end);
      c = end + 1;
      while (c <= last && !isWord(pm[c]))
        ++c;
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Bias
//===----------------------------------------------------------------------===//

LogicalResult ImageWriter::bias() {
  std::vector<std::vector<uint8_t>> groups(dev.numGroups());
  // Group g's memory grown to `end` entries (the layer's run starts at
  // `begin`), or null after an error naming the layer.
  auto reserve = [&](const HwLayer &l, unsigned g, size_t begin,
                     size_t end) -> std::vector<uint8_t> * {
    if (end > dev.biasBytesPerGroup()) {
      l.op.emitError("layer ")
          << placement::layerLabel(l.op) << ": bias entries " << begin << ".."
          << end - 1 << " exceed the " << dev.biasBytesPerGroup()
          << " bias bytes of group " << g;
      return nullptr;
    }
    if (groups[g].size() < end)
      groups[g].resize(end, 0);
    return &groups[g];
  };
  for (const HwLayer &l : facts.layers) {
    if (!l.biasGroup)
      continue;
    SmallVector<int64_t> values = placement::readValues(l.op.getBias());
    if (l.depthwise) {
      // Each group holds its processors' part from its own offset.
      placement::DepthwiseBias dw =
          placement::depthwiseBias(l.geom, values, dev);
      for (unsigned g = 0; g < dev.numGroups(); ++g) {
        if (l.biasOffsets[g] < 0)
          continue;
        std::vector<uint8_t> *mem =
            reserve(l, g, l.biasOffsets[g], l.biasOffsets[g] + dw.kept[g]);
        if (!mem)
          return failure();
        for (size_t i = 0; i < dw.kept[g]; ++i)
          if (dw.entries[g][i] != placement::kBiasHole)
            (*mem)[l.biasOffsets[g] + i] = uint8_t(dw.entries[g][i] & 0xff);
      }
      continue;
    }
    unsigned target = (ffs64(l.outProcs) % dev.processorsPerDataInstance()) *
                      l.geom.outPasses;
    // Devices whose first streaming layer cannot use the bias directly get
    // a zero entry first.
    if (l.index == 0 && l.streaming &&
        !dev.hasFeature(target::Feature::StreamBias))
      ++target;
    std::vector<uint8_t> *mem = reserve(l, *l.biasGroup, l.biasOffset,
                                        l.biasOffset + target + values.size());
    if (!mem)
      return failure();
    for (auto [i, v] : llvm::enumerate(values))
      (*mem)[l.biasOffset + target + i] = uint8_t(v & 0xff);
  }
  for (auto [g, mem] : llvm::enumerate(groups)) {
    if (mem.empty())
      continue;
    auto type = RankedTensorType::get({int64_t(mem.size())}, u8());
    builder.create<hw::BiasOp>(
        program.getLoc(), builder.getI32IntegerAttr(g),
        builder.getI32IntegerAttr(0),
        DenseElementsAttr::get(type, ArrayRef<uint8_t>(mem)));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Input
//===----------------------------------------------------------------------===//

LogicalResult ImageWriter::input() {
  NetworkOp net = facts.network;
  auto sample = net.getSampleInputAttr();
  if (!sample)
    return success(); // nothing to load: no input image
  SmallVector<int64_t> data;
  if (!getIntegerValues(sample, data))
    return net.emitError("network '")
           << net.getSymName() << "': sample_input is not readable";
  const HwLayer &l = facts.layers[facts.startLayer];
  auto shape = cast<ShapedType>(sample.getType()).getShape();
  int64_t chans = shape.empty() ? 1 : shape[0];
  int64_t h = shape.size() > 1 ? shape[1] : 1;
  int64_t w = shape.size() > 2 ? shape[2] : 1;
  int64_t pix = h * w;
  const bool chw = net.getInputFormat() == DataFormat::chw;
  const unsigned operands = l.operands;
  const int64_t chanPerOperand = chans / std::max(1u, operands);
  const int64_t inExpand = l.geom.inPasses;
  const int64_t inThresh = l.geom.inPerPass;
  auto byte = [&](int64_t c, int64_t p) -> uint32_t {
    return uint32_t(data[c * pix + p]) & 0xff;
  };

  if (opts.fifo) {
    // One word list per FIFO: CHW pushes 4 pixels of a channel per word,
    // channels rotating over the FIFOs of the first layer's processors.
    std::vector<std::vector<uint32_t>> fifos(dev.numFifos());
    if (chw) {
      for (int64_t rc = 0; rc < pix; rc += 4) {
        uint64_t pmap = 0;
        unsigned fifo = 0;
        for (int64_t c = 0; c < chans; ++c) {
          if (pmap == 0) {
            pmap = l.procs;
            fifo = 0;
          }
          while ((pmap & 1) == 0) {
            pmap >>= 16;
            ++fifo;
          }
          uint32_t v = 0;
          for (int b = 0; b < 4; ++b)
            if (rc + b < pix)
              v |= byte(c, rc + b) << (8 * b);
          if (fifo < fifos.size())
            fifos[fifo].push_back(v);
          pmap >>= 16;
          ++fifo;
        }
      }
    } else {
      // HWC: up to four channels per word, each group of four channels in
      // the next FIFO whose processors are used.
      for (int64_t p = 0; p < pix; ++p) {
        uint64_t pmap = 0;
        unsigned fifo = 0;
        for (int64_t c0 = 0; c0 < chans; c0 += 4) {
          if (pmap == 0) {
            pmap = l.procs;
            fifo = 0;
          }
          while ((pmap & 0x0f) == 0) {
            pmap >>= 16;
            ++fifo;
          }
          uint32_t v = 0;
          for (int64_t b = 0; b < 4; ++b) {
            if ((pmap & 1) && c0 + b < chans)
              v |= byte(c0 + b, p) << (8 * b);
            pmap >>= 1;
          }
          if (fifo < fifos.size())
            fifos[fifo].push_back(v);
          pmap >>= 12;
          ++fifo;
        }
      }
    }
    // A synthesized input stores the first words of each FIFO; the loader
    // repeats them, adding the step each round (masked to the channels).
    const unsigned period = opts.synthesizeWords;
    const uint32_t mask =
        chans >= 4 ? 0xffffffffu : uint32_t((1ull << (8 * chans)) - 1);
    for (auto [f, words] : llvm::enumerate(fifos)) {
      if (words.empty())
        continue;
      if (opts.fastFifo && f > 0)
        return net.emitError("the fast FIFO carries at most 4 HWC channels or "
                             "one CHW channel");
      IntegerAttr repeat, add, maskAttr;
      if (period) {
        if (words.size() % period)
          return net.emitError("synthesize-words ")
                 << period << " does not divide the " << words.size()
                 << " words of FIFO " << f;
        for (size_t i = period; i < words.size(); ++i)
          if (words[i] !=
              ((words[i - period] + uint32_t(opts.synthesizeInput)) & mask))
            return net.emitError("network '")
                   << net.getSymName() << "': word " << i << " of FIFO " << f
                   << " does not follow the synthesized input (import the "
                      "sample with the same --synthesize-input)";
        repeat = builder.getI64IntegerAttr(words.size() / period);
        add = builder.getI64IntegerAttr(opts.synthesizeInput & mask);
        maskAttr = builder.getI64IntegerAttr(mask);
        words.resize(period);
      }
      auto type = RankedTensorType::get({int64_t(words.size())}, u32());
      builder.create<hw::FifoInputOp>(
          program.getLoc(), builder.getI32IntegerAttr(f),
          DenseElementsAttr::get(type, ArrayRef<uint32_t>(words)), repeat, add,
          maskAttr);
    }
    return success();
  }

  std::map<uint32_t, uint32_t> words; // byte address -> word
  const unsigned share = dev.processorsPerDataInstance();
  const unsigned step = chw ? 1 : share;
  // Where each copy the loader makes starts and how many words it copies
  // (--fixed-input fills these with its own pattern).
  SmallVector<std::pair<uint32_t, int64_t>> copies;
  int64_t c = 0;
  for (unsigned chn = 0; chn < dev.maxChannels(); chn += step) {
    unsigned proc = chn % dev.numProcessors();
    uint64_t instanceMap = (l.procs >> proc) & ((1u << step) - 1);
    if (!instanceMap)
      continue;
    int numCh = llvm::popcount(instanceMap);
    int64_t expand = inThresh ? c / inThresh : 0;
    unsigned base = proc & ~(share - 1);
    uint32_t offs = expand * 4 * operands;
    if (expand == 0)
      offs += l.inOffset;
    uint32_t addr0 = dev.dataWordAddress(base, 0);
    if (chw) {
      for (int64_t p = 0; p < pix; ++p) {
        uint32_t a = addr0 + ((offs + p) & ~3u);
        words[a] |= byte(c, p) << (8 * ((offs + p) % 4));
      }
      copies.push_back({addr0 + (offs & ~3u), (pix + 3) / 4});
      c += 1;
    } else {
      uint32_t o = offs;
      for (int64_t p = 0; p < pix; ++p) {
        for (unsigned op = 0; op < operands; ++op) {
          uint32_t v = 0;
          int64_t thisC = c;
          for (unsigned i = 0; i < 4; ++i)
            if (instanceMap & (1u << i)) {
              if (thisC < chanPerOperand)
                v |= byte(thisC + op * chanPerOperand, p) << (8 * i);
              ++thisC;
            }
          words[addr0 + o] = v;
          o += 4;
        }
        o += 4 * (inExpand - 1) * operands;
      }
      // One copy per instance holds all passes.
      if (expand == 0)
        copies.push_back({addr0 + offs, pix * operands * inExpand});
      c += numCh;
    }
    if (c >= inThresh * inExpand)
      break;
  }

  if (opts.fixedInput) {
    // Each copy stores 0x55555555, 0xaaaaaaaa, ... in pairs: an odd count
    // writes one word more.
    words.clear();
    for (auto [start, count] : copies)
      for (int64_t i = 0; i < count + count % 2; ++i)
        words[start + 4 * i] = i % 2 ? 0xaaaaaaaau : 0x55555555u;
  }

  // One op per run of consecutive words inside one memory instance.
  auto it = words.begin();
  while (it != words.end()) {
    std::optional<DataPos> pos = dataPos(it->first);
    if (!pos)
      return net.emitError("input word at 0x")
             << llvm::utohexstr(it->first) << " is outside data memory";
    SmallVector<uint32_t> run{it->second};
    uint32_t next = it->first + 4;
    auto jt = std::next(it);
    while (jt != words.end() && jt->first == next) {
      std::optional<DataPos> q = dataPos(jt->first);
      if (!q || q->group != pos->group || q->instance != pos->instance)
        break;
      run.push_back(jt->second);
      next += 4;
      ++jt;
    }
    auto type = RankedTensorType::get({int64_t(run.size())}, u32());
    builder.create<hw::InputOp>(
        program.getLoc(),
        builder.getI32IntegerAttr(pos->group * 16 + pos->instance * share),
        builder.getI32IntegerAttr(pos->offset),
        DenseElementsAttr::get(type, ArrayRef<uint32_t>(run)));
    it = jt;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Known answer
//===----------------------------------------------------------------------===//

LogicalResult ImageWriter::expected() {
  NetworkOp net = facts.network;
  if (!net.getSampleInputAttr())
    return net.emitError("network '")
           << net.getSymName()
           << "': the known-answer test needs a sample_input (or kat=false)";
  // The driver may have run the network already.
  std::vector<interp::Tensor> computed;
  const std::vector<interp::Tensor> *results = nullptr;
  if (opts.knownResults) {
    auto it = opts.knownResults->find(net.getSymName());
    if (it != opts.knownResults->end())
      results = &it->second;
  }
  if (!results) {
    llvm::Expected<std::vector<interp::Tensor>> run =
        interp::runNetwork(net, {});
    if (!run)
      return net.emitError("known answer: ") << llvm::toString(run.takeError());
    computed = std::move(*run);
    results = &computed;
  }
  auto ret = cast<ReturnOp>(net.getBody().front().getTerminator());
  if (results->size() != ret.getOutputs().size())
    return net.emitError("known answer: ")
           << results->size() << " results handed over for "
           << ret.getOutputs().size() << " network outputs";
  std::vector<kat::OutputLayer> layers;
  for (auto [value, tensor] : llvm::zip(ret.getOutputs(), *results)) {
    Value v = value;
    while (auto r = v.getDefiningOp<ReshapeOp>())
      v = r.getInput();
    auto layer = v.getDefiningOp<LayerOp>();
    const HwLayer *hl = nullptr;
    for (const HwLayer &l : facts.layers)
      if (l.op == layer)
        hl = &l;
    assert(hl && "collectFacts checked that results come from layers");
    kat::OutputLayer out;
    out.result = &tensor;
    out.processorMap = hl->outProcs;
    out.outOffset = hl->outOffset;
    out.outputWidth = hl->outputWidth;
    out.writeGap = hl->writeGap;
    layers.push_back(out);
  }
  std::optional<unsigned> limit;
  if (opts.maxCheckLines > 0)
    limit = opts.maxCheckLines;
  llvm::Expected<std::vector<kat::Record>> records =
      kat::knownAnswer(dev, layers, limit);
  if (!records)
    return net.emitError("known answer: ")
           << llvm::toString(records.takeError());
  for (const kat::Record &r : *records) {
    // Records never cross a memory instance in the IR: split them.
    size_t i = 0;
    while (i < r.values.size()) {
      uint32_t a0 = r.address + 4 * i;
      std::optional<DataPos> p0 = dataPos(a0);
      size_t j = i + 1;
      while (j < r.values.size()) {
        std::optional<DataPos> q = dataPos(r.address + 4 * j);
        if (!p0 || !q || q->group != p0->group || q->instance != p0->instance)
          break;
        ++j;
      }
      ArrayRef<uint32_t> vals(r.values.data() + i, j - i);
      auto type = RankedTensorType::get({int64_t(vals.size())}, u32());
      builder.create<hw::ExpectOp>(program.getLoc(),
                                   builder.getI64IntegerAttr(a0),
                                   builder.getI64IntegerAttr(r.mask),
                                   DenseElementsAttr::get(type, vals));
      i = j;
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Unload
//===----------------------------------------------------------------------===//

LogicalResult ImageWriter::walkOutputChannels(
    const HwLayer &l,
    function_ref<void(int64_t, int64_t, int64_t, uint64_t)> fn) {
  const unsigned share = dev.processorsPerDataInstance();
  const int64_t thresh = l.geom.outPerPass;
  const int64_t coffsStart = ffs64(l.outProcs) & ~int64_t(share - 1);
  const uint64_t mapInit = l.outProcs >> coffsStart;
  int64_t poffs = coffsStart;
  uint64_t nextMap = mapInit;
  int64_t c = 0;
  while (c < l.outC) {
    // Every pass starts again at the first output processor.
    if (c % thresh == 0) {
      poffs = coffsStart;
      nextMap = mapInit;
    }
    fn(c, c / thresh, poffs & ~int64_t(share - 1), nextMap & 0x0f);
    poffs += share;
    c += llvm::popcount(nextMap & 0x0f);
    nextMap >>= share;
    if (nextMap == 0 && c < l.outC && c % thresh != 0)
      return l.op.emitError("layer ")
             << placement::layerLabel(l.op)
             << ": output processors hold fewer channels than the layer has";
  }
  return success();
}

void ImageWriter::warnUnload(const HwLayer &l, StringRef why) {
  mlir::emitWarning(l.op.getLoc())
      << "layer " << placement::layerLabel(l.op)
      << ": cnn_unload reads every output channel from where the layer "
         "writes it; the izer's unload misreads channels "
      << why;
}

LogicalResult ImageWriter::unload() {
  const unsigned share = dev.processorsPerDataInstance();
  // Output bytes: word sources (32-bit entries) and byte sources.
  std::map<int64_t, uint32_t> wordSrc;                      // out byte -> addr
  std::map<int64_t, std::pair<uint32_t, unsigned>> byteSrc; // -> (addr, lane)

  bool any8 = false;
  for (unsigned i : facts.outputLayers)
    any8 |= facts.layers[i].outputWidth == 8;
  const unsigned oWidth = any8 ? 8 : 32;

  int64_t written = 0;
  bool firstOutput = true;
  // Mlator reads: where the previous read came from and went (a read that
  // does not continue it starts a new mlator session).
  int64_t readAddr = -1;
  std::vector<std::pair<int64_t, Operation *>> mlatorOps;
  for (unsigned li : facts.outputLayers) {
    const HwLayer &l = facts.layers[li];
    const int64_t outSize = l.outputWidth / 8;
    const int64_t xy = l.outH * l.outW;
    const int64_t width = l.geom.outPasses * outSize;

    // --mlator: 8-bit outputs of at least 4 pixels per channel, a multiple
    // of 4 unless there is one channel, are read four pixels of one
    // channel at a time through the mlator of the group holding them.
    if (opts.mlator && outSize == 1 && xy >= 4 &&
        (l.outC == 1 || xy % 4 == 0)) {
      // The izer numbers a word's channels by lane, used or not, so its
      // mlator unload misplaces channels when a used lane follows an unused
      // one; Tornado counts used lanes only.
      bool misplaced = false;
      auto readChannels = [&](int64_t c, int64_t expand, int64_t proc,
                              uint64_t lanes) {
        misplaced |= (lanes & (lanes + 1)) != 0;
        int64_t thisC = c;
        for (int lane = 0; lane < 4; ++lane) {
          if (!((lanes >> lane) & 1))
            continue;
          hw::UnloadMlatorOp session;
          SmallVector<int64_t> to;
          for (int64_t d = 0; d < xy; d += 4) {
            // Pixel d of the channel goes to d (row * W + col). The izer
            // writes row * H + col, the same for square outputs.
            int64_t target = thisC * xy + d + written;
            int64_t source =
                l.outOffset + (int64_t(dev.dataWordAddress(proc, 0)) / 4 +
                               (d >> 2) * width + expand * outSize) *
                                  (l.writeGap + 1) * 4;
            if (source != readAddr) {
              // A new session: the address counter starts at this pixel.
              if (session)
                session.setTo(to);
              to.clear();
              session = builder.create<hw::UnloadMlatorOp>(
                  program.getLoc(),
                  builder.getI32IntegerAttr(proc / dev.processorsPerGroup()),
                  builder.getI32IntegerAttr(lane), builder.getI64IntegerAttr(d),
                  builder.getI64IntegerAttr(expand),
                  builder.getDenseI64ArrayAttr({target}));
              mlatorOps.push_back({target, session});
            }
            to.push_back(target);
            readAddr = source + 4;
          }
          session.setTo(to);
          ++thisC;
        }
      };
      if (failed(walkOutputChannels(l, readChannels)))
        return failure();
      if (misplaced)
        warnUnload(l, "when a used output processor follows an unused one "
                      "in its group of 4");
      if (l.outH != 1 && l.outW != 1 && l.outH != l.outW)
        warnUnload(l, "with --mlator when the output is not square (it "
                      "places row r at r * height and, reading whole rows "
                      "in one loop, stores every row after the last row's "
                      "position)");
      written += l.outC * xy;
      firstOutput = false;
      continue;
    }

    // The izer's emit list: (word offset from data base, byte lane).
    std::vector<std::pair<int64_t, int>> emit;
    // The izer's unload scales the whole address by the write gap, memory
    // instance included, unlike its own known-answer check: it reads the
    // wrong instance for every processor outside the first one.
    bool gapMisread = false;
    auto emitChannels = [&](int64_t, int64_t expand, int64_t proc,
                            uint64_t lanes) {
      gapMisread |= l.writeGap > 0 && proc >= int64_t(share);
      for (int64_t d = 0; d < xy; ++d) {
        uint32_t a =
            dev.dataWordAddress(proc, 0) + l.outOffset +
            uint32_t((d * width + expand * outSize) * (l.writeGap + 1) * 4);
        for (int shift = 0; shift < 4; ++shift) {
          if (!((lanes >> shift) & 1))
            continue;
          if (oWidth == 32) {
            emit.push_back({a, -1});
            a += 4;
          } else if (outSize == 4) {
            for (int b = 0; b < 4; ++b)
              emit.push_back({a + 4 * shift, b});
          } else {
            emit.push_back({a, shift});
          }
        }
      }
    };
    if (failed(walkOutputChannels(l, emitChannels)))
      return failure();
    if (gapMisread)
      warnUnload(l, "with a write_gap outside the first memory instance");

    if (oWidth == 32) {
      int64_t out = written;
      for (auto &[a, lane] : emit) {
        wordSrc[out] = a;
        out += 4;
      }
    } else {
      // What the generated byte loop does: a running offset within the
      // layer's block (channel-major), or a plain pointer for 1x1 outputs.
      bool shortWrite = xy == 1;
      int64_t base = firstOutput ? 0 : written;
      int64_t offs = 0, ptr = base;
      std::map<int64_t, std::pair<uint32_t, unsigned>> layerSrc;
      size_t idx = 0;
      while (idx < emit.size()) {
        uint32_t readAddr = emit[idx].first;
        SmallVector<int> shifts;
        size_t sc = 0;
        while (idx + sc < emit.size() && emit[idx + sc].first == readAddr) {
          shifts.push_back(emit[idx + sc].second);
          ++sc;
        }
        int64_t deltaR = 4;
        if (idx + sc < emit.size())
          deltaR = int64_t(emit[idx + sc].first) - int64_t(emit[idx].first);
        size_t run = 0;
        while (idx + sc * (run + 1) < emit.size() &&
               int64_t(emit[idx + sc * (run + 1)].first) -
                       int64_t(emit[idx + sc * run].first) ==
                   deltaR)
          ++run;
        for (size_t k = 0; k <= run; ++k) {
          uint32_t a = uint32_t(int64_t(readAddr) + int64_t(k) * deltaR);
          for (int s : shifts) {
            int64_t o = shortWrite ? ptr++ : base + offs + xy * s;
            layerSrc[o] = {a, unsigned(s)};
          }
          if (!shortWrite)
            ++offs;
        }
        idx += (run + 1) * sc;
        if (!shortWrite && idx < emit.size() && sc > 1)
          offs += xy * (sc - 1);
      }
      // The izer's loops assume every word of a run holds the same lanes.
      // When the output processors do not start on a 4-processor boundary
      // they do not, and its unload reads some channels twice and others
      // never: unload each channel from its own lane instead, and say so.
      if (outSize == 1) {
        std::map<int64_t, std::pair<uint32_t, unsigned>> intended;
        auto place = [&](int64_t c, int64_t expand, int64_t proc,
                         uint64_t lanes) {
          int64_t thisC = c;
          for (unsigned shift = 0; shift < 4 && thisC < l.outC; ++shift) {
            if (!((lanes >> shift) & 1))
              continue;
            for (int64_t d = 0; d < xy; ++d)
              intended[base + thisC * xy + d] = {
                  dev.dataWordAddress(proc, 0) + l.outOffset +
                      uint32_t((d * width + expand) * (l.writeGap + 1) * 4),
                  shift};
            ++thisC;
          }
        };
        if (failed(walkOutputChannels(l, place)))
          return failure();
        // Bytes past the layer's outputs (the izer reads whole words) only
        // pad the buffer; the outputs themselves must agree.
        bool agrees = llvm::all_of(intended, [&](const auto &entry) {
          auto it = layerSrc.find(entry.first);
          return it != layerSrc.end() && it->second == entry.second;
        });
        if (!agrees) {
          warnUnload(l, "when a used output processor follows an unused "
                        "one in its group of 4");
          layerSrc = std::move(intended);
        }
      }
      byteSrc.insert(layerSrc.begin(), layerSrc.end());
    }
    written += l.outC * xy * l.outputWidth / 8;
    firstOutput = false;
  }

  auto sameInstance = [&](uint32_t a, uint32_t b) {
    std::optional<DataPos> p = dataPos(a), q = dataPos(b);
    return p && q && p->group == q->group && p->instance == q->instance;
  };
  for (auto &[o, a] : wordSrc)
    if (!dataPos(a))
      return program.emitError("unload source 0x")
             << llvm::utohexstr(a) << " is outside data memory";

  // Ops in output order: word runs with a constant source step...
  std::vector<std::pair<int64_t, Operation *>> ops;
  {
    auto it = wordSrc.begin();
    while (it != wordSrc.end()) {
      int64_t out0 = it->first;
      uint32_t a0 = it->second;
      int64_t n = 1, step = 0;
      auto jt = std::next(it);
      while (jt != wordSrc.end() && jt->first == out0 + 4 * n &&
             sameInstance(a0, jt->second)) {
        int64_t d = int64_t(jt->second) - int64_t(std::prev(jt)->second);
        if (step == 0) {
          if (d <= 0 || d % 4)
            break;
          step = d / 4;
        } else if (d != 4 * step) {
          break;
        }
        ++n;
        ++jt;
      }
      auto op = builder.create<hw::UnloadWordsOp>(
          program.getLoc(), builder.getI64IntegerAttr(a0),
          builder.getI64IntegerAttr(n),
          builder.getI64IntegerAttr(step ? step : 1),
          builder.getI64IntegerAttr(out0));
      ops.push_back({out0, op});
      it = jt;
    }
  }
  // ... and byte scatters: words with the same lanes shifted by a constant.
  // Keyed by (word, copy): the izer's loops can read one byte lane into
  // several output bytes (output maps that do not start on a 4-processor
  // boundary), and every copy is a separate read.
  std::map<std::pair<uint32_t, unsigned>, std::array<int64_t, 4>> lanes;
  for (auto &[o, src] : byteSrc) {
    if (!dataPos(src.first))
      return program.emitError("unload source 0x")
             << llvm::utohexstr(src.first) << " is outside data memory";
    for (unsigned copy = 0;; ++copy) {
      auto [it, inserted] = lanes.try_emplace({src.first, copy});
      if (inserted)
        it->second.fill(-1);
      if (it->second[src.second] < 0) {
        it->second[src.second] = o;
        break;
      }
    }
  }
  {
    auto it = lanes.begin();
    while (it != lanes.end()) {
      uint32_t a0 = it->first.first;
      std::array<int64_t, 4> l0 = it->second;
      int64_t n = 1, step = 0, ostep = 0;
      auto jt = std::next(it);
      while (jt != lanes.end()) {
        auto pt = std::prev(jt);
        bool sameShape = true;
        for (int k = 0; k < 4; ++k)
          sameShape &= (jt->second[k] < 0) == (l0[k] < 0);
        if (!sameShape || !sameInstance(a0, jt->first.first))
          break;
        std::optional<int64_t> delta;
        bool one = true;
        for (int k = 0; k < 4; ++k) {
          if (jt->second[k] < 0)
            continue;
          int64_t dd = jt->second[k] - pt->second[k];
          if (delta && *delta != dd)
            one = false;
          delta = dd;
        }
        if (!one || !delta)
          break;
        int64_t d = int64_t(jt->first.first) - int64_t(pt->first.first);
        if (step == 0) {
          if (d <= 0 || d % 4 || *delta < 0)
            break;
          step = d / 4;
          ostep = *delta;
        } else if (d != 4 * step || *delta != ostep) {
          break;
        }
        ++n;
        ++jt;
      }
      int64_t firstOut = INT64_MAX;
      for (int64_t x : l0)
        if (x >= 0)
          firstOut = std::min(firstOut, x);
      auto op = builder.create<hw::UnloadBytesOp>(
          program.getLoc(), builder.getI64IntegerAttr(a0),
          builder.getI64IntegerAttr(n),
          builder.getI64IntegerAttr(step ? step : 1),
          builder.getDenseI64ArrayAttr(ArrayRef<int64_t>(l0.data(), 4)),
          builder.getI64IntegerAttr(ostep ? ostep : 1));
      ops.push_back({firstOut, op});
      it = jt;
    }
  }
  ops.insert(ops.end(), mlatorOps.begin(), mlatorOps.end());
  // Keep the ops in output-buffer order (words before bytes at one offset).
  std::vector<size_t> order(ops.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(ops[a].first, a) < std::make_pair(ops[b].first, b);
  });
  std::vector<std::pair<int64_t, Operation *>> sorted;
  for (size_t i : order)
    sorted.push_back(ops[i]);
  ops = std::move(sorted);
  for (auto &[o, op] : ops)
    op->moveBefore(&program.getBody().front(), program.getBody().front().end());
  return success();
}

} // namespace

LogicalResult lower::buildImages(hw::ProgramOp program,
                                 const NetworkFacts &facts,
                                 const LowerOptions &opts) {
  return ImageWriter(program, facts, opts).run();
}
