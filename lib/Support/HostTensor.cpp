//===- HostTensor.cpp - Dense tensor data held on the host ----------------===//

#include "tornado/Support/HostTensor.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <cmath>
#include <cstring>

using namespace llvm;

namespace tornado {

unsigned getDTypeSize(DType type) {
  switch (type) {
  case DType::Bool:
  case DType::Int8:
  case DType::UInt8:
    return 1;
  case DType::Int16:
  case DType::UInt16:
  case DType::Float16:
  case DType::BFloat16:
    return 2;
  case DType::Int32:
  case DType::UInt32:
  case DType::Float32:
    return 4;
  case DType::Int64:
  case DType::UInt64:
  case DType::Float64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

StringRef getDTypeName(DType type) {
  switch (type) {
  case DType::Bool:
    return "bool";
  case DType::Int8:
    return "int8";
  case DType::UInt8:
    return "uint8";
  case DType::Int16:
    return "int16";
  case DType::UInt16:
    return "uint16";
  case DType::Int32:
    return "int32";
  case DType::UInt32:
    return "uint32";
  case DType::Int64:
    return "int64";
  case DType::UInt64:
    return "uint64";
  case DType::Float16:
    return "float16";
  case DType::BFloat16:
    return "bfloat16";
  case DType::Float32:
    return "float32";
  case DType::Float64:
    return "float64";
  }
  llvm_unreachable("unknown dtype");
}

std::optional<DType> parseDTypeName(StringRef name) {
  for (DType type :
       {DType::Bool, DType::Int8, DType::UInt8, DType::Int16, DType::UInt16,
        DType::Int32, DType::UInt32, DType::Int64, DType::UInt64,
        DType::Float16, DType::BFloat16, DType::Float32, DType::Float64})
    if (getDTypeName(type) == name)
      return type;
  return std::nullopt;
}

bool isFloatingPoint(DType type) {
  return type == DType::Float16 || type == DType::BFloat16 ||
         type == DType::Float32 || type == DType::Float64;
}

std::optional<int64_t> getElementCount(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || MulOverflow(count, dim, count))
      return std::nullopt;
  }
  return count;
}

HostTensor::HostTensor() : Type(DType::Float32), Shape({0}), NumElements(0) {}

Expected<HostTensor> HostTensor::create(DType type, ArrayRef<int64_t> shape,
                                        std::vector<uint8_t> data) {
  std::optional<int64_t> count = getElementCount(shape);
  if (!count)
    return createStringError(inconvertibleErrorCode(),
                             "invalid tensor shape (negative dimension or "
                             "element count overflow)");
  int64_t bytes;
  if (MulOverflow<int64_t>(*count, getDTypeSize(type), bytes) ||
      static_cast<uint64_t>(bytes) != data.size())
    return createStringError(inconvertibleErrorCode(),
                             "tensor data size %zu does not match shape "
                             "(%lld elements of %u bytes)",
                             data.size(), static_cast<long long>(*count),
                             getDTypeSize(type));
  return HostTensor(type, shape, *count, std::move(data));
}

HostTensor HostTensor::fromRawUnchecked(DType type, ArrayRef<int64_t> shape,
                                        const void *values, size_t count) {
  std::optional<int64_t> expected = getElementCount(shape);
  if (!expected || static_cast<uint64_t>(*expected) != count)
    report_fatal_error("HostTensor::fromValues: shape does not match the "
                       "number of values");
  unsigned size = getDTypeSize(type);
  std::vector<uint8_t> data(count * size);
  if (count)
    std::memcpy(data.data(), values, data.size());
  if (sys::IsBigEndianHost) {
    for (size_t i = 0; i < count; ++i)
      std::reverse(data.begin() + i * size, data.begin() + (i + 1) * size);
  }
  if (type == DType::Bool) {
    // Normalize so equal truth values compare equal bytewise.
    for (uint8_t &b : data)
      b = b != 0;
  }
  return HostTensor(type, shape, *expected, std::move(data));
}

/// IEEE binary16 to float, exact (every half value is a float value).
static float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  uint32_t out;
  if (exponent == 0x1f) {
    out = sign | 0x7f800000 | (mantissa << 13); // infinity or NaN
  } else if (exponent != 0) {
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    out = sign; // signed zero
  } else {
    // Subnormal half: renormalize into a normal float.
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    mantissa &= 0x3ff;
    out = sign | (static_cast<uint32_t>(113 - shift) << 23) | (mantissa << 13);
  }
  float result;
  std::memcpy(&result, &out, sizeof(result));
  return result;
}

