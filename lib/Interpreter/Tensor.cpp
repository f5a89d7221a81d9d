//===- Tensor.cpp - Dense integer tensor for the interpreter
//---------------===//

#include "tornado/Interpreter/Tensor.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <cassert>
#include <cstdlib>

using namespace tornado::interp;

Tensor::Tensor(llvm::ArrayRef<int64_t> shape, int64_t fill)
    : shape(shape.begin(), shape.end()),
      data(static_cast<size_t>(numElements(shape)), fill) {}

Tensor::Tensor(llvm::ArrayRef<int64_t> shape, std::vector<int64_t> values)
    : shape(shape.begin(), shape.end()), data(std::move(values)) {
  assert(static_cast<int64_t>(data.size()) == numElements(shape) &&
         "element count does not match the shape");
}

int64_t Tensor::numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t Tensor::offset(llvm::ArrayRef<int64_t> index) const {
  assert(index.size() == shape.size() && "index rank mismatch");
  int64_t off = 0;
  for (unsigned i = 0, e = shape.size(); i != e; ++i) {
    assert(index[i] >= 0 && index[i] < shape[i] && "index out of range");
    off = off * shape[i] + index[i];
  }
  return off;
}

Tensor Tensor::reshaped(llvm::ArrayRef<int64_t> newShape) const {
  assert(numElements(newShape) == size() && "reshape changes element count");
  return Tensor(newShape, data);
}

int64_t Tensor::minValue() const {
  return data.empty() ? 0 : *std::min_element(data.begin(), data.end());
}

int64_t Tensor::maxValue() const {
  return data.empty() ? 0 : *std::max_element(data.begin(), data.end());
}

// Cloned for AVX2, which compares 64-bit lanes (the baseline cannot).
__attribute__((target_clones("avx2", "default"))) static int64_t
maxAbsOf(const int64_t *values, size_t count) {
  int64_t m = 0;
  for (size_t i = 0; i < count; ++i) {
    int64_t v = values[i];
    m = std::max(m, v < 0 ? -v : v);
  }
  return m;
}

int64_t Tensor::maxAbs() const { return maxAbsOf(data.data(), data.size()); }

std::string Tensor::str() const {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os);
  os << "] {";
  llvm::interleaveComma(data, os);
  os << '}';
  return s;
}
