//===- Kernels.h - Bit-exact compute kernels of the accelerator --*- C++
//-*-===//
//
// Plain C++ implementations of what one MAX78000/MAX78002 layer computes,
// exact to the bit. Their results are the known answers the chip must
// reproduce. docs/semantics.md explains every rule with small examples.
//
// Conventions:
//  * Feature maps are CHW ([C, H, W]); 1D layers use [C, L].
//  * Convolution weights are [out, in / groups, kh, kw] (2D) or
//    [out, in / groups, k] (1D), integers of `weightBits` bits.
//  * `bias` holds the per-output-channel 8-bit values as the bias memory
//    stores them; the hardware adds bias * 128 to the accumulator. An empty
//    `bias` means no bias.
//  * Functions named ...Accumulate return the raw accumulators (sum of
//    products + bias * 128) before the output stage.
//  * Invalid arguments (shape mismatches, out-of-range weights, ...) yield an
//    llvm::Error; nothing asserts on user data.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_INTERPRETER_KERNELS_H
#define TORNADO_INTERPRETER_KERNELS_H

#include "tornado/Interpreter/Tensor.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include <array>
#include <cstdint>
#include <optional>

namespace tornado {
namespace interp {

enum class Activation { None, ReLU, Abs };
enum class PoolKind { Max, Avg };
enum class EltwiseKind { Add, Sub, Or, Xor };
enum class LayerOpKind { None, Conv1d, Conv2d, ConvTranspose2d, Linear };

/// `weightBits` value for binary weights (each weight is -1 or +1).
constexpr int kBinaryWeights = -1;
/// Bias values are multiplied by this before they join the accumulator.
constexpr int64_t kBiasScale = 128;
/// Shift range of the hardware's output-shift field (the total shift,
/// including the implicit shift of narrow weights).
constexpr int kMinTotalShift = -15;
constexpr int kMaxTotalShift = 15;

//===----------------------------------------------------------------------===//
// Output stage: shift, round, saturate, activate
//===----------------------------------------------------------------------===//

/// Extra output shift the hardware applies for narrow weights: 8 - |bits|
/// (0 for 8-bit, 4 for 4-bit, 6 for 2-bit, 7 for 1-bit and binary).
int implicitShift(int weightBits);

/// Whether `weightBits` is one of 8, 4, 2, 1 or kBinaryWeights.
bool isValidWeightBits(int weightBits);

/// Checks that every weight is representable with `weightBits`:
/// [-2^(b-1), 2^(b-1) - 1], or exactly -1/+1 for binary weights.
llvm::Error checkWeights(const Tensor &weights, int weightBits);

/// Checks that every bias value fits the 8-bit bias memory.
llvm::Error checkBias(llvm::ArrayRef<int64_t> bias);

/// How a convolution's accumulators become the layer output.
struct OutputStage {
  /// 8, 4, 2, 1 or kBinaryWeights.
  int weightBits = 8;
  /// The layer's output_shift as the YAML/checkpoint gives it, without the
  /// implicit shift of narrow weights.
  int64_t outputShift = 0;
  /// output_width: 32. The accumulator is then emitted unshifted and
  /// unsaturated.
  bool wide = false;
  Activation activation = Activation::None;

