//===- Passes.td - Tornado passes --------------------------*- tablegen -*-===//

#ifndef TORNADO_TRANSFORMS_PASSES_TD
#define TORNADO_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

#endif // TORNADO_TRANSFORMS_PASSES_TD
