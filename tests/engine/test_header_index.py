"""The prebuilt header index (kernel/shared/header_index.h): a kernel maps the
index `make` wrote instead of flattening its prelude, and never uses one that
no longer matches its headers, prelude, include path or bytes: then it builds
the index in memory and answers as it would without a file.

Whether a kernel used a file is read where it shows: the file is mapped into
its executor's processes (/proc/PID/maps).  The private cases write their own
index with `chalk-executor --write-header-index`, as `make` does, for a prelude
that includes a header of the test's own (mark.h), then change one thing."""
import json
import os
import subprocess

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from kernelclient import ok, started

BUILDDIR = os.environ.get("CHALK_BUILDDIR", os.getcwd())
SRCDIR = os.environ.get("CHALK_SRCDIR", BUILDDIR)
EXECUTOR = os.environ.get("CHALK_EXECUTOR",
                          os.path.join(BUILDDIR, "kernel", "executor", "chalk-executor"))
LIBCHALK = os.path.join(SRCDIR, "exercises", "libchalk")
PRELUDE = "#include <chalk.h>\n#include <mark.h>\n"
SHOW = 'printf("%d\\n", CHALK_MARK);'


def tree(pid):
    """pid and its descendants (the executor's holder and spare)."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def maps_file(km, path):
    """Whether a process of the kernel's tree maps `path`."""
    real = os.path.realpath(path)
    for p in tree(km.provisioner.process.pid):
        try:
            with open("/proc/%d/maps" % p) as f:
                if any(line.rstrip().endswith(" " + real) for line in f):
                    return True
        except OSError:
            continue
    return False


def spec_manager(env, where):
    """The build tree's kernelspec with `env` on top of its own (whose
    CHALK_INCLUDE_PATH would win over the environment's)."""
    with open(os.path.join(os.environ["JUPYTER_PATH"].split(os.pathsep)[0], "kernels", "chalk",
                           "kernel.json")) as f:
        spec = json.load(f)
    spec["env"] = dict(spec.get("env", {}), **env)
    d = where / "kernels" / "chalk"
    d.mkdir(parents=True, exist_ok=True)
    (d / "kernel.json").write_text(json.dumps(spec))
    return KernelSpecManager(kernel_dirs=[str(where / "kernels")])


def mark_answer(env, index):
    """(what CHALK_MARK prints, whether the kernel mapped `index`)."""
    with started(kernel_spec_manager=spec_manager(env, index.parent)) as (km, kc):
        out = ok(kc, SHOW).text()
        return out, maps_file(km, index)


@pytest.fixture
def private(tmp_path):
    """A prelude with the test's own header, its environment and its index file."""
    inc = tmp_path / "inc"
    inc.mkdir()
    (tmp_path / "first").mkdir()   # searched before inc/, empty for now
    (inc / "mark.h").write_text("#define CHALK_MARK 1\n")
    index = tmp_path / "headers.idx"
    env = {"CHALK_PRELUDE": PRELUDE,
           "CHALK_INCLUDE_PATH": "%s:%s:%s" % (tmp_path / "first", inc, LIBCHALK),
           "CHALK_HEADER_INDEX": str(index)}
    return tmp_path, env, index


def write_index(env, index):
    subprocess.run([EXECUTOR, "--write-header-index", str(index)], env=dict(os.environ, **env),
                   check=True, timeout=300)
    assert index.stat().st_size > 0


def bump(path, text):
    """Rewrite a header, its mtime surely later than the index's record."""
    st = os.stat(path)
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_the_build_trees_index_is_what_a_kernel_maps():
    index = os.path.join(BUILDDIR, "kernel", "executor", "headers.idx")
    assert os.path.isfile(index), "make did not write the build tree's header index"
    with started() as (km, kc):
        assert ok(kc, 'gsl_vector *v = gsl_vector_calloc(3);\n'
                      'printf("%d %zu\\n", INT_MAX > 0, v->size);').text() == "1 3\n"
        assert maps_file(km, index)


def test_an_index_written_for_the_prelude_is_used(private):
    _, env, index = private
    write_index(env, index)
    assert mark_answer(env, index) == ("1\n", True)


def test_a_changed_header_makes_the_index_stale(private):
    tmp, env, index = private
    write_index(env, index)
    bump(tmp / "inc" / "mark.h", "#define CHALK_MARK 2\n")
    assert mark_answer(env, index) == ("2\n", False)
    write_index(env, index)   # rebuilt: used again, with the new header
    assert mark_answer(env, index) == ("2\n", True)


def test_a_header_added_in_front_makes_the_index_stale(private):
    tmp, env, index = private
    write_index(env, index)
    (tmp / "first" / "mark.h").write_text("#define CHALK_MARK 3\n")
    assert mark_answer(env, index) == ("3\n", False)


def test_another_include_path_or_prelude_does_not_use_the_index(private):
    tmp, env, index = private
    write_index(env, index)
    other = tmp / "other"
    other.mkdir()
    moved = dict(env, CHALK_INCLUDE_PATH="%s:%s" % (other, env["CHALK_INCLUDE_PATH"]))
    assert mark_answer(moved, index) == ("1\n", False)
    longer = dict(env, CHALK_PRELUDE=PRELUDE + "#include <stdint.h>\n")
    assert mark_answer(longer, index) == ("1\n", False)


def test_a_damaged_index_is_not_used(private):
    """The same bytes changed in the file's copy of mark.h's macro: used, it
    would print 7.  Then a truncated file."""
    _, env, index = private
    write_index(env, index)
    data = index.read_bytes()
    assert data.count(b"CHALK_MARK 1") == 1
    index.write_bytes(data.replace(b"CHALK_MARK 1", b"CHALK_MARK 7"))
    assert mark_answer(env, index) == ("1\n", False)
    index.write_bytes(data[:len(data) // 2])
    assert mark_answer(env, index) == ("1\n", False)
    index.write_bytes(b"")
    assert mark_answer(env, index) == ("1\n", False)


def test_prelude_off_then_on_maps_the_index_again(private):
    """%prelude makes a new declaration store: back on, it takes the file again."""
    _, env, index = private
    write_index(env, index)
    with started(kernel_spec_manager=spec_manager(env, index.parent)) as (km, kc):
        ok(kc, "%prelude off")
        assert not maps_file(km, index)
        ok(kc, "%prelude on")
        assert ok(kc, SHOW).text() == "1\n"
        assert maps_file(km, index)
