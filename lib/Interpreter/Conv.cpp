//===- Conv.cpp - Convolution and linear kernels
//---------------------------===//
//
// Every convolution flavour (2D, 1D, transposed, linear) is lowered to one
// direct-convolution core over an explicitly zero-padded (and, for
// transposed convolutions, zero-upsampled) copy of the input. The core runs
// on narrow integers (int16 data, int32 accumulators) whenever a bound on
// the accumulator proves that nothing can overflow, which holds for all
// 8-bit feature maps; otherwise it runs on int64 like the reference model.
// Narrow convolutions with enough taps per output become dot products of
// weight rows with im2col rows (DotKernels.h); large layers split their
// output rows across threads. Every path computes the same exact integers.
//
//===----------------------------------------------------------------------===//

#include "DotKernels.h"
#include "tornado/Interpreter/Kernels.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <thread>
#include <type_traits>

using namespace tornado::interp;

namespace {

/// A convolution reduced to the form the core runs: a stride/dilation
/// convolution without padding over a virtual input that is the real input
/// upsampled by `up` and surrounded by zeros.
struct ConvGeometry {
  int64_t channels = 0, height = 0, width = 0; // real input
  int64_t upH = 1, upW = 1;                    // upsampling factor
  int64_t padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  int64_t outChannels = 0, kernelH = 1, kernelW = 1;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int64_t groups = 1;

  int64_t paddedH() const {
    return (height - 1) * upH + 1 + padTop + padBottom;
  }
  int64_t paddedW() const { return (width - 1) * upW + 1 + padLeft + padRight; }
  int64_t outH() const {
    return (paddedH() - dilationH * (kernelH - 1) - 1) / strideH + 1;
  }
  int64_t outW() const {
    return (paddedW() - dilationW * (kernelW - 1) - 1) / strideW + 1;
  }
  int64_t inPerGroup() const { return channels / groups; }
  int64_t outPerGroup() const { return outChannels / groups; }
};

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(msg.str());
}

/// Builds the zero-padded, upsampled input plane by plane as type T.
template <typename T>
std::vector<T> padInput(const Tensor &input, const ConvGeometry &g) {
  int64_t ph = g.paddedH(), pw = g.paddedW();
  std::vector<T> buf(static_cast<size_t>(g.channels * ph * pw), T(0));
  for (int64_t c = 0; c < g.channels; ++c) {
    const int64_t *src = input.data.data() + c * g.height * g.width;
    T *plane = buf.data() + c * ph * pw;
    for (int64_t y = 0; y < g.height; ++y) {
      T *row = plane + (g.padTop + y * g.upH) * pw + g.padLeft;
      for (int64_t x = 0; x < g.width; ++x)
        row[x * g.upW] = static_cast<T>(src[y * g.width + x]);
    }
  }
  return buf;
}

/// Number of output channels computed together: their accumulators share
/// every input load.
constexpr int64_t kChannelBlock = 4;

