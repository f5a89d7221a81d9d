//===- PyValue.cpp - Python object graph read from a pickle ---------------===//

#include "tornado/Support/PyValue.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include <cassert>
#include <unordered_map>

using namespace llvm;

namespace tornado {

// Hash lookup for dicts that grew past a linear scan's comfort zone.
struct PyValue::DictIndex {
  StringMap<size_t> Strings;
  std::unordered_map<int64_t, size_t> Ints;
};

static constexpr size_t kIndexThreshold = 16;

PyValue::PyValue(Kind kind) : TheKind(kind) {}
PyValue::~PyValue() = default;

StringRef PyValue::getKindName(Kind kind) {
  switch (kind) {
  case Kind::None:
    return "None";
  case Kind::Bool:
    return "bool";
  case Kind::Int:
    return "int";
  case Kind::BigInt:
    return "bigint";
  case Kind::Float:
    return "float";
  case Kind::String:
    return "str";
  case Kind::Bytes:
    return "bytes";
  case Kind::List:
    return "list";
  case Kind::Tuple:
    return "tuple";
  case Kind::Set:
    return "set";
  case Kind::Dict:
    return "dict";
  case Kind::Global:
    return "global";
  case Kind::Object:
    return "object";
  case Kind::Tensor:
    return "tensor";
  case Kind::Storage:
    return "storage";
  }
  llvm_unreachable("unknown kind");
}

bool PyValue::getBool() const {
  assert(TheKind == Kind::Bool && "not a bool");
  return BoolValue;
}

int64_t PyValue::getInt() const {
  assert(TheKind == Kind::Int && "not an int");
  return IntValue;
}

double PyValue::getFloat() const {
  assert(TheKind == Kind::Float && "not a float");
  return FloatValue;
}

StringRef PyValue::getString() const {
  assert(TheKind == Kind::String && "not a string");
  return Text;
}

ArrayRef<uint8_t> PyValue::getBytes() const {
  assert((TheKind == Kind::Bytes || TheKind == Kind::BigInt) &&
         "not bytes or bigint");
  return arrayRefFromStringRef(Text);
}

std::optional<int64_t> PyValue::asInt() const {
  if (TheKind == Kind::Int)
    return IntValue;
  if (TheKind == Kind::Bool)
    return BoolValue ? 1 : 0;
  return std::nullopt;
}

std::optional<double> PyValue::asDouble() const {
  if (TheKind == Kind::Float)
    return FloatValue;
  if (std::optional<int64_t> i = asInt())
    return static_cast<double>(*i);
  return std::nullopt;
}

std::optional<StringRef> PyValue::asString() const {
  if (TheKind == Kind::String)
    return StringRef(Text);
  return std::nullopt;
}

const PyValue *PyValue::lookup(StringRef key) const {
  if (TheKind != Kind::Dict)
    return nullptr;
  if (Index) {
    auto it = Index->Strings.find(key);
    return it == Index->Strings.end() ? nullptr : Entries[it->second].Value;
  }
  for (const DictEntry &entry : Entries)
    if (entry.Key->TheKind == Kind::String && entry.Key->Text == key)
      return entry.Value;
  return nullptr;
}

const PyValue *PyValue::lookup(int64_t key) const {
  if (TheKind != Kind::Dict)
    return nullptr;
  if (Index) {
    auto it = Index->Ints.find(key);
    return it == Index->Ints.end() ? nullptr : Entries[it->second].Value;
  }
  for (const DictEntry &entry : Entries)
    if (std::optional<int64_t> k = entry.Key->asInt(); k && *k == key)
      return entry.Value;
  return nullptr;
}

StringRef PyValue::getModule() const {
  if (TheKind == Kind::Global)
    return Text;
  if (TheKind == Kind::Object && Callable && Callable->TheKind == Kind::Global)
    return Callable->Text;
  return {};
}

StringRef PyValue::getName() const {
  if (TheKind == Kind::Global)
    return Name;
  if (TheKind == Kind::Object && Callable && Callable->TheKind == Kind::Global)
    return Callable->Name;
  return {};
}

std::string PyValue::getQualifiedName() const {
  StringRef module = getModule(), name = getName();
  if (module.empty())
    return name.str();
  return (module + "." + name).str();
}

const HostTensor &PyValue::getTensor() const {
  assert((TheKind == Kind::Tensor || TheKind == Kind::Storage) && Tensor &&
         "not a materialized tensor");
  return *Tensor;
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

/// Python-style single-quoted literal, cut at \p limit characters.
static void printString(raw_ostream &os, StringRef text, size_t limit) {
  os << '\'';
  for (unsigned char c : text.take_front(limit)) {
    switch (c) {
    case '\\':
      os << "\\\\";
      break;
    case '\'':
      os << "\\'";
      break;
    case '\n':
      os << "\\n";
      break;
    case '\t':
      os << "\\t";
      break;
    case '\r':
      os << "\\r";
      break;
    default:
      if (isPrint(c))
        os << c;
      else
        os << "\\x" << format_hex_no_prefix(c, 2);
    }
  }
  if (text.size() > limit)
    os << "...";
  os << '\'';
}

static void printValue(raw_ostream &os, const PyValue &value, unsigned depth,
                       unsigned maxItems) {
  using Kind = PyValue::Kind;
  auto printChild = [&](const PyValue *child) {
    if (!child)
      os << "<null>";
    else if (depth == 0)
      os << "...";
    else
      printValue(os, *child, depth - 1, maxItems);
  };
  auto printSequence = [&](ArrayRef<const PyValue *> items, StringRef open,
                           StringRef close) {
    os << open;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        os << ", ";
      if (i == maxItems) {
        os << "... (" << items.size() << " items)";
        break;
      }
      printChild(items[i]);
    }
    if (items.size() == 1 && open == "(")
      os << ',';
    os << close;
  };
  auto printEntries = [&](ArrayRef<PyValue::DictEntry> entries) {
    os << '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i)
        os << ", ";
      if (i == maxItems) {
        os << "... (" << entries.size() << " entries)";
        break;
      }
      printChild(entries[i].Key);
      os << ": ";
      printChild(entries[i].Value);
    }
    os << '}';
  };

