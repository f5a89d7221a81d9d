//===- MAX78000.cpp - MAX78000 (AI85) hardware facts ----------------------===//
//
// Sources (izer): tornadocnn.py (DevAI85 constants, lreg_addr/ctl_addr),
// backend/max7800x.py (register field usage), apbaccess.py (memory address
// formulas), README.md (limits). Register fields are cross-checked against
// the conformance corpus by unittests/Target.
//
//===----------------------------------------------------------------------===//

#include "CommonRegisters.h"

using namespace tornado::target;
using namespace tornado::target::detail;

namespace {

// Address map, relative to the APB base.
constexpr uint32_t kCnnBase = 0x100000; // group 0 control block
constexpr uint32_t kGroupStride = 0x400000;
constexpr uint32_t kBiasOffset = 0x8000; // from the group base
constexpr uint32_t kTramOffset = 0x10000;
constexpr uint32_t kKernelOffset = 0x80000;
constexpr uint32_t kDataOffset = 0x300000;

constexpr uint32_t kDataInstanceBytes = 0x8000; // 8192 words of 4 bytes
constexpr uint32_t kKernelWords = 768;
constexpr uint32_t kKernelProcessorStride = 1024 * 16;
constexpr unsigned kTramWords = 3072;
constexpr uint32_t kTramProcessorStride = 4096 * 4;
constexpr unsigned kBiasBytes = 512;
constexpr unsigned kWritePtrShift = 13;

// Per-layer registers: bank r holds one word per layer (32 layers), so bank
// r starts at 0x10 + r * 32 * 4 and layer l adds l * 4.
constexpr uint32_t kLayerBankBase = 0x10;
constexpr uint32_t kLayerBankStride = 32 * 4;
constexpr uint32_t kLayerStride = 4;
constexpr unsigned kLayers = 32;
constexpr uint32_t layerBank(unsigned bank) {
  return kLayerBankBase + bank * kLayerBankStride;
}

constexpr BitField kControlFields[] = {
    {"CnnEn", 0, 1, "run (group 0 last: master enable)"},
    {"RdySel", 1, 2, "APB wait states"},
    {"ClkEn", 3, 1, "data-path clock"},
    {"CalcMax", 4, 1, "global max pooling (set by --ext-rdy)"},
    {"PoolEn", 5, 1, "global pooling"},
    {"BigData", 6, 1, "global CHW input"},
    {"ApbClkEn", 7, 1, "APB clock always on"},
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
    {"FClkDly", 24, 6, "FIFO clock delay"},
    {"TimeShift", 30, 1, "pooling wait state"},
    {"QuPac", 31, 1, "x16 parallel processing of one input"},
};

constexpr BitField kLayerCountFields[] = {
    {"LastLayer", 0, 5, "index of the last layer"},
};

constexpr BitField kInputFrameSizeFields[] = {
    {"Size", 0, 20, "streaming input frame size (bytes, or words for CHW)"},
};

constexpr BitField kCountFields[] = {
    {"Count", 0, 10, "rows/cols - 1 + 2 * pad"},
    {"Pad", 16, 2, "pad rows/cols at both ends"},
};

constexpr BitField kPoolCountFields[] = {
    {"Count", 0, 4, "pool size - 1"},
};

constexpr BitField kStrideFields[] = {
    {"Stride", 0, 4, "pool stride - 1 (or conv stride - 1)"},
};

constexpr BitField kWritePtrBaseFields[] = {
    {"Offset", 0, kWritePtrShift, "word offset in the instance"},
    {"Instance", kWritePtrShift, 4, "data memory instance 0..15"},
};

constexpr BitField kPointerFields[] = {
    {"Offset", 0, 17, "words"},
};

constexpr BitField kMaskCountFields[] = {
    {"Max", 0, 16, "last kernel-memory bit address (column * 8 + bit)"},
    {"Start", 16, 16, "first kernel-memory bit address"},
};

constexpr BitField kTramPtrFields[] = {
    {"Max", 0, 12, "TRAM rollover point"},
    {"Start", 16, 12, "TRAM start (streaming)"},
};

constexpr BitField kLayerControl2Fields[] = {
    {"InChExp", 0, 4, "input passes - 1 (flatten: low 4 bits)"},
    {"WptrInc", 4, 4, "extra write-pointer increment"},
    {"XpchMax", 8, 9, "highest output processor offset * weight bits"},
};

constexpr BitField kStreamStartFields[] = {
    {"Start", 0, 14, "prefill count before the layer starts"},
};

constexpr BitField kStreamDeltaFields[] = {
    {"InVol", 0, 4, "input volume offset"},
    {"Delta1", 4, 5, "in-row cadence"},
    {"Delta2", 16, 12, "row-to-row cadence"},
};

constexpr BitField kRolloverFields[] = {
    {"Max", 0, 17, "circular buffer size (words)"},
};

constexpr RegisterInfo kDeviceRegisters[] = {
    {Reg::Control, "Control", RegisterSpace::Group, 0x0, 0, 1, kControlFields,
     "group control"},
    {Reg::SramControl, "SramControl", RegisterSpace::Group, 0x4, 0, 1,
     kSramControlFields, "memory timing and power"},
    {Reg::LayerCount, "LayerCount", RegisterSpace::Group, 0x8, 0, 1,
     kLayerCountFields, "last layer"},
    {Reg::SramTest, "SramTest", RegisterSpace::Group, 0xc, 0, 1,
     kSramTestFields, "memory self test and zeroize"},
    {Reg::InputFrameSize, "InputFrameSize", RegisterSpace::Group, layerBank(19),
     0, 1, kInputFrameSizeFields, "streaming input frame"},
    {Reg::Mlator, "Mlator", RegisterSpace::Group, 0x1000, 0, 1, kMlatorFields,
     "byte-lane unpacker"},
    {Reg::Rows, "Rows", RegisterSpace::Layered, layerBank(0), kLayerStride,
     kLayers, kCountFields, "row count"},
    {Reg::Columns, "Columns", RegisterSpace::Layered, layerBank(1),
     kLayerStride, kLayers, kCountFields, "column count"},
    {Reg::OneD, "OneD", RegisterSpace::Layered, layerBank(2), kLayerStride,
     kLayers, kOneDFields, "time slots, Conv1d, element-wise"},
    {Reg::PoolRows, "PoolRows", RegisterSpace::Layered, layerBank(3),
     kLayerStride, kLayers, kPoolCountFields, "pool rows"},
    {Reg::PoolColumns, "PoolColumns", RegisterSpace::Layered, layerBank(4),
     kLayerStride, kLayers, kPoolCountFields, "pool columns"},
    {Reg::Stride, "Stride", RegisterSpace::Layered, layerBank(5), kLayerStride,
     kLayers, kStrideFields, "stride"},
    {Reg::WritePtrBase, "WritePtrBase", RegisterSpace::Layered, layerBank(6),
     kLayerStride, kLayers, kWritePtrBaseFields, "output address"},
    {Reg::WritePtrTimeSlotOffset, "WritePtrTimeSlotOffset",
     RegisterSpace::Layered, layerBank(7), kLayerStride, kLayers,
     kPointerFields, "write pointer step per time slot"},
    {Reg::WritePtrMaskOffset, "WritePtrMaskOffset", RegisterSpace::Layered,
     layerBank(8), kLayerStride, kLayers, kPointerFields,
     "write pointer step per kernel"},
    {Reg::WritePtrChannelOffset, "WritePtrChannelOffset",
     RegisterSpace::Layered, layerBank(9), kLayerStride, kLayers,
     kPointerFields, "write pointer step per output pass"},
    {Reg::ReadPtrBase, "ReadPtrBase", RegisterSpace::Layered, layerBank(10),
     kLayerStride, kLayers, kPointerFields, "input word offset"},
    {Reg::LayerControl, "LayerControl", RegisterSpace::Layered, layerBank(11),
     kLayerStride, kLayers, kLayerControlCommonFields, "layer control"},
    {Reg::MaskCount, "MaskCount", RegisterSpace::Layered, layerBank(12),
     kLayerStride, kLayers, kMaskCountFields, "kernel memory range"},
    {Reg::TramPtr, "TramPtr", RegisterSpace::Layered, layerBank(13),
     kLayerStride, kLayers, kTramPtrFields, "TRAM pointers"},
    {Reg::Enables, "Enables", RegisterSpace::Layered, layerBank(14),
     kLayerStride, kLayers, kEnablesFields, "processor and kernel enables"},
    {Reg::Post, "Post", RegisterSpace::Layered, layerBank(15), kLayerStride,
     kLayers, kPostCommonFields, "post-processing"},
    // The streaming banks have 32 slots in the address map; only the first
    // maxStreamLayers() are meaningful.
    {Reg::StreamStart, "StreamStart", RegisterSpace::Layered, layerBank(16),
     kLayerStride, kLayers, kStreamStartFields, "streaming prefill"},
    {Reg::StreamDelta, "StreamDelta", RegisterSpace::Layered, layerBank(17),
     kLayerStride, kLayers, kStreamDeltaFields, "streaming cadence"},
    {Reg::Rollover, "Rollover", RegisterSpace::Layered, layerBank(18),
     kLayerStride, kLayers, kRolloverFields, "streaming buffer size"},
    {Reg::LayerControl2, "LayerControl2", RegisterSpace::Layered, layerBank(20),
     kLayerStride, kLayers, kLayerControl2Fields,
     "passes, write increment, expansion"},
};

constexpr auto kRegisters = concat(kDeviceRegisters, kFifoRegisters);

constexpr KernelRegion kKernelRegions[] = {{0, 1, kKernelWords}};

class Max78000 final : public Device {
public:
  DeviceKind kind() const override { return DeviceKind::MAX78000; }
  llvm::StringRef name() const override { return "MAX78000"; }
  llvm::StringRef dieName() const override { return "AI85"; }

