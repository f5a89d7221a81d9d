"""quantize: hand-computed cases and the corpus's trained/quantized checkpoint pairs."""
import glob
import os

import pytest
import torch

from conftest import CONFORMANCE, needs_corpus
from tornado_frontend.quantize import (load_checkpoint_file, main, quantize_checkpoint,
                                       quantize_file)


def _ck(state, **extra):
    ck = {'epoch': 3, 'arch': 'handmade', 'state_dict': state, 'extras': {'best_top1': 1.0}}
    ck.update(extra)
    return ck


def _layer(prefix, weight, bias=None, bits=8, quantile=None):
    state = {f'{prefix}.output_shift': torch.Tensor([0.]),
             f'{prefix}.weight_bits': torch.Tensor([bits]),
             f'{prefix}.bias_bits': torch.Tensor([8.]),
             f'{prefix}.quantize_activation': torch.Tensor([0.]),
             f'{prefix}.adjust_output_shift': torch.Tensor([1.])}
    if quantile is not None:
        state[f'{prefix}.shift_quantile'] = torch.Tensor([quantile])
    state[f'{prefix}.op.weight'] = torch.tensor(weight)
    if bias is not None:
        state[f'{prefix}.op.bias'] = torch.tensor(bias)
    return state


def test_quantize_by_hand():
    state = {}
    # max |w, b| = 0.9: shift floor(log2(1/0.9)) = 0, factor 128
    state.update(_layer('conv1', [[[[0.5, -0.25], [0.1, 0.9]]]], [0.3]))
    state['conv1.op.w_zero_point'] = torch.zeros(1)
    state['conv1.op.base_b_q'] = torch.zeros(1)
    # max 0.2: shift floor(log2(5)) = 2, factor 512; weight_bits 0 means the default 8
    state.update(_layer('fc', [[0.2, -0.2, 0.05]], bits=0))
    # 4-bit layer: factor 8, bias scaled by 2**(4 - 8) * 128 = 8
    state.update(_layer('c4', [[[[0.7, -0.7]]]], [0.1], bits=4))
    q = quantize_checkpoint(_ck(state))
    s = q['state_dict']
    assert s['conv1.op.weight'].flatten().tolist() == [64, -32, 13, 115]   # 12.8, 115.2
    assert s['conv1.op.bias'].tolist() == [38 * 128]                       # 38.4 -> 38
    assert s['conv1.output_shift'].item() == 0
    assert s['conv1.adjust_output_shift'].item() == 0
    assert s['conv1.quantize_activation'].item() == 1
    assert s['conv1.bias_bits'].item() == 8
    assert 'conv1.op.w_zero_point' not in s and 'conv1.op.base_b_q' not in s
    assert s['fc.op.weight'].flatten().tolist() == [102, -102, 26]          # 102.4, 25.6
    assert s['fc.output_shift'].item() == -2
    assert s['fc.weight_bits'].item() == 8
    assert s['c4.op.weight'].flatten().tolist() == [6, -6]                  # 5.6 -> 6
    assert s['c4.op.bias'].tolist() == [8]                                  # 0.8 -> 1, * 8
    assert s['c4.bias_bits'].item() == 4
    assert q['extras'] == {'best_top1': 1.0, 'clipping_method': 'MAX_BIT_SHIFT'}
    assert q['epoch'] == 3 and q['arch'] == 'handmade'
    # the input is not modified
    assert state['conv1.op.weight'].flatten()[0].item() == 0.5


def test_shift_quantile_and_saturation():
    # quantile 0.5 of |0.1, 0.2, 0.3, 1.0| is 0.25: shift 2, factor 512; 153.6 and 512 clip
    state = _layer('c', [[[[0.1, 0.2], [0.3, 1.0]]]], quantile=0.5)
    s = quantize_checkpoint(_ck(state))['state_dict']
    assert s['c.op.weight'].flatten().tolist() == [51, 102, 127, 127]
    assert s['c.output_shift'].item() == -2


