//===- ConvTest.cpp - Convolution and linear kernels
//-----------------------===//
//
// Every expected value is worked out by hand; identityStage() (total shift 7)
// makes the layer output equal to the accumulator where that keeps the
// arithmetic readable.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace tornado::interp;

namespace {

/// A 1x1 convolution of a [C, 1, 1] input.
Tensor conv1x1(std::vector<int64_t> in, std::vector<int64_t> w,
               std::vector<int64_t> bias, const OutputStage &stage) {
  int64_t c = in.size();
  int64_t cout = w.size() / c;
  return unwrap(conv2d(T({c, 1, 1}, in), T({cout, c, 1, 1}, w), bias,
                       Conv2dParams(), stage));
}

TEST(Conv, RoundingThroughAConv) {
  OutputStage s; // 8-bit weights, shift 0: divide by 128
  EXPECT_EQ(conv1x1({8}, {8}, {}, s).data, std::vector<int64_t>{1});   // 0.5
  EXPECT_EQ(conv1x1({-8}, {8}, {}, s).data, std::vector<int64_t>{0});  // -0.5
  EXPECT_EQ(conv1x1({-8}, {9}, {}, s).data, std::vector<int64_t>{-1}); // -0.56
  EXPECT_EQ(conv1x1({16}, {100}, {}, s).data,
            std::vector<int64_t>{13}); // 1600 / 128 = 12.5
}

TEST(Conv, BiasIsScaledBy128) {
  OutputStage s;
  EXPECT_EQ(conv1x1({0}, {0}, {1}, s).data, std::vector<int64_t>{1});
  EXPECT_EQ(conv1x1({0}, {0}, {-3}, s).data, std::vector<int64_t>{-3});
  // 64 - 128 = -64 -> -0.5 -> 0.
  EXPECT_EQ(conv1x1({8}, {8}, {-1}, s).data, std::vector<int64_t>{0});
  s.wide = true;
  EXPECT_EQ(conv1x1({2}, {3}, {5}, s).data, std::vector<int64_t>{646});
}

TEST(Conv, EachWeightWidth) {
  OutputStage s;
  s.weightBits = 4; // implicit shift 4: * 16 / 128
  EXPECT_EQ(conv1x1({16}, {7}, {}, s).data, std::vector<int64_t>{14});
  EXPECT_EQ(conv1x1({16}, {-8}, {}, s).data, std::vector<int64_t>{-16});
  s.weightBits = 2; // implicit shift 6: * 64 / 128
  EXPECT_EQ(conv1x1({10}, {-2}, {}, s).data, std::vector<int64_t>{-10});
  EXPECT_EQ(conv1x1({11}, {1}, {}, s).data,
            std::vector<int64_t>{6}); // 5.5 -> 6
  s.weightBits = 1;                   // implicit shift 7: unchanged
  EXPECT_EQ(conv1x1({5, 9}, {-1, 0}, {}, s).data, std::vector<int64_t>{-5});
  // The bias is scaled by 128 independently of the weight width, and then
  // shifted like the products: 128 * 64 / 128 = 64 for 2-bit weights.
  s.weightBits = 2;
  EXPECT_EQ(conv1x1({0}, {0}, {1}, s).data, std::vector<int64_t>{64});
  // Out-of-range weights are rejected.
  s.weightBits = 4;
  EXPECT_NE(errorOf(conv2d(T({1, 1, 1}, {1}), T({1, 1, 1, 1}, {8}), {},
                           Conv2dParams(), s))
                .find("4-bit"),
            std::string::npos);
}

TEST(Conv, BinaryWeights) {
  OutputStage s;
  s.weightBits = kBinaryWeights; // implicit shift 7
  // 3 * 1 + (-4) * (-1) = 7.
  EXPECT_EQ(conv1x1({3, -4}, {1, -1}, {}, s).data, std::vector<int64_t>{7});
  s.outputShift = -1; // total 6: 7 / 2 = 3.5 -> 4
  EXPECT_EQ(conv1x1({3, -4}, {1, -1}, {}, s).data, std::vector<int64_t>{4});
  EXPECT_FALSE(errorOf(conv2d(T({1, 1, 1}, {1}), T({1, 1, 1, 1}, {0}), {},
                              Conv2dParams(), s))
                   .empty());
}

TEST(Conv, TotalShiftLimit) {
  OutputStage s;
  s.weightBits = 4;
  s.outputShift = 11; // 11 + 4 = 15: allowed, multiplies by 256
  EXPECT_EQ(conv1x1({1}, {1}, {}, s).data, std::vector<int64_t>{127});
  s.outputShift = 12; // 16: outside the hardware field
  EXPECT_FALSE(errorOf(conv2d(T({1, 1, 1}, {1}), T({1, 1, 1, 1}, {1}), {},
                              Conv2dParams(), s))
                   .empty());
  s.weightBits = 8;
  s.outputShift = -15; // divide by 2^22
  EXPECT_EQ(conv1x1({127, 127}, {127, 127}, {}, s).data,
            std::vector<int64_t>{0}); // 32258 / 4194304
  s.outputShift = -16;
  EXPECT_FALSE(errorOf(conv2d(T({1, 1, 1}, {1}), T({1, 1, 1, 1}, {1}), {},
                              Conv2dParams(), s))
                   .empty());
}

TEST(Conv, WideOutputIsUnshiftedAndUnclipped) {
  OutputStage s;
  s.wide = true;
  s.outputShift = 3;
  // 100 * 127 + (-50) * 100 + 5 * 128 = 8340.
  EXPECT_EQ(conv1x1({100, -50}, {127, 100}, {5}, s).data,
            std::vector<int64_t>{8340});
  EXPECT_EQ(conv1x1({-128, -128}, {127, 127}, {-128}, s).data,
            std::vector<int64_t>{-48896});
}

TEST(Conv, WideInputsUseFullPrecision) {
  // Inputs beyond int16 (a 32-bit output fed onwards) must not overflow.
  OutputStage s;
  s.wide = true;
  EXPECT_EQ(conv1x1({int64_t(1) << 30}, {127}, {}, s).data,
            std::vector<int64_t>{int64_t(127) << 30});
}

TEST(Conv, Padding) {
  // out(y, x) = in(y, x) + 2 * in(y, x + 1), zero outside.
  Tensor in = T({1, 2, 2}, {1, 2, 3, 4});
  Tensor w = T({1, 1, 3, 3}, {0, 0, 0, 0, 1, 2, 0, 0, 0});
  Conv2dParams p;
  p.padding = {1, 1};
  EXPECT_EQ(unwrap(conv2d(in, w, {}, p, identityStage())),
            T({1, 2, 2}, {5, 2, 11, 4}));
}

TEST(Conv, Dilation) {
  // 2x2 kernel of ones at dilation 2 sums in(y, x), in(y, x+2), in(y+2, x),
  // in(y+2, x+2); with in(y, x) = 5y + x that is 20y + 4x + 24.
  Conv2dParams p;
  p.dilation = {2, 2};
  EXPECT_EQ(unwrap(conv2d(T({1, 5, 5}, iota(25)), T({1, 1, 2, 2}, {1, 1, 1, 1}),
                          {}, p, identityStage())),
            T({1, 3, 3}, {24, 28, 32, 44, 48, 52, 64, 68, 72}));
}

TEST(Conv, Stride) {
  Conv2dParams p;
  p.stride = {2, 2};
  EXPECT_EQ(unwrap(conv2d(T({1, 4, 4}, iota(16)), T({1, 1, 1, 1}, {1}), {}, p,
                          identityStage())),
            T({1, 2, 2}, {0, 2, 8, 10}));
}

TEST(Conv, Depthwise) {
  // Channel 0 of ones, channel 1 of twos; kernels of +1 and -1: each output
  // sees only its own channel.
  std::vector<int64_t> in(18, 1);
  std::fill(in.begin() + 9, in.end(), 2);
  std::vector<int64_t> w(18, 1);
  std::fill(w.begin() + 9, w.end(), -1);
  Conv2dParams p;
  p.groups = 2;
  EXPECT_EQ(unwrap(conv2d(T({2, 3, 3}, in), T({2, 1, 3, 3}, w), {}, p,
                          identityStage())),
            T({2, 1, 1}, {9, -18}));
}

TEST(Conv, Groups) {
  // Two groups of two channels: out0 = in0 + in1, out1 = in2 - in3.
  Conv2dParams p;
  p.groups = 2;
  EXPECT_EQ(
      unwrap(conv2d(T({4, 1, 1}, {1, 2, 3, 4}), T({2, 2, 1, 1}, {1, 1, 1, -1}),
                    {}, p, identityStage())),
      T({2, 1, 1}, {3, -1}));
}

TEST(Conv, MultipassChangesNothing) {
  // The hardware splits >64 input channels over several passes but keeps
  // one full-precision accumulator, so a 100-channel conv equals the sum of
  // a 64-channel and a 36-channel conv with the bias added once.
  const int64_t c = 100, cout = 3, h = 5, w = 4;
  Tensor in({c, h, w}), wt({cout, c, 3, 3});
  uint32_t seed = 1;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return int64_t((seed >> 16) & 0xff) - 128;
  };
  for (int64_t &v : in.data)
    v = next();
  for (int64_t &v : wt.data)
    v = next();
  std::vector<int64_t> bias = {5, -7, 127};
  Conv2dParams p;
  p.padding = {1, 1};

