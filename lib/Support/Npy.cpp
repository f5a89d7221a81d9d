//===- Npy.cpp - numpy .npy reader and writer -----------------------------===//
//
// The header is a Python dict literal. We parse the small subset numpy
// writes (string, bool and int-tuple values) by hand rather than evaluating
// anything, and check the declared size against the bytes that follow
// before allocating.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include <cstring>
#include <optional>

using namespace llvm;

namespace tornado {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

Error npyError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           "invalid .npy data: " + message);
}

struct NpyHeader {
  std::string Descr;
  bool FortranOrder = false;
  SmallVector<int64_t, 4> Shape;
};

/// Recursive-descent parser for numpy's header dict.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : Text(text) {}

  Expected<NpyHeader> parse() {
    NpyHeader header;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return npyError("header is not a dict literal");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (Error e = parseString(key))
        return std::move(e);
      skipSpace();
      if (!consume(':'))
        return npyError("expected ':' after header key '" + key + "'");
      skipSpace();
      bool *seen;
      if (key == "descr") {
        if (peek() == '[')
          return npyError("structured (record) dtypes are not supported");
        if (Error e = parseString(header.Descr))
          return std::move(e);
        seen = &haveDescr;
      } else if (key == "fortran_order") {
        if (Error e = parseBool(header.FortranOrder))
          return std::move(e);
        seen = &haveOrder;
      } else if (key == "shape") {
        if (Error e = parseShape(header.Shape))
          return std::move(e);
        seen = &haveShape;
      } else {
        return npyError("unexpected header key '" + key + "'");
      }
      if (*seen)
        return npyError("duplicate header key '" + key + "'");
      *seen = true;
      skipSpace();
      if (consume(','))
        continue;
      if (consume('}'))
        break;
      return npyError("expected ',' or '}' in header");
    }
    skipSpace();
    if (!Text.empty())
      return npyError("unexpected text after the header dict");
    if (!haveDescr || !haveOrder || !haveShape)
      return npyError("header lacks one of 'descr', 'fortran_order', "
                      "'shape'");
    return header;
  }

private:
  char peek() const { return Text.empty() ? '\0' : Text.front(); }
  bool consume(char c) { return Text.consume_front(StringRef(&c, 1)); }
  void skipSpace() { Text = Text.ltrim(" \t\r\n"); }

  Error parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return npyError("expected a string in header");
    Text = Text.drop_front();
    size_t end = Text.find(quote);
    if (end == StringRef::npos)
      return npyError("unterminated string in header");
    StringRef body = Text.take_front(end);
    if (body.contains('\\'))
      return npyError("escape sequences in header strings are not "
                      "supported");
    out = body.str();
    Text = Text.drop_front(end + 1);
    return Error::success();
  }

  Error parseBool(bool &out) {
    if (Text.consume_front("True"))
      out = true;
    else if (Text.consume_front("False"))
      out = false;
    else
      return npyError("'fortran_order' is not True or False");
    return Error::success();
  }

  Error parseShape(SmallVectorImpl<int64_t> &shape) {
    if (!consume('('))
      return npyError("'shape' is not a tuple");
    bool trailingComma = false;
    while (true) {
      skipSpace();
      if (consume(')'))
        break;
      size_t digits = Text.find_first_not_of("0123456789");
      if (digits == 0 || Text.empty())
        return npyError("'shape' entries must be non-negative integers");
      StringRef number = Text.take_front(digits);
      Text = Text.drop_front(number.size());
      consume('L'); // Python 2 long suffix
      uint64_t value;
      if (number.getAsInteger(10, value) ||
          value > static_cast<uint64_t>(INT64_MAX))
        return npyError("'shape' entry " + number + " is too large");
      shape.push_back(static_cast<int64_t>(value));
      skipSpace();
      trailingComma = consume(',');
      if (!trailingComma) {
        skipSpace();
        if (!consume(')'))
          return npyError("expected ',' or ')' in 'shape'");
        break;
      }
    }
    // "(5)" is an int in Python, not a tuple; numpy rejects it too.
    if (shape.size() == 1 && !trailingComma)
      return npyError("'shape' is not a tuple");
    return Error::success();
  }

  StringRef Text;
};

struct DescrInfo {
  DType Type;
  bool BigEndian;
};

