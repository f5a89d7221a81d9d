//===- LowerToHWFacts.cpp - Per-layer facts for the lowering --------------===//
//
// Collects the quantities the register and image rules use (see
// docs/lowering.md, "Per-layer quantities") and writes the program's
// attributes.
//
//===----------------------------------------------------------------------===//

#include "LowerToHW.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace tornado;
using namespace tornado::lower;

namespace {

/// Follows reshapes back to the value a layer really reads.
Value stripReshapes(Value v) {
  while (auto r = v.getDefiningOp<ReshapeOp>())
    v = r.getInput();
  return v;
}

/// [C, H, W] -> (H, W); [C, L] -> (L, 1); [N] -> (1, 1).
std::pair<int64_t, int64_t> spatial(Type type) {
  auto shaped = cast<ShapedType>(type);
  if (shaped.getRank() >= 3)
    return {shaped.getDimSize(1), shaped.getDimSize(2)};
  if (shaped.getRank() == 2)
    return {shaped.getDimSize(1), 1};
  return {1, 1};
}

int64_t at(std::optional<ArrayRef<int64_t>> a, unsigned i, int64_t dflt) {
  if (!a || a->size() <= i)
    return dflt;
  return (*a)[i];
}

} // namespace

/// Stream start, deltas and rollover: when a streaming layer (or a first
/// layer reading the FIFOs) may start and how it advances through its
/// circular input buffer (the izer's formulas per device).
static StreamSettings streamSettings(const HwLayer &l,
                                     const NetworkFacts &facts,
                                     const LowerOptions &opts) {
  const target::Device &dev = *facts.dev;
  const bool first = l.index == facts.startLayer;
  StreamSettings st;
  // Other layers write zeros (the izer writes both registers for every
  // layer, so only --write-zero-registers shows them).
  if (!l.streaming && !(first && opts.fifo))
    return st;
  int64_t start = 0, delta1 = 0, delta2 = 0, invol = 0;
  // Buffer size for the rollover register (new formulas).
  int64_t startHwc = 0, colInc = 1, rowInc = 1;
  if (dev.needs(target::Requirement::NewStreaming)) {
    const int64_t cols = l.inW, pad = l.padW, ops = l.operands;
    const int64_t rowPrim = pad ? pad : l.poolSH;
    rowInc = std::max(l.poolH * l.poolDH, l.poolSH);
    colInc = std::max(l.poolW * l.poolDW, l.poolSW);
    const bool later = l.index > 0; // the izer's revised formulas
    bool lastStreaming = false;
    int64_t effCols = 0, colAdjust = 0;
    if (l.streaming) {
      lastStreaming = l.index + 1 == facts.layers.size() ||
                      !facts.layers[l.index + 1].streaming;
      if (later) {
        effCols = cols / colInc;
        if (effCols * l.poolSW + l.poolW > cols)
          --effCols;
        colAdjust = colInc == 1 ? 0 : cols - effCols * colInc;
      } else {
        effCols = cols / l.poolSW;
        if (effCols * l.poolSW + l.poolW - 1 > cols)
          --effCols;
        colAdjust = cols - effCols * colInc;
      }
    }
    if (first && opts.fifo) {
      if (l.streaming && l.poolSH == 1 && l.poolH == 1)
        start = colInc;
      else if (l.streaming)
        // Read-ahead needs one more pooling step of input.
        start = (rowInc * (cols + pad * 2) + (pad + 2 * colInc)) * ops +
                (l.readAhead ? l.poolSW : 0);
      else
        start = l.inH * l.inW;
    } else if (!first && l.streaming) {
      if (later)
        start = rowPrim * (cols + 2 * pad) +
                (rowInc * (cols + 2 * pad) + pad + 2 * colInc) * ops;
      else
        start = pad * (cols + 2 * pad) +
                (rowInc * (cols + 2 * pad) + pad + 2 * colInc) * ops;
      if (l.readAhead)
        start += l.poolSW;
      if (lastStreaming && later)
        start += colAdjust * l.poolSW;
    }
    startHwc = start;
    if (l.bigData)
      start = (start + 3) / 4;
    if (first && opts.overrideStart)
      start = startHwc = *opts.overrideStart;
    if (l.streaming) {
      int64_t skipped = std::max<int64_t>(0, cols - effCols * l.poolSW);
      delta1 = l.poolSW * ops;
      if (first) {
        if (l.poolSH == 1 && l.poolH == 1)
          delta1 -= 1;
        if (l.bigData)
          delta1 = (delta1 + 3) / 4;
        // An overridden delta 1 feeds the computed delta 2 (as in the izer).
        if (opts.overrideDelta1)
          delta1 = *opts.overrideDelta1;
        if (opts.overrideDelta2) {
          delta2 = *opts.overrideDelta2;
        } else {
          if (later)
            delta2 = l.poolSH == 1 ? delta1 + colAdjust
                                   : (l.poolSH - 1) * cols + colAdjust;
          else
            delta2 = l.poolSH == 1
                         ? delta1 + skipped
                         : (l.poolSH - 1) * cols + skipped + l.poolW - 1;
          if (l.bigData)
            delta2 = (delta2 + 3) / 4;
          if (opts.pipeline && delta2 > 0)
            delta2 += 1;
        }
      } else {
        if (l.bigData)
          delta1 = (delta1 + 3) / 4;
        delta1 += opts.increaseDelta1;
        if (later)
          delta2 = l.poolSH == 1 ? delta1 + colAdjust
                                 : (l.poolSH - 1) * cols + colAdjust;
        else
          delta2 = l.poolSH == 1 ? delta1 + skipped
                                 : (l.poolSH - 1) * cols + skipped;
        if (l.bigData)
          delta2 = (delta2 + 3) / 4;
        delta2 += opts.increaseDelta2;
      }
    }
  } else if (first && opts.fifo) {
    if (l.streaming)
      start = (l.poolH - 1) * l.inW + l.poolW;
    else {
      start = l.inH * l.inW;
      if (l.bigData)
        start = (start + 3) / 4;
    }
    start *= l.poolH;
    if (opts.overrideStart)
      start = *opts.overrideStart;
    if (l.streaming) {
      delta1 = opts.overrideDelta1.value_or((l.poolSW - 1) * l.operands);
      delta2 =
          opts.overrideDelta2.value_or((l.poolH - 1) * l.inW * l.operands);
    }
  } else if (!first && l.streaming) {
    // The previous layer must have produced enough padded rows for this
    // layer's kernel and pool window.
    const HwLayer &prev = facts.layers[l.index - 1];
    int64_t prevRow = prev.pooledW + 2 * prev.padW;
    // The izer adds a margin of 2 (its --increase-start default).
    start = prevRow * (prev.kh - 1 + l.poolH - 1) + prev.kw - 1 + l.poolW +
            opts.increaseStart;
    delta1 = l.poolSW * l.operands + opts.increaseDelta1;
    delta2 =
        (l.poolSH - 1) * prevRow + l.poolW * l.operands + opts.increaseDelta2;
  }
  if (!first && l.streaming)
    for (unsigned i = 0; i < l.index; ++i)
      invol += facts.layers[i].involPasses;
  st.start = start;
  st.delta1 = delta1;
  st.delta2 = delta2;
  st.invol = invol;
  if (opts.fifo && l.streaming) {
    int64_t passes = l.geom.inPasses;
    int64_t roll;
    if (!dev.needs(target::Requirement::NewStreaming)) {
      roll = l.bigData ? 12
                       : start + (l.poolH - 1) * l.inW +
                             std::max({int64_t(1), l.poolSW, l.poolW});
      if (roll % passes)
        roll += passes - roll % passes;
    } else if (first) {
      roll = startHwc + colInc + (l.poolSW - 1) * (l.inW + l.padW * 2);
      if (l.bigData)
        roll *= l.poolSW * 4;
    } else {
      roll =
          startHwc + (passes - 1) * (rowInc * l.inW + l.padW + colInc) + colInc;
      roll += (passes - roll % passes) % passes;
      if (l.bigData)
        roll = (roll + 3) / 4;
    }
    if (first && opts.overrideRollover)
      roll = *opts.overrideRollover;
    st.rollover = roll;
  }
  return st;
}