  auto slice = [](const Tensor &t, int64_t axis1From, int64_t axis1To,
                  bool weights) {
    // Channels [from, to) of an input ([C, ...]) or of weights ([O, C, ...]).
    llvm::SmallVector<int64_t, 4> shape(t.shape);
    unsigned axis = weights ? 1 : 0;
    int64_t outer = weights ? t.dim(0) : 1;
    int64_t inner =
        Tensor::numElements(llvm::ArrayRef(t.shape).drop_front(axis + 1));
    shape[axis] = axis1To - axis1From;
    Tensor r(shape);
    int64_t k = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t ch = axis1From; ch < axis1To; ++ch)
        for (int64_t i = 0; i < inner; ++i)
          r.data[k++] = t.data[(o * t.dim(axis) + ch) * inner + i];
    return r;
  };

  Tensor full = unwrap(conv2dAccumulate(in, wt, bias, p));
  Tensor pass1 = unwrap(
      conv2dAccumulate(slice(in, 0, 64, false), slice(wt, 0, 64, true), {}, p));
  Tensor pass2 = unwrap(conv2dAccumulate(slice(in, 64, c, false),
                                         slice(wt, 64, c, true), bias, p));
  ASSERT_EQ(full.shape, pass1.shape);
  for (int64_t i = 0; i < full.size(); ++i)
    EXPECT_EQ(full.data[i], pass1.data[i] + pass2.data[i]);
  // Rounding happens once, on the combined sum.
  OutputStage s;
  s.outputShift = -3;
  Tensor finished = unwrap(conv2d(in, wt, bias, p, s));
  Tensor combined = full;
  finishOutputs(combined, s);
  EXPECT_EQ(finished, combined);
}

