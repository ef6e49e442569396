"""execute_request's user_expressions, as a front end uses them.

Each expression is a C expression evaluated in the session after the cell
(only when the cell succeeded), into a mime bundle {"status": "ok", "data",
"metadata"} or {"status": "error", "ename", "evalue", "traceback"}; one that
fails never fails the cell, and none is ever kept in the session.  The shape
of the reply is compared with ipykernel's own (the python3 kernel of the
same environment) rather than written down from memory.
"""
from kernelclient import Raw, execute_content, run, started, stdout_of


def test_values_and_errors_per_expression(kernel):
    km, kc = kernel
    c, msgs = run(kc, "int ux_n = 41; double ux_y = 2.5; const char *ux_s = \"hi\";",
                  user_expressions={"n": "ux_n + 1", "y": "ux_y * 2", "s": "ux_s",
                                    "missing": "ux_nope", "void": "(void)0"})
    assert c["status"] == "ok"
    ux = c["user_expressions"]
    assert set(ux) == {"n", "y", "s", "missing", "void"}
    assert ux["n"] == {"status": "ok", "data": {"text/plain": "42"}, "metadata": {}}
    assert ux["y"] == {"status": "ok", "data": {"text/plain": "5.0"}, "metadata": {}}
    assert ux["s"]["data"]["text/plain"] == '"hi"'
    assert ux["void"] == {"status": "ok", "data": {}, "metadata": {}}
    err = ux["missing"]
    assert err["status"] == "error" and err["ename"] == "CompileError"
    assert "ux_nope" in err["evalue"] and any("ux_nope" in line for line in err["traceback"])
    # The expressions' values are in the reply only, never on iopub.
    assert [m for m in msgs if m["msg_type"] in ("execute_result", "display_data", "error")] == []


def test_a_crashing_expression_fails_alone(kernel):
    km, kc = kernel
    c, _ = run(kc, "int ux_k = 7;",
               user_expressions={"a": "*(volatile int *)0", "b": "ux_k * 6"})
    assert c["status"] == "ok"
    assert c["user_expressions"]["a"]["status"] == "error"
    assert c["user_expressions"]["a"]["ename"] == "SIGSEGV"
    assert c["user_expressions"]["b"]["data"] == {"text/plain": "42"}
    # The cell itself was kept.
    c, msgs = run(kc, 'printf("%d\\n", ux_k);')
    assert stdout_of(msgs) == "7\n"


def test_expressions_are_never_kept(kernel):
    km, kc = kernel
    c, _ = run(kc, "int ux_count = 0;",
               user_expressions={"inc": "ux_count += 5", "decl": "int ux_new = 3"})
    assert c["user_expressions"]["inc"]["data"] == {"text/plain": "5"}
    # Only an expression compiles: a declaration is an error, not a new global.
    assert c["user_expressions"]["decl"]["status"] == "error"
    c, _ = run(kc, "", user_expressions={"count": "ux_count", "new": "ux_new"})
    assert c["user_expressions"]["count"]["data"] == {"text/plain": "0"}
    assert c["user_expressions"]["new"]["status"] == "error"


def test_what_an_expression_prints_is_the_cells_output(kernel):
    km, kc = kernel
    c, msgs = run(kc, 'puts("cell");', user_expressions={"p": 'printf("from ux\\n")'})
    assert c["status"] == "ok"
    assert stdout_of(msgs) == "cell\nfrom ux\n"
    assert c["user_expressions"]["p"]["data"] == {"text/plain": "8"}


def test_not_evaluated_when_the_cell_fails(kernel):
    km, kc = kernel
    c, msgs = run(kc, 'int ux_f = 1; ux_undeclared_call();',
                  user_expressions={"p": 'printf("evaluated\\n")'}, stop_on_error=False)
    assert c["status"] == "error"
    assert c["user_expressions"] == {}
    assert "evaluated" not in stdout_of(msgs)


def test_silent_empty_cell_queries_state(kernel):
    """What old front ends do for their prompt: a silent empty cell."""
    km, kc = kernel
    run(kc, "int ux_state = 12;")
    raw = Raw(km)
    try:
        hdr = raw.request("execute_request", execute_content(
            "", silent=True, store_history=False,
            user_expressions={"st": "ux_state", "bad": 'printf("loud\\n"), ux_none'}))
        reply = raw.recv(timeout=60)
        assert reply["parent_header"]["msg_id"] == hdr["msg_id"]
        ux = reply["content"]["user_expressions"]
        assert ux["st"]["data"] == {"text/plain": "12"}
        assert ux["bad"]["status"] == "error"
        mine = [m["header"]["msg_type"] for m in raw.iopub(timeout=0.5)
                if m["parent_header"].get("msg_id") == hdr["msg_id"]]
        assert mine == ["status", "status"]
    finally:
        raw.close()


def test_non_string_expression_is_an_error(kernel):
    km, kc = kernel
    raw = Raw(km)
    try:
        raw.request("execute_request", execute_content("int ux_q = 1;",
                                                       user_expressions={"num": 3, "ok": "ux_q"}))
        reply = raw.recv(timeout=60)
        ux = reply["content"]["user_expressions"]
        assert reply["content"]["status"] == "ok"
        assert ux["num"]["status"] == "error" and "string" in ux["num"]["evalue"]
        assert ux["ok"]["data"] == {"text/plain": "1"}
    finally:
        raw.close()


def shape(reply):
    """Keys of the reply and of each result, with the status of each."""
    return (sorted(reply), {k: (v["status"], sorted(v)) for k, v in reply["user_expressions"].items()})


def test_reply_shape_is_ipykernels(kernel):
    km, kc = kernel
    with started(kernel_name="python3") as (_, pkc):
        exprs = {"good": "shape_v + 1", "bad": "shape_nope"}
        py_ok, _ = run(pkc, "shape_v = 1", user_expressions=exprs)
        c_ok, _ = run(kc, "int shape_v = 1;", user_expressions=exprs)
        assert shape(c_ok) == shape(py_ok)
        py_fail, _ = run(pkc, "raise ValueError()", user_expressions=exprs, stop_on_error=False)
        c_fail, _ = run(kc, "shape_undeclared();", user_expressions=exprs, stop_on_error=False)
        assert py_fail["user_expressions"] == c_fail["user_expressions"] == {}
