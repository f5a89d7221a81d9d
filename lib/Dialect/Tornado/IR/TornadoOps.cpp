//===- TornadoOps.cpp - Tornado operations and verifiers ------------------===//
//
// Verifiers check shapes and ask the device target model for every limit, so
// the same IR is legal or not depending on the network's `device`.
//
//===----------------------------------------------------------------------===//

#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Interfaces/FunctionImplementation.h"
#include "tornado/Dialect/ElementsData.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace tornado;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

target::DeviceKind tornado::toTargetKind(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::max78000:
    return target::DeviceKind::MAX78000;
  case DeviceKind::max78002:
    return target::DeviceKind::MAX78002;
  }
  llvm_unreachable("unknown device");
}

const target::Device &tornado::getTargetFor(Operation *op) {
  if (auto net = dyn_cast<NetworkOp>(op))
    return net.getTarget();
  if (auto net = op->getParentOfType<NetworkOp>())
    return net.getTarget();
  return target::Device::get(target::DeviceKind::MAX78000);
}

bool tornado::passThroughFits(const target::Device &dev, uint64_t in,
                              uint64_t out) {
  unsigned per = dev.processorsPerGroup();
  uint64_t groupMask = (uint64_t(1) << per) - 1;
  for (unsigned g = 0; g < dev.numGroups(); ++g) {
    uint64_t i = (in >> (g * per)) & groupMask;
    uint64_t o = (out >> (g * per)) & groupMask;
    if (o)
      o >>= llvm::countr_zero(o);
    if (o != (uint64_t(1) << llvm::popcount(i)) - 1)
      return false;
  }
  return true;
}

/// A processor mask as the YAML writes it: 0x and 16 hex digits.
static std::string maskString(uint64_t mask) {
  return llvm::formatv("{0:x16}", mask).str();
}

bool tornado::getIntegerValues(ElementsAttr attr,
                               SmallVectorImpl<int64_t> &values) {
  auto elemTy = dyn_cast<IntegerType>(attr.getElementType());
  if (!elemTy)
    return false;
  int64_t n = attr.getNumElements();
  values.clear();
  unsigned width = elemTy.getWidth();
  bool byteWidth = width == 8 || width == 16 || width == 32 || width == 64;
  bool isSigned = !elemTy.isUnsigned();
  std::optional<ArrayRef<char>> raw = getRawElementData(attr);
  if (byteWidth && raw && raw->size() == size_t(n) * (width / 8)) {
    values.resize_for_overwrite(n);
    decodeRawElements(*raw, width / 8, isSigned, values.data());
    return true;
  }
  // Splats and other widths (i1 is bit-packed) go through APInt.
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    values.reserve(n);
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(isSigned ? v.getSExtValue() : (int64_t)v.getZExtValue());
    return true;
  }
  return false;
}

bool tornado::hasNonZeroBias(std::optional<ElementsAttr> bias) {
  SmallVector<int64_t> values;
  return bias && *bias && getIntegerValues(*bias, values) &&
         llvm::any_of(values, [](int64_t b) { return b != 0; });
}

bool tornado::getFloatValues(ElementsAttr attr,
                             SmallVectorImpl<double> &values) {
  auto elemTy = dyn_cast<FloatType>(attr.getElementType());
  if (!elemTy)
    return false;
  int64_t n = attr.getNumElements();
  values.clear();
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToDouble());
    return true;
  }
  std::optional<ArrayRef<char>> raw = getRawElementData(attr);
  if (!raw)
    return false;
  if (elemTy.isF32() && raw->size() == size_t(n) * 4) {
    values.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      float f;
      memcpy(&f, raw->data() + 4 * i, 4);
      values[i] = f;
    }
    return true;
  }
  if (elemTy.isF64() && raw->size() == size_t(n) * 8) {
    values.resize(n);
    memcpy(values.data(), raw->data(), 8 * n);
    return true;
  }
  return false;
}

namespace {
/// Everything a convolution-like stage needs verified, independent of
/// whether it comes from a graph op or a hardware layer.
struct ConvCheck {
  target::LayerOp kind;
  ArrayRef<int64_t> inShape;  // C x spatial...
  ArrayRef<int64_t> outShape; // C x spatial...
  ShapedType weightsType;
  std::optional<ShapedType> biasType;
  ArrayRef<int64_t> stride, padding, dilation, outputPadding;
  int64_t groups;
  int64_t weightBits;
  int64_t outputShift;
};
} // namespace

static std::string joinDims(ArrayRef<int64_t> dims) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(dims, os, "x");
  return s;
}

static LogicalResult verifyQuantization(Operation *op,
                                        const target::Device &dev,
                                        int64_t weightBits,
                                        int64_t outputShift) {
  if (!dev.supportsWeightBits(weightBits))
    return op->emitOpError("weight_bits ")
           << weightBits << " is not supported by " << dev.name();
  // The hardware field holds the total shift: the checkpoint's output_shift
  // plus the implicit shift of narrow weights.
  int64_t total = outputShift + 8 - std::abs(weightBits == -1 ? 1 : weightBits);
  if (total < dev.minOutputShift() || total > dev.maxOutputShift())
    return op->emitOpError("output_shift ")
           << outputShift << " with " << weightBits
           << "-bit weights gives a total shift of " << total
           << ", outside the range [" << dev.minOutputShift() << ", "
           << dev.maxOutputShift() << "] of " << dev.name();
  return success();
}

