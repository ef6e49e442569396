"""chalkproto.py — helpers for talking to chalk-kernel through raw sockets.

jupyter_client signs and parses everything correctly, which is exactly what a
protocol test must be able to get wrong on purpose.  These helpers build
frame lists by hand (any signature, any frames) and read raw replies, next to
a normal jupyter_client connection to the same kernel for checking state.

The kernel under test is the kernelspec `chalk` found on JUPYTER_PATH (the
build tree's, set up by `make check`).
"""
import hashlib
import hmac
import json
import time
import uuid
from datetime import datetime, timezone

import zmq
from jupyter_client.manager import KernelManager

KERNEL_NAME = "chalk"
DELIM = b"<IDS|MSG>"


def start_kernel():
    """A started KernelManager and a ready BlockingKernelClient."""
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def stop_kernel(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=False)


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
    """A DEALER on shell (or control) and a SUB on iopub, both raw."""

    def __init__(self, km, channel="shell"):
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
        self.wait_iopub(lambda m: m["header"]["msg_type"] == "iopub_welcome", timeout=10)

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

    def recv(self, timeout=5.0):
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

    def wait_iopub(self, pred, timeout=10.0):
        end = time.time() + timeout
        seen = []
        while time.time() < end:
            if self.sub.poll(100):
                m = self.parse(self.sub.recv_multipart())
                seen.append(m)
                if pred(m):
                    return m, seen
        raise AssertionError("iopub: expected message not seen; got %r"
                             % [m["header"]["msg_type"] for m in seen])


def run(kc, code, timeout=30, **kw):
    """Execute through jupyter_client; returns (reply content, iopub msgs)."""
    msgs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append, **kw)
    return reply["content"], msgs


def stdout_of(msgs):
    return "".join(m["content"]["text"] for m in msgs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def result_of(msgs):
    for m in msgs:
        if m["msg_type"] == "execute_result":
            return m["content"]["data"].get("text/plain")
    return None


def reply_to(kc, msg_id, timeout=30, channel="shell"):
    """The reply to msg_id, skipping stale replies (e.g. the extra
    kernel_info_replies wait_for_ready leaves behind on a slow start)."""
    end = time.time() + timeout
    get = kc.get_shell_msg if channel == "shell" else kc.control_channel.get_msg
    while True:
        left = end - time.time()
        if left <= 0:
            raise AssertionError("no reply to %s within %ss" % (msg_id, timeout))
        m = get(timeout=left)
        if m["parent_header"].get("msg_id") == msg_id:
            return m
