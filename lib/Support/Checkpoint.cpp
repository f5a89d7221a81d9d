//===- Checkpoint.cpp - PyTorch checkpoint (.pth/.pth.tar) reader ---------===//
//
// Loading happens in two phases, the same for both formats: unpickling
// records what each storage and tensor refers to (the legacy format stores
// the storage bytes only after the pickle), then every reachable tensor is
// bounds-checked against its storage and copied out contiguously.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Checkpoint.h"

#include "tornado/Support/Pickle.h"
#include "tornado/Support/Zip.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include <cstring>

using namespace llvm;

namespace tornado {

namespace {

Error loadError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// torch.<Name>Storage (also torch.cuda.* in legacy GPU checkpoints).
std::optional<DType> storageDType(const PyValue &type) {
  if (type.getKind() != PyValue::Kind::Global)
    return std::nullopt;
  StringRef module = type.getModule();
  if (module != "torch" && module != "torch.cuda")
    return std::nullopt;
  return StringSwitch<std::optional<DType>>(type.getName())
      .Case("FloatStorage", DType::Float32)
      .Case("DoubleStorage", DType::Float64)
      .Case("HalfStorage", DType::Float16)
      .Case("BFloat16Storage", DType::BFloat16)
      .Case("LongStorage", DType::Int64)
      .Case("IntStorage", DType::Int32)
      .Case("ShortStorage", DType::Int16)
      .Case("CharStorage", DType::Int8)
      .Case("ByteStorage", DType::UInt8)
      .Case("BoolStorage", DType::Bool)
      .Case("UntypedStorage", DType::UInt8)
      .Default(std::nullopt);
}

/// One storage as the pickle declares it.
struct StorageRecord {
  std::string Key;
  DType Type;
  int64_t Numel;
  ArrayRef<uint8_t> Bytes; // set once the data is located
  bool Resolved = false;
};

/// What a persistent id resolved to: a whole storage or (legacy) a view.
struct StorageRef {
  StorageRecord *Root;
  int64_t Offset; // in elements
  int64_t Numel;
};

struct TensorRecipe {
  const StorageRef *Storage;
  int64_t Offset;
  SmallVector<int64_t, 4> Sizes;
  SmallVector<int64_t, 4> Strides;
};

constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9,
                                    0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocolVersion = 1001;

} // namespace

class CheckpointLoader {
public:
  CheckpointLoader(ArrayRef<uint8_t> data, const CheckpointOptions &options)
      : Data(data), Options(options), Heap(std::make_unique<PyHeap>()) {
    // Views and expanded (stride-0) tensors may legitimately need more
    // bytes than they occupy in the file, but not unboundedly more.
    Budget = 4 * static_cast<uint64_t>(data.size()) + (1u << 20);
  }

  Expected<Checkpoint> loadZip();
  Expected<Checkpoint> loadLegacy();

private:
  /// Unpickles the object pickle at \p offset with our torch hooks.
  Expected<PyValue *> unpickleObject(ArrayRef<uint8_t> data, size_t &offset) {
    auto persistent = [this](const PyValue &pid) {
      return persistentLoad(pid);
    };
    auto reducer = [this](const PyValue &callable, const PyValue &args) {
      return reduce(callable, args, /*nested=*/false);
    };
    UnpickleHooks hooks;
    hooks.PersistentLoad = persistent;
    hooks.Reduce = reducer;
    return unpickle(*Heap, data, offset, hooks);
  }

  Expected<PyValue *> persistentLoad(const PyValue &pid);
  Expected<StorageRecord *>
  declareStorage(const PyValue &type, const PyValue &key, const PyValue &numel);
  Expected<PyValue *> reduce(const PyValue &callable, const PyValue &args,
                             bool nested);
  Expected<PyValue *> rebuildTensor(const PyValue &args, StringRef what);
  Error materialize(const PyValue &root);
  Expected<HostTensor> gather(const StorageRef &storage, int64_t offset,
                              ArrayRef<int64_t> sizes,
                              ArrayRef<int64_t> strides);

  ArrayRef<uint8_t> Data;
  const CheckpointOptions &Options;
  std::unique_ptr<PyHeap> Heap;
  bool Legacy = false;
  bool BigEndianData = false;
  uint64_t Budget;
  uint64_t Used = 0;