static LogicalResult verifyChannels(Operation *op, const target::Device &dev,
                                    StringRef what, int64_t channels) {
  if (channels < 1 || channels > (int64_t)dev.maxChannels())
    return op->emitOpError()
           << what << " channel count " << channels << " is outside [1, "
           << dev.maxChannels() << "] for " << dev.name();
  return success();
}

static LogicalResult verifyDims(Operation *op, const target::Device &dev,
                                StringRef what, ArrayRef<int64_t> spatial) {
  for (int64_t d : spatial)
    if (d < 1 || d > (int64_t)dev.maxDim())
      return op->emitOpError()
             << what << " dimension " << d << " is outside [1, "
             << dev.maxDim() << "]";
  return success();
}

static LogicalResult verifyConv(Operation *op, const ConvCheck &c) {
  const target::Device &dev = getTargetFor(op);
  size_t rank = c.kind == target::LayerOp::Conv1d ? 1 : 2;
  if (c.inShape.size() != rank + 1 || c.outShape.size() != rank + 1)
    return op->emitOpError("expects input and output of rank ")
           << rank + 1 << " (channels x " << (rank == 1 ? "length" : "H x W")
           << ")";
  if (!isa<IntegerType>(c.weightsType.getElementType()))
    return op->emitOpError("weights must have an integer element type");
  if (c.weightsType.getRank() != (int64_t)rank + 2)
    return op->emitOpError("weights must have rank ")
           << rank + 2 << " (out x in/groups x kernel), got "
           << c.weightsType.getRank();
  if (c.stride.size() != rank || c.padding.size() != rank ||
      c.dilation.size() != rank ||
      (!c.outputPadding.empty() && c.outputPadding.size() != rank))
    return op->emitOpError("stride, padding and dilation must each have ")
           << rank << " element(s)";
  ArrayRef<int64_t> w = c.weightsType.getShape();
  int64_t inC = c.inShape[0], outC = c.outShape[0];
  if (failed(verifyChannels(op, dev, "input", inC)) ||
      failed(verifyChannels(op, dev, "output", outC)) ||
      failed(verifyDims(op, dev, "input", c.inShape.drop_front())) ||
      failed(verifyDims(op, dev, "output", c.outShape.drop_front())))
    return failure();
  if (c.groups < 1 || inC % c.groups != 0)
    return op->emitOpError("groups ")
           << c.groups << " must divide the input channel count " << inC;
  if (c.groups > 1) {
    if (!dev.hasFeature(target::Feature::Depthwise))
      return op->emitOpError("grouped convolution is not supported by ")
             << dev.name();
    if (c.groups != inC || outC != inC)
      return op->emitOpError(
          "only depthwise grouping is supported (groups == input channels "
          "== output channels)");
  }
  if (w[0] != outC)
    return op->emitOpError("weights have ")
           << w[0] << " output channels but the result has " << outC;
  if (w[1] * c.groups != inC)
    return op->emitOpError("weights expect ")
           << w[1] * c.groups << " input channels but the input has " << inC;
  unsigned kh = w[2], kw = rank == 2 ? w[3] : 1;
  if (!dev.supportsKernel(c.kind, kh, kw))
    return op->emitOpError("kernel size ")
           << joinDims(w.drop_front(2)) << " is not supported by "
           << dev.name();
  for (size_t i = 0; i < rank; ++i) {
    if (c.padding[i] < 0 || c.padding[i] > (int64_t)dev.maxPadding())
      return op->emitOpError("padding ")
             << c.padding[i] << " is outside [0, " << dev.maxPadding() << "]";
    if (c.stride[i] < 1 || c.stride[i] > (int64_t)dev.maxStride(c.kind))
      return op->emitOpError("stride ")
             << c.stride[i] << " is outside [1, " << dev.maxStride(c.kind)
             << "] for this operation on " << dev.name();
    if (c.dilation[i] < 1 || c.dilation[i] > (int64_t)dev.maxDilation(c.kind))
      return op->emitOpError("dilation ")
             << c.dilation[i] << " is outside [1, " << dev.maxDilation(c.kind)
             << "] for this operation on " << dev.name();
  }
  // Expected output size per spatial dimension.
  for (size_t i = 0; i < rank; ++i) {
    int64_t in = c.inShape[i + 1], k = w[2 + i];
    int64_t expected;
    if (c.kind == target::LayerOp::ConvTranspose2d) {
      int64_t outPad = c.outputPadding.empty() ? 0 : c.outputPadding[i];
      expected = (in - 1) * c.stride[i] - 2 * c.padding[i] +
                 c.dilation[i] * (k - 1) + outPad + 1;
    } else {
      expected = (in + 2 * c.padding[i] - c.dilation[i] * (k - 1) - 1) /
                     c.stride[i] +
                 1;
    }
    if (expected < 1)
      return op->emitOpError("kernel does not fit the padded input");
    if (expected != c.outShape[i + 1])
      return op->emitOpError("result dimension ")
             << i + 1 << " is " << c.outShape[i + 1] << " but the input "
             << joinDims(c.inShape) << " gives " << expected;
  }
  if (c.biasType) {
    if (!isa<IntegerType>(c.biasType->getElementType()))
      return op->emitOpError("bias must have an integer element type");
    if (c.biasType->getRank() != 1 || c.biasType->getDimSize(0) != outC)
      return op->emitOpError("bias must have one value per output channel (")
             << outC << ")";
  }
  return verifyQuantization(op, dev, c.weightBits, c.outputShift);
}

