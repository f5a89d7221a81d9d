//===- tornadoc.cpp - izer-compatible Tornado driver
//-----------------------===//
//
// Accepts ai8xize.py's command line so users switch with one word:
//
//   tornadoc --test-dir out --prefix mnist --checkpoint-file ck.pth.tar \
//            --config-file net.yaml --device MAX78000 --softmax ...
//
// Phases: import (YAML + weights + sample input) -> placement passes ->
// lowering to the register-level program -> C emission, plus the reference
// interpreter for the known answer. Beyond the izer: --timing,
// --emit-ir-after=PASS, and a per-layer report after every compile.
//
//===----------------------------------------------------------------------===//

#include "CompatFlags.h"
#include "Report.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "tornado/Dialect/HW/IR/HWDialect.h"
#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Emit/EmitC.h"
#include "tornado/Import/ImportNetwork.h"
#include "tornado/Interpreter/Executor.h"
#include "tornado/Support/Npy.h"
#include "tornado/Tools/ToolSupport.h"
#include "tornado/Transforms/MemoryMapView.h"
#include "tornado/Transforms/Passes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace tornado;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory izerCat("izer-compatible options");
cl::OptionCategory tornadoCat("Tornado options");

template <typename T> using Opt = cl::opt<T>;

// Inputs and outputs.
Opt<std::string> configFile("config-file", cl::desc("YAML network description"),
                            cl::value_desc("file"), cl::cat(izerCat));
Opt<std::string> checkpointFile(
    "checkpoint-file",
    cl::desc("Quantized checkpoint (.pth.tar) or ONNX model (.onnx)"),
    cl::value_desc("file"), cl::cat(izerCat));
Opt<std::string> sampleInput("sample-input", cl::desc("Sample input (.npy)"),
                             cl::value_desc("file"), cl::cat(izerCat));
Opt<std::string> device("device", cl::desc("MAX78000 (85) or MAX78002 (87)"),
                        cl::init("MAX78000"), cl::cat(izerCat));
Opt<bool> ai85("ai85", cl::desc("Same as --device MAX78000"), cl::cat(izerCat));
Opt<std::string> testDir("test-dir", cl::desc("Output folder"),
                         cl::value_desc("dir"), cl::init("."),
                         cl::cat(izerCat));
Opt<std::string> prefix("prefix", cl::desc("Project name (a subfolder)"),
                        cl::value_desc("name"), cl::cat(izerCat));
Opt<std::string> boardName("board-name",
                           cl::desc("MSDK board the project builds for"),
                           cl::init(""), cl::cat(izerCat));
Opt<std::string> define("define", cl::desc("Preprocessor definitions (\"A B\")"),
                        cl::cat(izerCat));
Opt<std::string> defineArm("define-default-arm",
                           cl::desc("Definitions for Arm code"),
                           cl::cat(izerCat));
Opt<std::string> defineRiscv("define-default-riscv",
                             cl::desc("Definitions for RISC-V code"),
                             cl::cat(izerCat));
Opt<std::string> cFilename("c-filename", cl::desc("Main file (without .c)"),
                           cl::init("main"), cl::cat(izerCat));
Opt<std::string> apiFilename("api-filename", cl::desc("API file"),
                             cl::init("cnn.c"), cl::cat(izerCat));
Opt<std::string> weightFilename("weight-filename", cl::desc("Weights header"),
                                cl::init("weights.h"), cl::cat(izerCat));
Opt<std::string> sampleFilename("sample-filename",
                                cl::desc("Sample input header"),
                                cl::init("sampledata.h"), cl::cat(izerCat));
Opt<std::string> sampleOutputFilename("sample-output-filename",
                                      cl::desc("Known-answer header"),
                                      cl::init("sampleoutput.h"),
                                      cl::cat(izerCat));
// Clocks and power.
Opt<bool> pll("pll", cl::desc("CNN clock from the PLL (MAX78002 default)"),
              cl::cat(izerCat));
Opt<bool> noPll("no-pll", cl::desc("CNN clock from the APB clock"),
                cl::cat(izerCat));
cl::alias apb("apb", cl::aliasopt(noPll), cl::desc("Same as --no-pll"),
              cl::cat(izerCat));
Opt<bool> balanceSpeed("balance-speed",
                       cl::desc("Load at a slower PLL clock (default)"),
                       cl::cat(izerCat));
Opt<bool> maxSpeed("max-speed", cl::desc("Run at the full clock throughout"),
                   cl::cat(izerCat));
Opt<unsigned> clockDivider("clock-divider",
                           cl::desc("CNN clock divider (1, 2, 4, 8, 16)"),
                           cl::init(0), cl::cat(izerCat));
