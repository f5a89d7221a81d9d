//===- KnownAnswer.cpp - Known-answer test (sampleoutput.h) layout --------===//
//
// Rules learned from the izer (ai8x-synthesis): unload.py verify() for the
// word layout, apbaccess.py verify()/verify_unload_finalize() for masks,
// sorting, record merging and truncation, backend/max7800x.py for the
// output pass split. docs/known-answer.md has the details.
//
//===----------------------------------------------------------------------===//

#include "tornado/KnownAnswer/KnownAnswer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <tuple>

using namespace tornado;
using namespace tornado::kat;
using llvm::createStringError;
using llvm::inconvertibleErrorCode;

unsigned kat::outputPasses(const target::Device &device, unsigned channels) {
  unsigned procs = device.numProcessors();
  return std::max(1u, (channels + procs - 1) / procs);
}

unsigned kat::channelsPerPass(const target::Device &device, unsigned channels) {
  unsigned procs = device.numProcessors();
  unsigned passes = outputPasses(device, channels);
  unsigned perPass = (channels + passes - 1) / passes;
  // With several passes every pass starts on a fresh memory instance.
  if (channels > procs) {
    unsigned shared = device.processorsPerDataInstance();
    perPass = std::min<uint64_t>(llvm::alignTo(perPass, shared), procs);
  }
  return perPass;
}

llvm::Expected<std::vector<Word>> kat::layerWords(const target::Device &device,
                                                  const OutputLayer &layer) {
  if (!layer.result || layer.result->rank() == 0)
    return createStringError(inconvertibleErrorCode(),
                             "known answer: output tensor needs a channel "
                             "dimension");
  if (layer.outputWidth != 8 && layer.outputWidth != 32)
    return createStringError(inconvertibleErrorCode(),
                             "known answer: output width must be 8 or 32, "
                             "not %u",
                             layer.outputWidth);
  const interp::Tensor &t = *layer.result;
  int64_t channels = t.dim(0);
  if (channels <= 0 || channels > device.maxChannels())
    return createStringError(inconvertibleErrorCode(),
                             "known answer: %lld output channels",
                             static_cast<long long>(channels));
  int64_t pixels = t.size() / channels;
  unsigned passes = outputPasses(device, channels);
  unsigned perPass = channelsPerPass(device, channels);
  const uint64_t map = layer.processorMap;
  if (static_cast<unsigned>(llvm::popcount(map)) != perPass)
    return createStringError(
        inconvertibleErrorCode(),
        "known answer: %lld channels in %u pass(es) need %u output "
        "processors, map 0x%016llx has %d",
        static_cast<long long>(channels), passes, perPass,
        static_cast<unsigned long long>(map), llvm::popcount(map));

  const unsigned shared = device.processorsPerDataInstance();
  const bool wide = layer.outputWidth == 32;
  // Words per pass slot: one per instance for 8-bit data, one per processor
  // of the instance for 32-bit data.
  const unsigned slotWords = wide ? shared : 1;
  const uint64_t pixelWords = uint64_t(passes) * slotWords;
  const uint64_t stride = uint64_t(layer.writeGap) + 1;
  // The walk starts at the instance of the first output processor.
  const unsigned firstProc = llvm::countr_zero(map) & ~(shared - 1);
  const uint64_t firstMap = map >> firstProc;

  std::vector<Word> words;
  auto emit = [&](unsigned proc, uint64_t byteOffset, uint32_t mask,
                  uint32_t value) -> llvm::Error {
    if (byteOffset >= device.dataInstanceBytes())
      return createStringError(
          inconvertibleErrorCode(),
          "known answer: output at byte offset 0x%llx of processor %u's "
          "instance is outside its data memory (0x%x bytes)",
          static_cast<unsigned long long>(byteOffset), proc,
          device.dataInstanceBytes());
    words.push_back(
        {device.dataWordAddress(proc, byteOffset), mask, value & mask});
    return llvm::Error::success();
  };

  for (int64_t pixel = 0; pixel < pixels; ++pixel) {
    uint64_t laneMap = firstMap;
    unsigned proc = firstProc;
    int64_t c = 0;
    while (c < channels) {
      // Each pass wraps around to the first output processor.
      if (c % perPass == 0) {
        proc = firstProc;
        laneMap = firstMap;
      }
      if (proc >= device.numProcessors())
        break; // unreachable with a matching map; keeps the loop finite
      int64_t firstC = c;
      unsigned pass = c / perPass;
      // Lanes whose processor is not in the map stay 0; a lane's channel
      // beyond the last one also counts as used (and reads as 0).
      uint64_t lanes[4] = {0, 0, 0, 0};
      bool used = false;
      for (unsigned lane = 0; lane < shared; ++lane, laneMap >>= 1) {
        if (!(laneMap & 1))
          continue;
        used = true;
        if (c < channels)
          lanes[lane] = static_cast<uint64_t>(t.data[c * pixels + pixel]);
        ++c;
      }
      if (used) {
        unsigned count = std::min(c - firstC, channels - firstC);
        uint64_t byteOffset =
            layer.outOffset +
            4 * ((pixel * pixelWords + pass * slotWords) * stride);
        if (!wide) {
          uint32_t value = 0;
          for (unsigned lane = 0; lane < shared; ++lane)
            value |= uint32_t(lanes[lane] & 0xff) << (8 * lane);
          uint32_t mask = 0xffffffff;
          if (count < 4) {
            // The mask starts at the instance's first mapped lane.
            unsigned lane = llvm::countr_zero(map >> proc) % shared;
            mask = ((uint32_t(1) << (8 * count)) - 1) << (8 * lane);
          }
          if (auto err = emit(proc, byteOffset, mask, value))
            return std::move(err);
        } else {
          // Consecutive words hold lanes 0..count-1 (the izer indexes lanes,
          // not mapped processors), without the write gap between them.
          for (unsigned i = 0; i < count; ++i)
            if (auto err = emit(proc, byteOffset + 4 * i, 0xffffffff,
                                uint32_t(lanes[i])))
              return std::move(err);
        }
      }
      proc += shared;
    }
  }
  return words;
}

