//===- NpyTest.cpp - Tests for the .npy reader and writer -----------------===//

#include "tornado/Support/Npy.h"

#include "Fixtures.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

using namespace tornado;
using namespace tornado::testing;
using namespace llvm;

namespace {

std::string toNpy(const NpyArray &array) {
  std::string out;
  raw_string_ostream os(out);
  Error e = writeNpy(os, array);
  EXPECT_FALSE(static_cast<bool>(e)) << toString(std::move(e));
  os.flush();
  return out;
}

Expected<NpyArray> fromNpy(StringRef bytes) {
  return parseNpy(MemoryBufferRef(bytes, "test.npy"));
}

/// A v1.0 file with the given header text (newline added) and payload.
std::string withHeader(StringRef text, StringRef payload = "") {
  std::string header = text.str() + "\n";
  std::string out = "\x93NUMPY\x01";
  out.push_back('\0');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + payload.str();
}

TEST(NpyTest, WriterMatchesNumpyLayout) {
  std::vector<int64_t> values = {0, 1, 2, 3, 4, -5};
  NpyArray array = HostTensor::fromValues<int64_t>({2, 3}, values);
  std::string bytes = toNpy(array);
  // numpy 1.24: dict text, 21 - len("2") spaces of growth room, padding to
  // a 64-byte boundary, newline.
  std::string dict =
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }" +
      std::string(20, ' ');
  std::string header =
      dict + std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  ASSERT_EQ(bytes.size(), 128u + 48u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  EXPECT_EQ(static_cast<uint8_t>(bytes[8]) | (bytes[9] << 8), 118);
  EXPECT_EQ(bytes.substr(10, 118), header);
  EXPECT_EQ(bytes.substr(128), toStringRef(array.getRawData()).str());
}

TEST(NpyTest, WriterShapesAndDescrs) {
  int8_t one = 3;
  std::string scalar = toNpy(HostTensor::fromValues<int8_t>({}, ArrayRef(one)));
  EXPECT_NE(scalar.find("{'descr': '|i1', 'fortran_order': False, "
                        "'shape': (), }"),
            std::string::npos);
  EXPECT_EQ(scalar.size() % 64, 1u); // 64-aligned header + 1 data byte

  std::vector<float> five(5, 1.0f);
  std::string vec = toNpy(HostTensor::fromValues<float>({5}, five));
  EXPECT_NE(vec.find("'descr': '<f4'"), std::string::npos);
  EXPECT_NE(vec.find("'shape': (5,), }"), std::string::npos);

  bool flags[] = {true, false};
  EXPECT_NE(toNpy(HostTensor::fromValues<bool>({2}, flags)).find("'|b1'"),
            std::string::npos);
}

TEST(NpyTest, RoundTripsEveryNumpyDType) {
  std::vector<NpyArray> arrays;
  std::vector<int8_t> i8 = {-128, 127, 0, 1};
  std::vector<uint8_t> u8 = {0, 255, 7, 8};
  std::vector<int16_t> i16 = {-32768, 32767, 1, 2};
  std::vector<uint16_t> u16 = {0, 65535, 1, 2};
  std::vector<int32_t> i32 = {INT32_MIN, INT32_MAX, 1, 2};
  std::vector<uint32_t> u32 = {0, UINT32_MAX, 1, 2};
  std::vector<int64_t> i64 = {INT64_MIN, INT64_MAX, 1, 2};
  std::vector<uint64_t> u64 = {0, UINT64_MAX, 1, 2};
  std::vector<float> f32 = {1.5f, -0.0f, 1e-40f, 3e38f};
  std::vector<double> f64 = {1.0 / 3.0, -1e300, 5e-324, 0.0};
  bool b[] = {true, false, false, true};
  arrays.push_back(HostTensor::fromValues<int8_t>({2, 2}, i8));
  arrays.push_back(HostTensor::fromValues<uint8_t>({4}, u8));
  arrays.push_back(HostTensor::fromValues<int16_t>({1, 4}, i16));
  arrays.push_back(HostTensor::fromValues<uint16_t>({4, 1}, u16));
  arrays.push_back(HostTensor::fromValues<int32_t>({2, 1, 2}, i32));
  arrays.push_back(HostTensor::fromValues<uint32_t>({4}, u32));
  arrays.push_back(HostTensor::fromValues<int64_t>({4}, i64));
  arrays.push_back(HostTensor::fromValues<uint64_t>({4}, u64));
  arrays.push_back(HostTensor::fromValues<float>({4}, f32));
  arrays.push_back(HostTensor::fromValues<double>({2, 2}, f64));
  arrays.push_back(HostTensor::fromValues<bool>({4}, b));
  TORNADO_ASSERT_OK(
      half, HostTensor::create(DType::Float16, {2}, {0x00, 0x3c, 0x00, 0xc0}));
  arrays.push_back(half);
  TORNADO_ASSERT_OK(empty, HostTensor::create(DType::Int32, {0, 3}, {}));
  arrays.push_back(empty);
  for (const NpyArray &array : arrays) {
    std::string bytes = toNpy(array);
    TORNADO_ASSERT_OK(back, fromNpy(bytes));
    EXPECT_EQ(back, array) << getDTypeName(array.getDType()).str();
  }
}

TEST(NpyTest, BFloat16CannotBeWritten) {
  TORNADO_ASSERT_OK(t, HostTensor::create(DType::BFloat16, {1}, {0, 0}));
  std::string out;
  raw_string_ostream os(out);
  Error e = writeNpy(os, t);
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_NE(toString(std::move(e)).find("no such dtype"), std::string::npos);
}

TEST(NpyTest, BigEndianIsSwapped) {
  std::string bytes =
      withHeader("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
                 StringRef("\x00\x00\x01\x02\xff\xff\xff\xfe", 8));
  TORNADO_ASSERT_OK(a, fromNpy(bytes));
  TORNADO_ASSERT_OK(values, a.getInt64Values());
  EXPECT_EQ(values, (std::vector<int64_t>{258, -2}));
}

TEST(NpyTest, HeaderSyntaxVariants) {
  // Double quotes, no trailing comma, Python 2 long suffixes, any key order.
  std::string bytes =
      withHeader("{\"shape\": (1L, 2L), \"fortran_order\": False, "
                 "\"descr\": \"<u2\"}",
                 StringRef("\x01\x00\x02\x00", 4));
  TORNADO_ASSERT_OK(a, fromNpy(bytes));
  EXPECT_EQ(a.getShape(), ArrayRef<int64_t>({1, 2}));
  EXPECT_EQ(a.getDType(), DType::UInt16);
  // '?' is numpy's one-character code for bool.
  TORNADO_ASSERT_OK(b,
                    fromNpy(withHeader("{'descr': '?', 'fortran_order': False, "
                                       "'shape': (2,)}",
                                       StringRef("\x00\x05", 2))));
  EXPECT_EQ(b.getDType(), DType::Bool);
  EXPECT_EQ(b.getRawData(), ArrayRef<uint8_t>({0, 1}));
}

TEST(NpyTest, MalformedHeadersFailCleanly) {
  struct Case {
    std::string Bytes;
    const char *Message;
  };
  std::vector<Case> cases = {
      {withHeader("{'descr': '<i8', 'descr': '<i8', 'fortran_order': False, "
                  "'shape': ()}",
                  std::string(8, '\0')),
       "duplicate header key"},
      {withHeader("{'descr': '<\\i8', 'fortran_order': False, 'shape': ()}"),
       "escape sequences"},
      {withHeader("{'descr': '<i8', 'fortran_order': 0, 'shape': ()}"),
       "not True or False"},
      {withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': [1]}"),
       "not a tuple"},
      {withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (-1,)}"),
       "non-negative integers"},
      {withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1 2)}"),
       "expected ',' or ')'"},
      {withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': ()} x"),
       "unexpected text"},
      {withHeader("{'descr': 12}"), "expected a string"},
      {withHeader("{'descr': '<i8"), "unterminated string"},
      {withHeader("{'descr': '<i3', 'fortran_order': False, 'shape': ()}"),
       "unsupported dtype '<i3'"},
      {withHeader("{'descr': '|O', 'fortran_order': False, 'shape': ()}"),
       "object arrays"},
      {withHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2)}",
                  std::string(32, '\0')),
       "Fortran-order"},
      {withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
                  std::string(15, '\0')),
       "more elements than the 15 data bytes"},
      {std::string("\x93NUMPY\x03\x00\xff\xff\xff\x7f{}", 14), "header length"},
  };
  for (const Case &c : cases) {
    std::string message = errorOf(fromNpy(c.Bytes));
    EXPECT_NE(message.find(c.Message), std::string::npos)
        << "expected '" << c.Message << "', got '" << message << "'";
  }
}

