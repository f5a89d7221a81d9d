//===- Device.h - MAX7800x accelerator target model -------------*- C++ -*-===//
//
// The single source of hardware facts for Tornado. Verifiers, passes, the
// interpreter and the emitter ask a Device instead of hard-coding numbers.
// One implementation per chip (MAX78000, MAX78002) behind this interface;
// docs/hardware.md explains every fact and where it was learned.
//
// Conventions: "group" is one of the four 16-processor quadrants (0..3);
// "proc" is a processor inside a group (0..15); "processor" is a global
// processor number (0..63, = group * 16 + proc). Addresses are 32-bit bus
// addresses. Functions taking raw indices assert their documented
// preconditions: validate user input with the limit queries first.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_TARGET_DEVICE_H
#define TORNADO_TARGET_DEVICE_H

#include "tornado/Target/Registers.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <optional>
#include <utility>

namespace tornado {
namespace target {

enum class DeviceKind { MAX78000, MAX78002 };

/// The computation a hardware layer performs after optional pooling.
/// None is a pass-through (pooling and/or element-wise only).
enum class LayerOp { None, Conv1d, Conv2d, ConvTranspose2d, Linear };

/// Element-wise operations of the accelerator.
enum class EltwiseOp { Add, Sub, Or, Xor };

/// Optional capabilities that only some devices have (as the izer enforces
/// them; where the izer's README claims more, docs/hardware.md says so).
enum class Feature {
  Depthwise,             // groups == channels convolution
  Dilation,              // Conv2d dilation > 1 (the izer allows it nowhere)
  Conv1dDilation,        // Conv1d dilation > 1 (kernel stretch or 2D emulation)
  BinaryWeights,         // -1/+1 weights
  LinkLayers,            // next-layer pointers, start layer > 0
  KernelSizes2D,         // Conv2d kernels other than 1x1 and 3x3
  PoolDilation,          // pooling dilation > 1
  ConvTransposeStride,   // ConvTranspose2d (always stride 2)
  BiasMultiQuadrant,     // one layer's bias split over several groups
  ReadAhead,             // per-layer read-ahead
  CalcX4,                // 4x parallel kernel-memory calculation
  Pipeline,              // pipelined CNN clock
  Pll,                   // PLL clock source for the CNN
  KernelBypass,          // layer without kernels (bypass)
  FifoGo,                // start on first FIFO word
  Snoop,                 // conditional execution (snoop registers)
  OneShot,               // one layer per start
  StreamBias,            // bias in the first streaming layer works directly
  MultipassReadGap,      // read_gap (input skip) allowed
  MultipassPaddedConv1d, // padded Conv1d with more than 64 inputs
  MultipassEltwiseConvBias, // multi-pass eltwise + conv with bias together
  StreamingPassthrough,     // pass-through layers may stream
  RolloverReadback,         // rollover register reads back what was written
  StreamNonPaddedFinal,     // last streaming layer may be unpadded
};

/// Work-arounds and protocol requirements a code generator must honour.
enum class Requirement {
  RegisterClear,    // clear registers via SRAM test before configuring
  NewStreaming,     // MAX78002 streaming parameter formulas
  FifoCpl,          // FIFO control needs its bit 11
  FlattenBiasFirst, // flatten layers place bias first
  PassthroughAvgPoolAfterEltwise, // insert pass-through before such avg pool
  WeightMask,                     // depth-wise kernels need masked placement
  DoubleMultipassPassthrough,     // 2x multi-pass pass-through handling
  MultipassKernelOffsetMultiwrite,
  OneShotClear,            // one-shot mode needs explicit clear
  EmulateEltwiseMultipass, // eltwise over > 2 passes is emulated
  Emulate1x1Streaming,     // streaming 1x1 kernels become padded 3x3
  SemaLpwken,              // semaphore low-power wake-up enable
  PmonGpio,                // power monitor via GPIO
};

/// Kernel memory of one processor is split into RAM instances; a region is a
/// run of equal instances.
struct KernelRegion {
  unsigned firstColumn;
  unsigned instances;
  unsigned columnsPerInstance;
};

/// Memories with a built-in self test.
enum class MemoryKind { Data, Kernel, Tram, Bias };

/// One SRAM-test (BIST/zeroize) command: write `start` to the group's
/// SramTest register, poll until (value & doneMask) == doneMask, check
/// (value & errorMask) == 0 (BIST only), then write 0.
struct SramTestCommand {
  uint32_t start;
  uint32_t doneMask;
  uint32_t errorMask;
};

/// Clock facts (MHz).
struct ClockInfo {
  unsigned ipoMHz;
  unsigned apbMHz;
  unsigned pllMHz;            // 0 if no PLL
  unsigned maxUnpipelinedMHz; // above this the pipeline must be on
  unsigned maxClockDivider;
  /// Divider of the PLL clock while weights and data are loaded when the
  /// network itself runs faster (the balanced-power clock scheme).
  unsigned loadClockDivider;
  /// Delay after powering the memories before releasing isolation (ms).
  unsigned loadSwitchDelayMs;
};

/// System registers main() writes to override the oscillator trims
/// (`--clock-trim`): the trim test-mode enable, the trim control word with
/// the 7.3728 MHz (bits 0-15) and 60 MHz (9 bits at 22) trims, the limit
/// register whose 9 bits at 15 hold the high limit, and the 100 MHz trim.
struct TrimRegisters {
  uint32_t testMode;
  uint32_t trimControl;
  unsigned ibroTrimBits;
  unsigned isoTrimShift, isoTrimBits;
  uint32_t limit;
  unsigned limitShift, limitBits;
  uint32_t ipoTrim;
};

/// What a bus address refers to.
enum class AddressKind { Register, Bias, Tram, Kernel, Data };

struct DecodedAddress {
  AddressKind kind;
  /// Register description (kind == Register), else null.
  const RegisterInfo *reg = nullptr;
  /// Group; 0 for Absolute registers.
  unsigned group = 0;
  /// Kernel, Tram: processor in the group. Data: memory instance in the
  /// group (0..3). Register: slot (layer, streaming layer, FIFO).
  unsigned index = 0;
  /// Byte offset inside the memory window (Bias: entry * 4; Kernel: inside
  /// the processor's window, column = offset / 16 in plain mode; Data:
  /// inside the instance). 0 for registers.
  uint32_t offset = 0;
};

class Device {
public:
  virtual ~Device();

