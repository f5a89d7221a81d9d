//===- LowerToHWRegisters.cpp - Register stores of the generated code -----===//
//
// cnn_enable/init/configure/start, the interrupt handler, cnn_stop,
// cnn_continue and cnn_disable as ordered tornado_hw stores. The values
// follow the izer's rules (docs/lowering.md, "Registers"); field positions
// come from the device's register tables, so a device with another layout
// only changes lib/Target.
//
//===----------------------------------------------------------------------===//

#include "LowerToHW.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace tornado;
using namespace tornado::lower;
using target::Reg;

namespace {

class RegisterWriter {
public:
  RegisterWriter(hw::ProgramOp program, const NetworkFacts &facts,
                 const LowerOptions &opts)
      : program(program), facts(facts), opts(opts), dev(*facts.dev),
        builder(program.getContext()),
        resetRegs(dev.avgPoolResetLayer().value_or(
            target::Device::AvgPoolResetLayer{})) {}

  LogicalResult run();

private:
  hw::ProgramOp program;
  const NetworkFacts &facts;
  const LowerOptions &opts;
  const target::Device &dev;
  OpBuilder builder;
  /// Register values of an average-pool reset layer (the same for all;
  /// zeros, never written, where the device needs no such layer).
  const target::Device::AvgPoolResetLayer resetRegs;
  mutable bool failedAny = false;
  /// --write-zero-registers skipped a store for a missing layer slot.
  bool warnedMissingSlot = false;
  /// --verify-writes: stores in cnn_init, cnn_configure and cnn_start are
  /// read back, except those `uncheckedWrites` marks (the izer's list:
  /// clock enables and register clearing before the configuration, and
  /// rollover registers that do not read back).
  bool checkWrites = false;
  unsigned uncheckedWrites = 0;
  struct Unchecked {
    RegisterWriter &w;
    explicit Unchecked(RegisterWriter &w) : w(w) { ++w.uncheckedWrites; }
    ~Unchecked() { --w.uncheckedWrites; }
  };

  //===--- Helpers -------------------------------------------------------===//

  void beginFunc(hw::FuncKind kind) {
    checkWrites = opts.verifyWrites && (kind == hw::FuncKind::init ||
                                        kind == hw::FuncKind::configure ||
                                        kind == hw::FuncKind::start);
    builder.setInsertionPointToEnd(&program.getBody().front());
    auto func = builder.create<hw::FuncOp>(
        program.getLoc(), hw::FuncKindAttr::get(builder.getContext(), kind));
    builder.setInsertionPointToEnd(&func.getBody().emplaceBlock());
  }
  bool has(Reg r) const { return dev.findRegister(r) != nullptr; }
  bool hasField(Reg r, StringRef field) const {
    const target::RegisterInfo *info = dev.findRegister(r);
    return info && info->findField(field);
  }
  /// Field `field` of register `r` (must exist on the device).
  const target::BitField &bitField(Reg r, StringRef field) const {
    const target::RegisterInfo *info = dev.findRegister(r);
    const target::BitField *f = info ? info->findField(field) : nullptr;
    if (!f)
      llvm::report_fatal_error(llvm::Twine("register field ") +
                               target::registerName(r) + "." + field +
                               " missing from the device table");
    return *f;
  }
  /// Bit position of `field` of register `r`.
  unsigned lsb(Reg r, StringRef field) const { return bitField(r, field).lsb; }
  /// `v` in field `field` of register `r`. A value wider than the field is
  /// an error (the verifier should have refused the layer), never spilled
  /// into the next field.
  uint64_t put(Reg r, StringRef field, uint64_t v) const {
    const target::BitField &f = bitField(r, field);
    if (v > f.maxValue()) {
      hw::ProgramOp(program).emitError("register ")
          << target::registerName(r) << "." << field << ": value " << v
          << " does not fit its " << f.width << " bits";
      failedAny = true;
      return 0;
    }
    return v << f.lsb;
  }
  uint64_t address(Reg r, unsigned group, unsigned slot = 0) {
    llvm::Expected<uint32_t> a = dev.registerAddress(r, group, slot);
    if (!a) {
      program.emitError("register address: ") << llvm::toString(a.takeError());
      failedAny = true;
      return 0;
    }
    return *a;
  }
  void emitWrite(uint64_t addr, uint64_t value,
                 hw::WriteMode mode = hw::WriteMode::set) {
    builder.create<hw::WriteOp>(
        program.getLoc(), builder.getI64IntegerAttr(addr),
        builder.getI64IntegerAttr(value & 0xffffffffu),
        hw::WriteModeAttr::get(builder.getContext(), mode));
    if (checkWrites && !uncheckedWrites && mode == hw::WriteMode::set)
      builder.create<hw::CheckOp>(program.getLoc(),
                                  builder.getI64IntegerAttr(addr),
                                  builder.getI64IntegerAttr(0xffffffffu),
                                  builder.getI64IntegerAttr(value & 0xffffffffu));
  }
  /// The izer skips stores of 0 unless forced (or --write-zero-registers).
  void write(Reg r, unsigned group, unsigned slot, uint64_t value,
             bool force = false) {
    if (value == 0 && !force && !opts.writeZeroRegisters)
      return;
    // A layer the register has no slot for (MAX78002 keeps the stream
    // registers of 8 layers): its zero is not stored. The izer stores it at
    // an address inside the next register's slots, which can clear the
    // stream settings of an earlier layer (docs/conformance.md).
    const target::RegisterInfo *info = dev.findRegister(r);
    if (value == 0 && !force && info && slot >= info->count) {
      if (!warnedMissingSlot)
        program.emitWarning("--write-zero-registers: no zero is stored for ")
            << target::registerName(r) << " of layer " << slot
            << ", which has no such register; the izer stores it at another "
               "register's address";
      warnedMissingSlot = true;
      return;
    }
    emitWrite(address(r, group, slot), value);
  }
  void poll(Reg r, unsigned group, uint32_t mask, uint32_t value) {
    builder.create<hw::PollOp>(
        program.getLoc(), builder.getI64IntegerAttr(address(r, group)),
        builder.getI64IntegerAttr(mask), builder.getI64IntegerAttr(value));
  }
  void sysWrite(hw::SysReg reg, uint64_t value,
                hw::WriteMode mode = hw::WriteMode::set) {
    builder.create<hw::SysWriteOp>(
        program.getLoc(), hw::SysRegAttr::get(builder.getContext(), reg),
        builder.getI64IntegerAttr(value),
        hw::WriteModeAttr::get(builder.getContext(), mode));
  }
  uint64_t groupBits(uint64_t mask, unsigned group) const {
    return (mask >> (group * dev.processorsPerGroup())) & 0xffff;
  }
  bool pipelineOff() const {
    return dev.hasFeature(target::Feature::Pipeline) && !opts.pipeline;
  }
  /// Words per data-memory instance step as the write pointer counts them
  /// (the izer's INSTANCE_SIZE: instance stride / 16).
  uint64_t instanceSize() const { return dev.dataInstanceStride() / 16; }
  /// Group mask of the used groups (power domains).
  unsigned groupMask() const {
    unsigned m = 0;
    for (unsigned g : facts.groupsUsed)
      m |= 1u << g;
    return m;
  }

