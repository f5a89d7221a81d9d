//===- TestUtil.h - Helpers for the YAML network-config tests ---*- C++ -*-===//

#ifndef TORNADO_UNITTESTS_IMPORTYAML_TESTUTIL_H
#define TORNADO_UNITTESTS_IMPORTYAML_TESTUTIL_H

#include "tornado/Import/NetworkConfig.h"

#include "gtest/gtest.h"

#include <optional>
#include <string>

namespace tornado::netcfg::test {

/// A network with the usual global keys on lines 1-3; the first layer item
/// starts on line 4.
inline std::string net(const std::string &layers,
                       const std::string &arch = "test") {
  return "arch: " + arch + "\ndataset: t\nlayers:\n" + layers;
}

inline std::optional<NetworkConfig> parse(llvm::StringRef text) {
  llvm::Expected<NetworkConfig> config = parseNetworkConfig(text, "t.yaml");
  if (!config) {
    ADD_FAILURE() << llvm::toString(config.takeError());
    return std::nullopt;
  }
  return std::move(*config);
}

/// The error text of a file that must not parse.
inline std::string parseError(llvm::StringRef text) {
  llvm::Expected<NetworkConfig> config = parseNetworkConfig(text, "t.yaml");
  if (config)
    return "<parsed without error>";
  return llvm::toString(config.takeError());
}

/// `field` was written, as `key: value`.
template <typename T, typename V>
::testing::AssertionResult isWritten(const OptLocated<T> &field, const V &value,
                                     llvm::StringRef key) {
  if (!field)
    return ::testing::AssertionFailure() << "not written";
  if (field->value == value && field->key == key)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "written as `" << field->key << ": "
         << ::testing::PrintToString(field->value) << "`, expected `"
         << key.str() << ": " << ::testing::PrintToString(value) << "`";
}

/// `r` holds `value`, set the way `origin` says.
template <typename T, typename V>
::testing::AssertionResult isResolved(const Resolved<T> &r, const V &value,
                                      ValueOrigin origin) {
  if (r.value == value && r.origin == origin)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "holds " << ::testing::PrintToString(r.value) << " ("
         << stringifyValueOrigin(r.origin).str() << "), expected "
         << ::testing::PrintToString(value) << " ("
         << stringifyValueOrigin(origin).str() << ")";
}

inline ResolveOptions device(llvm::StringRef name = "MAX78000") {
  std::optional<ResolveOptions> options = ResolveOptions::forDevice(name);
  EXPECT_TRUE(options.has_value());
  return options.value_or(ResolveOptions());
}

/// Weight facts for a tensor of `shape` holding values in [-1, 1].
inline LayerWeightsInfo weightsOf(std::vector<int64_t> shape,
                                  std::optional<int64_t> bits = std::nullopt) {
  LayerWeightsInfo info;
  info.shape = std::move(shape);
  info.minValue = -1;
  info.maxValue = 1;
  info.anyZero = true;
  info.weightBits = bits;
  return info;
}

inline std::optional<ResolvedNetwork>
resolve(llvm::StringRef text, llvm::ArrayRef<LayerWeightsInfo> weights,
        const ResolveOptions &options) {
  std::optional<NetworkConfig> config = parse(text);
  if (!config)
    return std::nullopt;
  llvm::Expected<ResolvedNetwork> net =
      resolveNetworkConfig(*config, weights, options);
  if (!net) {
    ADD_FAILURE() << llvm::toString(net.takeError());
    return std::nullopt;
  }
  return std::move(*net);
}

inline std::string resolveError(llvm::StringRef text,
                                llvm::ArrayRef<LayerWeightsInfo> weights,
                                const ResolveOptions &options) {
  std::optional<NetworkConfig> config = parse(text);
  if (!config)
    return "<parse failed>";
  llvm::Expected<ResolvedNetwork> net =
      resolveNetworkConfig(*config, weights, options);
  if (net)
    return "<resolved without error>";
  return llvm::toString(net.takeError());
}

} // namespace tornado::netcfg::test

#endif // TORNADO_UNITTESTS_IMPORTYAML_TESTUTIL_H
