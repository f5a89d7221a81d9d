//===- FuseLayers.cpp - Group graph ops into hardware layers --------------===//
//
// One accelerator layer computes: [element-wise] -> [pool] -> [element-wise]
// -> [flatten] -> [conv/linear + bias, shift, round, saturate] ->
// [activation]. This pass matches that shape around every convolution or
// linear op and turns the leftovers into layers without a convolution.
//
//===----------------------------------------------------------------------===//

#include "tornado/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

namespace tornado {
#define GEN_PASS_DEF_FUSELAYERS
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;

namespace {

/// What one layer will contain, collected before anything is rewritten.
struct LayerPlan {
  Operation *anchor = nullptr; // the op whose position the layer takes
  SmallVector<Value> inputs;
  std::optional<PoolAttr> pool;
  std::optional<EltwiseKind> eltwise;
  bool poolFirst = true;
  bool flatten = false;
  Operation *compute = nullptr; // conv/linear op, or null
  std::optional<Activation> activation;
  /// A layer without a convolution cannot activate: compute the identity
  /// with a 1x1 convolution instead.
  bool identity = false;
  Value result; // the value the layer replaces
  SmallVector<Operation *> absorbed;
};

bool singleUse(Value v) { return v.hasOneUse(); }

template <typename OpTy> OpTy producer(Value v) {
  return v.getDefiningOp<OpTy>();
}

struct FuseLayersPass
    : public tornado::impl::FuseLayersBase<FuseLayersPass> {
  void runOnOperation() override;

  /// Absorbs the element-wise/pool/flatten/concat chain feeding `input`.
  void absorbInputs(LayerPlan &plan, Value input, bool allowFlatten,
                    Operation *compute = nullptr);
  /// Whether the hardware can run `elt` in one layer with `compute` (a
  /// convolution, or null) and pooling (`pooling`, `poolStride`).
  bool canFuseEltwise(EltwiseOp elt, Operation *compute, bool pooling,
                      bool poolStride);
  /// Makes `elt` the layer's element-wise stage (with pooled operands when
  /// they are all pooled alike).
  void absorbEltwise(LayerPlan &plan, EltwiseOp elt);
  void take(LayerPlan &plan, Operation *op) {
    plan.absorbed.push_back(op);
    taken.insert(op);
  }
  LayerOp build(OpBuilder &b, LayerPlan &plan, unsigned index);

  llvm::DenseSet<Operation *> taken;
};

void FuseLayersPass::absorbEltwise(LayerPlan &plan, EltwiseOp elt) {
  plan.eltwise = elt.getKind();
  take(plan, elt);
  if (plan.pool) {
    // Element-wise first, then pooling.
    plan.poolFirst = false;
    plan.inputs.assign(elt.getInputs().begin(), elt.getInputs().end());
    return;
  }
  // Pool-first form: every operand pooled identically by its own op.
  SmallVector<PoolOp> pools;
  for (Value v : elt.getInputs()) {
    auto p = producer<PoolOp>(v);
    if (!p || !singleUse(v) || taken.count(p) ||
        (!pools.empty() && p.getPool() != pools.front().getPool())) {
      pools.clear();
      break;
    }
    pools.push_back(p);
  }
  if (!pools.empty()) {
    plan.pool = pools.front().getPool();
    for (PoolOp p : pools) {
      take(plan, p);
      plan.inputs.push_back(p.getInput());
    }
    return;
  }
  plan.inputs.assign(elt.getInputs().begin(), elt.getInputs().end());
}

bool FuseLayersPass::canFuseEltwise(EltwiseOp elt, Operation *compute,
                                    bool pooling, bool poolStride) {
  const target::Device &dev = getTargetFor(elt);
  const int64_t operands = elt.getInputs().size();
  const unsigned passes =
      dev.splitPasses(cast<ShapedType>(elt.getType()).getDimSize(0)).first;
  // The layer verifier's rules, asked before the layer exists.
  if (dev.eltwiseStandsAlone(operands, passes) &&
      (compute || pooling || poolStride))
    return false;
  if (compute && !dev.hasFeature(target::Feature::MultipassEltwiseConvBias)) {
    auto groups = compute->getAttrOfType<IntegerAttr>("groups");
    if ((!groups || groups.getInt() == 1) &&
        hasNonZeroBias(compute->getAttrOfType<ElementsAttr>("bias")))
      return false;
  }
  return true;
}

void FuseLayersPass::absorbInputs(LayerPlan &plan, Value input,
                                  bool allowFlatten, Operation *compute) {
  if (auto flat = producer<FlattenOp>(input);
      allowFlatten && flat && singleUse(input) && !taken.count(flat)) {
    plan.flatten = true;
    take(plan, flat);
    input = flat.getInput();
  }
  // The hardware cannot pool and flatten in one layer: such a pool stays a
  // layer of its own.
  if (auto pool = producer<PoolOp>(input); !plan.pool && !plan.flatten &&
                                           pool && singleUse(input) &&
                                           !taken.count(pool)) {
    plan.pool = pool.getPool();
    take(plan, pool);
    input = pool.getInput();
  }
  if (auto elt = producer<EltwiseOp>(input);
      elt && singleUse(input) && !taken.count(elt) &&
      canFuseEltwise(elt, compute, plan.pool.has_value(),
                     plan.pool && llvm::any_of(plan.pool->getStride(),
                                               [](int64_t v) { return v > 1; })))
    return absorbEltwise(plan, elt);
  if (auto cat = producer<ConcatOp>(input);
      cat && singleUse(input) && !taken.count(cat)) {
    take(plan, cat);
    plan.inputs.assign(cat.getInputs().begin(), cat.getInputs().end());
    return;
  }
  plan.inputs.push_back(input);
}

/// Copies a convolution-like op's attributes onto the layer.
void addComputeAttrs(OpBuilder &b, Operation *op,
                     SmallVectorImpl<NamedAttribute> &attrs) {
  auto add = [&](StringRef name, Attribute a) {
    if (a)
      attrs.push_back(b.getNamedAttr(name, a));
  };
  auto copy = [&](StringRef from, StringRef to) {
    add(to, op->getAttr(from));
  };
  LayerOpKind kind = llvm::TypeSwitch<Operation *, LayerOpKind>(op)
                         .Case<Conv1dOp>([](auto) { return LayerOpKind::conv1d; })
                         .Case<Conv2dOp>([](auto) { return LayerOpKind::conv2d; })
                         .Case<ConvTranspose2dOp>(
                             [](auto) { return LayerOpKind::conv_transpose2d; })
                         .Default([](auto) { return LayerOpKind::linear; });
  add("op", LayerOpKindAttr::get(b.getContext(), kind));
  for (StringRef name : {"weights", "bias", "weight_bits", "output_shift",
                         "stride", "padding", "dilation", "output_padding",
                         "groups"})
    copy(name, name);
  if (kind != LayerOpKind::linear) {
    auto wType = cast<ShapedType>(cast<ElementsAttr>(op->getAttr("weights"))
                                      .getType());
    add("kernel", b.getDenseI64ArrayAttr(wType.getShape().drop_front(2)));
  }
}

/// A 1x1 convolution that copies every channel: weight 1 on the diagonal
/// and a total shift of 7 (acc * 2^7 / 128 = x), so saturation and the
/// activation are the only effect.
void addIdentityAttrs(OpBuilder &b, RankedTensorType type,
                      SmallVectorImpl<NamedAttribute> &attrs) {
  int64_t c = type.getDimSize(0);
  bool is1d = type.getRank() == 2;
  SmallVector<int64_t> shape{c, c, 1};
  if (!is1d)
    shape.push_back(1);
  std::vector<int8_t> w(c * c, 0);
  for (int64_t i = 0; i < c; ++i)
    w[i * c + i] = 1;
  auto wType = RankedTensorType::get(shape, b.getI8Type());
  attrs.push_back(b.getNamedAttr(
      "op", LayerOpKindAttr::get(b.getContext(), is1d ? LayerOpKind::conv1d
                                                      : LayerOpKind::conv2d)));
  attrs.push_back(b.getNamedAttr(
      "weights", DenseElementsAttr::get(wType, ArrayRef<int8_t>(w))));
  attrs.push_back(b.getNamedAttr(
      "kernel", b.getDenseI64ArrayAttr(ArrayRef(shape).drop_front(2))));
  attrs.push_back(b.getNamedAttr("output_shift", b.getI64IntegerAttr(7)));
}

LayerOp FuseLayersPass::build(OpBuilder &b, LayerPlan &plan, unsigned index) {
  Operation *named = plan.compute ? plan.compute : plan.anchor;
  std::string name;
  if (auto nameLoc = dyn_cast<NameLoc>(named->getLoc()))
    name = nameLoc.getName().str();
  else
    name = (named->getName().stripDialect() + "_" + llvm::Twine(index)).str();

  SmallVector<NamedAttribute> attrs;
  attrs.push_back(b.getNamedAttr("name", b.getStringAttr(name)));
  if (plan.pool)
    attrs.push_back(b.getNamedAttr("pool", *plan.pool));
  if (plan.eltwise) {
    attrs.push_back(b.getNamedAttr(
        "eltwise", EltwiseKindAttr::get(b.getContext(), *plan.eltwise)));
    if (!plan.poolFirst)
      attrs.push_back(b.getNamedAttr("pool_first", b.getBoolAttr(false)));
  }
  if (plan.flatten)
    attrs.push_back(b.getNamedAttr("flatten", b.getUnitAttr()));
  if (plan.compute)
    addComputeAttrs(b, plan.compute, attrs);
  if (plan.identity)
    addIdentityAttrs(b, cast<RankedTensorType>(plan.result.getType()), attrs);
  if (plan.activation && *plan.activation != Activation::none)
    attrs.push_back(b.getNamedAttr(
        "activation", ActivationAttr::get(b.getContext(), *plan.activation)));
  auto resultType = cast<RankedTensorType>(plan.result.getType());
  if (resultType.getElementType().getIntOrFloatBitWidth() == 32)
    attrs.push_back(b.getNamedAttr("output_width", b.getI64IntegerAttr(32)));

  OperationState state(plan.anchor->getLoc(), LayerOp::getOperationName());
  state.addOperands(plan.inputs);
  state.addAttributes(attrs);
  state.addTypes(resultType);
  return cast<LayerOp>(b.create(state));
}

void FuseLayersPass::runOnOperation() {
  NetworkOp net = getOperation();
  Block &body = net.getBody().front();

  for (Operation &op : body)
    if (isa<BatchNormOp>(op)) {
      op.emitError("batchnorm must be folded before fusion; run "
                   "tornado-fold-batchnorm first");
      return signalPassFailure();
    }

  // Plan every layer first (program order), then rewrite.
  SmallVector<LayerPlan> plans;
  for (Operation &op : body) {
    if (!isa<Conv1dOp, Conv2dOp, ConvTranspose2dOp, LinearOp>(op))
      continue;
    LayerPlan plan;
    plan.compute = &op;
    taken.insert(&op);
    Value input = op.getOperand(0);
    auto conv2d = dyn_cast<Conv2dOp>(op);
    bool pointwise =
        conv2d && cast<ShapedType>(conv2d.getWeights().getType())
                          .getShape()
                          .drop_front(2) == ArrayRef<int64_t>{1, 1};
    absorbInputs(plan, input, isa<LinearOp>(op) || pointwise, &op);
    // A graph-level linear op reads every element: flatten a CHW input.
    if (isa<LinearOp>(op) && !plan.flatten) {
      auto inTy = cast<ShapedType>(input.getType());
      if (inTy.getRank() == 3 && inTy.getDimSize(1) * inTy.getDimSize(2) > 1)
        plan.flatten = true;
    }
    plan.result = op.getResult(0);
    plan.anchor = &op;
    if (plan.result.hasOneUse())
      if (auto act = dyn_cast<ActivateOp>(*plan.result.getUsers().begin())) {
        plan.activation = act.getKind();
        take(plan, act);
        plan.result = act.getOutput();
        plan.anchor = act;
      }
    plans.push_back(std::move(plan));
  }
  // Leftovers become layers without a convolution. Consumers first, so a
  // pool can still absorb the element-wise op feeding it.
  SmallVector<Operation *> leftovers;
  for (Operation &op : body)
    if (!taken.count(&op))
      leftovers.push_back(&op);
  for (Operation *op : llvm::reverse(leftovers)) {
    if (taken.count(op))
      continue;
    LayerPlan plan;
    plan.anchor = op;
    bool handled =
        llvm::TypeSwitch<Operation *, bool>(op)
            .Case<PoolOp>([&](PoolOp p) {
              plan.pool = p.getPool();
              absorbInputs(plan, p.getInput(), false);
              return true;
            })
            .Case<EltwiseOp>([&](EltwiseOp e) {
              absorbEltwise(plan, e);
              return true;
            })
            .Case<ActivateOp>([&](ActivateOp a) {
              plan.activation = a.getKind();
              plan.identity = a.getKind() != Activation::none &&
                              cast<ShapedType>(a.getType()).getRank() >= 2;
              absorbInputs(plan, a.getInput(), false);
              return true;
            })
            .Case<PassthroughOp>([&](PassthroughOp p) {
              absorbInputs(plan, p.getInput(), false);
              return true;
            })
            .Case<ConcatOp>([&](ConcatOp c) {
              plan.inputs.assign(c.getInputs().begin(), c.getInputs().end());
              return true;
            })
            .Default([](Operation *) { return false; });
    if (!handled)
      continue;
    taken.insert(op);
    plan.result = op->getResult(0);
    plans.push_back(std::move(plan));
  }
  for (Operation &op : body)
    if (auto flat = dyn_cast<FlattenOp>(op); flat && !taken.count(flat)) {
      flat.emitError("a flatten must feed a linear layer or a 1x1 "
                     "convolution");
      return signalPassFailure();
    }

  // Rewrite in program order of the anchors so operands dominate.
  llvm::sort(plans, [](const LayerPlan &a, const LayerPlan &b) {
    return a.anchor->isBeforeInBlock(b.anchor);
  });
  OpBuilder b(&getContext());
  unsigned index = 0;
  // Plans captured graph values; layers built earlier replace them.
  llvm::DenseMap<Value, Value> replaced;
  for (LayerPlan &plan : plans) {
    for (Value &v : plan.inputs)
      if (Value r = replaced.lookup(v))
        v = r;
    b.setInsertionPoint(plan.anchor);
    LayerOp layer = build(b, plan, index++);
    plan.result.replaceAllUsesWith(layer.getOutput());
    replaced[plan.result] = layer.getOutput();
  }
  // Erase the graph ops in reverse order (users before producers).
  SmallVector<Operation *> dead;
  for (Operation &op : body)
    if (taken.count(&op))
      dead.push_back(&op);
  for (Operation *op : llvm::reverse(dead)) {
    if (!op->use_empty()) {
      op->emitError("fused op still has users");
      return signalPassFailure();
    }
    op->erase();
  }
}

} // namespace
