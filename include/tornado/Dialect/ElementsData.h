//===- ElementsData.h - Stored bytes of elements attributes -----*- C++ -*-===//
//
// Both dialects hold weights, biases and memory images in dense or
// dense-resource elements attributes. These helpers read the bytes those
// attributes store, without building an APInt per element.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_DIALECT_ELEMENTSDATA_H
#define TORNADO_DIALECT_ELEMENTSDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <optional>

namespace tornado {

/// The bytes behind a dense (not splat) or dense-resource elements
/// attribute: one element after another in host (little-endian) order.
/// std::nullopt for a splat, a resource blob that was never loaded or any
/// other attribute.
inline std::optional<llvm::ArrayRef<char>>
getRawElementData(mlir::ElementsAttr attr) {
  if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto res = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(attr))
    if (mlir::AsmResourceBlob *blob = res.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

/// Element `index` of `raw` holding little-endian integers of `bytes` bytes
/// each, zero-extended.
inline uint64_t getRawElement(llvm::ArrayRef<char> raw, unsigned bytes,
                              int64_t index) {
  uint64_t v = 0;
  for (unsigned b = 0; b < bytes; ++b)
    v |= uint64_t(uint8_t(raw[index * bytes + b])) << (8 * b);
  return v;
}

} // namespace tornado

#endif // TORNADO_DIALECT_ELEMENTSDATA_H
