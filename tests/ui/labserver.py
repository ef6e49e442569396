"""labserver.py — a throwaway JupyterLab server for the browser tests.

`LabServer` starts `jupyter lab` on a free local port with a random token, a
temporary root directory, and its own config/settings/workspace directories,
so nothing of the developer's own JupyterLab (open tabs, news pop-ups,
extensions' settings) changes what the browser shows.  The kernel is found
through JUPYTER_PATH, as `make check` sets it.

Beware:
- JUPYTER_PATH only *adds* data directories: JupyterLab's own assets in the
  venv stay found;
- the server's log goes to a file in the temporary directory; on failure,
  `log_tail()` is what to print;
- stop() terminates the server and waits; kernels it started go with it.
"""
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="chalk-lab-")
        self.root = os.path.join(self.tmp.name, "root")
        os.makedirs(self.root)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.log_path = os.path.join(self.tmp.name, "lab.log")

    def start(self, timeout=180):
        t = self.tmp.name
        env = dict(os.environ)
        env["JUPYTER_CONFIG_DIR"] = os.path.join(t, "config")
        env["JUPYTERLAB_SETTINGS_DIR"] = os.path.join(t, "settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = os.path.join(t, "workspaces")
        env["IPYTHONDIR"] = os.path.join(t, "ipython")
        env["JUPYTER_RUNTIME_DIR"] = os.path.join(t, "runtime")
        # No "receive Jupyter news?" toast over the notebook.
        notif = os.path.join(env["JUPYTERLAB_SETTINGS_DIR"], "@jupyterlab", "apputils-extension")
        os.makedirs(notif)
        with open(os.path.join(notif, "notification.jupyterlab-settings"), "w") as f:
            json.dump({"fetchNews": "false"}, f)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port=%d" % self.port,
             "--ServerApp.port_retries=0", "--IdentityProvider.token=" + self.token,
             "--ServerApp.root_dir=" + self.root,
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
            # Containers and CI often run as root; the server refuses unless told.
            + (["--allow-root"] if os.geteuid() == 0 else []),
            env=env, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("jupyter lab exited (%s):\n%s" % (self.proc.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen("%s/api/status?token=%s" % (self.base, self.token), timeout=5) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("jupyter lab did not answer:\n" + self.log_tail())
            time.sleep(0.3)

    def url(self, path):
        return "%s/%s?token=%s" % (self.base, path.lstrip("/"), self.token)

    def log_tail(self, n=4000):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.tmp.cleanup()
