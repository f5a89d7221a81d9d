//===- ResolveTest.cpp - The izer's defaults and inference rules ----------===//

#include "TestUtil.h"

using namespace tornado::netcfg;
using namespace tornado::netcfg::test;

namespace {

ResolveOptions withInput(int64_t c, int64_t h, int64_t w,
                         llvm::StringRef dev = "MAX78000") {
  ResolveOptions options = device(dev);
  options.inputShape = std::array<int64_t, 3>{c, h, w};
  return options;
}

TEST(NetworkConfigResolve, DeviceOptions) {
  ResolveOptions a = device("MAX78000");
  EXPECT_EQ(a.maxLayers, 32u);
  EXPECT_FALSE(a.linkLayers);
  ResolveOptions b = device("ai87");
  EXPECT_EQ(b.device, "MAX78002");
  EXPECT_EQ(b.maxLayers, 128u);
  EXPECT_TRUE(b.linkLayers && b.binaryWeights);
  ResolveOptions c = device("CMSIS-NN");
  EXPECT_FALSE(c.useProcessors);
  EXPECT_EQ(device("85").device, "MAX78000");
  EXPECT_FALSE(ResolveOptions::forDevice("MAX78001"));
}

TEST(NetworkConfigResolve, OffsetsChainFromLayerToLayer) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0x7\n    out_offset: 0x2000\n"
                  "  - processors: 0xf\n    out_offset: 0x1000\n"
                  "  - processors: 0xf\n    in_offset: 0x3000\n"),
              {weightsOf({4, 3, 3, 3}), weightsOf({4, 4, 3, 3}),
               weightsOf({2, 4, 3, 3})},
              withInput(3, 8, 8));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  // The first layer reads offset 0; later ones the previous out_offset.
  EXPECT_TRUE(isResolved(L[0].inOffset, 0, ValueOrigin::Default));
  EXPECT_TRUE(isResolved(L[1].inOffset, 0x2000, ValueOrigin::Inferred));
  EXPECT_EQ(L[1].inOffset.loc.str(), "t.yaml:5:17");
  EXPECT_EQ(L[2].inOffset.value, 0x3000);
  EXPECT_TRUE(L[2].inOffset.isPinned());
  // out_offset defaults to 0 (there is no automatic ping-pong).
  EXPECT_TRUE(isResolved(L[2].outOffset, 0, ValueOrigin::Default));
  // A pinned in_offset that differs without in_sequences is only a warning.
  ASSERT_EQ(n->warnings.size(), 1u);
  EXPECT_EQ(n->warnings[0].loc.str(), "t.yaml:9:16");
}

TEST(NetworkConfigResolve, OutputProcessorsFromNextLayerAndOutputMap) {
  std::string layers = "  - processors: 0x7\n"
                       "  - processors: 0xff0\n"
                       "    output_processors: 0xf\n"
                       "  - processors: 0xf\n";
  std::vector<LayerWeightsInfo> w = {weightsOf({8, 3, 3, 3}),
                                     weightsOf({4, 8, 3, 3}),
                                     weightsOf({10, 4, 3, 3})};
  std::optional<ResolvedNetwork> n =
      resolve(net(layers), w, withInput(3, 8, 8));
  ASSERT_TRUE(n);
  EXPECT_TRUE(
      isResolved(n->layers[0].outputProcessors, 0xff0u, ValueOrigin::Inferred));
  EXPECT_EQ(n->layers[1].outputProcessors.value, 0xfu);
  EXPECT_TRUE(n->layers[1].outputProcessors.isPinned());
  // The final layer packs its 10 channels from processor 0.
  EXPECT_EQ(n->finalLayer, 2u);
  EXPECT_TRUE(
      isResolved(n->layers[2].outputProcessors, 0x3ffu, ValueOrigin::Inferred));

  // The global output_map wins over everything for the final layer.
  std::optional<ResolvedNetwork> m =
      resolve("arch: test\ndataset: t\noutput_map: 0xfff0000000000000\n"
              "layers:\n" +
                  layers + "    output_processors: 0xf\n",
              w, withInput(3, 8, 8));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->layers[2].outputProcessors.value, 0xfff0000000000000u);
  EXPECT_TRUE(m->layers[2].outputProcessors.isPinned());
  EXPECT_EQ(m->layers[2].outputProcessors.loc.str(), "t.yaml:3:13");
}

