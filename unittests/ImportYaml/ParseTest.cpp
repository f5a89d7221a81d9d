//===- ParseTest.cpp - Value forms and aliases of network descriptions ----===//

#include "TestUtil.h"

using namespace tornado::netcfg;
using namespace tornado::netcfg::test;

namespace {

TEST(NetworkConfigParse, GlobalsAndLocations) {
  std::optional<NetworkConfig> cfg = parse("arch: ai85net5\n"
                                           "dataset: MNIST\n"
                                           "output_map: 0x0000000000000ff0\n"
                                           "layers:\n"
                                           "  - processors: 0x1\n"
                                           "    out_offset: 0x2000\n");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->fileName, "t.yaml");
  EXPECT_EQ(cfg->arch.value, "ai85net5");
  EXPECT_EQ(cfg->arch.keyLoc.str(), "t.yaml:1:1");
  EXPECT_EQ(cfg->arch.valueLoc.str(), "t.yaml:1:7");
  EXPECT_EQ(cfg->dataset.value, "MNIST");
  EXPECT_FALSE(cfg->isTestNetwork());
  ASSERT_TRUE(cfg->outputMap);
  EXPECT_EQ(cfg->outputMap->value, 0xff0u);
  EXPECT_EQ(cfg->layersLoc.str(), "t.yaml:4:1");
  ASSERT_EQ(cfg->layers.size(), 1u);
  const LayerConfig &l = cfg->layers[0];
  EXPECT_EQ(l.loc.str(), "t.yaml:5:5");
  ASSERT_TRUE(l.processors);
  EXPECT_TRUE(isWritten(l.processors, 1u, "processors"));
  EXPECT_EQ(l.processors->keyLoc.str(), "t.yaml:5:5");
  EXPECT_EQ(l.processors->valueLoc.str(), "t.yaml:5:17");
  ASSERT_TRUE(l.outOffset);
  EXPECT_EQ(l.outOffset->value, 0x2000);
  EXPECT_EQ(l.outOffset->valueLoc.str(), "t.yaml:6:17");
  ASSERT_EQ(l.keys.size(), 2u);
  EXPECT_EQ(l.keys[1].first, "out_offset");
  EXPECT_EQ(l.keys[1].second.str(), "t.yaml:6:5");
  EXPECT_FALSE(l.inOffset);
  EXPECT_FALSE(l.operation);
}

TEST(NetworkConfigParse, TestNetworkGlobals) {
  std::optional<NetworkConfig> cfg =
      parse("arch: test\ndataset: test_conv1d\nbias: 64\n"
            "weights: weights_test_burnin_16-16\n"
            "snoop: [0x201001, 0, 7]\n"
            "layers:\n  - processors: 1\n");
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->isTestNetwork());
  ASSERT_TRUE(cfg->bias && cfg->weights && cfg->snoop);
  EXPECT_EQ(cfg->bias->value, "64");
  EXPECT_EQ(cfg->weights->value, "weights_test_burnin_16-16");
  EXPECT_EQ(cfg->snoop->value, (std::vector<int64_t>{0x201001, 0, 7}));
}

TEST(NetworkConfigParse, MaskForms) {
  struct Case {
    const char *text;
    uint64_t value;
  } cases[] = {
      {"0xffff.ffff.ffff.ffff", ~uint64_t(0)},
      {"0xffffffffffffffff", ~uint64_t(0)},
      {"0x0000.0000.0000.0111", 0x111},
      {"0x0000_0000_0000_000f", 0xf}, // YAML 1.1 integer with separators
      {"'0xff'", 0xff},               // quoted: a hex string
      {"\"ffff.0000\"", 0xffff0000},  // strings are hex even without 0x
      {"ffff.ffff", 0xffffffff},      // plain, but not a YAML number
      {"7", 7},                       // plain decimal integer
      {"017", 15},                    // YAML 1.1 octal
      {"0b101", 5},                   // YAML 1.1 binary
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.text);
    std::optional<NetworkConfig> cfg =
        parse(net(std::string("  - processors: ") + c.text +
                  "\n    output_processors: " + c.text + "\n"));
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->layers[0].processors->value, c.value);
    EXPECT_EQ(cfg->layers[0].outputProcessors->value, c.value);
  }
}

