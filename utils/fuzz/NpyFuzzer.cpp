//===- NpyFuzzer.cpp - libFuzzer harness for .npy reading -----------------===//
//
// Parses arbitrary bytes as one .npy array and as a stream of arrays. Every
// array that parses must survive a write/read round trip unchanged.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Npy.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace tornado;

static void roundTrip(const NpyArray &array) {
  std::vector<double> values = array.getDoubleValues();
  (void)values;
  Expected<std::vector<int64_t>> ints = array.getInt64Values();
  if (!ints)
    consumeError(ints.takeError());

  std::string written;
  raw_string_ostream os(written);
  if (Error e = writeNpy(os, array)) {
    consumeError(std::move(e));
    return;
  }
  os.flush();
  Expected<NpyArray> back = parseNpy(MemoryBufferRef(written, "round-trip"));
  if (!back || *back != array)
    __builtin_trap(); // what we write, we must read back identically
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MemoryBufferRef buffer(StringRef(reinterpret_cast<const char *>(data), size),
                         "fuzz-input");
  Expected<NpyArray> array = parseNpy(buffer);
  if (array)
    roundTrip(*array);
  else
    consumeError(array.takeError());

  Expected<std::vector<NpyArray>> arrays = parseNpyArrays(buffer);
  if (arrays) {
    for (const NpyArray &a : *arrays)
      roundTrip(a);
  } else {
    consumeError(arrays.takeError());
  }
  return 0;
}
