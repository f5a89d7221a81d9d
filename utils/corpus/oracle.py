"""Extra conformance cases checked against a live izer (the oracle).

usage: oracle.py BUILD_BIN SOURCE_ROOT [--case SUBSTRING] [--keep DIR] [--list]

The corpus (../shared/conformance) holds izer outputs for the features its
networks use. Features it does not cover (MAX78002 depth-wise layers,
calcx4, ...) are checked here: each case names an izer test network
($IZER_DIR/tests/*.yaml) or one of our own networks (NETWORKS below), the
flags, and the device. For `arch: test` networks the weights (and, for our
networks, the sample input) are made here with a fixed seed. The izer and
tornadoc then run with the same command line in one scratch directory and
tornado-conform compares the two output folders (registers, kernels, bias,
input, the known answer from our interpreter against the izer's, API,
unload).

Skips (exit 77) unless IZER_DIR names an ai8x-synthesis checkout and the
shared corpus folder (for tornado-conform) is present.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import corpus  # noqa: E402
import main_behaviour  # noqa: E402

X4_CHAIN = """
arch: test
dataset: {dataset}
{bias}
layers:
  - processors: 0x0000000000000007
    out_offset: 0x4000
    operation: conv2d
    pad: 1
    activate: ReLU
  - processors: 0xffffffffffffffff
    out_offset: 0x0000
    operation: conv2d
    pad: 1
    max_pool: 2
    pool_stride: 2
    activate: ReLU
    calcx4: true
  - processors: 0xffffffffffffffff
    out_offset: 0x4000
    operation: conv2d
    pad: 1
    activate: ReLU
    calcx4: true
  - processors: 0xffffffffffffffff
    out_offset: 0x0000
    operation: conv2d
    kernel_size: 1x1
    pad: 0
    output_processors: 0x00000000ffffffff
    activate: None
    calcx4: true
"""

# Our own small networks: (dataset, input shape, YAML text). The YAML is the
# izer's `arch: test` format; weights and the sample come from the generator.
NETWORKS = {
    # MobileNet-v2 style block: expand 1x1, depth-wise 3x3 (broadcast),
    # project 1x1, with bias on the depth-wise layer.
    "oracle-dw-mbconv": ("oracle_dw_mbconv", (16, 12, 12), """
arch: test
dataset: oracle_dw_mbconv
layers:
  - processors: 0x000000000000ffff
    out_offset: 0x4000
    operation: conv2d
    kernel_size: 1x1
    pad: 0
    activate: ReLU
  - processors: 0x00000000ffffffff
    out_offset: 0x0000
    operation: conv2d
    kernel_size: 3x3
    pad: 1
    groups: 32
    activate: ReLU
  - processors: 0x00000000ffffffff
    out_offset: 0x4000
    operation: conv2d
    kernel_size: 1x1
    pad: 0
    activate: None
"""),
    # KWS style: Conv1d followed by a depth-wise Conv1d that moves its
    # output to other processors, then pooling with a depth-wise layer.
    "oracle-dw-kws": ("oracle_dw_kws", (24, 40), """
arch: test
dataset: oracle_dw_kws
layers:
  - processors: 0x0000000000ffffff
    out_offset: 0x2000
    operation: conv1d
    kernel_size: 3
    pad: 1
    activate: ReLU
  - processors: 0x0000000000ffffff
    output_processors: 0x0000ffffff000000
    out_offset: 0x0000
    operation: conv1d
    kernel_size: 5
    pad: 2
    groups: 24
    activate: ReLU
  - processors: 0x0000ffffff000000
    out_offset: 0x2000
    operation: conv1d
    kernel_size: 1
    pad: 0
    max_pool: 2
    pool_stride: 2
    activate: None
"""),
    # Depth-wise layer over more than 64 channels (two passes of 48) with
    # bias, spanning three groups, then a 4-bit depth-wise layer.
    "oracle-dw-multipass": ("oracle_dw_multipass", (96, 8, 8), """
arch: test
dataset: oracle_dw_multipass
bias: oracle_dw_multipass
layers:
  - processors: 0x0000ffffffffffff
    out_offset: 0x4000
    operation: conv2d
    kernel_size: 3x3
    pad: 1
    groups: 96
    activate: ReLU
  - processors: 0x0000ffffffffffff
    out_offset: 0x0000
    operation: conv2d
    kernel_size: 3x3
    pad: 1
    groups: 96
    quantization: 4
    activate: None
