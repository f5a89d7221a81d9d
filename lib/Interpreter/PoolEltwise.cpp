//===- PoolEltwise.cpp - Pooling, element-wise ops, concatenation
//----------===//

#include "tornado/Interpreter/Kernels.h"
#include "llvm/Support/FormatVariadic.h"
#include <algorithm>
#include <limits>

using namespace tornado::interp;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(msg.str());
}

/// Round half away from zero of sum / count (count > 0).
int64_t divRoundHalfAway(int64_t sum, int64_t count) {
  int64_t mag = sum < 0 ? -sum : sum;
  int64_t q = (2 * mag + count) / (2 * count);
  return sum < 0 ? -q : q;
}

llvm::Error checkPoolParams(const PoolParams &p, unsigned dims) {
  for (unsigned i = 0; i < dims; ++i)
    if (p.kernel[i] < 1 || p.stride[i] < 1 || p.dilation[i] < 1)
      return makeError("pool kernel, stride and dilation must be at least 1");
  return llvm::Error::success();
}

} // namespace

int64_t tornado::interp::poolOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t dilation) {
  // Note: the window spans kernel + dilation - 1 elements here, which equals
  // the true (kernel - 1) * dilation + 1 only when kernel <= 2 or
  // dilation == 1. This is the size the hardware is configured with.
  return (in + stride - kernel - dilation + 1) / stride;
}

llvm::Expected<Tensor> tornado::interp::pool2d(const Tensor &input,
                                               const PoolParams &p) {
  if (input.rank() != 3)
    return makeError("pool2d needs a [C, H, W] input");
  if (llvm::Error err = checkPoolParams(p, 2))
    return std::move(err);
  int64_t c = input.dim(0), h = input.dim(1), w = input.dim(2);

  if (p.kernel[0] == 1 && p.kernel[1] == 1) {
    // No pooling: the stride alone subsamples.
    if (p.dilation[0] != 1 || p.dilation[1] != 1)
      return makeError("pool dilation needs a pooling kernel larger than 1x1");
    int64_t oh = (h + p.stride[0] - 1) / p.stride[0];
    int64_t ow = (w + p.stride[1] - 1) / p.stride[1];
    Tensor out({c, oh, ow});
    int64_t *dst = out.data.data();
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x)
          *dst++ = input.data[(ch * h + y * p.stride[0]) * w + x * p.stride[1]];
    return out;
  }

  int64_t oh = poolOutputSize(h, p.kernel[0], p.stride[0], p.dilation[0]);
  int64_t ow = poolOutputSize(w, p.kernel[1], p.stride[1], p.dilation[1]);
  if (oh < 1 || ow < 1)
    return makeError(
        llvm::formatv("pooling a {0}x{1} input gives no output", h, w));
  // With kernel > 2 and dilation > 1 the configured output size lets the
  // last window run past the input; there is no defined answer for that.
  if ((oh - 1) * p.stride[0] + (p.kernel[0] - 1) * p.dilation[0] >= h ||
      (ow - 1) * p.stride[1] + (p.kernel[1] - 1) * p.dilation[1] >= w)
    return makeError("the dilated pooling window runs past the input");

  Tensor out({c, oh, ow});
  int64_t count = p.kernel[0] * p.kernel[1];
  int64_t *dst = out.data.data();
  for (int64_t ch = 0; ch < c; ++ch) {
    const int64_t *plane = input.data.data() + ch * h * w;
    for (int64_t y = 0; y < oh; ++y) {
      for (int64_t x = 0; x < ow; ++x) {
        int64_t best = std::numeric_limits<int64_t>::min(), sum = 0;
        for (int64_t ky = 0; ky < p.kernel[0]; ++ky) {
          const int64_t *row = plane +
                               (y * p.stride[0] + ky * p.dilation[0]) * w +
                               x * p.stride[1];
          for (int64_t kx = 0; kx < p.kernel[1]; ++kx) {
            int64_t v = row[kx * p.dilation[1]];
            best = std::max(best, v);
            sum += v;
          }
        }
        if (p.kind == PoolKind::Max)
          *dst++ = best;
        else if (p.avgRound)
          *dst++ = saturate8(divRoundHalfAway(sum, count));
        else
          *dst++ = sum / count; // C++ division truncates towards zero
      }
    }
  }
  return out;
}

llvm::Expected<Tensor> tornado::interp::pool1d(const Tensor &input,
                                               const PoolParams &p) {
  if (input.rank() != 2)
    return makeError("pool1d needs a [C, L] input");
  if (llvm::Error err = checkPoolParams(p, 1))
    return std::move(err);
  int64_t c = input.dim(0), len = input.dim(1);
  int64_t k = p.kernel[0], s = p.stride[0], d = p.dilation[0];

  if (k == 1) {
    if (d != 1)
      return makeError("pool dilation needs a pooling kernel larger than 1");
    int64_t ol = (len + s - 1) / s;
    Tensor out({c, ol});
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t x = 0; x < ol; ++x)
        out.data[ch * ol + x] = input.data[ch * len + x * s];
    return out;
  }

  int64_t ol = poolOutputSize(len, k, s, d);
  if (ol < 1)
    return makeError(llvm::formatv("pooling length {0} gives no output", len));
  Tensor out({c, ol});
  for (int64_t ch = 0; ch < c; ++ch) {
    const int64_t *seq = input.data.data() + ch * len;
    for (int64_t i = 0; i < ol; ++i) {
      int64_t x = i * s;
      int64_t v;
      if (p.kind == PoolKind::Max) {
        // The 1D max window is contiguous: dilation is not applied.
        v = *std::max_element(seq + x, seq + x + k);
      } else {
        // Taps past the end are dropped and the average is over the rest;
        // it always truncates towards zero and saturates.
        int64_t sum = 0, n = 0;
        for (int64_t t = 0; t < k && x + t * d < len; ++t, ++n)
          sum += seq[x + t * d];
        v = saturate8(sum / n);
      }
      out.data[ch * ol + i] = v;
    }
  }
  return out;
}