  std::vector<std::unique_ptr<StorageRecord>> Records;
  StringMap<StorageRecord *> RecordByKey;
  std::vector<std::unique_ptr<StorageRef>> Refs;
  StringMap<PyValue *> StorageValueByKey; // dedupes persistent ids
  DenseMap<const PyValue *, const StorageRef *> RefOfValue;
  DenseMap<const PyValue *, TensorRecipe> Recipes;
  // Our tensor and storage values, which the graph holds as const.
  DenseMap<const PyValue *, PyValue *> Mutable;
};

Expected<StorageRecord *>
CheckpointLoader::declareStorage(const PyValue &type, const PyValue &key,
                                 const PyValue &numel) {
  std::optional<DType> dtype = storageDType(type);
  assert(dtype && "caller checks the storage type");
  if (!key.isString())
    return loadError("storage key is not a string");
  if (!numel.isInt() || numel.getInt() < 0)
    return loadError("storage '" + key.getString() +
                     "' has an invalid element count");
  int64_t bytes;
  if (MulOverflow<int64_t>(numel.getInt(), getDTypeSize(*dtype), bytes) ||
      static_cast<uint64_t>(bytes) > Data.size())
    return loadError("storage '" + key.getString() + "' declares " +
                     Twine(numel.getInt()) + " elements of " +
                     getDTypeName(*dtype) + ", more than the " +
                     Twine(Data.size()) + "-byte file can hold");
  auto [it, inserted] = RecordByKey.try_emplace(key.getString(), nullptr);
  if (!inserted) {
    StorageRecord *existing = it->second;
    if (existing->Type != *dtype || existing->Numel != numel.getInt())
      return loadError("storage '" + key.getString() +
                       "' is declared twice with different types or sizes");
    return existing;
  }
  Records.push_back(std::make_unique<StorageRecord>());
  StorageRecord *record = Records.back().get();
  record->Key = key.getString().str();
  record->Type = *dtype;
  record->Numel = numel.getInt();
  it->second = record;
  return record;
}

Expected<PyValue *> CheckpointLoader::persistentLoad(const PyValue &pid) {
  if (!pid.isTuple() || pid.getItems().empty() ||
      !pid.getItems()[0]->isString())
    return loadError("persistent id is not a (typename, ...) tuple");
  ArrayRef<const PyValue *> items = pid.getItems();
  StringRef tag = items[0]->getString();
  if (tag == "module" && Legacy) {
    // Legacy saves of whole nn.Modules record their source; keep it opaque.
    return Heap->makeObject(nullptr, &pid);
  }
  if (tag != "storage")
    return loadError("unknown persistent id type '" + tag + "'");

  // zip:    ('storage', type, key, location, numel)
  // legacy: ('storage', type, root_key, location, root_numel, view)
  //         view = None | (view_key, offset, numel)
  size_t expected = Legacy ? 6 : 5;
  if (items.size() != expected)
    return loadError("storage persistent id has " + Twine(items.size()) +
                     " fields, expected " + Twine(expected));
  if (!storageDType(*items[1])) {
    // Complex, quantized or unknown storage: nothing we can represent, but
    // nothing to fail over either unless a tensor is built on it.
    return Heap->makeObject(items[1], &pid);
  }

  Expected<StorageRecord *> record =
      declareStorage(*items[1], *items[2], *items[4]);
  if (!record)
    return record.takeError();

  const PyValue *view = Legacy ? items[5] : nullptr;
  std::string refKey = (*record)->Key;
  int64_t offset = 0, numel = (*record)->Numel;
  if (view && !view->isNone()) {
    ArrayRef<const PyValue *> v = view->getItems();
    if (!view->isTuple() || v.size() != 3 || !v[0]->isString() ||
        !v[1]->isInt() || !v[2]->isInt())
      return loadError("malformed storage view in persistent id");
    offset = v[1]->getInt();
    numel = v[2]->getInt();
    if (offset < 0 || numel < 0 || offset > (*record)->Numel ||
        numel > (*record)->Numel - offset)
      return loadError("storage view '" + v[0]->getString() +
                       "' lies outside storage '" + (*record)->Key + "'");
    refKey = "view:" + v[0]->getString().str();
  }

  // The same key always yields the same storage object, as in torch.
  auto [it, inserted] = StorageValueByKey.try_emplace(refKey, nullptr);
  if (!inserted) {
    const StorageRef *ref = RefOfValue.lookup(it->second);
    if (ref->Root != *record || ref->Offset != offset || ref->Numel != numel)
      return loadError("storage view '" + refKey +
                       "' is declared twice differently");
    return it->second;
  }
  Refs.push_back(
      std::make_unique<StorageRef>(StorageRef{*record, offset, numel}));
  PyValue *value = Heap->makeTensor(PyValue::Kind::Storage);
  RefOfValue[value] = Refs.back().get();
  Mutable[value] = value;
  it->second = value;
  return value;
}

Expected<PyValue *> CheckpointLoader::rebuildTensor(const PyValue &args,
                                                    StringRef what) {
  ArrayRef<const PyValue *> a = args.getItems();
  if (!args.isTuple() || a.size() < 4)
    return nullptr; // not the signature we know: keep it opaque
  const StorageRef *storage = RefOfValue.lookup(a[0]);
  if (!storage)
    return nullptr; // e.g. an unsupported storage type
  auto malformed = [&](const Twine &why) {
    return loadError("malformed " + what + " arguments: " + why);
  };
  if (!a[1]->isInt() || a[1]->getInt() < 0)
    return malformed("storage offset is not a non-negative integer");
  if (!a[2]->isTuple() || !a[3]->isTuple())
    return malformed("size and stride must be tuples");
  if (a[2]->getItems().size() != a[3]->getItems().size())
    return malformed("size and stride have different ranks");
  TensorRecipe recipe{storage, a[1]->getInt(), {}, {}};
  for (const PyValue *dim : a[2]->getItems()) {
    if (!dim->isInt() || dim->getInt() < 0)
      return malformed("size entries must be non-negative integers");
    recipe.Sizes.push_back(dim->getInt());
  }
  for (const PyValue *stride : a[3]->getItems()) {
    if (!stride->isInt() || stride->getInt() < 0)
      return malformed("stride entries must be non-negative integers");
    recipe.Strides.push_back(stride->getInt());
  }
  PyValue *tensor = Heap->makeTensor();
  Recipes.try_emplace(tensor, std::move(recipe));
  Mutable[tensor] = tensor;
  return tensor;
}

Expected<PyValue *> CheckpointLoader::reduce(const PyValue &callable,
                                             const PyValue &args, bool nested) {
  if (callable.getKind() != PyValue::Kind::Global)
    return nullptr;
  StringRef module = callable.getModule(), name = callable.getName();
  if (module == "torch._utils") {
    if (name == "_rebuild_tensor_v2" || name == "_rebuild_tensor")
      return rebuildTensor(args, "torch._utils." + name.str());
    if (name == "_rebuild_parameter" ||
        name == "_rebuild_parameter_with_state") {
      // Parameter(data, requires_grad, hooks[, state]) -> the data tensor.
      if (args.isTuple() && !args.getItems().empty())
        if (PyValue *tensor = Mutable.lookup(args.getItems()[0]);
            tensor && tensor->isTensor())
          return tensor;
      return nullptr;
    }
  }
  if (module == "torch._tensor" && name == "_rebuild_from_type_v2" && !nested) {
    // (func, type, func_args, state): torch applies func to func_args.
    ArrayRef<const PyValue *> a = args.getItems();
    if (args.isTuple() && a.size() >= 3)
      return reduce(*a[0], *a[2], /*nested=*/true);
  }
  return nullptr;
}

Expected<HostTensor> CheckpointLoader::gather(const StorageRef &storage,
                                              int64_t offset,
                                              ArrayRef<int64_t> sizes,
                                              ArrayRef<int64_t> strides) {
  DType type = storage.Root->Type;
  unsigned elem = getDTypeSize(type);
  std::optional<int64_t> numel = getElementCount(sizes);
  if (!numel)
    return loadError("tensor element count overflows");

  std::vector<uint8_t> out;
  if (*numel > 0) {
    // Highest element index the view touches must lie inside the storage.
    int64_t last = offset;
    for (size_t d = 0; d < sizes.size(); ++d) {
      int64_t span;
      if (MulOverflow(sizes[d] - 1, strides[d], span) ||
          AddOverflow(last, span, last))
        return loadError("tensor view arithmetic overflows");
    }
    if (last >= storage.Numel)
      return loadError("tensor view (offset " + Twine(offset) +
                       ", last element " + Twine(last) +
                       ") exceeds its storage of " + Twine(storage.Numel) +
                       " elements ('" + storage.Root->Key + "')");
    if (static_cast<uint64_t>(*numel) > (Budget - Used) / elem)
      return loadError("tensors would need more than " + Twine(Budget) +
                       " bytes of memory, out of proportion to the file "
                       "size; refusing");
    uint64_t bytes = static_cast<uint64_t>(*numel) * elem;
    Used += bytes;
    out.resize(bytes);

    const uint8_t *src = storage.Root->Bytes.data() + storage.Offset * elem;
    // Size-1 dimensions never move through memory. Dropping them keeps the
    // odometer below short (every remaining size is >= 2, so at most 63
    // dimensions) however many the file declares.
    SmallVector<int64_t, 8> dims, steps;
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] != 1) {
        dims.push_back(sizes[d]);
        steps.push_back(strides[d]);
      }
    }
    bool contiguous = true;
    int64_t expect = 1;
    for (size_t d = dims.size(); d-- > 0;) {
      if (steps[d] != expect)
        contiguous = false;
      expect *= dims[d];
    }
    if (contiguous) {
      std::memcpy(out.data(), src + offset * elem, bytes);
    } else {
      SmallVector<int64_t, 8> index(dims.size(), 0);
      int64_t pos = offset;
      for (int64_t n = 0; n < *numel; ++n) {
        std::memcpy(out.data() + n * elem, src + pos * elem, elem);
        for (size_t d = dims.size(); d-- > 0;) {
          if (++index[d] < dims[d]) {
            pos += steps[d];
            break;
          }
          pos -= (dims[d] - 1) * steps[d];
          index[d] = 0;
        }
      }
    }
    if (BigEndianData && elem > 1)
      for (size_t i = 0; i < out.size(); i += elem)
        std::reverse(out.begin() + i, out.begin() + i + elem);
    if (type == DType::Bool)
      for (uint8_t &b : out)
        b = b != 0;
  }
  return HostTensor::create(type, sizes, std::move(out));
}

