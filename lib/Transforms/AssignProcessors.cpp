//===- AssignProcessors.cpp - Choose input and output processors ----------===//
//
// A layer reads its input where its producers wrote it, so a layer's
// `processors` are fixed by its producers' `output_processors`: the same
// mask for element-wise operands and interleaved concatenations, adjacent
// slices (in operand order) for a concatenation across processors. What
// remains free is where each feature map goes. Every processor's kernel
// memory holds the kernels of all layers reading from it, so each map is
// put on the contiguous window (starting on a data-memory instance) whose
// processors have the least kernel memory in use after adding its
// readers' kernels. Values the user wrote are kept.
//
//===----------------------------------------------------------------------===//

#include "MemoryMap.h"
#include "tornado/Transforms/Passes.h"

#include "llvm/ADT/EquivalenceClasses.h"

namespace tornado {
#define GEN_PASS_DEF_ASSIGNPROCESSORS
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;
using namespace tornado::memmap;

namespace {

uint64_t windowMask(unsigned start, unsigned count) {
  uint64_t m = count >= 64 ? ~uint64_t(0) : (uint64_t(1) << count) - 1;
  return m << start;
}

/// How a multi-input layer expects its inputs.
enum class Join { Single, Same, Slices };

Join joinOf(LayerOp layer) {
  if (layer.getInputs().size() < 2)
    return Join::Single;
  if (layer.getEltwise())
    return Join::Same;
  InputShape s = inputShapeOf(layer);
  // Over 64 channels each input becomes one pass on the same processors.
  return s.passes > 1 ? Join::Same : Join::Slices;
}

/// Kernel-memory words one layer needs in each of its input processors (an
/// estimate used for balancing; tornado-place-kernels decides exactly).
int64_t kernelWords(LayerOp layer) {
  std::optional<ElementsAttr> w = layer.getWeights();
  if (!w || layer.getOp() == LayerOpKind::none)
    return 0;
  InputShape in = inputShapeOf(layer);
  int64_t out = cast<ShapedType>(layer.getOutput().getType()).getDimSize(0);
  int64_t kernelBytes = 1;
  if (auto k = layer.getKernel())
    for (int64_t d : *k)
      kernelBytes *= d;
  int64_t bits = std::abs(int64_t(layer.getWeightBits()));
  int64_t kernels = out * in.passes;
  if (layer.getGroups() > 1)
    kernels = in.passes;
  if (layer.getFlatten())
    kernels = out * in.pixels * in.passes;
  return (kernels * kernelBytes * bits + 71) / 72;
}

/// Reports inputs of unequal size to a concatenation that interleaves.
LogicalResult unequalInputs(LayerOp layer) {
  InputShape in = inputShapeOf(layer);
  InFlightDiagnostic diag = layer.emitError()
      << "cannot place the inputs of layer " << quote(layer)
      << ": a concatenation of " << in.channels << " channels takes "
      << in.passes << " passes, so every input must have " << in.perPass
      << " channels";
  for (auto [k, v] : llvm::enumerate(layer.getInputs())) {
    Operation *p = sourceOf(v).getDefiningOp();
    diag.attachNote(p ? p->getLoc() : layer.getLoc())
        << "input #" << k << " has "
        << cast<ShapedType>(v.getType()).getDimSize(0) << " channels";
  }
  return failure();
}

struct AssignProcessorsPass
    : public tornado::impl::AssignProcessorsBase<AssignProcessorsPass> {
  using AssignProcessorsBase::AssignProcessorsBase;
  void runOnOperation() override;

  /// Channels per pass of value `v` (its processor count).
  unsigned procsNeeded(Value v);
  /// The best window of `count` processors for maps read by `readers`.
  unsigned chooseWindow(unsigned count, ArrayRef<LayerOp> readers,
                        uint64_t avoid = 0);
  LogicalResult decideInput(Value arg);
  LogicalResult decideGroup(LayerOp consumer);
  LogicalResult decideOutput(LayerOp layer);
  LogicalResult setProcessors(LayerOp layer);
  void setMask(Value v, uint64_t mask) { masks[v] = mask; }

  NetworkInfo info;
  DenseMap<Value, uint64_t> masks;
  int64_t load[64] = {};
};

unsigned AssignProcessorsPass::procsNeeded(Value v) {
  auto type = cast<ShapedType>(v.getType());
  int64_t channels = type.getDimSize(0);
  // The input of an element-wise first layer holds all operands.
  for (LayerOp u : info.users.lookup(v))
    if (u.getEltwise() && u.getInputs().size() == 1)
      channels /= u.getOperands().value_or(1);
  return splitPasses(channels).second;
}

unsigned AssignProcessorsPass::chooseWindow(unsigned count,
                                            ArrayRef<LayerOp> readers,
                                            uint64_t avoid) {
  int64_t words = 0;
  for (LayerOp r : readers)
    words += kernelWords(r);
  unsigned align = std::max(4u, std::min(64u, unsigned(llvm::PowerOf2Ceil(count))));
  uint64_t avoidInstances = 0;
  for (unsigned p = 0; p < 64; ++p)
    if ((avoid >> p) & 1)
      avoidInstances |= uint64_t(1) << (p / 4);
  // Lexicographic: kernel memory overflows, data-memory instances shared
  // with the producer's input (large maps cannot share one), windows not
  // aligned to their size (they fragment the processors for later maps),
  // then the fullest and the total kernel memory.
  using Score = std::tuple<int64_t, int64_t, bool, int64_t, int64_t>;
  std::optional<Score> best;
  unsigned bestStart = 0;
  for (unsigned s = 0; s + count <= 64; s += 4) {
    int64_t mx = 0, sum = 0, over = 0;
    uint64_t insts = 0;
    for (unsigned p = s; p < s + count; ++p) {
      mx = std::max(mx, load[p] + words);
      sum += load[p];
      over += load[p] + words > int64_t(info.dev->kernelWordsPerProcessor(p));
      insts |= uint64_t(1) << (p / 4);
    }
    Score score{over, llvm::popcount(insts & avoidInstances), s % align != 0,
                mx, sum};
    if (!best || score < *best) {
      best = score;
      bestStart = s;
    }
  }
  return bestStart;
}

LogicalResult AssignProcessorsPass::decideInput(Value arg) {
  SmallVector<LayerOp, 2> users = info.users.lookup(arg);
  if (users.empty())
    return success();
  for (LayerOp u : users)
    if (u.getProcessorsAttr() && u.getInputs().size() == 1) {
      setMask(arg, u.getProcessorsAttr().getMask());
      return success();
    }
  for (LayerOp u : users)
    if (u.getInputs().size() > 1)
      return decideGroup(u);
  unsigned count = procsNeeded(arg);
  if (info.net.getInputFormat() == DataFormat::chw) {
    // One channel per data-memory instance: the loader packs 4 pixels of a
    // channel into each word.
    if (count > 16) {
      InFlightDiagnostic diag = LayerOp(users.front()).emitError()
          << "CHW input with " << count
          << " channels per pass needs more than the 16 data-memory "
             "instances; use HWC input";
      diag.attachNote(info.net.getLoc())
          << "the network input is CHW: one channel per instance";
      return failure();
    }
    uint64_t m = 0;
    for (unsigned c = 0; c < count; ++c)
      m |= uint64_t(1) << (4 * c);
    setMask(arg, m);
    return success();
  }
  // The input loader and the FIFOs start at processor 0.
  setMask(arg, windowMask(0, count));
  return success();
}

LogicalResult AssignProcessorsPass::decideGroup(LayerOp consumer) {
  SmallVector<Value> ins;
  for (Value v : consumer.getInputs())
    ins.push_back(sourceOf(v));
  Join join = joinOf(consumer);
  SmallVector<unsigned> counts, starts;
  unsigned total = 0;
  for (Value v : ins) {
    counts.push_back(procsNeeded(v));
    starts.push_back(total);
    total += join == Join::Same ? 0 : counts.back();
  }
  if (join == Join::Same)
    total = *llvm::max_element(counts);
  if (join == Join::Same && !consumer.getEltwise()) {
    InputShape in = inputShapeOf(consumer);
    if (llvm::any_of(counts, [&](unsigned c) { return c != in.perPass; }))
      return unequalInputs(consumer);
  }
  if (total > 64)
    return consumer.emitError("cannot place the inputs of layer ")
           << quote(consumer) << ": their " << total
           << " channels per pass exceed the 64 processors";

  // A mask fixed by a pin or an earlier decision anchors the window.
  std::optional<unsigned> anchor;
  if (auto p = consumer.getProcessorsAttr())
    anchor = llvm::countr_zero(p.getMask());
  for (unsigned k = 0; k < ins.size(); ++k) {
    auto producer = ins[k].getDefiningOp<LayerOp>();
    if (!masks.count(ins[k]) && producer && producer.getOutputProcessorsAttr())
      setMask(ins[k], producer.getOutputProcessorsAttr().getMask());
  }
  for (unsigned k = 0; k < ins.size() && !anchor; ++k)
    if (auto it = masks.find(ins[k]); it != masks.end()) {
      unsigned lo = llvm::countr_zero(it->second);
      if (join == Join::Same || lo >= starts[k])
        anchor = join == Join::Same ? lo : lo - starts[k];
    }
  SmallVector<LayerOp> readers{consumer};
  unsigned s = anchor ? *anchor : chooseWindow(total, readers);
  if (s + total > 64)
    return consumer.emitError("cannot place the inputs of layer ")
           << quote(consumer) << " from processor " << s;
  for (unsigned k = 0; k < ins.size(); ++k) {
    uint64_t want = join == Join::Same ? windowMask(s, counts[k])
                                       : windowMask(s + starts[k], counts[k]);
    auto it = masks.find(ins[k]);
    if (it == masks.end()) {
      setMask(ins[k], want);
      continue;
    }
    if (it->second != want) {
      InFlightDiagnostic diag = consumer.emitError()
          << "cannot honour the processors of the inputs of layer "
          << quote(consumer) << ": input #" << k << " is on processors 0x"
          << hex(it->second, 16) << " but "
          << (join == Join::Same ? "every operand" : "this slice")
          << " must be on 0x" << hex(want, 16);
      if (auto p = ins[k].getDefiningOp())
        diag.attachNote(p->getLoc()) << "input #" << k << " is produced here";
      return failure();
    }
  }
  return success();
}

LogicalResult AssignProcessorsPass::decideOutput(LayerOp layer) {
  Value r = layer.getOutput();
  if (auto p = layer.getOutputProcessorsAttr()) {
    if (masks.count(r) && masks[r] != p.getMask()) {
      InFlightDiagnostic diag = layer.emitError()
          << "cannot honour output_processors 0x" << hex(p.getMask(), 16)
          << " of layer " << quote(layer) << ": its readers need 0x"
          << hex(masks[r], 16);
      for (LayerOp u : info.users.lookup(r))
        diag.attachNote(u.getLoc()) << "read by layer " << quote(u);
      return failure();
    }
    setMask(r, p.getMask());
  }
  if (!masks.count(r)) {
    SmallVector<LayerOp, 2> users = info.users.lookup(r);
    for (LayerOp u : users)
      if (u.getProcessorsAttr() && u.getInputs().size() == 1) {
        setMask(r, u.getProcessorsAttr().getMask());
        break;
      }
    if (!masks.count(r))
      for (LayerOp u : users)
        if (u.getInputs().size() > 1) {
          if (failed(decideGroup(u)))
            return failure();
          break;
        }
    if (!masks.count(r)) {
      uint64_t avoid = layer.getProcessorsAttr()
                           ? layer.getProcessorsAttr().getMask()
                           : 0;
      unsigned count = procsNeeded(r);
      unsigned s = users.empty() ? 0 : chooseWindow(count, users, avoid);
      setMask(r, windowMask(s, count));
    }
  }
  uint64_t m = masks[r];
  auto want = splitPasses(cast<ShapedType>(r.getType()).getDimSize(0)).second;
  if (unsigned(llvm::popcount(m)) != want && !layer.getOutputProcessorsAttr()) {
    InFlightDiagnostic diag = layer.emitError()
        << "output of layer " << quote(layer) << " needs " << want
        << " processors per pass but its readers take it from 0x"
        << hex(m, 16);
    for (LayerOp u : info.users.lookup(r))
      diag.attachNote(u.getLoc())
          << "layer " << quote(u) << " reads processors 0x"
          << hex(u.getProcessorsAttr() ? u.getProcessorsAttr().getMask() : 0, 16);
    return failure();
  }
  if (!layer.getOutputProcessorsAttr())
    layer.setOutputProcessorsAttr(ProcMaskAttr::get(&getContext(), m));
  return success();
}

LogicalResult AssignProcessorsPass::setProcessors(LayerOp layer) {
  // The inputs must sit where this layer can read them together.
  Join join = joinOf(layer);
  uint64_t seen = 0;
  for (auto [k, v] : llvm::enumerate(layer.getInputs())) {
    auto it = masks.find(sourceOf(v));
    if (it == masks.end() || join == Join::Single)
      break;
    uint64_t m = it->second;
    uint64_t first = masks.lookup(sourceOf(layer.getInputs()[0]));
    bool bad = join == Join::Same ? m != first
                                  : (k > 0 && (m & seen || m < seen));
    seen |= m;
    if (!bad)
      continue;
    InFlightDiagnostic diag = layer.emitError()
        << "cannot honour the processors of the inputs of layer "
        << quote(layer) << ": input #" << k << " is on processors 0x"
        << hex(m, 16) << " but "
        << (join == Join::Same ? "every operand must be on the first's, 0x" +
                                     hex(first, 16)
                               : std::string("a concatenation needs each "
                                             "input above the previous ones"));
    if (Operation *p = sourceOf(v).getDefiningOp())
      diag.attachNote(p->getLoc()) << "input #" << k << " is produced here";
    return failure();
  }
  if (join == Join::Same && !layer.getEltwise()) {
    // Over 64 channels each input is one pass on the same processors.
    InputShape in = inputShapeOf(layer);
    for (Value v : layer.getInputs())
      if (cast<ShapedType>(v.getType()).getDimSize(0) != in.perPass)
        return unequalInputs(layer);
  }
  if (!layer.getProcessorsAttr()) {
    uint64_t m = 0;
    for (Value v : layer.getInputs()) {
      auto it = masks.find(sourceOf(v));
      if (it == masks.end())
        return layer.emitError("cannot choose the processors of layer ")
               << quote(layer) << ": an input has no output processors";
      m |= it->second;
    }
    layer.setProcessorsAttr(ProcMaskAttr::get(&getContext(), m));
  }
  uint64_t procs = layer.getProcessorsAttr().getMask();
  int64_t words = kernelWords(layer);
  for (unsigned p = 0; p < 64; ++p)
    if ((procs >> p) & 1)
      load[p] += words;
  return success();
}

void AssignProcessorsPass::runOnOperation() {
  FailureOr<NetworkInfo> built = NetworkInfo::build(getOperation());
  if (failed(built))
    return signalPassFailure();
  info = std::move(*built);
  for (Value arg : getOperation().getBody().front().getArguments())
    if (!masks.count(arg) && failed(decideInput(arg)))
      return signalPassFailure();
  for (LayerOp layer : info.layers)
    if (failed(setProcessors(layer)) || failed(decideOutput(layer)))
      return signalPassFailure();
}

} // namespace