std::vector<Record> kat::buildRecords(std::vector<Word> words,
                                      std::optional<unsigned> maxCheckLines) {
  llvm::sort(words, [](const Word &a, const Word &b) {
    return std::tie(a.mask, a.address, a.value) <
           std::tie(b.mask, b.address, b.value);
  });
  // The izer stops after the word that exceeds the limit: N + 1 words.
  if (maxCheckLines && words.size() > uint64_t(*maxCheckLines) + 1)
    words.resize(uint64_t(*maxCheckLines) + 1);
  std::vector<Record> records;
  for (const Word &w : words) {
    if (records.empty() || records.back().mask != w.mask ||
        uint64_t(records.back().address) + 4 * records.back().values.size() !=
            w.address) {
      records.push_back({w.address, w.mask, {}});
    }
    records.back().values.push_back(w.value);
  }
  return records;
}

llvm::Expected<std::vector<Record>>
kat::knownAnswer(const target::Device &device,
                 llvm::ArrayRef<OutputLayer> layers,
                 std::optional<unsigned> maxCheckLines) {
  std::vector<Word> all;
  for (const OutputLayer &layer : layers) {
    auto words = layerWords(device, layer);
    if (!words)
      return words.takeError();
    all.insert(all.end(), words->begin(), words->end());
  }
  return buildRecords(std::move(all), maxCheckLines);
}

size_t kat::wordCount(llvm::ArrayRef<Record> records) {
  size_t n = 0;
  for (const Record &r : records)
    n += r.values.size();
  return n;
}

std::vector<Word> kat::flatten(llvm::ArrayRef<Record> records) {
  std::vector<Word> words;
  words.reserve(wordCount(records));
  for (const Record &r : records)
    for (size_t i = 0; i < r.values.size(); ++i)
      words.push_back(
          {static_cast<uint32_t>(r.address + 4 * i), r.mask, r.values[i]});
  return words;
}

