"""lab_output.py — how much of one cell's output JupyterLab stays responsive with.

What chose chalk's default output cap (README, "Output"): for each size, a
cell prints that many bytes of short lines in JupyterLab in headless
Chromium; measured are the seconds until the last line is on the page, the
longest gap between animation frames meanwhile (the page is frozen that
long) and how long a keystroke afterwards takes to appear.  Not part of
make check (it times things); run it from the build tree:
    JUPYTER_PATH=tests/jupyter .venv/bin/python tests/bench/lab_output.py [BYTES ...]
Needs playwright and /usr/bin/chromium, as tests/ui does."""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ui"))
from labserver import LabServer
from playwright.sync_api import sync_playwright

SIZES = [int(x) for x in sys.argv[1:]] or [256 << 10, 1 << 20, 4 << 20, 16 << 20]

def nb():
    cells = []
    for s in SIZES:
        n = s // 8
        cells.append("%%limits output=%d\n" % (s * 2))
        cells.append('for (int i = 0; i < %d; i++) printf("%%07d\\n", i);' % n)
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": "c%d" % i, "metadata": {},
                       "outputs": [], "source": c} for i, c in enumerate(cells)],
            "metadata": {"kernelspec": {"name": "chalk", "display_name": "C (chalk)", "language": "c"}},
            "nbformat": 4, "nbformat_minor": 5}

FRAMES = """() => { window.__gaps = []; let last = performance.now();
  const f = t => { window.__gaps.push(t - last); last = t; if (window.__run) requestAnimationFrame(f); };
  window.__run = true; requestAnimationFrame(f); }"""

srv = LabServer(); srv.start()
json.dump(nb(), open(os.path.join(srv.root, "cap.ipynb"), "w"))
with sync_playwright() as pw:
    b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-dev-shm-usage"])
    page = b.new_page(viewport={"width": 1280, "height": 1000}); page.set_default_timeout(240000)
    page.goto(srv.url("lab/tree/cap.ipynb"))
    page.wait_for_selector("#jp-main-statusbar >> text=/C \\(chalk\\) \\| Idle/")
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    for k, s in enumerate(SIZES):
      try:
          lim, big = cells.nth(2 * k), cells.nth(2 * k + 1)
          lim.locator(".cm-content").click(); page.keyboard.press("Shift+Enter")
          lim.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[\d+\]")).wait_for()
          big.locator(".cm-content").click()
          page.evaluate(FRAMES)
          t0 = time.monotonic()
          page.keyboard.press("Shift+Enter")
          big.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[\d+\]")).wait_for()
          last = "%07d" % (s // 8 - 1)
          page.wait_for_function("([i, t]) => { const c = document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')[i];"
                                 " const o = c.querySelector('.jp-OutputArea'); return o && o.textContent.includes(t); }", arg=[2 * k + 1, last])
          t_done = time.monotonic() - t0
          page.wait_for_timeout(300)
          gaps = page.evaluate("() => { window.__run = false; return window.__gaps; }")
          # typing latency afterwards: a key into the limit cell's editor, until it shows
          lim.locator(".cm-content").click()
          t1 = time.monotonic(); page.keyboard.type("x")
          page.wait_for_function("i => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')[i].querySelector('.cm-content').textContent.includes('x')", arg=2 * k)
          t_key = time.monotonic() - t1
          page.keyboard.press("Backspace")
          print("size %6.2f MiB: shown after %.2f s, longest frame %.0f ms, frames > 200 ms: %d, keystroke %.0f ms" % (
              s / 2**20, t_done, max(gaps), sum(g > 200 for g in gaps), t_key * 1000), flush=True)
      except Exception as e:
        page.screenshot(path='lab_output_fail%d.png' % k); print('failed', s, e.__class__.__name__, flush=True); break
    b.close()
srv.stop()
