//===- MemoryMap.cpp - Data-memory footprints and live ranges -------------===//

#include "MemoryMap.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include <algorithm>

using namespace mlir;
using namespace tornado;
using namespace tornado::memmap;

namespace {
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool contiguous(const MemBlock &b) { return b.count == 1 || b.period <= b.width; }

/// Whether `b` has a word in [x0, x1).
bool hits(const MemBlock &b, int64_t x0, int64_t x1) {
  if (contiguous(b))
    return b.base < x1 && x0 < b.endWord();
  int64_t m = std::max<int64_t>(0, floorDiv(x0 - b.base - b.width, b.period) + 1);
  return m < b.count && b.base + m * b.period < x1;
}
} // namespace

bool memmap::overlaps(const MemBlock &a, const MemBlock &b) {
  if (a.instance != b.instance || !(a.lanes & b.lanes))
    return false;
  if (a.base >= b.endWord() || b.base >= a.endWord())
    return false;
  const MemBlock &walk = contiguous(a) || a.count > b.count ? b : a;
  const MemBlock &other = &walk == &a ? b : a;
  if (contiguous(walk))
    return hits(other, walk.base, walk.endWord());
  for (int64_t k = 0; k < walk.count; ++k) {
    int64_t x0 = walk.base + k * walk.period;
    if (hits(other, x0, x0 + walk.width))
      return true;
  }
  return false;
}

std::optional<std::pair<unsigned, unsigned>>
memmap::overlaps(const Footprint &a, const Footprint &b) {
  for (unsigned i = 0; i < a.blocks.size(); ++i)
    for (unsigned j = 0; j < b.blocks.size(); ++j)
      if (overlaps(a.blocks[i], b.blocks[j]))
        return std::make_pair(i, j);
  return std::nullopt;
}


Footprint memmap::footprint(const Layout &l) {
  Footprint fp;
  for (unsigned inst = 0; inst < 16; ++inst) {
    unsigned lanes = unsigned(l.procs >> (4 * inst)) & 0xf;
    if (!lanes)
      continue;
    if (l.chw) {
      // One channel per processor, 4 pixels per word, passes one after the
      // other; the whole word is the processor's.
      for (unsigned lane = 0; lane < 4; ++lane)
        if (lanes & (1u << lane))
          fp.blocks.push_back({inst, 0xf, l.offset / 4, 1, 1,
                               (l.pixels + 3) / 4 * l.passes});
      continue;
    }
    MemBlock b;
    b.instance = inst;
    // 32-bit data fills whole words, one per lane.
    b.lanes = l.wordsPerPass > 1 ? 0xf : lanes;
    b.base = l.offset / 4;
    b.width = l.wordsPerPass * l.operands;
    b.count = l.pixels * l.passes;
    b.period = l.wordsPerPass * l.operands * (l.gap + 1);
    fp.blocks.push_back(b);
  }
  return fp;
}

Value memmap::sourceOf(Value v) {
  while (auto r = v.getDefiningOp<ReshapeOp>())
    v = r.getInput();
  return v;
}

std::string Tensor::label() const {
  if (!producer)
    return "the input loader's data";
  return "the output of layer " + quote(producer);
}

FailureOr<NetworkInfo> NetworkInfo::build(NetworkOp net) {
  NetworkInfo info;
  info.net = net;
  info.dev = &net.getTarget();
  for (Operation &op : net.getBody().front()) {
    if (auto layer = dyn_cast<LayerOp>(op)) {
      info.index[layer] = info.layers.size();
      info.layers.push_back(layer);
      for (Value in : layer.getInputs()) {
        auto &list = info.users[sourceOf(in)];
        if (list.empty() || list.back() != layer)
          list.push_back(layer);
      }
      continue;
    }
    if (auto ret = dyn_cast<ReturnOp>(op)) {
      for (Value v : ret.getOutputs())
        info.returned[sourceOf(v)] = true;
      continue;
    }
    if (isa<ReshapeOp>(op))
      continue;
    return op.emitError("data-memory placement needs tornado.layer ops only; "
                        "run tornado-fuse-layers first");
  }
  for (LayerOp layer : info.layers) {
    if (!layer.getStreaming() || int(info.index[layer]) != info.lastStreaming + 1)
      break;
    info.lastStreaming = info.index[layer];
  }
  return info;
}