def test_legacy_and_auto_schemes():
    # legacy: shift ceil(log2(1/0.6)) = 1 from the weights only; bias rounded once at
    # 0.01 * 256 * 128 = 327.68 -> 328
    state = _layer('c', [[[[0.3, -0.6]]]], [0.01])
    s = quantize_checkpoint(_ck(state), scheme='legacy')['state_dict']
    assert s['c.op.weight'].flatten().tolist() == [77, -128]
    assert s['c.op.bias'].tolist() == [328]
    assert s['c.output_shift'].item() == -1
    # no shift_quantile entries -> auto picks legacy; with them -> the izer rule
    assert torch.equal(quantize_checkpoint(_ck(state), scheme='auto')['state_dict']['c.op.bias'],
                       s['c.op.bias'])
    with_q = _layer('c', [[[[0.3, -0.6]]]], [0.01], quantile=1.0)
    s2 = quantize_checkpoint(_ck(with_q), scheme='auto')['state_dict']
    assert s2['c.output_shift'].item() == 0                    # floor(log2(1/0.6)) = 0
    assert s2['c.op.bias'].tolist() == [128]                   # 1.28 -> 1, * 128


def test_clip_method_max_and_masks():
    state = _layer('c', [[[[0.5, -0.25]]]])
    sched = {'masks_dict': {'c.output_shift': None, 'c.op.weight': None}}
    q = quantize_checkpoint(_ck(state, compression_sched=sched), clip_method='MAX')
    # factor = 128 * max|w| = 64
    assert q['state_dict']['c.op.weight'].flatten().tolist() == [32, -16]
    assert q['extras']['clipping_method'] == 'MAX'
    assert q['state_dict']['c.output_shift'].item() == 0       # untouched by clip methods
    q = quantize_checkpoint(_ck(state, compression_sched=sched))
    assert q['compression_sched']['masks_dict']['c.output_shift'].item() == -1
    assert sched['masks_dict']['c.output_shift'] is None       # caller's dict unchanged


def test_rejects_bad_input():
    state = _layer('c', [[[[0.5]]]])
    state['c.op.w_zero_point'] = torch.ones(1)
    with pytest.raises(ValueError, match='not zero'):
        quantize_checkpoint(_ck(state))
    with pytest.raises(ValueError, match='fold batchnorm'):
        quantize_checkpoint(_ck({'c.bn.weight': torch.ones(3)}))
    with pytest.raises(ValueError, match='state_dict'):
        quantize_checkpoint({'epoch': 1})


def test_file_and_command_line(tmp_path):
    src = tmp_path / 'in.pth.tar'
    torch.save(_ck(_layer('c', [[[[0.5, -0.25]]]], [0.1])), src)
    out = tmp_path / 'out.pth.tar'
    assert main([str(src), str(out)]) == 0
    direct = quantize_file(str(src), str(tmp_path / 'direct.pth.tar'))
    loaded = load_checkpoint_file(str(out))
    assert torch.equal(loaded['state_dict']['c.op.weight'], direct['state_dict']['c.op.weight'])
    assert loaded['state_dict']['c.op.weight'].flatten().tolist() == [128 - 1, -64]


def _corpus_pairs():
    trained = os.path.join(CONFORMANCE, 'inputs', 'trained')
    pairs = []
    for path in sorted(glob.glob(os.path.join(trained, '*-qat8.pth.tar'))):
        quantized = path[:-len('.pth.tar')] + '-q.pth.tar'
        if os.path.exists(quantized):
            pairs.append((path, quantized))
    return pairs


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape \
            and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


@needs_corpus
def test_corpus_has_pairs():
    assert len(_corpus_pairs()) >= 5


_PAIRS = _corpus_pairs() if os.path.isdir(CONFORMANCE) else []


@needs_corpus
@pytest.mark.parametrize('pair', _PAIRS, ids=[os.path.basename(a) for a, _ in _PAIRS])
def test_corpus_pair_tensor_for_tensor(pair):
    trained, reference = (load_checkpoint_file(p) for p in pair)
    ours = quantize_checkpoint(trained, scheme='auto')
    ref_state, our_state = reference['state_dict'], ours['state_dict']
    assert list(our_state) == list(ref_state)
    for key in ref_state:
        assert _same(our_state[key], ref_state[key]), key
    for key in reference:
        assert _same(ours[key], reference[key]), key
    # checkpoints trained with shift quantiles must match under the izer rule as well
    if any(k.endswith('.shift_quantile') for k in trained['state_dict']):
        izer_rule = quantize_checkpoint(trained, scheme='izer')
        assert all(_same(izer_rule['state_dict'][k], ref_state[k]) for k in ref_state)
