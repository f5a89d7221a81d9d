//===- IzerVectorsTest.cpp - KAT layout against izer-recorded tensors -----===//
//
// End-to-end check against the izer: utils/kat/izer-kat-vectors.py records
// the output tensors and layer facts of an izer run next to its
// sampleoutput.h. When TORNADO_KAT_VECTORS names a folder, every case below
// it (a folder with meta.txt, out<N>.npy/.txt and sampleoutput.h) must give
// exactly the izer's records. No izer data lives in the repository; the test
// is skipped without the variable.
//
//===----------------------------------------------------------------------===//

#include "tornado/KnownAnswer/KnownAnswer.h"
#include "tornado/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <map>

using namespace tornado;
using namespace tornado::kat;

namespace {

// "key value" lines.
std::map<std::string, std::string> readFacts(llvm::StringRef path) {
  std::map<std::string, std::string> facts;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return facts;
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines) {
    auto [key, value] = line.split(' ');
    facts[key.str()] = value.trim().str();
  }
  return facts;
}

uint64_t number(const std::string &text) {
  uint64_t value = 0;
  EXPECT_FALSE(llvm::StringRef(text).getAsInteger(0, value)) << text;
  return value;
}

void checkCase(llvm::StringRef dir) {
  auto meta = readFacts((dir + "/meta.txt").str());
  auto kind = target::Device::parse(meta["device"]);
  ASSERT_TRUE(kind.has_value()) << meta["device"];
  const target::Device &device = target::Device::get(*kind);
  std::optional<unsigned> maxCheckLines;
  if (meta["max_checklines"] != "none")
    maxCheckLines = number(meta["max_checklines"]);

  std::vector<interp::Tensor> tensors;
  std::vector<OutputLayer> layers;
  for (unsigned n = 0;; ++n) {
    std::string base = (dir + "/out" + llvm::Twine(n)).str();
    if (!llvm::sys::fs::exists(base + ".txt"))
      break;
    auto facts = readFacts(base + ".txt");
    auto npy = readNpy(base + ".npy");
    ASSERT_TRUE(bool(npy)) << llvm::toString(npy.takeError());
    auto values = npy->getInt64Values();
    ASSERT_TRUE(bool(values)) << llvm::toString(values.takeError());
    tensors.emplace_back(npy->getShape(), std::move(*values));
    OutputLayer layer;
    layer.processorMap = number(facts["processors"]);
    layer.outOffset = number(facts["out_offset"]);
    layer.outputWidth = number(facts["output_width"]);
    layer.writeGap = number(facts["write_gap"]);
    layers.push_back(layer);
    unsigned channels = tensors.back().dim(0);
    EXPECT_EQ(outputPasses(device, channels), number(facts["out_expand"]));
    EXPECT_EQ(channelsPerPass(device, channels),
              number(facts["out_expand_thresh"]));
  }
  ASSERT_FALSE(layers.empty());
  // Tensors are complete now; point the layers at them.
  for (size_t i = 0; i < layers.size(); ++i)
    layers[i].result = &tensors[i];

  auto buffer = llvm::MemoryBuffer::getFile(dir + "/sampleoutput.h");
  ASSERT_TRUE(bool(buffer));
  auto expected = parseSampleOutput((*buffer)->getBuffer());
  ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());
  auto actual = knownAnswer(device, layers, maxCheckLines);
  ASSERT_TRUE(bool(actual)) << llvm::toString(actual.takeError());
  EXPECT_TRUE(*actual == *expected) << compare(*expected, *actual).str();
}

TEST(KnownAnswerIzer, RecordedCases) {
  const char *root = std::getenv("TORNADO_KAT_VECTORS");
  if (!root || !*root)
    GTEST_SKIP() << "set TORNADO_KAT_VECTORS (see docs/known-answer.md)";
  unsigned cases = 0;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(root, ec), end;
       it != end && !ec; it.increment(ec)) {
    if (llvm::sys::path::filename(it->path()) != "meta.txt")
      continue;
    llvm::StringRef dir = llvm::sys::path::parent_path(it->path());
    if (!llvm::sys::fs::exists(dir + "/sampleoutput.h"))
      continue; // an izer run that failed
    SCOPED_TRACE(dir.str());
    checkCase(dir);
    ++cases;
  }
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_GT(cases, 0u);
  std::printf("checked %u izer cases\n", cases);
}

} // namespace