  /// The shift the hardware applies: outputShift + implicitShift(weightBits).
  int64_t totalShift() const { return outputShift + implicitShift(weightBits); }
};

/// floor(acc * 2^totalShift / 128 + 1/2): a left/right shift by
/// (totalShift - 7) that rounds half towards +infinity. Exact for any int64
/// `acc` whose scaled value fits int64; `totalShift` must be in [-56, 62].
int64_t shiftRound(int64_t acc, int64_t totalShift);

/// Clamps to the signed 8-bit range [-128, 127].
int64_t saturate8(int64_t value);

/// ReLU clamps to [0, 127]; Abs takes the magnitude and clamps to [0, 127]
/// (so -128 becomes 127). The clamp to 127 applies even to wide outputs.
int64_t activate(int64_t value, Activation activation);

/// The whole stage for one accumulator: shift/round/saturate unless wide,
/// then the activation.
int64_t finishOutput(int64_t acc, const OutputStage &stage);

/// Applies finishOutput to every element of `accumulators` in place.
void finishOutputs(Tensor &accumulators, const OutputStage &stage);

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

struct Conv2dParams {
  std::array<int64_t, 2> padding = {0, 0}; // rows, cols; both sides
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 2> dilation = {1, 1};
  int64_t groups = 1;
};

struct Conv1dParams {
  int64_t padding = 0; // both ends
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t groups = 1;
};

/// A transposed convolution as the hardware runs it: the input is upsampled
/// by `stride` (stride - 1 zeros between neighbours), padded by
/// dilation * (k - 1) - padding on each side plus `outputPadding` at the
/// bottom/right, and convolved with stride 1.
struct ConvTranspose2dParams {
  std::array<int64_t, 2> padding = {0, 0};
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 2> dilation = {1, 1};
  std::array<int64_t, 2> outputPadding = {0, 0};
  int64_t groups = 1;
};

/// Output extent of a convolution along one dimension:
/// (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1.
int64_t convOutputSize(int64_t in, int64_t kernel, int64_t pad, int64_t stride,
                       int64_t dilation);

/// Output extent of a transposed convolution along one dimension:
/// (in - 1) * stride - 2 * pad + dilation * (k - 1) + outputPad + 1.
int64_t convTransposeOutputSize(int64_t in, int64_t kernel, int64_t pad,
                                int64_t stride, int64_t dilation,
                                int64_t outputPad);

/// [C, H, W] x [Cout, C / groups, KH, KW] -> accumulators [Cout, OH, OW].
llvm::Expected<Tensor> conv2dAccumulate(const Tensor &input,
                                        const Tensor &weights,
                                        llvm::ArrayRef<int64_t> bias,
                                        const Conv2dParams &params);
llvm::Expected<Tensor> conv2d(const Tensor &input, const Tensor &weights,
                              llvm::ArrayRef<int64_t> bias,
                              const Conv2dParams &params,
                              const OutputStage &stage);

/// [C, L] x [Cout, C / groups, K] -> accumulators [Cout, OL].
llvm::Expected<Tensor> conv1dAccumulate(const Tensor &input,
                                        const Tensor &weights,
                                        llvm::ArrayRef<int64_t> bias,
                                        const Conv1dParams &params);
llvm::Expected<Tensor> conv1d(const Tensor &input, const Tensor &weights,
                              llvm::ArrayRef<int64_t> bias,
                              const Conv1dParams &params,
                              const OutputStage &stage);

/// `weights` are the kernels the hardware applies after upsampling,
/// [Cout, C / groups, KH, KW], i.e. already flipped; see
/// transposedWeightsFromTorch for converting PyTorch's layout.
llvm::Expected<Tensor>
convTranspose2dAccumulate(const Tensor &input, const Tensor &weights,
                          llvm::ArrayRef<int64_t> bias,
                          const ConvTranspose2dParams &params);
llvm::Expected<Tensor> convTranspose2d(const Tensor &input,
                                       const Tensor &weights,
                                       llvm::ArrayRef<int64_t> bias,
                                       const ConvTranspose2dParams &params,
                                       const OutputStage &stage);

/// Converts PyTorch ConvTranspose2d weights [Cin, Cout / groups, KH, KW] to
/// the hardware kernels [Cout, Cin / groups, KH, KW]: swaps the channel
/// roles within each group and rotates every kernel by 180 degrees.
llvm::Expected<Tensor> transposedWeightsFromTorch(const Tensor &torchWeights,
                                                  int64_t groups);

/// Rotates every KHxKW kernel of [.., .., KH, KW] weights by 180 degrees.
Tensor flipKernels(const Tensor &weights);

/// Fully connected layer on the flattened input (channel-major CHW order,
/// see flatten): weights [Out, In] (or [Out, In, 1, 1]) -> accumulators
/// [Out, 1, 1].
llvm::Expected<Tensor> linearAccumulate(const Tensor &input,
                                        const Tensor &weights,
                                        llvm::ArrayRef<int64_t> bias);
llvm::Expected<Tensor> linear(const Tensor &input, const Tensor &weights,
                              llvm::ArrayRef<int64_t> bias,
                              const OutputStage &stage);

/// [C, H, W] -> [C * H * W, 1, 1]; element (c, h, w) lands at
/// c * H * W + h * W + w.
Tensor flatten(const Tensor &input);

//===----------------------------------------------------------------------===//
// Pooling and element-wise operations
//===----------------------------------------------------------------------===//

struct PoolParams {
  PoolKind kind = PoolKind::Max;
  std::array<int64_t, 2> kernel = {1, 1};
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 2> dilation = {1, 1};
  /// `rounding` of #tornado.pool (--avg-pool-rounding): round the 2D average
  /// half away from zero and clamp to 8 bits instead of truncating.
  bool avgRound = false;

