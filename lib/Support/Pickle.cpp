//===- Pickle.cpp - A small, safe Python unpickler ------------------------===//
//
// Every read is bounds-checked against the input, every length is checked
// against the bytes that remain before anything is allocated, and the value
// stack cannot be popped below the innermost MARK (as in CPython, where MARK
// starts a fresh stack).
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Pickle.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include <cstring>
#include <optional>
#include <vector>

using namespace llvm;

namespace tornado {

namespace {

namespace op {
enum : uint8_t {
  Mark = '(',
  Stop = '.',
  Pop = '0',
  PopMark = '1',
  Dup = '2',
  BinInt = 'J',
  BinInt1 = 'K',
  BinInt2 = 'M',
  None = 'N',
  PersId = 'P',
  BinPersId = 'Q',
  Reduce = 'R',
  BinString = 'T',
  ShortBinString = 'U',
  BinUnicode = 'X',
  Append = 'a',
  Build = 'b',
  Global = 'c',
  Dict = 'd',
  EmptyDict = '}',
  Appends = 'e',
  BinGet = 'h',
  LongBinGet = 'j',
  List = 'l',
  EmptyList = ']',
  BinPut = 'q',
  LongBinPut = 'r',
  SetItem = 's',
  Tuple = 't',
  EmptyTuple = ')',
  SetItems = 'u',
  BinFloat = 'G',
  // Protocol 2.
  Proto = 0x80,
  NewObj = 0x81,
  Ext1 = 0x82,
  Ext2 = 0x83,
  Ext4 = 0x84,
  Tuple1 = 0x85,
  Tuple2 = 0x86,
  Tuple3 = 0x87,
  NewTrue = 0x88,
  NewFalse = 0x89,
  Long1 = 0x8a,
  Long4 = 0x8b,
  // Protocol 3.
  BinBytes = 'B',
  ShortBinBytes = 'C',
  // Protocol 4.
  ShortBinUnicode = 0x8c,
  BinUnicode8 = 0x8d,
  BinBytes8 = 0x8e,
  EmptySet = 0x8f,
  AddItems = 0x90,
  FrozenSet = 0x91,
  NewObjEx = 0x92,
  StackGlobal = 0x93,
  Memoize = 0x94,
  Frame = 0x95,
  // Protocol 5.
  ByteArray8 = 0x96,
  NextBuffer = 0x97,
  ReadonlyBuffer = 0x98,
};
} // namespace op

constexpr unsigned kHighestProtocol = 5;

class Unpickler {
public:
  Unpickler(PyHeap &heap, ArrayRef<uint8_t> data, size_t offset,
            const UnpickleHooks &hooks)
      : Heap(heap), Data(data), Pos(offset), Hooks(hooks) {}

  Expected<PyValue *> run();
  size_t getOffset() const { return Pos; }

private:
  Error error(const Twine &message) const {
    return createStringError(inconvertibleErrorCode(), "pickle offset " +
                                                           Twine(OpStart) +
                                                           ": " + message);
  }
  size_t remaining() const { return Data.size() - Pos; }