Error CheckpointLoader::materialize(const PyValue &root) {
  // Only tensors reachable from the root matter; walk the DAG once.
  std::vector<const PyValue *> work{&root};
  DenseSet<const PyValue *> seen{&root};
  auto visit = [&](const PyValue *v) {
    if (v && seen.insert(v).second)
      work.push_back(v);
  };
  while (!work.empty()) {
    const PyValue *v = work.back();
    work.pop_back();
    if (v->getKind() == PyValue::Kind::Tensor) {
      auto it = Recipes.find(v);
      assert(it != Recipes.end() && "tensor without recipe");
      const TensorRecipe &r = it->second;
      Expected<HostTensor> t = gather(*r.Storage, r.Offset, r.Sizes, r.Strides);
      if (!t)
        return t.takeError();
      PyHeap::setTensor(*Mutable.lookup(v), std::move(*t));
    } else if (v->getKind() == PyValue::Kind::Storage) {
      const StorageRef *ref = RefOfValue.lookup(v);
      int64_t sizes[] = {ref->Numel}, strides[] = {1};
      Expected<HostTensor> t = gather(*ref, 0, sizes, strides);
      if (!t)
        return t.takeError();
      PyHeap::setTensor(*Mutable.lookup(v), std::move(*t));
    }
    for (const PyValue *item : v->getItems())
      visit(item);
    for (const PyValue::DictEntry &entry : v->getEntries()) {
      visit(entry.Key);
      visit(entry.Value);
    }
    visit(v->getCallable());
    visit(v->getArgs());
    visit(v->getState());
  }
  return Error::success();
}

