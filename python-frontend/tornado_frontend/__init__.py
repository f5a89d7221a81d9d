"""Tornado's Python frontend: quantization-aware building blocks, checkpoint quantization,
network descriptions, sample inputs, ONNX export, a bit-exact simulator and the tornadoc
entry point.  Run everything with Debian's /usr/bin/python3."""
from .checkpoint import load_into, make_checkpoint, quantize_model, save_checkpoint
from .device import MAX78000, MAX78002, get_device
from .driver import CompileResult, TornadocError, compile_model
from .export import export_onnx
from .graph import LayerSpec, trace
from .layers import Layer, fold_batchnorm, set_mode, start_qat, to_model_input
from .quantize import quantize_checkpoint, quantize_file
from .sample import from_dataset, random_sample, save_sample
from .simulate import HardwareNetwork, simulate
from .yamlgen import network_description, write_yaml

__all__ = [
    'CompileResult', 'HardwareNetwork', 'Layer', 'LayerSpec', 'MAX78000', 'MAX78002',
    'TornadocError', 'compile_model', 'export_onnx', 'fold_batchnorm', 'from_dataset',
    'get_device', 'load_into', 'make_checkpoint', 'network_description', 'quantize_checkpoint',
    'quantize_file', 'quantize_model', 'random_sample', 'save_checkpoint', 'save_sample',
    'set_mode', 'simulate', 'start_qat', 'to_model_input', 'trace', 'write_yaml',
]