/// The direct convolution. T is the storage type of data and weights, A the
/// accumulator type; the caller guarantees that A cannot overflow.
template <typename T, typename A>
void convCore(const Tensor &input, const Tensor &weights,
              llvm::ArrayRef<int64_t> bias, const ConvGeometry &g,
              Tensor &out) {
  const int64_t ph = g.paddedH(), pw = g.paddedW();
  const int64_t oh = g.outH(), ow = g.outW();
  const int64_t cinPerGroup = g.inPerGroup(), coutPerGroup = g.outPerGroup();
  const int64_t taps = g.kernelH * g.kernelW;
  const int64_t sw = g.strideW;

  std::vector<T> padded = padInput<T>(input, g);
  std::vector<T> w(weights.data.size());
  for (size_t i = 0, e = w.size(); i != e; ++i)
    w[i] = static_cast<T>(weights.data[i]);

  std::vector<A> accBuf(static_cast<size_t>(kChannelBlock * ow));
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    const T *groupIn = padded.data() + grp * cinPerGroup * ph * pw;
    for (int64_t co0 = grp * coutPerGroup, coEnd = co0 + coutPerGroup;
         co0 < coEnd; co0 += kChannelBlock) {
      int64_t nb = std::min(kChannelBlock, coEnd - co0);
      for (int64_t oy = 0; oy < oh; ++oy) {
        for (int64_t b = 0; b < nb; ++b) {
          A init = bias.empty() ? A(0) : A(bias[co0 + b] * kBiasScale);
          std::fill_n(accBuf.data() + b * ow, ow, init);
        }
        for (int64_t ci = 0; ci < cinPerGroup; ++ci) {
          const T *plane = groupIn + ci * ph * pw;
          for (int64_t ky = 0; ky < g.kernelH; ++ky) {
            const T *row = plane + (oy * g.strideH + ky * g.dilationH) * pw;
            for (int64_t kx = 0; kx < g.kernelW; ++kx) {
              const T *src = row + kx * g.dilationW;
              int64_t tap = (ci * g.kernelH + ky) * g.kernelW + kx;
              if (nb == kChannelBlock && sw == 1) {
                // Hot path: four output channels, unit stride.
                const T *wp = w.data() + co0 * cinPerGroup * taps + tap;
                A w0 = wp[0], w1 = wp[cinPerGroup * taps],
                  w2 = wp[2 * cinPerGroup * taps],
                  w3 = wp[3 * cinPerGroup * taps];
                A *a0 = accBuf.data(), *a1 = a0 + ow, *a2 = a1 + ow,
                  *a3 = a2 + ow;
                for (int64_t ox = 0; ox < ow; ++ox) {
                  A x = src[ox];
                  a0[ox] += w0 * x;
                  a1[ox] += w1 * x;
                  a2[ox] += w2 * x;
                  a3[ox] += w3 * x;
                }
                continue;
              }
              for (int64_t b = 0; b < nb; ++b) {
                A wv = w[(co0 + b) * cinPerGroup * taps + tap];
                if (wv == 0)
                  continue;
                A *acc = accBuf.data() + b * ow;
                if (sw == 1) {
                  for (int64_t ox = 0; ox < ow; ++ox)
                    acc[ox] += wv * A(src[ox]);
                } else {
                  for (int64_t ox = 0; ox < ow; ++ox)
                    acc[ox] += wv * A(src[ox * sw]);
                }
              }
            }
          }
        }
        for (int64_t b = 0; b < nb; ++b) {
          int64_t *dst = out.data.data() + ((co0 + b) * oh + oy) * ow;
          const A *acc = accBuf.data() + b * ow;
          for (int64_t ox = 0; ox < ow; ++ox)
            dst[ox] = acc[ox];
        }
      }
    }
  }
}

/// Multiply-accumulates below which a layer runs on one thread.
constexpr int64_t kParallelWork = int64_t(1) << 21;

/// Calls body(begin, end) on consecutive slices of [0, n), one thread per
/// slice when `work` pays for the threads.
template <typename F> void parallelSlices(int64_t n, int64_t work, F body) {
  int64_t threads =
      work < kParallelWork
          ? 1
          : std::min<int64_t>({n, std::thread::hardware_concurrency(), 8});
  if (threads <= 1)
    return body(int64_t(0), n);
  std::vector<std::thread> pool;
  for (int64_t i = 1; i < threads; ++i)
    pool.emplace_back(body, n * i / threads, n * (i + 1) / threads);
  body(int64_t(0), n / threads);
  for (std::thread &t : pool)
    t.join();
}

/// Whether convGemm suits the layer: enough taps per output for the dot
/// products and enough output channels to share each im2col row.
bool gemmSuits(const ConvGeometry &g) {
  int64_t taps = g.inPerGroup() * g.kernelH * g.kernelW;
  return taps >= int64_t(detail::kDotAlign) && g.outPerGroup() >= 4;
}

/// Copies the kernel row at `src` for each of `count` output pixels into
/// the im2col rows (`dst`, rows `len` apart); the common kernel widths get
/// unrolled copies.
void gatherTaps(const int16_t *src, int16_t *dst, int64_t count, int64_t len,
                int64_t stride, int64_t kernelW, int64_t dilation) {
  auto run = [&](auto width) {
    for (int64_t ox = 0; ox < count; ++ox) {
      const int16_t *s = src + ox * stride;
      int16_t *d = dst + ox * len;
      for (int64_t kx = 0; kx < width; ++kx)
        d[kx] = s[kx * dilation];
    }
  };
  if (kernelW == 3)
    run(std::integral_constant<int64_t, 3>());
  else if (kernelW == 1)
    run(std::integral_constant<int64_t, 1>());
  else
    run(kernelW);
}

