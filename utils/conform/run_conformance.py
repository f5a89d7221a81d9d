#!/usr/bin/python3
"""Emitter conformance over the izer corpus, without the lowering.

For every selected case of shared/conformance/MANIFEST.tsv: dump2hw.py
rebuilds the register-level IR from the reference folder, tornado-emit
prints it as C, and tornado-conform's comparison (the same functions the
`tornado-conform REF CAND` command runs, called in-process so each reference
folder is interpreted only once) must find every category EQUAL.

Prints "N of M cases identical" and per-category counts; exits 1 if fewer
than --ratchet cases are identical, 77 (skipped) if the corpus is absent.
By default a representative subset runs; TORNADO_FULL_CONFORM=1 (or --full)
runs every non-RTL, non-CMSIS case.
"""

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dump2hw  # noqa: E402

# Cases that exercise each code shape: loaders, FIFOs, devices, RISC-V,
# byte unloads, multi-group bias, zero-SRAM, no KAT/unload.
# Names are corpus folders below corpus/ (case names repeat across devices).
SUBSET = [
    'MAX78000/mnist', 'MAX78000/options/mnist-no-mexpress', 'MAX78000/options/mnist-fifo',
    'MAX78000/options/mnist-zero-sram', 'MAX78000/options/mnist-no-kat',
    'MAX78000/options/mnist-no-unload', 'MAX78000/options/mnist-no-compact-data',
    'MAX78000/options/cifar-10-fifo', 'MAX78000/mnist-riscv',
    'MAX78000/tests/test-ai85-conv1d', 'MAX78000/tests/test-ai85-cifar10-hwc-quant4',
    'MAX78002/mnist', 'MAX78002/options/mnist-fifo',
]

_conf = None


def _worker_init(conformance):
    global _conf  # pylint: disable=global-statement
    _conf = dump2hw.load_checker(conformance)
    sys.setrecursionlimit(20000)


def run_case(job):
    case, folder, command, emit, workdir = job
    conf = _conf
    safe = case.replace('/', '_')
    out = {'case': case, 'status': 'error', 'categories': {}, 'message': ''}
    try:
        state = dump2hw.run_checker(conf, folder)
        text = dump2hw.convert(conf, folder, command, state)
    except dump2hw.Unsupported as e:
        out['status'] = 'unsupported'
        out['message'] = str(e)
        return out
    ir = os.path.join(workdir, safe + '.mlir')
    cand = os.path.join(workdir, safe)
    with open(ir, 'w', encoding='utf-8') as f:
        f.write(text)
    shutil.rmtree(cand, ignore_errors=True)
    p = subprocess.run([emit, '--emit-c', f'--emit-c-dir={cand}', ir],
                       capture_output=True, text=True, check=False)
    if p.returncode != 0:
        out['message'] = 'tornado-emit failed: ' + p.stderr.strip()[:500]
        return out
    ref = state[0]
    cst = conf.extract(cand, None, fallback=ref.device)
    results = conf.compare(ref, cst)
    out['categories'] = {c: results[c].status for c in conf.CATEGORIES}
    bad = [c for c in conf.CATEGORIES if results[c].status != 'equal']
    probs = [m for cat, m in cst.problems if cat is None]
    out['status'] = 'identical' if not bad and not probs else 'different'
    if bad or probs:
        diffs = []
        for c in bad:
            r = results[c]
            first = r.diffs[0] if r.diffs else None
            diffs.append(f'{c}: {r.status} {r.summary}' +
                         (f' [{first[0]}: ref {first[1]} cand {first[2]}]' if first else '') +
                         (f' ({r.notes[0]})' if r.notes else ''))
        out['message'] = '; '.join(diffs + probs)[:800]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--emit', required=True, help='tornado-emit binary')
    ap.add_argument('--conformance', default=dump2hw.DEFAULT_CONFORMANCE)
    ap.add_argument('--full', action='store_true',
                    default=os.environ.get('TORNADO_FULL_CONFORM') == '1',
                    help='every non-RTL, non-CMSIS case (also TORNADO_FULL_CONFORM=1)')
    ap.add_argument('--cases', help='comma-separated case names instead')
    ap.add_argument('--ratchet', type=int, default=None,
                    help='minimum number of identical cases')
    ap.add_argument('--full-ratchet', type=int, default=None,
                    help='minimum for --full runs')
    ap.add_argument('-j', '--jobs', type=int, default=1)
    ap.add_argument('--workdir', help='keep generated projects here')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args(argv)

    manifest = os.path.join(args.conformance, 'MANIFEST.tsv')
    if not os.path.exists(manifest):
        print('conformance corpus not found; skipped')
        return 77
    with open(manifest, encoding='utf-8') as f:
        rows = [ln.rstrip('\n').split('\t') for ln in f][1:]
    eligible = [r for r in rows if r[1] != 'CMSIS-NN'
                and '--rtl' not in r[2].split() and '--rtl-preload' not in r[2].split()]
    def key(row):
        return row[3][len('corpus/'):] if row[3].startswith('corpus/') else row[3]
    by_name = {key(r): r for r in eligible}
    if args.cases:
        names = args.cases.split(',')
    elif args.full:
        names = [key(r) for r in eligible]
    else:
        names = SUBSET
    missing = [n for n in names if n not in by_name]
    if missing:
        print('unknown or ineligible cases: ' + ', '.join(missing))
        return 2
    ratchet = args.full_ratchet if args.full and not args.cases else args.ratchet
    if ratchet is None:
        ratchet = len(names)

    workdir = args.workdir or tempfile.mkdtemp(prefix='tornado-conform-')
    os.makedirs(workdir, exist_ok=True)
    jobs = [(n, os.path.join(args.conformance, by_name[n][3]), by_name[n][2],
             os.path.abspath(args.emit), workdir) for n in names]
    start = time.time()
    results = []
    with multiprocessing.Pool(max(1, args.jobs), _worker_init, (args.conformance,)) as pool:
        for res in pool.imap_unordered(run_case, jobs):
            results.append(res)
            if args.verbose or res['status'] != 'identical':
                print(f'{res["status"]:<11} {res["case"]}'
                      + (f'  {res["message"]}' if res['message'] else ''), flush=True)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)

    cats = ['registers', 'kernels', 'bias', 'input', 'output', 'api', 'unload']
    identical = sum(r['status'] == 'identical' for r in results)
    print(f'{identical} of {len(results)} cases identical '
          f'({time.time() - start:.0f} s, {"selected cases" if args.cases else "full corpus" if args.full else "subset"})')
    for c in cats:
        eq = sum(r['categories'].get(c) == 'equal' for r in results)
        print(f'  {c:<10} {eq} of {len(results)} equal')
    for status in ('different', 'unsupported', 'error'):
        n = sum(r['status'] == status for r in results)
        if n:
            print(f'  {status}: {n}')
    if identical < ratchet:
        print(f'FAIL: below the ratchet of {ratchet} identical cases')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
