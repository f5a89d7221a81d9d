//===- Passes.td - Tornado passes --------------------------*- tablegen -*-===//

#ifndef TORNADO_TRANSFORMS_PASSES_TD
#define TORNADO_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNorm : Pass<"tornado-fold-batchnorm", "::tornado::NetworkOp"> {
  let summary = "Fold batchnorm into the preceding convolution or linear op";
  let description = [{
    `y = k * x + c` per channel, with `k = scale / sqrt(variance + epsilon)`
    and `c = shift - k * mean`, is folded into the quantized producer: each
    output channel's weights become `k * w` and its bias `k * b + c * 2^-s`
    (s = the total output shift, in output units). The new weights are
    rounded to the nearest integer (ties away from zero); when they would
    not fit `weight_bits`, all of the layer's weights and biases are scaled
    down by a power of two and the output shift raised by the same amount.
    Biases are rounded the same way and must fit 8 bits. Folding a
    batchnorm whose input is not a single-use convolution or linear op is
    an error.
  }];
}

def FuseLayers : Pass<"tornado-fuse-layers", "::tornado::NetworkOp"> {
  let summary = "Group graph ops into accelerator layers (tornado.layer)";
  let description = [{
    Each convolution or linear op becomes one `tornado.layer`, absorbing a
    single-use pooling op in front of it (with or without a flatten), an
    element-wise op in front of that (pooling before the element-wise op
    when every operand is pooled the same way, `pool_first`; after it
    otherwise), and a single-use activation after it. Concatenations become
    the layer's operand list. Pooling, element-wise, activation and
    pass-through ops left over become layers without a convolution.
    Reshapes stay as they are. A batchnorm left in the graph is an error
    (run tornado-fold-batchnorm first).
  }];
}

def PlaceKernels : Pass<"tornado-place-kernels", "::tornado::NetworkOp"> {
  let summary = "Choose each layer's first kernel-memory column (kernel_column)";
  let description = [{
    Reproduces the izer's greedy kernel-memory allocator so that kernel
    images and mask registers match it: layers whose input uses all
    processors go first, then the rest in order; each layer takes the lowest
    column (a multiple of 4) at which all of its input processors have its
    kernel words free (on devices with larger kernel memory in the first
    processor of each group, the top of memory is tried first). Layers with
    identical weights, weight width and input processors share one copy.
    A pinned `kernel_column` is kept. Needs `processors` and
    `output_processors`. See docs/placement.md.
  }];
  let options = [
    Option<"newKernelLoader", "new-kernel-loader", "bool", "true",
           "the izer's default (new) kernel loader; false: --old-kernel-loader">,
    Option<"weightStart", "weight-start", "unsigned", "0",
           "lowest kernel-memory column to use (the izer's --weight-start)">,
    Option<"deduplicate", "deduplicate", "bool", "true",
           "share kernel memory between layers with identical weights">,
  ];
}

def PlaceBias : Pass<"tornado-place-bias", "::tornado::NetworkOp"> {
  let summary = "Choose each layer's bias group and byte offset";
  let description = [{
    Reproduces the izer's bias allocator: depth-wise layers keep their bias
    in every group their input processors use (`bias_offsets` lists the
    per-group offsets), in layer order; the other layers are packed
    first-fit-decreasing (flatten layers first on devices that need it, then
    layers restricted to one group, then by decreasing size), each into the
    allowed group that has used the fewest bytes. A pinned `bias_group` is
    the only allowed group. Layers with identical bias values share one
    copy. Needs `processors` and `output_processors`. See docs/placement.md.
  }];
  let options = [
    Option<"deduplicate", "deduplicate", "bool", "true",
           "share bias memory between layers with identical bias values">,
  ];
}

def AssignProcessors : Pass<"tornado-assign-processors", "::tornado::NetworkOp"> {
  let summary = "Choose each layer's processors and output_processors";
  let description = [{
    A layer reads its input where its producers wrote it: its `processors`
    are its producers' `output_processors` (the same mask for element-wise
    operands and for concatenations over 64 channels, which interleave;
    adjacent slices in operand order for other concatenations). The network
    input starts at processor 0 (HWC) or takes one processor per
    data-memory instance (CHW). Each other feature map is put on the
    contiguous window of `ceil(C / passes)` processors, starting on an
    instance boundary, whose kernel memory is least used after adding the
    kernels of the layers reading it. Masks that are already set (pins,
    the izer's defaults) are kept; inconsistent ones are errors.

    Interleaved operands are written one word apart (write_gap), so a map
    can take part in one list of interleaved operands only, and only if
    its other readers can skip the gaps (read_gap, MAX78002). First, every
    other use of such a map (the network input, a skip connection read by a
    convolution on MAX78000, a second operand list, a concatenation slice)
    gets a pass-through copy written with the gap, inserted before the
    first layer reading that list. Too many layers for the device or a copy
    inside the streaming prefix are errors.
  }];
}

