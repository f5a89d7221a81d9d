//===- Zip.cpp - Read-only view of a zip archive in memory ----------------===//
//
// All offsets and sizes come from the file, so every one is checked against
// the buffer (in 64-bit arithmetic that cannot wrap) before use.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Zip.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"

using namespace llvm;

namespace tornado {

namespace {
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;

Error zipError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           "invalid zip archive: " + message);
}

/// True when [offset, offset + length) lies within [0, limit).
bool fits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

uint16_t rd16(ArrayRef<uint8_t> d, uint64_t at) {
  return support::endian::read16le(d.data() + at);
}
uint32_t rd32(ArrayRef<uint8_t> d, uint64_t at) {
  return support::endian::read32le(d.data() + at);
}
uint64_t rd64(ArrayRef<uint8_t> d, uint64_t at) {
  return support::endian::read64le(d.data() + at);
}
/// A 2-, 4- or 8-byte little-endian value.
uint64_t rdN(ArrayRef<uint8_t> d, uint64_t at, unsigned width) {
  return width == 2 ? rd16(d, at) : width == 4 ? rd32(d, at) : rd64(d, at);
}

/// Where the central directory is, as the end-of-central-directory record
/// or its ZIP64 version states it.
struct DirectoryLocation {
  uint64_t diskNumber, cdDisk, entriesOnDisk, totalEntries, cdSize, cdOffset;
};
/// The byte offset and width of each DirectoryLocation field in a record.
struct FieldLayout {
  uint8_t offset, width;
};
constexpr FieldLayout kEndOfCentralDirFields[] = {{4, 2},  {6, 2},  {8, 2},
                                                  {10, 2}, {12, 4}, {16, 4}};
constexpr FieldLayout kZip64EndFields[] = {{16, 4}, {20, 4}, {24, 8},
                                           {32, 8}, {40, 8}, {48, 8}};

DirectoryLocation readLocation(ArrayRef<uint8_t> d, uint64_t record,
                               const FieldLayout (&layout)[6]) {
  uint64_t f[6];
  for (unsigned i = 0; i < 6; ++i)
    f[i] = rdN(d, record + layout[i].offset, layout[i].width);
  return {f[0], f[1], f[2], f[3], f[4], f[5]};
}
} // namespace

bool ZipArchive::hasZipMagic(ArrayRef<uint8_t> data) {
  return data.size() >= 4 && rd32(data, 0) == kLocalHeaderSig;
}

const ZipEntry *ZipArchive::find(StringRef name) const {
  auto it = ByName.find(name);
  return it == ByName.end() ? nullptr : &Entries[it->second];
}

Expected<ArrayRef<uint8_t>> ZipArchive::getData(const ZipEntry &entry,
                                                bool verifyCrc) const {
  if (entry.Method != 0)
    return createStringError(
        inconvertibleErrorCode(),
        "zip entry '%s' uses compression method %u; only stored "
        "(uncompressed) entries are supported, as written by torch.save",
        entry.Name.c_str(), entry.Method);
  // open() validated the range already.
  ArrayRef<uint8_t> bytes = Data.slice(entry.DataOffset, entry.Size);
  if (verifyCrc && crc32(bytes) != entry.Crc32)
    return createStringError(inconvertibleErrorCode(),
                             "zip entry '%s' fails its CRC-32 check (corrupt "
                             "data)",
                             entry.Name.c_str());
  return bytes;
}

