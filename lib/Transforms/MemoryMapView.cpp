//===- MemoryMapView.cpp - A picture of a placed network's memories -------===//
//
// The same footprints the hazard check compares (MemoryMap.h), drawn: each
// feature map is a set of rectangles in the byte lanes of the instances it
// occupies, coloured by the layer that writes it; hovering shows the layer,
// the bytes and the layers during which it must stay. Kernel memory shows
// each layer's reserved columns on its input processors.
//
//===----------------------------------------------------------------------===//

#include "tornado/Transforms/MemoryMapView.h"
#include "MemoryMap.h"
#include "PlacementModel.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace tornado;
using namespace tornado::memmap;

namespace {

std::string escape(StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// A colour per producing layer (-1: the input loader), far apart in hue.
std::string colour(int layer) {
  if (layer < 0)
    return "hsl(0, 0%, 55%)";
  return llvm::formatv("hsl({0}, 65%, 55%)", (layer * 137) % 360).str();
}

constexpr int kLane = 10, kInstanceGap = 6, kHeight = 520, kTop = 40,
              kLeft = 60;

} // namespace

LogicalResult tornado::writeMemoryMapSvg(NetworkOp net, raw_ostream &os) {
  FailureOr<NetworkInfo> built = NetworkInfo::build(net);
  if (failed(built))
    return failure();
  const NetworkInfo &info = *built;
  const target::Device &dev = *info.dev;
  SmallVector<Tensor, 0> tensors = buildTensors(info);
  const unsigned lanes = dev.processorsPerDataInstance();
  const unsigned instances = dev.numProcessors() / lanes;
  const int64_t words = dev.dataInstanceBytes() / 4;
  unsigned kernelWords = 0;
  for (unsigned p = 0; p < dev.numProcessors(); ++p)
    kernelWords = std::max(kernelWords, dev.kernelWordsPerProcessor(p));
  const unsigned numLayers = info.layers.size();

  const int dataWidth = instances * (lanes * kLane + kInstanceGap);
  const int kernelLeft = kLeft + dataWidth + 60;
  const int kernelWidth = dev.numProcessors() * 4;
  const int legendLeft = kernelLeft + kernelWidth + 30;
  const int width = legendLeft + 320;
  const int height =
      std::max<int>(kTop + kHeight + 40, kTop + 20 * (numLayers + 3));
  auto dataY = [&](int64_t word) {
    return kTop + double(word) * kHeight / double(words);
  };
  auto kernelY = [&](int64_t col) {
    return kTop + double(col) * kHeight / double(kernelWords);
  };

  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                      "font-family=\"sans-serif\" font-size=\"11\">\n",
                      width, height);
  os << "<title>" << escape(net.getSymName()) << " on " << dev.name()
     << ": data and kernel memory</title>\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";

  // Data memory frame: one column per instance, one lane per processor.
  os << llvm::formatv("<text x=\"{0}\" y=\"20\" font-size=\"13\">data memory "
                      "({1} instances x {2} bytes; lanes = processors)"
                      "</text>\n",
                      kLeft, instances, dev.dataInstanceBytes());
  for (unsigned inst = 0; inst < instances; ++inst) {
    int x = kLeft + inst * (lanes * kLane + kInstanceGap);
    os << llvm::formatv("<rect class=\"instance\" x=\"{0}\" y=\"{1}\" "
                        "width=\"{2}\" height=\"{3}\" fill=\"#f4f4f4\" "
                        "stroke=\"#999\"><title>instance {4}: processors "
                        "{5}-{6}</title></rect>\n",
                        x, kTop, lanes * kLane, kHeight, inst, inst * lanes,
                        inst * lanes + lanes - 1);
    if (inst % dev.dataInstancesPerGroup() == 0)
      os << llvm::formatv("<text x=\"{0}\" y=\"{1}\">p{2}</text>\n", x,
                          kTop - 4, inst * lanes);
  }
  for (int i = 0; i <= 4; ++i) {
    int64_t w = words * i / 4;
    os << llvm::formatv("<text x=\"4\" y=\"{0}\">0x{1}</text>\n",
                        dataY(w) + 4, hex(w * 4, 5));
  }

