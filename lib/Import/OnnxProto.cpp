//===- OnnxProto.cpp - Reading ONNX protobuf messages ---------------------===//

#include "OnnxProto.h"
#include "llvm/ADT/Twine.h"
#include <climits>
#include <cmath>
#include <cstring>
#include <exception>

using namespace tornado;
using namespace tornado::onnximport;

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Error onnximport::parseModel(llvm::StringRef bytes, llvm::StringRef name,
                                   onnx::ModelProto &model) {
  if (bytes.size() > (size_t)INT_MAX)
    return makeError(name + ": the file is too large for an ONNX model");
  bool ok = false;
  try {
    ok = model.ParseFromArray(bytes.data(), (int)bytes.size());
  } catch (const std::exception &e) {
    return makeError(name + ": malformed ONNX protobuf: " + e.what());
  }
  if (!ok)
    return makeError(name + ": not an ONNX model (the protobuf message is "
                            "malformed or truncated)");
  if (!model.has_graph())
    return makeError(name + ": the ONNX model has no graph");
  return llvm::Error::success();
}

std::string onnximport::dataTypeName(int32_t type) {
  if (onnx::TensorProto_DataType_IsValid(type))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(type));
  return "type " + std::to_string(type);
}

/// Reads little-endian elements of `size` bytes from raw_data.
template <typename T>
static void readRaw(const std::string &raw, std::vector<double> &out) {
  size_t n = raw.size() / sizeof(T);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out.push_back((double)v);
  }
}

llvm::Expected<HostValues>
onnximport::decodeTensor(const onnx::TensorProto &t) {
  std::string name = t.name().empty() ? "<unnamed>" : t.name();
  HostValues h;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return makeError("tensor `" + name + "` has a negative dimension");
    if (d > kMaxTensorElements)
      return makeError("tensor `" + name + "` has a dimension larger than " +
                       llvm::Twine(kMaxTensorElements));
    if (d != 0 && count > kMaxTensorElements / d)
      return makeError("tensor `" + name + "` has more than " +
                       llvm::Twine(kMaxTensorElements) + " elements");
    count *= d;
    h.shape.push_back(d);
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size())
    return makeError("tensor `" + name +
                     "` keeps its data in an external file, which is not "
                     "supported; save the model with its weights inside");
  if (t.segment().begin() != 0 || t.segment().end() != 0)
    return makeError("tensor `" + name + "` is segmented, which is not "
                     "supported");

  size_t elemSize = 0;
  bool hasRaw = t.has_raw_data();
  const std::string &raw = t.raw_data();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    elemSize = 4;
    if (hasRaw)
      readRaw<float>(raw, h.values);
    else
      h.values.assign(t.float_data().begin(), t.float_data().end());
    break;
  case onnx::TensorProto::DOUBLE:
    elemSize = 8;
    if (hasRaw)
      readRaw<double>(raw, h.values);
    else
      h.values.assign(t.double_data().begin(), t.double_data().end());
    break;
  case onnx::TensorProto::INT64:
    elemSize = 8;
    h.integral = true;
    if (hasRaw)
      readRaw<int64_t>(raw, h.values);
    else
      for (int64_t v : t.int64_data())
        h.values.push_back((double)v);
    break;
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::UINT32:
    elemSize = t.data_type() == onnx::TensorProto::UINT64 ? 8 : 4;
    h.integral = true;
    if (hasRaw) {
      if (elemSize == 8)
        readRaw<uint64_t>(raw, h.values);
      else
        readRaw<uint32_t>(raw, h.values);
    } else {
      for (uint64_t v : t.uint64_data())
        h.values.push_back((double)v);
    }
    break;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    h.integral = true;
    switch (t.data_type()) {
    case onnx::TensorProto::INT32:
      elemSize = 4;
      if (hasRaw)
        readRaw<int32_t>(raw, h.values);
      break;
    case onnx::TensorProto::INT16:
      elemSize = 2;
      if (hasRaw)
        readRaw<int16_t>(raw, h.values);
      break;
    case onnx::TensorProto::UINT16:
      elemSize = 2;
      if (hasRaw)
        readRaw<uint16_t>(raw, h.values);
      break;
    case onnx::TensorProto::INT8:
      elemSize = 1;
      if (hasRaw)
        readRaw<int8_t>(raw, h.values);
      break;
    default:
      elemSize = 1;
      if (hasRaw)
        readRaw<uint8_t>(raw, h.values);
      break;
    }
    if (!hasRaw)
      for (int32_t v : t.int32_data())
        h.values.push_back((double)v);
    break;
  default:
    return makeError("tensor `" + name + "` has element type " +
                     dataTypeName(t.data_type()) +
                     ", which is not supported (expected a float or integer "
                     "type)");
  }
  if (hasRaw && raw.size() != (size_t)count * elemSize)
    return makeError("tensor `" + name + "` has " + llvm::Twine(raw.size()) +
                     " bytes of data but its shape needs " +
                     llvm::Twine((uint64_t)count * elemSize));
  if ((int64_t)h.values.size() != count)
    return makeError("tensor `" + name + "` has " +
                     llvm::Twine((uint64_t)h.values.size()) +
                     " values but its shape needs " + llvm::Twine(count));
  return h;
}

llvm::Expected<std::vector<int64_t>>
onnximport::truncateToInt64(const HostValues &h, llvm::StringRef what) {
  std::vector<int64_t> out;
  out.reserve(h.values.size());
  for (double v : h.values) {
    if (!std::isfinite(v) || !(v >= -9223372036854775808.0 &&
                               v < 9223372036854775808.0))
      return makeError(what + " holds " + std::to_string(v) +
                       ", which is not an integer weight");
    out.push_back((int64_t)std::trunc(v));
  }
  return out;
}
