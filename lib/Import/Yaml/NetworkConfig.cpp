//===- NetworkConfig.cpp - Shared pieces of the network-config model ------===//

#include "tornado/Import/NetworkConfig.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace tornado::netcfg;

char NetworkConfigError::ID = 0;

std::string ConfigLoc::str() const {
  if (!isValid())
    return file;
  return llvm::formatv("{0}:{1}:{2}", file, line, col).str();
}

void NetworkConfigError::log(llvm::raw_ostream &os) const {
  os << loc.str() << ": error: " << message;
}

std::error_code NetworkConfigError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

llvm::StringRef tornado::netcfg::stringifyLayerOp(LayerOp op) {
  switch (op) {
  case LayerOp::None:
    return "passthrough";
  case LayerOp::Conv1d:
    return "Conv1d";
  case LayerOp::Conv2d:
    return "Conv2d";
  case LayerOp::ConvTranspose2d:
    return "ConvTranspose2d";
  case LayerOp::Linear:
    return "Linear";
  }
  llvm_unreachable("bad LayerOp");
}

llvm::StringRef tornado::netcfg::stringifyEltwiseOp(EltwiseOp op) {
  switch (op) {
  case EltwiseOp::None:
    return "none";
  case EltwiseOp::Add:
    return "add";
  case EltwiseOp::Sub:
    return "sub";
  case EltwiseOp::Or:
    return "or";
  case EltwiseOp::Xor:
    return "xor";
  }
  llvm_unreachable("bad EltwiseOp");
}

llvm::StringRef tornado::netcfg::stringifyActivation(Activation act) {
  switch (act) {
  case Activation::None:
    return "none";
  case Activation::ReLU:
    return "relu";
  case Activation::Abs:
    return "abs";
  }
  llvm_unreachable("bad Activation");
}

llvm::StringRef tornado::netcfg::stringifyPoolKind(PoolKind kind) {
  switch (kind) {
  case PoolKind::None:
    return "none";
  case PoolKind::Max:
    return "max";
  case PoolKind::Avg:
    return "avg";
  }
  llvm_unreachable("bad PoolKind");
}

llvm::StringRef tornado::netcfg::stringifyValueOrigin(ValueOrigin origin) {
  switch (origin) {
  case ValueOrigin::User:
    return "user";
  case ValueOrigin::Default:
    return "default";
  case ValueOrigin::Inferred:
    return "inferred";
  case ValueOrigin::Weights:
    return "weights";
  case ValueOrigin::Unresolved:
    return "unresolved";
  }
  llvm_unreachable("bad ValueOrigin");
}

