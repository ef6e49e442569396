"""chalk_mathml: maths in feedback pages that renders with no script and no network.

nbconvert's HTML leaves `$...$` for MathJax, which it loads from a CDN: on a grading
machine without network, in a student's offline copy, and in JupyterLab's HTML viewer
(which runs no scripts in an untrusted page) the maths stays raw `$...$`.  nbgrader's
release_feedback copies nothing but the .html files, so a local MathJax next to the page
would not travel either.  Browsers render MathML natively (Chromium since 109, Firefox,
Safari), so this preprocessor turns every `$...$` and `$$...$$` of a Markdown cell into
MathML once, at conversion time, with latex2mathml.  Code (fenced blocks and `inline`
spans) and escaped dollars are left alone; a formula latex2mathml cannot read stays as
its TeX source in <code>, never lost.

Use it as an nbconvert preprocessor: `c.HTMLExporter.preprocessors =
["chalk_mathml.MathMLPreprocessor"]`; share/nbgrader_config.py adds it to nbgrader's
GenerateFeedback, and chalk-grade uses it for its own feedback pages.
"""
import html
import re

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

# Fenced code blocks, inline code spans, then display and inline maths.  One scanner, so a
# `$` inside code is never taken for maths.
_TOKENS = re.compile(
    r"(?P<fence>^(?P<ticks>```+|~~~+)[^\n]*\n.*?^(?P=ticks)[ \t]*$)"
    r"|(?P<code>(?P<bt>`+).+?(?P=bt))"
    r"|(?P<esc>\\\$)"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<inline>[^\s$](?:[^$\n]*?[^\s$\\])?)\$",
    re.S | re.M,
)


def _mathml(tex, display):
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises several types; the TeX is kept either way
        return "<code>%s</code>" % html.escape(("$$%s$$" if display else "$%s$") % tex)


def markdown_to_mathml(text):
    """`text` (Markdown) with its maths as MathML and everything else unchanged."""
    def sub(m):
        if m.group("display") is not None:
            return _mathml(m.group("display"), True)
        if m.group("inline") is not None:
            return _mathml(m.group("inline"), False)
        return m.group(0)
    return _TOKENS.sub(sub, text)


class MathMLPreprocessor(Preprocessor):
    """Markdown cells' maths to MathML (see the module's docstring)."""

    # on once listed: nbgrader registers its converters' preprocessors as classes, and
    # nbconvert's are off by default
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = markdown_to_mathml(cell.source)
        return cell, resources
