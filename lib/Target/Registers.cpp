//===- Registers.cpp - Register field encoding ----------------------------===//

#include "tornado/Target/Registers.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FormatVariadic.h"

using namespace tornado::target;

const BitField *RegisterInfo::findField(llvm::StringRef fieldName) const {
  for (const BitField &field : fields)
    if (fieldName == field.name)
      return &field;
  return nullptr;
}

uint32_t RegisterInfo::definedBits() const {
  uint32_t bits = 0;
  for (const BitField &field : fields)
    bits |= field.mask();
  return bits;
}

static llvm::Error unknownField(const RegisterInfo &reg,
                                llvm::StringRef field) {
  std::string known;
  for (const BitField &f : reg.fields) {
    if (!known.empty())
      known += ", ";
    known += f.name;
  }
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      llvm::formatv("register {0} has no field '{1}' (fields: {2})", reg.name,
                    field, known));
}

llvm::Expected<uint32_t> tornado::target::encodeField(const RegisterInfo &reg,
                                                      llvm::StringRef field,
                                                      uint64_t value,
                                                      uint32_t word) {
  const BitField *bits = reg.findField(field);
  if (!bits)
    return unknownField(reg, field);
  if (value > bits->maxValue())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("value {0} does not fit register field {1}.{2} "
                      "({3} bit{4}, at most {5})",
                      value, reg.name, bits->name, bits->width,
                      bits->width == 1 ? "" : "s", bits->maxValue()));
  return (word & ~bits->mask()) |
         ((static_cast<uint32_t>(value) << bits->lsb) & bits->mask());
}

llvm::Expected<uint32_t>
tornado::target::encodeRegister(const RegisterInfo &reg,
                                llvm::ArrayRef<FieldValue> values) {
  uint32_t word = 0;
  llvm::SmallVector<const BitField *, 8> seen;
  for (const FieldValue &fv : values) {
    const BitField *bits = reg.findField(fv.field);
    if (!bits)
      return unknownField(reg, fv.field);
    if (llvm::is_contained(seen, bits))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          llvm::formatv("register field {0}.{1} is set twice", reg.name,
                        bits->name));
    seen.push_back(bits);
    llvm::Expected<uint32_t> next = encodeField(reg, fv.field, fv.value, word);
    if (!next)
      return next.takeError();
    word = *next;
  }
  return word;
}

llvm::Expected<uint32_t> tornado::target::decodeField(const RegisterInfo &reg,
                                                      llvm::StringRef field,
                                                      uint32_t word) {
  const BitField *bits = reg.findField(field);
  if (!bits)
    return unknownField(reg, field);
  return bits->extract(word);
}

llvm::StringRef tornado::target::registerName(Reg id) {
  switch (id) {
#define CASE(NAME)                                                             \
  case Reg::NAME:                                                              \
    return #NAME;
    CASE(Control)
    CASE(SramControl)
    CASE(LayerCount)
    CASE(SramTest)
    CASE(InputFrameSize)
    CASE(Mlator)
    CASE(Snoop1Addr1)
    CASE(Snoop1Addr2)
    CASE(Snoop1Data1)
    CASE(Snoop1Data2)
    CASE(Snoop1Count1)
    CASE(Snoop1Count2)
    CASE(Snoop1Ctrl1)
    CASE(Snoop1Ctrl2)
    CASE(Snoop1Acc)
    CASE(Snoop1Hit)
    CASE(Snoop1Max)
    CASE(Snoop1MatchAddr)
    CASE(Snoop2Addr1)
    CASE(Snoop2Addr2)
    CASE(Snoop2Data1)
    CASE(Snoop2Data2)
    CASE(Snoop2Count1)
    CASE(Snoop2Count2)
    CASE(Snoop2Ctrl1)
    CASE(Snoop2Ctrl2)
    CASE(Snoop2Acc)
    CASE(Snoop2Hit)
    CASE(Snoop2Max)
    CASE(Snoop2MatchAddr)
    CASE(NextLayer)
    CASE(Rows)
    CASE(Columns)
    CASE(OneD)
    CASE(PoolRows)
    CASE(PoolColumns)
    CASE(Stride)
    CASE(WritePtrBase)
    CASE(WritePtrTimeSlotOffset)
    CASE(WritePtrMaskOffset)
    CASE(WritePtrChannelOffset)
    CASE(ReadPtrBase)
    CASE(LayerControl)
    CASE(LayerControl2)
    CASE(MaskCount)
    CASE(MaskMax)
    CASE(MaskStart)
    CASE(OutputChannels)
    CASE(TramPtr)
    CASE(Enables)
    CASE(Post)
    CASE(StreamStart)
    CASE(StreamDelta)
    CASE(Rollover)
    CASE(FifoControl)
    CASE(FifoStatus)
    CASE(FifoData)
    CASE(AonControl)
    CASE(FastFifoControl)
    CASE(FastFifoStatus)
    CASE(FastFifoIntEnable)
    CASE(FastFifoIntStatus)
    CASE(FastFifoData)
    CASE(FastFifoDma)
#undef CASE
  }
  return "<unknown>";
}
