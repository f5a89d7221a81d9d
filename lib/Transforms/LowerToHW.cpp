//===- LowerToHW.cpp - Placed network -> register-level program -----------===//
//
// Turns a placed `tornado.network` into a `tornado_hw.program`: the register
// stores of every generated function, the kernel, bias and input images, the
// known answer and the unload map, with the values the izer programs for the
// same network. docs/lowering.md describes every rule; the register
// computations live in LowerToHWRegisters.cpp, the memory images in
// LowerToHWImages.cpp, both driven by the facts LowerToHW.h collects.
//
//===----------------------------------------------------------------------===//

#include "LowerToHW.h"

#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace tornado {
#define GEN_PASS_DEF_LOWERTOHW
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;
using namespace tornado::lower;

namespace {

struct LowerToHWPass : public tornado::impl::LowerToHWBase<LowerToHWPass> {
  using LowerToHWBase::LowerToHWBase;
  LowerToHWPass(const LowerToHWOptions &options, NetworkResults results)
      : LowerToHWBase(options), results(std::move(results)) {}
  void runOnOperation() override;

  NetworkResults results;
};

} // namespace

void LowerToHWPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<NetworkOp> networks(module.getOps<NetworkOp>());
  if (networks.empty()) {
    module.emitError("tornado-lower-to-hw: the module holds no tornado.network");
    return signalPassFailure();
  }
  if (networks.size() > 1 && !prefix.empty()) {
    module.emitError("tornado-lower-to-hw: 'prefix' names one program but the "
                     "module holds ")
        << networks.size() << " networks";
    return signalPassFailure();
  }

  LowerOptions opts;
  opts.fifo = fifo || fastFifo;
  opts.fastFifo = fastFifo;
  opts.compactData = compactData;
  opts.mexpress = mexpress;
  opts.oldKernelLoader = oldKernelLoader;
  opts.timer = timer;
  opts.softmax = softmax;
  opts.kat = kat;
  opts.unload = unload;
  opts.riscv = riscv;
  opts.pipeline = pipeline;
  opts.maxCheckLines = maxCheckLines;
  opts.writeZeroRegisters = writeZeroRegisters;
  opts.zeroSram = zeroSram;
  opts.energy = energy;
  opts.startLayer = startLayer;
  opts.powerdown = powerdown;
  opts.fifoGo = fifoGo;
  opts.linkLayer = linkLayer;
  opts.increaseStart = increaseStart;
  opts.increaseDelta1 = increaseDelta1;
  opts.increaseDelta2 = increaseDelta2;
  opts.overlapData = overlapData;
  auto given = [](int64_t v) {
    return v >= 0 ? std::optional<int64_t>(v) : std::nullopt;
  };
  opts.overrideStart = given(overrideStart);
  opts.overrideDelta1 = given(overrideDelta1);
  opts.overrideDelta2 = given(overrideDelta2);
  opts.overrideRollover = given(overrideRollover);
  opts.allowStreaming = allowStreaming;
  opts.oneShot = oneShot;
  opts.verifyWrites = verifyWrites;
  // With the record loader, reading back the configuration includes the
  // kernels (as in the izer).
  opts.verifyKernels = verifyKernels || (verifyWrites && !oldKernelLoader);
  opts.fixedInput = fixedInput;
  opts.synthesizeInput = synthesizeInput;
  opts.synthesizeWords = synthesizeWords;
  opts.mlator = mlator;
  opts.knownResults = &results;
  if (opts.timer < -1) {
    module.emitError("tornado-lower-to-hw: timer must be -1 (none) or a "
                     "timer number, got ")
        << opts.timer;
    return signalPassFailure();
  }
  if (opts.maxCheckLines < 0) {
    module.emitError("tornado-lower-to-hw: max-checklines must not be "
                     "negative");
    return signalPassFailure();
  }

  for (NetworkOp network : networks) {
    const target::Device &dev = network.getTarget();
    if (opts.startLayer > dev.maxStartLayer()) {
      network.emitError("tornado-lower-to-hw: start-layer ")
          << opts.startLayer << " exceeds the " << dev.name()
          << " maximum of " << dev.maxStartLayer();
      return signalPassFailure();
    }
    if (opts.fifoGo && !dev.hasFeature(target::Feature::FifoGo)) {
      network.emitError("tornado-lower-to-hw: fifo-go is not supported by ")
          << dev.name();
      return signalPassFailure();
    }
    if (opts.linkLayer && !dev.hasFeature(target::Feature::LinkLayers)) {
      network.emitError("tornado-lower-to-hw: link-layer is not supported "
                        "by ")
          << dev.name();
      return signalPassFailure();
    }
    if (opts.verifyKernels && opts.oldKernelLoader) {
      network.emitError("tornado-lower-to-hw: verify-kernels reads the "
                        "kernel records of the new loader; it cannot be used "
                        "with old-kernel-loader");
      return signalPassFailure();
    }
    if (opts.oneShot && !dev.hasFeature(target::Feature::OneShot)) {
      network.emitError("tornado-lower-to-hw: one-shot is not supported by ")
          << dev.name();
      return signalPassFailure();
    }
    if (opts.oneShot && opts.timer >= 0) {
      network.emitError("tornado-lower-to-hw: one-shot cannot be timed (the "
                        "timer would stop after the first layer)");
      return signalPassFailure();
    }
    if (opts.fixedInput && opts.fifo) {
      network.emitError("tornado-lower-to-hw: fixed-input needs the memory "
                        "input loader (no fifo)");
      return signalPassFailure();
    }
    if (opts.synthesizeWords &&
        (!opts.fifo || network.getInputFormat() != DataFormat::hwc)) {
      network.emitError("tornado-lower-to-hw: synthesize-input needs HWC "
                        "input through the FIFOs");
      return signalPassFailure();
    }
    FailureOr<NetworkFacts> facts = collectFacts(network, opts);
    if (failed(facts))
      return signalPassFailure();
    // A streaming first layer consumes its input as it arrives: only the
    // FIFOs deliver it that way.
    if (!opts.fifo && !opts.allowStreaming && !facts->layers.empty() &&
        facts->layers.front().streaming) {
      facts->layers.front().op.emitError("layer ")
          << placement::layerLabel(facts->layers.front().op)
          << ": a streaming first layer needs its input through the FIFOs "
             "(--fifo or --fast-fifo)";
      return signalPassFailure();
    }
    // The izer's link-layer mode links each layer to the next hardware
    // layer whatever the execution order: only sound in order.
    if (opts.linkLayer)
      for (const HwLayer &l : facts->layers)
        if (l.next && *l.next != l.index + 1) {
          // The izer links layer i to i + 1 regardless, so its program runs
          // the layers in another order than its known answer assumes.
          l.op.emitError("layer ")
              << placement::layerLabel(l.op)
              << ": --link-layer links every layer to the next hardware "
              << "layer, but this one continues with "
              << placement::layerLabel(facts->layers[*l.next].op)
              << " (next_sequence); the izer's program for this would run "
              << "the layers out of order. Drop --link-layer or the jump";
          return signalPassFailure();
        }
    OpBuilder builder(network);
    std::string name = prefix.empty() ? network.getSymName().str() : prefix;
    auto program = builder.create<hw::ProgramOp>(
        network.getLoc(), name, network.getTarget().name());
    if (failed(buildProgram(program, *facts, opts)))
      return signalPassFailure();
    network.erase();
  }
}

std::unique_ptr<Pass> tornado::createLowerToHW(const LowerToHWOptions &options,
                                               NetworkResults results) {
  return std::make_unique<LowerToHWPass>(options, std::move(results));
}
