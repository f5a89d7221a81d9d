//===- OnnxImport.cpp - ONNX graph -> tornado graph ops ------------------===//
//
// Walks the nodes of an ONNX graph in order (ONNX graphs are topologically
// sorted) and gives every value one of these meanings:
//
//   Const  a tensor known at import time (initializers, Constant nodes and
//          everything computed from them, Shape of a feature map, ...);
//   FMap   an 8-bit feature map: an SSA value of the tornado network, whose
//          ONNX value is the integer times 2^scale (scale 0 in hardware-mode
//          exports, -7 in QAT exports, where data are int / 128);
//   Acc    the accumulator of a convolution or linear node that is still
//          being shaped by the arithmetic after it: bias additions,
//          multiplication by 2^k, + 0.5, Floor, Clip to [-128, 127]. When the
//          pattern is complete the tornado op is created with the recognised
//          bias, output shift and saturation;
//   Avg    an AveragePool result on its way to truncation (Sign * Floor(Abs))
//          or rounding (Sign * Floor(Abs + 0.5));
//   Elt    a sum or difference of feature maps awaiting its saturation;
//   Diff   q - y of two non-constant values, which only occurs inside a
//          straight-through estimator y + (q - y) (= q).
//
// Anything that does not fit these patterns is an error naming the node.
//
// Weights are kept in 8-bit units (an n-bit weight w is w * 2^(8 - n)), so
// the recognised total shift is the op's `output_shift` whatever the width;
// the width (from the `tornado.layers` metadata, or the narrowest that holds
// the values of a QAT export) only divides the stored integers.
//
//===----------------------------------------------------------------------===//

#include "OnnxProto.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Import/OnnxImport.h"
#include "tornado/Support/Npy.h"
#include "tornado/Target/Device.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

using namespace mlir;
using namespace tornado;
using namespace tornado::onnximport;

namespace {

enum class LinOp { Conv1d, Conv2d, ConvT, Linear };

/// One weight layer of the `tornado.layers` metadata.
struct LayerMeta {
  std::string name, op;
  int64_t weightBits = 8, outputShift = 0;
  bool wide = false;
};

/// A convolution or linear node whose output arithmetic is not complete.
struct AccState {
  AccState(LinOp op, Value input, Location loc)
      : op(op), input(input), loc(loc) {}
  LinOp op;
  Value input;
  /// Dialect layout, in 8-bit units (see the file comment).
  std::vector<int64_t> wShape, weights;
  std::vector<int64_t> stride, pad, dil, outPad;
  int64_t groups = 1;
  std::vector<double> bias; // accumulator units, empty: none
  std::vector<int64_t> outShape;
  /// ONNX value = accumulator * 2^log2Scale; once rounded, ONNX value =
  /// rounded integer * 2^log2Scale.
  int64_t log2Scale = 0;
  bool offset = false, rounded = false;
  /// A multiplication by 2^k has been seen (the bias comes before it).
  bool scaled = false;
  /// Total shift (8-bit units), known once rounded.
  int64_t shift = 0;
  /// Weight width: from the metadata, 8 in hardware-mode exports without
  /// it, unknown (0: the narrowest that fits) in QAT exports without it.
  int64_t bits = 8;
  const LayerMeta *meta = nullptr;
  std::string node, opType;
  Location loc;
  /// Clamping of the rounded integer so far (Clip, or Max then Min).
  double clampLo = -INFINITY, clampHi = INFINITY;
};

enum class Kind {
  Const,
  FMap,
  Acc,
  AvgRaw,
  AvgSign,
  AvgAbs,
  AvgAbsHalf,
  AvgFloorAbs,
  Elt,
  Diff
};

struct Val {
  Kind kind = Kind::Const;
  HostValues c;
  Value v; // FMap; the pooled map for Avg*; unused otherwise
  std::shared_ptr<AccState> acc;
  EltwiseKind elt = EltwiseKind::add;
  SmallVector<Value> eltOperands;
  /// Shape as ONNX sees it (batch 1 first) for every non-constant value.
  std::vector<int64_t> shape;
  /// FMap, Avg*, Elt: the ONNX value is the integer times 2^scale.
  int64_t scale = 0;
  /// An FMap known to lie in [0, 127] (after ReLU or Abs), so clipping it to
  /// [0, 127] changes nothing.
  bool nonNegative = false;
  /// AvgFloorAbs: the average is rounded (+ 0.5 before the Floor).
  bool avgRound = false;
};

class OnnxImporter {
public:
  OnnxImporter(MLIRContext *ctx, StringRef file,
               const OnnxImportOptions &options)
      : ctx(ctx), b(ctx), file(file.str()), options(options) {}
  OwningOpRef<ModuleOp> run(StringRef bytes);

private:
  InFlightDiagnostic err(const onnx::NodeProto &n) {
    return emitError(nodeLoc(n)) << "node '" << nodeName(n) << "' ("
                                 << n.op_type() << "): ";
  }
  Location nodeLoc(const onnx::NodeProto &n) {
    return NameLoc::get(b.getStringAttr(nodeName(n)),
                        FileLineColLoc::get(ctx, file, 0, 0));
  }
  std::string nodeName(const onnx::NodeProto &n) {
    if (!n.name().empty())
      return n.name();
    if (n.output_size() && !n.output(0).empty())
      return n.output(0);
    return n.op_type();
  }

  LogicalResult importNode(const onnx::NodeProto &n);
  LogicalResult foldConst(const onnx::NodeProto &n,
                          ArrayRef<const Val *> in);
  LogicalResult importConv(const onnx::NodeProto &n, ArrayRef<const Val *> in,
                           bool transposed);
  LogicalResult importLinear(const onnx::NodeProto &n,
                             ArrayRef<const Val *> in);
  LogicalResult importPool(const onnx::NodeProto &n, const Val &in,
                           bool max);
  LogicalResult importSlice(const onnx::NodeProto &n, ArrayRef<const Val *> in);
  LogicalResult importScaling(const onnx::NodeProto &n, const Val &dyn,
                              const HostValues &c, bool constFirst);
  LogicalResult roundAcc(const onnx::NodeProto &n, const Val &x);
  LogicalResult finishAvg(const onnx::NodeProto &n, const Val &mag);
  FailureOr<const LayerMeta *> takeMeta(const onnx::NodeProto &n, LinOp op);
  std::shared_ptr<AccState> newAcc(const onnx::NodeProto &n, LinOp op,
                                   Value input);
  LogicalResult weightsFromOnnx(const onnx::NodeProto &n, const HostValues &w,
                                AccState &a);
  LogicalResult startAcc(const onnx::NodeProto &n, std::shared_ptr<AccState> a,
                         const Val &input,
                         std::optional<std::vector<double>> bias);
  FailureOr<int64_t> chooseBits(const AccState &a);
  FailureOr<Value> finalize(const AccState &a, bool wide);
  LogicalResult readMetadata(const onnx::ModelProto &model, Location fileLoc);
  FailureOr<std::vector<int64_t>> targetShape(const onnx::NodeProto &n,
                                              const HostValues &spec,
                                              ArrayRef<int64_t> src,
                                              int64_t elements);
  FailureOr<Value> toFMap(const onnx::NodeProto &user, const Val &v,
                          StringRef role);
  LogicalResult clampAcc(const onnx::NodeProto &n, const Val &x, double lo,
                         double hi);
  Value activate(Location loc, Activation kind, Value v);
  ElementsAttr blob(StringRef name, ArrayRef<int64_t> shape,
                    ArrayRef<int64_t> values);
  Value fmapVal(Value v, Val &out, int64_t scale);
  InFlightDiagnostic accErr(const AccState &a) {
    return emitError(a.loc) << "node '" << a.node << "' (" << a.opType << "): ";
  }
  std::vector<int64_t> onnxShape(Value v) {
    std::vector<int64_t> s{1};
    for (int64_t d : cast<RankedTensorType>(v.getType()).getShape())
      s.push_back(d);
    return s;
  }