/// The narrow convolution as dot products: for every output row, the taps
/// of each output pixel are gathered into one zero-padded int16 row
/// (im2col) and dotted with every weight row of the group.
void convGemm(const Tensor &input, const Tensor &weights,
              llvm::ArrayRef<int64_t> bias, const ConvGeometry &g,
              Tensor &out) {
  const int64_t ph = g.paddedH(), pw = g.paddedW();
  const int64_t oh = g.outH(), ow = g.outW();
  const int64_t cinPerGroup = g.inPerGroup(), coutPerGroup = g.outPerGroup();
  const int64_t taps = cinPerGroup * g.kernelH * g.kernelW;
  const int64_t len = llvm::alignTo(taps, detail::kDotAlign);

  std::vector<int16_t> padded = padInput<int16_t>(input, g);
  std::vector<int16_t> w(static_cast<size_t>(g.outChannels * len), 0);
  for (int64_t co = 0; co < g.outChannels; ++co)
    for (int64_t t = 0; t < taps; ++t)
      w[co * len + t] = static_cast<int16_t>(weights.data[co * taps + t]);

  auto rows = [&](int64_t begin, int64_t end) {
    std::vector<int16_t> cols(static_cast<size_t>(ow * len), 0);
    std::vector<int32_t> sums(static_cast<size_t>(coutPerGroup * ow));
    for (int64_t oy = begin; oy < end; ++oy)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const int16_t *groupIn = padded.data() + grp * cinPerGroup * ph * pw;
        for (int64_t ci = 0; ci < cinPerGroup; ++ci)
          for (int64_t ky = 0; ky < g.kernelH; ++ky) {
            const int16_t *src = groupIn + ci * ph * pw +
                                 (oy * g.strideH + ky * g.dilationH) * pw;
            int16_t *dst = cols.data() + (ci * g.kernelH + ky) * g.kernelW;
            gatherTaps(src, dst, ow, len, g.strideW, g.kernelW, g.dilationW);
          }
        int64_t co0 = grp * coutPerGroup;
        detail::dotBlock(w.data() + co0 * len, coutPerGroup, cols.data(), ow,
                         len, sums.data(), ow);
        for (int64_t b = 0; b < coutPerGroup; ++b) {
          int64_t init = bias.empty() ? 0 : bias[co0 + b] * kBiasScale;
          int64_t *dst = out.data.data() + ((co0 + b) * oh + oy) * ow;
          const int32_t *sum = sums.data() + b * ow;
          for (int64_t ox = 0; ox < ow; ++ox)
            dst[ox] = init + sum[ox];
        }
      }
  };
  parallelSlices(oh, g.outChannels * oh * ow * taps, rows);
}

