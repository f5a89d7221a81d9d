"""ONNX export and the tornadoc entry point (with a stand-in tornadoc executable)."""
import json
import os
import stat
import sys

import numpy as np
import onnx
import pytest
import torch
import yaml
from onnx import numpy_helper

from tornado_frontend import layers as L
from tornado_frontend.checkpoint import load_into, quantize_model
from tornado_frontend.driver import TornadocError, compile_model, find_tornadoc
from tornado_frontend.export import export_onnx
from tornado_frontend.knownanswer import parse_sample_output
from tornado_frontend.models import Net5
from tornado_frontend.quantize import load_checkpoint_file


def _small_net():
    torch.manual_seed(0)
    return Net5(widths=(4, 6, 6, 2), bias=True, batchnorm='affine')


def test_export_float_and_hw(tmp_path):
    model = _small_net()
    proto = export_onnx(model, str(tmp_path / 'f.onnx'), (1, 28, 28))
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count('Conv') == 4 and 'MaxPool' in ops and 'AveragePool' in ops
    assert any(op in ops for op in ('Gemm', 'MatMul'))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta['tornado.mode'] == 'float'
    records = json.loads(meta['tornado.layers'])
    assert [r['name'] for r in records] == ['conv1', 'conv2', 'conv3', 'conv4', 'fc']
    assert records[-1]['wide'] and records[-1]['flatten']

    L.start_qat(model)
    quantize_model(model, 'small')
    path = tmp_path / 'hw.onnx'
    proto = export_onnx(model, str(path), (1, 28, 28))
    onnx.checker.check_model(onnx.load(str(path)))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta['tornado.mode'] == 'hw'
    records = json.loads(meta['tornado.layers'])
    assert [r['output_shift'] for r in records] == \
        [int(m.output_shift.item()) for m in (model.conv1, model.conv2, model.conv3,
                                              model.conv4, model.fc)]
    # the integer weights of the first layer are stored as they are
    inits = [numpy_helper.to_array(t) for t in proto.graph.initializer]
    w1 = model.conv1.op.weight.detach().double().numpy()
    assert any(a.shape == w1.shape and np.array_equal(a, w1) for a in inits)
    assert all(np.array_equal(a, np.round(a)) for a in inits if a.shape == w1.shape)
    assert model.conv1.mode == 'hw'          # mode restored


FAKE_TORNADOC = '''#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ['FAKE_TORNADOC_LOG'], 'w') as f:
    json.dump(args, f)
if os.environ.get('FAKE_TORNADOC_FAIL'):
    sys.stderr.write('fake failure\\n')
    sys.exit(3)
out = os.path.join(args[args.index('--test-dir') + 1], args[args.index('--prefix') + 1])
os.makedirs(out, exist_ok=True)
open(os.path.join(out, 'cnn.c'), 'w').write('/* generated */\\n')
print('done')
'''


@pytest.fixture
def fake_tornadoc(tmp_path, monkeypatch):
    exe = tmp_path / 'bin' / 'tornadoc'
    exe.parent.mkdir()
    exe.write_text(FAKE_TORNADOC.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / 'args.json'
    monkeypatch.setenv('FAKE_TORNADOC_LOG', str(log))
    monkeypatch.delenv('TORNADOC', raising=False)
    return str(exe), log


def test_compile_model_calls_tornadoc(tmp_path, fake_tornadoc):
    exe, log = fake_tornadoc
    model = _small_net()
    L.start_qat(model)
    out_dir = tmp_path / 'out'
    sample = np.zeros((1, 28, 28), dtype=np.int64)
    result = compile_model(model, (1, 28, 28), str(out_dir), 'small', 'smallnet', 'MNIST',
                           sample=sample, tornadoc=exe, extra_args=['--timer', '0'])
    args = json.loads(log.read_text())
    assert result.returncode == 0 and result.stdout.strip() == 'done'
    assert os.path.exists(os.path.join(result.project_dir, 'cnn.c'))
    expect = {'--device': 'MAX78000', '--config-file': result.config_file,
              '--checkpoint-file': result.checkpoint_file, '--sample-input': result.sample_file,
              '--prefix': 'small', '--test-dir': str(out_dir), '--timer': '0'}
    for flag, value in expect.items():
        assert args[args.index(flag) + 1] == value
    assert '--softmax' in args
    assert model.conv1.mode == 'qat'                       # the caller's model is untouched
    cfg = yaml.safe_load(open(result.config_file, encoding='utf-8'))
    assert cfg['arch'] == 'smallnet' and len(cfg['layers']) == 5
    ck = load_checkpoint_file(result.checkpoint_file)
    assert ck['arch'] == 'smallnet'
    assert ck['state_dict']['conv1.adjust_output_shift'].item() == 0
    hw_model = Net5(widths=(4, 6, 6, 2), bias=True, batchnorm='affine')
    load_into(hw_model, ck, mode='hw')
    w = hw_model.conv1.op.weight
    assert torch.equal(w, torch.round(w)) and w.abs().max() <= 128
    assert np.array_equal(np.load(result.sample_file), sample)


def test_compile_model_errors(tmp_path, fake_tornadoc, monkeypatch):
    exe, _ = fake_tornadoc
    model = _small_net()
    with pytest.raises(ValueError, match='QAT'):
        compile_model(model, (1, 28, 28), str(tmp_path), 'p', 'a', tornadoc=exe)
    L.start_qat(model)
    monkeypatch.setenv('FAKE_TORNADOC_FAIL', '1')
    with pytest.raises(TornadocError, match='exit code 3') as info:
        compile_model(model, (1, 28, 28), str(tmp_path), 'p', 'a', tornadoc=exe)
    assert 'fake failure' in info.value.result.stderr
    monkeypatch.setenv('PATH', str(tmp_path / 'nowhere'))
    with pytest.raises(TornadocError, match='not found'):
        find_tornadoc(str(tmp_path / 'missing'))
    monkeypatch.setenv('TORNADOC', exe)
    assert find_tornadoc() == exe


def _real_tornadoc():
    try:
        return find_tornadoc()
    except TornadocError:
        return None


@pytest.mark.skipif(_real_tornadoc() is None, reason='tornadoc not built')
def test_compile_model_tornado_places(tmp_path):
    # placement=False writes no processors or offsets; tornadoc places the
    # network, and the known answer is the one of the pinned YAML's build.
    model = _small_net()
    L.start_qat(model)
    sample = np.random.default_rng(4).integers(-128, 128, (1, 28, 28))
    auto = compile_model(model, (1, 28, 28), str(tmp_path / 'auto'), 'small', 'smallnet',
                         'MNIST', sample=sample, placement=False)
    cfg = yaml.safe_load(open(auto.config_file, encoding='utf-8'))
    assert all('processors' not in layer for layer in cfg['layers'])
    hand = compile_model(model, (1, 28, 28), str(tmp_path / 'hand'), 'small', 'smallnet',
                         'MNIST', sample=sample, placement=True)

    def values(result):
        # What the network computes, wherever the outputs are kept.
        text = open(os.path.join(result.project_dir, 'sampleoutput.h')).read()
        return sorted(value for _, value in parse_sample_output(text).values())
    assert os.path.exists(os.path.join(auto.project_dir, 'cnn.c'))
    assert values(auto) == values(hand)
