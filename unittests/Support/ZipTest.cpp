//===- ZipTest.cpp - Tests for the zip directory reader -------------------===//

#include "tornado/Support/Zip.h"

#include "Fixtures.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "gtest/gtest.h"

using namespace tornado;
using namespace tornado::testing;
using namespace llvm;

namespace {

struct Record {
  std::string Name;
  std::string Data;
  uint16_t Method = 0;
  uint16_t Flags = 0;
};

/// Offsets of interesting structures in a built archive.
struct Layout {
  std::string Bytes;
  std::vector<size_t> LocalHeaders;
  std::vector<size_t> CentralHeaders;
  size_t CentralDir = 0;
  size_t End64 = 0; ///< ZIP64 end record (zip64 archives only)
  size_t End = 0;   ///< classic end record
};

class Writer {
public:
  void u16(uint16_t v) { le(v); }
  void u32(uint32_t v) { le(v); }
  void u64(uint64_t v) { le(v); }
  void raw(StringRef s) { Out += s.str(); }
  size_t size() const { return Out.size(); }
  std::string take() { return std::move(Out); }

private:
  template <typename T> void le(T v) {
    char buf[sizeof(T)];
    support::endian::write<T, llvm::endianness::little>(buf, v);
    Out.append(buf, sizeof(T));
  }
  std::string Out;
};

/// The fields local and central headers share, from the flags to the
/// extra field's length; `size` is written as both sizes.
void writeEntryFields(Writer &w, const Record &r, uint32_t size,
                      uint16_t extraLen) {
  w.u16(r.Flags);
  w.u16(r.Method);
  w.u16(0); // time
  w.u16(0); // date
  w.u32(crc32(arrayRefFromStringRef(r.Data)));
  w.u32(size);
  w.u32(size);
  w.u16(r.Name.size());
  w.u16(extraLen);
}

Layout buildZip(const std::vector<Record> &records, bool zip64,
                StringRef comment = "") {
  Layout layout;
  Writer w;
  std::vector<uint32_t> offsets;
  for (const Record &r : records) {
    layout.LocalHeaders.push_back(w.size());
    offsets.push_back(w.size());
    w.u32(0x04034b50);
    w.u16(20);
    writeEntryFields(w, r, r.Data.size(), /*extraLen=*/4);
    w.raw(r.Name);
    // A padding extra field, as torch writes.
    w.u16(0xcafe);
    w.u16(0);
    w.raw(r.Data);
  }
  layout.CentralDir = w.size();
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i];
    layout.CentralHeaders.push_back(w.size());
    w.u32(0x02014b50);
    w.u16(45);
    w.u16(45);
    writeEntryFields(w, r, zip64 ? 0xffffffff : r.Data.size(), zip64 ? 28 : 0);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.u32(0);
    w.u32(zip64 ? 0xffffffff : offsets[i]);
    w.raw(r.Name);
    if (zip64) {
      w.u16(1);
      w.u16(24);
      w.u64(r.Data.size());
      w.u64(r.Data.size());
      w.u64(offsets[i]);
    }
  }
  size_t cdSize = w.size() - layout.CentralDir;
  if (zip64) {
    layout.End64 = w.size();
    w.u32(0x06064b50);
    w.u64(44);
    w.u16(45);
    w.u16(45);
    w.u32(0);
    w.u32(0);
    w.u64(records.size());
    w.u64(records.size());
    w.u64(cdSize);
    w.u64(layout.CentralDir);
    w.u32(0x07064b50);
    w.u32(0);
    w.u64(layout.End64);
    w.u32(1);
  }
  layout.End = w.size();
  w.u32(0x06054b50);
  w.u16(0);
  w.u16(0);
  w.u16(zip64 ? 0xffff : records.size());
  w.u16(zip64 ? 0xffff : records.size());
  w.u32(zip64 ? 0xffffffff : cdSize);
  w.u32(zip64 ? 0xffffffff : layout.CentralDir);
  w.u16(comment.size());
  w.raw(comment);
  layout.Bytes = w.take();
  return layout;
}