static std::optional<ShapedType> optType(std::optional<ElementsAttr> a) {
  if (!a)
    return std::nullopt;
  return cast<ShapedType>(a->getType());
}

//===----------------------------------------------------------------------===//
// NetworkOp
//===----------------------------------------------------------------------===//

void NetworkOp::build(OpBuilder &builder, OperationState &state,
                      StringRef name, FunctionType type) {
  state.addAttribute(SymbolTable::getSymbolAttrName(),
                     builder.getStringAttr(name));
  state.addAttribute(getFunctionTypeAttrName(state.name),
                     TypeAttr::get(type));
  state.addRegion();
}

const target::Device &NetworkOp::getTarget() {
  return target::Device::get(toTargetKind(getDevice()));
}

ParseResult NetworkOp::parse(OpAsmParser &parser, OperationState &result) {
  auto buildType = [](Builder &builder, ArrayRef<Type> args,
                      ArrayRef<Type> results,
                      function_interface_impl::VariadicFlag, std::string &) {
    return builder.getFunctionType(args, results);
  };
  return function_interface_impl::parseFunctionOp(
      parser, result, /*allowVariadic=*/false,
      getFunctionTypeAttrName(result.name), buildType,
      getArgAttrsAttrName(result.name), getResAttrsAttrName(result.name));
}

void NetworkOp::print(OpAsmPrinter &p) {
  function_interface_impl::printFunctionOp(
      p, *this, /*isVariadic=*/false, getFunctionTypeAttrName(),
      getArgAttrsAttrName(), getResAttrsAttrName());
}

/// `hw_layer` slots: all layers or none carry one, and together they use
/// each of the hardware layers 0..n-1 once. Running them out of slot order
/// needs the link-layer (next layer) registers.
static LogicalResult verifyHwLayers(Block &body, unsigned layers,
                                    const target::Device &dev) {
  SmallVector<LayerOp> withSlot;
  for (LayerOp layer : body.getOps<LayerOp>())
    if (layer.getHwLayer())
      withSlot.push_back(layer);
  if (withSlot.empty())
    return success();
  if (withSlot.size() != layers)
    for (LayerOp layer : body.getOps<LayerOp>())
      if (!layer.getHwLayer())
        return layer.emitOpError("needs `hw_layer`: the other layers of "
                                 "the network have one");
  SmallVector<bool> seen(layers, false);
  bool inOrder = true;
  unsigned position = 0;
  for (LayerOp layer : withSlot) {
    int64_t slot = *layer.getHwLayer();
    if (slot < 0 || slot >= int64_t(layers))
      return layer.emitOpError("`hw_layer` ")
             << slot << " is outside the network's hardware layers 0.."
             << layers - 1;
    if (seen[slot])
      return layer.emitOpError("`hw_layer` ")
             << slot << " is used by an earlier layer";
    seen[slot] = true;
    inOrder &= slot == position++;
  }
  if (!inOrder && !dev.hasFeature(target::Feature::LinkLayers))
    return withSlot.front()->getParentOp()->emitOpError()
           << "runs its layers out of hardware-layer order, but "
           << dev.name() << " has no link layers";
  return success();
}

LogicalResult NetworkOp::verify() {
  Block &body = getBody().front();
  if (body.empty() || !isa<ReturnOp>(body.back()))
    return emitOpError("body must end with tornado.return");
  const target::Device &dev = getTarget();
  unsigned layers = 0;
  for (Operation &op : body)
    if (isa<LayerOp>(op))
      ++layers;
  if (layers > dev.maxLayers())
    return emitOpError("has ") << layers << " hardware layers but "
                               << dev.name() << " supports at most "
                               << dev.maxLayers();
  return verifyHwLayers(body, layers, dev);
}

//===----------------------------------------------------------------------===//
// ReturnOp
//===----------------------------------------------------------------------===//

LogicalResult ReturnOp::verify() {
  auto net = cast<NetworkOp>((*this)->getParentOp());
  ArrayRef<Type> results = net.getResultTypes();
  if (getOutputs().size() != results.size())
    return emitOpError("returns ")
           << getOutputs().size() << " values but the network declares "
           << results.size();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(getOutputs(), results)))
    if (std::get<0>(pair).getType() != std::get<1>(pair))
      return emitOpError("output ")
             << i << " has type " << std::get<0>(pair).getType()
             << " but the network declares " << std::get<1>(pair);
  return success();
}

//===----------------------------------------------------------------------===//
// Graph ops
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// conv1d and conv2d differ only in their rank.
template <typename ConvOpT>
static LogicalResult verifyConvOp(ConvOpT op, target::LayerOp kind) {
  return verifyConv(op, {kind, shapeOf(op.getInput()), shapeOf(op.getOutput()),
                         cast<ShapedType>(op.getWeights().getType()),
                         optType(op.getBias()), op.getStride(),
                         op.getPadding(), op.getDilation(), {},
                         (int64_t)op.getGroups(), (int64_t)op.getWeightBits(),
                         (int64_t)op.getOutputShift()});
}