/// Pixels a dilated Conv1d run as a 2-D convolution writes beyond its
/// output (the izer's out_pad).
static int64_t outPadPixels(const HwLayer &l) {
  return l.foldedTaps ? std::max<int64_t>(0, l.inH * l.inW - l.outH * l.outW)
                      : 0;
}

/// The circular input buffers of streaming layers (with --fifo) must not
/// reach the layer's output, the end of the memory instance, another
/// layer's buffer, or the output of the last streaming layer; read-ahead
/// streaming layers need memories of their own. These are the izer's rules,
/// in bytes of a memory instance, ranges closed at both ends.
static LogicalResult checkStreamBuffers(const NetworkFacts &facts,
                                        const LowerOptions &opts) {
  const target::Device &dev = *facts.dev;
  auto instances = [&](uint64_t procs) {
    uint64_t m = 0;
    for (unsigned p = 0; p < dev.numProcessors(); ++p)
      if ((procs >> p) & 1)
        m |= uint64_t(1) << (p / dev.processorsPerDataInstance());
    return m;
  };
  auto hexOf = [](int64_t v) {
    return "0x" + llvm::utohexstr(uint64_t(v), /*LowerCase=*/true);
  };
  struct Buffer {
    int64_t from, to;
    uint64_t instances;
  };
  auto overlap = [](int64_t a0, int64_t a1, int64_t b0, int64_t b1) {
    return a0 <= b1 && b0 <= a1;
  };
  std::vector<std::optional<Buffer>> bufs(facts.layers.size());
  for (const HwLayer &l : facts.layers) {
    if (!l.stream.rollover)
      continue;
    const int64_t ring = *l.stream.rollover * 4;
    const int64_t in = l.inOffset, out = l.outOffset;
    const int64_t outStart = out - int64_t(l.outIgnore);
    auto err = [&]() {
      return l.op.emitError("layer ") << placement::layerLabel(l.op) << ": ";
    };
    if (l.procs & l.outProcs) {
      if (in < outStart) {
        if (in + ring >= outStart)
          return err() << "its streaming input buffer (in_offset "
                       << hexOf(in) << " + rollover " << ring
                       << " bytes) reaches its output at " << hexOf(outStart)
                       << " in the same processors: move out_offset up";
      } else {
        if (out + ring >= in)
          return err() << "its output at out_offset " << hexOf(out)
                       << " plus the streaming buffer size (" << ring
                       << " bytes) reaches its input at in_offset "
                       << hexOf(in) << " in the same processors";
        if (l.index == facts.finalLayer) {
          int64_t bytes = (l.outH * l.outW + outPadPixels(l)) *
                          l.geom.outPasses * 4;
          if (out + bytes >= in)
            return err() << "its output (out_offset " << hexOf(out) << ", "
                         << bytes << " bytes) reaches its streaming input at "
                         << "in_offset " << hexOf(in);
        }
      }
    }
    if (in + ring >= int64_t(dev.dataInstanceBytes()))
      return err() << "its streaming input buffer (in_offset " << hexOf(in)
                   << " + rollover " << ring << " bytes) runs past the end "
                   << "of the memory instance (" << dev.dataInstanceBytes()
                   << " bytes)";
    Buffer mine{in, in + ring, instances(l.procs)};
    for (unsigned pl = 0; pl < l.index; ++pl) {
      if (!bufs[pl])
        continue;
      if (!opts.overlapData && (bufs[pl]->instances & mine.instances) &&
          overlap(mine.from, mine.to, bufs[pl]->from, bufs[pl]->to))
        return err() << "its streaming input buffer (" << hexOf(mine.from)
                     << "-" << hexOf(mine.to) << ") overlaps the one of layer "
                     << placement::layerLabel(facts.layers[pl].op) << " ("
                     << hexOf(bufs[pl]->from) << "-" << hexOf(bufs[pl]->to)
                     << ") in the same memory instances";
      if (l.readAhead &&
          dev.dataRamIndex(mine.from) == dev.dataRamIndex(bufs[pl]->from))
        return err() << "streaming read-ahead layers need memories of their "
                     << "own, but its input buffer shares memory "
                     << dev.dataRamIndex(mine.from) << " with layer "
                     << placement::layerLabel(facts.layers[pl].op);
    }
    bufs[l.index] = mine;
    const bool lastStreaming =
        !l.next || !facts.layers[*l.next].streaming;
    if (lastStreaming && !opts.overlapData) {
      const uint64_t outInst = instances(l.outProcs);
      const int64_t bytes =
          (l.outH * l.outW + outPadPixels(l)) * 4 * l.outputWidth / 8;
      for (unsigned pl = 0; pl <= l.index; ++pl)
        if (bufs[pl] && (bufs[pl]->instances & outInst) &&
            overlap(out, out + bytes, bufs[pl]->from, bufs[pl]->to))
          return err() << "its output (" << hexOf(out) << "-"
                       << hexOf(out + bytes) << ") overlaps the streaming "
                       << "input buffer of layer "
                       << placement::layerLabel(facts.layers[pl].op) << " ("
                       << hexOf(bufs[pl]->from) << "-" << hexOf(bufs[pl]->to)
                       << ")";
    }
  }
  return success();
}

