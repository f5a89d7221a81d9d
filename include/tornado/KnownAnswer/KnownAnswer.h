//===- KnownAnswer.h - Known-answer test layout -----------------*- C++ -*-===//
//
// The generated firmware checks the accelerator's result against a known
// answer: records `address, mask, count, value[count]` (terminated by 0) in
// sampleoutput.h, where check_output() compares (word & mask) with each value.
// This library turns the interpreter's result tensors of the output layers
// into exactly the records the izer writes, parses izer (or our) files back,
// renders our own sampleoutput.h and compares two record lists.
// docs/known-answer.md describes the layout rules and where they come from.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_KNOWNANSWER_KNOWNANSWER_H
#define TORNADO_KNOWNANSWER_KNOWNANSWER_H

#include "tornado/Interpreter/Tensor.h"
#include "tornado/Target/Device.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tornado {
namespace kat {

/// One output layer's result as it lands in data memory. The tensor is
/// [C, H, W], [C, L] or [C]; everything after the channel dimension is the
/// pixel index in row-major order.
struct OutputLayer {
  const interp::Tensor *result = nullptr;
  /// The layer's output_processors (one bit per global processor).
  uint64_t processorMap = 0;
  /// out_offset in bytes (relative to each used data memory instance).
  uint32_t outOffset = 0;
  /// 8 (one byte per channel, four processors share a word) or 32 (one word
  /// per channel).
  unsigned outputWidth = 8;
  /// Words skipped after every written word (write_gap).
  unsigned writeGap = 0;
};

/// One checked 32-bit word.
struct Word {
  uint32_t address;
  uint32_t mask;
  uint32_t value; // already masked
  bool operator==(const Word &o) const {
    return address == o.address && mask == o.mask && value == o.value;
  }
};

/// A run of words at consecutive addresses with one mask.
struct Record {
  uint32_t address = 0;
  uint32_t mask = 0;
  std::vector<uint32_t> values;
  bool operator==(const Record &o) const {
    return address == o.address && mask == o.mask && values == o.values;
  }
  bool operator!=(const Record &o) const { return !(*this == o); }
};

/// Output passes of a layer with `channels` outputs (channels above the 64
/// processors reuse them at the next word of each pixel).
unsigned outputPasses(const target::Device &device, unsigned channels);
/// Processors used per pass; the output processor map must have exactly this
/// many bits set.
unsigned channelsPerPass(const target::Device &device, unsigned channels);

/// The words one output layer leaves in data memory, in the izer's
/// generation order (pixel, then processor instance, then pass). Errors on
/// an unusable layer (bad width, wrong processor count, memory overflow).
llvm::Expected<std::vector<Word>> layerWords(const target::Device &device,
                                             const OutputLayer &layer);

/// Sorts words by mask, then address (then value), and merges runs of
/// consecutive addresses with one mask into records. With `maxCheckLines`
/// (--max-checklines N) only the first N+1 sorted words are kept.
std::vector<Record> buildRecords(std::vector<Word> words,
                                 std::optional<unsigned> maxCheckLines = {});

/// The known answer for all output layers (the layers marked `output` plus
/// the last one), as the izer writes it into sampleoutput.h.
llvm::Expected<std::vector<Record>>
knownAnswer(const target::Device &device, llvm::ArrayRef<OutputLayer> layers,
            std::optional<unsigned> maxCheckLines = {});

/// Total number of checked words.
size_t wordCount(llvm::ArrayRef<Record> records);
/// The records' words in record order.
std::vector<Word> flatten(llvm::ArrayRef<Record> records);

/// Parses the SAMPLE_OUTPUT initializer of a sampleoutput.h (the izer's or
/// ours): the numbers between the first '{' after SAMPLE_OUTPUT and the
/// matching '}', which must form records ending in a single 0.
llvm::Expected<std::vector<Record>> parseSampleOutput(llvm::StringRef text);

/// Our sampleoutput.h text: a SAMPLE_OUTPUT define with one record per
/// block (address, mask, count on one line, then the values).
std::string renderSampleOutput(llvm::ArrayRef<Record> records);

/// A word that differs: missing on one side, or another mask/value.
struct Difference {
  uint32_t address;
  std::optional<Word> expected;
  std::optional<Word> actual;
};

struct Comparison {
  /// Number of differing addresses in total.
  size_t differences = 0;
  /// The first (lowest-address) differences, at most `maxDiffs`.
  std::vector<Difference> first;
  bool equal() const { return differences == 0; }
  /// One line per listed difference, "0x50400000: expected ... got ...".
  std::string str() const;
};

/// Compares the checked words of two known answers by address (record
/// boundaries and order do not matter; a duplicated address counts as
/// differing unless both sides duplicate it identically).
Comparison compare(llvm::ArrayRef<Record> expected,
                   llvm::ArrayRef<Record> actual, unsigned maxDiffs = 10);

} // namespace kat
} // namespace tornado

#endif // TORNADO_KNOWNANSWER_KNOWNANSWER_H
