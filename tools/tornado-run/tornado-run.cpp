//===- tornado-run.cpp - Tornado reference interpreter driver -------------===//
//
// Runs a tornado.network bit-exactly on .npy inputs and writes or prints the
// result:
//
//   tornado-run net.mlir --input sample.npy [--output out.npy] [--print]
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "tornado/Dialect/Tornado/IR/TornadoOps.h"
#include "tornado/Interpreter/Executor.h"
#include "tornado/KnownAnswer/KnownAnswer.h"
#include "tornado/Support/Npy.h"
#include "tornado/Tools/ToolSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include <chrono>

using namespace mlir;
using namespace tornado;

namespace cl = llvm::cl;

static cl::OptionCategory runCat("tornado-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                                      cl::init("-"), cl::cat(runCat));
static cl::list<std::string>
    inputNpy("input",
             cl::desc("Network input as .npy (one per argument; default: the "
                      "network's sample_input)"),
             cl::value_desc("file.npy"), cl::cat(runCat));
static cl::opt<std::string> outputNpy("output",
                                      cl::desc("Write the first result here"),
                                      cl::value_desc("file.npy"),
                                      cl::cat(runCat));
static cl::opt<bool> printResult("print",
                                 cl::desc("Print every result's values"),
                                 cl::cat(runCat));
static cl::opt<bool> printLayers("print-layers",
                                 cl::desc("Print each op's result shape and "
                                          "value range"),
                                 cl::cat(runCat));
static cl::opt<std::string>
    networkName("network", cl::desc("Network to run (default: the only one)"),
                cl::cat(runCat));
static cl::opt<std::string>
    katFile("kat",
            cl::desc("Write the known answer (sampleoutput.h) of the network's "
                     "results as the output layers leave them in data memory"),
            cl::value_desc("file"), cl::cat(runCat));
static cl::opt<std::string> checkKat(
    "check-kat",
    cl::desc("Compare the known answer with an existing sampleoutput.h; exit "
             "status 1 when they differ"),
    cl::value_desc("file"), cl::cat(runCat));
static cl::opt<unsigned> maxCheckLines(
    "max-checklines",
    cl::desc("Keep only the first N+1 words of the known answer (as the "
             "izer's --max-checklines)"),
    cl::init(0), cl::cat(runCat));
static cl::opt<bool> batch(
    "batch",
    cl::desc("The (single) input holds a batch along its first dimension: "
             "run the network once per item; --output then holds every "
             "item's first result, stacked"),
    cl::cat(runCat));
static cl::opt<bool>
    printStats("mac-stats",
               cl::desc("Print multiply-accumulates, run time and MAC/s"),
               cl::cat(runCat));
static cl::opt<unsigned>
    repeat("repeat",
           cl::desc("Run the network this many times (for --mac-stats)"),
           cl::init(1), cl::cat(runCat));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "tornado-run") << message << "\n";
  return 1;
}