/// The convolution by its definition, with int64 sums.
Tensor directConv(const Tensor &in, const Tensor &wt,
                  llvm::ArrayRef<int64_t> bias, const Conv2dParams &p) {
  int64_t h = in.dim(1), w = in.dim(2);
  int64_t cout = wt.dim(0), cinG = wt.dim(1), kh = wt.dim(2), kw = wt.dim(3);
  int64_t coutG = cout / p.groups;
  int64_t oh = convOutputSize(h, kh, p.padding[0], p.stride[0], p.dilation[0]);
  int64_t ow = convOutputSize(w, kw, p.padding[1], p.stride[1], p.dilation[1]);
  Tensor out({cout, oh, ow});
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t acc = bias.empty() ? 0 : bias[o] * kBiasScale;
        for (int64_t i = 0; i < cinG; ++i)
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t iy = y * p.stride[0] + ky * p.dilation[0] - p.padding[0];
              int64_t ix = x * p.stride[1] + kx * p.dilation[1] - p.padding[1];
              if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                continue;
              int64_t ci = o / coutG * cinG + i;
              acc += wt.at({o, i, ky, kx}) * in.at({ci, iy, ix});
            }
        out.at({o, y, x}) = acc;
      }
  return out;
}

TEST(Conv, FastPathsMatchTheDefinition) {
  // Shapes that take the im2col dot-product path (with groups, strides,
  // dilation and padding; a large one split over threads) and the direct
  // path (few taps, depth-wise), all against the definition.
  struct Case {
    int64_t c, h, w, cout, kh, kw, groups;
    Conv2dParams p;
  };
  Conv2dParams odd;
  odd.padding = {1, 2};
  odd.stride = {2, 1};
  odd.dilation = {1, 2};
  odd.groups = 2;
  Conv2dParams same;
  same.padding = {1, 1};
  Conv2dParams depthwise = same;
  depthwise.groups = 6;
  const Case cases[] = {
      {8, 11, 13, 12, 3, 3, 2, odd},      {5, 9, 7, 7, 3, 3, 1, same},
      {48, 40, 40, 40, 3, 3, 1, same},    {3, 6, 6, 4, 1, 1, 1, Conv2dParams()},
      {6, 8, 8, 6, 3, 3, 6, depthwise},
  };
  uint32_t seed = 7;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return int64_t((seed >> 16) & 0xff) - 128;
  };
  for (const Case &k : cases) {
    Tensor in({k.c, k.h, k.w}), wt({k.cout, k.c / k.groups, k.kh, k.kw});
    for (int64_t &v : in.data)
      v = next();
    for (int64_t &v : wt.data)
      v = next();
    std::vector<int64_t> bias(k.cout);
    for (int64_t &b : bias)
      b = next();
    Tensor got = unwrap(conv2dAccumulate(in, wt, bias, k.p));
    EXPECT_EQ(got, directConv(in, wt, bias, k.p))
        << k.c << "->" << k.cout << " " << k.kh << "x" << k.kw;
  }
}

