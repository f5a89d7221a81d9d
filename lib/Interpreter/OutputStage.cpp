//===- OutputStage.cpp - Shift, round, saturate, activate
//------------------===//
//
// The arithmetic that turns a full-precision accumulator into a layer output,
// plus the checks on weights and biases that every convolution shares.
//
//===----------------------------------------------------------------------===//

#include "tornado/Interpreter/Kernels.h"
#include "llvm/Support/FormatVariadic.h"
#include <algorithm>
#include <cassert>

using namespace tornado::interp;

int tornado::interp::implicitShift(int weightBits) {
  assert(isValidWeightBits(weightBits) && "invalid weight width");
  // A b-bit weight is read as if it were an 8-bit weight scaled down by
  // 2^(8-b); the hardware compensates with a larger output shift. Binary
  // weights behave like 1-bit weights here.
  return 8 - (weightBits < 0 ? -weightBits : weightBits);
}

bool tornado::interp::isValidWeightBits(int weightBits) {
  return weightBits == 8 || weightBits == 4 || weightBits == 2 ||
         weightBits == 1 || weightBits == kBinaryWeights;
}

llvm::Error tornado::interp::checkWeights(const Tensor &weights,
                                          int weightBits) {
  if (!isValidWeightBits(weightBits))
    return llvm::createStringError(llvm::formatv(
        "weight width {0} is not one of 8, 4, 2, 1 or binary", weightBits));
  for (size_t i = 0, e = weights.data.size(); i != e; ++i) {
    int64_t w = weights.data[i];
    bool ok;
    if (weightBits == kBinaryWeights) {
      ok = w == -1 || w == 1;
    } else {
      int64_t lo = -(int64_t(1) << (weightBits - 1));
      ok = w >= lo && w <= -lo - 1;
    }
    if (!ok)
      return llvm::createStringError(llvm::formatv(
          "weight {0} at flat index {1} does not fit {2} weights", w, i,
          weightBits == kBinaryWeights ? std::string("binary (-1/+1)")
                                       : std::to_string(weightBits) + "-bit"));
  }
  return llvm::Error::success();
}

llvm::Error tornado::interp::checkBias(llvm::ArrayRef<int64_t> bias) {
  for (size_t i = 0, e = bias.size(); i != e; ++i)
    if (bias[i] < -128 || bias[i] > 127)
      return llvm::createStringError(llvm::formatv(
          "bias {0} of output channel {1} does not fit 8 bits", bias[i], i));
  return llvm::Error::success();
}

int64_t tornado::interp::shiftRound(int64_t acc, int64_t totalShift) {
  // value = acc * 2^totalShift / 128 = acc * 2^-(7 - totalShift).
  int64_t right = 7 - totalShift;
  assert(right >= -62 && right <= 63 && "shift out of range");
  if (right <= 0)
    return acc * (int64_t(1) << -right); // exact: nothing to round
  // floor(acc / 2^right + 1/2) without overflow: floor division (arithmetic
  // shift), then round up when the remainder is at least half the divisor.
  int64_t q = acc >> right;
  uint64_t rem = static_cast<uint64_t>(acc) & ((uint64_t(1) << right) - 1);
  if (rem >= (uint64_t(1) << (right - 1)))
    ++q;
  return q;
}

int64_t tornado::interp::saturate8(int64_t value) {
  return std::clamp<int64_t>(value, -128, 127);
}

int64_t tornado::interp::activate(int64_t value, Activation activation) {
  switch (activation) {
  case Activation::None:
    return value;
  case Activation::ReLU:
    return std::clamp<int64_t>(value, 0, 127);
  case Activation::Abs:
    return std::min<int64_t>(value < 0 ? -value : value, 127);
  }
  llvm_unreachable("unknown activation");
}

int64_t tornado::interp::finishOutput(int64_t acc, const OutputStage &stage) {
  int64_t v = acc;
  if (!stage.wide)
    v = saturate8(shiftRound(acc, stage.totalShift()));
  return activate(v, stage.activation);
}

// Branch-free form of finishOutput for the hardware shift range, cloned for
// AVX2 (64-bit lane compares). Clamping the accumulator to +-2^40 first
// keeps every step free of overflow without changing any saturated result:
// 2^40 is still far outside [-128, 127] after a right shift by at most 22.
// The right shift is done on x + 2^40 >= 0 as a logical shift (AVX2 has no
// 64-bit arithmetic shift); 2^40 / 2^right is exact, so subtracting it
// gives floor((x + half) / 2^right) as before.
__attribute__((target_clones("avx2", "default"))) static void
finishNarrow(int64_t *values, size_t count, int64_t right, int64_t lo,
             bool abs) {
  const int64_t bound = int64_t(1) << 40;
  if (right > 0) {
    const int64_t half = int64_t(1) << (right - 1);
    const int64_t offset = bound >> right;
    for (size_t i = 0; i < count; ++i) {
      int64_t x = std::clamp(values[i], -bound, bound);
      x = int64_t(uint64_t(x + bound + half) >> right) - offset;
      x = abs && x < 0 ? -x : x;
      values[i] = std::clamp<int64_t>(x, lo, 127);
    }
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    int64_t x = std::clamp(values[i], -bound, bound);
    x = int64_t(uint64_t(x) << -right);
    x = abs && x < 0 ? -x : x;
    values[i] = std::clamp<int64_t>(x, lo, 127);
  }
}

void tornado::interp::finishOutputs(Tensor &accumulators,
                                    const OutputStage &stage) {
  int64_t shift = stage.totalShift();
  Activation act = stage.activation;
  int64_t right = 7 - shift;
  if (stage.wide || right < -8 || right > 22) {
    // Rare: no saturation, or a shift outside the hardware's range.
    for (int64_t &v : accumulators.data)
      v = finishOutput(v, stage);
    return;
  }
  finishNarrow(accumulators.data.data(), accumulators.data.size(), right,
               act == Activation::None ? -128 : 0, act == Activation::Abs);
}
