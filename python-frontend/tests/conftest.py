"""Shared paths and helpers for the frontend tests (run with /usr/bin/python3 -m pytest)."""
import os
import sys
import warnings

import pytest
import torch

FRONTEND = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(FRONTEND)
SHARED = os.environ.get('TORNADO_SHARED', os.path.join(os.path.dirname(REPO), 'shared'))
CONFORMANCE = os.path.join(SHARED, 'conformance')
IZER = os.environ.get('TORNADO_IZER', os.path.join(os.path.dirname(REPO), 'izer'))
NETWORKS = os.path.join(REPO, 'networks')

sys.path.insert(0, FRONTEND)
torch.set_num_threads(1)
# torch's ONNX exporter and old checkpoints are noisy; the tests check results instead.
warnings.filterwarnings('ignore', category=UserWarning)
warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)

needs_corpus = pytest.mark.skipif(not os.path.isdir(CONFORMANCE),
                                  reason=f'conformance corpus not found at {CONFORMANCE}')
