//===- HWOps.h - Register-level operations ----------------------*- C++ -*-===//
//
// The tornado_hw dialect: what a generated accelerator program does, grouped
// by generated function, plus the memory images it copies. See
// docs/register-ir.md.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_DIALECT_HW_IR_HWOPS_H
#define TORNADO_DIALECT_HW_IR_HWOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Target/Device.h"

#include "tornado/Dialect/HW/IR/HWEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tornado/Dialect/HW/IR/HWAttrs.h.inc"

namespace tornado {
namespace hw {
class FuncOp;
} // namespace hw
} // namespace tornado

#define GET_OP_CLASSES
#include "tornado/Dialect/HW/IR/HWOps.h.inc"

namespace tornado {
namespace hw {

/// The C name of a generated function ("cnn_init", "CNN_ISR", ...). The
/// interrupt handler is named differently on the RISC-V core.
llvm::StringRef funcName(FuncKind kind, bool riscv);

/// The SDK lvalue of a system register ("MXC_GCFR->reg0").
llvm::StringRef sysRegName(SysReg reg);

/// Reads the unsigned integer elements of a dense or dense-resource
/// attribute of 8-, 16- or 32-bit integers (row-major). Returns false if the
/// data is unavailable (e.g. a resource blob that was never loaded).
bool getUnsignedValues(mlir::ElementsAttr attr,
                       llvm::SmallVectorImpl<uint32_t> &values);

/// The device model for an op inside a program; null if the op is outside
/// one or the program names an unknown device.
const target::Device *getTargetOrNull(mlir::Operation *op);

} // namespace hw
} // namespace tornado

#endif // TORNADO_DIALECT_HW_IR_HWOPS_H
