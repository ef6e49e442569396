"""chalk_mathml: feedback pages carry their maths as MathML, so it renders with no script
and no network; code and escaped dollars are left alone; nothing is lost."""
import glob
import os
import re

import nbformat
from nbconvert import HTMLExporter

import chalk_mathml
from chalk_mathml import markdown_to_mathml

SRCDIR = os.environ.get("CHALK_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def test_inline_and_display_maths_become_mathml():
    out = markdown_to_mathml("Write $s_i = e^{z_i}/S$ and\n$$J = \\operatorname{diag}(s) - s s^\\top$$\n")
    assert out.count("<math") == 2 and "$" not in out
    assert 'display="block"' in out and 'display="inline"' in out


def test_code_and_escaped_dollars_are_left_alone():
    text = "costs \\$5, `printf(\"$x$\")` and\n```c\nint d = 1; /* $not maths$ */\n```\nbut $x$ is"
    out = markdown_to_mathml(text)
    assert "`printf(\"$x$\")`" in out and "/* $not maths$ */" in out and "\\$5" in out
    assert out.count("<math") == 1


def test_unreadable_tex_is_kept_as_code():
    out = markdown_to_mathml("broken $\\frac{1}{$ end")
    assert out == "broken <code>$\\frac{1}{$</code> end"


def test_every_notebook_renders_without_raw_maths():
    """Every formula of the ten notebooks converts: the HTML has MathML and no `$...$`
    left in its Markdown cells (MathJax would have been needed for those)."""
    exporter = HTMLExporter()
    exporter.register_preprocessor(chalk_mathml.MathMLPreprocessor, enabled=True)
    paths = sorted(glob.glob(os.path.join(SRCDIR, "notebooks", "*.ipynb")))
    assert len(paths) >= 10
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nformulas = sum(len(re.findall(r"\$", c.source)) for c in nb.cells if c.cell_type == "markdown")
        body, _ = exporter.from_notebook_node(nb)
        md = "".join(re.findall(r'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>(.*?)</div>',
                                body, re.S))
        assert "$" not in md, (path, md[md.index("$") - 80: md.index("$") + 80])
        if nformulas:
            assert "<math" in md, path
