//===- CheckpointTest.cpp - Tests for the PyTorch checkpoint reader -------===//
//
// The checkpoints are written by torch.save at test time (make_fixtures.py);
// expected.tsv holds the values torch itself reports for each tensor.
//
//===----------------------------------------------------------------------===//

#include "tornado/Support/Checkpoint.h"

#include "Fixtures.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

using namespace tornado;
using namespace tornado::testing;
using namespace llvm;

namespace {

std::string fixturePath(StringRef rel) {
  SmallString<256> path(*fixturesDir());
  sys::path::append(path, rel);
  return std::string(path);
}

#define REQUIRE_FIXTURE(rel)                                                   \
  do {                                                                         \
    if (!readFixture(rel))                                                     \
      GTEST_SKIP() << "fixture " << (rel)                                      \
                   << " not generated (needs python3-torch)";                  \
  } while (false)

TEST(CheckpointTest, TensorsMatchWhatTorchSaved) {
  if (!fixturesDir())
    GTEST_SKIP() << "fixtures not generated";
  StringMap<std::unique_ptr<Checkpoint>> loaded;
  unsigned checked = 0;
  for (const ExpectedTensor &e : loadExpectedTensors()) {
    if (!StringRef(e.File).starts_with("ckpt/"))
      continue;
    std::unique_ptr<Checkpoint> &ckpt = loaded[e.File];
    if (!ckpt) {
      TORNADO_ASSERT_OK(c, readCheckpoint(fixturePath(e.File)));
      ckpt = std::make_unique<Checkpoint>(std::move(c));
    }
    const PyValue *value = resolvePath(ckpt->getRoot(), e.Path);
    ASSERT_NE(value, nullptr) << e.File << ": " << e.Path;
    ASSERT_TRUE(value->isTensor()) << e.File << ": " << e.Path;
    EXPECT_TRUE(matches(value->getTensor(), e)) << e.File << ": " << e.Path;
    ++checked;
  }
  if (checked == 0)
    GTEST_SKIP() << "no checkpoint fixtures (python3-torch missing)";
  EXPECT_GE(checked, 100u);
  EXPECT_GE(loaded.size(), 14u);
}

TEST(CheckpointTest, CorruptFilesFailWithClearMessages) {
  if (!fixturesDir())
    GTEST_SKIP() << "fixtures not generated";
  unsigned checked = 0;
  for (const ExpectedFailure &f : loadExpectedFailures()) {
    if (!StringRef(f.File).starts_with("bad/"))
      continue;
    std::string message = errorOf(readCheckpoint(fixturePath(f.File)));
    EXPECT_NE(message.find(f.Message), std::string::npos)
        << f.File << ": expected '" << f.Message << "', got '" << message
        << "'";
    EXPECT_NE(message.find(f.File), std::string::npos) << message;
    ++checked;
  }
  if (checked == 0)
    GTEST_SKIP() << "no checkpoint fixtures (python3-torch missing)";
  EXPECT_GE(checked, 35u);
}

void checkFullCheckpoint(const Checkpoint &ckpt) {
  EXPECT_EQ(ckpt.getArch(), StringRef("ai85net5"));
  EXPECT_EQ(ckpt.getEpoch(), 42);

  // State dict: names in module order, _metadata kept as BUILD state.
  const PyValue *sd = ckpt.getStateDict();
  ASSERT_NE(sd, nullptr);
  ASSERT_NE(sd->getState(), nullptr);
  EXPECT_NE(sd->getState()->lookup("_metadata"), nullptr);
  std::vector<std::string> names;
  for (const NamedTensor &t : ckpt.getStateTensors())
    names.push_back(t.Name.str());
  EXPECT_EQ(names, (std::vector<std::string>{
                       "conv1.weight", "conv1.bias", "bn.weight", "bn.bias",
                       "bn.running_mean", "bn.running_var",
                       "bn.num_batches_tracked", "fc.weight", "fc.bias"}));
  const HostTensor *tracked = ckpt.getTensor("bn.num_batches_tracked");
  ASSERT_NE(tracked, nullptr);
  EXPECT_EQ(tracked->getDType(), DType::Int64);
  EXPECT_EQ(tracked->getRank(), 0u);
  TORNADO_ASSERT_OK(count, tracked->getInt64(0));
  EXPECT_EQ(count, 1);
  EXPECT_EQ(ckpt.getTensor("conv1.weight")->getShape(),
            ArrayRef<int64_t>({2, 1, 3, 3}));
  EXPECT_EQ(ckpt.getTensor("missing"), nullptr);

  // Optimizer: the class as a bare global, the object opaque but complete.
  const PyValue *type = ckpt.lookup("optimizer_type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->getKind(), PyValue::Kind::Global);
  EXPECT_EQ(type->getQualifiedName(), "torch.optim.sgd.SGD");
  const PyValue *opt = ckpt.lookup("optimizer");
  ASSERT_NE(opt, nullptr);
  EXPECT_TRUE(opt->isObject());
  EXPECT_EQ(opt->getQualifiedName(), "torch.optim.sgd.SGD");
  ASSERT_NE(opt->getState(), nullptr);
  const PyValue *groups = opt->getState()->lookup("param_groups");
  ASSERT_NE(groups, nullptr);
  ASSERT_EQ(groups->getItems().size(), 1u);
  const PyValue *params = groups->getItems()[0]->lookup("params");
  ASSERT_NE(params, nullptr);
  ASSERT_EQ(params->getItems().size(), 6u);
  EXPECT_TRUE(params->getItems()[0]->isTensor()); // a Parameter
  const PyValue *lr = groups->getItems()[0]->lookup("lr");
  ASSERT_NE(lr, nullptr);
  EXPECT_EQ(lr->asDouble(), 0.1);

  const PyValue *optState = ckpt.lookup("optimizer_state_dict");
  ASSERT_NE(optState, nullptr);
  const PyValue *state = optState->lookup("state");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->getEntries().size(), 6u);
  ASSERT_NE(state->lookup(int64_t(0)), nullptr);
  EXPECT_TRUE(state->lookup(int64_t(0))->lookup("momentum_buffer")->isTensor());
  const PyValue *sched = ckpt.lookup("scheduler_state_dict");
  ASSERT_NE(sched, nullptr);
  EXPECT_EQ(sched->lookup("step_size")->asInt(), 3);

  // Extras: numpy scalars and arrays stay opaque; plain values are decoded.
  const PyValue *extras = ckpt.getExtras();
  ASSERT_NE(extras, nullptr);
  EXPECT_EQ(extras->lookup("best_top1")->getQualifiedName(),
            "numpy.core.multiarray.scalar");
  EXPECT_TRUE(extras->lookup("np_int")->isObject());
  // ndarray pickles through multiarray._reconstruct, or (protocol 5)
  // numeric._frombuffer.
  EXPECT_TRUE(StringRef(extras->lookup("np_array")->getQualifiedName())
                  .starts_with("numpy.core."));
  EXPECT_EQ(extras->lookup("clipping_method")->getString(), "MAX_BIT_SHIFT");
  const PyValue *nested = extras->lookup("nested");
  ASSERT_NE(nested, nullptr);
  const PyValue *a = nested->lookup("a");
  ASSERT_TRUE(a->isList());
  ASSERT_EQ(a->getItems().size(), 3u);
  EXPECT_EQ(a->getItems()[2]->getItems()[1]->getString(), "x");
  EXPECT_TRUE(nested->lookup("b")->isNone());
  EXPECT_TRUE(nested->lookup("c")->getBool());
  EXPECT_EQ(nested->lookup("d")->getFloat(), 2.5);
  EXPECT_EQ(nested->lookup("e")->getBytes(), ArrayRef<uint8_t>({0, 1}));
  const PyValue *set = nested->lookup("f");
  // Protocol 2 pickles sets as builtins.set([...]); protocol 4 natively.
  if (set->getKind() == PyValue::Kind::Set)
    EXPECT_EQ(set->getItems().size(), 2u);
  else
    EXPECT_EQ(set->getName(), "set");
  const PyValue *big = nested->lookup("big");
  ASSERT_EQ(big->getKind(), PyValue::Kind::BigInt);
  EXPECT_EQ(big->getBytes(),
            ArrayRef<uint8_t>({0, 0, 0, 0, 0, 0, 0, 0, 0x40})); // 2^70
  EXPECT_EQ(nested->lookup("neg")->getInt(), -(int64_t(1) << 40));
  EXPECT_EQ(nested->lookup(int64_t(1))->getString(), "int key");
  const PyValue *deep = nested->lookup("deep");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(deep->isList());
    deep = deep->getItems()[0];
  }
  EXPECT_EQ(deep->getInt(), 1);

