//===- NetworkConfigParser.cpp - YAML text -> NetworkConfig ---------------===//
//
// Reads a network description with yaml-cpp and checks it against the rules
// the izer applies while reading its YAML files. yaml-cpp throws; this file is
// compiled with exceptions and converts every exception into an llvm::Error.
//
//===----------------------------------------------------------------------===//

#include "YamlScalar.h"
#include "tornado/Import/NetworkConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <sstream>

using namespace tornado::netcfg;
using namespace tornado::netcfg::detail;

namespace {

/// Keys of one `layers` item.
const char *const kLayerKeys[] = {
    "activate",        "activation",    "avg_pool",      "bias_group",
    "bias_quadrant",   "buffer_insert", "buffer_shift",  "bypass",
    "calcx4",          "conv_groups",   "convolution",   "data_format",
    "dilation",        "eltwise",       "flatten",       "groups",
    "in_channel_skip", "in_channels",   "in_crop",       "in_dim",
    "in_offset",       "in_sequences",  "in_skip",       "kernel_size",
    "max_pool",        "name",          "next_sequence", "op",
    "operands",        "operation",     "operator",      "out_channels",
    "out_offset",      "output",        "output_pad",    "output_processors",
    "output_shift",    "output_width",  "pad",           "pool_dilation",
    "pool_first",      "pool_stride",   "processors",    "quantization",
    "read_gap",        "readahead",     "sequence",      "simulated_sequence",
    "snoop_sequence",  "streaming",     "stride",        "tcalc",
    "weight_source",   "write_gap",
};
const char *const kTopKeys[] = {"arch",    "bias",   "data_buffer",
                                "dataset", "layers", "output_map",
                                "snoop",   "unload", "weights"};
const char *const kUnloadKeys[] = {"channels",   "dim",   "offset",
                                   "processors", "width", "write_gap"};
const char *const kDataBufferKeys[] = {"channels", "dim",        "name",
                                       "offset",   "processors", "width"};

/// One key/value pair of a mapping, with both locations.
struct Item {
  std::string key;
  ConfigLoc keyLoc;
  ConfigLoc valueLoc;
  YAML::Node node;
};

class Parser {
public:
  explicit Parser(llvm::StringRef fileName) : fileName(fileName.str()) {}

  llvm::Expected<NetworkConfig> run(llvm::StringRef text);

private:
  //===--- Diagnostics ------------------------------------------------===//
  ConfigLoc locOf(const YAML::Mark &mark) const {
    ConfigLoc loc;
    loc.file = fileName;
    if (!mark.is_null()) {
      loc.line = mark.line + 1;
      loc.col = mark.column + 1;
    }
    return loc;
  }
  ConfigLoc startOfFile() const {
    ConfigLoc loc;
    loc.file = fileName;
    loc.line = 1;
    loc.col = 1;
    return loc;
  }
  void error(const ConfigLoc &loc, const llvm::Twine &message) {
    errors.push_back({loc, message.str()});
  }
  static std::string lineCol(const ConfigLoc &loc) {
    return llvm::formatv("{0}:{1}", loc.line, loc.col).str();
  }

  //===--- Scalars ----------------------------------------------------===//
  static TypedScalar typed(const YAML::Node &node);
  static std::string describe(const YAML::Node &node);

  /// An integer in [min, max]. A `max` of kMaxSize or kMaxOffset is a
  /// limit rather than part of the key's range: "must be at most ...".
  std::optional<int64_t> readInt(const Item &item, const YAML::Node &node,
                                 const ConfigLoc &loc, int64_t min,
                                 int64_t max = kMaxSize);
  std::optional<int64_t> readInt(const Item &item, int64_t min,
                                 int64_t max = kMaxSize) {
    return readInt(item, item.node, item.valueLoc, min, max);
  }
  std::optional<uint64_t> readMask(const Item &item);
  std::optional<bool> readBool(const Item &item);
  std::optional<std::string> readText(const Item &item, bool stringOnly);
  std::optional<PairValue> readPair(const Item &item, int64_t min,
                                    bool scalarIsLength = false,
                                    bool listOnly = false);
  std::optional<LayerRef> readRef(const Item &item, const YAML::Node &node,
                                  const ConfigLoc &loc);
  template <typename T>
  std::optional<T> readKeyword(const Item &item,
                               llvm::ArrayRef<std::pair<const char *, T>> map,
                               llvm::StringRef expected);

  //===--- Structure --------------------------------------------------===//
  /// Splits a mapping into items, reporting non-scalar, duplicate and
  /// unknown keys. Returns false if `node` is not a mapping.
  bool collect(const YAML::Node &node, llvm::ArrayRef<const char *> known,
               llvm::StringRef where, std::vector<Item> &items);
  ConfigLoc valueLocOf(const YAML::Node &node, const ConfigLoc &keyLoc) const {
    ConfigLoc loc = locOf(node.Mark());
    // yaml-cpp places an empty value at the start of the next line.
    if (!loc.isValid() || node.IsNull())
      return keyLoc;
    return loc;
  }
  template <typename T> bool claim(OptLocated<T> &field, const Item &item);
  /// Sets `field` from `item` if its value was read; false if it was not.
  template <typename T>
  static bool fill(Located<T> &field, const Item &item,
                   const std::optional<T> &value) {
    if (!value)
      return false;
    field.value = *value;
    field.key = item.key;
    field.keyLoc = item.keyLoc;
    field.valueLoc = item.valueLoc;
    return true;
  }
  template <typename T>
  void store(OptLocated<T> &field, const Item &item,
             const std::optional<T> &value) {
    if (value && claim(field, item))
      fill(field.emplace(), item, value);
  }

