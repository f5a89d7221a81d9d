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
// Interleaved operands are written one word apart by their producers
// (write_gap), so a map can be interleaved in one operand list only, and
// only if every other reader can skip the gaps (read_gap, MAX78002). Any
// other use of such a map gets a pass-through copy written with the gap,
// inserted before the layer that reads it (the izer's networks do the same
// by hand).
//
//===----------------------------------------------------------------------===//

#include "MemoryMap.h"
#include "tornado/Transforms/Passes.h"

#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringSet.h"

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
  // Over 64 channels each input becomes one pass on the same processors.
  return interleavesInputs(layer) ? Join::Same : Join::Slices;
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

/// The inputs of an interleaving layer as (map, type read) pairs: layers
/// with equal lists can read one interleaved copy of them.
using OperandList = SmallVector<std::pair<Value, Type>, 4>;

OperandList operandList(LayerOp layer) {
  OperandList list;
  for (Value v : layer.getInputs())
    list.push_back({sourceOf(v), v.getType()});
  return list;
}

struct AssignProcessorsPass
    : public tornado::impl::AssignProcessorsBase<AssignProcessorsPass> {
  using AssignProcessorsBase::AssignProcessorsBase;
  void runOnOperation() override;

  /// Whether map `v` must be written without gaps.
  /// Why map `v` must be written without gaps (empty if it need not be).
  std::string whyPlain(Value v, const DenseMap<Value, unsigned> &lists);
  LogicalResult insertCopies();

  /// Channels per pass of value `v` (its processor count).
  unsigned procsNeeded(Value v);
  /// The best window of `count` processors for maps read by `readers`.
  /// Only windows `fits` accepts (if given); nullopt if there is none.
  std::optional<unsigned>
  chooseWindow(unsigned count, ArrayRef<LayerOp> readers, uint64_t avoid = 0,
               function_ref<bool(uint64_t)> fits = nullptr);
  /// Input masks of `layer` if all are known.
  std::optional<uint64_t> inputMask(LayerOp layer);
  /// Gives the unplaced inputs of a layer without convolution the
  /// processors of its output `out` (always a legal pass-through).
  void mirrorInputs(LayerOp layer, uint64_t out);
  /// The masks mirrorInputs() would give each input.
  SmallVector<std::pair<Value, uint64_t>> mirrored(LayerOp layer,
                                                   uint64_t out);
  /// Whether map `v` can be written to `mask` (a layer without convolution
  /// must keep its data in its groups).
  bool canTake(Value v, uint64_t mask);
  /// Output processors for layer `layer` without convolution.
  uint64_t passThroughOutput(LayerOp layer, unsigned count,
                             ArrayRef<LayerOp> users, uint64_t avoid);
  /// Reports a layer without convolution whose outputs leave its groups.
  LogicalResult checkPassThroughs();
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
  return info.dev->splitPasses(channels).second;
}