"""),
    # Three HWC channels through the FIFO (a synthesized input masks to 24
    # bits).
    "oracle-hwc3": ("oracle_hwc3", (3, 16, 16), """
arch: test
dataset: oracle_hwc3
layers:
  - processors: 0x0000000000000007
    out_offset: 0x4000
    data_format: HWC
    operation: conv2d
    pad: 1
    activate: ReLU
  - processors: 0x00000000000000ff
    out_offset: 0x0000
    operation: conv2d
    pad: 1
    max_pool: 2
    pool_stride: 2
    activate: None
"""),
    # calcx4 after a plain first layer (the izer moves its kernels), a
    # second calcx4 layer with multi-pass input, and a 1x1 calcx4 layer.
    "oracle-x4-chain": ("oracle_x4_chain", (3, 16, 16), X4_CHAIN.format(
        dataset="oracle_x4_chain", bias="")),
    "oracle-x4-chain-bias": ("oracle_x4_chain_bias", (3, 16, 16), X4_CHAIN.format(
        dataset="oracle_x4_chain_bias", bias="bias: oracle_x4_chain_bias")),
    # Layers run out of hardware order (link layers): 0, 2, 3, 1; the final
    # layer 1 is not the last hardware layer, so it sets the stop bit.
    "oracle-next-sequence": ("oracle_next_sequence", (3, 16, 16), """
arch: test
dataset: oracle_next_sequence
bias: oracle_next_sequence
layers:
  - processors: 0x0000000000000007
    out_offset: 0x4000
    operation: conv2d
    pad: 1
    activate: ReLU
    next_sequence: 2
  - processors: 0x00000000000000ff
    out_offset: 0x4000
    operation: conv2d
    pad: 1
    avg_pool: 2
    pool_stride: 2
    activate: None
    next_sequence: stop
  - processors: 0x000000000000ffff
    out_offset: 0x0000
    operation: conv2d
    pad: 1
    max_pool: 2
    pool_stride: 2
    activate: ReLU
    next_sequence: 3
  - processors: 0x00000000ffffffff
    out_offset: 0x2000
    operation: conv2d
    kernel_size: 1x1
    pad: 0
    activate: ReLU
    next_sequence: 1
"""),
    # `next_sequence: stop` before the last layer: the rest is dropped.
    "oracle-early-stop": ("oracle_early_stop", (3, 16, 16), """
arch: test
dataset: oracle_early_stop
layers:
  - processors: 0x0000000000000007
    out_offset: 0x4000
    operation: conv2d
    pad: 1
    activate: ReLU
  - processors: 0x00000000000000ff
    out_offset: 0x0000
    operation: conv2d
    pad: 1
    max_pool: 2
    pool_stride: 2
    activate: None
    next_sequence: stop
  - processors: 0x000000000000ffff
    out_offset: 0x4000
    operation: conv2d
    pad: 1
    activate: ReLU