SmallVector<Value> NetworkInfo::values() const {
  SmallVector<Value> vals(net.getBody().front().getArguments());
  for (LayerOp layer : layers)
    vals.push_back(layer.getOutput());
  return vals;
}

int NetworkInfo::defOf(Value v) const {
  if (auto layer = v.getDefiningOp<LayerOp>())
    return index.lookup(layer);
  return -1;
}

InputShape memmap::inputShapeOf(LayerOp layer) {
  InputShape s;
  int64_t total = 0;
  for (Value in : layer.getInputs())
    total += cast<ShapedType>(in.getType()).getDimSize(0);
  auto first = cast<ShapedType>(layer.getInputs()[0].getType());
  s.pixels = first.getNumElements() / std::max<int64_t>(1, first.getDimSize(0));
  if (layer.getEltwise())
    s.operands = layer.getOperands().value_or(layer.getInputs().size());
  s.channels = total / std::max<int64_t>(1, s.operands);
  std::tie(s.passes, s.perPass) = getTargetFor(layer).splitPasses(s.channels);
  return s;
}

bool memmap::interleavesInputs(LayerOp layer) {
  return layer.getInputs().size() > 1 &&
         (layer.getEltwise() || inputShapeOf(layer).passes > 1);
}

std::optional<Layout> memmap::outputLayout(LayerOp layer) {
  auto procs = layer.getOutputProcessorsAttr();
  if (!procs)
    return std::nullopt;
  auto type = cast<ShapedType>(layer.getOutput().getType());
  Layout l;
  l.procs = procs.getMask();
  l.offset = layer.getOutOffset().value_or(0);
  l.pixels = type.getNumElements() / std::max<int64_t>(1, type.getDimSize(0));
  l.passes = getTargetFor(layer).splitPasses(type.getDimSize(0)).first;
  l.gap = layer.getWriteGap().value_or(0);
  l.wordsPerPass = layer.getOutputWidth() == 32 ? 4 : 1;
  return l;
}

std::optional<Layout> memmap::inputLoaderLayout(NetworkOp net, Value arg,
                                                LayerOp consumer) {
  auto procs = consumer.getProcessorsAttr();
  if (!procs || consumer.getStreaming())
    return std::nullopt;
  auto type = cast<ShapedType>(arg.getType());
  Layout l;
  l.procs = procs.getMask();
  l.offset = consumer.getInOffset().value_or(0);
  l.pixels = type.getNumElements() / std::max<int64_t>(1, type.getDimSize(0));
  // The loader interleaves the operands of an element-wise first layer.
  int64_t operands = 1;
  if (consumer.getEltwise() && consumer.getInputs().size() == 1)
    operands = consumer.getOperands().value_or(1);
  l.operands = operands;
  l.passes =
      getTargetFor(consumer).splitPasses(type.getDimSize(0) / operands).first;
  l.chw = net.getInputFormat() == DataFormat::chw;
  return l;
}

int64_t memmap::streamRingPixels(LayerOp consumer, ArrayRef<int64_t> inShape) {
  // The izer's MAX78000 rollover: the prefill (padding rows plus one pool
  // step of rows) and one more pool window, in words over all passes.
  int64_t rows = inShape.size() > 2 ? inShape[1] : inShape.back();
  int64_t cols = inShape.size() > 2 ? inShape[2] : 1;
  int64_t pad = 0, poolH = 1, poolW = 1, strideH = 1, strideW = 1;
  if (auto p = consumer.getPadding(); p && !p->empty())
    pad = p->back();
  if (auto pool = consumer.getPool()) {
    poolH = pool->getKernel()[0] * pool->getDilation()[0];
    poolW = pool->getKernel().back();
    strideH = pool->getStride()[0];
    strideW = pool->getStride().back();
  }
  InputShape in = inputShapeOf(consumer);
  int64_t rowInc = std::max(poolH, strideH), colInc = std::max(poolW, strideW);
  int64_t start = pad * (cols + 2 * pad) +
                  (rowInc * (cols + 2 * pad) + pad + 2 * colInc) * in.operands;
  int64_t words = start + (poolH - 1) * cols + std::max(strideW, poolW);
  words = (words + in.passes - 1) / in.passes;
  return std::min(rows * cols, words);
}

