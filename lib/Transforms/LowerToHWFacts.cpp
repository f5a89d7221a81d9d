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
    if (l.calcx4 && placement::hasKernels(op) &&
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
  else if (!opts.compactData)
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
  int64_t outputs = 0;
  for (unsigned i : facts.outputLayers) {
    const HwLayer &l = facts.layers[i];
    outputs += l.outC * l.outH * l.outW;
  }
  program.setNumOutputs(outputs);

  if (failed(buildRegisterFunctions(program, facts, opts)))
    return failure();
  return buildImages(program, facts, opts);
}