TEST(NpyTest, FilesRoundTripAndErrorsNameThePath) {
  SmallString<128> path;
  ASSERT_FALSE(sys::fs::createTemporaryFile("tornado-npy", "npy", path));
  std::vector<int32_t> values = {1, 2, 3};
  NpyArray array = HostTensor::fromValues<int32_t>({3}, values);
  Error e = writeNpy(path.str(), array);
  ASSERT_FALSE(static_cast<bool>(e)) << toString(std::move(e));
  TORNADO_ASSERT_OK(back, readNpy(path));
  EXPECT_EQ(back, array);
  sys::fs::remove(path);

  std::string message = errorOf(readNpy("/nonexistent/dir/x.npy"));
  EXPECT_NE(message.find("/nonexistent/dir/x.npy"), std::string::npos);
  Error w = writeNpy(StringRef("/nonexistent/dir/y.npy"), array);
  ASSERT_TRUE(static_cast<bool>(w));
  EXPECT_NE(toString(std::move(w)).find("/nonexistent/dir/y.npy"),
            std::string::npos);
}

TEST(NpyTest, NumpyWrittenFixturesReadExactly) {
  std::optional<std::string> dir = fixturesDir();
  if (!dir)
    GTEST_SKIP() << "fixtures not generated (needs python3-numpy)";
  unsigned checked = 0, rewritten = 0;
  for (const ExpectedTensor &e : loadExpectedTensors()) {
    if (!StringRef(e.File).starts_with("npy/"))
      continue;
    SmallString<256> path(*dir);
    sys::path::append(path, e.File);
    TORNADO_ASSERT_OK(array, readNpy(path));
    EXPECT_TRUE(matches(array, e)) << e.File;
    ++checked;
    // Our writer reproduces numpy.save's v1.0 little-endian files exactly.
    bool littleV1 = !StringRef(e.File).ends_with("_be.npy") &&
                    e.File != "npy/version_2.npy" &&
                    e.File != "npy/version_3.npy";
    if (littleV1) {
      std::optional<std::string> original = readFixture(e.File);
      ASSERT_TRUE(original.has_value());
      EXPECT_EQ(toNpy(array), *original) << e.File;
      ++rewritten;
    }
  }
  EXPECT_GE(checked, 28u);
  EXPECT_GE(rewritten, 17u);
}

