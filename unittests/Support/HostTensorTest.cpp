//===- HostTensorTest.cpp - Tests for HostTensor --------------------------===//

#include "tornado/Support/HostTensor.h"

#include "Fixtures.h"

#include "gtest/gtest.h"
#include <cmath>
#include <limits>

using namespace tornado;
using namespace tornado::testing;
using namespace llvm;

namespace {

TEST(HostTensorTest, DTypeProperties) {
  EXPECT_EQ(getDTypeSize(DType::Bool), 1u);
  EXPECT_EQ(getDTypeSize(DType::BFloat16), 2u);
  EXPECT_EQ(getDTypeSize(DType::UInt32), 4u);
  EXPECT_EQ(getDTypeSize(DType::Float64), 8u);
  EXPECT_EQ(getDTypeName(DType::Int8), "int8");
  EXPECT_EQ(parseDTypeName("bfloat16"), DType::BFloat16);
  EXPECT_EQ(parseDTypeName("float128"), std::nullopt);
  EXPECT_TRUE(isFloatingPoint(DType::Float16));
  EXPECT_FALSE(isFloatingPoint(DType::UInt64));
}

TEST(HostTensorTest, ElementCount) {
  EXPECT_EQ(getElementCount({}), 1);
  EXPECT_EQ(getElementCount({2, 0, 5}), 0);
  EXPECT_EQ(getElementCount({3, 4}), 12);
  EXPECT_EQ(getElementCount({-1}), std::nullopt);
  EXPECT_EQ(getElementCount({1LL << 32, 1LL << 32}), std::nullopt);
}

TEST(HostTensorTest, DefaultIsEmptyVector) {
  HostTensor t;
  EXPECT_EQ(t.getRank(), 1u);
  EXPECT_EQ(t.getNumElements(), 0);
  EXPECT_TRUE(t.getRawData().empty());
}

TEST(HostTensorTest, FromValuesIsLittleEndianRowMajor) {
  std::vector<int32_t> values = {1, -2, 0x01020304, 4, 5, 6};
  HostTensor t = HostTensor::fromValues<int32_t>({2, 3}, values);
  EXPECT_EQ(t.getDType(), DType::Int32);
  EXPECT_EQ(t.getShape(), ArrayRef<int64_t>({2, 3}));
  ASSERT_EQ(t.getRawData().size(), 24u);
  EXPECT_EQ(t.getRawData()[8], 0x04);
  EXPECT_EQ(t.getRawData()[11], 0x01);
  TORNADO_ASSERT_OK(ints, t.getInt64Values());
  EXPECT_EQ(ints, (std::vector<int64_t>{1, -2, 0x01020304, 4, 5, 6}));
  EXPECT_EQ(t.getDouble(1), -2.0);
}

TEST(HostTensorTest, CreateChecksSize) {
  EXPECT_EQ(errorOf(HostTensor::create(DType::Int16, {2, 2},
                                       std::vector<uint8_t>(8))),
            "<success>");
  EXPECT_NE(
      errorOf(HostTensor::create(DType::Int16, {2, 2}, std::vector<uint8_t>(7)))
          .find("does not match shape"),
      std::string::npos);
  EXPECT_NE(errorOf(HostTensor::create(DType::Int8, {-1}, {}))
                .find("invalid tensor shape"),
            std::string::npos);
  // 2^61 int64 elements overflow the byte count.
  EXPECT_NE(errorOf(HostTensor::create(DType::Int64, {1LL << 61}, {}))
                .find("does not match shape"),
            std::string::npos);
}

TEST(HostTensorTest, HalfAndBFloat16) {
  // 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal),
  // 0x7bff = 65504, 0x7c00 = inf, 0x7e00 = NaN, 0x8000 = -0.
  std::vector<uint8_t> half = {0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xff,
                               0x7b, 0x00, 0x7c, 0x00, 0x7e, 0x00, 0x80};
  TORNADO_ASSERT_OK(h, HostTensor::create(DType::Float16, {7}, half));
  EXPECT_EQ(h.getDouble(0), 1.0);
  EXPECT_EQ(h.getDouble(1), -2.0);
  EXPECT_EQ(h.getDouble(2), std::ldexp(1.0, -24));
  EXPECT_EQ(h.getDouble(3), 65504.0);
  EXPECT_TRUE(std::isinf(h.getDouble(4)));
  EXPECT_TRUE(std::isnan(h.getDouble(5)));
  EXPECT_TRUE(std::signbit(h.getDouble(6)));
  EXPECT_EQ(h.getDouble(6), 0.0);

  // bfloat16 is the top half of a float: 0x3f80 = 1, 0xc040 = -3.
  TORNADO_ASSERT_OK(
      b, HostTensor::create(DType::BFloat16, {2}, {0x80, 0x3f, 0x40, 0xc0}));
  EXPECT_EQ(b.getDouble(0), 1.0);
  EXPECT_EQ(b.getDouble(1), -3.0);
}

TEST(HostTensorTest, FloatToIntTruncatesLikeNumpy) {
  std::vector<float> values = {2.9f, -2.9f, 0.0f, 127.0f};
  HostTensor t = HostTensor::fromValues<float>({4}, values);
  TORNADO_ASSERT_OK(ints, t.getInt64Values());
  EXPECT_EQ(ints, (std::vector<int64_t>{2, -2, 0, 127}));
}

TEST(HostTensorTest, IntConversionRejectsUnrepresentable) {
  std::vector<double> values = {1.0, std::numeric_limits<double>::quiet_NaN(),
                                1e300};
  HostTensor t = HostTensor::fromValues<double>({3}, values);
  TORNADO_ASSERT_OK(first, t.getInt64(0));
  EXPECT_EQ(first, 1);
  EXPECT_NE(errorOf(t.getInt64(1)).find("cannot be converted"),
            std::string::npos);
  EXPECT_NE(errorOf(t.getInt64(2)).find("cannot be converted"),
            std::string::npos);
  EXPECT_NE(errorOf(t.getInt64Values()).find("element 1"), std::string::npos);

  std::vector<uint64_t> big = {5, ~0ULL};
  HostTensor u = HostTensor::fromValues<uint64_t>({2}, big);
  TORNADO_ASSERT_OK(five, u.getInt64(0));
  EXPECT_EQ(five, 5);
  EXPECT_NE(errorOf(u.getInt64(1)).find("does not fit"), std::string::npos);
}

TEST(HostTensorTest, BoolsAreNormalizedAndCompare) {
  bool values[] = {true, false, true};
  HostTensor a = HostTensor::fromValues<bool>({3}, values);
  EXPECT_EQ(a.getDType(), DType::Bool);
  TORNADO_ASSERT_OK(ints, a.getInt64Values());
  EXPECT_EQ(ints, (std::vector<int64_t>{1, 0, 1}));
  HostTensor b = HostTensor::fromValues<bool>({3}, values);
  EXPECT_EQ(a, b);
  HostTensor c = HostTensor::fromValues<bool>({1, 3}, values);
  EXPECT_NE(a, c);
}

TEST(HostTensorTest, ZeroDimensional) {
  int64_t value = -7;
  HostTensor t = HostTensor::fromValues<int64_t>({}, ArrayRef(value));
  EXPECT_EQ(t.getRank(), 0u);
  EXPECT_EQ(t.getNumElements(), 1);
  TORNADO_ASSERT_OK(only, t.getInt64(0));
  EXPECT_EQ(only, -7);
  EXPECT_EQ(t.getDoubleValues(), std::vector<double>{-7.0});
}

} // namespace
