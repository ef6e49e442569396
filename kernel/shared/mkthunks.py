#!/usr/bin/env python3
"""mkthunks.py — ABI thunks for the library functions libtcc would call wrongly.

libtcc 0.9.27 classifies a struct passed or returned by value as a whole (the
merge of all its members, an array counting as INTEGER like a pointer) where
the x86-64 SysV ABI classifies each eightbyte by the element types.  So a
struct of at most 16 bytes holding a float array (gsl_complex is
`struct { double dat[2]; }`) or mixing floating and integer members goes in
the wrong registers, and a cell calling gcc-compiled GSL gets a wrong number
without an error (kernel/abi.h lists the classes).

This script reads the headers a cell can reach for GSL and libchalk (every
<gsl/*.h> plus chalk.h, preprocessed by the system compiler as the kernel reads
them: ISO C11 + POSIX.1-2008), finds every function prototype with a struct or
union of at most 16 bytes by value in its parameters or result, and writes:

  OUT_THUNKS (C, compiled by the system compiler into libchalk): for each such
    function F, `void ch__thunk_F(R *r, const S *a, ..., scalars as they are)`
    which calls F with the system compiler's own convention;
  OUT_TABLE (C, compiled into the kernel's cell library): for each F the text
    that replaces F's prototype in the flattened headers a cell sees: the
    thunk's prototype and `static inline R F(...)` calling it, which tcc
    compiles and calls with its own (self-consistent) convention;
  OUT_LIST: one prototype a line, for the test that calls each one.

Every such function is routed, not only those whose class tcc gets wrong: the
detour is correct for all of them, and costs a call.  Larger structs are
passed in memory by both compilers and are left alone.

Beware: the declarations are parsed from preprocessed text with a small
tokenizer, enough for GSL and chalk.h; a prototype the script cannot rewrite
(an unnamed by-value parameter with a complex declarator, a variadic one)
stops the build rather than being skipped silently.

Usage: mkthunks.py CC CPPFLAGS CHALK_H OUT_THUNKS OUT_TABLE OUT_LIST
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

FEATURES = ["-D_POSIX_C_SOURCE=200809L", "-D_ISOC11_SOURCE"]
TOKEN = re.compile(r"\s*(?:([A-Za-z_]\w*)|(\d[\w.]*)|(\"(?:\\.|[^\"\\])*\")|('(?:\\.|[^'\\])*')|(\.\.\.|->|[^\s]))")
TYPE_WORDS = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
              "_Bool", "const", "volatile", "restrict", "__restrict", "struct", "union", "enum",
              "extern", "static", "inline", "__inline", "__extension__"}


def tokens(text):
    out = []
    pos = 0
    while True:
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        out.append(m.group(m.lastindex))
        pos = m.end()
    return out


def statements(text):
    """Top-level statements (token lists) of preprocessed text, # lines removed."""
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    cur, depth, out = [], 0, []
    for t in tokens(body):
        cur.append(t)
        if t in "({[":
            depth += 1
        elif t in ")}]":
            depth -= 1
            if t == "}" and depth == 0 and "=" not in cur and cur[0] != "typedef" and \
                    not any(w in ("struct", "union", "enum") for w in cur[:3]):
                out.append(cur)          # a function definition
                cur = []
        elif t == ";" and depth == 0:
            out.append(cur)
            cur = []
    return out


def strip_attributes(ts):
    out, i = [], 0
    while i < len(ts):
        if ts[i] in ("__attribute__", "__asm__", "__asm", "asm"):
            i += 1
            depth = 0
            while i < len(ts):
                depth += ts[i] == "("
                depth -= ts[i] == ")"
                i += 1
                if depth == 0:
                    break
            continue
        if ts[i] in ("__extension__", "extern"):
            i += 1
            continue
        out.append(ts[i])
        i += 1
    return out


