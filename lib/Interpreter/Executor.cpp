//===- Executor.cpp - Run a tornado.network bit-exactly -------------------===//
//
// Walks the network body in order, keeps one interp::Tensor per SSA value and
// maps every op onto the integer kernels. Graph ops and hardware layers share
// the kernels, so both levels of the dialect compute the same numbers.
//
//===----------------------------------------------------------------------===//

#include "tornado/Interpreter/Executor.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Interpreter/Kernels.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cassert>
#include <iterator>

using namespace mlir;
using namespace tornado;
using namespace tornado::interp;

namespace {

/// Error naming the op: its layer name if it has one, else its op name.
llvm::Error opError(Operation *op, const llvm::Twine &message) {
  std::string who;
  if (auto layer = dyn_cast<LayerOp>(op))
    who = ("layer '" + layer.getName() + "'").str();
  else
    who = ("'" + op->getName().getStringRef() + "'").str();
  std::string loc;
  llvm::raw_string_ostream os(loc);
  if (auto fileLoc = dyn_cast<FileLineColLoc>(op->getLoc()))
    os << fileLoc.getFilename().getValue() << ':' << fileLoc.getLine() << ':'
       << fileLoc.getColumn();
  else
    op->getLoc().print(os);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 who + " at " + loc + ": " + message);
}

llvm::Expected<Tensor> tensorFromAttr(Operation *op, ElementsAttr attr) {
  SmallVector<int64_t> values;
  if (!getIntegerValues(attr, values))
    return opError(op, "weights or bias data are not available");
  auto type = cast<ShapedType>(attr.getType());
  return Tensor(type.getShape(),
                std::vector<int64_t>(values.begin(), values.end()));
}

llvm::Expected<std::vector<int64_t>>
biasFromAttr(Operation *op, std::optional<ElementsAttr> attr) {
  if (!attr)
    return std::vector<int64_t>();
  SmallVector<int64_t> values;
  if (!getIntegerValues(*attr, values))
    return opError(op, "bias data are not available");
  return std::vector<int64_t>(values.begin(), values.end());
}

/// The interpreter's enumerator for a dialect enumerator: `table` lists
/// them in the order of the dialect enum's values.
template <typename To, typename From, size_t N>
To mapEnum(From value, const To (&table)[N]) {
  auto index = static_cast<size_t>(value);
  assert(index < N && "dialect enumerator missing from the table");
  return table[index];
}

constexpr interp::Activation kActivations[] = {interp::Activation::None,
                                               interp::Activation::ReLU,
                                               interp::Activation::Abs};
static_assert(std::size(kActivations) == getMaxEnumValForActivation() + 1);
constexpr interp::EltwiseKind kEltwiseKinds[] = {
    interp::EltwiseKind::Add, interp::EltwiseKind::Sub,
    interp::EltwiseKind::Xor, interp::EltwiseKind::Or};
static_assert(std::size(kEltwiseKinds) == getMaxEnumValForEltwiseKind() + 1);
constexpr interp::LayerOpKind kLayerOpKinds[] = {
    interp::LayerOpKind::None, interp::LayerOpKind::Conv1d,
    interp::LayerOpKind::Conv2d, interp::LayerOpKind::ConvTranspose2d,
    interp::LayerOpKind::Linear};
static_assert(std::size(kLayerOpKinds) == getMaxEnumValForLayerOpKind() + 1);

interp::Activation toInterp(tornado::Activation a) {
  return mapEnum(a, kActivations);
}
interp::EltwiseKind toInterp(tornado::EltwiseKind k) {
  return mapEnum(k, kEltwiseKinds);
}
interp::LayerOpKind toInterp(tornado::LayerOpKind k) {
  return mapEnum(k, kLayerOpKinds);
}

PoolParams toInterp(PoolAttr pool) {
  PoolParams p;
  p.kind = pool.getKind() == tornado::PoolKind::max ? interp::PoolKind::Max
                                           : interp::PoolKind::Avg;
  for (size_t i = 0; i < pool.getKernel().size() && i < 2; ++i) {
    p.kernel[i] = pool.getKernel()[i];
    p.stride[i] = pool.getStride()[i];
    p.dilation[i] = pool.getDilation()[i];
  }
  p.avgRound = pool.getRounding();
  return p;
}

/// Copies up to two values of an optional i64 array into `out`.
void fill2(std::optional<ArrayRef<int64_t>> values,
           std::array<int64_t, 2> &out) {
  if (!values)
    return;
  for (size_t i = 0; i < values->size() && i < 2; ++i)
    out[i] = (*values)[i];
}