FailureOr<NetworkFacts> lower::collectFacts(NetworkOp network,
                                            const LowerOptions &opts) {
  NetworkFacts facts;
  facts.network = network;
  facts.dev = &network.getTarget();
  const target::Device &dev = *facts.dev;

  unsigned index = 0;
  bool failedAny = false;
  // PoolRnd is set by the network (--avg-pool-rounding), else by the first
  // layer with a 2-D average pool; every other 2-D average must agree.
  std::optional<std::string> roundingFrom;
  if (network.getAvgPoolRounding()) {
    roundingFrom = "the network (avg_pool_rounding)";
    facts.avgPoolRounding = true;
  }
  for (LayerOp op : placement::layersInHwOrder(network)) {
    HwLayer l;
    l.op = op;
    l.index = index;
    l.kernelSource = index;
    auto label = placement::layerLabel(op);
    auto fail = [&](const Twine &msg) {
      op.emitError("layer ") << label << ": " << msg;
      failedAny = true;
    };

    FailureOr<placement::LayerGeometry> geom =
        placement::getLayerGeometry(op, index, dev);
    if (failed(geom)) {
      failedAny = true;
      ++index;
      continue;
    }
    l.geom = *geom;
    l.kind = op.getOp();
    l.conv = l.kind != LayerOpKind::none;
    l.procs = geom->inputProcs;
    l.outProcs = geom->outputProcs;

    // Features the lowering does not handle yet: say so instead of
    // programming something wrong.
    if (l.kind == LayerOpKind::conv1d && at(op.getDilation(), 0, 1) > 1 &&
        (at(op.getKernel(), 0, 1) - 1) * at(op.getDilation(), 0, 1) >= 9 &&
        at(op.getKernel(), 0, 1) > 3)
      fail("dilated Conv1d kernels longer than 3 cannot run on Conv2d "
           "hardware");

    if (!op.getInOffset())
      fail("needs in_offset (run the offset assignment first)");
    if (!op.getOutOffset())
      fail("needs out_offset (run the offset assignment first)");
    if (placement::hasKernels(op) && !op.getKernelColumn())
      fail("needs kernel_column (run --tornado-place-kernels first)");
    bool hasBias = op.getBias().has_value() && l.conv;
    if (hasBias && (!op.getBiasGroup() || !op.getBiasOffset()))
      fail("needs bias_group and bias_offset (run --tornado-place-bias "
           "first)");

    l.inOffset = op.getInOffset().value_or(0);
    l.outOffset = op.getOutOffset().value_or(0);
    l.readGap = op.getReadGap().value_or(0);
    l.writeGap = op.getWriteGap().value_or(0);
    if (op.getKernelColumn())
      l.kernelColumn = *op.getKernelColumn();
    l.depthwise = l.geom.depthwise;
    l.calcx4 = l.geom.calcx4;
    l.readAhead = op.getReadahead();
    l.tcalc = op.getTcalc().value_or(l.readAhead && l.geom.inPasses > 1);
    l.involPasses =
        l.tcalc ? llvm::alignTo(l.geom.inPasses, 4) : l.geom.inPasses;
    // The loader interleaves the output channels of calcx4 layers in
    // lanes; a flatten layer's kernels are not rearranged.
    if (l.calcx4 && placement::hasKernels(op) && !op.getFlatten() &&
        l.geom.outChannels % dev.calcX4Lanes() != 0)
      fail(Twine("calcx4 needs a multiple of ") + Twine(dev.calcX4Lanes()) +
           " output channels, got " + Twine(l.geom.outChannels));
    l.broadcast = l.depthwise && l.procs == l.outProcs;
    if (hasBias && op.getBiasGroup()) {
      l.biasGroup = *op.getBiasGroup();
      l.biasOffset = op.getBiasOffset().value_or(0);
      facts.anyBias = true;
      if (l.depthwise) {
        std::optional<ArrayRef<int64_t>> offsets = op.getBiasOffsets();
        if (!offsets || offsets->size() != dev.numGroups())
          fail("a depth-wise layer with bias needs bias_offsets (run "
               "--tornado-place-bias first)");
        else
          l.biasOffsets.assign(offsets->begin(), offsets->end());
      }
    }
    facts.anyStreaming |= op.getStreaming();

    l.weightBits = op.getWeightBits();
    l.bits = l.weightBits == -1 ? 1 : std::abs(l.weightBits);
    l.outputShift = op.getOutputShift();
    l.outputWidth = op.getOutputWidth();
    l.activation = op.getActivation();
    l.flatten = op.getFlatten();
    l.streaming = op.getStreaming();
    l.eltwise = op.getEltwise();
    l.poolFirst = op.getPoolFirst();
    if (l.eltwise)
      l.operands = op.getOperands().value_or(op.getInputs().size());

    {
      int64_t ops = l.operands, passes = l.geom.inPasses;
      l.emulateEltwise =
          dev.needs(target::Requirement::EmulateEltwiseMultipass) && ops > 1 &&
          passes > 1 && ops * passes != ops + passes;
    }

    // Input as the hardware reads it.
    if (!op.getInputs().empty()) {
      std::tie(l.inH, l.inW) = spatial(op.getInputs().front().getType());
      for (Value in : op.getInputs())
        if (isa<BlockArgument>(stripReshapes(in)))
          l.readsInput = true;
    }
    l.bigData = l.readsInput && network.getInputFormat() == DataFormat::chw;
    if (l.readsInput)
      facts.startLayer = index;

    // Pooling.
    if (auto pool = op.getPoolAttr()) {
      ArrayRef<int64_t> k = pool.getKernel(), s = pool.getStride(),
                        d = pool.getDilation();
      l.poolH = k.size() > 0 ? k[0] : 1;
      l.poolW = k.size() > 1 ? k[1] : 1;
      l.poolSH = s.size() > 0 ? s[0] : 1;
      l.poolSW = s.size() > 1 ? s[1] : 1;
      l.poolDH = d.size() > 0 ? d[0] : 1;
      l.poolDW = d.size() > 1 ? d[1] : 1;
      l.poolAvg = pool.getKind() == PoolKind::avg;
      // PoolRnd is one bit for the whole network (1-D averages ignore it).
      if (l.poolAvg && k.size() == 2) {
        auto how = [](bool r) { return r ? "rounds" : "truncates"; };
        if (!roundingFrom) {
          roundingFrom = "layer " + label + "'s";
          facts.avgPoolRounding = pool.getRounding();
        } else if (pool.getRounding() != facts.avgPoolRounding) {
          fail(Twine("its average pooling ") + how(pool.getRounding()) +
               ", but " + *roundingFrom + " " + how(facts.avgPoolRounding) +
               "; the hardware rounds all 2-D averages or none");
        }
      }
    }
    l.pooledH = floorDiv(l.inH - l.poolDH * (l.poolH - 1) - 1, l.poolSH) + 1;
    l.pooledW = floorDiv(l.inW - l.poolDW * (l.poolW - 1) - 1, l.poolSW) + 1;

    // Convolution geometry.
    switch (l.kind) {
    case LayerOpKind::conv1d:
      l.kh = at(op.getKernel(), 0, 1);
      l.padH = at(op.getPadding(), 0, 0);
      // A dilated kernel that still fits one kernel word is stretched with
      // zeros between its taps.
      if (int64_t d = at(op.getDilation(), 0, 1); d > 1) {
        if ((l.kh - 1) * d < 9) {
          l.stretch = d;
          l.kh = (l.kh - 1) * d + 1;
        } else {
          // Conv2d hardware: rows of d pixels, a 3x3 kernel whose centre
          // column holds the taps, padding 1.
          l.foldedTaps = l.kh;
          l.kind = LayerOpKind::conv2d;
          l.inW = d;
          l.inH = (l.inH + d - 1) / d;
          l.pooledH = l.inH; // no pooling with this emulation
          l.pooledW = l.inW;
          l.kh = l.kw = 3;
          l.padH = l.padW = 1;
          if (l.foldedTaps == 3)
            l.outIgnore = 4 * d * l.geom.outPasses;
          // The emulation writes outIgnore bytes before out_offset.
          if (l.outIgnore > int64_t(op.getOutOffset().value_or(0)))
            fail(Twine("a dilated Conv1d (dilation ") + Twine(d) +
                 ") runs as a 2-D convolution that writes " +
                 Twine(l.outIgnore) + " bytes before its output: out_offset " +
                 Twine(op.getOutOffset().value_or(0)) + " must be at least " +
                 Twine(l.outIgnore));
        }
      }
      break;
    case LayerOpKind::conv2d:
      l.kh = at(op.getKernel(), 0, 1);
      l.kw = at(op.getKernel(), 1, l.kh);
      l.padH = at(op.getPadding(), 0, 0);
      l.padW = at(op.getPadding(), 1, l.padH);
      break;
    case LayerOpKind::conv_transpose2d:
      l.kh = at(op.getKernel(), 0, 3);
      l.kw = at(op.getKernel(), 1, l.kh);
      // The hardware pads the zero-inserted input: PyTorch's padding
      // flipped around the kernel.
      l.padH = (l.kh - 1) - at(op.getPadding(), 0, 0);
      l.padW = (l.kw - 1) - at(op.getPadding(), 1, at(op.getPadding(), 0, 0));
      break;
    default:
      break;
    }
    // 1x1 kernels next to streaming run as the centre of a 3x3 kernel
    // where the device needs it.
    if ((l.kind == LayerOpKind::conv2d ||
         l.kind == LayerOpKind::conv_transpose2d) &&
        l.kh == 1 && l.kw == 1 &&
        dev.needs(target::Requirement::Emulate1x1Streaming) &&
        (op.getStreaming() || (index > 0 && facts.layers.back().streaming))) {
      l.center1x1 = true;
      l.kh = l.kw = 3;
      l.padH = l.padW = 1;
    }
    l.strideH = at(op.getStride(), 0, 1);
    if (l.kind == LayerOpKind::conv_transpose2d)
      l.strideH = at(op.getStride(), 0, 2);

    // Output.
    auto outType = cast<ShapedType>(op.getOutput().getType());
    l.outC = outType.getDimSize(0);
    std::tie(l.outH, l.outW) = spatial(outType);

    // Read-ahead fetches input while the output is written: the two must
    // start and end in different RAMs of the data memory.
    if (l.readAhead) {
      int64_t inEnd = int64_t(l.inOffset) +
                      4 * l.operands * l.geom.inPasses * l.inH * l.inW - 1;
      int64_t outEnd =
          int64_t(l.outOffset) + 4 * l.geom.outPasses * l.outH * l.outW - 1;
      if (dev.dataRamIndex(l.inOffset) == dev.dataRamIndex(l.outOffset) ||
          dev.dataRamIndex(inEnd) == dev.dataRamIndex(outEnd))
        fail(Twine("read-ahead needs input and output in different data "
                   "memory RAMs (") +
             Twine(dev.dataRamBytes()) + "-byte RAMs: input 0x" +
             Twine::utohexstr(l.inOffset) + "-0x" + Twine::utohexstr(inEnd) +
             ", output 0x" + Twine::utohexstr(l.outOffset) + "-0x" +
             Twine::utohexstr(outEnd) + ")");
    }

    // TRAM rows.
    if (!l.conv) {
      l.tramMax = 1;
    } else if (l.kind == LayerOpKind::conv_transpose2d) {
      int64_t outPad = at(op.getOutputPadding(), 1, 1);
      l.tramMax = std::max<int64_t>(0, (l.pooledW - 1) * l.strideH + 1 +
                                           outPad + 2 * l.padW - l.kw) +
                  1;
    } else {
      l.tramMax = std::max<int64_t>(0, l.pooledW + 2 * l.padW - l.kw) + 1;
    }

    // Kernel counts (what the kernel loader writes per processor).
    if (placement::hasKernels(op)) {
      const placement::LayerGeometry &g = l.geom;
      int64_t inExp = l.flatten ? 1 : g.inPasses;
      int startCol = ffs64(l.outProcs) % dev.processorsPerDataInstance();
      int64_t firstOut = ffs64(l.outProcs);
      if (g.outPasses > 1)
        firstOut -= startCol;
      // A depth-wise layer holds one kernel per input pass (its output
      // channel register counts time slots instead).
      int64_t kc = l.depthwise ? inExp
                               : (1 + fls64(l.outProcs) - firstOut) *
                                     g.outPasses * inExp;
      int64_t count = kc + startCol * (l.depthwise ? 1 : g.outPasses) * inExp;
      if (l.flatten) {
        int64_t unused =
            (int64_t(g.outPasses) * llvm::popcount(l.outProcs) - l.outC) *
            g.rowLength;
        kc = kc * g.rowLength - unused;
        count = count * g.rowLength - unused;
      }
      int64_t qf = 8 / l.bits;
      int64_t ksize = l.kh * l.kw;
      int64_t res = (kc % qf) * ksize * (qf - 1);
      l.kc = kc;
      l.kernCount = count;
      l.kernOchan = count;
      l.kernLen = (kc * ksize * l.bits + res + 71) / 72;

      // Weight de-duplication: a layer placed on an earlier layer's
      // columns with the same processors and weights reuses its kernels.
      for (HwLayer &prev : facts.layers) {
        if (!prev.kernelColumn || prev.kernelColumn != l.kernelColumn ||
            prev.procs != l.procs || prev.bits != l.bits ||
            prev.op.getWeights()->getType() != op.getWeights()->getType())
          continue;
        if (placement::readValues(prev.op.getWeights()) !=
            placement::readValues(op.getWeights()))
          continue;
        l.kernelSource = prev.kernelSource;
        l.kernCount = prev.kernCount;
        l.kernOchan = prev.kernOchan;
        l.kernLen = prev.kernLen;
        l.kc = prev.kc;
        break;
      }
    }

    facts.layers.push_back(std::move(l));
    ++index;
  }
  if (failedAny)
    return failure();
  if (facts.layers.empty()) {
    network.emitError("network '")
        << network.getSymName() << "' has no tornado.layer to lower";
    return failure();
  }

  // Execution order (block order) as hardware-layer links: each layer's
  // successor, and the final layer, which stops the sequence.
  std::optional<unsigned> previous;
  for (LayerOp op : network.getBody().front().getOps<LayerOp>()) {
    unsigned slot = llvm::find_if(facts.layers, [&](const HwLayer &l) {
                      return l.op == op;
                    })->index;
    if (previous)
      facts.layers[*previous].next = slot;
    previous = slot;
  }
  facts.finalLayer = *previous;

  // Hardware layer numbers. Where the device needs it, an average pool right
  // after an element-wise layer (in execution order) gets a reset layer
  // before it, which moves it and every later layer up by one.
  llvm::SmallVector<std::optional<unsigned>> runsBefore(facts.layers.size());
  for (const HwLayer &l : facts.layers)
    if (l.next)
      runsBefore[*l.next] = l.index;
  for (HwLayer &l : facts.layers) {
    std::optional<unsigned> prev = runsBefore[l.index];
    l.avgPoolReset =
        dev.needs(target::Requirement::PassthroughAvgPoolAfterEltwise) &&
        prev && facts.layers[*prev].operands > 1 && l.poolAvg;
    facts.insertedLayers += l.avgPoolReset;
    l.hwIndex = opts.startLayer + l.index + facts.insertedLayers;
  }
  if (opts.startLayer + facts.layers.size() + facts.insertedLayers >
      dev.maxLayers()) {
    network.emitError("network '")
        << network.getSymName() << "' needs "
        << facts.layers.size() + facts.insertedLayers
        << " hardware layers with its " << facts.insertedLayers
        << " average-pool reset layers (and --start-layer " << opts.startLayer
        << "); " << dev.name() << " has " << dev.maxLayers();
    return failure();
  }

  // Groups in use: every layer's input processors and the final layer's
  // output processors.
  uint64_t used = facts.layers[facts.finalLayer].outProcs;
  for (const HwLayer &l : facts.layers)
    used |= l.procs;
  for (unsigned g = 0; g < dev.numGroups(); ++g)
    if ((used >> (g * dev.processorsPerGroup())) & 0xffff)
      facts.groupsUsed.push_back(g);

  // Output layers: the layers whose results the network returns.
  auto ret = cast<ReturnOp>(network.getBody().front().getTerminator());
  for (Value v : ret.getOutputs()) {
    auto layer = stripReshapes(v).getDefiningOp<LayerOp>();
    if (!layer) {
      network.emitError("network '")
          << network.getSymName()
          << "': every result must come from a tornado.layer";
      return failure();
    }
    for (const HwLayer &l : facts.layers)
      if (l.op == layer && !llvm::is_contained(facts.outputLayers, l.index))
        facts.outputLayers.push_back(l.index);
  }
  llvm::sort(facts.outputLayers);

  for (HwLayer &l : facts.layers)
    l.stream = streamSettings(l, facts, opts);
  if (failed(checkStreamBuffers(facts, opts)))
    return failure();
  return facts;
}