TEST(NetworkConfigParse, IntegerForms) {
  std::optional<NetworkConfig> cfg = parse(net("  - processors: 1\n"
                                               "    in_offset: 0x1E70\n"
                                               "    out_offset: 0000\n"
                                               "    output_shift: -4\n"
                                               "    write_gap: 1_0\n"
                                               "    in_channels: +3\n"));
  ASSERT_TRUE(cfg);
  const LayerConfig &l = cfg->layers[0];
  EXPECT_EQ(l.inOffset->value, 0x1e70);
  EXPECT_EQ(l.outOffset->value, 0);
  EXPECT_EQ(l.outputShift->value, -4);
  EXPECT_EQ(l.writeGap->value, 10);
  EXPECT_EQ(l.inChannels->value, 3);
}

TEST(NetworkConfigParse, Booleans) {
  struct Case {
    const char *text;
    bool value;
  } cases[] = {{"true", true}, {"True", true}, {"TRUE", true},   {"yes", true},
               {"on", true},   {"1", true},    {"false", false}, {"No", false},
               {"off", false}, {"0", false}};
  for (const Case &c : cases) {
    SCOPED_TRACE(c.text);
    std::optional<NetworkConfig> cfg =
        parse(net(std::string("  - processors: 1\n    streaming: ") + c.text +
                  "\n    flatten: " + c.text + "\n    bypass: " + c.text +
                  "\n    calcx4: " + c.text + "\n    readahead: " + c.text +
                  "\n    tcalc: " + c.text + "\n    output: " + c.text + "\n"));
    ASSERT_TRUE(cfg);
    const LayerConfig &l = cfg->layers[0];
    EXPECT_EQ(l.streaming->value, c.value);
    EXPECT_EQ(l.flatten->value, c.value);
    EXPECT_EQ(l.bypass->value, c.value);
    EXPECT_EQ(l.calcx4->value, c.value);
    EXPECT_EQ(l.readahead->value, c.value);
    EXPECT_EQ(l.tcalc->value, c.value);
    EXPECT_EQ(l.output->value, c.value);
  }
  std::optional<NetworkConfig> cfg =
      parse(net("  - processors: 1\n    pool_first: false\n"
                "    max_pool: 2\n    op: add\n"));
  ASSERT_TRUE(cfg);
  EXPECT_FALSE(cfg->layers[0].poolFirst->value);
}

TEST(NetworkConfigParse, OperationAliasesAndValues) {
  struct Case {
    const char *value;
    LayerOp op;
    EltwiseOp eltwise;
  } cases[] = {
      {"Conv1d", LayerOp::Conv1d, EltwiseOp::None},
      {"conv2d", LayerOp::Conv2d, EltwiseOp::None},
      {"ConvTranspose2d", LayerOp::ConvTranspose2d, EltwiseOp::None},
      {"None", LayerOp::None, EltwiseOp::None},
      {"passthrough", LayerOp::None, EltwiseOp::None},
      {"Linear", LayerOp::Linear, EltwiseOp::None},
      {"FC", LayerOp::Linear, EltwiseOp::None},
      {"MLP", LayerOp::Linear, EltwiseOp::None},
      {"Add", LayerOp::None, EltwiseOp::Add},
      {"sub", LayerOp::None, EltwiseOp::Sub},
      {"or", LayerOp::None, EltwiseOp::Or},
      {"BitwiseOr", LayerOp::None, EltwiseOp::Or},
      {"bitwise_or", LayerOp::None, EltwiseOp::Or},
      {"xor", LayerOp::None, EltwiseOp::Xor},
      {"BitwiseXor", LayerOp::None, EltwiseOp::Xor},
      {"bitwise_xor", LayerOp::None, EltwiseOp::Xor},
  };
  for (const char *key : {"op", "operation", "operator", "convolution"}) {
    for (const Case &c : cases) {
      SCOPED_TRACE(std::string(key) + ": " + c.value);
      std::optional<NetworkConfig> cfg =
          parse(net(std::string("  - processors: 1\n    ") + key + ": " +
                    c.value + "\n"));
      ASSERT_TRUE(cfg);
      const auto &op = cfg->layers[0].operation;
      ASSERT_TRUE(op);
      EXPECT_EQ(op->key, key);
      EXPECT_EQ(op->value.op, c.op);
      EXPECT_EQ(op->value.eltwise, c.eltwise);
      EXPECT_EQ(op->value.spelling, c.value);
    }
  }
}

