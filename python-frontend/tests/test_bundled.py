"""The bundled Fashion-MNIST example in networks/: consistency, recorded accuracy, and the
izer's known answer for the bundled sample (when the izer is available)."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
import yaml

from conftest import IZER, NETWORKS, REPO
from tornado_frontend import knownanswer as ka
from tornado_frontend import layers as L
from tornado_frontend.checkpoint import load_into
from tornado_frontend.datasets import fashion_mnist_available, load_fashion_mnist
from tornado_frontend.evaluate import accuracy
from tornado_frontend.models import FASHION_ARCH, fashion_net
from tornado_frontend.quantize import load_checkpoint_file
from tornado_frontend.simulate import HardwareNetwork

YAML_FILE = os.path.join(NETWORKS, 'fashion-mnist.yaml')
CHECKPOINT = os.path.join(NETWORKS, 'fashion-mnist-qat8-q.pth.tar')
SAMPLE = os.path.join(NETWORKS, 'sample_fashion_mnist.npy')
DOC = os.path.join(REPO, 'docs', 'python-frontend.md')


def recorded_accuracy(stage):
    """The accuracy recorded for `stage` in the results table of docs/python-frontend.md."""
    with open(DOC, encoding='utf-8') as f:
        text = f.read()
    m = re.search(rf'^\| *{stage}[^|]*\| *([0-9.]+) *% *\|', text, re.MULTILINE)
    assert m, f'no "{stage}" row in {DOC}'
    return float(m.group(1))


def _hw_model():
    model = fashion_net()
    load_into(model, CHECKPOINT, mode='hw')
    return model


def test_bundled_files_are_consistent():
    with open(YAML_FILE, encoding='utf-8') as f:
        cfg = yaml.safe_load(f)
    ck = load_checkpoint_file(CHECKPOINT)
    assert cfg['arch'] == ck['arch'] == FASHION_ARCH
    assert ck['extras']['clipping_method'] == 'MAX_BIT_SHIFT'
    assert all('processors' in ll and 'out_offset' in ll for ll in cfg['layers'])
    assert os.path.getsize(CHECKPOINT) < 200_000
    sample = np.load(SAMPLE, allow_pickle=False)
    assert sample.dtype == np.int64 and sample.shape == (1, 28, 28)
    assert sample.min() >= -128 and sample.max() <= 127
    for key, value in ck['state_dict'].items():
        if key.endswith('.weight'):
            assert torch.equal(value, torch.round(value)) and value.abs().max() <= 128, key


def test_bundled_simulation_matches_torch_hw_mode():
    sample = np.load(SAMPLE)
    model = _hw_model()
    with torch.no_grad():
        ref = model(L.to_model_input(sample[None], 'hw')).numpy().astype(np.int64).reshape(-1)
    sim = HardwareNetwork(YAML_FILE, CHECKPOINT)(sample).reshape(-1)
    assert sim.tolist() == ref.tolist()


@pytest.mark.skipif(not fashion_mnist_available(), reason='dataset-fashion-mnist not installed')
def test_bundled_accuracy_matches_record():
    images, labels = load_fashion_mnist('test')
    acc = accuracy(_hw_model(), L.normalize_uint8(images[:, None]), labels, batch_size=1000)
    assert abs(acc - recorded_accuracy('quantized')) <= 0.5
    assert recorded_accuracy('QAT') > 80.0


def _izer_usable():
    if not os.path.exists(os.path.join(IZER, 'ai8xize.py')):
        return False
    probe = subprocess.run([sys.executable, '-c', 'import rich, xxhash, git, github'],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _izer_usable(), reason='izer (ai8x-synthesis) or its modules missing')
def test_izer_known_answer_matches_simulation(tmp_path):
    cmd = [sys.executable, 'ai8xize.py', '--test-dir', str(tmp_path), '--prefix', 'fm',
           '--checkpoint-file', CHECKPOINT, '--config-file', YAML_FILE,
           '--device', 'MAX78000', '--sample-input', SAMPLE, '--softmax']
    proc = subprocess.run(cmd, cwd=IZER, capture_output=True, text=True, timeout=300,
                          check=False)
    known_answer = tmp_path / 'fm' / 'sampleoutput.h'
    # The known answer is written before the izer copies its IDE templates; a failure in
    # that last step (a damaged izer asset) does not concern the network.
    late_failure = known_answer.exists() and 'assets.py' in proc.stdout + proc.stderr
    assert proc.returncode == 0 or late_failure, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(known_answer, encoding='utf-8') as f:
        checks = ka.parse_sample_output(f.read())
    with open(YAML_FILE, encoding='utf-8') as f:
        last = yaml.safe_load(f)['layers'][-1]
    out = HardwareNetwork(YAML_FILE, CHECKPOINT)(np.load(SAMPLE))
    words = ka.output_words(out, last['output_processors'], last['out_offset'], 'MAX78000',
                            wide=last.get('output_width', 8) == 32)
    assert checks and ka.compare(checks, words) == []
