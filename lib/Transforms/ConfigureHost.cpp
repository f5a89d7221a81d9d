//===- ConfigureHost.cpp - What main() does around the program ------------===//
//
// The izer's clock, power, board and RISC-V flags decide how the generated
// main() drives the accelerator. This pass turns them into attributes of
// the program (and the load-switch delay of cnn_enable) using the device's
// clock facts, so the emitter has nothing left to decide.
//
//===----------------------------------------------------------------------===//

#include "tornado/Dialect/HW/IR/HWOps.h"
#include "tornado/Target/Device.h"
#include "tornado/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

namespace tornado {
#define GEN_PASS_DEF_CONFIGUREHOST
#include "tornado/Transforms/Passes.h.inc"
} // namespace tornado

using namespace mlir;
using namespace tornado;

namespace {

/// "auto" / "on" / "off" -> the setting, auto resolved to `fallback`.
FailureOr<bool> triState(Operation *op, llvm::StringRef name,
                         llvm::StringRef value, bool fallback) {
  if (value == "auto")
    return fallback;
  if (value == "on" || value == "true")
    return true;
  if (value == "off" || value == "false")
    return false;
  return op->emitError() << name << " must be auto, on or off, not '" << value
                         << "'";
}

struct ConfigureHostPass
    : public tornado::impl::ConfigureHostBase<ConfigureHostPass> {
  using ConfigureHostBase::ConfigureHostBase;

  void runOnOperation() override {
    hw::ProgramOp program = getOperation();
    if (failed(configure(program)))
      signalPassFailure();
  }

  LogicalResult configureClock(hw::ProgramOp program);
  LogicalResult configureSwitchDelay(hw::ProgramOp program);
  LogicalResult configure(hw::ProgramOp program);
  LogicalResult configureFileNames(hw::ProgramOp program);
};

LogicalResult ConfigureHostPass::configureClock(hw::ProgramOp program) {
  const target::Device &dev = program.getTarget();
  target::ClockInfo clocks = dev.clocks();
  bool hasPll = dev.hasFeature(target::Feature::Pll);
  FailureOr<bool> usePll = triState(program, "pll", pll, hasPll);
  if (failed(usePll))
    return failure();
  if (*usePll && !hasPll)
    return program.emitError() << "--pll: the " << dev.name()
                               << " has no PLL for the CNN clock";
  if (maxSpeed && !*usePll)
    return program.emitError()
           << "--max-speed needs the PLL clock (the APB clock has no faster "
              "setting to switch to)";
  bool pipelined = pipeline && dev.hasFeature(target::Feature::Pipeline);
  unsigned source = *usePll ? clocks.pllMHz : clocks.apbMHz;
  unsigned divider = clockDivider;
  if (divider &&
      (!llvm::isPowerOf2_32(divider) || divider > clocks.maxClockDivider))
    return program.emitError()
           << "--clock-divider must be a power of two up to "
           << clocks.maxClockDivider << ", not " << divider;
  if (!divider) {
    // Without the pipeline the CNN must not run faster than it allows.
    divider = 1;
    while (!pipelined && source / divider > clocks.maxUnpipelinedMHz &&
           divider < clocks.maxClockDivider)
      divider *= 2;
  }
  if (!pipelined && source / divider > clocks.maxUnpipelinedMHz)
    program.emitWarning() << "a CNN clock of " << source / divider
                          << " MHz needs the pipeline (at most "
                          << clocks.maxUnpipelinedMHz << " MHz without it)";
  // Balanced power: load weights and data at a slower PLL divider and
  // switch to the inference divider only around cnn_start (with the
  // pipeline; without it the load divider is used throughout).
  bool balance = *usePll && !maxSpeed;
  unsigned enableDivider = balance ? clocks.loadClockDivider : divider;
  if (balance && !pipelined && clockDivider &&
      clockDivider != clocks.loadClockDivider)
    program.emitWarning() << "--clock-divider " << clockDivider
                          << " is not used: without the pipeline the PLL "
                             "clock stays at divider "
                          << clocks.loadClockDivider;
  Builder b(program.getContext());
  program.setClockSource(*usePll ? hw::ClockSource::ipll
                                 : hw::ClockSource::pclk);
  program.setClockDivider(enableDivider);
  if (balance && pipelined)
    program.setRunClockDividerAttr(b.getI32IntegerAttr(divider));
  else
    program.removeRunClockDividerAttr();
  return success();
}

/// cnn_enable waits for the memories' load switches between powering them
/// and releasing their isolation.
LogicalResult ConfigureHostPass::configureSwitchDelay(hw::ProgramOp program) {
  if (switchDelay < 0)
    return success();
  hw::FuncOp enable = program.lookupFunc(hw::FuncKind::enable);
  if (!enable)
    return success();
  Block &body = enable.getBody().front();
  hw::DelayOp delay;
  Operation *isolation = nullptr;
  for (Operation &op : body) {
    if (auto d = dyn_cast<hw::DelayOp>(op))
      delay = d;
    if (auto w = dyn_cast<hw::SysWriteOp>(op))
      if (w.getReg() == hw::SysReg::gcfr_reg2 && !isolation)
        isolation = &op;
  }
  int64_t us = int64_t(switchDelay) * 1000;
  if (!us) {
    if (delay)
      delay.erase();
    return success();
  }
  if (delay) {
    delay.setMicroseconds(us);
    return success();
  }
  if (!isolation)
    return program.emitError()
           << "--switch-delay: cnn_enable releases no memory isolation";
  OpBuilder builder(isolation);
  builder.create<hw::DelayOp>(program.getLoc(), builder.getI64IntegerAttr(us));
  return success();
}

LogicalResult ConfigureHostPass::configure(hw::ProgramOp program) {
  const target::Device &dev = program.getTarget();
  Builder b(program.getContext());
  if (failed(configureClock(program)) || failed(configureSwitchDelay(program)))
    return failure();

  if (!boost.empty()) {
    auto [port, pin] = llvm::StringRef(boost).split('.');
    unsigned p = 0, n = 0;
    if (port.getAsInteger(0, p) || pin.getAsInteger(0, n) || n > 31)
      return program.emitError()
             << "--boost must be port.pin (e.g. 2.5), not '" << boost << "'";
    program.setBoostAttr(b.getDenseI32ArrayAttr({int32_t(p), int32_t(n)}));
  }
  program.setSpinWait(!wfi);
  if (deepSleep && !program.getRiscv())
    return program.emitError()
           << "--deepsleep needs --riscv (the Arm core sleeps while the "
              "RISC-V core runs the network)";
  program.setDeepSleep(deepSleep);
  program.setDebugWait(debugWait);
  if (!clockTrim.empty()) {
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(clockTrim).split(parts, ',');
    llvm::SmallVector<int32_t> values;
    for (llvm::StringRef part : parts) {
      uint32_t v;
      if (part.trim().getAsInteger(0, v))
        break;
      values.push_back(int32_t(v));
    }
    if (values.size() != 3 || parts.size() != 3)
      return program.emitError()
             << "--clock-trim expects three numbers A,B,C, not '" << clockTrim
             << "'";
    program.setClockTrimAttr(b.getDenseI32ArrayAttr(values));
  }

  bool riscv = program.getRiscv();
  FailureOr<bool> cache = triState(program, "riscv-cache", riscvCache, riscv);
  FailureOr<bool> flash = triState(program, "riscv-flash", riscvFlash, riscv);
  if (failed(cache) || failed(flash))
    return failure();
  if (!riscv && (*cache || *flash || riscvExclusive || riscvDebug))
    return program.emitError()
           << "RISC-V settings (cache, flash, exclusive, debug) need a "
              "program for the RISC-V core (--riscv)";
  program.setRiscvCache(*cache);
  // Code fetched through the cache comes from flash, and so does the input.
  program.setRiscvFlash(*flash || *cache);
  program.setRiscvExclusive(riscvExclusive);
  program.setRiscvDebug(riscvDebug);
  program.setStopStart(stopStart);
  program.setFifoNoWait(!fifoWait);
  if (forever) {
    // The energy measurement starts by disabling the CNN.
    if (program.getEnergy())
      return program.emitError()
             << "--forever cannot measure energy: the measurement switches "
                "the CNN off, and a program that runs forever has no "
                "cnn_disable()";
    program.setForever(true);
    if (hw::FuncOp disable = program.lookupFunc(hw::FuncKind::disable))
      disable.erase();
  }

  llvm::ArrayRef<llvm::StringRef> boards = dev.boards();
  llvm::StringRef boardName = board.empty() ? boards.front() : board;
  if (!llvm::is_contained(boards, boardName))
    return program.emitError()
           << "unknown board '" << boardName << "' for the " << dev.name()
           << "; the MSDK has " << llvm::join(boards, ", ");
  program.setBoard(boardName);
  llvm::SmallVector<llvm::StringRef> names;
  llvm::StringRef(defines).split(names, ' ', -1, /*KeepEmpty=*/false);
  if (!names.empty())
    program.setDefinesAttr(b.getStrArrayAttr(names));
  if (!eclipseIncludes.empty())
    program.setEclipseIncludes(eclipseIncludes);
  if (!openocdArgs.empty()) {
    std::string args = openocdArgs;
    std::string device = llvm::StringRef(dev.name()).lower();
    for (size_t at; (at = args.find("##__TARGET_LC__##")) != std::string::npos;)
      args.replace(at, 17, device);
    program.setOpenocdArgs(args);
  }
  return configureFileNames(program);
}

LogicalResult ConfigureHostPass::configureFileNames(hw::ProgramOp program) {
  // The MSDK's names are the defaults; only differences are recorded.
  struct Role {
    const char *role, *flag;
    std::string name;
    const char *fallback;
  } roles[] = {
      {"main", "c-filename", cFilename + ".c", "main.c"},
      {"api", "api-filename", apiFilename, "cnn.c"},
      {"weights", "weight-filename", weightFilename, "weights.h"},
      {"sample", "sample-filename", sampleFilename, "sampledata.h"},
      {"sample_output", "sample-output-filename", sampleOutputFilename,
       "sampleoutput.h"}};
  llvm::StringSet<> seen = {"cnn.h", "softmax.c", "Makefile", "project.mk"};
  if (program.getRiscv())
    seen.insert("main_riscv.c");
  llvm::SmallVector<NamedAttribute> names;
  Builder b(program.getContext());
  for (Role &r : roles) {
    llvm::StringRef name = r.name;
    if (name.empty() || name.contains('/') || name.contains('\\') ||
        name == "." || name == ".." || llvm::StringRef(name).equals_insensitive("none.c") ||
        llvm::StringRef(name).equals_insensitive("none"))
      return program.emitError()
             << "--" << r.flag << ": '" << name
             << "' is not a file name inside the project folder (tornadoc "
                "always writes the file)";
    if (!seen.insert(name).second)
      return program.emitError() << "--" << r.flag << ": '" << name
                                 << "' is also the name of another file";
    if (name != r.fallback)
      names.push_back(b.getNamedAttr(r.role, b.getStringAttr(name)));
  }
  if (!names.empty())
    program.setFileNamesAttr(b.getDictionaryAttr(names));
  return success();
}

} // namespace