  const PyValue *custom = extras->lookup("custom");
  ASSERT_TRUE(custom->isObject());
  EXPECT_EQ(custom->getQualifiedName(), "__main__.Custom");
  ASSERT_NE(custom->getState(), nullptr);
  EXPECT_EQ(custom->getState()->lookup("count")->getInt(), 3);
  const PyValue *weights = custom->getState()->lookup("weights");
  ASSERT_TRUE(weights->isTensor());
  EXPECT_EQ(weights->getTensor().getDoubleValues(),
            (std::vector<double>{1.0, 2.0}));

  // Shared references stay shared.
  EXPECT_EQ(extras->lookup("shared_a"), extras->lookup("shared_b"));
  EXPECT_EQ(extras->lookup("alias"), sd->lookup("conv1.weight"));

  std::string text;
  raw_string_ostream os(text);
  os << ckpt.getRoot();
  os.flush();
  EXPECT_NE(text.find("'state_dict': {"), std::string::npos) << text;
  EXPECT_LT(text.size(), 20000u);
}

TEST(CheckpointTest, FullCheckpointZip) {
  REQUIRE_FIXTURE("ckpt/full_zip.pth.tar");
  TORNADO_ASSERT_OK(ckpt, readCheckpoint(fixturePath("ckpt/full_zip.pth.tar")));
  EXPECT_EQ(ckpt.getFormat(), CheckpointFormat::Zip);
  checkFullCheckpoint(ckpt);
}