"""),
}

# (case name, device, config: izer test YAML name or NETWORKS key, flags)
CASES = [
    ("dw-64", "MAX78002", "test-depthwise-64", []),
    ("dw-64-bias", "MAX78002", "test-depthwise-64-bias", []),
    ("dw-128", "MAX78002", "test-depthwise-128", []),
    ("dw-128-bias", "MAX78002", "test-depthwise-128-bias", []),
    ("dw-big", "MAX78002", "test-depthwise-big", []),
    ("dw-mixed", "MAX78002", "test-depthwise-mixed", []),
    ("dw-mixed-nobias", "MAX78002", "test-depthwise-mixed-nobias", []),
    ("dw-mixed2-nobias", "MAX78002", "test-depthwise-mixed2-nobias", []),
    ("dw-mixed3-nobias", "MAX78002", "test-depthwise-mixed3-nobias", []),
    ("dw-nopool-109", "MAX78002", "test-depthwise-nopool-109", []),
    ("dw-nopool-110", "MAX78002", "test-depthwise-nopool-110", []),
    ("dw-nopool-113", "MAX78002", "test-depthwise-nopool-113", []),
    ("dw-nopool-a", "MAX78002", "test-depthwise-nopool-a", []),
    ("dw-nopool-b", "MAX78002", "test-depthwise-nopool-b", []),
    ("dw-nopool-c", "MAX78002", "test-depthwise-nopool-c", []),
    ("dw-nopool-d", "MAX78002", "test-depthwise-nopool-d", []),
    ("dw-pool", "MAX78002", "test-depthwise-pool", []),
    ("dw-pool-nobias", "MAX78002", "test-depthwise-pool-nobias", []),
    ("dw-quantpool", "MAX78002", "test-depthwise-quantpool", []),
    ("dw-quantpool-nobias", "MAX78002", "test-depthwise-quantpool-nobias", []),
    ("dw-1d", "MAX78002", "test-depthwise1d", []),
    ("dw-1x1", "MAX78002", "test-depthwise1x1", []),
    ("dw-1x1-move", "MAX78002", "test-depthwise1x1-move", []),
    ("dw-2x2x2", "MAX78002", "test-depthwise2x2x2", []),
    ("dw-3x4x4", "MAX78002", "test-depthwise3x4x4", []),
    ("dw-3x4x4-move", "MAX78002", "test-depthwise3x4x4-move", []),
    ("dw-6x5x7", "MAX78002", "test-depthwise6x5x7", []),
    ("dw-6x5x7-move", "MAX78002", "test-depthwise6x5x7-move", []),
    ("dw-17x5x7-move", "MAX78002", "test-depthwise17x5x7-move", []),
    ("dw-17x5x7-move-back", "MAX78002", "test-depthwise17x5x7-move-back", []),
    ("dw-17x5x7-move-more", "MAX78002", "test-depthwise17x5x7-move-more", []),
    ("dw-t2d", "MAX78002", "test-depthwiset2d", []),
    ("dw-mbconv", "MAX78002", "oracle-dw-mbconv", []),
    ("dw-kws", "MAX78002", "oracle-dw-kws", []),
    ("dw-multipass", "MAX78002", "oracle-dw-multipass", []),
    ("x4-multipass5", "MAX78002", "test-x4-multipass5", []),
    ("x4-multipass5m8", "MAX78002", "test-x4-multipass5m8", []),
    ("x4-multipass5-stream", "MAX78002", "test-x4-multipass5-stream", ["--fifo"]),
    ("x4-chain", "MAX78002", "oracle-x4-chain", []),
    ("x4-chain-bias", "MAX78002", "oracle-x4-chain-bias", []),
    ("readahead-multipass5", "MAX78002", "test-readahead-multipass5", []),
    ("readahead-notcalc", "MAX78002", "test-readahead-notcalc-multipass5", []),
    ("readahead-stream", "MAX78002", "test-readahead-multipass5-stream", ["--fifo"]),
    ("readahead-notcalc-stream", "MAX78002", "test-readahead-notcalc-multipass5-stream",
     ["--fifo"]),
    ("readahead-x4", "MAX78002", "test-readahead-x4-multipass5", []),
    ("readahead-x4-m32", "MAX78002", "test-readahead-x4-multipass5m32", []),
    ("readahead-x4-stream", "MAX78002", "test-readahead-x4-multipass5-stream", ["--fifo"]),
    ("readahead-x4-m32-stream", "MAX78002", "test-readahead-x4-multipass5m32-stream",
     ["--fifo"]),
    ("readahead-power", "MAX78002", "test-power-ai87", []),
    ("calcx4-flag", "MAX78002", "test-multipass5", ["--calcx4"]),
    ("read-ahead-flag", "MAX78002", "test-x4-multipass5", ["--read-ahead"]),
    # Options.
    ("powerdown-conv1d", "MAX78000", "test-conv1d-1", ["--powerdown"]),
    ("powerdown-kws", "MAX78002", "oracle-dw-kws", ["--powerdown"]),
    ("fixed-input-mnist", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--fixed-input"]),
    ("fixed-input-cifar", "MAX78002", "networks/cifar10-nas.yaml",
     ["--checkpoint-file", "trained/ai85-cifar10-qat8-q.pth.tar",
      "--sample-input", "tests/sample_cifar-10.npy", "--fixed-input"]),
    ("fixed-input-multipass", "MAX78002", "oracle-dw-multipass", ["--fixed-input"]),
    ("fifo-go", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--fifo", "--fifo-go"]),
    ("fifo-go-memory", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--fifo-go"]),
    ("fifo-go-stream", "MAX78002", "test-fifostream-pool-hwc", ["--fifo", "--fifo-go"]),
    ("synthesize-fifo", "MAX78000", "test-fifo-hwc",
     ["--fifo", "--synthesize-input", "0x2580"]),
    ("synthesize-hwc3", "MAX78002", "oracle-hwc3",
     ["--fifo", "--synthesize-input", "0x2580"]),
    ("synthesize-stream", "MAX78002", "test-fifostream-pool-hwc",
     ["--fifo", "--synthesize-input", "0x10203", "--synthesize-words", "11"]),
    ("mlator-mbconv", "MAX78002", "oracle-dw-mbconv", ["--mlator"]),
    ("mlator-multipass", "MAX78002", "oracle-dw-multipass", ["--mlator"]),
    ("mlator-kws", "MAX78002", "oracle-dw-kws", ["--mlator"]),
    ("mlator-nonsquare", "MAX78000", "test-fifo-nonsquare", ["--fifo", "--mlator"]),
    ("mlator-hwc3", "MAX78000", "oracle-hwc3", ["--mlator"]),
    ("increase-stream", "MAX78000", "test-fifostream-pool-stride",
     ["--fifo", "--increase-start", "5", "--increase-delta1", "1", "--increase-delta2", "3"]),
    ("increase-stream-02", "MAX78002", "test-fifostream-pool-stride-hwc",
     ["--fifo", "--increase-delta1", "1", "--increase-delta2", "3"]),
    # Layer sequencing.
    ("next-sequence", "MAX78002", "oracle-next-sequence", []),
    ("early-stop-link", "MAX78002", "oracle-early-stop", ["--link-layer"]),
    ("early-stop", "MAX78002", "oracle-early-stop", []),
    ("early-stop-02", "MAX78000", "oracle-early-stop", []),
    ("link-layer-mbconv", "MAX78002", "oracle-dw-mbconv", ["--link-layer"]),
    # What main() does (clocks, power, boost, sleep, RISC-V boot), compared
    # by main_behaviour.py besides tornado-conform.
    ("main-boost", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--boost', '2.5']),
    ("main-boost-energy", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--boost', '2.5', '--energy']),
    ("main-no-pll", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--no-pll']),
    ("main-max-speed", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--max-speed']),
    ("main-clock-divider", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--clock-divider', '2']),
    ("main-no-pipeline", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--no-pipeline']),
    ("main-no-wfi", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--no-wfi']),
    ("main-clock-trim", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--clock-trim', '0x1,0x2,0x1a0']),
    ("main-switch-delay", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--switch-delay', '5']),
    ("main-debugwait", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--debugwait', '0']),
    ("main-stop-start", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--stop-start']),
    ("main-riscv-options", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--riscv', '--riscv-debug', '--riscv-exclusive', '--deepsleep']),
    ("main-riscv-no-wfi", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--riscv', '--no-wfi', '--debugwait', '3']),
    ("main-board-feather", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--board-name', 'FTHR_RevA']),
    ("input-offset-fifo-no-wait", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--input-offset", "0x1000",
      "--fifo", "--no-fifo-wait", "--sample-numpy-filename", "out.npy"]),
    ("input-offset-02", "MAX78002", "networks/cifar10-nas.yaml",
     ["--checkpoint-file", "trained/ai85-cifar10-qat8-q.pth.tar",
      "--sample-input", "tests/sample_cifar-10.npy", "--input-offset", "0x6000",
      "--sample-numpy-filename", "expected"]),
    ("main-forever", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--forever", "--boost", "2.5"]),
    ("main-forever-02", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--forever", "--softmax"]),
    ("no-bias-all", "MAX78000", "networks/cifar10-nas.yaml",
     ["--checkpoint-file", "trained/ai85-cifar10-qat8-q.pth.tar",
      "--sample-input", "tests/sample_cifar-10.npy", "--no-bias"]),
    ("no-bias-some", "MAX78002", "networks/cifar10-nas.yaml",
     ["--checkpoint-file", "trained/ai85-cifar10-qat8-q.pth.tar",
      "--sample-input", "tests/sample_cifar-10.npy", "--no-bias", "0,3,5"]),
    ("no-bias-test", "MAX78002", "test-depthwise-64-bias", ["--no-bias", "0"]),
    ("ignore-activation", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--ignore-activation"]),
    ("ignore-streaming", "MAX78000", "test-fifostream-pool-hwc", ["--fifo", "--ignore-streaming"]),
    ("streaming-layers", "MAX78000", "test-fifostream-pool-hwc", ["--fifo", "--streaming-layers", "1"]),
    ("one-shot", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--one-shot", "--no-timer"]),
    ("one-shot-stream", "MAX78002", "test-fifostream-pool-hwc", ["--fifo", "--one-shot",
                                                                 "--no-timer"]),
    ("verify-writes", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--verify-writes"]),
    ("verify-writes-02", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--verify-writes"]),
    ("verify-writes-stream", "MAX78002", "test-fifostream-pool-hwc", ["--fifo", "--verify-writes"]),
    ("verify-kernels-small", "MAX78000", "test-fifo-hwc", ["--verify-kernels"]),
    ("verify-kernels-zero-sram", "MAX78000", "networks/mnist-chw-ai85.yaml",
     ["--checkpoint-file", "trained/ai85-mnist-qat8-q.pth.tar", "--verify-kernels",
      "--zero-sram"]),
    ("override-stream", "MAX78000", "test-fifostream-pool-stride",
     ["--fifo", "--override-start", "0x30", "--override-delta1", "2", "--override-delta2", "7",
      "--override-rollover", "0x60"]),
    ("override-stream-02", "MAX78002", "test-fifostream-pool-stride-hwc",
     ["--fifo", "--override-start", "0x30", "--override-delta1", "2",
      "--override-rollover", "0x90"]),
    ("override-stream-02b", "MAX78002", "test-fifostream-pool-stride-hwc",
     ["--fifo", "--override-delta2", "9"]),
    ("main-apb-divider", "MAX78002", "networks/mnist-chw-ai85.yaml",
     ['--checkpoint-file', 'trained/ai85-mnist-qat8-q.pth.tar', '--apb', '--clock-divider', '4']),
]


def load_yaml(path):
    # The izer's YAML subset is plain enough for PyYAML, which Debian ships.
    import yaml
    with open(path) as f:
        return yaml.safe_load(f)


def mask(value):
    return int(str(value).replace(".", ""), 0)


def kernel_dims(layer, operation):
    default = "3x3" if operation in ("conv2d", "convtranspose2d") else "1"
    return [int(x) for x in str(layer.get("kernel_size", default)).split("x")]


def next_layer(layers, i):
    """The layer run after layer `i` (`next_sequence`), or None."""
    nxt = layers[i].get("next_sequence", i + 1)
    return None if nxt == "stop" or int(nxt) >= len(layers) else int(nxt)


def make_weights(cfg, in_channels, rng):
    """Random 8-bit weights for every layer with weights, in the izer's
    sample-weight layout (layer order); output channels follow the groups or
    input processors of the layer that runs next (or, for the final layer,
    its output processors)."""
    import numpy as np
    layers = cfg["layers"]
    order, i = [], 0
    while i is not None and i not in order:
        order.append(i)
        i = next_layer(layers, i)
    # Layers after a stop only need consistent shapes.
    order += [i for i in range(len(layers)) if i not in order]
    by_layer = {}
    ch = in_channels
    for i in order:
        layer = layers[i]
        operation = str(layer.get("operation", layer.get("op", "none"))).lower()
        if operation in ("none", "passthrough") or layer.get("bypass"):
            continue
        groups = int(layer.get("groups", 1))
        nxt = next_layer(layers, i)
        if groups > 1:
            out = groups
        elif nxt is not None:
            nxt = layers[nxt]
            out = int(nxt.get("groups", 0)) or bin(mask(nxt["processors"])).count("1")
        else:
            out = bin(mask(layer.get("output_processors", layer["processors"]))).count("1")
        dims = kernel_dims(layer, operation)
        if operation in ("linear", "mlp", "fc"):
            shape = [out, ch]
        elif operation == "convtranspose2d":
            shape = [out // groups, ch] + dims
        else:
            shape = [out, ch // groups] + dims
        by_layer[i] = rng.integers(-128, 128, shape, dtype=np.int64)
        ch = out
    return [by_layer[i] for i in sorted(by_layer)], ch


def prepare(izer, wd, config):
    """Writes the network's files into the scratch tests/ folder; returns
    the YAML path relative to `wd`."""
    import numpy as np
    rng = np.random.default_rng(sum(map(ord, config)))
    tests = os.path.join(wd, "tests")
    if config in NETWORKS:
        dataset, shape, text = NETWORKS[config]
        path = os.path.join(tests, config + ".yaml")
        # The izer lints its YAML: no blank first line.
        with open(path, "w") as f:
            f.write(text.lstrip("\n"))
        np.save(os.path.join(tests, f"sample_{dataset}.npy"),
                rng.integers(-128, 128, shape, dtype=np.int64))
    elif config.endswith(".yaml"):
        return config
    else:
        path = os.path.join(tests, config + ".yaml")
    cfg = load_yaml(path)
    dataset = cfg["dataset"].lower()
    wfile = os.path.join(tests, f"weights_{dataset}.npy")
    # The izer's own weight files (links) are used as they are; ours are
    # rewritten per case since networks of one dataset may differ in shape.
    if "weights" in cfg or os.path.islink(wfile):
        return os.path.relpath(path, wd)
    sample = np.load(os.path.join(tests, f"sample_{dataset}.npy"))
    weights, _ = make_weights(cfg, sample.shape[0], rng)
    with open(wfile, "wb") as f:
        # The izer indexes a lone array by layer: wrap a single layer.
        for w in [weights[0][np.newaxis]] if len(weights) == 1 else weights:
            np.save(f, w)
    bfile = os.path.join(tests, f"bias_{cfg['bias']}.npy") if "bias" in cfg else None
    if bfile and not os.path.islink(bfile):
        # One bias vector per layer with weights.
        with open(bfile, "wb") as f:
            for w in weights:
                np.save(f, rng.integers(-128, 128, (w.shape[0],), dtype=np.int64))
    return os.path.relpath(path, wd)


def setup_workdir(izer, conf, wd):
    """The izer reads assets/ and networks/, tests/, trained/ relative to
    its working directory; tests/ is a real folder (links to the izer's
    files) so generated files can sit next to them."""
    tests = os.path.join(wd, "tests")
    os.makedirs(tests)
    # The izer's tests, then the corpus's inputs (weights it generated).
    for src in (os.path.join(izer, "tests"), os.path.join(conf, "inputs", "tests")):
        if not os.path.isdir(src):
            continue
        for name in os.listdir(src):
            if not os.path.lexists(os.path.join(tests, name)):
                os.symlink(os.path.join(src, name), os.path.join(tests, name))
    for name in ("assets", "networks"):
        os.symlink(os.path.join(izer, name), os.path.join(wd, name))
    trained = os.path.join(conf, "inputs", "trained")
    if os.path.isdir(trained):
        os.symlink(trained, os.path.join(wd, "trained"))


def izer_command(izer, out_dir, common):
    """The izer's command line writing into `out_dir` (run it in the work dir)."""
    return ["/usr/bin/python3", os.path.join(izer, "ai8xize.py"), "--test-dir", out_dir] + common


