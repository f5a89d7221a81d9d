//===- HostTensor.h - Dense tensor data held on the host --------*- C++ -*-===//
//
// The in-memory form of every array Tornado reads from outside: checkpoint
// tensors, .npy sample data, weights and biases. Data is always contiguous,
// C (row-major) order and little-endian, whatever the file used.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_SUPPORT_HOSTTENSOR_H
#define TORNADO_SUPPORT_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MathExtras.h"
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

namespace tornado {

/// Element types found in PyTorch checkpoints and .npy files.
enum class DType : uint8_t {
  Bool,
  Int8,
  UInt8,
  Int16,
  UInt16,
  Int32,
  UInt32,
  Int64,
  UInt64,
  Float16,
  BFloat16,
  Float32,
  Float64,
};

/// Size of one element in bytes.
unsigned getDTypeSize(DType type);
/// Lower-case name as numpy/torch spell it ("float32", "int8", "bool", ...).
llvm::StringRef getDTypeName(DType type);
/// Parses a name produced by getDTypeName.
std::optional<DType> parseDTypeName(llvm::StringRef name);
bool isFloatingPoint(DType type);

/// Number of elements of \p shape, or std::nullopt when a dimension is
/// negative or the product overflows int64_t.
std::optional<int64_t> getElementCount(llvm::ArrayRef<int64_t> shape);

/// A dense, contiguous, little-endian, row-major array.
class HostTensor {
public:
  /// An empty 1-D float32 tensor of shape [0].
  HostTensor();

  /// Wraps \p data (already little-endian, row-major). Fails when the shape
  /// is invalid or does not match the number of bytes.
  static llvm::Expected<HostTensor>
  create(DType type, llvm::ArrayRef<int64_t> shape, std::vector<uint8_t> data);

  /// Builds a tensor from host values; T selects the dtype (bool, the
  /// fixed-width integers, float, double). The shape must match the count.
  template <typename T>
  static HostTensor fromValues(llvm::ArrayRef<int64_t> shape,
                               llvm::ArrayRef<T> values);

  DType getDType() const { return Type; }
  llvm::ArrayRef<int64_t> getShape() const { return Shape; }
  unsigned getRank() const { return Shape.size(); }
  int64_t getNumElements() const { return NumElements; }
  /// Contiguous little-endian bytes, getNumElements() * element size long.
  llvm::ArrayRef<uint8_t> getRawData() const { return Data; }

  /// Element \p index (flat, row-major) converted to double. Exact for every
  /// dtype except 64-bit integers beyond 2^53.
  double getDouble(int64_t index) const;

  /// Element \p index as an integer: floats are truncated toward zero like
  /// numpy's astype(int64); fails for NaN, infinities and values outside the
  /// int64 range, and for uint64 values above INT64_MAX.
  llvm::Expected<int64_t> getInt64(int64_t index) const;

  /// All elements as int64 (same conversion rules as getInt64).
  llvm::Expected<std::vector<int64_t>> getInt64Values() const;
  /// All elements as double.
  std::vector<double> getDoubleValues() const;

  bool operator==(const HostTensor &other) const {
    return Type == other.Type && Shape == other.Shape && Data == other.Data;
  }
  bool operator!=(const HostTensor &other) const { return !(*this == other); }

private:
  HostTensor(DType type, llvm::ArrayRef<int64_t> shape, int64_t numElements,
             std::vector<uint8_t> data)
      : Type(type), Shape(shape.begin(), shape.end()), NumElements(numElements),
        Data(std::move(data)) {}

  static HostTensor fromRawUnchecked(DType type, llvm::ArrayRef<int64_t> shape,
                                     const void *values, size_t count);

  DType Type;
  llvm::SmallVector<int64_t, 4> Shape;
  int64_t NumElements;
  std::vector<uint8_t> Data;
};

namespace detail {
/// The dtype holding host type T (bool, the fixed-width integers, float,
/// double).
template <typename T> constexpr DType dtypeOf() {
  if constexpr (std::is_same_v<T, bool>) {
    return DType::Bool;
  } else if constexpr (std::is_floating_point_v<T>) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "unsupported float type");
    return sizeof(T) == 4 ? DType::Float32 : DType::Float64;
  } else {
    static_assert(std::is_integral_v<T>, "unsupported element type");
    // Indexed by log2(size), then by signedness.
    constexpr DType ints[4][2] = {{DType::Int8, DType::UInt8},
                                  {DType::Int16, DType::UInt16},
                                  {DType::Int32, DType::UInt32},
                                  {DType::Int64, DType::UInt64}};
    return ints[llvm::CTLog2<sizeof(T)>()][std::is_unsigned_v<T>];
  }
}
} // namespace detail

template <typename T>
HostTensor HostTensor::fromValues(llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<T> values) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 ||
                    sizeof(T) == 8,
                "unsupported element type");
  return fromRawUnchecked(detail::dtypeOf<T>(), shape, values.data(),
                          values.size());
}

} // namespace tornado

#endif // TORNADO_SUPPORT_HOSTTENSOR_H
