//===- ProjectFiles.h - Fixed parts of a generated project ------*- C++ -*-===//
//
// Private to lib/Emit: files whose text does not depend on the program's
// register-level contents beyond its name, device and options.
//
//===----------------------------------------------------------------------===//

#ifndef TORNADO_LIB_EMIT_PROJECTFILES_H
#define TORNADO_LIB_EMIT_PROJECTFILES_H

#include "tornado/Dialect/HW/IR/HWOps.h"

#include <string>
#include <utility>
#include <vector>

namespace tornado {
namespace emit {

/// softmax.c: the q17.14 -> q15 softmax declared in cnn.h.
std::string softmaxSource(hw::ProgramOp program);
/// Makefile for the MSDK build system.
std::string makefile(hw::ProgramOp program);
/// project.mk: per-project build settings.
std::string projectMk(hw::ProgramOp program);
/// main.c of a RISC-V program: the Arm core boots the RISC-V core and
/// sleeps until it signals completion.
std::string riscvArmMain(hw::ProgramOp program);

/// Statements of main() that override the oscillator trims (--clock-trim)
/// through the trim test mode, followed by a blank line; empty without
/// trims. Shared by the Arm main() and the RISC-V boot main().
std::string clockTrimCode(hw::ProgramOp program);

/// The VS Code project (.vscode/...), as (path, text) pairs.
std::vector<std::pair<std::string, std::string>>
vscodeFiles(hw::ProgramOp program);
/// The Eclipse project (.project, .cproject, .settings/..., <name>.launch).
std::vector<std::pair<std::string, std::string>>
eclipseFiles(hw::ProgramOp program);

} // namespace emit
} // namespace tornado

#endif // TORNADO_LIB_EMIT_PROJECTFILES_H
