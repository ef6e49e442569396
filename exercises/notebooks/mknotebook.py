#!/usr/bin/env python3
"""mknotebook.py: turn a notebook source (exercises/notebooks/NN-topic.md) into a .ipynb.

The source is Markdown with fenced C cells, so a review diff shows mathematics and
code, not JSON.  Fences:

    ```c                                  plain code cell
    ```c check points=2 id=svd-tail       graded check: tag `check`, nbgrader grade cell
                                          (locked) worth 2 points
    ```c check id=svd-factorisation       ungraded check: tag `check`, a locked nbgrader
                                          read-only cell with no points (it checks the
                                          notebook's own claims, not the student's code)
    ```c solution id=softmax-impl         reference solution between `// BEGIN SOLUTION` and
                                          `// END SOLUTION` lines (nbgrader solution cell)
    ```c broken for=softmax-impl breaks=softmax-jacobian-fd,softmax-rank [variant=NAME]
                                          a wrong implementation of that solution region and
                                          the checks it breaks (exactly those: the tests hold
                                          it to that); never a cell of the notebook, used
                                          only by --broken (tests); variants of one notebook
                                          are told apart by variant= (default `broken`)
    ```c tags=raises-exception            extra cell tags (comma-separated) on any code cell:
                                          `raises-exception` (nbconvert goes on past its error),
                                          `expect-stderr` (the notebook tests allow stderr there)

A graded check may hold a hidden part, lines between `// BEGIN HIDDEN TESTS` and
`// END HIDDEN TESTS`: nbgrader's generate_assignment leaves it out of the student
version, autograde puts it back and runs it.  Keep it self-contained (the visible lines
after it must not use what it declares).

Everything between fences is Markdown; a line holding only `+++` splits it into two cells.

How a score keeps its meaning.  The kernel runs each cell in a fork and keeps only a
successful cell's state, so whatever a failed cell declared is gone for the cells after
it.  A student's code can make any cell that calls it fail (nbgrader's stub,
CH_NOT_WRITTEN(), fails on purpose), so the notebooks follow one rule, chosen over
"ungraded cells that compute everything once" because a stub must be able to fail
loudly wherever it is called:

  * checks compute what they need themselves: a check calls the student's functions and
    uses nothing that a cell calling them declared;
  * cells that declare what later cells use (data, helpers) never call or name student
    code, so they cannot fail because of it: a helper that runs the student's function
    takes it as a function-pointer argument;
  * cells that show the student's results (prints, plots) declare nothing a later cell
    uses, and no check cell declares anything a later cell uses;
  * a check that does not call student code carries no points (an ungraded check).

So a blank submission fails every graded check with the one NotImplemented message, a
broken one loses exactly the checks it breaks, and a failing check costs nothing else.
Enforced here: solution regions sit inside a function body (the stub must be a statement
of the function it stands for), checks with points need a solution cell before them,
hidden parts only in graded checks, `breaks=` names checks of the notebook.  The rest
is enforced by tests/notebooks/ (test_broken.py, test_nbgrader.py).

Beware: the output must be byte-for-byte deterministic (a test compares the committed
notebooks with what this script generates), so cell ids come from the file name and the
cell position or its id=, never from nbformat's random ids, and JSON keys are sorted.

Usage:
    mknotebook.py SRC.md... -o DIR                 write DIR/<stem>.ipynb for each source
    mknotebook.py SRC.md... -o DIR --broken [NAME] same, solution regions replaced by the
                                                   broken blocks of variant NAME (`broken`)
    mknotebook.py SRC.md... -o DIR --check         exit 1 (listing them) if DIR's copies differ
"""
import argparse
import json
import os
import re
import sys

FENCE = re.compile(r"^```c(?:\s+(.*))?$")
KERNELSPEC = {"name": "chalk", "display_name": "C (chalk)", "language": "c"}
BEGIN, END = "// BEGIN SOLUTION", "// END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "// BEGIN HIDDEN TESTS", "// END HIDDEN TESTS"
# what nbgrader looks for (a substring of any line, in any cell)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class SourceError(Exception):
    pass


def parse_attrs(text, where):
    kind, attrs = "code", {}
    for word in (text or "").split():
        if "=" in word:
            k, v = word.split("=", 1)
            if k not in ("id", "points", "for", "breaks", "variant", "tags"):
                raise SourceError("%s: unknown fence attribute %r" % (where, k))
            attrs[k] = v
        elif word in ("check", "solution", "broken"):
            kind = word
        else:
            raise SourceError("%s: unknown fence word %r" % (where, word))
    return kind, attrs


