"""Demo networks built from the building blocks.

`Net5` has the shape of the izer's ai85net5 MNIST demo: a 3x3 convolution, two max-pooled
convolutions, an average-pooled convolution and a wide (32-bit) classifier.  `ai85net5()` has
the demo's widths (it loads the demo's checkpoints); `fashion_net()` is the smaller bundled
Fashion-MNIST example.
"""
from torch import nn

from . import layers as L


class Net5(nn.Module):
    """conv -> maxpool+conv -> maxpool+conv -> avgpool+conv -> flatten -> linear (wide)."""

    def __init__(self, widths=(60, 60, 56, 12), num_classes=10, num_channels=1,
                 dimensions=(28, 28), bias=False, batchnorm=None):
        super().__init__()
        w1, w2, w3, w4 = widths
        bn = {'batchnorm': batchnorm} if batchnorm else {}
        self.conv1 = L.FusedConv2dReLU(num_channels, w1, 3, padding=1, bias=bias, **bn)
        # padding 2 grows 14x14 to 16x16 so the next two poolings divide evenly
        self.conv2 = L.FusedMaxPoolConv2dReLU(w1, w2, 3, pool_size=2, pool_stride=2,
                                              padding=2, bias=bias, **bn)
        self.conv3 = L.FusedMaxPoolConv2dReLU(w2, w3, 3, pool_size=2, pool_stride=2,
                                              padding=1, bias=bias, **bn)
        self.conv4 = L.FusedAvgPoolConv2dReLU(w3, w4, 3, pool_size=2, pool_stride=2,
                                              padding=1, bias=bias, **bn)
        side = ((dimensions[0] // 2 + 2) // 2) // 2
        self.fc = L.Linear(w4 * side * side, num_classes, bias=True, wide=True)

    def forward(self, x):
        x = self.conv1(x)
        x = self.conv2(x)
        x = self.conv3(x)
        x = self.conv4(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


def ai85net5(**kwargs):
    """The izer demo's ai85net5 (MNIST, 60/60/56/12 channels, no conv bias)."""
    return Net5(**kwargs)


FASHION_ARCH = 'ai85fashionnet'


def fashion_net(**kwargs):
    """The bundled Fashion-MNIST network: ai85net5's shape with fewer channels, conv bias
    and BatchNorm (folded before QAT)."""
    kwargs.setdefault('widths', (24, 48, 48, 12))
    kwargs.setdefault('bias', True)
    kwargs.setdefault('batchnorm', 'affine')
    return Net5(**kwargs)
