#!/usr/bin/python3
"""Train the bundled Fashion-MNIST network with quantization-aware training, on the CPU.

Float training with BatchNorm, then BatchNorm folding and QAT, then quantization, then the
integer (hardware) evaluation.  Writes the QAT and quantized checkpoints, the network
description and a sample input, and prints the accuracies for docs/python-frontend.md.

    /usr/bin/python3 python-frontend/examples/train_fashion_mnist.py \
        --out-dir networks --work-dir /tmp/fashion-train

Needs Debian's python3-torch, python3-numpy, python3-yaml and dataset-fashion-mnist.  The
defaults take about 5 minutes on two idle cores (one torch thread: on a shared machine a
second thread mostly waits); the bundled run took 14 minutes while compilers shared the cores.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from tornado_frontend import layers as L  # noqa: E402
from tornado_frontend.checkpoint import load_into, save_checkpoint  # noqa: E402
from tornado_frontend.datasets import load_fashion_mnist  # noqa: E402
from tornado_frontend.evaluate import accuracy  # noqa: E402
from tornado_frontend.models import FASHION_ARCH, fashion_net  # noqa: E402
from tornado_frontend.quantize import quantize_file  # noqa: E402
from tornado_frontend.sample import from_dataset, save_sample  # noqa: E402
from tornado_frontend.simulate import HardwareNetwork  # noqa: E402
from tornado_frontend.yamlgen import write_yaml  # noqa: E402

INPUT_SHAPE = (1, 28, 28)
SAMPLE_INDEX = 0


def run_epoch(model, opt, sched, x_int, labels, batch_size, rng):
    """One pass over the training data (random order, random horizontal flips)."""
    model.train()
    order = rng.permutation(len(x_int))
    total, seen = 0.0, 0
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        x = x_int[idx].float() / 128.0
        flip = torch.from_numpy(rng.random(len(idx)) < 0.5)
        x[flip] = x[flip].flip(-1)
        y = labels[idx]
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item() * len(idx)
        seen += len(idx)
    return total / seen


def train_phase(model, x_int, labels, epochs, lr, batch_size, rng, label):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(x_int) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    for epoch in range(epochs):
        t0 = time.time()
        loss = run_epoch(model, opt, sched, x_int, labels, batch_size, rng)
        print(f'{label} epoch {epoch + 1}/{epochs}: loss {loss:.4f} ({time.time() - t0:.0f} s)',
              flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', default='networks',
                        help='where the YAML, quantized checkpoint and sample go')
    parser.add_argument('--work-dir', default='/tmp/fashion-train',
                        help='where the float/QAT checkpoints and results.json go')
    parser.add_argument('--float-epochs', type=int, default=5)
    parser.add_argument('--qat-epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--lr', type=float, default=3e-3)
    parser.add_argument('--qat-lr', type=float, default=5e-4)
    parser.add_argument('--train-limit', type=int, default=None,
                        help='use only the first N training images (smoke runs)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (one is fastest on a shared two-core machine)')
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    os.makedirs(args.work_dir, exist_ok=True)

    train_images, train_labels = load_fashion_mnist('train')
    test_images, test_labels = load_fashion_mnist('test')
    if args.train_limit:
        train_images = train_images[:args.train_limit]
        train_labels = train_labels[:args.train_limit]
    x_train = L.normalize_uint8(train_images[:, None])
    y_train = torch.from_numpy(train_labels)
    x_test = L.normalize_uint8(test_images[:, None])

    started = time.time()
    model = fashion_net()
    train_phase(model, x_train, y_train, args.float_epochs, args.lr, args.batch_size, rng,
                'float')
    float_acc = accuracy(model, x_test, test_labels)
    print(f'float test accuracy: {float_acc:.2f} %', flush=True)
    save_checkpoint(model, os.path.join(args.work_dir, 'fashion-mnist-float.pth.tar'),
                    FASHION_ARCH, args.float_epochs, {'current_top1': float_acc})

    L.start_qat(model, weight_bits=8)
    train_phase(model, x_train, y_train, args.qat_epochs, args.qat_lr, args.batch_size, rng,
                'qat')
    qat_acc = accuracy(model, x_test, test_labels)
    print(f'QAT test accuracy: {qat_acc:.2f} %', flush=True)
    epochs = args.float_epochs + args.qat_epochs
    qat_file = os.path.join(args.work_dir, 'fashion-mnist-qat8.pth.tar')
    save_checkpoint(model, qat_file, FASHION_ARCH, epochs - 1,
                    {'current_top1': qat_acc, 'best_top1': qat_acc, 'best_epoch': epochs - 1})

    q_file = os.path.join(args.out_dir, 'fashion-mnist-qat8-q.pth.tar')
    quantize_file(qat_file, q_file)
    hw_model = fashion_net()
    load_into(hw_model, q_file, mode='hw')
    hw_acc = accuracy(hw_model, x_test, test_labels)
    print(f'quantized (integer) test accuracy: {hw_acc:.2f} %', flush=True)

    yaml_file = os.path.join(args.out_dir, 'fashion-mnist.yaml')
    write_yaml(yaml_file, hw_model, INPUT_SHAPE, FASHION_ARCH, 'FashionMNIST',
               comment='Fashion-MNIST example network (CHW input), written by\n'
                       'python-frontend/examples/train_fashion_mnist.py')
    sample = from_dataset(test_images, SAMPLE_INDEX)
    sample_file = os.path.join(args.out_dir, 'sample_fashion_mnist.npy')
    save_sample(sample_file, sample)
    out = HardwareNetwork(yaml_file, q_file)(sample).ravel()
    print(f'sample {SAMPLE_INDEX} (label {test_labels[SAMPLE_INDEX]}): simulated class '
          f'{int(np.argmax(out))}, output {out.tolist()}')

    results = {'float': float_acc, 'qat': qat_acc, 'quantized': hw_acc,
               'float_epochs': args.float_epochs, 'qat_epochs': args.qat_epochs,
               'seed': args.seed, 'minutes': (time.time() - started) / 60.0}
    with open(os.path.join(args.work_dir, 'results.json'), 'w', encoding='utf-8') as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