  static const Device &get(DeviceKind kind);
  /// Parses "MAX78000", "max78000", "AI85", "85", "78000" (and the MAX78002
  /// spellings "MAX78002", "AI87", "87", "78002"), case-insensitively.
  static std::optional<DeviceKind> parse(llvm::StringRef name);
  /// Like parse(), with an error naming the accepted spellings.
  static llvm::Expected<const Device &> lookup(llvm::StringRef name);

  virtual DeviceKind kind() const = 0;
  /// Part number, "MAX78000" or "MAX78002".
  virtual llvm::StringRef name() const = 0;
  /// Die type, "AI85" or "AI87".
  virtual llvm::StringRef dieName() const = 0;

  //===--- Processors and groups ----------------------------------------===//
  unsigned numGroups() const { return 4; }
  unsigned processorsPerGroup() const { return 16; }
  unsigned numProcessors() const { return numGroups() * processorsPerGroup(); }
  /// Mask with every processor's bit set.
  uint64_t allProcessorsMask() const {
    return numProcessors() >= 64 ? ~uint64_t(0)
                                 : (uint64_t(1) << numProcessors()) - 1;
  }
  /// Processors sharing one data memory instance (p, p+1, p+2, p+3 with p a
  /// multiple of 4).
  unsigned processorsPerDataInstance() const { return 4; }
  unsigned dataInstancesPerGroup() const {
    return processorsPerGroup() / processorsPerDataInstance();
  }

