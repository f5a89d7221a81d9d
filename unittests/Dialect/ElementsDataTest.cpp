//===- ElementsDataTest.cpp - Reading integers out of elements attrs ------===//
//
// getIntegerValues and hw::getUnsignedValues read stored bytes directly for
// byte-wide element types and fall back to APInt for splats and i1; both
// paths must give the same integers.
//
//===----------------------------------------------------------------------===//

#include "tornado/Dialect/ElementsData.h"
#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace tornado;

namespace {

class ElementsDataTest : public ::testing::Test {
protected:
  MLIRContext ctx;

  DenseElementsAttr attr(unsigned width, IntegerType::SignednessSemantics sign,
                         ArrayRef<int64_t> values) {
    auto elem = IntegerType::get(&ctx, width, sign);
    auto type = RankedTensorType::get({int64_t(values.size())}, elem);
    SmallVector<APInt> ints;
    for (int64_t v : values)
      ints.push_back(APInt(width, uint64_t(v), /*isSigned=*/true));
    return DenseElementsAttr::get(type, ints);
  }
};

TEST_F(ElementsDataTest, SignedWidths) {
  // Extremes of each width, sign-extended (signless reads as signed).
  for (unsigned width : {8u, 16u, 32u, 64u}) {
    int64_t lo = width == 64 ? INT64_MIN : -(int64_t(1) << (width - 1));
    int64_t hi = width == 64 ? INT64_MAX : (int64_t(1) << (width - 1)) - 1;
    SmallVector<int64_t> want = {lo, -1, 0, 1, hi};
    for (auto sign : {IntegerType::Signed, IntegerType::Signless}) {
      SmallVector<int64_t> got;
      ASSERT_TRUE(getIntegerValues(attr(width, sign, want), got));
      EXPECT_EQ(got, want) << "width " << width;
    }
  }
}

TEST_F(ElementsDataTest, UnsignedWidths) {
  SmallVector<int64_t> got;
  ASSERT_TRUE(
      getIntegerValues(attr(8, IntegerType::Unsigned, {0, 1, 255}), got));
  EXPECT_EQ(got, (SmallVector<int64_t>{0, 1, 255}));
  ASSERT_TRUE(getIntegerValues(
      attr(16, IntegerType::Unsigned, {0, 0x8000, 0xffff}), got));
  EXPECT_EQ(got, (SmallVector<int64_t>{0, 0x8000, 0xffff}));

  SmallVector<uint32_t> words;
  ASSERT_TRUE(hw::getUnsignedValues(
      attr(32, IntegerType::Unsigned, {0, 0x80000000, 0xffffffff}), words));
  EXPECT_EQ(words, (SmallVector<uint32_t>{0, 0x80000000u, 0xffffffffu}));
  ASSERT_TRUE(
      hw::getUnsignedValues(attr(8, IntegerType::Unsigned, {7, 200}), words));
  EXPECT_EQ(words, (SmallVector<uint32_t>{7, 200}));
}

TEST_F(ElementsDataTest, SplatAndBitPacked) {
  // A splat stores one element; i1 is bit-packed: both take the APInt path.
  SmallVector<int64_t> got;
  DenseElementsAttr splat = attr(8, IntegerType::Signless, {-3, -3, -3});
  ASSERT_TRUE(splat.isSplat());
  ASSERT_TRUE(getIntegerValues(splat, got));
  EXPECT_EQ(got, (SmallVector<int64_t>{-3, -3, -3}));
  ASSERT_TRUE(getIntegerValues(
      attr(1, IntegerType::Unsigned, {1, 0, 1, 1, 0, 0, 0, 0, 1}), got));
  EXPECT_EQ(got, (SmallVector<int64_t>{1, 0, 1, 1, 0, 0, 0, 0, 1}));
}

TEST_F(ElementsDataTest, DecodeRawElements) {
  const char raw[] = {'\x01', '\x80', '\xff', '\x7f'};
  int64_t wide[2];
  decodeRawElements(ArrayRef<char>(raw, 4), 2, /*isSigned=*/true, wide);
  EXPECT_EQ(wide[0], int64_t(int16_t(0x8001)));
  EXPECT_EQ(wide[1], 0x7fff);
  uint32_t bytes[4];
  decodeRawElements(ArrayRef<char>(raw, 4), 1, /*isSigned=*/false, bytes);
  EXPECT_EQ(bytes[1], 0x80u);
  EXPECT_EQ(bytes[2], 0xffu);
}

} // namespace
