//===- CompatFlags.cpp - izer flags with nothing for tornadoc to do -------===//
//
// ai8xize.py has flags for its console log, its debugging and its RTL
// simulation output. tornadoc accepts the first two kinds (they change no
// generated file, or only the izer's own log) and recognises the others
// with a refusal that says why, so no izer command line stops at "unknown
// argument". docs/tornadoc.md lists every flag with its status.
//
//===----------------------------------------------------------------------===//

#include "CompatFlags.h"

#include "llvm/Support/CommandLine.h"

#include <deque>
#include <memory>
#include <vector>

using namespace tornado::driver;
namespace cl = llvm::cl;

namespace {

enum class Kind { Flag, Value, OptionalValue };

struct CompatFlag {
  const char *name;
  Kind kind;
  /// Accepted flags: why nothing changes. Refused flags: the reason.
  const char *note;
  bool refused;
};

// Flags that change nothing tornadoc writes.
const CompatFlag kFlags[] = {
    // The izer's console and log file; tornadoc prints its report instead.
    {"L", Kind::Flag, "izer log file (-L)", false},
    {"no-log", Kind::Flag, "izer log file", false},
    {"log-intermediate", Kind::Flag, "izer log of intermediate data", false},
    {"log-pooling", Kind::Flag, "izer log of pooling", false},
    {"short-log", Kind::Flag, "izer log length", false},
    {"log-last-only", Kind::Flag, "izer log length", false},
    {"verbose-all", Kind::Flag, "izer log length", false},
    {"log-filename", Kind::Value, "izer log file name", false},
    {"v", Kind::Flag, "izer console output (-v)", false},
    {"debug", Kind::Flag, "izer debug output", false},
    {"D", Kind::Flag, "izer debug output (-D)", false},
    {"debug-computation", Kind::Flag, "izer debug output", false},
    {"debug-latency", Kind::Flag, "izer debug output", false},
    {"no-warn-zero", Kind::Flag, "izer warning", false},
    {"ignore-energy-warning", Kind::Flag, "izer warning", false},
    {"ignore-mlator-warning", Kind::Flag, "izer warning", false},
    {"mlator-noverify", Kind::Flag, "unused by the izer", false},
    {"kernel-format", Kind::Value, "izer log format", false},
    // Already what tornadoc does.
    {"embedded-code", Kind::Flag, "embedded code is the default", false},
    {"e", Kind::Flag, "embedded code is the default (-e)", false},
    {"debug-new-streaming", Kind::Flag, "always on in the izer", false},
    // Only RTL-simulation output differs.
    {"compact-weights", Kind::Flag,
     "changes only RTL-simulation output (the new kernel loader ignores it)",
     false},
    {"slow-load", Kind::Value, "changes only RTL-simulation output", false},
    // Loop shapes of cnn_unload(); the bytes unloaded are the same.
    {"unroll-mlator", Kind::Value,
     "loop shape of cnn_unload (tornadoc chooses its own)", false},
    {"unroll-8bit", Kind::Value,
     "loop shape of cnn_unload (tornadoc chooses its own)", false},
    {"unroll-wide", Kind::Value,
     "loop shape of cnn_unload (tornadoc chooses its own)", false},
    // Relaxed checks: tornadoc's own checks stay on (an overlap is still
    // reported; --overlap-data makes it a warning).
    {"ignore-bias-groups", Kind::Flag,
     "tornadoc places bias itself and checks every group", false},

    // RTL simulation (issue 18).
    {"rtl", Kind::Flag, "RTL-simulation output", true},
    {"rtl-sim", Kind::Flag, "RTL-simulation output", true},
    {"rtl-preload", Kind::Flag, "RTL-simulation output", true},
    {"rtl-preload-weights", Kind::Flag, "RTL-simulation output", true},
    {"input-csv", Kind::Value, "RTL-simulation camera input", true},
    {"input-csv-format", Kind::Value, "RTL-simulation camera input", true},
    {"input-csv-retrace", Kind::Value, "RTL-simulation camera input", true},
    {"input-csv-period", Kind::Value, "RTL-simulation camera input", true},
    {"input-pix-clk", Kind::Value, "RTL-simulation camera input", true},
    {"input-sync", Kind::Flag, "RTL-simulation camera input", true},
    {"input-fifo", Kind::Flag, "RTL-simulation output", true},
    {"autogen", Kind::Value, "RTL-simulation test lists", true},
    {"autogen_list", Kind::Value, "RTL-simulation test lists", true},
    {"input-filename", Kind::Value, "RTL-simulation files", true},
    {"output-filename", Kind::Value, "RTL-simulation files", true},
    {"output-config-filename", Kind::Value, "RTL-simulation files", true},
    {"output-data-filename", Kind::Value, "RTL-simulation files", true},
    {"output-weights-filename", Kind::Value, "RTL-simulation files", true},
    {"output-bias-filename", Kind::Value, "RTL-simulation files", true},
    {"output-pass-filename", Kind::Value, "RTL-simulation files", true},
    {"runtest-filename", Kind::Value, "RTL-simulation files", true},
    {"top-level", Kind::Value, "RTL-simulation files", true},
    {"queue-name", Kind::Value, "RTL-simulation test queue", true},
    {"timeout", Kind::Value, "RTL-simulation time-out", true},
    {"result-output", Kind::Flag, "RTL-simulation memory dumps", true},
    {"legacy-test", Kind::Flag, "old RTL-simulation test bench", true},
    {"legacy-kernels", Kind::Flag, "old RTL-simulation kernel layout", true},
    {"test-bist", Kind::Flag, "RTL-simulation memory self-test", true},
    // Settings for reduced or experimental hardware that no chip has.
    {"max-proc", Kind::Value,
     "fewer processors than the device has (simulation of reduced "
     "configurations)",
     true},
    {"apb-base", Kind::Value,
     "a different accelerator base address (simulation only)", true},
    {"ready-sel", Kind::Value, "memory ready-select timing (simulation)",
     true},
    {"ready-sel-fifo", Kind::Value, "FIFO ready-select timing (simulation)",
     true},
    {"ready-sel-aon", Kind::Value,
     "always-on ready-select timing (simulation)", true},
    {"ext-rdy", Kind::Flag, "external ready signal (simulation)", true},
    {"simple1b", Kind::Flag,
     "the 1-bit XOR mode, which the known answer cannot model", true},
    {"pretend-zero-sram", Kind::Flag, "simulation of zeroed memories", true},
    {"debug-snoop", Kind::Flag, "snoop debugging (MAX78002)", true},
    {"snoop-loop", Kind::Flag, "snoop debugging (MAX78002)", true},
    {"fast-fifo-quad", Kind::Flag, "the x16 (QuPac) first layer", true},
    // Generated programs that do not work as the izer writes them.
    {"input-split", Kind::Value,
     "the izer writes the split input loader outside any function", true},
    {"zero-unused", Kind::Flag,
     "the izer clears the last layer's registers instead of unused ones",
     true},
    // Not yet in tornadoc.
    {"init-tram", Kind::Flag, "TRAM clearing in cnn_init", true},
    {"repeat-layers", Kind::Value, "repeated layer programs", true},
    {"skip-checkpoint-layers", Kind::Value, "checkpoint layers skipped",
     true},
    {"skip-yaml-layers", Kind::Value, "YAML layers skipped", true},
    {"reshape-inputs", Kind::Flag, "reshaped checkpoint inputs", true},
    {"ignore-hw-limits", Kind::Flag,
     "compiling layers the hardware cannot run (padded multi-pass Conv1d, "
     "multi-pass calcx4 on fewer than 4 groups)",
     true},
    {"eclipse-variables", Kind::Value,
     "no template of the izer uses it", false},
};

std::vector<std::unique_ptr<cl::Option>> &registered() {
  static std::vector<std::unique_ptr<cl::Option>> options;
  return options;
}

} // namespace