Expected<ZipArchive> ZipArchive::open(MemoryBufferRef buffer) {
  ArrayRef<uint8_t> data = arrayRefFromStringRef(buffer.getBuffer());
  const uint64_t size = data.size();
  if (size < kEndOfCentralDirSize)
    return zipError("file too small (" + Twine(size) + " bytes)");

  // The end-of-central-directory record is last, before a comment of at
  // most 64 KiB; scan backwards for it.
  uint64_t eocd = 0;
  bool found = false;
  uint64_t lowest = size > kEndOfCentralDirSize + 0xffff
                        ? size - kEndOfCentralDirSize - 0xffff
                        : 0;
  for (uint64_t pos = size - kEndOfCentralDirSize + 1; pos-- > lowest;) {
    if (rd32(data, pos) == kEndOfCentralDirSig &&
        fits(pos + kEndOfCentralDirSize, rd16(data, pos + 20), size)) {
      eocd = pos;
      found = true;
      break;
    }
  }
  if (!found)
    return zipError("end of central directory record not found");

  DirectoryLocation dir = readLocation(data, eocd, kEndOfCentralDirFields);
  uint64_t cdLimit = eocd; // the directory must end before this

  // ZIP64: a locator right before the EOCD points at the ZIP64 end record,
  // whose 64-bit fields supersede the 16/32-bit ones.
  if (eocd >= kZip64LocatorSize &&
      rd32(data, eocd - kZip64LocatorSize) == kZip64LocatorSig) {
    uint64_t locator = eocd - kZip64LocatorSize;
    if (rd32(data, locator + 4) != 0 || rd32(data, locator + 16) > 1)
      return zipError("multi-disk archives are not supported");
    uint64_t end64 = rd64(data, locator + 8);
    if (!fits(end64, kZip64EndSize, locator))
      return zipError("ZIP64 end record offset " + Twine(end64) +
                      " out of range");
    if (rd32(data, end64) != kZip64EndSig)
      return zipError("bad ZIP64 end record signature");
    uint64_t recordSize = rd64(data, end64 + 4);
    if (recordSize < kZip64EndSize - 12 ||
        !fits(end64 + 12, recordSize, locator))
      return zipError("bad ZIP64 end record size");
    dir = readLocation(data, end64, kZip64EndFields);
    cdLimit = end64;
  }

  auto [diskNumber, cdDisk, entriesOnDisk, totalEntries, cdSize, cdOffset] =
      dir;
  if (diskNumber != 0 || cdDisk != 0 || entriesOnDisk != totalEntries)
    return zipError("multi-disk archives are not supported");
  if (!fits(cdOffset, cdSize, cdLimit))
    return zipError("central directory (offset " + Twine(cdOffset) + ", size " +
                    Twine(cdSize) + ") lies outside the file");
  // Each entry needs at least a fixed header: bound the count before
  // reserving anything.
  if (totalEntries > cdSize / kCentralHeaderSize)
    return zipError("central directory claims " + Twine(totalEntries) +
                    " entries but has room for at most " +
                    Twine(cdSize / kCentralHeaderSize));

  ZipArchive archive(data);
  archive.Entries.reserve(totalEntries);
  const uint64_t cdEnd = cdOffset + cdSize;
  uint64_t p = cdOffset;
  for (uint64_t i = 0; i < totalEntries; ++i) {
    if (!fits(p, kCentralHeaderSize, cdEnd))
      return zipError("central directory entry " + Twine(i) + " truncated");
    if (rd32(data, p) != kCentralHeaderSig)
      return zipError("bad central directory entry signature at offset " +
                      Twine(p));
    uint16_t flags = rd16(data, p + 8);
    ZipEntry entry;
    entry.Method = rd16(data, p + 10);
    entry.Crc32 = rd32(data, p + 16);
    uint64_t compressed = rd32(data, p + 20);
    uint64_t uncompressed = rd32(data, p + 24);
    uint64_t nameLen = rd16(data, p + 28);
    uint64_t extraLen = rd16(data, p + 30);
    uint64_t commentLen = rd16(data, p + 32);
    uint64_t diskStart = rd16(data, p + 34);
    uint64_t localOffset = rd32(data, p + 42);
    uint64_t varStart = p + kCentralHeaderSize;
    if (!fits(varStart, nameLen + extraLen + commentLen, cdEnd))
      return zipError("central directory entry " + Twine(i) + " truncated");
    entry.Name = toStringRef(data.slice(varStart, nameLen)).str();

    // ZIP64 extended information: 64-bit values for exactly the fields
    // that hold their 32-bit (or 16-bit) maximum, in this order.
    bool needUncompressed = uncompressed == 0xffffffff;
    bool needCompressed = compressed == 0xffffffff;
    bool needOffset = localOffset == 0xffffffff;
    bool needDisk = diskStart == 0xffff;
    uint64_t q = varStart + nameLen, extraEnd = q + extraLen;
    while (q + 4 <= extraEnd) {
      uint16_t id = rd16(data, q);
      uint64_t fieldSize = rd16(data, q + 2);
      uint64_t body = q + 4;
      if (!fits(body, fieldSize, extraEnd))
        return zipError("extra field of entry '" + entry.Name +
                        "' overruns its header");
      if (id == kZip64ExtraId) {
        uint64_t r = body, bodyEnd = body + fieldSize;
        auto take = [&](bool need, unsigned width, uint64_t &value) -> bool {
          if (!need)
            return true;
          if (!fits(r, width, bodyEnd))
            return false;
          value = rdN(data, r, width);
          r += width;
          return true;
        };
        if (!take(needUncompressed, 8, uncompressed) ||
            !take(needCompressed, 8, compressed) ||
            !take(needOffset, 8, localOffset) || !take(needDisk, 4, diskStart))
          return zipError("ZIP64 extra field of entry '" + entry.Name +
                          "' is too short");
        needUncompressed = needCompressed = needOffset = needDisk = false;
      }
      q = body + fieldSize;
    }
    if (needUncompressed || needCompressed || needOffset || needDisk)
      return zipError("entry '" + entry.Name +
                      "' needs a ZIP64 extra field but has none");
    if (diskStart != 0)
      return zipError("multi-disk archives are not supported");
    if (flags & 0x41)
      return zipError("entry '" + entry.Name + "' is encrypted");

    // The local header repeats the name; its extra field may differ (torch
    // pads it to align data), so only its length matters here.
    if (!fits(localOffset, kLocalHeaderSize, cdOffset))
      return zipError("local header of entry '" + entry.Name +
                      "' lies outside the file");
    if (rd32(data, localOffset) != kLocalHeaderSig)
      return zipError("bad local header signature for entry '" + entry.Name +
                      "'");
    uint64_t localNameLen = rd16(data, localOffset + 26);
    uint64_t localExtraLen = rd16(data, localOffset + 28);
    uint64_t localName = localOffset + kLocalHeaderSize;
    if (!fits(localName, localNameLen + localExtraLen, cdOffset))
      return zipError("local header of entry '" + entry.Name +
                      "' is truncated");
    if (toStringRef(data.slice(localName, localNameLen)) != entry.Name)
      return zipError("local header name of entry '" + entry.Name +
                      "' does not match the central directory");
    entry.DataOffset = localName + localNameLen + localExtraLen;
    entry.CompressedSize = compressed;
    entry.Size = uncompressed;
    if (!fits(entry.DataOffset, compressed, cdOffset))
      return zipError("data of entry '" + entry.Name + "' (" +
                      Twine(compressed) + " bytes at offset " +
                      Twine(entry.DataOffset) + ") lies outside the file");
    if (entry.Method == 0 && compressed != uncompressed)
      return zipError("stored entry '" + entry.Name +
                      "' has different compressed and uncompressed sizes");

    if (!archive.ByName.try_emplace(entry.Name, archive.Entries.size()).second)
      return zipError("duplicate entry '" + entry.Name + "'");
    archive.Entries.push_back(std::move(entry));
    p = varStart + nameLen + extraLen + commentLen;
  }
  if (p != cdEnd)
    return zipError("central directory size does not match its entries");
  return std::move(archive);
}

} // namespace tornado
