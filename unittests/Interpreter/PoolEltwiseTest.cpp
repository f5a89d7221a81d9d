//===- PoolEltwiseTest.cpp - Pooling, element-wise, concatenation
//----------===//

#include "TestUtil.h"

using namespace tornado::interp;

namespace {

PoolParams avgPool(int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                   bool round = false) {
  PoolParams p;
  p.kind = PoolKind::Avg;
  p.kernel = {kh, kw};
  p.stride = {sh, sw};
  p.avgRound = round;
  return p;
}

PoolParams maxPool(int64_t k, int64_t s) {
  PoolParams p;
  p.kernel = {k, k};
  p.stride = {s, s};
  return p;
}

TEST(Pool2d, AveragePoolTruncatesOrRounds) {
  // Pairs: 1.5, -1.5, 2, -2.5.
  Tensor in = T({1, 1, 8}, {1, 2, -1, -2, 2, 2, -3, -2});
  EXPECT_EQ(unwrap(pool2d(in, avgPool(1, 2, 1, 2))),
            T({1, 1, 4}, {1, -1, 2, -2})); // towards zero
  EXPECT_EQ(unwrap(pool2d(in, avgPool(1, 2, 1, 2, /*round=*/true))),
            T({1, 1, 4}, {2, -2, 2, -3})); // half away from zero
  // 2x2: 7/4 = 1.75 and -7/4.
  Tensor sq = T({2, 2, 2}, {1, 2, 2, 2, -1, -2, -2, -2});
  EXPECT_EQ(unwrap(pool2d(sq, avgPool(2, 2, 2, 2))), T({2, 1, 1}, {1, -1}));
  EXPECT_EQ(unwrap(pool2d(sq, avgPool(2, 2, 2, 2, true))),
            T({2, 1, 1}, {2, -2}));
}

TEST(Pool2d, OnlyTheRoundingAverageSaturates) {
  // 32-bit data (from an output_width: 32 layer).
  Tensor in = T({2, 1, 2}, {200, 200, -300, -300});
  EXPECT_EQ(unwrap(pool2d(in, avgPool(1, 2, 1, 2))), T({2, 1, 1}, {200, -300}));
  EXPECT_EQ(unwrap(pool2d(in, avgPool(1, 2, 1, 2, true))),
            T({2, 1, 1}, {127, -128}));
  PoolParams mp;
  mp.kernel = {1, 2};
  mp.stride = {1, 2};
  EXPECT_EQ(unwrap(pool2d(in, mp)), T({2, 1, 1}, {200, -300}));
}

TEST(Pool2d, MaxPool) {
  EXPECT_EQ(unwrap(pool2d(T({1, 4, 4}, iota(16)), maxPool(2, 2))),
            T({1, 2, 2}, {5, 7, 13, 15}));
  EXPECT_EQ(unwrap(pool2d(T({1, 2, 2}, {-5, -7, -128, -6}), maxPool(2, 2))),
            T({1, 1, 1}, {-5}));
  // Kernel 3 stride 2 on 5x5: (5 + 2 - 3 - 1 + 1) / 2 = 2 windows each way.
  EXPECT_EQ(unwrap(pool2d(T({1, 5, 5}, iota(25)), maxPool(3, 2))),
            T({1, 2, 2}, {12, 14, 22, 24}));
}

TEST(Pool2d, StrideOnlySubsamples) {
  // A 1x1 kernel keeps every stride-th row and column, rounding the size up.
  EXPECT_EQ(unwrap(pool2d(T({1, 3, 3}, iota(9)), maxPool(1, 2))),
            T({1, 2, 2}, {0, 2, 6, 8}));
}

TEST(Pool2d, Dilation) {
  // Kernel 2x2 at dilation 2 on in(y, x) = 4y + x: taps (y, x), (y, x+2),
  // (y+2, x), (y+2, x+2); output size (4 + 1 - 2 - 2 + 1) / 1 = 2.
  PoolParams mp = maxPool(2, 1);
  mp.dilation = {2, 2};
  EXPECT_EQ(unwrap(pool2d(T({1, 4, 4}, iota(16)), mp)),
            T({1, 2, 2}, {10, 11, 14, 15}));
  PoolParams ap = avgPool(2, 2, 1, 1);
  ap.dilation = {2, 2};
  // (0 + 2 + 8 + 10) / 4 = 5, then 6, 9, 10.
  EXPECT_EQ(unwrap(pool2d(T({1, 4, 4}, iota(16)), ap)),
            T({1, 2, 2}, {5, 6, 9, 10}));
  // Kernel 3 at dilation 2: the configured size (6 + 1 - 3 - 2 + 1 = 3)
  // would let the last window read column 6 of 6.
  PoolParams bad = maxPool(3, 1);
  bad.dilation = {2, 2};
  EXPECT_FALSE(errorOf(pool2d(T({1, 6, 6}, iota(36)), bad)).empty());
  EXPECT_EQ(poolOutputSize(6, 3, 1, 2), 3);
  EXPECT_EQ(poolOutputSize(7, 2, 2, 1), 3);
}

TEST(Pool1d, MaxIgnoresDilationAverageDoesNot) {
  Tensor in = T({1, 7}, {1, 9, 2, 8, 3, 7, 4});
  PoolParams mp;
  mp.kernel = {2, 1};
  mp.dilation = {2, 1};
  // Size (7 + 1 - 2 - 2 + 1) = 5; windows [x, x+1].
  EXPECT_EQ(unwrap(pool1d(in, mp)), T({1, 5}, {9, 9, 8, 8, 7}));
  PoolParams ap = mp;
  ap.kind = PoolKind::Avg;
  // Taps x and x + 2: 3/2, 17/2, 5/2, 15/2, 7/2, truncated.
  EXPECT_EQ(unwrap(pool1d(in, ap)), T({1, 5}, {1, 8, 2, 7, 3}));
}

TEST(Pool1d, AverageDropsTapsPastTheEnd) {
  // Kernel 3, dilation 2, length 5: size 2; the second window has taps 1, 3
  // and 5, and 5 is past the end, so it averages two values.
  PoolParams ap;
  ap.kind = PoolKind::Avg;
  ap.kernel = {3, 1};
  ap.dilation = {2, 1};
  EXPECT_EQ(unwrap(pool1d(T({1, 5}, {1, 4, 1, 8, 1}), ap)), T({1, 2}, {1, 6}));
}

TEST(Pool1d, AverageAlwaysTruncatesAndSaturates) {
  PoolParams ap;
  ap.kind = PoolKind::Avg;
  ap.kernel = {2, 1};
  ap.stride = {2, 1};
  ap.avgRound = true; // has no effect in 1D
  EXPECT_EQ(unwrap(pool1d(T({1, 6}, {1, 2, -1, -2, 300, 300}), ap)),
            T({1, 3}, {1, -1, 127}));
}

TEST(Eltwise, SaturatesOnceAtTheEnd) {
  Tensor a = T({1, 1, 1}, {100}), b = T({1, 1, 1}, {100}),
         c = T({1, 1, 1}, {-100});
  // 100 + 100 - 100: the intermediate 200 is not clamped.
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Add, {a, b, c}, true)).data,
            std::vector<int64_t>{100});
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Add, {a, b}, true)).data,
            std::vector<int64_t>{127});
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Add, {a, b}, false)).data,
            std::vector<int64_t>{200});
}

