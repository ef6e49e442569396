"""Protocol tests through real sockets: signing, bad input, liveness.

What a user (or an attacker on the same machine) would see: a message the
kernel must not trust is never executed and never answered, and the kernel
keeps serving everybody else.  State is checked afterwards through a normal
jupyter_client connection, so "not executed" means no side effect at all.
"""
import json
import time

import pytest
import zmq

from kernelclient import (DELIM, TIMEOUT, Raw, execute_content, frames, reply_to, run, sign,
                          start_kernel, stdout_of, stop_kernel)


@pytest.fixture
def raw(kernel):
    r = Raw(kernel[0])
    yield r
    r.close()


def history_inputs(kc):
    reply = reply_to(kc, kc.history(hist_access_type="tail", n=1000, output=False, raw=True))
    assert reply["content"]["status"] == "ok"
    return [h[2] for h in reply["content"]["history"]]


def assert_alive(raw):
    """A correct request on the same socket still gets its reply."""
    hdr = raw.request("kernel_info_request", {})
    reply = raw.recv(timeout=10)
    assert reply is not None, "kernel stopped answering"
    assert reply["header"]["msg_type"] == "kernel_info_reply"
    assert reply["parent_header"]["msg_id"] == hdr["msg_id"]


def assert_ignored(raw, msg_id, wait=1.0):
    """No reply and no iopub message about msg_id."""
    assert raw.recv(timeout=wait) is None, "kernel answered a message it must drop"
    for m in raw.iopub(timeout=0.3):
        assert m["parent_header"].get("msg_id") != msg_id, "kernel published about a dropped message"


def flip(sig):
    c = b"0" if sig[:1] != b"0" else b"1"
    return c + sig[1:]


def test_badly_signed_message_is_not_executed(kernel, raw):
    km, kc = kernel
    content, _ = run(kc, "int side_bad = 0;")
    assert content["status"] == "ok"
    count = content["execution_count"]

    hdr = raw.request("execute_request", execute_content("side_bad = 99;"), signature=flip)
    assert_ignored(raw, hdr["msg_id"])

    content, msgs = run(kc, 'printf("%d\\n", side_bad);')
    assert content["status"] == "ok"
    assert content["execution_count"] == count + 1, "the dropped cell was counted"
    assert stdout_of(msgs) == "0\n", "the badly signed cell ran"
    assert "side_bad = 99;" not in history_inputs(kc)


def test_same_signed_message_twice_runs_once(kernel, raw):
    km, kc = kernel
    run(kc, "int replayed = 0;")
    fl, hdr = frames(raw.key, "execute_request", execute_content("replayed++;"))
    raw.send(fl)
    first = raw.recv(timeout=30)
    assert first is not None and first["content"]["status"] == "ok"
    raw.send(fl)
    assert_ignored(raw, None)
    content, msgs = run(kc, 'printf("%d\\n", replayed);')
    assert stdout_of(msgs) == "1\n"
    assert history_inputs(kc).count("replayed++;") == 1


@pytest.mark.parametrize("name,signature", [
    ("empty", lambda s: b""),
    ("short", lambda s: s[:63]),
    ("long", lambda s: s + b"0"),
    ("non-hex", lambda s: b"z" + s[1:]),
    ("wrong", flip),
    ("spaces", lambda s: b" " * 64),
    ("nul-inside", lambda s: s[:32] + b"\0" + s[33:]),
])
def test_bad_signatures_rejected(kernel, raw, name, signature):
    hdr = raw.request("kernel_info_request", {}, signature=signature)
    assert_ignored(raw, hdr["msg_id"], wait=0.5)
    assert_alive(raw)


def test_uppercase_signature_accepted(raw):
    hdr = raw.request("kernel_info_request", {}, signature=lambda s: s.upper())
    reply = raw.recv(timeout=10)
    assert reply is not None and reply["parent_header"]["msg_id"] == hdr["msg_id"]


@pytest.mark.parametrize("cut", [0, 1, 2, 3, 4, 5])
def test_truncated_frame_lists_ignored(raw, cut):
    fl, hdr = frames(raw.key, "kernel_info_request", {})
    raw.send(fl[:cut] if cut else [b""])
    assert_ignored(raw, hdr["msg_id"], wait=0.5)
    assert_alive(raw)