TEST(Conv1d, PaddingStrideDilation) {
  Tensor in = T({1, 4}, {1, 2, 3, 4});
  Tensor ones3 = T({1, 1, 3}, {1, 1, 1});
  Conv1dParams p;
  p.padding = 1;
  EXPECT_EQ(unwrap(conv1d(in, ones3, {}, p, identityStage())),
            T({1, 4}, {3, 6, 9, 7}));
  p.stride = 2;
  EXPECT_EQ(unwrap(conv1d(in, ones3, {}, p, identityStage())),
            T({1, 2}, {3, 9}));
  Conv1dParams d;
  d.dilation = 2;
  EXPECT_EQ(unwrap(conv1d(in, T({1, 1, 2}, {1, 1}), {}, d, identityStage())),
            T({1, 2}, {4, 6}));
}

TEST(Conv1d, KernelNineWithPadding) {
  std::vector<int64_t> v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  Conv1dParams p;
  p.padding = 4;
  EXPECT_EQ(
      unwrap(conv1d(T({1, 9}, v), T({1, 1, 9}, std::vector<int64_t>(9, 1)), {},
                    p, identityStage())),
      T({1, 9}, {15, 21, 28, 36, 45, 44, 42, 39, 35}));
}

TEST(ConvTranspose2d, MatchesPyTorchDefinition) {
  // PyTorch: in(i, j) * w(ky, kx) lands at (2i - 1 + ky, 2j - 1 + kx) for
  // stride 2, padding 1, output padding 1; worked out element by element.
  Tensor torchW = T({1, 1, 3, 3}, {1, 0, -1, 2, 1, 0, 0, 1, 1});
  Tensor hw = unwrap(transposedWeightsFromTorch(torchW, 1));
  // The hardware kernel is the PyTorch kernel rotated by 180 degrees.
  EXPECT_EQ(hw, T({1, 1, 3, 3}, {1, 1, 0, 0, 1, 2, -1, 0, 1}));
  ConvTranspose2dParams p;
  p.stride = {2, 2};
  p.padding = {1, 1};
  p.outputPadding = {1, 1};
  EXPECT_EQ(unwrap(convTranspose2d(T({1, 2, 2}, {1, 2, 3, 4}), hw, {}, p,
                                   identityStage())),
            T({1, 4, 4}, {1, 4, 2, 0, 1, 2, 2, -2, 3, 8, 4, 0, 3, 3, 4, 4}));
  EXPECT_EQ(convTransposeOutputSize(2, 3, 1, 2, 1, 1), 4);
}

