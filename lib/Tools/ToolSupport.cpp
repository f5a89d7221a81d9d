//===- ToolSupport.cpp - Command-line setup shared by the tools -----------===//

#include "tornado/Tools/ToolSupport.h"
#include "tornado/Tools/Version.inc"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

std::string tornado::getVersionString() {
  return std::string("Tornado ") + TORNADO_VERSION + " (git " +
         TORNADO_GIT_REVISION + "), built with LLVM and MLIR " +
         LLVM_VERSION_STRING;
}

cl::OptionCategory &tornado::getImportOptionCategory() {
  static cl::OptionCategory category("Import options");
  return category;
}

cl::OptionCategory &tornado::getEmitOptionCategory() {
  static cl::OptionCategory category("C emitter options");
  return category;
}

void tornado::setUpToolCommandLine(
    llvm::ArrayRef<const cl::OptionCategory *> visible) {
  cl::SetVersionPrinter(
      [](llvm::raw_ostream &os) { os << getVersionString() << "\n"; });
  const cl::OptionCategory *generic = &cl::getGeneralCategory();
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *option = entry.second;
    if (option->getOptionHiddenFlag() != cl::NotHidden)
      continue;
    bool keep = llvm::any_of(option->Categories, [&](cl::OptionCategory *c) {
      // --help and --version live in a category of their own, which LLVM
      // does not export; every other option defaults to the general one.
      return llvm::is_contained(visible, c) ||
             (c != generic && c->getName() == "Generic Options");
    });
    if (!keep)
      option->setHiddenFlag(cl::Hidden);
  }
}
