//===- Pickle.h - A small, safe Python unpickler ----------------*- C++ -*-===//
//
// Reads the pickle opcodes PyTorch checkpoints use (protocols 2 to 5 plus
// the few protocol 0/1 opcodes that still appear) into a PyValue graph.
// Nothing is ever executed: globals are only names, and REDUCE/NEWOBJ build
// opaque Object nodes, except for the builtin constructors protocol 2 uses
// for plain data (OrderedDict()/dict(), set([...]), bytes via
// codecs.encode(s, 'latin1')) and whatever a hook recognizes.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_SUPPORT_PICKLE_H
#define TORNADO_SUPPORT_PICKLE_H

#include "tornado/Support/PyValue.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include <cstddef>

namespace tornado {

struct UnpickleHooks {
  /// Resolves a persistent id (BINPERSID/PERSID). When unset, persistent ids
  /// are an error.
  llvm::function_ref<llvm::Expected<PyValue *>(const PyValue &pid)>
      PersistentLoad;
  /// Offered every REDUCE first; returns the value to push, or nullptr to
  /// get the default (the builtin constructors above, otherwise an opaque
  /// Object).
  llvm::function_ref<llvm::Expected<PyValue *>(const PyValue &callable,
                                               const PyValue &args)>
      Reduce;
};

/// Unpickles one pickle starting at \p data[offset]. On success \p offset is
/// just past its STOP opcode (several pickles may follow each other). The
/// result has no reference cycles and bounded nesting (see verifyPyGraph).
llvm::Expected<PyValue *> unpickle(PyHeap &heap, llvm::ArrayRef<uint8_t> data,
                                   size_t &offset,
                                   const UnpickleHooks &hooks = {});

} // namespace tornado

#endif // TORNADO_SUPPORT_PICKLE_H
