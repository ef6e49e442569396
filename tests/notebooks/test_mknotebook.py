"""exercises/notebooks/mknotebook.py refuses sources that would make student versions fail unclearly,
each with an error naming the file, the line and the rule: a solution region outside a
function body (nbgrader's stub `CH_NOT_WRITTEN();` must be a statement of the function it
stands for) or cutting through the braces around it; points on a check with no solution
before it; nbgrader's markers outside their cells; broken blocks that do not say what they
break or name checks that do not exist.  And --broken NAME swaps in exactly that variant."""
import json
import subprocess
import sys

import pytest

import nbtest

GOOD = """# t

```c solution id=impl
double f(double x) {
    double y = 0;
    // BEGIN SOLUTION
    y = 2 * x;
    // END SOLUTION
    return y;
}
```

```c broken for=impl breaks=c1 variant=%s
    y = 3 * x;
```

```c check points=1 id=c1
ch_check_close("f(1)", f(1), 2, 0, 0);
// BEGIN HIDDEN TESTS
ch_check_close("f(2)", f(2), 4, 0, 0);
// END HIDDEN TESTS
```

```c check id=c2
ch_check_close("1 + 1", 1 + 1, 2, 0, 0);
```
"""


def run(tmp_path, text, *extra):
    src = tmp_path / "99-t.md"
    src.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, nbtest.GENERATOR, str(src), "-o", str(tmp_path / "out"), *extra],
                          capture_output=True, text=True)


def test_a_good_source_and_its_variant(tmp_path):
    res = run(tmp_path, GOOD % "triple")
    assert res.returncode == 0, res.stderr
    nb = json.loads((tmp_path / "out" / "99-t.ipynb").read_text())
    cells = {c["id"]: c for c in nb["cells"]}
    assert cells["c1"]["metadata"]["nbgrader"]["points"] == 1
    assert cells["c2"]["metadata"]["nbgrader"] == {"grade": False, "grade_id": "c2", "locked": True,
                                                   "schema_version": 3, "solution": False, "task": False}
    assert run(tmp_path, GOOD % "triple", "--broken", "triple").returncode == 0
    nb = json.loads((tmp_path / "out" / "99-t.ipynb").read_text())
    impl = "".join(nbtest.src(c) for c in nb["cells"] if c["id"] == "impl")
    assert "3 * x" in impl and "2 * x" not in impl and "SOLUTION" not in impl
    res = run(tmp_path, GOOD % "triple", "--broken", "other")
    assert res.returncode == 2 and "no broken variant 'other'" in res.stderr


BAD = [
    ("a region at file scope", GOOD.replace("double f(double x) {\n    double y = 0;\n    // BEGIN SOLUTION",
                                            "// BEGIN SOLUTION\ndouble f(double x) {\n    double y = 0;"),
     ":3: solution impl: the solution region at its line 1 is not inside a function body"),
    ("a region in an initializer", GOOD.replace("double f(double x) {\n    double y = 0;\n    // BEGIN SOLUTION\n"
                                                "    y = 2 * x;\n    // END SOLUTION\n    return y;\n}",
                                                "double t[2] = {\n    // BEGIN SOLUTION\n    1, 2\n"
                                                "    // END SOLUTION\n};\ndouble f(double x) { return 2 * x; }"),
     "is not inside a function body"),
    ("a region that closes the function", GOOD.replace("    y = 2 * x;\n", "    y = 2 * x; }\n    {\n"),
     "opens or closes braces of the code around it"),
    ("points without a solution before", GOOD.replace("# t\n", "# t\n\n```c check points=1 id=c9\n1;\n```\n"),
     "check c9 has points but no solution cell comes before it"),
    ("zero points", GOOD.replace("points=1 id=c1", "points=0 id=c1"), "points= must be a positive integer"),
    ("hidden tests in an ungraded check", GOOD.replace('ch_check_close("1 + 1"', '// BEGIN HIDDEN TESTS\n1;\n// END HIDDEN TESTS\nch_check_close("1 + 1"'),
     "'BEGIN HIDDEN TESTS' belongs in a graded check cell"),
    ("a solution marker in prose", GOOD.replace("# t\n", "# t\n\nwrite it between BEGIN SOLUTION lines\n"),
     "'BEGIN SOLUTION' belongs in a solution cell"),
    ("a broken block that says not what it breaks", GOOD.replace(" breaks=c1", ""), "broken block without breaks="),
    ("breaks naming no check", GOOD.replace("breaks=c1", "breaks=c1,c7"), "breaks= names c7, not check cells"),
    ("an unknown attribute", GOOD.replace("points=1 id=c1", "pts=1 id=c1"), "unknown fence attribute 'pts'"),
]


@pytest.mark.parametrize("what,text,message", BAD, ids=[b[0] for b in BAD])
def test_refused(what, text, message, tmp_path):
    res = run(tmp_path, text % "triple" if "%s" in text else text)
    assert res.returncode == 2 and message in res.stderr and "99-t.md:" in res.stderr, res.stderr
    assert not (tmp_path / "out" / "99-t.ipynb").exists()