TEST(NetworkConfigResolve, PackedOutputMapForManyChannels) {
  // 100 channels need two passes of 50, rounded up to 52 processors.
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0xffffffffffffffff\n"),
              {weightsOf({100, 64, 3, 3})}, withInput(64, 4, 4));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->layers[0].outputProcessors.value, (uint64_t(1) << 52) - 1);
}

TEST(NetworkConfigResolve, ChannelInference) {
  std::optional<ResolvedNetwork> n = resolve(
      net("  - processors: 0x7\n"                            // 0: conv
          "  - processors: 0xff\n    op: passthrough\n"      // 1
          "  - processors: 0xff\n    groups: 8\n"            // 2: depthwise
          "  - processors: 0xff\n    in_sequences: [1, 2]\n" // 3: concat
          "    in_channels: 16\n    op: none\n"
          "  - processors: 0xff\n    in_sequences: [1, 2]\n" // 4: add
          "    op: add\n"
          "  - processors: 0xff\n    op: convtranspose2d\n"
          "    groups: 2\n"),
      {weightsOf({8, 3, 3, 3}), weightsOf({8, 1, 3, 3}),
       weightsOf({4, 6, 3, 3})},
      withInput(3, 8, 8));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_TRUE(isResolved(L[0].inChannels, 3, ValueOrigin::Weights));
  EXPECT_EQ(L[0].outChannels.value, 8);
  // Passthrough: the previous layer's channels, out = in.
  EXPECT_TRUE(isResolved(L[1].inChannels, 8, ValueOrigin::Inferred));
  EXPECT_EQ(L[1].outChannels.value, 8);
  EXPECT_EQ(L[1].weightIndex, -1);
  // Grouped convolution: in = stored in-channels x groups.
  EXPECT_EQ(L[2].weightIndex, 1);
  EXPECT_EQ(L[2].inChannels.value, 8);
  EXPECT_EQ(L[2].outChannels.value, 8);
  // Concatenation sums (8 + 8) but in_channels is pinned to 16 anyway.
  EXPECT_EQ(L[3].inChannels.value, 16);
  EXPECT_TRUE(L[3].inChannels.isPinned());
  // Element-wise: the channels of one operand.
  EXPECT_EQ(L[4].inChannels.value, 8);
  EXPECT_TRUE(isResolved(L[4].operands, 2, ValueOrigin::Inferred));
  // ConvTranspose2d checkpoint weights are [I, O/groups, ...]; but this is
  // a test network, so the stored order is [O, I/groups, ...].
  EXPECT_EQ(L[5].inChannels.value, 6);
  EXPECT_EQ(L[5].outChannels.value, 8);
}

TEST(NetworkConfigResolve, ConcatenationSumsChannels) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0x7\n"
                  "  - processors: 0xff\n"
                  "  - processors: 0xff\n    in_sequences: [0, 1]\n"),
              {weightsOf({8, 3, 3, 3}), weightsOf({4, 8, 3, 3}),
               weightsOf({2, 5, 3, 3})},
              withInput(3, 8, 8));
  ASSERT_TRUE(n);
  EXPECT_TRUE(isResolved(n->layers[2].inChannels, 12, ValueOrigin::Inferred));
  EXPECT_EQ(n->layers[2].inSequences.value, (std::vector<int64_t>{0, 1}));
  EXPECT_FALSE(n->layers[1].inSequences.isKnown()); // "previous layer"
}

TEST(NetworkConfigResolve, ConvTransposeCheckpointWeightsAreSwapped) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0xff\n    op: convtranspose2d\n", "x"),
              {weightsOf({6, 4, 3, 3})}, withInput(6, 4, 4));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->layers[0].inChannels.value, 6);
  EXPECT_EQ(n->layers[0].outChannels.value, 4);
  EXPECT_EQ(n->layers[0].outDim.value, (HW{8, 8}));
}