TEST(Eltwise, Operators) {
  auto v = [](int64_t x) { return T({1}, {x}); };
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Sub, {v(10), v(3), v(20)}, true)).data,
            std::vector<int64_t>{-13}); // first minus the rest
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Sub, {v(-100), v(100)}, true)).data,
            std::vector<int64_t>{-128});
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Or, {v(5), v(3)}, true)).data,
            std::vector<int64_t>{7});
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Or, {v(-128), v(1)}, true)).data,
            std::vector<int64_t>{-127}); // 0x80 | 0x01
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Xor, {v(5), v(3)}, true)).data,
            std::vector<int64_t>{6});
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Xor, {v(-1), v(1), v(4)}, true)).data,
            std::vector<int64_t>{-6}); // 0xff ^ 0x01 ^ 0x04 = 0xfa
}

TEST(Eltwise, OperandCount) {
  std::vector<Tensor> ops(16, T({1}, {1}));
  EXPECT_EQ(unwrap(eltwise(EltwiseKind::Add, ops, false)).data,
            std::vector<int64_t>{16});
  ops.push_back(T({1}, {1}));
  EXPECT_FALSE(errorOf(eltwise(EltwiseKind::Add, ops, false)).empty());
  EXPECT_FALSE(
      errorOf(eltwise(EltwiseKind::Add, {T({1}, {1})}, false)).empty());
  EXPECT_FALSE(
      errorOf(eltwise(EltwiseKind::Add, {T({1}, {1}), T({2}, {1, 2})}, false))
          .empty());
}

TEST(Concat, ChannelsInOrder) {
  EXPECT_EQ(unwrap(concatChannels(
                {T({1, 1, 2}, {1, 2}), T({2, 1, 2}, {3, 4, 5, 6})})),
            T({3, 1, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(
      errorOf(concatChannels({T({1, 1, 2}, {1, 2}), T({1, 2, 1}, {3, 4})}))
          .empty());
}

TEST(Concat, InSequencesOfDifferentSizesAppendPixels) {
  // Same spatial size: channel concatenation.
  EXPECT_EQ(unwrap(combineInSequences({T({1, 1, 1}, {7}), T({1, 1, 1}, {8})})),
            T({2, 1, 1}, {7, 8}));
  // Different sizes: per channel, the pixels of A then those of B.
  Tensor a = T({2, 1, 2}, {1, 2, 3, 4}), b = T({2, 1, 1}, {5, 6});
  EXPECT_EQ(unwrap(combineInSequences({a, b}, {1, 3})),
            T({2, 1, 3}, {1, 2, 5, 3, 4, 6}));
  EXPECT_FALSE(errorOf(combineInSequences({a, b})).empty()); // needs in_dim
}

TEST(Concat, SplitOperands) {
  auto parts = splitOperands(T({4, 1, 1}, {1, 2, 3, 4}), 2);
  ASSERT_TRUE(bool(parts));
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0], T({2, 1, 1}, {1, 2}));
  EXPECT_EQ((*parts)[1], T({2, 1, 1}, {3, 4}));
  auto bad = splitOperands(T({3, 1, 1}, {1, 2, 3}), 2);
  EXPECT_FALSE(bool(bad));
  llvm::consumeError(bad.takeError());
}

} // namespace
