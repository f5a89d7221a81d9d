//===- ToolSupport.h - Command-line setup shared by the tools ---*- C++ -*-===//
//
// Every Tornado tool links libLLVM, whose static initializers register a few
// hundred back-end options (--amdgpu-*, sample profiles, ...). The tools show
// only their own options and the MLIR options a user of an MLIR tool
// expects; LLVM's stay reachable through --help-hidden.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_TOOLS_TOOLSUPPORT_H
#define TORNADO_TOOLS_TOOLSUPPORT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CommandLine.h"

#include <string>

namespace tornado {

/// "Tornado 0.3.0 (git abc123), built with LLVM and MLIR 19.1.7".
std::string getVersionString();

/// Installs Tornado's --version printer and hides (cl::Hidden) every option
/// registered so far that is in none of `visible`. Call it at the top of
/// main, before the MLIR drivers register their own options (those stay
/// visible). Options in LLVM's generic category (--help, --version) stay.
void setUpToolCommandLine(
    llvm::ArrayRef<const llvm::cl::OptionCategory *> visible);

/// The options the importers (`--import-yaml`, `--import-onnx`) read.
llvm::cl::OptionCategory &getImportOptionCategory();
/// The options of the C emitter translation (`--emit-c`).
llvm::cl::OptionCategory &getEmitOptionCategory();

} // namespace tornado

#endif // TORNADO_TOOLS_TOOLSUPPORT_H
