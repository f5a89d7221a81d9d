//===- Device.cpp - Device-independent parts of the target model ----------===//
//
// Everything here is derived from the per-device facts in MAX78000.cpp and
// MAX78002.cpp; nothing in this file knows a device-specific number except
// what CommonRegisters.h states for both chips.
//
//===----------------------------------------------------------------------===//

#include "CommonRegisters.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace tornado::target;

Device::~Device() = default;

llvm::StringRef tornado::target::deviceKindName(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::MAX78000:
    return "MAX78000";
  case DeviceKind::MAX78002:
    return "MAX78002";
  }
  return "<unknown device>";
}

const Device &Device::get(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::MAX78000:
    return detail::getMax78000();
  case DeviceKind::MAX78002:
    return detail::getMax78002();
  }
  llvm_unreachable("unknown device kind");
}

std::optional<DeviceKind> Device::parse(llvm::StringRef name) {
  // Part numbers (MAX78000), die types (AI85) and bare numbers, any case.
  std::string lower = name.lower();
  llvm::StringRef rest(lower);
  if (!rest.consume_front("max"))
    rest.consume_front("ai");
  if (rest.empty() || !llvm::all_of(rest, llvm::isDigit))
    return std::nullopt;
  unsigned number = 0;
  if (rest.getAsInteger(10, number))
    return std::nullopt;
  switch (number) {
  case 85:
  case 78000:
    return DeviceKind::MAX78000;
  case 87:
  case 78002:
    return DeviceKind::MAX78002;
  default:
    return std::nullopt;
  }
}

llvm::Expected<const Device &> Device::lookup(llvm::StringRef name) {
  if (std::optional<DeviceKind> kind = parse(name))
    return get(*kind);
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv("unsupported device '{0}': expected MAX78000 (AI85, 85) "
                    "or MAX78002 (AI87, 87)",
                    name));
}

//===--- Limits
//-------------------------------------------------------------===//

unsigned Device::maxWritePointerSkip() const {
  const RegisterInfo *reg = findRegister(Reg::LayerControl2);
  const BitField *f = reg ? reg->findField("WptrInc") : nullptr;
  return f ? f->maxValue() : 0;
}

std::pair<unsigned, unsigned> Device::splitPasses(int64_t channels) const {
  const int64_t procs = numProcessors();
  const int64_t passes = std::max<int64_t>(1, (channels + procs - 1) / procs);
  int64_t perPass = (channels + passes - 1) / passes;
  if (channels > procs) {
    const int64_t share = processorsPerDataInstance();
    perPass = std::min((perPass + share - 1) / share * share, procs);
  }
  return {unsigned(passes), unsigned(perPass)};
}

bool Device::supportsPadding(LayerOp op, unsigned pad, unsigned kernel,
                             unsigned inputPasses) const {
  switch (op) {
  case LayerOp::None:
  case LayerOp::Linear:
    return pad == 0;
  case LayerOp::Conv1d:
    if (pad > 0 && inputPasses > 1 &&
        !hasFeature(Feature::MultipassPaddedConv1d))
      return false;
    [[fallthrough]];
  case LayerOp::Conv2d:
    return pad <= maxPadding() && pad < kernel;
  case LayerOp::ConvTranspose2d: {
    // The hardware pads the zero-stuffed input by (kernel - 1) - pad.
    if (kernel == 0 || pad >= kernel)
      return false;
    return kernel - 1 - pad <= maxPadding();
  }
  }
  return false;
}

bool Device::supportsPool(unsigned kh, unsigned kw, unsigned stride,
                          unsigned dh, unsigned dw) const {
  auto inRange = [](unsigned v, unsigned lo, unsigned hi) {
    return v >= lo && v <= hi;
  };
  if (!inRange(kh, minPoolSize(), maxPoolSize()) ||
      !inRange(kw, minPoolSize(), maxPoolSize()) ||
      !inRange(stride, 1, maxPoolStride()) ||
      !inRange(dh, 1, maxPoolDilation()) || !inRange(dw, 1, maxPoolDilation()))
    return false;
  // The pool counters hold (size - 1) * dilation in 4 bits.
  unsigned counterMax = maxPoolSize() - 1;
  return (kh - 1) * dh <= counterMax && (kw - 1) * dw <= counterMax;
}

