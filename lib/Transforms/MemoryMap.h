//===- MemoryMap.h - Data-memory footprints and live ranges -----*- C++ -*-===//
//
// Shared by tornado-assign-processors, tornado-assign-offsets and
// tornado-check-hazards: which words of which data-memory instance a feature
// map occupies (docs/known-answer.md gives the layout), from which layer to
// which layer it must survive, and how to print both in diagnostics.
//
// A feature map is written once (by its producing layer or the input
// loader) and read by its users; it is live from the write until the last
// read, and the final outputs stay live to the end. Two feature maps may
// share words only if their live ranges are disjoint. Layers in the
// streaming prefix run concurrently, so everything they touch is live
// during the whole prefix. docs/passes.md explains the model.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_TRANSFORMS_MEMORYMAP_H
#define TORNADO_LIB_TRANSFORMS_MEMORYMAP_H

#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Target/Device.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>
#include <string>

namespace tornado {
namespace memmap {

/// Words `base + k * period + j` (k < count, j < width) in byte lanes `lanes`
/// (bit i = lane i) of data-memory instance `instance` (0..15 over the chip;
/// processor p's instance is p / 4).
struct MemBlock {
  unsigned instance = 0;
  unsigned lanes = 0;
  int64_t base = 0;
  int64_t count = 1;
  int64_t period = 1;
  int64_t width = 1;

  /// One past the last word.
  int64_t endWord() const { return base + (count - 1) * period + width; }
};

/// Whether two blocks share a word in a common lane (exact, also for
/// strided blocks).
bool overlaps(const MemBlock &a, const MemBlock &b);

/// The blocks a feature map occupies.
struct Footprint {
  llvm::SmallVector<MemBlock, 4> blocks;
  bool empty() const { return blocks.empty(); }
};

/// Finds a pair of overlapping blocks; returns their indices.
std::optional<std::pair<unsigned, unsigned>> overlaps(const Footprint &a,
                                                      const Footprint &b);


/// How a feature map is laid out in memory.
struct Layout {
  uint64_t procs = 0;     // processors holding the data (one lane each)
  int64_t offset = 0;     // byte offset inside each instance
  int64_t pixels = 1;     // pixels per channel
  unsigned passes = 1;    // channel groups stored one after the other
  int64_t gap = 0;        // write_gap: words skipped after each pass word
  unsigned wordsPerPass = 1; // 1 for 8-bit, 4 for 32-bit data
  int64_t operands = 1;   // input loader: element-wise operands interleaved
  bool chw = false;       // input loader, CHW: 4 pixels of one channel/word
};

/// The blocks of a feature map with layout `l`.
Footprint footprint(const Layout &l);

/// Pixels a streaming layer's input ring buffer holds: the izer's MAX78000
/// rollover formula (also used as the estimate on MAX78002), at most the
/// whole map.
int64_t streamRingPixels(LayerOp consumer, llvm::ArrayRef<int64_t> inShape);

/// The SSA value a layer reads through reshapes (reshapes move nothing).
mlir::Value sourceOf(mlir::Value v);

/// One feature map in data memory.
struct Tensor {
  mlir::Value value;         // a layer result or the network argument
  mutable LayerOp producer;  // null for the input loader's data
  int def = -1;              // layer index of the write (-1: input loader)
  int lastUse = -1;          // layer index of the last read
  mutable LayerOp lastReader; // null if only the network returns it
  bool isOutput = false;     // returned by the network
  bool ring = false;         // a streaming ring buffer
  /// Where the data would be (offset 0 if not yet placed); nullopt while
  /// the processors are unknown or the data comes through the FIFOs.
  std::optional<Layout> layout;
  bool placed = false;       // the offset is known
  Footprint fp;              // empty unless placed
  std::string label() const;
};

/// Layers of a network in order and the uses of every feature map.
struct NetworkInfo {
  mutable NetworkOp net;
  const target::Device *dev = nullptr;
  llvm::SmallVector<LayerOp> layers;
  llvm::DenseMap<mlir::Operation *, unsigned> index;
  /// Layers reading each value (through reshapes), in layer order.
  llvm::DenseMap<mlir::Value, llvm::SmallVector<LayerOp, 2>> users;
  llvm::DenseMap<mlir::Value, bool> returned;
  /// Index of the last layer of the streaming prefix, -1 if none.
  int lastStreaming = -1;

  /// Collects the layers; reports graph ops that are not layers.
  static mlir::FailureOr<NetworkInfo> build(NetworkOp net);
  /// Every value that holds data: the arguments then each layer's result.
  llvm::SmallVector<mlir::Value> values() const;
  /// Definition index (-1 for arguments).
  int defOf(mlir::Value v) const;
};

/// Channels per operand and passes of a layer's input (the layout its
/// processors read).
struct InputShape {
  int64_t channels = 0; // per operand
  int64_t operands = 1;
  int64_t pixels = 1;
  unsigned passes = 1;
  unsigned perPass = 0;
};
InputShape inputShapeOf(LayerOp layer);

/// Whether a layer reads its inputs interleaved word by word on the same
/// processors (element-wise operands, concatenations over 64 channels):
/// input k then sits 4k bytes after the first, written with write_gap
/// n - 1.
bool interleavesInputs(LayerOp layer);

/// Layout of a layer's output from its resource attributes; nullopt if
/// output_processors is missing. A missing out_offset reads as 0.
std::optional<Layout> outputLayout(LayerOp layer);

/// Layout of the input loader's data for network argument `arg` read by
/// `consumer`; nullopt if its processors are missing or the data arrives
/// through the FIFOs (streaming first layer). A missing in_offset reads as 0.
std::optional<Layout> inputLoaderLayout(NetworkOp net, mlir::Value arg,
                                        LayerOp consumer);

/// All feature maps with their live ranges and footprints. Values whose
/// layout is unknown get an empty footprint.
llvm::SmallVector<Tensor, 0> buildTensors(const NetworkInfo &info);

/// Live ranges [def, lastUse] intersect.
bool liveTogether(const Tensor &a, const Tensor &b);

/// "instance 5 (processors 20-23), bytes 0x0100-0x01ff" (plus the stride
/// for strided blocks).
std::string describe(const MemBlock &b);
/// "layers 2..5" style live range.
std::string describeRange(const Tensor &t, unsigned numLayers);

/// Attaches one note per instance touched by `instances` listing every
/// tensor in `tensors` that is live at `when` there (the memory map).
void attachMemoryMap(mlir::InFlightDiagnostic &diag, mlir::Location loc,
                     llvm::ArrayRef<Tensor> tensors, uint64_t instances,
                     int when, unsigned numLayers);

/// `value` in hex with at least `digits` digits (no prefix).
std::string hex(uint64_t value, unsigned digits);

/// "'name'" for diagnostics.
inline std::string quote(LayerOp layer) {
  return ("'" + layer.getName() + "'").str();
}

} // namespace memmap
} // namespace tornado

#endif // TORNADO_LIB_TRANSFORMS_MEMORYMAP_H
