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
#include <cstring>
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

/// Decodes all of `raw` (little-endian integers of `bytes` bytes each, 1, 2,
/// 4 or 8) into `out`, sign-extending when `isSigned`. One typed loop per
/// width: these arrays hold every weight of a network.
template <typename T>
void decodeRawElements(llvm::ArrayRef<char> raw, unsigned bytes,
                       bool isSigned, T *out) {
  auto decode = [&](auto signedTag, auto unsignedTag) {
    using S = decltype(signedTag);
    using U = decltype(unsignedTag);
    size_t n = raw.size() / sizeof(U);
    const char *p = raw.data();
    for (size_t i = 0; i < n; ++i) {
      U u;
      std::memcpy(&u, p + i * sizeof(U), sizeof(U));
      out[i] = isSigned ? T(S(u)) : T(u);
    }
  };
  switch (bytes) {
  case 1:
    return decode(int8_t(), uint8_t());
  case 2:
    return decode(int16_t(), uint16_t());
  case 4:
    return decode(int32_t(), uint32_t());
  default:
    return decode(int64_t(), uint64_t());
  }
}

} // namespace tornado

#endif // TORNADO_DIALECT_ELEMENTSDATA_H