TEST(NetworkConfigResolve, FirstLayerChannelsFromInput) {
  // Element-wise first layer: the input holds all operands interleaved.
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0xff\n    op: add\n    operands: 4\n"), {},
              withInput(16, 4, 4));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->layers[0].inChannels.value, 4);
  EXPECT_EQ(n->layers[0].outChannels.value, 4);
}

TEST(NetworkConfigResolve, OperationDefaults) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 1\n" // conv2d
                  "  - processors: 1\n    op: conv1d\n    in_dim: 64\n"
                  "  - processors: 1\n    op: convtranspose2d\n"
                  "    in_dim: [4, 4]\n"
                  "  - processors: 1\n    op: mlp\n    in_dim: [1, 1]\n"
                  "  - processors: 1\n    op: passthrough\n    max_pool: 2\n"
                  "    in_dim: [4, 4]\n"),
              {weightsOf({1, 1, 3, 3}), weightsOf({1, 1, 9}),
               weightsOf({1, 1, 3, 3}), weightsOf({1, 1})},
              withInput(1, 8, 8));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_TRUE(isResolved(L[0].op, LayerOp::Conv2d, ValueOrigin::Default));
  EXPECT_EQ(L[0].kernel.value, (HW{3, 3}));
  EXPECT_EQ(L[0].pad.value, (HW{1, 1}));
  EXPECT_EQ(L[0].stride.value, (HW{1, 1}));
  EXPECT_EQ(L[0].activation.value, Activation::None);
  EXPECT_EQ(L[0].outputWidth.value, 8);
  EXPECT_EQ(L[0].outDim.value, (HW{8, 8}));
  // Conv1d: 9-tap kernel, pad 1 along the length only.
  EXPECT_EQ(L[1].kernel.value, (HW{9, 1}));
  EXPECT_EQ(L[1].pad.value, (HW{1, 0}));
  EXPECT_EQ(L[1].outDim.value, (HW{58, 1}));
  // ConvTranspose2d: stride 2 and output padding 1 double the size.
  EXPECT_EQ(L[2].stride.value, (HW{2, 2}));
  EXPECT_EQ(L[2].outputPad.value, (HW{1, 1}));
  EXPECT_EQ(L[2].outDim.value, (HW{8, 8}));
  // Linear: 1x1 kernel, no padding.
  EXPECT_EQ(L[3].kernel.value, (HW{1, 1}));
  EXPECT_EQ(L[3].pad.value, (HW{0, 0}));
  // Passthrough: 1x1 kernel, no padding, quantization 0; the pool stride
  // defaults to 1 (with a warning), not to the pool size.
  EXPECT_EQ(L[4].kernel.value, (HW{1, 1}));
  EXPECT_EQ(L[4].pad.value, (HW{0, 0}));
  EXPECT_EQ(L[4].quantization.value, 0);
  EXPECT_EQ(L[4].poolKind.value, PoolKind::Max);
  EXPECT_TRUE(isResolved(L[4].poolStride, (HW{1, 1}), ValueOrigin::Default));
  EXPECT_EQ(L[4].inDim.value, (HW{4, 4}));
  EXPECT_EQ(L[4].outDim.value, (HW{3, 3}));
  ASSERT_FALSE(n->warnings.empty());
  EXPECT_EQ(n->warnings[0].loc.str(), "t.yaml:16:5");
}