  const onnx::AttributeProto *attr(const onnx::NodeProto &n, StringRef name) {
    for (const onnx::AttributeProto &a : n.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t attrInt(const onnx::NodeProto &n, StringRef name, int64_t dflt) {
    const onnx::AttributeProto *a = attr(n, name);
    return a ? a->i() : dflt;
  }
  float attrFloat(const onnx::NodeProto &n, StringRef name, float dflt) {
    const onnx::AttributeProto *a = attr(n, name);
    return a ? a->f() : dflt;
  }
  std::optional<std::vector<int64_t>> attrInts(const onnx::NodeProto &n,
                                               StringRef name) {
    const onnx::AttributeProto *a = attr(n, name);
    if (!a)
      return std::nullopt;
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }

  MLIRContext *ctx;
  OpBuilder b;
  std::string file;
  const OnnxImportOptions &options;
  std::map<std::string, Val> values;
  /// Operand names of every Sub of non-constant values, to recognise the
  /// straight-through estimator y + (q - y).
  std::map<std::string, std::pair<std::string, std::string>> subOperands;
  /// Average pools already finished as rounding (true) or truncating.
  std::map<Operation *, bool> finishedAvg;
  const target::Device *device = nullptr;
  /// log2 of the ONNX value of one input integer: 0 (hardware-mode export)
  /// or -7 (QAT export, `tornado.mode` = qat).
  int64_t dataScale = 0;
  /// `tornado.layers` weight layers, matched to the weight nodes in order.
  std::optional<std::vector<LayerMeta>> metas;
  size_t nextMeta = 0;
  /// Values of every folded constant so far (bounded: tiny models can
  /// broadcast their way to huge constants).
  int64_t constElements = 0;
  static constexpr int64_t kMaxConstElements = int64_t(1) << 24;
};

} // namespace

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isInt(double v) { return std::isfinite(v) && v == std::floor(v); }

/// A number for messages: integers without a fraction.
static std::string fmtNumber(double v) {
  char buf[32];
  if (isInt(v) && std::fabs(v) < 1e15)
    snprintf(buf, sizeof(buf), "%.0f", v);
  else
    snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

/// Whether `c` is one value repeated (a scalar for broadcasting).
static std::optional<double> scalarOf(const HostValues &c) {
  if (c.values.empty())
    return std::nullopt;
  for (double v : c.values)
    if (v != c.values.front())
      return std::nullopt;
  return c.values.front();
}

/// numpy broadcasting of two shapes.
static std::optional<std::vector<int64_t>>
broadcastShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t n = std::max(a.size(), b.size());
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t x = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t y = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (x != y && x != 1 && y != 1)
      return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

/// Element of `c` at `index` of the broadcast shape `shape`.
static double broadcastAt(const HostValues &c, ArrayRef<int64_t> shape,
                          ArrayRef<int64_t> index) {
  int64_t flat = 0;
  size_t off = shape.size() - c.shape.size();
  for (size_t i = 0; i < c.shape.size(); ++i) {
    int64_t d = c.shape[i];
    flat = flat * d + (d == 1 ? 0 : index[off + i]);
  }
  return c.values[flat];
}

static bool nextIndex(std::vector<int64_t> &idx, ArrayRef<int64_t> shape) {
  for (size_t i = idx.size(); i-- > 0;) {
    if (++idx[i] < shape[i])
      return true;
    idx[i] = 0;
  }
  return false;
}

/// Product of dimensions; INT64_MAX when it overflows (or a dimension is
/// negative), which every caller treats as too large.
static int64_t product(ArrayRef<int64_t> s) {
  for (int64_t d : s)
    if (d == 0)
      return 0;
  int64_t p = 1;
  for (int64_t d : s)
    if (d < 0 || __builtin_mul_overflow(p, d, &p))
      return INT64_MAX;
  return p;
}

/// `v` as a float, saturating to +-infinity instead of overflowing.
static float toFloat(double v) {
  if (v > 3.4028234663852886e38)
    return INFINITY;
  if (v < -3.4028234663852886e38)
    return -INFINITY;
  return (float)v;
}

/// A constant used as a dimension, axis or index: truncated, with NaN and
/// huge values mapped to +-2^52 (out of every valid range).
static int64_t toIndex(double v) {
  constexpr double limit = 4503599627370496.0; // 2^52
  if (std::isnan(v))
    return -(int64_t(1) << 52);
  if (v >= limit)
    return int64_t(1) << 52;
  if (v <= -limit)
    return -(int64_t(1) << 52);
  return (int64_t)v;
}

/// Per-channel values (axis 1) of constant `c` added to a tensor of
/// `shape`, or nothing when `c` varies within a channel or does not
/// broadcast without growing the tensor.
static std::optional<std::vector<double>>
channelValues(const HostValues &c, ArrayRef<int64_t> shape) {
  if (c.shape.size() > shape.size() || c.values.empty())
    return std::nullopt;
  std::optional<std::vector<int64_t>> bs = broadcastShape(shape, c.shape);
  if (!bs || ArrayRef<int64_t>(*bs) != shape)
    return std::nullopt;
  int64_t channels = shape.size() > 1 ? shape[1] : 1;
  std::vector<double> out(channels);
  std::vector<bool> seen(channels, false);
  std::vector<int64_t> idx(shape.size(), 0);
  if (product(shape) == 0)
    return std::nullopt;
  do {
    int64_t ch = shape.size() > 1 ? idx[1] : 0;
    double v = broadcastAt(c, shape, idx);
    if (!seen[ch]) {
      seen[ch] = true;
      out[ch] = v;
    } else if (out[ch] != v) {
      return std::nullopt;
    }
  } while (nextIndex(idx, shape));
  return out;
}

/// Exponent k when v == 2^k.
static std::optional<int64_t> log2Exact(double v) {
  if (!(v > 0) || !std::isfinite(v))
    return std::nullopt;
  int e;
  double m = std::frexp(v, &e);
  if (m != 0.5)
    return std::nullopt;
  return e - 1;
}

ElementsAttr OnnxImporter::blob(StringRef rawName, ArrayRef<int64_t> shape,
                                ArrayRef<int64_t> values) {
  // Resource handles print bare: keep them identifier-like.
  std::string name;
  for (char ch : rawName)
    if (llvm::isAlnum(ch) || ch == '_')
      name += ch;
    else if (!name.empty() && name.back() != '_')
      name += '_';
  if (name.empty() || llvm::isDigit(name.front()))
    name.insert(0, "w_");
  auto type = RankedTensorType::get(shape, b.getIntegerType(8));
  std::vector<int8_t> data(values.begin(), values.end());
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<int8_t>(data)));
}

Value OnnxImporter::fmapVal(Value v, Val &out, int64_t scale) {
  out.kind = Kind::FMap;
  out.v = v;
  out.shape = onnxShape(v);
  out.scale = scale;
  out.nonNegative = isa_and_nonnull<ActivateOp>(v.getDefiningOp());
  return v;
}

Value OnnxImporter::activate(Location loc, Activation kind, Value v) {
  OperationState st(loc, ActivateOp::getOperationName());
  st.addOperands(v);
  st.addAttribute("kind", ActivationAttr::get(ctx, kind));
  st.addTypes(v.getType());
  return b.create(st)->getResult(0);
}

/// Stored range of an n-bit weight (binary, -1: -1 and +1).
static std::pair<int64_t, int64_t> weightRange(int64_t bits) {
  if (bits == -1)
    return {-1, 1};
  return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
}

/// One n-bit weight step in 8-bit units.
static int64_t weightUnit(int64_t bits) {
  return int64_t(1) << (8 - std::abs(bits));
}

/// Whether weights in 8-bit units are n-bit weights.
static bool fitsBits(ArrayRef<int64_t> w8, int64_t bits) {
  int64_t unit = weightUnit(bits);
  auto [lo, hi] = weightRange(bits);
  for (int64_t w : w8) {
    int64_t q = w / unit;
    if (w % unit || q < lo || q > hi || (bits == -1 && q == 0))
      return false;
  }
  return true;
}

/// Whether a bias in accumulator units (8-bit weights) is what the hardware
/// adds with n-bit weights: an 8-bit value times 128 * 2^(8 - n).
static bool biasFits(ArrayRef<double> bias, int64_t bits) {
  double unit = 128.0 * (double)weightUnit(bits);
  for (double v : bias) {
    double q = v / unit;
    if (!isInt(q) || q < -128 || q > 127)
      return false;
  }
  return true;
}

FailureOr<int64_t> OnnxImporter::chooseBits(const AccState &a) {
  if (a.bits != 0) {
    if (biasFits(a.bias, a.bits))
      return a.bits;
  } else {
    // A QAT export without metadata: the narrowest width that holds the
    // values gives the same results with the densest kernel memory.
    for (int64_t bits : {1, 2, 4, 8})
      if (fitsBits(a.weights, bits) && biasFits(a.bias, bits))
        return bits;
  }
  int64_t bits = a.bits ? a.bits : 8;
  for (double v : a.bias)
    if (!biasFits({v}, bits)) {
      InFlightDiagnostic d =
          accErr(a) << "bias " << fmtNumber(v / (double)weightUnit(bits))
                    << " (in accumulator units) is not 128 times an 8-bit "
                       "value; the hardware adds bias * 128";
      if (bits != 8)
        d << " (with "
          << (bits == -1 ? "binary" : std::to_string(bits) + "-bit")
          << " weights)";
      break;
    }
  return failure();
}

/// Creates the tornado op of a completed accumulator pattern.
FailureOr<Value> OnnxImporter::finalize(const AccState &a, bool wide) {
  StringRef opName;
  switch (a.op) {
  case LinOp::Conv1d:
    opName = Conv1dOp::getOperationName();
    break;
  case LinOp::Conv2d:
    opName = Conv2dOp::getOperationName();
    break;
  case LinOp::ConvT:
    opName = ConvTranspose2dOp::getOperationName();
    break;
  case LinOp::Linear:
    opName = LinearOp::getOperationName();
    break;
  }
  FailureOr<int64_t> bits = chooseBits(a);
  if (failed(bits))
    return failure();
  if (a.meta && a.meta->wide != wide) {
    accErr(a) << "the `tornado.layers` metadata of layer '" << a.meta->name
              << "' says " << (a.meta->wide ? "a 32-bit" : "an 8-bit")
              << " output, the graph computes "
              << (wide ? "the raw 32-bit accumulator" : "an 8-bit output");
    return failure();
  }
  if (a.meta && !wide && a.meta->outputShift != a.shift) {
    accErr(a) << "the `tornado.layers` metadata of layer '" << a.meta->name
              << "' says output_shift " << a.meta->outputShift
              << ", the graph's arithmetic gives " << a.shift;
    return failure();
  }
  int64_t unit = weightUnit(*bits);
  OperationState st(a.loc, opName);
  st.addOperands(a.input);
  std::vector<int64_t> weights;
  for (int64_t w : a.weights)
    weights.push_back(w / unit);
  // Named after the layer when the metadata names it (the same in every
  // export mode), else after the node.
  std::string base = a.meta && !a.meta->name.empty() ? a.meta->name : a.node;
  st.addAttribute("weights", blob(base + "_weights", a.wShape, weights));
  if (!a.bias.empty()) {
    std::vector<int64_t> bias;
    for (double v : a.bias)
      bias.push_back((int64_t)(v / (128.0 * (double)unit)));
    st.addAttribute("bias", blob(base + "_bias", {(int64_t)bias.size()}, bias));
  }
  if (a.op != LinOp::Linear) {
    st.addAttribute("stride", b.getDenseI64ArrayAttr(a.stride));
    st.addAttribute("padding", b.getDenseI64ArrayAttr(a.pad));
    if (a.op == LinOp::ConvT)
      st.addAttribute("output_padding", b.getDenseI64ArrayAttr(a.outPad));
    else
      st.addAttribute("dilation", b.getDenseI64ArrayAttr(a.dil));
    if (a.groups != 1)
      st.addAttribute("groups", b.getI64IntegerAttr(a.groups));
  }
  if (*bits != 8)
    st.addAttribute("weight_bits", b.getI64IntegerAttr(*bits));
  // Weights in 8-bit units: the total shift is the op's output_shift. A
  // 32-bit output is the accumulator before the shift, so the graph says
  // nothing about it; the metadata keeps the checkpoint's value, which the
  // hardware's scale field holds on the checkpoint path too.
  int64_t shift = wide ? (a.meta ? a.meta->outputShift : 0) : a.shift;
  if (shift != 0)
    st.addAttribute("output_shift", b.getI64IntegerAttr(shift));
  st.addTypes(RankedTensorType::get(a.outShape, b.getIntegerType(wide ? 32 : 8)));
  return b.create(st)->getResult(0);
}

/// The feature map behind `v`, for a node that needs one.
FailureOr<Value> OnnxImporter::toFMap(const onnx::NodeProto &user,
                                      const Val &v, StringRef role) {
  switch (v.kind) {
  case Kind::FMap:
    return v.v;
  case Kind::Const:
    err(user) << role
              << " is a constant; only feature maps computed from the "
                 "network input can run on the accelerator";
    return failure();
  case Kind::Acc:
    err(user) << role
              << " is an unfinished convolution/linear result: the "
                 "hardware needs `* 2^k`, `+ 0.5`, Floor and Clip to "
                 "[-128, 127] (or the raw accumulator as a network output)";
    return failure();
  case Kind::Elt:
    err(user) << role
              << " is a sum/difference of feature maps that is not clipped "
                 "to [-128, 127]; the hardware saturates it";
    return failure();
  case Kind::Diff:
    err(user) << role
              << " is a difference q - y that is not part of a "
                 "straight-through estimator y + (q - y)";
    return failure();
  default:
    err(user) << role
              << " is an AveragePool result that is not truncated "
                 "(Sign(x) * Floor(Abs(x))) or rounded (Sign(x) * "
                 "Floor(Abs(x) + 0.5)) at integer scale; the hardware "
                 "truncates the average towards zero (or rounds it half "
                 "away from zero)";
    return failure();
  }
}

//===----------------------------------------------------------------------===//
// Constant folding
//===----------------------------------------------------------------------===//

/// Resolves a Reshape target `spec` (0: the source's dimension, -1:
/// inferred) for a tensor of shape `src` holding `elements` values.
FailureOr<std::vector<int64_t>>
OnnxImporter::targetShape(const onnx::NodeProto &n, const HostValues &spec,
                          ArrayRef<int64_t> src, int64_t elements) {
  std::vector<int64_t> shape;
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < spec.values.size(); ++i) {
    int64_t d = toIndex(spec.values[i]);
    if (d == 0 && i < src.size())
      d = src[i];
    if (d == -1 && infer < 0) {
      infer = shape.size();
      shape.push_back(1);
      continue;
    }
    if (d < 0) {
      err(n) << "invalid target shape";
      return failure();
    }
    if (d > kMaxTensorElements || __builtin_mul_overflow(known, d, &known)) {
      err(n) << "the target shape is too large";
      return failure();
    }
    shape.push_back(d);
  }
  if (infer >= 0 && known > 0)
    shape[infer] = elements / known;
  return shape;
}