  unsigned maxLayers() const override { return kLayers; }
  unsigned maxStartLayer() const override { return 0; }
  unsigned maxChannels() const override { return 16 * 64; }
  unsigned maxDim() const override { return 1024; }
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
  unsigned maxPoolDilation() const override { return 1; }
  unsigned maxPoolPasses() const override { return 1; }
  unsigned maxDilation(LayerOp op) const override {
    return op == LayerOp::Conv1d ? maxDim() - 1 : 1;
  }

  bool hasFeature(Feature feature) const override {
    switch (feature) {
    case Feature::Conv1dDilation:
    case Feature::ConvTransposeStride:
    case Feature::MultipassPaddedConv1d:
    case Feature::MultipassEltwiseConvBias:
    case Feature::StreamingPassthrough:
    case Feature::RolloverReadback:
      return true;
    default:
      return false;
    }
  }
  bool needs(Requirement requirement) const override {
    switch (requirement) {
    case Requirement::FifoCpl:
    case Requirement::FlattenBiasFirst:
    case Requirement::DoubleMultipassPassthrough:
    case Requirement::MultipassKernelOffsetMultiwrite:
    case Requirement::OneShotClear:
    case Requirement::EmulateEltwiseMultipass:
    case Requirement::Emulate1x1Streaming:
    case Requirement::SemaLpwken:
      return true;
    default:
      return false;
    }
  }

