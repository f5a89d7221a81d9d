//===- MAX78002.cpp - MAX78002 (AI87) hardware facts ----------------------===//
//
// Sources (izer): tornadocnn.py (DevAI87 constants, lreg_addr/ctl_addr),
// backend/max7800x.py (register field usage), apbaccess.py and kernels.py
// (kernel-memory instances), README.md (limits). Register fields are
// cross-checked against the conformance corpus by unittests/Target.
//
//===----------------------------------------------------------------------===//

#include "CommonRegisters.h"

using namespace tornado::target;
using namespace tornado::target::detail;

namespace {

// Address map, relative to the APB base.
constexpr uint32_t kCnnBase = 0x1000000; // group 0 control block
constexpr uint32_t kGroupStride = 0x1000000;
constexpr uint32_t kBiasOffset = 0x180000; // from the group base
constexpr uint32_t kTramOffset = 0x200000;
constexpr uint32_t kKernelOffset = 0x400000;
constexpr uint32_t kDataOffset = 0x800000;

// 5 RAMs of 16 KiB per instance, placed at a 128 KiB stride.
constexpr uint32_t kDataInstanceBytes = 5120 * 16;
constexpr uint32_t kDataInstanceStride = 8192 * 16;
constexpr unsigned kDataRams = 5;
// Kernel memory: 4 RAMs of 1024 words in every processor, plus 4 RAMs of 256
// words in the first processor of each group.
constexpr unsigned kKernelRamWords = 1024;
constexpr unsigned kKernelExtraRamWords = 256;
constexpr unsigned kKernelRams = 4;
constexpr unsigned kKernelWords = kKernelRams * kKernelRamWords;
constexpr unsigned kKernelWordsLarge =
    kKernelWords + kKernelRams * kKernelExtraRamWords;
constexpr uint32_t kKernelProcessorStride = 8192 * 16;
constexpr unsigned kTramWords = 12288;
constexpr uint32_t kTramProcessorStride = 16384 * 4;
constexpr unsigned kBiasBytes = 2048;
constexpr unsigned kWritePtrShift = 15;

// Per-layer registers: each layer has a 0x100-byte block of 4-byte registers
// starting at 0x100000 from the group base; the streaming registers are
// separate banks of 8 words (one per streaming layer).
constexpr uint32_t kLayerBlockBase = 0x100000;
constexpr uint32_t kLayerStride = 0x100;
constexpr unsigned kLayers = 128;
constexpr uint32_t layerReg(unsigned index) {
  return kLayerBlockBase + index * 4;
}
constexpr uint32_t kStreamBankBase = kLayerBlockBase + 0x8000;
constexpr uint32_t kStreamBankStride = 8 * 4;
constexpr uint32_t kStreamStride = 4;
constexpr unsigned kStreamLayers = 8;
constexpr uint32_t streamBank(unsigned bank) {
  return kStreamBankBase + bank * kStreamBankStride;
}
// Group registers past the layer blocks.
constexpr uint32_t kInputFrameSizeOffset = kLayerBlockBase + 0x8060;
constexpr uint32_t kSnoopBase = kLayerBlockBase + 0x8080;
constexpr uint32_t kMlatorOffset = 0x110000;

constexpr BitField kControlFields[] = {
    {"CnnEn", 0, 1, "run (group 0 last: master enable)"},
    {"RdySel", 1, 2, "APB wait states"},
    {"ClkEn", 3, 1, "data-path clock"},
    {"ExtRdy", 4, 1, "external ready (--ext-rdy)"},
    {"PipelineOff", 5, 1, "pipeline disabled"},
    {"StreamBigData", 6, 1, "first layer streams CHW data"},
    {"ApbClkEn", 7, 1, "APB clock always on (snoop)"},
    {"OneShot", 8, 1, "one layer per start"},
    {"ExtSync", 9, 3, "external sync: 4 | first used group"},
    {"CnnIrq", 12, 1, "completion interrupt (write 0 to clear)"},
    {"PoolRnd", 13, 1, "average pooling rounds (else floor)"},
    {"StreamEn", 14, 1, "streaming mode"},
    {"FifoEn", 15, 1, "first layer reads the FIFO"},
    {"MlatLd", 16, 1, "load the mlator address counter"},
    {"MlatSel", 17, 2, "mlator byte lane"},
    {"LilBuf", 19, 1, "streaming circular buffers (FIFO + streaming)"},
    {"MExpress", 20, 1, "packed (express) kernel loading"},
    {"Simple1b", 21, 1, "simple 1-bit weight logic"},
    {"FFifoEn", 22, 1, "fast FIFO data path"},
    {"FifoGrp", 23, 1, "fast FIFO feeds the first 4 processors"},
    {"BinaryWeights", 30, 1, "1-bit weights mean -1/+1"},
    {"QuPac", 31, 1, "x16 parallel processing of one input"},
};

constexpr BitField kLayerCountFields[] = {
    {"LastLayer", 0, 7, "index of the last layer"},
    {"StartLayer", 8, 7, "first layer"},
};

constexpr BitField kInputFrameSizeFields[] = {
    {"Size", 0, 22, "streaming input frame size (bytes, or words for CHW)"},
};

constexpr BitField kNextLayerFields[] = {
    {"Next", 0, 7, "layer to run next when LinkEn"},
    {"LinkEn", 7, 1, "jump to Next"},
    {"Stop", 8, 1, "stop after this layer"},
};

constexpr BitField kCountFields[] = {
    {"Count", 0, 11, "index of the last row/col fetched"},
    {"PadMinusOne", 13, 2, "pad - 1 (with PadEn)"},
    {"PadEn", 15, 1, "padding"},
    {"Diff", 16, 16, "distance to the next pooling start"},
};

constexpr BitField kPoolCountFields[] = {
    {"Count", 0, 4, "(pool size - 1) * dilation"},
    {"DilationMinusOne", 4, 4, "pool dilation - 1"},
};

constexpr BitField kStrideFields[] = {
    {"Stride", 0, 4, "pool stride - 1 (or conv stride - 1)"},
    {"MultiPassStride", 4, 28, "stride * operands * passes * (gap + 1)"},
};

constexpr BitField kWritePtrBaseFields[] = {
    {"Offset", 0, kWritePtrShift, "word offset in the instance"},
    {"Instance", kWritePtrShift, 6, "data memory instance 0..15"},
};

constexpr BitField kPointerFields[] = {
    {"Offset", 0, 21, "words"},
};

constexpr BitField kLayerControlUpperFields[] = {
    {"ReadAhead", 17, 1, "read-ahead"},
    {"KernelColsMinusOne", 18, 4, "kernel width - 1"},
    {"KernelRowsMinusOne", 22, 4, "kernel height - 1"},
    {"ShiftCnt", 26, 3, "read-ahead pass shift"},
    {"Broadcast", 29, 1, "depth-wise broadcast (same in/out processors)"},
    {"Bypass", 30, 1, "kernel bypass"},
};
constexpr auto kLayerControlFields =
    concat(kLayerControlCommonFields, kLayerControlUpperFields);

constexpr BitField kLayerControl2Fields[] = {
    {"InChExp", 0, 4, "input passes - 1 (flatten: low 4 bits)"},
    {"WptrInc", 4, 8, "extra write-pointer increment"},
    {"XpchMax", 12, 9, "highest output processor offset * weight bits"},
};

constexpr BitField kMaskMaxFields[] = {
    {"Max", 0, 19, "last kernel-memory bit address (column * 8 + bit)"},
};
constexpr BitField kMaskStartFields[] = {
    {"Start", 0, 19, "first kernel-memory bit address"},
};

constexpr BitField kOutputChannelsFields[] = {
    {"Count", 0, 11, "output channels per processor pass - 1"},
};

constexpr BitField kTramPtrFields[] = {
    {"Max", 0, 14, "TRAM rollover point"},
    {"Start", 16, 14, "TRAM start (streaming)"},
};

constexpr BitField kPostUpperFields[] = {
    {"CalcX4", 29, 1, "4x parallel kernel calculation"},
    {"Depthwise", 30, 1, "depth-wise convolution"},
    {"TCalc", 31, 1, "read-ahead time-slot calculation"},
};
constexpr auto kPostFields = concat(kPostCommonFields, kPostUpperFields);

constexpr BitField kStreamStartFields[] = {
    {"Start", 0, 15, "prefill count before the layer starts"},
    {"FifoGo", 25, 1, "start on the first FIFO word"},
};

constexpr BitField kStreamDeltaFields[] = {
    {"InVol", 0, 4, "input volume offset"},
    {"Delta1", 4, 5, "in-row cadence"},
    {"Delta2", 16, 14, "row-to-row cadence"},
};

constexpr BitField kRolloverFields[] = {
    {"Max", 0, 18, "circular buffer size (words)"},
};

#define TORNADO_LAYER_REG(ID, INDEX, FIELDS, DESC)                             \
  {                                                                            \
    Reg::ID, #ID, RegisterSpace::Layered, layerReg(INDEX), kLayerStride,       \
        kLayers, FIELDS, DESC                                                  \
  }
#define TORNADO_STREAM_REG(ID, BANK, FIELDS, DESC)                             \
  {                                                                            \
    Reg::ID, #ID, RegisterSpace::Layered, streamBank(BANK), kStreamStride,     \
        kStreamLayers, FIELDS, DESC                                            \
  }
#define TORNADO_SNOOP_REG(ID, INDEX)                                           \
  {                                                                            \
    Reg::ID, #ID, RegisterSpace::Group, kSnoopBase + (INDEX)*4, 0, 1,          \
        kValueFields, "conditional execution"                                  \
  }

constexpr RegisterInfo kDeviceRegisters[] = {
    {Reg::Control, "Control", RegisterSpace::Group, 0x0, 0, 1, kControlFields,
     "group control"},
    {Reg::SramControl, "SramControl", RegisterSpace::Group, 0x4, 0, 1,
     kSramControlFields, "memory timing and power"},
    {Reg::LayerCount, "LayerCount", RegisterSpace::Group, 0x8, 0, 1,
     kLayerCountFields, "last and first layer"},
    {Reg::SramTest, "SramTest", RegisterSpace::Group, 0xc, 0, 1,
     kSramTestFields, "memory self test, zeroize, register clear"},
    TORNADO_STREAM_REG(StreamStart, 0, kStreamStartFields, "streaming prefill"),
    TORNADO_STREAM_REG(StreamDelta, 1, kStreamDeltaFields, "streaming cadence"),
    TORNADO_STREAM_REG(Rollover, 2, kRolloverFields, "streaming buffer size"),
    {Reg::InputFrameSize, "InputFrameSize", RegisterSpace::Group,
     kInputFrameSizeOffset, 0, 1, kInputFrameSizeFields,
     "streaming input frame"},
    TORNADO_SNOOP_REG(Snoop1Addr1, 0),
    TORNADO_SNOOP_REG(Snoop1Addr2, 1),
    TORNADO_SNOOP_REG(Snoop1Data1, 2),
    TORNADO_SNOOP_REG(Snoop1Data2, 3),
    TORNADO_SNOOP_REG(Snoop1Count1, 4),
    TORNADO_SNOOP_REG(Snoop1Count2, 5),
    TORNADO_SNOOP_REG(Snoop1Ctrl1, 6),
    TORNADO_SNOOP_REG(Snoop1Ctrl2, 7),
    TORNADO_SNOOP_REG(Snoop1Acc, 8),
    TORNADO_SNOOP_REG(Snoop1Hit, 9),
    TORNADO_SNOOP_REG(Snoop1Max, 10),
    TORNADO_SNOOP_REG(Snoop1MatchAddr, 11),
    TORNADO_SNOOP_REG(Snoop2Addr1, 12),
    TORNADO_SNOOP_REG(Snoop2Addr2, 13),
    TORNADO_SNOOP_REG(Snoop2Data1, 14),
    TORNADO_SNOOP_REG(Snoop2Data2, 15),
    TORNADO_SNOOP_REG(Snoop2Count1, 16),
    TORNADO_SNOOP_REG(Snoop2Count2, 17),
    TORNADO_SNOOP_REG(Snoop2Ctrl1, 18),
    TORNADO_SNOOP_REG(Snoop2Ctrl2, 19),
    TORNADO_SNOOP_REG(Snoop2Acc, 20),
    TORNADO_SNOOP_REG(Snoop2Hit, 21),
    TORNADO_SNOOP_REG(Snoop2Max, 22),
    TORNADO_SNOOP_REG(Snoop2MatchAddr, 23),
    {Reg::Mlator, "Mlator", RegisterSpace::Group, kMlatorOffset, 0, 1,
     kMlatorFields, "byte-lane unpacker"},
    TORNADO_LAYER_REG(NextLayer, 0, kNextLayerFields, "layer sequencing"),
    TORNADO_LAYER_REG(Rows, 1, kCountFields, "row count"),
    TORNADO_LAYER_REG(Columns, 2, kCountFields, "column count"),
    TORNADO_LAYER_REG(OneD, 3, kOneDFields, "time slots, Conv1d, element-wise"),
    TORNADO_LAYER_REG(PoolRows, 4, kPoolCountFields, "pool rows"),
    TORNADO_LAYER_REG(PoolColumns, 5, kPoolCountFields, "pool columns"),
    TORNADO_LAYER_REG(Stride, 6, kStrideFields, "stride"),
    TORNADO_LAYER_REG(WritePtrBase, 7, kWritePtrBaseFields, "output address"),
    TORNADO_LAYER_REG(WritePtrTimeSlotOffset, 8, kPointerFields,
                      "write pointer step per time slot"),
    TORNADO_LAYER_REG(WritePtrMaskOffset, 9, kPointerFields,
                      "write pointer step per kernel"),
    TORNADO_LAYER_REG(WritePtrChannelOffset, 10, kPointerFields,
                      "write pointer step per output pass"),
    TORNADO_LAYER_REG(ReadPtrBase, 11, kPointerFields, "input word offset"),
    TORNADO_LAYER_REG(LayerControl, 12, kLayerControlFields, "layer control"),
    TORNADO_LAYER_REG(LayerControl2, 13, kLayerControl2Fields,
                      "passes, write increment, expansion"),
    TORNADO_LAYER_REG(MaskMax, 14, kMaskMaxFields, "kernel memory end"),
    TORNADO_LAYER_REG(MaskStart, 15, kMaskStartFields, "kernel memory start"),
    TORNADO_LAYER_REG(OutputChannels, 16, kOutputChannelsFields,
                      "output channel count"),
    TORNADO_LAYER_REG(TramPtr, 17, kTramPtrFields, "TRAM pointers"),
    TORNADO_LAYER_REG(Enables, 18, kEnablesFields,
                      "processor and kernel enables"),
    TORNADO_LAYER_REG(Post, 19, kPostFields, "post-processing"),
};

#undef TORNADO_LAYER_REG
#undef TORNADO_STREAM_REG
#undef TORNADO_SNOOP_REG

constexpr auto kRegisters = concat(kDeviceRegisters, kFifoRegisters);

constexpr KernelRegion kKernelRegionsSmall[] = {
    {0, kKernelRams, kKernelRamWords}};
constexpr KernelRegion kKernelRegionsLarge[] = {
    {0, kKernelRams, kKernelRamWords},
    {kKernelWords, kKernelRams, kKernelExtraRamWords}};

class Max78002 final : public Device {
public:
  DeviceKind kind() const override { return DeviceKind::MAX78002; }
  llvm::StringRef name() const override { return "MAX78002"; }
  llvm::StringRef dieName() const override { return "AI87"; }

