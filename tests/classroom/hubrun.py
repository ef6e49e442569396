"""hubrun.py: a real JupyterHub on loopback for the classroom tests, and a kernel client that
talks to a single-user server the way JupyterLab does.

Hub: JupyterHub from the venv with the Python configurable-http-proxy, the `simple`
local-process spawner (one home directory per user under the run's temporary folder) and the
shared-password authenticator; a service token with admin scopes starts servers and mints one
token per user.  The single-user servers get the kernelspecs of JUPYTER_PATH (under `make
check`: the chalk kernel built in this tree) through the spawner's environment, since the
spawner passes on only what it is told to.

Beware: the hub, its proxy, each server and each kernel start their own sessions
(start_new_session), so no single process group holds them all.  Every process of a run
carries a marker in its environment (the hub's, and the spawner's for the servers, which
their kernels and git inherit): Hub.stop() kills by that marker, after asking the hub to stop
politely, and reports any process it could not kill.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid

import requests
import websocket

VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))
MARKER = "CHALK_COURSE_HUB_RUN"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def marked_pids(value):
    """PIDs of live processes whose environment has MARKER=value (read from /proc)."""
    needle = ("%s=%s" % (MARKER, value)).encode()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if needle in f.read().split(b"\0"):
                    out.append(int(name))
        except OSError:
            pass
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:120]
    except OSError:
        return "?"


HUB_CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {user_password!r}
c.SharedPasswordAuthenticator.admin_password = {admin_password!r}
c.Authenticator.admin_users = {admins!r}
c.Authenticator.allowed_users = {users!r}
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.services = [{{"name": "course-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "course-test",
    "scopes": ["admin:users", "admin:servers", "access:servers", "tokens"],
    "services": ["course-test"],
}}]
"""