TEST(NetworkConfigParse, ActivationFormatQuantizationWidth) {
  for (const char *key : {"activate", "activation"}) {
    std::optional<NetworkConfig> cfg =
        parse(net(std::string("  - processors: 1\n    ") + key +
                  ": ReLU\n  - processors: 1\n    " + key +
                  ": abs\n  - processors: 1\n    " + key + ": None\n"));
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->layers[0].activation->value, Activation::ReLU);
    EXPECT_EQ(cfg->layers[0].activation->key, key);
    EXPECT_EQ(cfg->layers[1].activation->value, Activation::Abs);
    EXPECT_EQ(cfg->layers[2].activation->value, Activation::None);
  }
  std::optional<NetworkConfig> cfg = parse(
      net("  - processors: 1\n    data_format: CHW\n"
          "    quantization: binary\n    output_width: 32\n"
          "  - processors: 1\n    data_format: little\n"
          "    quantization: BIN\n"
          "  - processors: 1\n    data_format: big\n    quantization: 4\n"
          "  - processors: 1\n    data_format: hwc\n    quantization: 1\n"));
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->layers[0].dataFormat->value, DataFormat::CHW);
  EXPECT_EQ(cfg->layers[0].quantization->value, -1);
  EXPECT_EQ(cfg->layers[0].outputWidth->value, 32);
  EXPECT_EQ(cfg->layers[1].dataFormat->value, DataFormat::HWC);
  EXPECT_EQ(cfg->layers[1].quantization->value, -1);
  EXPECT_EQ(cfg->layers[2].dataFormat->value, DataFormat::CHW);
  EXPECT_EQ(cfg->layers[2].quantization->value, 4);
  EXPECT_EQ(cfg->layers[3].dataFormat->value, DataFormat::HWC);
  EXPECT_EQ(cfg->layers[3].quantization->value, 1);
}

TEST(NetworkConfigParse, KernelSizes) {
  struct Case {
    const char *op;
    const char *kernel;
    HW value;
  } cases[] = {
      {"conv2d", "3x3", {3, 3}}, {"conv2d", "1x1", {1, 1}},
      {"conv2d", "3X3", {3, 3}}, {"convtranspose2d", "3x3", {3, 3}},
      {"conv1d", "1", {1, 1}},   {"conv1d", "5", {5, 1}},
      {"conv1d", "'9'", {9, 1}}, {"passthrough", "1", {1, 1}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string(c.op) + " " + c.kernel);
    std::optional<NetworkConfig> cfg =
        parse(net(std::string("  - processors: 1\n    op: ") + c.op +
                  "\n    kernel_size: " + c.kernel + "\n"));
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->layers[0].kernelSize->value.value, c.value);
  }
}