def split_params(ts):
    out, cur, depth = [], [], 0
    for t in ts:
        if t == "," and depth == 0:
            out.append(cur)
            cur = []
            continue
        depth += t in "([{"
        depth -= t in ")]}"
        cur.append(t)
    if cur:
        out.append(cur)
    return out


def join(ts):
    s = ""
    for t in ts:
        if s and (re.match(r"\w", t) and re.match(r".*\w$", s)):
            s += " "
        elif s and t not in ",;)]" and s[-1] not in "(*[":
            s += " "
        s += t
    return s


def main():
    cc, cppflags, chalk_h, out_thunks, out_table, out_list = sys.argv[1:7]
    cc = shlex.split(cc)
    flags = shlex.split(cppflags)
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "where.c")
        with open(probe, "w") as f:
            f.write("#include <gsl/gsl_version.h>\n")
        marks = subprocess.run(cc + flags + FEATURES + ["-E", probe], check=True,
                               capture_output=True, text=True).stdout
        m = re.search(r'"([^"]*)/gsl_version\.h"', marks)
        if not m:
            sys.exit("mkthunks: cannot find the GSL headers")
        gsldir = m.group(1)
        headers = sorted(h for h in os.listdir(gsldir) if h.endswith(".h"))
        src = os.path.join(tmp, "all.c")
        with open(src, "w") as f:
            for h in headers:
                f.write("#include <gsl/%s>\n" % h)
            f.write('#include "%s"\n' % os.path.abspath(chalk_h))
        text = subprocess.run(cc + flags + FEATURES + ["-E", "-P", src], check=True,
                              capture_output=True, text=True).stdout

        structs = set()          # typedef names and tags of structs/unions
        funcs = []
        for st in statements(text):
            st = strip_attributes(st)
            if not st:
                continue
            if st[0] == "typedef":
                if st[1] in ("struct", "union") and "(" not in st:
                    name = st[-2] if st[-1] == ";" else st[-1]
                    if st[-3] != "*":
                        structs.add(name)
                elif len(st) >= 3 and st[-1] == ";" and st[-3] in structs:
                    structs.add(st[-2])
                continue
            if st[-1] != ";" or "(" not in st or st[0] in ("static", "inline") or "{" in st:
                continue
            lp = st.index("(")
            if lp < 2 or "*" in st[:lp - 1] or not re.match(r"[A-Za-z_]\w*$", st[lp - 1]):
                continue
            depth, rp = 0, None
            for i in range(lp, len(st)):
                depth += st[i] == "("
                depth -= st[i] == ")"
                if depth == 0:
                    rp = i
                    break
            if rp is None or rp != len(st) - 2:
                continue
            funcs.append((st[lp - 1], st[:lp - 1], split_params(st[lp + 1:rp])))

        def by_value(ts):
            """The struct type name of a by-value struct declarator, or None."""
            if "*" in ts or "(" in ts or "[" in ts:
                return None
            for i, t in enumerate(ts):
                if t in ("struct", "union") and i + 1 < len(ts):
                    return t + " " + ts[i + 1]
                if t in structs:
                    return t
            return None

        cands = []
        for name, ret, params in funcs:
            if params == [["void"]]:
                params = []
            rs = by_value(ret)
            ps = [by_value(p) for p in params]
            if rs or any(ps):
                cands.append((name, ret, params, rs, ps))
        types = sorted({t for c in cands for t in [c[3]] + c[4] if t})
        sprobe = os.path.join(tmp, "sizes.c")
        with open(sprobe, "w") as f:
            f.write('#include "%s"\n#include <stdio.h>\nint main(void){\n' % src)
            for t in types:
                f.write('printf("%%zu\\n", sizeof(%s));\n' % t)
            f.write("return 0;}\n")
        exe = os.path.join(tmp, "sizes")
        subprocess.run(cc + flags + FEATURES + [sprobe, "-o", exe], check=True)
        sizes = dict(zip(types, map(int, subprocess.run([exe], check=True, capture_output=True,
                                                        text=True).stdout.split())))

    thunks = ["/* Generated by kernel/mkthunks.py from the GSL headers and chalk.h: do not edit. */",
              "#include <gsl/gsl_complex.h>"] + \
             ["#include <gsl/%s>" % h for h in headers] + ['#include "chalk.h"', ""]
    table = ["/* Generated by kernel/mkthunks.py: do not edit (see abi.h). */",
             '#include "abi.h"', "", "const abi_thunk abi_thunks[] = {"]
    listing = []
    seen = set()
    cands.sort(key=lambda c: c[0])              # abi.c looks names up by bisection
    for name, ret, params, rs, ps in cands:
        # libc's div_t and friends hold integers only, which tcc passes right
        if not name.startswith(("gsl_", "ch_")) or name in seen:
            continue
        seen.add(name)
        small = lambda t: t and sizes[t] <= 16
        if not small(rs) and not any(small(p) for p in ps):
            continue
        if any(p == ["..."] for p in params):
            sys.exit("mkthunks: %s is variadic with a struct by value" % name)
        named, tparams, args, callargs = [], [], [], []
        for k, (p, s) in enumerate(zip(params, ps)):
            p = [t for t in p if t not in ("__restrict", "restrict")]
            if "(" in p and p[p.index("(") + 1] == "*":
                last = p[p.index("(") + 2]           # a function pointer
            elif "[" in p:
                last = p[p.index("[") - 1]
            else:
                last = p[-1]
            if re.match(r"[A-Za-z_]\w*$", last) and last not in TYPE_WORDS and last not in structs \
                    and len(p) > 1 and not (len(p) == 2 and p[0] in ("struct", "union", "enum")):
                pname = last
                decl = p
                if small(s) and decl[-1] != pname:
                    sys.exit("mkthunks: %s: by-value parameter %s has a declarator" % (name, pname))
            elif "(" in p or "[" in p:
                sys.exit("mkthunks: %s: unnamed parameter %d with a complex declarator" % (name, k))
            else:
                pname = "__chalk_a%d" % k
                decl = p + [pname]
            named.append(join(decl))
            if small(s):
                tparams.append(join(["const"] + [t for t in decl[:-1] if t != "const"] +
                                    ["*", pname]))
                args.append("&" + pname)
                callargs.append("*" + pname)
            else:
                tparams.append(join(decl))
                args.append(pname)
                callargs.append(pname)
        rtype = join([t for t in ret if t not in ("extern",)])
        returns = rtype != "void"
        if returns:
            if rs and not small(rs):
                sys.exit("mkthunks: %s returns a large struct and takes a small one" % name)
            tparams.insert(0, rtype + " *__chalk_r")
        tproto = "void ch__thunk_%s(%s)" % (name, ", ".join(tparams) or "void")
        thunks.append("%s;\n%s\n{\n    %s%s(%s);\n}\n" % (
            tproto, tproto, "*__chalk_r = " if returns else "", name, ", ".join(callargs)))
        if returns:
            body = "{ %s __chalk_r; ch__thunk_%s(%s); return __chalk_r; }" % (
                rtype, name, ", ".join(["&__chalk_r"] + args))
        else:
            body = "{ ch__thunk_%s(%s); }" % (name, ", ".join(args))
        proto = "%s %s(%s)" % (rtype, name, ", ".join(named) or "void")
        wrapper = "static inline %s %s" % (proto, body)
        table.append('    { "%s", "%s;", "%s" },' % (name, tproto, wrapper))
        listing.append(proto + ";")
    table += ["};", "const size_t abi_nthunks = sizeof abi_thunks / sizeof *abi_thunks;", ""]
    for path, lines in ((out_thunks, thunks), (out_table, table), (out_list, listing + [""])):
        with open(path + ".tmp", "w") as f:
            f.write("\n".join(lines))
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