LogicalResult OnnxImporter::foldConst(const onnx::NodeProto &n,
                                      ArrayRef<const Val *> in) {
  const std::string &t = n.op_type();
  HostValues r;
  auto input = [&](size_t i) -> const HostValues * {
    return i < in.size() && in[i] ? &in[i]->c : nullptr;
  };
  auto need = [&](size_t count) -> LogicalResult {
    for (size_t i = 0; i < count; ++i)
      if (!input(i)) {
        err(n) << "input " << i << " is missing";
        return failure();
      }
    return success();
  };
  auto unary = [&](auto fn) -> LogicalResult {
    if (failed(need(1)))
      return failure();
    r = *input(0);
    for (double &v : r.values)
      v = fn(v);
    return success();
  };
  auto binary = [&](auto fn) -> LogicalResult {
    if (failed(need(2)))
      return failure();
    const HostValues &x = *input(0), &y = *input(1);
    std::optional<std::vector<int64_t>> s = broadcastShape(x.shape, y.shape);
    if (!s) {
      err(n) << "operand shapes do not broadcast";
      return failure();
    }
    if (product(*s) > kMaxTensorElements) {
      err(n) << "the result is too large";
      return failure();
    }
    r.shape = *s;
    r.integral = x.integral && y.integral;
    std::vector<int64_t> idx(s->size(), 0);
    if (product(*s) > 0)
      do
        r.values.push_back(
            fn(broadcastAt(x, *s, idx), broadcastAt(y, *s, idx)));
      while (nextIndex(idx, *s));
    return success();
  };
  auto axes = [&](size_t inputIndex) -> std::optional<std::vector<int64_t>> {
    if (std::optional<std::vector<int64_t>> a = attrInts(n, "axes"))
      return a;
    if (const HostValues *h = input(inputIndex)) {
      std::vector<int64_t> out;
      for (double v : h->values)
        out.push_back(toIndex(v));
      return out;
    }
    return std::nullopt;
  };

  LogicalResult ok = success();
  if (t == "Constant") {
    if (const onnx::AttributeProto *a = attr(n, "value")) {
      llvm::Expected<HostValues> h = decodeTensor(a->t());
      if (!h) {
        err(n) << llvm::toString(h.takeError());
        return failure();
      }
      r = std::move(*h);
    } else if (const onnx::AttributeProto *a = attr(n, "value_float")) {
      r.values = {a->f()};
    } else if (const onnx::AttributeProto *a = attr(n, "value_int")) {
      r.values = {(double)a->i()};
      r.integral = true;
    } else if (const onnx::AttributeProto *a = attr(n, "value_floats")) {
      r.values.assign(a->floats().begin(), a->floats().end());
      r.shape = {(int64_t)r.values.size()};
    } else if (const onnx::AttributeProto *a = attr(n, "value_ints")) {
      for (int64_t v : a->ints())
        r.values.push_back((double)v);
      r.shape = {(int64_t)r.values.size()};
      r.integral = true;
    } else {
      err(n) << "only `value`, `value_float(s)` and `value_int(s)` constants "
                "are supported";
      return failure();
    }
  } else if (t == "Identity" || t == "Dropout") {
    ok = unary([](double v) { return v; });
  } else if (t == "Cast") {
    int64_t to = attrInt(n, "to", onnx::TensorProto::FLOAT);
    bool toInt = to != onnx::TensorProto::FLOAT &&
                 to != onnx::TensorProto::DOUBLE &&
                 to != onnx::TensorProto::FLOAT16;
    ok = unary([&](double v) {
      if (to == onnx::TensorProto::FLOAT)
        return (double)toFloat(v);
      return toInt && std::isfinite(v) ? std::trunc(v) : v;
    });
    r.integral = toInt;
  } else if (t == "Floor") {
    ok = unary([](double v) { return std::floor(v); });
  } else if (t == "Ceil") {
    ok = unary([](double v) { return std::ceil(v); });
  } else if (t == "Round") {
    // Halves to even (the default floating-point rounding mode).
    ok = unary([](double v) { return std::nearbyint(v); });
  } else if (t == "Relu") {
    ok = unary([](double v) { return std::max(v, 0.0); });
  } else if (t == "Clip") {
    double lo = attrFloat(n, "min", -INFINITY),
           hi = attrFloat(n, "max", INFINITY);
    for (size_t i = 1; i < 3; ++i)
      if (const HostValues *h = input(i)) {
        std::optional<double> bound = scalarOf(*h);
        if (!bound) {
          err(n) << "the bounds must be scalars";
          return failure();
        }
        (i == 1 ? lo : hi) = *bound;
      }
    ok = unary([&](double v) { return std::min(std::max(v, lo), hi); });
  } else if (t == "Neg") {
    ok = unary([](double v) { return -v; });
  } else if (t == "Abs") {
    ok = unary([](double v) { return std::fabs(v); });
  } else if (t == "Sqrt") {
    ok = unary([](double v) { return std::sqrt(v); });
  } else if (t == "Reciprocal") {
    ok = unary([](double v) { return 1.0 / v; });
  } else if (t == "Sign") {
    ok = unary([](double v) { return double((v > 0) - (v < 0)); });
  } else if (t == "Add") {
    ok = binary([](double x, double y) { return x + y; });
  } else if (t == "Sub") {
    ok = binary([](double x, double y) { return x - y; });
  } else if (t == "Mul") {
    ok = binary([](double x, double y) { return x * y; });
  } else if (t == "Div") {
    bool integral = input(0) && input(1) && input(0)->integral &&
                    input(1)->integral;
    ok = binary([&](double x, double y) {
      return integral && y != 0 ? std::trunc(x / y) : x / y;
    });
  } else if (t == "Pow") {
    ok = binary([](double x, double y) { return std::pow(x, y); });
  } else if (t == "Min") {
    ok = binary([](double x, double y) { return std::min(x, y); });
  } else if (t == "Max") {
    ok = binary([](double x, double y) { return std::max(x, y); });
  } else if (t == "Reshape" || t == "Flatten" || t == "Squeeze" ||
             t == "Unsqueeze") {
    if (failed(need(1)))
      return failure();
    r = *input(0);
    std::vector<int64_t> shape;
    if (t == "Reshape") {
      if (failed(need(2)))
        return failure();
      FailureOr<std::vector<int64_t>> target =
          targetShape(n, *input(1), r.shape, r.numElements());
      if (failed(target))
        return failure();
      shape = std::move(*target);
    } else if (t == "Flatten") {
      int64_t axis = attrInt(n, "axis", 1);
      if (axis < 0)
        axis += r.shape.size();
      if (axis < 0 || axis > (int64_t)r.shape.size()) {
        err(n) << "axis out of range";
        return failure();
      }
      shape = {product(ArrayRef<int64_t>(r.shape).take_front(axis)),
               product(ArrayRef<int64_t>(r.shape).drop_front(axis))};
    } else {
      std::optional<std::vector<int64_t>> ax = axes(1);
      int64_t rank = r.shape.size() + (t == "Unsqueeze" && ax ? ax->size() : 0);
      std::vector<bool> marked(rank, false);
      if (ax)
        for (int64_t a : *ax) {
          if (a < 0)
            a += rank;
          if (a < 0 || a >= rank) {
            err(n) << "axis out of range";
            return failure();
          }
          marked[a] = true;
        }
      if (t == "Unsqueeze") {
        if (!ax || (int64_t)std::count(marked.begin(), marked.end(), true) !=
                       (int64_t)ax->size()) {
          err(n) << "the axes must be given and distinct";
          return failure();
        }
        size_t j = 0;
        for (int64_t i = 0; i < rank; ++i)
          shape.push_back(marked[i] ? 1 : r.shape[j++]);
      } else {
        for (size_t i = 0; i < r.shape.size(); ++i)
          if (!(ax ? marked[i] : r.shape[i] == 1))
            shape.push_back(r.shape[i]);
      }
    }
    if (product(shape) != r.numElements()) {
      err(n) << "the new shape does not hold the same number of elements";
      return failure();
    }
    r.shape = shape;
  } else if (t == "Concat") {
    int64_t axis = attrInt(n, "axis", 0);
    if (failed(need(in.size())) || in.empty())
      return failure();
    const HostValues &first = *input(0);
    int64_t rank = first.shape.size();
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank) {
      err(n) << "axis out of range";
      return failure();
    }
    r.shape = first.shape;
    r.shape[axis] = 0;
    r.integral = true;
    for (size_t i = 0; i < in.size(); ++i) {
      const HostValues &h = *input(i);
      if ((int64_t)h.shape.size() != rank) {
        err(n) << "inputs differ in rank";
        return failure();
      }
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && h.shape[d] != first.shape[d]) {
          err(n) << "inputs differ in shape";
          return failure();
        }
      r.shape[axis] += h.shape[axis];
      r.integral &= h.integral;
    }
    if (product(r.shape) > kMaxTensorElements) {
      err(n) << "the result is too large";
      return failure();
    }
    int64_t outer = product(ArrayRef<int64_t>(first.shape).take_front(axis));
    for (int64_t o = 0; o < outer; ++o)
      for (size_t i = 0; i < in.size(); ++i) {
        const HostValues &h = *input(i);
        int64_t inner = product(ArrayRef<int64_t>(h.shape).drop_front(axis));
        r.values.insert(r.values.end(), h.values.begin() + o * inner,
                        h.values.begin() + (o + 1) * inner);
      }
  } else if (t == "Gather") {
    if (failed(need(2)))
      return failure();
    const HostValues &data = *input(0), &idx = *input(1);
    int64_t axis = attrInt(n, "axis", 0);
    if (data.shape.empty() || (axis != 0 && axis != -(int64_t)data.shape.size())) {
      err(n) << "only gathering along the first axis is supported";
      return failure();
    }
    int64_t rows = data.shape[0];
    int64_t inner = product(ArrayRef<int64_t>(data.shape).drop_front());
    r.shape = idx.shape;
    r.shape.insert(r.shape.end(), data.shape.begin() + 1, data.shape.end());
    r.integral = data.integral;
    if (product(r.shape) > kMaxTensorElements) {
      err(n) << "the result is too large";
      return failure();
    }
    for (double dv : idx.values) {
      int64_t i = toIndex(dv);
      if (i < 0)
        i += rows;
      if (i < 0 || i >= rows) {
        err(n) << "index " << fmtNumber(dv) << " out of range";
        return failure();
      }
      r.values.insert(r.values.end(), data.values.begin() + i * inner,
                      data.values.begin() + (i + 1) * inner);
    }
  } else if (t == "Transpose") {
    if (failed(need(1)))
      return failure();
    const HostValues &x = *input(0);
    if (x.shape.size() != 2 ||
        (attrInts(n, "perm") && *attrInts(n, "perm") != std::vector<int64_t>{1, 0})) {
      err(n) << "only 2-D constant transposes are supported";
      return failure();
    }
    r.shape = {x.shape[1], x.shape[0]};
    r.integral = x.integral;
    for (int64_t j = 0; j < x.shape[1]; ++j)
      for (int64_t i = 0; i < x.shape[0]; ++i)
        r.values.push_back(x.values[i * x.shape[1] + j]);
  } else {
    err(n) << "is not supported on constants";
    return failure();
  }
  if (failed(ok))
    return failure();
  constElements += (int64_t)r.values.size();
  if (constElements > kMaxConstElements) {
    err(n) << "the model computes more than " << kMaxConstElements
           << " constant values";
    return failure();
  }
  for (const std::string &o : n.output())
    if (!o.empty()) {
      Val v;
      v.c = r;
      values[o] = std::move(v);
    }
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution, linear, pooling
//===----------------------------------------------------------------------===//

static StringRef linOpName(LinOp op) {
  switch (op) {
  case LinOp::Conv1d:
    return "conv1d";
  case LinOp::Conv2d:
    return "conv2d";
  case LinOp::ConvT:
    return "convtranspose2d";
  case LinOp::Linear:
    return "linear";
  }
  return "";
}

std::shared_ptr<AccState> OnnxImporter::newAcc(const onnx::NodeProto &n,
                                               LinOp op, Value input) {
  FailureOr<const LayerMeta *> meta = takeMeta(n, op);
  if (failed(meta))
    return nullptr;
  auto a = std::make_shared<AccState>(op, input, nodeLoc(n));
  a->meta = *meta;
  a->node = nodeName(n);
  a->opType = n.op_type();
  return a;
}

