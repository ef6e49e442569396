"""kernelclient.py — the one way chalk's Python tests talk to a kernel.

Every test directory imports it by name (`make check` puts tests/ on
PYTHONPATH; see AM_TESTS_ENVIRONMENT in tests/local.mk).  It holds:

- one start/stop policy.  `start()` returns a ready (KernelManager, client)
  and kills the kernel if it never becomes ready; `stop()` always ends it: a
  shutdown_request as a front end sends, then SIGTERM after GRACE/2 seconds
  and SIGKILL after GRACE, so neither a hung kernel nor a failing test
  leaves a process behind.  `started()` is the same as a context manager,
  and the fixtures `kernel` (one per module), `kc` (its client) and `fresh`
  (one per test) wrap it; a test directory's conftest.py imports them;
- one default timeout, TIMEOUT, a safety net against a hung run, never a
  speed limit: no working kernel comes near it.  Tests that expect silence
  pass their own shorter wait (QUIET is the default of those);
- `run()`, which executes a cell and collects what a front end would show
  (streams, results, displays, errors, the reply, the input requests it
  answered), with `ok()`/`fails()` for cells that must succeed or fail;
- raw-socket helpers (`Raw`, `frames`, `sign`, ...) for protocol tests that
  must be able to send what jupyter_client never would.

Kept from the modules this replaces (tests/engine/cells.py,
tests/protocol/chalkproto.py), so their tests need only a new import: HANG,
start_kernel/stop_kernel, and a Result unpacks as (reply content, iopub
messages) like chalkproto's run() did.  The kernel is the kernelspec `chalk`
on JUPYTER_PATH: the build tree's under `make check`.
"""
import contextlib
import hashlib
import hmac
import json
import os
import queue
import time
import uuid
from datetime import datetime, timezone

import pytest
from jupyter_client.manager import KernelManager

KERNEL_NAME = "chalk"
TIMEOUT = 120     # seconds: the safety net of every wait for the kernel
HANG = TIMEOUT    # its old name (cells.py)
GRACE = 10        # seconds a kernel gets to exit after a shutdown_request
QUIET = 5.0       # seconds of silence that count as "no reply" (Raw.recv)
DELIM = b"<IDS|MSG>"


# ---- start and stop ----

def start(env=None, kernel_name=KERNEL_NAME, extra_arguments=None, cwd=None, **km_kw):
    """A started KernelManager and a ready BlockingKernelClient.

    env: variables added to this process's environment for the kernel;
    extra_arguments: appended to the kernelspec's argv (as nbclient does);
    km_kw: KernelManager arguments (e.g. kernel_spec_manager)."""
    km = KernelManager(kernel_name=kernel_name, **km_kw)
    km.shutdown_wait_time = GRACE
    kw = {}
    if env:
        kw["env"] = dict(os.environ, **env)
    if extra_arguments:
        kw["extra_arguments"] = list(extra_arguments)
    if cwd is not None:
        kw["cwd"] = str(cwd)
    km.start_kernel(**kw)
    kc = km.client()
    try:
        kc.start_channels()
        kc.wait_for_ready(timeout=TIMEOUT)
    except BaseException:
        stop(km, kc)
        raise
    return km, kc


def stop(km, kc):
    """End the kernel whatever state it is in (asked, then terminated, then
    killed); safe on a kernel that has already exited."""
    try:
        kc.stop_channels()
    finally:
        try:
            if km.has_kernel:
                km.shutdown_kernel(now=False)
        except Exception:
            if km.has_kernel:
                km.shutdown_kernel(now=True)


start_kernel = start    # chalkproto.py's names
stop_kernel = stop


@contextlib.contextmanager
def started(**kw):
    """`with started() as (km, kc):` a kernel for the block, stopped after it."""
    km, kc = start(**kw)
    try:
        yield km, kc
    finally:
        stop(km, kc)


@pytest.fixture(scope="module")
def kernel():
    """One kernel for a test module's tests that leave the session as they found it."""
    with started() as k:
        yield k