TEST(ConvTranspose2d, WeightConversionSwapsChannels) {
  // PyTorch [Cin=2, Cout=1, 1, 1] -> hardware [Cout=1, Cin=2, 1, 1].
  EXPECT_EQ(unwrap(transposedWeightsFromTorch(T({2, 1, 1, 1}, {3, -5}), 1)),
            T({1, 2, 1, 1}, {3, -5}));
  // PyTorch [Cin=1, Cout=2, 1, 1] -> hardware [2, 1, 1, 1].
  EXPECT_EQ(unwrap(transposedWeightsFromTorch(T({1, 2, 1, 1}, {3, -5}), 1)),
            T({2, 1, 1, 1}, {3, -5}));
  // Depthwise: [Cin=2, 1, 1, 1] with 2 groups stays per channel.
  EXPECT_EQ(unwrap(transposedWeightsFromTorch(T({2, 1, 1, 1}, {3, -5}), 2)),
            T({2, 1, 1, 1}, {3, -5}));
}

TEST(ConvTranspose2d, StrideOneIsAFlippedConvolution) {
  // Stride 1, padding 0, 2x2 kernel: a full convolution of a 1x1 input
  // places the (hardware-flipped) kernel rotated back, i.e. the PyTorch
  // kernel, around the pixel.
  Tensor hw = T({1, 1, 2, 2}, {4, 3, 2, 1});
  EXPECT_EQ(unwrap(convTranspose2d(T({1, 1, 1}, {2}), hw, {},
                                   ConvTranspose2dParams(), identityStage())),
            T({1, 2, 2}, {2, 4, 6, 8}));
}

TEST(Linear, FlattenOrderIsChannelMajor) {
  // in(c, h, w) = 4c + 2h + w; flatten puts it at index 4c + 2h + w.
  Tensor in = T({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(flatten(in), T({8, 1, 1}, {0, 1, 2, 3, 4, 5, 6, 7}));
  std::vector<int64_t> w(24, 0);
  w[5] = 1;      // out0 picks (c=1, h=0, w=1) = 5
  w[8 + 2] = 1;  // out1 picks (c=0, h=1, w=0) = 2
  w[16 + 0] = 1; // out2 = in[0] - in[1] = -1
  w[16 + 1] = -1;
  EXPECT_EQ(unwrap(linear(in, T({3, 8}, w), {}, identityStage())),
            T({3, 1, 1}, {5, 2, -1}));
}

TEST(Conv, RejectsBadShapes) {
  EXPECT_FALSE(errorOf(conv2d(T({2, 1, 1}, {1, 1}), T({1, 1, 1, 1}, {1}), {},
                              Conv2dParams(), OutputStage()))
                   .empty());
  EXPECT_FALSE(errorOf(conv2d(T({1, 1, 1}, {1}), T({1, 1, 1, 1}, {1}), {1, 2},
                              Conv2dParams(), OutputStage()))
                   .empty());
  EXPECT_FALSE(errorOf(conv2d(T({1, 1, 1}, {1}), T({1, 1, 1, 1}, {1}), {200},
                              Conv2dParams(), OutputStage()))
                   .empty());
  EXPECT_FALSE(errorOf(conv2d(T({1, 2, 2}, {1, 1, 1, 1}),
                              T({1, 1, 3, 3}, std::vector<int64_t>(9, 1)), {},
                              Conv2dParams(), OutputStage()))
                   .empty());
}

} // namespace