llvm::Expected<Tensor> tornado::interp::eltwise(EltwiseKind kind,
                                                llvm::ArrayRef<Tensor> operands,
                                                bool saturate) {
  if (operands.size() < 2 || operands.size() > 16)
    return makeError(
        llvm::formatv("element-wise operations take 2 to 16 operands, got {0}",
                      operands.size()));
  for (const Tensor &t : operands.drop_front())
    if (t.shape != operands.front().shape)
      return makeError("element-wise operands differ in shape");
  Tensor out = operands.front();
  for (const Tensor &t : operands.drop_front()) {
    int64_t *a = out.data.data();
    const int64_t *b = t.data.data();
    int64_t n = out.size();
    switch (kind) {
    case EltwiseKind::Add:
      for (int64_t i = 0; i < n; ++i)
        a[i] += b[i];
      break;
    case EltwiseKind::Sub:
      for (int64_t i = 0; i < n; ++i)
        a[i] -= b[i];
      break;
    case EltwiseKind::Or:
      for (int64_t i = 0; i < n; ++i)
        a[i] |= b[i];
      break;
    case EltwiseKind::Xor:
      for (int64_t i = 0; i < n; ++i)
        a[i] ^= b[i];
      break;
    }
  }
  // Saturation happens once, after all operands are combined.
  if (saturate)
    for (int64_t &v : out.data)
      v = saturate8(v);
  return out;
}

llvm::Expected<Tensor>
tornado::interp::concatChannels(llvm::ArrayRef<Tensor> inputs) {
  if (inputs.empty())
    return makeError("nothing to concatenate");
  const Tensor &first = inputs.front();
  if (first.rank() < 1)
    return makeError("cannot concatenate scalars");
  llvm::ArrayRef<int64_t> rest = llvm::ArrayRef(first.shape).drop_front();
  int64_t channels = 0;
  for (const Tensor &t : inputs) {
    if (t.rank() != first.rank() ||
        llvm::ArrayRef(t.shape).drop_front() != rest)
      return makeError("concatenated feature maps differ in spatial shape");
    channels += t.dim(0);
  }
  llvm::SmallVector<int64_t, 4> shape{channels};
  shape.append(rest.begin(), rest.end());
  std::vector<int64_t> data;
  data.reserve(Tensor::numElements(shape));
  for (const Tensor &t : inputs)
    data.insert(data.end(), t.data.begin(), t.data.end());
  return Tensor(shape, std::move(data));
}

llvm::Expected<Tensor>
tornado::interp::combineInSequences(llvm::ArrayRef<Tensor> inputs,
                                    llvm::ArrayRef<int64_t> inDim) {
  if (inputs.empty())
    return makeError("in_sequences is empty");
  bool sameSpatial = llvm::all_of(inputs, [&](const Tensor &t) {
    return t.rank() == inputs.front().rank() && t.rank() >= 1 &&
           llvm::ArrayRef(t.shape).drop_front() ==
               llvm::ArrayRef(inputs.front().shape).drop_front();
  });
  if (sameSpatial)
    return concatChannels(inputs);

  // Different spatial shapes: the hardware sees each channel's pixels of the
  // first source followed by those of the next; this only makes sense with
  // equal channel counts and an explicit input shape.
  int64_t channels = inputs.front().dim(0);
  int64_t pixels = 0;
  for (const Tensor &t : inputs) {
    if (t.rank() < 1 || t.dim(0) != channels)
      return makeError("cannot combine in_sequences with different channel "
                       "counts and different spatial shapes");
    pixels += t.size() / channels;
  }
  if (inDim.empty() || Tensor::numElements(inDim) != pixels)
    return makeError(llvm::formatv(
        "in_sequences of different shapes need an in_dim with {0} pixels",
        pixels));
  std::vector<int64_t> data;
  data.reserve(channels * pixels);
  for (int64_t c = 0; c < channels; ++c)
    for (const Tensor &t : inputs) {
      int64_t per = t.size() / channels;
      data.insert(data.end(), t.data.begin() + c * per,
                  t.data.begin() + (c + 1) * per);
    }
  llvm::SmallVector<int64_t, 4> shape{channels};
  shape.append(inDim.begin(), inDim.end());
  return Tensor(shape, std::move(data));
}

llvm::Expected<llvm::SmallVector<Tensor, 4>>
tornado::interp::splitOperands(const Tensor &input, unsigned count) {
  if (count < 1 || input.rank() < 1 || input.dim(0) % count)
    return makeError(
        llvm::formatv("cannot split {0} channels into {1} operands",
                      input.rank() ? input.dim(0) : 0, count));
  llvm::SmallVector<Tensor, 4> parts;
  llvm::SmallVector<int64_t, 4> shape(input.shape);
  shape[0] /= count;
  int64_t per = Tensor::numElements(shape);
  for (unsigned i = 0; i < count; ++i)
    parts.emplace_back(
        shape, std::vector<int64_t>(input.data.begin() + i * per,
                                    input.data.begin() + (i + 1) * per));
  return parts;
}
