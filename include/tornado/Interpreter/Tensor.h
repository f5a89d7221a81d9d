//===- Tensor.h - Dense integer tensor for the interpreter -------*- C++
//-*-===//
//
// The value type of the bit-exact reference interpreter: a dense, row-major
// array of 64-bit integers with a shape. Feature maps are CHW ([C, H, W]) or
// CL ([C, L]) for 1D layers; weights are [out, in / groups, kernel...].
//
// Elements are int64 on purpose: the hardware's 8-bit data, 32-bit wide
// outputs and full-precision accumulators all fit without a second type, and
// the kernels narrow internally where value ranges allow it.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_INTERPRETER_TENSOR_H
#define TORNADO_INTERPRETER_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <string>
#include <vector>

namespace tornado {
namespace interp {

struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<int64_t> data;

  Tensor() = default;
  /// A tensor of `shape` with every element set to `fill`.
  explicit Tensor(llvm::ArrayRef<int64_t> shape, int64_t fill = 0);
  /// A tensor of `shape` holding `values` in row-major order. The element
  /// count must match the shape.
  Tensor(llvm::ArrayRef<int64_t> shape, std::vector<int64_t> values);

  /// Product of the dimensions (1 for rank 0).
  static int64_t numElements(llvm::ArrayRef<int64_t> shape);

  unsigned rank() const { return shape.size(); }
  int64_t dim(unsigned i) const { return shape[i]; }
  int64_t size() const { return static_cast<int64_t>(data.size()); }

  /// Row-major offset of a full index.
  int64_t offset(llvm::ArrayRef<int64_t> index) const;
  int64_t &at(llvm::ArrayRef<int64_t> index) { return data[offset(index)]; }
  int64_t at(llvm::ArrayRef<int64_t> index) const {
    return data[offset(index)];
  }

  /// The same elements under another shape with the same element count.
  Tensor reshaped(llvm::ArrayRef<int64_t> newShape) const;

  /// Smallest/largest element; 0 for an empty tensor.
  int64_t minValue() const;
  int64_t maxValue() const;
  /// Largest absolute value; 0 for an empty tensor.
  int64_t maxAbs() const;

  bool operator==(const Tensor &other) const {
    return shape == other.shape && data == other.data;
  }
  bool operator!=(const Tensor &other) const { return !(*this == other); }

  /// "[2, 3] {1, 2, 3, 4, 5, 6}" for diagnostics and test failures.
  std::string str() const;
};

} // namespace interp
} // namespace tornado

#endif // TORNADO_INTERPRETER_TENSOR_H
