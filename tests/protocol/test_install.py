"""`chalk-kernel install`, --help and --version, as a user would run them.

The spec written must be one Jupyter finds and whose argv names this very
binary by absolute path; the logos come along.
"""
import json
import os
import subprocess
import sys

import pytest
from jupyter_client.kernelspec import KernelSpecManager

KERNEL = os.environ.get("CHALK_KERNEL")

pytestmark = pytest.mark.skipif(not KERNEL, reason="CHALK_KERNEL not set (run through make check)")


def chalk(*args, env=None):
    return subprocess.run([KERNEL, *args], capture_output=True, text=True, timeout=60, env=env)


def test_version_and_help():
    v = chalk("--version")
    assert v.returncode == 0 and v.stdout.startswith("chalk-kernel ")
    h = chalk("--help")
    assert h.returncode == 0 and "install" in h.stdout and "-f" in h.stdout
    bad = chalk("--no-such-option")
    assert bad.returncode != 0 and "usage" in bad.stderr


def check_spec(kdir):
    with open(os.path.join(kdir, "kernel.json")) as f:
        spec = json.load(f)
    assert spec["argv"][1:] == ["-f", "{connection_file}"]
    assert os.path.isabs(spec["argv"][0]) and os.access(spec["argv"][0], os.X_OK)
    assert os.path.samefile(spec["argv"][0], KERNEL)
    assert spec["display_name"] == "C (chalk)"
    assert spec["language"] == "c"
    assert spec["interrupt_mode"] == "signal"
    assert spec["kernel_protocol_version"].startswith("5.")
    for logo in ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg"):
        assert os.path.getsize(os.path.join(kdir, logo)) > 0, logo
    return spec


def test_install_prefix(tmp_path):
    r = chalk("install", "--prefix", str(tmp_path))
    assert r.returncode == 0, r.stderr
    kdir = tmp_path / "share" / "jupyter" / "kernels" / "chalk"
    check_spec(str(kdir))
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "share" / "jupyter" / "kernels")])
    spec = ksm.get_kernel_spec("chalk")
    assert spec.language == "c"
    # Installing again over the same place works (and keeps the logos whole).
    assert chalk("install", "--prefix", str(tmp_path)).returncode == 0
    check_spec(str(kdir))


def test_install_user(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), JUPYTER_DATA_DIR="", XDG_DATA_HOME="")
    r = chalk("install", "--user", env=env)
    assert r.returncode == 0, r.stderr
    check_spec(str(tmp_path / ".local" / "share" / "jupyter" / "kernels" / "chalk"))


def test_install_rejects_conflicting_options(tmp_path):
    r = chalk("install", "--user", "--prefix", str(tmp_path))
    assert r.returncode != 0
    assert not (tmp_path / "share").exists()
