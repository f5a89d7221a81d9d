//===- KnownAnswerTest.cpp - KAT layout with hand-derived words -----------===//
//
// Every expected address, mask and value below is worked out by hand from
// the layout rules in docs/known-answer.md.
//
//===----------------------------------------------------------------------===//

#include "tornado/KnownAnswer/KnownAnswer.h"

#include "gtest/gtest.h"

#include <map>

using namespace tornado;
using namespace tornado::kat;
using interp::Tensor;
using target::Device;
using target::DeviceKind;

namespace {

const Device &max78000() { return Device::get(DeviceKind::MAX78000); }
const Device &max78002() { return Device::get(DeviceKind::MAX78002); }

/// The value of `e`, or T() after recording a failure.
template <typename T> T unwrap(llvm::Expected<T> e) {
  if (!e) {
    ADD_FAILURE() << llvm::toString(e.takeError());
    return T();
  }
  return std::move(*e);
}

/// The message of the error `e` holds, or "" after recording a failure.
template <typename T> std::string errorOf(llvm::Expected<T> e) {
  if (e) {
    ADD_FAILURE() << "expected an error";
    return "";
  }
  return llvm::toString(e.takeError());
}

std::vector<Record> layout(const Device &device, const OutputLayer &layer,
                           std::optional<unsigned> maxCheckLines = {}) {
  return unwrap(knownAnswer(device, {layer}, maxCheckLines));
}

std::string show(const std::vector<Record> &records) {
  return renderSampleOutput(records);
}

// A tensor whose element i (row-major) is first + i * step.
Tensor ramp(llvm::ArrayRef<int64_t> shape, int64_t first, int64_t step) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i)
    t.data[i] = first + i * step;
  return t;
}

TEST(KnownAnswer, PassSplit) {
  const Device &d = max78000();
  EXPECT_EQ(outputPasses(d, 10), 1u);
  EXPECT_EQ(channelsPerPass(d, 10), 10u);
  EXPECT_EQ(outputPasses(d, 64), 1u);
  EXPECT_EQ(channelsPerPass(d, 64), 64u);
  // 72 = 2 passes of 36; 66 = 2 x 33, rounded up to a whole instance.
  EXPECT_EQ(outputPasses(d, 72), 2u);
  EXPECT_EQ(channelsPerPass(d, 72), 36u);
  EXPECT_EQ(channelsPerPass(d, 66), 36u);
  EXPECT_EQ(outputPasses(d, 1024), 16u);
  EXPECT_EQ(channelsPerPass(d, 1024), 64u);
  EXPECT_EQ(channelsPerPass(d, 1000), 64u);
}

