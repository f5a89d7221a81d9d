//===- HWOps.cpp - Register-level operations ------------------------------===//
//
// Parsing, printing and verification of the tornado_hw ops. Every address is
// checked against the device model of the enclosing program, so a program
// that verifies only touches registers and memories the device has.
//
//===----------------------------------------------------------------------===//

#include "tornado/Dialect/HW/IR/HWOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "tornado/Dialect/ElementsData.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/Format.h"

#include <cstring>

using namespace mlir;
using namespace tornado;
using namespace tornado::hw;
using target::AddressKind;
using target::Device;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

StringRef tornado::hw::funcName(FuncKind kind, bool riscv) {
  switch (kind) {
  case FuncKind::enable:
    return "cnn_enable";
  case FuncKind::init:
    return "cnn_init";
  case FuncKind::configure:
    return "cnn_configure";
  case FuncKind::start:
    return "cnn_start";
  case FuncKind::isr:
    return riscv ? "CNN_IRQHandler" : "CNN_ISR";
  case FuncKind::stop:
    return "cnn_stop";
  case FuncKind::resume:
    return "cnn_continue";
  case FuncKind::disable:
    return "cnn_disable";
  }
  llvm_unreachable("unknown function kind");
}

StringRef tornado::hw::sysRegName(SysReg reg) {
  switch (reg) {
  case SysReg::gcfr_reg0:
    return "MXC_GCFR->reg0";
  case SysReg::gcfr_reg1:
    return "MXC_GCFR->reg1";
  case SysReg::gcfr_reg2:
    return "MXC_GCFR->reg2";
  case SysReg::gcfr_reg3:
    return "MXC_GCFR->reg3";
  }
  llvm_unreachable("unknown system register");
}

bool tornado::hw::getUnsignedValues(ElementsAttr attr,
                                    SmallVectorImpl<uint32_t> &values) {
  auto elemTy = dyn_cast<IntegerType>(attr.getElementType());
  if (!elemTy)
    return false;
  unsigned width = elemTy.getWidth();
  if (width != 8 && width != 16 && width != 32)
    return false;
  int64_t n = attr.getNumElements();
  values.clear();
  unsigned bytes = width / 8;
  // A dense splat stores its one element once.
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr);
      dense && dense.isSplat()) {
    ArrayRef<char> raw = dense.getRawData();
    if (raw.size() < bytes)
      return false;
    values.assign(n, uint32_t(getRawElement(raw, bytes, 0)));
    return true;
  }
  std::optional<ArrayRef<char>> raw = getRawElementData(attr);
  if (!raw || raw->size() != size_t(n) * bytes)
    return false;
  values.resize_for_overwrite(n);
  decodeRawElements(*raw, bytes, /*isSigned=*/false, values.data());
  return true;
}

const Device *tornado::hw::getTargetOrNull(Operation *op) {
  auto program = dyn_cast<ProgramOp>(op);
  if (!program)
    program = op->getParentOfType<ProgramOp>();
  if (!program)
    return nullptr;
  std::optional<target::DeviceKind> kind = Device::parse(program.getDevice());
  if (!kind)
    return nullptr;
  return &Device::get(*kind);
}

static bool fitsU32(int64_t v) { return v >= 0 && v <= 0xffffffffLL; }

/// Checks that `data` is a tensor of `width`-bit integers with the given
/// rank; returns the number of elements of the first dimension.
static LogicalResult checkData(Operation *op, ElementsAttr data, unsigned width,
                               unsigned rank, int64_t &rows) {
  auto type = dyn_cast<RankedTensorType>(data.getType());
  auto elemTy = dyn_cast<IntegerType>(data.getElementType());
  if (!type || !elemTy || elemTy.getWidth() != width || type.getRank() != rank)
    return op->emitOpError() << "expects data of rank " << rank << " with i"
                             << width << " or ui" << width << " elements";
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return op->emitOpError() << "expects non-empty, static-shaped data";
  rows = type.getDimSize(0);
  return success();
}

