"""The checks fail exactly where they should, and a failing check costs nothing else.

- Each `broken for=... breaks=...` variant of a source (its wrong solution swapped in by
  the generator's --broken NAME) makes exactly the checks it declares fail: no more (a
  check that fails without being declared, or a cascade such as "'zv' undeclared" from an
  earlier failed cell), no fewer.
- With every check cell of the reference notebook made to fail at its very end (after all
  of its claims passed), each check shows only that forced failure and every other cell
  still runs clean: no cell depends on anything a check cell declares or leaves behind
  (the kernel discards a failed cell's state, as it does a failed check's), and no check's
  outcome depends on whether the checks before it passed.
All notebooks run in one nbconvert command."""
import os

import pytest

import nbtest

VARIANTS = [(s, v) for s in nbtest.stems(include_tour=False) for v in sorted(nbtest.describe(s)["variants"])]
FORCED = 'ch_fail("Forced", "the end of this check");'


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("broken"))
    paths = {}
    for s, v in VARIANTS:
        tmp = os.path.join(d, "gen-%s" % v)
        p = nbtest.generate(s, tmp, broken=v)
        paths[(s, v)] = os.path.join(d, "%s.%s.ipynb" % (s, v))
        os.replace(p, paths[(s, v)])
    for s in nbtest.stems():
        nb = nbtest.read(nbtest.generate(s, os.path.join(d, "gen-ref")))
        for c in nbtest.code_cells(nb):
            if "check" in nbtest.tags(c):
                c["source"] = nbtest.src(c) + "\n" + FORCED
        paths[(s, "forced")] = nbtest.write(nb, os.path.join(d, "%s.forced.ipynb" % s))
    done = nbtest.execute_many(list(paths.values()), os.path.join(d, "out"))
    return {k: done[p] for k, p in paths.items()}


def test_every_exercise_has_a_broken_variant():
    assert {s for s, v in VARIANTS} == set(nbtest.stems(include_tour=False))


@pytest.mark.parametrize("stem,variant", VARIANTS)
def test_broken_variant_fails_exactly_the_checks_it_declares(stem, variant, runs):
    declared = set(nbtest.describe(stem)["variants"][variant]["breaks"])
    failed, problems = set(), []
    for c in nbtest.code_cells(runs[(stem, variant)]):
        errs = nbtest.errors(c)
        text = nbtest.all_text(c)
        if any(w in text for w in nbtest.CASCADE):
            problems.append("%s shows a missing declaration: %s" % (c["id"], text[-300:]))
        if errs and "check" in nbtest.tags(c):
            failed.add(c["id"])
            if errs[0]["ename"] != "CheckFailed":
                problems.append("%s fails with %s, not CheckFailed" % (c["id"], errs[0]["ename"]))
    assert not problems, "\n".join(problems)
    assert failed == declared, "%s/%s: fails %s, declares breaks=%s" % (
        stem, variant, sorted(failed), ",".join(sorted(declared)))
    print("%s variant %s fails exactly %s" % (stem, variant, ", ".join(sorted(failed))))


@pytest.mark.parametrize("stem", nbtest.stems())
def test_a_failing_check_costs_nothing_else(stem, runs):
    problems, checks = [], 0
    for c in nbtest.code_cells(runs[(stem, "forced")]):
        errs = nbtest.errors(c)
        if "check" in nbtest.tags(c):
            checks += 1
            if [e["ename"] for e in errs] != ["Forced"]:
                problems.append("%s: %s" % (c["id"], [(e["ename"], e["evalue"][:200]) for e in errs]))
        elif errs and "raises-exception" not in nbtest.tags(c):
            problems.append("%s fails after failed checks: %s: %s" % (c["id"], errs[0]["ename"], errs[0]["evalue"][:300]))
    assert checks and not problems, "\n".join(problems)
