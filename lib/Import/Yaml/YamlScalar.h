//===- YamlScalar.h - YAML 1.1 plain-scalar typing --------------*- C++ -*-===//
//
// yaml-cpp hands out scalars as text. The izer reads its files with PyYAML,
// which types plain scalars by the YAML 1.1 rules (0x.. hex, leading-0 octal,
// 0b.. binary, '_' separators, yes/no/on/off booleans, ...). These helpers
// reproduce that typing so a value means the same thing in both tools.
// Private to the TornadoYamlConfig library.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_IMPORT_YAML_YAMLSCALAR_H
#define TORNADO_LIB_IMPORT_YAML_YAMLSCALAR_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tornado {
namespace netcfg {
namespace detail {

/// Upper limits on numbers a network description may give: far above what
/// either device (or the izer's corpus) uses, and small enough that the
/// resolver's arithmetic on them cannot overflow. Sizes are dimensions,
/// channel counts, paddings, strides, pools, gaps, groups and sequence
/// numbers; offsets are data-memory addresses; shifts are output shifts.
constexpr int64_t kMaxSize = 65535;
constexpr int64_t kMaxOffset = 0xFFFFFFFF;
constexpr int64_t kMaxShift = 65535;

enum class ScalarKind { Null, Bool, Int, Float, String };

struct TypedScalar {
  ScalarKind kind = ScalarKind::String;
  bool boolValue = false;
  /// Int: the value; `intOverflow` when |value| >= 2**64.
  bool intNegative = false;
  uint64_t intMagnitude = 0;
  bool intOverflow = false;
  std::string text;
};

/// Types a plain (unquoted, untagged) scalar like PyYAML's YAML 1.1 resolver.
TypedScalar typePlainScalar(llvm::StringRef text);

/// Parses the izer's hex-mask strings: '.' and '_' are dropped, then the
/// rest is read like Python's int(text, 16) (optional sign, optional 0x,
/// surrounding blanks). Returns nullopt when malformed; `overflow` is set
/// when the value needs more than 64 bits; `negative` for a leading '-'.
std::optional<uint64_t> parseHexMask(llvm::StringRef text, bool &negative,
                                     bool &overflow);

} // namespace detail
} // namespace netcfg
} // namespace tornado

#endif // TORNADO_LIB_IMPORT_YAML_YAMLSCALAR_H
