//===- DeviceTest.cpp - Device facts, parsing, encoding -------------------===//
//
// Expected numbers come from the conformance README's verified memory map and
// from register writes in corpus/MAX7800x/mnist/cnn.c (quoted next to each
// check), so a wrong table entry shows up as a mismatch with izer output.
//
//===----------------------------------------------------------------------===//

#include "tornado/Target/Device.h"

#include "llvm/Support/Error.h"
#include "gtest/gtest.h"

using namespace tornado::target;

namespace {

const Device &max78000() { return Device::get(DeviceKind::MAX78000); }
const Device &max78002() { return Device::get(DeviceKind::MAX78002); }

uint32_t addr(const Device &device, Reg reg, unsigned group,
              unsigned slot = 0) {
  llvm::Expected<uint32_t> a = device.registerAddress(reg, group, slot);
  if (!a) {
    ADD_FAILURE() << llvm::toString(a.takeError());
    return 0;
  }
  return *a;
}

uint32_t enc(const Device &device, Reg reg, llvm::ArrayRef<FieldValue> values) {
  llvm::Expected<uint32_t> v = device.encode(reg, values);
  if (!v) {
    ADD_FAILURE() << llvm::toString(v.takeError());
    return 0;
  }
  return *v;
}

/// A register address the izer's code writes: register, group, slot
/// (layer) and address.
struct RegisterAt {
  Reg reg;
  unsigned group, slot;
  uint32_t address;
};

void expectAddresses(const Device &device, llvm::ArrayRef<RegisterAt> all) {
  for (const RegisterAt &r : all) {
    const RegisterInfo *info = device.findRegister(r.reg);
    EXPECT_EQ(addr(device, r.reg, r.group, r.slot), r.address)
        << (info ? info->name : "?") << " group " << r.group << " slot "
        << r.slot;
  }
}

std::string errorText(llvm::Expected<uint32_t> value) {
  if (value)
    return "<no error>";
  return llvm::toString(value.takeError());
}

//===--- Device names ----------------------------------------------------===//

TEST(DeviceParse, AcceptsPartNumbersDieTypesAndNumbers) {
  for (const char *name : {"MAX78000", "max78000", "Max78000", "AI85", "ai85",
                           "85", "78000", "MAX85"})
    EXPECT_EQ(Device::parse(name), DeviceKind::MAX78000) << name;
  for (const char *name :
       {"MAX78002", "max78002", "AI87", "ai87", "87", "78002"})
    EXPECT_EQ(Device::parse(name), DeviceKind::MAX78002) << name;
}

TEST(DeviceParse, RejectsOtherNames) {
  for (const char *name :
       {"", "MAX", "AI", "MAX78001", "86", "AI86", "CMSIS-NN", "MAX78000x",
        " 85", "-85", "+85", "0x55", "maxai85"})
    EXPECT_EQ(Device::parse(name), std::nullopt) << '"' << name << '"';
}

TEST(DeviceParse, LookupExplainsFailure) {
  llvm::Expected<const Device &> ok = Device::lookup("ai87");
  ASSERT_TRUE(bool(ok));
  EXPECT_EQ(ok->kind(), DeviceKind::MAX78002);
  EXPECT_EQ(ok->name(), "MAX78002");
  EXPECT_EQ(ok->dieName(), "AI87");

  llvm::Expected<const Device &> bad = Device::lookup("MAX32690");
  ASSERT_FALSE(bool(bad));
  std::string message = llvm::toString(bad.takeError());
  EXPECT_NE(message.find("MAX32690"), std::string::npos) << message;
  EXPECT_NE(message.find("MAX78000"), std::string::npos) << message;
}

TEST(DeviceParse, GetReturnsMatchingSingleton) {
  EXPECT_EQ(&Device::get(DeviceKind::MAX78000), &max78000());
  EXPECT_EQ(max78000().kind(), DeviceKind::MAX78000);
  EXPECT_EQ(max78002().kind(), DeviceKind::MAX78002);
  EXPECT_EQ(deviceKindName(DeviceKind::MAX78000), "MAX78000");
}

//===--- Limits ----------------------------------------------------------===//

TEST(DeviceLimits, PerDeviceDifferences) {
  EXPECT_EQ(max78000().maxLayers(), 32u);
  EXPECT_EQ(max78002().maxLayers(), 128u);
  EXPECT_EQ(max78000().maxStartLayer(), 0u);
  EXPECT_EQ(max78002().maxStartLayer(), 127u);
  EXPECT_EQ(max78000().maxDim(), 1024u);
  EXPECT_EQ(max78002().maxDim(), 2048u);
  EXPECT_EQ(max78000().maxChannels(), 1024u);
  EXPECT_EQ(max78002().maxChannels(), 1024u);
  EXPECT_EQ(max78000().maxPoolDilation(), 1u);
  EXPECT_EQ(max78002().maxPoolDilation(), 16u);
  EXPECT_FALSE(max78000().hasFeature(Feature::Depthwise));
  EXPECT_TRUE(max78002().hasFeature(Feature::Depthwise));
  EXPECT_FALSE(max78000().supportsWeightBits(-1));
  EXPECT_TRUE(max78002().supportsWeightBits(-1));
  for (const Device *d : {&max78000(), &max78002()}) {
    EXPECT_TRUE(d->supportsWeightBits(8));
    EXPECT_TRUE(d->supportsWeightBits(1));
    EXPECT_FALSE(d->supportsWeightBits(3));
    EXPECT_FALSE(d->supportsWeightBits(16));
    // The izer rejects 2D dilation and other 2D kernel sizes on both chips.
    EXPECT_FALSE(d->hasFeature(Feature::Dilation));
    EXPECT_FALSE(d->hasFeature(Feature::KernelSizes2D));
    EXPECT_TRUE(d->hasFeature(Feature::Conv1dDilation));
  }
  EXPECT_TRUE(max78002().needs(Requirement::RegisterClear));
  EXPECT_FALSE(max78000().needs(Requirement::RegisterClear));
  EXPECT_TRUE(max78000().needs(Requirement::FifoCpl));
  EXPECT_FALSE(max78002().needs(Requirement::FifoCpl));
}

TEST(DeviceLimits, Kernels) {
  for (const Device *d : {&max78000(), &max78002()}) {
    EXPECT_TRUE(d->supportsKernel(LayerOp::Conv2d, 3, 3));
    EXPECT_TRUE(d->supportsKernel(LayerOp::Conv2d, 1, 1));
    EXPECT_FALSE(d->supportsKernel(LayerOp::Conv2d, 5, 5));
    EXPECT_FALSE(d->supportsKernel(LayerOp::Conv2d, 1, 3));
    EXPECT_TRUE(d->supportsKernel(LayerOp::ConvTranspose2d, 3, 3));
    EXPECT_FALSE(d->supportsKernel(LayerOp::ConvTranspose2d, 1, 1));
    EXPECT_TRUE(d->supportsKernel(LayerOp::Conv1d, 9, 1));
    EXPECT_FALSE(d->supportsKernel(LayerOp::Conv1d, 10, 1));
    EXPECT_FALSE(d->supportsKernel(LayerOp::Conv1d, 0, 1));
    EXPECT_TRUE(d->supportsKernel(LayerOp::Linear, 1, 1));
  }
}

TEST(DeviceLimits, PaddingStrideDilationPooling) {
  const Device &d = max78000();
  EXPECT_TRUE(d.supportsPadding(LayerOp::Conv2d, 2, 3));
  EXPECT_FALSE(d.supportsPadding(LayerOp::Conv2d, 3, 3));
  EXPECT_FALSE(d.supportsPadding(LayerOp::Conv2d, 1, 1)); // pad < kernel
  EXPECT_FALSE(d.supportsPadding(LayerOp::None, 1, 1));
  EXPECT_TRUE(d.supportsPadding(LayerOp::ConvTranspose2d, 1, 3));
  EXPECT_TRUE(d.supportsPadding(LayerOp::ConvTranspose2d, 0, 3));
  EXPECT_FALSE(d.supportsPadding(LayerOp::ConvTranspose2d, 3, 3));
  // Padded Conv1d over several passes: fine on MAX78000, not on MAX78002.
  EXPECT_TRUE(max78000().supportsPadding(LayerOp::Conv1d, 1, 3, 2));
  EXPECT_FALSE(max78002().supportsPadding(LayerOp::Conv1d, 1, 3, 2));
  EXPECT_TRUE(max78002().supportsPadding(LayerOp::Conv1d, 0, 3, 2));

  EXPECT_TRUE(d.supportsStride(LayerOp::Conv2d, 1));
  EXPECT_FALSE(d.supportsStride(LayerOp::Conv2d, 2));
  EXPECT_TRUE(d.supportsStride(LayerOp::ConvTranspose2d, 2));
  EXPECT_FALSE(d.supportsStride(LayerOp::ConvTranspose2d, 1));

  EXPECT_TRUE(d.supportsDilation(LayerOp::Conv1d, 3, 4));    // stretched
  EXPECT_TRUE(d.supportsDilation(LayerOp::Conv1d, 3, 1023)); // 2D emulation
  EXPECT_FALSE(d.supportsDilation(LayerOp::Conv1d, 3, 1024));
  EXPECT_TRUE(max78002().supportsDilation(LayerOp::Conv1d, 3, 2047));
  EXPECT_FALSE(d.supportsDilation(LayerOp::Conv1d, 5, 3)); // 4*3 >= 9, k > 3
  EXPECT_TRUE(d.supportsDilation(LayerOp::Conv1d, 5, 2));  // 4*2 < 9
  EXPECT_FALSE(d.supportsDilation(LayerOp::Conv1d, 1, 2));
  EXPECT_FALSE(d.supportsDilation(LayerOp::Conv2d, 3, 2));
  EXPECT_TRUE(d.supportsDilation(LayerOp::Conv2d, 3, 1));

  EXPECT_TRUE(d.supportsPool(2, 2, 2));
  EXPECT_TRUE(d.supportsPool(16, 16, 16));
  EXPECT_FALSE(d.supportsPool(17, 1, 1));
  EXPECT_FALSE(d.supportsPool(2, 2, 17));
  EXPECT_FALSE(d.supportsPool(2, 2, 2, 2, 2)); // no pool dilation
  EXPECT_TRUE(max78002().supportsPool(2, 2, 2, 15, 15));
  EXPECT_FALSE(max78002().supportsPool(3, 3, 2, 8, 8)); // 2 * 8 > 15

  EXPECT_EQ(d.fifoProcessorMask(true), 0x0001000100010001ull);
  EXPECT_EQ(d.fifoProcessorMask(false), 0x000f000f000f000full);
}

//===--- Memories ---------------------------------------------------------===//

TEST(DeviceMemory, Sizes) {
  EXPECT_EQ(max78000().dataInstanceBytes(), 32u * 1024);
  EXPECT_EQ(max78002().dataInstanceBytes(), 80u * 1024);
  EXPECT_EQ(max78000().dataMemoryBytesPerProcessor(), 8u * 1024);
  EXPECT_EQ(max78002().dataMemoryBytesPerProcessor(), 20u * 1024);
  // 16 instances: 512 KiB and 1280 KiB in total.
  EXPECT_EQ(max78000().dataInstanceBytes() * 16, 512u * 1024);
  EXPECT_EQ(max78002().dataInstanceBytes() * 16, 1280u * 1024);
  EXPECT_EQ(max78002().dataRamsPerInstance(), 5u);
  EXPECT_EQ(max78002().dataRamIndex(0x4000), 1u);
  EXPECT_EQ(max78000().dataRamIndex(0x7ffc), 0u);

  EXPECT_EQ(max78000().kernelWordsPerProcessor(0), 768u);
  EXPECT_EQ(max78000().kernelWordsPerProcessor(17), 768u);
  EXPECT_EQ(max78002().kernelWordsPerProcessor(0), 5120u);
  EXPECT_EQ(max78002().kernelWordsPerProcessor(16), 5120u);
  EXPECT_EQ(max78002().kernelWordsPerProcessor(1), 4096u);
  EXPECT_EQ(max78002().kernelRegions(0).size(), 2u);
  EXPECT_EQ(max78002().kernelRegions(5).size(), 1u);

  EXPECT_EQ(max78000().biasBytesPerGroup(), 512u);
  EXPECT_EQ(max78002().biasBytesPerGroup(), 2048u);
  EXPECT_EQ(max78000().tramWordsPerProcessor(), 3072u);
  EXPECT_EQ(max78002().tramWordsPerProcessor(), 12288u);
}

TEST(DeviceMemory, CalcX4Reordering) {
  // Only MAX78002 has calcx4: column k of the first region lands at
  // (k % 4) * 1024 + k / 4, the extra region at 4096 + (k % 4) * 256 + ...
  EXPECT_EQ(max78000().calcX4Column(5), 5u);
  EXPECT_EQ(max78002().calcX4Column(0), 0u);
  EXPECT_EQ(max78002().calcX4Column(1), 1024u);
  EXPECT_EQ(max78002().calcX4Column(5), 1025u);
  EXPECT_EQ(max78002().calcX4Column(4096 + 6), 4096u + 2 * 256 + 1);
}

TEST(DeviceMemory, CalcX4KernelPlacement) {
  // Four lanes on MAX78002, none elsewhere.
  EXPECT_EQ(max78000().calcX4Lanes(), 1u);
  EXPECT_EQ(max78002().calcX4Lanes(), 4u);
  EXPECT_EQ(max78000().calcX4KernelColumn(9, 8, 2), 9u);
  // A layer from column 8 with runs of 3 words: run r sits in instance r
  // (1024 columns each) from column 8 / 4 = 2.
  EXPECT_EQ(max78002().calcX4KernelColumn(8, 8, 3), 2u);
  EXPECT_EQ(max78002().calcX4KernelColumn(10, 8, 3), 4u);
  EXPECT_EQ(max78002().calcX4KernelColumn(11, 8, 3), 1024u + 2);
  EXPECT_EQ(max78002().calcX4KernelColumn(19, 8, 3), 3u * 1024 + 2 + 2);
  // In the extra region the instances hold 256 columns.
  EXPECT_EQ(max78002().calcX4KernelColumn(4096 + 5, 4096, 2),
            4096u + 2 * 256 + 1 + 1024);
}

//===--- Address map (conformance README table) --------------------------===//

TEST(DeviceAddressMap, Max78000) {
  const Device &d = max78000();
  for (unsigned g = 0; g < 4; ++g) {
    EXPECT_EQ(d.groupBase(g), 0x50100000u + g * 0x400000u);
    EXPECT_EQ(d.biasBase(g), 0x50108000u + g * 0x400000u);
    EXPECT_EQ(d.dataBase(g), 0x50400000u + g * 0x400000u);
    EXPECT_EQ(d.kernelWordAddress(g, 7, 100),
              0x50180000u + g * 0x400000u + 7 * 0x4000u + 100 * 16u);
  }
  // Group 3's data memory starts where MAX78002's group 0 registers are.
  EXPECT_EQ(d.dataBase(3), 0x51000000u);
  // mnist cnn_unload reads 0x50401000, 0x50409000, 0x50411000.
  EXPECT_EQ(d.dataWordAddress(0, 0x1000), 0x50401000u);
  EXPECT_EQ(d.dataWordAddress(4, 0x1000), 0x50409000u);
  EXPECT_EQ(d.dataWordAddress(9, 0x1003), 0x50411000u);
  EXPECT_EQ(d.dataByteLane(9), 1u);
  EXPECT_EQ(d.dataWordAddress(63, 0), 0x51000000u + 3 * 0x8000u);
  // mnist weights.h: first KERNELS record (express) is 0x50180000.
  EXPECT_EQ(d.kernelExpressAddress(0, 0, 0), 0x50180000u);
  EXPECT_EQ(d.kernelExpressAddress(1, 2, 3), 0x50580000u + 2 * 0x4000u + 12);
  EXPECT_EQ(d.biasAddress(0, 9), 0x50108000u + 36);
  EXPECT_EQ(d.tramAddress(0, 1, 2), 0x50110000u + 0x4000u + 8);
}

TEST(DeviceAddressMap, Max78002) {
  const Device &d = max78002();
  for (unsigned g = 0; g < 4; ++g) {
    EXPECT_EQ(d.groupBase(g), 0x51000000u + g * 0x1000000u);
    EXPECT_EQ(d.biasBase(g), 0x51180000u + g * 0x1000000u);
    EXPECT_EQ(d.dataBase(g), 0x51800000u + g * 0x1000000u);
    EXPECT_EQ(d.kernelWordAddress(g, 15, 5000 % 4096),
              0x51400000u + g * 0x1000000u + 15 * 0x20000u +
                  (5000 % 4096) * 16u);
  }
  EXPECT_EQ(d.kernelWordAddress(0, 0, 5119), 0x51400000u + 5119 * 16u);
  // mnist cnn_unload reads 0x51801000, 0x51821000, 0x51841000.
  EXPECT_EQ(d.dataWordAddress(0, 0x1000), 0x51801000u);
  EXPECT_EQ(d.dataWordAddress(5, 0x1000), 0x51821000u);
  EXPECT_EQ(d.dataWordAddress(8, 0x1000), 0x51841000u);
  // mnist weights.h: first KERNELS record is 0x51400200 (column 128).
  EXPECT_EQ(d.kernelExpressAddress(0, 0, 128), 0x51400200u);
}

TEST(DeviceAddressMap, FifosSameOnBothDevices) {
  for (const Device *d : {&max78000(), &max78002()}) {
    EXPECT_EQ(d->fifoControlAddress(), 0x50000000u);
    EXPECT_EQ(d->fifoStatusAddress(), 0x50000004u);
    for (unsigned f = 0; f < 4; ++f)
      EXPECT_EQ(d->fifoDataAddress(f), 0x50000008u + 4 * f);
    EXPECT_EQ(d->aonControlAddress(), 0x50001000u);
    EXPECT_EQ(d->fastFifoDataAddress(), 0x400c0410u);
    EXPECT_EQ(d->fastFifoStatusAddress(), 0x400c0404u);
    EXPECT_EQ(addr(*d, Reg::FifoData, 0, 3), 0x50000014u);
    EXPECT_EQ(addr(*d, Reg::FastFifoControl, 0), 0x400c0400u);
  }
}

TEST(DeviceAddressMap, DecodeRoundTrips) {
  for (const Device *d : {&max78000(), &max78002()}) {
    std::optional<DecodedAddress> k =
        d->decodeAddress(d->kernelWordAddress(2, 11, 77));
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(k->kind, AddressKind::Kernel);
    EXPECT_EQ(k->group, 2u);
    EXPECT_EQ(k->index, 11u);
    EXPECT_EQ(k->offset / d->kernelWordStride(), 77u);

    std::optional<DecodedAddress> data =
        d->decodeAddress(d->dataWordAddress(3 * 16 + 9, 0x124));
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(data->kind, AddressKind::Data);
    EXPECT_EQ(data->group, 3u);
    EXPECT_EQ(data->index, 2u);
    EXPECT_EQ(data->offset, 0x124u);

    std::optional<DecodedAddress> bias =
        d->decodeAddress(d->biasAddress(1, 10));
    ASSERT_TRUE(bias.has_value());
    EXPECT_EQ(bias->kind, AddressKind::Bias);
    EXPECT_EQ(bias->offset, 40u);

    std::optional<DecodedAddress> tram =
        d->decodeAddress(d->tramAddress(0, 15, 3));
    ASSERT_TRUE(tram.has_value());
    EXPECT_EQ(tram->kind, AddressKind::Tram);
    EXPECT_EQ(tram->index, 15u);

    // Every register slot decodes back to itself.
    for (const RegisterInfo &reg : d->registers()) {
      unsigned groups = reg.space == RegisterSpace::Absolute ? 1 : 4;
      for (unsigned g = 0; g < groups; ++g)
        for (unsigned slot = 0; slot < reg.count; ++slot) {
          uint32_t a = addr(*d, reg.id, g, slot);
          std::optional<DecodedAddress> r = d->decodeAddress(a);
          ASSERT_TRUE(r.has_value()) << reg.name << " " << g << " " << slot;
          EXPECT_EQ(r->kind, AddressKind::Register);
          EXPECT_EQ(r->reg, &reg)
              << reg.name << " decoded as " << (r->reg ? r->reg->name : "null");
          EXPECT_EQ(r->group, g);
          EXPECT_EQ(r->index, slot);
        }
    }
    EXPECT_FALSE(d->decodeAddress(0x20000000).has_value());
    EXPECT_FALSE(d->decodeAddress(0xfffffffc).has_value());
  }
  // The hole after each 80 KiB MAX78002 instance is no memory.
  EXPECT_FALSE(max78002().decodeAddress(0x51800000 + 0x14000).has_value());
}

//===--- Registers: addresses and values from mnist cnn.c
//------------------===//

TEST(DeviceRegisters, Max78000MnistLayerRegisters) {
  const Device &d = max78000();
  // Layer l of bank r is at 0x50100010 + r * 0x80 + l * 4.
  const RegisterAt addresses[] = {
      {Reg::Rows, 0, 0, 0x50100010u},
      {Reg::Columns, 1, 0, 0x50500090u},
      {Reg::LayerControl, 0, 1, 0x50100594u},
      {Reg::LayerControl2, 3, 4, 0x50d00a20u},
      {Reg::MaskCount, 0, 2, 0x50100618u},
      {Reg::Post, 0, 0, 0x50100790u},
      {Reg::Enables, 3, 3, 0x50d0071cu},
      {Reg::OneD, 0, 4, 0x50100120u},
      {Reg::WritePtrTimeSlotOffset, 0, 4, 0x501003a0u},
      {Reg::StreamStart, 0, 0, 0x50100810u},
      {Reg::InputFrameSize, 0, 0, 0x50100990u},
      {Reg::Mlator, 0, 0, 0x50101000u},
      {Reg::SramTest, 2, 0, 0x5090000cu},
  };
  expectAddresses(d, addresses);

  // 0x50100010 = 0x0001001d: 28 rows, pad 1 -> 27 + 2 = 29.
  EXPECT_EQ(enc(d, Reg::Rows, {{"Count", 29}, {"Pad", 1}}), 0x0001001du);
  // 0x50100310 = 0x00002800: offset 0x2000 / 4 in instance 1.
  EXPECT_EQ(enc(d, Reg::WritePtrBase, {{"Offset", 0x800}, {"Instance", 1}}),
            0x00002800u);
  // 0x50100590 = 0x00000b60 (CHW input, ReLU).
  EXPECT_EQ(enc(d, Reg::LayerControl,
                {{"Master", 1},
                 {"Parallel", 1},
                 {"MaxPoolEn", 1},
                 {"ReluEn", 1},
                 {"SramLSrc", 1}}),
            0x00000b60u);
  // 0x50100594 = 0x0000eba0: 2x2 max pool, sums of groups 1..3 added in.
  EXPECT_EQ(enc(d, Reg::LayerControl,
                {{"Master", 1},
                 {"PoolEn", 1},
                 {"MaxPoolEn", 1},
                 {"ReluEn", 1},
                 {"SramLSrc", 1},
                 {"CnnSiEn", 0xe}}),
            0x0000eba0u);
  // 0x501005a0 = 0x00010920: 32-bit output, no activation.
  EXPECT_EQ(
      enc(d, Reg::LayerControl,
          {{"Master", 1}, {"MaxPoolEn", 1}, {"SramLSrc", 1}, {"BigDWrt", 1}}),
      0x00010920u);
  // 0x50100a10 = 0x0001d800.
  EXPECT_EQ(enc(d, Reg::LayerControl2, {{"XpchMax", 0x1d8}}), 0x0001d800u);
  // 0x50100618 = 0x01e00398.
  EXPECT_EQ(enc(d, Reg::MaskCount, {{"Max", 0x398}, {"Start", 0x1e0}}),
            0x01e00398u);
  // 0x50100790 = 0x00022000: output shift -1.
  llvm::Expected<uint32_t> shift = d.encodeOutputShift(-1);
  ASSERT_TRUE(bool(shift)) << llvm::toString(shift.takeError());
  EXPECT_EQ(*shift, 0x00022000u);
  // 0x50100794 = 0x00024000: output shift -2.
  EXPECT_EQ(cantFail(d.encodeOutputShift(-2)), 0x00024000u);
  // 0x501007a0 = 0x00001000: bias at entry 0.
  EXPECT_EQ(enc(d, Reg::Post, {{"BiasEn", 1}, {"BiasAddr", 0}}), 0x1000u);
  // 0x50100714 = 0xfff0fff0.
  EXPECT_EQ(enc(d, Reg::Enables, {{"ProcEn", 0xfff0}, {"MaskEn", 0xfff0}}),
            0xfff0fff0u);
  // 0x50100120 = 0x00000100 (1x1 kernel of the linear layer).
  EXPECT_EQ(enc(d, Reg::OneD, {{"OnedWidth", 1}}), 0x100u);
}

TEST(DeviceRegisters, Max78000MnistGroupRegisters) {
  const Device &d = max78000();
  EXPECT_EQ(addr(d, Reg::Control, 1), 0x50500000u);
  // cnn_init: 0x50100000 = 0x00100008 (clocks, express loading).
  EXPECT_EQ(enc(d, Reg::Control, {{"ClkEn", 1}, {"MExpress", 1}}), 0x00100008u);
  // 0x50100004 = 0x0000040e.
  EXPECT_EQ(d.defaultSramControl(), 0x0000040eu);
  // 0x50100008 = 0x00000004.
  EXPECT_EQ(enc(d, Reg::LayerCount, {{"LastLayer", 4}}), 4u);
  // The MAX78000 has no link-layer register.
  EXPECT_EQ(d.findRegister(Reg::NextLayer), nullptr);
  EXPECT_FALSE(d.registerClear(true).has_value());
  EXPECT_EQ(d.memoryTest(MemoryKind::Kernel).start, 0x4u);
}

TEST(DeviceRegisters, Max78002MnistRegisters) {
  const Device &d = max78002();
  // Layer l's block is at 0x51100000 + l * 0x100.
  const RegisterAt addresses[] = {
      {Reg::NextLayer, 0, 0, 0x51100000u},
      {Reg::Rows, 0, 0, 0x51100004u},
      {Reg::Rows, 0, 1, 0x51100104u},
      {Reg::Stride, 1, 0, 0x52100018u},
      {Reg::LayerControl, 0, 0, 0x51100030u},
      {Reg::MaskMax, 0, 0, 0x51100038u},
      {Reg::MaskStart, 0, 0, 0x5110003cu},
      {Reg::OutputChannels, 0, 0, 0x51100040u},
      {Reg::Enables, 0, 0, 0x51100048u},
      {Reg::Post, 0, 0, 0x5110004cu},
      {Reg::Post, 0, 127, 0x51107f4cu},
      // Streaming banks and the frame size (kws20 --fifo cases).
      {Reg::StreamStart, 3, 0, 0x54108000u},
      {Reg::StreamStart, 3, 1, 0x54108004u},
      {Reg::StreamDelta, 3, 1, 0x54108024u},
      {Reg::Rollover, 3, 1, 0x54108044u},
      {Reg::InputFrameSize, 3, 0, 0x54108060u},
  };
  expectAddresses(d, addresses);

  // 0x51100004 = 0x0001801b: 28 rows, pad 1.
  EXPECT_EQ(enc(d, Reg::Rows,
                {{"Count", 27}, {"PadEn", 1}, {"PadMinusOne", 0}, {"Diff", 1}}),
            0x0001801bu);
  // 0x51100018 = 0x00000010.
  EXPECT_EQ(enc(d, Reg::Stride, {{"Stride", 0}, {"MultiPassStride", 1}}),
            0x10u);
  // 0x5110001c = 0x00008800: offset 0x2000 / 4 in instance 1.
  EXPECT_EQ(enc(d, Reg::WritePtrBase, {{"Offset", 0x800}, {"Instance", 1}}),
            0x00008800u);
  // 0x51100030 = 0x00880b60: as MAX78000 plus the 3x3 kernel size.
  EXPECT_EQ(enc(d, Reg::LayerControl,
                {{"Master", 1},
                 {"Parallel", 1},
                 {"MaxPoolEn", 1},
                 {"ReluEn", 1},
                 {"SramLSrc", 1},
                 {"KernelColsMinusOne", 2},
                 {"KernelRowsMinusOne", 2}}),
            0x00880b60u);
  // 0x51100034 = 0x001d8000.
  EXPECT_EQ(enc(d, Reg::LayerControl2, {{"XpchMax", 0x1d8}}), 0x001d8000u);
  // 0x51100038 / 0x5110003c / 0x51100040.
  EXPECT_EQ(enc(d, Reg::MaskMax, {{"Max", 0x9ff8}}), 0x9ff8u);
  EXPECT_EQ(enc(d, Reg::MaskStart, {{"Start", 0x9e20}}), 0x9e20u);
  EXPECT_EQ(enc(d, Reg::OutputChannels, {{"Count", 59}}), 0x3bu);
  EXPECT_EQ(cantFail(d.encodeOutputShift(-1)), 0x00022000u);

  // cnn_init clears registers with 0x1c80 and polls bit 25.
  std::optional<SramTestCommand> clear = d.registerClear(true);
  ASSERT_TRUE(clear.has_value());
  EXPECT_EQ(clear->start, 0x1c80u);
  EXPECT_EQ(clear->doneMask, 0x2000000u);
  EXPECT_EQ(d.registerClear(false)->start, 0x1880u);
  // cnn_start: 0x00100808 (group 0), 0x00100809 (others), 0x00100009.
  EXPECT_EQ(
      enc(d, Reg::Control, {{"ClkEn", 1}, {"ExtSync", 4}, {"MExpress", 1}}),
      0x00100808u);
  EXPECT_EQ(enc(d, Reg::Control,
                {{"CnnEn", 1}, {"ClkEn", 1}, {"ExtSync", 4}, {"MExpress", 1}}),
            0x00100809u);
  EXPECT_EQ(d.defaultSramControl(), 0x0000040eu);
}

//===--- Field encoding errors --------------------------------------------===//

TEST(RegisterEncoding, RangeAndNameErrors) {
  const Device &d = max78000();
  const RegisterInfo *rows = d.findRegister(Reg::Rows);
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(d.findRegister("Rows"), rows);
  EXPECT_EQ(d.findRegister("rows"), nullptr);

  // 10-bit count: 1023 fits, 1024 does not.
  EXPECT_EQ(cantFail(encodeField(*rows, "Count", 1023)), 1023u);
  std::string tooBig = errorText(encodeField(*rows, "Count", 1024));
  EXPECT_NE(tooBig.find("Rows.Count"), std::string::npos) << tooBig;
  EXPECT_NE(tooBig.find("1023"), std::string::npos) << tooBig;
  // MAX78002's count field is 11 bits.
  EXPECT_EQ(cantFail(max78002().encode(Reg::Rows, {{"Count", 2047}})), 2047u);
  std::string wide = errorText(max78002().encode(Reg::Rows, {{"Count", 2048}}));
  EXPECT_NE(wide.find("2047"), std::string::npos) << wide;

  std::string unknown = errorText(encodeField(*rows, "Padding", 1));
  EXPECT_NE(unknown.find("Padding"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("Count"), std::string::npos) << unknown;

  std::string twice =
      errorText(encodeRegister(*rows, {{"Count", 1}, {"Count", 2}}));
  EXPECT_NE(twice.find("twice"), std::string::npos) << twice;

  // Missing register on this device.
  std::string missing = errorText(d.encode(Reg::MaskMax, {{"Max", 1}}));
  EXPECT_NE(missing.find("MAX78000"), std::string::npos) << missing;
  std::string missingAddr = errorText(d.registerAddress(Reg::NextLayer, 0));
  EXPECT_NE(missingAddr.find("NextLayer"), std::string::npos) << missingAddr;

  // Slot and group range.
  std::string slot = errorText(d.registerAddress(Reg::Rows, 0, 32));
  EXPECT_NE(slot.find("slot 32"), std::string::npos) << slot;
  std::string group = errorText(d.registerAddress(Reg::Rows, 4, 0));
  EXPECT_NE(group.find("group 4"), std::string::npos) << group;
  EXPECT_TRUE(bool(max78002().registerAddress(Reg::Rows, 0, 127)));
  std::string stream =
      errorText(max78002().registerAddress(Reg::StreamStart, 0, 8));
  EXPECT_NE(stream.find("slot 8"), std::string::npos) << stream;

  // Output shift range and encoding.
  EXPECT_EQ(cantFail(d.encodeOutputShift(15)), 15u << 13);
  EXPECT_EQ(cantFail(d.encodeOutputShift(0)), 0u);
  std::string shift = errorText(d.encodeOutputShift(16));
  EXPECT_NE(shift.find("16"), std::string::npos) << shift;
  EXPECT_NE(errorText(d.encodeOutputShift(-16)), "<no error>");
  EXPECT_NE(errorText(max78002().encodeOutputShift(-16)), "<no error>");

  // Encoding keeps the other bits of the word.
  const RegisterInfo *post = d.findRegister(Reg::Post);
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(cantFail(encodeField(*post, "BiasEn", 1, 0x22000)), 0x23000u);
  EXPECT_EQ(cantFail(decodeField(*post, "Shift", 0x22000)), 1u);
}

TEST(RegisterEncoding, CodesAndTables) {
  EXPECT_EQ(Device::eltwiseCode(EltwiseOp::Sub), 0u);
  EXPECT_EQ(Device::eltwiseCode(EltwiseOp::Add), 1u);
  EXPECT_EQ(Device::eltwiseCode(EltwiseOp::Or), 2u);
  EXPECT_EQ(Device::eltwiseCode(EltwiseOp::Xor), 3u);
  EXPECT_EQ(max78000().weightSizeCode(8), 0u);
  EXPECT_EQ(max78000().weightSizeCode(4), 3u);
  EXPECT_EQ(max78000().weightSizeCode(-1), std::nullopt);
  EXPECT_EQ(max78002().weightSizeCode(-1), 1u);
  EXPECT_EQ(registerName(Reg::LayerControl2), "LayerControl2");

  // Field tables: ascending, non-overlapping, inside 32 bits; names unique.
  for (const Device *d : {&max78000(), &max78002()}) {
    for (const RegisterInfo &reg : d->registers()) {
      EXPECT_EQ(registerName(reg.id), reg.name);
      EXPECT_EQ(d->findRegister(reg.name), &reg);
      EXPECT_FALSE(reg.fields.empty()) << reg.name;
      uint32_t used = 0;
      unsigned nextLsb = 0;
      for (const BitField &f : reg.fields) {
        EXPECT_GT(f.width, 0u) << reg.name << "." << f.name;
        EXPECT_LE(f.lsb + f.width, 32u) << reg.name << "." << f.name;
        EXPECT_GE(f.lsb, nextLsb) << reg.name << "." << f.name;
        EXPECT_EQ(used & f.mask(), 0u) << reg.name << "." << f.name;
        EXPECT_EQ(reg.findField(f.name), &f) << reg.name << "." << f.name;
        used |= f.mask();
        nextLsb = f.lsb + f.width;
      }
      EXPECT_EQ(used, reg.definedBits());
    }
  }
}

} // namespace
