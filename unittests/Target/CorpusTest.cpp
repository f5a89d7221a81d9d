//===- CorpusTest.cpp - Check the target model against izer output --------===//
//
// Reads every generated C file of the conformance corpus
// (${TORNADO_SOURCE_DIR}/../shared/conformance/corpus/<device>/...) and checks
// that each literal bus store the izer emits lands on a register or memory
// this model knows, and that register values only use bits our field tables
// define. Skipped when the shared folder is absent.
//
//===----------------------------------------------------------------------===//

#include "tornado/Target/Device.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <set>
#include <vector>

using namespace tornado::target;

namespace {

struct Store {
  uint32_t address;
  std::optional<uint32_t> value; // when the stored value is a hex literal
};

std::string corpusDir() {
  const char *env = std::getenv("TORNADO_SOURCE_DIR");
  llvm::SmallString<256> path(env && *env ? env : TORNADO_SOURCE_DIR_DEFAULT);
  llvm::sys::path::append(path, "..", "shared", "conformance", "corpus");
  return std::string(path);
}

// Plain 32-bit stores "*((volatile uint32_t *) 0xADDR) = VALUE;" (compound
// assignments and polls are not stores of a known value).
std::vector<Store> parseStores(llvm::StringRef text) {
  static constexpr llvm::StringLiteral prefix = "*((volatile uint32_t *) 0x";
  std::vector<Store> stores;
  size_t pos = 0;
  while ((pos = text.find(prefix, pos)) != llvm::StringRef::npos) {
    llvm::StringRef rest = text.drop_front(pos + prefix.size());
    pos += prefix.size();
    size_t hexLen = rest.find_if_not(llvm::isHexDigit);
    uint32_t address = 0;
    if (hexLen == 0 || rest.take_front(hexLen).getAsInteger(16, address))
      continue;
    rest = rest.drop_front(hexLen);
    if (!rest.consume_front(") = "))
      continue;
    Store store{address, std::nullopt};
    if (rest.consume_front("0x")) {
      size_t valueLen = rest.find_if_not(llvm::isHexDigit);
      uint32_t value = 0;
      if (valueLen > 0 && valueLen != llvm::StringRef::npos &&
          !rest.take_front(valueLen).getAsInteger(16, value) &&
          rest.drop_front(valueLen).starts_with(";"))
        store.value = value;
    }
    stores.push_back(store);
  }
  return stores;
}

// Addresses this model is responsible for: the APB window of the
// accelerator and FIFOs, and the fast FIFO. Other SDK registers are not.
bool isAcceleratorAddress(const Device &device, uint32_t address) {
  return address >= device.apbBase() ||
         (address >= device.fastFifoBase() &&
          address < device.fastFifoBase() + 0x20);
}

struct DeviceScan {
  unsigned files = 0;
  unsigned stores = 0;
  unsigned registerValues = 0;
  std::set<std::string> registersSeen;
  std::vector<std::string> problems;
};

DeviceScan scanDevice(const Device &device, const std::string &dir) {
  DeviceScan scan;
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end;
       it != end && !ec; it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (!path.ends_with(".c"))
      continue;
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
      scan.problems.push_back(("cannot read " + path).str());
      continue;
    }
    ++scan.files;
    for (const Store &store : parseStores((*buffer)->getBuffer())) {
      if (!isAcceleratorAddress(device, store.address))
        continue;
      ++scan.stores;
      std::optional<DecodedAddress> decoded =
          device.decodeAddress(store.address);
      if (!decoded) {
        scan.problems.push_back(
            llvm::formatv("{0}: unknown address {1:x8}", path, store.address));
        continue;
      }
      if (decoded->kind != AddressKind::Register)
        continue;
      scan.registersSeen.insert(decoded->reg->name);
      if (!store.value)
        continue;
      ++scan.registerValues;
      uint32_t undefined = *store.value & ~decoded->reg->definedBits();
      if (undefined)
        scan.problems.push_back(llvm::formatv(
            "{0}: {1} (group {2}, slot {3}) = {4:x8} sets undefined bits "
            "{5:x8}",
            path, decoded->reg->name, decoded->group, decoded->index,
            *store.value, undefined));
    }
  }
  if (ec)
    scan.problems.push_back("error walking " + dir + ": " + ec.message());
  return scan;
}

class CorpusTest : public ::testing::TestWithParam<DeviceKind> {};