  SmallVector<std::string> unplaced;
  for (const Tensor &t : tensors) {
    if (!t.placed || t.fp.empty()) {
      if (t.producer)
        unplaced.push_back(quote(t.producer));
      continue;
    }
    std::string who =
        t.producer ? "output of layer " + quote(t.producer) : "network input";
    std::string range = describeRange(t, numLayers);
    for (const MemBlock &b : t.fp.blocks) {
      for (unsigned lane = 0; lane < lanes; ++lane) {
        if (!((b.lanes >> lane) & 1))
          continue;
        int x = kLeft + b.instance * (lanes * kLane + kInstanceGap) +
                lane * kLane;
        double y0 = dataY(b.base), y1 = dataY(b.endWord());
        os << llvm::formatv(
            "<rect class=\"map\" x=\"{0}\" y=\"{1:F2}\" width=\"{2}\" "
            "height=\"{3:F2}\" fill=\"{4}\" fill-opacity=\"0.75\" "
            "stroke=\"{4}\"><title>{5}: processor {6}, bytes 0x{7}-0x{8}"
            "{9}; {10}</title></rect>\n",
            x + 1, y0, kLane - 2, std::max(1.0, y1 - y0), colour(t.def),
            escape(who), b.instance * lanes + lane, hex(b.base * 4, 4),
            hex(b.endWord() * 4 - 1, 4),
            b.period > b.width
                ? llvm::formatv(" (every {0}th word)", b.period).str()
                : std::string(),
            escape(range));
      }
    }
  }

  // Kernel memory: one thin column per processor.
  os << llvm::formatv("<text x=\"{0}\" y=\"20\" font-size=\"13\">kernel "
                      "memory ({1} words per processor)</text>\n",
                      kernelLeft, kernelWords);
  for (unsigned p = 0; p < dev.numProcessors(); ++p)
    os << llvm::formatv("<rect class=\"kernel-column\" x=\"{0}\" y=\"{1}\" "
                        "width=\"4\" height=\"{2:F2}\" fill=\"#f4f4f4\"/>\n",
                        kernelLeft + p * 4, kTop,
                        kernelY(dev.kernelWordsPerProcessor(p)) - kTop);
  for (auto [i, constLayer] : llvm::enumerate(info.layers)) {
    LayerOp layer = constLayer;
    if (!placement::hasKernels(layer) || !layer.getKernelColumn())
      continue;
    FailureOr<placement::LayerGeometry> g =
        placement::getLayerGeometry(layer, i, dev);
    if (failed(g))
      continue;
    int64_t col = *layer.getKernelColumn();
    int64_t len = placement::kernelSearchLength(*g, dev);
    for (unsigned p = 0; p < dev.numProcessors(); ++p) {
      if (!((g->inputProcs >> p) & 1))
        continue;
      double y0 = kernelY(col), y1 = kernelY(col + len);
      os << llvm::formatv(
          "<rect class=\"kernels\" x=\"{0}\" y=\"{1:F2}\" width=\"4\" "
          "height=\"{2:F2}\" fill=\"{3}\"><title>kernels of layer {4}: "
          "processor {5}, columns {6}-{7}</title></rect>\n",
          kernelLeft + p * 4, y0, std::max(1.0, y1 - y0), colour(i),
          escape(quote(layer)), p, col, col + len - 1);
    }
  }

  // Legend: one line per layer.
  os << llvm::formatv("<text x=\"{0}\" y=\"20\" font-size=\"13\">layers"
                      "</text>\n",
                      legendLeft);
  int y = kTop;
  os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"12\" height=\"12\" "
                      "fill=\"{2}\"/><text x=\"{3}\" y=\"{4}\">network "
                      "input (loader)</text>\n",
                      legendLeft, y, colour(-1), legendLeft + 18, y + 10);
  for (auto [i, constLayer] : llvm::enumerate(info.layers)) {
    LayerOp layer = constLayer;
    y += 20;
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"12\" height=\"12\" "
                        "fill=\"{2}\"/><text class=\"legend\" x=\"{3}\" "
                        "y=\"{4}\">{5} {6}</text>\n",
                        legendLeft, y, colour(i), legendLeft + 18, y + 10, i,
                        escape(quote(layer)));
  }
  if (!unplaced.empty()) {
    y += 28;
    std::string list;
    for (const std::string &n : unplaced)
      list += (list.empty() ? "" : ", ") + n;
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\">not placed: {2}</text>\n",
                        legendLeft, y, escape(list));
  }
  os << "</svg>\n";
  return success();
}