/// Validates shapes and parameters, then runs the narrowest safe core.
llvm::Expected<Tensor> runConv(const Tensor &input, const Tensor &weights,
                               llvm::ArrayRef<int64_t> bias,
                               const ConvGeometry &g) {
  if (g.groups < 1 || g.channels % g.groups || g.outChannels % g.groups)
    return makeError(llvm::formatv(
        "groups {0} must divide the input ({1}) and output ({2}) channels",
        g.groups, g.channels, g.outChannels));
  if (weights.dim(1) * g.groups != g.channels)
    return makeError(llvm::formatv(
        "weights expect {0} input channels per group, the input has {1} "
        "channels in {2} groups",
        weights.dim(1), g.channels, g.groups));
  if (g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1)
    return makeError("stride and dilation must be at least 1");
  if (g.padTop < 0 || g.padBottom < 0 || g.padLeft < 0 || g.padRight < 0)
    return makeError("padding must not be negative");
  if (g.height < 1 || g.width < 1 || g.kernelH < 1 || g.kernelW < 1)
    return makeError("empty input or kernel");
  if (!bias.empty() && static_cast<int64_t>(bias.size()) != g.outChannels)
    return makeError(llvm::formatv("{0} bias values for {1} output channels",
                                   bias.size(), g.outChannels));
  if (llvm::Error err = checkBias(bias))
    return std::move(err);
  int64_t oh = g.outH(), ow = g.outW();
  if (oh < 1 || ow < 1 || g.paddedH() < g.dilationH * (g.kernelH - 1) + 1 ||
      g.paddedW() < g.dilationW * (g.kernelW - 1) + 1)
    return makeError("the kernel does not fit the padded input");

  Tensor out({g.outChannels, oh, ow});

  // Largest |accumulator| the data can produce; int32 is safe below 2^31.
  int64_t maxX = input.maxAbs(), maxW = weights.maxAbs();
  int64_t maxBias = 0;
  for (int64_t b : bias)
    maxBias = std::max(maxBias, b < 0 ? -b : b);
  const int64_t limit16 = std::numeric_limits<int16_t>::max();
  bool narrow = maxX <= limit16 && maxW <= limit16;
  if (narrow) {
    int64_t terms = (g.channels / g.groups) * g.kernelH * g.kernelW;
    // Each product is below 2^30, so maxX * maxW cannot overflow int64; the
    // division keeps the comparison overflow-free as well.
    int64_t budget = std::numeric_limits<int32_t>::max() - maxBias * kBiasScale;
    int64_t perTerm = maxX * maxW;
    narrow = perTerm == 0 || terms <= budget / perTerm;
  }
  if (narrow && gemmSuits(g))
    convGemm(input, weights, bias, g, out);
  else if (narrow)
    convCore<int16_t, int32_t>(input, weights, bias, g, out);
  else
    convCore<int64_t, int64_t>(input, weights, bias, g, out);
  return out;
}

llvm::Error checkStage(const Tensor &weights, const OutputStage &stage) {
  if (llvm::Error err = checkWeights(weights, stage.weightBits))
    return err;
  int64_t shift = stage.totalShift();
  if (shift < kMinTotalShift || shift > kMaxTotalShift)
    return makeError(llvm::formatv(
        "output shift {0} plus the implicit shift {1} of {2}-bit weights is "
        "outside [{3}, {4}]",
        stage.outputShift, implicitShift(stage.weightBits), stage.weightBits,
        kMinTotalShift, kMaxTotalShift));
  return llvm::Error::success();
}

llvm::Expected<Tensor> finish(llvm::Expected<Tensor> acc,
                              const OutputStage &stage) {
  if (acc)
    finishOutputs(*acc, stage);
  return acc;
}

} // namespace

int64_t tornado::interp::convOutputSize(int64_t in, int64_t kernel, int64_t pad,
                                        int64_t stride, int64_t dilation) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

