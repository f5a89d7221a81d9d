//===- CompatFlags.h - izer flags with nothing for tornadoc to do -*- C++ -*-//
//
// Registers the izer flags tornadoc accepts without effect (console, log,
// debugging) and those it recognises but refuses (RTL simulation, settings
// no chip has, features not built yet).
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_TOOLS_TORNADOC_COMPATFLAGS_H
#define TORNADO_TOOLS_TORNADOC_COMPATFLAGS_H

#include "llvm/Support/CommandLine.h"

#include <optional>
#include <string>

namespace tornado {
namespace driver {

/// Registers the flags; call before parsing the command line.
void registerCompatFlags(llvm::cl::OptionCategory &category);

/// The first refused flag the command line gives, with the reason.
std::optional<std::string> refusedCompatFlag();

} // namespace driver
} // namespace tornado

#endif // TORNADO_TOOLS_TORNADOC_COMPATFLAGS_H
