//===- CheckHazards.cpp - Static data-memory hazard check -----------------===//
//
// A layer's output must not land on words (of the same byte lane) that hold
// a feature map some layer still has to read: its own input, a skip
// connection, a network output, the input loader's data, or a streaming
// ring buffer. The izer only compares each layer's output with the
// previous layer's and silently loses data otherwise; this pass compares
// every pair of live ranges (MemoryMap.h).
//
//===----------------------------------------------------------------------===//

#include "MemoryMap.h"
#include "tornado/Transforms/Passes.h"

namespace tornado {
#define GEN_PASS_DEF_CHECKHAZARDS
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;
using namespace tornado::memmap;

namespace {

struct CheckHazardsPass
    : public tornado::impl::CheckHazardsBase<CheckHazardsPass> {
  using CheckHazardsBase::CheckHazardsBase;
  void runOnOperation() override;

  Location locOf(const Tensor &t) {
    return t.producer ? t.producer.getLoc() : getOperation().getLoc();
  }
  void report(const Tensor &victim, const Tensor &writer, const MemBlock &vb,
              const MemBlock &wb, bool trailing);
  void check(const Tensor &victim, const Tensor &writer, const MemBlock &vb,
             const MemBlock &wb);

  NetworkInfo info;
  bool failed = false;
};

/// Whether layer `w`, reading `in` (its own input, read by nobody later)
/// and writing `out` over it, only overwrites input pixels it has finished
/// with: output pixel j is written after the rows before its window have
/// been read, so it may land on those rows' words.
bool trailingWrites(LayerOp w, const Tensor &in, const Tensor &out) {
  if (!in.layout || !out.layout || out.layout->passes != 1 || in.ring ||
      out.ring || w.getFlatten() || w.getOp() == LayerOpKind::conv_transpose2d)
    return false;
  auto inType = cast<ShapedType>(sourceOf(w.getInputs()[0]).getType());
  auto outType = cast<ShapedType>(w.getOutput().getType());
  auto inS = inType.getShape(), outS = outType.getShape();
  int64_t inCols = inS.size() > 2 ? inS[2] : 1;
  int64_t outCols = outS.size() > 2 ? outS[2] : 1;
  int64_t pad = 0, poolStride = 1;
  if (auto p = w.getPadding(); p && !p->empty())
    pad = (*p)[0];
  if (auto pool = w.getPool())
    poolStride = pool->getStride()[0];
  int64_t outPixels = out.layout->pixels;
  for (const MemBlock &ob : out.fp.blocks)
    for (const MemBlock &ib : in.fp.blocks) {
      if (ob.instance != ib.instance || !(ob.lanes & ib.lanes))
        continue;
      for (int64_t j = 0; j < outPixels; ++j) {
        int64_t row = std::max<int64_t>(0, j / outCols - pad) * poolStride;
        int64_t first = row * inCols * in.layout->passes;
        if (first >= ib.count)
          continue;
        MemBlock live = ib;
        live.base += first * ib.period;
        live.count -= first;
        MemBlock word = ob;
        word.base += j * ob.period;
        word.count = 1;
        if (overlaps(word, live))
          return false;
      }
    }
  return true;
}

void CheckHazardsPass::check(const Tensor &victim, const Tensor &writer,
                             const MemBlock &vb, const MemBlock &wb) {
  LayerOp w = writer.producer;
  bool inPlace = victim.lastReader == w && !victim.isOutput;
  bool trailing = inPlace && trailingWrites(w, victim, writer);
  // The izer never records a streamed output, so it accepts (safe)
  // trailing writes over it without --overlap-data; so do we.
  if (trailing && victim.producer && victim.producer.getStreaming())
    return;
  report(victim, writer, vb, wb, trailing);
}

void CheckHazardsPass::report(const Tensor &victim, const Tensor &writer,
                              const MemBlock &vb, const MemBlock &wb,
                              bool trailing) {
  LayerOp w = writer.producer;
  InFlightDiagnostic diag = overlapData ? w.emitWarning() : w.emitError();
  if (victim.ring || writer.ring)
    diag << "streaming hazard: ";
  else
    diag << "data hazard: ";
  if (trailing)
    diag << "layer " << quote(w) << " writes its output over its own input ("
         << victim.label() << ")";
  else if (victim.lastReader == w && !victim.isOutput)
    diag << "layer " << quote(w) << " overwrites its own input ("
         << victim.label() << ") while still reading it";
  else
    diag << "layer " << quote(w) << " overwrites " << victim.label()
         << " while it is still needed";
  diag << " in instance " << vb.instance;
  diag.attachNote(w.getLoc())
      << "layer " << quote(w) << (writer.ring ? " streams into " : " writes ")
      << describe(wb);
  diag.attachNote(locOf(victim))
      << (victim.producer ? "layer " + quote(victim.producer)
                          : std::string("the input loader"))
      << (victim.ring ? " streams into " : " wrote ") << describe(vb) << ", "
      << describeRange(victim, info.layers.size());
  if (victim.isOutput)
    diag.attachNote(getOperation().getBody().front().getTerminator()->getLoc())
        << "it is a network output";
  else if (victim.lastReader && victim.lastReader != w)
    diag.attachNote(victim.lastReader.getLoc())
        << "layer " << quote(victim.lastReader) << " (layer "
        << info.index.lookup(victim.lastReader) << ") reads it later";
  if (trailing)
    diag.attachNote(w.getLoc())
        << "each output pixel only overwrites input rows the layer has "
           "finished reading";
  if (!overlapData)
    diag.attachNote(w.getLoc())
        << "use overlap-data=true if the overlap is intended";
  failed |= !overlapData;
}

void CheckHazardsPass::runOnOperation() {
  FailureOr<NetworkInfo> built = NetworkInfo::build(getOperation());
  if (::mlir::failed(built))
    return signalPassFailure();
  info = std::move(*built);
  const target::Device &dev = *info.dev;
  SmallVector<Tensor, 0> tensors = buildTensors(info);

  for (const Tensor &t : tensors) {
    if (t.producer && !t.placed) {
      t.producer.emitError("layer ")
          << quote(t.producer)
          << " has no output_processors/out_offset; run "
             "tornado-assign-processors and tornado-assign-offsets first";
      failed = true;
      continue;
    }
    // CHW input keeps one channel per instance: a second one in the same
    // instance would land on the same words.
    for (unsigned i = 0; i < t.fp.blocks.size(); ++i)
      for (unsigned j = i + 1; j < t.fp.blocks.size(); ++j)
        if (overlaps(t.fp.blocks[i], t.fp.blocks[j])) {
          InFlightDiagnostic diag = getOperation().emitError()
              << "data hazard: " << t.label()
              << " puts two channels on the same words of instance "
              << t.fp.blocks[i].instance;
          diag.attachNote(info.users.lookup(t.value).front().getLoc())
              << "CHW input allows one processor per data-memory instance";
          failed = true;
          i = j = t.fp.blocks.size();
        }
    for (const MemBlock &b : t.fp.blocks)
      if (b.endWord() * 4 > int64_t(dev.dataInstanceBytes())) {
        InFlightDiagnostic diag =
            t.producer ? t.producer.emitError() : getOperation().emitError();
        diag << "data memory overflow: " << t.label() << " ends at byte 0x"
             << hex(b.endWord() * 4, 4)
             << " but a data-memory instance has "
             << dev.dataInstanceBytes() << " bytes";
        diag.attachNote(locOf(t)) << "it occupies " << describe(b);
        failed = true;
        break;
      }
  }

  for (unsigned i = 0; i < tensors.size(); ++i)
    for (unsigned j = i + 1; j < tensors.size(); ++j) {
      const Tensor &a = tensors[i], &b = tensors[j];
      if (!liveTogether(a, b))
        continue;
      std::optional<std::pair<unsigned, unsigned>> hit = overlaps(a.fp, b.fp);
      if (!hit)
        continue;
      // The later write is the one that destroys data; in the streaming
      // prefix (same def) blame a layer rather than the input loader.
      if (b.def > a.def || (b.def == a.def && b.producer))
        check(a, b, a.fp.blocks[hit->first], b.fp.blocks[hit->second]);
      else
        check(b, a, b.fp.blocks[hit->second], a.fp.blocks[hit->first]);
    }
  if (failed)
    signalPassFailure();
  markAllAnalysesPreserved();
}

} // namespace