std::optional<ResolveOptions> ResolveOptions::forDevice(llvm::StringRef name) {
  std::string lower = name.lower();
  llvm::StringRef s(lower);
  ResolveOptions options;
  if (s == "cmsis-nn") {
    options.device = "CMSIS-NN";
    options.maxLayers = 256;
    options.useProcessors = false;
    options.numProcessors = 0;
    return options;
  }
  if (!s.consume_front("max"))
    s.consume_front("ai");
  unsigned number = 0;
  if (s.getAsInteger(10, number))
    return std::nullopt;
  if (number == 85 || number == 78000) {
    options.device = "MAX78000";
    options.maxLayers = 32;
    return options;
  }
  if (number == 87 || number == 78002) {
    options.device = "MAX78002";
    options.maxLayers = 128;
    options.linkLayers = true;
    options.binaryWeights = true;
    return options;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// JSON dump
//===----------------------------------------------------------------------===//

namespace {

llvm::json::Value toJSON(const HW &hw) { return llvm::json::Array{hw.h, hw.w}; }
llvm::json::Value toJSON(int64_t v) { return v; }
llvm::json::Value toJSON(bool v) { return v; }
llvm::json::Value toJSON(uint64_t v) {
  return llvm::formatv("{0:x16}", v).str();
}
llvm::json::Value toJSON(LayerOp v) { return stringifyLayerOp(v); }
llvm::json::Value toJSON(EltwiseOp v) { return stringifyEltwiseOp(v); }
llvm::json::Value toJSON(Activation v) { return stringifyActivation(v); }
llvm::json::Value toJSON(PoolKind v) { return stringifyPoolKind(v); }
llvm::json::Value toJSON(const std::vector<int64_t> &v) {
  llvm::json::Array array;
  for (int64_t e : v)
    array.push_back(e);
  return array;
}

/// {"value": ..., "origin": ...}; an unresolved value prints as null.
template <typename T>
void put(llvm::json::Object &object, llvm::StringRef key,
         const Resolved<T> &r) {
  llvm::json::Object entry;
  entry["origin"] = stringifyValueOrigin(r.origin);
  entry["value"] = r.isKnown() ? toJSON(r.value) : llvm::json::Value(nullptr);
  object[key] = std::move(entry);
}

void putOpt(llvm::json::Object &object, llvm::StringRef key,
            const std::optional<int64_t> &v) {
  if (v)
    object[key] = *v;
}

} // namespace

void tornado::netcfg::printResolvedNetwork(const ResolvedNetwork &net,
                                           llvm::raw_ostream &os) {
  llvm::json::Object root;
  root["file"] = net.fileName;
  root["arch"] = net.arch;
  root["dataset"] = net.dataset;
  root["num_layers"] = int64_t(net.numLayers);
  root["start_layer"] = int64_t(net.startLayer);
  root["final_layer"] = int64_t(net.finalLayer);
  llvm::json::Array layers;
  for (const ResolvedLayer &l : net.layers) {
    llvm::json::Object o;
    o["index"] = int64_t(l.index);
    o["sequence"] = l.sequence;
    if (!l.name.empty())
      o["name"] = l.name;
    o["reachable"] = l.reachable;
    o["weight_index"] = int64_t(l.weightIndex);
    put(o, "processors", l.processors);
    put(o, "output_processors", l.outputProcessors);
    put(o, "in_offset", l.inOffset);
    put(o, "out_offset", l.outOffset);
    put(o, "op", l.op);
    put(o, "eltwise", l.eltwise);
    put(o, "operands", l.operands);
    put(o, "activation", l.activation);
    put(o, "kernel", l.kernel);
    put(o, "pad", l.pad);
    put(o, "output_pad", l.outputPad);
    put(o, "stride", l.stride);
    put(o, "dilation", l.dilation);
    put(o, "groups", l.groups);
    put(o, "bypass", l.bypass);
    put(o, "pool_kind", l.poolKind);
    put(o, "pool", l.pool);
    put(o, "pool_stride", l.poolStride);
    put(o, "pool_dilation", l.poolDilation);
    put(o, "pool_first", l.poolFirst);
    put(o, "in_sequences", l.inSequences);
    put(o, "next_sequence", l.nextSequence);
    put(o, "prev_sequence", l.prevSequence);
    put(o, "in_channels", l.inChannels);
    put(o, "out_channels", l.outChannels);
    put(o, "in_dim", l.inDim);
    put(o, "in_crop", l.inCrop);
    put(o, "pooled_dim", l.pooledDim);
    put(o, "out_dim", l.outDim);
    put(o, "in_skip", l.inSkip);
    put(o, "in_channel_skip", l.inChannelSkip);
    put(o, "big_data", l.bigData);
    put(o, "flatten", l.flatten);
    put(o, "output_width", l.outputWidth);
    put(o, "output_shift", l.outputShift);
    put(o, "quantization", l.quantization);
    put(o, "write_gap", l.writeGap);
    put(o, "output_layer", l.outputLayer);
    put(o, "streaming", l.streaming);
    put(o, "calcx4", l.calcx4);
    put(o, "readahead", l.readahead);
    put(o, "tcalc", l.tcalc);
    put(o, "bias_groups", l.biasGroups);
    putOpt(o, "simulated_sequence", l.simulatedSequence);
    putOpt(o, "snoop_sequence", l.snoopSequence);
    putOpt(o, "weight_source", l.weightSource);
    putOpt(o, "buffer_shift", l.bufferShift);
    putOpt(o, "buffer_insert", l.bufferInsert);
    layers.push_back(std::move(o));
  }
  root["layers"] = std::move(layers);
  llvm::json::Array warnings;
  for (const ConfigWarning &w : net.warnings)
    warnings.push_back(w.loc.str() + ": warning: " + w.message);
  root["warnings"] = std::move(warnings);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}
