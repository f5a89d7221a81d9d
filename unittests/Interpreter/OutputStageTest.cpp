//===- OutputStageTest.cpp - Shift, round, saturate, activate
//--------------===//
//
// Expected values are worked out by hand from the rule
//   out = clamp(floor(acc * 2^shift / 128 + 1/2), -128, 127)
// (see docs/semantics.md).
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace tornado::interp;

namespace {

TEST(OutputStage, RoundsHalfTowardsPlusInfinity) {
  // Shift 0 divides by 128.
  EXPECT_EQ(shiftRound(64, 0), 1);    //  0.5 ->  1
  EXPECT_EQ(shiftRound(63, 0), 0);    //  0.49 -> 0
  EXPECT_EQ(shiftRound(-64, 0), 0);   // -0.5 ->  0 (not -1)
  EXPECT_EQ(shiftRound(-65, 0), -1);  // -0.51 -> -1
  EXPECT_EQ(shiftRound(192, 0), 2);   //  1.5 ->  2
  EXPECT_EQ(shiftRound(-192, 0), -1); // -1.5 -> -1
  EXPECT_EQ(shiftRound(-320, 0), -2); // -2.5 -> -2
  EXPECT_EQ(shiftRound(0, 0), 0);
}

TEST(OutputStage, ShiftDirection) {
  // Positive shifts make the result larger: shift s multiplies by 2^s/128.
  EXPECT_EQ(shiftRound(100, 7), 100);
  EXPECT_EQ(shiftRound(100, 8), 200);
  EXPECT_EQ(shiftRound(100, 6), 50);
  EXPECT_EQ(shiftRound(101, 6), 51);   // 50.5 -> 51
  EXPECT_EQ(shiftRound(-101, 6), -50); // -50.5 -> -50
  EXPECT_EQ(shiftRound(3, 10), 24);
}

TEST(OutputStage, ShiftLimits) {
  // +15: multiply by 256.
  EXPECT_EQ(shiftRound(1, 15), 256);
  EXPECT_EQ(shiftRound(-1, 15), -256);
  // -15: divide by 2^22 = 4194304.
  EXPECT_EQ(shiftRound(2097152, -15), 1); // exactly 0.5
  EXPECT_EQ(shiftRound(2097151, -15), 0);
  EXPECT_EQ(shiftRound(-2097152, -15), 0); // exactly -0.5
  EXPECT_EQ(shiftRound(-2097153, -15), -1);
  EXPECT_EQ(shiftRound(6291456, -15), 2); // 1.5 -> 2
}

TEST(OutputStage, SaturatesBothWays) {
  OutputStage s; // shift 0
  EXPECT_EQ(finishOutput(127 * 128, s), 127);
  EXPECT_EQ(finishOutput(127 * 128 + 63, s), 127);
  EXPECT_EQ(finishOutput(127 * 128 + 64, s), 127); // 127.5 -> 128 -> 127
  EXPECT_EQ(finishOutput(1000000, s), 127);
  EXPECT_EQ(finishOutput(-128 * 128, s), -128);
  EXPECT_EQ(finishOutput(-128 * 128 - 64, s), -128); // -128.5 -> -128
  EXPECT_EQ(finishOutput(-129 * 128, s), -128);
  EXPECT_EQ(finishOutput(-1000000, s), -128);
  s.outputShift = 15;
  EXPECT_EQ(finishOutput(1, s), 127);
  EXPECT_EQ(finishOutput(-1, s), -128);
}

TEST(OutputStage, Activations) {
  OutputStage s;
  s.activation = Activation::ReLU;
  EXPECT_EQ(finishOutput(-5 * 128, s), 0);
  EXPECT_EQ(finishOutput(5 * 128, s), 5);
  EXPECT_EQ(finishOutput(300 * 128, s), 127);
  s.activation = Activation::Abs;
  EXPECT_EQ(finishOutput(-5 * 128, s), 5);
  // Abs comes after saturation: -300 -> -128 -> 128 -> 127.
  EXPECT_EQ(finishOutput(-300 * 128, s), 127);
  EXPECT_EQ(finishOutput(-128 * 128, s), 127);
  EXPECT_EQ(finishOutput(-127 * 128, s), 127);
  EXPECT_EQ(finishOutput(-126 * 128, s), 126);
}

TEST(OutputStage, WideOutputKeepsTheAccumulator) {
  OutputStage s;
  s.wide = true;
  s.outputShift = 3; // ignored for 32-bit output
  EXPECT_EQ(finishOutput(100000, s), 100000);
  EXPECT_EQ(finishOutput(-100000, s), -100000);
  EXPECT_EQ(finishOutput(65, s), 65); // no rounding either
  // The activation still clamps to the 8-bit positive range.
  s.activation = Activation::ReLU;
  EXPECT_EQ(finishOutput(-100000, s), 0);
  EXPECT_EQ(finishOutput(100000, s), 127);
}

TEST(OutputStage, TensorFormMatchesScalarForm) {
  // finishOutputs has a branch-free fast path; compare it with finishOutput
  // over accumulators around every rounding and saturation edge.
  for (int64_t shift = -15; shift <= 15; ++shift) {
    for (Activation act :
         {Activation::None, Activation::ReLU, Activation::Abs}) {
      OutputStage s;
      s.outputShift = shift;
      s.activation = act;
      Tensor t({0});
      for (int64_t base :
           {int64_t(0), int64_t(64), int64_t(127 * 128), int64_t(128 * 128),
            int64_t(1) << 21, int64_t(1) << 22, int64_t(1) << 45})
        for (int64_t d = -3; d <= 3; ++d) {
          t.data.push_back(base + d);
          t.data.push_back(-base + d);
        }
      t.shape = {t.size()};
      Tensor got = t;
      finishOutputs(got, s);
      for (int64_t i = 0; i < t.size(); ++i)
        EXPECT_EQ(got.data[i], finishOutput(t.data[i], s))
            << "acc " << t.data[i] << " shift " << shift;
    }
  }
}

TEST(OutputStage, ImplicitShiftOfNarrowWeights) {
  EXPECT_EQ(implicitShift(8), 0);
  EXPECT_EQ(implicitShift(4), 4);
  EXPECT_EQ(implicitShift(2), 6);
  EXPECT_EQ(implicitShift(1), 7);
  EXPECT_EQ(implicitShift(kBinaryWeights), 7);
  OutputStage s;
  s.weightBits = 2;
  s.outputShift = -3;
  EXPECT_EQ(s.totalShift(), 3);
}

TEST(OutputStage, WeightRanges) {
  EXPECT_FALSE(fails(checkWeights(T({2}, {-128, 127}), 8)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {128}), 8)));
  EXPECT_FALSE(fails(checkWeights(T({2}, {-8, 7}), 4)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {8}), 4)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {-9}), 4)));
  EXPECT_FALSE(fails(checkWeights(T({2}, {-2, 1}), 2)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {2}), 2)));
  EXPECT_FALSE(fails(checkWeights(T({2}, {-1, 0}), 1)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {1}), 1)));
  EXPECT_FALSE(fails(checkWeights(T({2}, {-1, 1}), kBinaryWeights)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {0}), kBinaryWeights)));
  EXPECT_TRUE(fails(checkWeights(T({1}, {0}), 3)));
  EXPECT_FALSE(fails(checkBias({-128, 127})));
  EXPECT_TRUE(fails(checkBias({128})));
}

} // namespace
