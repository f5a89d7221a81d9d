#!/usr/bin/python3
"""Test-only: run the izer (ai8x-synthesis) and record its known-answer inputs.

Usage: IZER=/path/to/ai8x-synthesis izer-kat-vectors.py OUTDIR <izer arguments>

Run it from a directory laid out like the izer's checkout (assets/, networks/,
tests/, ...). The izer itself is not modified: its APB.verify_unload() is
wrapped so that every layer whose result reaches check_output() is saved as
OUTDIR/out<N>.npy (int64, [C, pixels]) plus OUTDIR/out<N>.txt (the layer
facts the known-answer layout needs). OUTDIR/meta.txt names the device and
--max-checklines. The KnownAnswer unit tests read these files when
TORNADO_KAT_VECTORS points at a folder of such OUTDIRs (see
docs/known-answer.md).
"""
import inspect
import os
import sys

import numpy as np

sys.path.insert(0, os.environ.get('IZER', '/work/izer'))
from izer import apbaccess, izer  # noqa: E402  pylint: disable=wrong-import-position

OUT = sys.argv[1]
ARGS = sys.argv[2:]
os.makedirs(OUT, exist_ok=True)


def arg_value(name, default):
    """Value of izer option `name` in ARGS, or `default`."""
    return ARGS[ARGS.index(name) + 1] if name in ARGS else default


with open(os.path.join(OUT, 'meta.txt'), 'w', encoding='utf-8') as meta:
    meta.write(f"device {arg_value('--device', 'MAX78000')}\n")
    meta.write(f"max_checklines {arg_value('--max-checklines', 'none')}\n")

ORIGINAL = apbaccess.APB.verify_unload
SIGNATURE = inspect.signature(ORIGINAL)
COUNT = [0]


def recording_verify_unload(self, *args, **kwargs):
    """Save the layer result and facts, then run the izer's own code."""
    bound = SIGNATURE.bind(self, *args, **kwargs)
    bound.apply_defaults()
    a = bound.arguments
    # Only the top-level writer with an open C file and a sampleoutput.h
    # collects words for check_output(); intermediate layers have no file.
    if isinstance(self, apbaccess.APBTopLevel) and self.memfile is not None \
       and self.sampleoutput_header is not None:
        shape = tuple(a['input_shape'])
        buf = np.asarray(a['out_buf']).reshape(shape).astype(np.int64)
        n = COUNT[0]
        COUNT[0] += 1
        np.save(os.path.join(OUT, f'out{n}.npy'),
                np.ascontiguousarray(buf.reshape(shape[0], -1)))
        with open(os.path.join(OUT, f'out{n}.txt'), 'w', encoding='utf-8') as f:
            f.write(f"layer {a['ll']}\n"
                    f"processors 0x{a['processor_map']:016x}\n"
                    f"shape {' '.join(str(s) for s in shape)}\n"
                    f"out_offset 0x{a['out_offset']:x}\n"
                    f"out_expand {a['out_expand']}\n"
                    f"out_expand_thresh {a['out_expand_thresh']}\n"
                    f"output_width {a['output_width']}\n"
                    f"write_gap {a['write_gap']}\n")
    return ORIGINAL(self, *args, **kwargs)


apbaccess.APB.verify_unload = recording_verify_unload
sys.argv = ['ai8xize.py'] + ARGS
izer.main()