  void parseLayer(const YAML::Node &node, unsigned position,
                  LayerConfig &layer);
  void parseLayerKey(const Item &item, LayerConfig &layer);
  void checkLayer(LayerConfig &layer);
  /// Parses `unload` or `data_buffer` (`listItem`), lists of maps in data
  /// memory. The keys they share are read here, `readOther` reads the rest
  /// (false for a bad value). Items with good values and every `required`
  /// key are appended to `out`.
  template <typename T>
  void parseMapList(const Item &listItem, llvm::ArrayRef<const char *> keys,
                    llvm::ArrayRef<const char *> required, std::vector<T> &out,
                    llvm::function_ref<bool(T &, const Item &)> readOther);
  void parseUnload(const Item &item, NetworkConfig &config);
  void parseDataBuffer(const Item &item, NetworkConfig &config);
  void checkNames(NetworkConfig &config);
  void checkDataBufferUsers(NetworkConfig &config);

  /// The collected errors, or `config` if there are none.
  llvm::Expected<NetworkConfig> finish(NetworkConfig &config);

  std::string fileName;
  std::vector<std::pair<ConfigLoc, std::string>> errors;
};

/// Where the documents of a YAML stream start, found from parser events
/// without building nodes.
///
/// yaml-cpp 0.7's YAML::LoadAll never returns on a token that cannot start
/// a node at document level, such as a stray ',' (jbeder/yaml-cpp#1040): it
/// keeps "parsing" an empty document at the same token, allocating a null
/// node each round. Such a document is recognized here as an empty root
/// that made no progress since the previous one.
struct DocumentScanner : YAML::EventHandler {
  /// Mark of each document's root node (for an empty document: the token
  /// where it stopped).
  std::vector<YAML::Mark> roots;
  std::vector<bool> nullRoots;
  /// Set when the parser no longer advances.
  std::optional<YAML::Mark> stuck;

  void OnDocumentStart(const YAML::Mark &) override { depth = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &mark, YAML::anchor_t) override {
    node(mark, /*null=*/true);
  }
  void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override {
    node(mark, false);
  }
  void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                const std::string &) override {
    node(mark, false);
  }
  void OnSequenceStart(const YAML::Mark &mark, const std::string &,
                       YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark, false);
    ++depth;
  }
  void OnSequenceEnd() override { --depth; }
  void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark, false);
    ++depth;
  }
  void OnMapEnd() override { --depth; }

private:
  void node(const YAML::Mark &mark, bool null) {
    if (depth != 0)
      return;
    if (null && !roots.empty() && nullRoots.back() &&
        roots.back().pos == mark.pos)
      stuck = mark;
    roots.push_back(mark);
    nullRoots.push_back(null);
  }
  int depth = 0;
};

/// Scans at most three documents: enough to know whether there is more
/// than one, and to see the parser stall. May throw YAML::Exception.
DocumentScanner scanDocuments(const std::string &input) {
  std::istringstream stream(input);
  YAML::Parser parser(stream);
  DocumentScanner scan;
  for (int i = 0; i < 3 && !scan.stuck && parser.HandleNextDocument(scan); ++i) {
  }
  return scan;
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

TypedScalar Parser::typed(const YAML::Node &node) {
  TypedScalar result;
  if (node.IsNull()) {
    result.kind = ScalarKind::Null;
    return result;
  }
  if (!node.IsScalar())
    return result;
  const std::string &tag = node.Tag();
  // "!" marks a quoted scalar: always a string.
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    result.kind = ScalarKind::String;
    result.text = node.Scalar();
    return result;
  }
  return typePlainScalar(node.Scalar());
}

std::string Parser::describe(const YAML::Node &node) {
  if (node.IsNull())
    return "nothing";
  if (node.IsSequence())
    return "a list";
  if (node.IsMap())
    return "a mapping";
  TypedScalar s = typed(node);
  switch (s.kind) {
  case ScalarKind::Null:
    return "null";
  case ScalarKind::Bool:
    return std::string("boolean ") + (s.boolValue ? "true" : "false");
  case ScalarKind::Int:
    return "integer " + s.text;
  case ScalarKind::Float:
    return "number " + s.text;
  case ScalarKind::String:
    return "\"" + s.text + "\"";
  }
  return "?";
}