  //===--- Functions ---------------------------------------------------===//
  void enable();
  void init();
  void configure();
  void configureLayer(const HwLayer &l, unsigned group, unsigned gindex,
                      bool localSource);
  void streamRegisters(const HwLayer &l, unsigned group, unsigned ll);
  /// The control value cnn_start builds before adding per-group bits.
  uint64_t startControl() const;
  void start();
  void isr();
  void stopAndContinue();
  void disable();
};

void RegisterWriter::enable() {
  beginFunc(hw::FuncKind::enable);
  unsigned mask = groupMask();
  unsigned all = (1u << dev.numGroups()) - 1;
  sysWrite(hw::SysReg::gcfr_reg3, 0xf);  // reset
  sysWrite(hw::SysReg::gcfr_reg1, mask); // memory mask
  sysWrite(hw::SysReg::gcfr_reg0, mask); // power
  // The load switches need time where the device says so
  // (tornado-configure-host applies --switch-delay).
  if (unsigned ms = dev.clocks().loadSwitchDelayMs)
    builder.create<hw::DelayOp>(program.getLoc(),
                                builder.getI64IntegerAttr(int64_t(ms) * 1000));
  sysWrite(hw::SysReg::gcfr_reg2, ~mask & all); // isolation
  sysWrite(hw::SysReg::gcfr_reg3, 0);
  builder.create<hw::ClockEnableOp>(program.getLoc());
}

void RegisterWriter::disable() {
  beginFunc(hw::FuncKind::disable);
  builder.create<hw::ClockDisableOp>(program.getLoc());
  sysWrite(hw::SysReg::gcfr_reg3, 0xf);
  sysWrite(hw::SysReg::gcfr_reg2, 0xf, hw::WriteMode::bit_or);
  sysWrite(hw::SysReg::gcfr_reg0, 0);
  sysWrite(hw::SysReg::gcfr_reg1, 0);
  sysWrite(hw::SysReg::gcfr_reg3, 0);
}

void RegisterWriter::init() {
  beginFunc(hw::FuncKind::init);
  const bool clear = dev.needs(target::Requirement::RegisterClear);
  std::optional<target::SramTestCommand> clearCmd =
      clear ? dev.registerClear(facts.anyBias) : std::nullopt;
  if (clearCmd) {
    Unchecked unchecked(*this);
    uint64_t ctl = put(Reg::Control, "ClkEn", 1);
    if (pipelineOff())
      ctl |= put(Reg::Control, "PipelineOff", 1);
    for (unsigned g : facts.groupsUsed)
      write(Reg::Control, g, 0, ctl);
  }
  // AON control: always stored (ready select 0).
  emitWrite(dev.aonControlAddress(), 0);
  if (clearCmd) {
    for (unsigned g : facts.groupsUsed)
      write(Reg::SramControl, g, 0, dev.defaultSramControl());
    Unchecked unchecked(*this);
    for (unsigned g : facts.groupsUsed)
      write(Reg::SramTest, g, 0, clearCmd->start);
    for (unsigned g : facts.groupsUsed)
      poll(Reg::SramTest, g, clearCmd->doneMask, clearCmd->doneMask);
    for (unsigned g : facts.groupsUsed)
      write(Reg::SramTest, g, 0, 0, /*force=*/true);
  }
  for (unsigned g : facts.groupsUsed) {
    // Stopped state machine, clocks on; FIFO and express loading as the
    // program uses them.
    uint64_t ctl = put(Reg::Control, "ClkEn", 1);
    if (opts.fifo)
      ctl |= put(Reg::Control, "FifoEn", 1);
    if (opts.mexpress)
      ctl |= put(Reg::Control, "MExpress", 1);
    if (pipelineOff())
      ctl |= put(Reg::Control, "PipelineOff", 1);
    write(Reg::Control, g, 0, ctl);
    if (!clear)
      write(Reg::SramControl, g, 0, dev.defaultSramControl());
    // The layer that runs last (with link layers not always the last
    // hardware layer).
    // The izer counts every inserted reset layer here, even those after the
    // final layer.
    uint64_t count =
        put(Reg::LayerCount, "LastLayer",
            opts.startLayer + facts.finalLayer + facts.insertedLayers);
    if (opts.startLayer)
      count |= put(Reg::LayerCount, "StartLayer", opts.startLayer);
    write(Reg::LayerCount, g, 0, count);
  }
  if (opts.zeroSram) {
    // Self test of every memory in every group; it leaves them zeroed.
    for (target::MemoryKind kind :
         {target::MemoryKind::Data, target::MemoryKind::Kernel,
          target::MemoryKind::Tram, target::MemoryKind::Bias}) {
      target::SramTestCommand cmd = dev.memoryTest(kind);
      for (unsigned g = 0; g < dev.numGroups(); ++g)
        write(Reg::SramTest, g, 0, cmd.start);
      for (unsigned g = 0; g < dev.numGroups(); ++g)
        poll(Reg::SramTest, g, cmd.doneMask, cmd.doneMask);
      for (unsigned g = 0; g < dev.numGroups(); ++g)
        builder.create<hw::CheckOp>(
            program.getLoc(),
            builder.getI64IntegerAttr(address(Reg::SramTest, g)),
            builder.getI64IntegerAttr(cmd.errorMask),
            builder.getI64IntegerAttr(0));
      for (unsigned g = 0; g < dev.numGroups(); ++g)
        write(Reg::SramTest, g, 0, 0, /*force=*/true);
    }
  }
}

void RegisterWriter::configure() {
  beginFunc(hw::FuncKind::configure);
  for (const HwLayer &l : facts.layers) {
    // Output written from the group's own processors ("local source") when
    // the output processors of a group have gaps that the time-slot offset
    // cannot express.
    bool localSource = false;
    for (unsigned g : facts.groupsUsed) {
      uint64_t gmap = l.outProcs & (0xffffull << (g * 16));
      if (llvm::popcount(gmap) <= 1)
        continue;
      int gapMin = 64, gapMax = 0;
      int p = ffs64(gmap);
      while (p < fls64(gmap)) {
        uint64_t above = gmap & ~((2ull << p) - 1);
        int gap = ffs64(above) - p - 1;
        gapMin = std::min(gapMin, gap);
        gapMax = std::max(gapMax, gap);
        p += gap + 1;
      }
      localSource = gapMin != gapMax || (gapMax > 0 && !l.conv);
      if (localSource)
        break;
    }
    for (auto [gindex, g] : llvm::enumerate(facts.groupsUsed))
      configureLayer(l, g, gindex, localSource);
  }

  // FIFO control: which FIFOs carry input channels; the fast FIFO runs
  // asynchronously with a threshold of 10 words.
  if (opts.fastFifo) {
    write(Reg::FastFifoIntEnable, 0, 0, 0);
    write(Reg::FastFifoControl, 0, 0, 10u << 4);
  } else if (opts.fifo) {
    const HwLayer &first = facts.layers[facts.startLayer];
    uint64_t v = 0x02 << 2 | 0x02 << 7;
    if (dev.needs(target::Requirement::FifoCpl))
      v |= 1u << 11;
    for (int64_t i = 0; i < first.geom.inChannels; ++i)
      if (first.procs & (1ull << ((i % 4) * 16)))
        v |= 1u << (i % 4 + 12);
    write(Reg::FifoControl, 0, 0, v);
  }
}

void RegisterWriter::configureLayer(const HwLayer &l, unsigned group,
                                    unsigned gindex, bool localSource) {
  // Hardware layer (the program may start at a later layer).
  const unsigned ll = l.hwIndex;
  // The average-pool reset layer before this one is configured next to it,
  // in the first group only.
  const bool reset = l.avgPoolReset && group == facts.groupsUsed.front();
  auto writeReset = [&](Reg reg, uint64_t value) {
    if (reset)
      write(reg, group, ll - 1, value);
  };
  const unsigned share = dev.processorsPerDataInstance();
  const int64_t inExpand = l.geom.inPasses;
  const int64_t outExpand = l.geom.outPasses;
  const bool first = gindex == 0;
  // calcx4 layers count output channels and bias entries per lane group.
  const unsigned x4 = l.calcx4 ? dev.calcX4Lanes() : 1;
  // Weight width as the izer counts it (0 for layers without weights).
  const unsigned quant = l.conv ? l.bits : 0;

  // Time slots of pass-through and depth-wise layers (the most any used
  // group needs). A depth-wise layer writes one byte per processor; in
  // broadcast mode the processors of a memory instance take turns.
  int64_t tscntMax = 0;
  const int64_t bytesOut = l.outputWidth / 8;
  for (unsigned g : facts.groupsUsed) {
    int64_t pop = llvm::popcount(groupBits(l.procs, g));
    if (!l.conv && pop)
      tscntMax = std::max(tscntMax, floorDiv(pop * bytesOut - 1, 4));
    else if (l.depthwise && l.broadcast)
      tscntMax = std::max(
          tscntMax, (std::min<int64_t>(pop - 1, share - 1) + 1) * bytesOut - 1);
    else if (l.depthwise)
      tscntMax =
          std::max(tscntMax, floorDiv(pop * int64_t(l.outputWidth) + 7, 8) - 1);
  }

  // Sequencing (devices with link layers): a layer whose successor is not
  // the next hardware layer links to it; the final layer stops unless it
  // is the last hardware layer. `link-layer` links every layer (the pass
  // allows it only in order).
  if (has(Reg::NextLayer)) {
    uint64_t next = 0;
    bool last = l.index + 1 == facts.layers.size();
    // With --link-layer the izer links to the next layer's number without
    // the inserted reset layers.
    if (l.next && (opts.linkLayer || *l.next != l.index + 1))
      next = put(Reg::NextLayer, "LinkEn", 1) |
             put(Reg::NextLayer, "Next",
                 opts.linkLayer ? *l.next + opts.startLayer
                                : facts.layers[*l.next].hwIndex);
    else if (!l.next && (opts.linkLayer || !last))
      next = put(Reg::NextLayer, "Stop", 1);
    write(Reg::NextLayer, group, ll, next);
  }

  // Rows and columns.
  int64_t inRow = l.inH, inCol = l.inW;
  if (l.flatten) {
    inRow = l.poolH;
    inCol = l.poolW;
  } else if (l.kind == LayerOpKind::conv_transpose2d) {
    inRow = l.strideH * l.inH;
    inCol = l.strideH * l.inW;
  } else if (!l.conv && l.emulateEltwise) {
    // All passes of the operands are read as one tall frame.
    inRow = l.inH * inExpand;
  }
  uint64_t rows, cols;
  if (hasField(Reg::Rows, "Diff")) {
    int64_t diff =
        inRow - floorDiv(inRow - l.poolH - l.poolDH + 1, l.poolSH) * l.poolSH;
    rows = inRow - diff;
    int64_t colDiff =
        l.kind == LayerOpKind::conv1d
            ? 1
            : inCol -
                  floorDiv(inCol - l.poolW - l.poolDW + 1, l.poolSW) * l.poolSW;
    int64_t step = (colDiff + (l.poolSH - 1) * inCol) * (l.readGap + 1) *
                   l.operands * inExpand;
    rows |= put(Reg::Rows, "Diff", step);
    if (l.padH > 0)
      rows |= put(Reg::Rows, "PadEn", 1) |
              put(Reg::Rows, "PadMinusOne", l.padH - 1);
    int64_t cdiff =
        inCol - floorDiv(inCol - l.poolW - l.poolDW + 1, l.poolSW) * l.poolSW;
    cols = (inCol - cdiff) | put(Reg::Columns, "Diff", cdiff);
    if (l.padW > 0)
      cols |= put(Reg::Columns, "PadEn", 1) |
              put(Reg::Columns, "PadMinusOne", l.padW - 1);
  } else {
    rows = (inRow - 1 + 2 * l.padH) | put(Reg::Rows, "Pad", l.padH);
    cols = (inCol - 1 + 2 * l.padW) | put(Reg::Columns, "Pad", l.padW);
  }
  writeReset(Reg::Rows, resetRegs.rows);
  write(Reg::Rows, group, ll, rows);
  writeReset(Reg::Columns, resetRegs.columns);
  write(Reg::Columns, group, ll, cols);

  // Pooling.
  uint64_t prow = (l.poolH - 1) * l.poolDH, pcol = (l.poolW - 1) * l.poolDW;
  if (hasField(Reg::PoolRows, "DilationMinusOne")) {
    prow |= put(Reg::PoolRows, "DilationMinusOne", l.poolDH - 1);
    pcol |= put(Reg::PoolColumns, "DilationMinusOne", l.poolDW - 1);
  }
  write(Reg::PoolRows, group, ll, prow);
  write(Reg::PoolColumns, group, ll, pcol);

  uint64_t stride;
  if (l.kind == LayerOpKind::conv_transpose2d)
    stride = 0;
  else if (l.poolSH > 1)
    stride = l.poolSH - 1;
  else
    stride = l.strideH - 1;
  if (hasField(Reg::Stride, "MultiPassStride"))
    stride |= put(Reg::Stride, "MultiPassStride",
                  l.poolSH * l.operands * inExpand * (l.readGap + 1));
  writeReset(Reg::Stride, resetRegs.stride);
  write(Reg::Stride, group, ll, stride);

  // Write pointer: output offset plus the memory instance of the first
  // output processor.
  const unsigned shift = lsb(Reg::WritePtrBase, "Instance");
  uint64_t wptr = (l.outOffset - l.outIgnore) / 4;
  if (!localSource && l.depthwise && !l.broadcast) {
    // Each group writes its own processors' outputs: its first target is
    // the output processor matching its first input processor.
    int firstGroup = ffs64(l.procs) / dev.processorsPerGroup();
    if (int(group) >= firstGroup) {
      int64_t target =
          (group - firstGroup) * dev.processorsPerGroup() + ffs64(l.outProcs);
      if (int(group) != firstGroup)
        target -= ffs64(l.procs) % dev.processorsPerGroup();
      wptr |= uint64_t(target / share) << shift;
    } else {
      wptr = 0;
    }
  } else if (!localSource) {
    int64_t instance;
    if (l.conv)
      instance = ffs64(l.outProcs) & ~int64_t(share - 1);
    else if (l.outProcs & (0xffffull << (group * 16)))
      instance =
          ffs64(l.outProcs & (0xffffull << (group * 16))) & ~int64_t(share - 1);
    else
      instance = 0;
    wptr |= (instance % share) * instanceSize() | uint64_t(instance / share)
                                                      << shift;
  } else {
    int64_t instance =
        ffs64(l.outProcs >> (group * share)) & ~int64_t(share - 1);
    wptr |= (instance + group * share) * instanceSize();
  }
  writeReset(Reg::WritePtrBase, wptr);
  write(Reg::WritePtrBase, group, ll, wptr);

  uint64_t toffs = 0;
  if (l.kind == LayerOpKind::conv2d || l.kind == LayerOpKind::linear) {
    if (l.depthwise && !l.broadcast)
      toffs = instanceSize() * 4;
    else if (l.kh == 1 && l.kw == 1 && !l.depthwise)
      toffs = 1;
  } else if (!l.conv) {
    toffs = (llvm::popcount(l.procs) > 4 || (l.operands > 1 && inExpand > 1))
                ? instanceSize() * 4
                : instanceSize();
  }
  writeReset(Reg::WritePtrTimeSlotOffset, toffs);
  write(Reg::WritePtrTimeSlotOffset, group, ll, toffs);
  if (l.conv)
    write(Reg::WritePtrMaskOffset, group, ll, 1ull << shift);
  uint64_t choffs = 0;
  if (outExpand > 1)
    choffs = (l.outputWidth / 8) * (l.writeGap + 1);
  write(Reg::WritePtrChannelOffset, group, ll, choffs);
  writeReset(Reg::ReadPtrBase, l.inOffset / 4);
  write(Reg::ReadPtrBase, group, ll, l.inOffset / 4);

  // Layer control.
  uint64_t lctl = put(Reg::LayerControl, "Master", 1);
  if (l.activation == Activation::relu)
    lctl |= put(Reg::LayerControl, "ReluEn", 1);
  if (!l.poolAvg)
    lctl |= put(Reg::LayerControl, "MaxPoolEn", 1);
  if (l.poolH > 1 || l.poolW > 1)
    lctl |= put(Reg::LayerControl, "PoolEn", 1);
  if (l.bigData)
    lctl |= put(Reg::LayerControl, "Parallel", 1);
  if (!localSource)
    lctl |= put(Reg::LayerControl, "SramLSrc", 1);
  if (l.outputWidth != 8)
    lctl |= put(Reg::LayerControl, "BigDWrt", 1);
  if (l.broadcast)
    lctl |= put(Reg::LayerControl, "Broadcast", 1);
  if (l.conv && first && !l.depthwise) {
    // Partial sums of the other groups that process this layer (and the
    // group holding the bias) are added in.
    uint64_t sources = 0;
    for (unsigned t = facts.groupsUsed.front() + 1; t < dev.numGroups(); ++t)
      if (groupBits(l.procs, t))
        sources |= 1u << t;
    if (l.biasGroup && *l.biasGroup != group)
      sources |= 1u << *l.biasGroup;
    lctl |= put(Reg::LayerControl, "CnnSiEn", sources);
  }
  if (l.readAhead) {
    lctl |= put(Reg::LayerControl, "ReadAhead", 1);
    lctl |= put(Reg::LayerControl, "ShiftCnt",
                l.tcalc ? (inExpand - 1) / 4 : inExpand - 1);
  }
  if (l.conv && hasField(Reg::LayerControl, "KernelRowsMinusOne")) {
    lctl |= put(Reg::LayerControl, "KernelRowsMinusOne", l.kh - 1);
    lctl |= put(Reg::LayerControl, "KernelColsMinusOne", l.kw - 1);
  }
  writeReset(Reg::LayerControl, resetRegs.layerControl);
  write(Reg::LayerControl, group, ll, lctl);

  // Layer control 2: input passes, write-pointer increment, output span.
  int64_t flattenProd = 0, inExp;
  if (l.flatten) {
    flattenProd = inExpand * l.pooledH * l.pooledW - 1;
    inExp = flattenProd & 0x0f;
  } else if (!l.conv && l.emulateEltwise) {
    inExp = 0;
  } else {
    inExp = inExpand - 1;
  }
  uint64_t lctl2 = put(Reg::LayerControl2, "XpchMax",
                       uint64_t(fls64(l.outProcs) -
                                (ffs64(l.outProcs) & ~int64_t(share - 1))) *
                           quant) |
                   inExp;
  int64_t wptrSkip =
      l.conv ? outExpand * (l.writeGap + 1) - 1 : int64_t(l.writeGap);
  lctl2 |= put(Reg::LayerControl2, "WptrInc", wptrSkip);
  write(Reg::LayerControl2, group, ll, lctl2);

  // Kernel-memory bit range.
  int64_t kl = 0, koffs = 0, onedSad = 0;
  if (l.conv) {
    kl = (l.kernCount - 1) * quant;
    // A calcx4 first layer counts its mask range in units of the four
    // parallel instances.
    if (l.calcx4 && l.index == facts.startLayer) {
      int64_t lanes = dev.calcX4Lanes();
      kl = (kl + quant + lanes - 1) / lanes - quant;
    }
    int64_t ksize = l.kh * l.kw;
    int64_t col = l.kernelColumn.value_or(0);
    koffs = (9 * col) / ksize;
    onedSad = (9 * col) % ksize;
    if (l.calcx4)
      koffs = dev.calcX4Column(koffs);
    koffs *= 8;
  }
  if (has(Reg::MaskMax)) {
    if (l.conv) {
      write(Reg::MaskMax, group, ll, kl + koffs);
      write(Reg::MaskStart, group, ll, koffs);
    } else {
      write(Reg::MaskStart, group, ll, (outExpand - 1) * 8);
    }
  } else {
    uint64_t v = l.conv             ? (put(Reg::MaskCount, "Start", koffs) |
                           put(Reg::MaskCount, "Max", kl + koffs))
                 : l.emulateEltwise ? 0
                                    : uint64_t((outExpand - 1) * 8);
    write(Reg::MaskCount, group, ll, v);
  }
  if (has(Reg::OutputChannels)) {
    uint64_t v = l.depthwise ? uint64_t((tscntMax + 1) * inExpand - 1)
                 : l.conv    ? uint64_t(l.kernOchan - 1) / x4
                             : uint64_t(tscntMax);
    write(Reg::OutputChannels, group, ll, v);
  }

  // One-dimensional / time-slot / element-wise control.
  uint64_t oned = tscntMax;
  if (l.kind == LayerOpKind::conv1d)
    oned |= put(Reg::OneD, "OnedWidth", l.kh) | put(Reg::OneD, "OnedEn", 1);
  else if (((l.kind == LayerOpKind::conv2d || l.kind == LayerOpKind::linear) &&
            l.kh == 1 && l.kw == 1) ||
           (!l.conv && l.operands == 1))
    oned |= put(Reg::OneD, "OnedWidth", 1);
  if (l.operands > 1) {
    target::EltwiseOp e = target::EltwiseOp::Add;
    switch (*l.eltwise) {
    case EltwiseKind::add:
      e = target::EltwiseOp::Add;
      break;
    case EltwiseKind::sub:
      e = target::EltwiseOp::Sub;
      break;
    case EltwiseKind::bitwise_or:
      e = target::EltwiseOp::Or;
      break;
    case EltwiseKind::bitwise_xor:
      e = target::EltwiseOp::Xor;
      break;
    }
    oned |= put(Reg::OneD, "EwiseEn", 1) |
            put(Reg::OneD, "EwiseFunc", target::Device::eltwiseCode(e)) |
            put(Reg::OneD, "EwiseCnt", l.operands - 1);
    if ((l.poolH > 1 || l.poolW > 1) && l.poolFirst)
      oned |= put(Reg::OneD, "PrePool", 1);
    if (l.conv)
      oned |= put(Reg::OneD, "EwiseConv", 1);
  }
  oned |= put(Reg::OneD, "OnedSad", onedSad);
  writeReset(Reg::OneD, resetRegs.oneD);
  write(Reg::OneD, group, ll, oned);

  // TRAM pointer.
  uint64_t tptr;
  if (l.kind == LayerOpKind::conv1d ||
      ((l.kind == LayerOpKind::conv2d || l.kind == LayerOpKind::linear) &&
       l.kh == 1 && l.kw == 1)) {
    tptr = flattenProd >= 16
               ? (uint64_t(flattenProd) << 16 | uint64_t(2 * flattenProd + 1))
               : 0;
  } else {
    tptr = l.tramMax - 1;
    if (l.index > 0 && l.streaming) {
      // Streaming layers share the TRAM: this one starts after the rows
      // of all earlier layers (per pass).
      uint64_t prevMax = 0;
      for (unsigned i = 0; i < l.index; ++i)
        prevMax += facts.layers[i].tramMax * facts.layers[i].geom.inPasses;
      tptr += prevMax;
      tptr |= put(Reg::TramPtr, "Start", prevMax);
    }
  }
  write(Reg::TramPtr, group, ll, tptr);

  // Post-processing: weight size, output shift, bias, flags.
  uint64_t post = 0;
  if (l.conv) {
    if (std::optional<unsigned> code = dev.weightSizeCode(l.weightBits))
      post |= put(Reg::Post, "WeightSize", *code);
  }
  // The field holds the total shift: output_shift plus the implicit shift
  // of narrow weights (8 - bits).
  int64_t totalShift = l.outputShift + (l.conv ? 8 - l.bits : 0);
  if (totalShift < 0)
    post |=
        put(Reg::Post, "Shift", -totalShift) | put(Reg::Post, "ShiftRight", 1);
  else
    post |= put(Reg::Post, "Shift", totalShift);
  if (l.depthwise) {
    // Every group reads its own part of the bias (broadcast: in units of
    // one entry per memory instance).
    if (l.biasGroup && l.biasOffsets[group] >= 0)
      post |= put(Reg::Post, "BiasEn", 1) |
              uint64_t(l.broadcast ? l.biasOffsets[group] / share
                                   : l.biasOffsets[group]);
    post |= put(Reg::Post, "Depthwise", 1) | put(Reg::Post, "TsEn", 1);
  } else if (l.biasGroup && *l.biasGroup == group) {
    post |= put(Reg::Post, "BiasEn", 1) | l.biasOffset / x4;
  }
  if (l.calcx4)
    post |= put(Reg::Post, "CalcX4", 1);
  if (l.tcalc)
    post |= put(Reg::Post, "TCalc", 1);
  if (!l.conv)
    post |= l.operands == 1
                ? put(Reg::Post, "TsEn", 1) | put(Reg::Post, "OneXOne", 1)
                : put(Reg::Post, "TsEn", 1);
  if (l.activation == Activation::abs)
    post |= put(Reg::Post, "OutAbs", 1);
  if (flattenProd >= 16)
    post |= put(Reg::Post, "FlattenEn", 1) |
            put(Reg::Post, "XpmpCnt", flattenProd >> 4);
  if (l.kind == LayerOpKind::conv_transpose2d)
    post |= put(Reg::Post, "DeconvEn", 1);
  writeReset(Reg::Post, resetRegs.post);
  write(Reg::Post, group, ll, post);

  // Processor and kernel enables.
  uint64_t ena = groupBits(l.procs, group);
  if (l.conv)
    ena = ena << 16 | ena;
  writeReset(Reg::Enables, resetRegs.enables);
  write(Reg::Enables, group, ll, ena);

  streamRegisters(l, group, ll);

  // Input frame size when the first layer reads the FIFOs.
  if (opts.fifo && l.index == facts.startLayer) {
    uint64_t v = l.inH * l.inW;
    if (l.bigData)
      v = (v + 3) / 4;
    write(Reg::InputFrameSize, group, 0, v);
  }
}

/// Stream start, deltas and rollover (computed with the facts: see
/// computeStreamSettings).
void RegisterWriter::streamRegisters(const HwLayer &l, unsigned group,
                                     unsigned ll) {
  const bool first = l.index == facts.startLayer;
  // --fifo-go lets the first layer start before the first FIFO word.
  const uint64_t fifoGo =
      first && opts.fifoGo ? put(Reg::StreamStart, "FifoGo", 1) : 0;
  const StreamSettings &st = l.stream;
  write(Reg::StreamStart, group, ll, st.start | fifoGo);
  write(Reg::StreamDelta, group, ll,
        put(Reg::StreamDelta, "Delta2", st.delta2) |
            put(Reg::StreamDelta, "Delta1", st.delta1) |
            put(Reg::StreamDelta, "InVol", st.invol));
  if (st.rollover)
    {
      // Where the rollover register does not read back what was written.
      std::optional<Unchecked> unchecked;
      if (!dev.hasFeature(target::Feature::RolloverReadback))
        unchecked.emplace(*this);
      write(Reg::Rollover, group, ll, *st.rollover);
    }
}

uint64_t RegisterWriter::startControl() const {
  uint64_t v = put(Reg::Control, "ClkEn", 1);
  if (facts.anyStreaming)
    v |= put(Reg::Control, "StreamEn", 1);
  if (facts.avgPoolRounding)
    v |= put(Reg::Control, "PoolRnd", 1);
  if (opts.fifo)
    v |= put(Reg::Control, "ExtSync", 4); // bit 11: external sync
  if (opts.fifo && facts.anyStreaming)
    v |= put(Reg::Control, "LilBuf", 1);
  if (opts.mexpress)
    v |= put(Reg::Control, "MExpress", 1);
  if (pipelineOff())
    v |= put(Reg::Control, "PipelineOff", 1);
  if (opts.oneShot)
    v |= put(Reg::Control, "OneShot", 1);
  // Binary (-1/+1) weights anywhere switch the whole accelerator.
  if (llvm::any_of(facts.layers,
                   [](const HwLayer &l) { return l.weightBits == -1; }) &&
      hasField(Reg::Control, "BinaryWeights"))
    v |= put(Reg::Control, "BinaryWeights", 1);
  const HwLayer &first = facts.layers[facts.startLayer];
  if (first.streaming && first.bigData &&
      hasField(Reg::Control, "StreamBigData"))
    v |= put(Reg::Control, "StreamBigData", 1);
  return v;
}

void RegisterWriter::start() {
  beginFunc(hw::FuncKind::start);
  uint64_t val = startControl();
  const HwLayer &firstLayer = facts.layers[facts.startLayer];
  unsigned g0 = facts.groupsUsed.front();
  // The fast FIFO feeds the first four processors as a group unless the
  // input sits on processor 0 alone or outside processors 1-3.
  bool fifoGroup = opts.fastFifo &&
                   !(firstLayer.procs != 1 && (firstLayer.procs & 0x0e) == 0);
  auto fifoBits = [&](unsigned g) -> uint64_t {
    if (!opts.fifo)
      return 0;
    uint64_t v = put(Reg::Control, "FifoEn", 1);
    if (firstLayer.procs & (0xfull << (g * 16))) {
      if (opts.fastFifo)
        v |= put(Reg::Control, "FFifoEn", 1);
      if (fifoGroup)
        v |= put(Reg::Control, "FifoGrp", 1);
    }
    return v;
  };
  for (unsigned g : facts.groupsUsed) {
    uint64_t fval = fifoBits(g);
    if (g != g0)
      fval |= put(Reg::Control, "CnnEn", 1);
    // External sync: 4 | first used group.
    fval |= put(Reg::Control, "ExtSync", 4 | g0);
    write(Reg::Control, g, 0, val | fval);
  }
  if (opts.powerdown) {
    // Power down the memories of the groups the network does not use.
    uint64_t unused = 0;
    for (unsigned g = 0; g < dev.numGroups(); ++g)
      if (!llvm::is_contained(facts.groupsUsed, g))
        unused |= 1u << g;
    write(Reg::AonControl, 0, 0,
          put(Reg::AonControl, "GroupPowerDown", unused));
  }
  builder.create<hw::TimerStartOp>(program.getLoc());
  if (opts.fifo && (firstLayer.procs & (0xfull << (g0 * 16))))
    val |= fifoBits(g0);
  write(Reg::Control, g0, 0, val | put(Reg::Control, "CnnEn", 1));
}

void RegisterWriter::isr() {
  beginFunc(hw::FuncKind::isr);
  uint64_t clear =
      put(Reg::Control, "CnnIrq", 1) | put(Reg::Control, "CnnEn", 1);
  if (facts.anyStreaming)
    clear |= put(Reg::Control, "StreamEn", 1);
  // In one-shot mode the accelerator stays enabled between layers where
  // the device does not need it cleared.
  if (opts.oneShot && !dev.needs(target::Requirement::OneShotClear))
    clear = put(Reg::Control, "CnnIrq", 1);
  for (unsigned g : facts.groupsUsed)
    emitWrite(address(Reg::Control, g), ~clear & 0xffffffffu,
              hw::WriteMode::bit_and);
  builder.create<hw::TimerStopOp>(program.getLoc());
}

void RegisterWriter::stopAndContinue() {
  unsigned g0 = facts.groupsUsed.front();
  uint64_t run = put(Reg::Control, "CnnEn", 1);
  beginFunc(hw::FuncKind::stop);
  emitWrite(address(Reg::Control, g0), ~run & 0xffffffffu,
            hw::WriteMode::bit_and);
  beginFunc(hw::FuncKind::resume);
  emitWrite(address(Reg::Control, g0), run, hw::WriteMode::bit_or);
}

LogicalResult RegisterWriter::run() {
  enable();
  init();
  configure();
  start();
  isr();
  stopAndContinue();
  disable();
  return failure(failedAny);
}

} // namespace

LogicalResult lower::buildRegisterFunctions(hw::ProgramOp program,
                                            const NetworkFacts &facts,
                                            const LowerOptions &opts) {
  return RegisterWriter(program, facts, opts).run();
}