  unsigned maxLayers() const override { return kLayers; }
  unsigned maxStartLayer() const override { return kLayers - 1; }
  unsigned maxChannels() const override { return 16 * 64; }
  unsigned maxDim() const override { return 2048; }
  bool supportsKernel(LayerOp op, unsigned kh, unsigned kw) const override {
    switch (op) {
    case LayerOp::Conv2d:
      return (kh == 1 && kw == 1) || (kh == 3 && kw == 3);
    case LayerOp::ConvTranspose2d:
      return kh == 3 && kw == 3;
    case LayerOp::Conv1d:
      return kh >= 1 && kh <= 9 && kw == 1;
    case LayerOp::Linear:
    case LayerOp::None:
      return kh == 1 && kw == 1;
    }
    return false;
  }
  unsigned maxPadding() const override { return 2; }
  unsigned maxStride(LayerOp op) const override {
    return op == LayerOp::ConvTranspose2d ? 2 : 1;
  }
  unsigned maxPoolDilation() const override { return 16; }
  unsigned maxPoolPasses() const override { return 1u << 16; }
  unsigned maxDilation(LayerOp op) const override {
    return op == LayerOp::Conv1d ? maxDim() - 1 : 1;
  }

  bool hasFeature(Feature feature) const override {
    switch (feature) {
    case Feature::Depthwise:
    case Feature::Conv1dDilation:
    case Feature::BinaryWeights:
    case Feature::LinkLayers:
    case Feature::PoolDilation:
    case Feature::ConvTransposeStride:
    case Feature::BiasMultiQuadrant:
    case Feature::ReadAhead:
    case Feature::CalcX4:
    case Feature::Pipeline:
    case Feature::Pll:
    case Feature::KernelBypass:
    case Feature::FifoGo:
    case Feature::Snoop:
    case Feature::OneShot:
    case Feature::StreamBias:
    case Feature::MultipassReadGap:
    case Feature::StreamNonPaddedFinal:
      return true;
    default:
      return false;
    }
  }
  bool needs(Requirement requirement) const override {
    switch (requirement) {
    case Requirement::RegisterClear:
    case Requirement::NewStreaming:
    case Requirement::PassthroughAvgPoolAfterEltwise:
    case Requirement::WeightMask:
    case Requirement::DoubleMultipassPassthrough:
    case Requirement::Emulate1x1Streaming:
    case Requirement::SemaLpwken:
    case Requirement::PmonGpio:
      return true;
    default:
      return false;
    }
  }