LogicalResult lower::buildProgram(hw::ProgramOp program,
                                  const NetworkFacts &facts,
                                  const LowerOptions &opts) {
  MLIRContext *ctx = program.getContext();
  Builder b(ctx);
  if (!opts.mexpress)
    program.setKernelFormat(hw::KernelFormat::plain);
  if (opts.oldKernelLoader)
    program.setKernelLoader(hw::KernelLoader::per_processor);
  if (opts.fastFifo)
    program.setInputLoader(hw::InputLoader::fast_fifo);
  else if (opts.fifo)
    program.setInputLoader(hw::InputLoader::fifo);
  // The fixed pattern is always copied in blocks (the izer ignores
  // --no-compact-data for it).
  else if (!opts.compactData && !opts.fixedInput)
    program.setInputLoader(hw::InputLoader::inline_stores);
  if (opts.timer >= 0)
    program.setTimerAttr(b.getI32IntegerAttr(opts.timer));
  if (opts.softmax)
    program.setSoftmax(true);
  if (opts.energy)
    program.setEnergy(true);
  program.setKat(opts.kat);
  // The softmax needs the unloaded outputs: the izer keeps cnn_unload.
  program.setUnload(opts.unload || opts.softmax);
  if (opts.riscv)
    program.setRiscv(true);
  program.setCheckInit(opts.zeroSram);
  program.setCheckConfigure(opts.verifyWrites);
  program.setVerifyKernels(opts.verifyKernels);
  // One layer per start: main() continues up to the final layer (the
  // izer counts YAML layers from the start layer's hardware number).
  if (opts.oneShot)
    program.setOneShotContinuesAttr(b.getI64IntegerAttr(
        facts.layers[facts.finalLayer].index + opts.startLayer));
  int64_t outputs = 0;
  for (unsigned i : facts.outputLayers) {
    const HwLayer &l = facts.layers[i];
    outputs += l.outC * l.outH * l.outW;
  }
  program.setNumOutputs(outputs);
  if (!facts.outputLayers.empty())
    program.setOutputWidth(facts.layers[facts.outputLayers.back()].outputWidth);
  // Outputs of a layer with narrow weights carry fewer fraction bits.
  if (opts.softmax && !facts.layers.empty())
    program.setSoftmaxShift(8 - facts.layers[facts.finalLayer].bits);

  if (failed(buildRegisterFunctions(program, facts, opts)) ||
      failed(buildImages(program, facts, opts)))
    return failure();
  // The izer's cnn_verify_weights() decodes express addresses with too few
  // column bits (and always as express records): say where its program
  // reads other kernel words than it loaded.
  if (opts.verifyKernels) {
    // The izer keeps only the lowest quarter of the express column bits,
    // so it finds columns below (mask + 1) / 16 only.
    unsigned firstWrong =
        (program.getTarget().kernelExpressColumnMask() + 1) / 16;
    bool wrong = !opts.mexpress;
    program.walk([&](hw::KernelsOp k) {
      wrong |= k.getColumn() >= firstWrong;
    });
    if (wrong)
      program.emitWarning()
          << "--verify-kernels: the izer's cnn_verify_weights() reads other "
             "kernel words than it loaded ("
          << (opts.mexpress ? "kernels from column " +
                                  std::to_string(firstWrong) + " on"
                            : "records without express packing")
          << "); tornadoc's reads the loaded ones";
  }
  return success();
}