  //===--- Limits ---------------------------------------------------------===//
  /// Hardware layers (including inserted ones) in one program.
  virtual unsigned maxLayers() const = 0;
  /// Highest layer a program may start at (0 without link layers).
  virtual unsigned maxStartLayer() const = 0;
  /// Streaming is possible in layers 0 .. maxStreamLayers()-1 only.
  unsigned maxStreamLayers() const { return 8; }
  /// Channels a layer may have (in or out), across all passes.
  virtual unsigned maxChannels() const = 0;
  /// Passes over the processors (input expansion / output expansion).
  unsigned maxPasses() const { return 16; }
  /// Largest extra write-pointer step after each output word (the layer's
  /// WptrInc field): passes * (write_gap + 1) - 1 for a convolution,
  /// write_gap otherwise.
  unsigned maxWritePointerSkip() const;
  /// Passes needed for `channels` and the channels (processors) per pass:
  /// with more than one pass the per-pass count is rounded up to whole
  /// data-memory instances. Every reader of pass counts asks here.
  std::pair<unsigned, unsigned> splitPasses(int64_t channels) const;
  /// Max rows/cols of an input or output feature map.
  virtual unsigned maxDim() const = 0;
  /// rows * cols * input passes must stay below this.
  uint32_t maxFrameSize() const { return 1u << 21; }
  virtual bool supportsKernel(LayerOp op, unsigned kh, unsigned kw) const = 0;
  /// Largest zero padding of a convolution (also < kernel size).
  virtual unsigned maxPadding() const = 0;
  /// Whether `pad` is allowed; `inputPasses` > 1 matters for Conv1d on
  /// MAX78002. For ConvTranspose2d `pad` is the PyTorch padding.
  bool supportsPadding(LayerOp op, unsigned pad, unsigned kernel,
                       unsigned inputPasses = 1) const;
  /// The only convolution stride the hardware runs (1, or 2 for
  /// ConvTranspose2d); downsampling uses the pooling stride.
  virtual unsigned maxStride(LayerOp op) const = 0;
  bool supportsStride(LayerOp op, unsigned stride) const {
    return stride == maxStride(op);
  }
  /// Output padding of ConvTranspose2d (fixed to 1).
  unsigned convTransposeOutputPadding() const { return 1; }
  unsigned minPoolSize() const { return 1; }
  unsigned maxPoolSize() const { return 16; }
  unsigned maxPoolStride() const { return 16; }
  virtual unsigned maxPoolDilation() const = 0;
  /// Pool window kh x kw with `stride` (same in both directions) and
  /// dilation dh/dw: (k - 1) * d must fit the 4-bit pool counter.
  bool supportsPool(unsigned kh, unsigned kw, unsigned stride, unsigned dh = 1,
                    unsigned dw = 1) const;
  /// Pass-through pooling over more passes than this is not possible.
  virtual unsigned maxPoolPasses() const = 0;
  /// Largest dilation of `op` (Conv1d: maxDim() - 1; others 1).
  virtual unsigned maxDilation(LayerOp op) const = 0;
  /// Conv1d dilation d > 1 needs kernel > 1 and either (k-1)*d < 9 (kernel
  /// stretching) or k <= 3 (2D emulation), d <= maxDilation.
  bool supportsDilation(LayerOp op, unsigned kernel, unsigned dilation) const;
  /// Output shift accepted by the layer's shift field (after the implicit
  /// 8 - weight-bits shift has been added). Negative shifts shift right.
  int minOutputShift() const { return -15; }
  int maxOutputShift() const { return 15; }
  /// 1, 2, 4, 8; -1 means binary (-1/+1) weights.
  bool supportsWeightBits(int bits) const {
    return bits == 1 || bits == 2 || bits == 4 || bits == 8 ||
           (bits == -1 && hasFeature(Feature::BinaryWeights));
  }
  virtual bool hasFeature(Feature feature) const = 0;
  virtual bool needs(Requirement requirement) const = 0;
  /// Whether an element-wise operation of `operands` operands over
  /// `passes` passes must run in a layer of its own, without pooling or a
  /// convolution (devices that emulate more than 2 x 2 passes).
  bool eltwiseStandsAlone(unsigned operands, unsigned passes) const {
    return needs(Requirement::EmulateEltwiseMultipass) && operands > 1 &&
           passes > 1 && operands * passes != operands + passes;
  }
  unsigned minEltwiseOperands() const { return 2; }
  unsigned maxEltwiseOperands() const { return 16; }
  /// Pooling after an element-wise op ("pool last") supports this many
  /// operands.
  unsigned maxPoolLastOperands() const { return 2; }
  /// Flatten: pooled rows * cols <= 256 and passes * rows * cols <= 256.
  unsigned maxFlattenPixels() const { return 256; }
  /// Input channels of the first layer when loading through the FIFOs.
  unsigned maxFifoChannels(bool chw) const { return chw ? 4 : 16; }
  /// Processors the FIFOs can feed (CHW: 0, 16, 32, 48; HWC: 0-3, 16-19,
  /// 32-35, 48-51).
  uint64_t fifoProcessorMask(bool chw) const;
  unsigned maxFastFifoChannels(bool chw) const { return chw ? 1 : 4; }