TEST(NetworkConfigResolve, DimensionsThroughPoolingAndFlatten) {
  std::optional<ResolvedNetwork> n = resolve(
      net("  - processors: 0x7\n    max_pool: 2\n    pool_stride: 2\n"
          "    pad: 0\n"
          "  - processors: 0xff\n    op: linear\n    flatten: true\n"
          "  - processors: 0xff\n    op: passthrough\n"
          "    in_dim: [5, 2]\n"),
      {weightsOf({8, 3, 3, 3}), weightsOf({10, 8 * 9})}, withInput(3, 16, 16));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_TRUE(isResolved(L[0].inDim, (HW{16, 16}), ValueOrigin::Inferred));
  EXPECT_EQ(L[0].pooledDim.value, (HW{8, 8}));
  EXPECT_EQ(L[0].outDim.value, (HW{6, 6}));
  // Flatten: 72 stored inputs over a 6x6 map... 72 / 36 = 2 channels.
  EXPECT_EQ(L[1].inDim.value, (HW{6, 6}));
  EXPECT_EQ(L[1].outDim.value, (HW{1, 1}));
  EXPECT_EQ(L[1].inChannels.value, 2);
  // in_dim reshapes explicitly.
  EXPECT_EQ(L[2].inDim.value, (HW{5, 2}));
  EXPECT_TRUE(L[2].inDim.isPinned());
  EXPECT_EQ(L[2].outDim.value, (HW{5, 2}));
}

TEST(NetworkConfigResolve, QuantizationAndOutputShift) {
  LayerWeightsInfo fourBit = weightsOf({4, 3, 3, 3}, 4);
  fourBit.outputShift = -1;
  fourBit.minValue = -8;
  fourBit.maxValue = 7;
  LayerWeightsInfo zeros = weightsOf({4, 4, 3, 3});
  zeros.minValue = zeros.maxValue = 0;
  LayerWeightsInfo binary = weightsOf({4, 4, 3, 3});
  binary.anyZero = false;
  LayerWeightsInfo eight = weightsOf({4, 4, 3, 3});
  eight.minValue = -128;
  eight.maxValue = 127;
  std::string text = net("  - processors: 7\n"
                         "  - processors: 0xf\n"
                         "  - processors: 0xf\n"
                         "  - processors: 0xf\n    quantization: 8\n"
                         "    output_shift: 2\n"
                         "  - processors: 0xf\n    op: none\n",
                         "x");
  std::optional<ResolvedNetwork> n = resolve(
      text, {fourBit, zeros, binary, eight}, withInput(3, 4, 4, "MAX78002"));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  // From weight_bits; the checkpoint shift plus the implicit 8 - 4.
  EXPECT_TRUE(isResolved(L[0].quantization, 4, ValueOrigin::Weights));
  EXPECT_TRUE(isResolved(L[0].outputShift, 3, ValueOrigin::Weights));
  // All-zero weights need 1 bit.
  EXPECT_EQ(L[1].quantization.value, 1);
  EXPECT_EQ(L[1].outputShift.value, 7);
  // Only -1/+1 on a device with binary weights.
  EXPECT_EQ(L[2].quantization.value, -1);
  EXPECT_EQ(L[2].outputShift.value, 7);
  // Written values are kept; the total shift adds nothing for 8 bits.
  EXPECT_EQ(L[3].quantization.value, 8);
  EXPECT_TRUE(L[3].quantization.isPinned());
  EXPECT_EQ(L[3].outputShift.value, 2);
  EXPECT_TRUE(L[3].outputShift.isPinned());
  EXPECT_EQ(L[4].quantization.value, 0);
  EXPECT_EQ(L[4].outputShift.value, 0);

  // The same weights on MAX78000: no binary weights there.
  std::optional<ResolvedNetwork> m =
      resolve(text, {fourBit, zeros, binary, eight}, withInput(3, 4, 4));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->layers[2].quantization.value, 8);

  // Test networks: 8 bits unless written; shift = written + implicit.
  std::optional<ResolvedNetwork> t =
      resolve(net("  - processors: 7\n"
                  "  - processors: 0xf\n    quantization: 2\n"
                  "    output_shift: -1\n"),
              {fourBit, eight}, withInput(3, 4, 4));
  ASSERT_TRUE(t);
  EXPECT_TRUE(isResolved(t->layers[0].quantization, 8, ValueOrigin::Default));
  EXPECT_EQ(t->layers[0].outputShift.value, 0);
  EXPECT_EQ(t->layers[1].outputShift.value, 5);
}