/// Reshapes a kernel result to the op's declared result shape (e.g. a
/// linear layer's [N, 1, 1] accumulators to a rank-1 result).
llvm::Expected<Tensor> toResultShape(Operation *op, Tensor t) {
  auto type = cast<ShapedType>(op->getResult(0).getType());
  if (ArrayRef<int64_t>(t.shape) == type.getShape())
    return t;
  if (Tensor::numElements(type.getShape()) != t.size())
    return opError(op, "computed " + llvm::Twine(t.size()) +
                           " elements but the result type holds " +
                           llvm::Twine(Tensor::numElements(type.getShape())));
  return t.reshaped(type.getShape());
}

class Executor {
public:
  explicit Executor(const ExecOptions &options) : options(options) {}

  llvm::Expected<std::vector<Tensor>> run(NetworkOp net,
                                          ArrayRef<Tensor> inputs);

private:
  llvm::Expected<Tensor> exec(Operation *op);
  llvm::Expected<Tensor> execLayer(LayerOp op);
  llvm::Expected<Tensor> execConv(Operation *op, interp::LayerOpKind kind,
                                  Value input, ElementsAttr weights,
                                  std::optional<ElementsAttr> bias,
                                  const LayerConfig &config);
  const Tensor &get(Value v) { return values.find(v)->second; }

  const ExecOptions &options;
  llvm::DenseMap<Value, Tensor> values;
};

llvm::Expected<std::vector<Tensor>> Executor::run(NetworkOp net,
                                                  ArrayRef<Tensor> inputs) {
  Block &body = net.getBody().front();
  // Without explicit inputs, a network imported with a sample input runs on
  // it.
  Tensor sample;
  if (inputs.empty() && body.getNumArguments() == 1)
    if (std::optional<ElementsAttr> attr = net.getSampleInput()) {
      llvm::Expected<Tensor> t = tensorFromAttr(net, *attr);
      if (!t)
        return t.takeError();
      sample = std::move(*t);
      inputs = sample;
    }
  if (inputs.size() != body.getNumArguments())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "network @%s takes %u input(s) but %zu were given",
        net.getSymName().str().c_str(), body.getNumArguments(), inputs.size());
  for (auto [arg, input] : llvm::zip(body.getArguments(), inputs)) {
    auto type = cast<ShapedType>(arg.getType());
    if (ArrayRef<int64_t>(input.shape) != type.getShape()) {
      std::string want, got;
      llvm::raw_string_ostream w(want), g(got);
      llvm::interleave(type.getShape(), w, "x");
      llvm::interleave(input.shape, g, "x");
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "network input %u must have shape %s but has shape %s",
          arg.getArgNumber(), want.c_str(), got.c_str());
    }
    values[arg] = input;
  }
  for (Operation &op : body) {
    if (auto ret = dyn_cast<ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOutputs())
        results.push_back(get(v));
      return results;
    }
    llvm::Expected<Tensor> result = exec(&op);
    if (!result)
      return result.takeError();
    if (options.onResult)
      options.onResult(&op, *result);
    values[op.getResult(0)] = std::move(*result);
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "network has no tornado.return");
}

llvm::Expected<Tensor> Executor::execConv(Operation *op,
                                          interp::LayerOpKind kind, Value input,
                                          ElementsAttr weightsAttr,
                                          std::optional<ElementsAttr> biasAttr,
                                          const LayerConfig &config) {
  llvm::Expected<Tensor> weights = tensorFromAttr(op, weightsAttr);
  if (!weights)
    return weights.takeError();
  llvm::Expected<std::vector<int64_t>> bias = biasFromAttr(op, biasAttr);
  if (!bias)
    return bias.takeError();
  LayerConfig c = config;
  c.op = kind;
  Tensor in = get(input);
  // Graph-level linear takes any shape with the right element count.
  if (kind == interp::LayerOpKind::Linear && in.rank() != 3)
    in = in.reshaped({in.size(), 1, 1});
  llvm::Expected<Tensor> out = runLayer(c, in, &*weights, *bias);
  if (!out)
    return opError(op, llvm::toString(out.takeError()));
  return toResultShape(op, std::move(*out));
}