  Error read(size_t n, ArrayRef<uint8_t> &out) {
    if (n > remaining())
      return error("truncated: need " + Twine(n) + " bytes, " +
                   Twine(remaining()) + " left");
    out = Data.slice(Pos, n);
    Pos += n;
    return Error::success();
  }
  template <typename T> Error readLE(T &out) {
    ArrayRef<uint8_t> bytes;
    if (Error e = read(sizeof(T), bytes))
      return e;
    out = support::endian::read<T, llvm::endianness::little>(bytes.data());
    return Error::success();
  }
  Error readLine(StringRef &out) {
    ArrayRef<uint8_t> rest = Data.drop_front(Pos);
    const uint8_t *nl = static_cast<const uint8_t *>(
        std::memchr(rest.data(), '\n', rest.size()));
    if (!nl)
      return error("unterminated text argument");
    size_t n = nl - rest.data();
    out = toStringRef(rest.take_front(n));
    Pos += n + 1;
    return Error::success();
  }
  /// Reads a little-endian T into a wider `out`.
  template <typename T, typename U> Error readLEAs(U &out) {
    T v;
    if (Error e = readLE(v))
      return e;
    out = v;
    return Error::success();
  }
  /// Reads a length-prefixed payload, checking the length first.
  template <typename LenT> Error readCounted(ArrayRef<uint8_t> &out) {
    LenT n;
    if (Error e = readLE(n))
      return e;
    if (static_cast<uint64_t>(n) > remaining())
      return error("declared length " + Twine(static_cast<uint64_t>(n)) +
                   " exceeds the " + Twine(remaining()) + " bytes left");
    return read(static_cast<size_t>(n), out);
  }
  /// Reads a payload behind a signed 32-bit length (LONG4, BINSTRING).
  Error readSignedCounted(StringRef opName, ArrayRef<uint8_t> &out) {
    int32_t n;
    if (Error e = readLE(n))
      return e;
    if (n < 0)
      return error(opName + " with negative length");
    return read(static_cast<uint32_t>(n), out);
  }
  /// Reads the payload of an opcode that pushes length-prefixed data; the
  /// opcode decides the width of the length.
  Error readPayload(uint8_t opcode, ArrayRef<uint8_t> &out) {
    switch (opcode) {
    case op::Long1:
    case op::ShortBinUnicode:
    case op::ShortBinString:
    case op::ShortBinBytes:
      return readCounted<uint8_t>(out);
    case op::BinUnicode:
    case op::BinBytes:
      return readCounted<uint32_t>(out);
    case op::Long4:
      return readSignedCounted("LONG4", out);
    case op::BinString:
      return readSignedCounted("BINSTRING", out);
    default: // BINUNICODE8, BINBYTES8, BYTEARRAY8
      return readCounted<uint64_t>(out);
    }
  }

  Error push(PyValue *v) {
    Stack.push_back(v);
    return Error::success();
  }

  size_t floor() const { return Marks.empty() ? 0 : Marks.back(); }
  Expected<PyValue *> pop() {
    if (Stack.size() <= floor())
      return error("stack underflow");
    PyValue *v = Stack.back();
    Stack.pop_back();
    return v;
  }
  Expected<PyValue *> top() {
    if (Stack.size() <= floor())
      return error("stack underflow");
    return Stack.back();
  }
  /// Moves the stack above `from` into `items` (bottom first).
  void popFrom(size_t from, std::vector<PyValue *> &items) {
    items.assign(Stack.begin() + from, Stack.end());
    Stack.resize(from);
  }
  Error popMark(std::vector<PyValue *> &items) {
    if (Marks.empty())
      return error("no MARK on the stack");
    size_t mark = Marks.back();
    Marks.pop_back();
    popFrom(mark, items);
    return Error::success();
  }
  /// Pops the top `n` values into `items` (bottom first).
  Error popTop(size_t n, std::vector<PyValue *> &items) {
    if (Stack.size() < floor() + n)
      return error("stack underflow");
    popFrom(Stack.size() - n, items);
    return Error::success();
  }
  Error memoPut(uint64_t index) {
    Expected<PyValue *> v = top();
    if (!v)
      return v.takeError();
    Memo[index] = *v;
    return Error::success();
  }
  Error memoGet(uint64_t index) {
    auto it = Memo.find(index);
    if (it == Memo.end())
      return error("memo entry " + Twine(index) + " is not defined");
    return push(it->second);
  }

  Error appendItems(ArrayRef<PyValue *> items, bool toSet);
  Error setItems(ArrayRef<PyValue *> items);
  Error persistentLoad(PyValue *pid);
  Error reduce(PyValue *callable, PyValue *args);
  Error step(uint8_t opcode);

