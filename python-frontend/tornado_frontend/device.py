"""Facts about the MAX78000/MAX78002 CNN accelerators that the frontend needs.

Only what the Python side uses lives here: the data-memory geometry (to place layers and to
decode known-answer checks) and the arithmetic widths.  The C++ target model is the full
description of each device.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    """Geometry and arithmetic of one accelerator."""

    name: str
    processors: int          # total processors (channels handled per pass)
    processors_per_group: int
    shared: int              # processors sharing one data-memory instance
    sram_base: int           # address of processor 0's data memory
    instance_stride: int     # bytes between the memories of processors p and p + shared
    group_stride: int        # bytes between processor groups
    instance_bytes: int      # usable bytes in one data-memory instance
    max_layers: int
    max_channels: int
    activation_bits: int = 8
    bias_scale: int = 128    # the accumulator adds bias * 128
    max_weight_bits: int = 8

    @property
    def half_memory(self):
        """Offset that splits a data-memory instance into two ping-pong halves."""
        return self.instance_bytes // 2


MAX78000 = Device(
    name='MAX78000',
    processors=64,
    processors_per_group=16,
    shared=4,
    sram_base=0x50400000,
    instance_stride=0x8000,
    group_stride=0x400000,
    instance_bytes=0x8000,
    max_layers=32,
    max_channels=1024,
)

MAX78002 = Device(
    name='MAX78002',
    processors=64,
    processors_per_group=16,
    shared=4,
    sram_base=0x51800000,
    instance_stride=0x20000,
    group_stride=0x1000000,
    instance_bytes=0x14000,
    max_layers=128,
    max_channels=2048,
)

_DEVICES = {
    'MAX78000': MAX78000, 'AI85': MAX78000, '85': MAX78000,
    'MAX78002': MAX78002, 'AI87': MAX78002, '87': MAX78002,
}


def get_device(name):
    """Return the `Device` for a name such as 'MAX78000', 'ai85' or 85."""
    if isinstance(name, Device):
        return name
    key = str(name).upper()
    if key not in _DEVICES:
        raise ValueError(f'unknown device {name!r} (expected MAX78000 or MAX78002)')
    return _DEVICES[key]


def packed_processors(channels, device, align=False):
    """Lowest-processor mask for `channels` channels and the number of passes it takes.

    More than `device.processors` channels are spread over several passes with an equal
    share per pass; `align` rounds that share up to whole data-memory instances, which is
    how a final layer's outputs are packed by default.
    """
    device = get_device(device)
    passes = -(-channels // device.processors)
    used = -(-channels // passes)
    if align and channels > device.processors:
        used = min(-(-used // device.shared) * device.shared, device.processors)
    return (1 << used) - 1, passes