  uint32_t dataInstanceBytes() const override { return kDataInstanceBytes; }
  uint32_t dataInstanceStride() const override { return kDataInstanceStride; }
  unsigned dataRamsPerInstance() const override { return kDataRams; }
  unsigned writePointerInstanceShift() const override { return kWritePtrShift; }
  uint32_t kernelProcessorStride() const override {
    return kKernelProcessorStride;
  }
  unsigned kernelWordsPerProcessor(unsigned processor) const override {
    assert(processor < numProcessors() && "processor out of range");
    return processor % processorsPerGroup() == 0 ? kKernelWordsLarge
                                                 : kKernelWords;
  }
  llvm::ArrayRef<KernelRegion>
  kernelRegions(unsigned processor) const override {
    assert(processor < numProcessors() && "processor out of range");
    if (processor % processorsPerGroup() == 0)
      return kKernelRegionsLarge;
    return kKernelRegionsSmall;
  }
  unsigned biasBytesPerGroup() const override { return kBiasBytes; }
  unsigned tramWordsPerProcessor() const override { return kTramWords; }
  uint32_t tramProcessorStride() const override { return kTramProcessorStride; }

  uint32_t groupBase(unsigned group) const override {
    assert(group < numGroups() && "group out of range");
    return kApbBase + kCnnBase + group * kGroupStride;
  }
  uint32_t biasBase(unsigned group) const override {
    return groupBase(group) + kBiasOffset;
  }
  uint32_t tramBase(unsigned group, unsigned proc) const override {
    assert(proc < processorsPerGroup() && "processor out of range");
    return groupBase(group) + kTramOffset + proc * kTramProcessorStride;
  }
  uint32_t kernelBase(unsigned group, unsigned proc) const override {
    assert(proc < processorsPerGroup() && "processor out of range");
    return groupBase(group) + kKernelOffset + proc * kKernelProcessorStride;
  }
  uint32_t dataBase(unsigned group) const override {
    return groupBase(group) + kDataOffset;
  }