class Hub:
    """One JupyterHub in tmp (a fresh directory the caller removes): launch(), then
    wait_api(), spawn(user) and wait_for(lambda: hub.ready(user)); stop() always."""

    def __init__(self, tmp, users, admins, environment):
        self.tmp = tmp
        self.users, self.admins = users, admins
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.token = uuid.uuid4().hex
        self.user_password = "class-of-2026"          # shared by the students
        self.admin_password = "instructor-" + uuid.uuid4().hex  # at least 32 characters
        self.run_id = uuid.uuid4().hex
        self.log_path = os.path.join(tmp, "jupyterhub.log")
        env = dict(environment)
        env[MARKER] = self.run_id
        env["PATH"] = VENV_BIN + os.pathsep + os.environ.get("PATH", "")
        self.spawner_env = env
        self.proc = None
        self.user_tokens = {}
        self.after_polite_stop = None

    def launch(self):
        """Start the hub and return at once (wait_api() waits for it)."""
        cfg = HUB_CONFIG.format(
            port=self.port, hub_port=free_port(), api_port=free_port(), tmp=self.tmp,
            chp=os.path.join(VENV_BIN, "configurable-http-proxy"),
            singleuser=os.path.join(VENV_BIN, "jupyterhub-singleuser"),
            args=["--allow-root"] if os.geteuid() == 0 else [],
            users=set(self.users), admins=set(self.admins),
            environment=self.spawner_env, token=self.token,
            user_password=self.user_password, admin_password=self.admin_password)
        path = os.path.join(self.tmp, "jupyterhub_config.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(cfg)
        env = dict(os.environ, PATH=self.spawner_env["PATH"])
        env[MARKER] = self.run_id
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [os.path.join(VENV_BIN, "jupyterhub"), "-f", path], cwd=self.tmp, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_api(self):
        self.wait_for(lambda: self._answers("/hub/api/"), "the hub's API")

    def log_tail(self, n=6000):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def wait_for(self, ready, what, limit=300):
        """Poll ready() until true; fail with the hub's log if the hub died or after `limit` s
        (a guard against hangs, not a performance assertion)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError("jupyterhub exited (%s) while waiting for %s:\n%s"
                                     % (self.proc.returncode, what, self.log_tail()))
            if ready():
                return
            time.sleep(0.2)
        raise AssertionError("gave up waiting for %s:\n%s" % (what, self.log_tail()))

    def _answers(self, path):
        try:
            return requests.get(self.url + path, timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def api(self, method, path, **kw):
        r = requests.request(method, self.url + "/hub/api" + path,
                             headers={"Authorization": "token " + self.token}, timeout=60, **kw)
        assert r.status_code < 400, "%s %s: %s %s" % (method, path, r.status_code, r.text)
        return r.json() if r.text else None

    def spawn(self, user):
        """Ask for user's server (returns at once; ready() says when it is up)."""
        self.api("POST", "/users/%s/server" % user)

    def ready(self, user):
        server = (self.api("GET", "/users/%s" % user).get("servers") or {}).get("")
        return bool(server and server.get("ready"))

    def user_token(self, user):
        if user not in self.user_tokens:
            self.user_tokens[user] = self.api("POST", "/users/%s/tokens" % user,
                                              json={"note": "course test"})["token"]
        return self.user_tokens[user]

    def login(self, user):
        """A browser's session for user: the login form, its _xsrf field and the cookies."""
        session = requests.Session()
        page = session.get(self.url + "/hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        assert xsrf, page.text[:2000]
        password = self.admin_password if user in self.admins else self.user_password
        r = session.post(self.url + "/hub/login", allow_redirects=False, timeout=60,
                         data={"username": user, "password": password, "_xsrf": xsrf.group(1)})
        assert r.status_code == 302 and "jupyterhub-session-id" in session.cookies, \
            (r.status_code, r.text[:2000])
        return session

    def home(self, user):
        return os.path.join(self.tmp, "home", user)

    def stop(self):
        """Stop the hub (it stops its servers and proxy), then kill whatever of this run is
        left, group and all.  Returns the PIDs still alive afterwards (should be none)."""
        if self.proc is None:
            return []
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.after_polite_stop = [(pid, cmdline(pid)) for pid in marked_pids(self.run_id)]
        own = os.getpgrp()
        end = time.monotonic() + 20
        while True:
            pids = marked_pids(self.run_id)
            if not pids or time.monotonic() > end:
                break
            for pid in pids:
                try:
                    pgid = os.getpgid(pid)
                    if pgid != own:
                        os.killpg(pgid, signal.SIGKILL)
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        return marked_pids(self.run_id)


class UserServer:
    """A user's single-user server behind the hub, spoken to with that user's token."""

    def __init__(self, hub, user):
        self.hub, self.user = hub, user
        self.base = "%s/user/%s" % (hub.url, user)
        self.headers = {"Authorization": "token " + hub.user_token(user)}

    def get(self, path, **kw):
        return requests.get(self.base + path, headers=self.headers, timeout=120, **kw)

    def request(self, method, path, **kw):
        r = requests.request(method, self.base + path, headers=self.headers, timeout=300, **kw)
        assert r.status_code < 400, "%s %s: %s %s" % (method, path, r.status_code, r.text[-2000:])
        return r

    # -- contents API ----------------------------------------------------------
    def read_notebook(self, path):
        return self.request("GET", "/api/contents/" + urllib.parse.quote(path),
                            params={"content": "1", "type": "notebook"}).json()["content"]

    def save_notebook(self, path, nb):
        self.request("PUT", "/api/contents/" + urllib.parse.quote(path),
                     json={"type": "notebook", "format": "json", "content": nb})

    # -- nbgitpuller ---------------------------------------------------------
    def git_pull(self, repo, branch, targetpath):
        """Run nbgitpuller's sync API; return its event stream as a list of dicts."""
        r = self.request("GET", "/git-pull/api", stream=True,
                         params={"repo": repo, "branch": branch, "targetpath": targetpath})
        events = []
        for line in r.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("phase") in ("finished", "error"):
                    break
        r.close()
        return events

    # -- nbgrader's assignment list (JupyterLab's Assignments tab) -------------
    def assignment_action(self, action, course, assignment):
        """Returns the assignment list the action answers with (nbgrader's handler reports a
        failure as success: false and the traceback)."""
        res = self.request("POST", "/assignments/" + action,
                           data={"course_id": course, "assignment_id": assignment}).json()
        assert res.get("success"), "%s %s: %s" % (action, assignment, res)
        return res["value"]

    # -- a kernel, through the REST and websocket API ----------------------------
    def run_notebook(self, path, nb, kernel_name="chalk"):
        """Execute nb's code cells in a new kernel session for `path`, as JupyterLab's "Run
        All" would (cell after cell, carrying on after an error so every check shows its
        result); fill in outputs and execution counts; shut the session down.  Returns the
        reply status of each code cell."""
        sess = self.request("POST", "/api/sessions", json={
            "path": path, "name": os.path.basename(path), "type": "notebook",
            "kernel": {"name": kernel_name}}).json()
        client = KernelChannel(self.base.replace("http://", "ws://", 1) +
                               "/api/kernels/%s/channels" % sess["kernel"]["id"],
                               self.headers["Authorization"], self.user)
        try:
            client.kernel_info()
            statuses = []
            for cell in nb["cells"]:
                if cell["cell_type"] != "code":
                    continue
                status, count, outputs = client.execute(cell["source"])
                cell["execution_count"], cell["outputs"] = count, outputs
                statuses.append(status)
        finally:
            client.close()
            self.request("DELETE", "/api/sessions/" + sess["id"])
        return statuses


class KernelChannel:
    """The kernel websocket of jupyter_server (JSON text frames, one `channel` field)."""

    def __init__(self, url, authorization, username):
        self.session = uuid.uuid4().hex
        self.username = username
        self.ws = websocket.create_connection(url + "?session_id=" + self.session,
                                              header=["Authorization: " + authorization],
                                              timeout=300)

    def close(self):
        self.ws.close()

    def _send(self, channel, msg_type, content):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": self.username,
                       "session": self.session, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content,
            "channel": channel, "buffers": []}))
        return msg_id

    def _recv(self):
        return json.loads(self.ws.recv())

    def kernel_info(self):
        msg_id = self._send("shell", "kernel_info_request", {})
        while True:
            m = self._recv()
            if m["channel"] == "shell" and m["parent_header"].get("msg_id") == msg_id:
                return m["content"]

    def execute(self, code):
        """Run one cell; returns (reply status, execution_count, nbformat outputs) once both
        the execute_reply and the cell's idle status have arrived."""
        msg_id = self._send("shell", "execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": False})
        outputs, reply, idle = [], None, False
        while reply is None or not idle:
            m = self._recv()
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = m["msg_type"], m["content"]
            if m["channel"] == "shell" and t == "execute_reply":
                reply = c
            elif t == "status":
                idle = c["execution_state"] == "idle"
            elif t == "stream":
                if outputs and outputs[-1]["output_type"] == "stream" and outputs[-1]["name"] == c["name"]:
                    outputs[-1]["text"] += c["text"]
                else:
                    outputs.append({"output_type": "stream", "name": c["name"], "text": c["text"]})
            elif t in ("display_data", "execute_result"):
                out = {"output_type": t, "data": c["data"], "metadata": c.get("metadata", {})}
                if t == "execute_result":
                    out["execution_count"] = c["execution_count"]
                outputs.append(out)
            elif t == "error":
                outputs.append({"output_type": "error", "ename": c["ename"],
                                "evalue": c["evalue"], "traceback": c["traceback"]})
            elif t == "clear_output":
                outputs = []
        return reply["status"], reply.get("execution_count"), outputs