void put16(std::string &s, size_t at, uint16_t v) {
  support::endian::write16le(&s[at], v);
}
void put32(std::string &s, size_t at, uint32_t v) {
  support::endian::write32le(&s[at], v);
}
void put64(std::string &s, size_t at, uint64_t v) {
  support::endian::write64le(&s[at], v);
}

std::string openError(const std::string &bytes) {
  return errorOf(ZipArchive::open(MemoryBufferRef(bytes, "test.zip")));
}

const std::vector<Record> kRecords = {
    {"archive/data.pkl", "pickle-bytes"},
    {"archive/data/0", std::string("\x00\x01\x02\x03", 4)},
    {"archive/empty", ""},
};

TEST(ZipTest, ReadsStoredEntries) {
  for (bool zip64 : {false, true}) {
    Layout z = buildZip(kRecords, zip64, zip64 ? "" : "a comment");
    EXPECT_TRUE(ZipArchive::hasZipMagic(arrayRefFromStringRef(z.Bytes)));
    TORNADO_ASSERT_OK(archive,
                      ZipArchive::open(MemoryBufferRef(z.Bytes, "t.zip")));
    ASSERT_EQ(archive.getEntries().size(), 3u);
    for (const Record &r : kRecords) {
      const ZipEntry *entry = archive.find(r.Name);
      ASSERT_NE(entry, nullptr) << r.Name;
      EXPECT_EQ(entry->Size, r.Data.size());
      TORNADO_ASSERT_OK(data, archive.getData(*entry));
      EXPECT_EQ(toStringRef(data), r.Data);
    }
    EXPECT_EQ(archive.find("archive/missing"), nullptr);
  }
}

TEST(ZipTest, ChecksumIsVerifiedOnRequest) {
  Layout z = buildZip(kRecords, true);
  size_t data = z.Bytes.find("pickle-bytes");
  z.Bytes[data] ^= 1;
  TORNADO_ASSERT_OK(archive,
                    ZipArchive::open(MemoryBufferRef(z.Bytes, "t.zip")));
  const ZipEntry *entry = archive.find("archive/data.pkl");
  EXPECT_NE(errorOf(archive.getData(*entry)).find("CRC-32"), std::string::npos);
  EXPECT_EQ(errorOf(archive.getData(*entry, /*verifyCrc=*/false)), "<success>");
}

TEST(ZipTest, CompressedEntriesAreReportedWhenRead) {
  std::vector<Record> records = kRecords;
  records[0].Method = 8;
  Layout z = buildZip(records, false);
  TORNADO_ASSERT_OK(archive,
                    ZipArchive::open(MemoryBufferRef(z.Bytes, "t.zip")));
  EXPECT_NE(errorOf(archive.getData(*archive.find("archive/data.pkl")))
                .find("compression method 8"),
            std::string::npos);
  EXPECT_EQ(errorOf(archive.getData(*archive.find("archive/data/0"))),
            "<success>");
}

