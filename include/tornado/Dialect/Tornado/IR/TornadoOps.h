//===- TornadoOps.h - Tornado operations ------------------------*- C++ -*-===//

#ifndef TORNADO_DIALECT_TORNADO_IR_TORNADOOPS_H
#define TORNADO_DIALECT_TORNADO_IR_TORNADOOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "tornado/Dialect/Tornado/IR/TornadoAttrs.h"
#include "tornado/Dialect/Tornado/IR/TornadoDialect.h"
#include "tornado/Target/Device.h"

#define GET_OP_CLASSES
#include "tornado/Dialect/Tornado/IR/TornadoOps.h.inc"

namespace tornado {

/// The target model for an op: the device of its enclosing network, or
/// MAX78000 for an op outside any network.
const target::Device &getTargetFor(mlir::Operation *op);

/// Maps the dialect's device enum onto the target model's.
target::DeviceKind toTargetKind(DeviceKind kind);

/// Whether a layer without convolution (pass-through, element-wise or
/// pooling only) reading processors `in` can write processors `out`: such a
/// layer cannot move data between groups of processors, so in each group its
/// outputs must be one run as long as its inputs there.
bool passThroughFits(const target::Device &dev, uint64_t in, uint64_t out);

/// Reads integer elements of a dense or dense-resource elements attribute.
/// Returns false if the attribute's data is not available (e.g. a resource
/// blob that was never loaded).
bool getIntegerValues(mlir::ElementsAttr attr,
                      llvm::SmallVectorImpl<int64_t> &values);

/// Whether `bias` holds a non-zero value (an all-zero bias is no bias: the
/// izer places none). False when the values are not available.
bool hasNonZeroBias(std::optional<mlir::ElementsAttr> bias);

/// Reads float elements (as double) of a dense or dense-resource attribute.
bool getFloatValues(mlir::ElementsAttr attr,
                    llvm::SmallVectorImpl<double> &values);

} // namespace tornado

#endif // TORNADO_DIALECT_TORNADO_IR_TORNADOOPS_H
