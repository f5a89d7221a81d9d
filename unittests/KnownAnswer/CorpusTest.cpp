//===- CorpusTest.cpp - Parse every izer sampleoutput.h -------------------===//
//
// Parses each sampleoutput.h of the conformance corpus
// (${TORNADO_SOURCE_DIR}/../shared/conformance) and checks the layout facts
// our generator relies on: words sorted by mask then address, maximal records,
// legal byte masks, masked values, every word in the device's data memory,
// and at most N + 1 words with --max-checklines N. Skipped without the
// shared folder.
//
//===----------------------------------------------------------------------===//

#include "tornado/KnownAnswer/KnownAnswer.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <map>

using namespace tornado;
using namespace tornado::kat;

namespace {

std::string conformanceDir() {
  const char *env = std::getenv("TORNADO_SOURCE_DIR");
  llvm::SmallString<256> path(env && *env ? env : TORNADO_SOURCE_DIR_DEFAULT);
  llvm::sys::path::append(path, "..", "shared", "conformance");
  return std::string(path);
}

// MANIFEST.tsv: folder -> --max-checklines value, for the cases that set it.
std::map<std::string, unsigned> maxCheckLinesByFolder(llvm::StringRef dir) {
  std::map<std::string, unsigned> result;
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "MANIFEST.tsv");
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return result;
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n');
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef> fields;
    line.split(fields, '\t');
    if (fields.size() < 4)
      continue;
    llvm::SmallVector<llvm::StringRef> args;
    fields[2].split(args, ' ', -1, false);
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      unsigned n;
      if (args[i] == "--max-checklines" && !args[i + 1].getAsInteger(10, n))
        result[fields[3].str()] = n;
    }
  }
  return result;
}

bool legalMask(uint32_t mask) {
  // 1..4 consecutive whole bytes.
  for (unsigned bytes = 1; bytes <= 4; ++bytes)
    for (unsigned lane = 0; lane + bytes <= 4; ++lane) {
      uint64_t m = ((uint64_t(1) << (8 * bytes)) - 1) << (8 * lane);
      if (mask == m)
        return true;
    }
  return false;
}

TEST(KnownAnswerCorpus, EverySampleOutputIsWellFormed) {
  std::string dir = conformanceDir();
  llvm::SmallString<256> corpus(dir);
  llvm::sys::path::append(corpus, "corpus");
  if (!llvm::sys::fs::is_directory(corpus))
    GTEST_SKIP() << "no conformance corpus at " << corpus.str().str();
  auto checkLines = maxCheckLinesByFolder(dir);

  unsigned files = 0, truncated = 0;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(corpus, ec), end;
       it != end && !ec; it.increment(ec)) {
    if (llvm::sys::path::filename(it->path()) != "sampleoutput.h")
      continue;
    std::string path = it->path();
    llvm::StringRef folder = llvm::sys::path::parent_path(path);
    llvm::StringRef relative = folder.drop_front(dir.size() + 1);
    SCOPED_TRACE(relative.str());
    // corpus/<device>/...
    llvm::SmallVector<llvm::StringRef> parts;
    relative.split(parts, '/');
    ASSERT_GE(parts.size(), 3u);
    auto kind = target::Device::parse(parts[1]);
    ASSERT_TRUE(kind.has_value()) << parts[1].str();
    const target::Device &device = target::Device::get(*kind);

    auto buffer = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(bool(buffer));
    auto records = parseSampleOutput((*buffer)->getBuffer());
    ASSERT_TRUE(bool(records)) << llvm::toString(records.takeError());
    ++files;
    ASSERT_FALSE(records->empty());

    for (size_t i = 0; i < records->size(); ++i) {
      const Record &r = (*records)[i];
      EXPECT_TRUE(legalMask(r.mask))
          << llvm::formatv("mask {0:x}", r.mask).str();
      for (size_t k = 0; k < r.values.size(); ++k) {
        uint32_t address = r.address + 4 * k;
        EXPECT_EQ(r.values[k] & ~r.mask, 0u)
            << llvm::formatv("value at {0:x} not masked", address).str();
        auto decoded = device.decodeAddress(address);
        EXPECT_TRUE(decoded && decoded->kind == target::AddressKind::Data)
            << llvm::formatv("{0:x} is not {1} data memory", address,
                             device.name())
                   .str();
      }
      if (i == 0)
        continue;
      // Sorted by (mask, address), and a record only ends where the mask
      // changes or the next address is not adjacent.
      const Record &prev = (*records)[i - 1];
      uint64_t prevEnd = prev.address + 4 * uint64_t(prev.values.size());
      EXPECT_TRUE(prev.mask < r.mask ||
                  (prev.mask == r.mask && prevEnd < r.address))
          << llvm::formatv("record {0:x}/{1:x} after {2:x}/{3:x}", r.address,
                           r.mask, prev.address, prev.mask)
                 .str();
    }

    auto limit = checkLines.find(relative.str());
    if (limit != checkLines.end()) {
      EXPECT_LE(wordCount(*records), size_t(limit->second) + 1);
      ++truncated;
    }
  }
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_GT(files, 0u);
  EXPECT_GT(truncated, 0u);
}

} // namespace
