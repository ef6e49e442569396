"""The checks can fail: each exercise notebook, with its solution region replaced by the wrong
implementation given in its source (a `broken for=...` block), ends at least one checking cell
with ename CheckFailed — and only checking cells fail that way."""
import pytest

import nbtest


@pytest.mark.parametrize("stem", nbtest.stems(include_tour=False))
def test_broken_solution_fails_its_checks(stem, tmp_path):
    src = open(nbtest.SOURCES + "/" + stem + ".md", encoding="utf-8").read()
    assert "```c broken for=" in src, "every exercise notebook carries a broken variant"
    nb = nbtest.execute(nbtest.generate(stem, str(tmp_path), broken=True), str(tmp_path),
                        allow_errors=True)
    failed = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            if o["output_type"] == "error" and o["ename"] == "CheckFailed":
                assert "check" in nbtest.tags(c), "CheckFailed outside a check cell"
                failed.append(c["id"])
    assert failed, "the broken solution passed every check of %s" % stem
    print("%s: broken solution fails %s" % (stem, ", ".join(failed)))