@pytest.fixture
def kc(kernel):
    return kernel[1]


@pytest.fixture
def fresh():
    """A kernel of the test's own, for a test that changes the session."""
    with started() as k:
        yield k


# ---- running cells ----

class Result:
    """What one execute_request showed."""

    def __init__(self):
        self.reply = None
        self.streams = []       # (name, text, seconds since the request)
        self.results = []       # execute_result data dicts
        self.displays = []      # display_data contents (data and metadata)
        self.errors = []        # error contents
        self.inputs = []        # input_request prompts
        self.messages = []      # every iopub message of the request

    @property
    def content(self):
        return self.reply["content"]

    @property
    def status(self):
        return self.reply["content"]["status"]

    def text(self, name="stdout"):
        return "".join(t for n, t, _ in self.streams if n == name)

    @property
    def value(self):
        assert len(self.results) == 1, f"expected one result, got {self.results} / {self.errors}"
        return self.results[0]["text/plain"]

    def __iter__(self):
        # `content, msgs = run(...)`: the shape protocol tests read.
        return iter((self.reply["content"], self.messages))


def run(kc, code, allow_stdin=False, answers=(), interrupt_after=None, km=None,
        interrupt_by_message=False, timeout=TIMEOUT, **kw):
    """Execute `code` and collect everything until the kernel is idle again
    and its reply has come.  answers: replies to input requests, in order;
    interrupt_after: seconds after which to interrupt (by signal through km,
    or by an interrupt_request); kw: more execute_request fields."""
    res = Result()
    answers = list(answers)
    msg_id = kc.execute(code, allow_stdin=allow_stdin, **kw)
    t0 = time.monotonic()
    interrupted = False
    idle = False
    while not idle:
        if interrupt_after is not None and not interrupted and time.monotonic() - t0 > interrupt_after:
            interrupted = True
            res.interrupted_at = time.monotonic() - t0
            if interrupt_by_message:
                kc.control_channel.send(kc.session.msg("interrupt_request", {}))
            else:
                km.interrupt_kernel()
        if allow_stdin:
            try:
                req = kc.get_stdin_msg(timeout=0.01)
                res.inputs.append(req["content"]["prompt"])
                if answers:
                    kc.input(answers.pop(0))
            except queue.Empty:
                pass
        try:
            m = kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"no idle after {timeout}s for {code!r}")
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        res.messages.append(m)
        t, c = m["msg_type"], m["content"]
        if t == "status" and c["execution_state"] == "idle":
            idle = True
        elif t == "stream":
            res.streams.append((c["name"], c["text"], time.monotonic() - t0))
        elif t == "execute_result":
            res.results.append(c["data"])
        elif t == "display_data":
            res.displays.append(c)
        elif t == "error":
            res.errors.append(c)
    res.finished_at = time.monotonic() - t0   # relative, like the streams' times
    res.reply = reply_to(kc, msg_id, timeout=timeout)
    return res


def ok(kc, code, **kw):
    """Run a cell that must succeed without writing to stderr."""
    r = run(kc, code, **kw)
    assert r.status == "ok", f"{code!r} failed: {r.errors}"
    assert r.text("stderr") == "", f"{code!r} wrote to stderr: {r.text('stderr')!r}"
    return r


def fails(kc, code, ename=None, **kw):
    """Run a cell that must fail with exactly one error output."""
    r = run(kc, code, **kw)
    assert r.status == "error", f"{code!r} should have failed: {r.streams} {r.results}"
    assert len(r.errors) == 1, f"expected exactly one error output, got {r.errors}"
    if ename:
        assert r.errors[0]["ename"] == ename, r.errors[0]
        assert r.reply["content"]["ename"] == ename
    return r


def reply_to(kc, msg_id, timeout=TIMEOUT, channel="shell"):
    """The reply to msg_id, skipping stale replies (e.g. the extra
    kernel_info_replies wait_for_ready leaves behind on a slow start)."""
    end = time.monotonic() + timeout
    get = kc.get_shell_msg if channel == "shell" else kc.control_channel.get_msg
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError("no reply to %s within %ss" % (msg_id, timeout))
        try:
            m = get(timeout=left)
        except queue.Empty:
            continue
        if m["parent_header"].get("msg_id") == msg_id:
            return m