TEST(NetworkConfigParse, PairForms) {
  std::optional<NetworkConfig> cfg = parse(net("  - processors: 1\n"
                                               "    max_pool: [3, 2]\n"
                                               "    pool_stride: 2\n"
                                               "    pool_dilation: [2, 1]\n"
                                               "    dilation: 7\n"
                                               "    stride: [1, 1]\n"
                                               "    in_dim: 32\n"
                                               "    in_crop: [3, 4]\n"
                                               "  - processors: 1\n"
                                               "    avg_pool: 4\n"
                                               "    pool_stride: [4, 4]\n"
                                               "    in_dim: [64, 48]\n"));
  ASSERT_TRUE(cfg);
  const LayerConfig &a = cfg->layers[0];
  EXPECT_EQ(a.maxPool->value.value, (HW{3, 2}));
  EXPECT_TRUE(a.maxPool->value.writtenAsList);
  EXPECT_EQ(a.pool(), &*a.maxPool);
  EXPECT_EQ(a.poolStride->value.value, (HW{2, 2}));
  EXPECT_FALSE(a.poolStride->value.writtenAsList);
  EXPECT_EQ(a.poolDilation->value.value, (HW{2, 1}));
  EXPECT_EQ(a.dilation->value.value, (HW{7, 7}));
  EXPECT_EQ(a.stride->value.value, (HW{1, 1}));
  EXPECT_EQ(a.inDim->value.value, (HW{32, 1})); // an integer is a 1D length
  EXPECT_EQ(a.inCrop->value.value, (HW{3, 4}));
  const LayerConfig &b = cfg->layers[1];
  EXPECT_EQ(b.avgPool->value.value, (HW{4, 4}));
  EXPECT_EQ(b.pool(), &*b.avgPool);
  EXPECT_EQ(b.poolStride->value.value, (HW{4, 4}));
  EXPECT_EQ(b.inDim->value.value, (HW{64, 48}));
}

TEST(NetworkConfigParse, LayerReferences) {
  std::optional<NetworkConfig> cfg =
      parse(net("  - processors: 1\n    name: first\n"
                "    next_sequence: stop\n    simulated_sequence: 1\n"
                "  - processors: 1\n    in_sequences: 0\n"
                "    weight_source: first\n    next_sequence: 2\n"
                "  - processors: 1\n    in_sequences: [first, -1, 1]\n"
                "    op: add\n    operands: 3\n"));
  ASSERT_TRUE(cfg);
  const LayerConfig &a = cfg->layers[0];
  EXPECT_EQ(a.name->value, "first");
  EXPECT_TRUE(a.nextSequence->value.isName);
  EXPECT_EQ(a.nextSequence->value.name, "stop");
  EXPECT_FALSE(a.simulatedSequence->value.isName);
  EXPECT_EQ(a.simulatedSequence->value.number, 1);
  const LayerConfig &b = cfg->layers[1];
  ASSERT_EQ(b.inSequences->value.size(), 1u);
  EXPECT_EQ(b.inSequences->value[0].number, 0);
  EXPECT_EQ(b.weightSource->value.name, "first");
  EXPECT_EQ(b.nextSequence->value.number, 2);
  const LayerConfig &c = cfg->layers[2];
  ASSERT_EQ(c.inSequences->value.size(), 3u);
  EXPECT_TRUE(c.inSequences->value[0].isName);
  EXPECT_EQ(c.inSequences->value[1].number, -1);
  EXPECT_EQ(c.inSequences->value[2].number, 1);
  EXPECT_EQ(c.operands->value, 3);
}

TEST(NetworkConfigParse, OtherAliases) {
  std::optional<NetworkConfig> cfg =
      parse(net("  - processors: 1\n    groups: 64\n    in_skip: 1\n"
                "    bias_group: 2\n"
                "  - processors: 1\n    conv_groups: 3\n    read_gap: 2\n"
                "    bias_quadrant: [0, 3]\n    in_channel_skip: 16\n"));
  ASSERT_TRUE(cfg);
  const LayerConfig &a = cfg->layers[0];
  EXPECT_TRUE(isWritten(a.groups, 64, "groups"));
  EXPECT_TRUE(isWritten(a.inSkip, 1, "in_skip"));
  EXPECT_EQ(a.biasGroup->value, (std::vector<int64_t>{2}));
  const LayerConfig &b = cfg->layers[1];
  EXPECT_TRUE(isWritten(b.groups, 3, "conv_groups"));
  EXPECT_TRUE(isWritten(b.inSkip, 2, "read_gap"));
  EXPECT_TRUE(
      isWritten(b.biasGroup, (std::vector<int64_t>{0, 3}), "bias_quadrant"));
  EXPECT_EQ(b.inChannelSkip->value, 16);
}

