//===- CorpusTest.cpp - Every YAML of the shared conformance corpus -------===//
//
// Parses every network description under shared/conformance/inputs and
// resolves every MANIFEST case with the case's device, start layer and sample
// input shape (and, for `arch: test` networks, the sample weight files the
// izer loads). Skips when the shared folder is absent.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <set>

using namespace tornado::netcfg;
using namespace tornado::netcfg::test;

namespace {

std::string conformanceDir() {
  const char *source = std::getenv("TORNADO_SOURCE_DIR");
  if (!source)
    return "";
  llvm::SmallString<256> dir(source);
  llvm::sys::path::append(dir, "..", "shared", "conformance");
  if (!llvm::sys::fs::is_directory(dir))
    return "";
  return std::string(dir);
}

/// One array of an .npy file (integer element types only).
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<int64_t> data;
};

/// Reads all arrays stored back to back in an .npy file.
std::optional<std::vector<NpyArray>> readNpy(llvm::StringRef path,
                                             bool wantData) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return std::nullopt;
  llvm::StringRef rest = (*buffer)->getBuffer();
  std::vector<NpyArray> arrays;
  while (rest.size() >= 10 && rest.starts_with("\x93NUMPY")) {
    unsigned major = uint8_t(rest[6]);
    size_t headerLen, skip;
    if (major == 1) {
      headerLen = uint8_t(rest[8]) | (uint8_t(rest[9]) << 8);
      skip = 10;
    } else {
      headerLen = uint8_t(rest[8]) | (uint8_t(rest[9]) << 8) |
                  (uint8_t(rest[10]) << 16) | (size_t(uint8_t(rest[11])) << 24);
      skip = 12;
    }
    llvm::StringRef header = rest.substr(skip, headerLen);
    rest = rest.drop_front(skip + headerLen);
    size_t d = header.find("'descr': '");
    size_t s = header.find("'shape': (");
    if (d == llvm::StringRef::npos || s == llvm::StringRef::npos ||
        header.contains("'fortran_order': True"))
      return std::nullopt;
    llvm::StringRef descr =
        header.substr(d + 10).take_until([](char c) { return c == '\''; });
    unsigned width = 0;
    if (descr == "<i8")
      width = 8;
    else if (descr == "<i4")
      width = 4;
    else if (descr == "<i2")
      width = 2;
    else if (descr == "|i1")
      width = 1;
    else
      return std::nullopt;
    NpyArray array;
    llvm::StringRef dims =
        header.substr(s + 10).take_until([](char c) { return c == ')'; });
    llvm::SmallVector<llvm::StringRef, 6> parts;
    dims.split(parts, ',', -1, /*KeepEmpty=*/false);
    size_t count = 1;
    for (llvm::StringRef part : parts) {
      int64_t v = 0;
      if (part.trim().getAsInteger(10, v))
        return std::nullopt;
      array.shape.push_back(v);
      count *= v;
    }
    if (rest.size() < count * width)
      return std::nullopt;
    if (wantData) {
      array.data.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        int64_t v = 0;
        std::memcpy(&v, rest.data() + i * width, width);
        // Sign-extend narrower little-endian integers.
        if (width < 8)
          v = (v << (64 - 8 * width)) >> (64 - 8 * width);
        array.data.push_back(v);
      }
    }
    rest = rest.drop_front(count * width);
    arrays.push_back(std::move(array));
  }
  if (arrays.empty())
    return std::nullopt;
  return arrays;
}

/// Per-layer weight facts from an `arch: test` sample-weight file: a list
/// of arrays, or one array whose first axis enumerates the layers.
std::vector<LayerWeightsInfo> testWeights(const std::vector<NpyArray> &file) {
  std::vector<LayerWeightsInfo> result;
  auto add = [&](llvm::ArrayRef<int64_t> shape, const int64_t *data,
                 size_t count) {
    LayerWeightsInfo info;
    info.shape.assign(shape.begin(), shape.end());
    info.minValue = INT64_MAX;
    info.maxValue = INT64_MIN;
    for (size_t i = 0; i < count; ++i) {
      info.minValue = std::min(info.minValue, data[i]);
      info.maxValue = std::max(info.maxValue, data[i]);
      info.anyZero |= data[i] == 0;
    }
    result.push_back(std::move(info));
  };
  if (file.size() == 1) {
    const NpyArray &a = file.front();
    if (a.shape.empty())
      return result;
    size_t per = a.data.size() / std::max<int64_t>(a.shape[0], 1);
    for (int64_t i = 0; i < a.shape[0]; ++i)
      add(llvm::ArrayRef<int64_t>(a.shape).drop_front(),
          a.data.data() + i * per, per);
  } else {
    for (const NpyArray &a : file)
      add(a.shape, a.data.data(), a.data.size());
  }
  return result;
}