  switch (value.getKind()) {
  case Kind::None:
    os << "None";
    return;
  case Kind::Bool:
    os << (value.getBool() ? "True" : "False");
    return;
  case Kind::Int:
    os << value.getInt();
    return;
  case Kind::BigInt: {
    // Print the two's-complement bytes, most significant first.
    os << "bigint(0x";
    ArrayRef<uint8_t> bytes = value.getBytes();
    for (size_t i = bytes.size(); i-- > 0;)
      os << format_hex_no_prefix(bytes[i], 2);
    os << ')';
    return;
  }
  case Kind::Float:
    os << format("%.17g", value.getFloat());
    return;
  case Kind::String:
    printString(os, value.getString(), 80);
    return;
  case Kind::Bytes:
    os << 'b';
    printString(os, toStringRef(value.getBytes()), 32);
    return;
  case Kind::List:
    printSequence(value.getItems(), "[", "]");
    return;
  case Kind::Tuple:
    printSequence(value.getItems(), "(", ")");
    return;
  case Kind::Set:
    printSequence(value.getItems(), "set([", "])");
    return;
  case Kind::Dict:
    printEntries(value.getEntries());
    return;
  case Kind::Global:
    os << "<global " << value.getQualifiedName() << '>';
    return;
  case Kind::Object: {
    os << "<object ";
    std::string name = value.getQualifiedName();
    os << (name.empty() ? "?" : name);
    if (value.getArgs()) {
      os << ' ';
      printChild(value.getArgs());
    }
    if (!value.getItems().empty()) {
      os << " items=";
      printSequence(value.getItems(), "[", "]");
    }
    if (!value.getEntries().empty()) {
      os << " entries=";
      printEntries(value.getEntries());
    }
    if (value.getState()) {
      os << " state=";
      printChild(value.getState());
    }
    os << '>';
    return;
  }
  case Kind::Tensor:
  case Kind::Storage: {
    os << PyValue::getKindName(value.getKind()) << '<';
    const HostTensor &tensor = value.getTensor();
    os << getDTypeName(tensor.getDType()) << " [";
    interleave(tensor.getShape(), os, ", ");
    os << "]>";
    return;
  }
  }
}

void PyValue::print(raw_ostream &os, unsigned maxDepth,
                    unsigned maxItems) const {
  printValue(os, *this, maxDepth, maxItems);
}

raw_ostream &operator<<(raw_ostream &os, const PyValue &value) {
  value.print(os);
  return os;
}