llvm::Expected<Tensor> Executor::exec(Operation *op) {
  auto quantStage = [](int64_t bits, int64_t shift, Value result) {
    OutputStage s;
    s.weightBits = bits;
    s.outputShift = shift;
    s.wide = cast<ShapedType>(result.getType())
                 .getElementType()
                 .getIntOrFloatBitWidth() == 32;
    return s;
  };
  return llvm::TypeSwitch<Operation *, llvm::Expected<Tensor>>(op)
      .Case<LayerOp>([&](LayerOp l) { return execLayer(l); })
      .Case<Conv2dOp>([&](Conv2dOp c) {
        LayerConfig cfg;
        fill2(c.getPadding(), cfg.padding);
        fill2(c.getStride(), cfg.stride);
        fill2(c.getDilation(), cfg.dilation);
        cfg.groups = c.getGroups();
        cfg.output =
            quantStage(c.getWeightBits(), c.getOutputShift(), c.getOutput());
        return execConv(op, interp::LayerOpKind::Conv2d, c.getInput(),
                        c.getWeights(), c.getBias(), cfg);
      })
      .Case<Conv1dOp>([&](Conv1dOp c) {
        LayerConfig cfg;
        fill2(c.getPadding(), cfg.padding);
        fill2(c.getStride(), cfg.stride);
        fill2(c.getDilation(), cfg.dilation);
        cfg.groups = c.getGroups();
        cfg.output =
            quantStage(c.getWeightBits(), c.getOutputShift(), c.getOutput());
        return execConv(op, interp::LayerOpKind::Conv1d, c.getInput(),
                        c.getWeights(), c.getBias(), cfg);
      })
      .Case<ConvTranspose2dOp>([&](ConvTranspose2dOp c) {
        LayerConfig cfg;
        fill2(c.getPadding(), cfg.padding);
        fill2(c.getStride(), cfg.stride);
        fill2(c.getOutputPadding(), cfg.outputPadding);
        cfg.groups = c.getGroups();
        cfg.output =
            quantStage(c.getWeightBits(), c.getOutputShift(), c.getOutput());
        return execConv(op, interp::LayerOpKind::ConvTranspose2d, c.getInput(),
                        c.getWeights(), c.getBias(), cfg);
      })
      .Case<LinearOp>([&](LinearOp c) {
        LayerConfig cfg;
        cfg.flatten = true;
        cfg.output =
            quantStage(c.getWeightBits(), c.getOutputShift(), c.getOutput());
        return execConv(op, interp::LayerOpKind::Linear, c.getInput(),
                        c.getWeights(), c.getBias(), cfg);
      })
      .Case<PoolOp>([&](PoolOp p) -> llvm::Expected<Tensor> {
        const Tensor &in = get(p.getInput());
        PoolParams params = toInterp(p.getPool());
        llvm::Expected<Tensor> out =
            in.rank() == 2 ? pool1d(in, params) : pool2d(in, params);
        if (!out)
          return opError(op, llvm::toString(out.takeError()));
        return out;
      })
      .Case<EltwiseOp>([&](EltwiseOp e) -> llvm::Expected<Tensor> {
        std::vector<Tensor> operands;
        for (Value v : e.getInputs())
          operands.push_back(get(v));
        bool saturate = cast<ShapedType>(e.getOutput().getType())
                            .getElementType()
                            .getIntOrFloatBitWidth() == 8;
        llvm::Expected<Tensor> out =
            eltwise(toInterp(e.getKind()), operands, saturate);
        if (!out)
          return opError(op, llvm::toString(out.takeError()));
        return out;
      })
      .Case<ActivateOp>([&](ActivateOp a) -> llvm::Expected<Tensor> {
        Tensor t = get(a.getInput());
        interp::Activation act = toInterp(a.getKind());
        for (int64_t &v : t.data)
          v = interp::activate(v, act);
        return t;
      })
      .Case<FlattenOp>([&](FlattenOp f) -> llvm::Expected<Tensor> {
        return toResultShape(op, flatten(get(f.getInput())));
      })
      .Case<ConcatOp>([&](ConcatOp c) -> llvm::Expected<Tensor> {
        std::vector<Tensor> inputs;
        for (Value v : c.getInputs())
          inputs.push_back(get(v));
        llvm::Expected<Tensor> out = concatChannels(inputs);
        if (!out)
          return opError(op, llvm::toString(out.takeError()));
        return out;
      })
      .Case<ReshapeOp>([&](ReshapeOp r) -> llvm::Expected<Tensor> {
        // The first pixels of each channel, read with the new shape.
        const Tensor &in = get(r.getInput());
        auto type = cast<ShapedType>(r.getOutput().getType());
        int64_t channels = type.getDimSize(0);
        // Regrouping channels keeps the element order.
        if (in.rank() < 1 || in.shape[0] != channels)
          return toResultShape(op, in);
        int64_t have = in.size() / channels;
        int64_t want = type.getNumElements() / channels;
        std::vector<int64_t> data;
        data.reserve(type.getNumElements());
        for (int64_t c = 0; c < channels; ++c)
          data.insert(data.end(), in.data.begin() + c * have,
                      in.data.begin() + c * have + want);
        return Tensor(type.getShape(), std::move(data));
      })
      .Case<PassthroughOp>([&](PassthroughOp p) -> llvm::Expected<Tensor> {
        return get(p.getInput());
      })
      .Case<BatchNormOp>([&](BatchNormOp) -> llvm::Expected<Tensor> {
        return opError(op, "batchnorm has no integer semantics on the "
                           "accelerator; run tornado-fold-batchnorm first");
      })
      .Default([&](Operation *) -> llvm::Expected<Tensor> {
        return opError(op, "the interpreter does not support this op");
      });
}

