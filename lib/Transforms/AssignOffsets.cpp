//===- AssignOffsets.cpp - Choose data-memory offsets ---------------------===//
//
// Every feature map gets the lowest byte offset at which its words (in its
// processors' instances and lanes) touch no feature map it is live
// together with (first fit over live ranges, MemoryMap.h). A layer's
// in_offset is where its inputs were written. The inputs of one
// multi-input layer are placed together: element-wise operands and
// interleaved concatenations one word apart with a write gap, concatenations
// across processors at the same offset. Offsets that are already set
// (pins, the izer's inferences) are kept; a placement that cannot be made
// reports the memory map.
//
//===----------------------------------------------------------------------===//

#include "MemoryMap.h"
#include "tornado/Transforms/Passes.h"

namespace tornado {
#define GEN_PASS_DEF_ASSIGNOFFSETS
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;
using namespace tornado::memmap;

namespace {

/// Feature maps placed at one base offset.
struct Group {
  SmallVector<unsigned> members; // tensor indices
  SmallVector<int64_t> deltas;   // byte offset of each member from the base
  SmallVector<int64_t> gaps;     // write gap each member needs (-1: any)
  std::optional<int64_t> base;   // fixed by an existing offset
  LayerOp reason;                // the layer whose pin fixed the base
};

struct AssignOffsetsPass
    : public tornado::impl::AssignOffsetsBase<AssignOffsetsPass> {
  using AssignOffsetsBase::AssignOffsetsBase;
  void runOnOperation() override;

  LogicalResult buildGroups();
  LogicalResult join(unsigned tensor, unsigned group, int64_t delta,
                     int64_t gap, LayerOp consumer);
  LogicalResult arrangementError(unsigned tensor, LayerOp consumer);
  LogicalResult fixBase(Group &g, int64_t base, LayerOp why);
  /// The first conflict of group `g` at `base`, or nullopt.
  std::optional<std::pair<unsigned, unsigned>> conflict(Group &g, int64_t base);
  LogicalResult place(Group &g);
  Footprint footprintAt(unsigned tensor, int64_t offset);
  LogicalResult checkReadGaps();
  void apply();

  NetworkInfo info;
  SmallVector<Tensor, 0> tensors;
  DenseMap<Value, unsigned> tensorOf;
  SmallVector<Group> groups;
  SmallVector<int> groupOf;   // per tensor, -1 if alone
  SmallVector<int64_t> deltaOf;
};

Footprint AssignOffsetsPass::footprintAt(unsigned t, int64_t offset) {
  Layout l = *tensors[t].layout;
  l.offset = offset;
  return footprint(l);
}

LogicalResult AssignOffsetsPass::fixBase(Group &g, int64_t base, LayerOp why) {
  if (g.base && *g.base != base) {
    InFlightDiagnostic diag = why.emitError()
        << "cannot honour the data-memory offsets around layer " << quote(why)
        << ": they need base offset 0x" << hex(base, 4)
        << " where layer " << quote(g.reason) << " needs 0x"
        << hex(*g.base, 4);
    diag.attachNote(g.reason.getLoc()) << "layer " << quote(g.reason)
                                       << " fixes the offset here";
    return failure();
  }
  g.base = base;
  g.reason = why;
  return success();
}

LogicalResult AssignOffsetsPass::join(unsigned t, unsigned gi, int64_t delta,
                                      int64_t gap, LayerOp consumer) {
  if (groupOf[t] >= 0 && groupOf[t] != int(gi)) {
    // Slices of concatenations all sit at the base: their groups merge.
    Group &from = groups[groupOf[t]];
    if (delta != 0 || llvm::any_of(from.deltas, [](int64_t d) { return d; }))
      return arrangementError(t, consumer);
    for (unsigned k = 0; k < from.members.size(); ++k) {
      groupOf[from.members[k]] = gi;
      groups[gi].members.push_back(from.members[k]);
      groups[gi].deltas.push_back(0);
      groups[gi].gaps.push_back(from.gaps[k]);
    }
    from.members.clear();
    from.deltas.clear();
    from.gaps.clear();
  }
  Group &g = groups[gi];
  if (groupOf[t] < 0) {
    groupOf[t] = gi;
    deltaOf[t] = delta;
    g.members.push_back(t);
    g.deltas.push_back(delta);
    g.gaps.push_back(gap);
    return success();
  }
  unsigned k = llvm::find(g.members, t) - g.members.begin();
  if (deltaOf[t] != delta || g.gaps[k] != gap)
    return arrangementError(t, consumer);
  return success();
}

LogicalResult AssignOffsetsPass::arrangementError(unsigned t,
                                                  LayerOp consumer) {
  // tornado-assign-processors copies maps that are read in two
  // arrangements; this is left only when pinned gaps prevent that.
  InFlightDiagnostic diag = consumer.emitError()
      << "cannot place the inputs of layer " << quote(consumer)
      << " automatically: " << tensors[t].label()
      << " is also read in another arrangement (other operands or another "
         "write_gap); pin in_offset/out_offset";
  for (LayerOp u : info.users.lookup(tensors[t].value))
    if (u != consumer)
      diag.attachNote(u.getLoc())
          << "layer " << quote(u) << " reads it "
          << (interleavesInputs(u) ? "interleaved with other operands"
                                   : "as well");
  return failure();
}

LogicalResult AssignOffsetsPass::buildGroups() {
  groupOf.assign(tensors.size(), -1);
  deltaOf.assign(tensors.size(), 0);
  for (LayerOp layer : info.layers) {
    SmallVector<unsigned> ins;
    for (Value v : layer.getInputs()) {
      auto it = tensorOf.find(sourceOf(v));
      if (it == tensorOf.end())
        return layer.emitError("input of layer ")
               << quote(layer) << " is not in data memory";
      ins.push_back(it->second);
    }
    // A single input can be read wherever it is.
    if (ins.size() < 2)
      continue;
    // Join the group of an input that already has one, else a new group.
    int gi = -1;
    for (unsigned t : ins)
      if (groupOf[t] >= 0 && gi < 0)
        gi = groupOf[t];
    if (gi < 0) {
      gi = groups.size();
      groups.emplace_back();
    }
    bool same = interleavesInputs(layer);
    for (unsigned k = 0; k < ins.size(); ++k) {
      // Operands on the same processors interleave word by word.
      int64_t delta = same ? 4 * k : 0;
      int64_t gap = same ? int64_t(ins.size()) - 1 : 0;
      if (same && !tensors[ins[k]].producer)
        return layer.emitError("cannot interleave the network input with "
                               "other operands of layer ")
               << quote(layer) << ": the input loader writes no gaps";
      if (failed(join(ins[k], gi, delta, gap, layer)))
        return failure();
    }
  }
  // Maps read alone (or not at all) are groups of their own.
  for (unsigned t = 0; t < tensors.size(); ++t)
    if (groupOf[t] < 0) {
      groupOf[t] = groups.size();
      groups.emplace_back();
      groups.back().members.push_back(t);
      groups.back().deltas.push_back(0);
      groups.back().gaps.push_back(-1);
    }
  for (LayerOp layer : info.layers)
    if (auto in = layer.getInOffset()) {
      unsigned t = tensorOf.lookup(sourceOf(layer.getInputs()[0]));
      if (failed(fixBase(groups[groupOf[t]], int64_t(*in) - deltaOf[t], layer)))
        return failure();
    }
  for (Group &g : groups)
    for (unsigned k = 0; k < g.members.size(); ++k)
      if (LayerOp p = tensors[g.members[k]].producer)
        if (auto out = p.getOutOffset())
          if (failed(fixBase(g, int64_t(*out) - g.deltas[k], p)))
            return failure();
  return success();
}

std::optional<std::pair<unsigned, unsigned>>
AssignOffsetsPass::conflict(Group &g, int64_t base) {
  for (unsigned k = 0; k < g.members.size(); ++k) {
    unsigned t = g.members[k];
    if (!tensors[t].layout)
      continue;
    Footprint fp = footprintAt(t, base + g.deltas[k]);
    for (const MemBlock &b : fp.blocks)
      if (b.endWord() * 4 > int64_t(info.dev->dataInstanceBytes()))
        return std::make_pair(t, t);
    for (unsigned o = 0; o < tensors.size(); ++o) {
      if (o == t || !tensors[o].placed || !liveTogether(tensors[t], tensors[o]))
        continue;
      if (overlaps(fp, tensors[o].fp))
        return std::make_pair(t, o);
    }
  }
  return std::nullopt;
}

LogicalResult AssignOffsetsPass::place(Group &g) {
  // Operands sharing processors interleave: each producer skips the words
  // of the others (a write gap the user wrote is kept).
  for (unsigned k = 0; k < g.members.size(); ++k) {
    Tensor &t = tensors[g.members[k]];
    LayerOp p = t.producer;
    if (!p || !t.layout)
      continue;
    if (!p.getWriteGap() && g.gaps[k] > 0)
      p.setWriteGapAttr(
          IntegerAttr::get(IntegerType::get(p.getContext(), 64), g.gaps[k]));
    t.layout->gap = p.getWriteGap().value_or(0);
    // A pinned gap that does not match would make the operands collide.
    if (g.gaps[k] >= 0 && t.layout->gap != g.gaps[k]) {
      InFlightDiagnostic diag = p.emitError()
          << "cannot place the output of layer " << quote(p)
          << ": it is written with write_gap " << t.layout->gap
          << " but its reader takes it "
          << (g.gaps[k] ? "interleaved with " + std::to_string(g.gaps[k]) +
                              " other operand(s), which needs write_gap " +
                              std::to_string(g.gaps[k])
                        : std::string("as one slice of a concatenation, "
                                      "which needs write_gap 0"));
      for (LayerOp u : info.users.lookup(t.value))
        if (u.getInputs().size() > 1)
          diag.attachNote(u.getLoc()) << "read by layer " << quote(u);
      return failure();
    }
  }

  int64_t limit = info.dev->dataInstanceBytes();
  std::optional<int64_t> chosen;
  if (g.base) {
    chosen = *g.base;
  } else {
    // First fit: try 0, then the end of every block that could be in the
    // way.
    SmallVector<int64_t> candidates{0};
    for (unsigned o = 0; o < tensors.size(); ++o) {
      if (!tensors[o].placed)
        continue;
      bool relevant = false;
      for (unsigned t : g.members)
        relevant |= liveTogether(tensors[t], tensors[o]);
      if (!relevant)
        continue;
      for (const MemBlock &b : tensors[o].fp.blocks)
        for (int64_t d : g.deltas)
          if (b.endWord() * 4 - d >= 0)
            candidates.push_back(b.endWord() * 4 - d);
    }
    llvm::sort(candidates);
    candidates.erase(llvm::unique(candidates), candidates.end());
    for (int64_t c : candidates) {
      if (c >= limit)
        break;
      if (!conflict(g, c)) {
        chosen = c;
        break;
      }
    }
  }
  if (!chosen) {
    unsigned t = g.members.front();
    Operation *at = tensors[t].producer
                        ? tensors[t].producer.getOperation()
                        : info.users.lookup(tensors[t].value).front();
    InFlightDiagnostic diag = at->emitError()
        << "data memory exhausted: no offset holds " << tensors[t].label();
    uint64_t insts = 0;
    for (const MemBlock &b : footprintAt(t, 0).blocks)
      insts |= uint64_t(1) << b.instance;
    attachMemoryMap(diag, at->getLoc(), tensors, insts,
                    std::max(0, tensors[t].def), info.layers.size());
    return failure();
  }
  if (g.base) {
    if (auto c = conflict(g, *chosen)) {
      const Tensor &t = tensors[c->first];
      Operation *at = g.reason.getOperation();
      InFlightDiagnostic diag = at->emitError()
          << "cannot honour the data-memory offset 0x"
          << hex(*chosen, 4) << " of layer "
          << quote(g.reason) << ": ";
      if (c->first == c->second)
        diag << t.label() << " would extend past the "
             << info.dev->dataInstanceBytes() << "-byte instance";
      else
        diag << t.label() << " would overwrite " << tensors[c->second].label()
             << " while it is live";
      uint64_t insts = 0;
      for (const MemBlock &b :
           footprintAt(c->first, *chosen + g.deltas[0]).blocks)
        insts |= uint64_t(1) << b.instance;
      attachMemoryMap(diag, at->getLoc(), tensors, insts, std::max(0, t.def),
                      info.layers.size());
      return failure();
    }
  }
  g.base = chosen;
  for (unsigned k = 0; k < g.members.size(); ++k) {
    Tensor &t = tensors[g.members[k]];
    if (!t.layout)
      continue;
    t.layout->offset = *chosen + g.deltas[k];
    t.fp = footprint(*t.layout);
    t.placed = true;
  }
  return success();
}

LogicalResult AssignOffsetsPass::checkReadGaps() {
  for (LayerOp layer : info.layers) {
    // Slices of a concatenation are written without gaps (place()).
    if (layer.getInputs().size() > 1 || layer.getReadGap())
      continue;
    LayerOp producer = sourceOf(layer.getInputs()[0]).getDefiningOp<LayerOp>();
    int64_t gap = producer ? producer.getWriteGap().value_or(0) : 0;
    if (gap == 0)
      continue;
    // The map is interleaved with another operand: skip those words.
    if (info.dev->hasFeature(target::Feature::MultipassReadGap)) {
      layer.setReadGapAttr(
          IntegerAttr::get(IntegerType::get(&getContext(), 64), gap));
      continue;
    }
    InFlightDiagnostic diag = layer.emitError()
        << "cannot place the input of layer " << quote(layer) << ": layer "
        << quote(producer) << " writes it with write_gap " << gap << " and "
        << info.dev->name() << " cannot skip words when reading (read_gap)";
    const Tensor &t = tensors[tensorOf.lookup(producer.getOutput())];
    if (!t.fp.empty())
      diag.attachNote(producer.getLoc())
          << "layer " << quote(producer) << " writes "
          << describe(t.fp.blocks.front());
    for (LayerOp u : info.users.lookup(producer.getOutput()))
      if (interleavesInputs(u))
        diag.attachNote(u.getLoc())
            << "layer " << quote(u) << " reads it interleaved with other "
            << "operands; tornado-assign-processors gives such readers a "
               "pass-through copy unless write_gap is pinned";
    return failure();
  }
  return success();
}

void AssignOffsetsPass::apply() {
  auto i64 = [&](int64_t v) {
    return IntegerAttr::get(IntegerType::get(&getContext(), 64), v);
  };
  for (unsigned t = 0; t < tensors.size(); ++t) {
    Group &g = groups[groupOf[t]];
    LayerOp p = tensors[t].producer;
    if (p && !p.getOutOffset())
      p.setOutOffsetAttr(i64(*g.base + deltaOf[t]));
  }
  for (LayerOp layer : info.layers) {
    if (layer.getInOffset())
      continue;
    unsigned t = tensorOf.lookup(sourceOf(layer.getInputs()[0]));
    layer.setInOffsetAttr(i64(*groups[groupOf[t]].base + deltaOf[t]));
  }
}

void AssignOffsetsPass::runOnOperation() {
  FailureOr<NetworkInfo> built = NetworkInfo::build(getOperation());
  if (failed(built))
    return signalPassFailure();
  info = std::move(*built);
  for (LayerOp layer : info.layers)
    if (!layer.getProcessorsAttr() || !layer.getOutputProcessorsAttr()) {
      layer.emitError("layer ") << quote(layer)
                                << " needs processors and output_processors "
                                   "before offsets; run "
                                   "tornado-assign-processors first";
      return signalPassFailure();
    }
  tensors = buildTensors(info);
  for (unsigned t = 0; t < tensors.size(); ++t)
    tensorOf[tensors[t].value] = t;
  if (failed(buildGroups()))
    return signalPassFailure();

  // Fixed groups first (they constrain everything else), then the rest in
  // order of their first write.
  SmallVector<unsigned> order;
  for (unsigned gi = 0; gi < groups.size(); ++gi)
    order.push_back(gi);
  auto firstDef = [&](unsigned gi) {
    int d = INT32_MAX;
    for (unsigned t : groups[gi].members)
      d = std::min(d, tensors[t].def);
    return d;
  };
  llvm::stable_sort(order, [&](unsigned a, unsigned b) {
    bool fa = groups[a].base.has_value(), fb = groups[b].base.has_value();
    if (fa != fb)
      return fa;
    return firstDef(a) < firstDef(b);
  });
  // Existing offsets are taken as they are (tornado-check-hazards reports
  // their conflicts); everything new must avoid them.
  for (Group &g : groups) {
    if (!g.base)
      continue;
    for (unsigned k = 0; k < g.members.size(); ++k) {
      Tensor &t = tensors[g.members[k]];
      if (!t.layout || !t.placed)
        continue;
      t.layout->offset = *g.base + g.deltas[k];
      t.fp = footprint(*t.layout);
    }
  }
  for (unsigned gi : order) {
    Group &g = groups[gi];
    if (llvm::all_of(g.members, [&](unsigned t) {
          return tensors[t].placed || !tensors[t].layout;
        }))
      continue;
    for (unsigned t : g.members)
      tensors[t].placed = false;
    if (failed(place(g)))
      return signalPassFailure();
  }
  apply();
  if (failed(checkReadGaps()))
    return signalPassFailure();
}

} // namespace
