//===- Zip.h - Read-only view of a zip archive in memory --------*- C++ -*-===//
//
// Enough of the zip format for torch.save archives: the central directory
// (with ZIP64 extensions, which torch always writes) and STORED entries.
// Entry data is returned as views into the caller's buffer, never copied.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_SUPPORT_ZIP_H
#define TORNADO_SUPPORT_ZIP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <cstdint>
#include <string>
#include <vector>

namespace tornado {

struct ZipEntry {
  std::string Name;
  uint16_t Method = 0;     ///< 0 = stored, 8 = deflate, ...
  uint32_t Crc32 = 0;      ///< from the central directory
  uint64_t DataOffset = 0; ///< of the entry's bytes in the archive
  uint64_t Size = 0;       ///< uncompressed size
  uint64_t CompressedSize = 0;
};

class ZipArchive {
public:
  /// Parses and validates the directory of \p buffer, which must outlive
  /// the archive. Every entry's local header and data range is checked.
  static llvm::Expected<ZipArchive> open(llvm::MemoryBufferRef buffer);

  /// True when \p data starts with a zip local-file-header signature.
  static bool hasZipMagic(llvm::ArrayRef<uint8_t> data);

  llvm::ArrayRef<ZipEntry> getEntries() const { return Entries; }
  const ZipEntry *find(llvm::StringRef name) const;

  /// The bytes of a STORED entry; with \p verifyCrc the CRC-32 is checked.
  llvm::Expected<llvm::ArrayRef<uint8_t>> getData(const ZipEntry &entry,
                                                  bool verifyCrc = true) const;

private:
  explicit ZipArchive(llvm::ArrayRef<uint8_t> data) : Data(data) {}

  llvm::ArrayRef<uint8_t> Data;
  std::vector<ZipEntry> Entries;
  llvm::StringMap<size_t> ByName;
};

} // namespace tornado

#endif // TORNADO_SUPPORT_ZIP_H
