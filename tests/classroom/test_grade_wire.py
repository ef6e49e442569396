"""chalk-grade's own kernel launch and message signing keep jupyter_client's rules.

chalk-grade (share/classroom/chalk-grade.py, _Kernel and _Wire) launches each kernel and
signs and checks its messages itself rather than through jupyter_client's KernelManager
and Session.  What must still hold, because a grader talks to untrusted code:
  - a message jupyter_client's Session signs is read back unchanged, and one _Wire signs
    passes Session's own check (same frames, same HMAC);
  - a message unsigned, signed with another key, with a tampered content, or replayed is
    refused;
  - the kernel starts with the kernelspec's env, `${VAR}` in it substituted from the
    grader's environment as jupyter_client does, JPY_PARENT_PID set, and the extra
    arguments after the kernelspec's argv (chalk's --limits: a cell cannot raise them).
"""
import json
import os

import pytest
import zmq
from jupyter_client.session import Session

import gradetest as gt

CG = gt.module()
KEY = b"0123456789abcdef0123456789abcdef"


@pytest.fixture
def pair():
    ctx = zmq.Context.instance()
    a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    a.bind("inproc://chalk-grade-wire")
    b.connect("inproc://chalk-grade-wire")
    yield a, b
    a.close(linger=0)
    b.close(linger=0)


def _frames_from_session(session, msg_type, content, parent=None):
    msg = session.msg(msg_type, content, parent=parent)
    return [bytes(f) for f in session.serialize(msg)], msg


def test_session_messages_read_back_and_wire_messages_pass_session(pair):
    a, b = pair
    session = Session(key=KEY, signature_scheme="hmac-sha256")
    frames, sent = _frames_from_session(session, "stream", {"name": "stdout", "text": "h\u00e9llo\n"},
                                        parent={"msg_id": "p-1"})
    msg = CG._Wire(KEY).decode(frames)
    assert msg["msg_type"] == "stream"
    assert msg["content"] == {"name": "stdout", "text": "h\u00e9llo\n"}
    assert msg["parent_header"]["msg_id"] == "p-1"
    assert msg["header"]["msg_id"] == sent["header"]["msg_id"]
    assert msg["header"]["date"].tzinfo is not None

    wire = CG._Wire(KEY)
    msg_id = wire.send(a, "execute_request", {"code": "int x;", "silent": False})
    got = b.recv_multipart()
    _, parts = session.feed_identities(got)
    back = session.deserialize(parts)   # raises on a bad signature
    assert back["header"]["msg_id"] == msg_id
    assert back["msg_type"] == "execute_request"
    assert back["content"]["code"] == "int x;"
    assert back["header"]["session"] == wire.session_id


@pytest.mark.parametrize("how", ["unsigned", "other-key", "tampered", "replayed"])
def test_bad_messages_are_refused(how):
    session = Session(key=b"another key" if how == "other-key" else KEY, signature_scheme="hmac-sha256")
    frames, _ = _frames_from_session(session, "execute_result",
                                     {"data": {"text/plain": "2"}, "metadata": {}, "execution_count": 1})
    k = frames.index(CG.DELIM)
    if how == "unsigned":
        frames[k + 1] = b""
    if how == "tampered":
        frames[k + 5] = frames[k + 5].replace(b'"2"', b'"8"')
    wire = CG._Wire(KEY)
    if how == "replayed":
        wire.decode(list(frames))
    with pytest.raises(ValueError):
        wire.decode(frames)


def test_the_kernel_gets_the_kernelspecs_env_substituted_and_the_extra_arguments(tmp_path, monkeypatch):
    with open(os.path.join(gt.BUILDDIR, "tests", "jupyter", "kernels", "chalk", "kernel.json")) as f:
        spec = json.load(f)
    spec["env"]["CHALK_GRADE_PROBE"] = "seen-${CHALK_GRADE_OUTER}-${CHALK_GRADE_UNSET}"
    kdir = tmp_path / "jupyter" / "kernels" / "chalkprobe"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", ""))
    monkeypatch.setenv("CHALK_GRADE_OUTER", "outer")
    monkeypatch.delenv("CHALK_GRADE_UNSET", raising=False)
    CG._SPECS.clear()
    import nbclient
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('#include <stdlib.h>\n'
                                  'printf("%s|%s\\n", getenv("CHALK_GRADE_PROBE"), getenv("JPY_PARENT_PID"));'),
        nbformat.v4.new_code_cell("%limits output=1G")])
    proc = nbclient.NotebookClient(nb, kernel_name="chalkprobe", allow_errors=True)
    kernel = CG._Kernel("chalkprobe", str(tmp_path), 60, ["--limits", "output=1M"])
    try:
        for index, cell in enumerate(nb.cells):
            kernel.run_cell(proc, cell, index, 60, CG._record_reply_error)
    finally:
        kernel.stop()
    out = [o for o in nb.cells[0].outputs if o.output_type == "stream"]
    assert "".join(o.text for o in out) == "seen-outer-${CHALK_GRADE_UNSET}|%d\n" % os.getpid(), nb.cells[0].outputs
    # --limits output=1M is a ceiling: the cell's %limits cannot raise it
    assert any(o.output_type == "error" for o in nb.cells[1].outputs), nb.cells[1].outputs
    assert not os.path.exists(kernel.connection_file)
