//===- LowerToHW.h - Facts the lowering to tornado_hw uses -----*- C++ -*-===//
//
// The lowering first collects, per hardware layer, every quantity the
// register and image rules need (the izer's per-layer lists: input and
// pooled dimensions, passes, kernel counts, TRAM size, ...), then writes the
// program from them. docs/lowering.md explains each quantity.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_TRANSFORMS_LOWERTOHW_H
#define TORNADO_LIB_TRANSFORMS_LOWERTOHW_H

#include "PlacementModel.h"

#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Target/Device.h"
#include "tornado/Transforms/Passes.h"

#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>
#include <vector>

namespace tornado {
namespace lower {

/// Pass options (the izer's command-line flags).
struct LowerOptions {
  bool fifo = false; // FIFO input (also set by fastFifo)
  bool fastFifo = false;
  bool compactData = true;
  bool mexpress = true;
  bool oldKernelLoader = false;
  int timer = -1;
  bool softmax = false;
  bool kat = true;
  bool unload = true;
  bool riscv = false;
  bool pipeline = true;
  int maxCheckLines = 0;
  bool writeZeroRegisters = false;
  bool zeroSram = false;
  bool energy = false;
  unsigned startLayer = 0;
  bool powerdown = false;
  bool fifoGo = false;
  int increaseStart = 2;
  int increaseDelta1 = 0, increaseDelta2 = 0;
  /// --override-*: the first layer's stream settings as given.
  std::optional<int64_t> overrideStart, overrideDelta1, overrideDelta2,
      overrideRollover;
  bool overlapData = false; // streaming buffers may overlap
  bool allowStreaming = false; // streaming first layer without the FIFOs
  bool oneShot = false;        // one layer per start
  bool verifyWrites = false;   // read back configuration stores
  bool verifyKernels = false;  // cnn_verify_weights()
  bool fixedInput = false;
  int64_t synthesizeInput = 0;
  unsigned synthesizeWords = 0;
  bool mlator = false;
  /// Link every layer to its successor (the izer's --link-layer).
  bool linkLayer = false;
  /// Interpreter results handed over by the driver (may be null).
  const NetworkResults *knownResults = nullptr;
};

/// One hardware layer as the register rules see it.
/// When a streaming layer (or a first layer reading the FIFOs) may start
/// and how it advances through its circular input buffer.
struct StreamSettings {
  int64_t start = 0, delta1 = 0, delta2 = 0;
  /// Input passes of the layers before (the input-volume counter).
  int64_t invol = 0;
  /// Words of the circular input buffer (written with --fifo only).
  std::optional<int64_t> rollover;
};

struct HwLayer {
  mutable LayerOp op;
  unsigned index = 0;
  /// Hardware layer number: index, plus --start-layer, plus the average-pool
  /// reset layers inserted before this layer (this one's included).
  unsigned hwIndex = 0;
  /// An average-pool reset layer runs just before this one (hwIndex - 1).
  bool avgPoolReset = false;
  placement::LayerGeometry geom;
  LayerOpKind kind = LayerOpKind::none;
  bool conv = false; // kind != none
  // Input dimensions as the hardware reads them (1D: [L, 1]).
  int64_t inH = 1, inW = 1;
  // Pooling window, stride, dilation; pooled dimensions.
  int64_t poolH = 1, poolW = 1, poolSH = 1, poolSW = 1, poolDH = 1, poolDW = 1;
  bool poolAvg = false;
  int64_t pooledH = 1, pooledW = 1;
  // Convolution.
  int64_t kh = 1, kw = 1; // kernel as the hardware runs it (linear: 1x1)
  int64_t padH = 0, padW = 0;
  int64_t strideH = 1;
  /// Conv1d dilation run by stretching the kernel with zeros (1: none).
  int64_t stretch = 1;
  /// A 1x1 kernel run as the centre of a 3x3 kernel (streaming on devices
  /// without 1x1 streaming).
  bool center1x1 = false;
  /// Taps of a dilated Conv1d run on Conv2d hardware (0: not emulated):
  /// the input is folded into rows of `dilation` pixels and the kernel
  /// becomes the centre column of a 3x3 kernel.
  int64_t foldedTaps = 0;
  /// Bytes the write pointer starts before out_offset (the folded layer's
  /// first output row is padding).
  int64_t outIgnore = 0;
  /// Depth-wise convolution (groups == channels, one kernel per channel);
  /// `broadcast` when it writes its output to its input processors.
  bool depthwise = false, broadcast = false;
  /// Four output channels computed at once from four kernel-memory
  /// instances (MAX78002 calcx4).
  bool calcx4 = false;
  /// Read-ahead (MAX78002): the next input is fetched while computing;
  /// with `tcalc` the pass counter runs in fours.
  bool readAhead = false, tcalc = false;
  /// Input passes as the streaming input-volume counter sees them (tcalc
  /// rounds up to a multiple of four).
  int64_t involPasses = 1;
  // Output.
  int64_t outC = 0, outH = 1, outW = 1;
  unsigned outputWidth = 8;
  int64_t outputShift = 0;
  int bits = 8; // |weight_bits| (binary: 1)
  int weightBits = 8;
  Activation activation = Activation::none;
  bool flatten = false;
  bool streaming = false;
  // Element-wise.
  unsigned operands = 1;
  std::optional<EltwiseKind> eltwise;
  bool poolFirst = true;
  // Resources.
  uint64_t procs = 0, outProcs = 0;
  uint32_t inOffset = 0, outOffset = 0;
  unsigned readGap = 0, writeGap = 0;
  std::optional<unsigned> kernelColumn;
  std::optional<unsigned> biasGroup;
  unsigned biasOffset = 0;
  /// Depth-wise layers: the first bias entry in every group (-1: none).
  llvm::SmallVector<int64_t, 4> biasOffsets;
  bool bigData = false; // CHW input loaded by the input loader
  bool readsInput = false;
  /// Multi-pass element-wise operation run as one long pass (devices
  /// that cannot chain more than 2 passes of operands).
  bool emulateEltwise = false;
  // Derived.
  int64_t tramMax = 1;
  int64_t kernCount = 0, kernOchan = 0, kernLen = 0, kc = 0;
  /// Layer whose kernels this layer reuses (weight de-duplication), or
  /// itself.
  unsigned kernelSource = 0;
  /// Layer that runs next (execution order); none for the final layer.
  std::optional<unsigned> next;
  /// Stream registers and the rollover (computed once by collectFacts).
  StreamSettings stream;
};

struct NetworkFacts {
  NetworkOp network;
  const target::Device *dev = nullptr;
  std::vector<HwLayer> layers;
  /// Groups with a processor or output processor of any layer.
  llvm::SmallVector<unsigned, 4> groupsUsed;
  /// Layers whose results the network returns, in layer order.
  llvm::SmallVector<unsigned> outputLayers;
  /// Index of the layer reading the network input.
  unsigned startLayer = 0;
  /// Index of the layer that runs last (its output is the network's).
  unsigned finalLayer = 0;
  /// Average-pool reset layers inserted in the whole network.
  unsigned insertedLayers = 0;
  bool anyBias = false;
  bool anyStreaming = false;
  /// PoolRnd: the `rounding` of the 2-D average pools (one switch for all).
  bool avgPoolRounding = false;
};

/// Collects the facts of `network`; errors (naming the layer) when a
/// resource attribute is missing or a feature is not lowered yet.
mlir::FailureOr<NetworkFacts> collectFacts(NetworkOp network,
                                           const LowerOptions &opts);

/// Fills `program` (attributes, functions, images).
mlir::LogicalResult buildProgram(hw::ProgramOp program,
                                 const NetworkFacts &facts,
                                 const LowerOptions &opts);

/// Register functions (LowerToHWRegisters.cpp).
mlir::LogicalResult buildRegisterFunctions(hw::ProgramOp program,
                                           const NetworkFacts &facts,
                                           const LowerOptions &opts);

/// Kernel, bias, input, expected-output and unload images
/// (LowerToHWImages.cpp).
mlir::LogicalResult buildImages(hw::ProgramOp program,
                                const NetworkFacts &facts,
                                const LowerOptions &opts);

/// Lowest / highest set bit, -1 for an empty mask (the izer's ffs/fls).
inline int ffs64(uint64_t m) { return m ? llvm::countr_zero(m) : -1; }
inline int fls64(uint64_t m) { return m ? 63 - llvm::countl_zero(m) : -1; }
/// Python's floor division.
inline int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

} // namespace lower
} // namespace tornado

#endif // TORNADO_LIB_TRANSFORMS_LOWERTOHW_H
