//===- LayerTest.cpp - Order of the stages in one hardware layer
//-----------===//

#include "TestUtil.h"

using namespace tornado::interp;

namespace {

/// Two 1-channel 2x2 operands stacked along channels.
Tensor twoOperands(std::vector<int64_t> a, std::vector<int64_t> b) {
  a.insert(a.end(), b.begin(), b.end());
  return T({2, 2, 2}, a);
}

LayerConfig eltwiseMaxPool(bool poolFirst) {
  LayerConfig cfg;
  cfg.operands = 2;
  cfg.eltwise = EltwiseKind::Add;
  cfg.poolFirst = poolFirst;
  cfg.pool.kernel = {2, 2};
  cfg.pool.stride = {2, 2};
  return cfg;
}

TEST(Layer, PoolFirstPoolsEachOperand) {
  // The maxima sit at different positions: pooling first finds both.
  Tensor in = twoOperands({100, 0, 0, 0}, {0, 100, 0, 0});
  LayerConfig first = eltwiseMaxPool(true);
  EXPECT_EQ(unwrap(runLayer(first, in, nullptr, {})),
            T({1, 1, 1}, {127})); // 100 + 100 saturates
  LayerConfig after = eltwiseMaxPool(false);
  EXPECT_EQ(unwrap(runLayer(after, in, nullptr, {})),
            T({1, 1, 1}, {100})); // max of {100, 100, 0, 0}
}

TEST(Layer, PassthroughEltwiseWidth) {
  Tensor in = twoOperands({100, 0, 0, 0}, {0, 100, 0, 0});
  LayerConfig cfg = eltwiseMaxPool(true);
  cfg.output.wide = true; // a passthrough with 32-bit output keeps the sum
  EXPECT_EQ(unwrap(runLayer(cfg, in, nullptr, {})), T({1, 1, 1}, {200}));
}

TEST(Layer, EltwiseBeforeAConvAlwaysSaturates) {
  // Even with a 32-bit conv output, the element-wise sum feeding the conv is
  // 8-bit: 127 * 1 = 127, not 200.
  Tensor in = twoOperands({100, 0, 0, 0}, {0, 100, 0, 0});
  LayerConfig cfg = eltwiseMaxPool(true);
  cfg.op = LayerOpKind::Conv2d;
  cfg.output.wide = true;
  Tensor w = T({1, 1, 1, 1}, {1});
  EXPECT_EQ(unwrap(runLayer(cfg, in, &w, {})), T({1, 1, 1}, {127}));
  cfg.poolFirst = false;
  EXPECT_EQ(unwrap(runLayer(cfg, in, &w, {})), T({1, 1, 1}, {100}));
}

TEST(Layer, FullPipeline) {
  // sub -> avg pool -> 1x1 conv with bias -> shift -> ReLU:
  // {10,20,30,40} - {1,2,3,4} = {9,18,27,36}; average 90/4 -> 22;
  // 22 * 3 + 1 * 128 = 194; shift 2: 194 * 4 / 128 = 6.06 -> 6.
  LayerConfig cfg;
  cfg.operands = 2;
  cfg.eltwise = EltwiseKind::Sub;
  cfg.pool.kind = PoolKind::Avg;
  cfg.pool.kernel = {2, 2};
  cfg.pool.stride = {2, 2};
  cfg.op = LayerOpKind::Conv2d;
  cfg.output.outputShift = 2;
  cfg.output.activation = Activation::ReLU;
  Tensor w = T({1, 1, 1, 1}, {3});
  EXPECT_EQ(unwrap(runLayer(cfg, twoOperands({10, 20, 30, 40}, {1, 2, 3, 4}),
                            &w, {1})),
            T({1, 1, 1}, {6}));
  // A negative bias drives it below zero; ReLU clamps to 0.
  EXPECT_EQ(unwrap(runLayer(cfg, twoOperands({10, 20, 30, 40}, {1, 2, 3, 4}),
                            &w, {-2})),
            T({1, 1, 1}, {0}));
}

TEST(Layer, LinearFlattensOnlyWhenAsked) {
  Tensor in = T({2, 1, 2}, {1, 2, 3, 4});
  LayerConfig cfg;
  cfg.op = LayerOpKind::Linear;
  cfg.output = identityStage();
  // Without flatten: a 1x1 convolution at each pixel, {1 + 3, 2 + 4}.
  Tensor perPixel = T({1, 2}, {1, 1});
  EXPECT_EQ(unwrap(runLayer(cfg, in, &perPixel, {})), T({1, 1, 2}, {4, 6}));
  // With flatten: one dot product over all four values.
  cfg.flatten = true;
  Tensor full = T({1, 4}, {1, 1, 1, 1});
  EXPECT_EQ(unwrap(runLayer(cfg, in, &full, {})), T({1, 1, 1}, {10}));
}

TEST(Layer, Conv1dPoolsIn1D) {
  LayerConfig cfg;
  cfg.op = LayerOpKind::Conv1d;
  cfg.pool.kernel = {2, 1};
  cfg.pool.stride = {2, 1};
  cfg.output = identityStage();
  Tensor w = T({1, 1, 1}, {1});
  EXPECT_EQ(unwrap(runLayer(cfg, T({1, 6}, {1, 2, 3, 4, 5, 6}), &w, {})),
            T({1, 3}, {2, 4, 6}));
}

TEST(Layer, RejectsInconsistentConfigurations) {
  LayerConfig cfg;
  cfg.output.activation = Activation::ReLU; // passthrough + activation
  EXPECT_FALSE(errorOf(runLayer(cfg, T({1, 1, 1}, {1}), nullptr, {})).empty());
  LayerConfig ops;
  ops.operands = 2; // several operands but no element-wise operation
  EXPECT_FALSE(
      errorOf(runLayer(ops, T({2, 1, 1}, {1, 2}), nullptr, {})).empty());
  LayerConfig conv;
  conv.op = LayerOpKind::Conv2d; // no weights
  EXPECT_FALSE(errorOf(runLayer(conv, T({1, 1, 1}, {1}), nullptr, {})).empty());
}

} // namespace
