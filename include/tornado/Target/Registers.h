//===- Registers.h - MAX7800x accelerator register descriptions -*- C++ -*-===//
//
// Plain-data descriptions of the accelerator's memory-mapped registers: where
// each register lives, how its address is formed for a group/layer, and its
// named bit fields. The tables themselves are per device (lib/Target); this
// header only holds the shapes and the field encoding helpers, so the emitter
// and the register-level interpreter never hard-code a bit position.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_TARGET_REGISTERS_H
#define TORNADO_TARGET_REGISTERS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>

namespace tornado {
namespace target {

/// How a register's address is formed.
enum class RegisterSpace : uint8_t {
  /// One copy per group: groupBase(group) + offset.
  Group,
  /// One copy per group and per slot (layer or streaming layer):
  /// groupBase(group) + offset + slot * stride, slot < count.
  Layered,
  /// Device-wide, at an absolute address: offset + slot * stride,
  /// slot < count (count is 1 for single registers).
  Absolute,
};

/// Every register either device may have. A device's table holds the subset
/// it implements; Device::findRegister returns null for the others.
enum class Reg : uint8_t {
  // Group control registers.
  Control,
  SramControl,
  LayerCount,
  SramTest,
  InputFrameSize,
  Mlator,
  Snoop1Addr1,
  Snoop1Addr2,
  Snoop1Data1,
  Snoop1Data2,
  Snoop1Count1,
  Snoop1Count2,
  Snoop1Ctrl1,
  Snoop1Ctrl2,
  Snoop1Acc,
  Snoop1Hit,
  Snoop1Max,
  Snoop1MatchAddr,
  Snoop2Addr1,
  Snoop2Addr2,
  Snoop2Data1,
  Snoop2Data2,
  Snoop2Count1,
  Snoop2Count2,
  Snoop2Ctrl1,
  Snoop2Ctrl2,
  Snoop2Acc,
  Snoop2Hit,
  Snoop2Max,
  Snoop2MatchAddr,
  // Per-layer registers.
  NextLayer,
  Rows,
  Columns,
  OneD,
  PoolRows,
  PoolColumns,
  Stride,
  WritePtrBase,
  WritePtrTimeSlotOffset,
  WritePtrMaskOffset,
  WritePtrChannelOffset,
  ReadPtrBase,
  LayerControl,
  LayerControl2,
  MaskCount,
  MaskMax,
  MaskStart,
  OutputChannels,
  TramPtr,
  Enables,
  Post,
  // Per-streaming-layer registers.
  StreamStart,
  StreamDelta,
  Rollover,
  // Device-wide FIFO registers.
  FifoControl,
  FifoStatus,
  FifoData,
  AonControl,
  FastFifoControl,
  FastFifoStatus,
  FastFifoIntEnable,
  FastFifoIntStatus,
  FastFifoData,
  FastFifoDma,
};

/// One bit field of a register: bits [lsb, lsb + width).
struct BitField {
  const char *name;
  unsigned lsb;
  unsigned width;
  const char *description;

  /// Largest value the field can hold.
  constexpr uint32_t maxValue() const {
    return width >= 32 ? 0xffffffffu : ((1u << width) - 1u);
  }
  /// The field's bits in the register word.
  constexpr uint32_t mask() const { return maxValue() << lsb; }
  /// The field's value in `word`.
  constexpr uint32_t extract(uint32_t word) const {
    return (word >> lsb) & maxValue();
  }
};

/// One register (or one bank of identical per-layer registers).
struct RegisterInfo {
  Reg id;
  const char *name;
  RegisterSpace space;
  /// From the group base (Group, Layered) or absolute (Absolute).
  uint32_t offset;
  /// Address step between slots (Layered, Absolute banks); 0 if single.
  uint32_t stride;
  /// Number of slots (layers, streaming layers, FIFOs); 1 if single.
  unsigned count;
  /// Fields in ascending bit order, never overlapping.
  llvm::ArrayRef<BitField> fields;
  const char *description;

  /// The field called `fieldName` (exact, case-sensitive), or null.
  const BitField *findField(llvm::StringRef fieldName) const;
  /// Union of all field masks: bits that have a documented meaning.
  uint32_t definedBits() const;
};

/// A field name and the value to store in it.
struct FieldValue {
  llvm::StringRef field;
  uint64_t value;
};

/// Returns `word` with field `field` of `reg` replaced by `value`. Fails for
/// an unknown field or a value that does not fit the field.
llvm::Expected<uint32_t> encodeField(const RegisterInfo &reg,
                                     llvm::StringRef field, uint64_t value,
                                     uint32_t word = 0);

/// Builds a register word from field values (other bits zero). Fails for an
/// unknown or repeated field, or a value that does not fit.
llvm::Expected<uint32_t> encodeRegister(const RegisterInfo &reg,
                                        llvm::ArrayRef<FieldValue> values);

/// Reads field `field` of `reg` from `word`. Fails for an unknown field.
llvm::Expected<uint32_t> decodeField(const RegisterInfo &reg,
                                     llvm::StringRef field, uint32_t word);

/// The register's name, e.g. "LayerControl".
llvm::StringRef registerName(Reg id);

} // namespace target
} // namespace tornado

#endif // TORNADO_TARGET_REGISTERS_H
