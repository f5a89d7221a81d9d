//===- TornadoAttrs.cpp - Tornado attributes -------------------------------===//

#include "tornado/Dialect/Tornado/IR/TornadoAttrs.h"
#include "tornado/Dialect/Tornado/IR/TornadoDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace tornado;

#include "tornado/Dialect/Tornado/IR/TornadoEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tornado/Dialect/Tornado/IR/TornadoAttrs.cpp.inc"

void TornadoDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tornado/Dialect/Tornado/IR/TornadoAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ProcMaskAttr
//===----------------------------------------------------------------------===//

// Printed with all 16 hex digits so masks line up and read like the YAML.
void ProcMaskAttr::print(AsmPrinter &printer) const {
  printer << '<' << llvm::format("0x%016llx", (unsigned long long)getMask())
          << '>';
}

Attribute ProcMaskAttr::parse(AsmParser &parser, Type) {
  uint64_t mask = 0;
  if (parser.parseLess() || parser.parseInteger(mask) || parser.parseGreater())
    return {};
  return ProcMaskAttr::get(parser.getContext(), mask);
}

//===----------------------------------------------------------------------===//
// PoolAttr
//===----------------------------------------------------------------------===//

// `#tornado.pool<avg, kernel = [2, 2], stride = [2, 2], dilation = [1, 1]
// [, rounding]>`: the flag prints as a bare keyword, like a unit attribute.
void PoolAttr::print(AsmPrinter &printer) const {
  auto list = [&](StringRef name, ArrayRef<int64_t> values) {
    printer << ", " << name << " = [";
    llvm::interleaveComma(values, printer);
    printer << ']';
  };
  printer << '<' << stringifyPoolKind(getKind());
  list("kernel", getKernel());
  list("stride", getStride());
  list("dilation", getDilation());
  if (getRounding())
    printer << ", rounding";
  printer << '>';
}

Attribute PoolAttr::parse(AsmParser &parser, Type) {
  StringRef kindName;
  SMLoc kindLoc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeyword(&kindName))
    return {};
  std::optional<PoolKind> kind = symbolizePoolKind(kindName);
  if (!kind) {
    parser.emitError(kindLoc, "expected pool kind `max` or `avg`");
    return {};
  }
  SmallVector<int64_t> lists[3];
  StringRef names[3] = {"kernel", "stride", "dilation"};
  for (int i = 0; i < 3; ++i)
    if (parser.parseComma() || parser.parseKeyword(names[i]) ||
        parser.parseEqual() ||
        parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
          return parser.parseInteger(lists[i].emplace_back());
        }))
      return {};
  bool rounding = false;
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("rounding"))
      return {};
    rounding = true;
  }
  if (parser.parseGreater())
    return {};
  return PoolAttr::getChecked([&] { return parser.emitError(kindLoc); },
                              parser.getContext(), *kind, lists[0], lists[1],
                              lists[2], rounding);
}

LogicalResult PoolAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               PoolKind kind, ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> stride,
                               ArrayRef<int64_t> dilation, bool rounding) {
  if (kernel.empty() || kernel.size() > 2)
    return emitError() << "pool kernel must have 1 or 2 dimensions";
  if (rounding && kind != PoolKind::avg)
    return emitError() << "only average pooling can round";
  // The hardware's 1-D average always truncates (PoolRnd has no effect).
  if (rounding && kernel.size() != 2)
    return emitError() << "1-D average pooling always truncates; `rounding` "
                          "needs a 2-D pool";
  if (stride.size() != kernel.size() || dilation.size() != kernel.size())
    return emitError()
           << "pool kernel, stride and dilation must have the same rank";
  for (ArrayRef<int64_t> list : {kernel, stride, dilation})
    for (int64_t v : list)
      if (v < 1)
        return emitError() << "pool kernel, stride and dilation must be >= 1";
  return success();
}
