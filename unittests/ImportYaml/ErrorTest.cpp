//===- ErrorTest.cpp - One test per rule a network description can break --===//
//
// Each case checks the complete diagnostic: file:line:col (1-based) of the
// offending node and the wording of the rule.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

using namespace tornado::netcfg;
using namespace tornado::netcfg::test;

namespace {

struct ErrorCase {
  const char *name;
  std::string yaml;
  const char *expected;
};

/// The first layer is on line 4; "  - processors: 1" puts its first key at
/// column 5 and that key's value at column 17.
std::string layer(const std::string &extra) {
  return net("  - processors: 1\n" + extra);
}
/// The same for a network whose weights come from a checkpoint.
std::string ckptLayer(const std::string &extra) {
  return net("  - processors: 1\n" + extra, "ai85net");
}

const ErrorCase parseCases[] = {
    {"YamlSyntax", "arch: test\nlayers: [1, 2\nx: 3\n",
     "t.yaml:3:2: error: YAML syntax error: end of sequence flow not found"},
    {"YamlIndentation", "arch: test\n  dataset: t\n",
     "t.yaml:2:10: error: YAML syntax error: illegal map value"},
    {"EmptyFile", "# nothing\n",
     "t.yaml:1:1: error: the file is empty; expected a mapping with `arch`, "
     "`dataset` and `layers`"},
    {"TopLevelNotMapping", "- 1\n- 2\n",
     "t.yaml:1:1: error: the top level must be a mapping with `arch`, "
     "`dataset` and `layers`, got a list"},
    {"SecondDocument", net("  - processors: 1\n") + "---\narch: x\n",
     "t.yaml:6:1: error: expected a single YAML document, found another one "
     "here"},
    {"UnknownTopLevelKey",
     "arch: test\ndataset: t\nlayer:\n  - processors: 1\n",
     "t.yaml:3:1: error: unknown key `layer` at the top level; did you mean "
     "`layers`?\n"
     "t.yaml:1:1: error: missing required top-level key `layers`"},
    {"MissingRequiredKey", "arch: test\nlayers:\n  - processors: 1\n",
     "t.yaml:1:1: error: missing required top-level key `dataset`"},
    {"DuplicateKey",
     "arch: test\ndataset: t\narch: x\nlayers:\n  - processors: 1\n",
     "t.yaml:3:1: error: duplicate key `arch` at the top level (first given "
     "at 1:1)"},
    {"DuplicateLayerKey", layer("    pad: 1\n    pad: 2\n"),
     "t.yaml:6:5: error: duplicate key `pad` in a layer (first given at "
     "5:5)"},
    {"LayersNotList", "arch: test\ndataset: t\nlayers: 3\n",
     "t.yaml:3:9: error: `layers` must be a non-empty list of layer "
     "mappings, got integer 3"},
    {"LayersEmpty", "arch: test\ndataset: t\nlayers: []\n",
     "t.yaml:3:9: error: `layers` must be a non-empty list of layer "
     "mappings, got an empty list"},
    {"LayerNotMapping", net("  - 5\n"),
     "t.yaml:4:5: error: each item of `layers` must be a mapping of layer "
     "keys, got integer 5"},
    {"UnknownLayerKeySuggestion", net("  - procesors: 1\n"),
     "t.yaml:4:5: error: unknown key `procesors` in a layer; did you mean "
     "`processors`?"},
    {"UnknownLayerKeyNoSuggestion", layer("    zzz: 1\n"),
     "t.yaml:5:5: error: unknown key `zzz` in a layer"},
    {"NotAnInteger", layer("    in_offset: abc\n"),
     "t.yaml:5:16: error: `in_offset` must be an integer, got \"abc\""},
    {"FloatNotInteger", layer("    pad: 1.5\n"),
     "t.yaml:5:10: error: `pad` must be an integer, got number 1.5"},
    {"NegativeNotAllowed", layer("    pad: -1\n"),
     "t.yaml:5:10: error: `pad` must not be negative, got -1"},
    {"IntegerRange", layer("    op: add\n    operands: 17\n"),
     "t.yaml:6:15: error: `operands` must be 2 to 16, got 17"},
    {"AtLeastOne", layer("    buffer_shift: 0\n    in_sequences: 0\n"),
     "t.yaml:5:19: error: `buffer_shift` must be at least 1, got 0"},
    {"NotABoolean", layer("    streaming: maybe\n"),
     "t.yaml:5:16: error: `streaming` must be a boolean (true/false), got "
     "\"maybe\""},
    {"NotAString", layer("    name: 5\n"),
     "t.yaml:5:11: error: `name` must be a string, got integer 5"},
    {"MalformedMask", net("  - processors: 0xfffg\n"),
     "t.yaml:4:17: error: `processors` is not a valid hex mask: \"0xfffg\" "
     "(expected hex digits, optionally with 0x and '.' or '_' separators)"},
    {"MaskZero", net("  - processors: 0x0000.0000\n"),
     "t.yaml:4:17: error: `processors` must be 1 to 2**64-1 (a non-empty "
     "64-bit processor mask), got 0x0000.0000"},
    {"MaskTooWide", net("  - processors: 0x1.0000.0000.0000.0000\n"),
     "t.yaml:4:17: error: `processors` must be 1 to 2**64-1 (a non-empty "
     "64-bit processor mask), got 0x1.0000.0000.0000.0000"},
    {"MaskWrongType", net("  - processors: [1]\n"),
     "t.yaml:4:17: error: `processors` must be an integer or a hex mask "
     "string, got a list"},
    {"OperationAliases", layer("    op: conv2d\n    operation: conv1d\n"),
     "t.yaml:6:5: error: `operation` and `op` (at 5:5) are aliases of the "
     "same setting; give only one"},
    {"ActivationAliases", layer("    activate: relu\n    activation: relu\n"),
     "t.yaml:6:5: error: `activation` and `activate` (at 5:5) are aliases of "
     "the same setting; give only one"},
    {"ReadGapAliases", layer("    in_skip: 1\n    read_gap: 1\n"),
     "t.yaml:6:5: error: `read_gap` and `in_skip` (at 5:5) are aliases of "
     "the same setting; give only one"},
    {"GroupsAliases", layer("    conv_groups: 2\n    groups: 2\n"),
     "t.yaml:6:5: error: `groups` and `conv_groups` (at 5:5) are aliases of "
     "the same setting; give only one"},
    {"BiasGroupAliases", layer("    bias_quadrant: 1\n    bias_group: 1\n"),
     "t.yaml:6:5: error: `bias_group` and `bias_quadrant` (at 5:5) are "
     "aliases of the same setting; give only one"},
    {"MaxAndAvgPool", layer("    avg_pool: 2\n    max_pool: 2\n"),
     "t.yaml:6:5: error: `max_pool` conflicts with `avg_pool` (at 5:5): a "
     "layer pools either by maximum or by average"},
    {"UnknownOperation", layer("    op: conv3d\n"),
     "t.yaml:5:9: error: `op` must be one of Conv1d, Conv2d, "
     "ConvTranspose2d, None/Passthrough, Linear/FC/MLP, Add, Sub, "
     "Or/BitwiseOr, Xor/BitwiseXor, got \"conv3d\""},
    {"UnknownActivation", layer("    activate: tanh\n"),
     "t.yaml:5:15: error: `activate` must be one of ReLU, Abs, None, got "
     "\"tanh\""},
    {"UnknownEltwise", layer("    eltwise: mul\n"),
     "t.yaml:5:14: error: `eltwise` must be one of add, sub, or, xor, got "
     "\"mul\""},
    {"UnknownDataFormat", layer("    data_format: nchw\n"),
     "t.yaml:5:18: error: `data_format` must be one of HWC/little, CHW/big, "
     "got \"nchw\""},
    {"BadQuantization", layer("    quantization: 3\n"),
     "t.yaml:5:19: error: `quantization` must be 1, 2, 4, 8 or bin/binary, "
     "got integer 3"},
    {"BadOutputWidth", layer("    output_width: 16\n"),
     "t.yaml:5:19: error: `output_width` must be 8 or 32, got integer 16"},
    {"KernelForLinear", layer("    op: fc\n    kernel_size: 1x1\n"),
     "t.yaml:6:5: error: `kernel_size` cannot be set for a Linear layer (fully "
     "connected layers always use 1x1)"},
    {"KernelConv2d", layer("    kernel_size: 5x5\n"),
     "t.yaml:5:18: error: `kernel_size` for Conv2d must be 1x1 or 3x3, got "
     "5x5"},
    {"KernelConv2dInteger", layer("    op: conv2d\n    kernel_size: 1\n"),
     "t.yaml:6:18: error: `kernel_size` for Conv2d must be 1x1 or 3x3, got "
     "1"},
    {"KernelConvTranspose",
     layer("    op: convtranspose2d\n    kernel_size: 1x1\n"),
     "t.yaml:6:18: error: `kernel_size` for ConvTranspose2d must be 3x3, got "
     "1x1"},
    {"KernelConv1dRange", layer("    op: conv1d\n    kernel_size: 10\n"),
     "t.yaml:6:18: error: `kernel_size` for Conv1d must be an integer from 1 "
     "to 9, got 10"},
    {"KernelConv1dForm", layer("    op: conv1d\n    kernel_size: 3x3\n"),
     "t.yaml:6:18: error: `kernel_size` for Conv1d must be an integer from 1 "
     "to 9, got 3x3"},
    {"KernelWrongType", layer("    kernel_size: [3, 3]\n"),
     "t.yaml:5:18: error: `kernel_size` must be 1x1 or 3x3 (2D) or an "
     "integer (1D), got a list"},
    {"StrideUnequal", layer("    stride: [1, 2]\n"),
     "t.yaml:5:13: error: `stride` values must be equal in both dimensions"},
    {"StrideWithPooling", layer("    max_pool: 2\n    stride: 2\n"),
     "t.yaml:6:13: error: `stride` must be 1 when the layer pools, got 2"},
    {"StrideConvTranspose", layer("    op: convtranspose2d\n    stride: 1\n"),
     "t.yaml:6:13: error: `stride` must be 2 for ConvTranspose2d, got 1"},
    {"PairListLength", layer("    max_pool: [2, 2, 2]\n"),
     "t.yaml:5:15: error: `max_pool` must be an integer or a list [H, W], "
     "got a list of 3 values"},
    {"PairWrongType", layer("    pool_stride: two\n"),
     "t.yaml:5:18: error: `pool_stride` must be an integer or a list [H, W], "
     "got \"two\""},
    {"PairElement", layer("    in_dim: [16, x]\n"),
     "t.yaml:5:18: error: `in_dim` must be an integer, got \"x\""},
    {"InDimTooManyDims", layer("    in_dim: [1, 2, 3]\n"),
     "t.yaml:5:13: error: `in_dim` must be an integer or a list [H, W], got "
     "a list of 3 values"},
    {"InCropNotList", layer("    in_crop: 3\n"),
     "t.yaml:5:14: error: `in_crop` must be a list [before, after], got "
     "integer 3"},
    {"DilationNeedsConvolution",
     layer("    op: passthrough\n    dilation: 2\n"),
     "t.yaml:6:5: error: `dilation` requires a convolution operation (this "
     "layer is passthrough or element-wise)"},
    {"PoolDilationNeedsPooling", layer("    pool_dilation: 2\n"),
     "t.yaml:5:5: error: `pool_dilation` requires pooling (`max_pool` or "
     "`avg_pool`)"},
    {"OperandsNeedEltwise", layer("    operands: 2\n"),
     "t.yaml:5:5: error: `operands` can only be used with an element-wise "
     "operation"},
    {"BufferShiftNeedsInput", layer("    op: none\n    buffer_shift: 1\n"),
     "t.yaml:6:5: error: `buffer_shift` requires `in_sequences` naming the "
     "data buffer"},
    {"BufferInsertNeedsOffset", layer("    buffer_insert: 1\n"),
     "t.yaml:5:5: error: `buffer_insert` requires `out_offset`"},
    {"PoolFirstNeedsBoth", layer("    max_pool: 2\n    pool_first: false\n"),
     "t.yaml:6:5: error: `pool_first: false` requires both pooling and an "
     "element-wise operation"},
    {"ReservedName", layer("    name: Input\n"),
     "t.yaml:5:11: error: `name` `Input` is reserved (\"stop\" and \"input\" "
     "have fixed meanings)"},
    {"DuplicateName",
     net("  - processors: 1\n    name: conv\n  - processors: 1\n    name: "
         "CONV\n"),
     "t.yaml:7:11: error: layer name `CONV` is already used by the layer at "
     "5:11 (names are case-insensitive)"},
    {"EmptyInSequences", layer("    in_sequences: []\n"),
     "t.yaml:5:19: error: `in_sequences` must name at least one layer"},
    {"BadReference", layer("    in_sequences: [0, 1.5]\n"),
     "t.yaml:5:23: error: `in_sequences` must be a layer number or a layer "
     "name, got number 1.5"},
    {"ReferenceBelowInput", layer("    next_sequence: -2\n"),
     "t.yaml:5:20: error: `next_sequence` must be at least -1, got -2"},
    {"SnoopNotList",
     "arch: test\ndataset: t\nsnoop: 5\nlayers:\n  - processors: 1\n",
     "t.yaml:3:8: error: `snoop` must be a list of integers, got integer 5"},
    {"UnloadMissingKey",
     "arch: test\ndataset: t\nunload:\n  - processors: 1\n    dim: 1\n"
     "    offset: 0\nlayers:\n  - processors: 1\n",
     "t.yaml:4:5: error: `unload` item is missing required key `channels`"},
    {"UnloadUnknownKey",
     "arch: test\ndataset: t\nunload:\n  - processors: 1\n    dim: 1\n"
     "    offset: 0\n    channels: 1\n    with: 8\nlayers:\n  - processors: "
     "1\n",
     "t.yaml:8:5: error: unknown key `with` in `unload`; did you mean "
     "`width`?"},
    {"DataBufferMissingName",
     "arch: test\ndataset: t\ndata_buffer:\n  - processors: 1\n    dim: 1\n"
     "    offset: 0\n    channels: 1\nlayers:\n  - processors: 1\n",
     "t.yaml:4:5: error: `data_buffer` item is missing required key `name`"},
    {"DataBufferUser",
     "arch: test\ndataset: t\ndata_buffer:\n  - processors: 1\n    dim: 4\n"
     "    offset: 0\n    channels: 1\n    name: buf\nlayers:\n"
     "  - processors: 1\n    in_sequences: buf\n    in_offset: 0\n",
     "t.yaml:11:5: error: a layer reading data buffer `buf` must give "
     "`in_offset`, `out_offset`, `in_dim` and `in_channels` (missing: "
     "out_offset, in_dim, in_channels)"},
};

void PrintTo(const ErrorCase &c, std::ostream *os) { *os << c.name; }

class ParseErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrors, ExactDiagnostic) {
  EXPECT_EQ(parseError(GetParam().yaml), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(NetworkConfig, ParseErrors,
                         testing::ValuesIn(parseCases),
                         [](const testing::TestParamInfo<ErrorCase> &info) {
                           return std::string(info.param.name);
                         });

TEST(NetworkConfigErrors, SeveralErrorsAreAllReported) {
  std::string text = parseError(layer("    pad: x\n    stride: y\n"));
  EXPECT_EQ(text, "t.yaml:5:10: error: `pad` must be an integer, got \"x\"\n"
                  "t.yaml:6:13: error: `stride` must be an integer or a list "
                  "[H, W], got \"y\"");
}

TEST(NetworkConfigErrors, ErrorsCarryLocations) {
  llvm::Expected<NetworkConfig> cfg =
      parseNetworkConfig(layer("    pad: -3\n"), "dir/net.yaml");
  ASSERT_FALSE(cfg);
  unsigned count = 0;
  llvm::handleAllErrors(cfg.takeError(), [&](const NetworkConfigError &e) {
    ++count;
    EXPECT_EQ(e.getLoc().file, "dir/net.yaml");
    EXPECT_EQ(e.getLoc().line, 5u);
    EXPECT_EQ(e.getLoc().col, 10u);
    EXPECT_EQ(e.getMessage(), "`pad` must not be negative, got -3");
  });
  EXPECT_EQ(count, 1u);
}

//===----------------------------------------------------------------------===//
// Rules checked while resolving.
//===----------------------------------------------------------------------===//

struct ResolveErrorCase {
  const char *name;
  std::string yaml;
  const char *device;
  std::vector<LayerWeightsInfo> weights;
  const char *expected;
};

std::vector<ResolveErrorCase> resolveCases() {
  LayerWeightsInfo w3x3 = weightsOf({4, 4, 3, 3});
  LayerWeightsInfo wide = weightsOf({4, 4, 3, 3});
  wide.minValue = -100;
  wide.maxValue = 90;
  return {
      {"SequenceOutOfRange",
       layer("    sequence: 32\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:5:15: error: layer sequence 32 is out of range: MAX78000 "
       "supports 32 layers (0 to 31)"},
      {"SequenceTaken",
       net("  - processors: 1\n    sequence: 1\n  - processors: 1\n"
           "  - processors: 1\n    sequence: 2\n"),
       "MAX78000",
       {w3x3, w3x3, w3x3},
       "t.yaml:8:15: error: layer sequence 2 is already used by the layer at "
       "t.yaml:6:5"},
      {"UnknownName",
       net("  - processors: 1\n    name: expand_1x1\n"
           "  - processors: 1\n    in_sequences: expand_1xl\n"),
       "MAX78000",
       {w3x3, w3x3},
       "t.yaml:7:19: error: `in_sequences` names layer `expand_1xl`, but no "
       "layer has that name; did you mean `expand_1x1`?"},
      {"LayerNumberTooLarge",
       layer("    weight_source: 3\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:5:20: error: `weight_source` refers to layer 3, but the "
       "network has 1 layers (0 to 0)"},
      {"NextSequenceJump",
       net("  - processors: 1\n    next_sequence: 2\n  - processors: 1\n"
           "  - processors: 1\n"),
       "MAX78000",
       {w3x3, w3x3, w3x3},
       "t.yaml:5:20: error: `next_sequence` can only jump on devices with "
       "link layers (MAX78002); MAX78000 runs layers in order"},
      {"NextSequenceLoop",
       net("  - processors: 1\n    next_sequence: 1\n  - processors: 1\n"
           "    next_sequence: 0\n"),
       "MAX78002",
       {w3x3, w3x3},
       "t.yaml:7:20: error: `next_sequence` leads back to layer 0: the layer "
       "sequence must not loop"},
      {"TooFewWeights",
       net("  - processors: 1\n  - processors: 1\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:5:5: error: layer 1 has no weights: 1 weight tensors were "
       "supplied for 2 layers that need them"},
      {"KernelMismatch",
       ckptLayer("    kernel_size: 1x1\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:5:18: error: layer 0: the kernel size is 1x1 but the weights "
       "are 3x3; set `kernel_size` to match"},
      {"QuantizationTooSmall",
       ckptLayer("    quantization: 4\n"),
       "MAX78000",
       {wide},
       "t.yaml:5:19: error: layer 0: weights range from -100 to 90, which "
       "does not fit `quantization: 4`"},
      {"WeightSourceWithoutWeights",
       net("  - processors: 1\n    op: none\n  - processors: 1\n"
           "    weight_source: 0\n",
           "ai85net"),
       "MAX78000",
       {},
       "t.yaml:7:20: error: `weight_source` layer 0 has no weights of its "
       "own"},
      {"StreamingNotContinuous",
       net("  - processors: 1\n  - processors: 1\n    streaming: true\n"),
       "MAX78000",
       {w3x3, w3x3},
       "t.yaml:6:5: error: layer 1 streams but the layer before it (0) does "
       "not: streaming must start at the first layer and be continuous"},
      {"ChwOnLaterLayer",
       net("  - processors: 1\n  - processors: 1\n    data_format: CHW\n"),
       "MAX78000",
       {w3x3, w3x3},
       "t.yaml:6:18: error: `data_format: CHW` can only be given for the "
       "first layer"},
      {"InSequencesForward",
       net("  - processors: 1\n    in_sequences: [1]\n  - processors: 1\n"),
       "MAX78000",
       {w3x3, w3x3},
       "t.yaml:5:19: error: `in_sequences` may only name earlier layers on "
       "MAX78000; layer 1 comes at or after layer 0"},
      {"ConcatDimensions",
       net("  - processors: 1\n    max_pool: 2\n    pool_stride: 2\n"
           "  - processors: 1\n    in_sequences: [-1]\n"
           "  - processors: 1\n    in_sequences: [0, 1]\n"),
       "MAX78000",
       {w3x3, w3x3, w3x3},
       "t.yaml:10:19: error: cannot concatenate inputs of different "
       "dimensions (4x4 vs 8x8) without `in_dim`"},
      {"InDimPixels",
       net("  - processors: 1\n  - processors: 1\n    in_sequences: [0]\n"
           "    in_dim: [4, 4]\n"),
       "MAX78000",
       {w3x3, w3x3},
       "t.yaml:7:13: error: `in_dim` 4x4 (plus `in_crop`) has 16 pixels, but "
       "the layers in `in_sequences` produce 64"},
      {"PoolingToZero",
       layer("    max_pool: 16\n    pool_stride: 16\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:5:15: error: pooling the 8x8 input leaves 0x0: a dimension is "
       "zero"},
      {"PadOnPassthrough",
       layer("    op: passthrough\n    pad: 1\n"),
       "MAX78000",
       {},
       "t.yaml:6:10: error: `pad` can only be used with a convolution (this "
       "layer is passthrough or element-wise)"},
      {"PadNotSmallerThanKernel",
       layer("    kernel_size: 1x1\n    pad: 1\n"),
       "MAX78000",
       {weightsOf({4, 4, 1, 1})},
       "t.yaml:6:10: error: the padding 1x1 must be smaller than the kernel "
       "1x1"},
      {"ActivationOnPassthrough",
       layer("    op: add\n    activate: relu\n"),
       "MAX78000",
       {},
       "t.yaml:6:15: error: activation `ReLU` cannot be used in a passthrough "
       "or element-wise layer"},
      {"BufferShiftOnConvolution",
       layer("    in_sequences: [-1]\n    buffer_shift: 1\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:6:5: error: `buffer_shift` can only be used in a passthrough "
       "layer"},
      {"Conv2dStride",
       layer("    stride: 2\n"),
       "MAX78000",
       {w3x3},
       "t.yaml:5:13: error: Conv2d supports only stride 1 on 2D data, got 2"},
      {"FlattenTooFewChannels",
       layer("    op: mlp\n    flatten: true\n"),
       "MAX78000",
       {weightsOf({10, 4})},
       "t.yaml:6:5: error: `flatten` divides 4 input channels by the 8x8 "
       "input pixels, leaving none"},
  };
}

void PrintTo(const ResolveErrorCase &c, std::ostream *os) { *os << c.name; }

class ResolveErrors : public testing::TestWithParam<ResolveErrorCase> {};

TEST_P(ResolveErrors, ExactDiagnostic) {
  ResolveOptions options = device(GetParam().device);
  options.inputShape = std::array<int64_t, 3>{4, 8, 8};
  EXPECT_EQ(resolveError(GetParam().yaml, GetParam().weights, options),
            GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    NetworkConfig, ResolveErrors, testing::ValuesIn(resolveCases()),
    [](const testing::TestParamInfo<ResolveErrorCase> &info) {
      return std::string(info.param.name);
    });

TEST(NetworkConfigErrors, StartLayerMustExist) {
  ResolveOptions options = device("MAX78002");
  options.startLayer = 5;
  EXPECT_EQ(resolveError(layer(""), {weightsOf({4, 4, 3, 3})}, options),
            "t.yaml:3:1: error: the start layer 5 does not exist (the network "
            "has 1 layers)");
}

} // namespace
