//===- Passes.td - Tornado passes --------------------------*- tablegen -*-===//

#ifndef TORNADO_TRANSFORMS_PASSES_TD
#define TORNADO_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNorm : Pass<"tornado-fold-batchnorm", "::tornado::NetworkOp"> {
  let summary = "Fold batchnorm into the preceding convolution or linear op";
  let description = [{
    `y = k * x + c` per channel, with `k = scale / sqrt(variance + epsilon)`
    and `c = shift - k * mean`, is folded into the quantized producer: each
    output channel's weights become `k * w` and its bias `k * b + c * 2^-s`
    (s = the total output shift, in output units). The new weights are
    rounded to the nearest integer (ties away from zero); when they would
    not fit `weight_bits`, all of the layer's weights and biases are scaled
    down by a power of two and the output shift raised by the same amount.
    Biases are rounded the same way and must fit 8 bits. Folding a
    batchnorm whose input is not a single-use convolution or linear op is
    an error.
  }];
}

def FuseLayers : Pass<"tornado-fuse-layers", "::tornado::NetworkOp"> {
  let summary = "Group graph ops into accelerator layers (tornado.layer)";
  let description = [{
    Each convolution or linear op becomes one `tornado.layer`, absorbing a
    single-use pooling op in front of it (with or without a flatten), an
    element-wise op in front of that (pooling before the element-wise op
    when every operand is pooled the same way, `pool_first`; after it
    otherwise), and a single-use activation after it. Concatenations become
    the layer's operand list. Pooling, element-wise, activation and
    pass-through ops left over become layers without a convolution.
    Reshapes stay as they are. A batchnorm left in the graph is an error
    (run tornado-fold-batchnorm first).
  }];
}

def PlaceKernels : Pass<"tornado-place-kernels", "::tornado::NetworkOp"> {
  let summary = "Choose each layer's first kernel-memory column (kernel_column)";
  let description = [{
    Reproduces the izer's greedy kernel-memory allocator so that kernel
    images and mask registers match it: layers whose input uses all
    processors go first, then the rest in order; each layer takes the lowest
    column (a multiple of 4) at which all of its input processors have its
    kernel words free (on devices with larger kernel memory in the first
    processor of each group, the top of memory is tried first). Layers with
    identical weights, weight width and input processors share one copy.
    A pinned `kernel_column` is kept. Needs `processors` and
    `output_processors`. See docs/placement.md.
  }];
  let options = [
    Option<"newKernelLoader", "new-kernel-loader", "bool", "true",
           "the izer's default (new) kernel loader; false: --old-kernel-loader">,
    Option<"weightStart", "weight-start", "unsigned", "0",
           "lowest kernel-memory column to use (the izer's --weight-start)">,
    Option<"deduplicate", "deduplicate", "bool", "true",
           "share kernel memory between layers with identical weights">,
  ];
}

def PlaceBias : Pass<"tornado-place-bias", "::tornado::NetworkOp"> {
  let summary = "Choose each layer's bias group and byte offset";
  let description = [{
    Reproduces the izer's bias allocator: depth-wise layers keep their bias
    in every group their input processors use (`bias_offsets` lists the
    per-group offsets), in layer order; the other layers are packed
    first-fit-decreasing (flatten layers first on devices that need it, then
    layers restricted to one group, then by decreasing size), each into the
    allowed group that has used the fewest bytes. A pinned `bias_group` is
    the only allowed group. Layers with identical bias values share one
    copy. Needs `processors` and `output_processors`. See docs/placement.md.
  }];
  let options = [
    Option<"deduplicate", "deduplicate", "bool", "true",
           "share bias memory between layers with identical bias values">,
  ];
}

#endif // TORNADO_TRANSFORMS_PASSES_TD
