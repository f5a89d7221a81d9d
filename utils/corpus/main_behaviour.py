"""What the generated main program does, as a comparable list of statements.

usage: main_behaviour.py REF_DIR CAND_DIR        compare two project folders
       main_behaviour.py --dump DIR              print one folder's statements

tornado-conform compares what the accelerator-facing functions write to the
bus; it does not look at main(): the clocks, the boost circuit, the sleep
modes, the RISC-V boot, the order of the cnn_* calls and the debug delay.
This reads main() (and the helper functions main.c defines for it, such as
softmax_layer and fail) of `main.c`, `main_riscv.c` and the RISC-V Arm wrapper, and
reduces each to the statements that have an effect on the chip: calls other
than printf, stores through pointers (SDK registers), waits, loops and
conditions, in program order. Comments, printf text, local variables and
formatting do not matter. Exit status 0 when equal, 1 when they differ.
"""
import difflib
import os
import re
import sys

# Calls with no effect on the chip (console output).
IGNORED_CALLS = {"printf", "puts", "putchar"}
FILES = ("main.c", "main_riscv.c")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # String contents never matter here (printf text, asm is kept below).
    return text


def functions(text):
    """{name: body} of the function definitions in `text`."""
    out = {}
    for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(([^;{)]*)\)\s*\{", text):
        name = m.group(1)
        if name in ("if", "while", "for", "switch"):
            continue
        depth, i = 1, m.end()
        while depth and i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
            i += 1
        out[name] = text[m.end():i - 1]
    return out


def split_statements(body):
    """Statements and block markers of a function body, in order."""
    out, cur, depth = [], "", 0
    i = 0
    while i < len(body):
        c = body[i]
        if c == '"':
            j = i + 1
            while j < len(body) and body[j] != '"':
                j += 2 if body[j] == "\\" else 1
            cur += body[i:j + 1]
            i = j + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if depth == 0 and c in ";{}":
            if cur.strip():
                out.append(cur.strip())
            if c in "{}":
                out.append(c)
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def normalise(stmt):
    stmt = re.sub(r"\s+", " ", stmt)
    stmt = re.sub(r"\s*([(),=|&~<>+*-])\s*", r"\1", stmt)
    stmt = re.sub(r"\((?:unsigned|int|uint32_t)\)", "", stmt)
    # Constants compare by value (0x1a0 = 0x000001a0, (0xff<<15)).
    stmt = re.sub(r"\b0[xX][0-9a-fA-F]+[uU]?\b|\b\d+[uU]?\b",
                  lambda m: str(int(m.group(0).rstrip("uU"),
                                    16 if m.group(0)[:2] in ("0x", "0X") else 10)), stmt)
    prev = None
    while prev != stmt:
        prev = stmt
        stmt = re.sub(r"\((\d+)<<(\d+)\)", lambda m: str(int(m.group(1)) << int(m.group(2))),
                      stmt)
    return stmt


CONTROL = re.compile(r"^(while|for|if|else|do)\b")


def effects(body, local_funcs):
    """The chip-visible statements of one function body."""
    out = []
    for raw in split_statements(body):
        if raw in "{}":
            continue
        s = normalise(raw)
        if s.startswith("#"):
            continue
        # Preprocessor lines glued to the next statement.
        s = re.sub(r"^(#\w+[^\n]*\s)+", "", s)
        m = CONTROL.match(s)
        if m:
            # A loop or condition with its own statement on the same line
            # (`while (x) stmt;`): keep the head and the statement.
            head = s
            if m.group(1) in ("while", "for", "if"):
                depth, i = 0, len(m.group(1))
                while i < len(s):
                    if s[i] == "(":
                        depth += 1
                    elif s[i] == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    i += 1
                head, rest = s[:i + 1], s[i + 1:].strip()
                if m.group(1) == "for":
                    head = "for"
                out.append(head)
                if rest:
                    out.extend(effects(rest + ";", local_funcs))
            elif m.group(1) == "else":
                out.append("else")
                rest = s[4:].strip()
                if rest:
                    out.extend(effects(rest + ";", local_funcs))
            continue
        call = re.match(r"^([A-Za-z_]\w*)\(", s)
        if call:
            if call.group(1) in IGNORED_CALLS:
                continue
            out.append(s)
            continue
        if s.startswith("asm") or s.startswith("__asm"):
            out.append(s)
            continue
        if s == "return 0" or s.startswith("return"):
            continue
        # Stores through pointers (registers) count; locals do not.
        lhs = re.match(r"^(.+?)(\|=|&=|\^=|(?<![=!<>])=(?!=))", s)
        if lhs and ("->" in lhs.group(1) or lhs.group(1).startswith("*")):
            out.append(s)
            continue
        # Declarations and assignments of locals, local arithmetic: no
        # effect outside the function's own bookkeeping, except calls in
        # initialisers and right-hand sides.
        for c in re.findall(r"\b([A-Za-z_]\w*)\(", s):
            if c not in IGNORED_CALLS and (c[0].isupper() or c in local_funcs
                                            or c.startswith("cnn_")):
                out.append(s)
                break
    return out


def behaviour(folder):
    """{file: {function: [statements]}} for the main programs in `folder`."""
    result = {}
    for name in FILES:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        text = strip_comments(open(path, encoding="utf-8", errors="replace").read())
        funcs = functions(text)
        attrs = []
        if re.search(r"section\s*\(\s*\"\.rvflash_section\"\s*\)", text):
            attrs.append("input arrays in .rvflash_section")
        entry = {}
        # main(), and what main() calls that this file defines, except the
        # functions tornado-conform already compares and console helpers.
        compared = {"load_input", "check_output"}
        # fail() counts where something calls it (the izer also writes it
        # unused).
        called = "fail" in funcs and re.search(r"\bfail\s*\(\s*\)", funcs.get("main", ""))
        todo = ["main"] + [f for f in ("softmax_layer", "WakeISR") if f in funcs] + (
            ["fail"] if called else [])
        seen = set()
        while todo:
            f = todo.pop(0)
            if f in seen or f not in funcs or f in compared:
                continue
            seen.add(f)
            entry[f] = effects(funcs[f], set(funcs))
        if attrs:
            entry["attributes"] = attrs
        result[name] = entry
    return result


def compare(ref, cand):
    """Lines describing the differences; empty when equal."""
    a, b = behaviour(ref), behaviour(cand)
    diffs = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            diffs.append(f"{name}: only in {'reference' if name in a else 'candidate'}")
            continue
        for func in sorted(set(a[name]) | set(b[name])):
            x, y = a[name].get(func), b[name].get(func)
            if x == y:
                continue
            if x is None or y is None:
                diffs.append(f"{name}: {func}() only in "
                             f"{'reference' if x is not None else 'candidate'}")
                continue
            d = [l for l in difflib.unified_diff(x, y, "reference", "candidate", n=1,
                                                 lineterm="")][2:]
            diffs.append(f"{name}: {func}() differs\n  " + "\n  ".join(d[:30]))
    return diffs


def main(argv):
    if len(argv) == 3 and argv[1] == "--dump":
        for name, funcs in behaviour(argv[2]).items():
            for func, stmts in funcs.items():
                print(f"{name} {func}:")
                for s in stmts:
                    print("  " + s)
        return 0
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    diffs = compare(argv[1], argv[2])
    for d in diffs:
        print(d)
    print("main: EQUAL" if not diffs else "main: DIFFERS")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
