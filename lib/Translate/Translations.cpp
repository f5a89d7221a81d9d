//===- Translations.cpp - Register Tornado translations
//--------------------===//

#include "tornado/Translate/Translations.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "tornado/Dialect/Tornado/IR/TornadoDialect.h"
#include "tornado/Emit/EmitC.h"
#include "tornado/Import/ImportNetwork.h"
#include "tornado/Import/OnnxImport.h"
#include "tornado/Tools/ToolSupport.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;

namespace {
namespace cl = llvm::cl;

// izer-compatible spellings, so the same arguments work for tornadoc.
cl::opt<std::string> checkpointFile(
    "checkpoint-file",
    cl::desc("Quantized PyTorch checkpoint (.pth.tar) or ONNX model (.onnx)"),
    cl::value_desc("file"), cl::cat(tornado::getImportOptionCategory()));
cl::opt<std::string> sampleInput("sample-input",
                                 cl::desc("Sample input (.npy, CHW)"),
                                 cl::value_desc("file"),
                                 cl::cat(tornado::getImportOptionCategory()));
cl::opt<std::string> device("device",
                            cl::desc("Target device: MAX78000 or MAX78002"),
                            cl::init("MAX78000"),
                            cl::cat(tornado::getImportOptionCategory()));
cl::list<std::string>
    searchDirs("search-dir",
               cl::desc("Where to look for tests/sample_*.npy and the weight "
                        "files of `arch: test` networks (default: the "
                        "working directory, then the YAML file's parent "
                        "directory's parent)"),
               cl::value_desc("dir"),
               cl::cat(tornado::getImportOptionCategory()));
cl::opt<unsigned> startLayer("start-layer",
                             cl::desc("First layer to run (MAX78002)"),
                             cl::init(0),
                             cl::cat(tornado::getImportOptionCategory()));
cl::opt<unsigned> outputWidth("output-width",
                              cl::desc("Final layer output width: 8 or 32"),
                              cl::init(0),
                              cl::cat(tornado::getImportOptionCategory()));
cl::opt<bool> ignoreBn("ignore-bn", cl::desc("Skip unfolded batchnorm weights"),
                       cl::cat(tornado::getImportOptionCategory()));
cl::opt<bool> avgPoolRounding(
    "avg-pool-rounding",
    cl::desc("Round 2-D average pooling (YAML: every average pool gets "
             "`rounding`; ONNX: every average must round)"),
    cl::cat(tornado::getImportOptionCategory()));
} // namespace

void tornado::registerTornadoTranslations() {
  TranslateToMLIRRegistration importYaml(
      "import-yaml", "import an izer YAML network with its weights",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        ImportOptions options;
        options.checkpointFile = checkpointFile;
        options.sampleInputFile = sampleInput;
        options.device = device;
        options.searchDirs.assign(searchDirs.begin(), searchDirs.end());
        options.ignoreBatchNorm = ignoreBn;
        options.startLayer = startLayer;
        options.outputWidth = outputWidth;
        options.avgPoolRounding = avgPoolRounding;
        OwningOpRef<ModuleOp> module =
            importNetwork(sourceMgr, context, options);
        if (!module)
          return nullptr;
        return OwningOpRef<Operation *>(module.release());
      },
      [](DialectRegistry &registry) { registry.insert<TornadoDialect>(); });
  TranslateToMLIRRegistration importOnnx(
      "import-onnx",
      "import a quantized ONNX model as graph ops (no YAML needed)",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        OnnxImportOptions options;
        options.device = device;
        options.sampleInputFile = sampleInput;
        options.avgPoolRounding = avgPoolRounding;
        OwningOpRef<ModuleOp> module =
            importOnnxModel(sourceMgr, context, options);
        if (!module)
          return nullptr;
        return OwningOpRef<Operation *>(module.release());
      },
      [](DialectRegistry &registry) { registry.insert<TornadoDialect>(); });
  emit::registerEmitCTranslation();
}