  PyHeap &Heap;
  ArrayRef<uint8_t> Data;
  size_t Pos;
  size_t OpStart = 0;
  const UnpickleHooks &Hooks;
  std::vector<PyValue *> Stack;
  std::vector<size_t> Marks;
  DenseMap<uint64_t, PyValue *> Memo;
  bool Stopped = false;
  PyValue *Result = nullptr;
};

} // namespace

Error Unpickler::appendItems(ArrayRef<PyValue *> items, bool toSet) {
  Expected<PyValue *> target = top();
  if (!target)
    return target.takeError();
  PyValue::Kind kind = (*target)->getKind();
  bool ok = kind == PyValue::Kind::Object ||
            (toSet ? kind == PyValue::Kind::Set : kind == PyValue::Kind::List);
  if (!ok)
    return error(Twine("cannot ") + (toSet ? "add items to" : "append to") +
                 " a " + PyValue::getKindName(kind));
  for (PyValue *item : items)
    PyHeap::append(**target, item);
  return Error::success();
}

Error Unpickler::setItems(ArrayRef<PyValue *> items) {
  if (items.size() % 2)
    return error("SETITEMS with an odd number of items");
  Expected<PyValue *> target = top();
  if (!target)
    return target.takeError();
  PyValue::Kind kind = (*target)->getKind();
  if (kind != PyValue::Kind::Dict && kind != PyValue::Kind::Object)
    return error(Twine("cannot set items on a ") + PyValue::getKindName(kind));
  for (size_t i = 0; i < items.size(); i += 2)
    PyHeap::setItem(**target, items[i], items[i + 1]);
  return Error::success();
}

Error Unpickler::persistentLoad(PyValue *pid) {
  if (!Hooks.PersistentLoad)
    return error("persistent id found but no persistent loader is set");
  Expected<PyValue *> value = Hooks.PersistentLoad(*pid);
  if (!value)
    return error(toString(value.takeError()));
  return push(*value);
}

/// Python 3 pickles bytes at protocol 2 as codecs.encode(text, 'latin1'),
/// with each byte as one code point; undo that (UTF-8 -> latin-1).
static std::optional<std::string> latin1FromUtf8(StringRef text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t c = text[i];
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if ((c != 0xc2 && c != 0xc3) || i + 1 >= text.size() ||
        (static_cast<uint8_t>(text[i + 1]) & 0xc0) != 0x80)
      return std::nullopt; // beyond U+00FF: not a latin-1 encoding
    out.push_back(static_cast<char>(
        ((c & 0x1f) << 6) | (static_cast<uint8_t>(text[i + 1]) & 0x3f)));
    ++i;
  }
  return out;
}

/// Builds the plain value for the few builtin constructors protocol 2
/// expresses through REDUCE; nullptr when the call is anything else.
static PyValue *reduceBuiltin(PyHeap &heap, const PyValue &callable,
                              const PyValue &args) {
  if (callable.getKind() != PyValue::Kind::Global || !args.isTuple())
    return nullptr;
  StringRef module = callable.getModule(), name = callable.getName();
  ArrayRef<const PyValue *> a = args.getItems();
  bool builtin = module == "builtins" || module == "__builtin__";
  if ((module == "collections" && name == "OrderedDict") ||
      (builtin && name == "dict"))
    return a.empty() ? heap.makeDict() : nullptr;
  if (builtin && (name == "set" || name == "frozenset")) {
    if (a.size() > 1 || (a.size() == 1 && !a[0]->isList()))
      return nullptr;
    PyValue *set = heap.makeSet();
    if (a.size() == 1)
      for (const PyValue *item : a[0]->getItems())
        PyHeap::append(*set, item);
    return set;
  }
  if (builtin && (name == "bytes" || name == "bytearray") && a.empty())
    return heap.makeBytes({});
  bool encode = (module == "_codecs" && name == "encode") ||
                (builtin && name == "bytearray");
  if (encode && a.size() == 2 && a[0]->isString() && a[1]->isString() &&
      (a[1]->getString() == "latin1" || a[1]->getString() == "latin-1"))
    if (std::optional<std::string> bytes = latin1FromUtf8(a[0]->getString()))
      return heap.makeBytes(arrayRefFromStringRef(*bytes));
  return nullptr;
}

Error Unpickler::reduce(PyValue *callable, PyValue *args) {
  if (Hooks.Reduce) {
    Expected<PyValue *> value = Hooks.Reduce(*callable, *args);
    if (!value)
      return error(toString(value.takeError()));
    if (*value)
      return push(*value);
  }
  if (PyValue *value = reduceBuiltin(Heap, *callable, *args))
    return push(value);
  return push(Heap.makeObject(callable, args));
}