def AssignOffsets : Pass<"tornado-assign-offsets", "::tornado::NetworkOp"> {
  let summary = "Choose data-memory in_offset, out_offset and write_gap";
  let description = [{
    Places every feature map at the lowest byte offset where its words
    (all passes, gaps and 32-bit words, in its processors' instances and
    byte lanes) touch no other feature map that is live at the same time;
    streaming layers keep a ring of rows and are live together. The inputs
    of a multi-input layer are placed as a unit: operands on the same
    processors one word apart with `write_gap = n - 1`, slices on different
    processors at one offset (a map in two arrangements is an error; run
    tornado-assign-processors first, which copies such maps). `in_offset`
    becomes the offset its inputs were written at. Offsets already set are kept; when they leave no room
    or a missing offset they imply is occupied, the error lists the memory
    map of the instances involved. Needs processors and output_processors.
  }];
}

def CheckHazards : Pass<"tornado-check-hazards", "::tornado::NetworkOp"> {
  let summary = "Report feature maps that overwrite data still needed";
  let description = [{
    Static live-range analysis over (data-memory instance, byte lane, word
    range, first write .. last read): a layer output written over a feature
    map that a later layer (or the layer itself) still reads, over a
    network output, over the input loader's data, or into a streaming ring
    buffer of a concurrently running layer is an error naming both layers,
    the instance and both byte ranges. Also reports data that extends past
    its instance. `overlap-data` (the izer's --overlap-data) turns the
    overlaps into warnings. Changes nothing.
  }];
  let options = [
    Option<"overrideStart", "override-start", "int64_t", "-1",
           "the first layer's stream start instead of the computed one "
           "(--override-start); -1: computed">,
    Option<"overrideDelta1", "override-delta1", "int64_t", "-1",
           "the first streaming layer's delta 1 (--override-delta1)">,
    Option<"overrideDelta2", "override-delta2", "int64_t", "-1",
           "the first streaming layer's delta 2 (--override-delta2)">,
    Option<"overrideRollover", "override-rollover", "int64_t", "-1",
           "the first streaming layer's rollover with the FIFOs "
           "(--override-rollover)">,
    Option<"overlapData", "overlap-data", "bool", "false",
           "overlaps are intended: warn instead of failing">,
  ];
}

def ConfigureHost : Pass<"tornado-configure-host", "::tornado::hw::ProgramOp"> {
  let summary = "Decide what main() does around the accelerator program";
  let description = [{
    Sets the host-side decisions of a `tornado_hw.program` from the izer's
    clock, power, board and RISC-V flags: the CNN clock source and divider
    passed to `cnn_enable` and whether main() switches to a faster divider
    around `cnn_start` (the PLL's balanced-power scheme), the load-switch
    delay in `cnn_enable`, the boost GPIO, spin or sleep waits, the debugger
    delay, oscillator trims, RISC-V boot and debug settings, the board and
    the compiler definitions of the project. Every rule and default is the
    target model's; the emitter only prints the result.
  }];
  let options = [
    Option<"pll", "pll", "std::string", "\"auto\"",
           "CNN clock from the PLL: auto (where the device has one), on, off "
           "(--pll, --no-pll)">,
    Option<"pipeline", "pipeline", "bool", "true",
           "pipelined CNN where the device has it (--no-pipeline)">,
    Option<"maxSpeed", "max-speed", "bool", "false",
           "run at the inference clock throughout instead of loading at a "
           "slower one (--max-speed)">,
    Option<"clockDivider", "clock-divider", "unsigned", "0",
           "CNN clock divider while inferring (--clock-divider); 0: the "
           "largest speed the pipeline setting allows">,
    Option<"switchDelay", "switch-delay", "int", "-1",
           "milliseconds cnn_enable waits for the memory load switches "
           "(--switch-delay); -1: the device's">,
    Option<"boost", "boost", "std::string", "\"\"",
           "port.pin of the boost circuit (--boost)">,
    Option<"wfi", "wfi", "bool", "true",
           "sleep until the CNN interrupt; false: spin (--no-wfi)">,
    Option<"deepSleep", "deepsleep", "bool", "false",
           "the Arm core waits for RISC-V in deep sleep (--deepsleep)">,
    Option<"debugWait", "debugwait", "unsigned", "2",
           "seconds to wait for a debugger after reset (--debugwait)">,
    Option<"clockTrim", "clock-trim", "std::string", "\"\"",
           "trim overrides A,B,C (--clock-trim)">,
    Option<"riscvCache", "riscv-cache", "std::string", "\"auto\"",
           "RISC-V code runs from flash through the cache: auto (with "
           "RISC-V), on, off">,
    Option<"riscvFlash", "riscv-flash", "std::string", "\"auto\"",
           "RISC-V input arrays in flash: auto (with RISC-V), on, off">,
    Option<"riscvExclusive", "riscv-exclusive", "bool", "false",
           "RISC-V gets exclusive SRAM access (--riscv-exclusive)">,
    Option<"riscvDebug", "riscv-debug", "bool", "false",
           "set up RISC-V JTAG debugging first (--riscv-debug)">,
    Option<"fifoWait", "fifo-wait", "bool", "true",
           "load_input checks that a FIFO has room before each word; false: "
           "pushes without checking (--no-fifo-wait)">,
    Option<"forever", "forever", "bool", "false",
           "after the first checked inference, infer forever; cnn_disable() "
           "is not generated (--forever)">,
    Option<"stopStart", "stop-start", "bool", "false",
           "stop and continue the accelerator once after starting "
           "(--stop-start)">,
    Option<"board", "board", "std::string", "\"\"",
           "MSDK board (--board-name); empty: the device's first">,
    Option<"defines", "defines", "std::string", "\"\"",
           "space-separated preprocessor definitions (--define)">,
    Option<"eclipseIncludes", "eclipse-includes", "std::string", "\"\"",
           "include-path entries added to the Eclipse project, as CDT XML "
           "(--eclipse-includes)">,
    Option<"openocdArgs", "openocd-args", "std::string", "\"\"",
           "OpenOCD arguments of the Eclipse debug launch; ##__TARGET_LC__## "
           "becomes the device (--eclipse-openocd-args)">,
    Option<"cFilename", "c-filename", "std::string", "\"main\"",
           "main program file, without .c (--c-filename)">,
    Option<"apiFilename", "api-filename", "std::string", "\"cnn.c\"",
           "accelerator API file (--api-filename)">,
    Option<"weightFilename", "weight-filename", "std::string",
           "\"weights.h\"", "kernel and bias header (--weight-filename)">,
    Option<"sampleFilename", "sample-filename", "std::string",
           "\"sampledata.h\"", "sample input header (--sample-filename)">,
    Option<"sampleOutputFilename", "sample-output-filename", "std::string",
           "\"sampleoutput.h\"",
           "known-answer header (--sample-output-filename)">,
  ];
}

def LowerToHW : Pass<"tornado-lower-to-hw", "::mlir::ModuleOp"> {
  let summary = "Lower placed networks to register-level programs";
  let description = [{
    Replaces every placed `tornado.network` of the module by a
    `tornado_hw.program` (docs/register-ir.md): the register stores of
    cnn_init, cnn_configure, cnn_start, the interrupt handler, cnn_stop,
    cnn_continue, cnn_enable and cnn_disable, the kernel images (from the
    weights and `kernel_column`), the bias images (`bias_group`,
    `bias_offset`), the sample input image, the known answer (the network
    run by the interpreter) and the unload map. Every value is the one the
    izer programs for the same network and options; docs/lowering.md lists
    the rules. Needs every resource attribute the placement passes set.
  }];
  let dependentDialects = ["::tornado::hw::TornadoHWDialect"];
  let options = [
    Option<"prefix", "prefix", "std::string", "\"\"",
           "program (project) name; default: the network's name">,
    Option<"fifo", "fifo", "bool", "false",
           "load the input through the FIFOs (--fifo)">,
    Option<"fastFifo", "fast-fifo", "bool", "false",
           "load the input through the RISC-V fast FIFO (--fast-fifo)">,
    Option<"compactData", "compact-data", "bool", "true",
           "load the input with memcpy of arrays; false: one store per word "
           "(--no-compact-data)">,
    Option<"mexpress", "mexpress", "bool", "true",
           "express kernel loading (--no-mexpress turns it off)">,
    Option<"oldKernelLoader", "old-kernel-loader", "bool", "false",
           "one kernel array per processor (--old-kernel-loader)">,
    Option<"timer", "timer", "int", "-1",
           "MXC_TMR<n> measures the inference (--timer); -1: none">,
    Option<"softmax", "softmax", "bool", "false",
           "main.c runs the softmax on the unloaded outputs (--softmax)">,
    Option<"kat", "kat", "bool", "true",
           "generate the known-answer test (--no-kat turns it off)">,
    Option<"unload", "unload", "bool", "true",
           "generate cnn_unload (--no-unload turns it off)">,
    Option<"riscv", "riscv", "bool", "false",
           "the RISC-V core drives the accelerator (--riscv)">,
    Option<"pipeline", "pipeline", "bool", "true",
           "pipelined CNN clock where the device has one (--no-pipeline)">,
    Option<"maxCheckLines", "max-checklines", "int", "0",
           "keep only the first N+1 known-answer words (--max-checklines); 0: all">,
    Option<"writeZeroRegisters", "write-zero-registers", "bool", "false",
           "also store registers whose value is 0 (--write-zero-registers)">,
    Option<"startLayer", "start-layer", "unsigned", "0",
           "hardware layer of the network's first layer (--start-layer)">,
    Option<"energy", "energy", "bool", "false",
           "main.c measures energy between the SYS_/CNN_ hooks (--energy)">,
    Option<"zeroSram", "zero-sram", "bool", "false",
           "cnn_init runs the memory self tests, which leave every memory "
           "zeroed; all-zero kernel words are not loaded (--zero-sram)">,
    Option<"powerdown", "powerdown", "bool", "false",
           "cnn_start powers down the memories of unused groups (--powerdown)">,
    Option<"fifoGo", "fifo-go", "bool", "false",
           "the first layer starts before the first FIFO word (--fifo-go)">,
    Option<"linkLayer", "link-layer", "bool", "false",
           "every layer links to the next one and the final layer stops "
           "(devices with link layers, --link-layer)">,
    Option<"increaseStart", "increase-start", "int", "2",
           "margin added to the prefill of later streaming layers "
           "(MAX78000, --increase-start)">,
    Option<"increaseDelta1", "increase-delta1", "int", "0",
           "added to delta 1 of later streaming layers (--increase-delta1)">,
    Option<"increaseDelta2", "increase-delta2", "int", "0",
           "added to delta 2 of later streaming layers (--increase-delta2)">,
    Option<"overrideStart", "override-start", "int64_t", "-1",
           "the first layer's stream start instead of the computed one "
           "(--override-start); -1: computed">,
    Option<"overrideDelta1", "override-delta1", "int64_t", "-1",
           "the first streaming layer's delta 1 (--override-delta1)">,
    Option<"overrideDelta2", "override-delta2", "int64_t", "-1",
           "the first streaming layer's delta 2 (--override-delta2)">,
    Option<"overrideRollover", "override-rollover", "int64_t", "-1",
           "the first streaming layer's rollover with the FIFOs "
           "(--override-rollover)">,
    Option<"overlapData", "overlap-data", "bool", "false",
           "accept streaming input buffers that overlap each other or the "
           "last streaming layer's output (--overlap-data)">,
    Option<"fixedInput", "fixed-input", "bool", "false",
           "load alternating 0x55555555/0xaaaaaaaa words instead of the "
           "sample input (--fixed-input); the known answer stays the "
           "sample's">,
    Option<"synthesizeInput", "synthesize-input", "int64_t", "0",
           "with synthesize-words: the value added per block of FIFO words "
           "(--synthesize-input)">,
    Option<"mlator", "mlator", "bool", "false",
           "unload 8-bit outputs through the mlator byte-lane unpacker "
           "(--mlator)">,
    Option<"verifyWrites", "verify-writes", "bool", "false",
           "read back the register stores of cnn_init, cnn_configure and "
           "cnn_start (--verify-writes; with the record loader it also "
           "verifies the kernels)">,
    Option<"verifyKernels", "verify-kernels", "bool", "false",
           "generate cnn_verify_weights(), which reads kernel memory back "
           "(--verify-kernels)">,
    Option<"oneShot", "one-shot", "bool", "false",
           "each start runs one layer; main() continues layer by layer "
           "(devices with one-shot mode, --one-shot)">,
    Option<"allowStreaming", "allow-streaming", "bool", "false",
           "a streaming first layer may read its input from memory instead "
           "of the FIFOs (--allow-streaming)">,
    Option<"synthesizeWords", "synthesize-words", "unsigned", "0",
           "FIFO words the program stores; the loader repeats them, adding "
           "synthesize-input per round (0: store every word)">,
  ];
}

#endif // TORNADO_TRANSFORMS_PASSES_TD
