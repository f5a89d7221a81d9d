//===- InterpBench.cpp - Throughput of the interpreter's conv kernels
//------===//
//
// Not a test: times the reference conv2d kernel on a few large layers and
// prints the achieved multiply-accumulates per second (single thread).
//
//   tornado-interp-bench [repetitions]
//
//===----------------------------------------------------------------------===//

#include "tornado/Interpreter/Kernels.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <cstdlib>
#include <random>

using namespace tornado::interp;

namespace {

Tensor randomTensor(llvm::ArrayRef<int64_t> shape, int64_t lo, int64_t hi,
                    std::mt19937 &rng) {
  Tensor t(shape);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int64_t &v : t.data)
    v = dist(rng);
  return t;
}

struct Case {
  const char *name;
  int64_t cin, h, w, cout, k, pad, groups;
};

} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 3;
  if (reps < 1)
    reps = 1;
  const Case cases[] = {
      {"conv3x3 64->64 128x128", 64, 128, 128, 64, 3, 1, 1},
      {"conv1x1 256->128 32x32", 256, 32, 32, 128, 1, 0, 1},
      {"depthwise3x3 64 128x128", 64, 128, 128, 64, 3, 1, 64},
  };
  std::mt19937 rng(12345);
  for (const Case &c : cases) {
    Tensor input = randomTensor({c.cin, c.h, c.w}, -128, 127, rng);
    Tensor weights =
        randomTensor({c.cout, c.cin / c.groups, c.k, c.k}, -128, 127, rng);
    std::vector<int64_t> bias(c.cout);
    for (int64_t &b : bias)
      b = std::uniform_int_distribution<int64_t>(-128, 127)(rng);
    Conv2dParams p;
    p.padding = {c.pad, c.pad};
    p.groups = c.groups;
    OutputStage stage;
    stage.activation = Activation::ReLU;

    double best = 1e30;
    int64_t checksum = 0;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      llvm::Expected<Tensor> out = conv2d(input, weights, bias, p, stage);
      auto t1 = std::chrono::steady_clock::now();
      if (!out) {
        llvm::errs() << c.name << ": " << llvm::toString(out.takeError())
                     << "\n";
        return 1;
      }
      checksum = 0;
      for (int64_t v : out->data)
        checksum += v;
      best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    }
    int64_t oh = convOutputSize(c.h, c.k, c.pad, 1, 1);
    int64_t ow = convOutputSize(c.w, c.k, c.pad, 1, 1);
    double macs = double(c.cout) * oh * ow * (c.cin / c.groups) * c.k * c.k;
    llvm::outs() << llvm::format("%-26s %8.1f M MAC in %7.2f ms: %6.2f G MAC/s"
                                 "  (checksum %lld)\n",
                                 c.name, macs / 1e6, best * 1e3,
                                 macs / best / 1e9, (long long)checksum);
  }
  return 0;
}