def stdout_of(msgs):
    return "".join(m["content"]["text"] for m in msgs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def result_of(msgs):
    for m in msgs:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"].get("text/plain")
    return None


# ---- raw frames (protocol tests) ----

def header(msg_type, session="raw-test"):
    return {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "session": session,
        "username": "test",
        "date": datetime.now(timezone.utc).isoformat(),
        "version": "5.3",
    }


def execute_content(code, **kw):
    c = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
         "allow_stdin": False, "stop_on_error": True}
    c.update(kw)
    return c


def sign(key, parts):
    h = hmac.new(key, digestmod=hashlib.sha256)
    for p in parts:
        h.update(p)
    return h.hexdigest().encode()


def frames(key, msg_type, content, signature=None, hdr=None):
    """[delim, sig, header, parent, metadata, content] and the header dict.
    signature: None = correct; bytes = use as is; callable = f(correct)."""
    hdr = hdr or header(msg_type)
    parts = [json.dumps(hdr).encode(), b"{}", b"{}", json.dumps(content).encode()]
    good = sign(key, parts)
    if signature is None:
        sig = good
    elif callable(signature):
        sig = signature(good)
    else:
        sig = signature
    return [DELIM, sig] + parts, hdr


class Raw:
    """A DEALER on shell (or control) and a SUB on iopub of km's kernel, both
    raw: jupyter_client signs and parses everything correctly, which is
    exactly what a protocol test must be able to get wrong on purpose."""

    def __init__(self, km, channel="shell"):
        import zmq
        info = km.get_connection_info()
        self.key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect("%s://%s:%d" % (info["transport"], info["ip"], info[channel + "_port"]))
        self.sub = self.ctx.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.connect("%s://%s:%d" % (info["transport"], info["ip"], info["iopub_port"]))
        self.info = info
        # The welcome message says the subscription is live.
        self.wait_iopub(lambda m: m["header"]["msg_type"] == "iopub_welcome")

    def close(self):
        self.sock.close()
        self.sub.close()
        self.ctx.term()

    def send(self, frame_list):
        self.sock.send_multipart(frame_list)

    def request(self, msg_type, content, signature=None):
        fl, hdr = frames(self.key, msg_type, content, signature)
        self.send(fl)
        return hdr

    @staticmethod
    def parse(fl):
        i = fl.index(DELIM)
        return {
            "ids": fl[:i],
            "signature": fl[i + 1],
            "header": json.loads(fl[i + 2]),
            "parent_header": json.loads(fl[i + 3]),
            "metadata": json.loads(fl[i + 4]),
            "content": json.loads(fl[i + 5]),
            "raw": fl,
        }

    def recv(self, timeout=QUIET):
        """The next reply on the DEALER, or None after timeout seconds."""
        if self.sock.poll(int(timeout * 1000)) == 0:
            return None
        m = self.parse(self.sock.recv_multipart())
        i = m["raw"].index(DELIM)
        assert m["signature"] == sign(self.key, m["raw"][i + 2:i + 6]), "kernel's own signature is wrong"
        return m

    def iopub(self, timeout=1.0):
        """All iopub messages arriving within timeout seconds of quiet."""
        out = []
        while self.sub.poll(int(timeout * 1000)):
            out.append(self.parse(self.sub.recv_multipart()))
        return out

    def wait_iopub(self, pred, timeout=TIMEOUT):
        end = time.monotonic() + timeout
        seen = []
        while time.monotonic() < end:
            if self.sub.poll(100):
                m = self.parse(self.sub.recv_multipart())
                seen.append(m)
                if pred(m):
                    return m, seen
        raise AssertionError("iopub: expected message not seen; got %r"
                             % [m["header"]["msg_type"] for m in seen])