def tornadoc_command(bin_dir, out_dir, common):
    """tornadoc's command line for the same network and options."""
    return [os.path.join(bin_dir, "tornadoc"), "--no-report", "--test-dir", out_dir] + common


def izer_error(r):
    """The izer's first ERROR line (or its last line) from a failed run."""
    lines = (r.stdout + r.stderr).strip().splitlines()
    errors = [x for x in lines if "ERROR" in x] or lines[-1:] or ["no output"]
    return errors[0]


def conform(conf, ref, cand):
    """Runs tornado-conform on two output folders; returns (process, the
    categories that differ, are missing or could not be compared)."""
    r = subprocess.run([os.path.join(conf, "tornado-conform"), ref, cand],
                       capture_output=True, text=True)
    differs = [x.split()[0] for x in r.stdout.splitlines()
               if re.match(r"^\w+\s+(DIFFERS|MISSING|ERROR)", x)]
    return r, differs


def npy_differs(ref, cand):
    """Whether a .npy file the izer wrote (--sample-numpy-filename) is
    missing from the candidate or holds other values."""
    import numpy as np  # pylint: disable=import-outside-toplevel
    for name in os.listdir(ref):
        if name.endswith(".npy"):
            other = os.path.join(cand, name)
            if not os.path.exists(other):
                return True
            a, b = np.load(os.path.join(ref, name)), np.load(other)
            if a.shape != b.shape or not (a == b).all():
                return True
    return False