TEST(ZipTest, RejectsDamage) {
  struct Case {
    std::string Bytes;
    const char *Message;
  };
  std::vector<Case> cases;
  Layout z64 = buildZip(kRecords, true);
  Layout z32 = buildZip(kRecords, false);

  cases.push_back({"PK", "too small"});
  cases.push_back({std::string(100, 'x'), "end of central directory"});
  cases.push_back(
      {z64.Bytes.substr(0, z64.Bytes.size() / 2), "end of central directory"});
  {
    std::string b = z64.Bytes;
    b[z64.CentralHeaders[1]] = 'X';
    cases.push_back({b, "bad central directory entry signature"});
  }
  {
    std::string b = z64.Bytes;
    put64(b, z64.End64 + 48, 1u << 30); // directory offset
    cases.push_back({b, "lies outside the file"});
  }
  {
    std::string b = z64.Bytes;
    put64(b, z64.End64 + 24, 1ULL << 40); // entry counts
    put64(b, z64.End64 + 32, 1ULL << 40);
    cases.push_back({b, "claims"});
  }
  {
    std::string b = z64.Bytes;
    put64(b, z64.End64 + 40, 46); // directory size too small for 3 entries
    cases.push_back({b, "has room for at most 1"});
  }
  {
    std::string b = z64.Bytes;
    put64(b, z64.End - 20 + 8, 1ULL << 50); // locator -> ZIP64 end record
    cases.push_back({b, "ZIP64 end record offset"});
  }
  {
    std::string b = z64.Bytes;
    b[z64.End64] = 'X';
    cases.push_back({b, "bad ZIP64 end record signature"});
  }
  {
    std::string b = z32.Bytes;
    put32(b, z32.End + 4, 1); // disk number
    cases.push_back({b, "multi-disk"});
  }
  {
    std::string b = z32.Bytes;
    b[z32.LocalHeaders[1]] = 'X';
    cases.push_back({b, "bad local header signature"});
  }
  {
    std::string b = z32.Bytes;
    b[z32.LocalHeaders[1] + 30] = 'X'; // first byte of the local name
    cases.push_back({b, "does not match the central directory"});
  }
  {
    std::string b = z32.Bytes;
    put32(b, z32.CentralHeaders[0] + 42, 0x7fffffff); // local offset
    cases.push_back({b, "lies outside the file"});
  }
  {
    std::string b = z32.Bytes;
    put32(b, z32.CentralHeaders[1] + 20, 0x10000000); // compressed size
    put32(b, z32.CentralHeaders[1] + 24, 0x10000000);
    cases.push_back({b, "lies outside the file"});
  }
  {
    std::string b = z32.Bytes;
    put32(b, z32.CentralHeaders[1] + 20, 3); // stored: sizes differ
    cases.push_back({b, "different compressed and uncompressed"});
  }
  {
    std::string b = z64.Bytes;
    // Shrink the ZIP64 extra field so it lacks the offset.
    size_t extraSizeAt = z64.CentralHeaders[0] + 46 + kRecords[0].Name.size();
    b[extraSizeAt + 2] = 16;
    cases.push_back({b, "is too short"});
  }
  {
    std::vector<Record> records = kRecords;
    records.push_back(kRecords[1]);
    cases.push_back({buildZip(records, false).Bytes, "duplicate entry"});
  }
  {
    std::vector<Record> records = kRecords;
    records[1].Flags = 1;
    cases.push_back({buildZip(records, false).Bytes, "encrypted"});
  }
  {
    std::string b = z32.Bytes;
    put16(b, z32.CentralHeaders[2] + 32, 5); // comment overruns the directory
    cases.push_back({b, "central directory entry 2 truncated"});
  }

  for (const Case &c : cases) {
    std::string message = openError(c.Bytes);
    EXPECT_NE(message.find(c.Message), std::string::npos)
        << "expected '" << c.Message << "', got '" << message << "'";
  }
}

TEST(ZipTest, TorchWrittenArchiveFixture) {
  std::optional<std::string> bytes = readFixture("ckpt/dtypes_zip.pth.tar");
  if (!bytes)
    GTEST_SKIP() << "fixtures not generated (needs python3-torch)";
  TORNADO_ASSERT_OK(archive,
                    ZipArchive::open(MemoryBufferRef(*bytes, "fixture")));
  const ZipEntry *pkl = nullptr;
  for (const ZipEntry &entry : archive.getEntries()) {
    if (StringRef(entry.Name).ends_with("/data.pkl"))
      pkl = &entry;
    // torch aligns record data to 64 bytes.
    EXPECT_EQ(entry.DataOffset % 64, 0u) << entry.Name;
    EXPECT_EQ(errorOf(archive.getData(entry)), "<success>") << entry.Name;
  }
  ASSERT_NE(pkl, nullptr);
}

} // namespace
