//===- DotKernelsTest.cpp - The conv core's blocked dot products ----------===//
//
// Every instruction set the processor has must give the exact sums a plain
// int64 loop gives, for blocks whose sizes are not multiples of the tiles
// and rows whose length leaves a 16-value tail.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Interpreter/DotKernels.h"
#include "gtest/gtest.h"
#include <random>
#include <vector>

using namespace tornado::interp::detail;

namespace {

/// Compares dotBlockWith(isa) with int64 sums for the given rows.
void expectExact(DotIsa isa, const std::vector<int16_t> &w, size_t rows,
                 const std::vector<int16_t> &x, size_t cols, size_t len) {
  const size_t stride = cols + 3;
  std::vector<int32_t> out(rows * stride, -1);
  dotBlockWith(isa, w.data(), rows, x.data(), cols, len, out.data(), stride);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      int64_t want = 0;
      for (size_t t = 0; t < len; ++t)
        want += int64_t(w[r * len + t]) * x[c * len + t];
      ASSERT_EQ(out[r * stride + c], want) << "isa " << int(isa) << " row " << r
                                           << " col " << c << " len " << len;
    }
  // The gaps between output rows stay untouched.
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = cols; c < stride; ++c)
      ASSERT_EQ(out[r * stride + c], -1);
}

void checkRandom(DotIsa isa, size_t rows, size_t cols, size_t len) {
  std::mt19937 rng(rows * 1000 + cols * 10 + len);
  std::uniform_int_distribution<int> dist(-128, 127);
  std::vector<int16_t> w(rows * len), x(cols * len);
  for (int16_t &v : w)
    v = dist(rng);
  for (int16_t &v : x)
    v = dist(rng);
  expectExact(isa, w, rows, x, cols, len);
}

TEST(DotKernels, EveryAvailableIsaIsExact) {
  for (DotIsa isa : {DotIsa::Portable, DotIsa::Avx2, DotIsa::Avx512Vnni}) {
    if (!dotIsaAvailable(isa))
      continue;
    for (size_t rows : {1, 4, 7, 9})
      for (size_t cols : {1, 2, 5, 8})
        for (size_t len : {16, 32, 48, 304})
          checkRandom(isa, rows, cols, len);
  }
}

TEST(DotKernels, LargeProductsDoNotLosePairs) {
  // A pair of products of 32767 * 32767 sums to just below 2^31: the
  // pairwise int16 multiply-add must neither saturate nor drop bits.
  // Each row sums a pair of +-32767^2 products in the first 32 values and
  // the opposite pair in the 16-value tail (partial sums of +-(2^31 - 2^17),
  // total 0); row 1 has the signs of row 0 flipped.
  const size_t len = 48;
  std::vector<int16_t> w(2 * len, 0), x(len, 0);
  for (size_t t : {0, 1, 32, 33}) {
    w[t] = 32767;
    w[len + t] = -32767;
    x[t] = t < 32 ? 32767 : -32767;
  }
  for (DotIsa isa : {DotIsa::Portable, DotIsa::Avx2, DotIsa::Avx512Vnni})
    if (dotIsaAvailable(isa))
      for (size_t rows : {1, 2})
        expectExact(isa, w, rows, x, 1, len);
}

} // namespace
