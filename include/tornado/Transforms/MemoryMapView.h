//===- MemoryMapView.h - A picture of a placed network's memories -*- C++ -*-===//
//
// Draws where a placed network keeps its feature maps (data memory: one
// column per memory instance, one lane per processor, offsets downwards) and
// its kernels (kernel memory: one column per processor), as SVG.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_TRANSFORMS_MEMORYMAPVIEW_H
#define TORNADO_TRANSFORMS_MEMORYMAPVIEW_H

#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "llvm/Support/raw_ostream.h"

namespace tornado {

/// Writes the SVG picture of `net`'s data and kernel memory. Maps whose
/// processors or offsets are not known yet are left out (and listed).
mlir::LogicalResult writeMemoryMapSvg(NetworkOp net, llvm::raw_ostream &os);

} // namespace tornado

#endif // TORNADO_TRANSFORMS_MEMORYMAPVIEW_H