bool Device::supportsDilation(LayerOp op, unsigned kernel,
                              unsigned dilation) const {
  if (dilation == 0)
    return false;
  if (dilation == 1)
    return true;
  if (op != LayerOp::Conv1d || !hasFeature(Feature::Conv1dDilation))
    return dilation <= maxDilation(op);
  if (kernel < 2 || dilation > maxDilation(op))
    return false;
  // Short dilated kernels are stretched into one 9-byte kernel word; longer
  // reaches are emulated with 3x3 Conv2d hardware for kernels up to 3.
  constexpr unsigned kernelWordTaps = 9;
  return (kernel - 1) * dilation < kernelWordTaps || kernel <= 3;
}

uint64_t Device::fifoProcessorMask(bool chw) const {
  uint64_t mask = 0;
  uint64_t perGroup = chw ? 0x1 : 0xf;
  for (unsigned g = 0; g < numGroups(); ++g)
    mask |= perGroup << (g * processorsPerGroup());
  return mask;
}

/// The kernel region of processor 0 (which has every region) that holds
/// `column`; columns past the end count as the last region, as the izer's
/// arithmetic does.
static const KernelRegion &regionOf(const Device &dev, unsigned column) {
  llvm::ArrayRef<KernelRegion> regions = dev.kernelRegions(0);
  const KernelRegion *found = &regions.front();
  for (const KernelRegion &r : regions)
    if (column >= r.firstColumn)
      found = &r;
  return *found;
}

unsigned Device::calcX4Column(unsigned column) const {
  if (!hasFeature(Feature::CalcX4))
    return column;
  const KernelRegion &region = regionOf(*this, column);
  unsigned local = column - region.firstColumn;
  return region.firstColumn +
         (local % region.instances) * region.columnsPerInstance +
         local / region.instances;
}

unsigned Device::calcX4Lanes() const {
  return hasFeature(Feature::CalcX4) ? kernelRegions(0).front().instances : 1;
}

unsigned Device::calcX4KernelColumn(unsigned column, unsigned start,
                                    unsigned quarter) const {
  if (!hasFeature(Feature::CalcX4))
    return column;
  const KernelRegion &region = regionOf(*this, column);
  // A layer of fewer words than lanes has no quarter: every word lands on
  // the first (the izer's division by zero yields 0, 0).
  if (quarter == 0)
    return region.firstColumn + start / region.instances;
  unsigned run = (column - start) / quarter, pos = (column - start) % quarter;
  return region.firstColumn + run * region.columnsPerInstance + pos +
         start / region.instances;
}

//===--- Address map
//--------------------------------------------------------===//

uint32_t Device::apbBase() const { return detail::kApbBase; }

uint32_t Device::dataInstanceBase(unsigned group, unsigned instance) const {
  assert(instance < dataInstancesPerGroup() && "instance out of range");
  return dataBase(group) + instance * dataInstanceStride();
}

uint32_t Device::dataWordAddress(unsigned processor,
                                 uint32_t byteOffset) const {
  assert(processor < numProcessors() && "processor out of range");
  assert(byteOffset < dataInstanceBytes() && "offset beyond the instance");
  unsigned group = processor / processorsPerGroup();
  unsigned instance =
      (processor % processorsPerGroup()) / processorsPerDataInstance();
  return dataInstanceBase(group, instance) + (byteOffset & ~3u);
}

uint32_t Device::kernelWordAddress(unsigned group, unsigned proc,
                                   unsigned column) const {
  assert(column <
             kernelWordsPerProcessor(group * processorsPerGroup() + proc) &&
         "kernel column out of range");
  return kernelBase(group, proc) + column * kernelWordStride();
}

uint32_t Device::kernelExpressAddress(unsigned group, unsigned proc,
                                      unsigned column) const {
  assert(column <
             kernelWordsPerProcessor(group * processorsPerGroup() + proc) &&
         "kernel column out of range");
  // The column travels in the address bits a plain 16-byte slot address
  // would use, shifted down by 2.
  return kernelBase(group, proc) | (column << 2);
}

uint32_t Device::biasAddress(unsigned group, unsigned index) const {
  assert(index < biasBytesPerGroup() && "bias index out of range");
  return biasBase(group) + index * 4;
}

uint32_t Device::tramAddress(unsigned group, unsigned proc,
                             unsigned word) const {
  assert(word < tramWordsPerProcessor() && "TRAM word out of range");
  return tramBase(group, proc) + word * 4;
}