@pytest.mark.parametrize("which", [2, 3, 4, 5])
def test_non_json_frames_ignored(raw, which):
    fl, hdr = frames(raw.key, "kernel_info_request", {})
    fl[which] = b"\xff{not json"
    fl[1] = sign(raw.key, fl[2:6])          # correctly signed garbage
    raw.send(fl)
    assert_ignored(raw, hdr["msg_id"], wait=0.5)
    assert_alive(raw)


def test_garbage_without_delimiter_ignored(raw):
    raw.send([b"hello", b"world"])
    raw.send([DELIM])
    raw.send([b"x" * 100000])
    fl, _ = frames(raw.key, "kernel_info_request", {})
    fl[2] = json.dumps([1, 2]).encode()      # a JSON array, not an object
    fl[1] = sign(raw.key, fl[2:6])
    raw.send(fl)
    assert raw.recv(timeout=0.5) is None
    assert_alive(raw)


def test_unknown_message_type_gets_busy_idle_and_no_reply(raw):
    hdr = raw.request("no_such_request", {})
    assert raw.recv(timeout=0.5) is None
    msgs = raw.iopub(timeout=0.5)
    states = [m["content"]["execution_state"] for m in msgs
              if m["header"]["msg_type"] == "status" and m["parent_header"].get("msg_id") == hdr["msg_id"]]
    assert states == ["busy", "idle"]
    assert_alive(raw)


def test_kernel_info_on_control(kernel):
    km, kc = kernel
    r = Raw(km, channel="control")
    try:
        hdr = r.request("kernel_info_request", {})
        reply = r.recv(timeout=10)
        assert reply["header"]["msg_type"] == "kernel_info_reply"
        li = reply["content"]["language_info"]
        assert li["name"] == "c" and li["file_extension"] == ".c" and li["mimetype"] == "text/x-csrc"
        assert reply["content"]["implementation"] == "chalk"
        urls = [h["url"] for h in reply["content"]["help_links"]]
        assert any("gnu.org/software/gsl" in u for u in urls)
        assert any("cppreference" in u for u in urls)
        states = [m["content"]["execution_state"] for m in r.iopub(timeout=0.5)
                  if m["parent_header"].get("msg_id") == hdr["msg_id"]]
        assert states == ["busy", "idle"]
    finally:
        r.close()


def test_iopub_welcome_on_subscribe(kernel):
    info = kernel[0].get_connection_info()
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect("tcp://%s:%d" % (info["ip"], info["iopub_port"]))
    try:
        assert sub.poll(10000), "no iopub_welcome"
        m = Raw.parse(sub.recv_multipart())
        assert m["header"]["msg_type"] == "iopub_welcome"
        assert m["content"] == {"subscription": ""}
    finally:
        sub.close()
        ctx.term()


def test_execution_count_rules(kernel, raw):
    km, kc = kernel
    c1, m1 = run(kc, "int counted = 1;")
    n = c1["execution_count"]
    assert [m["content"]["execution_count"] for m in m1 if m["msg_type"] == "execute_input"] == [n]

    c2, m2 = run(kc, "counted = 2;", store_history=False)
    assert c2["status"] == "ok" and c2["execution_count"] == n

    hdr = raw.request("execute_request", execute_content("counted = 3;", silent=True))
    reply = raw.recv(timeout=30)
    assert reply["content"]["status"] == "ok"
    msgs = raw.iopub(timeout=0.5)
    types = [m["header"]["msg_type"] for m in msgs if m["parent_header"].get("msg_id") == hdr["msg_id"]]
    assert "execute_input" not in types and "execute_result" not in types
    assert types[0] == "status" and types[-1] == "status"

    c4, _ = run(kc, 'printf("%d\\n", counted);')
    assert c4["execution_count"] == n + 1


SILENT_CELL = r"""
#include <chalk.h>
#include <stdio.h>
int silent_ran = 41;
printf("to stdout\n");
fprintf(stderr, "to stderr\n");
ch_display_text("a display");
{ gsl_vector *v = gsl_vector_alloc(2); gsl_vector_set_all(v, 1.5); ch_show_vector(v); gsl_vector_free(v); }
silent_ran++;
"""