FailureOr<const LayerMeta *> OnnxImporter::takeMeta(const onnx::NodeProto &n,
                                                    LinOp op) {
  if (!metas)
    return nullptr;
  size_t index = nextMeta++;
  if (index >= metas->size()) {
    err(n) << "the `tornado.layers` metadata lists only " << metas->size()
           << " weight layers; this is weight node " << index + 1;
    return failure();
  }
  const LayerMeta &m = (*metas)[index];
  if (m.op != linOpName(op)) {
    err(n) << "the `tornado.layers` metadata describes weight layer "
           << index + 1 << " ('" << m.name << "') as " << m.op
           << ", but this node is a " << linOpName(op);
    return failure();
  }
  return &m;
}

/// Reads weights into 8-bit units: integers of the layer's width in
/// hardware-mode exports, int / 2^(bits - 1) in QAT exports.
LogicalResult OnnxImporter::weightsFromOnnx(const onnx::NodeProto &n,
                                            const HostValues &w, AccState &a) {
  bool qat = dataScale != 0;
  a.bits = a.meta ? a.meta->weightBits : qat ? 0 : 8;
  int exponent = qat ? 7 : 8 - (int)std::abs(a.bits);
  a.weights.clear();
  bool ok = true;
  for (double v : w.values) {
    double q = std::ldexp(v, exponent);
    if (!isInt(q) || std::fabs(q) > 128) {
      ok = false;
      break;
    }
    a.weights.push_back((int64_t)q);
  }
  if (ok &&
      (a.bits == 0 ? fitsBits(a.weights, 8) : fitsBits(a.weights, a.bits)))
    return success();
  InFlightDiagnostic d = err(n) << "weights must be ";
  if (a.bits == 0) {
    d << "multiples of 1/128 in [-1, 127/128] (a QAT export's weights are "
         "int / 2^(bits - 1))";
    return failure();
  }
  auto [lo, hi] = weightRange(a.bits);
  if (a.bits == -1)
    d << "-1 or +1";
  else
    d << "integers in [" << lo << ", " << hi << "]";
  if (qat)
    d << " divided by " << (int64_t(1) << (std::abs(a.bits) - 1));
  d << " (" << (a.bits == -1 ? "binary" : std::to_string(a.bits) + "-bit")
    << " weights";
  if (a.meta)
    d << " as the `tornado.layers` metadata of layer '" << a.meta->name
      << "' says";
  d << ")";
  if (!qat && !a.meta)
    d << "; export the quantized model: the hardware runs integer weights";
  return failure();
}

/// Completes a convolution/linear node: the accumulator's scale and the
/// bias (ONNX values, one per output channel) in accumulator units.
LogicalResult OnnxImporter::startAcc(const onnx::NodeProto &n,
                                     std::shared_ptr<AccState> a,
                                     const Val &input,
                                     std::optional<std::vector<double>> bias) {
  int64_t weightScale =
      dataScale != 0 ? -7 : -(8 - std::abs(a->bits == 0 ? 8 : a->bits));
  a->log2Scale = input.scale + weightScale;
  if (bias)
    for (double v : *bias)
      a->bias.push_back(std::ldexp(v, -(int)a->log2Scale));
  Val out;
  out.kind = Kind::Acc;
  out.shape = {1};
  out.shape.insert(out.shape.end(), a->outShape.begin(), a->outShape.end());
  out.acc = std::move(a);
  values[n.output(0)] = std::move(out);
  return success();
}

LogicalResult OnnxImporter::importConv(const onnx::NodeProto &n,
                                       ArrayRef<const Val *> in,
                                       bool transposed) {
  if (in.size() < 2 || !in[0] || !in[1]) {
    err(n) << "needs an input and weights";
    return failure();
  }
  FailureOr<Value> x = toFMap(n, *in[0], "the input");
  if (failed(x))
    return failure();
  if (in[1]->kind != Kind::Const) {
    err(n) << "the weights must be constant (an initializer)";
    return failure();
  }
  auto inType = cast<RankedTensorType>(x->getType());
  int64_t rank = inType.getRank() - 1; // spatial dimensions
  const HostValues &w = in[1]->c;
  if (rank < 1 || rank > 2 || (int64_t)w.shape.size() != rank + 2) {
    err(n) << "only 1-D and 2-D convolutions of a CxL or CxHxW feature map "
              "are supported (weights of rank "
           << w.shape.size() << ", input of rank " << inType.getRank() + 1
           << ")";
    return failure();
  }
  if (transposed && rank != 2) {
    err(n) << "only 2-D transposed convolutions are supported";
    return failure();
  }
  auto a = newAcc(n,
                  transposed  ? LinOp::ConvT
                  : rank == 1 ? LinOp::Conv1d
                              : LinOp::Conv2d,
                  *x);
  if (!a || failed(weightsFromOnnx(n, w, *a)))
    return failure();
  std::string autoPad = attr(n, "auto_pad") ? attr(n, "auto_pad")->s() : "";
  if (!autoPad.empty() && autoPad != "NOTSET") {
    err(n) << "auto_pad = " << autoPad
           << " is not supported; export explicit `pads`";
    return failure();
  }
  if (transposed && attr(n, "output_shape")) {
    err(n) << "`output_shape` is not supported; use `pads` and "
              "`output_padding`";
    return failure();
  }
  auto listOr = [&](StringRef name, int64_t dflt) {
    std::vector<int64_t> v = attrInts(n, name).value_or(std::vector<int64_t>());
    if (v.empty())
      v.assign(rank, dflt);
    return v;
  };
  a->stride = listOr("strides", 1);
  a->dil = listOr("dilations", 1);
  std::vector<int64_t> pads = listOr("pads", 0);
  if (pads.size() == (size_t)rank)
    pads.insert(pads.end(), pads.begin(), pads.end());
  a->outPad = listOr("output_padding", 0);
  a->groups = attrInt(n, "group", 1);
  if ((int64_t)a->stride.size() != rank || (int64_t)a->dil.size() != rank ||
      (int64_t)pads.size() != 2 * rank || (int64_t)a->outPad.size() != rank) {
    err(n) << "strides, dilations, pads and output_padding must have one "
              "entry per spatial dimension (pads: two)";
    return failure();
  }
  for (int64_t i = 0; i < rank; ++i)
    if (pads[i] != pads[i + rank]) {
      err(n) << "asymmetric padding is not supported (the hardware pads "
                "both sides equally)";
      return failure();
    }
  a->pad.assign(pads.begin(), pads.begin() + rank);
  if (std::optional<std::vector<int64_t>> k = attrInts(n, "kernel_shape"))
    if (ArrayRef<int64_t>(*k) != ArrayRef<int64_t>(w.shape).drop_front(2)) {
      err(n) << "kernel_shape does not match the weights";
      return failure();
    }
  constexpr int64_t kLimit = 1 << 16;
  for (int64_t i = 0; i < rank; ++i)
    if (a->stride[i] < 1 || a->dil[i] < 1 || a->pad[i] < 0 ||
        a->outPad[i] < 0 || a->stride[i] > kLimit || a->dil[i] > kLimit ||
        a->pad[i] > kLimit || a->outPad[i] > kLimit) {
      err(n) << "strides and dilations must be in [1, " << kLimit
             << "], pads and output_padding in [0, " << kLimit << "]";
      return failure();
    }
  for (int64_t d : w.shape)
    if (d < 1 || d > kLimit) {
      err(n) << "every weight dimension must be in [1, " << kLimit << "]";
      return failure();
    }
  int64_t groups = a->groups, inC = inType.getDimSize(0);
  if (groups < 1 || inC % groups) {
    err(n) << "group " << groups << " must divide the input channels "
           << inC;
    return failure();
  }
  if (groups > 1 && !device->hasFeature(target::Feature::Depthwise)) {
    err(n) << "grouped convolutions (group " << groups
           << ") are not supported by " << device->name()
           << " (MAX78002 has depth-wise layers)";
    return failure();
  }
  std::vector<int64_t> ws = w.shape;
  if (transposed) {
    for (int64_t d : a->dil)
      if (d != 1) {
        err(n) << "dilated transposed convolutions are not supported by "
                  "the hardware";
        return failure();
      }
    // ONNX (like PyTorch) stores [in, out / groups, kh, kw]; the hardware
    // applies each kernel rotated by 180 degrees with the channel roles
    // swapped within each group: [out, in / groups, kh, kw].
    if (ws[0] != inC) {
      err(n) << "weights expect " << ws[0] << " input channels, the input has "
             << inC;
      return failure();
    }
    int64_t ci = ws[0] / groups, co = ws[1], kh = ws[2], kw = ws[3];
    std::vector<int64_t> out(a->weights.size());
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t xx = 0; xx < kw; ++xx)
              out[(((g * co + o) * ci + i) * kh + y) * kw + xx] =
                  a->weights[(((g * ci + i) * co + o) * kh + (kh - 1 - y)) *
                                 kw +
                             (kw - 1 - xx)];
    a->weights = std::move(out);
    ws = {groups * co, ci, kh, kw};
  }
  if (ws[1] * groups != inC) {
    err(n) << "weights expect " << ws[1] * groups
           << " input channels, the input has " << inC;
    return failure();
  }
  if (groups > 1 && (groups != inC || ws[0] != inC)) {
    err(n) << "only depth-wise grouping is supported (group " << groups
           << " must equal the input channels " << inC
           << " and the output channels " << ws[0] << ")";
    return failure();
  }
  a->wShape = ws;
  a->outShape = {ws[0]};
  for (int64_t i = 0; i < rank; ++i) {
    int64_t len = inType.getDimSize(i + 1), k = ws[i + 2];
    int64_t o = transposed
                    ? (len - 1) * a->stride[i] - 2 * a->pad[i] + (k - 1) +
                          a->outPad[i] + 1
                    : (len + 2 * a->pad[i] - a->dil[i] * (k - 1) - 1) /
                              a->stride[i] +
                          1;
    if (o < 1) {
      err(n) << "the output would be empty";
      return failure();
    }
    a->outShape.push_back(o);
  }
  std::optional<std::vector<double>> bias;
  if (in.size() > 2 && in[2]) {
    if (in[2]->kind != Kind::Const ||
        (int64_t)in[2]->c.values.size() != ws[0]) {
      err(n) << "the bias must be a constant with one value per output "
                "channel";
      return failure();
    }
    bias = in[2]->c.values;
  }
  return startAcc(n, std::move(a), *in[0], std::move(bias));
}

LogicalResult OnnxImporter::importLinear(const onnx::NodeProto &n,
                                         ArrayRef<const Val *> in) {
  bool gemm = n.op_type() == "Gemm";
  if (in.size() < 2 || !in[0] || !in[1]) {
    err(n) << "needs two inputs";
    return failure();
  }
  if (in[0]->kind == Kind::Const || in[1]->kind != Kind::Const) {
    err(n) << "only a feature map times a constant weight matrix is "
              "supported";
    return failure();
  }
  FailureOr<Value> x = toFMap(n, *in[0], "the input");
  if (failed(x))
    return failure();
  if (in[0]->shape.size() != 2) {
    err(n) << "the input must be flattened to [batch, features] first "
              "(Flatten or Reshape)";
    return failure();
  }
  const HostValues &w = in[1]->c;
  if (w.shape.size() != 2) {
    err(n) << "the weights must be a matrix";
    return failure();
  }
  bool transB = false;
  if (gemm) {
    if (attrInt(n, "transA", 0) != 0 || attrFloat(n, "alpha", 1.0f) != 1.0f ||
        attrFloat(n, "beta", 1.0f) != 1.0f) {
      err(n) << "only transA = 0, alpha = 1 and beta = 1 are supported";
      return failure();
    }
    transB = attrInt(n, "transB", 0) != 0;
  }
  auto a = newAcc(n, LinOp::Linear, *x);
  if (!a || failed(weightsFromOnnx(n, w, *a)))
    return failure();
  std::vector<int64_t> raw = std::move(a->weights);
  int64_t rows = w.shape[0], cols = w.shape[1];
  int64_t outF = transB ? rows : cols, inF = transB ? cols : rows;
  if (inF != in[0]->shape[1]) {
    err(n) << "the weights expect " << inF << " inputs, the feature map has "
           << in[0]->shape[1];
    return failure();
  }
  a->wShape = {outF, inF};
  a->weights.resize(raw.size());
  for (int64_t o = 0; o < outF; ++o)
    for (int64_t i = 0; i < inF; ++i)
      a->weights[o * inF + i] = transB ? raw[o * inF + i] : raw[i * outF + o];
  a->outShape = {outF};
  std::optional<std::vector<double>> bias;
  if (gemm && in.size() > 2 && in[2]) {
    if (in[2]->kind == Kind::Const)
      bias = channelValues(in[2]->c, {1, outF});
    if (!bias) {
      err(n) << "the bias must be a constant with one value per output";
      return failure();
    }
  }
  return startAcc(n, std::move(a), *in[0], std::move(bias));
}