uint32_t Device::fifoControlAddress() const {
  return detail::kApbBase + detail::kFifoControlOffset;
}
uint32_t Device::fifoStatusAddress() const {
  return detail::kApbBase + detail::kFifoStatusOffset;
}
uint32_t Device::fifoDataAddress(unsigned fifo) const {
  assert(fifo < numFifos() && "FIFO out of range");
  return detail::kApbBase + detail::kFifoDataOffset + fifo * 4;
}
uint32_t Device::aonControlAddress() const {
  return detail::kApbBase + detail::kAonControlOffset;
}
uint32_t Device::fastFifoBase() const { return detail::kFastFifoBase; }
uint32_t Device::fastFifoDataAddress() const {
  return cantFail(registerAddress(Reg::FastFifoData, 0));
}
uint32_t Device::fastFifoStatusAddress() const {
  return cantFail(registerAddress(Reg::FastFifoStatus, 0));
}

// Slot of `reg` at `address`, if `address` is one of its instances.
static std::optional<unsigned> slotAt(const RegisterInfo &reg, uint32_t base,
                                      uint32_t address) {
  if (address < base + reg.offset)
    return std::nullopt;
  uint32_t rel = address - base - reg.offset;
  if (reg.count <= 1 || reg.stride == 0)
    return rel == 0 ? std::optional<unsigned>(0) : std::nullopt;
  // The range test first: most addresses looked up lie far past the
  // register (data memory), and it spares the division.
  if (uint64_t(rel) >= uint64_t(reg.count) * reg.stride || rel % reg.stride)
    return std::nullopt;
  return rel / reg.stride;
}

std::optional<DecodedAddress> Device::decodeAddress(uint32_t address) const {
  for (const RegisterInfo &reg : registers()) {
    if (reg.space != RegisterSpace::Absolute)
      continue;
    if (std::optional<unsigned> slot = slotAt(reg, 0, address))
      return DecodedAddress{AddressKind::Register, &reg, 0, *slot, 0};
  }
  // Windows are checked as [begin, begin + size) with 64-bit arithmetic so
  // the top of the address space cannot wrap.
  auto within = [address](uint32_t begin, uint64_t size) {
    return address >= begin && uint64_t(address) < uint64_t(begin) + size;
  };
  for (unsigned g = 0; g < numGroups(); ++g) {
    if (within(biasBase(g), uint64_t(biasBytesPerGroup()) * 4))
      return DecodedAddress{AddressKind::Bias, nullptr, g, 0,
                            address - biasBase(g)};
    uint32_t tram = tramBase(g, 0);
    if (within(tram, uint64_t(tramProcessorStride()) * processorsPerGroup())) {
      uint32_t rel = address - tram;
      uint32_t inside = rel % tramProcessorStride();
      if (inside >= tramWordsPerProcessor() * 4)
        return std::nullopt;
      return DecodedAddress{AddressKind::Tram, nullptr, g,
                            rel / tramProcessorStride(), inside};
    }
    uint32_t kernel = kernelBase(g, 0);
    if (within(kernel,
               uint64_t(kernelProcessorStride()) * processorsPerGroup())) {
      uint32_t rel = address - kernel;
      return DecodedAddress{AddressKind::Kernel, nullptr, g,
                            rel / kernelProcessorStride(),
                            rel % kernelProcessorStride()};
    }
    uint32_t data = dataBase(g);
    if (within(data,
               uint64_t(dataInstanceStride()) * dataInstancesPerGroup())) {
      uint32_t rel = address - data;
      uint32_t inside = rel % dataInstanceStride();
      if (inside >= dataInstanceBytes())
        return std::nullopt;
      return DecodedAddress{AddressKind::Data, nullptr, g,
                            rel / dataInstanceStride(), inside};
    }
  }
  // Group registers last: most addresses looked up are memory words, and no
  // register lies inside a memory window.
  for (unsigned g = 0; g < numGroups(); ++g) {
    uint32_t base = groupBase(g);
    if (address < base)
      continue;
    for (const RegisterInfo &reg : registers()) {
      if (reg.space == RegisterSpace::Absolute)
        continue;
      if (std::optional<unsigned> slot = slotAt(reg, base, address))
        return DecodedAddress{AddressKind::Register, &reg, g, *slot, 0};
    }
  }
  return std::nullopt;
}

//===--- Registers
//----------------------------------------------------------===//

