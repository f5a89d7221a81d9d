//===- TestUtil.h - Helpers for the interpreter kernel tests ----*- C++ -*-===//

#ifndef TORNADO_UNITTESTS_INTERPRETER_TESTUTIL_H
#define TORNADO_UNITTESTS_INTERPRETER_TESTUTIL_H

#include "tornado/Interpreter/Kernels.h"
#include "gtest/gtest.h"

namespace tornado {
namespace interp {

/// The value of `e`, or an empty tensor after recording a test failure.
inline Tensor unwrap(llvm::Expected<Tensor> e) {
  if (!e) {
    ADD_FAILURE() << llvm::toString(e.takeError());
    return Tensor();
  }
  return std::move(*e);
}

/// The error message of `e`, or "" after recording a failure if it succeeded.
inline std::string errorOf(llvm::Expected<Tensor> e) {
  if (e) {
    ADD_FAILURE() << "expected an error, got " << e->str();
    return "";
  }
  return llvm::toString(e.takeError());
}

/// Whether `e` is a failure; consumes it.
inline bool fails(llvm::Error e) {
  bool failed = bool(e);
  llvm::consumeError(std::move(e));
  return failed;
}

inline Tensor T(llvm::ArrayRef<int64_t> shape, std::vector<int64_t> values) {
  return Tensor(shape, std::move(values));
}

/// 0, 1, ..., n - 1.
inline std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = i;
  return v;
}

/// An output stage that passes accumulators through unchanged (within 8
/// bits): total shift 7 makes acc * 2^7 / 128 == acc.
inline OutputStage identityStage(int weightBits = 8) {
  OutputStage s;
  s.weightBits = weightBits;
  s.outputShift = 7 - implicitShift(weightBits);
  return s;
}

} // namespace interp
} // namespace tornado

#endif // TORNADO_UNITTESTS_INTERPRETER_TESTUTIL_H