static void printTensor(const interp::Tensor &t, llvm::raw_ostream &os) {
  os << "shape ";
  llvm::interleave(t.shape, os, "x");
  os << "\n";
  int64_t row = t.rank() ? t.shape.back() : 1;
  for (int64_t i = 0; i < t.size(); ++i) {
    os << t.data[i];
    os << ((i + 1) % row == 0 ? "\n" : " ");
  }
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  tornado::setUpToolCommandLine({&runCat});
  cl::ParseCommandLineOptions(argc, argv, "Tornado reference interpreter\n");

  MLIRContext context;
  context.loadDialect<TornadoDialect>();
  llvm::SourceMgr sourceMgr;
  std::string err;
  auto file = openInputFile(inputFile, &err);
  if (!file)
    return fail(err);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  NetworkOp network;
  unsigned count = 0;
  module->walk([&](NetworkOp net) {
    ++count;
    if (networkName.empty() || net.getSymName() == networkName)
      network = net;
  });
  if (!network)
    return fail(networkName.empty() ? "the module has no tornado.network"
                                    : "no network named '" + networkName + "'");
  if (networkName.empty() && count > 1)
    return fail("the module has several networks; choose one with --network");

  std::vector<interp::Tensor> inputs;
  for (const std::string &path : inputNpy) {
    llvm::Expected<NpyArray> array = readNpy(path);
    if (!array)
      return fail(llvm::toString(array.takeError()));
    llvm::Expected<std::vector<int64_t>> values = array->getInt64Values();
    if (!values)
      return fail(path + ": " + llvm::toString(values.takeError()));
    for (int64_t v : *values)
      if (v < -128 || v > 127)
        return fail(path + ": input value " + llvm::Twine(v) +
                    " is outside the 8-bit range [-128, 127]");
    inputs.emplace_back(array->getShape(), std::move(*values));
  }

  interp::ExecOptions options;
  if (printLayers)
    options.onResult = [](Operation *op, const interp::Tensor &t) {
      llvm::outs() << op->getName().getStringRef();
      if (auto layer = dyn_cast<LayerOp>(op))
        llvm::outs() << " \"" << layer.getName() << "\"";
      llvm::outs() << ": ";
      llvm::interleave(t.shape, llvm::outs(), "x");
      llvm::outs() << " min " << t.minValue() << " max " << t.maxValue()
                   << "\n";
    };
  if (batch) {
    if (inputs.size() != 1 || inputs[0].rank() < 2)
      return fail("--batch needs exactly one --input with a leading batch "
                  "dimension");
    interp::Tensor all = std::move(inputs[0]);
    SmallVector<int64_t> itemShape(ArrayRef(all.shape).drop_front());
    int64_t items = all.shape[0];
    int64_t itemSize = interp::Tensor::numElements(itemShape);
    std::vector<int64_t> stacked;
    SmallVector<int64_t> outShape{items};
    for (int64_t i = 0; i < items; ++i) {
      interp::Tensor item(
          itemShape,
          std::vector<int64_t>(all.data.begin() + i * itemSize,
                               all.data.begin() + (i + 1) * itemSize));
      llvm::Expected<std::vector<interp::Tensor>> results =
          interp::runNetwork(network, {item}, options);
      if (!results)
        return fail("item " + llvm::Twine(i) + ": " +
                    llvm::toString(results.takeError()));
      if (results->empty())
        return fail("the network has no result");
      const interp::Tensor &first = results->front();
      if (i == 0)
        outShape.append(first.shape.begin(), first.shape.end());
      stacked.insert(stacked.end(), first.data.begin(), first.data.end());
    }
    if (!outputNpy.empty())
      if (llvm::Error e = writeNpy(
              outputNpy, NpyArray::fromValues<int64_t>(outShape, stacked)))
        return fail(llvm::toString(std::move(e)));
    if (printResult)
      printTensor(interp::Tensor(outShape, std::move(stacked)), llvm::outs());
    return 0;
  }

  // Multiply-accumulates of a convolution or linear stage: every weight
  // is used once per output pixel.
  uint64_t macs = 0;
  if (printStats) {
    auto previous = options.onResult;
    options.onResult = [&, previous](Operation *op, const interp::Tensor &t) {
      if (previous)
        previous(op, t);
      auto weights = op->getAttrOfType<ElementsAttr>("weights");
      if (weights && t.rank() >= 1 && t.shape[0] > 0)
        macs += (uint64_t)weights.getNumElements() * (t.size() / t.shape[0]);
    };
  }
  auto start = std::chrono::steady_clock::now();
  llvm::Expected<std::vector<interp::Tensor>> results =
      interp::runNetwork(network, inputs, options);
  for (unsigned i = 1; results && i < repeat; ++i)
    results = interp::runNetwork(network, inputs, options);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!results)
    return fail(llvm::toString(results.takeError()));
  if (printStats)
    llvm::outs() << llvm::formatv(
        "MACs {0} per run, {1} run(s) in {2:f4} s: {3:f3} G MAC/s\n",
        macs / std::max(1u, (unsigned)repeat), (unsigned)repeat, seconds,
        seconds > 0 ? macs / seconds / 1e9 : 0.0);

  if (!katFile.empty() || !checkKat.empty()) {
    std::optional<unsigned> limit;
    if (maxCheckLines)
      limit = maxCheckLines;
    llvm::Expected<std::vector<kat::Record>> records =
        interp::knownAnswerFor(network, *results, limit);
    if (!records)
      return fail(llvm::toString(records.takeError()));
    if (!katFile.empty()) {
      std::error_code ec;
      llvm::raw_fd_ostream os(katFile, ec);
      if (ec)
        return fail(katFile + ": " + ec.message());
      os << kat::renderSampleOutput(*records);
    }
    if (!checkKat.empty()) {
      auto buffer = llvm::MemoryBuffer::getFile(checkKat);
      if (!buffer)
        return fail(checkKat + ": " + buffer.getError().message());
      llvm::Expected<std::vector<kat::Record>> expected =
          kat::parseSampleOutput((*buffer)->getBuffer());
      if (!expected)
        return fail(checkKat + ": " + llvm::toString(expected.takeError()));
      kat::Comparison cmp = kat::compare(*expected, *records);
      if (!cmp.equal()) {
        llvm::errs() << "known answer differs from " << checkKat << " at "
                     << cmp.differences << " address(es):\n"
                     << cmp.str();
        return 1;
      }
      llvm::outs() << "known answer matches " << checkKat << " ("
                   << kat::wordCount(*records) << " words)\n";
    }
  }

  if (printResult)
    for (const interp::Tensor &t : *results)
      printTensor(t, llvm::outs());
  if (!outputNpy.empty()) {
    if (results->empty())
      return fail("the network has no result to write");
    const interp::Tensor &t = results->front();
    NpyArray array = NpyArray::fromValues<int64_t>(t.shape, t.data);
    if (llvm::Error e = writeNpy(outputNpy, array))
      return fail(llvm::toString(std::move(e)));
  }
  return 0;
}