TEST(CheckpointTest, FullCheckpointLegacy) {
  REQUIRE_FIXTURE("ckpt/full_legacy.pth.tar");
  TORNADO_ASSERT_OK(ckpt,
                    readCheckpoint(fixturePath("ckpt/full_legacy.pth.tar")));
  EXPECT_EQ(ckpt.getFormat(), CheckpointFormat::Legacy);
  checkFullCheckpoint(ckpt);
}

TEST(CheckpointTest, FullCheckpointProtocols4And5) {
  REQUIRE_FIXTURE("ckpt/full_proto4.pth.tar");
  for (const char *name :
       {"ckpt/full_proto4.pth.tar", "ckpt/full_proto5.pth.tar"}) {
    TORNADO_ASSERT_OK(ckpt, readCheckpoint(fixturePath(name)));
    checkFullCheckpoint(ckpt);
  }
}

TEST(CheckpointTest, BareStateDict) {
  REQUIRE_FIXTURE("ckpt/bare_zip.pth.tar");
  TORNADO_ASSERT_OK(ckpt, readCheckpoint(fixturePath("ckpt/bare_zip.pth.tar")));
  EXPECT_EQ(ckpt.getStateDict(), &ckpt.getRoot());
  EXPECT_EQ(ckpt.getStateTensors().size(), 9u);
  EXPECT_EQ(ckpt.getArch(), std::nullopt);
  EXPECT_EQ(ckpt.getEpoch(), std::nullopt);
  EXPECT_EQ(ckpt.getExtras(), nullptr);
}