def run_case(args, izer, conf, wd, out, case):
    name, device, config, flags = case
    yaml_path = prepare(izer, wd, config)
    common = ["--prefix", name, "--config-file", yaml_path, "--device", device,
              "--timer", "0", "--overwrite"] + flags
    ref_dir, cand_dir = os.path.join(out, "izer"), os.path.join(out, "tornado")
    r = subprocess.run(izer_command(izer, ref_dir, common),
                       cwd=wd, capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(os.path.join(ref_dir, name, "cnn.c")):
        return "IZER-FAILS", izer_error(r)
    r = subprocess.run(tornadoc_command(args.bin, cand_dir, common),
                       cwd=wd, capture_output=True, text=True)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines()
        return "TORNADOC-FAILS", (lines or ["?"])[0]
    warnings = r.stderr
    r, differs = conform(conf, os.path.join(ref_dir, name), os.path.join(cand_dir, name))
    if main_behaviour.compare(os.path.join(ref_dir, name), os.path.join(cand_dir, name)):
        differs.append("main")
    if npy_differs(os.path.join(ref_dir, name), os.path.join(cand_dir, name)):
        differs.append("npy")
    if not differs and r.returncode == 0:
        return "EQUAL", ""
    return deliberate(warnings, differs) or ("DIFFERS", " ".join(differs))


def deliberate(stderr, differs):
    """("DELIBERATE", detail) when tornadoc's warnings say the izer's program
    is wrong in every category that differs (docs/conformance.md), else
    None. A warning explains only the category it is about."""
    warnings = [x.split("warning: ", 1)[-1] for x in stderr.splitlines()
                if "warning:" in x and "the izer" in x]
    explained = {c for w in warnings for c in ("unload", "registers")
                 if (c == "unload") == ("cnn_unload" in w)}
    # A kernel placement the izer gets wrong moves kernels and mask registers.
    if any("kernel words" in w for w in warnings):
        explained |= {"kernels", "registers"}
    if warnings and set(differs) <= explained:
        return "DELIBERATE", " ".join(differs) + " | " + warnings[0]
    return None


def find_oracle(source_root):
    """(IZER_DIR, the corpus folder holding tornado-conform), or (None, None)
    after saying which is missing (the caller then skips)."""
    izer = os.environ.get("IZER_DIR")
    conf = corpus.shared_dir(os.path.abspath(source_root))
    if not izer or not os.path.exists(os.path.join(izer, "ai8xize.py")):
        print("IZER_DIR is not set (or holds no ai8xize.py): skipped")
        return None, None
    if not os.path.exists(os.path.join(conf, "tornado-conform")):
        print(f"{conf}/tornado-conform not found: skipped")
        return None, None
    return izer, conf


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("source_root")
    p.add_argument("--case", default="", help="run the cases whose name contains this")
    p.add_argument("--keep", help="write the output folders here instead of a temporary one")
    p.add_argument("--list", action="store_true")
    args = p.parse_args()
    args.bin = os.path.abspath(args.bin)
    cases = [c for c in CASES if args.case in c[0]]
    if args.list:
        for c in cases:
            print(*c[:3], " ".join(c[3]))
        return 0
    izer, conf = find_oracle(args.source_root)
    if not izer:
        return corpus.SKIP
    with tempfile.TemporaryDirectory() as tmp:
        wd = os.path.join(tmp, "wd")
        setup_workdir(izer, conf, wd)
        out = os.path.abspath(args.keep) if args.keep else os.path.join(tmp, "out")
        equal = 0
        for case in cases:
            status, detail = run_case(args, izer, conf, wd, out, case)
            equal += status in ("EQUAL", "DELIBERATE")
            print(f"{case[0]:28} {case[1]:9} {status:15} {detail[:200]}", flush=True)
    print(f"{equal} of {len(cases)} cases identical or deliberately different")
    return 0 if equal == len(cases) else 1


if __name__ == "__main__":
    sys.exit(main())
