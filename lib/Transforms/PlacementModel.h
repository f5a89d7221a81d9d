//===- PlacementModel.h - Layer facts for kernel and bias placement -*- C++ -*-===//
//
// The kernel and bias placement passes see a layer the way the izer's
// allocators do: processor masks, passes over the processors, the bytes of
// one kernel as the hardware stores it, and the layout of the weight matrix
// the kernel loader walks. docs/placement.md explains each quantity.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_TRANSFORMS_PLACEMENTMODEL_H
#define TORNADO_LIB_TRANSFORMS_PLACEMENTMODEL_H

#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Target/Device.h"

#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <limits>
#include <string>

namespace tornado {
namespace placement {

/// One layer's kernel/bias-relevant facts.
struct LayerGeometry {
  unsigned index = 0; // position among the network's layers
  uint64_t inputProcs = 0;
  uint64_t outputProcs = 0;
  unsigned bits = 8;           // |weight_bits|
  bool binary = false;         // weight_bits == -1
  unsigned perByte = 1;        // kernels packed into one byte (8 / bits)
  unsigned kernelBytes = 1;    // bytes of one (unpacked) kernel in hardware
  int64_t inChannels = 0;      // as the hardware sees them (per operand)
  int64_t outChannels = 0;
  int64_t groups = 1;
  unsigned inPasses = 1;       // input expansion
  unsigned inPerPass = 0;      // input channels per pass
  unsigned outPasses = 1;      // output expansion
  unsigned outPerPass = 0;     // output channels per pass
  bool flatten = false;
  bool depthwise = false;
  bool calcx4 = false;
  bool streaming = false;
  /// Rows of the weight matrix the loader walks and the elements of one row
  /// (a kernel, or for flatten layers the pixels one processor holds).
  int64_t kernelRows = 0;
  int64_t rowLength = 0;
};

/// Whether the layer has kernels the accelerator must load.
bool hasKernels(LayerOp layer);

/// Computes the geometry; emits an error on `layer` and fails when a
/// required resource attribute (processors, output_processors) is missing.
mlir::FailureOr<LayerGeometry> getLayerGeometry(LayerOp layer, unsigned index,
                                                const target::Device &dev);

/// Kernel-memory words the allocator reserves for the layer on each input
/// processor (the izer's kern_len), from its geometry.
int64_t kernelSearchLength(const LayerGeometry &g, const target::Device &dev);

/// Lowest/highest set bit (the mask must not be 0).
inline unsigned lowestBit(uint64_t mask) { return llvm::countr_zero(mask); }
inline unsigned highestBit(uint64_t mask) { return 63 - llvm::countl_zero(mask); }

/// A bias entry that belongs to no channel (an unused processor's slot).
constexpr int64_t kBiasHole = std::numeric_limits<int64_t>::min();

/// A depth-wise layer's bias entries. Every group in the span of its input
/// processors holds its own part, one entry per processor and output pass
/// in the order the hardware reads them (broadcast mode reads the four
/// processors of a data-memory instance in turn).
struct DepthwiseBias {
  /// Input map == output map: all groups read in parallel, so each group's
  /// part starts on a 4-entry boundary.
  bool broadcast = false;
  /// Entries per group (kBiasHole for unused processors); empty for groups
  /// outside the span.
  llvm::SmallVector<llvm::SmallVector<int64_t>> entries;
  /// Entries each group keeps: the izer gives back the trailing holes of
  /// the last group it wrote.
  llvm::SmallVector<size_t> kept;
  /// The last group written, whose trailing holes are given back.
  unsigned lastGroup = 0;
};
DepthwiseBias depthwiseBias(const LayerGeometry &g,
                            llvm::ArrayRef<int64_t> bias,
                            const target::Device &dev);

/// "0-3, 8, 12-15": compact list of the set bits of `mask`.
std::string formatBitRanges(uint64_t mask);
/// Same for a sorted list of values.
std::string formatRanges(llvm::ArrayRef<unsigned> values);

/// The layer's integer data (weights or bias), or an empty vector.
llvm::SmallVector<int64_t> readValues(std::optional<mlir::ElementsAttr> attr);

/// The network's layers in hardware-layer order: by `hw_layer` when the
/// layers carry one (link layers), else in block (execution) order. Kernel
/// and bias placement and the register program follow this order.
llvm::SmallVector<LayerOp> layersInHwOrder(NetworkOp network);

/// Name of a layer for diagnostics.
inline std::string layerLabel(LayerOp layer) {
  return ("'" + layer.getName() + "'").str();
}

} // namespace placement
} // namespace tornado

#endif // TORNADO_LIB_TRANSFORMS_PLACEMENTMODEL_H
