//===- OnnxWeights.cpp - The izer's ONNX weight path ----------------------===//
//
// Facts (ai8x-synthesis, izer/onnxcp.py), restated:
//  * a --checkpoint-file whose last extension is `onnx` is read as ONNX;
//  * nodes are visited in graph order; only Conv and Gemm nodes count, one
//    weight layer each; their inputs that are initializers are read and cast
//    to int64 (truncation); an initializer of rank > 1 is the weights, the
//    third input (when it is an initializer) the bias;
//  * the bias is floor-divided by 128 whatever the weight width (the
//    checkpoint path divides by 2^(weight_bits - 1));
//  * no weight_bits or output_shift is read from the file: a layer without
//    `quantization` in the YAML gets 1 << (fls(max(fls(hi'), fls(lo')) + 1) + 1)
//    with x' = x for x > 0 and |x| - 1 otherwise (fls of Python ints), and
//    the output shift is the YAML's (or 0) plus 8 - quantization.
// Beyond the izer, ConvTranspose nodes are weight layers too (the izer skips
// them, so a transposed convolution cannot get ONNX weights there).
//
//===----------------------------------------------------------------------===//

#include "OnnxProto.h"
#include "tornado/Import/OnnxImport.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cmath>
#include <cstdlib>
#include <map>

using namespace tornado;
using namespace tornado::onnximport;

bool tornado::isOnnxFile(llvm::StringRef path) {
  size_t dot = path.rfind('.');
  return dot != llvm::StringRef::npos &&
         path.substr(dot + 1).equals_insensitive("onnx");
}

/// Python's int.bit_length() - 1 (the sign is ignored).
static int64_t pyFls(int64_t x) {
  uint64_t m = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
  int64_t bits = 0;
  while (m) {
    ++bits;
    m >>= 1;
  }
  return bits - 1;
}

static int64_t izerOnnxWeightBits(int64_t lo, int64_t hi) {
  int64_t hiM = hi > 0 ? hi : std::llabs(hi) - 1;
  int64_t loM = lo > 0 ? lo : std::llabs(lo) - 1;
  int64_t e = pyFls(std::max(pyFls(hiM), pyFls(loM)) + 1) + 1;
  return e < 0 ? 0 : int64_t(1) << e;
}

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<std::vector<OnnxWeightLayer>>
tornado::readOnnxWeights(llvm::StringRef bytes, llvm::StringRef name) {
  onnx::ModelProto model;
  if (llvm::Error err = parseModel(bytes, name, model))
    return std::move(err);
  const onnx::GraphProto &graph = model.graph();
  std::map<std::string, const onnx::TensorProto *> initializers;
  for (const onnx::TensorProto &t : graph.initializer())
    initializers.emplace(t.name(), &t);

  std::vector<OnnxWeightLayer> layers;
  int index = 0;
  for (const onnx::NodeProto &node : graph.node()) {
    const std::string &type = node.op_type();
    if (type != "Conv" && type != "Gemm" && type != "ConvTranspose")
      continue;
    std::string nodeName = node.name().empty()
                               ? (type + " #" + std::to_string(index)).c_str()
                               : node.name();
    ++index;
    std::optional<size_t> weightLayer;
    for (int i = 0; i < node.input_size(); ++i) {
      const std::string &in = node.input(i);
      auto it = initializers.find(in);
      if (in.empty() || it == initializers.end())
        continue;
      llvm::Expected<HostValues> h = decodeTensor(*it->second);
      if (!h)
        return makeError(name + ": node `" + nodeName + "` (" + type +
                         "): " + llvm::toString(h.takeError()));
      std::string what = "initializer `" + in + "`";
      llvm::Expected<std::vector<int64_t>> values = truncateToInt64(*h, what);
      if (!values)
        return makeError(name + ": node `" + nodeName + "` (" + type +
                         "): " + llvm::toString(values.takeError()));
      if (i == 2 && h->shape.size() <= 1) {
        if (!weightLayer)
          return makeError(name + ": node `" + nodeName + "` (" + type +
                           ") has a bias `" + in + "` but no weights");
        std::vector<int64_t> bias;
        for (int64_t v : *values)
          bias.push_back(v >= 0 ? v / 128 : -((-(v + 1)) / 128) - 1);
        layers[*weightLayer].bias = std::move(bias);
        layers[*weightLayer].biasKey = in;
        continue;
      }
      if (h->shape.size() <= 1)
        continue;
      OnnxWeightLayer w;
      w.key = in;
      w.node = nodeName;
      w.shape = h->shape;
      w.values = std::move(*values);
      int64_t lo = 0, hi = 0;
      if (!w.values.empty()) {
        lo = hi = w.values.front();
        for (int64_t v : w.values) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
      w.weightBits = izerOnnxWeightBits(lo, hi);
      if (type == "Gemm") {
        // The izer takes Gemm weights as stored; PyTorch exports nn.Linear
        // with transB = 1 ([out, in]). Other layouts would be misread.
        bool transB = false, transA = false;
        for (const onnx::AttributeProto &a : node.attribute()) {
          if (a.name() == "transB")
            transB = a.i() != 0;
          if (a.name() == "transA")
            transA = a.i() != 0;
        }
        if (i != 1 || transA || !transB)
          return makeError(name + ": node `" + nodeName +
                           "` (Gemm): the weights must be the second input, "
                           "stored [out, in] (transA = 0, transB = 1), as "
                           "PyTorch exports nn.Linear");
      }
      weightLayer = layers.size();
      layers.push_back(std::move(w));
    }
  }
  return layers;
}

llvm::Expected<std::vector<OnnxWeightLayer>>
tornado::readOnnxWeightsFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read " + path + ": " +
                     buffer.getError().message());
  return readOnnxWeights((*buffer)->getBuffer(), path);
}
