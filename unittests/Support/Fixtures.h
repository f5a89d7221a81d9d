//===- Fixtures.h - Access to the files make_fixtures.py writes -*- C++ -*-===//
//
// CTest runs make_fixtures.py before the tests and passes its output folder
// in TORNADO_SUPPORT_FIXTURES. Tests that need a file skip when the folder
// or the file is absent (no torch/numpy, or the binary run by hand).
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_UNITTESTS_SUPPORT_FIXTURES_H
#define TORNADO_UNITTESTS_SUPPORT_FIXTURES_H

#include "tornado/Support/HostTensor.h"
#include "tornado/Support/PyValue.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "gtest/gtest.h"
#include <optional>
#include <string>
#include <vector>

namespace tornado {
namespace testing {

/// The message of a failed Expected, or "<success>" (the value is dropped).
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value)
    return "<success>";
  return llvm::toString(value.takeError());
}

/// Binds \p var to the value of an Expected, or fails the test with the
/// error message.
#define TORNADO_ASSERT_OK(var, expr)                                           \
  auto var##OrErr = (expr);                                                    \
  ASSERT_TRUE(static_cast<bool>(var##OrErr))                                   \
      << llvm::toString(var##OrErr.takeError());                               \
  auto &var = *var##OrErr

/// The fixture folder, or std::nullopt when it was not generated.
std::optional<std::string> fixturesDir();

/// Reads \p rel from the fixture folder; std::nullopt when missing.
std::optional<std::string> readFixture(llvm::StringRef rel);

/// One row of expected.tsv: the values torch/numpy hold for a tensor.
struct ExpectedTensor {
  std::string File;
  std::string Path; ///< slash-separated keys; "#N" is an int key or index
  std::string DType;
  std::vector<int64_t> Shape;
  std::vector<std::string> Values; ///< Python repr of each element
};

/// One row of bad.tsv: a file that must fail with a message containing
/// the given text.
struct ExpectedFailure {
  std::string File;
  std::string Message;
};

std::vector<ExpectedTensor> loadExpectedTensors();
std::vector<ExpectedFailure> loadExpectedFailures();

/// Follows an ExpectedTensor::Path from \p root; nullptr when it breaks.
const PyValue *resolvePath(const PyValue &root, llvm::StringRef path);

/// Checks dtype, shape and every value exactly (NaN matches NaN).
::testing::AssertionResult matches(const HostTensor &tensor,
                                   const ExpectedTensor &expected);

} // namespace testing
} // namespace tornado

#endif // TORNADO_UNITTESTS_SUPPORT_FIXTURES_H