Expected<DescrInfo> parseDescr(StringRef descr) {
  StringRef spec = descr;
  bool bigEndian = false;
  if (!spec.empty() && StringRef("<>|=").contains(spec.front())) {
    bigEndian = spec.front() == '>';
    spec = spec.drop_front();
  }
  if (spec == "O" || spec.starts_with("O"))
    return npyError("object arrays (dtype '" + descr +
                    "') are not supported: they need pickle");
  std::optional<DType> type = StringSwitch<std::optional<DType>>(spec)
                                  .Cases("b1", "?", DType::Bool)
                                  .Case("i1", DType::Int8)
                                  .Case("u1", DType::UInt8)
                                  .Case("i2", DType::Int16)
                                  .Case("u2", DType::UInt16)
                                  .Case("i4", DType::Int32)
                                  .Case("u4", DType::UInt32)
                                  .Case("i8", DType::Int64)
                                  .Case("u8", DType::UInt64)
                                  .Case("f2", DType::Float16)
                                  .Case("f4", DType::Float32)
                                  .Case("f8", DType::Float64)
                                  .Default(std::nullopt);
  if (!type)
    return npyError("unsupported dtype '" + descr + "'");
  return DescrInfo{*type, bigEndian};
}

StringRef npyDescr(DType type) {
  switch (type) {
  case DType::Bool:
    return "|b1";
  case DType::Int8:
    return "|i1";
  case DType::UInt8:
    return "|u1";
  case DType::Int16:
    return "<i2";
  case DType::UInt16:
    return "<u2";
  case DType::Int32:
    return "<i4";
  case DType::UInt32:
    return "<u4";
  case DType::Int64:
    return "<i8";
  case DType::UInt64:
    return "<u8";
  case DType::Float16:
    return "<f2";
  case DType::Float32:
    return "<f4";
  case DType::Float64:
    return "<f8";
  case DType::BFloat16:
    return "";
  }
  llvm_unreachable("unknown dtype");
}

} // namespace

/// Parses the array starting at \p offset and advances \p offset past it.
static Expected<NpyArray> parseOne(ArrayRef<uint8_t> file, uint64_t &offset,
                                   bool mustEnd) {
  ArrayRef<uint8_t> data = file.drop_front(offset);
  if (data.size() < kMagicLen + 4 ||
      std::memcmp(data.data(), kMagic, kMagicLen) != 0)
    return npyError("missing \\x93NUMPY magic");
  uint8_t major = data[6], minor = data[7];
  if (major < 1 || major > 3 || minor != 0)
    return npyError("unsupported format version " + Twine(unsigned(major)) +
                    "." + Twine(unsigned(minor)));
  uint64_t lengthField = major == 1 ? 2 : 4;
  uint64_t headerStart = kMagicLen + 2 + lengthField;
  if (data.size() < headerStart)
    return npyError("truncated header length");
  uint64_t headerLen = major == 1 ? support::endian::read16le(data.data() + 8)
                                  : support::endian::read32le(data.data() + 8);
  if (headerLen > data.size() - headerStart)
    return npyError("header length " + Twine(headerLen) + " exceeds the " +
                    Twine(data.size() - headerStart) + " bytes available");
  StringRef headerText = toStringRef(data.slice(headerStart, headerLen));

  Expected<NpyHeader> header = HeaderParser(headerText).parse();
  if (!header)
    return header.takeError();
  if (header->FortranOrder)
    return npyError("Fortran-order arrays are not supported; save a "
                    "C-contiguous array (numpy.ascontiguousarray)");
  Expected<DescrInfo> descr = parseDescr(header->Descr);
  if (!descr)
    return descr.takeError();

  std::optional<int64_t> numel = getElementCount(header->Shape);
  unsigned elem = getDTypeSize(descr->Type);
  uint64_t dataStart = headerStart + headerLen;
  uint64_t available = data.size() - dataStart;
  if (!numel || static_cast<uint64_t>(*numel) > available / elem)
    return npyError("shape declares more elements than the " +
                    Twine(available) + " data bytes hold");
  uint64_t bytes = static_cast<uint64_t>(*numel) * elem;
  if (mustEnd && bytes != available)
    return npyError(Twine(available - bytes) +
                    " unexpected bytes after the array data (a file of "
                    "several concatenated arrays? see readNpyArrays)");

  ArrayRef<uint8_t> payload = data.slice(dataStart, bytes);
  std::vector<uint8_t> out(payload.begin(), payload.end());
  if (descr->BigEndian && elem > 1)
    for (size_t i = 0; i < out.size(); i += elem)
      std::reverse(out.begin() + i, out.begin() + i + elem);
  if (descr->Type == DType::Bool)
    for (uint8_t &b : out)
      b = b != 0;
  offset += dataStart + bytes;
  return HostTensor::create(descr->Type, header->Shape, std::move(out));
}