def parented(msgs, hdr):
    return [m["header"]["msg_type"] for m in msgs if m["parent_header"].get("msg_id") == hdr["msg_id"]]


def test_silent_publishes_nothing_but_status(kernel, raw):
    km, kc = kernel
    # The same cell, not silent, shows every kind of output (so the silent
    # run below is quiet because of `silent`, not because the cell is).
    loud, lmsgs = run(kc, SILENT_CELL.replace("silent_ran", "loud_ran"))
    assert loud["status"] == "ok"
    ltypes = {m["msg_type"] for m in lmsgs}
    assert {"execute_input", "stream", "display_data", "execute_result"} <= ltypes, ltypes
    n = loud["execution_count"]

    hdr = raw.request("execute_request", execute_content(SILENT_CELL, silent=True))
    reply = raw.recv(timeout=60)
    assert reply is not None and reply["parent_header"]["msg_id"] == hdr["msg_id"]
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["execution_count"] == n
    assert parented(raw.iopub(timeout=0.5), hdr) == ["status", "status"]

    # A failing silent cell: nothing on iopub either; the error is in the reply.
    hdr = raw.request("execute_request", execute_content("int *p = 0; undeclared_thing = 3;", silent=True))
    reply = raw.recv(timeout=60)
    assert reply["content"]["status"] == "error"
    assert "undeclared_thing" in "".join(reply["content"]["traceback"]) + reply["content"]["evalue"]
    assert parented(raw.iopub(timeout=0.5), hdr) == ["status", "status"]

    # It ran (the session has its global) and the count did not move.
    c, msgs = run(kc, 'printf("%d\\n", silent_ran);')
    assert stdout_of(msgs) == "42\n"
    assert c["execution_count"] == n + 1


def test_stop_on_error_aborts_queued_executes(kernel, raw):
    # The sleeping cell makes sure the rest are queued before the failure.
    ids = []
    for code in ["sleep(1);", "this is an error;", 'printf("never\\n");', 'printf("never\\n");']:
        ids.append(raw.request("execute_request", execute_content(code))["msg_id"])
    replies = {}
    for _ in ids:
        r = raw.recv(timeout=30)
        assert r is not None
        replies[r["parent_header"]["msg_id"]] = r["content"]["status"]
    assert [replies[i] for i in ids] == ["ok", "error", "aborted", "aborted"]
    # A cell sent after the failure was handled runs normally.
    raw.request("execute_request", execute_content("int after_abort = 1;"))
    assert raw.recv(timeout=30)["content"]["status"] == "ok"


def test_no_abort_without_stop_on_error(raw):
    ids = [raw.request("execute_request", execute_content("sleep(1);"))["msg_id"],
           raw.request("execute_request", execute_content("this is an error;", stop_on_error=False))["msg_id"],
           raw.request("execute_request", execute_content("int ok_after = 2;"))["msg_id"]]
    got = {}
    for _ in ids:
        r = raw.recv(timeout=30)
        got[r["parent_header"]["msg_id"]] = r["content"]["status"]
    assert [got[i] for i in ids] == ["ok", "error", "ok"]


def test_stdin_input_request(kernel):
    km, kc = kernel
    msgs = []
    while True:                      # forget other tests' broadcasts
        try:
            kc.get_iopub_msg(timeout=0.2)
        except Exception:
            break
    msg_id = kc.execute('char word[64]; scanf("%63s", word); printf("got %s\\n", word);', allow_stdin=True)
    req = kc.get_stdin_msg(timeout=30)
    assert req["msg_type"] == "input_request"
    kc.input("chalk")
    reply = reply_to(kc, msg_id)
    assert reply["content"]["status"] == "ok"
    while True:
        m = kc.get_iopub_msg(timeout=10)
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" \
                and m["parent_header"].get("msg_id") == reply["parent_header"]["msg_id"]:
            break
    mine = [m for m in msgs if m["parent_header"].get("msg_id") == reply["parent_header"]["msg_id"]]
    assert "chalk" in stdout_of(mine)


