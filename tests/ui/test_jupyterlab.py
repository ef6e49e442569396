"""test_jupyterlab.py — chalk in JupyterLab, in a real (headless) Chromium.

A throwaway JupyterLab server (tests/ui/labserver.py) serves a temporary
directory holding a small notebook with kernel `chalk`; the browser opens it,
runs every cell through the Run menu, as a user would, and the tests assert
what is on screen: the kernel's name, a value, a plot, a compile error with its
cell/line location; then, in cells added as a user adds them, Tab completion,
Shift-Tab help, an input box (scanf), Kernel > Interrupt of an endless loop and
a compiler warning's contrast in the light and the dark theme.
Screenshots go to the build tree, tests/ui/: jupyterlab.png (the executed
notebook), jupyterlab-completion.png, jupyterlab-inspect.png, jupyterlab-end.png,
jupyterlab-warning-light.png and jupyterlab-warning-dark.png.

Beware:
- the browser is the system Chromium (/usr/bin/chromium, or $CHALK_CHROMIUM):
  playwright cannot download its own here; when none is installed, or
  playwright/jupyterlab are missing, every test skips with the reason;
- the tests share one page and run in order (completion adds a cell last);
- waits are generous: they guard against a hang, they time nothing.
"""
import importlib.util
import base64
import copy
import json
import os
import re
import shutil
import sys
import urllib.parse

import pytest

