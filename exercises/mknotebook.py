#!/usr/bin/env python3
"""mknotebook.py: turn a notebook source (exercises/notebooks/NN-topic.md) into a .ipynb.

The source is Markdown with fenced C cells, so a review diff shows mathematics and
code, not JSON.  Fences:

    ```c                              plain code cell
    ```c check points=2 id=svd-tail   checking cell: tag `check`, nbgrader grade cell (locked)
    ```c solution id=softmax-jac      reference solution between `// BEGIN SOLUTION` and
                                      `// END SOLUTION` lines (nbgrader solution cell)
    ```c broken for=softmax-jac       a wrong implementation of that solution region; never a
                                      cell of the notebook, used only by --broken (tests)
    ```c tags=raises-exception        extra cell tags (comma-separated) on any code cell:
                                      `raises-exception` (nbconvert goes on past its error),
                                      `expect-stderr` (the notebook tests allow stderr there)

Everything between fences is Markdown; a line holding only `+++` splits it into two cells.

Beware: the output must be byte-for-byte deterministic (a test compares the committed
notebooks with what this script generates), so cell ids come from the file name and the
cell position or its id=, never from nbformat's random ids, and JSON keys are sorted.

Usage:
    mknotebook.py SRC.md... -o DIR            write DIR/<stem>.ipynb for each source
    mknotebook.py SRC.md... -o DIR --broken   same, solution regions replaced by `broken`
    mknotebook.py SRC.md... -o DIR --check    exit 1 (listing them) if DIR's copies differ
"""
import argparse
import json
import os
import re
import sys

FENCE = re.compile(r"^```c(?:\s+(.*))?$")
KERNELSPEC = {"name": "chalk", "display_name": "C (chalk)", "language": "c"}
BEGIN, END = "// BEGIN SOLUTION", "// END SOLUTION"


class SourceError(Exception):
    pass


def parse_attrs(text, where):
    kind, attrs = "code", {}
    for word in (text or "").split():
        if "=" in word:
            k, v = word.split("=", 1)
            attrs[k] = v
        elif word in ("check", "solution", "broken"):
            kind = word
        else:
            raise SourceError("%s: unknown fence word %r" % (where, word))
    return kind, attrs


def parse(path):
    """Return a list of blocks: (kind, attrs, text)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, md, i = [], [], 0

    def flush_md():
        text = "\n".join(md).strip("\n")
        if text.strip():
            blocks.append(("markdown", {}, text))
        md.clear()

    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m:
            flush_md()
            where = "%s:%d" % (path, i + 1)
            kind, attrs = parse_attrs(m.group(1), where)
            body = []
            i += 1
            while i < len(lines) and lines[i] != "```":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise SourceError("%s: unterminated fence" % where)
            blocks.append((kind, attrs, "\n".join(body)))
        elif line == "+++":
            flush_md()
        else:
            md.append(line)
        i += 1
    flush_md()
    return blocks


def replace_region(src, wrong, where):
    lines = src.split("\n")
    try:
        b = next(k for k, l in enumerate(lines) if l.strip() == BEGIN)
        e = next(k for k, l in enumerate(lines) if l.strip() == END)
    except StopIteration:
        raise SourceError("%s: solution without BEGIN/END SOLUTION lines" % where)
    return "\n".join(lines[:b] + wrong.split("\n") + lines[e + 1:])


def build(path, broken=False):
    stem = os.path.splitext(os.path.basename(path))[0]
    blocks = parse(path)
    wrong = {a["for"]: t for k, a, t in blocks if k == "broken"}
    cells, ids = [], set()
    for n, (kind, attrs, text) in enumerate(blocks):
        if kind == "broken":
            continue
        cid = attrs.get("id") or "%s-%d" % (stem, n)
        if cid in ids:
            raise SourceError("%s: duplicate cell id %s" % (path, cid))
        ids.add(cid)
        if kind == "markdown":
            cells.append({"cell_type": "markdown", "id": cid, "metadata": {}, "source": text})
            continue
        meta = {}
        extra_tags = [t for t in attrs.get("tags", "").split(",") if t]
        if kind == "check":
            if "id" not in attrs:
                raise SourceError("%s: check cell without id=" % path)
            meta["tags"] = ["check"]
            meta["nbgrader"] = {"grade": True, "grade_id": cid, "locked": True,
                                "points": int(attrs.get("points", "1")),
                                "schema_version": 3, "solution": False, "task": False}
        elif kind == "solution":
            if "id" not in attrs:
                raise SourceError("%s: solution cell without id=" % path)
            meta["tags"] = ["solution"]
            meta["nbgrader"] = {"grade": False, "grade_id": cid, "locked": False,
                                "schema_version": 3, "solution": True, "task": False}
            if broken and cid in wrong:
                text = replace_region(text, wrong[cid], "%s: %s" % (path, cid))
            elif BEGIN not in text:
                raise SourceError("%s: solution %s has no %s line" % (path, cid, BEGIN))
        if extra_tags:
            meta["tags"] = meta.get("tags", []) + extra_tags
        cells.append({"cell_type": "code", "execution_count": None, "id": cid,
                      "metadata": meta, "outputs": [], "source": text})
    missing = set(wrong) - ids
    if missing:
        raise SourceError("%s: broken blocks for unknown ids %s" % (path, sorted(missing)))
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
    ap.add_argument("--broken", action="store_true", help="emit the broken variants")
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