double HostTensor::getDouble(int64_t index) const {
  assert(index >= 0 && index < NumElements && "index out of range");
  namespace endian = support::endian;
  const uint8_t *p = Data.data() + index * getDTypeSize(Type);
  switch (Type) {
  case DType::Bool:
    return *p ? 1.0 : 0.0;
  case DType::Int8:
    return static_cast<int8_t>(*p);
  case DType::UInt8:
    return *p;
  case DType::Int16:
    return static_cast<int16_t>(endian::read16le(p));
  case DType::UInt16:
    return endian::read16le(p);
  case DType::Int32:
    return static_cast<int32_t>(endian::read32le(p));
  case DType::UInt32:
    return endian::read32le(p);
  case DType::Int64:
    return static_cast<double>(static_cast<int64_t>(endian::read64le(p)));
  case DType::UInt64:
    return static_cast<double>(endian::read64le(p));
  case DType::Float16:
    return halfToFloat(endian::read16le(p));
  case DType::BFloat16: {
    uint32_t bits = static_cast<uint32_t>(endian::read16le(p)) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
  }
  case DType::Float32: {
    uint32_t bits = endian::read32le(p);
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
  }
  case DType::Float64: {
    uint64_t bits = endian::read64le(p);
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    return d;
  }
  }
  llvm_unreachable("unknown dtype");
}

Expected<int64_t> HostTensor::getInt64(int64_t index) const {
  assert(index >= 0 && index < NumElements && "index out of range");
  const uint8_t *p = Data.data() + index * getDTypeSize(Type);
  if (Type == DType::Int64)
    return static_cast<int64_t>(support::endian::read64le(p));
  if (Type == DType::UInt64) {
    uint64_t value = support::endian::read64le(p);
    if (value > static_cast<uint64_t>(INT64_MAX))
      return createStringError(inconvertibleErrorCode(),
                               "uint64 element %lld (%llu) does not fit int64",
                               static_cast<long long>(index),
                               static_cast<unsigned long long>(value));
    return static_cast<int64_t>(value);
  }
  double value = getDouble(index);
  if (!isFloatingPoint(Type))
    return static_cast<int64_t>(value); // exact: at most 32 bits wide
  // 2^63 is exactly representable; anything at or beyond it overflows.
  if (!std::isfinite(value) || value >= 9223372036854775808.0 ||
      value < -9223372036854775808.0)
    return createStringError(inconvertibleErrorCode(),
                             "%s element %lld (%g) cannot be converted to "
                             "int64",
                             getDTypeName(Type).str().c_str(),
                             static_cast<long long>(index), value);
  return static_cast<int64_t>(std::trunc(value));
}

Expected<std::vector<int64_t>> HostTensor::getInt64Values() const {
  std::vector<int64_t> values;
  values.reserve(NumElements);
  // Checkpoint weights are float32 (or int64): convert those in one tight
  // loop. An element getInt64 would refuse goes through it for the error.
  if (Type == DType::Float32) {
    for (int64_t i = 0; i < NumElements; ++i) {
      uint32_t bits = support::endian::read32le(Data.data() + 4 * i);
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      if (!(f >= -9223372036854775808.0f && f < 9223372036854775808.0f))
        return getInt64(i).takeError();
      values.push_back(static_cast<int64_t>(f));
    }
    return values;
  }
  if (Type == DType::Int64) {
    for (int64_t i = 0; i < NumElements; ++i)
      values.push_back(
          static_cast<int64_t>(support::endian::read64le(Data.data() + 8 * i)));
    return values;
  }
  for (int64_t i = 0; i < NumElements; ++i) {
    Expected<int64_t> value = getInt64(i);
    if (!value)
      return value.takeError();
    values.push_back(*value);
  }
  return values;
}

std::vector<double> HostTensor::getDoubleValues() const {
  std::vector<double> values;
  values.reserve(NumElements);
  for (int64_t i = 0; i < NumElements; ++i)
    values.push_back(getDouble(i));
  return values;
}

} // namespace tornado