Opt<int> switchDelay("switch-delay",
                     cl::desc("Milliseconds to wait for the load switches"),
                     cl::init(-1), cl::cat(izerCat));
Opt<bool> noWfi("no-wfi", cl::desc("Spin instead of sleeping while inferring"),
                cl::cat(izerCat));
Opt<bool> deepSleep("deepsleep",
                    cl::desc("Arm core in deep sleep while RISC-V runs"),
                    cl::cat(izerCat));
Opt<unsigned> debugWait("debugwait",
                        cl::desc("Seconds to wait for a debugger at start"),
                        cl::init(2), cl::cat(izerCat));
Opt<std::string> clockTrim("clock-trim",
                           cl::desc("Oscillator trims A,B,C (0 keeps one)"),
                           cl::cat(izerCat));
Opt<bool> allowStreaming(
    "allow-streaming",
    cl::desc("Compile a streaming first layer without the FIFOs"),
    cl::cat(izerCat));
Opt<std::string> weightInput("weight-input",
                             cl::desc("Weights of an arch: test network"),
                             cl::value_desc("file.npy"), cl::cat(izerCat));
Opt<std::string> biasInput("bias-input",
                           cl::desc("Bias of an arch: test network"),
                           cl::value_desc("file.npy"), cl::cat(izerCat));
Opt<std::string> inputOffset("input-offset",
                             cl::desc("in_offset of the first layer (bytes)"),
                             cl::cat(izerCat));
Opt<bool> ignoreBn("ignore-bn",
                   cl::desc("Skip unfolded batch-norm weights in the "
                            "checkpoint"),
                   cl::cat(izerCat));
Opt<std::string> sampleNumpyFilename(
    "sample-numpy-filename",
    cl::desc("Also save the expected output as .npy in the project"),
    cl::cat(izerCat));
Opt<bool> noFifoWait("no-fifo-wait",
                     cl::desc("Push FIFO words without checking for room"),
                     cl::cat(izerCat));
Opt<std::string> eclipseIncludes(
    "eclipse-includes", cl::desc("Extra Eclipse include paths (CDT XML)"),
    cl::cat(izerCat));
Opt<std::string> eclipseOpenocdArgs(
    "eclipse-openocd-args", cl::desc("OpenOCD arguments of the Eclipse launch"),
    cl::cat(izerCat));
Opt<std::string> noBias("no-bias",
                        cl::desc("Drop the bias of these layers (a comma "
                                 "list; all without one)"),
                        cl::ValueOptional, cl::value_desc("list"),
                        cl::cat(izerCat));
Opt<bool> ignoreStreaming("ignore-streaming",
                          cl::desc("No layer streams"), cl::cat(izerCat));
Opt<std::string> streamingLayers("streaming-layers",
                                 cl::desc("These layers stream (a comma list)"),
                                 cl::value_desc("list"), cl::cat(izerCat));
Opt<bool> ignoreActivation("ignore-activation",
                           cl::desc("Drop every layer's activation"),
                           cl::cat(izerCat));
Opt<bool> noErrorStop("no-error-stop",
                      cl::desc("Data overlaps are warnings, not errors"),
                      cl::cat(izerCat));
Opt<bool> verifyWrites("verify-writes",
                       cl::desc("Read back every configuration store"),
                       cl::cat(izerCat));
Opt<bool> verifyKernels("verify-kernels",
                        cl::desc("Generate cnn_verify_weights()"),
                        cl::cat(izerCat));
Opt<std::string> overrideStart("override-start",
                                cl::desc("First layer's stream start"),
                                cl::cat(izerCat));
Opt<std::string> overrideRollover("override-rollover",
                                   cl::desc("First layer's rollover"),
                                   cl::cat(izerCat));
Opt<std::string> overrideDelta1("override-delta1",
                                 cl::desc("First layer's stream delta 1"),
                                 cl::cat(izerCat));
Opt<std::string> overrideDelta2("override-delta2",
                                 cl::desc("First layer's stream delta 2"),
                                 cl::cat(izerCat));
Opt<bool> oneShot("one-shot",
                  cl::desc("One layer per start (MAX78002)"),
                  cl::cat(izerCat));
Opt<bool> forever("forever",
                  cl::desc("After the checked inference, infer forever"),
                  cl::cat(izerCat));
Opt<bool> stopStart("stop-start",
                    cl::desc("Stop and continue once after starting"),
                    cl::cat(izerCat));
// Code shape.
Opt<bool> softmax("softmax", cl::desc("Run softmax on the output"),
                  cl::cat(izerCat));
Opt<bool> fifo("fifo", cl::desc("Load the input through the FIFOs"),
               cl::cat(izerCat));
Opt<bool> fastFifo("fast-fifo", cl::desc("Use the fast FIFO (RISC-V)"),
                   cl::cat(izerCat));