// mnist-style classifier: 10 wide outputs on processors 0-9 at 0x1000. Each
// processor's 32-bit word sits in its instance at 4 * lane.
TEST(KnownAnswer, Wide32BitClassifier) {
  Tensor t({10}, {-100000, 93377, 45484, 29850, -36248, -130974, -272399,
                  416616, -148783, 25073});
  auto records = layout(max78000(), {&t, 0x3ff, 0x1000, /*outputWidth=*/32, 0});
  std::vector<Record> expected = {
      {0x50401000, 0xffffffff, {0xfffe7960, 93377, 45484, 29850}},
      {0x50409000, 0xffffffff, {0xffff7268, 0xfffe0062, 0xfffbd7f1, 416616}},
      {0x50411000, 0xffffffff, {0xfffdbad1, 25073}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// Three channels on processors 0-2: one word per pixel, channel k in byte
// lane k, the top byte unchecked.
TEST(KnownAnswer, EightBitThreeChannels) {
  Tensor t({3, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -4, 0x10, 0x20, 0x30, 0x7f});
  auto records = layout(max78000(), {&t, 0x7, 0, 8, 0});
  std::vector<Record> expected = {
      {0x50400000, 0x00ffffff, {0x10ff01, 0x20fe02, 0x30fd03, 0x7ffc04}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// Processors 1 and 2: the mask starts at the first mapped lane.
TEST(KnownAnswer, EightBitMaskStartsAtFirstLane) {
  Tensor t({2, 1, 3}, {1, 2, 3, 0x41, 0x42, 0x43});
  auto records = layout(max78000(), {&t, 0x6, 0x100, 8, 0});
  std::vector<Record> expected = {
      {0x50400100, 0x00ffff00, {0x410100, 0x420200, 0x430300}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// Five channels: a full word in instance 0, one byte in instance 1. Smaller
// masks sort first.
TEST(KnownAnswer, SortedByMaskThenAddress) {
  Tensor t({5, 1, 1}, {0x11, 0x22, 0x33, 0x44, 0x55});
  auto records = layout(max78000(), {&t, 0x1f, 0, 8, 0});
  std::vector<Record> expected = {
      {0x50408000, 0x000000ff, {0x55}},
      {0x50400000, 0xffffffff, {0x44332211}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// Generation goes pixel by pixel across instances; records are per
// instance after sorting.
TEST(KnownAnswer, RecordsMergeConsecutiveAddresses) {
  Tensor t = ramp({8, 1, 2}, 1, 1); // channel c, pixel p -> 1 + 2c + p
  auto records = layout(max78000(), {&t, 0xff, 0x20, 8, 0});
  std::vector<Record> expected = {
      {0x50400020, 0xffffffff, {0x07050301, 0x08060402}},
      {0x50408020, 0xffffffff, {0x0f0d0b09, 0x100e0c0a}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// 72 channels in two passes of 36 processors (groups 0-2). Pass e of pixel
// p is word 2p + e of the processor's instance.
TEST(KnownAnswer, EightBitMultiPass) {
  Tensor t({72, 1, 2});
  for (int64_t c = 0; c < 72; ++c)
    for (int64_t p = 0; p < 2; ++p)
      t.data[c * 2 + p] = c + 100 * p;
  auto words = layerWords(max78000(), {&t, (uint64_t(1) << 36) - 1, 0, 8, 0});
  ASSERT_TRUE(bool(words)) << llvm::toString(words.takeError());
  std::map<uint32_t, Word> byAddress;
  for (const Word &w : *words)
    byAddress[w.address] = w;
  // 9 instances x 2 pixels x 2 passes.
  EXPECT_EQ(words->size(), 36u);
  // Processors 16-19 (group 1, instance 0), pixel 1, pass 0: channels 16-19.
  EXPECT_EQ(byAddress[0x50800008].value, 0x77767574u);
  // The same processors in pass 1 hold channels 52-55.
  EXPECT_EQ(byAddress[0x5080000c].value, 0x9b9a9998u);
  // Processors 32-35 (group 2), pixel 0: channels 32-35 and 68-71.
  EXPECT_EQ(byAddress[0x50c00000].value, 0x23222120u);
  EXPECT_EQ(byAddress[0x50c00004].value, 0x47464544u);
  EXPECT_EQ(byAddress[0x50c00004].mask, 0xffffffffu);
}

// Wide output with 80 channels: two passes of 40; each pixel takes
// 2 passes x 4 words per instance, pass e at word 4e, lane k at +k.
TEST(KnownAnswer, WideMultiPass) {
  Tensor t = ramp({80}, 1000, 1);
  auto words =
      layerWords(max78000(), {&t, (uint64_t(1) << 40) - 1, 0x40, 32, 0});
  ASSERT_TRUE(bool(words)) << llvm::toString(words.takeError());
  std::map<uint32_t, uint32_t> byAddress;
  for (const Word &w : *words)
    byAddress[w.address] = w.value;
  EXPECT_EQ(words->size(), 80u);
  EXPECT_EQ(byAddress[0x50400040], 1000u); // channel 0
  EXPECT_EQ(byAddress[0x5040004c], 1003u); // channel 3
  EXPECT_EQ(byAddress[0x50400050], 1040u); // channel 40 = pass 1, proc 0
  EXPECT_EQ(byAddress[0x50c0805c], 1079u); // channel 79 = proc 39, pass 1
  EXPECT_EQ(byAddress[0x50c08040], 1036u); // channel 36 = proc 36
}

// write_gap 1: every second word of the instance.
TEST(KnownAnswer, EightBitWriteGap) {
  Tensor t({4, 1, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  auto records = layout(max78000(), {&t, 0xf, 0, 8, 1});
  std::vector<Record> expected = {
      {0x50400000, 0xffffffff, {0x0a070401}},
      {0x50400008, 0xffffffff, {0x0b080502}},
      {0x50400010, 0xffffffff, {0x0c090603}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// write_gap 2 with wide output: the pixel's 4-word slot moves by 3 x 4
// words, the processors' words inside it stay adjacent.
TEST(KnownAnswer, WideWriteGap) {
  Tensor t({2, 2}, {1, 2, 3, 4});
  auto records = layout(max78000(), {&t, 0x3, 0, 32, 2});
  std::vector<Record> expected = {
      {0x50400000, 0xffffffff, {1, 3}},
      {0x50400030, 0xffffffff, {2, 4}},
  };
  EXPECT_EQ(records, expected) << show(records);
}

// MAX78002: data memory at 0x51800000, instances 128 KiB apart.
TEST(KnownAnswer, Max78002Addresses) {
  Tensor t = ramp({6}, -3, 1);
  auto records = layout(max78002(), {&t, 0x3f, 0x4000, 32, 0});
  std::vector<Record> expected = {
      {0x51804000, 0xffffffff, {0xfffffffd, 0xfffffffe, 0xffffffff, 0}},
      {0x51824000, 0xffffffff, {1, 2}},
  };
  EXPECT_EQ(records, expected) << show(records);
  // Group 3, processor 63 (lane 3 of instance 3), 8-bit.
  Tensor one({1, 1, 1}, 0x5a);
  auto last = layout(max78002(), {&one, uint64_t(1) << 63, 0x10, 8, 0});
  std::vector<Record> lastExpected = {{0x54860010, 0xff000000, {0x5a000000}}};
  EXPECT_EQ(last, lastExpected) << show(last);
}

// --max-checklines N keeps the first N + 1 sorted words.
TEST(KnownAnswer, MaxCheckLines) {
  Tensor t = ramp({1, 2, 5}, 1, 1);
  auto records = layout(max78000(), {&t, 0x1, 0, 8, 0}, 2u);
  std::vector<Record> expected = {{0x50400000, 0xff, {1, 2, 3}}};
  EXPECT_EQ(records, expected) << show(records);
  EXPECT_EQ(wordCount(layout(max78000(), {&t, 0x1, 0, 8, 0}, 0u)), 1u);
  EXPECT_EQ(wordCount(layout(max78000(), {&t, 0x1, 0, 8, 0}, 9u)), 10u);
  EXPECT_EQ(wordCount(layout(max78000(), {&t, 0x1, 0, 8, 0}, 100u)), 10u);
}

// Several output layers are merged into one sorted list; equal masks at
// adjacent addresses join, different masks never do.
TEST(KnownAnswer, SeveralOutputLayers) {
  Tensor a({1, 1, 2}, {7, 8});
  Tensor b({1}, -1);
  Tensor c({4, 1, 1}, {1, 2, 3, 4});
  auto records = knownAnswer(
      max78000(),
      {{&b, 0x1, 0x8, 32, 0}, {&a, 0x1, 0x0, 8, 0}, {&c, 0xf, 0xc, 8, 0}});
  ASSERT_TRUE(bool(records)) << llvm::toString(records.takeError());
  std::vector<Record> expected = {
      {0x50400000, 0xff, {7, 8}},
      {0x50400008, 0xffffffff, {0xffffffff, 0x04030201}},
  };
  EXPECT_EQ(*records, expected) << show(*records);
}

// Gaps in one instance's processors: the izer's mask covers as many bytes as
// there are channels from the first mapped lane, and wide words are taken
// from lanes 0.. rather than from the mapped lanes.
TEST(KnownAnswer, NonContiguousLanes) {
  Tensor t({2, 1, 1}, {0x11, 0x22});
  auto narrow = layout(max78000(), {&t, 0x5, 0, 8, 0});
  std::vector<Record> narrowExpected = {{0x50400000, 0xffff, {0x11}}};
  EXPECT_EQ(narrow, narrowExpected) << show(narrow);
  auto wide = layout(max78000(), {&t, 0x6, 0, 32, 0});
  std::vector<Record> wideExpected = {{0x50400000, 0xffffffff, {0, 0x11}}};
  EXPECT_EQ(wide, wideExpected) << show(wide);
}

TEST(KnownAnswer, Errors) {
  Tensor t({3, 1, 1}, {1, 2, 3});
  EXPECT_NE(
      errorOf(layerWords(max78000(), {&t, 0x7, 0, 16, 0})).find("8 or 32"),
      std::string::npos);
  EXPECT_NE(errorOf(layerWords(max78000(), {&t, 0xf, 0, 8, 0}))
                .find("need 3 output processors"),
            std::string::npos);
  // 0x7ffc is the last word of a MAX78000 instance; a second pixel no
  // longer fits.
  EXPECT_EQ(unwrap(layerWords(max78000(), {&t, 0x7, 0x7ffc, 8, 0})).size(), 1u);
  Tensor two({1, 1, 2}, {1, 2});
  EXPECT_NE(errorOf(layerWords(max78000(), {&two, 0x1, 0x7ffc, 8, 0}))
                .find("outside its data memory"),
            std::string::npos);
  // MAX78002 instances hold 80 KiB although they are 128 KiB apart.
  EXPECT_NE(errorOf(layerWords(max78002(), {&t, 0x7, 0x14000, 8, 0}))
                .find("outside its data memory"),
            std::string::npos);
}

TEST(KnownAnswer, ParseIzerStyle) {
  const char *text = "// This file was generated\n\n"
                     "#define SAMPLE_OUTPUT { \\\n"
                     "  0x50401000, 0xffffffff, 0x00000002, 0xfffecf58, "
                     "0x00016cc1, 0x50408000, \\\n"
                     "  0x000000ff, 0x00000001, 0x00000055, 0x00000000 \\\n"
                     "}\n";
  auto records = parseSampleOutput(text);
  ASSERT_TRUE(bool(records)) << llvm::toString(records.takeError());
  std::vector<Record> expected = {
      {0x50401000, 0xffffffff, {0xfffecf58, 0x00016cc1}},
      {0x50408000, 0xff, {0x55}},
  };
  EXPECT_EQ(*records, expected);
}

TEST(KnownAnswer, RenderRoundTrip) {
  std::vector<Record> records = {
      {0x50408000, 0xff, {0x55}},
      {0x50401000, 0xffffffff, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
  };
  std::string text = renderSampleOutput(records);
  EXPECT_NE(text.find("#define SAMPLE_OUTPUT {"), std::string::npos);
  auto parsed = parseSampleOutput(text);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(*parsed, records);
  auto empty = parseSampleOutput(renderSampleOutput({}));
  ASSERT_TRUE(bool(empty)) << llvm::toString(empty.takeError());
  EXPECT_TRUE(empty->empty());
}

TEST(KnownAnswer, ParseErrors) {
  auto error = [](const char *text) {
    return errorOf(parseSampleOutput(text));
  };
  EXPECT_NE(error("int x;").find("no SAMPLE_OUTPUT"), std::string::npos);
  EXPECT_NE(error("#define SAMPLE_OUTPUT { 0x50400000, 0xff, 1, 5 }")
                .find("terminator"),
            std::string::npos);
  EXPECT_NE(error("#define SAMPLE_OUTPUT { 0x50400000, 0xff, 3, 5, 0 }")
                .find("bad count"),
            std::string::npos);
  EXPECT_NE(error("#define SAMPLE_OUTPUT { 0x50400000, 0xff, 1, 5, 0, 7 }")
                .find("after the 0"),
            std::string::npos);
  EXPECT_NE(error("#define SAMPLE_OUTPUT { 0x50400000, zz, 1, 5, 0 }")
                .find("bad element"),
            std::string::npos);
}

TEST(KnownAnswer, Compare) {
  std::vector<Record> a = {{0x50400000, 0xffffffff, {1, 2, 3}}};
  // The same words split differently compare equal.
  std::vector<Record> split = {{0x50400008, 0xffffffff, {3}},
                               {0x50400000, 0xffffffff, {1, 2}}};
  EXPECT_TRUE(compare(a, split).equal());

  std::vector<Record> b = {{0x50400000, 0xffffffff, {1, 9}},
                           {0x5040000c, 0xff, {4}}};
  Comparison cmp = compare(a, b);
  EXPECT_EQ(cmp.differences, 3u);
  ASSERT_EQ(cmp.first.size(), 3u);
  EXPECT_EQ(cmp.first[0].address, 0x50400004u);
  EXPECT_EQ(cmp.first[0].expected->value, 2u);
  EXPECT_EQ(cmp.first[0].actual->value, 9u);
  EXPECT_EQ(cmp.first[1].address, 0x50400008u);
  EXPECT_FALSE(cmp.first[1].actual.has_value());
  EXPECT_EQ(cmp.first[2].address, 0x5040000cu);
  EXPECT_FALSE(cmp.first[2].expected.has_value());
  EXPECT_EQ(cmp.first[2].actual->mask, 0xffu);
  EXPECT_NE(cmp.str().find("0x50400004: expected 0x00000002"),
            std::string::npos);

  Comparison limited = compare(a, b, 1);
  EXPECT_EQ(limited.differences, 3u);
  EXPECT_EQ(limited.first.size(), 1u);
  EXPECT_NE(limited.str().find("2 more"), std::string::npos);
}

} // namespace
