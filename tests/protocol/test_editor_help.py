"""Editor help for headers the session has not included (issue 12, point 2).

A user looking for a function most needs to be told which header declares
it: Shift+Tab (inspect_request) on a GSL function in a fresh session names
the header and shows the declaration; Tab after `#include <gsl/gsl_lina`
completes the path; Tab on a prefix offers functions of headers not yet
included, each marked with its header in _jupyter_types_experimental.
"""
import os

from kernelclient import reply_to, run, start_kernel, stop_kernel


def inspect(kc, code, pos=None):
    r = reply_to(kc, kc.inspect(code, len(code) if pos is None else pos))["content"]
    assert r["status"] == "ok"
    return r


def complete(kc, code, pos=None):
    r = reply_to(kc, kc.complete(code, len(code) if pos is None else pos))["content"]
    assert r["status"] == "ok"
    return r


def test_inspect_names_the_header_in_a_fresh_session(kernel):
    km, kc = kernel
    for name, header, decl in [
            ("gsl_integration_qags", "gsl/gsl_integration.h",
             "int gsl_integration_qags (const gsl_function * f, double a, double b,"),
            ("gsl_linalg_SV_decomp", "gsl/gsl_linalg.h",
             "int gsl_linalg_SV_decomp (gsl_matrix * A, gsl_matrix * V, gsl_vector * S,"),
            ("sleep", "unistd.h", "extern unsigned int sleep (unsigned int __seconds);")]:
        r = inspect(kc, name + "(")
        assert r["found"], name
        text = r["data"]["text/plain"]
        assert text.startswith("Declared in <%s>, which this session has not included: "
                               "add #include <%s>" % (header, header)), text
        assert decl in text, text
        assert ("#include <%s>" % header) in r["data"]["text/markdown"]


def test_inspect_after_the_include_says_nothing_of_including(kernel):
    km, kc = kernel
    c, _ = run(kc, "#include <gsl/gsl_linalg.h>")
    assert c["status"] == "ok"
    text = inspect(kc, "gsl_linalg_SV_decomp")["data"]["text/plain"]
    assert "has not included" not in text
    assert "gsl_linalg_SV_decomp (gsl_matrix * A" in text


def test_unknown_name_is_still_not_found(kernel):
    km, kc = kernel
    assert inspect(kc, "gsl_no_such_function_at_all")["found"] is False


def test_include_path_completion(kernel):
    km, kc = kernel
    code = "int a;\n#include <gsl/gsl_lina"
    r = complete(kc, code)
    assert r["matches"] == ["gsl/gsl_linalg.h"]
    assert r["cursor_start"] == code.index("<") + 1 and r["cursor_end"] == len(code)
    assert r["metadata"]["_jupyter_types_experimental"] == [{"text": "gsl/gsl_linalg.h",
                                                            "type": "path"}]
    # Directories end with a slash; libchalk's own header is there too.
    r = complete(kc, "#include <gs")
    assert "gsl/" in r["matches"]
    assert "chalk.h" in complete(kc, "#include <chal")["matches"]
    # Past the closing bracket it is ordinary completion again.
    assert "gsl/gsl_linalg.h" not in complete(kc, "#include <gsl/gsl_linalg.h> gsl_lina")["matches"]


def test_include_completion_knows_cflags_dirs(kernel, tmp_path):
    km, kc = kernel
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "myhelpers_geom.h").write_text("int myhelpers_area(int);\n")
    c, _ = run(kc, "%%cflags -I%s" % (tmp_path / "proj"))
    assert c["status"] == "ok"
    assert complete(kc, "#include <myhelpers_g")["matches"] == ["myhelpers_geom.h"]
    assert complete(kc, '#include "myhelpers_g')["matches"] == ["myhelpers_geom.h"]


def test_completion_offers_functions_of_headers_not_included(kernel):
    km, kc = kernel
    r = complete(kc, "double r = gsl_integration_qag")
    assert "gsl_integration_qags" in r["matches"]
    types = {t["text"]: t for t in r["metadata"]["_jupyter_types_experimental"]}
    t = types["gsl_integration_qags"]
    assert t["type"] == "function" and t["header"] == "gsl/gsl_integration.h"
    assert t["signature"].startswith("int gsl_integration_qags (")
    # Names the session knows come first and carry no header.
    c, _ = run(kc, "double sqrt_of_two = 1.4142;")
    assert c["status"] == "ok"
    r = complete(kc, "sqrt")
    assert r["matches"][0] == "sqrt_of_two"
    assert "header" not in r["metadata"]["_jupyter_types_experimental"][0]
    # A bare "g" offers no catalog (hundreds of names), keywords stay.
    assert "goto" in complete(kc, "g")["matches"]
    assert not any("header" in t for t in complete(kc, "g")["metadata"]["_jupyter_types_experimental"])


def test_help_answers_while_a_cell_runs(kernel):
    """Shell requests wait for the running cell (as in ipykernel); a front end
    that wants help meanwhile asks on control, and gets the catalog's answer."""
    km, kc = kernel
    msg_id = kc.execute("#include <unistd.h>\nsleep(3);")
    msg = kc.session.msg("inspect_request", {"code": "gsl_poly_solve_quadratic(", "cursor_pos": 25,
                                             "detail_level": 0})
    kc.control_channel.send(msg)
    ctl = reply_to(kc, msg["header"]["msg_id"], channel="control")
    r = ctl["content"]
    assert r["found"] and "gsl/gsl_poly.h" in r["data"]["text/plain"]
    reply = reply_to(kc, msg_id, timeout=60)
    assert reply["content"]["status"] == "ok"
    # The cell was still running when help answered.
    assert ctl["header"]["date"] < reply["header"]["date"]


def test_heartbeat_answers_while_the_catalog_is_built():
    """The first request that needs the catalog keeps the loop busy for a few
    hundred milliseconds; the heartbeat has a thread of its own, so a ping
    sent just after that request is answered before the request is."""
    import zmq
    km, kc = start_kernel()
    ctx = zmq.Context()
    hb = ctx.socket(zmq.REQ)
    hb.setsockopt(zmq.LINGER, 0)
    try:
        info = km.get_connection_info()
        hb.connect("%s://%s:%d" % (info["transport"], info["ip"], info["hb_port"]))
        hb.send(b"warm")
        assert hb.poll(30000) and hb.recv() == b"warm"
        msg = kc.session.msg("inspect_request", {"code": "gsl_integration_qags(", "cursor_pos": 21,
                                                 "detail_level": 0})
        kc.control_channel.send(msg)
        hb.send(b"ping")
        order = []
        poller = zmq.Poller()
        poller.register(hb, zmq.POLLIN)
        poller.register(kc.control_channel.socket, zmq.POLLIN)
        while len(order) < 2:
            ready = dict(poller.poll(60000))
            assert ready, "neither the pong nor the inspect reply came"
            if hb in ready:
                assert hb.recv() == b"ping"
                order.append("pong")
                poller.unregister(hb)
            if kc.control_channel.socket in ready:
                m = kc.control_channel.get_msg(timeout=1)
                if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                    assert m["content"]["found"]
                    order.append("inspect_reply")
                    poller.unregister(kc.control_channel.socket)
        assert order == ["pong", "inspect_reply"]
    finally:
        hb.close()
        ctx.term()
        stop_kernel(km, kc)
