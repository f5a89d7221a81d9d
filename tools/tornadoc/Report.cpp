//===- Report.cpp - Per-layer compile report for tornadoc ----------------===//
//
// The cycle count is an estimate, not a simulation: per pooled input pixel
// and input pass the layer reads its pooling window once per operand plus
// one write into TRAM, and per output pixel it writes every output channel
// once per pass. It tracks the izer's latency model closely enough to
// compare layers and networks; docs/tornadoc.md explains it.
//
//===----------------------------------------------------------------------===//

#include "Report.h"
#include "tornado/Target/Device.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace tornado;

namespace {

std::string dims(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace

void driver::printReport(NetworkOp network,
                         const std::vector<interp::Tensor> &results,
                         llvm::raw_ostream &os) {
  const target::Device &dev = network.getTarget();
  unsigned perPass = dev.numProcessors();
  os << llvm::formatv("{0} on {1}\n", network.getSymName(), dev.name());
  os << llvm::formatv("{0,-3} {1,-14} {2,-16} {3,-15} {4,-15} {5,5} {6,-19} "
                      "{7,-9} {8,11} {9,11}\n",
                      "#", "layer", "operation", "input", "output", "procs",
                      "output memory", "kernels", "MACs", "~cycles");
  uint64_t totalMacs = 0, totalCycles = 0;
  unsigned index = 0;
  for (Operation &op : network.getBody().front()) {
    auto layer = dyn_cast<LayerOp>(op);
    if (!layer)
      continue;
    auto outTy = cast<ShapedType>(layer.getOutput().getType());
    SmallVector<int64_t> inShape(
        cast<ShapedType>(layer.getInputs()[0].getType()).getShape());
    for (Value v : layer.getInputs().drop_front())
      inShape[0] += cast<ShapedType>(v.getType()).getDimSize(0);
    int64_t inC = inShape[0], outC = outTy.getDimSize(0);
    int64_t outPixels = product(outTy.getShape().drop_front());
    int64_t inPixels = product(ArrayRef(inShape).drop_front());
    int64_t operands = layer.getEltwise()
                           ? (layer.getOperands() ? (int64_t)*layer.getOperands()
                                                  : (int64_t)layer.getInputs().size())
                           : 1;
    int64_t poolWindow = 1, pooledPixels = inPixels;
    if (std::optional<PoolAttr> pool = layer.getPool()) {
      poolWindow = product(pool->getKernel());
      pooledPixels = 1;
      for (size_t i = 0; i < pool->getKernel().size(); ++i)
        pooledPixels *= (inShape[i + 1] - pool->getKernel()[i]) /
                            pool->getStride()[i] +
                        1;
    }
    int64_t inPasses = (inC / operands + perPass - 1) / perPass;
    int64_t outPasses = (outC + perPass - 1) / perPass;

    std::string operation = stringifyLayerOpKind(layer.getOp()).str();
    if (std::optional<ElementsAttr> w = layer.getWeights()) {
      auto wt = cast<ShapedType>(w->getType());
      if (wt.getRank() > 2)
        operation += " " + dims(wt.getShape().drop_front(2));
    }
    if (layer.getPool())
      operation = (layer.getPool()->getKind() == PoolKind::max ? "max" : "avg") +
                  std::string("pool+") + operation;
    if (layer.getEltwise())
      operation = stringifyEltwiseKind(*layer.getEltwise()).str() + "+" +
                  operation;

    std::string procs = "-";
    if (auto p = layer.getProcessors())
      procs = std::to_string(p->count());
    std::string memory = "-";
    if (auto off = layer.getOutOffset()) {
      int64_t width = layer.getOutputWidth() == 32 ? 4 : 1;
      int64_t gap = layer.getWriteGap().value_or(0) + 1;
      int64_t bytes = 4 * outPixels * outPasses * width * gap;
      memory = llvm::formatv("{0:x4}-{1:x4}", *off, *off + bytes - 1);
    }
    std::string kernels = "-";
    uint64_t macs = 0;
    if (std::optional<ElementsAttr> w = layer.getWeights()) {
      macs = (uint64_t)w->getNumElements() * outPixels;
      if (auto col = layer.getKernelColumn())
        kernels = "col " + std::to_string(*col);
    }
    uint64_t cycles = pooledPixels * inPasses * (poolWindow * operands + 1) +
                      outPixels * outC * (layer.getOp() == LayerOpKind::none
                                              ? 0
                                              : 1);
    if (layer.getOp() == LayerOpKind::none)
      cycles += pooledPixels * outPasses;
    totalMacs += macs;
    totalCycles += cycles;
    os << llvm::formatv("{0,-3} {1,-14} {2,-16} {3,-15} {4,-15} {5,5} {6,-19} "
                        "{7,-9} {8,11} {9,11}\n",
                        index++, layer.getName(), operation, dims(inShape),
                        dims(outTy.getShape()), procs, memory, kernels, macs,
                        cycles);
  }
  os << llvm::formatv("total: {0} layers, {1} MACs, ~{2} cycles", index,
                      totalMacs, totalCycles);
  for (const interp::Tensor &t : results) {
    auto best = std::max_element(t.data.begin(), t.data.end());
    if (best != t.data.end() && t.size() > 1)
      os << llvm::formatv(", sample class {0}", best - t.data.begin());
  }
  os << "\n";
}