def test_heartbeat_and_control_while_cell_sleeps(kernel):
    km, kc = kernel
    info = km.get_connection_info()
    ctx = zmq.Context()
    hb = ctx.socket(zmq.REQ)
    hb.setsockopt(zmq.LINGER, 0)
    hb.connect("tcp://%s:%d" % (info["ip"], info["hb_port"]))
    ctl = Raw(km, channel="control")
    try:
        msg_id = kc.execute("sleep(2);")
        time.sleep(0.3)
        t0 = time.time()
        for i in range(3):
            hb.send(b"ping-%d" % i)
            assert hb.poll(1000), "heartbeat did not answer while a cell runs"
            assert hb.recv() == b"ping-%d" % i
        ctl.request("kernel_info_request", {})
        assert ctl.recv(timeout=1.0) is not None, "control not served while a cell runs"
        assert time.time() - t0 < 1.5
        reply = reply_to(kc, msg_id)
        assert reply["content"]["status"] == "ok"
    finally:
        hb.close()
        ctl.close()
        ctx.term()


def test_interrupt_keeps_kernel():
    km, kc = start_kernel()
    try:
        run(kc, "int kept = 7;")
        msg_id = kc.execute("sleep(30);")
        time.sleep(0.5)
        t0 = time.time()
        km.interrupt_kernel()
        reply = reply_to(kc, msg_id, timeout=10)
        assert reply["content"]["status"] == "error"
        assert time.time() - t0 < 5
        assert km.is_alive()
        content, msgs = run(kc, 'printf("%d\\n", kept);')
        assert content["status"] == "ok" and stdout_of(msgs) == "7\n"
    finally:
        stop_kernel(km, kc)


def test_shutdown_and_restart():
    km, kc = start_kernel()
    try:
        run(kc, "int before_restart = 1;")
        pid = km.provisioner.pid if km.provisioner else None
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=TIMEOUT)
        assert km.provisioner.pid != pid
        content, _ = run(kc, "int after_restart = 2;")
        assert content["status"] == "ok" and content["execution_count"] == 1

        # A shutdown_request is answered on control (restart flag echoed)
        # and the process exits by itself.
        reply = reply_to(kc, kc.shutdown(restart=True), timeout=10, channel="control")
        assert reply["msg_type"] == "shutdown_reply"
        assert reply["content"]["restart"] is True
        proc = km.provisioner.process
        deadline = time.time() + 10
        while proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert proc.poll() == 0, "kernel did not exit cleanly after shutdown_request"
    finally:
        stop_kernel(km, kc)


def test_comm_info_and_history(kernel):
    km, kc = kernel
    r = reply_to(kc, kc.comm_info())
    assert r["content"] == {"status": "ok", "comms": {}}
    run(kc, "int hist_a = 1;")
    run(kc, "int hist_b = 2;")
    r = reply_to(kc, kc.history(hist_access_type="search", pattern="int hist_*", unique=True,
                                output=False, raw=True))
    found = [h[2] for h in r["content"]["history"]]
    assert found == ["int hist_a = 1;", "int hist_b = 2;"]
    r = reply_to(kc, kc.history(hist_access_type="tail", n=1, output=False, raw=True))
    (session, line, code), = r["content"]["history"]
    r = reply_to(kc, kc.history(hist_access_type="range", session=session, start=line, stop=line + 1,
                                output=False, raw=True))
    assert r["content"]["history"] == [[session, line, "int hist_b = 2;"]]


def test_invalid_utf8_output_is_repaired(kernel):
    km, kc = kernel
    content, msgs = run(kc, 'printf("bad \\xff byte\\n");')
    assert content["status"] == "ok"
    assert stdout_of(msgs) == "bad \ufffd byte\n"


def test_character_split_across_writes_survives(kernel):
    km, kc = kernel
    # The two bytes of "é" reach the kernel in two reads; neither half may
    # become U+FFFD.
    content, msgs = run(kc, 'fputs("\\xc3", stdout); fflush(stdout); usleep(200000); '
                            'fputs("\\xa9!\\n", stdout);')
    assert content["status"] == "ok"
    assert stdout_of(msgs) == "\u00e9!\n"