std::optional<unsigned>
AssignProcessorsPass::chooseWindow(unsigned count, ArrayRef<LayerOp> readers,
                                   uint64_t avoid,
                                   function_ref<bool(uint64_t)> fits) {
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
  std::optional<unsigned> bestStart;
  for (unsigned s = 0; s + count <= 64; s += 4) {
    if (fits && !fits(windowMask(s, count)))
      continue;
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

  // A layer without convolution whose output is already placed reads from
  // the same groups.
  if (auto it = masks.find(consumer.getOutput()); it != masks.end())
    mirrorInputs(consumer, it->second);
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
  // Inputs written by layers without convolution stay in their groups.
  auto fits = [&](uint64_t window) {
    unsigned lo = llvm::countr_zero(window);
    for (unsigned k = 0; k < ins.size(); ++k) {
      unsigned first = join == Join::Same ? lo : lo + starts[k];
      if (!masks.count(ins[k]) &&
          !canTake(ins[k], windowMask(first, counts[k])))
        return false;
    }
    return true;
  };
  SmallVector<LayerOp> readers{consumer};
  std::optional<unsigned> chosen = anchor;
  if (!chosen)
    chosen = chooseWindow(total, readers, 0, fits);
  // Without a legal window checkPassThroughs() reports the layer.
  if (!chosen)
    chosen = chooseWindow(total, readers);
  unsigned s = *chosen;
  if (s + total > 64)
    return consumer.emitError("cannot place the inputs of layer ")
           << quote(consumer) << " from processor " << s;
  for (unsigned k = 0; k < ins.size(); ++k) {
    uint64_t want = join == Join::Same ? windowMask(s, counts[k])
                                       : windowMask(s + starts[k], counts[k]);
    auto it = masks.find(ins[k]);
    if (it == masks.end()) {
      setMask(ins[k], want);
      if (auto producer = ins[k].getDefiningOp<LayerOp>())
        mirrorInputs(producer, want);
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
    // A pass-through copy into interleaved operands: place the group now,
    // so that the copies of its operands read from its processors.
    for (LayerOp u : users) {
      if (masks.count(r))
        break;
      if (u.getOp() != LayerOpKind::none || u.getInputs().size() != 1 ||
          u.getProcessorsAttr() || masks.count(u.getOutput()))
        continue;
      for (LayerOp c : info.users.lookup(u.getOutput()))
        if (interleavesInputs(c)) {
          if (failed(decideGroup(c)))
            return failure();
          break;
        }
    }
    if (!masks.count(r)) {
      uint64_t avoid = layer.getProcessorsAttr()
                           ? layer.getProcessorsAttr().getMask()
                           : 0;
      unsigned count = procsNeeded(r);
      if (layer.getOp() == LayerOpKind::none && layer.getProcessorsAttr())
        setMask(r, passThroughOutput(layer, count, users, avoid));
      else
        setMask(r, windowMask(users.empty() ? 0
                                            : *chooseWindow(count, users, avoid),
                              count));
    }
  }
  uint64_t m = masks[r];
  auto want =
      getTargetFor(layer).splitPasses(cast<ShapedType>(r.getType()).getDimSize(0))
          .second;
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

std::string
AssignProcessorsPass::whyPlain(Value v,
                               const DenseMap<Value, unsigned> &lists) {
  if (!v.getDefiningOp<LayerOp>())
    return "the input loader writes no gaps";
  bool readGap = info.dev->hasFeature(target::Feature::MultipassReadGap);
  // Copies for the other lists read it like any plain reader.
  if (lists.lookup(v) > 1 && !readGap)
    return "it is interleaved in more than one operand list and " +
           info.dev->name().str() + " cannot skip words when reading";
  for (LayerOp u : info.users.lookup(v)) {
    if (interleavesInputs(u))
      continue;
    // A concatenation across processors reads all inputs with one gap.
    if (u.getInputs().size() > 1)
      return "layer " + quote(u) + " reads it as a slice, without gaps";
    if (!readGap)
      return "layer " + quote(u) + " reads it without gaps and " +
             info.dev->name().str() + " cannot skip words (read_gap)";
  }
  return "";
}

LogicalResult AssignProcessorsPass::insertCopies() {
  // How many different operand lists each map is interleaved in (twice in
  // one list counts as two).
  SmallVector<OperandList> distinct;
  DenseMap<Value, unsigned> lists;
  for (LayerOp layer : info.layers) {
    if (!interleavesInputs(layer))
      continue;
    OperandList list = operandList(layer);
    if (llvm::is_contained(distinct, list))
      continue;
    distinct.push_back(list);
    for (auto [v, type] : list)
      ++lists[v];
  }
  if (distinct.empty())
    return success();

  // Decide, list by list in layer order, which operands are written in
  // place (their producer writes with the list's gap) and which are read
  // through a pass-through copy written with that gap.
  struct Plan {
    OperandList list;
    LayerOp first;                // the first layer reading the list
    SmallVector<unsigned> copies; // positions read through a copy
    SmallVector<std::string> why; // per copy
  };
  SmallVector<Plan> plans;
  DenseMap<Value, unsigned> owner;
  unsigned count = 0;
  for (LayerOp layer : info.layers) {
    if (!interleavesInputs(layer))
      continue;
    OperandList list = operandList(layer);
    if (llvm::any_of(plans, [&](const Plan &p) { return p.list == list; }))
      continue;
    Plan plan{list, layer, {}, {}};
    int64_t gap = int64_t(list.size()) - 1;
    for (auto [k, entry] : llvm::enumerate(list)) {
      Value v = entry.first;
      std::string why = whyPlain(v, lists);
      auto producer = v.getDefiningOp<LayerOp>();
      if (why.empty() && owner.count(v) && owner[v] == plans.size())
        why = "it is also an earlier operand of this layer";
      else if (why.empty() && owner.count(v))
        why = "layer " + quote(plans[owner[v]].first) +
              " reads it interleaved with other operands";
      // A copy can read a map with a pinned gap only with read_gap; without
      // it tornado-assign-offsets reports the pin.
      if (why.empty() && int64_t(producer.getWriteGap().value_or(gap)) != gap &&
          info.dev->hasFeature(target::Feature::MultipassReadGap))
        why = "layer " + quote(producer) + " writes it with write_gap " +
              std::to_string(*producer.getWriteGap());
      if (why.empty()) {
        owner[v] = plans.size();
        continue;
      }
      plan.copies.push_back(k);
      plan.why.push_back(why);
    }
    count += plan.copies.size();
    plans.push_back(std::move(plan));
  }
  if (!count)
    return success();

  // One note per layer reading copies: which inputs and why they cannot
  // be written in place.
  auto explain = [&](InFlightDiagnostic &diag) {
    for (Plan &plan : plans) {
      if (plan.copies.empty())
        continue;
      Diagnostic &note = diag.attachNote(plan.first.getLoc());
      note << "layer " << quote(plan.first) << " reads copies of";
      SmallVector<bool> done(plan.copies.size());
      for (unsigned i = 0; i < plan.copies.size(); ++i) {
        if (done[i])
          continue;
        note << (i ? "; input" : " input");
        for (unsigned j = i; j < plan.copies.size(); ++j)
          if (!done[j] && plan.why[j] == plan.why[i]) {
            note << (j == i ? " #" : ", #") << plan.copies[j];
            done[j] = true;
          }
        note << " (" << plan.why[i] << ")";
      }
    }
  };
  Plan &firstCopy =
      *llvm::find_if(plans, [](const Plan &p) { return !p.copies.empty(); });
  if (info.layers.size() + count > info.dev->maxLayers()) {
    InFlightDiagnostic diag = firstCopy.first.emitError()
        << "cannot place the inputs of layer " << quote(firstCopy.first)
        << ": interleaving element-wise operands needs " << count
        << " pass-through copies (" << info.layers.size() + count
        << " layers in all) but " << info.dev->name() << " runs at most "
        << info.dev->maxLayers() << " layers";
    explain(diag);
    return failure();
  }
  for (Plan &plan : plans) {
    if (plan.copies.empty() ||
        int(info.index.lookup(plan.first)) > info.lastStreaming)
      continue;
    InFlightDiagnostic diag = plan.first.emitError()
        << "cannot place the inputs of streaming layer " << quote(plan.first)
        << ": input #" << plan.copies.front()
        << " must be copied to sit one word apart from the other operands, "
           "but no layer can run inside the streaming prefix";
    diag.attachNote(plan.first.getLoc())
        << "input #" << plan.copies.front()
        << " needs a copy: " << plan.why.front();
    return failure();
  }

  // Each copy goes right before the first layer that reads it.
  StringSet<> names;
  for (LayerOp layer : info.layers)
    names.insert(layer.getName());
  for (Plan &plan : plans) {
    if (plan.copies.empty())
      continue;
    OpBuilder b(plan.first);
    SmallVector<std::pair<unsigned, Value>> made;
    for (unsigned k : plan.copies) {
      std::string name = (plan.first.getName() + "_copy" + Twine(k)).str();
      for (unsigned n = 1; names.contains(name); ++n)
        name =
            (plan.first.getName() + "_copy" + Twine(k) + "_" + Twine(n)).str();
      names.insert(name);
      Value in = plan.first.getInputs()[k];
      auto copy = b.create<LayerOp>(plan.first.getLoc(),
                                    TypeRange{in.getType()}, ValueRange{in},
                                    ArrayRef<NamedAttribute>{b.getNamedAttr(
                                        "name", b.getStringAttr(name))});
      made.push_back({k, copy.getOutput()});
    }
    for (LayerOp layer : info.layers)
      if (interleavesInputs(layer) && operandList(layer) == plan.list)
        for (auto [k, v] : made)
          layer->setOperand(k, v);
  }
  return success();
}

std::optional<uint64_t> AssignProcessorsPass::inputMask(LayerOp layer) {
  uint64_t m = 0;
  for (Value v : layer.getInputs()) {
    auto it = masks.find(sourceOf(v));
    if (it == masks.end())
      return std::nullopt;
    m |= it->second;
  }
  return m;
}

SmallVector<std::pair<Value, uint64_t>>
AssignProcessorsPass::mirrored(LayerOp layer, uint64_t out) {
  SmallVector<std::pair<Value, uint64_t>> result;
  bool slices = joinOf(layer) == Join::Slices;
  uint64_t rest = out;
  for (Value v : layer.getInputs()) {
    Value src = sourceOf(v);
    uint64_t m = out;
    if (slices) {
      // Adjacent slices in operand order: the next procsNeeded(src) bits.
      m = 0;
      for (unsigned c = procsNeeded(src); c && rest; --c) {
        uint64_t bit = rest & -rest;
        m |= bit;
        rest &= ~bit;
      }
    }
    result.push_back({src, m});
  }
  return result;
}

bool AssignProcessorsPass::canTake(Value v, uint64_t mask) {
  auto producer = v.getDefiningOp<LayerOp>();
  if (!producer || producer.getOp() != LayerOpKind::none)
    return true;
  if (std::optional<uint64_t> in = inputMask(producer))
    return passThroughFits(*info.dev, *in, mask);
  // Its inputs will be placed like its output (mirrorInputs).
  for (auto [src, m] : mirrored(producer, mask)) {
    auto it = masks.find(src);
    if (it != masks.end() ? it->second != m : !canTake(src, m))
      return false;
  }
  return true;
}

void AssignProcessorsPass::mirrorInputs(LayerOp layer, uint64_t out) {
  if (layer.getOp() != LayerOpKind::none)
    return;
  for (auto [src, m] : mirrored(layer, out)) {
    if (masks.count(src))
      continue;
    setMask(src, m);
    if (auto producer = src.getDefiningOp<LayerOp>())
      mirrorInputs(producer, m);
  }
}

uint64_t AssignProcessorsPass::passThroughOutput(LayerOp layer, unsigned count,
                                                 ArrayRef<LayerOp> users,
                                                 uint64_t avoid) {
  uint64_t in = layer.getProcessorsAttr().getMask();
  auto fits = [&](uint64_t w) { return passThroughFits(*info.dev, in, w); };
  // Final outputs go as low as they can.
  std::optional<unsigned> s;
  if (users.empty()) {
    for (unsigned t = 0; t + count <= 64 && !s; t += 4)
      if (fits(windowMask(t, count)))
        s = t;
  } else {
    s = chooseWindow(count, users, avoid, fits);
  }
  if (s)
    return windowMask(*s, count);
  // No window fits (CHW input spread over groups): pack each group's
  // processors to the group's start.
  unsigned per = info.dev->processorsPerGroup();
  uint64_t m = 0;
  for (unsigned g = 0; g < info.dev->numGroups(); ++g) {
    unsigned n = llvm::popcount((in >> (g * per)) & ((uint64_t(1) << per) - 1));
    m |= windowMask(g * per, n);
  }
  return m;
}

LogicalResult AssignProcessorsPass::checkPassThroughs() {
  for (LayerOp layer : info.layers) {
    if (layer.getOp() != LayerOpKind::none)
      continue;
    uint64_t in = layer.getProcessorsAttr().getMask();
    uint64_t out = layer.getOutputProcessorsAttr().getMask();
    if (passThroughFits(*info.dev, in, out))
      continue;
    InFlightDiagnostic diag = layer.emitError()
        << "layer " << quote(layer) << " has no convolution, so it cannot "
        << "move data between groups of "
        << info.dev->processorsPerGroup() << " processors: its output "
        << "processors 0x" << hex(out, 16)
        << " must be, in each group, one run as long as its processors 0x"
        << hex(in, 16) << " there";
    for (LayerOp u : info.users.lookup(layer.getOutput()))
      diag.attachNote(u.getLoc()) << "layer " << quote(u) << " reads it";
    return failure();
  }
  return success();
}

void AssignProcessorsPass::runOnOperation() {
  FailureOr<NetworkInfo> built = NetworkInfo::build(getOperation());
  if (failed(built))
    return signalPassFailure();
  info = std::move(*built);
  if (failed(insertCopies()))
    return signalPassFailure();
  built = NetworkInfo::build(getOperation());
  if (failed(built))
    return signalPassFailure();
  info = std::move(*built);
  for (Value arg : getOperation().getBody().front().getArguments())
    if (!masks.count(arg) && failed(decideInput(arg)))
      return signalPassFailure();
  // Groups anchored by a pinned input go first: the layers without
  // convolution feeding them must read from the same groups.
  for (LayerOp layer : info.layers)
    if (layer.getInputs().size() > 1 &&
        llvm::any_of(layer.getInputs(), [](Value v) {
          auto p = sourceOf(v).getDefiningOp<LayerOp>();
          return p && p.getOutputProcessorsAttr();
        }) &&
        failed(decideGroup(layer)))
      return signalPassFailure();
  for (LayerOp layer : info.layers)
    if (failed(setProcessors(layer)) || failed(decideOutput(layer)))
      return signalPassFailure();
  if (failed(checkPassThroughs()))
    return signalPassFailure();
}

} // namespace
