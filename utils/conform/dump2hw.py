#!/usr/bin/python3
"""Turn the hardware state of a reference output folder into tornado_hw IR.

Test-only bridge: it lets the C emitter be validated against the conformance
corpus without the lowering. The canonical state comes from tornado-conform:
its interpreter executes the folder's C functions, and this script reads the
ordered bus operations of every register-level function (so intermediate
stores, polls and checks keep their order) and the canonical memory images
(kernels, bias, input, expected output, unload map). Options that only change
the shape of the code come from the izer command line in MANIFEST.tsv.

    dump2hw.py --case mnist [-o out.mlir]         # case name from MANIFEST.tsv
    dump2hw.py --folder DIR --command "ai8xize.py ..." [-o out.mlir]

Exit status: 0 on success, 1 if the folder uses something the register-level
IR cannot express (the reason is printed), 2 on usage errors.
"""

import argparse
import importlib.machinery
import importlib.util
import os
import re
import shlex
import sys

DEFAULT_CONFORMANCE = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'conformance'))

# Functions whose register traffic the IR states, with their tornado_hw kind.
FUNC_KINDS = [
    ('cnn_enable', 'enable'), ('cnn_init', 'init'), ('cnn_configure', 'configure'),
    ('cnn_start', 'start'), ('CNN_ISR', 'isr'), ('CNN_IRQHandler', 'isr'),
    ('cnn_stop', 'stop'), ('cnn_continue', 'continue'), ('cnn_disable', 'disable'),
]
GCFR = re.compile(r'^MXC_GCFR->reg([0-3])$')
# What cnn_enable() stores into the clock divider register.
CLOCK_SELECT = ('(((MXC_GCR->pclkdiv & ~(MXC_F_GCR_PCLKDIV_CNNCLKDIV | '
                'MXC_F_GCR_PCLKDIV_CNNCLKSEL)) | clock_divider) | clock_source)')
# Data arrays at least this long become dense_resource blobs.
BLOB_THRESHOLD = 64


class Unsupported(Exception):
    pass