int64_t tornado::interp::convTransposeOutputSize(int64_t in, int64_t kernel,
                                                 int64_t pad, int64_t stride,
                                                 int64_t dilation,
                                                 int64_t outputPad) {
  return (in - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPad + 1;
}

//===----------------------------------------------------------------------===//
// Conv2d
//===----------------------------------------------------------------------===//

llvm::Expected<Tensor>
tornado::interp::conv2dAccumulate(const Tensor &input, const Tensor &weights,
                                  llvm::ArrayRef<int64_t> bias,
                                  const Conv2dParams &p) {
  if (input.rank() != 3 || weights.rank() != 4)
    return makeError(llvm::formatv(
        "conv2d needs a [C, H, W] input and [Cout, Cin/groups, KH, KW] "
        "weights, got ranks {0} and {1}",
        input.rank(), weights.rank()));
  ConvGeometry g;
  g.channels = input.dim(0);
  g.height = input.dim(1);
  g.width = input.dim(2);
  g.outChannels = weights.dim(0);
  g.kernelH = weights.dim(2);
  g.kernelW = weights.dim(3);
  g.padTop = g.padBottom = p.padding[0];
  g.padLeft = g.padRight = p.padding[1];
  g.strideH = p.stride[0];
  g.strideW = p.stride[1];
  g.dilationH = p.dilation[0];
  g.dilationW = p.dilation[1];
  g.groups = p.groups;
  return runConv(input, weights, bias, g);
}

llvm::Expected<Tensor> tornado::interp::conv2d(const Tensor &input,
                                               const Tensor &weights,
                                               llvm::ArrayRef<int64_t> bias,
                                               const Conv2dParams &p,
                                               const OutputStage &stage) {
  if (llvm::Error err = checkStage(weights, stage))
    return std::move(err);
  return finish(conv2dAccumulate(input, weights, bias, p), stage);
}

//===----------------------------------------------------------------------===//
// Conv1d: a 2D convolution over a single row
//===----------------------------------------------------------------------===//

llvm::Expected<Tensor>
tornado::interp::conv1dAccumulate(const Tensor &input, const Tensor &weights,
                                  llvm::ArrayRef<int64_t> bias,
                                  const Conv1dParams &p) {
  if (input.rank() != 2 || weights.rank() != 3)
    return makeError(llvm::formatv(
        "conv1d needs a [C, L] input and [Cout, Cin/groups, K] weights, got "
        "ranks {0} and {1}",
        input.rank(), weights.rank()));
  ConvGeometry g;
  g.channels = input.dim(0);
  g.height = 1;
  g.width = input.dim(1);
  g.outChannels = weights.dim(0);
  g.kernelW = weights.dim(2);
  g.padLeft = g.padRight = p.padding;
  g.strideW = p.stride;
  g.dilationW = p.dilation;
  g.groups = p.groups;
  llvm::Expected<Tensor> out = runConv(
      input,
      weights.reshaped({weights.dim(0), weights.dim(1), 1, weights.dim(2)}),
      bias, g);
  if (!out)
    return out.takeError();
  return out->reshaped({out->dim(0), out->dim(2)});
}

llvm::Expected<Tensor> tornado::interp::conv1d(const Tensor &input,
                                               const Tensor &weights,
                                               llvm::ArrayRef<int64_t> bias,
                                               const Conv1dParams &p,
                                               const OutputStage &stage) {
  if (llvm::Error err = checkStage(weights, stage))
    return std::move(err);
  return finish(conv1dAccumulate(input, weights, bias, p), stage);
}

//===----------------------------------------------------------------------===//
// ConvTranspose2d: upsample, pad, convolve with stride 1
//===----------------------------------------------------------------------===//

llvm::Expected<Tensor> tornado::interp::convTranspose2dAccumulate(
    const Tensor &input, const Tensor &weights, llvm::ArrayRef<int64_t> bias,
    const ConvTranspose2dParams &p) {
  if (input.rank() != 3 || weights.rank() != 4)
    return makeError(llvm::formatv(
        "conv_transpose2d needs a [C, H, W] input and [Cout, Cin/groups, KH, "
        "KW] weights, got ranks {0} and {1}",
        input.rank(), weights.rank()));
  if (p.stride[0] < 1 || p.stride[1] < 1 || p.outputPadding[0] < 0 ||
      p.outputPadding[1] < 0)
    return makeError("invalid transposed-convolution stride or output padding");
  ConvGeometry g;
  g.channels = input.dim(0);
  g.height = input.dim(1);
  g.width = input.dim(2);
  g.upH = p.stride[0];
  g.upW = p.stride[1];
  g.outChannels = weights.dim(0);
  g.kernelH = weights.dim(2);
  g.kernelW = weights.dim(3);
  g.dilationH = p.dilation[0];
  g.dilationW = p.dilation[1];
  // The hardware pads by dilation * (k - 1) - padding; a negative value
  // would crop, which it cannot do.
  g.padTop = p.dilation[0] * (g.kernelH - 1) - p.padding[0];
  g.padLeft = p.dilation[1] * (g.kernelW - 1) - p.padding[1];
  g.padBottom = g.padTop + p.outputPadding[0];
  g.padRight = g.padLeft + p.outputPadding[1];
  g.groups = p.groups;
  if (p.padding[0] < 0 || p.padding[1] < 0 || g.padTop < 0 || g.padLeft < 0)
    return makeError(llvm::formatv(
        "transposed-convolution padding [{0}, {1}] must be in [0, dilation * "
        "(kernel - 1)]",
        p.padding[0], p.padding[1]));
  return runConv(input, weights, bias, g);
}

llvm::Expected<Tensor> tornado::interp::convTranspose2d(
    const Tensor &input, const Tensor &weights, llvm::ArrayRef<int64_t> bias,
    const ConvTranspose2dParams &p, const OutputStage &stage) {
  if (llvm::Error err = checkStage(weights, stage))
    return std::move(err);
  return finish(convTranspose2dAccumulate(input, weights, bias, p), stage);
}

Tensor tornado::interp::flipKernels(const Tensor &weights) {
  assert(weights.rank() == 4 && "expected [O, I, KH, KW] weights");
  Tensor out(weights.shape);
  int64_t kh = weights.dim(2), kw = weights.dim(3);
  int64_t kernels = weights.dim(0) * weights.dim(1);
  for (int64_t k = 0; k < kernels; ++k)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        out.data[(k * kh + y) * kw + x] =
            weights.data[(k * kh + (kh - 1 - y)) * kw + (kw - 1 - x)];
  return out;
}

llvm::Expected<Tensor>
tornado::interp::transposedWeightsFromTorch(const Tensor &torchWeights,
                                            int64_t groups) {
  if (torchWeights.rank() != 4)
    return makeError("expected [Cin, Cout/groups, KH, KW] weights");
  if (groups < 1 || torchWeights.dim(0) % groups)
    return makeError(
        llvm::formatv("groups {0} must divide the {1} input channels", groups,
                      torchWeights.dim(0)));
  int64_t cin = torchWeights.dim(0), coutPerGroup = torchWeights.dim(1);
  int64_t cinPerGroup = cin / groups;
  int64_t kh = torchWeights.dim(2), kw = torchWeights.dim(3);
  Tensor flipped = flipKernels(torchWeights);
  // PyTorch: input channel ci = grp * cinPerGroup + i feeds output channel
  // grp * coutPerGroup + o through torch[ci][o].
  Tensor out({coutPerGroup * groups, cinPerGroup, kh, kw});
  int64_t plane = kh * kw;
  for (int64_t grp = 0; grp < groups; ++grp)
    for (int64_t i = 0; i < cinPerGroup; ++i)
      for (int64_t o = 0; o < coutPerGroup; ++o) {
        const int64_t *src =
            flipped.data.data() +
            ((grp * cinPerGroup + i) * coutPerGroup + o) * plane;
        int64_t *dst = out.data.data() +
                       ((grp * coutPerGroup + o) * cinPerGroup + i) * plane;
        std::memcpy(dst, src, plane * sizeof(int64_t));
      }
  return out;
}

//===----------------------------------------------------------------------===//
// Linear: a 1x1 convolution of the flattened input
//===----------------------------------------------------------------------===//

Tensor tornado::interp::flatten(const Tensor &input) {
  return input.reshaped({input.size(), 1, 1});
}

llvm::Expected<Tensor>
tornado::interp::linearAccumulate(const Tensor &input, const Tensor &weights,
                                  llvm::ArrayRef<int64_t> bias) {
  bool is2d = weights.rank() == 2;
  bool is4d = weights.rank() == 4 && weights.dim(2) == 1 && weights.dim(3) == 1;
  if (!is2d && !is4d)
    return makeError("linear needs [Out, In] or [Out, In, 1, 1] weights");
  if (weights.dim(1) != input.size())
    return makeError(llvm::formatv(
        "linear weights expect {0} inputs, the flattened input has {1}",
        weights.dim(1), input.size()));
  return conv2dAccumulate(
      flatten(input), weights.reshaped({weights.dim(0), weights.dim(1), 1, 1}),
      bias, Conv2dParams());
}

llvm::Expected<Tensor> tornado::interp::linear(const Tensor &input,
                                               const Tensor &weights,
                                               llvm::ArrayRef<int64_t> bias,
                                               const OutputStage &stage) {
  if (llvm::Error err = checkStage(weights, stage))
    return std::move(err);
  return finish(linearAccumulate(input, weights, bias), stage);
}