LogicalResult Conv1dOp::verify() {
  return verifyConvOp(*this, target::LayerOp::Conv1d);
}

LogicalResult Conv2dOp::verify() {
  return verifyConvOp(*this, target::LayerOp::Conv2d);
}

LogicalResult ConvTranspose2dOp::verify() {
  static const int64_t ones[] = {1, 1};
  return verifyConv(
      *this, {target::LayerOp::ConvTranspose2d, shapeOf(getInput()),
              shapeOf(getOutput()), cast<ShapedType>(getWeights().getType()),
              optType(getBias()), getStride(), getPadding(), ones,
              getOutputPadding(), (int64_t)getGroups(),
              (int64_t)getWeightBits(), (int64_t)getOutputShift()});
}

/// Checks a linear stage: weights [out, in] against element counts.
static LogicalResult verifyLinear(Operation *op, ShapedType inTy,
                                  ShapedType outTy, ShapedType weightsTy,
                                  std::optional<ShapedType> biasTy,
                                  int64_t weightBits, int64_t outputShift) {
  const target::Device &dev = getTargetFor(op);
  if (weightsTy.getRank() != 2)
    return op->emitOpError("linear weights must have rank 2 (out x in)");
  if (!isa<IntegerType>(weightsTy.getElementType()))
    return op->emitOpError("weights must have an integer element type");
  int64_t out = weightsTy.getDimSize(0), in = weightsTy.getDimSize(1);
  if (inTy.getNumElements() != in)
    return op->emitOpError("input has ")
           << inTy.getNumElements() << " elements but the weights expect "
           << in;
  if (outTy.getNumElements() != out || outTy.getDimSize(0) != out)
    return op->emitOpError("result must have ")
           << out << " channels (one per weight row)";
  if (failed(verifyChannels(op, dev, "output", out)))
    return failure();
  if (biasTy && (biasTy->getRank() != 1 || biasTy->getDimSize(0) != out))
    return op->emitOpError("bias must have one value per output (")
           << out << ")";
  return verifyQuantization(op, dev, weightBits, outputShift);
}

LogicalResult LinearOp::verify() {
  return verifyLinear(*this, cast<ShapedType>(getInput().getType()),
                      cast<ShapedType>(getOutput().getType()),
                      cast<ShapedType>(getWeights().getType()),
                      optType(getBias()), getWeightBits(), getOutputShift());
}

/// Output shape of pooling `in` (C x spatial) with `pool`, or failure.
static FailureOr<SmallVector<int64_t>> poolShape(Operation *op, PoolAttr pool,
                                                 ArrayRef<int64_t> in) {
  const target::Device &dev = getTargetFor(op);
  size_t rank = pool.getKernel().size();
  if (in.size() != rank + 1)
    return op->emitOpError("a ")
           << rank << "D pool needs a feature map of rank " << rank + 1;
  SmallVector<int64_t> out{in[0]};
  for (size_t i = 0; i < rank; ++i) {
    int64_t k = pool.getKernel()[i], s = pool.getStride()[i],
            d = pool.getDilation()[i];
    if (k < (int64_t)dev.minPoolSize() || k > (int64_t)dev.maxPoolSize())
      return op->emitOpError("pool size ")
             << k << " is outside [" << dev.minPoolSize() << ", "
             << dev.maxPoolSize() << "]";
    if (s > (int64_t)dev.maxPoolStride())
      return op->emitOpError("pool stride ")
             << s << " exceeds " << dev.maxPoolStride();
    if (d > 1 && !dev.hasFeature(target::Feature::PoolDilation))
      return op->emitOpError("pool dilation is not supported by ")
             << dev.name();
    int64_t span = d * (k - 1) + 1;
    if (span > in[i + 1])
      return op->emitOpError("pool window ")
             << span << " is larger than the input dimension " << in[i + 1];
    out.push_back((in[i + 1] - span) / s + 1);
  }
  return out;
}

LogicalResult PoolOp::verify() {
  FailureOr<SmallVector<int64_t>> out =
      poolShape(*this, getPool(), shapeOf(getInput()));
  if (failed(out))
    return failure();
  if (ArrayRef<int64_t>(*out) != shapeOf(getOutput()))
    return emitOpError("result shape must be ") << joinDims(*out);
  if (getInput().getType() != getOutput().getType() &&
      cast<ShapedType>(getInput().getType()).getElementType() !=
          cast<ShapedType>(getOutput().getType()).getElementType())
    return emitOpError("pooling keeps the element type");
  return success();
}

static LogicalResult verifyEltwiseOperands(Operation *op, ValueRange inputs) {
  const target::Device &dev = getTargetFor(op);
  if (inputs.size() < 2 || inputs.size() > dev.maxEltwiseOperands())
    return op->emitOpError("element-wise operations take 2 to ")
           << dev.maxEltwiseOperands() << " operands, got " << inputs.size();
  for (Value v : inputs.drop_front())
    if (v.getType() != inputs[0].getType())
      return op->emitOpError("element-wise operands must have the same type");
  return success();
}