Opt<bool> riscv("riscv", cl::desc("Drive the accelerator from RISC-V"),
                cl::cat(izerCat));
Opt<bool> riscvDebug("riscv-debug", cl::desc("RISC-V debug support"),
                     cl::cat(izerCat));
Opt<bool> riscvFlash("riscv-flash", cl::desc("RISC-V input data in flash"),
                     cl::cat(izerCat));
Opt<bool> noRiscvFlash("no-riscv-flash",
                       cl::desc("RISC-V input data in SRAM"),
                       cl::cat(izerCat));
Opt<bool> riscvCache("riscv-cache",
                     cl::desc("RISC-V code from flash through the cache"),
                     cl::cat(izerCat));
Opt<bool> noRiscvCache("no-riscv-cache",
                       cl::desc("RISC-V code from SRAM"), cl::cat(izerCat));
Opt<bool> riscvExclusive("riscv-exclusive",
                         cl::desc("RISC-V uses the SRAM exclusively"),
                         cl::cat(izerCat));
Opt<bool> mexpress("mexpress", cl::desc("Express kernel loading (default)"),
                   cl::cat(izerCat));
Opt<bool> noMexpress("no-mexpress", cl::desc("Plain kernel loading"),
                     cl::cat(izerCat));
Opt<bool> compactData("compact-data", cl::desc("memcpy input (default)"),
                      cl::cat(izerCat));
Opt<bool> noCompactData("no-compact-data", cl::desc("Inline input stores"),
                        cl::cat(izerCat));
Opt<bool> newKernelLoader("new-kernel-loader",
                          cl::desc("One KERNELS table (default)"),
                          cl::cat(izerCat));
Opt<bool> oldKernelLoader("old-kernel-loader",
                          cl::desc("One kernel array per processor"),
                          cl::cat(izerCat));
Opt<bool> mlator("mlator", cl::desc("Unload through the byte swapper"),
                 cl::cat(izerCat));
Opt<bool> unload("unload", cl::desc("Generate cnn_unload (default)"),
                 cl::cat(izerCat));
Opt<bool> noUnload("no-unload", cl::desc("No cnn_unload"), cl::cat(izerCat));
Opt<bool> noKat("no-kat", cl::desc("No known-answer test"), cl::cat(izerCat));
Opt<std::string> timer("timer", cl::desc("Timer measuring the inference"),
                       cl::value_desc("n"), cl::cat(izerCat));
Opt<bool> noTimer("no-timer", cl::desc("No timer"), cl::cat(izerCat));
Opt<std::string> boost("boost", cl::desc("Boost circuit port.pin"),
                       cl::value_desc("port.pin"), cl::cat(izerCat));
Opt<unsigned> maxCheckLines("max-checklines",
                            cl::desc("Known-answer words to check"),
                            cl::init(0), cl::cat(izerCat));
cl::alias maxVerifyLength("max-verify-length", cl::aliasopt(maxCheckLines),
                          cl::cat(izerCat));
Opt<bool> overlapData("overlap-data", cl::desc("Allow layers' data to overlap"),
                      cl::cat(izerCat));
Opt<bool> zeroSram("zero-sram",
                   cl::desc("Rely on the memory self-test to "
                            "zero kernels"),
                   cl::cat(izerCat));
Opt<bool> energy("energy", cl::desc("Measure energy"), cl::cat(izerCat));
Opt<bool> avgPoolRounding("avg-pool-rounding",
                          cl::desc("Round 2-D average pooling (recorded in "
                                   "the IR at import)"),
                          cl::cat(izerCat));
Opt<unsigned> outputWidth("output-width",
                          cl::desc("Final layer output width (8 or 32)"),
                          cl::init(0), cl::cat(izerCat));
Opt<unsigned> startLayer("start-layer", cl::desc("First layer to run"),
                         cl::init(0), cl::cat(izerCat));
// libLLVM already owns --stop-after; main() renames the izer's spelling.
Opt<int> stopAfter("izer-stop-after",
                   cl::desc("Last layer to run (--stop-after)"), cl::init(-1),
                   cl::cat(izerCat));
Opt<unsigned> weightStart("weight-start",
                          cl::desc("First kernel-memory column"), cl::init(0),
                          cl::cat(izerCat));
Opt<bool> noDeduplicateWeights("no-deduplicate-weights",
                               cl::desc("Store identical kernels twice"),
                               cl::cat(izerCat));
Opt<bool> pipelineOpt("pipeline", cl::desc("Pipelined CNN clock (default)"),
                      cl::cat(izerCat));
Opt<bool> noPipeline("no-pipeline", cl::desc("Unpipelined CNN clock"),
                     cl::cat(izerCat));
