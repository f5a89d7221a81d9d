"""From a PyTorch model to a generated MSDK project in one call, through `tornadoc`.

`compile_model` quantizes the model (unless it already holds a quantized checkpoint), writes
the network description, the quantized checkpoint and a sample input next to the output, then
runs ``tornadoc`` with its izer-compatible flags::

    tornadoc --device D --config-file NET.yaml --checkpoint-file NET-q.pth.tar
             --sample-input SAMPLE.npy --prefix P --test-dir OUT [--softmax] [extra...]

The project lands in ``OUT/P``.  `tornadoc` is found through the `tornadoc` argument, the
``TORNADOC`` environment variable, the ``PATH``, or the repository's ``build/bin``.
"""
import copy
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
import torch

from .checkpoint import make_checkpoint, quantize_model
from .layers import layers_of
from .sample import random_sample, save_sample
from .yamlgen import write_yaml

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class TornadocError(RuntimeError):
    """tornadoc is missing or failed; `result` holds the details when it ran."""

    def __init__(self, message, result=None):
        super().__init__(message)
        self.result = result


@dataclass
class CompileResult:
    """What `compile_model` produced and ran."""

    project_dir: str
    config_file: str
    checkpoint_file: str
    sample_file: str
    command: List[str] = field(default_factory=list)
    returncode: Optional[int] = None
    stdout: str = ''
    stderr: str = ''


def find_tornadoc(tornadoc=None):
    """Path of the tornadoc executable, or raise `TornadocError`.

    An explicit `tornadoc` (a path, or a name looked up on PATH) must exist; otherwise
    ``$TORNADOC``, ``PATH`` and the repository's ``build/bin`` are tried in that order.
    """
    def usable(path):
        return path and os.path.isfile(path) and os.access(path, os.X_OK)

    if tornadoc:
        path = tornadoc if os.sep in tornadoc else shutil.which(tornadoc)
        if usable(path):
            return path
        raise TornadocError(f'tornadoc {tornadoc!r} not found or not executable')
    for path in (os.environ.get('TORNADOC'), shutil.which('tornadoc'),
                 os.path.join(_REPO, 'build', 'bin', 'tornadoc')):
        if usable(path):
            return path
    raise TornadocError('tornadoc not found: build it, put it on PATH, or set TORNADOC')


def tornadoc_command(tornadoc, config_file, checkpoint_file, sample_input, test_dir, prefix,
                     device='MAX78000', softmax=True, extra_args=()):
    """The tornadoc argument list for one compilation."""
    cmd = [tornadoc, '--device', str(device), '--config-file', config_file,
           '--checkpoint-file', checkpoint_file, '--sample-input', sample_input,
           '--prefix', prefix, '--test-dir', test_dir]
    if softmax:
        cmd.append('--softmax')
    return cmd + list(extra_args)


def run_tornadoc(cmd, check=True, timeout=None):
    """Run a tornadoc command; returns the CompletedProcess (raises on failure if `check`)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise TornadocError(f'tornadoc failed with exit code {proc.returncode}:\n'
                            f'{proc.stderr.strip()}', proc)
    return proc


def _quantized_checkpoint(model, arch, quantize_kwargs):
    modes = {m.mode for _, m in layers_of(model) if m.op is not None}
    if modes == {'hw'}:
        return make_checkpoint(model, arch)
    if modes - {'qat'}:
        raise ValueError('compile_model needs a QAT-trained model (mode "qat") or a quantized '
                         'one (mode "hw"); train with layers.start_qat first')
    twin = copy.deepcopy(model)     # leave the caller's model in QAT mode
    ck = quantize_model(twin, arch, **quantize_kwargs)
    return ck


def compile_model(model, input_shape, test_dir, prefix, arch, dataset='unknown',
                  device='MAX78000', sample=None, placement=True, softmax=True,
                  tornadoc=None, extra_args=(), work_dir=None, quantize_kwargs=None,
                  check=True, timeout=None):
    """Quantize `model`, write its inputs and run tornadoc; returns a `CompileResult`.

    `sample` is an integer CHW array; a seeded random one is used when it is None.  The YAML,
    checkpoint and sample go to `work_dir` (default: ``TEST_DIR/PREFIX-inputs``).
    """
    exe = find_tornadoc(tornadoc)
    work_dir = work_dir or os.path.join(test_dir, f'{prefix}-inputs')
    os.makedirs(work_dir, exist_ok=True)
    os.makedirs(test_dir, exist_ok=True)

    ck = _quantized_checkpoint(model, arch, quantize_kwargs or {})
    ck_file = os.path.join(work_dir, f'{prefix}-q.pth.tar')
    torch.save(ck, ck_file)
    yaml_file = os.path.join(work_dir, f'{prefix}.yaml')
    write_yaml(yaml_file, model, input_shape, arch, dataset, device, placement,
               comment=f'{prefix}: written by tornado_frontend')
    if sample is None:
        sample = random_sample(input_shape)
    sample_file = os.path.join(work_dir, f'sample_{prefix}.npy')
    save_sample(sample_file, np.asarray(sample))

    cmd = tornadoc_command(exe, yaml_file, ck_file, sample_file, test_dir, prefix, device,
                           softmax, extra_args)
    proc = run_tornadoc(cmd, check=False, timeout=timeout)
    result = CompileResult(os.path.join(test_dir, prefix), yaml_file, ck_file, sample_file,
                           cmd, proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        raise TornadocError(f'tornadoc failed with exit code {proc.returncode}:\n'
                            f'{proc.stderr.strip()}', result)
    return result
