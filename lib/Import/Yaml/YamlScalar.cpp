//===- YamlScalar.cpp - YAML 1.1 plain-scalar typing ----------------------===//

#include "YamlScalar.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Regex.h"

using namespace tornado::netcfg;
using namespace tornado::netcfg::detail;

namespace {

/// Accumulates digits into a 64-bit magnitude, noting overflow.
struct Accumulator {
  uint64_t value = 0;
  bool overflow = false;

  void push(unsigned base, unsigned digit) {
    if (value > (UINT64_MAX - digit) / base)
      overflow = true;
    else
      value = value * base + digit;
  }
};

unsigned digitValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  return llvm::toLower(c) - 'a' + 10;
}

} // namespace

TypedScalar tornado::netcfg::detail::typePlainScalar(llvm::StringRef text) {
  TypedScalar result;
  result.text = text.str();

  if (llvm::StringSwitch<bool>(text)
          .Cases("~", "null", "Null", "NULL", "", true)
          .Default(false)) {
    result.kind = ScalarKind::Null;
    return result;
  }
  std::optional<bool> boolean =
      llvm::StringSwitch<std::optional<bool>>(text)
          .Cases("yes", "Yes", "YES", "true", "True", "TRUE", true)
          .Cases("on", "On", "ON", true)
          .Cases("no", "No", "NO", "false", "False", "FALSE", false)
          .Cases("off", "Off", "OFF", false)
          .Default(std::nullopt);
  if (boolean) {
    result.kind = ScalarKind::Bool;
    result.boolValue = *boolean;
    return result;
  }

  // The YAML 1.1 integer forms PyYAML recognizes.
  static const llvm::Regex intRe(
      "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|"
      "[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$");
  static const llvm::Regex floatRe(
      "^([-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|"
      "\\.[0-9_]+([eE][-+][0-9]+)?|"
      "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|"
      "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$");

  // Both number forms start with a sign, a digit or a dot: names skip the
  // (slow) regular expressions, and so do plain decimals, which intRe
  // accepts.
  if (!llvm::StringRef("+-.0123456789").contains(text.front())) {
    result.kind = ScalarKind::String;
    return result;
  }
  bool plainDecimal = llvm::all_of(text, llvm::isDigit) &&
                      (text.size() == 1 || text.front() != '0');
  if (plainDecimal || intRe.match(text)) {
    std::string digits;
    for (char c : text)
      if (c != '_')
        digits.push_back(c);
    llvm::StringRef rest(digits);
    bool negative = rest.consume_front("-");
    if (!negative)
      rest.consume_front("+");
    Accumulator acc;
    bool valid = true;
    if (rest.contains(':')) {
      // Sexagesimal: 1:30 == 90.
      llvm::SmallVector<llvm::StringRef, 4> parts;
      rest.split(parts, ':');
      for (llvm::StringRef part : parts) {
        uint64_t v = 0;
        if (part.getAsInteger(10, v)) {
          valid = false;
          break;
        }
        Accumulator next;
        next.value = acc.value;
        next.push(60, 0);
        if (next.overflow || next.value > UINT64_MAX - v)
          acc.overflow = true;
        else
          acc.value = next.value + v;
      }
    } else {
      unsigned base = 10;
      if (rest.consume_front("0b"))
        base = 2;
      else if (rest.consume_front("0x"))
        base = 16;
      else if (rest.size() > 1 && rest.front() == '0')
        base = 8;
      if (rest.empty())
        valid = false;
      for (char c : rest)
        acc.push(base, digitValue(c));
    }
    if (valid) {
      result.kind = ScalarKind::Int;
      result.intNegative = negative && acc.value != 0;
      result.intMagnitude = acc.value;
      result.intOverflow = acc.overflow;
      return result;
    }
  }
  if (floatRe.match(text)) {
    result.kind = ScalarKind::Float;
    return result;
  }
  result.kind = ScalarKind::String;
  return result;
}

std::optional<uint64_t>
tornado::netcfg::detail::parseHexMask(llvm::StringRef text, bool &negative,
                                      bool &overflow) {
  negative = false;
  overflow = false;
  std::string cleaned;
  for (char c : text)
    if (c != '.' && c != '_')
      cleaned.push_back(c);
  llvm::StringRef rest = llvm::StringRef(cleaned).trim();
  if (rest.consume_front("-"))
    negative = true;
  else
    rest.consume_front("+");
  if (!rest.consume_front("0x"))
    rest.consume_front("0X");
  if (rest.empty())
    return std::nullopt;
  Accumulator acc;
  for (char c : rest) {
    if (!llvm::isHexDigit(c))
      return std::nullopt;
    acc.push(16, digitValue(c));
  }
  overflow = acc.overflow;
  if (acc.value == 0)
    negative = false;
  return acc.value;
}
