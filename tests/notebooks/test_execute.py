"""Every notebook executes under `jupyter nbconvert --execute` with the chalk kernel: every
cell tagged `check` passes (and prints its ✓ lines), no cell errors unless tagged
`raises-exception`, no cell writes to stderr unless tagged `expect-stderr`, and each
notebook shows at least one plot.  All of them run in one nbconvert command."""
import os
import re

import pytest

import nbtest


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook, generated from its source, executed in one nbconvert run."""
    d = str(tmp_path_factory.mktemp("execute"))
    paths = {s: nbtest.generate(s, d) for s in nbtest.stems()}
    done = nbtest.execute_many(list(paths.values()), os.path.join(d, "out"))
    return {s: done[p] for s, p in paths.items()}


@pytest.mark.parametrize("stem", nbtest.stems())
def test_notebook_runs_clean(stem, executed):
    nb = executed[stem]
    problems, checks, lines = [], 0, 0
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        name = c.get("id", "?")
        errors = [o for o in c["outputs"] if o["output_type"] == "error"]
        stderr = [nbtest.text_of(o) for o in c["outputs"]
                  if o["output_type"] == "stream" and o.get("name") == "stderr"]
        if errors and "raises-exception" not in nbtest.tags(c):
            problems.append("%s: %s: %s" % (name, errors[0]["ename"], errors[0]["evalue"][:300]))
        if stderr and "expect-stderr" not in nbtest.tags(c):
            problems.append("%s wrote to stderr: %r" % (name, "".join(stderr)[:300]))
        if "check" in nbtest.tags(c):
            checks += 1
            out = "".join(nbtest.text_of(o) for o in c["outputs"])
            n = out.count("\u2713")
            lines += n
            if not errors and n == 0:
                problems.append("%s: a check cell that checked nothing" % name)
    assert not problems, "\n".join(problems)
    assert checks > 0
    plots = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert plots, "every notebook draws at least one plot"
    print("%s: %d check cells, %d claims checked" % (stem, checks, lines))


def test_tour_shows_what_it_promises(executed):
    nb = executed["00-tour"]
    outs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert any(o["output_type"] == "execute_result" for o in outs), "a shown value"
    errs = [o for o in outs if o["output_type"] == "error"]
    # the kernel names the place as cell[N]:LINE: the typo is on the cell's third line
    assert len(errs) == 1 and re.search(r"cell\[\d+\]:3:.*'bb'", errs[0]["evalue"]), errs
    assert any("image/svg+xml" in o.get("data", {}) for o in outs), "a plot"
    text = "".join(nbtest.text_of(o) for o in outs)
    assert "counter = 11" in text and "session survived: counter is still 11" in text
    assert "no input (end of file)" in text
    shown = ["".join(o["data"]["text/plain"]) for o in outs if o["output_type"] == "execute_result"]
    # the %%cc cell's value (Euler's gamma, to the loop's accuracy), and a tcc cell calling it
    assert any(s.startswith("0.57721") for s in shown), shown
    assert any(s.startswith("2.08333") for s in shown), shown