TEST(NetworkConfigParse, RemainingLayerKeys) {
  std::optional<NetworkConfig> cfg =
      parse(net("  - processors: 1\n    op: convtranspose2d\n"
                "    output_pad: 0\n    pad: 2\n    eltwise: xor\n"
                "    sequence: 3\n    snoop_sequence: 4\n"
                "  - processors: 1\n    in_sequences: buf\n    in_offset: 0\n"
                "    out_offset: 4\n    in_dim: 14\n    in_channels: 32\n"
                "    op: passthrough\n    buffer_shift: 1\n"
                "  - processors: 1\n    out_offset: 8\n    buffer_insert: 1\n",
                "ai85actiontcn"));
  ASSERT_TRUE(cfg);
  const LayerConfig &a = cfg->layers[0];
  EXPECT_EQ(a.outputPad->value, 0);
  EXPECT_EQ(a.pad->value, 2);
  EXPECT_EQ(a.eltwise->value, EltwiseOp::Xor);
  EXPECT_EQ(a.sequence->value, 3);
  EXPECT_EQ(a.snoopSequence->value, 4);
  EXPECT_EQ(cfg->layers[1].bufferShift->value, 1);
  EXPECT_EQ(cfg->layers[2].bufferInsert->value, 1);
}

TEST(NetworkConfigParse, UnloadAndDataBuffer) {
  std::optional<NetworkConfig> cfg =
      parse("arch: x\ndataset: y\n"
            "unload:\n"
            "  - processors: 0xffff.0000\n    channels: 16\n    dim: [4, 4]\n"
            "    offset: 0x100\n    width: 32\n    write_gap: 1\n"
            "  - processors: 1\n    channels: 1\n    dim: 10\n    offset: 0\n"
            "data_buffer:\n"
            "  - processors: 0xffffffff00000000\n    dim: 15\n"
            "    channels: 32\n    offset: 0x7fc4\n    name: tcn_buffer\n"
            "layers:\n  - processors: 1\n");
  ASSERT_TRUE(cfg);
  ASSERT_EQ(cfg->unload.size(), 2u);
  EXPECT_EQ(cfg->unload[0].processors.value, 0xffff0000u);
  EXPECT_EQ(cfg->unload[0].dim.value.value, (HW{4, 4}));
  EXPECT_EQ(cfg->unload[0].width->value, 32);
  EXPECT_EQ(cfg->unload[0].writeGap->value, 1);
  EXPECT_EQ(cfg->unload[1].dim.value.value, (HW{10, 1}));
  EXPECT_FALSE(cfg->unload[1].width);
  ASSERT_EQ(cfg->dataBuffers.size(), 1u);
  EXPECT_EQ(cfg->dataBuffers[0].name.value, "tcn_buffer");
  EXPECT_EQ(cfg->dataBuffers[0].dim.value.value, (HW{15, 1}));
  EXPECT_EQ(cfg->dataBuffers[0].offset.value, 0x7fc4);
}

TEST(NetworkConfigParse, YamlSyntaxVariants) {
  // Flow mappings, comments, anchors and a document marker.
  std::optional<NetworkConfig> cfg =
      parse("---\n# comment\narch: test\ndataset: t\n"
            "layers:\n"
            "  - {processors: &p 0x0f, op: none}  # flow style\n"
            "  - processors: *p\n"
            "    activate: 'ReLU'\n");
  ASSERT_TRUE(cfg);
  ASSERT_EQ(cfg->layers.size(), 2u);
  EXPECT_EQ(cfg->layers[0].processors->value, 0xfu);
  EXPECT_EQ(cfg->layers[0].operation->value.op, LayerOp::None);
  EXPECT_EQ(cfg->layers[1].processors->value, 0xfu);
  EXPECT_EQ(cfg->layers[1].activation->value, Activation::ReLU);
}

TEST(NetworkConfigParse, ParseFile) {
  llvm::Expected<NetworkConfig> missing =
      parseNetworkConfigFile("/nonexistent/net.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(llvm::toString(missing.takeError())
                .rfind("/nonexistent/net.yaml: error: cannot open network "
                       "description: ",
                       0),
            0u);
}

} // namespace