Expected<NpyArray> parseNpy(MemoryBufferRef buffer) {
  uint64_t offset = 0;
  return parseOne(arrayRefFromStringRef(buffer.getBuffer()), offset,
                  /*mustEnd=*/true);
}

Expected<std::vector<NpyArray>> parseNpyArrays(MemoryBufferRef buffer) {
  ArrayRef<uint8_t> data = arrayRefFromStringRef(buffer.getBuffer());
  std::vector<NpyArray> arrays;
  uint64_t offset = 0;
  // Like the izer's loader (numpy.load until it fails): an empty file holds
  // no arrays, and bytes after the last array that do not start another one
  // are ignored. Something that starts as an array must be one.
  auto startsArray = [&](uint64_t at) {
    return data.size() - at >= kMagicLen &&
           std::memcmp(data.data() + at, kMagic, kMagicLen) == 0;
  };
  if (data.empty())
    return arrays;
  do {
    uint64_t start = offset;
    if (!arrays.empty() && !startsArray(start))
      break;
    Expected<NpyArray> array = parseOne(data, offset, /*mustEnd=*/false);
    if (!array)
      return createStringError(inconvertibleErrorCode(),
                               "array %zu at offset %llu: %s", arrays.size(),
                               static_cast<unsigned long long>(start),
                               toString(array.takeError()).c_str());
    arrays.push_back(std::move(*array));
  } while (offset < data.size());
  return arrays;
}

template <typename T>
static Expected<T> readAndParse(StringRef path,
                                Expected<T> (*parse)(MemoryBufferRef)) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(), "%s: %s", path.str().c_str(),
                             buffer.getError().message().c_str());
  Expected<T> result = parse((*buffer)->getMemBufferRef());
  if (!result)
    return createStringError(inconvertibleErrorCode(), "%s: %s",
                             path.str().c_str(),
                             toString(result.takeError()).c_str());
  return result;
}

Expected<NpyArray> readNpy(StringRef path) {
  return readAndParse<NpyArray>(path, parseNpy);
}

Expected<std::vector<NpyArray>> readNpyArrays(StringRef path) {
  return readAndParse<std::vector<NpyArray>>(path, parseNpyArrays);
}

Error writeNpy(raw_ostream &os, const NpyArray &array) {
  StringRef descr = npyDescr(array.getDType());
  if (descr.empty())
    return createStringError(inconvertibleErrorCode(),
                             "cannot write %s arrays to .npy: numpy has no "
                             "such dtype",
                             getDTypeName(array.getDType()).str().c_str());

  // Same text and padding as numpy.lib.format: a dict literal with spare
  // room for the first dimension to grow, padded with spaces and a newline
  // so the data starts 64-byte aligned.
  SmallString<128> header;
  raw_svector_ostream hs(header);
  hs << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  ArrayRef<int64_t> shape = array.getShape();
  for (size_t i = 0; i < shape.size(); ++i)
    hs << (i ? ", " : "") << shape[i];
  hs << (shape.size() == 1 ? ",)" : ")") << ", }";
  if (!shape.empty()) {
    size_t digits = std::to_string(shape[0]).size();
    header.append(digits < 21 ? 21 - digits : 0, ' ');
  }

  uint64_t textLen = header.size() + 1; // with the final newline
  unsigned major = 1;
  uint64_t prefix = kMagicLen + 2 + 2;
  uint64_t pad = 64 - (prefix + textLen) % 64;
  if (textLen + pad > 0xffff) {
    major = 2;
    prefix = kMagicLen + 2 + 4;
    pad = 64 - (prefix + textLen) % 64;
  }
  os.write(kMagic, kMagicLen);
  os << static_cast<char>(major) << '\0';
  uint64_t total = textLen + pad;
  if (major == 1) {
    char len[2];
    support::endian::write16le(len, static_cast<uint16_t>(total));
    os.write(len, 2);
  } else {
    char len[4];
    support::endian::write32le(len, static_cast<uint32_t>(total));
    os.write(len, 4);
  }
  os << header;
  os.indent(pad);
  os << '\n';
  ArrayRef<uint8_t> raw = array.getRawData();
  os.write(reinterpret_cast<const char *>(raw.data()), raw.size());
  return Error::success();
}

Error writeNpy(StringRef path, const NpyArray &array) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "%s: %s", path.str().c_str(),
                             ec.message().c_str());
  if (Error e = writeNpy(os, array))
    return e;
  os.close();
  if (os.has_error()) {
    ec = os.error();
    os.clear_error();
    return createStringError(ec, "%s: %s", path.str().c_str(),
                             ec.message().c_str());
  }
  return Error::success();
}

} // namespace tornado
