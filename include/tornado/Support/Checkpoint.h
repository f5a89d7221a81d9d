//===- Checkpoint.h - PyTorch checkpoint (.pth/.pth.tar) reader -*- C++ -*-===//
//
// Reads what torch.save wrote, without Python:
//  * the zip format (torch >= 1.6): <dir>/data.pkl plus one record per
//    storage under <dir>/data/, optional <dir>/byteorder;
//  * the legacy stream format (torch < 1.6, _use_new_zipfile_serialization=
//    False): magic number, protocol version and system-info pickles, the
//    object pickle, the storage-key list pickle, then raw storages.
// The object graph becomes a PyValue tree; tensors are materialized as
// contiguous little-endian HostTensors. Untrusted input yields an error,
// never a crash, and allocations stay proportional to the file size.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_SUPPORT_CHECKPOINT_H
#define TORNADO_SUPPORT_CHECKPOINT_H

#include "tornado/Support/HostTensor.h"
#include "tornado/Support/PyValue.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <memory>
#include <optional>
#include <vector>

namespace tornado {

enum class CheckpointFormat { Zip, Legacy };

struct CheckpointOptions {
  /// Check the CRC-32 of every zip record that is read.
  bool VerifyChecksums = true;
};

struct NamedTensor {
  llvm::StringRef Name;
  const HostTensor *Tensor;
};

class Checkpoint {
public:
  CheckpointFormat getFormat() const { return Format; }

  /// The object torch.save was given (usually a dict).
  const PyValue &getRoot() const { return *Root; }
  /// A top-level key of a dict root; nullptr when absent.
  const PyValue *lookup(llvm::StringRef key) const { return Root->lookup(key); }

  /// root["state_dict"] when it is a dict; otherwise the root itself when it
  /// is a non-empty dict mapping strings to tensors (a bare state dict, as
  /// torch.save(model.state_dict()) writes); otherwise nullptr.
  const PyValue *getStateDict() const { return StateDict; }
  /// The string-keyed tensors of the state dict, in file order.
  std::vector<NamedTensor> getStateTensors() const;
  /// A state-dict tensor by name; nullptr when absent or not a tensor.
  const HostTensor *getTensor(llvm::StringRef name) const;

  /// root["arch"] when it is a string.
  std::optional<llvm::StringRef> getArch() const;
  /// root["epoch"] when it is an integer.
  std::optional<int64_t> getEpoch() const;
  /// root["extras"] (the ai8x training scripts' extra information), or null.
  const PyValue *getExtras() const { return lookup("extras"); }

private:
  friend class CheckpointLoader;
  Checkpoint(std::unique_ptr<PyHeap> heap, const PyValue *root,
             CheckpointFormat format);

  std::unique_ptr<PyHeap> Heap;
  const PyValue *Root;
  const PyValue *StateDict;
  CheckpointFormat Format;
};

/// Parses a checkpoint held in memory. Nothing refers to \p buffer after
/// the call returns.
llvm::Expected<Checkpoint>
parseCheckpoint(llvm::MemoryBufferRef buffer,
                const CheckpointOptions &options = {});

/// Reads and parses a checkpoint file; errors name the file.
llvm::Expected<Checkpoint>
readCheckpoint(llvm::StringRef path, const CheckpointOptions &options = {});

} // namespace tornado

#endif // TORNADO_SUPPORT_CHECKPOINT_H