Expected<Checkpoint> CheckpointLoader::loadZip() {
  MemoryBufferRef ref(toStringRef(Data), "checkpoint");
  Expected<ZipArchive> archive = ZipArchive::open(ref);
  if (!archive)
    return archive.takeError();

  // torch writes every record under one top-level directory, whose name
  // varies between versions ("archive", the file's stem, ...).
  std::string prefix;
  for (const ZipEntry &entry : archive->getEntries()) {
    StringRef name = entry.Name;
    if (!name.consume_back("/data.pkl") || name.empty() || name.contains('/'))
      continue;
    if (!prefix.empty())
      return loadError("zip archive holds more than one <dir>/data.pkl");
    prefix = name.str();
  }
  if (prefix.empty())
    return loadError("zip archive has no <dir>/data.pkl record; not a "
                     "torch.save checkpoint");

  if (const ZipEntry *order = archive->find(prefix + "/byteorder")) {
    Expected<ArrayRef<uint8_t>> bytes =
        archive->getData(*order, Options.VerifyChecksums);
    if (!bytes)
      return bytes.takeError();
    StringRef text = toStringRef(*bytes).trim();
    if (text == "big")
      BigEndianData = true;
    else if (text != "little")
      return loadError("unknown byteorder record '" + text + "'");
  }

  Expected<ArrayRef<uint8_t>> pickle = archive->getData(
      *archive->find(prefix + "/data.pkl"), Options.VerifyChecksums);
  if (!pickle)
    return pickle.takeError();
  size_t offset = 0;
  Expected<PyValue *> root = unpickleObject(*pickle, offset);
  if (!root)
    return root.takeError();

  for (const std::unique_ptr<StorageRecord> &record : Records) {
    std::string name = prefix + "/data/" + record->Key;
    const ZipEntry *entry = archive->find(name);
    if (!entry)
      return loadError("storage record '" + name + "' is missing");
    uint64_t expected =
        static_cast<uint64_t>(record->Numel) * getDTypeSize(record->Type);
    if (entry->Size != expected)
      return loadError("storage record '" + name + "' holds " +
                       Twine(entry->Size) + " bytes but the pickle declares " +
                       Twine(record->Numel) + " elements of " +
                       getDTypeName(record->Type) + " (" + Twine(expected) +
                       " bytes)");
    Expected<ArrayRef<uint8_t>> bytes =
        archive->getData(*entry, Options.VerifyChecksums);
    if (!bytes)
      return bytes.takeError();
    record->Bytes = *bytes;
    record->Resolved = true;
  }
  if (Error e = materialize(**root))
    return std::move(e);
  return Checkpoint(std::move(Heap), *root, CheckpointFormat::Zip);
}

