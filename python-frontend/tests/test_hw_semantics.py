"""Integer semantics of the hardware primitives and of the building blocks, checked against
values worked out by hand."""
import numpy as np
import pytest
import torch

from tornado_frontend import hw
from tornado_frontend import layers as L
from tornado_frontend.checkpoint import quantize_model


def test_shift_round_is_half_up():
    # shift 0 divides by 128: 64/128 = 0.5 -> 1, -64/128 = -0.5 -> 0, 191 -> 1.49 -> 1,
    # 192 -> 1.5 -> 2, -192 -> -1.5 -> -1
    got = hw.shift_round([64, -64, 191, 192, -192, 0], 0)
    assert got.tolist() == [1, 0, 1, 2, -1, 0]
    # shift 1 divides by 64; shift 7 keeps the value; shift 9 multiplies by 4
    assert hw.shift_round([96, -96], 1).tolist() == [2, -1]     # 1.5 -> 2, -1.5 -> -1
    assert hw.shift_round([5, -5], 7).tolist() == [5, -5]
    assert hw.shift_round([3, -3], 9).tolist() == [12, -12]


def test_saturation_and_activations():
    assert hw.saturate(np.array([300, -300, 5])).tolist() == [127, -128, 5]
    assert hw.activate(np.array([-5, 7]), 'relu').tolist() == [0, 7]
    assert hw.activate(np.array([-128, -3, 4]), 'abs').tolist() == [127, 3, 4]
    # acc 20000 at shift 0 is 156.25 -> saturates to 127; -20000 -> -128, ReLU -> 0
    assert hw.layer_output(np.array([20000, -20000]), 0).tolist() == [127, -128]
    assert hw.layer_output(np.array([20000, -20000]), 0, activation='relu').tolist() == [127, 0]
    # a wide output is the accumulator itself
    assert hw.layer_output(np.array([20000, -20000]), 0, wide=True).tolist() == [20000, -20000]
    # 4-bit weights shift by 4 more: 100 * 2**(4 - 7) = 12.5 -> 13
    assert hw.layer_output(np.array([100]), 0, weight_bits=4).tolist() == [13]


def test_pooling_floor_and_rounding():
    data = np.array([[[1, 2, -1, -2],
                      [3, 5, -3, -5]]])
    # windows: {1,2,3,5} sum 11 -> 2.75 -> 2; {-1,-2,-3,-5} sum -11 -> -2.75 -> -2 (toward 0)
    assert hw.pool2d(data, (2, 2), (2, 2), average=True).tolist() == [[[2, -2]]]
    assert hw.pool2d(data, (2, 2), (2, 2), average=True, rounding=True).tolist() == [[[3, -3]]]
    assert hw.pool2d(data, (2, 2), (2, 2)).tolist() == [[[5, -1]]]
    # stride 1 overlapping max pooling on a row
    row = np.array([[[1, 9, 2, 8]]])
    assert hw.pool2d(row, (1, 2), (1, 1)).tolist() == [[[9, 9, 8]]]
    assert hw.pool1d(np.array([[4, 6, -4, -7]]), 2, 2, average=True).tolist() == [[5, -5]]


def test_conv_and_linear_by_hand():
    data = np.array([[[1, 2, 3],
                      [4, 5, 6],
                      [7, 8, 9]]])
    weight = np.array([[[[1, 0],
                         [0, -1]]]])
    # out[r][c] = d[r][c] - d[r+1][c+1] = -4 everywhere
    assert hw.conv2d(data, weight).tolist() == [[[-4, -4], [-4, -4]]]
    # padding 1 with a 1x1 kernel of 2 doubles the data inside a zero border
    padded = hw.conv2d(data, np.array([[[[2]]]]), padding=(1, 1))
    assert padded[0, 0].tolist() == [0, 0, 0, 0, 0]
    assert padded[0, 2].tolist() == [0, 8, 10, 12, 0]
    assert hw.linear([1, -2, 3], [[1, 1, 1], [2, 0, -1]]).tolist() == [2, -1]
    assert hw.conv1d(np.array([[1, 2, 3, 4]]), np.array([[[1, -1]]])).tolist() == [[-1, -1, -1]]


def test_eltwise_saturates():
    a, b = np.array([100, -100, 5]), np.array([100, 100, 3])
    assert hw.eltwise('add', [a, b]).tolist() == [127, 0, 8]
    assert hw.eltwise('sub', [-a, b]).tolist() == [-128, 0, -8]
    assert hw.eltwise('xor', [np.array([5]), np.array([3])]).tolist() == [6]
    assert hw.eltwise('or', [np.array([5]), np.array([3])]).tolist() == [7]


def test_hardware_bias_from_checkpoint():
    # quantized checkpoints hold bias * 2**(bits - 1); the device floors the quotient
    assert hw.hardware_bias([2944.0, -3490.0, 384.0], 8).tolist() == [23, -28, 3]
    assert hw.hardware_bias([24.0], 4).tolist() == [3]


def _set(layer, weight, bias, shift=0, bits=8):
    with torch.no_grad():
        layer.op.weight.copy_(torch.tensor(weight, dtype=torch.float32))
        if bias is not None:
            layer.op.bias.copy_(torch.tensor(bias, dtype=torch.float32))
        layer.output_shift.fill_(shift)
        layer.weight_bits.fill_(bits)
    L.set_mode(layer, 'hw')


