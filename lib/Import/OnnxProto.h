//===- OnnxProto.h - Reading ONNX protobuf messages -------------*- C++ -*-===//
//
// Private to the ONNX readers (compiled with exceptions, linked against
// onnx_proto): parsing a ModelProto from bytes and decoding TensorProtos into
// plain values, with every malformed input reported as an llvm::Error.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_IMPORT_ONNXPROTO_H
#define TORNADO_LIB_IMPORT_ONNXPROTO_H

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#include <onnx/onnx_pb.h>

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace tornado {
namespace onnximport {

/// Upper bound on the elements of one tensor; larger tensors cannot be
/// accelerator weights and would only exhaust memory.
constexpr int64_t kMaxTensorElements = int64_t(1) << 22;

/// A decoded tensor: every element as a double (ONNX integer tensors of
/// network-sized values are exact in a double).
struct HostValues {
  std::vector<int64_t> shape;
  std::vector<double> values;
  /// The ONNX element type was an integer (or bool) type.
  bool integral = false;

  int64_t numElements() const { return (int64_t)values.size(); }
};

/// Parses `bytes` as a ModelProto. `name` is used in messages.
llvm::Error parseModel(llvm::StringRef bytes, llvm::StringRef name,
                       onnx::ModelProto &model);

/// Decodes an initializer or Constant value.
llvm::Expected<HostValues> decodeTensor(const onnx::TensorProto &tensor);

/// Integer view of `values`, truncating towards zero (numpy's astype(int64)).
/// Fails for NaN, infinities and values outside int64.
llvm::Expected<std::vector<int64_t>>
truncateToInt64(const HostValues &values, llvm::StringRef what);

/// The ONNX name of a data type (for messages).
std::string dataTypeName(int32_t type);

} // namespace onnximport
} // namespace tornado

#endif // TORNADO_LIB_IMPORT_ONNXPROTO_H