  llvm::ArrayRef<RegisterInfo> registers() const override { return kRegisters; }
  SramTestCommand memoryTest(MemoryKind memory) const override {
    // Bits 10..13 select the memories a MAX78002 test command applies to.
    switch (memory) {
    case MemoryKind::Data:
      return {1u << 12 | 1u << 0, 1u << 18, 1u << 14};
    case MemoryKind::Kernel:
      return {1u << 13 | 1u << 2, 1u << 19, 1u << 15};
    case MemoryKind::Tram:
      return {1u << 13 | 1u << 12 | 1u << 4, 1u << 20, 1u << 16};
    case MemoryKind::Bias:
      return {1u << 12 | 1u << 11 | 1u << 10 | 1u << 6, 1u << 21, 1u << 17};
    }
    return {0, 0, 0};
  }
  std::optional<SramTestCommand> registerClear(bool withBias) const override {
    uint32_t start = 1u << 12 | 1u << 11 | 1u << 7;
    if (withBias)
      start |= 1u << 10;
    return SramTestCommand{start, 1u << 25, 0};
  }
  ClockInfo clocks() const override { return {120, 60, 200, 50, 16, 4, 10}; }
  uint32_t riscvSramOrigin() const override { return 0x2005C000; }
  llvm::ArrayRef<llvm::StringRef> boards() const override {
    static const llvm::StringRef kBoards[] = {"EvKit_V1", "BCB", "Emulator"};
    return kBoards;
  }
};

} // namespace

const Device &tornado::target::detail::getMax78002() {
  static const Max78002 device;
  return device;
}
