"""Known-answer checks: where a layer's output sits in data memory, and reading the checks a
generated project carries (``sampleoutput.h``).

``sampleoutput.h`` defines ``SAMPLE_OUTPUT`` as blocks of ``address, mask, count, values...``
ended by 0; each value is the expected 32-bit data-memory word under the mask.

Output layout (HWC in data memory): the k-th active output processor receives channels
k, k + n, k + 2n, ... (n active processors; each further set of n channels is one more
pass).  Processor p lives in memory instance p // 4 of group p // 16, byte lane p % 4.  For
pixel d and pass e the word is at ``base + out_offset + instance + (d * passes + e) * 4`` for
8-bit data (four processors' bytes share a word) and at
``base + out_offset + instance + ((d * passes + e) * 4 + k4) * 4`` for 32-bit data, where k4
is the processor's position among the active processors of its instance.
"""
import re

import numpy as np

from .device import get_device


def parse_sample_output(text):
    """Return {address: (mask, value)} from the text of a sampleoutput.h file."""
    body = text[text.index('SAMPLE_OUTPUT'):]
    words = [int(w, 16) for w in re.findall(r'0x[0-9a-fA-F]+', body)]
    checks = {}
    i = 0
    while i < len(words) and words[i] != 0:
        addr, mask, count = words[i], words[i + 1], words[i + 2]
        for j in range(count):
            checks[addr + 4 * j] = (mask, words[i + 3 + j])
        i += 3 + count
    return checks


def output_words(output, output_processors, out_offset, device='MAX78000', wide=False):
    """Return {address: (mask, value)} for a layer output placed on `output_processors`."""
    device = get_device(device)
    out = np.asarray(output, dtype=np.int64)
    if out.ndim == 1:
        out = out.reshape(-1, 1, 1)
    elif out.ndim == 2:
        out = out[:, :, None]
    channels = out.shape[0]
    pixels = out.shape[1] * out.shape[2]
    procs = [p for p in range(device.processors) if output_processors >> p & 1]
    if not procs:
        raise ValueError('no output processors')
    passes = -(-channels // len(procs))
    words = {}
    for c in range(channels):
        e, k = divmod(c, len(procs))
        p = procs[k]
        lane = p % device.shared
        group, in_group = divmod(p, device.processors_per_group)
        base = device.sram_base + out_offset + group * device.group_stride \
            + (in_group // device.shared) * device.instance_stride
        flat = out[c].reshape(-1)
        same_instance = [q for q in procs if q // device.shared == p // device.shared]
        pos = same_instance.index(p)
        for d in range(pixels):
            if wide:
                addr = base + ((d * passes + e) * 4 + pos) * 4
                words[addr] = (0xffffffff, int(flat[d]) & 0xffffffff)
            else:
                addr = base + (d * passes + e) * 4
                mask, val = words.get(addr, (0, 0))
                words[addr] = (mask | 0xff << 8 * lane,
                               val | (int(flat[d]) & 0xff) << 8 * lane)
    return words


def compare(checks, expected):
    """List of (address, expected, found) differences between two word maps.

    Every check must be present in `expected` and equal under the check's mask, and every
    expected word must be checked.
    """
    diffs = []
    for addr in sorted(set(checks) | set(expected)):
        if addr not in checks or addr not in expected:
            diffs.append((addr, expected.get(addr), checks.get(addr)))
            continue
        mask, value = checks[addr]
        if expected[addr][1] & mask != value:
            diffs.append((addr, expected[addr][1] & mask, value))
    return diffs


def signed32(words):
    """Interpret word values as signed 32-bit integers (for 32-bit outputs)."""
    return {a: (v - (1 << 32) if v >= 1 << 31 else v) for a, (_, v) in words.items()}
