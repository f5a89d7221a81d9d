"""Command line of the PyTorch side: ``python3 -m tornado_frontend STEP ...``.

Steps:
  quantize   quantize a QAT (or float) checkpoint for the accelerator
  sample     write a sample input .npy (a Fashion-MNIST test image or random data)
  evaluate   accuracy of a quantized checkpoint of a bundled model on Fashion-MNIST,
             bit-exact in the accelerator's integer arithmetic
"""
import argparse
import sys


def _evaluate(argv):
    parser = argparse.ArgumentParser(
        prog='python3 -m tornado_frontend evaluate',
        description='Bit-exact accuracy of a quantized checkpoint on the Fashion-MNIST test set')
    parser.add_argument('checkpoint', help='quantized checkpoint (*-q.pth.tar)')
    parser.add_argument('--model', default='fashion_net',
                        help='model builder in tornado_frontend.models (default: fashion_net)')
    parser.add_argument('--limit', type=int, help='only the first N test images')
    args = parser.parse_args(argv)
    from . import layers as L
    from . import models
    from .checkpoint import load_into
    from .datasets import load_fashion_mnist
    from .evaluate import accuracy
    build = getattr(models, args.model, None)
    if build is None:
        parser.error(f'no model {args.model!r} in tornado_frontend.models')
    model = build()
    load_into(model, args.checkpoint, mode='hw')
    images, labels = load_fashion_mnist('test')
    if args.limit:
        images, labels = images[:args.limit], labels[:args.limit]
    acc = accuracy(model, L.normalize_uint8(images[:, None]), labels, batch_size=1000)
    print(f'{args.checkpoint}: {acc:.2f}% of {len(labels)} test images')
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    steps = {'quantize': None, 'sample': None, 'evaluate': _evaluate}
    if not argv or argv[0] in ('-h', '--help') or argv[0] not in steps:
        print(__doc__.strip())
        if argv and argv[0] not in ('-h', '--help'):
            print(f'\nunknown step {argv[0]!r}', file=sys.stderr)
            return 2
        return 0 if argv else 2
    step, rest = argv[0], argv[1:]
    if step == 'quantize':
        from .quantize import main as run
        return run(rest)
    if step == 'sample':
        from .sample import main as run
        return run(rest)
    return steps[step](rest)


if __name__ == '__main__':
    sys.exit(main())
