"""cells.py — run chalk cells through jupyter_client and gather what a front
end would show: streams, results, displays, errors, the reply, and the
input requests it answered.

The kernel is the kernelspec `chalk` on JUPYTER_PATH (the build tree's, set
up by `make check`).  No test here imposes a time limit on the kernel: the
timeouts below only stop a hung test run, and are far above anything a
working kernel needs.
"""
import os
import queue
import time

from jupyter_client.manager import KernelManager

HANG = 120  # seconds: a safety net against a hung test run, not a speed limit


class Result:
    def __init__(self):
        self.reply = None
        self.streams = []       # (name, text, seconds since the request)
        self.results = []       # execute_result data dicts
        self.displays = []      # display_data data dicts (with metadata)
        self.errors = []        # error contents
        self.inputs = []        # input_request prompts
        self.messages = []      # every iopub message of the request

    @property
    def status(self):
        return self.reply["content"]["status"]

    def text(self, name="stdout"):
        return "".join(t for n, t, _ in self.streams if n == name)

    @property
    def value(self):
        assert len(self.results) == 1, f"expected one result, got {self.results} / {self.errors}"
        return self.results[0]["text/plain"]


def start(env=None, kernel_name="chalk"):
    km = KernelManager(kernel_name=kernel_name)
    kw = {}
    if env:
        full = dict(os.environ)
        full.update(env)
        kw["env"] = full
    km.start_kernel(**kw)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=HANG)
    return km, kc


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run(kc, code, allow_stdin=False, answers=(), interrupt_after=None, km=None,
        interrupt_by_message=False, **kw):
    """Execute `code` and collect everything until the kernel is idle again."""
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
                msg = kc.session.msg("interrupt_request", {})
                kc.control_channel.send(msg)
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
            if time.monotonic() - t0 > HANG:
                raise TimeoutError(f"no idle after {HANG}s for {code!r}")
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
    while True:
        r = kc.get_shell_msg(timeout=HANG)
        if r["parent_header"].get("msg_id") == msg_id:
            res.reply = r
            break
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
