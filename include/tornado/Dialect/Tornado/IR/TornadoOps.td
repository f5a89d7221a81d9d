//===- TornadoOps.td - Tornado operations ------------------*- tablegen -*-===//

#ifndef TORNADO_OPS_TD
#define TORNADO_OPS_TD

include "tornado/Dialect/Tornado/IR/TornadoBase.td"
include "tornado/Dialect/Tornado/IR/TornadoAttrs.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Tornado_FeatureMap : RankedTensorOf<[I8, I32]>;

//===----------------------------------------------------------------------===//
// Network structure
//===----------------------------------------------------------------------===//

def Tornado_NetworkOp : Tornado_Op<"network", [
    FunctionOpInterface, IsolatedFromAbove, OpAsmOpInterface]> {
  let summary = "a CNN compiled for one accelerator";
  let description = [{
    The unit of compilation. Its block arguments are the network inputs (as
    the input loader writes them to data memory) and `tornado.return` names
    the outputs. Graph ops and `tornado.layer` ops live in the single block,
    in execution order. The `device` attribute selects the target model every
    verifier and pass consults; `input_format` says how the input is laid out
    in memory (CHW: one channel per processor, HWC: channels interleaved).
    `avg_pool_rounding` sets the network-wide bit that makes 2-D average
    pools round (izer `--avg-pool-rounding`); the register is written from
    it even when the network has no average pool, as the izer does.

    ```mlir
    tornado.network @mnist(%in: tensor<1x28x28xi8>) -> tensor<10xi32>
        attributes {device = #tornado.device<max78000>} {
      ...
      tornado.return %out : tensor<10xi32>
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs,
                       DefaultValuedAttr<Tornado_DeviceAttr,
                           "::tornado::DeviceKind::max78000">:$device,
                       DefaultValuedAttr<Tornado_DataFormatAttr,
                           "::tornado::DataFormat::chw">:$input_format,
                       OptionalAttr<ElementsAttr>:$sample_input,
                       UnitAttr:$avg_pool_rounding);
  let regions = (region SizedRegion<1>:$body);
  let builders = [OpBuilder<(ins "llvm::StringRef":$name,
                                 "mlir::FunctionType":$type)>];
  let extraClassDeclaration = [{
    ::mlir::Region *getCallableRegion() { return &getBody(); }
    llvm::ArrayRef<mlir::Type> getArgumentTypes() {
      return getFunctionType().getInputs();
    }
    llvm::ArrayRef<mlir::Type> getResultTypes() {
      return getFunctionType().getResults();
    }
    static llvm::StringRef getDefaultDialect() { return "tornado"; }
    bool isDeclaration() { return false; }
    /// The target model this network is compiled for.
    const ::tornado::target::Device &getTarget();
  }];
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Tornado_ReturnOp : Tornado_Op<"return", [
    Pure, HasParent<"NetworkOp">, Terminator, ReturnLike]> {
  let summary = "network outputs";
  let arguments = (ins Variadic<Tornado_FeatureMap>:$outputs);
  let assemblyFormat = "attr-dict ($outputs^ `:` type($outputs))?";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Graph ops: what a network says
//===----------------------------------------------------------------------===//

class Tornado_ConvOp<string mnemonic, string desc> : Tornado_Op<mnemonic, [Pure]> {
  let summary = desc;
  let description = [{
    A quantized convolution as one accelerator layer computes it: the
    full-precision sum of products plus the bias, shifted by `output_shift`
    (plus the implicit shift of narrow weights), rounded half towards
    +infinity and, for an `i8` result, saturated to [-128, 127]. An `i32`
    result keeps the unclipped 32-bit value. `weights` are
    `[out, in / groups, kernel...]`, `bias` is `[out]`.
  }];
  let arguments = (ins Tornado_FeatureMap:$input,
                       ElementsAttr:$weights,
                       OptionalAttr<ElementsAttr>:$bias,
                       DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       DefaultValuedAttr<I64Attr, "8">:$weight_bits,
                       DefaultValuedAttr<I64Attr, "0">:$output_shift);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tornado_Conv1dOp : Tornado_ConvOp<"conv1d", "1D convolution">;
def Tornado_Conv2dOp : Tornado_ConvOp<"conv2d", "2D convolution">;

def Tornado_ConvTranspose2dOp : Tornado_Op<"conv_transpose2d", [Pure]> {
  let summary = "2D transposed convolution";
  let description = [{
    Quantized like `tornado.conv2d`; `weights` are `[out, in / groups, kh, kw]`
    (note: PyTorch stores transposed-conv weights `[in, out, kh, kw]`; the
    importer swaps them). `output_padding` adds rows/columns at the end.
  }];
  let arguments = (ins Tornado_FeatureMap:$input,
                       ElementsAttr:$weights,
                       OptionalAttr<ElementsAttr>:$bias,
                       DenseI64ArrayAttr:$stride,
                       DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       DefaultValuedAttr<I64Attr, "8">:$weight_bits,
                       DefaultValuedAttr<I64Attr, "0">:$output_shift);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tornado_LinearOp : Tornado_Op<"linear", [Pure]> {
  let summary = "fully connected layer";
  let description = [{
    `weights` are `[out, in]`; the input has `in` elements (rank 1, or
    `in x 1 x 1`), the result `out` elements (rank 1 or `out x 1 x 1`).
    Quantized like `tornado.conv2d`.
  }];
  let arguments = (ins Tornado_FeatureMap:$input,
                       ElementsAttr:$weights,
                       OptionalAttr<ElementsAttr>:$bias,
                       DefaultValuedAttr<I64Attr, "8">:$weight_bits,
                       DefaultValuedAttr<I64Attr, "0">:$output_shift);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tornado_PoolOp : Tornado_Op<"pool", [Pure]> {
  let summary = "max or average pooling";
  let description = [{
    ```mlir
    %1 = tornado.pool %0 {pool = #tornado.pool<max, kernel = [2, 2],
        stride = [2, 2], dilation = [1, 1]>}
        : tensor<8x28x28xi8> -> tensor<8x14x14xi8>
    ```
  }];
  let arguments = (ins Tornado_FeatureMap:$input, Tornado_PoolAttr:$pool);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tornado_EltwiseOp : Tornado_Op<"eltwise", [Pure]> {
  let summary = "element-wise add/sub/xor/or of 2 to 16 feature maps";
  let description = [{
    Operands have identical shapes; `sub` subtracts every later operand from
    the first. The 8-bit result saturates.
  }];
  let arguments = (ins Tornado_EltwiseKindAttr:$kind,
                       Variadic<Tornado_FeatureMap>:$inputs);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = [{
    $kind $inputs attr-dict `:` functional-type($inputs, $output)
  }];
  let hasVerifier = 1;
}

def Tornado_ActivateOp : Tornado_Op<"activate", [Pure, SameOperandsAndResultType]> {
  let summary = "ReLU, Abs or no activation";
  let arguments = (ins Tornado_ActivationAttr:$kind, Tornado_FeatureMap:$input);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
}

def Tornado_BatchNormOp : Tornado_Op<"batchnorm", [Pure, SameOperandsAndResultType]> {
  let summary = "inference batch normalization (folded away before lowering)";
  let description = [{
    `y = (x - mean) / sqrt(variance + epsilon) * scale + shift` per channel.
    `scale` and `shift` are absent for non-affine batchnorm. All parameters
    are float vectors of the channel count.
  }];
  let arguments = (ins Tornado_FeatureMap:$input,
                       ElementsAttr:$mean,
                       ElementsAttr:$variance,
                       OptionalAttr<ElementsAttr>:$scale,
                       OptionalAttr<ElementsAttr>:$shift,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tornado_FlattenOp : Tornado_Op<"flatten", [Pure]> {
  let summary = "flatten a CxHxW feature map into a vector (channel-major)";
  let arguments = (ins Tornado_FeatureMap:$input);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tornado_ConcatOp : Tornado_Op<"concat", [Pure]> {
  let summary = "concatenate feature maps along the channel dimension";
  let arguments = (ins Variadic<Tornado_FeatureMap>:$inputs);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $output)";
  let hasVerifier = 1;
}

def Tornado_ReshapeOp : Tornado_Op<"reshape", [Pure]> {
  let summary = "read a feature map's pixels with another spatial shape";
  let description = [{
    Data memory holds each channel's pixels in order, so a layer may read
    its producer's output with a different spatial shape (the izer's
    `in_dim`, or a 1D layer reading 2D data). With the same channel count
    the result reads the first H x W (or L) pixels of each channel, which
    may be fewer than the input has. With another channel count the element
    count must match and the data keep their order (a row-major reshape),
    as when an element-wise layer reads its operands with an `in_dim` that
    regroups them. Nothing moves in memory.

    ```mlir
    %1 = tornado.reshape %0 : tensor<16x4x4xi8> -> tensor<16x16xi8>
    ```
  }];
  let arguments = (ins Tornado_FeatureMap:$input);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Tornado_PassthroughOp : Tornado_Op<"passthrough", [Pure, SameOperandsAndResultType]> {
  let summary = "copy a feature map (a layer that only moves data)";
  let arguments = (ins Tornado_FeatureMap:$input);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Hardware layer
//===----------------------------------------------------------------------===//

def Tornado_LayerOp : Tornado_Op<"layer", [Pure]> {
  let summary = "one accelerator layer and where its data lives";
  let description = [{
    One pass of the accelerator over a feature map: an optional pooling
    stage, an optional element-wise stage over all operands (before pooling
    when `pool_first` is false), an optional convolution or linear stage with
    bias, the output shift, rounding and saturation, and the activation.
    The operands are concatenated along channels, as they sit in data memory
    (the izer's in_sequences). An element-wise stage splits that data into
    `operands` equal channel groups (default: one per SSA operand) and
    combines them. `flatten` reads the (pooled) input as one vector for a
    linear layer or a 1x1 convolution.

    Resource attributes say where things live. Each is optional until the
    placement passes fill it in; names listed in `pinned` were written by the
    user and passes must not change them.

    | attribute | meaning |
    |---|---|
    | processors | processors that read the input (one channel each per pass) |
    | output_processors | processors whose data memory receives the output |
    | in_offset / out_offset | byte offset in each processor's data memory |
    | read_gap / write_gap | gaps between consecutive input/output pixels |
    | kernel_column | first kernel-memory column of this layer's kernels |
    | bias_group / bias_offset | bias memory group and byte offset |
    | bias_offsets | per-group bias offsets of a depthwise layer (-1: unused) |
    | passes | multi-pass count (input channels over 64 processors) |
    | tram_max | TRAM rows reserved (streaming) |
    | hw_layer | hardware layer slot when layers run out of slot order |

    ```mlir
    %1 = tornado.layer "conv1"(%0) {op = #tornado.op<conv2d>,
        kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>,
        weights = dense_resource<conv1_w> : tensor<60x1x3x3xi8>,
        output_shift = -1 : i64, activation = #tornado.activation<relu>,
        processors = #tornado.procs<0x0000000000000001>, out_offset = 8192 : i64,
        pinned = ["processors", "out_offset"]}
        : (tensor<1x28x28xi8>) -> tensor<60x28x28xi8>
    ```
  }];
  let arguments = (ins
    StrAttr:$name,
    Variadic<Tornado_FeatureMap>:$inputs,
    // Computation.
    OptionalAttr<Tornado_PoolAttr>:$pool,
    OptionalAttr<Tornado_EltwiseKindAttr>:$eltwise,
    OptionalAttr<I64Attr>:$operands,
    DefaultValuedAttr<BoolAttr, "true">:$pool_first,
    DefaultValuedAttr<Tornado_LayerOpKindAttr, "::tornado::LayerOpKind::none">:$op,
    OptionalAttr<DenseI64ArrayAttr>:$kernel,
    OptionalAttr<DenseI64ArrayAttr>:$padding,
    OptionalAttr<DenseI64ArrayAttr>:$stride,
    OptionalAttr<DenseI64ArrayAttr>:$dilation,
    OptionalAttr<DenseI64ArrayAttr>:$output_padding,
    DefaultValuedAttr<I64Attr, "1">:$groups,
    OptionalAttr<ElementsAttr>:$weights,
    OptionalAttr<ElementsAttr>:$bias,
    DefaultValuedAttr<I64Attr, "8">:$weight_bits,
    DefaultValuedAttr<I64Attr, "0">:$output_shift,
    DefaultValuedAttr<Tornado_ActivationAttr, "::tornado::Activation::none">:$activation,
    DefaultValuedAttr<I64Attr, "8">:$output_width,
    UnitAttr:$flatten,
    UnitAttr:$streaming,
    // MAX78002: compute four kernels in parallel (changes kernel placement).
    UnitAttr:$calcx4,
    // MAX78002: fetch the next input while computing; tcalc (default: with
    // read-ahead and more than one input pass) counts passes in fours.
    UnitAttr:$readahead,
    OptionalAttr<BoolAttr>:$tcalc,
    // Resources.
    OptionalAttr<Tornado_ProcMaskAttr>:$processors,
    OptionalAttr<Tornado_ProcMaskAttr>:$output_processors,
    OptionalAttr<I64Attr>:$in_offset,
    OptionalAttr<I64Attr>:$out_offset,
    OptionalAttr<I64Attr>:$read_gap,
    OptionalAttr<I64Attr>:$write_gap,
    OptionalAttr<I64Attr>:$kernel_column,
    OptionalAttr<I64Attr>:$bias_group,
    OptionalAttr<I64Attr>:$bias_offset,
    // Depthwise layers keep bias in every group they read: one offset per
    // group, -1 where unused.
    OptionalAttr<DenseI64ArrayAttr>:$bias_offsets,
    OptionalAttr<I64Attr>:$passes,
    OptionalAttr<I64Attr>:$tram_max,
    // Hardware layer this layer occupies when the network does not run its
    // layers in hardware order (MAX78002 link layers); absent: block order.
    OptionalAttr<I64Attr>:$hw_layer,
    OptionalAttr<StrArrayAttr>:$pinned);
  let results = (outs Tornado_FeatureMap:$output);
  let assemblyFormat = [{
    $name `(` $inputs `)` attr-dict `:` functional-type($inputs, $output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether the user wrote the resource attribute `attrName`.
    bool isPinned(llvm::StringRef attrName);
    /// Names of the resource attributes (the ones `pinned` may list).
    static llvm::ArrayRef<llvm::StringRef> getResourceAttrNames();
  }];
}

#endif // TORNADO_OPS_TD