TEST(CheckpointTest, ViewsAreMaterializedContiguously) {
  REQUIRE_FIXTURE("ckpt/views_zip.pth.tar");
  for (const char *name :
       {"ckpt/views_zip.pth.tar", "ckpt/views_legacy.pth.tar"}) {
    TORNADO_ASSERT_OK(ckpt, readCheckpoint(fixturePath(name)));
    // base = arange(24).reshape(4, 6); sliced = base[1:3, 2:5].
    const HostTensor *sliced = ckpt.getTensor("sliced");
    ASSERT_NE(sliced, nullptr);
    EXPECT_EQ(sliced->getShape(), ArrayRef<int64_t>({2, 3}));
    EXPECT_EQ(sliced->getDoubleValues(),
              (std::vector<double>{8, 9, 10, 14, 15, 16}));
    const HostTensor *transposed = ckpt.getTensor("transposed");
    ASSERT_NE(transposed, nullptr);
    EXPECT_EQ(transposed->getShape(), ArrayRef<int64_t>({6, 4}));
    EXPECT_EQ(transposed->getDouble(1), 6.0);
    const HostTensor *expanded = ckpt.getTensor("expanded");
    ASSERT_NE(expanded, nullptr);
    TORNADO_ASSERT_OK(ints, expanded->getInt64Values());
    EXPECT_EQ(ints, (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}));
  }
}

TEST(CheckpointTest, ChecksumVerificationCanBeDisabled) {
  REQUIRE_FIXTURE("bad/crc_mismatch.pth.tar");
  std::string path = fixturePath("bad/crc_mismatch.pth.tar");
  EXPECT_NE(errorOf(readCheckpoint(path)).find("CRC-32"), std::string::npos);
  CheckpointOptions options;
  options.VerifyChecksums = false;
  TORNADO_ASSERT_OK(ckpt, readCheckpoint(path, options));
  EXPECT_EQ(
      ckpt.lookup("state_dict")->lookup("w")->getTensor().getNumElements(), 6);
}

TEST(CheckpointTest, ParsedCheckpointOutlivesItsBuffer) {
  std::optional<std::string> bytes = readFixture("ckpt/dtypes_zip.pth.tar");
  if (!bytes)
    GTEST_SKIP() << "fixtures not generated";
  auto buffer = std::make_unique<std::string>(std::move(*bytes));
  TORNADO_ASSERT_OK(ckpt,
                    parseCheckpoint(MemoryBufferRef(*buffer, "in-memory")));
  std::fill(buffer->begin(), buffer->end(), 0);
  buffer.reset();
  const HostTensor *i32 = ckpt.getTensor("i32");
  ASSERT_NE(i32, nullptr);
  TORNADO_ASSERT_OK(values, i32->getInt64Values());
  EXPECT_EQ(values, (std::vector<int64_t>{INT32_MAX, INT32_MIN, 5}));
  EXPECT_EQ(ckpt.getArch(), StringRef("ai85net5"));
  EXPECT_EQ(ckpt.getEpoch(), 7);
}

TEST(CheckpointTest, MissingFileNamesThePath) {
  std::string message = errorOf(readCheckpoint("/nonexistent/model.pth.tar"));
  EXPECT_NE(message.find("/nonexistent/model.pth.tar"), std::string::npos);
}

TEST(CheckpointTest, InMemoryGarbage) {
  EXPECT_NE(errorOf(parseCheckpoint(MemoryBufferRef("", "empty")))
                .find("empty checkpoint"),
            std::string::npos);
  std::string legacyish = "\x80\x02K\x01.";
  EXPECT_NE(errorOf(parseCheckpoint(MemoryBufferRef(legacyish, "x")))
                .find("wrong magic number"),
            std::string::npos);
  std::string zipish = "PK\x03\x04 and nothing else of a zip archive";
  std::string message = errorOf(parseCheckpoint(MemoryBufferRef(zipish, "x")));
  EXPECT_NE(message.find("end of central directory"), std::string::npos)
      << message;
}

} // namespace
