//===- FoldBatchNorm.cpp - Fold batchnorm into convolutions ---------------===//
//
// The accelerator has no normalization stage, so a batchnorm must become part
// of the quantized weights and bias of the op that feeds it. See the pass
// description in Passes.td for the arithmetic and rounding rules.
//
//===----------------------------------------------------------------------===//

#include "tornado/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include <cmath>

namespace tornado {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;

namespace {

/// Rounds half away from zero.
int64_t roundAway(double v) { return (int64_t)std::llround(v); }

ElementsAttr makeInt8(ShapedType type, ArrayRef<int64_t> values) {
  std::vector<int8_t> data(values.begin(), values.end());
  auto i8Type = RankedTensorType::get(type.getShape(),
                                      IntegerType::get(type.getContext(), 8));
  return DenseElementsAttr::get(i8Type, ArrayRef<int8_t>(data));
}

struct FoldBatchNormPass
    : public tornado::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override;
  LogicalResult fold(BatchNormOp bn);
};

LogicalResult FoldBatchNormPass::fold(BatchNormOp bn) {
  Operation *producer = bn.getInput().getDefiningOp();
  if (!producer ||
      !isa<Conv1dOp, Conv2dOp, ConvTranspose2dOp, LinearOp>(producer))
    return bn.emitError("cannot fold a batchnorm whose input is not a "
                        "convolution or linear op");
  if (!bn.getInput().hasOneUse())
    return bn.emitError("cannot fold a batchnorm into a convolution whose "
                        "result has other users");

  int64_t channels = cast<ShapedType>(bn.getInput().getType()).getDimSize(0);
  SmallVector<double> mean, var, scale, shift;
  if (!getFloatValues(bn.getMean(), mean) ||
      !getFloatValues(bn.getVariance(), var))
    return bn.emitError("batchnorm statistics are not available");
  scale.assign(channels, 1.0);
  shift.assign(channels, 0.0);
  if (bn.getScale() && !getFloatValues(*bn.getScale(), scale))
    return bn.emitError("batchnorm scale is not available");
  if (bn.getShift() && !getFloatValues(*bn.getShift(), shift))
    return bn.emitError("batchnorm shift is not available");
  double eps = bn.getEpsilon().convertToDouble();

  auto weightsAttr = cast<ElementsAttr>(producer->getAttr("weights"));
  SmallVector<int64_t> w, bias;
  if (!getIntegerValues(weightsAttr, w))
    return producer->emitError("weights are not available");
  if (auto b = producer->getAttrOfType<ElementsAttr>("bias")) {
    if (!getIntegerValues(b, bias))
      return producer->emitError("bias is not available");
  } else {
    bias.assign(channels, 0);
  }
  int64_t bits = producer->getAttrOfType<IntegerAttr>("weight_bits")
                     ? producer->getAttrOfType<IntegerAttr>("weight_bits").getInt()
                     : 8;
  int64_t outShift =
      producer->getAttrOfType<IntegerAttr>("output_shift")
          ? producer->getAttrOfType<IntegerAttr>("output_shift").getInt()
          : 0;
  if (bits < 2)
    return producer->emitError("cannot fold a batchnorm into ")
           << (bits == -1 ? "binary" : "1-bit") << " weights";
  int64_t total = outShift + 8 - bits;
  int64_t limit = (int64_t(1) << (bits - 1)) - 1;

  // The output is (sum + 128 * b) * 2^(total - 7); the batchnorm maps it to
  // k * out + c, so weights scale by k and the bias absorbs c in the
  // accumulator's units.
  int64_t perChannel = w.size() / channels;
  SmallVector<double> k(channels), newW(w.size()), newB(channels);
  double maxW = 0, maxB = 0;
  for (int64_t c = 0; c < channels; ++c) {
    k[c] = scale[c] / std::sqrt(var[c] + eps);
    double cst = shift[c] - k[c] * mean[c];
    for (int64_t i = 0; i < perChannel; ++i) {
      newW[c * perChannel + i] = k[c] * w[c * perChannel + i];
      maxW = std::max(maxW, std::abs(newW[c * perChannel + i]));
    }
    newB[c] = k[c] * bias[c] + cst * std::ldexp(1.0, -total);
    maxB = std::max(maxB, std::abs(newB[c]));
  }
  // Scale down by 2^d until weights and bias fit; the shift compensates.
  int d = 0;
  while (std::llround(maxW * std::ldexp(1.0, -d)) > limit ||
         std::llround(maxB * std::ldexp(1.0, -d)) > 127)
    ++d;
  const target::Device &target = getTargetFor(producer);
  if (outShift + d + 8 - bits > target.maxOutputShift())
    return bn.emitError("folding needs an output shift of ")
           << outShift + d << ", beyond what the device supports";
  SmallVector<int64_t> qW(w.size()), qB(channels);
  for (size_t i = 0; i < w.size(); ++i)
    qW[i] = roundAway(std::ldexp(newW[i], -d));
  for (int64_t c = 0; c < channels; ++c)
    qB[c] = roundAway(std::ldexp(newB[c], -d));

  OpBuilder b(producer);
  producer->setAttr("weights",
                    makeInt8(cast<ShapedType>(weightsAttr.getType()), qW));
  producer->setAttr(
      "bias", makeInt8(RankedTensorType::get({channels}, b.getI8Type()), qB));
  if (d)
    producer->setAttr("output_shift", b.getI64IntegerAttr(outShift + d));
  bn.getOutput().replaceAllUsesWith(bn.getInput());
  bn.erase();
  return success();
}

void FoldBatchNormPass::runOnOperation() {
  SmallVector<BatchNormOp> bns;
  getOperation().walk([&](BatchNormOp bn) { bns.push_back(bn); });
  for (BatchNormOp bn : bns)
    if (failed(fold(bn)))
      return signalPassFailure();
}

} // namespace
