//===- Fixtures.cpp - Access to the files make_fixtures.py writes ---------===//

#include "Fixtures.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <cmath>
#include <cstdlib>

using namespace llvm;

namespace tornado {
namespace testing {

std::optional<std::string> fixturesDir() {
  const char *dir = std::getenv("TORNADO_SUPPORT_FIXTURES");
  if (!dir || !sys::fs::is_directory(dir))
    return std::nullopt;
  return std::string(dir);
}

std::optional<std::string> readFixture(StringRef rel) {
  std::optional<std::string> dir = fixturesDir();
  if (!dir)
    return std::nullopt;
  SmallString<256> path(*dir);
  sys::path::append(path, rel);
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt;
  return (*buffer)->getBuffer().str();
}

static std::vector<SmallVector<StringRef, 8>> readTable(StringRef name,
                                                        std::string &storage) {
  std::vector<SmallVector<StringRef, 8>> rows;
  std::optional<std::string> text = readFixture(name);
  if (!text)
    return rows;
  storage = std::move(*text);
  SmallVector<StringRef, 64> lines;
  StringRef(storage).split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (StringRef line : lines) {
    rows.emplace_back();
    line.split(rows.back(), '\t', -1, /*KeepEmpty=*/true);
  }
  return rows;
}

std::vector<ExpectedTensor> loadExpectedTensors() {
  std::string storage;
  std::vector<ExpectedTensor> result;
  for (const auto &row : readTable("expected.tsv", storage)) {
    if (row.size() != 5)
      continue;
    ExpectedTensor e;
    e.File = row[0].str();
    e.Path = row[1].str();
    e.DType = row[2].str();
    SmallVector<StringRef, 8> dims;
    row[3].split(dims, ',', -1, /*KeepEmpty=*/false);
    for (StringRef d : dims) {
      int64_t v = 0;
      d.getAsInteger(10, v);
      e.Shape.push_back(v);
    }
    SmallVector<StringRef, 64> values;
    row[4].split(values, ' ', -1, /*KeepEmpty=*/false);
    for (StringRef v : values)
      e.Values.push_back(v.str());
    result.push_back(std::move(e));
  }
  return result;
}

std::vector<ExpectedFailure> loadExpectedFailures() {
  std::string storage;
  std::vector<ExpectedFailure> result;
  for (const auto &row : readTable("bad.tsv", storage))
    if (row.size() == 2)
      result.push_back({row[0].str(), row[1].str()});
  return result;
}

const PyValue *resolvePath(const PyValue &root, StringRef path) {
  const PyValue *node = &root;
  if (path.empty())
    return node;
  SmallVector<StringRef, 8> parts;
  path.split(parts, '/');
  for (StringRef part : parts) {
    if (!node)
      return nullptr;
    if (part.consume_front("#")) {
      int64_t index = 0;
      if (part.getAsInteger(10, index))
        return nullptr;
      if (node->isDict()) {
        node = node->lookup(index);
      } else {
        ArrayRef<const PyValue *> items = node->getItems();
        node = index >= 0 && static_cast<size_t>(index) < items.size()
                   ? items[index]
                   : nullptr;
      }
    } else {
      node = node->lookup(part);
    }
  }
  return node;
}

::testing::AssertionResult matches(const HostTensor &tensor,
                                   const ExpectedTensor &expected) {
  if (getDTypeName(tensor.getDType()) != expected.DType)
    return ::testing::AssertionFailure()
           << "dtype " << getDTypeName(tensor.getDType()).str()
           << " != " << expected.DType;
  if (tensor.getShape() != ArrayRef<int64_t>(expected.Shape))
    return ::testing::AssertionFailure() << "shape differs";
  if (static_cast<size_t>(tensor.getNumElements()) != expected.Values.size())
    return ::testing::AssertionFailure() << "element count differs";
  for (size_t i = 0; i < expected.Values.size(); ++i) {
    const std::string &text = expected.Values[i];
    if (isFloatingPoint(tensor.getDType())) {
      double want = std::strtod(text.c_str(), nullptr);
      double got = tensor.getDouble(i);
      bool same = (std::isnan(want) && std::isnan(got)) ||
                  (want == got && std::signbit(want) == std::signbit(got));
      if (!same)
        return ::testing::AssertionFailure()
               << "element " << i << ": " << got << " != " << text;
    } else if (tensor.getDType() == DType::UInt64) {
      uint64_t want = std::strtoull(text.c_str(), nullptr, 10);
      uint64_t got =
          support::endian::read64le(tensor.getRawData().data() + 8 * i);
      if (want != got)
        return ::testing::AssertionFailure()
               << "element " << i << ": " << got << " != " << text;
    } else {
      int64_t want = std::strtoll(text.c_str(), nullptr, 10);
      Expected<int64_t> got = tensor.getInt64(i);
      if (!got)
        return ::testing::AssertionFailure() << toString(got.takeError());
      if (*got != want)
        return ::testing::AssertionFailure()
               << "element " << i << ": " << *got << " != " << text;
    }
  }
  return ::testing::AssertionSuccess();
}

} // namespace testing
} // namespace tornado
