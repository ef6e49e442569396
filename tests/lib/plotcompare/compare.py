#!/usr/bin/env python3
"""compare.py: draw chalk's reference figures with matplotlib and put both
side by side in PNG screenshots (a dev tool for the plot module, not a test).

Usage: compare.py PLOTCOMPARE_BINARY OUTDIR
Runs the C program (which writes OUTDIR/NAME.svg and NAME.dat), draws the same
data with matplotlib's defaults (saved as Jupyter's inline backend does:
dpi 100, bbox_inches="tight"), writes OUTDIR/NAME.html with chalk's SVG on the
left and matplotlib's PNG on the right, and screenshots each page with
headless Chromium into OUTDIR/NAME-side-by-side.png. Look at those.
"""
import os
import shutil
import subprocess
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def fig_lines(d):
    a = np.loadtxt(os.path.join(d, "lines.dat"))
    fig, ax = plt.subplots()
    ax.plot(a[:, 0], a[:, 1], label="sin x")
    ax.plot(a[:, 0], a[:, 2], label="cos x")
    ax.plot(a[:, 0], a[:, 3], label="damped sin 2x")
    ax.set(title="Three waves", xlabel="x", ylabel="y")
    ax.legend()
    return fig


def fig_loss(d):
    a = np.loadtxt(os.path.join(d, "loss.dat"))
    fig, ax = plt.subplots()
    ax.plot(a[:, 0], a[:, 1], label="SGD")
    ax.plot(a[:, 0], a[:, 2], label="Adam")
    ax.set_yscale("log")
    ax.set(title="Training loss", xlabel="step", ylabel="loss")
    ax.legend()
    return fig


def fig_hist(d):
    a = np.loadtxt(os.path.join(d, "hist.dat"))
    fig, ax = plt.subplots()
    ax.hist(a, bins=30)
    ax.set(title="1000 samples of N(1.5, 0.8^2)", xlabel="value", ylabel="count")
    return fig


def fig_scatter(d):
    a = np.loadtxt(os.path.join(d, "scatter.dat"))
    fig, ax = plt.subplots()
    ax.scatter(a[:, 0], a[:, 1], label="class 0")
    ax.scatter(a[:, 2], a[:, 3], label="class 1")
    ax.set(title="Two classes", xlabel="feature 1", ylabel="feature 2")
    ax.legend()
    return fig


def fig_heatmap(d):
    a = np.loadtxt(os.path.join(d, "heatmap.dat"))
    fig, ax = plt.subplots()
    im = ax.imshow(a)
    fig.colorbar(im, ax=ax)
    ax.set(title="Weights W")
    return fig


def fig_bar(d):
    names, h1, h2 = [], [], []
    with open(os.path.join(d, "bar.dat")) as f:
        for line in f:
            n, a, b = line.split()
            names.append(n)
            h1.append(float(a))
            h2.append(float(b))
    x = np.arange(len(names))
    fig, ax = plt.subplots()
    ax.bar(x - 0.2, h1, 0.4, label="2025")
    ax.bar(x + 0.2, h2, 0.4, label="2026")
    ax.set_xticks(x, names)
    ax.set(title="Exercises per module", ylabel="count")
    ax.legend()
    return fig


def fig_logx(d):
    a = np.loadtxt(os.path.join(d, "logx.dat"))
    fig, ax = plt.subplots()
    ax.plot(a[:, 0], a[:, 1], label="first order")
    ax.set_xscale("log")
    ax.grid(True)
    ax.set(title="Gain", xlabel="frequency (rad/s)", ylabel="|H|")
    ax.legend()
    return fig


def fig_narrowlog(d):
    a = np.loadtxt(os.path.join(d, "logx.dat"))
    fig, ax = plt.subplots()
    ax.plot(a[:, 0], a[:, 2])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(title="Narrow log range", xlabel="w", ylabel="y")
    return fig


def fig_big(d):
    a = np.loadtxt(os.path.join(d, "logx.dat"))
    fig, ax = plt.subplots()
    ax.plot(a[:, 0], a[:, 3], label="revenue")
    ax.set_xscale("log")
    ax.set(title="Big numbers", xlabel="w", ylabel="dollars")
    ax.legend()
    return fig


FIGURES = [("lines", fig_lines), ("loss", fig_loss), ("hist", fig_hist),
           ("scatter", fig_scatter), ("heatmap", fig_heatmap), ("bar", fig_bar),
           ("logx", fig_logx), ("narrowlog", fig_narrowlog), ("big", fig_big)]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; font-family: DejaVu Sans, sans-serif; }}
td {{ vertical-align: top; padding: 8px; }}
.cap {{ font-size: 13px; color: #555; padding-bottom: 4px; }}
</style></head><body><table><tr>
<td><div class="cap">chalk (SVG)</div><img src="{name}.svg"></td>
<td><div class="cap">matplotlib {ver} (PNG, dpi 100, tight)</div><img src="{name}-mpl.png"></td>
</tr></table></body></html>
"""


def chromium():
    for c in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(c)
        if p:
            return p
    sys.exit("compare.py: no chromium found (apt-get install chromium)")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, out = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    subprocess.run([binary, out], check=True)
    browser = chromium()
    for name, make in FIGURES:
        fig = make(out)
        fig.savefig(os.path.join(out, name + "-mpl.png"), dpi=100, bbox_inches="tight")
        plt.close(fig)
        html = os.path.join(out, name + ".html")
        with open(html, "w") as f:
            f.write(PAGE.format(name=name, ver=matplotlib.__version__))
        shot = os.path.join(out, name + "-side-by-side.png")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", "--force-device-scale-factor=1",
                        "--screenshot=" + shot, "--window-size=1320,560",
                        "file://" + html],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(shot)


if __name__ == "__main__":
    main()