std::optional<int64_t> Parser::readInt(const Item &item, const YAML::Node &node,
                                       const ConfigLoc &loc, int64_t min,
                                       int64_t max) {
  TypedScalar s = typed(node);
  if (!node.IsScalar() || s.kind != ScalarKind::Int) {
    error(loc, llvm::formatv("`{0}` must be an integer, got {1}", item.key,
                             describe(node)));
    return std::nullopt;
  }
  bool fits =
      !s.intOverflow && (s.intNegative ? s.intMagnitude <= (uint64_t(1) << 63)
                                       : s.intMagnitude <= uint64_t(INT64_MAX));
  int64_t value = 0;
  if (fits)
    value =
        s.intNegative ? int64_t(0 - s.intMagnitude) : int64_t(s.intMagnitude);
  if (!fits || value < min || value > max) {
    bool limit = max == kMaxSize || max == kMaxOffset;
    bool tooLarge = fits ? value > max : !s.intNegative;
    std::string range;
    if (limit && tooLarge)
      range = llvm::formatv("must be at most {0}", max).str();
    else if (limit)
      range = min == 0 ? "must not be negative"
                       : llvm::formatv("must be at least {0}", min).str();
    else
      range = llvm::formatv("must be {0} to {1}", min, max).str();
    error(loc, llvm::formatv("`{0}` {1}, got {2}", item.key, range, s.text));
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> Parser::readMask(const Item &item) {
  TypedScalar s = typed(item.node);
  uint64_t value = 0;
  bool negative = false, overflow = false;
  if (item.node.IsScalar() && s.kind == ScalarKind::Int) {
    value = s.intMagnitude;
    negative = s.intNegative;
    overflow = s.intOverflow;
  } else if (item.node.IsScalar() && s.kind == ScalarKind::String) {
    std::optional<uint64_t> parsed = parseHexMask(s.text, negative, overflow);
    if (!parsed) {
      error(item.valueLoc,
            llvm::formatv("`{0}` is not a valid hex mask: \"{1}\" (expected "
                          "hex digits, optionally with 0x and '.' or '_' "
                          "separators)",
                          item.key, s.text));
      return std::nullopt;
    }
    value = *parsed;
  } else {
    error(item.valueLoc,
          llvm::formatv("`{0}` must be an integer or a hex mask string, got "
                        "{1}",
                        item.key, describe(item.node)));
    return std::nullopt;
  }
  if (negative || overflow || value == 0) {
    error(item.valueLoc,
          llvm::formatv("`{0}` must be 1 to 2**64-1 (a non-empty 64-bit "
                        "processor mask), got {1}",
                        item.key, s.text));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Parser::readBool(const Item &item) {
  TypedScalar s = typed(item.node);
  if (item.node.IsScalar() && s.kind == ScalarKind::Bool)
    return s.boolValue;
  // The izer applies bool(); 0/1 are what a user plausibly means by that.
  if (item.node.IsScalar() && s.kind == ScalarKind::Int && !s.intOverflow)
    return s.intMagnitude != 0;
  error(item.valueLoc,
        llvm::formatv("`{0}` must be a boolean (true/false), got {1}", item.key,
                      describe(item.node)));
  return std::nullopt;
}

std::optional<std::string> Parser::readText(const Item &item, bool stringOnly) {
  TypedScalar s = typed(item.node);
  bool ok = item.node.IsScalar() && (stringOnly ? s.kind == ScalarKind::String
                                                : s.kind != ScalarKind::Null);
  if (!ok) {
    error(item.valueLoc,
          llvm::formatv("`{0}` must be {1}, got {2}", item.key,
                        stringOnly ? "a string" : "a single value",
                        describe(item.node)));
    return std::nullopt;
  }
  return s.text;
}

std::optional<PairValue> Parser::readPair(const Item &item, int64_t min,
                                          bool scalarIsLength, bool listOnly) {
  PairValue result;
  if (item.node.IsSequence()) {
    size_t n = item.node.size();
    size_t minCount = scalarIsLength ? 1 : 2;
    if (n < minCount || n > 2) {
      error(item.valueLoc,
            llvm::formatv("`{0}` must be {1}, got a list of {2} values",
                          item.key,
                          listOnly ? "a list [before, after]"
                                   : "an integer or a list [H, W]",
                          n));
      return std::nullopt;
    }
    std::optional<int64_t> values[2];
    for (size_t i = 0; i < n; ++i)
      values[i] = readInt(item, item.node[i],
                          valueLocOf(item.node[i], item.valueLoc), min);
    if (!values[0] || (n == 2 && !values[1]))
      return std::nullopt;
    result.value.h = *values[0];
    result.value.w = n == 2 ? *values[1] : 1;
    result.writtenAsList = true;
    return result;
  }
  if (listOnly) {
    error(item.valueLoc,
          llvm::formatv("`{0}` must be a list [{1}], got {2}", item.key,
                        "before, after", describe(item.node)));
    return std::nullopt;
  }
  TypedScalar s = typed(item.node);
  if (!item.node.IsScalar() || s.kind != ScalarKind::Int) {
    error(item.valueLoc,
          llvm::formatv("`{0}` must be an integer or a list [H, W], got {1}",
                        item.key, describe(item.node)));
    return std::nullopt;
  }
  std::optional<int64_t> value = readInt(item, min);
  if (!value)
    return std::nullopt;
  result.value.h = *value;
  result.value.w = scalarIsLength ? 1 : *value;
  return result;
}

std::optional<LayerRef> Parser::readRef(const Item &item,
                                        const YAML::Node &node,
                                        const ConfigLoc &loc) {
  TypedScalar s = typed(node);
  LayerRef ref;
  if (node.IsScalar() && s.kind == ScalarKind::String) {
    ref.isName = true;
    ref.name = s.text;
    return ref;
  }
  if (node.IsScalar() && s.kind == ScalarKind::Int) {
    std::optional<int64_t> value = readInt(item, node, loc, -1);
    if (!value)
      return std::nullopt;
    ref.number = *value;
    return ref;
  }
  error(loc, llvm::formatv("`{0}` must be a layer number or a layer name, "
                           "got {1}",
                           item.key, describe(node)));
  return std::nullopt;
}

template <typename T>
std::optional<T>
Parser::readKeyword(const Item &item,
                    llvm::ArrayRef<std::pair<const char *, T>> map,
                    llvm::StringRef expected) {
  TypedScalar s = typed(item.node);
  if (item.node.IsScalar() && s.kind == ScalarKind::String) {
    std::string lower = llvm::StringRef(s.text).lower();
    for (const auto &entry : map)
      if (lower == entry.first)
        return entry.second;
  }
  error(item.valueLoc, llvm::formatv("`{0}` must be {1}, got {2}", item.key,
                                     expected, describe(item.node)));
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

bool Parser::collect(const YAML::Node &node, llvm::ArrayRef<const char *> known,
                     llvm::StringRef where, std::vector<Item> &items) {
  if (!node.IsMap())
    return false;
  llvm::StringMap<ConfigLoc> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    ConfigLoc keyLoc = locOf(it->first.Mark());
    TypedScalar key = typed(it->first);
    if (!it->first.IsScalar() || key.kind == ScalarKind::Null) {
      error(keyLoc, llvm::formatv("keys {0} must be plain names, got {1}",
                                  where, describe(it->first)));
      continue;
    }
    std::string name = it->first.Scalar();
    auto inserted = seen.try_emplace(name, keyLoc);
    if (!inserted.second) {
      error(keyLoc,
            llvm::formatv("duplicate key `{0}` {1} (first given at "
                          "{2})",
                          name, where, lineCol(inserted.first->second)));
      continue;
    }
    if (!llvm::is_contained(known, llvm::StringRef(name))) {
      // Suggest the closest known key, if any is reasonably close.
      llvm::StringRef best;
      unsigned bestDistance = ~0u;
      for (llvm::StringRef candidate : known) {
        unsigned d = llvm::StringRef(name).edit_distance(
            candidate, /*AllowReplacements=*/true, bestDistance);
        if (d < bestDistance) {
          bestDistance = d;
          best = candidate;
        }
      }
      std::string message =
          llvm::formatv("unknown key `{0}` {1}", name, where).str();
      if (!best.empty() && bestDistance <= std::max<size_t>(2, name.size() / 3))
        message += llvm::formatv("; did you mean `{0}`?", best).str();
      error(keyLoc, message);
      continue;
    }
    Item item;
    item.key = name;
    item.keyLoc = keyLoc;
    item.node = it->second;
    item.valueLoc = valueLocOf(it->second, keyLoc);
    items.push_back(std::move(item));
  }
  return true;
}

template <typename T>
bool Parser::claim(OptLocated<T> &field, const Item &item) {
  if (!field)
    return true;
  // Exact duplicates were caught in collect(): this is an alias.
  error(item.keyLoc,
        llvm::formatv("`{0}` and `{1}` (at {2}) are aliases of the same "
                      "setting; give only one",
                      item.key, field->key, lineCol(field->keyLoc)));
  return false;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

void Parser::parseLayer(const YAML::Node &node, unsigned position,
                        LayerConfig &layer) {
  layer.position = position;
  layer.loc = locOf(node.Mark());
  std::vector<Item> items;
  if (!collect(node, kLayerKeys, "in a layer", items)) {
    error(layer.loc,
          llvm::formatv("each item of `layers` must be a mapping of layer "
                        "keys, got {0}",
                        describe(node)));
    return;
  }
  for (const Item &item : items) {
    layer.keys.emplace_back(item.key, item.keyLoc);
    parseLayerKey(item, layer);
  }
  checkLayer(layer);
}

void Parser::parseLayerKey(const Item &item, LayerConfig &layer) {
  llvm::StringRef key = item.key;

  if (key == "processors")
    return store(layer.processors, item, readMask(item));
  if (key == "output_processors")
    return store(layer.outputProcessors, item, readMask(item));
  if (key == "in_offset")
    return store(layer.inOffset, item, readInt(item, 0, kMaxOffset));
  if (key == "out_offset")
    return store(layer.outOffset, item, readInt(item, 0, kMaxOffset));
  if (key == "sequence")
    return store(layer.sequence, item, readInt(item, 0));
  if (key == "snoop_sequence")
    return store(layer.snoopSequence, item, readInt(item, 0));
  if (key == "next_sequence")
    return store(layer.nextSequence, item,
                 readRef(item, item.node, item.valueLoc));
  if (key == "simulated_sequence")
    return store(layer.simulatedSequence, item,
                 readRef(item, item.node, item.valueLoc));
  if (key == "weight_source")
    return store(layer.weightSource, item,
                 readRef(item, item.node, item.valueLoc));
  if (key == "name") {
    std::optional<std::string> name = readText(item, /*stringOnly=*/true);
    if (name &&
        llvm::is_contained({"stop", "input"}, llvm::StringRef(*name).lower())) {
      error(item.valueLoc,
            llvm::formatv("`name` `{0}` is reserved (\"stop\" and \"input\" "
                          "have fixed meanings)",
                          *name));
      return;
    }
    return store(layer.name, item, name);
  }

  if (key == "op" || key == "operation" || key == "operator" ||
      key == "convolution") {
    static const std::pair<const char *, OperationValue> ops[] = {
        {"conv1d", {LayerOp::Conv1d, EltwiseOp::None, ""}},
        {"conv2d", {LayerOp::Conv2d, EltwiseOp::None, ""}},
        {"convtranspose2d", {LayerOp::ConvTranspose2d, EltwiseOp::None, ""}},
        {"none", {LayerOp::None, EltwiseOp::None, ""}},
        {"passthrough", {LayerOp::None, EltwiseOp::None, ""}},
        {"linear", {LayerOp::Linear, EltwiseOp::None, ""}},
        {"fc", {LayerOp::Linear, EltwiseOp::None, ""}},
        {"mlp", {LayerOp::Linear, EltwiseOp::None, ""}},
        {"add", {LayerOp::None, EltwiseOp::Add, ""}},
        {"sub", {LayerOp::None, EltwiseOp::Sub, ""}},
        {"or", {LayerOp::None, EltwiseOp::Or, ""}},
        {"bitwiseor", {LayerOp::None, EltwiseOp::Or, ""}},
        {"bitwise_or", {LayerOp::None, EltwiseOp::Or, ""}},
        {"xor", {LayerOp::None, EltwiseOp::Xor, ""}},
        {"bitwisexor", {LayerOp::None, EltwiseOp::Xor, ""}},
        {"bitwise_xor", {LayerOp::None, EltwiseOp::Xor, ""}},
    };
    std::optional<OperationValue> value = readKeyword<OperationValue>(
        item, ops,
        "one of Conv1d, Conv2d, ConvTranspose2d, None/Passthrough, "
        "Linear/FC/MLP, Add, Sub, Or/BitwiseOr, Xor/BitwiseXor");
    if (value)
      value->spelling = item.node.Scalar();
    return store(layer.operation, item, value);
  }
  if (key == "eltwise") {
    static const std::pair<const char *, EltwiseOp> ops[] = {
        {"add", EltwiseOp::Add},
        {"sub", EltwiseOp::Sub},
        {"or", EltwiseOp::Or},
        {"xor", EltwiseOp::Xor}};
    return store(layer.eltwise, item,
                 readKeyword<EltwiseOp>(item, ops, "one of add, sub, or, xor"));
  }
  if (key == "activate" || key == "activation") {
    static const std::pair<const char *, Activation> acts[] = {
        {"relu", Activation::ReLU},
        {"abs", Activation::Abs},
        {"none", Activation::None}};
    return store(layer.activation, item,
                 readKeyword<Activation>(item, acts, "one of ReLU, Abs, None"));
  }
  if (key == "data_format") {
    static const std::pair<const char *, DataFormat> formats[] = {
        {"hwc", DataFormat::HWC},
        {"little", DataFormat::HWC},
        {"chw", DataFormat::CHW},
        {"big", DataFormat::CHW}};
    return store(
        layer.dataFormat, item,
        readKeyword<DataFormat>(item, formats, "one of HWC/little, CHW/big"));
  }
  if (key == "quantization") {
    TypedScalar s = typed(item.node);
    std::optional<int64_t> value;
    if (item.node.IsScalar() && s.kind == ScalarKind::String) {
      std::string lower = llvm::StringRef(s.text).lower();
      if (lower == "bin" || lower == "binary")
        value = -1;
    } else if (item.node.IsScalar() && s.kind == ScalarKind::Int &&
               !s.intNegative && !s.intOverflow &&
               llvm::is_contained(std::initializer_list<uint64_t>{1, 2, 4, 8},
                                  s.intMagnitude)) {
      value = int64_t(s.intMagnitude);
    }
    if (!value)
      error(item.valueLoc, llvm::formatv("`quantization` must be 1, 2, 4, 8 or "
                                         "bin/binary, got {0}",
                                         describe(item.node)));
    return store(layer.quantization, item, value);
  }
  if (key == "output_width") {
    TypedScalar s = typed(item.node);
    std::optional<int64_t> value;
    if (item.node.IsScalar() && s.kind == ScalarKind::Int && !s.intNegative &&
        (s.intMagnitude == 8 || s.intMagnitude == 32))
      value = int64_t(s.intMagnitude);
    else
      error(item.valueLoc,
            llvm::formatv("`output_width` must be 8 or 32, got {0}",
                          describe(item.node)));
    return store(layer.outputWidth, item, value);
  }
  if (key == "kernel_size") {
    // Validity depends on the operation: checked in checkLayer().
    TypedScalar s = typed(item.node);
    if (!item.node.IsScalar() ||
        (s.kind != ScalarKind::Int && s.kind != ScalarKind::String)) {
      error(item.valueLoc,
            llvm::formatv("`kernel_size` must be 1x1 or 3x3 (2D) or an "
                          "integer (1D), got {0}",
                          describe(item.node)));
      return;
    }
    KernelValue kernel;
    kernel.spelling = s.kind == ScalarKind::Int && !s.intNegative
                          ? std::to_string(s.intMagnitude)
                          : s.text;
    return store(layer.kernelSize, item, std::optional<KernelValue>(kernel));
  }

  if (key == "pad")
    return store(layer.pad, item, readInt(item, 0));
  if (key == "output_pad")
    return store(layer.outputPad, item, readInt(item, 0));
  if (key == "stride")
    return store(layer.stride, item, readPair(item, 1));
  if (key == "dilation")
    return store(layer.dilation, item, readPair(item, 1));
  if (key == "groups" || key == "conv_groups")
    return store(layer.groups, item, readInt(item, 1));
  if (key == "operands")
    return store(layer.operands, item, readInt(item, 2, 16));
  if (key == "max_pool")
    return store(layer.maxPool, item, readPair(item, 1));
  if (key == "avg_pool")
    return store(layer.avgPool, item, readPair(item, 1));
  if (key == "pool_stride")
    return store(layer.poolStride, item, readPair(item, 1));
  if (key == "pool_dilation")
    return store(layer.poolDilation, item, readPair(item, 1));
  if (key == "in_dim")
    return store(layer.inDim, item, readPair(item, 1, /*scalarIsLength=*/true));
  if (key == "in_crop")
    return store(layer.inCrop, item,
                 readPair(item, 0, /*scalarIsLength=*/false,
                          /*listOnly=*/true));
  if (key == "in_channels")
    return store(layer.inChannels, item, readInt(item, 1));
  if (key == "out_channels")
    return store(layer.outChannels, item, readInt(item, 1));
  if (key == "in_skip" || key == "read_gap")
    return store(layer.inSkip, item, readInt(item, 0));
  if (key == "in_channel_skip")
    return store(layer.inChannelSkip, item, readInt(item, 0));
  if (key == "output_shift")
    return store(layer.outputShift, item,
                 readInt(item, -kMaxShift, kMaxShift));
  if (key == "write_gap")
    return store(layer.writeGap, item, readInt(item, 0));
  if (key == "buffer_shift")
    return store(layer.bufferShift, item, readInt(item, 1));
  if (key == "buffer_insert")
    return store(layer.bufferInsert, item, readInt(item, 1));

  if (key == "pool_first")
    return store(layer.poolFirst, item, readBool(item));
  if (key == "flatten")
    return store(layer.flatten, item, readBool(item));
  if (key == "streaming")
    return store(layer.streaming, item, readBool(item));
  if (key == "bypass")
    return store(layer.bypass, item, readBool(item));
  if (key == "calcx4")
    return store(layer.calcx4, item, readBool(item));
  if (key == "readahead")
    return store(layer.readahead, item, readBool(item));
  if (key == "tcalc")
    return store(layer.tcalc, item, readBool(item));
  if (key == "output")
    return store(layer.output, item, readBool(item));

  if (key == "in_sequences") {
    std::vector<LayerRef> refs;
    bool ok = true;
    if (item.node.IsSequence()) {
      if (item.node.size() == 0) {
        error(item.valueLoc, "`in_sequences` must name at least one layer");
        return;
      }
      for (size_t i = 0; i < item.node.size(); ++i) {
        std::optional<LayerRef> ref = readRef(
            item, item.node[i], valueLocOf(item.node[i], item.valueLoc));
        ok &= ref.has_value();
        if (ref)
          refs.push_back(*ref);
      }
    } else {
      std::optional<LayerRef> ref = readRef(item, item.node, item.valueLoc);
      ok = ref.has_value();
      if (ref)
        refs.push_back(*ref);
    }
    if (!ok)
      return;
    return store(layer.inSequences, item,
                 std::optional<std::vector<LayerRef>>(std::move(refs)));
  }
  if (key == "bias_group" || key == "bias_quadrant") {
    std::vector<int64_t> groups;
    if (item.node.IsSequence()) {
      if (item.node.size() == 0) {
        error(item.valueLoc,
              llvm::formatv("`{0}` must name at least one group", item.key));
        return;
      }
      for (size_t i = 0; i < item.node.size(); ++i) {
        std::optional<int64_t> g = readInt(
            item, item.node[i], valueLocOf(item.node[i], item.valueLoc), 0);
        if (!g)
          return;
        groups.push_back(*g);
      }
    } else {
      std::optional<int64_t> g = readInt(item, 0);
      if (!g)
        return;
      groups.push_back(*g);
    }
    return store(layer.biasGroup, item,
                 std::optional<std::vector<int64_t>>(std::move(groups)));
  }
  llvm_unreachable("key accepted by collect() but not handled");
}

/// Rules that relate several keys of one layer.
void Parser::checkLayer(LayerConfig &layer) {
  LayerOp op = layer.operation ? layer.operation->value.op : LayerOp::Conv2d;
  EltwiseOp eltwise = layer.eltwise     ? layer.eltwise->value
                      : layer.operation ? layer.operation->value.eltwise
                                        : EltwiseOp::None;

  if (layer.maxPool && layer.avgPool) {
    const auto &later = layer.maxPool->keyLoc.line > layer.avgPool->keyLoc.line
                            ? *layer.maxPool
                            : *layer.avgPool;
    const auto &earlier =
        &later == &*layer.maxPool ? *layer.avgPool : *layer.maxPool;
    error(later.keyLoc,
          llvm::formatv("`{0}` conflicts with `{1}` (at {2}): a layer pools "
                        "either by maximum or by average",
                        later.key, earlier.key, lineCol(earlier.keyLoc)));
  }
  bool pooling = layer.maxPool || layer.avgPool;

  if (layer.kernelSize) {
    auto &k = *layer.kernelSize;
    std::string text = llvm::StringRef(k.value.spelling).lower();
    if (op == LayerOp::Linear) {
      error(k.keyLoc, "`kernel_size` cannot be set for a Linear layer (fully "
                      "connected layers always use 1x1)");
    } else if (op == LayerOp::Conv2d || op == LayerOp::ConvTranspose2d) {
      bool ok = op == LayerOp::Conv2d ? (text == "1x1" || text == "3x3")
                                      : text == "3x3";
      if (!ok)
        error(k.valueLoc,
              llvm::formatv("`kernel_size` for {0} must be {1}, got {2}",
                            stringifyLayerOp(op),
                            op == LayerOp::Conv2d ? "1x1 or 3x3" : "3x3",
                            k.value.spelling));
      else
        k.value.value = HW{text[0] - '0', text[2] - '0'};
    } else {
      unsigned size = 0;
      if (llvm::StringRef(text).trim().getAsInteger(10, size) || size < 1 ||
          size > 9)
        error(k.valueLoc,
              llvm::formatv("`kernel_size` for {0} must be an integer from 1 "
                            "to 9, got {1}",
                            op == LayerOp::Conv1d ? "Conv1d"
                                                  : "a passthrough "
                                                    "layer",
                            k.value.spelling));
      else
        k.value.value = HW{int64_t(size), 1};
    }
  }

  if (layer.stride) {
    const auto &s = *layer.stride;
    int64_t value = s.value.value.h;
    if (s.value.writtenAsList && s.value.value.h != s.value.value.w)
      error(s.valueLoc, "`stride` values must be equal in both dimensions");
    else if (pooling && value != 1)
      error(s.valueLoc,
            llvm::formatv("`stride` must be 1 when the layer pools, got {0}",
                          value));
    else if (!pooling && op == LayerOp::ConvTranspose2d && value != 2)
      error(s.valueLoc,
            llvm::formatv("`stride` must be 2 for ConvTranspose2d, got {0}",
                          value));
  }
  if (layer.dilation && op == LayerOp::None)
    error(layer.dilation->keyLoc,
          "`dilation` requires a convolution operation (this layer is "
          "passthrough or element-wise)");
  if (layer.poolDilation && !pooling)
    error(layer.poolDilation->keyLoc,
          "`pool_dilation` requires pooling (`max_pool` or `avg_pool`)");
  if (layer.operands && eltwise == EltwiseOp::None)
    error(layer.operands->keyLoc,
          "`operands` can only be used with an element-wise operation");
  if (layer.bufferShift && !layer.inSequences)
    error(layer.bufferShift->keyLoc,
          "`buffer_shift` requires `in_sequences` naming the data buffer");
  if (layer.bufferInsert && !layer.outOffset)
    error(layer.bufferInsert->keyLoc, "`buffer_insert` requires `out_offset`");
  if (layer.poolFirst && !layer.poolFirst->value) {
    int64_t operands = layer.operands               ? layer.operands->value
                       : eltwise != EltwiseOp::None ? 2
                                                    : 1;
    HW pool = layer.pool() ? layer.pool()->value.value : HW{1, 1};
    if (op == LayerOp::Conv1d)
      pool.w = 1;
    if (operands == 1 || pool == HW{1, 1})
      error(layer.poolFirst->keyLoc,
            "`pool_first: false` requires both pooling and an element-wise "
            "operation");
  }
}

//===----------------------------------------------------------------------===//
// Global lists
//===----------------------------------------------------------------------===//

template <typename T>
void Parser::parseMapList(
    const Item &listItem, llvm::ArrayRef<const char *> keys,
    llvm::ArrayRef<const char *> required, std::vector<T> &out,
    llvm::function_ref<bool(T &, const Item &)> readOther) {
  llvm::StringRef list = listItem.key;
  if (!listItem.node.IsSequence()) {
    error(listItem.valueLoc,
          llvm::formatv("`{0}` must be a list of mappings, got {1}", list,
                        describe(listItem.node)));
    return;
  }
  for (size_t i = 0; i < listItem.node.size(); ++i) {
    YAML::Node node = listItem.node[i];
    T map;
    map.loc = locOf(node.Mark());
    std::vector<Item> items;
    if (!collect(node, keys, ("in `" + list + "`").str(), items)) {
      error(map.loc,
            llvm::formatv("each item of `{0}` must be a mapping, got {1}", list,
                          describe(node)));
      continue;
    }
    bool ok = true;
    llvm::StringMap<bool> present;
    for (const Item &item : items) {
      present[item.key] = true;
      if (item.key == "processors")
        ok &= fill(map.processors, item, readMask(item));
      else if (item.key == "dim")
        ok &= fill(map.dim, item, readPair(item, 1, /*scalarIsLength=*/true));
      else if (item.key == "channels")
        ok &= fill(map.channels, item, readInt(item, 1));
      else if (item.key == "offset")
        ok &= fill(map.offset, item, readInt(item, 0, kMaxOffset));
      else if (item.key == "width") {
        std::optional<int64_t> w = readInt(item, 8, 32);
        if (w && *w != 8 && *w != 32) {
          error(item.valueLoc,
                llvm::formatv("`width` must be 8 or 32, got {0}", *w));
          w.reset();
        }
        ok &= fill(map.width.emplace(), item, w);
      } else {
        ok &= readOther(map, item);
      }
    }
    for (const char *key : required)
      if (!present.count(key)) {
        error(map.loc, llvm::formatv("`{0}` item is missing required key `{1}`",
                                     list, key));
        ok = false;
      }
    if (ok)
      out.push_back(std::move(map));
  }
}

void Parser::parseUnload(const Item &listItem, NetworkConfig &config) {
  parseMapList<UnloadConfig>(
      listItem, kUnloadKeys, {"processors", "channels", "dim", "offset"},
      config.unload, [&](UnloadConfig &unload, const Item &item) {
        // The only other key.
        return fill(unload.writeGap.emplace(), item, readInt(item, 0));
      });
}

void Parser::parseDataBuffer(const Item &listItem, NetworkConfig &config) {
  parseMapList<DataBufferConfig>(
      listItem, kDataBufferKeys,
      {"processors", "channels", "dim", "offset", "name"}, config.dataBuffers,
      [&](DataBufferConfig &buffer, const Item &item) {
        // The only other key.
        return fill(buffer.name, item, readText(item, /*stringOnly=*/true));
      });
}

/// Layer names are unique (case-insensitively) and distinct from buffers.
void Parser::checkNames(NetworkConfig &config) {
  llvm::StringMap<ConfigLoc> names;
  for (const LayerConfig &layer : config.layers) {
    if (!layer.name)
      continue;
    auto inserted = names.try_emplace(
        llvm::StringRef(layer.name->value).lower(), layer.name->valueLoc);
    if (!inserted.second)
      error(layer.name->valueLoc,
            llvm::formatv("layer name `{0}` is already used by the layer at "
                          "{1} (names are case-insensitive)",
                          layer.name->value, lineCol(inserted.first->second)));
  }
}

/// A layer reading the data buffer cannot infer its input geometry.
void Parser::checkDataBufferUsers(NetworkConfig &config) {
  for (const DataBufferConfig &buffer : config.dataBuffers) {
    for (const LayerConfig &layer : config.layers) {
      if (!layer.inSequences || layer.inSequences->value.size() != 1 ||
          !layer.inSequences->value[0].isName ||
          layer.inSequences->value[0].name != buffer.name.value)
        continue;
      llvm::SmallVector<llvm::StringRef, 4> missing;
      if (!layer.inOffset)
        missing.push_back("in_offset");
      if (!layer.outOffset)
        missing.push_back("out_offset");
      if (!layer.inDim)
        missing.push_back("in_dim");
      if (!layer.inChannels)
        missing.push_back("in_channels");
      if (!missing.empty())
        error(layer.inSequences->keyLoc,
              llvm::formatv("a layer reading data buffer `{0}` must give "
                            "`in_offset`, `out_offset`, `in_dim` and "
                            "`in_channels` (missing: {1})",
                            buffer.name.value, llvm::join(missing, ", ")));
    }
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

llvm::Expected<NetworkConfig> Parser::run(llvm::StringRef text) {
  NetworkConfig config;
  config.fileName = fileName;
  try {
    std::string input = text.str();
    DocumentScanner scan = scanDocuments(input);
    if (scan.stuck) {
      unsigned char c = scan.stuck->pos < int(input.size())
                            ? input[scan.stuck->pos]
                            : 0;
      error(locOf(*scan.stuck),
            llvm::isPrint(c)
                ? llvm::formatv("YAML syntax error: unexpected `{0}`", char(c))
                      .str()
                : std::string("YAML syntax error: unexpected character"));
      return finish(config);
    }
    if (scan.roots.size() > 1)
      error(locOf(scan.roots[1]),
            "expected a single YAML document, found another one here");
    // The first document only (YAML::Load reads one; see scanDocuments).
    YAML::Node root = YAML::Load(input);
    if (root.IsNull()) {
      error(startOfFile(), "the file is empty; expected a mapping with "
                           "`arch`, `dataset` and `layers`");
    } else if (!root.IsMap()) {
      error(locOf(root.Mark()),
            llvm::formatv("the top level must be a mapping with `arch`, "
                          "`dataset` and `layers`, got {0}",
                          describe(root)));
    } else {
      std::vector<Item> items;
      collect(root, kTopKeys, "at the top level", items);
      llvm::StringMap<bool> present;
      auto storeText = [&](Located<std::string> &field, const Item &item) {
        std::optional<std::string> value = readText(item, false);
        if (!value)
          return;
        field.value = *value;
        field.key = item.key;
        field.keyLoc = item.keyLoc;
        field.valueLoc = item.valueLoc;
      };
      for (const Item &item : items) {
        present[item.key] = true;
        if (item.key == "arch") {
          storeText(config.arch, item);
        } else if (item.key == "dataset") {
          storeText(config.dataset, item);
        } else if (item.key == "bias") {
          store(config.bias, item, readText(item, false));
        } else if (item.key == "weights") {
          store(config.weights, item, readText(item, false));
        } else if (item.key == "output_map") {
          store(config.outputMap, item, readMask(item));
        } else if (item.key == "snoop") {
          if (!item.node.IsSequence()) {
            error(item.valueLoc,
                  llvm::formatv("`snoop` must be a list of integers, got {0}",
                                describe(item.node)));
            continue;
          }
          std::vector<int64_t> values;
          bool ok = true;
          for (size_t i = 0; i < item.node.size(); ++i) {
            std::optional<int64_t> v = readInt(
                item, item.node[i], valueLocOf(item.node[i], item.valueLoc), 0,
                int64_t(UINT32_MAX));
            ok &= v.has_value();
            if (v)
              values.push_back(*v);
          }
          if (ok)
            store(config.snoop, item,
                  std::optional<std::vector<int64_t>>(std::move(values)));
        } else if (item.key == "unload") {
          parseUnload(item, config);
        } else if (item.key == "data_buffer") {
          parseDataBuffer(item, config);
        } else if (item.key == "layers") {
          config.layersLoc = item.keyLoc;
          if (!item.node.IsSequence() || item.node.size() == 0) {
            error(item.valueLoc,
                  llvm::formatv("`layers` must be a non-empty list of layer "
                                "mappings, got {0}",
                                item.node.IsSequence() ? "an empty list"
                                                       : describe(item.node)));
            continue;
          }
          config.layers.resize(item.node.size());
          for (size_t i = 0; i < item.node.size(); ++i)
            parseLayer(item.node[i], i, config.layers[i]);
        }
      }
      for (const char *required : {"arch", "dataset", "layers"})
        if (!present.count(required))
          error(
              locOf(root.Mark()),
              llvm::formatv("missing required top-level key `{0}`", required));
      checkNames(config);
      checkDataBufferUsers(config);
    }
  } catch (const YAML::Exception &e) {
    ConfigLoc loc = locOf(e.mark);
    if (!loc.isValid())
      loc = startOfFile();
    error(loc, "YAML syntax error: " + e.msg);
  } catch (const std::exception &e) {
    error(startOfFile(), std::string("cannot read YAML: ") + e.what());
  }

  return finish(config);
}

llvm::Expected<NetworkConfig> Parser::finish(NetworkConfig &config) {
  if (errors.empty())
    return std::move(config);
  llvm::Error all = llvm::Error::success();
  for (auto &[loc, message] : errors)
    all = llvm::joinErrors(std::move(all),
                           llvm::make_error<NetworkConfigError>(loc, message));
  return std::move(all);
}

} // namespace

llvm::Expected<NetworkConfig>
tornado::netcfg::parseNetworkConfig(llvm::StringRef yamlText,
                                    llvm::StringRef fileName) {
  Parser parser(fileName);
  return parser.run(yamlText);
}

llvm::Expected<NetworkConfig>
tornado::netcfg::parseNetworkConfigFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    ConfigLoc loc;
    loc.file = path.str();
    return llvm::make_error<NetworkConfigError>(
        loc, "cannot open network description: " + buffer.getError().message());
  }
  return parseNetworkConfig((*buffer)->getBuffer(), path);
}
