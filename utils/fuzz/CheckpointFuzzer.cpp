//===- CheckpointFuzzer.cpp - libFuzzer harness for checkpoint reading ----===//
//
// Feeds arbitrary bytes to the checkpoint reader (zip and legacy paths, with
// and without CRC checks so mutations inside zip records get through) and
// to the unpickler directly, then uses every accessor on whatever loaded.
// Any crash, sanitizer report or leak is a bug.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Checkpoint.h"
#include "tornado/Support/Pickle.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace tornado;

static void useTensor(const HostTensor &tensor) {
  std::vector<double> values = tensor.getDoubleValues();
  if (values.size() != static_cast<size_t>(tensor.getNumElements()))
    __builtin_trap();
  Expected<std::vector<int64_t>> ints = tensor.getInt64Values();
  if (!ints)
    consumeError(ints.takeError());
}

static void useCheckpoint(const Checkpoint &ckpt) {
  (void)ckpt.getArch();
  (void)ckpt.getEpoch();
  (void)ckpt.getExtras();
  for (const NamedTensor &named : ckpt.getStateTensors()) {
    if (ckpt.getTensor(named.Name) == nullptr)
      __builtin_trap(); // a listed name must be found again
    useTensor(*named.Tensor);
  }
  raw_null_ostream os;
  ckpt.getRoot().print(os, /*maxDepth=*/4, /*maxItems=*/8);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StringRef bytes(reinterpret_cast<const char *>(data), size);
  MemoryBufferRef buffer(bytes, "fuzz-input");
  for (bool verify : {false, true}) {
    CheckpointOptions options;
    options.VerifyChecksums = verify;
    Expected<Checkpoint> ckpt = parseCheckpoint(buffer, options);
    if (ckpt)
      useCheckpoint(*ckpt);
    else
      consumeError(ckpt.takeError());
  }

  // The unpickler on its own, over consecutive pickles, with hooks that
  // accept every persistent id and decline every REDUCE.
  PyHeap heap;
  auto persistent = [&](const PyValue &) -> Expected<PyValue *> {
    return heap.makeNone();
  };
  auto reduce = [&](const PyValue &, const PyValue &) -> Expected<PyValue *> {
    return nullptr;
  };
  UnpickleHooks hooks;
  hooks.PersistentLoad = persistent;
  hooks.Reduce = reduce;
  ArrayRef<uint8_t> raw(data, size);
  size_t offset = 0;
  while (offset < size) {
    Expected<PyValue *> value = unpickle(heap, raw, offset, hooks);
    if (!value) {
      consumeError(value.takeError());
      break;
    }
    raw_null_ostream os;
    (*value)->print(os, /*maxDepth=*/4, /*maxItems=*/8);
  }
  return 0;
}