const RegisterInfo *Device::findRegister(Reg id) const {
  for (const RegisterInfo &reg : registers())
    if (reg.id == id)
      return &reg;
  return nullptr;
}

const RegisterInfo *Device::findRegister(llvm::StringRef regName) const {
  for (const RegisterInfo &reg : registers())
    if (regName == reg.name)
      return &reg;
  return nullptr;
}

static llvm::Error missingRegister(const Device &device, Reg id) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 llvm::formatv("{0} has no register {1}",
                                               device.name(),
                                               registerName(id)));
}

llvm::Expected<uint32_t> Device::registerAddress(const RegisterInfo &reg,
                                                 unsigned group,
                                                 unsigned slot) const {
  if (reg.space != RegisterSpace::Absolute && group >= numGroups())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("group {0} out of range for register {1} (0..{2})", group,
                      reg.name, numGroups() - 1));
  if (slot >= reg.count)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("slot {0} out of range for register {1} on {2} "
                      "({3} slot{4})",
                      slot, reg.name, name(), reg.count,
                      reg.count == 1 ? "" : "s"));
  uint32_t base = reg.space == RegisterSpace::Absolute ? 0 : groupBase(group);
  return base + reg.offset + slot * reg.stride;
}

llvm::Expected<uint32_t> Device::registerAddress(Reg id, unsigned group,
                                                 unsigned slot) const {
  const RegisterInfo *reg = findRegister(id);
  if (!reg)
    return missingRegister(*this, id);
  return registerAddress(*reg, group, slot);
}

llvm::Expected<uint32_t>
Device::encode(Reg id, llvm::ArrayRef<FieldValue> values) const {
  const RegisterInfo *reg = findRegister(id);
  if (!reg)
    return missingRegister(*this, id);
  return encodeRegister(*reg, values);
}

llvm::Expected<uint32_t> Device::encodeOutputShift(int shift) const {
  if (shift < minOutputShift() || shift > maxOutputShift())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("output shift {0} out of range [{1}, {2}]", shift,
                      minOutputShift(), maxOutputShift()));
  uint64_t magnitude = shift < 0 ? -int64_t(shift) : shift;
  return encode(Reg::Post,
                {{"Shift", magnitude}, {"ShiftRight", shift < 0 ? 1u : 0u}});
}

std::optional<unsigned> Device::weightSizeCode(int bits) const {
  switch (bits) {
  case 8:
    return 0;
  case 1:
    return 1;
  case -1:
    if (hasFeature(Feature::BinaryWeights))
      return 1;
    return std::nullopt;
  case 2:
    return 2;
  case 4:
    return 3;
  default:
    return std::nullopt;
  }
}

unsigned Device::eltwiseCode(EltwiseOp op) {
  switch (op) {
  case EltwiseOp::Sub:
    return 0;
  case EltwiseOp::Add:
    return 1;
  case EltwiseOp::Or:
    return 2;
  case EltwiseOp::Xor:
    return 3;
  }
  llvm_unreachable("unknown element-wise op");
}

std::optional<Device::AvgPoolResetLayer> Device::avgPoolResetLayer() const {
  // Only devices that need the layer have its register fields.
  if (!needs(Requirement::PassthroughAvgPoolAfterEltwise))
    return std::nullopt;
  // A one-pixel frame through one processor as a 1x1 time-slot pass-through,
  // with the max-pool enable (but not PoolEn) set.
  AvgPoolResetLayer r;
  r.rows = cantFail(encode(Reg::Rows, {{"Diff", 1}}));
  r.columns = cantFail(encode(Reg::Columns, {{"Diff", 1}}));
  r.stride = cantFail(encode(Reg::Stride, {{"MultiPassStride", 1}}));
  r.layerControl = cantFail(encode(
      Reg::LayerControl, {{"Master", 1}, {"MaxPoolEn", 1}, {"SramLSrc", 1}}));
  r.oneD = cantFail(encode(Reg::OneD, {{"OnedWidth", 1}}));
  r.post = cantFail(encode(Reg::Post, {{"TsEn", 1}, {"OneXOne", 1}}));
  r.enables = cantFail(encode(Reg::Enables, {{"ProcEn", 1}}));
  return r;
}

uint32_t Device::defaultSramControl() const {
  // Fastest read margin, explicitly enabled; write negative voltage enabled.
  return cantFail(encode(Reg::SramControl,
                         {{"RMarginEn", 1}, {"RMargin", 3}, {"WNegEn", 1}}));
}