TEST_P(CorpusTest, EveryStoreDecodesWithinDefinedFields) {
  const Device &device = Device::get(GetParam());
  llvm::SmallString<256> dir(corpusDir());
  llvm::sys::path::append(dir, device.name());
  if (!llvm::sys::fs::is_directory(dir))
    GTEST_SKIP() << "conformance corpus not found at " << dir.str().str();

  DeviceScan scan = scanDevice(device, std::string(dir));
  RecordProperty("files", scan.files);
  RecordProperty("stores", scan.stores);
  RecordProperty("registerValues", scan.registerValues);
  EXPECT_GT(scan.files, 10u);
  EXPECT_GT(scan.stores, 1000u);
  EXPECT_GT(scan.registerValues, 1000u);
  // The commonly written registers were all met (the scan is not vacuous).
  for (const char *name :
       {"Control", "SramControl", "LayerCount", "Rows", "Columns",
        "LayerControl", "LayerControl2", "Post", "Enables", "WritePtrBase",
        "FifoControl", "StreamStart", "StreamDelta", "Rollover",
        "InputFrameSize"})
    EXPECT_TRUE(scan.registersSeen.count(name)) << name;
  std::string report;
  for (size_t i = 0; i < scan.problems.size() && i < 25; ++i)
    report += scan.problems[i] + "\n";
  EXPECT_TRUE(scan.problems.empty()) << scan.problems.size() << " problem(s):\n"
                                     << report;
}

INSTANTIATE_TEST_SUITE_P(Devices, CorpusTest,
                         ::testing::Values(DeviceKind::MAX78000,
                                           DeviceKind::MAX78002),
                         [](const auto &info) {
                           return deviceKindName(info.param).str();
                         });

// Writes computed with the model must appear verbatim in mnist's cnn.c.
class MnistStores {
public:
  explicit MnistStores(DeviceKind kind) : d(Device::get(kind)) {}
  const Device &device() const { return d; }

  /// Register `reg` of `group` (slot `layer`) written with `fields`.
  void expect(Reg reg, unsigned group, unsigned layer,
              llvm::ArrayRef<FieldValue> fields) {
    expectValue(reg, group, layer, cantFail(d.encode(reg, fields)));
  }
  void expectValue(Reg reg, unsigned group, unsigned layer, uint32_t value) {
    expectWrite(cantFail(d.registerAddress(reg, group, layer)), value);
  }
  void expectWrite(uint32_t address, uint32_t value) {
    expected.push_back({address, value});
  }

  /// Checks every expected write against the corpus file.
  void check() const {
    llvm::SmallString<256> path(corpusDir());
    llvm::sys::path::append(path, d.name(), "mnist", "cnn.c");
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      GTEST_SKIP() << "mnist corpus case not found at " << path.str().str();
    std::set<std::pair<uint32_t, uint32_t>> stores;
    for (const Store &store : parseStores((*buffer)->getBuffer()))
      if (store.value)
        stores.insert({store.address, *store.value});
    for (const auto &[address, value] : expected)
      EXPECT_TRUE(stores.count({address, value}))
          << llvm::formatv("{0} mnist: no store {1:x8} = {2:x8}", d.name(),
                           address, value)
                 .str();
  }

private:
  const Device &d;
  std::vector<std::pair<uint32_t, uint32_t>> expected;
};

TEST(CorpusMnist, Max78000LayerOne) {
  MnistStores mnist(DeviceKind::MAX78000);
  const Device &d = mnist.device();
  for (unsigned g = 0; g < d.numGroups(); ++g) {
    // Layer 1: 60x28x28 input, 2x2 max pool stride 2, pad 2.
    mnist.expect(Reg::Rows, g, 1, {{"Count", 27 + 2 * 2}, {"Pad", 2}});
    mnist.expect(Reg::PoolRows, g, 1, {{"Count", 1}});
    mnist.expect(Reg::Stride, g, 1, {{"Stride", 1}});
    mnist.expect(Reg::ReadPtrBase, g, 1, {{"Offset", 0x2000 / 4}});
    mnist.expectValue(Reg::Post, g, 1, cantFail(d.encodeOutputShift(-2)));
    mnist.expect(Reg::Control, g, 0, {{"ClkEn", 1}, {"MExpress", 1}});
    mnist.expectValue(Reg::SramControl, g, 0, d.defaultSramControl());
  }
  mnist.expectWrite(d.aonControlAddress(), 0);
  mnist.check();
}

TEST(CorpusMnist, Max78002LayerZero) {
  MnistStores mnist(DeviceKind::MAX78002);
  const Device &d = mnist.device();
  for (unsigned g = 0; g < d.numGroups(); ++g) {
    mnist.expect(Reg::Columns, g, 0,
                 {{"Count", 27}, {"PadEn", 1}, {"Diff", 1}});
    mnist.expect(Reg::WritePtrMaskOffset, g, 0,
                 {{"Offset", 1u << d.writePointerInstanceShift()}});
    mnist.expect(Reg::TramPtr, g, 0, {{"Max", 27}});
    mnist.expectValue(Reg::SramTest, g, 0, d.registerClear(true)->start);
    mnist.expect(Reg::LayerCount, g, 0, {{"LastLayer", 4}});
  }
  mnist.expect(Reg::Control, 0, 0,
               {{"CnnEn", 1}, {"ClkEn", 1}, {"MExpress", 1}});
  mnist.check();
}

} // namespace