Opt<bool> powerdown("powerdown",
                    cl::desc("Power down the memories of unused groups"),
                    cl::cat(izerCat));
Opt<bool> fifoGo("fifo-go",
                 cl::desc("Start the first layer before the first FIFO word"),
                 cl::cat(izerCat));
Opt<bool> linkLayer("link-layer",
                    cl::desc("Link every layer to the next (MAX78002)"),
                    cl::cat(izerCat));
Opt<int> increaseStart("increase-start",
                       cl::desc("Added to later streaming layers' prefill "
                                "(MAX78000)"),
                       cl::init(2), cl::cat(izerCat));
Opt<int> increaseDelta1("increase-delta1",
                        cl::desc("Added to later streaming layers' delta 1"),
                        cl::init(0), cl::cat(izerCat));
Opt<int> increaseDelta2("increase-delta2",
                        cl::desc("Added to later streaming layers' delta 2"),
                        cl::init(0), cl::cat(izerCat));
Opt<bool> fixedInput("fixed-input",
                     cl::desc("Load alternating 0x55/0xaa words as input"),
                     cl::cat(izerCat));
Opt<std::string> synthesizeInput(
    "synthesize-input",
    cl::desc("Store only the first FIFO words and add N per later block"),
    cl::value_desc("N"), cl::cat(izerCat));
Opt<unsigned> synthesizeWords("synthesize-words",
                              cl::desc("Words per synthesized block"),
                              cl::init(8), cl::cat(izerCat));
Opt<bool> calcx4All("calcx4", cl::desc("calcx4 on every layer (MAX78002)"),
                    cl::cat(izerCat));
Opt<bool> readAheadAll("read-ahead",
                       cl::desc("Read-ahead on every layer (MAX78002)"),
                       cl::cat(izerCat));
Opt<bool> writeZeroRegisters("write-zero-registers",
                             cl::desc("Also write registers whose value is 0"),
                             cl::cat(izerCat));
// Diagnostics and housekeeping (accepted; Tornado has nothing to do for
// them or prints its report anyway).
Opt<bool> verbose("verbose", cl::desc("Print the per-layer report"),
                  cl::cat(izerCat));
Opt<bool> displayCheckpoint("display-checkpoint",
                            cl::desc("Print the weight summary"),
                            cl::cat(izerCat));
Opt<bool> logOpt("log", cl::desc("Accepted for compatibility"),
                 cl::cat(izerCat));
Opt<bool> overwrite("overwrite", cl::desc("Overwrite the output folder"),
                    cl::cat(izerCat));
Opt<bool> noVersionCheck("no-version-check",
                         cl::desc("Accepted for compatibility"),
                         cl::cat(izerCat));
// The izer's update check on GitHub, progress bars and YAML linter: tornadoc
// has none of them (its YAML reader reports every error with its location),
// so these change nothing.
Opt<unsigned> versionCheckInterval("version-check-interval",
                                   cl::desc("Accepted for compatibility"),
                                   cl::value_desc("hours"), cl::cat(izerCat));
Opt<std::string> upstream("upstream", cl::desc("Accepted for compatibility"),
                          cl::value_desc("repo"), cl::cat(izerCat));
Opt<std::string> yamllint("yamllint", cl::desc("Accepted for compatibility"),
                          cl::value_desc("linter"), cl::cat(izerCat));
Opt<bool> noProgress("no-progress", cl::desc("Accepted for compatibility"),
                     cl::cat(izerCat));

// Tornado's own.
Opt<bool> timing("timing", cl::desc("Print the time of every phase"),
                 cl::cat(tornadoCat));
cl::list<std::string>
    emitIrAfter("emit-ir-after",
                cl::desc("Write the IR after this pass (or 'import') to "
                         "<out>/ir-after-<pass>.mlir"),
                cl::value_desc("pass"), cl::cat(tornadoCat));
cl::list<std::string> searchDirs(
    "search-dir",
    cl::desc("Where tests/sample_*.npy and test-network weights are found"),
    cl::value_desc("dir"), cl::cat(tornadoCat));
Opt<bool> noReport("no-report", cl::desc("Do not print the layer report"),
                   cl::cat(tornadoCat));
Opt<std::string>
    memoryMap("memory-map",
              cl::desc("Draw data and kernel memory after placement (SVG; "
                       "also when placement or the hazard check fails)"),
              cl::value_desc("file.svg"), cl::cat(tornadoCat));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "tornadoc") << message << "\n";
  return 1;
}

llvm::Error writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "%s: %s", path.str().c_str(),
                                   ec.message().c_str());
  os << text;
  return llvm::Error::success();
}