def load_checker(conformance):
    path = os.path.join(conformance, 'tornado-conform')
    loader = importlib.machinery.SourceFileLoader('tornado_conform', path)
    spec = importlib.util.spec_from_loader('tornado_conform', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def run_checker(conf, folder):
    """Returns (FolderState, {function: ordered ops}) for `folder`."""
    ops_of = {}
    original = conf.Interp.run

    def recording_run(self, fname, args=None):
        ops, sinks = original(self, fname, args)
        ops_of[fname] = list(ops)
        return ops, sinks
    conf.Interp.run = recording_run
    try:
        st = conf.extract(folder)
    finally:
        conf.Interp.run = original
    return st, ops_of


class Blobs:
    """Collects dense_resource blobs for the module's resource section."""

    def __init__(self):
        self.items = []

    def attr(self, name, values, width, shape):
        etype = f'ui{width}'
        tensor = f'tensor<{"x".join(str(d) for d in shape)}x{etype}>'
        if len(values) < BLOB_THRESHOLD:
            if len(shape) == 2:
                rows = [values[i:i + shape[1]] for i in range(0, len(values), shape[1])]
                body = '[' + ', '.join('[' + ', '.join(str(v) for v in r) + ']'
                                       for r in rows) + ']'
            else:
                body = '[' + ', '.join(str(v) for v in values) + ']'
            return f'dense<{body}> : {tensor}'
        nbytes = width // 8
        data = b''.join(v.to_bytes(nbytes, 'little') for v in values)
        key = f'{name}_{len(self.items)}'
        self.items.append((key, nbytes.to_bytes(4, 'little') + data))
        return f'dense_resource<{key}> : {tensor}'

    def section(self):
        if not self.items:
            return ''
        lines = ['', '{-#', '  dialect_resources: {', '    builtin: {']
        for i, (key, data) in enumerate(self.items):
            sep = ',' if i + 1 < len(self.items) else ''
            lines.append(f'      {key}: "0x{data.hex().upper()}"{sep}')
        lines += ['    }', '  }', '#-}', '']
        return '\n'.join(lines)


def hx(v):
    return f'0x{v & 0xffffffff:08x}'


def options_from_command(command):
    args = shlex.split(command)
    opts = {'flags': set(a for a in args if a.startswith('--'))}
    for i, a in enumerate(args):
        if a == '--timer' and i + 1 < len(args):
            opts['timer'] = int(args[i + 1])
        if a == '--prefix' and i + 1 < len(args):
            opts['prefix'] = args[i + 1]
    return opts


def clock_from_main(folder):
    for name in ('main.c', 'main_riscv.c'):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            m = re.search(r'cnn_enable\(MXC_S_GCR_PCLKDIV_CNNCLKSEL_(\w+),\s*'
                          r'MXC_S_GCR_PCLKDIV_CNNCLKDIV_DIV(\d+)\)', f.read())
        if m:
            return m.group(1).lower(), int(m.group(2))
    return 'pclk', 1


def function_ops(conf, dev, name, kind, ops, device_name, timer):
    """IR lines for one register-level function."""
    lines = []
    writes = [i for i, op in enumerate(ops)
              if op[0] == 'w' and dev.classify(op[1])[0] == 'reg']
    last_write = writes[-1] if writes else None
    for i, op in enumerate(ops):
        k = op[0]
        if kind == 'start' and i == last_write:
            lines.append('tornado_hw.timer_start')
        if k == 'w':
            _, addr, size, val, wop = op
            region = dev.classify(addr)[0]
            if region != 'reg':
                raise Unsupported(f'{name}() writes {region} memory at {hx(addr)}')
            if size != 4 or not isinstance(val, int):
                raise Unsupported(f'{name}() has a {size}-byte or symbolic store at {hx(addr)}')
            mode = {'=': '', '|=': 'or ', '&=': 'and '}.get(wop)
            if mode is None:
                raise Unsupported(f'{name}() uses {wop} at {hx(addr)}')
            lines.append(f'tornado_hw.write {mode}{hx(addr)}, {hx(val)}')
        elif k == 'nw':
            _, reg, wop, val = op
            m = GCFR.match(reg)
            if isinstance(val, str) and re.fullmatch(r'-?(0x[0-9a-fA-F]+|[0-9]+)', val):
                val = int(val, 0)
            if m and isinstance(val, int):
                mode = {'=': '', '|=': 'or ', '&=': 'and '}[wop]
                lines.append(f'tornado_hw.sys_write {mode}gcfr_reg{m.group(1)}, 0x{val:x}')
                # The MAX78002 load switches need time after power-up.
                if device_name == 'MAX78002' and m.group(1) == '0' and wop == '=' and val:
                    lines.append('tornado_hw.delay 10000')
            elif reg == 'MXC_GCR->pclkdiv' and val == CLOCK_SELECT:
                lines.append('tornado_hw.clock_enable')
            else:
                raise Unsupported(f'{name}() writes {reg}')
        elif k in ('poll', 'chk'):
            _, addr, mask, rel, val = op
            if rel != '==':
                raise Unsupported(f'{name}() waits for a {rel} condition')
            op_name = 'poll' if k == 'poll' else 'check'
            lines.append(f'tornado_hw.{op_name} {hx(addr)} mask {hx(mask)} value {hx(val)}')
        elif k in ('pollx', 'chkx'):
            raise Unsupported(f'{name}() has a symbolic condition {op[1]}')
        elif k in ('fill', 'symw'):
            raise Unsupported(f'{name}() has a {k} operation')
    if kind == 'isr':
        lines.append('tornado_hw.timer_stop')
    if kind == 'disable':
        lines.insert(0, 'tornado_hw.clock_disable')
    return lines


def runs(items, contiguous):
    """Splits a sorted list into maximal runs where contiguous(prev, cur)."""
    out = []
    for it in items:
        if out and contiguous(out[-1][-1], it):
            out[-1].append(it)
        else:
            out.append([it])
    return out


def unload_ops(conf, dev, unload):
    inst_bytes = dev.inst_size * 16

    def block(addr):
        # Runs must stay inside one data-memory instance.
        _, g, rel = dev.classify(addr)
        return g, rel // inst_bytes
    words, lanes = [], {}
    for off, text in unload.items():
        m = re.fullmatch(r'u32 \[0x([0-9a-f]+)\]', text)
        if m:
            words.append((off, int(m.group(1), 16)))
            continue
        m = re.fullmatch(r'u8 \(\(\[0x([0-9a-f]+)\] >> 0x([0-9a-f]+)\) & 0xff\)', text) or \
            re.fullmatch(r'u8 \(\[0x([0-9a-f]+)\] & 0xff\)()', text)
        if not m:
            raise Unsupported(f'unload entry +{off}: {text}')
        addr, shift = int(m.group(1), 16), int(m.group(2) or '0', 16)
        if shift % 8 or shift > 24:
            raise Unsupported(f'unload entry +{off}: {text}')
        lane = lanes.setdefault(addr, [-1, -1, -1, -1])
        if lane[shift // 8] != -1:
            raise Unsupported(f'unload reads byte {shift // 8} of {hx(addr)} twice')
        lane[shift // 8] = off
    ops = []
    # 32-bit entries: runs with a constant source step and consecutive output.
    words.sort()
    i = 0
    while i < len(words):
        off0, a0 = words[i]
        n, step = 1, None
        while i + n < len(words):
            off, a = words[i + n]
            if off != off0 + 4 * n or block(a) != block(a0):
                break
            d = a - words[i + n - 1][1]
            if step is None:
                if d <= 0 or d % 4:
                    break
                step = d // 4
            elif d != 4 * step:
                break
            n += 1
        st = f' step {step}' if step not in (None, 1) else ''
        ops.append((off0, f'tornado_hw.unload_words {hx(a0)} count {n}{st} to {off0}'))
        i += n
    # Byte entries: words with the same lanes shifted by a constant per word.
    srcs = sorted(lanes.items())
    i = 0
    while i < len(srcs):
        a0, l0 = srcs[i]
        n, step, ostep = 1, None, None
        while i + n < len(srcs):
            a, lc = srcs[i + n]
            pa, pl = srcs[i + n - 1]
            d = a - pa
            if [x < 0 for x in lc] != [x < 0 for x in l0] or block(a) != block(a0):
                break
            deltas = {c - p for c, p in zip(lc, pl) if c >= 0}
            if len(deltas) != 1:
                break
            od = deltas.pop()
            if step is None:
                if d <= 0 or d % 4 or od < 0:
                    break
                step, ostep = d // 4, od
            elif d != 4 * step or od != ostep:
                break
            n += 1
        st = f' step {step}' if step not in (None, 1) else ''
        os_ = f' out_step {ostep}' if ostep not in (None, 1) else ''
        ops.append((min(x for x in l0 if x >= 0),
                    f'tornado_hw.unload_bytes {hx(a0)} count {n}{st} to '
                    f'[{", ".join(str(x) for x in l0)}]{os_}'))
        i += n
    ops.sort()
    return [o for _, o in ops]


def convert(conf, folder, command, state=None):
    """IR text for `folder`; `state` is a (FolderState, ops) pair from
    run_checker() if the caller already has it."""
    st, ops_of = state if state else run_checker(conf, folder)
    if st.func_errors:
        raise Unsupported('reference functions fail: ' + '; '.join(st.func_errors.values()))
    dev = conf.DEVICES[st.device]
    opts = options_from_command(command)
    flags = opts['flags']
    if '--rtl' in flags or '--rtl-preload' in flags:
        raise Unsupported('RTL simulation output')
    if 'cnn_init' not in ops_of:
        raise Unsupported('no cnn_init()')

    # Memory-map helpers (tornado-conform's own device table).
    def group_of(addr):
        return dev.classify(addr)[1]

    blobs = Blobs()
    body = []

    # Register functions.
    for cname, kind in FUNC_KINDS:
        if cname not in ops_of:
            continue
        lines = function_ops(conf, dev, cname, kind, ops_of[cname], st.device,
                             opts.get('timer'))
        body.append(f'  tornado_hw.func {kind} {{')
        body += ['    ' + ln for ln in lines]
        body.append('  }')
    for fname, ops in ops_of.items():
        if fname in dict(FUNC_KINDS):
            continue
        for op in ops:
            if op[0] == 'w' and dev.classify(op[1])[0] == 'reg':
                raise Unsupported(f'{fname}() writes register {hx(op[1])}')
            if op[0] in ('nw', 'symw', 'fill'):
                raise Unsupported(f'{fname}() has a {op[0]} operation')
            if op[0] in ('poll', 'chk') and fname != 'load_input' and \
                    dev.classify(op[1])[0] == 'reg':
                raise Unsupported(f'{fname}() polls register {hx(op[1])}')

    # Kernels: runs of consecutive columns per processor.
    old_loader = '--old-kernel-loader' in flags
    if st.kernels:
        per_proc = {}
        for addr, data in sorted(st.kernels['words'].items()):
            _, g, rel = dev.classify(addr)
            p, within = divmod(rel, dev.stride)
            per_proc.setdefault((g, p), []).append((within // 16, data))
        for (g, p), cols in sorted(per_proc.items()):
            if old_loader:
                first, last = cols[0][0], cols[-1][0]
                have = dict(cols)
                groups = [[(c, have.get(c, bytes(9))) for c in range(first, last + 1)]]
            else:
                groups = runs(cols, lambda a, b: b[0] == a[0] + 1)
            for r in groups:
                values = [b for _, data in r for b in data]
                attr = blobs.attr(f'kernels_g{g}_p{p}', values, 8, [len(r), 9])
                body.append(f'  tornado_hw.kernels group {g} proc {p} column {r[0][0]} : {attr}')

    # Bias: runs of consecutive entries per group.
    if st.bias:
        entries = sorted(st.bias['bytes'].items())
        for r in runs(entries, lambda a, b: b[0][0] == a[0][0] and b[0][1] == a[0][1] + 1):
            g, off = r[0][0]
            attr = blobs.attr(f'bias_g{g}', [v for _, v in r], 8, [len(r)])
            body.append(f'  tornado_hw.bias group {g} offset {off} : {attr}')

    # Input.
    input_loader = 'memory'
    if '--fast-fifo' in flags:
        input_loader = 'fast_fifo'
    elif '--fifo' in flags:
        input_loader = 'fifo'
    elif '--no-compact-data' in flags:
        input_loader = 'inline_stores'
    if st.input:
        inst_bytes = dev.inst_size * 16

        def where(addr):
            _, g, rel = dev.classify(addr)
            return g, rel // inst_bytes, rel % inst_bytes
        words = sorted(st.input['sram'].items())
        for addr, v in words:
            if not isinstance(v, int):
                raise Unsupported(f'symbolic input word at {hx(addr)}')
        if words and input_loader not in ('memory', 'inline_stores'):
            raise Unsupported('data-memory input with a FIFO loader')
        for r in runs(words, lambda a, b: b[0] == a[0] + 4 and
                      where(a[0])[:2] == where(b[0])[:2]):
            g, inst, off = where(r[0][0])
            proc = g * 16 + inst * 4
            attr = blobs.attr(f'input_p{proc}', [v & 0xffffffff for _, v in r], 32, [len(r)])
            body.append(f'  tornado_hw.input processor {proc} offset {off} : {attr}')
        for addr, vals in sorted(st.input['fifo'].items()):
            if any(not isinstance(v, int) for v in vals):
                raise Unsupported('symbolic FIFO word')
            fifo = 0 if addr == 0x400c0410 else (addr - 0x50000008) // 4
            attr = blobs.attr(f'fifo{fifo}', [v & 0xffffffff for v in vals], 32, [len(vals)])
            body.append(f'  tornado_hw.fifo_input fifo {fifo} : {attr}')

    # Expected output: runs of consecutive words with one mask.
    if st.output:
        inst_bytes = dev.inst_size * 16
        items = sorted(st.output['words'].items(), key=lambda kv: (kv[1][0], kv[0]))

        def same_block(a, b):
            _, ga, ra = dev.classify(a[0])
            _, gb, rb = dev.classify(b[0])
            return (b[0] == a[0] + 4 and a[1][0] == b[1][0] and ga == gb
                    and ra // inst_bytes == rb // inst_bytes)
        for r in runs(items, same_block):
            attr = blobs.attr('expect', [v for _, (_, v) in r], 32, [len(r)])
            body.append(f'  tornado_hw.expect {hx(r[0][0])} mask {hx(r[0][1][0])} : {attr}')

    if st.unload is not None:
        body += ['  ' + ln for ln in unload_ops(conf, dev, st.unload)]

    # Program attributes.
    source, divider = clock_from_main(folder)
    attrs = [f'device = "{st.device}"']
    if '--no-mexpress' in flags:
        attrs.append('kernel_format = #tornado_hw.kernel_format<plain>')
    if old_loader:
        attrs.append('kernel_loader = #tornado_hw.kernel_loader<per_processor>')
    if input_loader != 'memory':
        attrs.append(f'input_loader = #tornado_hw.input_loader<{input_loader}>')
    if source != 'pclk':
        attrs.append(f'clock_source = #tornado_hw.clock_source<{source}>')
    if divider != 1:
        attrs.append(f'clock_divider = {divider} : i32')
    # The izer measures energy with the power monitor instead of a timer.
    if 'timer' in opts and '--energy' not in flags:
        attrs.append(f'timer = {opts["timer"]} : i32')
    if '--softmax' in flags:
        attrs.append('softmax')
    if st.output is None:
        attrs.append('kat = false')
    if st.unload is None:
        attrs.append('unload = false')
    if '--riscv' in flags:
        attrs.append('riscv')
    if '--energy' in flags:
        attrs.append('energy')
    nout = (st.macros or {}).get('CNN_NUM_OUTPUTS')
    if nout and re.fullmatch(r'\d+', nout.strip()):
        attrs.append(f'num_outputs = {int(nout)}')
    name = opts.get('prefix') or os.path.basename(os.path.normpath(folder))
    text = [f'// Register-level program reconstructed from {folder} by dump2hw.py.',
            f'tornado_hw.program @"{name}" attributes {{{", ".join(attrs)}}} {{']
    text += body
    text.append('}')
    return '\n'.join(text) + '\n' + blobs.section()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--conformance', default=DEFAULT_CONFORMANCE,
                    help='shared/conformance folder (MANIFEST.tsv, tornado-conform)')
    ap.add_argument('--case', help='corpus folder below corpus/, or case name')
    ap.add_argument('--folder', help='reference output folder')
    ap.add_argument('--command', help='izer command line that produced --folder')
    ap.add_argument('-o', '--output', help='output file (default: stdout)')
    args = ap.parse_args(argv)
    if args.case:
        with open(os.path.join(args.conformance, 'MANIFEST.tsv'), encoding='utf-8') as f:
            rows = [ln.rstrip('\n').split('\t') for ln in f][1:]
        # A corpus folder below corpus/ ("MAX78002/mnist"), or a case name
        # (the first device's, as names repeat across devices).
        row = next((r for r in rows if r[3] == 'corpus/' + args.case), None) or \
            next((r for r in rows if r[0] == args.case), None)
        if row is None:
            ap.error(f'unknown case {args.case}')
        folder = os.path.join(args.conformance, row[3])
        command = row[2]
    elif args.folder and args.command is not None:
        folder, command = args.folder, args.command
    else:
        ap.error('give --case, or --folder and --command')
    conf = load_checker(args.conformance)
    sys.setrecursionlimit(20000)  # as tornado-conform does
    try:
        text = convert(conf, folder, command)
    except Unsupported as e:
        print(f'dump2hw: {folder}: unsupported: {e}', file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, 'w', encoding='utf-8') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