TEST(NpyTest, StreamsOfArrays) {
  std::vector<int16_t> a = {1, 2, 3};
  std::vector<double> b = {0.5};
  std::string bytes = toNpy(HostTensor::fromValues<int16_t>({3}, a)) +
                      toNpy(HostTensor::fromValues<double>({1, 1}, b));
  TORNADO_ASSERT_OK(arrays,
                    parseNpyArrays(MemoryBufferRef(bytes, "stream.npy")));
  ASSERT_EQ(arrays.size(), 2u);
  EXPECT_EQ(arrays[0].getDType(), DType::Int16);
  EXPECT_EQ(arrays[1].getShape(), ArrayRef<int64_t>({1, 1}));
  // A single-array read points at the stream reader.
  EXPECT_NE(errorOf(fromNpy(bytes)).find("see readNpyArrays"),
            std::string::npos);
  // A damaged second array is reported with its index and offset.
  std::string damaged = bytes.substr(0, bytes.size() - 3);
  std::string message =
      errorOf(parseNpyArrays(MemoryBufferRef(damaged, "stream.npy")));
  EXPECT_NE(message.find("array 1 at offset 134"), std::string::npos)
      << message;
  // As the izer's loader: an empty file holds no arrays, and bytes after
  // the last array that do not start another one are ignored.
  TORNADO_ASSERT_OK(none, parseNpyArrays(MemoryBufferRef("", "empty.npy")));
  EXPECT_TRUE(none.empty());
  std::string trailing = bytes + std::string("xyz\0\0", 5);
  TORNADO_ASSERT_OK(two,
                    parseNpyArrays(MemoryBufferRef(trailing, "trailing.npy")));
  EXPECT_EQ(two.size(), 2u);
  // Data that is no array from the start is still an error.
  EXPECT_NE(errorOf(parseNpyArrays(MemoryBufferRef("hello", "text.npy")))
                .find("array 0 at offset 0"),
            std::string::npos);

  std::optional<std::string> dir = fixturesDir();
  if (!dir || !readFixture("npy_stream/stream.npy"))
    return; // numpy-written streams need the fixtures
  SmallString<256> path(*dir);
  sys::path::append(path, "npy_stream/stream.npy");
  TORNADO_ASSERT_OK(fromNumpy, readNpyArrays(path));
  unsigned checked = 0;
  for (const ExpectedTensor &e : loadExpectedTensors()) {
    if (e.File != "npy_stream/stream.npy")
      continue;
    size_t index = std::stoul(e.Path.substr(1));
    ASSERT_LT(index, fromNumpy.size());
    EXPECT_TRUE(matches(fromNumpy[index], e)) << e.Path;
    ++checked;
  }
  EXPECT_EQ(checked, fromNumpy.size());
  SmallString<256> badPath(*dir);
  sys::path::append(badPath, "npy_stream/bad_stream.npy");
  EXPECT_NE(errorOf(readNpyArrays(badPath)).find("array 4 at offset"),
            std::string::npos);
}

TEST(NpyTest, BadFixturesFailWithTheirMessage) {
  std::optional<std::string> dir = fixturesDir();
  if (!dir)
    GTEST_SKIP() << "fixtures not generated (needs python3-numpy)";
  unsigned checked = 0;
  for (const ExpectedFailure &f : loadExpectedFailures()) {
    if (!StringRef(f.File).starts_with("npy_bad/"))
      continue;
    SmallString<256> path(*dir);
    sys::path::append(path, f.File);
    std::string message = errorOf(readNpy(path));
    EXPECT_NE(message.find(f.Message), std::string::npos)
        << f.File << ": expected '" << f.Message << "', got '" << message
        << "'";
    EXPECT_NE(message.find(f.File), std::string::npos) << message;
    ++checked;
  }
  EXPECT_GE(checked, 19u);
}

} // namespace