SmallVector<Tensor, 0> memmap::buildTensors(const NetworkInfo &info) {
  SmallVector<Tensor, 0> tensors;
  int numLayers = info.layers.size();
  for (Value v : info.values()) {
    Tensor t;
    t.value = v;
    t.producer = v.getDefiningOp<LayerOp>();
    t.def = info.defOf(v);
    t.lastUse = t.def;
    SmallVector<LayerOp, 2> users = info.users.lookup(v);
    for (LayerOp u : users) {
      int idx = info.index.lookup(u);
      if (idx >= t.lastUse) {
        t.lastUse = idx;
        t.lastReader = u;
      }
    }
    if (info.returned.lookup(v)) {
      t.isOutput = true;
      t.lastUse = numLayers;
    }
    if (!t.producer && users.empty())
      continue;
    // Streaming layers run at the same time, so what the streaming prefix
    // reads and writes is live during all of it.
    bool readByStream =
        !users.empty() && users.front().getStreaming() &&
        int(info.index.lookup(users.front())) <= info.lastStreaming;
    if (t.def <= info.lastStreaming && (readByStream || t.producer)) {
      t.def = -1;
      t.lastUse = std::max(t.lastUse, info.lastStreaming);
    }
    std::optional<Layout> layout =
        t.producer ? outputLayout(t.producer)
                   : inputLoaderLayout(info.net, v, users.front());
    if (layout) {
      if (readByStream && t.producer) {
        // Only a ring of rows lives in memory at any time.
        t.ring = true;
        layout->pixels = streamRingPixels(
            users.front(), cast<ShapedType>(v.getType()).getShape());
      }
      t.placed = t.producer ? t.producer.getOutOffset().has_value()
                            : users.front().getInOffset().has_value();
      t.layout = layout;
      if (t.placed)
        t.fp = footprint(*layout);
    }
    tensors.push_back(std::move(t));
  }
  return tensors;
}

bool memmap::liveTogether(const Tensor &a, const Tensor &b) {
  return (a.def <= b.def && b.def <= a.lastUse) ||
         (b.def <= a.def && a.def <= b.lastUse);
}

std::string memmap::hex(uint64_t value, unsigned digits) {
  std::string s = llvm::utohexstr(value, /*LowerCase=*/true);
  if (s.size() < digits)
    s.insert(0, digits - s.size(), '0');
  return s;
}

std::string memmap::describe(const MemBlock &b) {
  unsigned lo = b.instance * 4;
  std::string lanes;
  if (b.lanes == 0xf) {
    lanes = llvm::formatv("processors {0}-{1}", lo, lo + 3).str();
  } else {
    SmallVector<std::string> ps;
    for (unsigned i = 0; i < 4; ++i)
      if (b.lanes & (1u << i))
        ps.push_back(std::to_string(lo + i));
    lanes = (ps.size() == 1 ? "processor " : "processors ") +
            llvm::join(ps, ",");
  }
  std::string s = "instance " + std::to_string(b.instance) + " (" + lanes +
                  "), bytes 0x" + hex(b.base * 4, 4) + "-0x" +
                  hex(b.endWord() * 4 - 1, 4);
  if (!contiguous(b))
    s += llvm::formatv(" ({0} of every {1} words)", b.width, b.period).str();
  return s;
}

std::string memmap::describeRange(const Tensor &t, unsigned numLayers) {
  auto name = [&](int idx) -> std::string {
    if (idx < 0)
      return "start";
    if (idx >= int(numLayers))
      return "end";
    return std::to_string(idx);
  };
  return "live " + name(t.def) + ".." + name(t.lastUse);
}

void memmap::attachMemoryMap(InFlightDiagnostic &diag, Location loc,
                             ArrayRef<Tensor> tensors, uint64_t instances,
                             int when, unsigned numLayers) {
  for (unsigned inst = 0; inst < 16; ++inst) {
    if (!((instances >> inst) & 1))
      continue;
    std::string line;
    llvm::raw_string_ostream os(line);
    os << "memory map of instance " << inst << " at layer " << when << ":";
    bool any = false;
    for (const Tensor &t : tensors) {
      if (t.def > when || t.lastUse < when)
        continue;
      for (const MemBlock &b : t.fp.blocks) {
        if (b.instance != inst)
          continue;
        os << (any ? "; " : " ") << "0x" << hex(b.base * 4, 4) << "-0x"
           << hex(b.endWord() * 4 - 1, 4) << " "
           << (t.producer ? quote(t.producer) : std::string("input")) << " ("
           << describeRange(t, numLayers) << ")";
        any = true;
        break;
      }
    }
    if (!any)
      os << " empty";
    diag.attachNote(loc) << line;
  }
}