LogicalResult EltwiseOp::verify() {
  if (failed(verifyEltwiseOperands(*this, getInputs())))
    return failure();
  if (getOutput().getType() != getInputs()[0].getType())
    return emitOpError("result type must match the operands");
  return success();
}

LogicalResult BatchNormOp::verify() {
  int64_t channels = shapeOf(getInput())[0];
  auto check = [&](std::optional<ElementsAttr> a,
                   StringRef name) -> LogicalResult {
    if (!a)
      return success();
    auto t = cast<ShapedType>(a->getType());
    if (!isa<FloatType>(t.getElementType()) || t.getRank() != 1 ||
        t.getDimSize(0) != channels)
      return emitOpError() << name << " must be a float vector of " << channels
                           << " elements";
    return success();
  };
  if (failed(check(getMean(), "mean")) ||
      failed(check(getVariance(), "variance")) ||
      failed(check(getScale(), "scale")) || failed(check(getShift(), "shift")))
    return failure();
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must not be negative");
  return success();
}

LogicalResult FlattenOp::verify() {
  auto in = cast<ShapedType>(getInput().getType());
  auto out = cast<ShapedType>(getOutput().getType());
  if (out.getRank() != 1 || out.getNumElements() != in.getNumElements())
    return emitOpError("result must be a vector of ")
           << in.getNumElements() << " elements";
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<ShapedType>(getInput().getType());
  auto out = cast<ShapedType>(getOutput().getType());
  if (in.getElementType() != out.getElementType())
    return emitOpError("reshaping keeps the element type");
  if (in.getRank() < 1 || out.getRank() < 1)
    return emitOpError("reshaping needs feature maps with channels");
  if (in.getDimSize(0) != out.getDimSize(0)
          ? in.getNumElements() != out.getNumElements()
          : in.getNumElements() < out.getNumElements())
    return emitOpError("reshaping reads at most the input's pixels per "
                       "channel, or regroups all of its elements");
  return success();
}

/// Shape of the channel concatenation of `inputs`, or failure.
static FailureOr<SmallVector<int64_t>> concatShape(Operation *op,
                                                   ValueRange inputs) {
  if (inputs.empty())
    return op->emitOpError("needs at least one operand");
  SmallVector<int64_t> shape(shapeOf(inputs[0]));
  for (Value v : inputs.drop_front()) {
    ArrayRef<int64_t> s = shapeOf(v);
    if (s.size() != shape.size() || s.drop_front() != ArrayRef(shape).drop_front())
      return op->emitOpError(
          "concatenated feature maps must have the same spatial shape");
    shape[0] += s[0];
  }
  return shape;
}