//===----------------------------------------------------------------------===//
// PyHeap
//===----------------------------------------------------------------------===//

PyValue *PyHeap::make(PyValue::Kind kind) {
  ++Count;
  return new (Allocator.Allocate()) PyValue(kind);
}

PyValue *PyHeap::makeNone() { return make(PyValue::Kind::None); }

PyValue *PyHeap::makeBool(bool value) {
  PyValue *v = make(PyValue::Kind::Bool);
  v->BoolValue = value;
  return v;
}

PyValue *PyHeap::makeInt(int64_t value) {
  PyValue *v = make(PyValue::Kind::Int);
  v->IntValue = value;
  return v;
}

PyValue *PyHeap::makeLong(ArrayRef<uint8_t> bytes) {
  // Drop redundant sign-extension bytes to see whether 8 bytes suffice.
  size_t n = bytes.size();
  while (n > 1 && ((bytes[n - 1] == 0x00 && !(bytes[n - 2] & 0x80)) ||
                   (bytes[n - 1] == 0xff && (bytes[n - 2] & 0x80))))
    --n;
  if (n <= 8) {
    uint64_t value = 0;
    for (size_t i = 0; i < n; ++i)
      value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    if (n > 0 && n < 8 && (bytes[n - 1] & 0x80))
      value |= ~uint64_t(0) << (8 * n); // sign-extend
    return makeInt(static_cast<int64_t>(value));
  }
  PyValue *v = make(PyValue::Kind::BigInt);
  v->Text.assign(reinterpret_cast<const char *>(bytes.data()), n);
  return v;
}

PyValue *PyHeap::makeFloat(double value) {
  PyValue *v = make(PyValue::Kind::Float);
  v->FloatValue = value;
  return v;
}

PyValue *PyHeap::makeString(StringRef value) {
  PyValue *v = make(PyValue::Kind::String);
  v->Text = value.str();
  return v;
}

PyValue *PyHeap::makeBytes(ArrayRef<uint8_t> value) {
  PyValue *v = make(PyValue::Kind::Bytes);
  v->Text = toStringRef(value).str();
  return v;
}

PyValue *PyHeap::makeList() { return make(PyValue::Kind::List); }

PyValue *PyHeap::makeTuple(ArrayRef<const PyValue *> items) {
  PyValue *v = make(PyValue::Kind::Tuple);
  v->Items.assign(items.begin(), items.end());
  return v;
}

PyValue *PyHeap::makeSet() { return make(PyValue::Kind::Set); }

PyValue *PyHeap::makeDict() { return make(PyValue::Kind::Dict); }

PyValue *PyHeap::makeGlobal(StringRef module, StringRef name) {
  PyValue *v = make(PyValue::Kind::Global);
  v->Text = module.str();
  v->Name = name.str();
  return v;
}

PyValue *PyHeap::makeObject(const PyValue *callable, const PyValue *args) {
  PyValue *v = make(PyValue::Kind::Object);
  v->Callable = callable;
  v->Args = args;
  return v;
}

PyValue *PyHeap::makeTensor(PyValue::Kind kind) {
  assert((kind == PyValue::Kind::Tensor || kind == PyValue::Kind::Storage) &&
         "not a tensor kind");
  return make(kind);
}

void PyHeap::append(PyValue &container, const PyValue *item) {
  container.Items.push_back(item);
}

// Keys Python would consider equal by value and that we can index.
enum class KeyClass { String, Int, Other };

static KeyClass classifyKey(const PyValue &key, int64_t &intKey) {
  if (key.getKind() == PyValue::Kind::String)
    return KeyClass::String;
  if (std::optional<int64_t> i = key.asInt()) {
    intKey = *i;
    return KeyClass::Int;
  }
  return KeyClass::Other;
}