TEST(NetworkConfigResolve, SequenceOverrideClosesGaps) {
  std::optional<ResolvedNetwork> n = resolve(
      net("  - processors: 1\n    sequence: 4\n    name: late\n"
          "  - processors: 2\n    sequence: 1\n    name: early\n"),
      {weightsOf({1, 1, 3, 3}), weightsOf({1, 1, 3, 3})}, withInput(1, 4, 4));
  ASSERT_TRUE(n);
  ASSERT_EQ(n->layers.size(), 2u);
  EXPECT_EQ(n->layers[0].name, "early");
  EXPECT_EQ(n->layers[0].sequence, 1);
  EXPECT_EQ(n->layers[0].position, 1u);
  EXPECT_EQ(n->layers[0].processors.value, 2u);
  EXPECT_EQ(n->layers[1].name, "late");
  EXPECT_EQ(n->layers[1].index, 1u);
  EXPECT_EQ(n->layers[1].prevSequence.value, 0);
}

TEST(NetworkConfigResolve, LinkLayersAndFinalLayer) {
  // MAX78002 runs 1 -> 0 -> 3 -> 2 -> stop when starting at layer 1.
  std::string text = net("  - processors: 0xf0\n    next_sequence: 3\n"
                         "  - processors: 0x7\n    next_sequence: 0\n"
                         "  - processors: 0xff\n    next_sequence: stop\n"
                         "  - processors: 0xf\n    next_sequence: 2\n"
                         "  - processors: 0xf\n"); // never reached
  ResolveOptions options = withInput(3, 8, 8, "MAX78002");
  options.startLayer = 1;
  std::vector<LayerWeightsInfo> w = {
      weightsOf({4, 4, 3, 3}), weightsOf({4, 3, 3, 3}), weightsOf({4, 4, 3, 3}),
      weightsOf({4, 4, 3, 3}), weightsOf({4, 4, 3, 3})};
  std::optional<ResolvedNetwork> n = resolve(text, w, options);
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_EQ(n->startLayer, 1u);
  EXPECT_EQ(n->finalLayer, 2u);
  EXPECT_EQ(n->numLayers, 4u); // the highest reachable layer + 1
  EXPECT_EQ(L[1].prevSequence.value, kInputLayer);
  EXPECT_EQ(L[0].prevSequence.value, 1);
  EXPECT_EQ(L[3].prevSequence.value, 0);
  EXPECT_EQ(L[2].prevSequence.value, 3);
  EXPECT_EQ(L[2].nextSequence.value, kStopLayer);
  EXPECT_TRUE(L[2].outputLayer.value);
  EXPECT_FALSE(L[4].reachable);
  // Output processors follow next_sequence, not the layer order.
  EXPECT_EQ(L[1].outputProcessors.value, 0xf0u);
  EXPECT_EQ(L[0].outputProcessors.value, 0xfu);
  EXPECT_EQ(L[3].outputProcessors.value, 0xffu);
  // Offsets too: layer 0 reads what layer 1 wrote.
  EXPECT_EQ(L[0].inOffset.origin, ValueOrigin::Inferred);
}

TEST(NetworkConfigResolve, OutputFlags) {
  std::optional<ResolvedNetwork> n = resolve(
      net("  - processors: 1\n    output: true\n  - processors: 1\n"),
      {weightsOf({1, 1, 3, 3}), weightsOf({1, 1, 3, 3})}, withInput(1, 4, 4));
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->layers[0].outputLayer.value);
  EXPECT_FALSE(n->layers[1].outputLayer.value);
  ASSERT_EQ(n->warnings.size(), 1u);
  EXPECT_EQ(n->warnings[0].message,
            "the final layer 1 is not marked `output: true`");
}