/// Verifies a memory image: `data` (checkData) of rank 1, or of rank 2 with
/// `wordBytes` columns (kernel words). Inside a program whose device is
/// known, `inRange` then checks the addresses of the image's rows.
static LogicalResult
verifyImage(Operation *op, ElementsAttr data, unsigned width,
            std::optional<int64_t> wordBytes,
            function_ref<LogicalResult(const Device &, int64_t rows)> inRange) {
  int64_t rows;
  if (failed(checkData(op, data, width, wordBytes ? 2 : 1, rows)))
    return failure();
  if (wordBytes && cast<ShapedType>(data.getType()).getDimSize(1) != *wordBytes)
    return op->emitOpError() << "expects N x " << *wordBytes << " bytes ("
                             << *wordBytes * 8 << "-bit kernel words)";
  const Device *dev = getTargetOrNull(op);
  return dev ? inRange(*dev, rows) : success();
}

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// Hex integers read like the register documentation.
static ParseResult parseHex(OpAsmParser &parser, IntegerAttr &attr) {
  int64_t value;
  if (parser.parseInteger(value))
    return failure();
  attr = parser.getBuilder().getI64IntegerAttr(value);
  return success();
}

static void printHexValue(raw_ostream &os, int64_t value) {
  if (value >= 0)
    os << llvm::format("0x%08llx", (unsigned long long)value);
  else
    os << value;
}

static void printHex(OpAsmPrinter &printer, Operation *, IntegerAttr attr) {
  printHexValue(printer.getStream(), attr.getInt());
}

static ParseResult parseKeyword(OpAsmParser &parser, FuncKindAttr &attr) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef word;
  if (parser.parseKeyword(&word))
    return failure();
  std::optional<FuncKind> kind = symbolizeFuncKind(word);
  if (!kind)
    return parser.emitError(loc) << "unknown function kind '" << word << "'";
  attr = FuncKindAttr::get(parser.getContext(), *kind);
  return success();
}

static void printKeyword(OpAsmPrinter &printer, Operation *,
                         FuncKindAttr attr) {
  printer << stringifyFuncKind(attr.getValue());
}

/// `[or|and] <target>, <value>`: the store kind leads, `set` is implicit.
static ParseResult parseWriteMode(OpAsmParser &parser, WriteMode &mode) {
  mode = WriteMode::set;
  if (succeeded(parser.parseOptionalKeyword("or")))
    mode = WriteMode::bit_or;
  else if (succeeded(parser.parseOptionalKeyword("and")))
    mode = WriteMode::bit_and;
  return success();
}

static void printWriteMode(OpAsmPrinter &printer, WriteMode mode) {
  if (mode != WriteMode::set)
    printer << ' ' << stringifyWriteMode(mode);
}

//===----------------------------------------------------------------------===//
// ProgramOp
//===----------------------------------------------------------------------===//

void ProgramOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                      StringRef device) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getDeviceAttrName(state.name),
                     builder.getStringAttr(device));
  Region *body = state.addRegion();
  body->emplaceBlock();
}

const Device &ProgramOp::getTarget() {
  std::optional<target::DeviceKind> kind = Device::parse(getDevice());
  assert(kind && "verifier checks the device name");
  return Device::get(*kind);
}

FuncOp ProgramOp::lookupFunc(FuncKind kind) {
  if (getBody().empty())
    return {};
  for (auto func : getBody().front().getOps<FuncOp>())
    if (func.getKind() == kind)
      return func;
  return {};
}

StringRef ProgramOp::fileName(StringRef role, StringRef fallback) {
  if (std::optional<DictionaryAttr> names = getFileNames())
    if (auto name = names->getAs<StringAttr>(role))
      return name.getValue();
  return fallback;
}

