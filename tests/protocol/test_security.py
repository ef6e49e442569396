"""Security properties of a running chalk kernel, checked from outside.

Each test starts chalk-kernel itself on a connection file it wrote (as a
front end would), so it controls the address, the file's mode, the working
directory and the log level, and can read the kernel's and the executor's
/proc entries.  What is asserted is what an attacker on the same machine
could observe: which addresses accept connections, what the log shows, and
what a cell (which runs in the executor lineage) could reach: the session key
in its environment or memory, or the kernel's sockets among its descriptors.
The signature schemes are here too: a kernel started with hmac-sha512 (or
any hashlib scheme OpenSSL has) runs cells, an unknown one stops it at once
with one line.

Reading another process's memory needs root or ptrace rights over it; the
memory scan is skipped (with the reason) where /proc/PID/mem is closed.
Each scan is first pointed at a process that does hold the key, so a scanner
that cannot find anything cannot pass.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import get_kernel_spec

from kernelclient import GRACE, TIMEOUT, run

# The kernelspec `make check` wrote (the build tree's kernel and its env).
SPEC = get_kernel_spec("chalk")


class Kernel:
    """chalk-kernel on a connection file of our own, with its stderr kept."""

    def __init__(self, tmp_path, ip="127.0.0.1", scheme="hmac-sha256", mode=0o600, env=None, cwd=None):
        self.key = uuid.uuid4().hex + "-" + uuid.uuid4().hex
        self.cf = str(tmp_path / ("kernel-%s.json" % uuid.uuid4().hex[:8]))
        write_connection_file(self.cf, ip=ip, key=self.key.encode(), signature_scheme=scheme)
        os.chmod(self.cf, mode)
        self.errpath = str(tmp_path / "kernel-stderr.txt")
        self.errfile = open(self.errpath, "wb")
        full_env = dict(os.environ)
        full_env.update(SPEC.env)
        full_env.update(env or {})
        self.proc = subprocess.Popen([SPEC.argv[0], "-f", self.cf], stdout=subprocess.DEVNULL,
                                     stderr=self.errfile, env=full_env, cwd=cwd)
        self.kc = BlockingKernelClient(connection_file=self.cf)
        self.kc.load_connection_file()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=TIMEOUT)
        except BaseException:
            self.stop()
            raise

    def run(self, code, **kw):
        """(reply content, everything the cell printed on stdout and stderr)."""
        r = run(self.kc, code, **kw)
        return r.content, "".join(t for _, t, _ in r.streams)

    def stop(self):
        """Shut down as a front end would (killed after GRACE seconds, as
        kernelclient.stop does); returns the kernel's stderr."""
        try:
            self.kc.shutdown()
            self.proc.wait(timeout=GRACE)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        self.kc.stop_channels()
        self.errfile.close()
        with open(self.errpath, "rb") as f:
            return f.read().decode("utf-8", "replace")


@pytest.fixture
def launch(tmp_path):
    started = []

    def go(**kw):
        k = Kernel(tmp_path, **kw)
        started.append(k)
        return k
    yield go
    for k in started:
        if k.proc.poll() is None:
            k.stop()


# ---- /proc helpers ---------------------------------------------------------

def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir("/proc/%d/task" % p)
        except FileNotFoundError:
            continue
        for t in tasks:
            try:
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    kids = [int(x) for x in f.read().split()]
            except FileNotFoundError:
                kids = []
            out += kids
            todo += kids
    return out


def socket_inodes(pid):
    """{fd: inode} of every socket the process holds."""
    out = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]$", link)
        if m:
            out[int(fd)] = int(m.group(1))
    return out