llvm::Expected<std::vector<Record>>
kat::parseSampleOutput(llvm::StringRef text) {
  auto fail = [](const llvm::Twine &msg) {
    return createStringError(inconvertibleErrorCode(),
                             "sampleoutput: " + msg.str());
  };
  size_t at = text.find("SAMPLE_OUTPUT");
  if (at == llvm::StringRef::npos)
    return fail("no SAMPLE_OUTPUT definition");
  llvm::StringRef rest = text.drop_front(at);
  size_t open = rest.find('{');
  size_t close = rest.find('}');
  if (open == llvm::StringRef::npos || close == llvm::StringRef::npos ||
      close < open)
    return fail("SAMPLE_OUTPUT has no {...} initializer");
  llvm::StringRef body = rest.slice(open + 1, close);

  std::vector<uint64_t> numbers;
  llvm::SmallVector<llvm::StringRef> items;
  body.split(items, ',');
  for (size_t i = 0; i < items.size(); ++i) {
    // Line continuations and whitespace separate nothing else.
    llvm::StringRef item = items[i].trim(" \t\r\n\\");
    if (item.empty()) {
      if (i + 1 == items.size())
        break; // trailing comma
      return fail("empty element " + llvm::Twine(i));
    }
    // Accept C integer suffixes such as 0x...u/UL.
    item = item.rtrim("uUlL");
    uint64_t value;
    if (item.getAsInteger(0, value) || value > 0xffffffffu)
      return fail("bad element '" + items[i].trim() + "'");
    numbers.push_back(value);
  }

  std::vector<Record> records;
  size_t i = 0;
  while (true) {
    if (i >= numbers.size())
      return fail("missing 0 terminator");
    if (numbers[i] == 0)
      break;
    if (i + 3 > numbers.size())
      return fail(llvm::formatv("record at element {0} is cut short", i));
    Record r;
    r.address = numbers[i];
    r.mask = numbers[i + 1];
    uint64_t count = numbers[i + 2];
    if (count == 0 || count > numbers.size() - i - 3)
      return fail(
          llvm::formatv("record at element {0} has bad count {1}", i, count));
    for (uint64_t k = 0; k < count; ++k)
      r.values.push_back(numbers[i + 3 + k]);
    records.push_back(std::move(r));
    i += 3 + count;
  }
  if (i + 1 != numbers.size())
    return fail("elements after the 0 terminator");
  return records;
}

std::string kat::renderSampleOutput(llvm::ArrayRef<Record> records) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "// Known answer: records of address, mask, word count, expected\n"
        "// words (masked); check_output() compares (word & mask).\n"
        "// Generated by Tornado.\n\n"
        "#define SAMPLE_OUTPUT { \\\n";
  for (const Record &r : records) {
    os << llvm::formatv("  0x{0:x-8}, 0x{1:x-8}, {2}, \\\n", r.address, r.mask,
                        r.values.size());
    for (size_t i = 0; i < r.values.size(); i += 8) {
      os << "   ";
      for (size_t k = i; k < std::min(i + 8, r.values.size()); ++k)
        os << llvm::formatv(" 0x{0:x-8},", r.values[k]);
      os << " \\\n";
    }
  }
  os << "  0 \\\n}\n";
  return out;
}

std::string Comparison::str() const {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto word = [&](const std::optional<Word> &w) {
    if (!w)
      os << "(none)";
    else
      os << llvm::formatv("0x{0:x-8} & 0x{1:x-8}", w->value, w->mask);
  };
  for (const Difference &d : first) {
    os << llvm::formatv("0x{0:x-8}: expected ", d.address);
    word(d.expected);
    os << ", got ";
    word(d.actual);
    os << "\n";
  }
  if (differences > first.size())
    os << (differences - first.size()) << " more difference(s)\n";
  return out;
}

Comparison kat::compare(llvm::ArrayRef<Record> expected,
                        llvm::ArrayRef<Record> actual, unsigned maxDiffs) {
  using Words = std::vector<Word>;
  std::map<uint32_t, std::pair<Words, Words>> byAddress;
  for (const Word &w : flatten(expected))
    byAddress[w.address].first.push_back(w);
  for (const Word &w : flatten(actual))
    byAddress[w.address].second.push_back(w);
  Comparison result;
  for (auto &[address, sides] : byAddress) {
    if (sides.first == sides.second)
      continue;
    ++result.differences;
    if (result.first.size() >= maxDiffs)
      continue;
    Difference d{address, std::nullopt, std::nullopt};
    // Report the first word of each side that has no twin on the other.
    for (const Word &w : sides.first)
      if (!llvm::is_contained(sides.second, w)) {
        d.expected = w;
        break;
      }
    for (const Word &w : sides.second)
      if (!llvm::is_contained(sides.first, w)) {
        d.actual = w;
        break;
      }
    if (!d.expected && !sides.first.empty())
      d.expected = sides.first.front();
    if (!d.actual && !sides.second.empty())
      d.actual = sides.second.front();
    result.first.push_back(d);
  }
  return result;
}
