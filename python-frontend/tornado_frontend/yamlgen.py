"""Write an izer-style YAML network description for a model.

The description lists one entry per accelerator layer (`graph.trace`).  With
``placement=True`` it also pins processors, output processors and output offsets the way
izer users write them, so the izer itself can compile the file; with ``placement=False`` those
keys are left out and Tornado chooses them.

Placement rules (simple, for chains of layers):
* a layer with C input channels uses the lowest processors; C > 64 is split over
  ceil(C / 64) passes of ceil(C / passes) processors,
* outputs ping-pong between the two halves of each data-memory instance, starting with the
  upper half because the input is loaded at offset 0,
* the last layer's ``output_processors`` hold its output channels the same way (rounded to
  whole memory instances when it needs several passes).
"""
from .device import get_device, packed_processors
from .graph import INPUT, is_sequential, output_layers, trace


class PlacementError(ValueError):
    """The simple placement cannot place this network; use placement=False."""


def _words_per_instance(shape, passes, wide=False):
    pixels = 1
    for d in shape[1:]:
        pixels *= d
    return pixels * passes * (4 if wide else 1)


def _layer_entry(i, spec, specs):
    e = {'name': spec.name.replace('.', '_')}
    if spec.op is None:
        e['op'] = 'none'
    elif spec.op == 'linear':
        e['op'] = 'mlp'
    else:
        e['op'] = spec.op
    srcs = spec.sources
    if len(srcs) > 1 or (i == 0 and srcs != [INPUT]) or (i > 0 and srcs != [i - 1]):
        e['in_sequences'] = list(srcs)
    if spec.eltwise:
        e['eltwise'] = spec.eltwise
        if spec.operands != 2:
            e['operands'] = spec.operands
        if not spec.pool_first:
            e['pool_first'] = False
    if spec.pooling:
        key = 'max_pool' if spec.pooling == 'max' else 'avg_pool'
        e[key] = _scalar_or_list(spec.pool_size, spec.op)
        e['pool_stride'] = _scalar_or_list(spec.pool_stride, spec.op)
        if spec.pool_dilation != (1, 1):
            e['pool_dilation'] = _scalar_or_list(spec.pool_dilation, spec.op)
    elif spec.pool_stride != (1, 1):
        e['pool_stride'] = _scalar_or_list(spec.pool_stride, spec.op)
    if spec.op == 'conv2d':
        k = tuple(spec.kernel_size)
        if k not in ((3, 3), (1, 1)):
            raise ValueError(f'layer {spec.name}: conv2d kernel {k} is not 1x1 or 3x3')
        if k == (1, 1):
            e['kernel_size'] = '1x1'
        e['pad'] = spec.padding
    elif spec.op == 'conv1d':
        e['kernel_size'] = spec.kernel_size[0]
        e['pad'] = spec.padding
    elif spec.op == 'convtranspose2d':
        if tuple(spec.kernel_size) != (3, 3) or spec.stride != 2:
            raise ValueError(f'layer {spec.name}: convtranspose2d must be 3x3 with stride 2')
        e['pad'] = spec.padding
        if spec.output_padding != 1:
            e['output_pad'] = spec.output_padding
    if spec.op in ('conv2d', 'conv1d'):
        if spec.stride != 1:
            e['stride'] = spec.stride
    if spec.op in ('conv2d', 'conv1d', 'convtranspose2d'):
        if spec.dilation != 1:
            e['dilation'] = spec.dilation
        if spec.groups != 1:
            e['groups'] = spec.groups
    if spec.flatten:
        e['flatten'] = True
    if spec.op is not None:
        e['activate'] = {'relu': 'ReLU', 'abs': 'Abs', None: 'None'}[spec.activation]
        if spec.weight_bits != 8:
            e['quantization'] = spec.weight_bits
        if spec.wide:
            e['output_width'] = 32
    return e


def _scalar_or_list(pair, op):
    if op == 'conv1d':
        return pair[0]
    return pair[0] if pair[0] == pair[1] else list(pair)


def network_description(model, input_shape, arch, dataset, device='MAX78000',
                        placement=True, data_format=None, specs=None):
    """Return the network description (a dict) of `model` for inputs of `input_shape`."""
    device = get_device(device)
    specs = specs if specs is not None else trace(model, input_shape)
    if len(specs) > device.max_layers:
        raise ValueError(f'{len(specs)} layers exceed the {device.max_layers} of {device.name}')
    layers = [_layer_entry(i, s, specs) for i, s in enumerate(specs)]
    fmt = data_format or ('CHW' if input_shape[0] == 1 else 'HWC')
    if fmt not in ('CHW', 'HWC'):
        raise ValueError('data_format must be CHW or HWC')
    layers[0] = _insert_after(layers[0], 'name', 'data_format', fmt)
    if placement:
        _place(specs, layers, device, input_shape)
    return {'arch': arch, 'dataset': dataset, 'layers': layers}


def _insert_after(entry, after, key, value):
    out = {}
    for k, v in entry.items():
        out[k] = v
        if k == after:
            out[key] = value
    return out


def _place(specs, layers, device, input_shape):
    if not is_sequential(specs):
        raise PlacementError('automatic placement handles chains of layers only; '
                             'write the YAML with placement=False and let Tornado place it')
    half = device.half_memory
    _, in_passes = packed_processors(input_shape[0], device)
    if _words_per_instance(input_shape, in_passes) * 4 > half:
        raise PlacementError('input does not fit in half of a data-memory instance')
    last = output_layers(specs)[-1]
    for i, (spec, entry) in enumerate(zip(specs, layers)):
        mask, _ = packed_processors(spec.in_channels, device)
        if spec.eltwise:
            raise PlacementError('element-wise layers need operand placement; use '
                                 'placement=False')
        _, out_passes = packed_processors(spec.out_channels, device)
        out_shape = spec.out_shape if len(spec.out_shape) > 1 else spec.out_shape + (1, 1)
        if _words_per_instance(out_shape, out_passes, spec.wide) * 4 > half:
            raise PlacementError(f'layer {spec.name}: output does not fit in half of a '
                                 'data-memory instance')
        entry['processors'] = mask
        if i == last:
            entry['output_processors'] = packed_processors(spec.out_channels, device, True)[0]
        entry['out_offset'] = half if i % 2 == 0 else 0


# -- text output -----------------------------------------------------------------------------
def _fmt(key, value):
    if key == 'processors' or key == 'output_processors':
        return f'0x{value:016x}'
    if key == 'out_offset':
        return f'0x{value:04x}'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return '[' + ', '.join(str(v) for v in value) + ']'
    return str(value)


def dump_description(desc, comment=None):
    """Render a description dict as YAML text in the izer's usual style (hex masks)."""
    lines = ['---']
    if comment:
        lines += [f'# {line}' if line else '#' for line in comment.splitlines()]
    lines += ['', f'arch: {desc["arch"]}', f'dataset: {desc["dataset"]}', '', 'layers:']
    for entry in desc['layers']:
        first = True
        for k, v in entry.items():
            lines.append(f'  {"- " if first else "  "}{k}: {_fmt(k, v)}')
            first = False
    return '\n'.join(lines) + '\n'


def write_yaml(path, model, input_shape, arch, dataset, device='MAX78000', placement=True,
               data_format=None, comment=None):
    """Write the network description of `model` to `path`; returns the description dict."""
    desc = network_description(model, input_shape, arch, dataset, device, placement,
                               data_format)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(dump_description(desc, comment))
    return desc