Expected<Checkpoint> CheckpointLoader::loadLegacy() {
  Legacy = true;
  size_t offset = 0;
  auto header = [&](StringRef what) -> Expected<PyValue *> {
    Expected<PyValue *> v = unpickle(*Heap, Data, offset);
    if (!v)
      return loadError("legacy checkpoint " + what + ": " +
                       toString(v.takeError()));
    return v;
  };

  Expected<PyValue *> magic = header("magic number");
  if (!magic)
    return magic.takeError();
  if ((*magic)->getKind() != PyValue::Kind::BigInt ||
      (*magic)->getBytes() != ArrayRef<uint8_t>(kLegacyMagic))
    return loadError("not a PyTorch checkpoint: wrong magic number");

  Expected<PyValue *> version = header("protocol version");
  if (!version)
    return version.takeError();
  if (!(*version)->isInt() || (*version)->getInt() != kLegacyProtocolVersion)
    return loadError("unsupported legacy checkpoint protocol version");

  Expected<PyValue *> sysInfo = header("system info");
  if (!sysInfo)
    return sysInfo.takeError();
  if (const PyValue *little = (*sysInfo)->lookup("little_endian"))
    if (little->isBool() && !little->getBool())
      return loadError("big-endian legacy checkpoints are not supported");

  Expected<PyValue *> root = unpickleObject(Data, offset);
  if (!root)
    return root.takeError();

  Expected<PyValue *> keys = header("storage key list");
  if (!keys)
    return keys.takeError();
  if (!(*keys)->isList())
    return loadError("legacy checkpoint storage key list is not a list");

  // Each storage: int64 element count, then the elements (little-endian).
  for (const PyValue *key : (*keys)->getItems()) {
    if (!key->isString())
      return loadError("legacy checkpoint storage key is not a string");
    StorageRecord *record = RecordByKey.lookup(key->getString());
    if (!record)
      return loadError("legacy storage '" + key->getString() +
                       "' is not referenced by the pickle");
    if (record->Resolved)
      return loadError("legacy storage '" + key->getString() +
                       "' is listed twice");
    if (Data.size() - offset < 8)
      return loadError("legacy checkpoint truncated in storage '" +
                       key->getString() + "'");
    int64_t numel =
        static_cast<int64_t>(support::endian::read64le(Data.data() + offset));
    offset += 8;
    if (numel != record->Numel)
      return loadError("legacy storage '" + key->getString() + "' holds " +
                       Twine(numel) + " elements but the pickle declares " +
                       Twine(record->Numel));
    // declareStorage bounded Numel * size by the file size.
    uint64_t bytes =
        static_cast<uint64_t>(record->Numel) * getDTypeSize(record->Type);
    if (bytes > Data.size() - offset)
      return loadError("legacy checkpoint truncated in storage '" +
                       key->getString() + "'");
    record->Bytes = Data.slice(offset, bytes);
    record->Resolved = true;
    offset += bytes;
  }
  for (const std::unique_ptr<StorageRecord> &record : Records)
    if (!record->Resolved)
      return loadError("legacy storage '" + record->Key +
                       "' has no data in the file");
  if (Error e = materialize(**root))
    return std::move(e);
  return Checkpoint(std::move(Heap), *root, CheckpointFormat::Legacy);
}