/// Parses a comma-separated list of layer numbers (--no-bias,
/// --streaming-layers) into `layers`; false after reporting a bad list.
bool parseLayerList(llvm::StringRef flag, llvm::StringRef text,
                    std::vector<int64_t> &layers) {
  llvm::SmallVector<llvm::StringRef> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef item : items) {
    int64_t layer;
    if (item.trim().getAsInteger(10, layer)) {
      fail("--" + flag +
           " expects a comma-separated list of layer numbers, not '" + text +
           "'");
      return false;
    }
    layers.push_back(layer);
  }
  return true;
}

/// What --emit-ir-after may name: the import and every pass tornadoc runs.
// The assignment passes run when the YAML leaves placement keys out.
const char *const kDumpPoints[] = {
    "import",           "tornado-assign-processors", "tornado-assign-offsets",
    "tornado-place-kernels", "tornado-place-bias",   "tornado-check-hazards",
    "tornado-lower-to-hw"};

llvm::Error writeIR(Operation *op, llvm::StringRef path) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  return writeFile(path, text);
}

/// Writes the whole module after each pass --emit-ir-after names to
/// <out>/ir-after-<pass>.mlir.
class IRDumper : public PassInstrumentation {
public:
  explicit IRDumper(std::function<std::string(llvm::StringRef)> path)
      : path(std::move(path)) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    if (!llvm::is_contained(emitIrAfter, pass->getArgument()))
      return;
    while (Operation *parent = op->getParentOp())
      op = parent;
    std::string file =
        path(("ir-after-" + pass->getArgument() + ".mlir").str());
    if (llvm::Error e = writeIR(op, file))
      llvm::WithColor::error(llvm::errs(), "tornadoc")
          << llvm::toString(std::move(e)) << "\n";
  }

