//===- CommonRegisters.h - Field tables shared by both devices --*- C++ -*-===//
//
// Private to lib/Target. Bit-field tables that are identical on MAX78000 and
// MAX78002, plus the factory functions of the two device singletons. Field
// positions are cross-checked against the conformance corpus by
// unittests/Target; docs/hardware.md gives their sources.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_TARGET_COMMONREGISTERS_H
#define TORNADO_LIB_TARGET_COMMONREGISTERS_H

#include "tornado/Target/Device.h"

#include <array>
#include <cstddef>

namespace tornado {
namespace target {
namespace detail {

const Device &getMax78000();
const Device &getMax78002();

// Base of the APB window holding the accelerator and its FIFOs (both chips).
inline constexpr uint32_t kApbBase = 0x50000000;
// FIFO block at the start of the APB window: control, status, 4 data regs.
inline constexpr uint32_t kFifoControlOffset = 0x0;
inline constexpr uint32_t kFifoStatusOffset = 0x4;
inline constexpr uint32_t kFifoDataOffset = 0x8;
// Always-on control register (group power-down, ready select).
inline constexpr uint32_t kAonControlOffset = 0x1000;
// RISC-V fast FIFO (tightly coupled, outside the APB CNN window).
inline constexpr uint32_t kFastFifoBase = 0x400c0400;

//===--- Group control registers shared by both devices ----------------===//

inline constexpr BitField kSramControlFields[] = {
    {"ExtAcc", 0, 1, "extended SRAM access time"},
    {"RMarginEn", 1, 1, "use RMargin instead of the hardware access time"},
    {"RMargin", 2, 4, "read margin (3 = fastest)"},
    {"ReadAssist", 6, 2, "word-line under-drive"},
    {"WNegVol", 8, 2, "write negative voltage level"},
    {"WNegEn", 10, 1, "use WNegVol"},
    {"WPulse", 11, 3, "write pulse width"},
    {"DeepSleep", 15, 1, "all group memories in deep sleep"},
    {"PowerDown", 16, 1, "all group memories powered down (contents lost)"},
    {"LightSleepData", 19, 1, "data RAM light sleep when idle"},
    {"LightSleepMask", 20, 1, "kernel RAM light sleep when idle"},
    {"LightSleepTram", 21, 1, "TRAM light sleep when idle"},
    {"LightSleepBias", 22, 1, "bias RAM light sleep when idle"},
};

inline constexpr BitField kSramTestFields[] = {
    {"DataBist", 0, 1, "run data-SRAM self test"},
    {"DataZero", 1, 1, "zero data SRAM"},
    {"MaskBist", 2, 1, "run kernel-RAM self test"},
    {"MaskZero", 3, 1, "zero kernel RAM"},
    {"TramBist", 4, 1, "run TRAM self test"},
    {"TramZero", 5, 1, "zero TRAM"},
    {"BiasBist", 6, 1, "run bias-RAM self test"},
    {"BiasZero", 7, 1, "zero bias RAM"},
    {"BistSel", 8, 6,
     "status select (MAX78000); memory selects in MAX78002 commands"},
    {"DataFail", 14, 1, "data BIST failed"},
    {"MaskFail", 15, 1, "kernel BIST failed"},
    {"TramFail", 16, 1, "TRAM BIST failed"},
    {"BiasFail", 17, 1, "bias BIST failed"},
    {"DataDone", 18, 1, "data BIST done"},
    {"MaskDone", 19, 1, "kernel BIST done"},
    {"TramDone", 20, 1, "TRAM BIST done"},
    {"BiasDone", 21, 1, "bias BIST done"},
    {"DataZeroDone", 22, 1, "data zeroize done"},
    {"MaskZeroDone", 23, 1, "kernel zeroize done"},
    {"TramZeroDone", 24, 1, "TRAM zeroize done"},
    {"BiasZeroDone", 25, 1, "bias zeroize done (MAX78002 clear done)"},
    {"BistFail", 26, 1, "any BIST failed"},
    {"BistDone", 27, 1, "any BIST done"},
    {"ZeroDone", 28, 1, "any zeroize done"},
};

inline constexpr BitField kMlatorFields[] = {
    {"Data", 0, 32, "four packed output bytes of the selected channel"},
};

inline constexpr BitField kValueFields[] = {
    {"Value", 0, 32, "whole-word value"},
};

//===--- Per-layer registers shared by both devices ---------------------===//

inline constexpr BitField kOneDFields[] = {
    {"TsCntMax", 0, 4, "time slots - 1 (pass-through, 1x1, eltwise)"},
    {"OnedSad", 4, 4, "start byte in the 9-byte kernel word (Conv1d)"},
    {"OnedWidth", 8, 4, "Conv1d kernel length (1 also marks 1x1 kernels)"},
    {"OnedEn", 12, 1, "one-dimensional processing"},
    {"EwiseEn", 13, 1, "element-wise operation"},
    {"EwiseFunc", 14, 2, "0 sub, 1 add, 2 or, 3 xor"},
    {"PrePool", 16, 1, "pool the operands before the element-wise op"},
    {"EwiseConv", 17, 1, "convolve the element-wise result"},
    {"EwiseCnt", 18, 4, "element-wise operands - 1"},
};

inline constexpr BitField kEnablesFields[] = {
    {"ProcEn", 0, 16, "processors enabled in this group"},
    {"MaskEn", 16, 16, "processors applying kernels"},
};

// Low 17 bits of the layer control register; same on both chips, each
// device appends its own upper bits (see concat()).
inline constexpr BitField kLayerControlCommonFields[] = {
    {"SSlave", 0, 4, "share x4 group receptive field"},
    {"MSlave", 4, 1, "share processor 0 receptive field"},
    {"Master", 5, 1, "group computes its own sum of products"},
    {"Parallel", 6, 1, "CHW input: 4 bytes per word for one channel"},
    {"PoolEn", 7, 1, "pooling"},
    {"MaxPoolEn", 8, 1, "max pooling (else average)"},
    {"ReluEn", 9, 1, "ReLU activation"},
    {"CPadOnly", 10, 1, "pad columns only"},
    {"SramLSrc", 11, 1, "write data from the global buses"},
    {"CnnSiEn", 12, 4, "add partial sums of the other groups"},
    {"BigDWrt", 16, 1, "32-bit (unclipped) output"},
};

// Low 29 bits of the post-processing register; same on both chips.
inline constexpr BitField kPostCommonFields[] = {
    {"BiasAddr", 0, 12, "bias start entry"},
    {"BiasEn", 12, 1, "add bias"},
    {"Shift", 13, 4, "output shift magnitude"},
    {"ShiftRight", 17, 1, "shift right (negative output_shift)"},
    {"XpmpCnt", 18, 4, "flatten: upper 4 bits of the pass count"},
    {"WeightSize", 22, 2, "0: 8-bit, 1: 1-bit/binary, 2: 2-bit, 3: 4-bit"},
    {"TsEn", 24, 1, "time-slot mode"},
    {"OneXOne", 25, 1, "1x1 products (else pass-through) with TsEn"},
    {"OutAbs", 26, 1, "absolute-value activation"},
    {"FlattenEn", 27, 1, "flatten (extended pass count)"},
    {"DeconvEn", 28, 1, "transposed convolution (zero insertion)"},
};

/// Joins two constant tables into one (fields or registers).
template <typename T, size_t N, size_t M>
constexpr std::array<T, N + M> concat(const T (&first)[N],
                                      const T (&second)[M]) {
  std::array<T, N + M> result{};
  for (size_t i = 0; i < N; ++i)
    result[i] = first[i];
  for (size_t i = 0; i < M; ++i)
    result[N + i] = second[i];
  return result;
}

//===--- Device-wide FIFO registers ---------------------------------------===//

inline constexpr BitField kFifoControlFields[] = {
    {"RdySel", 0, 2, "wait states"},
    {"FullLevel", 2, 5, "threshold (the izer writes 2)"},
    {"EmptyLevel", 7, 4, "threshold (the izer writes 2)"},
    {"Cpl", 11, 1, "required on MAX78000 (Requirement::FifoCpl)"},
    {"FifoEn", 12, 4, "FIFO n feeds group n"},
};

inline constexpr BitField kFifoStatusFields[] = {
    {"Full", 0, 4, "FIFO n cannot accept a word"},
};

inline constexpr BitField kFifoDataFields[] = {
    {"Data", 0, 32, "word pushed into the FIFO"},
};

inline constexpr BitField kAonControlFields[] = {
    {"RdySel", 0, 2, "wait states"},
    {"GroupPowerDown", 12, 4, "power down group n"},
};

inline constexpr BitField kFastFifoControlFields[] = {
    {"Threshold", 4, 4, "threshold (the izer writes 10, asynchronous mode)"},
};

inline constexpr BitField kFastFifoStatusFields[] = {
    {"Full", 1, 1, "fast FIFO cannot accept a word"},
};

// The FIFO registers are the same on both chips; each device table ends with
// them (see concat()).
inline constexpr RegisterInfo kFifoRegisters[] = {
    {Reg::FifoControl, "FifoControl", RegisterSpace::Absolute,
     kApbBase + kFifoControlOffset, 0, 1, kFifoControlFields,
     "input FIFO control"},
    {Reg::FifoStatus, "FifoStatus", RegisterSpace::Absolute,
     kApbBase + kFifoStatusOffset, 0, 1, kFifoStatusFields,
     "input FIFO status"},
    {Reg::FifoData, "FifoData", RegisterSpace::Absolute,
     kApbBase + kFifoDataOffset, 4, 4, kFifoDataFields, "input FIFO n data"},
    {Reg::AonControl, "AonControl", RegisterSpace::Absolute,
     kApbBase + kAonControlOffset, 0, 1, kAonControlFields,
     "always-on control"},
    {Reg::FastFifoControl, "FastFifoControl", RegisterSpace::Absolute,
     kFastFifoBase + 0x0, 0, 1, kFastFifoControlFields, "fast FIFO control"},
    {Reg::FastFifoStatus, "FastFifoStatus", RegisterSpace::Absolute,
     kFastFifoBase + 0x4, 0, 1, kFastFifoStatusFields, "fast FIFO status"},
    {Reg::FastFifoIntEnable, "FastFifoIntEnable", RegisterSpace::Absolute,
     kFastFifoBase + 0x8, 0, 1, kValueFields, "fast FIFO interrupt enable"},
    {Reg::FastFifoIntStatus, "FastFifoIntStatus", RegisterSpace::Absolute,
     kFastFifoBase + 0xc, 0, 1, kValueFields, "fast FIFO interrupt status"},
    {Reg::FastFifoData, "FastFifoData", RegisterSpace::Absolute,
     kFastFifoBase + 0x10, 0, 1, kFifoDataFields, "fast FIFO data"},
    {Reg::FastFifoDma, "FastFifoDma", RegisterSpace::Absolute,
     kFastFifoBase + 0x14, 0, 1, kValueFields, "fast FIFO DMA (reserved)"},
};

} // namespace detail
} // namespace target
} // namespace tornado

#endif // TORNADO_LIB_TARGET_COMMONREGISTERS_H
