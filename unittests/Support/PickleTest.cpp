//===- PickleTest.cpp - Tests for the unpickler on hand-built pickles -----===//
//
// These pickles are assembled opcode by opcode so the tests do not depend
// on Python; the fixture-based checkpoint tests cover what torch writes.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Pickle.h"

#include "Fixtures.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "gtest/gtest.h"
#include <cstring>

using namespace tornado;
using namespace tornado::testing;
using namespace llvm;

namespace {

/// Builds pickle bytes opcode by opcode.
class P {
public:
  P() { op(0x80).u8(2); } // PROTO 2
  P &op(uint8_t c) { return u8(c); }
  P &u8(uint8_t v) {
    S.push_back(static_cast<char>(v));
    return *this;
  }
  P &u16(uint16_t v) { return le(v); }
  P &u32(uint32_t v) { return le(v); }
  P &u64(uint64_t v) { return le(v); }
  P &raw(StringRef r) {
    S += r.str();
    return *this;
  }
  /// SHORT_BINUNICODE
  P &str(StringRef r) { return op(0x8c).u8(r.size()).raw(r); }
  /// BININT1
  P &int1(uint8_t v) { return op('K').u8(v); }
  P &mark() { return op('('); }
  P &stop() { return op('.'); }
  P &global(StringRef module, StringRef name) {
    return op('c').raw(module).raw("\n").raw(name).raw("\n");
  }
  ArrayRef<uint8_t> bytes() const { return arrayRefFromStringRef(S); }

private:
  template <typename T> P &le(T v) {
    char buf[sizeof(T)];
    support::endian::write<T, llvm::endianness::little>(buf, v);
    S.append(buf, sizeof(T));
    return *this;
  }
  std::string S;
};

Expected<PyValue *> load(PyHeap &heap, const P &p,
                         const UnpickleHooks &hooks = {}) {
  size_t offset = 0;
  return unpickle(heap, p.bytes(), offset, hooks);
}

std::string failure(const P &p) {
  PyHeap heap;
  return errorOf(load(heap, p));
}

TEST(PickleTest, Scalars) {
  PyHeap heap;
  P p;
  p.mark().op('N').op(0x88).op(0x89).int1(255);
  p.op('M').u16(65535).op('J').u32(static_cast<uint32_t>(-5));
  // LONG1: 2^63-1 (8 bytes), 2^64 (9 bytes), -1 (1 byte), 0 (0 bytes).
  p.op(0x8a).u8(8).u64(0x7fffffffffffffffULL);
  p.op(0x8a).u8(9).u64(0).u8(1);
  p.op(0x8a).u8(1).u8(0xff);
  p.op(0x8a).u8(0);
  // LONG4 with a redundant sign byte: -2 as ff..fe in 3 bytes.
  p.op(0x8b).u32(3).u8(0xfe).u8(0xff).u8(0xff);
  uint64_t bits;
  double d = 2.5;
  std::memcpy(&bits, &d, sizeof(d));
  p.op('G');
  for (int i = 7; i >= 0; --i) // BINFLOAT is big-endian
    p.u8(static_cast<uint8_t>(bits >> (8 * i)));
  p.op('t').stop();

  TORNADO_ASSERT_OK(v, load(heap, p));
  ASSERT_TRUE(v->isTuple());
  ArrayRef<const PyValue *> items = v->getItems();
  ASSERT_EQ(items.size(), 12u);
  EXPECT_TRUE(items[0]->isNone());
  EXPECT_TRUE(items[1]->getBool());
  EXPECT_FALSE(items[2]->getBool());
  EXPECT_EQ(items[3]->getInt(), 255);
  EXPECT_EQ(items[4]->getInt(), 65535);
  EXPECT_EQ(items[5]->getInt(), -5);
  EXPECT_EQ(items[6]->getInt(), INT64_MAX);
  ASSERT_EQ(items[7]->getKind(), PyValue::Kind::BigInt);
  EXPECT_EQ(items[7]->getBytes(),
            ArrayRef<uint8_t>({0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(items[8]->getInt(), -1);
  EXPECT_EQ(items[9]->getInt(), 0);
  EXPECT_EQ(items[10]->getInt(), -2);
  EXPECT_EQ(items[11]->getFloat(), 2.5);
  EXPECT_EQ(items[1]->asInt(), 1);
  EXPECT_EQ(items[11]->asDouble(), 2.5);
  EXPECT_EQ(items[11]->asInt(), std::nullopt);
}

TEST(PickleTest, StringsAndBytes) {
  PyHeap heap;
  P p;
  p.mark().str("short");
  p.op('X').u32(4).raw("uni4");
  p.op(0x8d).u64(4).raw("uni8");
  p.op('U').u8(3).raw("py2");
  p.op('T').u32(4).raw("py2L");
  p.op('C').u8(2).raw(StringRef("\0\1", 2));
  p.op('B').u32(1).raw("b");
  p.op(0x8e).u64(2).raw("b8");
  p.op(0x96).u64(1).raw("y");
  p.op('t').stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  ArrayRef<const PyValue *> items = v->getItems();
  ASSERT_EQ(items.size(), 9u);
  EXPECT_EQ(items[0]->getString(), "short");
  EXPECT_EQ(items[1]->getString(), "uni4");
  EXPECT_EQ(items[2]->getString(), "uni8");
  EXPECT_EQ(items[3]->getString(), "py2");
  EXPECT_EQ(items[4]->getString(), "py2L");
  EXPECT_EQ(items[5]->getBytes(), ArrayRef<uint8_t>({0, 1}));
  EXPECT_EQ(toStringRef(items[6]->getBytes()), "b");
  EXPECT_EQ(toStringRef(items[7]->getBytes()), "b8");
  EXPECT_EQ(toStringRef(items[8]->getBytes()), "y");
  EXPECT_EQ(items[0]->asString(), StringRef("short"));
}

TEST(PickleTest, Containers) {
  PyHeap heap;
  P p;
  p.op('}');                                // dict
  p.str("list").op(']').int1(1).op('a');    // [1]
  p.mark().int1(2).int1(3).op('e');         // [1, 2, 3]
  p.op('s');                                // d["list"] = ...
  p.mark().str("tuple1").int1(4).op(0x85);  // (4,)
  p.str("tuple2").int1(5).int1(6).op(0x86); // (5, 6)
  p.str("tuple3").int1(7).int1(8).int1(9).op(0x87);
  p.str("empty").op(')');
  p.str("marklist").mark().int1(1).int1(2).op('l');
  p.str("markdict").mark().str("k").int1(3).op('d');
  p.str("set").op(0x8f).mark().int1(1).int1(2).op(0x90);
  p.str("frozen").mark().int1(3).op(0x91);
  p.op('u').stop();

  TORNADO_ASSERT_OK(d, load(heap, p));
  ASSERT_TRUE(d->isDict());
  const PyValue *list = d->lookup("list");
  ASSERT_TRUE(list && list->isList());
  ASSERT_EQ(list->getItems().size(), 3u);
  EXPECT_EQ(list->getItems()[2]->getInt(), 3);
  EXPECT_EQ(d->lookup("tuple1")->getItems().size(), 1u);
  EXPECT_EQ(d->lookup("tuple2")->getItems()[1]->getInt(), 6);
  EXPECT_EQ(d->lookup("tuple3")->getItems()[2]->getInt(), 9);
  EXPECT_TRUE(d->lookup("empty")->isTuple());
  EXPECT_TRUE(d->lookup("empty")->getItems().empty());
  EXPECT_EQ(d->lookup("marklist")->getItems().size(), 2u);
  EXPECT_EQ(d->lookup("markdict")->lookup("k")->getInt(), 3);
  EXPECT_EQ(d->lookup("set")->getKind(), PyValue::Kind::Set);
  EXPECT_EQ(d->lookup("set")->getItems().size(), 2u);
  EXPECT_EQ(d->lookup("frozen")->getKind(), PyValue::Kind::Set);
  EXPECT_EQ(d->lookup("missing"), nullptr);
  // Insertion order is kept.
  ArrayRef<PyValue::DictEntry> entries = d->getEntries();
  ASSERT_EQ(entries.size(), 9u);
  EXPECT_EQ(entries[0].Key->getString(), "list");
  EXPECT_EQ(entries[8].Key->getString(), "frozen");
}

TEST(PickleTest, DuplicateKeysReplaceLikePython) {
  PyHeap heap;
  P p;
  p.op('}').mark();
  p.str("a").int1(1).int1(1).str("x").str("b").int1(2);
  p.str("a").int1(3);            // replaces "a"
  p.op(0x88).str("true-is-one"); // True == 1 as a dict key
  p.op('u').stop();
  TORNADO_ASSERT_OK(d, load(heap, p));
  ASSERT_EQ(d->getEntries().size(), 3u);
  EXPECT_EQ(d->lookup("a")->getInt(), 3);
  EXPECT_EQ(d->lookup(1)->getString(), "true-is-one");
  EXPECT_TRUE(d->getEntries()[1].Key->isInt()); // the first key is kept
  EXPECT_EQ(d->lookup("b")->getInt(), 2);
}

TEST(PickleTest, LargeDictUsesIndexConsistently) {
  PyHeap heap;
  P p;
  p.op('}').mark();
  for (int i = 0; i < 40; ++i)
    p.str("k" + std::to_string(i)).int1(i);
  for (int i = 0; i < 40; ++i)
    p.op('J').u32(1000 + i).int1(i); // int keys
  p.op('u').mark();
  p.str("k5").int1(200); // replacement after the index exists
  p.op('J').u32(1010).str("ten");
  p.str("new").int1(201);
  p.op('u').stop();
  TORNADO_ASSERT_OK(d, load(heap, p));
  EXPECT_EQ(d->getEntries().size(), 81u);
  EXPECT_EQ(d->lookup("k5")->getInt(), 200);
  EXPECT_EQ(d->lookup("k39")->getInt(), 39);
  EXPECT_EQ(d->lookup(1010)->getString(), "ten");
  EXPECT_EQ(d->lookup(1039)->getInt(), 39);
  EXPECT_EQ(d->lookup("new")->getInt(), 201);
  EXPECT_EQ(d->getEntries()[5].Value->getInt(), 200); // position kept
  EXPECT_EQ(d->lookup(5000), nullptr);
}

TEST(PickleTest, MemoSharesIdentity) {
  PyHeap heap;
  P p;
  p.op(']').op('q').u8(0);      // list, memo 0
  p.op('}').op('r').u32(70000); // dict, memo 70000
  p.op(0x94);                   // MEMOIZE the dict again (index 2)
  p.str("k").int1(1).op('s');   // mutate after memoizing
  p.op('a');                    // list.append(dict)
  p.op('h').u8(0).op('j').u32(70000).op(0x86); // (list, dict)
  p.op('h').u8(0).op(0x86);                    // ((list, dict), list)
  p.stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  const PyValue *inner = v->getItems()[0];
  const PyValue *list = inner->getItems()[0];
  const PyValue *dict = inner->getItems()[1];
  EXPECT_EQ(v->getItems()[1], list);
  ASSERT_EQ(list->getItems().size(), 1u);
  EXPECT_EQ(list->getItems()[0], dict);
  EXPECT_EQ(dict->lookup("k")->getInt(), 1);
}

TEST(PickleTest, StackOpcodes) {
  PyHeap heap;
  P p;
  p.int1(1).int1(2).op('0');        // POP -> [1]
  p.mark().int1(9).int1(9).op('1'); // POP_MARK
  p.op('2').op(0x86).stop();        // DUP -> (1, 1)
  TORNADO_ASSERT_OK(v, load(heap, p));
  ASSERT_EQ(v->getItems().size(), 2u);
  EXPECT_EQ(v->getItems()[0], v->getItems()[1]);
}

TEST(PickleTest, FramesAreTransparent) {
  PyHeap heap;
  P p;
  p.op(0x95).u64(3).int1(5).stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  EXPECT_EQ(v->getInt(), 5);
  P big;
  big.op(0x95).u64(1000).int1(5).stop();
  EXPECT_NE(failure(big).find("frame of 1000 bytes"), std::string::npos);
}

TEST(PickleTest, GlobalsBecomeDictsOrOpaqueObjects) {
  PyHeap heap;
  P p;
  p.mark();
  p.global("collections", "OrderedDict").op(')').op('R');
  p.str("k").int1(1).op('s');
  p.mark().str("builtins").str("dict").op(0x93).op(')').op('R').op('t');
  p.global("torch.optim.sgd", "SGD");
  p.global("numpy.core.multiarray", "scalar")
      .str("dtype")
      .str("bytes")
      .op(0x86)
      .op('R');
  p.global("__main__", "Custom").op(')').op(0x81); // NEWOBJ
  p.op('}').str("name").str("c").op('s').op('b');  // BUILD state
  p.global("collections", "defaultdict")
      .global("builtins", "list")
      .op(0x85)
      .op('R');
  p.str("key").int1(3).op('s'); // items set on an opaque object
  p.op(']').op('b');            // BUILD on it with a list state
  p.global("__main__", "Seq").op(')').op(0x81).int1(4).op('a');
  p.global("m", "K").op(')').op('}').op(0x92); // NEWOBJ_EX
  p.op('t').stop();

  TORNADO_ASSERT_OK(v, load(heap, p));
  ArrayRef<const PyValue *> items = v->getItems();
  ASSERT_EQ(items.size(), 8u);
  ASSERT_TRUE(items[0]->isDict());
  EXPECT_EQ(items[0]->lookup("k")->getInt(), 1);
  EXPECT_TRUE(items[1]->isTuple());
  EXPECT_TRUE(items[1]->getItems()[0]->isDict());

  EXPECT_EQ(items[2]->getKind(), PyValue::Kind::Global);
  EXPECT_EQ(items[2]->getModule(), "torch.optim.sgd");
  EXPECT_EQ(items[2]->getQualifiedName(), "torch.optim.sgd.SGD");

  ASSERT_TRUE(items[3]->isObject());
  EXPECT_EQ(items[3]->getQualifiedName(), "numpy.core.multiarray.scalar");
  EXPECT_EQ(items[3]->getArgs()->getItems()[1]->getString(), "bytes");

  ASSERT_TRUE(items[4]->isObject());
  EXPECT_EQ(items[4]->getName(), "Custom");
  ASSERT_NE(items[4]->getState(), nullptr);
  EXPECT_EQ(items[4]->getState()->lookup("name")->getString(), "c");

  ASSERT_TRUE(items[5]->isObject());
  EXPECT_EQ(items[5]->getQualifiedName(), "collections.defaultdict");
  ASSERT_EQ(items[5]->getEntries().size(), 1u);
  EXPECT_EQ(items[5]->getEntries()[0].Value->getInt(), 3);
  EXPECT_TRUE(items[5]->getState()->isList());

  EXPECT_EQ(items[6]->getItems().size(), 1u);
  EXPECT_EQ(items[7]->getName(), "K");
  EXPECT_EQ(items[7]->getArgs()->getItems().size(), 2u);
}

TEST(PickleTest, BuildOnDictKeepsAttributes) {
  // torch state dicts carry a _metadata attribute set through BUILD.
  PyHeap heap;
  P p;
  p.global("collections", "OrderedDict").op(')').op('R');
  p.str("w").int1(1).op('s');
  p.op('}').str("_metadata").op('}').op('s').op('b').stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  ASSERT_TRUE(v->isDict());
  EXPECT_EQ(v->getEntries().size(), 1u);
  ASSERT_NE(v->getState(), nullptr);
  EXPECT_NE(v->getState()->lookup("_metadata"), nullptr);
}

TEST(PickleTest, HooksSeePersistentIdsAndReduce) {
  PyHeap heap;
  P q;
  q.mark().mark().str("storage").str("key").op('t').op('Q'); // BINPERSID
  q.global("my", "fn").int1(3).op(0x85).op('R');
  q.global("other", "fn").op(')').op('R');
  q.op('P').raw("textpid\n").op('t').stop(); // PERSID

  int persistentCalls = 0;
  auto persistent = [&](const PyValue &pid) -> Expected<PyValue *> {
    ++persistentCalls;
    if (pid.isString())
      return heap.makeString(("pid:" + pid.getString()).str());
    return heap.makeInt(pid.getItems().size());
  };
  auto reduce = [&](const PyValue &callable,
                    const PyValue &args) -> Expected<PyValue *> {
    if (callable.getModule() == "my")
      return heap.makeInt(args.getItems()[0]->getInt() * 10);
    return nullptr;
  };
  UnpickleHooks hooks;
  hooks.PersistentLoad = persistent;
  hooks.Reduce = reduce;
  TORNADO_ASSERT_OK(v, load(heap, q, hooks));
  ArrayRef<const PyValue *> items = v->getItems();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0]->getInt(), 2);
  EXPECT_EQ(items[1]->getInt(), 30);
  EXPECT_TRUE(items[2]->isObject());
  EXPECT_EQ(items[3]->getString(), "pid:textpid");
  EXPECT_EQ(persistentCalls, 2);

  // Hook errors surface with the pickle offset.
  auto failing = [&](const PyValue &) -> Expected<PyValue *> {
    return createStringError(inconvertibleErrorCode(), "nope");
  };
  UnpickleHooks bad;
  bad.PersistentLoad = failing;
  PyHeap heap2;
  std::string message = errorOf(load(heap2, q, bad));
  EXPECT_NE(message.find("nope"), std::string::npos) << message;
  EXPECT_NE(message.find("pickle offset"), std::string::npos) << message;
  // Without a loader persistent ids are an error.
  EXPECT_NE(failure(q).find("no persistent loader"), std::string::npos);
}

TEST(PickleTest, ConsecutivePickles) {
  PyHeap heap;
  P p;
  p.int1(1).stop().op(0x80).u8(2).int1(2).stop();
  size_t offset = 0;
  TORNADO_ASSERT_OK(a, unpickle(heap, p.bytes(), offset));
  EXPECT_EQ(a->getInt(), 1);
  EXPECT_EQ(offset, 5u);
  TORNADO_ASSERT_OK(b, unpickle(heap, p.bytes(), offset));
  EXPECT_EQ(b->getInt(), 2);
  EXPECT_EQ(offset, p.bytes().size());
  EXPECT_NE(errorOf(unpickle(heap, p.bytes(), offset)).find("without a STOP"),
            std::string::npos);
}

TEST(PickleTest, SharedValuesAreNotCycles) {
  PyHeap heap;
  P p;
  p.op(']').op('q').u8(0).op('h').u8(0).op('h').u8(0).op(0x87).stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  EXPECT_EQ(v->getItems()[0], v->getItems()[2]);
}

TEST(PickleTest, MalformedInputFailsCleanly) {
  struct Case {
    P Pickle;
    const char *Message;
  };
  std::vector<Case> cases;
  auto add = [&](P p, const char *message) {
    cases.push_back({std::move(p), message});
  };
  add(P().op('a').stop(), "stack underflow");
  add(P().op(']').mark().op('N').op('a').stop(), "stack underflow");
  add(P().op(']').mark().mark().op('a'), "stack underflow");
  add(P().op('t'), "no MARK");
  add(P().int1(1), "without a STOP");
  add(P().op(0xff), "unsupported pickle opcode 0xff");
  add(P().op('I').raw("1\n").stop(), "unsupported pickle opcode 0x49");
  add(P().op(0x80).u8(6).stop(), "unsupported pickle protocol 6");
  add(P().op('h').u8(3).stop(), "memo entry 3");
  add(P().op('q').u8(0).stop(), "stack underflow");
  add(P().op('}').mark().int1(1).op('u').stop(), "odd number");
  add(P().mark().int1(1).op('d').stop(), "odd number");
  add(P().op(')').int1(1).op('a').stop(), "cannot append to a tuple");
  add(P().op(']').int1(1).int1(1).op('s').stop(), "cannot set items on");
  add(P().op(']').mark().op(0x90).stop(), "cannot add items to");
  add(P().op('X').u32(0xfffffff0).raw("ab"), "declared length");
  add(P().op(0x8e).u64(~0ULL).raw("ab"), "declared length");
  add(P().op('X').u8(1), "truncated");
  add(P().op('T').u32(0x80000000), "negative length");
  add(P().op(0x8b).u32(0x80000000), "negative length");
  add(P().op('c').raw("module"), "unterminated");
  add(P().int1(1).int1(2).op(0x93).stop(), "not strings");
  add(P().op(0x82).u8(1).stop(), "extension registry");
  add(P().op(0x97).stop(), "out-of-band");
  add(P().op(']').op('q').u8(0).op('h').u8(0).op('a').stop(),
      "reference cycle");
  add(P().op('}').op('q').u8(0).str("self").op('h').u8(0).op('s').stop(),
      "reference cycle");
  add(P().global("m", "C")
          .op(')')
          .op(0x81)
          .op('q')
          .u8(1)
          .op('h')
          .u8(1)
          .op('b')
          .stop(),
      "reference cycle");
  P deep;
  for (int i = 0; i < 300; ++i)
    deep.op(']');
  for (int i = 0; i < 299; ++i)
    deep.op('a');
  add(deep.stop(), "nesting deeper than 256");

  for (const Case &c : cases) {
    std::string message = failure(c.Pickle);
    EXPECT_NE(message.find(c.Message), std::string::npos)
        << "expected '" << c.Message << "', got '" << message << "'";
  }
}

TEST(PickleTest, DeepButBoundedNestingIsAccepted) {
  PyHeap heap;
  P p;
  for (int i = 0; i < 200; ++i)
    p.op(']');
  for (int i = 0; i < 199; ++i)
    p.op('a');
  p.stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  EXPECT_TRUE(v->isList());
}

TEST(PickleTest, PrintIsBounded) {
  PyHeap heap;
  P p;
  p.op('}').mark();
  p.str("a").mark();
  for (int i = 0; i < 20; ++i)
    p.int1(i);
  p.op('l');
  p.str("b").op('X').u32(3).raw("x'y");
  p.str("c").op(0x8a).u8(9).u64(0).u8(1);
  p.str("d").global("torch.optim.sgd", "SGD");
  p.str("e").mark().op('N').op(0x88).op('t');
  p.op('u').stop();
  TORNADO_ASSERT_OK(v, load(heap, p));
  std::string text;
  raw_string_ostream os(text);
  v->print(os, /*maxDepth=*/3, /*maxItems=*/5);
  os.flush();
  EXPECT_EQ(text, "{'a': [0, 1, 2, 3, 4, ... (20 items)], 'b': 'x\\'y', "
                  "'c': bigint(0x010000000000000000), "
                  "'d': <global torch.optim.sgd.SGD>, 'e': (None, True)}");
}

} // namespace