  //===--- Memories -------------------------------------------------------===//
  /// Usable bytes of one data memory instance (shared by 4 processors).
  virtual uint32_t dataInstanceBytes() const = 0;
  /// Address step between instances (>= dataInstanceBytes(); MAX78002 has a
  /// hole after each instance).
  virtual uint32_t dataInstanceStride() const = 0;
  /// One processor's share of its instance (its byte lane of every word).
  uint32_t dataMemoryBytesPerProcessor() const {
    return dataInstanceBytes() / processorsPerDataInstance();
  }
  /// Physical RAMs making up one instance (read-ahead needs separate RAMs).
  virtual unsigned dataRamsPerInstance() const = 0;
  uint32_t dataRamBytes() const {
    return dataInstanceBytes() / dataRamsPerInstance();
  }
  /// RAM of the instance holding byte offset `byteOffset`.
  unsigned dataRamIndex(uint32_t byteOffset) const {
    return byteOffset / dataRamBytes();
  }
  /// WritePtrBase/offset registers: word offset below this bit, memory
  /// instance (0..15 across the device) from this bit up.
  virtual unsigned writePointerInstanceShift() const = 0;

  /// Kernel memory words are 72 bits (9 bytes) at a 16-byte stride.
  unsigned kernelWordBytes() const { return 9; }
  unsigned kernelWordStride() const { return 16; }
  /// Address step between processors' kernel windows.
  virtual uint32_t kernelProcessorStride() const = 0;
  /// Bits of an express kernel address below the processor window that
  /// carry column * 4 (kernelExpressAddress); shifting them up by 2 gives
  /// the column's 16-byte slot.
  uint32_t kernelExpressColumnMask() const {
    return kernelProcessorStride() / 4 - 1;
  }
  /// Kernel-memory words (columns) of global processor `processor`.
  virtual unsigned kernelWordsPerProcessor(unsigned processor) const = 0;
  /// Instance layout of processor `processor`'s kernel memory.
  virtual llvm::ArrayRef<KernelRegion>
  kernelRegions(unsigned processor) const = 0;
  /// The mask-register column of logical column `column` in calcx4 layers
  /// (identity without CalcX4): a calcx4 layer reads the instances of a
  /// kernel-memory region in parallel, so consecutive logical columns
  /// rotate over the instances.
  unsigned calcX4Column(unsigned column) const;
  /// Where a calcx4 layer stores logical column `column` (identity without
  /// CalcX4): its kernels, starting at logical column `start`, are cut into
  /// runs of `quarter` columns, one run per instance of the region, each
  /// at column start / instances of its instance.
  unsigned calcX4KernelColumn(unsigned column, unsigned start,
                              unsigned quarter) const;
  /// Output channels a calcx4 layer computes at once (the kernel-memory
  /// instances read in parallel; 1 without CalcX4).
  unsigned calcX4Lanes() const;

  /// Bias memory bytes per group; each byte is stored in its own 32-bit
  /// word.
  virtual unsigned biasBytesPerGroup() const = 0;
  /// Bias values are scaled by this (<< 7) in hardware.
  unsigned biasScale() const { return 128; }

  /// TRAM (per-processor row buffer) 32-bit words per processor.
  virtual unsigned tramWordsPerProcessor() const = 0;
  virtual uint32_t tramProcessorStride() const = 0;

  unsigned numFifos() const { return 4; }

  //===--- Address map ----------------------------------------------------===//
  /// Base of all peripheral (APB) addresses of the accelerator and FIFOs.
  uint32_t apbBase() const;
  /// Group control register block (Control is at offset 0).
  virtual uint32_t groupBase(unsigned group) const = 0;
  virtual uint32_t biasBase(unsigned group) const = 0;
  virtual uint32_t tramBase(unsigned group, unsigned proc) const = 0;
  /// Processor `proc`'s kernel window; column c is at + c * 16.
  virtual uint32_t kernelBase(unsigned group, unsigned proc) const = 0;
  /// Data memory of the group (instance 0).
  virtual uint32_t dataBase(unsigned group) const = 0;
  uint32_t dataInstanceBase(unsigned group, unsigned instance) const;
  /// The 32-bit word holding global processor `processor`'s data at byte
  /// offset `byteOffset` of its instance (offsets are per instance, in
  /// bytes, word-granular: the low 2 bits are dropped). In HWC data the
  /// processor owns byte lane dataByteLane(); CHW data packs 4 pixels of one
  /// channel per word.
  uint32_t dataWordAddress(unsigned processor, uint32_t byteOffset) const;
  unsigned dataByteLane(unsigned processor) const { return processor % 4; }
  uint32_t kernelWordAddress(unsigned group, unsigned proc,
                             unsigned column) const;
  /// Express (mexpress) loading: the address whose byte store of 0x01 at
  /// (address | 1) selects `column`; following 32-bit stores into the
  /// processor's window stream packed kernel bytes.
  uint32_t kernelExpressAddress(unsigned group, unsigned proc,
                                unsigned column) const;
  /// Bias entry `index` (one byte per 32-bit word).
  uint32_t biasAddress(unsigned group, unsigned index) const;
  uint32_t tramAddress(unsigned group, unsigned proc, unsigned word) const;
  uint32_t fifoControlAddress() const;
  uint32_t fifoStatusAddress() const;
  uint32_t fifoDataAddress(unsigned fifo) const;
  uint32_t aonControlAddress() const;
  uint32_t fastFifoBase() const;
  uint32_t fastFifoDataAddress() const;
  uint32_t fastFifoStatusAddress() const;
  /// Classifies a bus address, or nullopt if it is no accelerator register
  /// or memory location of this device.
  std::optional<DecodedAddress> decodeAddress(uint32_t address) const;