void PyHeap::setItem(PyValue &container, const PyValue *key,
                     const PyValue *value) {
  auto &entries = container.Entries;
  int64_t intKey = 0;
  KeyClass keyClass = classifyKey(*key, intKey);

  if (keyClass != KeyClass::Other) {
    if (container.Index) {
      auto &index = *container.Index;
      if (keyClass == KeyClass::String) {
        auto [it, inserted] =
            index.Strings.try_emplace(key->getString(), entries.size());
        if (!inserted) {
          entries[it->second].Value = value;
          return;
        }
      } else {
        auto [it, inserted] = index.Ints.try_emplace(intKey, entries.size());
        if (!inserted) {
          entries[it->second].Value = value;
          return;
        }
      }
    } else {
      for (PyValue::DictEntry &entry : entries) {
        int64_t otherInt = 0;
        KeyClass otherClass = classifyKey(*entry.Key, otherInt);
        if (otherClass != keyClass)
          continue;
        if (keyClass == KeyClass::String
                ? entry.Key->getString() == key->getString()
                : otherInt == intKey) {
          entry.Value = value;
          return;
        }
      }
    }
  }
  entries.push_back({key, value});

  if (!container.Index && entries.size() > kIndexThreshold) {
    // Build the index once; later insertions keep it current.
    container.Index = std::make_unique<PyValue::DictIndex>();
    for (size_t i = 0; i < entries.size(); ++i) {
      int64_t k = 0;
      switch (classifyKey(*entries[i].Key, k)) {
      case KeyClass::String:
        container.Index->Strings.try_emplace(entries[i].Key->getString(), i);
        break;
      case KeyClass::Int:
        container.Index->Ints.try_emplace(k, i);
        break;
      case KeyClass::Other:
        break;
      }
    }
  }
}

void PyHeap::setState(PyValue &value, const PyValue *state) {
  value.State = state;
}

void PyHeap::setTensor(PyValue &value, HostTensor tensor) {
  assert((value.TheKind == PyValue::Kind::Tensor ||
          value.TheKind == PyValue::Kind::Storage) &&
         "not a tensor kind");
  value.Tensor = std::make_unique<HostTensor>(std::move(tensor));
}

//===----------------------------------------------------------------------===//
// Graph verification
//===----------------------------------------------------------------------===//

namespace {
/// Enumerates the outgoing edges of a node by position.
struct ChildCursor {
  const PyValue *Node;
  size_t Next = 0;

  const PyValue *next() {
    ArrayRef<const PyValue *> items = Node->getItems();
    ArrayRef<PyValue::DictEntry> entries = Node->getEntries();
    while (true) {
      size_t i = Next++;
      if (i < items.size())
        return items[i];
      i -= items.size();
      if (i < 2 * entries.size())
        return i % 2 ? entries[i / 2].Value : entries[i / 2].Key;
      i -= 2 * entries.size();
      const PyValue *extra[] = {Node->getCallable(), Node->getArgs(),
                                Node->getState()};
      if (i >= 3)
        return nullptr;
      if (extra[i])
        return extra[i];
    }
  }
};
} // namespace

Error verifyPyGraph(const PyValue &root, unsigned maxDepth) {
  // Iterative DFS: input nesting must not be able to exhaust our stack.
  DenseMap<const PyValue *, unsigned> height; // finished nodes
  DenseSet<const PyValue *> onPath;
  struct Frame {
    ChildCursor Cursor;
    unsigned Height;
  };
  std::vector<Frame> stack;
  stack.push_back({ChildCursor{&root}, 0});
  onPath.insert(&root);

  while (!stack.empty()) {
    Frame &top = stack.back();
    const PyValue *child = top.Cursor.next();
    if (!child) {
      unsigned h = top.Height;
      const PyValue *node = top.Cursor.Node;
      height[node] = h;
      onPath.erase(node);
      stack.pop_back();
      if (!stack.empty())
        stack.back().Height = std::max(stack.back().Height, h + 1);
      continue;
    }
    if (onPath.count(child))
      return createStringError(
          inconvertibleErrorCode(),
          "pickle contains a reference cycle (through a "
          "%s value)",
          PyValue::getKindName(child->getKind()).str().c_str());
    auto it = height.find(child);
    if (it != height.end()) {
      if (stack.size() + it->second >= maxDepth)
        return createStringError(inconvertibleErrorCode(),
                                 "pickle nesting deeper than %u levels",
                                 maxDepth);
      top.Height = std::max(top.Height, it->second + 1);
      continue;
    }
    if (stack.size() >= maxDepth)
      return createStringError(inconvertibleErrorCode(),
                               "pickle nesting deeper than %u levels",
                               maxDepth);
    onPath.insert(child);
    stack.push_back({ChildCursor{child}, 0});
  }
  return Error::success();
}

} // namespace tornado