  bool isIdentity() const {
    return kernel[0] == 1 && kernel[1] == 1 && stride[0] == 1 && stride[1] == 1;
  }
};

/// Output extent of pooling along one dimension:
/// (in + stride - kernel - dilation + 1) / stride.
int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t stride,
                       int64_t dilation);

/// 2D pooling of [C, H, W]. A 1x1 kernel only subsamples by the stride.
llvm::Expected<Tensor> pool2d(const Tensor &input, const PoolParams &params);

/// Pooling of [C, L] in a Conv1d layer (uses index 0 of the parameters).
/// The 1D average always truncates towards zero; 1D max pooling ignores the
/// dilation when choosing its window (the output size still uses it).
llvm::Expected<Tensor> pool1d(const Tensor &input, const PoolParams &params);

/// Combines 2..16 equally shaped operands left to right (Sub: the first
/// minus all others) in full precision, then clamps to [-128, 127] when
/// `saturate` is set.
llvm::Expected<Tensor> eltwise(EltwiseKind kind,
                               llvm::ArrayRef<Tensor> operands, bool saturate);

/// Concatenates feature maps of equal spatial shape along channels.
llvm::Expected<Tensor> concatChannels(llvm::ArrayRef<Tensor> inputs);

/// Combines the outputs named by a layer's in_sequences the way the
/// hardware sees them in memory: channel concatenation when all spatial
/// shapes agree; otherwise (equal channel counts required) each channel's
/// pixels are appended in order and reshaped to `inDim` ([H, W]).
llvm::Expected<Tensor> combineInSequences(llvm::ArrayRef<Tensor> inputs,
                                          llvm::ArrayRef<int64_t> inDim = {});

/// Splits the channels of `input` into `count` equal consecutive parts (the
/// operands of an element-wise layer).
llvm::Expected<llvm::SmallVector<Tensor, 4>> splitOperands(const Tensor &input,
                                                           unsigned count);

//===----------------------------------------------------------------------===//
// One complete hardware layer
//===----------------------------------------------------------------------===//

struct LayerConfig {
  LayerOpKind op = LayerOpKind::None;
  /// Element-wise operands packed along the channels of the input (2..16),
  /// or 1.
  unsigned operands = 1;
  std::optional<EltwiseKind> eltwise;
  /// Pool each operand before the element-wise operation (default), or
  /// combine the operands first and pool the result.
  bool poolFirst = true;
  PoolParams pool;
  /// Reshape the pooled [C, H, W] to [C * H * W, 1, 1] before the conv.
  bool flatten = false;
  std::array<int64_t, 2> padding = {0, 0};
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 2> dilation = {1, 1};
  std::array<int64_t, 2> outputPadding = {0, 0};
  int64_t groups = 1;
  /// Shift/width/activation. For op None only `wide` matters.
  OutputStage output;
};

/// Runs one layer: split operands -> [element-wise if !poolFirst] -> pool
/// -> [element-wise if poolFirst] -> [flatten] -> convolution/linear ->
/// output stage. `input` is [operands * C, H, W] ([.., L] for Conv1d);
/// `weights` may be null for op None. Linear without `flatten` acts as a
/// 1x1 convolution on every pixel, like the hardware.
llvm::Expected<Tensor> runLayer(const LayerConfig &config, const Tensor &input,
                                const Tensor *weights,
                                llvm::ArrayRef<int64_t> bias);

} // namespace interp
} // namespace tornado

#endif // TORNADO_INTERPRETER_KERNELS_H