  //===--- Registers ------------------------------------------------------===//
  virtual llvm::ArrayRef<RegisterInfo> registers() const = 0;
  const RegisterInfo *findRegister(Reg id) const;
  const RegisterInfo *findRegister(llvm::StringRef name) const;
  /// Address of slot `slot` (layer, streaming layer or FIFO) of `reg` in
  /// `group` (ignored for Absolute registers); errors on a bad group/slot.
  llvm::Expected<uint32_t> registerAddress(const RegisterInfo &reg,
                                           unsigned group,
                                           unsigned slot = 0) const;
  llvm::Expected<uint32_t> registerAddress(Reg id, unsigned group,
                                           unsigned slot = 0) const;
  /// Encodes fields of register `id` (see encodeRegister); errors if this
  /// device lacks the register.
  llvm::Expected<uint32_t> encode(Reg id,
                                  llvm::ArrayRef<FieldValue> values) const;

  /// Post-register bits for output shift `shift` (magnitude and direction).
  llvm::Expected<uint32_t> encodeOutputShift(int shift) const;
  /// Post.WeightSize code for `bits` (8->0, 1 and binary->1, 2->2, 4->3).
  std::optional<unsigned> weightSizeCode(int bits) const;
  /// OneD.EwiseFunc code.
  static unsigned eltwiseCode(EltwiseOp op);
  /// SramControl value every program writes (read margin 3, enabled, write
  /// negative voltage enabled).
  uint32_t defaultSramControl() const;
  /// Register values of the small layer inserted before an average pool that
  /// directly follows an element-wise layer (Requirement::
  /// PassthroughAvgPoolAfterEltwise): it only resets the pool accumulator.
  /// Its write and read pointers are those of the layer it precedes.
  struct AvgPoolResetLayer {
    uint32_t rows, columns, stride, layerControl, oneD, post, enables;
  };
  /// None on devices that need no such layer.
  std::optional<AvgPoolResetLayer> avgPoolResetLayer() const;
  /// BIST command for a memory.
  virtual SramTestCommand memoryTest(MemoryKind memory) const = 0;
  /// Register/memory clear run before configuring (Requirement::
  /// RegisterClear); `withBias` also clears bias memory. errorMask is 0.
  virtual std::optional<SramTestCommand> registerClear(bool withBias) const = 0;

  //===--- Clocks and system ----------------------------------------------===//
  virtual ClockInfo clocks() const = 0;
  /// Oscillator trim registers (the same system block on both devices).
  TrimRegisters trimRegisters() const {
    return {0x40000c00, 0x40005420, 16, 22, 9, 0x40005440, 15, 9, 0x40006c04};
  }
  /// GPIO [port, pin] the EV kit's fail() raises when a program that runs
  /// forever fails its check (a trigger for measurement equipment).
  std::pair<unsigned, unsigned> failurePin() const { return {2, 4}; }
  /// Board support packages the MSDK has for this device (`--board-name`);
  /// the first is the default.
  virtual llvm::ArrayRef<llvm::StringRef> boards() const = 0;
  /// Start of RISC-V code/data in system SRAM.
  virtual uint32_t riscvSramOrigin() const = 0;
};

/// "MAX78000" / "MAX78002".
llvm::StringRef deviceKindName(DeviceKind kind);

} // namespace target
} // namespace tornado

#endif // TORNADO_TARGET_DEVICE_H