LogicalResult ProgramOp::verify() {
  if (!Device::parse(getDevice()))
    return emitOpError() << "unknown device '" << getDevice() << "'";
  const Device &dev = getTarget();
  if (getTimer() && (*getTimer() < 0 || *getTimer() > 5))
    return emitOpError() << "timer must be 0..5";
  if (getClockDivider() < 1 ||
      unsigned(getClockDivider()) > dev.clocks().maxClockDivider)
    return emitOpError() << "clock divider must be 1.."
                         << dev.clocks().maxClockDivider;
  if (getClockSource() == ClockSource::ipll &&
      !dev.hasFeature(target::Feature::Pll))
    return emitOpError() << dev.name() << " has no PLL clock source";
  if (getNumOutputs() < 0)
    return emitOpError() << "num_outputs must not be negative";
  if (getSoftmax() && (!getUnload() || getNumOutputs() < 1))
    return emitOpError()
           << "softmax needs cnn_unload (unload = true) and num_outputs > 0";
  if (getBody().empty())
    return success();

  InputLoader loader = getInputLoader();
  if (loader == InputLoader::fast_fifo && !getRiscv())
    return emitOpError() << "the fast FIFO is only reachable from RISC-V";
  llvm::SmallSet<unsigned, 8> kinds, fifos;
  // (group, proc) -> used column ranges, to reject overlapping kernel images.
  llvm::DenseMap<unsigned, SmallVector<std::pair<unsigned, unsigned>>> cols;
  for (Operation &op : getBody().front()) {
    if (auto func = dyn_cast<FuncOp>(op)) {
      if (!kinds.insert(unsigned(func.getKind())).second)
        return func.emitOpError() << "duplicate function '"
                                  << stringifyFuncKind(func.getKind()) << "'";
    } else if (auto fifo = dyn_cast<FifoInputOp>(op)) {
      if (loader != InputLoader::fifo && loader != InputLoader::fast_fifo)
        return fifo.emitOpError() << "requires a FIFO input loader";
      if (!fifos.insert(fifo.getFifo()).second)
        return fifo.emitOpError() << "duplicate FIFO " << fifo.getFifo();
    } else if (auto input = dyn_cast<InputOp>(op)) {
      if (loader != InputLoader::memory && loader != InputLoader::inline_stores)
        return input.emitOpError() << "requires a data-memory input loader";
    } else if (isa<ExpectOp>(op)) {
      if (!getKat())
        return op.emitOpError() << "requires a program with kat = true";
    } else if (isa<UnloadWordsOp, UnloadBytesOp>(op)) {
      if (!getUnload())
        return op.emitOpError() << "requires a program with unload = true";
    } else if (auto k = dyn_cast<KernelsOp>(op)) {
      auto &list = cols[k.getGroup() * dev.processorsPerGroup() + k.getProc()];
      unsigned first = k.getColumn();
      unsigned last =
          first +
          unsigned(cast<ShapedType>(k.getData().getType()).getDimSize(0));
      if (getKernelLoader() == KernelLoader::per_processor && !list.empty())
        return k.emitOpError()
               << "the per-processor loader needs one image per processor";
      for (auto [a, b] : list)
        if (first < b && a < last)
          return k.emitOpError()
                 << "overlaps another kernel image of group " << k.getGroup()
                 << " processor " << k.getProc();
      list.push_back({first, last});
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// FuncOp and its contents
//===----------------------------------------------------------------------===//

LogicalResult FuncOp::verify() {
  bool power = getKind() == FuncKind::enable || getKind() == FuncKind::disable;
  if (getBody().empty())
    return success();
  for (Operation &op : getBody().front()) {
    if (isa<SysWriteOp, DelayOp, ClockEnableOp, ClockDisableOp>(op) && !power)
      return op.emitOpError() << "is only allowed in enable and disable";
    if (isa<ClockEnableOp>(op) && getKind() != FuncKind::enable)
      return op.emitOpError() << "is only allowed in enable";
    if (isa<ClockDisableOp>(op) && getKind() != FuncKind::disable)
      return op.emitOpError() << "is only allowed in disable";
  }
  return success();
}

/// Common checks of a register address.
static LogicalResult verifyRegisterAddress(Operation *op, int64_t address) {
  if (!fitsU32(address) || address % 4)
    return op->emitOpError() << "address must be a 32-bit aligned address";
  const Device *dev = getTargetOrNull(op);
  if (!dev)
    return success();
  auto decoded = dev->decodeAddress(uint32_t(address));
  if (!decoded || decoded->kind != AddressKind::Register) {
    std::string text;
    llvm::raw_string_ostream os(text);
    printHexValue(os, address);
    return op->emitOpError()
           << "address " << text << " is no register of " << dev->name();
  }
  return success();
}

ParseResult WriteOp::parse(OpAsmParser &parser, OperationState &result) {
  WriteMode mode;
  IntegerAttr address, value;
  if (parseWriteMode(parser, mode) || parseHex(parser, address) ||
      parser.parseComma() || parseHex(parser, value) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  MLIRContext *ctx = parser.getContext();
  result.addAttribute(getAddressAttrName(result.name), address);
  result.addAttribute(getValueAttrName(result.name), value);
  if (mode != WriteMode::set)
    result.addAttribute(getModeAttrName(result.name),
                        WriteModeAttr::get(ctx, mode));
  return success();
}

void WriteOp::print(OpAsmPrinter &printer) {
  printWriteMode(printer, getMode());
  printer << ' ';
  printHexValue(printer.getStream(), getAddress());
  printer << ", ";
  printHexValue(printer.getStream(), getValue());
  printer.printOptionalAttrDict(
      (*this)->getAttrs(),
      {getAddressAttrName(), getValueAttrName(), getModeAttrName()});
}

LogicalResult WriteOp::verify() {
  if (!fitsU32(getValue()))
    return emitOpError() << "value must fit in 32 bits";
  return verifyRegisterAddress(*this, getAddress());
}

LogicalResult PollOp::verify() {
  if (!fitsU32(getMask()) || !fitsU32(getValue()) || getMask() == 0)
    return emitOpError() << "mask must be a non-zero 32-bit value";
  if (getValue() & ~getMask())
    return emitOpError() << "value has bits outside the mask";
  return verifyRegisterAddress(*this, getAddress());
}

LogicalResult CheckOp::verify() {
  if (!fitsU32(getMask()) || !fitsU32(getValue()) || getMask() == 0)
    return emitOpError() << "mask must be a non-zero 32-bit value";
  if (getValue() & ~getMask())
    return emitOpError() << "value has bits outside the mask";
  // Only functions that return CNN_OK / CNN_FAIL to main() can check.
  FuncKind kind = (*this)->getParentOfType<FuncOp>().getKind();
  if (kind != FuncKind::init && kind != FuncKind::configure &&
      kind != FuncKind::start)
    return emitOpError() << "is only allowed in init, configure and start";
  return success();
}

ParseResult SysWriteOp::parse(OpAsmParser &parser, OperationState &result) {
  WriteMode mode;
  IntegerAttr value;
  StringRef regName;
  SMLoc loc = parser.getCurrentLocation();
  if (parseWriteMode(parser, mode) || parser.parseKeyword(&regName))
    return failure();
  std::optional<SysReg> reg = symbolizeSysReg(regName);
  if (!reg)
    return parser.emitError(loc)
           << "unknown system register '" << regName << "'";
  if (parser.parseComma() || parseHex(parser, value) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  MLIRContext *ctx = parser.getContext();
  result.addAttribute(getRegAttrName(result.name), SysRegAttr::get(ctx, *reg));
  result.addAttribute(getValueAttrName(result.name), value);
  if (mode != WriteMode::set)
    result.addAttribute(getModeAttrName(result.name),
                        WriteModeAttr::get(ctx, mode));
  return success();
}

void SysWriteOp::print(OpAsmPrinter &printer) {
  printWriteMode(printer, getMode());
  printer << ' ' << stringifySysReg(getReg()) << ", "
          << llvm::format("0x%llx", (unsigned long long)getValue());
  printer.printOptionalAttrDict(
      (*this)->getAttrs(),
      {getRegAttrName(), getValueAttrName(), getModeAttrName()});
}

LogicalResult SysWriteOp::verify() {
  if (!fitsU32(getValue()))
    return emitOpError() << "value must fit in 32 bits";
  return success();
}

LogicalResult DelayOp::verify() {
  if (getMicroseconds() <= 0)
    return emitOpError() << "delay must be positive";
  return success();
}

LogicalResult ClockEnableOp::verify() { return success(); }

LogicalResult TimerStartOp::verify() {
  if ((*this)->getParentOfType<FuncOp>().getKind() != FuncKind::start)
    return emitOpError() << "is only allowed in start";
  return success();
}

LogicalResult TimerStopOp::verify() {
  if ((*this)->getParentOfType<FuncOp>().getKind() != FuncKind::isr)
    return emitOpError() << "is only allowed in isr";
  return success();
}
LogicalResult ClockDisableOp::verify() { return success(); }

//===----------------------------------------------------------------------===//
// Memory images
//===----------------------------------------------------------------------===//

LogicalResult KernelsOp::verify() {
  auto inRange = [&](const Device &dev, int64_t rows) -> LogicalResult {
    if (getGroup() < 0 || unsigned(getGroup()) >= dev.numGroups() ||
        getProc() < 0 || unsigned(getProc()) >= dev.processorsPerGroup())
      return emitOpError() << "group/processor out of range";
    unsigned words = dev.kernelWordsPerProcessor(
        getGroup() * dev.processorsPerGroup() + getProc());
    if (getColumn() < 0 || getColumn() + rows > words)
      return emitOpError() << "columns " << getColumn() << ".."
                           << getColumn() + rows - 1
                           << " exceed the processor's " << words
                           << " kernel words";
    return success();
  };
  return verifyImage(*this, getData(), 8, /*wordBytes=*/9, inRange);
}

LogicalResult BiasOp::verify() {
  auto inRange = [&](const Device &dev, int64_t rows) -> LogicalResult {
    if (getGroup() < 0 || unsigned(getGroup()) >= dev.numGroups())
      return emitOpError() << "group out of range";
    if (getOffset() < 0 || getOffset() + rows > dev.biasBytesPerGroup())
      return emitOpError() << "bias entries " << getOffset() << ".."
                           << getOffset() + rows - 1 << " exceed the group's "
                           << dev.biasBytesPerGroup() << " entries";
    return success();
  };
  return verifyImage(*this, getData(), 8, std::nullopt, inRange);
}

LogicalResult InputOp::verify() {
  auto inRange = [&](const Device &dev, int64_t rows) -> LogicalResult {
    if (getProcessor() < 0 || unsigned(getProcessor()) >= dev.numProcessors())
      return emitOpError() << "processor out of range";
    if (getOffset() < 0 || getOffset() % 4 ||
        getOffset() + 4 * rows > dev.dataInstanceBytes())
      return emitOpError() << "words must be aligned and stay inside one "
                           << dev.dataInstanceBytes() << "-byte data memory";
    return success();
  };
  return verifyImage(*this, getData(), 32, std::nullopt, inRange);
}

LogicalResult FifoInputOp::verify() {
  if (failed(verifySynthesis()))
    return failure();
  auto inRange = [&](const Device &dev, int64_t) -> LogicalResult {
    auto program = (*this)->getParentOfType<ProgramOp>();
    unsigned fifos =
        program.getInputLoader() == InputLoader::fast_fifo ? 1 : dev.numFifos();
    if (getFifo() < 0 || unsigned(getFifo()) >= fifos)
      return emitOpError() << "FIFO must be 0.." << fifos - 1;
    return success();
  };
  return verifyImage(*this, getData(), 32, std::nullopt, inRange);
}

LogicalResult UnloadMlatorOp::verify() {
  if (getLane() < 0 || getLane() > 3)
    return emitOpError() << "lane must be 0..3";
  if (!fitsU32(getStart()) || !fitsU32(getIncrement()))
    return emitOpError() << "start and increment must be 32-bit values";
  if (getTo().empty())
    return emitOpError() << "needs at least one read";
  for (int64_t t : getTo())
    if (t < 0 || t % 4)
      return emitOpError() << "output offsets must be non-negative multiples "
                              "of 4, got "
                           << t;
  const Device *dev = getTargetOrNull(*this);
  if (!dev)
    return success();
  if (getGroup() < 0 || unsigned(getGroup()) >= dev->numGroups())
    return emitOpError() << "group must be 0.." << dev->numGroups() - 1;
  return success();
}

LogicalResult FifoInputOp::verifySynthesis() {
  bool any = getRepeat() || getAdd() || getMask();
  if (any && !(getRepeat() && getAdd() && getMask()))
    return emitOpError() << "repeat, add and mask go together";
  if (getRepeat() && *getRepeat() < 1)
    return emitOpError() << "repeat must be at least 1";
  if (getMask() && !fitsU32(*getMask()))
    return emitOpError() << "mask must be a 32-bit value";
  return success();
}

/// Checks that `count` words from `address` (every `step` words) lie in one
/// data-memory instance.
static LogicalResult verifyDataRange(Operation *op, int64_t address,
                                     int64_t count, int64_t step) {
  if (!fitsU32(address) || address % 4)
    return op->emitOpError() << "address must be a 32-bit aligned address";
  if (count < 1 || step < 1)
    return op->emitOpError() << "count and step must be positive";
  const Device *dev = getTargetOrNull(op);
  if (!dev)
    return success();
  int64_t lastAddr = address + 4 * step * (count - 1);
  auto first = dev->decodeAddress(uint32_t(address));
  auto last =
      fitsU32(lastAddr) ? dev->decodeAddress(uint32_t(lastAddr)) : std::nullopt;
  if (!first || first->kind != AddressKind::Data || !last ||
      last->kind != AddressKind::Data || first->group != last->group ||
      first->index != last->index)
    return op->emitOpError()
           << "words must lie in one data-memory instance of " << dev->name();
  return success();
}

LogicalResult ExpectOp::verify() {
  int64_t rows;
  if (failed(checkData(*this, getData(), 32, 1, rows)))
    return failure();
  if (!fitsU32(getMask()) || getMask() == 0)
    return emitOpError() << "mask must be a non-zero 32-bit value";
  SmallVector<uint32_t> values;
  if (getUnsignedValues(getData(), values))
    for (auto [i, v] : llvm::enumerate(values))
      if (v & ~uint32_t(getMask()))
        return emitOpError()
               << "expected value " << i << " has bits outside the mask";
  return verifyDataRange(*this, getAddress(), rows, 1);
}

LogicalResult UnloadWordsOp::verify() {
  if (getTo() < 0 || getTo() % 4)
    return emitOpError() << "output offset must be a multiple of 4";
  return verifyDataRange(*this, getAddress(), getCount(), getStep());
}

LogicalResult UnloadBytesOp::verify() {
  if (getLanes().size() != 4)
    return emitOpError() << "expects 4 lane offsets";
  if (llvm::all_of(getLanes(), [](int64_t l) { return l < 0; }))
    return emitOpError() << "expects at least one used lane";
  for (int64_t l : getLanes())
    if (l < -1)
      return emitOpError() << "lane offsets must be >= 0 or -1 (unused)";
  if (getOutStep() < 0)
    return emitOpError() << "out_step must not be negative";
  return verifyDataRange(*this, getAddress(), getCount(), getStep());
}

#define GET_OP_CLASSES
#include "tornado/Dialect/HW/IR/HWOps.cpp.inc"