//===----------------------------------------------------------------------===//
// Checkpoint
//===----------------------------------------------------------------------===//

static const PyValue *findStateDict(const PyValue &root) {
  if (!root.isDict())
    return nullptr;
  if (const PyValue *sd = root.lookup("state_dict"))
    return sd->isDict() ? sd : nullptr;
  ArrayRef<PyValue::DictEntry> entries = root.getEntries();
  if (entries.empty())
    return nullptr;
  for (const PyValue::DictEntry &entry : entries)
    if (!entry.Key->isString() || !entry.Value->isTensor())
      return nullptr;
  return &root;
}

Checkpoint::Checkpoint(std::unique_ptr<PyHeap> heap, const PyValue *root,
                       CheckpointFormat format)
    : Heap(std::move(heap)), Root(root), StateDict(findStateDict(*root)),
      Format(format) {}

std::vector<NamedTensor> Checkpoint::getStateTensors() const {
  std::vector<NamedTensor> result;
  if (const PyValue *sd = getStateDict())
    for (const PyValue::DictEntry &entry : sd->getEntries())
      if (entry.Key->isString() && entry.Value->isTensor())
        result.push_back({entry.Key->getString(), &entry.Value->getTensor()});
  return result;
}

const HostTensor *Checkpoint::getTensor(StringRef name) const {
  const PyValue *sd = getStateDict();
  const PyValue *value = sd ? sd->lookup(name) : nullptr;
  return value && value->isTensor() ? &value->getTensor() : nullptr;
}

std::optional<StringRef> Checkpoint::getArch() const {
  const PyValue *arch = lookup("arch");
  return arch ? arch->asString() : std::nullopt;
}

std::optional<int64_t> Checkpoint::getEpoch() const {
  const PyValue *epoch = lookup("epoch");
  if (epoch && epoch->isInt())
    return epoch->getInt();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static bool looksLikeTar(ArrayRef<uint8_t> data) {
  return data.size() >= 262 &&
         toStringRef(data.slice(257, 5)) == StringRef("ustar");
}

Expected<Checkpoint> parseCheckpoint(MemoryBufferRef buffer,
                                     const CheckpointOptions &options) {
  ArrayRef<uint8_t> data = arrayRefFromStringRef(buffer.getBuffer());
  if (data.empty())
    return loadError("empty checkpoint file");
  CheckpointLoader loader(data, options);
  if (ZipArchive::hasZipMagic(data))
    return loader.loadZip();
  if (data[0] == 0x80) // pickle PROTO: the legacy stream format
    return loader.loadLegacy();
  if (looksLikeTar(data))
    return loadError("tar-format checkpoints (PyTorch < 0.4) are not "
                     "supported; re-save the checkpoint with a newer torch");
  return loadError("not a PyTorch checkpoint (neither a zip archive nor a "
                   "legacy pickle stream)");
}

Expected<Checkpoint> readCheckpoint(StringRef path,
                                    const CheckpointOptions &options) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(), "%s: %s", path.str().c_str(),
                             buffer.getError().message().c_str());
  Expected<Checkpoint> checkpoint =
      parseCheckpoint((*buffer)->getMemBufferRef(), options);
  if (!checkpoint)
    return createStringError(inconvertibleErrorCode(), "%s: %s",
                             path.str().c_str(),
                             toString(checkpoint.takeError()).c_str());
  return checkpoint;
}

} // namespace tornado