LogicalResult OnnxImporter::importPool(const onnx::NodeProto &n,
                                       const Val &in, bool max) {
  FailureOr<Value> x = toFMap(n, in, "the input");
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank() - 1;
  if (rank < 1 || rank > 2) {
    err(n) << "pooling needs a CxL or CxHxW feature map";
    return failure();
  }
  std::optional<std::vector<int64_t>> k = attrInts(n, "kernel_shape");
  if (!k || (int64_t)k->size() != rank) {
    err(n) << "kernel_shape must have one entry per spatial dimension";
    return failure();
  }
  std::vector<int64_t> s = attrInts(n, "strides").value_or(std::vector<int64_t>(rank, 1));
  std::vector<int64_t> d = attrInts(n, "dilations").value_or(std::vector<int64_t>(rank, 1));
  std::vector<int64_t> pads = attrInts(n, "pads").value_or(std::vector<int64_t>());
  std::string autoPad = attr(n, "auto_pad") ? attr(n, "auto_pad")->s() : "";
  if ((int64_t)s.size() != rank || (int64_t)d.size() != rank) {
    err(n) << "strides and dilations must have one entry per spatial "
              "dimension";
    return failure();
  }
  for (int64_t p : pads)
    if (p != 0) {
      err(n) << "padded pooling is not supported by the hardware";
      return failure();
    }
  if ((!autoPad.empty() && autoPad != "NOTSET" && autoPad != "VALID") ||
      attrInt(n, "ceil_mode", 0) != 0 || attrInt(n, "storage_order", 0) != 0) {
    err(n) << "only floor-mode pooling without automatic padding is "
              "supported";
    return failure();
  }
  if (n.output_size() > 1 && !n.output(1).empty()) {
    err(n) << "the Indices output is not supported";
    return failure();
  }
  SmallVector<int64_t> outShape{type.getDimSize(0)};
  for (int64_t i = 0; i < rank; ++i) {
    if ((*k)[i] < 1 || s[i] < 1 || d[i] < 1 || (*k)[i] > 1 << 16 ||
        s[i] > 1 << 16 || d[i] > 1 << 16) {
      err(n) << "kernel, strides and dilations must be in [1, 65536]";
      return failure();
    }
    int64_t o = (type.getDimSize(i + 1) - d[i] * ((*k)[i] - 1) - 1) / s[i] + 1;
    if (o < 1) {
      err(n) << "the pooling window is larger than the feature map";
      return failure();
    }
    outShape.push_back(o);
  }
  OperationState st(nodeLoc(n), PoolOp::getOperationName());
  st.addOperands(*x);
  // finishAvg sets `rounding` once it sees how the average is rounded.
  st.addAttribute("pool", PoolAttr::get(ctx, max ? PoolKind::max : PoolKind::avg,
                                        *k, s, d, /*rounding=*/false));
  st.addTypes(RankedTensorType::get(outShape, type.getElementType()));
  Value pooled = b.create(st)->getResult(0);
  Val out;
  fmapVal(pooled, out, in.scale);
  if (!max)
    out.kind = Kind::AvgRaw;
  values[n.output(0)] = std::move(out);
  return success();
}

/// Clamps a rounded accumulator to [lo, hi] (ONNX values). Saturation to
/// [-128, 127] completes the op (with ReLU for [0, 127]); a partial clamp
/// (Max before Min) stays pending.
LogicalResult OnnxImporter::clampAcc(const onnx::NodeProto &n, const Val &x,
                                     double lo, double hi) {
  AccState a = *x.acc;
  // In integers of the rounded value.
  a.clampLo = std::max(a.clampLo, std::ldexp(lo, -(int)a.log2Scale));
  a.clampHi = std::min(a.clampHi, std::ldexp(hi, -(int)a.log2Scale));
  bool loOk = a.clampLo == -INFINITY || a.clampLo == -128 || a.clampLo == 0;
  bool hiOk = a.clampHi == INFINITY || a.clampHi == 127;
  if (!a.rounded || !loOk || !hiOk) {
    double unit = std::ldexp(1.0, (int)a.log2Scale);
    InFlightDiagnostic d =
        err(n) << "clipping to [" << fmtNumber(a.clampLo * unit) << ", "
               << fmtNumber(a.clampHi * unit)
               << "] does not match the hardware: a convolution result must "
                  "be rounded (+ 0.5, Floor) and then clipped to [-128, 127] "
                  "(saturation) or [0, 127] (saturation and ReLU)";
    if (a.rounded && a.log2Scale != 0)
      d << "; the rounded integers are scaled by 2^" << a.log2Scale
        << " here, so that is [" << fmtNumber(-128 * unit) << ", "
        << fmtNumber(127 * unit) << "]";
    return failure();
  }
  Val out;
  if (a.clampHi == 127 && a.clampLo != -INFINITY) {
    FailureOr<Value> v = finalize(a, /*wide=*/false);
    if (failed(v))
      return failure();
    fmapVal(a.clampLo == 0 ? activate(nodeLoc(n), Activation::relu, *v) : *v,
            out, a.log2Scale);
  } else {
    out = x;
    out.acc = std::make_shared<AccState>(std::move(a));
  }
  values[n.output(0)] = std::move(out);
  return success();
}

/// Add/Sub/Mul/Div/Min/Max of a non-constant value `dyn` and a constant.
LogicalResult OnnxImporter::importScaling(const onnx::NodeProto &n,
                                          const Val &dyn, const HostValues &c,
                                          bool constFirst) {
  const std::string &t = n.op_type();
  auto setOut = [&](Val v) { values[n.output(0)] = std::move(v); };
  std::optional<double> s = scalarOf(c);
  // k when the node multiplies by 2^k: power-of-two scales only relabel
  // the integers.
  std::optional<int64_t> k;
  if (s && log2Exact(*s) && (t == "Mul" || (t == "Div" && !constFirst)))
    k = (t == "Mul" ? 1 : -1) * *log2Exact(*s);
  if (dyn.kind == Kind::Acc) {
    if (s && (t == "Min" || t == "Max"))
      return clampAcc(n, dyn, t == "Max" ? *s : -INFINITY,
                      t == "Min" ? *s : INFINITY);
    AccState a = *dyn.acc;
    if ((t == "Add" || (t == "Sub" && !constFirst)) && !a.offset &&
        !a.rounded && !a.scaled) {
      std::optional<std::vector<double>> per = channelValues(c, dyn.shape);
      if (!per) {
        err(n) << "a constant added to a convolution must be one value per "
                  "output channel (a bias)";
        return failure();
      }
      if (a.bias.empty())
        a.bias.assign(per->size(), 0.0);
      for (size_t i = 0; i < per->size(); ++i)
        a.bias[i] +=
            std::ldexp(t == "Add" ? (*per)[i] : -(*per)[i], -(int)a.log2Scale);
    } else if (t == "Add" && s && *s == 0.5 && !a.offset && !a.rounded) {
      a.offset = true;
    } else if (k && (!a.offset || a.rounded) && std::abs(a.log2Scale) < 64) {
      a.log2Scale += *k;
      a.scaled |= !a.rounded;
    } else {
      err(n) << "this arithmetic on a convolution/linear result does not "
                "match the hardware's output stage (bias per channel, "
                "* 2^k, + 0.5, Floor, Clip to [-128, 127])";
      return failure();
    }
    Val out = dyn;
    out.acc = std::make_shared<AccState>(std::move(a));
    setOut(std::move(out));
    return success();
  }
  bool scalable = dyn.kind == Kind::FMap || dyn.kind == Kind::Elt ||
                  dyn.kind == Kind::AvgRaw;
  if (k && scalable && std::abs(dyn.scale) < 64) {
    Val out = dyn;
    out.scale += *k;
    setOut(std::move(out));
    return success();
  }
  if (dyn.kind == Kind::AvgAbs && t == "Add" && s && *s == 0.5 &&
      dyn.scale == 0) {
    Val out = dyn;
    out.kind = Kind::AvgAbsHalf;
    setOut(std::move(out));
    return success();
  }
  if (dyn.kind == Kind::FMap && s) {
    double v = std::ldexp(*s, -(int)dyn.scale); // in integers of the map
    if ((t == "Max" && v <= -128) || (t == "Min" && v >= 127) ||
        ((t == "Add" || t == "Sub") && *s == 0)) {
      setOut(dyn);
      return success();
    }
    if (t == "Max" && v == 0) {
      Val out;
      fmapVal(activate(nodeLoc(n), Activation::relu, dyn.v), out, dyn.scale);
      setOut(std::move(out));
      return success();
    }
  }
  err(n) << "arithmetic with a constant on a feature map is not supported "
            "here; the hardware has no such stage (supported: the output "
            "stage of a convolution, * 2^k, Max(x, 0) as ReLU, "
            "Min(x, 127))";
  return failure();
}

/// 2-adic valuation of a non-zero integer.
static int64_t twoAdic(int64_t v) {
  int64_t k = 0;
  for (; v % 2 == 0; v /= 2)
    ++k;
  return k;
}

/// Rounding of an accumulator: `+ 0.5` then Floor is the hardware's rounding
/// (half up); ONNX Round (half to even) is only accepted where no value can
/// be a tie.
LogicalResult OnnxImporter::roundAcc(const onnx::NodeProto &n, const Val &x) {
  const AccState &acc = *x.acc;
  bool floor = n.op_type() == "Floor";
  if (acc.rounded || acc.offset != floor) {
    err(n) << (floor ? "Floor must follow `+ 0.5` on a convolution result "
                       "(hardware rounding)"
                     : "Round must come in place of `+ 0.5`, Floor")
           << " or Abs of an average";
    return failure();
  }
  if (!floor) {
    // acc * 2^L is an integer (so no tie) when every product and the bias
    // are multiples of 2^-L.
    int64_t low = INT64_MAX;
    for (int64_t w : acc.weights)
      if (w)
        low = std::min(low, twoAdic(w));
    for (double v : acc.bias) {
      if (!isInt(v) || std::fabs(v) > 9e15) {
        low = -1000; // a fraction: no proof
        continue;
      }
      if (v != 0)
        low = std::min(low, twoAdic((int64_t)v));
    }
    if (low != INT64_MAX && low + acc.log2Scale < 0) {
      err(n) << "ONNX Round rounds halves to even, the hardware rounds them "
                "up (floor(x + 0.5)); here x = accumulator * 2^"
             << acc.log2Scale
             << " can be an odd multiple of 1/2, so the results differ; "
                "export floor(x + 0.5)";
      return failure();
    }
  }
  Val out = x;
  out.acc = std::make_shared<AccState>(acc);
  out.acc->rounded = true;
  out.acc->shift = acc.log2Scale + 7;
  out.acc->log2Scale = 0;
  values[n.output(0)] = std::move(out);
  return success();
}