void tornado::driver::registerCompatFlags(cl::OptionCategory &category) {
  for (const CompatFlag &f : kFlags) {
    // cl::desc keeps a reference: the text must outlive the option.
    static std::deque<std::string> descriptions;
    const std::string &desc = descriptions.emplace_back(
        f.refused ? std::string("Refused: ") + f.note + " (not produced)"
                  : std::string("Accepted, no effect: ") + f.note);
    switch (f.kind) {
    case Kind::Flag:
      registered().push_back(std::make_unique<cl::opt<bool>>(
          llvm::StringRef(f.name), cl::desc(desc), cl::Hidden, cl::cat(category)));
      break;
    case Kind::Value:
      registered().push_back(std::make_unique<cl::opt<std::string>>(
          llvm::StringRef(f.name), cl::desc(desc), cl::Hidden, cl::cat(category)));
      break;
    case Kind::OptionalValue:
      registered().push_back(std::make_unique<cl::opt<std::string>>(
          llvm::StringRef(f.name), cl::desc(desc), cl::ValueOptional, cl::Hidden,
          cl::cat(category)));
      break;
    }
  }
}

std::optional<std::string> tornado::driver::refusedCompatFlag() {
  for (size_t i = 0; i < std::size(kFlags); ++i)
    if (kFlags[i].refused && registered()[i]->getNumOccurrences())
      return std::string(kFlags[i].name).size() == 1
                 ? "-" + std::string(kFlags[i].name)
                 : "--" + std::string(kFlags[i].name) + " (" +
                       kFlags[i].note + ")";
  return std::nullopt;
}