TEST(NetworkConfigResolve, NamesInputAndDataBuffer) {
  std::optional<ResolvedNetwork> n = resolve(
      "arch: test\ndataset: t\n"
      "data_buffer:\n  - processors: 0xff\n    dim: 6\n    channels: 8\n"
      "    offset: 0x100\n    name: buf\n"
      "layers:\n"
      "  - processors: 0xff\n    name: Stem\n    op: conv1d\n"
      "  - processors: 0xff\n    in_sequences: [stem, INPUT]\n"
      "    op: conv1d\n    weight_source: STEM\n    in_dim: 26\n"
      "  - processors: 0xff\n    in_sequences: buf\n    op: passthrough\n"
      "    in_offset: 0x100\n    out_offset: 0x100\n    in_dim: 5\n"
      "    in_channels: 8\n    buffer_shift: 1\n",
      {weightsOf({8, 8, 9}), weightsOf({8, 16, 9})}, withInput(8, 16, 1));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_EQ(L[1].inSequences.value, (std::vector<int64_t>{0, kInputLayer}));
  EXPECT_EQ(*L[1].weightSource, 0);
  EXPECT_EQ(L[2].inSequences.value, (std::vector<int64_t>{kDataBufferLayer}));
  EXPECT_EQ(*L[2].bufferShift, 1);
  ASSERT_EQ(n->dataBuffers.size(), 1u);
  EXPECT_EQ(n->dataBuffers[0].dim, (HW{6, 1}));
}

TEST(NetworkConfigResolve, WeightSourceCopiesInCheckpointNetworks) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0xff\n    name: a\n    output_shift: 1\n"
                  "  - processors: 0xff\n    weight_source: a\n"
                  "  - processors: 0xff\n",
                  "x"),
              {weightsOf({8, 8, 3, 3}, 2), weightsOf({3, 8, 3, 3})},
              withInput(8, 4, 4));
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_EQ(L[0].weightIndex, 0);
  EXPECT_EQ(L[1].weightIndex, 0); // shares layer 0's tensor
  EXPECT_EQ(L[2].weightIndex, 1);
  EXPECT_EQ(L[1].outChannels.value, 8);
  EXPECT_EQ(L[1].outputShift.value, 7);  // 1 + 8 - 2, copied
  EXPECT_EQ(L[1].quantization.value, 8); // the izer's plain default
  EXPECT_EQ(L[2].outChannels.value, 3);
}

TEST(NetworkConfigResolve, CmsisNnIgnoresProcessors) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - op: conv2d\n"), {weightsOf({2, 1, 3, 3})}, [] {
        ResolveOptions o = device("CMSIS-NN");
        o.inputShape = std::array<int64_t, 3>{1, 4, 4};
        return o;
      }());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->layers[0].processors.value, 1u);
  EXPECT_FALSE(n->layers[0].outputProcessors.isKnown());
}

TEST(NetworkConfigResolve, UnknownWeightsLeaveValuesUnresolved) {
  ResolveOptions options = device();
  options.weightsKnown = false;
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0x7\n"
                  "  - processors: 0xff\n    op: passthrough\n"
                  "  - processors: 0xff\n    out_channels: 5\n",
                  "x"),
              {}, options);
  ASSERT_TRUE(n);
  const auto &L = n->layers;
  EXPECT_FALSE(L[0].inChannels.isKnown());
  EXPECT_FALSE(L[0].outChannels.isKnown());
  EXPECT_FALSE(L[0].quantization.isKnown());
  EXPECT_FALSE(L[0].outputShift.isKnown());
  EXPECT_FALSE(L[0].inDim.isKnown());
  EXPECT_FALSE(L[1].inChannels.isKnown());
  EXPECT_EQ(L[1].quantization.value, 0);
  EXPECT_EQ(L[2].outChannels.value, 5);
  EXPECT_EQ(L[2].weightIndex, -1);
  // Without weights the packed output map cannot be computed either...
  EXPECT_EQ(L[2].outputProcessors.value, 0x1fu); // ...unless pinned channels
}

TEST(NetworkConfigResolve, JsonDump) {
  std::optional<ResolvedNetwork> n =
      resolve(net("  - processors: 0x7\n    name: only\n"),
              {weightsOf({2, 3, 3, 3})}, withInput(3, 4, 4));
  ASSERT_TRUE(n);
  std::string text;
  llvm::raw_string_ostream os(text);
  printResolvedNetwork(*n, os);
  EXPECT_NE(text.find("\"name\": \"only\""), std::string::npos);
  EXPECT_NE(text.find("\"value\": \"0x0000000000000007\""), std::string::npos);
  EXPECT_NE(text.find("\"origin\": \"weights\""), std::string::npos);
}

} // namespace