private:
  std::function<std::string(llvm::StringRef)> path;
};

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  registerTornadoPasses();
  cl::OptionCategory compatCat("izer flags without effect or refused");
  driver::registerCompatFlags(compatCat);
  setUpToolCommandLine({&izerCat, &compatCat, &tornadoCat});
  // izer flags whose names LLVM's own options already use.
  std::vector<std::string> argStorage(argv, argv + argc);
  for (std::string &arg : argStorage)
    if (arg == "--stop-after" ||
        llvm::StringRef(arg).starts_with("--stop-after="))
      arg.replace(0, 2, "--izer-");
  // `--no-bias` takes an optional list as its own argument (argparse's
  // nargs='?'); LLVM's parser wants `--no-bias=LIST`.
  for (size_t i = 0; i + 1 < argStorage.size(); ++i)
    if (argStorage[i] == "--no-bias" && !argStorage[i + 1].empty() &&
        llvm::all_of(argStorage[i + 1],
                     [](char c) { return llvm::isDigit(c) || c == ','; })) {
      argStorage[i] += "=" + argStorage[i + 1];
      argStorage.erase(argStorage.begin() + i + 1);
    }
  std::vector<const char *> args;
  for (const std::string &arg : argStorage)
    args.push_back(arg.c_str());
  cl::ParseCommandLineOptions(
      args.size(), args.data(),
      "Tornado: compile a CNN for the MAX78000/MAX78002 (ai8xize.py "
      "compatible)\n");
  if (configFile.empty())
    return fail("--config-file is required");
  if (std::optional<std::string> what = driver::refusedCompatFlag())
    return fail(*what + " is not produced by this version of tornadoc");
  if (ai85) {
    if (device.getNumOccurrences())
      return fail("--ai85 and --device both choose the device");
    device = "MAX78000";
  }
  for (const std::string &name : emitIrAfter)
    if (!llvm::is_contained(kDumpPoints, name))
      return fail(
          "--emit-ir-after=" + name +
          ": tornadoc runs no such pass; "
          "choose one of " +
          llvm::join(std::begin(kDumpPoints), std::end(kDumpPoints), ", "));
  // The izer's argument parser refuses these pairs (mutually exclusive).
  for (auto [yes, no, name] :
       {std::tuple<bool, bool, StringRef>{mexpress, noMexpress, "mexpress"},
        {unload, noUnload, "unload"},
        {pipelineOpt, noPipeline, "pipeline"},
        {compactData, noCompactData, "compact-data"},
        {pll, noPll, "pll"},
        {riscvFlash, noRiscvFlash, "riscv-flash"},
        {riscvCache, noRiscvCache, "riscv-cache"}})
    if (yes && no)
      return fail("--" + name + " and --no-" + name +
                  " contradict each other");
  if (newKernelLoader && oldKernelLoader)
    return fail(
        "--new-kernel-loader and --old-kernel-loader contradict each other");
  if (maxSpeed && (balanceSpeed || clockDivider.getNumOccurrences()))
    return fail(std::string("--max-speed and --") +
                (balanceSpeed ? "balance-speed" : "clock-divider") +
                " contradict each other");
  // As in the izer, any RISC-V setting makes a RISC-V program; the code
  // runs through the cache unless the command line says otherwise.
  bool useRiscv = riscv || riscvDebug || riscvFlash || riscvCache ||
                  riscvExclusive;
  if (riscv && noRiscvCache)
    return fail("--riscv needs the RISC-V cache (--no-riscv-cache runs "
                "code from SRAM, which embedded projects do not support)");
  if (fastFifo && !riscv && !riscvDebug)
    return fail("--fast-fifo requires --riscv (the fast FIFO is the RISC-V "
                "core's)");
  // The izer measures energy with the power monitor instead of a timer.
  int timerNumber = -1;
  if (!noTimer && !timer.empty() && !energy &&
      (llvm::StringRef(timer).getAsInteger(10, timerNumber) || timerNumber < 0))
    return fail("--timer expects a timer number, not '" + timer + "'");

  // --synthesize-input takes C-style numbers (0x2580), as the izer does.
  bool synthesize = !synthesizeInput.empty();
  int64_t synthesizeStep = 0;
  if (synthesize &&
      llvm::StringRef(synthesizeInput).getAsInteger(0, synthesizeStep))
    return fail("--synthesize-input expects a number, not '" + synthesizeInput +
                "'");
  if (synthesize && synthesizeWords == 0)
    return fail("--synthesize-words must be positive");

  DefaultTimingManager tm;
  tm.setEnabled(timing);
  TimingScope root = tm.getRootScope();

  MLIRContext context;
  context.loadDialect<TornadoDialect, hw::TornadoHWDialect>();
  // Diagnostics point at the YAML (or ONNX node); the generic form of the
  // failing op would bury them (--emit-ir-after shows the IR).
  context.printOpOnDiagnostic(false);
  // Instrumentations see passes in order only when they run on one thread.
  if (!emitIrAfter.empty())
    context.disableMultithreading();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  SmallString<256> outDir(testDir);
  if (!prefix.empty())
    llvm::sys::path::append(outDir, prefix);
  // Like the izer, never write into an existing project unless asked to.
  if (!prefix.empty() && llvm::sys::fs::exists(outDir) && !overwrite)
    return fail("the target folder " + outDir +
                " exists; use --overwrite to proceed");
  // A project folder this run creates is removed again when the run fails,
  // so bad input leaves no half-written project behind (unless it holds IR
  // dumps asked for to debug the failure).
  const bool createdOutDir =
      !llvm::sys::fs::exists(outDir) && emitIrAfter.empty();
  if (std::error_code ec = llvm::sys::fs::create_directories(outDir))
    return fail(outDir + ": " + ec.message());
  bool completed = false;
  auto removeOnFailure = llvm::make_scope_exit([&] {
    if (createdOutDir && !completed)
      llvm::sys::fs::remove_directories(outDir);
  });
  auto outPath = [&](llvm::StringRef name) {
    SmallString<256> p(outDir);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };

  // Import.
  OwningOpRef<ModuleOp> module;
  {
    TimingScope t = root.nest("import");
    std::string err;
    auto file = openInputFile(configFile, &err);
    if (!file)
      return fail(err);
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    ImportOptions options;
    options.checkpointFile = checkpointFile;
    options.sampleInputFile = sampleInput;
    options.device = device;
    options.startLayer = startLayer;
    options.stopAfter = stopAfter;
    options.outputWidth = outputWidth;
    options.avgPoolRounding = avgPoolRounding;
    options.synthesizeInput = synthesizeStep;
    options.synthesizeWords = synthesize ? synthesizeWords : 0;
    options.searchDirs.assign(searchDirs.begin(), searchDirs.end());
    options.weightInputFile = weightInput;
    options.biasInputFile = biasInput;
    options.ignoreBatchNorm = ignoreBn;
    options.ignoreStreaming = ignoreStreaming;
    options.ignoreActivation = ignoreActivation;
    if (!parseLayerList("streaming-layers", streamingLayers,
                        options.streamingLayers))
      return 1;
    if (noBias.getNumOccurrences() &&
        !parseLayerList("no-bias", noBias, options.noBias.emplace()))
      return 1;
    if (!inputOffset.empty()) {
      int64_t offset;
      // C-style numbers (0x100), as the izer reads them.
      if (llvm::StringRef(inputOffset).getAsInteger(0, offset))
        return fail("--input-offset expects a number, not '" + inputOffset +
                    "'");
      options.inputOffset = offset;
    }
    module = importNetwork(sourceMgr, &context, options);
    if (!module)
      return 1;
  }
  NetworkOp network;
  module->walk([&](NetworkOp n) { network = n; });
  // --calcx4 / --read-ahead switch the feature on for every layer.
  if (calcx4All || readAheadAll) {
    network.walk([&](LayerOp layer) {
      if (calcx4All)
        layer.setCalcx4(true);
      if (readAheadAll)
        layer.setReadahead(true);
    });
    if (failed(verify(network)))
      return 1;
  }
  // calcx4 kernels need the new kernel loader; the izer switches to it.
  bool useOldKernelLoader = oldKernelLoader;
  if (useOldKernelLoader && network
                                .walk([](LayerOp layer) {
                                  return layer.getCalcx4()
                                             ? WalkResult::interrupt()
                                             : WalkResult::advance();
                                })
                                .wasInterrupted()) {
    llvm::WithColor::warning(llvm::errs(), "tornadoc")
        << "using the new kernel loader: --old-kernel-loader cannot load "
           "calcx4 kernels\n";
    useOldKernelLoader = false;
  }
  if (llvm::is_contained(emitIrAfter, "import"))
    if (llvm::Error e = writeIR(*module, outPath("ir-after-import.mlir")))
      return fail(llvm::toString(std::move(e)));

  // Placement passes.
  {
    TimingScope t = root.nest("passes");
    PassManager pm(&context, ModuleOp::getOperationName(),
                   OpPassManager::Nesting::Implicit);
    pm.enableTiming(t);
    // A network whose layers leave placement keys out is placed here: what
    // the YAML gives is pinned, the passes choose the rest.
    bool autoPlace = network
                         .walk([](LayerOp layer) {
                           return !layer.getProcessors() ||
                                          !layer.getOutputProcessors() ||
                                          !layer.getInOffset() ||
                                          !layer.getOutOffset()
                                      ? WalkResult::interrupt()
                                      : WalkResult::advance();
                         })
                         .wasInterrupted();
    std::string pipeline =
        std::string(autoPlace
                        ? "tornado-assign-processors,tornado-assign-offsets,"
                        : "") +
        llvm::formatv("tornado-place-kernels{{weight-start={0} "
                      "new-kernel-loader={1} deduplicate={2}},"
                      "tornado-place-bias",
                      weightStart.getValue(),
                      useOldKernelLoader ? "false" : "true",
                      noDeduplicateWeights ? "false" : "true")
            .str();
    // --overlap-data turns overlaps into warnings; the instance-size and
    // CHW checks still stop the build (as in the izer).
    pipeline += overlapData || noErrorStop
                    ? ",tornado-check-hazards{overlap-data=true}"
                    : ",tornado-check-hazards";
    if (failed(parsePassPipeline("tornado.network(" + pipeline + ")", pm)))
      return fail("cannot build the pass pipeline '" + pipeline + "'");
    if (!emitIrAfter.empty())
      pm.addInstrumentation(std::make_unique<IRDumper>(outPath));
    LogicalResult placed = pm.run(*module);
    if (!memoryMap.empty()) {
      std::string err;
      std::unique_ptr<llvm::ToolOutputFile> file =
          openOutputFile(memoryMap, &err);
      if (!file)
        return fail(memoryMap + ": " + err);
      if (failed(writeMemoryMapSvg(network, file->os())))
        return 1;
      file->keep();
    }
    if (failed(placed))
      return 1;
  }

  // The interpreter's result for the sample input: the report shows it and
  // the lowering turns it into the known answer.
  std::vector<interp::Tensor> results;
  {
    TimingScope t = root.nest("interpret");
    llvm::Expected<std::vector<interp::Tensor>> r =
        interp::runNetwork(network, {});
    if (!r)
      return fail(llvm::toString(r.takeError()));
    results = std::move(*r);
  }
  // The placed IR goes into the project with the C files, after the
  // lowering succeeded: a failed run leaves an existing project as it was.
  std::string placedIR;
  {
    llvm::raw_string_ostream os(placedIR);
    module->print(os);
  }
  // --sample-numpy-filename: the expected output (the network's final
  // result, as the izer saves its last checked layer), written with the
  // project below.
  std::optional<NpyArray> expectedOutput;
  if (!sampleNumpyFilename.empty() && !noKat && !results.empty())
    expectedOutput = HostTensor::fromValues<int64_t>(results.back().shape,
                                                    results.back().data);
  // The lowering replaces the network: report on it first.
  if (!noReport)
    driver::printReport(network, results, llvm::outs());
  // Lowering to the register-level program and C emission.
  {
    TimingScope t = root.nest("lower and emit");
    PassManager pm(&context, ModuleOp::getOperationName(),
                   OpPassManager::Nesting::Implicit);
    pm.enableTiming(t);
    LowerToHWOptions options;
    options.prefix = prefix.empty() ? "network" : prefix.getValue();
    options.fifo = fifo && !fastFifo;
    options.overlapData = overlapData;
    options.allowStreaming = allowStreaming;
    options.oneShot = oneShot;
    // C-style numbers, as the izer reads them.
    for (auto [flag, text, field] :
         {std::tuple<const char *, std::string, int64_t *>{
              "override-start", overrideStart, &options.overrideStart},
          {"override-rollover", overrideRollover, &options.overrideRollover},
          {"override-delta1", overrideDelta1, &options.overrideDelta1},
          {"override-delta2", overrideDelta2, &options.overrideDelta2}}) {
      if (text.empty())
        continue;
      int64_t v;
      if (llvm::StringRef(text).getAsInteger(0, v) || v < 0)
        return fail(std::string("--") + flag +
                    " expects a non-negative number, not '" + text + "'");
      *field = v;
    }
    options.verifyWrites = verifyWrites;
    options.verifyKernels = verifyKernels;
    options.fastFifo = fastFifo;
    options.compactData = !noCompactData;
    options.mexpress = !noMexpress;
    options.oldKernelLoader = useOldKernelLoader;
    options.timer = timerNumber;
    options.softmax = softmax;
    options.kat = !noKat;
    options.unload = !noUnload;
    // As in the izer, --riscv-debug implies --riscv (Debug_Init() itself is
    // written only into embedded code, -e).
    options.riscv = useRiscv;
    options.energy = energy;
    options.pipeline = !noPipeline;
    options.writeZeroRegisters = writeZeroRegisters;
    options.zeroSram = zeroSram;
    options.startLayer = startLayer;
    options.maxCheckLines = maxCheckLines;
    options.powerdown = powerdown;
    options.fifoGo = fifoGo;
    options.linkLayer = linkLayer;
    options.increaseStart = increaseStart;
    options.increaseDelta1 = increaseDelta1;
    options.increaseDelta2 = increaseDelta2;
    options.fixedInput = fixedInput;
    options.mlator = mlator;
    options.synthesizeInput = synthesizeStep;
    options.synthesizeWords = synthesize ? synthesizeWords : 0;
    // The known answer is the result the report showed: no second run.
    NetworkResults known;
    known[network.getSymName()] = std::move(results);
    pm.addPass(createLowerToHW(options, std::move(known)));
    if (!emitIrAfter.empty())
      pm.addInstrumentation(std::make_unique<IRDumper>(outPath));
    // What main() does around the program: clocks, power, board, files.
    ConfigureHostOptions host;
    host.pll = pll ? "on" : noPll ? "off" : "auto";
    host.pipeline = !noPipeline;
    host.maxSpeed = maxSpeed;
    host.clockDivider = clockDivider;
    host.switchDelay = switchDelay;
    host.boost = boost;
    host.wfi = !noWfi;
    host.deepSleep = deepSleep;
    host.debugWait = debugWait;
    host.clockTrim = clockTrim;
    // The izer's default follows the plain --riscv flag alone.
    host.riscvCache = riscvCache ? "on" : noRiscvCache || !riscv ? "off" : "on";
    host.riscvFlash = riscvFlash ? "on" : noRiscvFlash || !riscv ? "off" : "on";
    host.riscvExclusive = riscvExclusive;
    host.riscvDebug = riscvDebug;
    host.stopStart = stopStart;
    host.forever = forever;
    host.eclipseIncludes = eclipseIncludes;
    host.openocdArgs = eclipseOpenocdArgs;
    host.fifoWait = !noFifoWait;
    host.board = boardName;
    host.defines = define + " " + (useRiscv ? defineRiscv : defineArm);
    host.cFilename = cFilename;
    host.apiFilename = apiFilename;
    host.weightFilename = weightFilename;
    host.sampleFilename = sampleFilename;
    host.sampleOutputFilename = sampleOutputFilename;
    pm.nest<hw::ProgramOp>().addPass(createConfigureHost(host));
    if (failed(pm.run(*module)))
      return 1;
    TimingScope emitTiming = t.nest("emit C");
    if (failed(emit::emitC(*module, llvm::errs(), outDir)))
      return 1;
    if (llvm::Error e = writeFile(
            outPath(prefix.empty() ? "network.mlir" : prefix + ".mlir"),
            placedIR))
      return fail(llvm::toString(std::move(e)));
    if (expectedOutput) {
      std::string name = sampleNumpyFilename;
      if (!llvm::StringRef(name).ends_with(".npy"))
        name += ".npy";
      if (llvm::Error e = writeNpy(outPath(name), *expectedOutput))
        return fail(llvm::toString(std::move(e)));
    }
  }

  completed = true;
  return 0;
}