  uint32_t dataInstanceBytes() const override { return kDataInstanceBytes; }
  uint32_t dataInstanceStride() const override { return kDataInstanceBytes; }
  unsigned dataRamsPerInstance() const override { return 1; }
  unsigned writePointerInstanceShift() const override { return kWritePtrShift; }
  uint32_t kernelProcessorStride() const override {
    return kKernelProcessorStride;
  }
  unsigned kernelWordsPerProcessor(unsigned processor) const override {
    assert(processor < numProcessors() && "processor out of range");
    (void)processor;
    return kKernelWords;
  }
  llvm::ArrayRef<KernelRegion>
  kernelRegions(unsigned processor) const override {
    assert(processor < numProcessors() && "processor out of range");
    (void)processor;
    return kKernelRegions;
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
    // Start bit, then wait for BistDone plus the memory's done bit.
    constexpr uint32_t bistDone = 1u << 27;
    switch (memory) {
    case MemoryKind::Data:
      return {1u << 0, bistDone | 1u << 18, 1u << 14};
    case MemoryKind::Kernel:
      return {1u << 2, bistDone | 1u << 19, 1u << 15};
    case MemoryKind::Tram:
      return {1u << 4, bistDone | 1u << 20, 1u << 16};
    case MemoryKind::Bias:
      return {1u << 6, bistDone | 1u << 21, 1u << 17};
    }
    return {0, 0, 0};
  }
  std::optional<SramTestCommand> registerClear(bool) const override {
    return std::nullopt;
  }
  ClockInfo clocks() const override { return {100, 50, 0, 50, 16, 1, 0}; }
  uint32_t riscvSramOrigin() const override { return 0x2001C000; }
  llvm::ArrayRef<llvm::StringRef> boards() const override {
    static const llvm::StringRef kBoards[] = {"EvKit_V1", "FTHR_RevA", "MAXREFDES178", "CAM01_RevA", "CAM02_RevA", "Aud01_RevA", "BCB", "Emulator", "ROM"};
    return kBoards;
  }
};

} // namespace

const Device &tornado::target::detail::getMax78000() {
  static const Max78000 device;
  return device;
}