LogicalResult ConcatOp::verify() {
  FailureOr<SmallVector<int64_t>> shape = concatShape(*this, getInputs());
  if (failed(shape))
    return failure();
  if (ArrayRef<int64_t>(*shape) != shapeOf(getOutput()))
    return emitOpError("result shape must be ") << joinDims(*shape);
  return success();
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

ArrayRef<StringRef> LayerOp::getResourceAttrNames() {
  static const StringRef names[] = {
      "processors",    "output_processors", "in_offset", "out_offset",
      "read_gap",      "write_gap",         "kernel_column", "bias_group",
      "bias_offset",   "bias_offsets",      "passes",
      "tram_max"};
  return names;
}

bool LayerOp::isPinned(StringRef attrName) {
  std::optional<ArrayAttr> pins = getPinned();
  if (!pins)
    return false;
  return llvm::any_of(*pins, [&](Attribute a) {
    return cast<StringAttr>(a).getValue() == attrName;
  });
}

static target::LayerOp toTargetOp(LayerOpKind kind) {
  switch (kind) {
  case LayerOpKind::none:
    return target::LayerOp::None;
  case LayerOpKind::conv1d:
    return target::LayerOp::Conv1d;
  case LayerOpKind::conv2d:
    return target::LayerOp::Conv2d;
  case LayerOpKind::conv_transpose2d:
    return target::LayerOp::ConvTranspose2d;
  case LayerOpKind::linear:
    return target::LayerOp::Linear;
  }
  llvm_unreachable("unknown layer op");
}

/// The restrictions the hardware puts on how a layer's stages combine and
/// on its processor maps (the izer enforces each one; so must we).
static LogicalResult verifyHardwareLimits(LayerOp op,
                                          const target::Device &dev,
                                          int64_t operands, int64_t inChannels,
                                          unsigned inPasses,
                                          unsigned inPerPass, bool pooling,
                                          bool poolStride,
                                          int64_t pooledPixels) {
  const LayerOpKind kind = op.getOp();
  if (kind == LayerOpKind::none && pooling &&
      inPasses > dev.maxPoolPasses() && pooledPixels > 1)
    return op.emitOpError("pooling in a layer without a convolution reads ")
           << inChannels << " channels in " << inPasses << " passes; "
           << dev.name() << " pools over at most " << dev.maxPoolPasses()
           << " pass (unless the result is a single pixel): add a "
           << "convolution or split the channels";
  if (dev.eltwiseStandsAlone(operands, inPasses) &&
      (kind != LayerOpKind::none || pooling || poolStride))
    return op.emitOpError("an element-wise operation of ")
           << operands << " operands over " << inPasses << " passes runs "
           << "emulated on " << dev.name() << " and cannot be combined with "
           << "pooling or a convolution (only 2 operands x 2 passes can); "
           << "put it in a layer of its own";
  if (operands > 1 && kind != LayerOpKind::none && op.getGroups() == 1 &&
      !dev.hasFeature(target::Feature::MultipassEltwiseConvBias) &&
      hasNonZeroBias(op.getBias()))
    return op.emitOpError("on ")
           << dev.name() << " an element-wise operation cannot share a "
           << "layer with a convolution that has a bias: put the "
           << "element-wise operation in a layer of its own";
  if (kind == LayerOpKind::conv1d && op.getPadding() &&
      !op.getPadding()->empty() && (*op.getPadding())[0] > 0 &&
      inPasses > 1 && !dev.hasFeature(target::Feature::MultipassPaddedConv1d))
    return op.emitOpError("a padded Conv1d cannot read ")
           << inChannels << " input channels in " << inPasses << " passes on "
           << dev.name() << ": use at most " << dev.numProcessors()
           << " input channels or padding 0";
  if (op.getFlatten()) {
    if (pooledPixels > dev.maxFlattenPixels())
      return op.emitOpError("flatten reads ")
             << pooledPixels << " pixels per channel; at most "
             << dev.maxFlattenPixels() << " are supported";
    if (pooling)
      return op.emitOpError("flatten cannot be combined with pooling in one "
                            "layer: pool in the layer before");
    if (op.getStreaming())
      return op.emitOpError("flatten cannot be combined with streaming");
  }
  // The izer's calcx4 kernel arrangement has no form for the weights of a
  // linear layer that does not flatten (it refuses them); neither do we.
  if (op.getCalcx4() && kind == LayerOpKind::linear && !op.getFlatten())
    return op.emitOpError("calcx4 needs a convolution or a flattening "
                          "linear layer; use a 1x1 convolution here");
  const unsigned share = dev.processorsPerDataInstance();
  if (op.getGroups() > 1) {
    if (auto out = op.getOutputProcessors();
        out && llvm::countr_zero(out->getMask()) % share != 0)
      return op.emitOpError("a depth-wise convolution writes from output "
                            "processor ")
             << llvm::countr_zero(out->getMask())
             << ", which is not a multiple of " << share
             << ": its output processors must start a memory instance";
    if (auto in = op.getProcessors()) {
      uint64_t m = in->getMask();
      unsigned first = llvm::countr_zero(m);
      if (first % share != 0 && (m >> first) >> dev.processorsPerGroup())
        return op.emitOpError("a depth-wise convolution spanning groups "
                              "must start on a processor that is a "
                              "multiple of ")
               << share << ", not " << first;
    }
  }
  // Each pass reads its channels from as many processors.
  if (auto in = op.getProcessors();
      in && llvm::popcount(in->getMask()) != int64_t(inPerPass))
    return op.emitOpError("")
           << inChannels << " input channel" << (inChannels == 1 ? "" : "s")
           << (op.getFlatten() ? " (before flattening)" : "") << " in "
           << inPasses << " pass" << (inPasses == 1 ? "" : "es") << " need "
           << inPerPass << " processors per pass, but processors "
           << maskString(in->getMask()) << " has "
           << llvm::popcount(in->getMask());
  return success();
}

LogicalResult LayerOp::verify() {
  const target::Device &dev = getTargetFor(*this);
  if (getInputs().empty())
    return emitOpError("needs at least one input");

  // Stage 1: element-wise or concatenation of the operands, and pooling, in
  // the order `pool_first` says.
  FailureOr<SmallVector<int64_t>> joined = concatShape(*this, getInputs());
  if (failed(joined))
    return failure();
  SmallVector<int64_t> shape = *joined;
  const int64_t operands =
      getEltwise()
          ? (getOperands() ? (int64_t)*getOperands() : (int64_t)getInputs().size())
          : 1;
  if (getEltwise()) {
    if (operands < dev.minEltwiseOperands() ||
        operands > dev.maxEltwiseOperands())
      return emitOpError("element-wise operations take ")
             << dev.minEltwiseOperands() << " to " << dev.maxEltwiseOperands()
             << " operands, got " << operands;
    if (shape[0] % operands != 0)
      return emitOpError("the input's ")
             << shape[0] << " channels do not split into " << operands
             << " equal operands";
    if (!getOperands())
      for (Value v : getInputs().drop_front())
        if (v.getType() != getInputs()[0].getType())
          return emitOpError(
              "element-wise operands must have the same type");
    shape[0] /= operands;
  } else if (getOperands()) {
    return emitOpError("operands is only meaningful with an element-wise "
                       "operation");
  }
  if (!getEltwise() && !getPoolFirst())
    return emitOpError("pool_first = false needs an element-wise operation");
  // Channels each operand brings, and the passes that reads them in.
  const int64_t inChannels = shape[0];
  const auto [inPasses, inPerPass] = dev.splitPasses(inChannels);
  bool pooling = false, poolStride = false;
  if (std::optional<PoolAttr> pool = getPool()) {
    FailureOr<SmallVector<int64_t>> s = poolShape(*this, *pool, shape);
    if (failed(s))
      return failure();
    shape = *s;
    pooling = llvm::any_of(pool->getKernel(), [](int64_t k) { return k > 1; });
    poolStride =
        llvm::any_of(pool->getStride(), [](int64_t k) { return k > 1; });
  }
  int64_t pooledPixels = 1;
  for (int64_t d : ArrayRef<int64_t>(shape).drop_front())
    pooledPixels *= d;
  if (getFlatten()) {
    bool pointwise = getOp() == LayerOpKind::conv2d && getWeights() &&
                     cast<ShapedType>(getWeights()->getType()).getRank() == 4 &&
                     cast<ShapedType>(getWeights()->getType())
                             .getShape()
                             .drop_front(2) == ArrayRef<int64_t>{1, 1};
    if (getOp() != LayerOpKind::linear && !pointwise)
      return emitOpError(
          "flatten is only valid for a linear layer or a 1x1 convolution");
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    if (getOp() == LayerOpKind::linear)
      shape.assign({n});
    else
      shape.assign({n, 1, 1});
  }

  // Stage 2: the computation.
  auto outTy = cast<ShapedType>(getOutput().getType());
  LayerOpKind kind = getOp();
  bool hasWeights = getWeights().has_value();
  if (kind == LayerOpKind::none) {
    if (hasWeights || getBias())
      return emitOpError("a layer without an operation has no weights or bias");
    if (ArrayRef<int64_t>(shape) != outTy.getShape())
      return emitOpError("result shape must be ")
             << joinDims(shape) << ", not " << joinDims(outTy.getShape());
    if (getActivation() != Activation::none)
      return emitOpError("a layer without an operation cannot have an "
                         "activation");
    if (getOutputShift() != 0)
      return emitOpError("a layer without an operation has no output shift");
    // Without weights there is no implicit shift: verify as 8-bit.
    if (failed(verifyQuantization(*this, dev, 8, getOutputShift())))
      return failure();
  } else if (!hasWeights) {
    return emitOpError("operation '")
           << stringifyLayerOpKind(kind) << "' needs weights";
  } else if (kind == LayerOpKind::linear) {
    auto inTy = RankedTensorType::get(shape, outTy.getElementType());
    if (failed(verifyLinear(*this, inTy, outTy,
                            cast<ShapedType>(getWeights()->getType()),
                            optType(getBias()), getWeightBits(),
                            getOutputShift())))
      return failure();
  } else {
    auto weightsTy = cast<ShapedType>(getWeights()->getType());
    size_t rank = kind == LayerOpKind::conv1d ? 1 : 2;
    if (weightsTy.getRank() != (int64_t)rank + 2)
      return emitOpError("weights must have rank ") << rank + 2;
    ArrayRef<int64_t> kernelFromWeights = weightsTy.getShape().drop_front(2);
    if (getKernel() && *getKernel() != kernelFromWeights)
      return emitOpError("kernel ")
             << joinDims(*getKernel()) << " does not match the weights' "
             << joinDims(kernelFromWeights);
    SmallVector<int64_t> ones(rank, 1), zeros(rank, 0);
    ArrayRef<int64_t> stride = getStride() ? *getStride() : ArrayRef(ones);
    ArrayRef<int64_t> padding = getPadding() ? *getPadding() : ArrayRef(zeros);
    ArrayRef<int64_t> dilation =
        getDilation() ? *getDilation() : ArrayRef(ones);
    ArrayRef<int64_t> outputPadding =
        getOutputPadding() ? *getOutputPadding() : ArrayRef<int64_t>();
    if (kind != LayerOpKind::conv_transpose2d && getOutputPadding())
      return emitOpError("output_padding is only valid for conv_transpose2d");
    if (failed(verifyConv(*this, {toTargetOp(kind), shape, outTy.getShape(),
                                  weightsTy, optType(getBias()), stride,
                                  padding, dilation, outputPadding,
                                  (int64_t)getGroups(),
                                  (int64_t)getWeightBits(),
                                  (int64_t)getOutputShift()})))
      return failure();
  }

  // Stage 3: output format.
  if (auto gap = getWriteGap()) {
    const int64_t passes = dev.splitPasses(outTy.getShape()[0]).first;
    const int64_t skip = kind != LayerOpKind::none
                             ? passes * (int64_t(*gap) + 1) - 1
                             : int64_t(*gap);
    if (skip > int64_t(dev.maxWritePointerSkip()))
      return emitOpError("write_gap ")
             << *gap << " with " << passes << " output pass"
             << (passes == 1 ? "" : "es") << " steps the write pointer by "
             << skip << " extra words; " << dev.name() << " steps by at most "
             << dev.maxWritePointerSkip();
  }
  int64_t width = getOutputWidth();
  if (width != 8 && width != 32)
    return emitOpError("output_width must be 8 or 32, got ") << width;
  unsigned elemWidth = outTy.getElementType().getIntOrFloatBitWidth();
  if (elemWidth != (unsigned)width)
    return emitOpError("output_width ")
           << width << " requires an i" << width << " result";
  if (width == 32 && getActivation() != Activation::none)
    return emitOpError("32-bit output cannot be combined with an activation");

  // Resources.
  // Offsets address the 32-bit words of a memory instance (each processor
  // owns one byte lane of every word).
  uint64_t memBytes = dev.dataInstanceBytes();
  for (StringRef name : {"in_offset", "out_offset"}) {
    auto attr = (*this)->getAttrOfType<IntegerAttr>(name);
    if (!attr)
      continue;
    int64_t v = attr.getInt();
    if (v < 0 || (uint64_t)v >= memBytes || v % 4 != 0)
      return emitOpError()
             << name << " " << v
             << " must be a multiple of 4 inside the data memory (0 to "
             << memBytes - 1 << ")";
  }
  for (StringRef name : {"read_gap", "write_gap", "passes", "tram_max",
                         "kernel_column", "bias_group", "bias_offset"}) {
    auto attr = (*this)->getAttrOfType<IntegerAttr>(name);
    if (attr && attr.getInt() < 0)
      return emitOpError() << name << " must not be negative";
  }
  // Skipping input words between reads needs the multi-pass stride.
  if (auto gap = (*this)->getAttrOfType<IntegerAttr>("read_gap");
      gap && gap.getInt() > 0 &&
      !dev.hasFeature(target::Feature::MultipassReadGap))
    return emitOpError("read_gap ")
           << gap.getInt() << " needs a device that can skip input words "
           << "between reads; " << dev.name() << " reads with read_gap 0";
  unsigned kernelWords = 0;
  for (unsigned p = 0; p < dev.numProcessors(); ++p)
    kernelWords = std::max(kernelWords, dev.kernelWordsPerProcessor(p));
  if (auto col = getKernelColumn(); col && *col >= kernelWords)
    return emitOpError("kernel_column ")
           << *col << " is beyond the " << kernelWords
           << " kernel-memory words of a processor";
  if (auto group = getBiasGroup();
      group && *group >= dev.numGroups())
    return emitOpError("bias_group ")
           << *group << " is not one of the " << dev.numGroups() << " groups";
  if (auto offset = getBiasOffset();
      offset && *offset >= dev.biasBytesPerGroup())
    return emitOpError("bias_offset ")
           << *offset << " is beyond the " << dev.biasBytesPerGroup()
           << " bytes of a group's bias memory";
  if (std::optional<ArrayRef<int64_t>> offsets = getBiasOffsets()) {
    if (offsets->size() != dev.numGroups())
      return emitOpError("bias_offsets needs one entry per group (")
             << dev.numGroups() << ")";
    for (int64_t o : *offsets)
      if (o < -1 || o >= (int64_t)dev.biasBytesPerGroup())
        return emitOpError("bias_offsets entry ")
               << o << " is outside [-1, " << dev.biasBytesPerGroup() << ")";
  }
  if (getCalcx4() && !dev.hasFeature(target::Feature::CalcX4))
    return emitOpError("calcx4 is not supported by ") << dev.name();
  if ((getReadahead() || getTcalc().value_or(false)) &&
      !dev.hasFeature(target::Feature::ReadAhead))
    return emitOpError("readahead/tcalc is not supported by ") << dev.name();
  for (auto mask : {getProcessors(), getOutputProcessors()})
    if (mask && mask->getMask() == 0)
      return emitOpError("processor masks must select at least one processor");
  // Without a convolution nothing routes data across groups: a pinned layout
  // that asks for it would program hardware that writes elsewhere.
  if (kind == LayerOpKind::none && getProcessors() && getOutputProcessors() &&
      !passThroughFits(dev, getProcessors()->getMask(),
                       getOutputProcessors()->getMask()))
    return emitOpError("layer '")
           << getName() << "' has no convolution, so it cannot move data "
           << "between groups of " << dev.processorsPerGroup()
           << " processors: its output processors "
           << maskString(getOutputProcessors()->getMask())
           << " must be, in each group, one run as long as its processors "
           << maskString(getProcessors()->getMask()) << " there";
  if (failed(verifyHardwareLimits(*this, dev, operands, inChannels, inPasses,
                                  inPerPass,
                                  pooling, poolStride, pooledPixels)))
    return failure();

  if (auto out = getOutputProcessors()) {
    int64_t outChannels = outTy.getShape()[0];
    const auto [outPasses, outPerPass] = dev.splitPasses(outChannels);
    if (llvm::popcount(out->getMask()) != int64_t(outPerPass))
      return emitOpError("")
             << outChannels << " output channel"
             << (outChannels == 1 ? "" : "s") << " in " << outPasses
             << " pass" << (outPasses == 1 ? "" : "es") << " need "
             << outPerPass << " output processors per pass, but "
             << "output_processors " << maskString(out->getMask()) << " has "
             << llvm::popcount(out->getMask());
  }
  if (std::optional<ArrayAttr> pins = getPinned()) {
    for (Attribute a : *pins) {
      StringRef name = cast<StringAttr>(a).getValue();
      if (!llvm::is_contained(getResourceAttrNames(), name))
        return emitOpError("pinned names '")
               << name << "', which is not a resource attribute";
      if (!(*this)->hasAttr(name))
        return emitOpError("pins '") << name << "' but does not set it";
    }
  }
  return success();
}

#define GET_OP_CLASSES
#include "tornado/Dialect/Tornado/IR/TornadoOps.cpp.inc"