CHROMIUM = os.environ.get("CHALK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def missing():
    """Why these tests cannot run here, or None.

    Checked in the fixture, so each test is reported as skipped: a module-level
    skip would leave pytest with no test (exit 5), which the driver counts as an error."""
    for mod, why in (("playwright", "playwright (Python package) not installed"),
                     ("jupyterlab", "jupyterlab not installed")):
        if importlib.util.find_spec(mod) is None:
            return why
    if not os.access(CHROMIUM, os.X_OK):
        return "no Chromium at %s (apt-get install chromium)" % CHROMIUM
    return None


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labserver import LabServer  # noqa: E402

WAIT = 180_000   # ms: only a guard against hangs

CELLS = [
    "int x = 20;",
    "x + 22",
    "double xs[50], ys[50];\n"
    "for (int i = 0; i < 50; i++) { xs[i] = i; ys[i] = sin(i / 5.0); }\n"
    'ch_plot *p = ch_plot_new("sine", "i", "sin");\n'
    'ch_plot_line(p, xs, ys, 50, "sin");\n'
    "ch_plot_show(p);",
    "int fine = 1;\nint broken = oops + fine;",
]


def notebook():
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "c%d" % i,
                   "metadata": {}, "outputs": [], "source": src}
                  for i, src in enumerate(CELLS)],
        "metadata": {"kernelspec": {"name": "chalk", "display_name": "C (chalk)", "language": "c"},
                     "language_info": {"name": "c"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def shots_dir():
    d = os.path.join(os.environ.get("CHALK_BUILDDIR", os.getcwd()), "tests", "ui")
    os.makedirs(d, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def lab():
    why = missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright
    server = LabServer()
    try:
        server.start()
    except RuntimeError:
        server.stop()
        raise
    with open(os.path.join(server.root, "ui.ipynb"), "w") as f:
        json.dump(notebook(), f, indent=1)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM,
                                         args=["--headless", "--no-sandbox",
                                               "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(WAIT)
            page.goto(server.url("lab/tree/ui.ipynb"))
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            # The kernel is up when the status bar says so.
            page.wait_for_selector("#jp-main-statusbar >> text=/C \\(chalk\\) \\| Idle/")
            run_all(page)
            yield page, server
            browser.close()
    except Exception:
        sys.stderr.write("---- jupyter lab log ----\n" + server.log_tail() + "\n")
        raise
    finally:
        server.stop()


def run_all(page):
    """Run ▸ Run All Cells, then wait until every cell shows its execution count."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(
        """n => {
             const p = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
             return p.length === n && p.every(e => /\\[\\d+\\]/.test(e.textContent));
           }""", arg=len(CELLS))


def cell(page, i):
    return page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(i)


def test_screenshot(lab):
    page, _ = lab
    path = os.path.join(shots_dir(), "jupyterlab.png")
    page.screenshot(path=path, full_page=True)
    assert os.path.getsize(path) > 0


def test_kernel_name_shown(lab):
    page, _ = lab
    assert page.locator(".jp-NotebookPanel-toolbar").inner_text().count("C (chalk)") >= 1
    assert "C (chalk) | Idle" in page.locator("#jp-main-statusbar").inner_text()


def test_state_and_value(lab):
    page, _ = lab
    first = cell(page, 0)
    assert first.locator(".jp-OutputArea-output").count() == 0, "a declaration shows nothing"
    out = cell(page, 1).locator(".jp-OutputArea-output")
    assert out.count() == 1
    assert out.inner_text().strip() == "42"
    # The value is an Out[n] result, not printed text.
    assert re.match(r"\[\d+\]:", cell(page, 1).locator(".jp-OutputPrompt").inner_text().strip())


def plot_image(out):
    """The plot in an output area: the <img> and the SVG document it shows.

    chalk publishes a plot as image/svg+xml and as text/html holding an <img> of
    the same SVG (exercises/libchalk/display.c); JupyterLab prefers the HTML, and when the
    notebook is trusted would show the SVG the same way (an <img> of a data URL):
    either way the picture is an <img> whose source is the SVG document."""
    img = out.locator("img")
    assert img.count() == 1, out.inner_html()[:2000]
    src = img.get_attribute("src")
    if src.startswith("data:image/svg+xml;base64,"):
        svg = base64.b64decode(src.split(",", 1)[1]).decode()
    else:
        assert src.startswith("data:image/svg+xml,"), src[:200]
        svg = urllib.parse.unquote(src.split(",", 1)[1])
    assert re.search(r"<svg[\s>]", svg) and svg.rstrip().endswith("</svg>"), svg[:500]
    return img, svg


def assert_drawn(img):
    """The browser decoded the image into a picture and laid it out."""
    size = img.evaluate("e => [e.complete, e.naturalWidth, e.naturalHeight]")
    assert size[0] and size[1] > 100 and size[2] > 100, size
    box = img.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box


def test_plot_is_svg(lab):
    page, _ = lab
    out = cell(page, 2).locator(".jp-OutputArea-output")
    assert out.count() == 1
    img, svg = plot_image(out)
    assert ">sine<" in svg, "title missing: " + svg[:1000]
    assert_drawn(img)


def test_compile_error_located(lab):
    page, _ = lab
    err = cell(page, 3).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert err.count() >= 1
    text = err.first.inner_text()
    n = re.match(r"\[(\d+)\]:", cell(page, 3).locator(".jp-InputPrompt").inner_text().strip()).group(1)
    assert "cell[%s]:2:14: error:" % n in text, text
    assert "oops" in text, text


def test_tab_completion(lab):
    page, _ = lab
    last = cell(page, len(CELLS) - 1)
    last.locator(".jp-InputPrompt").click()          # select it (command mode)
    page.keyboard.press("Escape")
    page.keyboard.press("b")                          # new cell below
    page.wait_for_function("n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
                           arg=len(CELLS) + 1)
    new = cell(page, len(CELLS))
    new.locator(".cm-content").click()
    page.keyboard.type("pri")
    page.keyboard.press("Tab")
    # Offered: either listed in the completer, or (the only match) put in place.
    page.wait_for_function(
        """i => {
             const items = [...document.querySelectorAll('.jp-Completer .jp-Completer-item')];
             if (items.some(e => e.textContent.includes('printf'))) return true;
             const cells = document.querySelectorAll('.jp-NotebookPanel .jp-Cell');
             const ed = cells[i] && cells[i].querySelector('.cm-content');
             return ed && ed.textContent.trim() === 'printf';
           }""", arg=len(CELLS))
    page.screenshot(path=os.path.join(shots_dir(), "jupyterlab-completion.png"), full_page=True)
    editor = new.locator(".cm-content")
    if editor.inner_text().strip() != "printf":
        item = page.locator(".jp-Completer .jp-Completer-item", has_text="printf")
        assert item.count() >= 1
        page.keyboard.press("Enter")                  # accept the offer
    page.wait_for_function(
        "i => document.querySelectorAll('.jp-NotebookPanel .jp-Cell')[i]"
        ".querySelector('.cm-content').textContent.trim() === 'printf'", arg=len(CELLS))
    assert editor.inner_text().strip() == "printf"


def add_cell(page, source):
    """A new code cell at the end holding `source`, in edit mode; returns it.

    insert_text, not type(): the editor closes brackets and quotes as you type,
    which would double them."""
    n = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").count()
    cell(page, n - 1).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.wait_for_function("n => document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length === n",
                           arg=n + 1)
    new = cell(page, n)
    new.locator(".cm-content").click()
    page.keyboard.insert_text(source)
    return new


def run_cell(page, c):
    """Shift-Enter in the cell, as a user runs one cell."""
    c.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")


def wait_done(c):
    c.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[\d+\]")).wait_for()


def test_inspect_shift_tab(lab):
    page, _ = lab
    c = add_cell(page, "ch_plot_new")
    page.keyboard.press("Shift+Tab")
    # The tooltip renders the reply's Markdown after it opens: wait for the text.
    tip = page.locator(".jp-Tooltip", has_text="ch_plot_new")
    tip.wait_for()
    page.screenshot(path=os.path.join(shots_dir(), "jupyterlab-inspect.png"), full_page=True)
    text = tip.inner_text()
    assert "const char *title" in text and "New empty figure" in text, text


def test_input_box(lab):
    page, _ = lab
    page.keyboard.press("Escape")
    c = add_cell(page, 'int n = 0;\nscanf("%d", &n);\nprintf("twice: %d\\n", 2 * n);')
    run_cell(page, c)
    box = c.locator("input.jp-Stdin-input")
    box.wait_for()
    box.fill("21")
    box.press("Enter")
    wait_done(c)
    c.locator(".jp-OutputArea-output", has_text="twice: 42").wait_for()


def test_interrupt_keeps_session(lab):
    page, _ = lab
    c = add_cell(page, "while (1) {}")
    run_cell(page, c)
    c.locator(".jp-InputPrompt", has_text="[*]").wait_for()
    page.wait_for_timeout(500)   # let the loop start: an interrupt of a running cell
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Interrupt Kernel$")).click()
    wait_done(c)
    after = add_cell(page, "x + 1")
    run_cell(page, after)
    wait_done(after)
    out = after.locator(".jp-OutputArea-output")
    assert out.inner_text().strip() == "21", "state lost after interrupt: " + out.inner_text()
    page.screenshot(path=os.path.join(shots_dir(), "jupyterlab-end.png"), full_page=True)


# The warnings display (issue 11, point 5): its text must read in the light and the dark
# theme.  Its background is translucent, so what the eye sees is that tint over the first
# opaque background behind it: computed here, then WCAG's contrast ratio with the text.
CONTRAST = """e => {
  const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : m.concat([1]); };
  let bg = [0, 0, 0, 0];
  for (let n = e.parentElement; n; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c[3] === 1) { bg = c; break; }
  }
  if (bg[3] !== 1) bg = [255, 255, 255, 1];
  const t = rgba(getComputedStyle(e).backgroundColor);
  const seen = bg.slice(0, 3).map((v, i) => t[i] * t[3] + v * (1 - t[3]));
  const fg = rgba(getComputedStyle(e).color);
  const lum = c => { const l = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const a = lum(seen), b = lum(fg);
  return { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
           background: seen.map(Math.round).join(","), color: fg.slice(0, 3).join(",") };
}"""


def change_theme(page, name, light):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).hover()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^" + name + "$")).click()
    page.wait_for_function("l => document.body.dataset.jpThemeLight === l", arg=light)
    page.wait_for_timeout(500)   # the new theme's stylesheet applies after the attribute


def test_warnings_read_in_light_and_dark_themes(lab):
    page, _ = lab
    page.keyboard.press("Escape")
    c = add_cell(page, "int *warned = 3;")           # int to pointer: a warning
    run_cell(page, c)
    wait_done(c)
    box = c.locator("pre.chalk-warnings")
    box.wait_for()
    assert "warning" in box.inner_text()
    seen = {}
    for name, light in (("JupyterLab Light", "true"), ("JupyterLab Dark", "false")):
        change_theme(page, name, light)
        c.scroll_into_view_if_needed()
        c.screenshot(path=os.path.join(shots_dir(), "jupyterlab-warning-%s.png" % light.replace(
            "true", "light").replace("false", "dark")))
        seen[name] = box.evaluate(CONTRAST)
        assert seen[name]["ratio"] >= 4.5, (name, seen[name])
    assert seen["JupyterLab Light"]["background"] != seen["JupyterLab Dark"]["background"], seen
    assert seen["JupyterLab Light"]["color"] != seen["JupyterLab Dark"]["color"], seen
    change_theme(page, "JupyterLab Light", "true")


# What a user sees (issue 11), each in cells added as a user adds them, then
# looked at in the light and the dark theme: a compile error quotes the line
# with a caret under the column; a struct value shows its fields; the text
# printed before scanf is the input box's prompt; %timeit prints one line; a
# crash is one line without raw addresses; a wide matrix scrolls sideways
# inside its output instead of widening the page.
def test_what_a_user_sees_in_both_themes(lab):
    page, _ = lab
    page.keyboard.press("Escape")
    err = add_cell(page, "int y = 3 +;")
    run_cell(page, err)
    wait_done(err)
    text = err.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").first.inner_text()
    lines = text.split("\n")
    quoted = [i for i, l in enumerate(lines) if l.strip() == "int y = 3 +;"]
    assert quoted and quoted[0] + 1 < len(lines), text
    src, caret = lines[quoted[0]], lines[quoted[0] + 1]
    assert caret.strip() == "^" and caret.index("^") == src.index(";"), text

    st = add_cell(page, "struct pt { double x, y; };\nstruct pt q = {1, 2.5};\nq")
    run_cell(page, st)
    wait_done(st)
    assert st.locator(".jp-OutputArea-output").inner_text().strip() == "{x = 1, y = 2.5}"

    ask = add_cell(page, 'int m = 0;\nprintf("m? ");\nscanf("%d", &m);\nm * 2')
    run_cell(page, ask)
    box = ask.locator("input.jp-Stdin-input")
    box.wait_for()
    assert ask.locator(".jp-Stdin-prompt").inner_text().strip() == "m?"
    box.fill("21")
    box.press("Enter")
    wait_done(ask)
    ask.locator(".jp-Stdin-input").wait_for(state="detached")
    ask.screenshot(path=os.path.join(shots_dir(), "jupyterlab-input.png"))
    outs = ask.locator(".jp-OutputArea-output")
    assert outs.count() == 2 and outs.nth(0).inner_text().strip() == "m? 21", outs.all_inner_texts()
    assert outs.nth(1).inner_text().strip() == "42"

    ti = add_cell(page, "%timeit 1 + 1")
    run_cell(page, ti)
    wait_done(ti)
    outs = ti.locator(".jp-OutputArea-output")
    assert outs.count() == 1 and "per loop" in outs.inner_text(), outs.all_inner_texts()

    crash = add_cell(page, "int *bad = 0;\n*bad = 1;")
    run_cell(page, crash)
    wait_done(crash)
    text = crash.locator(".jp-OutputArea-output").first.inner_text()
    assert "SIGSEGV" in text and ":2" in text and "???" not in text and "0x" not in text, text

    wide = add_cell(page, "gsl_matrix *W = gsl_matrix_alloc(4, 40);\n"
                          "for (int i = 0; i < 160; i++) W->data[i] = i / 7.0;\nch_show_matrix(W);")
    run_cell(page, wide)
    wait_done(wide)
    box = wide.locator(".chalk-matrix")
    box.wait_for()
    page_fits = page.evaluate("() => document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer, "
                              ".jp-NotebookPanel .jp-Notebook').scrollWidth <= "
                              "document.querySelector('.jp-NotebookPanel').clientWidth + 2")
    assert page_fits, "a wide matrix widened the notebook"
    sizes = box.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert sizes[2] == "auto" and sizes[0] >= sizes[1], sizes

    for name, light in (("JupyterLab Light", "true"), ("JupyterLab Dark", "false")):
        change_theme(page, name, light)
        for c, what in ((err, "error"), (ask, "input"), (wide, "matrix")):
            c.scroll_into_view_if_needed()
            c.screenshot(path=os.path.join(shots_dir(), "jupyterlab-%s-%s.png" % (
                what, "light" if light == "true" else "dark")))
        # the error's text reads on the theme's background
        seen = err.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'] pre").first.evaluate(CONTRAST)
        assert seen["ratio"] >= 4.5, (name, seen)
    change_theme(page, "JupyterLab Light", "true")


# Executed copies (issue 11): what students and graders are handed — a notebook
# executed by nbconvert, nbgrader or chalk-grade, and its HTML — is unsigned,
# so JupyterLab opens it untrusted (and refuses image/svg+xml), and nbconvert's
# HTML is read in a plain browser.  Each must show the plot as a picture, the
# error with its caret under the column, a struct's fields, the elided wide
# matrix and the warning, in the light and the dark theme.
EXPORT_CELLS = [
    CELLS[2],                                            # the plot
    "int y = 3 +;",
    "struct pt { double x, y; };\nstruct pt q = {1, 2.5};\nq",
    "gsl_matrix *W = gsl_matrix_alloc(4, 40);\n"
    "for (int i = 0; i < 160; i++) W->data[i] = i / 7.0;\nch_show_matrix(W);",
    "int *warned = 3;",
    'double th[20], lo[20];\nfor (int i = 0; i < 20; i++) { th[i] = i; lo[i] = 1.0 / (1 + i); }\n'
    r'ch_plot *pm = ch_plot_new("Loss of $\\theta_t$", "step $t$", "$\\|g_t\\|^2$");' "\n"
    r'ch_plot_line(pm, th, lo, 20, "$\\eta = 0.1$");' "\nch_plot_show(pm);",
    'ch_check_close("tiny", 3.8e-15, 0, 1e-9, 1e-12);',
    "%who",
    "%limits output=64k",
    'for (int i = 0; i < 100000; i++) printf("%06d\\n", i);',
]


@pytest.fixture(scope="module")
def executed(lab):
    """The cells above executed by nbclient, as nbformat's notebook (unsigned)."""
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.from_dict(notebook())
    nb.cells = [nbformat.v4.new_code_cell(src, id="x%d" % i) for i, src in enumerate(EXPORT_CELLS)]
    NotebookClient(nb, kernel_name="chalk", timeout=300, allow_errors=True).execute()
    return nb


def check_executed(cells, where):
    """The outputs of EXPORT_CELLS as a reader sees them; `cells` locates the code cells."""
    for i in range(len(EXPORT_CELLS)):               # JupyterLab renders cells on screen only
        cells.nth(i).scroll_into_view_if_needed()
    out = cells.nth(0).locator(".jp-OutputArea-output")
    assert "<Figure" not in out.inner_text(), where + ": the plot shows as text"
    img, svg = plot_image(out)
    assert ">sine<" in svg
    assert_drawn(img)
    text = cells.nth(1).locator(".jp-OutputArea-output").first.inner_text()
    lines = text.split("\n")
    at = [i for i, l in enumerate(lines) if l.strip() == "int y = 3 +;"]
    assert at and at[0] + 1 < len(lines), (where, text)
    assert lines[at[0] + 1].strip() == "^" and lines[at[0] + 1].index("^") == lines[at[0]].index(";"), \
        (where, text)
    assert "{x = 1, y = 2.5}" in cells.nth(2).locator(".jp-OutputArea-output").inner_text(), where
    matrix = cells.nth(3).locator(".jp-OutputArea-output")
    assert matrix.locator("table").count() == 1 and "\u22ef" in matrix.inner_text(), where
    box = matrix.locator("table").bounding_box()
    assert box and box["width"] < 1280, (where, box)
    assert "warning" in cells.nth(4).locator(".jp-OutputArea-output").inner_text(), where
    # plot labels: one notation, math typeset (italic letters, Greek, a norm)
    _, svg = plot_image(cells.nth(5).locator(".jp-OutputArea-output"))
    assert "\u03b8" in svg and "\u2016" in svg and "\u03b7" in svg and "$" not in svg, where
    assert 'font-style="italic"' in svg, where
    check = cells.nth(6).locator(".jp-OutputArea").inner_text()
    assert "|diff| 3.8e-15 \u2264 1e-12" in check, (where, check)
    who = cells.nth(7).locator(".jp-OutputArea").inner_text()
    assert "struct pt q" in who and "gsl_matrix *W" in who, (where, who)
    flood = cells.nth(9).locator(".jp-OutputArea").inner_text()
    assert "output truncated at 64 KiB" in flood and "of output dropped" in flood, (where, flood[-300:])
    assert len(flood) < 70 * 1024, (where, len(flood))


def test_executed_notebook_untrusted(lab, executed):
    page, server = lab
    import nbformat
    nb = copy.deepcopy(executed)
    # A control: the plot's output without its text/html, as chalk published
    # plots before — JupyterLab must show it as text, or this notebook is
    # trusted after all and the test proves nothing.
    svg_only = copy.deepcopy(nb.cells[0])
    svg_only.id = "control"
    for o in svg_only.outputs:
        o.data = {k: v for k, v in o.data.items() if k != "text/html"}
    nb.cells.append(svg_only)
    with open(os.path.join(server.root, "untrusted.ipynb"), "w") as f:
        nbformat.write(nb, f)
    page.goto(server.url("lab/tree/untrusted.ipynb"))
    # Lab restores the earlier notebook's tab too: look in the one in front.
    shown = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    page.wait_for_function("a => document.querySelectorAll(a[0]).length === a[1]",
                           arg=[shown + " .jp-Cell .jp-OutputArea", len(nb.cells)])
    cells = page.locator(shown + " .jp-Cell")
    control = cells.nth(len(nb.cells) - 1).locator(".jp-OutputArea-output")
    control.first.wait_for(state="attached")
    control.first.scroll_into_view_if_needed()   # cells off screen are not rendered
    assert control.locator("img").count() == 0 and "<Figure" in control.first.text_content(), \
        "the notebook is trusted: " + control.inner_html()[:500]
    for name, light in (("JupyterLab Light", "true"), ("JupyterLab Dark", "false")):
        change_theme(page, name, light)
        check_executed(cells, "untrusted, " + name)
        page.screenshot(path=os.path.join(shots_dir(), "jupyterlab-untrusted-%s.png" % (
            "light" if light == "true" else "dark")), full_page=True)
    change_theme(page, "JupyterLab Light", "true")


def test_executed_notebook_as_html(lab, executed):
    page, server = lab
    from nbconvert import HTMLExporter
    for theme in ("light", "dark"):
        html, _ = HTMLExporter(template_name="lab", theme=theme).from_notebook_node(executed)
        path = os.path.join(server.root, "exported-%s.html" % theme)
        with open(path, "w", encoding="utf-8") as f:
            f.write(html)
        view = page.context.browser.new_page(viewport={"width": 1280, "height": 1000})
        try:
            view.goto("file://" + path)
            cells = view.locator(".jp-Cell.jp-CodeCell")
            assert cells.count() == len(EXPORT_CELLS)
            check_executed(cells, "nbconvert HTML, " + theme)
            view.evaluate("() => window.scrollTo(0, 0)")
            view.screenshot(path=os.path.join(shots_dir(), "nbconvert-%s.png" % theme))
            cells.nth(5).screenshot(path=os.path.join(shots_dir(), "nbconvert-labels-%s.png" % theme))
        finally:
            view.close()