def test_layer_hw_conv_by_hand():
    layer = L.FusedConv2dReLU(1, 1, 1)
    _set(layer, [[[[64]]]], [384.0])       # hardware bias 3 -> adds 384
    x = torch.tensor([[[[2., -3.], [127., -128.]]]], dtype=torch.float64)
    # acc = 64 x + 384 = 512, 192, 8512, -7808; /128 -> 4, 1.5, 66.5, -61 -> 4, 2, 67, -61
    assert layer(x).flatten().tolist() == [4, 2, 67, 0]           # ReLU
    layer.activation = None
    assert layer(x).flatten().tolist() == [4, 2, 67, -61]
    layer.activation = 'abs'
    assert layer(x).flatten().tolist() == [4, 2, 67, 61]
    # output shift -1 halves once more: 512/256 = 2, 192/256 = 0.75 -> 1, 8512/256 = 33.25
    layer.activation = None
    layer.output_shift.fill_(-1)
    assert layer(x).flatten().tolist() == [2, 1, 33, -30]       # -30.5 -> -30


def test_layer_hw_wide_linear_and_pool():
    fc = L.Linear(4, 2, wide=True)
    _set(fc, [[1, 2, 3, 4], [-1, 0, 0, 1]], [128.0, -256.0])      # biases 1, -2
    x = torch.tensor([[10., -10., 20., 5.]], dtype=torch.float64)
    # acc0 = 10 - 20 + 60 + 20 + 128 = 198; acc1 = -10 + 5 - 256 = -261 (no shift, no clip)
    assert fc(x).flatten().tolist() == [198, -261]

    pool = L.AvgPool2d(2)
    L.set_mode(pool, 'hw')
    x = torch.tensor([[[[1., 2.], [3., 5.]], [[-1., -2.], [-3., -5.]]]], dtype=torch.float64)
    assert pool(x).flatten().tolist() == [2, -2]


def test_layer_hw_eltwise_add():
    add = L.Add()
    L.set_mode(add, 'hw')
    a = torch.tensor([[100., -20.]], dtype=torch.float64)
    b = torch.tensor([[100., -120.]], dtype=torch.float64)
    assert add(a, b).flatten().tolist() == [127, -128]


def test_max_bit_shift_by_hand():
    # max |p| = 0.3 -> 1/0.3 = 3.33 -> log2 = 1.74 -> floor 1
    assert L.max_bit_shift(torch.tensor([0.1, -0.3, 0.2]), 8).item() == 1.0
    # max 2.5 -> log2(0.4) = -1.32 -> floor -2
    assert L.max_bit_shift(torch.tensor([2.5, 1.0]), 8).item() == -2.0
    # tiny weights clamp at 23 - bits
    assert L.max_bit_shift(torch.tensor([1e-12]), 8).item() == 15.0


def test_qat_rounds_before_abs_like_hardware():
    # y * 128 = -2.5: the hardware rounds half up to -2, then Abs gives 2 (not 3)
    layer = L.FusedConv2dAbs(1, 1, 1, bias=False)
    with torch.no_grad():
        layer.op.weight.fill_(0.5)
    layer.adjust_output_shift.fill_(0)
    L.set_mode(layer, 'qat')
    x = torch.full((1, 1, 1, 1), -5.0 / 128)
    assert layer(x).item() * 128 == 2.0
    _set(layer, [[[[64.]]]], None)          # the same weight as a device integer
    assert layer(torch.full((1, 1, 1, 1), -5.0, dtype=torch.float64)).item() == 2.0


class _Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = L.FusedConv2dBNReLU(2, 4, 3, padding=1, bias=True, batchnorm='affine')
        self.c2 = L.FusedAvgPoolConv2dReLU(4, 4, 3, pool_size=2, pool_stride=2, padding=1)
        self.fc = L.Linear(4 * 3 * 3, 3, wide=True)

    def forward(self, x):
        x = self.c2(self.c1(x))
        return self.fc(x.view(x.size(0), -1))


def test_qat_forward_equals_hardware():
    torch.manual_seed(3)
    model = _Tiny()
    model.train()
    with torch.no_grad():       # give BatchNorm some statistics
        for _ in range(3):
            model(torch.randn(8, 2, 6, 6))
    model.eval()
    L.start_qat(model)
    x_int = torch.randint(-128, 128, (5, 2, 6, 6)).float()
    with torch.no_grad():
        qat_out = model(x_int / 128.0)
    scale = L.output_scale(model.fc)
    quantize_model(model, 'tiny')
    with torch.no_grad():
        hw_out = model(x_int.double())
    # the wide output is exact in hardware and a float32 approximation in QAT
    assert torch.allclose(qat_out.double() * scale, hw_out, rtol=0, atol=1e-3 * scale)
    assert torch.equal(hw_out, torch.round(hw_out))


def test_fold_batchnorm_keeps_float_function():
    torch.manual_seed(0)
    model = _Tiny()
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 2, 6, 6))
    model.eval()
    x = torch.rand(4, 2, 6, 6) - 0.5
    with torch.no_grad():
        before = model(x)
        L.fold_batchnorm(model)
        after = model(x)
    assert model.c1.bn is None
    assert torch.allclose(before, after, atol=1e-5)


def test_hw_mode_rejects_unfolded_batchnorm():
    layer = L.FusedConv2dBNReLU(1, 2, 3, padding=1)
    L.set_mode(layer, 'hw')
    with pytest.raises(RuntimeError, match='fold'):
        layer(torch.zeros(1, 1, 4, 4, dtype=torch.float64))