Error Unpickler::step(uint8_t opcode) {
  std::vector<PyValue *> items;
  ArrayRef<uint8_t> bytes;
  switch (opcode) {
  case op::Proto: {
    uint8_t version;
    if (Error e = readLE(version))
      return e;
    if (version > kHighestProtocol)
      return error("unsupported pickle protocol " + Twine(unsigned(version)));
    return Error::success();
  }
  case op::Frame: {
    uint64_t size;
    if (Error e = readLE(size))
      return e;
    // Frames only group opcodes for buffered I/O; check and read through.
    if (size > remaining())
      return error("frame of " + Twine(size) + " bytes exceeds the " +
                   Twine(remaining()) + " bytes left");
    return Error::success();
  }
  case op::Stop: {
    Expected<PyValue *> v = pop();
    if (!v)
      return v.takeError();
    Result = *v;
    Stopped = true;
    return Error::success();
  }
  case op::Mark:
    Marks.push_back(Stack.size());
    return Error::success();
  case op::Pop:
    if (Stack.size() > floor()) {
      Stack.pop_back();
      return Error::success();
    }
    return popMark(items);
  case op::PopMark:
    return popMark(items);
  case op::Dup: {
    Expected<PyValue *> v = top();
    if (!v)
      return v.takeError();
    return push(*v);
  }

  // Scalars.
  case op::None:
    return push(Heap.makeNone());
  case op::NewTrue:
  case op::NewFalse:
    return push(Heap.makeBool(opcode == op::NewTrue));
  case op::BinInt:
  case op::BinInt1:
  case op::BinInt2: {
    int64_t v;
    if (Error e = opcode == op::BinInt    ? readLEAs<int32_t>(v)
                  : opcode == op::BinInt1 ? readLEAs<uint8_t>(v)
                                          : readLEAs<uint16_t>(v))
      return e;
    return push(Heap.makeInt(v));
  }
  case op::BinFloat: {
    if (Error e = read(8, bytes))
      return e;
    uint64_t bits = support::endian::read64be(bytes.data()); // big-endian
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    return push(Heap.makeFloat(d));
  }

  // Length-prefixed payloads. Python 2 str (BINSTRING) is read as text: old
  // checkpoints use it for dict keys.
  case op::Long1:
  case op::Long4:
    if (Error e = readPayload(opcode, bytes))
      return e;
    return push(Heap.makeLong(bytes));
  case op::ShortBinUnicode:
  case op::ShortBinString:
  case op::BinUnicode:
  case op::BinString:
  case op::BinUnicode8:
    if (Error e = readPayload(opcode, bytes))
      return e;
    return push(Heap.makeString(toStringRef(bytes)));
  case op::ShortBinBytes:
  case op::BinBytes:
  case op::BinBytes8:
  case op::ByteArray8:
    if (Error e = readPayload(opcode, bytes))
      return e;
    return push(Heap.makeBytes(bytes));

  // Containers.
  case op::EmptyDict:
    return push(Heap.makeDict());
  case op::EmptyList:
    return push(Heap.makeList());
  case op::EmptySet:
    return push(Heap.makeSet());
  case op::EmptyTuple:
    return push(Heap.makeTuple({}));
  case op::Tuple:
  case op::Tuple1:
  case op::Tuple2:
  case op::Tuple3:
    if (Error e = opcode == op::Tuple ? popMark(items)
                                      : popTop(opcode - op::Tuple1 + 1, items))
      return e;
    return push(
        Heap.makeTuple(ArrayRef<const PyValue *>(items.data(), items.size())));
  case op::List:
  case op::FrozenSet: {
    if (Error e = popMark(items))
      return e;
    PyValue *container = opcode == op::List ? Heap.makeList() : Heap.makeSet();
    for (PyValue *item : items)
      PyHeap::append(*container, item);
    return push(container);
  }
  case op::Dict: {
    if (Error e = popMark(items))
      return e;
    if (items.size() % 2)
      return error("DICT with an odd number of items");
    PyValue *dict = Heap.makeDict();
    for (size_t i = 0; i < items.size(); i += 2)
      PyHeap::setItem(*dict, items[i], items[i + 1]);
    return push(dict);
  }
  case op::Append:
  case op::Appends:
  case op::AddItems:
    if (Error e = opcode == op::Append ? popTop(1, items) : popMark(items))
      return e;
    return appendItems(items, /*toSet=*/opcode == op::AddItems);
  case op::SetItem:
  case op::SetItems:
    if (Error e = opcode == op::SetItem ? popTop(2, items) : popMark(items))
      return e;
    return setItems(items);

  // Memo: one-byte indices, four with the LONG_ opcodes.
  case op::BinPut:
  case op::LongBinPut:
  case op::BinGet:
  case op::LongBinGet: {
    uint64_t index;
    bool wide = opcode == op::LongBinPut || opcode == op::LongBinGet;
    if (Error e = wide ? readLEAs<uint32_t>(index) : readLEAs<uint8_t>(index))
      return e;
    bool put = opcode == op::BinPut || opcode == op::LongBinPut;
    return put ? memoPut(index) : memoGet(index);
  }
  case op::Memoize:
    return memoPut(Memo.size());

  // Objects. Nothing is imported or called.
  case op::Global: {
    StringRef module, name;
    if (Error e = readLine(module))
      return e;
    if (Error e = readLine(name))
      return e;
    return push(Heap.makeGlobal(module, name));
  }
  case op::StackGlobal: {
    if (Error e = popTop(2, items))
      return e;
    PyValue *module = items[0], *name = items[1];
    if (!name->isString() || !module->isString())
      return error("STACK_GLOBAL operands are not strings");
    return push(Heap.makeGlobal(module->getString(), name->getString()));
  }
  case op::Reduce:
    if (Error e = popTop(2, items))
      return e;
    return reduce(items[0], items[1]);
  case op::NewObj:
  case op::NewObjEx: {
    // NEWOBJ_EX also pops keyword arguments, kept beside the arguments.
    bool ex = opcode == op::NewObjEx;
    if (Error e = popTop(ex ? 3 : 2, items))
      return e;
    const PyValue *args = items[1];
    if (ex) {
      const PyValue *both[] = {items[1], items[2]};
      args = Heap.makeTuple(both);
    }
    return push(Heap.makeObject(items[0], args));
  }
  case op::Build: {
    Expected<PyValue *> state = pop();
    if (!state)
      return state.takeError();
    Expected<PyValue *> target = top();
    if (!target)
      return target.takeError();
    PyHeap::setState(**target, *state);
    return Error::success();
  }
  case op::BinPersId: {
    Expected<PyValue *> pid = pop();
    if (!pid)
      return pid.takeError();
    return persistentLoad(*pid);
  }
  case op::PersId: {
    StringRef text;
    if (Error e = readLine(text))
      return e;
    return persistentLoad(Heap.makeString(text));
  }

  case op::Ext1:
  case op::Ext2:
  case op::Ext4:
    return error("extension registry opcodes (EXT1/2/4) are not supported");
  case op::NextBuffer:
  case op::ReadonlyBuffer:
    return error("out-of-band buffers (protocol 5) are not supported");
  default:
    return error("unsupported pickle opcode 0x" +
                 utohexstr(opcode, /*LowerCase=*/true, /*Width=*/2));
  }
}

Expected<PyValue *> Unpickler::run() {
  while (!Stopped) {
    OpStart = Pos;
    if (Pos >= Data.size())
      return error("pickle ends without a STOP opcode");
    uint8_t opcode = Data[Pos++];
    if (Error e = step(opcode))
      return std::move(e);
  }
  if (Error e = verifyPyGraph(*Result))
    return std::move(e);
  return Result;
}

Expected<PyValue *> unpickle(PyHeap &heap, ArrayRef<uint8_t> data,
                             size_t &offset, const UnpickleHooks &hooks) {
  if (offset > data.size())
    return createStringError(inconvertibleErrorCode(),
                             "pickle offset beyond the end of the data");
  Unpickler unpickler(heap, data, offset, hooks);
  Expected<PyValue *> result = unpickler.run();
  if (result)
    offset = unpickler.getOffset();
  return result;
}

} // namespace tornado