def parse(path):
    """Return a list of blocks: (kind, attrs, text, line of the fence)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, md, i = [], [], 0

    def flush_md():
        text = "\n".join(md).strip("\n")
        if text.strip():
            blocks.append(("markdown", {}, text, i + 1))
        md.clear()

    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            flush_md()
            where = "%s:%d" % (path, i + 1)
            kind, attrs = parse_attrs(m.group(1), where)
            body, first = [], i + 1
            i += 1
            while i < len(lines) and lines[i] != "```":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise SourceError("%s: unterminated fence" % where)
            blocks.append((kind, attrs, "\n".join(body), first))
        elif line == "+++":
            flush_md()
        else:
            md.append(line)
        i += 1
    flush_md()
    return blocks


def brace_depths(src):
    """Per line of C source, at its start: (braces opened minus closed so far, whether
    the outermost open brace opens a function body).  Comments, strings, character
    constants and file-scope preprocessor lines are skipped; a `{` opens a function
    body when it sits at file scope right after a `)` (a parameter list), not after
    `=`, `struct` or the like."""
    out, stack, depth, i, n = [(0, False)], [], 0, 0, len(src)
    last = ""                         # last significant character at file scope

    def here():
        return (depth, bool(stack) and stack[0])

    while i < n:
        ch = src[i]
        if ch == "\n":
            out.append(here())
        elif src.startswith("//", i) or (ch == "#" and not stack and (i == 0 or src[i - 1] == "\n")):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.extend([here()] * src.count("\n", i, j))
            i = j
            continue
        elif ch in "\"'":
            j = i + 1
            while j < n and src[j] != ch and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            i = j + 1 if j < n and src[j] == ch else j
            continue
        elif ch == "{":
            stack.append(not stack and last == ")")
            depth += 1
        elif ch == "}":
            depth -= 1
            if stack:
                stack.pop()
        if not stack and not ch.isspace() and ch != "}":
            last = ch
        i += 1
    return out


def check_regions(text, where, begin, end):
    """Line indices (b, e) of each begin/end region; nested or unpaired markers fail."""
    regions, open_at = [], None
    for k, l in enumerate(text.split("\n")):
        if begin in l:
            if l.strip() != begin:
                raise SourceError("%s: %r must be alone on its line" % (where, begin))
            if open_at is not None:
                raise SourceError("%s: nested %r" % (where, begin))
            open_at = k
        elif end in l:
            if l.strip() != end:
                raise SourceError("%s: %r must be alone on its line" % (where, end))
            if open_at is None:
                raise SourceError("%s: %r without %r" % (where, end, begin))
            regions.append((open_at, k))
            open_at = None
    if open_at is not None:
        raise SourceError("%s: %r without %r" % (where, begin, end))
    return regions


def check_solution(text, where):
    """Every solution region sits inside one function body and is balanced."""
    regions = check_regions(text, where, BEGIN, END)
    if not regions:
        raise SourceError("%s: solution cell without %s ... %s lines" % (where, BEGIN, END))
    depths = brace_depths(text)
    for b, e in regions:
        (db, fb), (de, _) = depths[b], depths[e]
        if db == 0 or not fb:
            raise SourceError(
                "%s: the solution region at its line %d is not inside a function body; "
                "nbgrader replaces it with the statement `CH_NOT_WRITTEN();`, which must "
                "stand in a function for the cell to compile" % (where, b + 1))
        inner = brace_depths("\n".join(text.split("\n")[b:e + 1]))
        if de != db or min(d for d, _ in inner) < 0 or inner[-1][0] != 0:
            raise SourceError("%s: the solution region at its line %d opens or closes braces "
                              "of the code around it (it must be whole statements)" % (where, b + 1))
    return regions


def replace_region(src, wrong, where):
    lines = src.split("\n")
    regions = check_regions(src, where, BEGIN, END)
    if len(regions) != 1:
        raise SourceError("%s: a broken block replaces the one solution region of its cell, "
                          "this one has %d" % (where, len(regions)))
    b, e = regions[0]
    return "\n".join(lines[:b] + wrong.split("\n") + lines[e + 1:])


def describe(path):
    """What the tests need to know of a source: its checks (id -> points, 0 when
    ungraded), solution cell ids, and broken variants (name -> {"for": [...],
    "breaks": [...]})."""
    checks, solutions, variants = {}, [], {}
    for kind, attrs, text, line in parse(path):
        if kind == "check":
            checks[attrs["id"]] = int(attrs.get("points", "0"))
        elif kind == "solution":
            solutions.append(attrs["id"])
        elif kind == "broken":
            v = variants.setdefault(attrs.get("variant", "broken"), {"for": [], "breaks": []})
            v["for"].append(attrs["for"])
            v["breaks"] += [b for b in attrs.get("breaks", "").split(",") if b and b not in v["breaks"]]
    return {"checks": checks, "solutions": solutions, "variants": variants}


def build(path, broken=None):
    """The notebook of source path; broken=NAME swaps in the broken blocks of that variant."""
    stem = os.path.splitext(os.path.basename(path))[0]
    blocks = parse(path)
    wrong = {}
    cells, ids, kinds, seen_solution = [], set(), {}, False
    for n, (kind, attrs, text, line) in enumerate(blocks):
        where = "%s:%d" % (path, line)
        for mk in MARKERS:
            if mk in text and not (kind in ("solution", "broken") and "SOLUTION" in mk) \
                    and not (kind == "check" and "HIDDEN" in mk and "points" in attrs):
                raise SourceError("%s: %r belongs in a %s cell" % (
                    where, mk, "solution" if "SOLUTION" in mk else "graded check"))
        if kind == "broken":
            for a in ("for", "breaks"):
                if not attrs.get(a):
                    raise SourceError("%s: broken block without %s=" % (where, a))
            name = attrs.get("variant", "broken")
            if (name, attrs["for"]) in wrong:
                raise SourceError("%s: two broken blocks of variant %s for %s" % (where, name, attrs["for"]))
            wrong[(name, attrs["for"])] = (text, attrs["breaks"].split(","), where)
            continue
        cid = attrs.get("id") or "%s-%d" % (stem, n)
        if not ID.match(cid):
            raise SourceError("%s: bad cell id %r" % (where, cid))
        if cid in ids:
            raise SourceError("%s: duplicate cell id %s" % (where, cid))
        ids.add(cid)
        kinds[cid] = (kind, "points" in attrs)
        if kind == "markdown":
            cells.append({"cell_type": "markdown", "id": cid, "metadata": {}, "source": text})
            continue
        meta = {}
        extra_tags = [t for t in attrs.get("tags", "").split(",") if t]
        if kind == "check":
            if "id" not in attrs:
                raise SourceError("%s: check cell without id=" % where)
            meta["tags"] = ["check"]
            if "points" in attrs:
                if not re.match(r"^[1-9][0-9]*$", attrs["points"]):
                    raise SourceError("%s: points= must be a positive integer (leave it out for "
                                      "an ungraded check)" % where)
                if not seen_solution:
                    raise SourceError("%s: check %s has points but no solution cell comes before "
                                      "it: a check that grades no student code carries no points"
                                      % (where, cid))
                check_regions(text, where, HIDDEN_BEGIN, HIDDEN_END)
                meta["nbgrader"] = {"grade": True, "grade_id": cid, "locked": True,
                                    "points": int(attrs["points"]),
                                    "schema_version": 3, "solution": False, "task": False}
            else:
                meta["nbgrader"] = {"grade": False, "grade_id": cid, "locked": True,
                                    "schema_version": 3, "solution": False, "task": False}
        elif kind == "solution":
            if "id" not in attrs:
                raise SourceError("%s: solution cell without id=" % where)
            check_solution(text, "%s: solution %s" % (where, cid))
            seen_solution = True
            meta["tags"] = ["solution"]
            meta["nbgrader"] = {"grade": False, "grade_id": cid, "locked": False,
                                "schema_version": 3, "solution": True, "task": False}
        if extra_tags:
            meta["tags"] = meta.get("tags", []) + extra_tags
        cells.append({"cell_type": "code", "execution_count": None, "id": cid,
                      "metadata": meta, "outputs": [], "source": text})
    for (name, sol), (text, breaks, where) in wrong.items():
        if kinds.get(sol, ("",))[0] != "solution":
            raise SourceError("%s: broken block for %s, which is not a solution cell" % (where, sol))
        bad = [b for b in breaks if kinds.get(b, ("",))[0] != "check"]
        if bad:
            raise SourceError("%s: breaks= names %s, not check cells of this notebook" % (where, ", ".join(bad)))
    if broken is not None:
        mine = {sol: text for (name, sol), (text, _, _) in wrong.items() if name == broken}
        if not mine:
            raise SourceError("%s: no broken variant %r" % (path, broken))
        for c in cells:
            if c["id"] in mine:
                c["source"] = replace_region(c["source"], mine[c["id"]], "%s: %s" % (path, c["id"]))
    nb = {"cells": cells,
          "metadata": {"kernelspec": KERNELSPEC,
                       "language_info": {"name": "c", "file_extension": ".c",
                                         "mimetype": "text/x-csrc"}},
          "nbformat": 4, "nbformat_minor": 5}
    return nb


def dumps(nb):
    # nbformat stores multi-line sources as lists of lines; do the same so that
    # `nbformat.write` of a re-read notebook round-trips to identical bytes.
    for c in nb["cells"]:
        src = c["source"]
        c["source"] = src.splitlines(True) if src else []
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sources", nargs="+")
    ap.add_argument("-o", "--outdir", required=True)
    ap.add_argument("--broken", nargs="?", const="broken", default=None, metavar="NAME",
                    help="emit broken variant NAME (default: broken)")
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args(argv)
    stale = []
    for src in sorted(args.sources):
        try:
            text = dumps(build(src, broken=args.broken))
        except SourceError as e:
            print("mknotebook: %s" % e, file=sys.stderr)
            return 2
        out = os.path.join(args.outdir, os.path.splitext(os.path.basename(src))[0] + ".ipynb")
        if args.check:
            try:
                with open(out, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(out)
            except FileNotFoundError:
                stale.append(out)
            continue
        os.makedirs(args.outdir, exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    if stale:
        print("out of date (run `make notebooks`): " + " ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