/// Sign(x) * Floor(Abs(x) [+ 0.5]) of an average: the hardware's average
/// pooling, truncated (or rounded: the pool gets `rounding`).
LogicalResult OnnxImporter::finishAvg(const onnx::NodeProto &n,
                                      const Val &mag) {
  auto pool = cast<PoolOp>(mag.v.getDefiningOp());
  bool oneD = cast<RankedTensorType>(pool.getType()).getRank() == 2;
  if (mag.avgRound && oneD) {
    err(n) << "the average is rounded, but the hardware's 1-D average "
              "pooling always truncates";
    return failure();
  }
  if (options.avgPoolRounding && !mag.avgRound && !oneD) {
    err(n) << "the average is truncated, but --avg-pool-rounding makes "
              "the hardware round every 2-D average";
    return failure();
  }
  auto [it, first] = finishedAvg.try_emplace(pool, mag.avgRound);
  if (!first && it->second != mag.avgRound) {
    err(n) << "the same average pool is both rounded and truncated";
    return failure();
  }
  if (mag.avgRound) {
    PoolAttr p = pool.getPool();
    pool.setPoolAttr(PoolAttr::get(ctx, p.getKind(), p.getKernel(),
                                   p.getStride(), p.getDilation(), true));
  }
  Val out;
  fmapVal(mag.v, out, 0);
  values[n.output(0)] = std::move(out);
  return success();
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

LogicalResult OnnxImporter::importNode(const onnx::NodeProto &n) {
  const std::string &t = n.op_type();
  if (!n.domain().empty() && n.domain() != "ai.onnx") {
    err(n) << "operators of domain `" << n.domain() << "` are not supported";
    return failure();
  }
  SmallVector<const Val *> in;
  bool allConst = true;
  for (const std::string &name : n.input()) {
    if (name.empty()) {
      in.push_back(nullptr);
      continue;
    }
    auto it = values.find(name);
    if (it == values.end()) {
      err(n) << "input `" << name
             << "` is not produced by any earlier node (the graph must be "
                "topologically sorted)";
      return failure();
    }
    in.push_back(&it->second);
    allConst &= it->second.kind == Kind::Const;
  }
  if (n.output_size() < 1 || n.output(0).empty()) {
    err(n) << "has no output";
    return failure();
  }
  if (t == "Shape" && !in.empty() && in[0]) {
    if (in[0]->kind != Kind::Const) {
      Val v;
      for (int64_t d : in[0]->shape)
        v.c.values.push_back((double)d);
      v.c.shape = {(int64_t)in[0]->shape.size()};
      v.c.integral = true;
      values[n.output(0)] = std::move(v);
      return success();
    }
    Val v;
    for (int64_t d : in[0]->c.shape)
      v.c.values.push_back((double)d);
    v.c.shape = {(int64_t)in[0]->c.shape.size()};
    v.c.integral = true;
    values[n.output(0)] = std::move(v);
    return success();
  }
  if (allConst)
    return foldConst(n, in);

  auto setOut = [&](Val v) { values[n.output(0)] = std::move(v); };
  auto need = [&](size_t count) -> LogicalResult {
    if (in.size() < count) {
      err(n) << "expects " << count << " inputs";
      return failure();
    }
    for (size_t i = 0; i < count; ++i)
      if (!in[i]) {
        err(n) << "input " << i << " is missing";
        return failure();
      }
    return success();
  };
  // (lo, hi) of a Clip, from its inputs (opset >= 11) or attributes.
  auto clipBounds = [&]() -> std::optional<std::pair<double, double>> {
    double lo = -INFINITY, hi = INFINITY;
    if (const onnx::AttributeProto *a = attr(n, "min"))
      lo = a->f();
    if (const onnx::AttributeProto *a = attr(n, "max"))
      hi = a->f();
    for (size_t i = 1; i < 3 && i < in.size(); ++i) {
      if (!in[i])
        continue;
      std::optional<double> s;
      if (in[i]->kind == Kind::Const)
        s = scalarOf(in[i]->c);
      if (!s)
        return std::nullopt;
      (i == 1 ? lo : hi) = *s;
    }
    return std::make_pair(lo, hi);
  };

  if (t == "Identity" || t == "Dropout" || t == "Cast") {
    if (failed(need(1)))
      return failure();
    if (t == "Dropout" && n.output_size() > 1 && !n.output(1).empty()) {
      err(n) << "the mask output is not supported";
      return failure();
    }
    setOut(*in[0]);
    return success();
  }
  if (t == "Conv" || t == "ConvTranspose")
    return importConv(n, in, t == "ConvTranspose");
  if (t == "Gemm" || t == "MatMul")
    return importLinear(n, in);
  if (t == "MaxPool" || t == "AveragePool") {
    if (failed(need(1)))
      return failure();
    return importPool(n, *in[0], t == "MaxPool");
  }
  if (t == "Pad") {
    if (failed(need(1)))
      return failure();
    std::vector<int64_t> pads;
    if (in.size() > 1 && in[1]) {
      if (in[1]->kind != Kind::Const) {
        err(n) << "the pads must be constant";
        return failure();
      }
      for (double v : in[1]->c.values)
        pads.push_back(toIndex(v));
    } else if (std::optional<std::vector<int64_t>> p = attrInts(n, "pads")) {
      pads = *p;
    }
    for (int64_t p : pads)
      if (p != 0) {
        err(n) << "explicit padding is not supported; the hardware pads only "
                  "inside a convolution (use the Conv's `pads`)";
        return failure();
      }
    setOut(*in[0]);
    return success();
  }

  // The straight-through estimator y + (q - y) of QAT exports is q.
  if (t == "Add" && in.size() == 2 && in[0] && in[1])
    for (int i = 0; i < 2; ++i) {
      auto it = subOperands.find(n.input(1 - i));
      if (it != subOperands.end() && it->second.second == n.input(i)) {
        setOut(values.at(it->second.first));
        return success();
      }
    }

  // Binary arithmetic with one constant operand.
  bool binaryArith = t == "Add" || t == "Sub" || t == "Mul" || t == "Div" ||
                     t == "Min" || t == "Max";
  if (binaryArith && in.size() == 2 && in[0] && in[1] &&
      (in[0]->kind == Kind::Const) != (in[1]->kind == Kind::Const)) {
    bool constFirst = in[0]->kind == Kind::Const;
    return importScaling(n, constFirst ? *in[1] : *in[0],
                         constFirst ? in[0]->c : in[1]->c, constFirst);
  }

  if (t == "Floor" || t == "Round") {
    if (failed(need(1)))
      return failure();
    const Val &x = *in[0];
    if (x.kind == Kind::Acc)
      return roundAcc(n, x);
    if (t == "Floor" &&
        (x.kind == Kind::AvgAbs || x.kind == Kind::AvgAbsHalf) &&
        x.scale == 0) {
      Val out = x;
      out.kind = Kind::AvgFloorAbs;
      out.avgRound = x.kind == Kind::AvgAbsHalf;
      setOut(std::move(out));
      return success();
    }
    if (x.kind == Kind::FMap && x.scale >= 0) {
      setOut(x); // integers already
      return success();
    }
    if (t == "Round")
      err(n) << "ONNX Round (halves to even) is only supported on a "
                "convolution result that cannot be a tie; the hardware "
                "rounds halves up (convolutions) or away from zero "
                "(averages): export floor(x + 0.5)";
    else
      err(n) << "Floor must follow `+ 0.5` on a convolution result "
                "(hardware rounding) or Abs of an average at integer scale";
    return failure();
  }
  if (t == "Sign" || t == "Abs") {
    if (failed(need(1)))
      return failure();
    const Val &x = *in[0];
    if (x.kind == Kind::AvgRaw) {
      Val out = x;
      out.kind = t == "Sign" ? Kind::AvgSign : Kind::AvgAbs;
      setOut(std::move(out));
      return success();
    }
    if (t == "Abs" && x.kind == Kind::FMap) {
      Val out;
      fmapVal(activate(nodeLoc(n), Activation::abs, x.v), out, x.scale);
      setOut(std::move(out));
      return success();
    }
    err(n) << "is only supported as an activation (Abs of a feature map) or "
              "in the truncation of an average (Sign(x) * Floor(Abs(x)))";
    return failure();
  }
  if (t == "Mul" && in.size() == 2 && in[0] && in[1]) {
    const Val &x = *in[0], &y = *in[1];
    const Val *sign = x.kind == Kind::AvgSign ? &x : &y;
    const Val *mag = x.kind == Kind::AvgSign ? &y : &x;
    if (sign->kind == Kind::AvgSign && mag->kind == Kind::AvgFloorAbs &&
        sign->v == mag->v && sign->scale == mag->scale)
      return finishAvg(n, *mag);
  }
  if (t == "Clip" || t == "Relu") {
    if (failed(need(1)))
      return failure();
    const Val &x = *in[0];
    double lo = 0, hi = INFINITY;
    if (t == "Clip") {
      std::optional<std::pair<double, double>> bounds = clipBounds();
      if (!bounds) {
        err(n) << "the bounds must be constant scalars";
        return failure();
      }
      std::tie(lo, hi) = *bounds;
    }
    if (x.kind == Kind::Acc)
      return clampAcc(n, x, lo, hi);
    // In integers of the feature map.
    double ilo = std::ldexp(lo, -(int)x.scale);
    double ihi = std::ldexp(hi, -(int)x.scale);
    bool relu = ilo == 0 && ihi >= 127;
    bool saturate = ilo <= -128 && ihi >= 127;
    Val out;
    if (x.kind == Kind::Elt && ihi == 127 && (ilo == -128 || ilo == 0)) {
      OperationState st(nodeLoc(n), EltwiseOp::getOperationName());
      st.addOperands(x.eltOperands);
      st.addAttribute("kind", EltwiseKindAttr::get(ctx, x.elt));
      st.addTypes(x.eltOperands.front().getType());
      Value v = b.create(st)->getResult(0);
      if (ilo == 0)
        v = activate(nodeLoc(n), Activation::relu, v);
      fmapVal(v, out, x.scale);
    } else if (x.kind == Kind::FMap && (saturate || relu)) {
      if (relu && !x.nonNegative)
        fmapVal(activate(nodeLoc(n), Activation::relu, x.v), out, x.scale);
      else
        out = x;
    } else {
      InFlightDiagnostic d =
          err(n) << "clipping to [" << fmtNumber(lo) << ", " << fmtNumber(hi)
                 << "] does not match the hardware: a rounded convolution "
                    "result must be clipped to [-128, 127] (saturation) or "
                    "[0, 127] (saturation and ReLU), a feature map to "
                    "[0, 127] (ReLU)";
      if (x.scale != 0)
        d << "; the integers are scaled by 2^" << x.scale << " here";
      return failure();
    }
    setOut(std::move(out));
    return success();
  }
  if (t == "Add" || t == "Sub") {
    if (failed(need(2)))
      return failure();
    EltwiseKind kind = t == "Add" ? EltwiseKind::add : EltwiseKind::sub;
    const Val &x = *in[0], &y = *in[1];
    if (t == "Sub") {
      subOperands[n.output(0)] = {n.input(0), n.input(1)};
      auto isMap = [](const Val &v) {
        return v.kind == Kind::FMap || v.kind == Kind::Elt;
      };
      if (!isMap(x) || !isMap(y)) {
        // Only meaningful inside y + (q - y).
        Val d;
        d.kind = Kind::Diff;
        d.shape = x.shape;
        setOut(std::move(d));
        return success();
      }
    }
    if (x.kind != Kind::Const && y.kind != Kind::Const && x.scale != y.scale) {
      err(n) << "the operands are scaled differently (2^" << x.scale
             << " and 2^" << y.scale << "); the hardware combines the integers";
      return failure();
    }
    Val out;
    out.scale = x.scale;
    out.kind = Kind::Elt;
    out.elt = kind;
    if (x.kind == Kind::Elt && x.elt == kind) {
      out.eltOperands = x.eltOperands;
    } else {
      FailureOr<Value> a = toFMap(n, x, "the first operand");
      if (failed(a))
        return failure();
      out.eltOperands.push_back(*a);
    }
    FailureOr<Value> c = toFMap(n, y, "the second operand");
    if (failed(c))
      return failure();
    if (c->getType() != out.eltOperands.front().getType()) {
      err(n) << "element-wise operands must have identical shapes";
      return failure();
    }
    out.eltOperands.push_back(*c);
    out.shape = onnxShape(*c);
    setOut(std::move(out));
    return success();
  }
  if (t == "Or" || t == "Xor" || t == "BitwiseOr" || t == "BitwiseXor") {
    if (failed(need(2)))
      return failure();
    SmallVector<Value> ops;
    EltwiseKind kind = (t == "Or" || t == "BitwiseOr") ? EltwiseKind::bitwise_or
                                                       : EltwiseKind::bitwise_xor;
    if (in[0]->scale != in[1]->scale) {
      err(n) << "the operands are scaled differently (2^" << in[0]->scale
             << " and 2^" << in[1]->scale
             << "); the hardware combines the integers";
      return failure();
    }
    for (int i = 0; i < 2; ++i) {
      if (in[i]->kind == Kind::Elt && in[i]->elt == kind) {
        ops.append(in[i]->eltOperands.begin(), in[i]->eltOperands.end());
        continue;
      }
      FailureOr<Value> v = toFMap(n, *in[i], "an operand");
      if (failed(v))
        return failure();
      ops.push_back(*v);
    }
    for (Value v : ops)
      if (v.getType() != ops.front().getType()) {
        err(n) << "element-wise operands must have identical shapes";
        return failure();
      }
    OperationState st(nodeLoc(n), EltwiseOp::getOperationName());
    st.addOperands(ops);
    st.addAttribute("kind", EltwiseKindAttr::get(ctx, kind));
    st.addTypes(ops.front().getType());
    Val out;
    fmapVal(b.create(st)->getResult(0), out, in[0]->scale);
    setOut(std::move(out));
    return success();
  }
  if (t == "Concat") {
    int64_t axis = attrInt(n, "axis", 0);
    SmallVector<Value> ops;
    std::optional<int64_t> scale;
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i])
        continue;
      FailureOr<Value> v = toFMap(n, *in[i], "an operand");
      if (failed(v))
        return failure();
      if (scale && *scale != in[i]->scale) {
        err(n) << "the operands are scaled differently (2^" << *scale
               << " and 2^" << in[i]->scale
               << "); the hardware concatenates the integers";
        return failure();
      }
      scale = in[i]->scale;
      ops.push_back(*v);
    }
    auto first = cast<RankedTensorType>(ops.front().getType());
    if (axis < 0)
      axis += first.getRank() + 1;
    if (axis != 1 || first.getRank() < 2) {
      err(n) << "only concatenation of feature maps along the channel axis "
                "(axis 1) is supported";
      return failure();
    }
    SmallVector<int64_t> shape(first.getShape());
    shape[0] = 0;
    for (Value v : ops) {
      auto ty = cast<RankedTensorType>(v.getType());
      if (ty.getShape().drop_front() != first.getShape().drop_front()) {
        err(n) << "operands differ in their spatial shape";
        return failure();
      }
      shape[0] += ty.getDimSize(0);
    }
    OperationState st(nodeLoc(n), ConcatOp::getOperationName());
    st.addOperands(ops);
    st.addTypes(RankedTensorType::get(shape, first.getElementType()));
    Val out;
    fmapVal(b.create(st)->getResult(0), out, *scale);
    setOut(std::move(out));
    return success();
  }
  if (t == "Flatten" || t == "Reshape") {
    if (failed(need(1)))
      return failure();
    FailureOr<Value> x = toFMap(n, *in[0], "the input");
    if (failed(x))
      return failure();
    auto type = cast<RankedTensorType>(x->getType());
    std::vector<int64_t> target;
    if (t == "Flatten") {
      int64_t axis = attrInt(n, "axis", 1);
      if (axis != 1) {
        err(n) << "only Flatten with axis 1 (keeping the batch) is supported";
        return failure();
      }
      target = {1, type.getNumElements()};
    } else {
      if (in.size() < 2 || !in[1] || in[1]->kind != Kind::Const) {
        err(n) << "the target shape must be constant";
        return failure();
      }
      FailureOr<std::vector<int64_t>> spec =
          targetShape(n, in[1]->c, in[0]->shape, type.getNumElements());
      if (failed(spec))
        return failure();
      target = std::move(*spec);
      if (product(target) != type.getNumElements() || target.empty() ||
          target[0] != 1) {
        err(n) << "the target shape must keep the batch dimension and the "
                  "number of elements";
        return failure();
      }
    }
    Val out;
    if (target.size() == 2) {
      if (type.getRank() == 1) {
        out = *in[0];
      } else {
        Value src = *x;
        if (type.getRank() == 2) {
          // A layer reads 1D data as C x L x 1 (what flattening expects).
          OperationState rs(nodeLoc(n), ReshapeOp::getOperationName());
          rs.addOperands(src);
          rs.addTypes(RankedTensorType::get(
              {type.getDimSize(0), type.getDimSize(1), 1},
              type.getElementType()));
          src = b.create(rs)->getResult(0);
        }
        OperationState st(nodeLoc(n), FlattenOp::getOperationName());
        st.addOperands(src);
        st.addTypes(RankedTensorType::get({target[1]}, type.getElementType()));
        fmapVal(b.create(st)->getResult(0), out, in[0]->scale);
      }
    } else if ((target.size() == 3 || target.size() == 4) &&
               type.getRank() >= 2 && target[1] == type.getDimSize(0)) {
      OperationState st(nodeLoc(n), ReshapeOp::getOperationName());
      st.addOperands(*x);
      st.addTypes(RankedTensorType::get(ArrayRef<int64_t>(target).drop_front(),
                                        type.getElementType()));
      fmapVal(b.create(st)->getResult(0), out, in[0]->scale);
    } else {
      err(n) << "only flattening, or reading a feature map with another "
                "spatial shape and the same channels, is supported";
      return failure();
    }
    setOut(std::move(out));
    return success();
  }
  if (t == "BatchNormalization") {
    if (failed(need(5)))
      return failure();
    FailureOr<Value> x = toFMap(n, *in[0], "the input");
    if (failed(x))
      return failure();
    int64_t channels = cast<RankedTensorType>(x->getType()).getDimSize(0);
    // For ONNX values int * 2^s (in and out): the integers are normalized
    // with scale, bias and mean divided by 2^s, variance and epsilon by 4^s.
    int sc = (int)in[0]->scale;
    auto vec = [&](const Val *v, int exponent) -> ElementsAttr {
      if (v->kind != Kind::Const || v->c.numElements() != channels)
        return {};
      std::vector<float> f;
      for (double d : v->c.values)
        f.push_back(toFloat(std::ldexp(d, exponent)));
      return DenseElementsAttr::get(
          RankedTensorType::get({channels}, b.getF32Type()), ArrayRef<float>(f));
    };
    ElementsAttr scale = vec(in[1], -sc), shift = vec(in[2], -sc),
                 mean = vec(in[3], -sc), var = vec(in[4], -2 * sc);
    if (!scale || !shift || !mean || !var) {
      err(n) << "scale, bias, mean and variance must be constants with one "
                "value per channel";
      return failure();
    }
    if (n.output_size() > 1) {
      err(n) << "training-mode outputs are not supported";
      return failure();
    }
    OperationState st(nodeLoc(n), BatchNormOp::getOperationName());
    st.addOperands(*x);
    st.addAttribute("mean", mean);
    st.addAttribute("variance", var);
    st.addAttribute("scale", scale);
    st.addAttribute("shift", shift);
    st.addAttribute("epsilon",
                    b.getF64FloatAttr(std::ldexp(
                        (double)attrFloat(n, "epsilon", 1e-5f), -2 * sc)));
    st.addTypes(x->getType());
    Val out;
    fmapVal(b.create(st)->getResult(0), out, in[0]->scale);
    setOut(std::move(out));
    return success();
  }
  if (t == "Slice")
    return importSlice(n, in);
  err(n) << "is not supported (supported: Conv, ConvTranspose, Gemm, MatMul, "
            "Relu, Abs, Clip, Min, Max, MaxPool, AveragePool, Add, Sub, Or, "
            "Xor, Flatten, Reshape, Concat, BatchNormalization, Identity, "
            "Slice, the output stage Mul/Div by 2^k, Floor, Round, and "
            "constant arithmetic)";
  return failure();
}