std::vector<std::string> yamlFiles(const std::string &dir) {
  std::vector<std::string> files;
  for (const char *sub : {"networks", "tests"}) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, "inputs", sub);
    std::error_code ec;
    for (llvm::sys::fs::directory_iterator it(path, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::StringRef(it->path()).ends_with(".yaml"))
        files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct ManifestCase {
  std::string name;
  std::string config;
  std::string device;
  unsigned startLayer = 0;
  std::string sample;
  std::string testWeights;
};

/// Cases of MANIFEST.tsv; paths are made absolute.
std::vector<ManifestCase> manifest(const std::string &dir) {
  std::vector<ManifestCase> cases;
  auto buffer = llvm::MemoryBuffer::getFile(dir + "/MANIFEST.tsv");
  if (!buffer)
    return cases;
  llvm::SmallVector<llvm::StringRef, 0> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef line : llvm::ArrayRef(lines).drop_front()) {
    llvm::SmallVector<llvm::StringRef, 5> cols;
    line.split(cols, '\t');
    if (cols.size() < 4)
      continue;
    ManifestCase c;
    c.name = cols[3].str();
    llvm::SmallVector<llvm::StringRef, 32> args;
    llvm::SplitString(cols[2], args);
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "--config-file")
        c.config = dir + "/" + args[i + 1].str();
      else if (args[i] == "--device")
        c.device = args[i + 1].str();
      else if (args[i] == "--start-layer")
        args[i + 1].getAsInteger(10, c.startLayer);
      else if (args[i] == "--sample-input")
        c.sample = dir + "/" + args[i + 1].str();
    }
    llvm::SmallVector<llvm::StringRef, 4> implicit;
    if (cols.size() > 4)
      llvm::SplitString(cols[4], implicit);
    for (llvm::StringRef input : implicit) {
      llvm::StringRef base = llvm::sys::path::filename(input);
      if (base.starts_with("sample_")) {
        if (c.sample.empty())
          c.sample = dir + "/" + input.str();
      } else if (!base.starts_with("bias_")) {
        c.testWeights = dir + "/" + input.str();
      }
    }
    if (!c.config.empty())
      cases.push_back(std::move(c));
  }
  return cases;
}

TEST(NetworkConfigCorpus, EveryYamlParses) {
  std::string dir = conformanceDir();
  if (dir.empty())
    GTEST_SKIP() << "shared/conformance not found next to the source tree";
  std::set<std::string> accepted;
  for (const ManifestCase &c : manifest(dir))
    accepted.insert(c.config);

  std::vector<std::string> files = yamlFiles(dir);
  unsigned parsed = 0, acceptedParsed = 0, acceptedTotal = 0;
  for (const std::string &file : files) {
    llvm::Expected<NetworkConfig> cfg = parseNetworkConfigFile(file);
    bool isAccepted = accepted.count(file) != 0;
    acceptedTotal += isAccepted;
    if (cfg) {
      ++parsed;
      acceptedParsed += isAccepted;
      continue;
    }
    std::string message = llvm::toString(cfg.takeError());
    if (isAccepted)
      ADD_FAILURE() << "the izer accepted " << file << ":\n" << message;
    else
      std::cout << "[ rejected ] " << message << "\n";
  }
  std::cout << "[ corpus   ] " << parsed << " of " << files.size()
            << " parsed; " << acceptedParsed << " of " << acceptedTotal
            << " that the izer accepted\n";
  EXPECT_GT(files.size(), 0u);
  EXPECT_EQ(acceptedParsed, acceptedTotal);
}

TEST(NetworkConfigCorpus, EveryManifestCaseResolves) {
  std::string dir = conformanceDir();
  if (dir.empty())
    GTEST_SKIP() << "shared/conformance not found next to the source tree";
  std::vector<ManifestCase> cases = manifest(dir);
  std::map<std::string, std::optional<NetworkConfig>> configs;
  unsigned resolved = 0, withWeights = 0;
  for (const ManifestCase &c : cases) {
    SCOPED_TRACE(c.name);
    auto &cfg = configs[c.config];
    if (!cfg) {
      llvm::Expected<NetworkConfig> parsed = parseNetworkConfigFile(c.config);
      if (!parsed) {
        ADD_FAILURE() << llvm::toString(parsed.takeError());
        continue;
      }
      cfg = std::move(*parsed);
    }
    std::optional<ResolveOptions> options = ResolveOptions::forDevice(c.device);
    ASSERT_TRUE(options) << c.device;
    options->startLayer = c.startLayer;
    if (!c.sample.empty()) {
      std::optional<std::vector<NpyArray>> sample = readNpy(c.sample, false);
      ASSERT_TRUE(sample) << c.sample;
      std::array<int64_t, 3> shape{1, 1, 1};
      for (size_t i = 0; i < 3 && i < sample->front().shape.size(); ++i)
        shape[i] = sample->front().shape[i];
      options->inputShape = shape;
    }
    std::vector<LayerWeightsInfo> weights;
    if (cfg->isTestNetwork() && !c.testWeights.empty()) {
      std::optional<std::vector<NpyArray>> file = readNpy(c.testWeights, true);
      ASSERT_TRUE(file) << c.testWeights;
      weights = testWeights(*file);
      ++withWeights;
    } else {
      // Checkpoint weights are not read here.
      options->weightsKnown = false;
    }
    llvm::Expected<ResolvedNetwork> net =
        resolveNetworkConfig(*cfg, weights, *options);
    if (!net) {
      ADD_FAILURE() << llvm::toString(net.takeError());
      continue;
    }
    ++resolved;
    if (options->weightsKnown && options->inputShape) {
      // With weights and input, the izer's walk determines every geometry.
      for (unsigned i = 0; i < net->numLayers; ++i) {
        const ResolvedLayer &l = net->layers[i];
        if (!l.reachable)
          continue;
        EXPECT_TRUE(l.inChannels.isKnown() && l.outChannels.isKnown() &&
                    l.inDim.isKnown() && l.outDim.isKnown())
            << "layer " << i;
      }
    }
  }
  std::cout << "[ corpus   ] " << resolved << " of " << cases.size()
            << " MANIFEST cases resolved (" << withWeights
            << " with sample weights)\n";
  EXPECT_EQ(resolved, cases.size());
}

} // namespace
