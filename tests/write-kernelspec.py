#!/usr/bin/env python3
"""write-kernelspec.py — a kernelspec `chalk` for the kernel in the build tree.

`make check` and `make bench` point JUPYTER_PATH at the directory this writes,
so the Python tests talk to the kernel just built, without `make install`
(and under `make distcheck`, where nothing is installed yet).

The fields are taken from the installed kernelspec's template
(share/kernelspec/kernel.json.in or kernel.json, if present) so the tests see
what users get; only argv[0] changes.  Beware: a template still containing
`@var@` substitutions is parsed with those replaced by placeholders, so a
template that is not JSON after that falls back to the defaults below.
"""
import argparse
import json
import os
import re
import shutil

DEFAULT = {
    "argv": ["chalk-kernel", "-f", "{connection_file}"],
    "display_name": "C (chalk)",
    "language": "c",
    "interrupt_mode": "signal",
    "kernel_protocol_version": "5.3",
    "metadata": {},
}


def load_template(srcdir):
    for name in ("kernel.json.in", "kernel.json"):
        p = os.path.join(srcdir, "share", "kernelspec", name)
        if os.path.isfile(p):
            text = re.sub(r"@[A-Za-z_]+@", "x", open(p).read())
            try:
                spec = json.loads(text)
                if isinstance(spec, dict) and isinstance(spec.get("argv"), list):
                    return spec
            except ValueError:
                pass
    return dict(DEFAULT)


def direct_executor(path):
    """(program, library path) that run the executor at `path` without its libtool wrapper.

    Uninstalled, kernel/executor/chalk-executor is a libtool wrapper script (it links the shared
    libchalk): bash plus three sed and one ls on every kernel start, 18-20 ms of CPU, which
    an installed chalk (a real binary) never pays and which `make bench` would otherwise
    count against every graded notebook.  The wrapper's own library line says where
    libchalk is; the program it runs is .libs/chalk-executor.  Anything else (a static
    build, a wrapper of another shape) keeps `path`, which always works."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536).decode("utf-8", "replace")
    except OSError:
        return path, None
    if "temporary wrapper script for .libs/chalk-executor" not in head:
        return path, None
    m = re.search(r'^\s*LD_LIBRARY_PATH="([^"$`]*):\$LD_LIBRARY_PATH"\s*$', head, re.M)
    real = os.path.join(os.path.dirname(path), ".libs", "chalk-executor")
    if not m or not os.path.isfile(real):
        return path, None
    return real, m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    spec = load_template(a.srcdir)
    argv = list(spec.get("argv") or DEFAULT["argv"])
    argv[0] = a.kernel
    spec["argv"] = argv
    for k, v in DEFAULT.items():
        spec.setdefault(k, v)
    # Uninstalled, the kernel finds chalk.h in the source tree and its
    # executor in kernel/executor/ beside it.
    env = spec.setdefault("env", {})
    # and <omp.h> in the build tree's kernel/executor/cc-include (kernel/local.mk)
    env["CHALK_INCLUDE_PATH"] = os.pathsep.join((
        os.path.join(os.path.abspath(a.srcdir), "exercises", "libchalk"),
        os.path.join(os.path.abspath(a.builddir), "kernel", "executor", "cc-include")))
    executor, libdirs = direct_executor(os.path.join(os.path.dirname(os.path.abspath(a.kernel)),
                                                     "executor", "chalk-executor"))
    env["CHALK_EXECUTOR"] = executor
    if libdirs:
        env["LD_LIBRARY_PATH"] = libdirs
    os.makedirs(a.out, exist_ok=True)
    tmp = os.path.join(a.out, "kernel.json.tmp")
    with open(tmp, "w") as f:
        json.dump(spec, f, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(a.out, "kernel.json"))
    for logo in ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg"):
        for d in (os.path.join(a.srcdir, "share", "kernelspec"), os.path.join(a.srcdir, "share")):
            p = os.path.join(d, logo)
            if os.path.isfile(p):
                shutil.copyfile(p, os.path.join(a.out, logo))
                break


if __name__ == "__main__":
    main()