def inet_sockets():
    """{inode: (local ip, port, state)} of every TCP/UDP socket (v4 and v6)."""
    out = {}
    for name in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = open("/proc/net/" + name).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            f = line.split()
            addr, port = f[1].split(":")
            raw = bytes.fromhex(addr)
            if len(raw) == 4:
                ip = socket.inet_ntop(socket.AF_INET, raw[::-1])
            else:
                ip = socket.inet_ntop(socket.AF_INET6, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
            out[int(f[9])] = (ip, int(port, 16), f[3])
    return out


def unnamed_unix_sockets():
    """Inodes of AF_UNIX sockets with no path (socketpairs, not listeners)."""
    out = set()
    for line in open("/proc/net/unix").read().splitlines()[1:]:
        f = line.split()
        if len(f) == 7:
            out.add(int(f[6]))
    return out


def environ_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return f.read()


def memory_holds(pid, needle):
    """True if any readable mapping of pid contains needle; None if the
    memory cannot be read at all (no ptrace rights)."""
    try:
        mem = open("/proc/%d/mem" % pid, "rb", buffering=0)
    except PermissionError:
        return None
    read_any = False
    with mem, open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            f = line.split()
            if "r" not in f[1]:
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            if f[-1] == "[vvar]":
                continue
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            read_any = True
            if needle in data:
                return True
    return False if read_any else None


# ---- the tests ---------------------------------------------------------------

def test_binds_only_the_address_in_the_connection_file(launch):
    # 127.0.0.2 is loopback too, but not what a careless bind("*") or
    # "localhost" would pick: a listening socket anywhere else is a bug.
    k = launch(ip="127.0.0.2")
    info = k.kc.get_connection_info()
    ports = {info[c + "_port"] for c in ("shell", "iopub", "stdin", "control", "hb")}
    inet = inet_sockets()
    listening = sorted(inet[i][:2] for i in socket_inodes(k.proc.pid).values()
                       if i in inet and inet[i][2] == "0A")
    assert listening == sorted(("127.0.0.2", p) for p in ports)
    assert k.run("int bound = 1;")[0]["status"] == "ok"
    k.stop()


def test_loose_connection_file_mode_warns_once(launch):
    k = launch(mode=0o644)
    assert k.run('printf("x\\n");')[0]["status"] == "ok"
    err = k.stop()
    lines = [l for l in err.splitlines() if "readable by group or others" in l]
    assert len(lines) == 1, err
    assert "0644" in lines[0] and "chmod 600" in lines[0]

    k = launch(mode=0o600)
    k.run('printf("x\\n");')
    err = k.stop()
    assert "readable by group or others" not in err


def test_key_never_logged(launch):
    # The most verbose log level, a cell, and a message signed with the
    # wrong key (which the kernel logs as rejected).
    k = launch(env={"CHALK_LOG": "debug"})
    k.run('printf("hello\\n");')
    import zmq
    info = k.kc.get_connection_info()
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.connect("tcp://%s:%d" % (info["ip"], info["shell_port"]))
    s.send_multipart([b"<IDS|MSG>", b"0" * 64, b'{"msg_type":"kernel_info_request","msg_id":"x"}',
                      b"{}", b"{}", b"{}"])
    time.sleep(0.5)
    s.close()
    ctx.term()
    err = k.stop()
    assert "debug" in err                       # the log really was verbose
    assert k.key not in err
    for piece in k.key.split("-"):
        assert piece not in err


def test_executor_holds_neither_key_nor_kernel_sockets(launch):
    k = launch()
    # A cell running now: its own process (a fork of the executor) is what
    # student code could inspect, so it is checked along with the executor.
    k.kc.execute('#include <unistd.h>\nsleep(4);')
    deadline = time.time() + 30
    procs = []
    while time.time() < deadline:
        procs = descendants(k.proc.pid)
        if len(procs) >= 2:
            break
        time.sleep(0.1)
    assert len(procs) >= 2, "expected the executor and the running cell's process"

    kernel_socks = set(socket_inodes(k.proc.pid).values())
    inet = inet_sockets()
    assert kernel_socks & set(inet), "the kernel's own TCP sockets were not seen: the check is blind"
    key = k.key.encode()
    control = subprocess.Popen(["sleep", "60"], env={"CHALK_SECRET_CONTROL": k.key})
    try:
        time.sleep(0.2)
        assert key in environ_of(control.pid)
        control_mem = memory_holds(control.pid, key)
    finally:
        control.kill()
        control.wait()

    pairs = unnamed_unix_sockets()
    for pid in procs:
        assert key not in environ_of(pid), "key in the environment of %d" % pid
        socks = socket_inodes(pid)
        assert not set(socks.values()) & kernel_socks, "kernel socket inherited by %d" % pid
        assert not set(socks.values()) & set(inet), "a TCP/UDP socket in %d" % pid
        assert set(socks.values()) <= pairs, "a named or non-unix socket in %d" % pid
        # fd 3 is the lineage's channel to the kernel (kernel/isolate.c keeps a copy of it
        # at a high number, the same socket); besides it at most the socketpair between the
        # executor and its (pre-forked) cell process.
        assert 3 in socks and len(set(socks.values())) <= 2, (pid, socks)
    if control_mem is None:
        pytest.skip("cannot read /proc/PID/mem here (no ptrace rights): memory not scanned")
    assert control_mem is True, "the scanner missed the key in a process that holds it"
    for pid in procs:
        assert memory_holds(pid, key) is False, "key bytes in the memory of %d" % pid
    reply = k.kc.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "ok"
    k.stop()


PLANTED = "#error planted in the working directory\n"


def test_nothing_loaded_from_the_working_directory(launch, tmp_path):
    cwd = tmp_path / "work"
    (cwd / "gsl").mkdir(parents=True)
    for h in ("stdio.h", "stdlib.h", "math.h", "chalk.h", "gsl/gsl_vector.h", "libtcc1.a",
              "libchalk.so", "libm.so", "libgsl.so"):
        (cwd / h).write_text(PLANTED)
    marker = tmp_path / "planted-ran"
    for prog in ("chalk-executor", "tcc", "cc"):
        p = cwd / prog
        p.write_text("#!/bin/sh\ntouch '%s'\n" % marker)
        p.chmod(0o755)
    k = launch(cwd=str(cwd), env={"PATH": os.environ.get("PATH", "")})
    c, out = k.run('#include <stdio.h>\n#include <stdlib.h>\n#include <math.h>\n#include <chalk.h>\n'
                   '#include <gsl/gsl_vector.h>\n'
                   'gsl_vector *v = gsl_vector_alloc(3); gsl_vector_set_all(v, 2.0);\n'
                   'printf("%g %g\\n", sqrt(gsl_vector_get(v, 1)), ch_norm(v));\n'
                   'gsl_vector_free(v);')
    assert c["status"] == "ok", c
    assert out == "1.41421 3.4641\n", out
    assert "planted" not in out
    assert not marker.exists()
    # Asked for: a quoted include of a file that is there is found.
    (cwd / "mine.h").write_text("#define MINE 7\n")
    c, out = k.run('#include "mine.h"\nprintf("%d\\n", MINE);')
    assert c["status"] == "ok" and out == "7\n", (c, out)
    k.stop()


# ---- signature schemes (jupyter_client accepts any hashlib algorithm) ------

@pytest.mark.parametrize("scheme", ["hmac-sha512", "hmac-sha3_256", "hmac-sha1"])
def test_other_signature_schemes_run_cells(launch, scheme):
    k = launch(scheme=scheme)
    assert k.kc.session.signature_scheme == scheme   # the client signs with it too
    c, out = k.run('int sq = 12 * 12;\nprintf("%d\\n", sq);')
    assert c["status"] == "ok" and out == "144\n"
    err = k.stop()
    assert "signature" not in err, err               # nothing was rejected


def test_unknown_signature_scheme_is_one_line_and_exit_1(tmp_path):
    cf = tmp_path / "kernel.json"
    write_connection_file(str(cf), ip="127.0.0.1", key=b"secret-key-1234")
    info = json.loads(cf.read_text())
    info["signature_scheme"] = "hmac-nosuch"         # jupyter_client itself refuses to write it
    cf.write_text(json.dumps(info))
    os.chmod(cf, 0o600)
    env = dict(os.environ)
    env.update(SPEC.env)
    p = subprocess.run([SPEC.argv[0], "-f", str(cf)], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    assert lines == ["[chalk error] unsupported signature_scheme 'hmac-nosuch': "
                     "OpenSSL has no digest 'nosuch' for HMAC"], p.stderr
    assert "secret-key-1234" not in p.stderr
