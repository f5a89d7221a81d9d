//===- PyValue.h - Python object graph read from a pickle -------*- C++ -*-===//
//
// A pickle describes a Python object graph. We keep it as a graph of PyValue
// nodes owned by a PyHeap: containers hold non-owning pointers, so shared
// references (the same tensor in two places) stay shared and nothing is
// copied. The unpickler rejects reference cycles, so the graph is a DAG.
//
// Objects we do not model (optimizer classes, numpy scalars, user classes)
// become Kind::Object nodes that keep whatever the pickle said about them
// (callable, arguments, state, appended items) so nothing is lost and nothing
// fails.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_SUPPORT_PYVALUE_H
#define TORNADO_SUPPORT_PYVALUE_H

#include "tornado/Support/HostTensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tornado {

class PyHeap;

class PyValue {
public:
  enum class Kind : uint8_t {
    None,
    Bool,
    Int,    ///< fits int64_t
    BigInt, ///< wider integer; getBytes() is little-endian two's complement
    Float,
    String,
    Bytes,
    List,
    Tuple,
    Set,
    Dict,   ///< dict or collections.OrderedDict, insertion order kept
    Global, ///< a class or function reference (pickle GLOBAL)
    Object, ///< anything else, kept opaque
    Tensor, ///< a torch tensor, materialized as a HostTensor
    Storage ///< a bare torch storage (not wrapped in a tensor), 1-D
  };

  struct DictEntry {
    const PyValue *Key;
    const PyValue *Value;
  };

  PyValue(const PyValue &) = delete;
  PyValue &operator=(const PyValue &) = delete;
  ~PyValue();

  Kind getKind() const { return TheKind; }
  static llvm::StringRef getKindName(Kind kind);

  bool isNone() const { return TheKind == Kind::None; }
  bool isBool() const { return TheKind == Kind::Bool; }
  bool isInt() const { return TheKind == Kind::Int; }
  bool isFloat() const { return TheKind == Kind::Float; }
  bool isString() const { return TheKind == Kind::String; }
  bool isDict() const { return TheKind == Kind::Dict; }
  bool isList() const { return TheKind == Kind::List; }
  bool isTuple() const { return TheKind == Kind::Tuple; }
  bool isTensor() const { return TheKind == Kind::Tensor; }
  bool isObject() const { return TheKind == Kind::Object; }

  bool getBool() const;
  int64_t getInt() const;
  double getFloat() const;
  llvm::StringRef getString() const;
  /// Bytes, or the little-endian two's-complement bytes of a BigInt.
  llvm::ArrayRef<uint8_t> getBytes() const;

  /// Int or Bool as int64.
  std::optional<int64_t> asInt() const;
  /// Float, Int or Bool as double.
  std::optional<double> asDouble() const;
  std::optional<llvm::StringRef> asString() const;

  /// Items of a List, Tuple or Set; for an Object, the items appended to it.
  llvm::ArrayRef<const PyValue *> getItems() const { return Items; }
  /// Entries of a Dict in insertion order; for an Object, the entries set on
  /// it (e.g. a dict subclass).
  llvm::ArrayRef<DictEntry> getEntries() const { return Entries; }
  /// Dict lookup by string or int key; nullptr when absent or not a Dict.
  const PyValue *lookup(llvm::StringRef key) const;
  const PyValue *lookup(int64_t key) const;

  /// Global: the module and name it refers to. Object: those of the callable
  /// that created it when that is a Global (empty otherwise).
  llvm::StringRef getModule() const;
  llvm::StringRef getName() const;
  /// "module.name" of a Global or of an Object's class.
  std::string getQualifiedName() const;

  /// Object: the callable (class or function) and its arguments.
  const PyValue *getCallable() const { return Callable; }
  const PyValue *getArgs() const { return Args; }
  /// State passed to pickle's BUILD (attributes), on any kind; or nullptr.
  const PyValue *getState() const { return State; }

  /// Tensor or Storage contents.
  const HostTensor &getTensor() const;

  /// A bounded, human-readable rendering for diagnostics and tools.
  void print(llvm::raw_ostream &os, unsigned maxDepth = 4,
             unsigned maxItems = 8) const;

private:
  friend class PyHeap;
  struct DictIndex;

  explicit PyValue(Kind kind);

  Kind TheKind;
  bool BoolValue = false;
  int64_t IntValue = 0;
  double FloatValue = 0.0;
  std::string Text; // String, Bytes, BigInt, Global module
  std::string Name; // Global name
  std::vector<const PyValue *> Items;
  std::vector<DictEntry> Entries;
  std::unique_ptr<DictIndex> Index; // built lazily for large dicts
  const PyValue *Callable = nullptr;
  const PyValue *Args = nullptr;
  const PyValue *State = nullptr;
  std::unique_ptr<HostTensor> Tensor;
};

llvm::raw_ostream &operator<<(llvm::raw_ostream &os, const PyValue &value);

/// Owns PyValues; every pointer it hands out lives as long as the heap.
class PyHeap {
public:
  PyHeap() = default;
  PyHeap(const PyHeap &) = delete;
  PyHeap &operator=(const PyHeap &) = delete;

  PyValue *makeNone();
  PyValue *makeBool(bool value);
  PyValue *makeInt(int64_t value);
  /// From little-endian two's-complement bytes (pickle LONG1/LONG4); gives
  /// an Int when the value fits int64_t, a BigInt otherwise.
  PyValue *makeLong(llvm::ArrayRef<uint8_t> bytes);
  PyValue *makeFloat(double value);
  PyValue *makeString(llvm::StringRef value);
  PyValue *makeBytes(llvm::ArrayRef<uint8_t> value);
  PyValue *makeList();
  PyValue *makeTuple(llvm::ArrayRef<const PyValue *> items);
  PyValue *makeSet();
  PyValue *makeDict();
  PyValue *makeGlobal(llvm::StringRef module, llvm::StringRef name);
  PyValue *makeObject(const PyValue *callable, const PyValue *args);
  /// A tensor or storage whose data is filled in later with setTensor.
  PyValue *makeTensor(PyValue::Kind kind = PyValue::Kind::Tensor);

  /// Mutators used while building the graph.
  static void append(PyValue &container, const PyValue *item);
  /// Dict assignment: replaces the value of an equal String/Int/Bool/None
  /// key (as Python would), appends otherwise.
  static void setItem(PyValue &container, const PyValue *key,
                      const PyValue *value);
  static void setState(PyValue &value, const PyValue *state);
  static void setTensor(PyValue &value, HostTensor tensor);

  /// Number of values created so far.
  size_t size() const { return Count; }

private:
  PyValue *make(PyValue::Kind kind);
  llvm::SpecificBumpPtrAllocator<PyValue> Allocator;
  size_t Count = 0;
};

/// Checks that the graph under \p root has no cycle and no nesting deeper
/// than \p maxDepth, so that recursive consumers are safe.
llvm::Error verifyPyGraph(const PyValue &root, unsigned maxDepth = 256);

} // namespace tornado

#endif // TORNADO_SUPPORT_PYVALUE_H
