//===- ConformanceTest.cpp - Read every checkpoint and .npy input ---------===//
//
// Loads every *.pth.tar and *.npy under shared/conformance/inputs (found
// next to the source tree) and, when make_fixtures.py could run torch and
// numpy on them, compares each tensor's dtype, shape and SHA-256 with what
// Python read. Skips when the corpus is absent.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Checkpoint.h"
#include "tornado/Support/Npy.h"

#include "Fixtures.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "gtest/gtest.h"
#include <cstdio>
#include <cstdlib>

using namespace tornado;
using namespace tornado::testing;
using namespace llvm;

namespace {

std::optional<std::string> corpusInputs() {
  const char *source = std::getenv("TORNADO_SOURCE_DIR");
  if (!source)
    return std::nullopt;
  SmallString<256> path(source);
  sys::path::append(path, "..", "shared", "conformance", "inputs");
  if (!sys::fs::is_directory(path))
    return std::nullopt;
  return std::string(path);
}

std::vector<std::string> findInputs(StringRef root, StringRef suffix) {
  std::vector<std::string> files;
  std::error_code ec;
  for (sys::fs::recursive_directory_iterator it(root, ec), end;
       it != end && !ec; it.increment(ec))
    if (StringRef(it->path()).ends_with(suffix))
      files.push_back(it->path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string digest(const HostTensor &tensor) {
  return toHex(SHA256::hash(tensor.getRawData()), /*LowerCase=*/true);
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text;
}

TEST(ConformanceTest, LoadsEveryCheckpointAndArray) {
  std::optional<std::string> root = corpusInputs();
  if (!root)
    GTEST_SKIP() << "shared/conformance/inputs not found";
  std::vector<std::string> checkpoints = findInputs(*root, ".pth.tar");
  std::vector<std::string> arrays = findInputs(*root, ".npy");
  unsigned ckptOk = 0, npyOk = 0, zip = 0, legacy = 0, tensors = 0;
  for (const std::string &path : checkpoints) {
    Expected<Checkpoint> ckpt = readCheckpoint(path);
    if (!ckpt) {
      ADD_FAILURE() << toString(ckpt.takeError());
      continue;
    }
    ++ckptOk;
    ++(ckpt->getFormat() == CheckpointFormat::Zip ? zip : legacy);
    EXPECT_NE(ckpt->getStateDict(), nullptr) << path;
    EXPECT_TRUE(ckpt->getArch().has_value()) << path;
    tensors += ckpt->getStateTensors().size();
  }
  unsigned streams = 0, arraysRead = 0;
  for (const std::string &path : arrays) {
    Expected<std::vector<NpyArray>> read = readNpyArrays(path);
    if (!read) {
      ADD_FAILURE() << toString(read.takeError());
      continue;
    }
    ++npyOk;
    arraysRead += read->size();
    streams += read->size() > 1;
  }
  std::printf("[ conformance ] loaded %u/%zu checkpoints (%u zip, %u legacy, "
              "%u state-dict tensors) and %u/%zu .npy files (%u arrays; %u "
              "files hold several arrays)\n",
              ckptOk, checkpoints.size(), zip, legacy, tensors, npyOk,
              arrays.size(), arraysRead, streams);
  RecordProperty("checkpoints_loaded", ckptOk);
  RecordProperty("npy_loaded", npyOk);
  EXPECT_GT(checkpoints.size() + arrays.size(), 0u);
}

TEST(ConformanceTest, MatchesWhatTorchAndNumpyRead) {
  std::optional<std::string> root = corpusInputs();
  if (!root)
    GTEST_SKIP() << "shared/conformance/inputs not found";
  std::optional<std::string> table = readFixture("corpus.tsv");
  if (!table)
    GTEST_SKIP() << "corpus.tsv not generated (needs python3-torch)";

  StringMap<std::unique_ptr<Checkpoint>> cache;
  auto load = [&](StringRef rel) -> const Checkpoint * {
    std::unique_ptr<Checkpoint> &slot = cache[rel];
    if (!slot) {
      SmallString<256> path(*root);
      sys::path::append(path, rel);
      Expected<Checkpoint> ckpt = readCheckpoint(path);
      if (!ckpt) {
        ADD_FAILURE() << toString(ckpt.takeError());
        return nullptr;
      }
      slot = std::make_unique<Checkpoint>(std::move(*ckpt));
    }
    return slot.get();
  };

  StringMap<std::vector<NpyArray>> npyCache;
  unsigned tensorsChecked = 0, arraysChecked = 0;
  SmallVector<StringRef, 0> lines;
  StringRef(*table).split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    SmallVector<StringRef, 8> f;
    line.split(f, '\t', -1, /*KeepEmpty=*/true);
    if (f[0] == "ckpt" && f.size() == 5) {
      const Checkpoint *ckpt = load(f[1]);
      if (!ckpt)
        continue;
      EXPECT_EQ(ckpt->getArch().value_or(""), f[2]) << f[1].str();
      EXPECT_EQ(std::to_string(ckpt->getEpoch().value_or(-1)), f[3])
          << f[1].str();
      EXPECT_EQ(std::to_string(ckpt->getStateTensors().size()), f[4])
          << f[1].str();
    } else if (f[0] == "tensor" && f.size() == 6) {
      const Checkpoint *ckpt = load(f[1]);
      if (!ckpt)
        continue;
      const HostTensor *t = ckpt->getTensor(f[2]);
      ASSERT_NE(t, nullptr) << f[1].str() << ": " << f[2].str();
      EXPECT_EQ(getDTypeName(t->getDType()), f[3]) << f[2].str();
      EXPECT_EQ(shapeText(t->getShape()), f[4]) << f[2].str();
      EXPECT_EQ(digest(*t), f[5]) << f[1].str() << ": " << f[2].str();
      ++tensorsChecked;
    } else if (f[0] == "npy" && f.size() == 6) {
      std::vector<NpyArray> &arrays = npyCache[f[1]];
      if (arrays.empty()) {
        SmallString<256> path(*root);
        sys::path::append(path, f[1]);
        TORNADO_ASSERT_OK(read, readNpyArrays(path));
        arrays = std::move(read);
      }
      size_t index = std::stoul(f[2].str());
      ASSERT_LT(index, arrays.size()) << f[1].str();
      const NpyArray &array = arrays[index];
      EXPECT_EQ(getDTypeName(array.getDType()), f[3]) << f[1].str();
      EXPECT_EQ(shapeText(array.getShape()), f[4]) << f[1].str();
      EXPECT_EQ(digest(array), f[5]) << f[1].str() << " #" << index;
      ++arraysChecked;
    }
  }
  std::printf("[ conformance ] %u tensors and %u arrays identical to "
              "torch/numpy\n",
              tensorsChecked, arraysChecked);
  EXPECT_GT(tensorsChecked + arraysChecked, 0u);
}

} // namespace
