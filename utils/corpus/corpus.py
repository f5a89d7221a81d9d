"""Shared helpers for the conformance-corpus tests.

The corpus (../shared/conformance) lists izer runs in MANIFEST.tsv; each
command's input paths are relative to the corpus folder, and files the izer
loads by name (tests/sample_*.npy, ...) are found under inputs/.
"""
import csv
import os
import shlex
from dataclasses import dataclass, field

# Exit status CTest treats as "skipped" (SKIP_RETURN_CODE).
SKIP = 77


def shared_dir(source_root):
    return os.path.normpath(os.path.join(source_root, "..", "shared", "conformance"))


@dataclass
class Case:
    name: str
    device: str
    args: list
    folder: str
    options: dict = field(default_factory=dict)

    def opt(self, flag, default=None):
        return self.options.get(flag, default)


# izer flags that take a value (everything else is a switch).
VALUE_FLAGS = {
    "--test-dir", "--prefix", "--checkpoint-file", "--config-file", "--device",
    "--sample-input", "--timer", "--max-checklines", "--start-layer",
    "--weight-start", "--board-name", "--output-width", "--stop-after",
    "--fifo-go", "--compact-weights", "--api-filename", "--weight-filename",
    "--sample-filename", "--boost", "--clock-divider", "--input-offset",
}


def parse_args(args):
    options = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            if "=" in a:
                k, v = a.split("=", 1)
                options[k] = v
            elif a in VALUE_FLAGS and i + 1 < len(args):
                options[a] = args[i + 1]
                i += 1
            else:
                options[a] = True
        i += 1
    return options


def load_cases(conformance):
    cases = []
    with open(os.path.join(conformance, "MANIFEST.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            args = shlex.split(row["command"])[1:]
            cases.append(Case(row["case"], row["device"], args, row["folder"],
                              parse_args(args)))
    return cases


def import_command(bin_dir, conformance, case, output):
    """tornado-translate arguments that import `case` (its YAML, weights,
    sample input and start layer) into `output`."""
    cmd = [os.path.join(bin_dir, "tornado-translate"), "--import-yaml",
           os.path.join(conformance, case.opt("--config-file")),
           "--device", case.device,
           "--search-dir", os.path.join(conformance, "inputs"), "-o", output]
    for flag in ("--checkpoint-file", "--sample-input"):
        if case.opt(flag):
            cmd += [flag, os.path.join(conformance, case.opt(flag))]
    if case.opt("--start-layer"):
        cmd += ["--start-layer", case.opt("--start-layer")]
    # The IR records the rounding of the average pools.
    if case.opt("--avg-pool-rounding"):
        cmd += ["--avg-pool-rounding"]
    return cmd


def import_key(case):
    """Cases with equal keys import to the same IR."""
    return (case.opt("--config-file"), case.opt("--checkpoint-file"),
            case.opt("--sample-input"), case.opt("--start-layer"), case.device,
            bool(case.opt("--avg-pool-rounding")))


def known_answer_values(folder):
    """The values of a project's known-answer check (sampleoutput.h: blocks
    of address, mask, count, values...), sorted: what the network computes,
    wherever it keeps its outputs."""
    import re
    with open(os.path.join(folder, "sampleoutput.h")) as f:
        words = re.findall(r"0x[0-9a-fA-F]{8}", f.read())
    values, i = [], 0
    while i + 2 < len(words):
        count = int(words[i + 2], 16)
        values += words[i + 3:i + 3 + count]
        i += 3 + count
    return sorted(values)