/// Every n-th row/column of a feature map (`x[..., ::2, ::2]`): the
/// hardware's pooling stride with a 1x1 window.
LogicalResult OnnxImporter::importSlice(const onnx::NodeProto &n,
                                        ArrayRef<const Val *> in) {
  if (in.empty() || !in[0]) {
    err(n) << "input 0 is missing";
    return failure();
  }
  FailureOr<Value> x = toFMap(n, *in[0], "the input");
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  std::vector<int64_t> shape = onnxShape(*x);
  int64_t rank = shape.size();
  // Inputs (opset >= 10) or attributes.
  bool bad = false;
  auto list = [&](size_t i, StringRef name) {
    std::optional<std::vector<int64_t>> out;
    if (i < in.size() && in[i]) {
      if (in[i]->kind != Kind::Const) {
        bad = true;
        return out;
      }
      out.emplace();
      for (double v : in[i]->c.values)
        out->push_back(toIndex(v));
    } else {
      out = attrInts(n, name);
    }
    return out;
  };
  std::optional<std::vector<int64_t>> starts = list(1, "starts"),
                                      ends = list(2, "ends"),
                                      axes = list(3, "axes"),
                                      steps = list(4, "steps");
  if (bad || !starts || !ends || starts->size() != ends->size() ||
      (axes && axes->size() != starts->size()) ||
      (steps && steps->size() != starts->size())) {
    err(n) << "starts, ends, axes and steps must be constants of one length";
    return failure();
  }
  std::vector<int64_t> stride(rank - 2, 1);
  std::vector<bool> seen(rank, false);
  for (size_t j = 0; j < starts->size(); ++j) {
    int64_t axis = axes ? (*axes)[j] : (int64_t)j;
    if (axis < 0)
      axis += rank;
    int64_t step = steps ? (*steps)[j] : 1;
    bool ok =
        axis >= 2 && axis < rank && !seen[axis] && step >= 1 && step <= 1 << 16;
    if (ok) {
      seen[axis] = true;
      int64_t dim = shape[axis], start = (*starts)[j], end = (*ends)[j];
      if (start < 0)
        start += dim;
      if (end < 0)
        end += dim;
      ok = start <= 0 && end >= dim;
      stride[axis - 2] = step;
    }
    if (!ok) {
      err(n) << "only every n-th row/column of a feature map (a Slice of "
                "the spatial axes from the start to the end with a step) is "
                "supported: the hardware's pooling stride";
      return failure();
    }
  }
  if (llvm::all_of(stride, [](int64_t v) { return v == 1; })) {
    values[n.output(0)] = *in[0];
    return success();
  }
  std::vector<int64_t> ones(rank - 2, 1);
  // Slicing one axis after the other (what PyTorch exports for
  // x[..., ::2, ::2]) subsamples once.
  Value src = *x;
  if (auto prev = src.getDefiningOp<PoolOp>())
    if (prev.getPool().getKernel() == ArrayRef<int64_t>(ones) &&
        prev.getPool().getDilation() == ArrayRef<int64_t>(ones) &&
        prev.getPool().getKind() == PoolKind::max) {
      // The first pool stays for other readers; unused, it is dropped at
      // the end of the import.
      for (int64_t i = 0; i < rank - 2; ++i)
        stride[i] *= prev.getPool().getStride()[i];
      src = prev.getInput();
      type = cast<RankedTensorType>(src.getType());
    }
  SmallVector<int64_t> outShape{type.getDimSize(0)};
  for (int64_t i = 0; i < rank - 2; ++i)
    outShape.push_back((type.getDimSize(i + 1) + stride[i] - 1) / stride[i]);
  OperationState st(nodeLoc(n), PoolOp::getOperationName());
  st.addOperands(src);
  st.addAttribute("pool",
                  PoolAttr::get(ctx, PoolKind::max, ones, stride, ones,
                                /*rounding=*/false));
  st.addTypes(RankedTensorType::get(outShape, type.getElementType()));
  Val out;
  fmapVal(b.create(st)->getResult(0), out, in[0]->scale);
  values[n.output(0)] = std::move(out);
  return success();
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// Reads the python-frontend's metadata: `tornado.mode` (how data are
/// scaled) and `tornado.layers` (weight widths and output shifts).
LogicalResult OnnxImporter::readMetadata(const onnx::ModelProto &model,
                                         Location fileLoc) {
  for (const onnx::StringStringEntryProto &e : model.metadata_props()) {
    if (e.key() == "tornado.mode") {
      if (e.value() == "hw") {
        dataScale = 0;
      } else if (e.value() == "qat") {
        dataScale = -7;
      } else if (e.value() == "float") {
        emitError(fileLoc)
            << "the model is a float-mode export (`tornado.mode` = float): "
               "it has no quantization, so the accelerator cannot run it; "
               "quantize it (QAT) and export it in `qat` or `hw` mode";
        return failure();
      } else {
        emitError(fileLoc) << "unknown `tornado.mode` `" << e.value()
                           << "` (expected hw or qat)";
        return failure();
      }
      continue;
    }
    if (e.key() != "tornado.layers")
      continue;
    auto bad = [&](const Twine &what) {
      emitError(fileLoc) << "metadata `tornado.layers`: " << what;
      return failure();
    };
    llvm::Expected<llvm::json::Value> json = llvm::json::parse(e.value());
    if (!json)
      return bad(llvm::toString(json.takeError()));
    const llvm::json::Array *records = json->getAsArray();
    if (!records)
      return bad("not a JSON array");
    metas.emplace();
    for (const llvm::json::Value &r : *records) {
      const llvm::json::Object *o = r.getAsObject();
      if (!o)
        return bad("a record is not a JSON object");
      std::optional<StringRef> op = o->getString("op");
      if (!op)
        continue; // pooling or element-wise only
      LayerMeta m;
      m.op = op->str();
      m.name = o->getString("name").value_or("").str();
      m.weightBits = o->getInteger("weight_bits").value_or(8);
      m.outputShift = o->getInteger("output_shift").value_or(0);
      m.wide = o->getBoolean("wide").value_or(false);
      if (m.op != "conv1d" && m.op != "conv2d" && m.op != "convtranspose2d" &&
          m.op != "linear")
        return bad("layer '" + m.name + "' has unknown op `" + m.op + "`");
      if (m.weightBits != 1 && m.weightBits != 2 && m.weightBits != 4 &&
          m.weightBits != 8 && m.weightBits != -1)
        return bad("layer '" + m.name + "' has weight_bits " +
                   Twine(m.weightBits) + " (expected 1, 2, 4, 8 or -1)");
      if (m.outputShift < -64 || m.outputShift > 64)
        return bad("layer '" + m.name + "' has output_shift " +
                   Twine(m.outputShift));
      metas->push_back(std::move(m));
    }
  }
  return success();
}

OwningOpRef<ModuleOp> OnnxImporter::run(StringRef bytes) {
  Location fileLoc = FileLineColLoc::get(ctx, file, 0, 0);
  onnx::ModelProto model;
  if (llvm::Error e = parseModel(bytes, file, model)) {
    emitError(fileLoc) << llvm::toString(std::move(e));
    return nullptr;
  }
  std::optional<target::DeviceKind> kind = target::Device::parse(options.device);
  if (!kind) {
    emitError(UnknownLoc::get(ctx))
        << "unknown device `" << options.device
        << "` (expected MAX78000 or MAX78002)";
    return nullptr;
  }
  device = &target::Device::get(*kind);
  for (const onnx::OperatorSetIdProto &o : model.opset_import())
    if ((o.domain().empty() || o.domain() == "ai.onnx") &&
        (o.version() < 7 || o.version() > 21)) {
      emitError(fileLoc) << "ONNX opset " << o.version()
                         << " is not supported (7 to 21)";
      return nullptr;
    }
  const onnx::GraphProto &graph = model.graph();
  if (failed(readMetadata(model, fileLoc)))
    return nullptr;

  for (const onnx::TensorProto &t : graph.initializer()) {
    llvm::Expected<HostValues> h = decodeTensor(t);
    if (!h) {
      emitError(fileLoc) << "initializer: " << llvm::toString(h.takeError());
      return nullptr;
    }
    Val v;
    v.c = std::move(*h);
    values[t.name()] = std::move(v);
  }

  // The one network input.
  const onnx::ValueInfoProto *input = nullptr;
  for (const onnx::ValueInfoProto &vi : graph.input()) {
    if (values.count(vi.name()))
      continue; // an initializer listed as an input (old exporters)
    if (input) {
      emitError(fileLoc) << "the model has more than one input (`"
                         << input->name() << "`, `" << vi.name()
                         << "`); the accelerator network takes one";
      return nullptr;
    }
    input = &vi;
  }
  if (!input) {
    emitError(fileLoc) << "the model has no input";
    return nullptr;
  }
  SmallVector<int64_t> inShape;
  if (!input->type().has_tensor_type() ||
      !input->type().tensor_type().has_shape()) {
    emitError(fileLoc) << "input `" << input->name()
                       << "` must be a tensor with a known shape";
    return nullptr;
  }
  const onnx::TensorShapeProto &shape = input->type().tensor_type().shape();
  for (int i = 0; i < shape.dim_size(); ++i) {
    const onnx::TensorShapeProto::Dimension &d = shape.dim(i);
    if (i == 0) {
      if (d.has_dim_value() && d.dim_value() != 1) {
        emitError(fileLoc) << "input `" << input->name()
                           << "`: the batch dimension must be 1 or symbolic";
        return nullptr;
      }
      continue;
    }
    if (!d.has_dim_value() || d.dim_value() < 1 || d.dim_value() > 65535) {
      emitError(fileLoc) << "input `" << input->name()
                         << "`: dimension " << i
                         << " must be a known positive size";
      return nullptr;
    }
    inShape.push_back(d.dim_value());
  }
  if (inShape.size() < 2 || inShape.size() > 3) {
    emitError(fileLoc) << "input `" << input->name()
                       << "` must be [batch, C, L] or [batch, C, H, W]";
    return nullptr;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto inType = RankedTensorType::get(inShape, b.getIntegerType(8));
  std::string netName = graph.name().empty() ? "network" : graph.name();
  auto network = b.create<NetworkOp>(fileLoc, netName,
                                     b.getFunctionType({inType}, {}));
  network.setDevice(*kind == target::DeviceKind::MAX78002
                        ? DeviceKind::max78002
                        : DeviceKind::max78000);
  network.setAvgPoolRounding(options.avgPoolRounding);
  Block *body = new Block();
  network.getBody().push_back(body);
  Value arg = body->addArgument(inType, fileLoc);
  b.setInsertionPointToEnd(body);
  Val inVal;
  fmapVal(arg, inVal, dataScale);
  values[input->name()] = inVal;

  if (!options.sampleInputFile.empty()) {
    llvm::Expected<NpyArray> sample = readNpy(options.sampleInputFile);
    if (!sample) {
      emitError(fileLoc) << options.sampleInputFile << ": "
                         << llvm::toString(sample.takeError());
      return nullptr;
    }
    llvm::Expected<std::vector<int64_t>> sv = sample->getInt64Values();
    if (!sv) {
      emitError(fileLoc) << options.sampleInputFile << ": "
                         << llvm::toString(sv.takeError());
      return nullptr;
    }
    if (sample->getShape() != ArrayRef<int64_t>(inShape)) {
      emitError(fileLoc) << options.sampleInputFile
                         << ": the sample input's shape does not match the "
                            "model input";
      return nullptr;
    }
    for (int64_t v : *sv)
      if (v < -128 || v > 127) {
        emitError(fileLoc) << options.sampleInputFile << ": sample value "
                           << v << " is outside [-128, 127]";
        return nullptr;
      }
    network->setAttr("sample_input", blob("sample_input", inShape, *sv));
  }

  for (const onnx::NodeProto &n : graph.node())
    if (failed(importNode(n)))
      return nullptr;

  SmallVector<Value> outputs;
  onnx::NodeProto outputNode;
  outputNode.set_op_type("output");
  for (const onnx::ValueInfoProto &o : graph.output()) {
    outputNode.set_name(o.name());
    auto it = values.find(o.name());
    if (it == values.end()) {
      emitError(fileLoc) << "graph output `" << o.name()
                         << "` is not computed by any node";
      return nullptr;
    }
    const Val &v = it->second;
    if (v.kind == Kind::Acc && !v.acc->offset && !v.acc->rounded) {
      // The raw accumulator: a 32-bit output layer. A hardware-mode graph
      // must output it unscaled; a QAT graph's output is the accumulator
      // times 2^log2Scale, whatever the scale.
      FailureOr<int64_t> bits = chooseBits(*v.acc);
      if (failed(bits))
        return nullptr;
      if (dataScale == 0 && v.acc->log2Scale != -(8 - std::abs(*bits))) {
        accErr(*v.acc) << "the graph output is the accumulator times 2^"
                       << v.acc->log2Scale + 8 - std::abs(*bits)
                       << "; a 32-bit output layer gives the accumulator "
                          "itself";
        return nullptr;
      }
      FailureOr<Value> r = finalize(*v.acc, /*wide=*/true);
      if (failed(r))
        return nullptr;
      outputs.push_back(*r);
      continue;
    }
    FailureOr<Value> r = toFMap(outputNode, v, "the graph output");
    if (failed(r))
      return nullptr;
    if (v.scale != dataScale) {
      emitError(fileLoc) << "graph output `" << o.name()
                         << "` is the feature map's integers times 2^"
                         << v.scale << ", the input's are times 2^" << dataScale
                         << "; the accelerator outputs the integers";
      return nullptr;
    }
    outputs.push_back(*r);
  }
  if (metas && nextMeta != metas->size()) {
    emitError(fileLoc) << "the `tornado.layers` metadata lists "
                       << metas->size() << " weight layers, the graph has "
                       << nextMeta << " weight node(s)";
    return nullptr;
  }
  if (outputs.empty()) {
    emitError(fileLoc) << "the model has no outputs";
    return nullptr;
  }
  b.create<ReturnOp>(fileLoc, outputs);
  // Ops nothing reads (a map subsampled again, an unused activation).
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
    if (isOpTriviallyDead(&op))
      op.erase();
  network.setFunctionType(
      b.getFunctionType({inType}, ValueRange(outputs).getTypes()));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp>
tornado::importOnnxModel(llvm::SourceMgr &sourceMgr, MLIRContext *context,
                         const OnnxImportOptions &options) {
  context->loadDialect<TornadoDialect>();
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  OnnxImporter importer(context, buffer->getBufferIdentifier(), options);
  try {
    return importer.run(buffer->getBuffer());
  } catch (const std::exception &e) {
    emitError(UnknownLoc::get(context))
        << buffer->getBufferIdentifier() << ": " << e.what();
    return nullptr;
  }
}