llvm::Expected<Tensor> Executor::execLayer(LayerOp l) {
  Operation *op = l;
  LayerConfig cfg;
  cfg.op = toInterp(l.getOp());
  if (std::optional<tornado::EltwiseKind> e = l.getEltwise()) {
    cfg.eltwise = toInterp(*e);
    cfg.operands = l.getOperands() ? *l.getOperands() : l.getInputs().size();
  }
  cfg.poolFirst = l.getPoolFirst();
  if (std::optional<PoolAttr> pool = l.getPool())
    cfg.pool = toInterp(*pool);
  cfg.flatten = l.getFlatten();
  fill2(l.getPadding(), cfg.padding);
  fill2(l.getStride(), cfg.stride);
  fill2(l.getDilation(), cfg.dilation);
  fill2(l.getOutputPadding(), cfg.outputPadding);
  cfg.groups = l.getGroups();
  cfg.output.weightBits = l.getWeightBits();
  cfg.output.outputShift = l.getOutputShift();
  cfg.output.wide = l.getOutputWidth() == 32;
  cfg.output.activation = toInterp(l.getActivation());

  // The layer's operands arrive as consecutive channels of one input, as
  // they sit in data memory. A single input is read in place.
  if (l.getInputs().empty())
    return opError(op, "the layer has no inputs");
  const Tensor *input = &get(l.getInputs().front());
  Tensor joinedInput;
  if (l.getInputs().size() > 1) {
    std::vector<Tensor> inputs;
    for (Value v : l.getInputs())
      inputs.push_back(get(v));
    llvm::Expected<Tensor> joined = concatChannels(inputs);
    if (!joined)
      return opError(op, llvm::toString(joined.takeError()));
    joinedInput = std::move(*joined);
    input = &joinedInput;
  }

  std::optional<Tensor> weights;
  if (std::optional<ElementsAttr> w = l.getWeights()) {
    llvm::Expected<Tensor> t = tensorFromAttr(op, *w);
    if (!t)
      return t.takeError();
    weights = std::move(*t);
  }
  llvm::Expected<std::vector<int64_t>> bias = biasFromAttr(op, l.getBias());
  if (!bias)
    return bias.takeError();
  // Rank-1 data (after a flatten) is a [N, 1, 1] feature map in memory.
  if (input->rank() == 1) {
    joinedInput = input->reshaped({input->size(), 1, 1});
    input = &joinedInput;
  }
  llvm::Expected<Tensor> out =
      runLayer(cfg, *input, weights ? &*weights : nullptr, *bias);
  if (!out)
    return opError(op, llvm::toString(out.takeError()));
  return toResultShape(op, std::move(*out));
}

} // namespace

llvm::Expected<std::vector<Tensor>>
tornado::interp::runNetwork(NetworkOp network, ArrayRef<Tensor> inputs,
                            const ExecOptions &options) {
  Executor exec(options);
  return exec.run(network, inputs);
}

llvm::Expected<std::vector<kat::Record>>
tornado::interp::knownAnswerFor(NetworkOp network, ArrayRef<Tensor> results,
                                std::optional<unsigned> maxCheckLines) {
  auto ret = cast<ReturnOp>(network.getBody().front().getTerminator());
  std::vector<kat::OutputLayer> layers;
  for (auto [value, tensor] : llvm::zip(ret.getOutputs(), results)) {
    auto layer = value.getDefiningOp<LayerOp>();
    if (!layer || !layer.getOutputProcessors() || !layer.getOutOffset())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "the known answer needs every network result to come from a "
          "tornado.layer with output_processors and out_offset");
    layers.push_back({&tensor, layer.getOutputProcessors()->getMask(),
                      (uint32_t)*layer.getOutOffset(),
                      (unsigned)layer.getOutputWidth(),
                      (unsigned)layer.getWriteGap().value_or(0)});
  }
  return kat::knownAnswer(network.getTarget(), layers, maxCheckLines);
}
