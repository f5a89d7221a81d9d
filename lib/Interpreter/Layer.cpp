//===- Layer.cpp - One complete accelerator layer
//--------------------------===//
//
// Chains the kernels in the order a hardware layer applies them:
//   operands -> [eltwise, if !poolFirst] -> pool -> [eltwise, if poolFirst]
//   -> [flatten] -> convolution -> shift/round/saturate -> activation.
//
//===----------------------------------------------------------------------===//

#include "tornado/Interpreter/Kernels.h"
#include "llvm/Support/FormatVariadic.h"

using namespace tornado::interp;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(msg.str());
}

bool poolsAnything(const PoolParams &p, bool is1d) {
  if (is1d)
    return p.kernel[0] != 1 || p.stride[0] != 1;
  return !p.isIdentity();
}

} // namespace

llvm::Expected<Tensor> tornado::interp::runLayer(const LayerConfig &cfg,
                                                 const Tensor &input,
                                                 const Tensor *weights,
                                                 llvm::ArrayRef<int64_t> bias) {
  bool is1d = cfg.op == LayerOpKind::Conv1d;
  if (input.rank() != (is1d ? 2u : 3u))
    return makeError(
        llvm::formatv("{0} layer needs a rank-{1} input, got rank {2}",
                      is1d ? "a Conv1d" : "this", is1d ? 2 : 3, input.rank()));
  if (cfg.operands < 1 || cfg.operands > 16)
    return makeError("operands must be 1..16");
  if ((cfg.operands > 1) != cfg.eltwise.has_value())
    return makeError("an element-wise operation needs 2..16 operands, and "
                     "several operands need an element-wise operation");
  if (cfg.op == LayerOpKind::None) {
    if (cfg.output.activation != Activation::None)
      return makeError("a passthrough layer cannot have an activation");
    if (cfg.output.outputShift != 0)
      return makeError("a passthrough layer must have output shift 0");
  } else if (!weights) {
    return makeError("a convolution layer needs weights");
  }

  // The convolution reads `*x`: the input itself when there is nothing to
  // combine or pool (no copy of the feature map), else `staged`.
  const Tensor *x = &input;
  Tensor staged;
  if (cfg.operands > 1 || poolsAnything(cfg.pool, is1d)) {
    llvm::Expected<llvm::SmallVector<Tensor, 4>> split =
        splitOperands(input, cfg.operands);
    if (!split)
      return split.takeError();
    llvm::SmallVector<Tensor, 4> data = std::move(*split);

    // The element-wise result saturates to 8 bits, except in a passthrough
    // layer with 32-bit output.
    bool eltSaturate = cfg.op != LayerOpKind::None || !cfg.output.wide;
    auto combine = [&]() -> llvm::Error {
      llvm::Expected<Tensor> r = eltwise(*cfg.eltwise, data, eltSaturate);
      if (!r)
        return r.takeError();
      data.clear();
      data.push_back(std::move(*r));
      return llvm::Error::success();
    };

    if (cfg.operands > 1 && !cfg.poolFirst)
      if (llvm::Error err = combine())
        return std::move(err);

    if (poolsAnything(cfg.pool, is1d))
      for (Tensor &t : data) {
        llvm::Expected<Tensor> pooled =
            is1d ? pool1d(t, cfg.pool) : pool2d(t, cfg.pool);
        if (!pooled)
          return pooled.takeError();
        t = std::move(*pooled);
      }

    if (cfg.operands > 1 && cfg.poolFirst)
      if (llvm::Error err = combine())
        return std::move(err);
    staged = std::move(data.front());
    x = &staged;
  }

  switch (cfg.op) {
  case LayerOpKind::None:
    return *x;
  case LayerOpKind::Conv2d:
  case LayerOpKind::Linear: {
    if (cfg.flatten) {
      if (x != &staged)
        staged = *x;
      staged.shape = {staged.size(), 1, 1};
      x = &staged;
    }
    Tensor reshapedWeights;
    const Tensor *w = weights;
    if (w->rank() == 2) { // [Out, In] fully connected weights
      reshapedWeights = w->reshaped({w->dim(0), w->dim(1), 1, 1});
      w = &reshapedWeights;
    }
    Conv2dParams p;
    p.padding = cfg.padding;
    p.stride = cfg.stride;
    p.dilation = cfg.dilation;
    p.groups = cfg.groups;
    return conv2d(*x, *w, bias, p, cfg.output);
  }
  case LayerOpKind::ConvTranspose2d: {
    ConvTranspose2dParams p;
    p.padding = cfg.padding;
    p.stride = cfg.stride;
    p.dilation = cfg.dilation;
    p.outputPadding = cfg.outputPadding;
    p.groups = cfg.groups;
    return convTranspose2d(*x, *weights, bias, p, cfg.output);
  }
  case LayerOpKind::Conv1d: {
    Conv1dParams p;
    p.padding = cfg.padding[0];
    p.stride = cfg.stride[0];
    p.dilation = cfg.dilation[0];
    p.groups = cfg.groups;
    return conv1d(*x, *weights, bias, p, cfg.output);
  }
  }
  llvm_unreachable("unknown layer operation");
}
