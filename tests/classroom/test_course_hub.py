"""A course run end to end on real parts, on 127.0.0.1 in a temporary folder.

JupyterHub (Python proxy, `simple` local-process spawner, shared-password authenticator) with
an instructor and two students, alice and bob.  The instructor builds a one-notebook course
from exercises/notebooks/08-cross-entropy-kl.md with share/nbgrader_config.py and releases it
through nbgrader's exchange (a shared folder); the same student version is published as a
`file://` git repository that each student pulls with an nbgitpuller link, and a second commit
merges into alice's copy keeping her edit.  Each student fetches the assignment in their own
server (nbgrader's assignment-list API, which JupyterLab's Assignments tab calls), writes an
answer (alice the reference solution, bob the source's wrong one) and runs the notebook in a
chalk kernel of that server through the REST and websocket API, saves it and submits it; the
instructor collects, autogrades, generates and releases feedback, and the students fetch it.

The instructor's nbgrader steps are the command line, run in the instructor's course
directory; each costs 5-6 s of start-up, which is most of this file's run time.  Every
process is killed when the module ends (tests/classroom/hubrun.py), pass or fail; set
CHALK_KEEP_COURSE_HUB=1 to keep the temporary folder for a post-mortem.
"""
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

import nbformat
import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notebooks"))
import nbtest  # noqa: E402  (tests/notebooks: the course is built with the notebook tests' helpers)
from hubrun import VENV_BIN, Hub, UserServer

STEM = "08-cross-entropy-kl"
NB = STEM + ".ipynb"
COURSE_ID = "chalk"          # share/nbgrader_config.py's course_id
ASSIGNMENT = "ps1"
STUDENTS = ("alice", "bob")
INSTRUCTOR = "instructor"
PULLED = "course-notebooks"  # nbgitpuller's targetpath in each home
ERRATUM = "*Erratum (second commit): the logs are natural logs throughout.*"
GIT_ENV = {"GIT_AUTHOR_NAME": "instructor", "GIT_AUTHOR_EMAIL": "instructor@example.org",
           "GIT_COMMITTER_NAME": "instructor", "GIT_COMMITTER_EMAIL": "instructor@example.org",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def solutions(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")}


def answer(nb, fill):
    """nb with every solution cell replaced by the student's text for that grade_id."""
    for c in nb["cells"]:
        meta = c["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            c["source"] = fill[meta["grade_id"]]
    return nb


def cell_text(cell):
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))


def check_cells(nb):
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]


class Course:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="chalk-course-hub-")
        self.exchange = os.path.join(self.tmp, "exchange")
        os.makedirs(self.exchange)
        os.chmod(self.exchange, 0o777)
        self.course = os.path.join(self.tmp, "home", INSTRUCTOR, "course")
        self.repo = os.path.join(self.tmp, "course-notebooks.git")
        self.times = {}
        env = {"PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
               "JUPYTER_PLATFORM_DIRS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        if os.environ.get("JUPYTER_PATH"):
            env["JUPYTER_PATH"] = os.environ["JUPYTER_PATH"]
        self.hub = Hub(self.tmp, users=(INSTRUCTOR,) + STUDENTS, admins=(INSTRUCTOR,),
                       environment=env)
        self.servers = {}
        self.left_behind = None

    def close(self):
        self.left_behind = self.hub.stop()
        if os.environ.get("CHALK_KEEP_COURSE_HUB") == "1":
            print("kept", self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def nbgrader(self, *args):
        """An nbgrader command as the instructor runs it, in the course directory."""
        t = time.monotonic()
        env = dict(os.environ, HOME=os.path.dirname(self.course), PATH=self.hub.spawner_env["PATH"])
        res = subprocess.run([os.path.join(VENV_BIN, "nbgrader"), *args], cwd=self.course,
                             env=env, capture_output=True, text=True)
        self.times["nbgrader " + args[0]] = time.monotonic() - t
        assert res.returncode == 0, "nbgrader %s failed:\n%s\n%s" % (
            args, res.stdout[-3000:], res.stderr[-5000:])
        return res.stdout + res.stderr

    def git(self, *args, cwd=None):
        subprocess.run(["git", *args], cwd=cwd or self.tmp, check=True, capture_output=True,
                       env=dict(os.environ, **GIT_ENV))

    def setup(self):
        t0 = time.monotonic()
        self.hub.launch()
        # while the hub starts: the instructor's course and the students' nbgrader config
        os.makedirs(os.path.join(self.course, "source", ASSIGNMENT))
        with open(os.path.join(nbtest.SRCDIR, "share", "nbgrader_config.py"), encoding="utf-8") as f:
            base = f.read()
        exchange_cfg = ("\nc.Exchange.root = %r\nc.Exchange.path_includes_course = True\n"
                        % self.exchange)
        with open(os.path.join(self.course, "nbgrader_config.py"), "w", encoding="utf-8") as f:
            f.write(base + exchange_cfg)
        for s in STUDENTS:
            os.makedirs(self.hub.home(s))
            with open(os.path.join(self.hub.home(s), "nbgrader_config.py"), "w", encoding="utf-8") as f:
                f.write("c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = %r\n"
                        "c.CourseDirectory.student_id = %r\n%s" % (COURSE_ID, s, exchange_cfg))
        nbtest.generate(STEM, os.path.join(self.course, "source", ASSIGNMENT))
        self.fill = {
            "alice": solutions(nbtest.generate(STEM, os.path.join(self.tmp, "gen-ref"))),
            "bob": solutions(nbtest.generate(STEM, os.path.join(self.tmp, "gen-bad"), broken=True))}
        self.nbgrader("generate_assignment", ASSIGNMENT)
        self.hub.wait_api()
        self.times["hub up"] = time.monotonic() - t0
        t = time.monotonic()
        for s in STUDENTS:
            self.hub.spawn(s)
        self.release_output = self.nbgrader("release_assignment", ASSIGNMENT)
        self.released = os.path.join(self.course, "release", ASSIGNMENT, NB)
        # the same student version, published as a git repository for nbgitpuller links
        work = os.path.join(self.tmp, "repo-work")
        self.git("init", "-q", "--bare", "-b", "main", self.repo)
        self.git("clone", "-q", "file://" + self.repo, work)
        nbformat.write(nbformat.read(self.released, as_version=4), os.path.join(work, NB))
        self.git("add", NB, cwd=work)
        self.git("commit", "-q", "-m", "ps1 released", cwd=work)
        self.git("push", "-q", "origin", "main", cwd=work)
        self.work = work
        for s in STUDENTS:
            self.hub.wait_for(lambda s=s: self.hub.ready(s), "%s's server" % s)
            self.servers[s] = UserServer(self.hub, s)
        self.times["servers up"] = time.monotonic() - t
        self.times["setup"] = time.monotonic() - t0

    def second_commit(self):
        """The instructor fixes a Markdown cell and pushes."""
        path = os.path.join(self.work, NB)
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source += "\n\n" + ERRATUM
        nbformat.write(nb, path)
        self.git("commit", "-q", "-am", "ps1: erratum", cwd=self.work)
        self.git("push", "-q", "origin", "main", cwd=self.work)


@pytest.fixture(scope="module")
def course(request):
    c = Course()
    request.addfinalizer(c.close)
    c.setup()
    return c


def link(course):
    q = urllib.parse.urlencode({"repo": "file://" + course.repo, "branch": "main",
                                "targetpath": PULLED})
    return "%s/hub/user-redirect/git-pull?%s" % (course.hub.url, q)


@pytest.fixture(scope="module")
def pulled(course):
    """Each student logs in and follows the nbgitpuller link: the hub sends the browser to
    their server's git-pull page (through the server's OAuth login), whose sync API (called
    here as that page's script does) clones the repository into their home."""
    t = time.monotonic()
    out = {}
    for s in STUDENTS:
        page = course.hub.login(s).get(link(course), timeout=120)
        events = course.servers[s].git_pull("file://" + course.repo, "main", PULLED)
        out[s] = (page, events)
    course.times["nbgitpuller first pull x2"] = time.monotonic() - t
    return out


@pytest.fixture(scope="module")
def merged(course, pulled):
    """alice writes her answer into the pulled copy (contents API), the instructor pushes a
    second commit, alice pulls again."""
    srv = course.servers["alice"]
    path = PULLED + "/" + NB
    srv.save_notebook(path, answer(srv.read_notebook(path), course.fill["alice"]))
    course.second_commit()
    t = time.monotonic()
    events = srv.git_pull("file://" + course.repo, "main", PULLED)
    course.times["nbgitpuller merge pull"] = time.monotonic() - t
    return events, nbformat.read(os.path.join(course.hub.home("alice"), PULLED, NB), as_version=4)


@pytest.fixture(scope="module")
def executed(course):
    """Each student fetches ps1 in their server, writes their answer, runs every code cell in
    a chalk kernel of their server and saves the notebook with its outputs."""
    t = time.monotonic()
    res = {}
    path = "%s/%s/%s" % (COURSE_ID, ASSIGNMENT, NB)
    for s in STUDENTS:
        srv = course.servers[s]
        listing = srv.assignment_action("fetch", COURSE_ID, ASSIGNMENT)
        nb = answer(srv.read_notebook(path), course.fill[s])
        statuses = srv.run_notebook(path, nb)
        srv.save_notebook(path, nb)
        res[s] = (listing, statuses)
    course.times["fetch + run in server x2"] = time.monotonic() - t
    return res


@pytest.fixture(scope="module")
def collected(course, executed):
    t = time.monotonic()
    for s in STUDENTS:
        course.servers[s].assignment_action("submit", COURSE_ID, ASSIGNMENT)
    course.times["submit x2"] = time.monotonic() - t
    return course.nbgrader("collect", ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(course, collected):
    course.nbgrader("autograde", ASSIGNMENT)
    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook("sqlite:///" + os.path.join(course.course, "gradebook.db")) as gb:
        for s in STUDENTS:
            sub = gb.find_submission_notebook(STEM, ASSIGNMENT, s)
            scores[s] = (sub.score, sub.max_score)
    return scores


@pytest.fixture(scope="module")
def feedback(course, graded):
    course.nbgrader("generate_feedback", ASSIGNMENT)
    course.nbgrader("release_feedback", ASSIGNMENT)
    t = time.monotonic()
    pages = {}
    for s in STUDENTS:
        course.servers[s].assignment_action("fetch_feedback", COURSE_ID, ASSIGNMENT)
        root = os.path.join(course.hub.home(s), COURSE_ID, ASSIGNMENT, "feedback")
        found = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f == STEM + ".html"]
        assert len(found) == 1, "%s's fetched feedback: %s" % (s, found)
        with open(found[0], encoding="utf-8") as f:
            pages[s] = f.read()
    course.times["fetch_feedback x2"] = time.monotonic() - t
    return pages


# ---- the tests, in the order of the course ------------------------------------------------

def test_students_servers_run_the_chalk_kernel_built_here(course):
    for s in STUDENTS:
        srv = course.servers[s]
        specs = srv.request("GET", "/api/kernelspecs").json()["kernelspecs"]
        assert "chalk" in specs, sorted(specs)
        argv0 = specs["chalk"]["spec"]["argv"][0]
        if os.environ.get("CHALK_KERNEL"):
            assert argv0 == os.environ["CHALK_KERNEL"], argv0
        # the server's root is the student's own home
        names = [e["name"] for e in srv.request("GET", "/api/contents/").json()["content"]]
        assert "nbgrader_config.py" in names, names
    # one student's token does not open another's server
    r = requests.get(course.servers["alice"].base + "/api/contents/",
                     headers=course.servers["bob"].headers, timeout=60)
    assert r.status_code == 403, r.status_code


def test_nbgitpuller_link_puts_the_released_notebook_in_each_home(course, pulled):
    released = nbformat.read(course.released, as_version=4)
    for s in STUDENTS:
        page, events = pulled[s]
        where = urllib.parse.urlsplit(page.url)
        assert page.status_code == 200 and where.path == "/user/%s/git-pull" % s, \
            (page.status_code, page.url, [r.url for r in page.history])
        assert urllib.parse.parse_qs(where.query)["repo"] == ["file://" + course.repo]
        assert "nbgitpuller" in page.text.lower(), page.text[:2000]
        assert events and events[-1] == {"phase": "finished"}, events
        assert any(e.get("phase") == "syncing" and e.get("output") for e in events), events
        got = nbformat.read(os.path.join(course.hub.home(s), PULLED, NB), as_version=4)
        assert [c.source for c in got.cells] == [c.source for c in released.cells]
        assert "BEGIN SOLUTION" not in json.dumps(got)


def test_nbgitpuller_update_merges_keeping_the_students_edit(course, merged):
    events, nb = merged
    assert events[-1] == {"phase": "finished"}, events
    assert nb.cells[0].source.endswith(ERRATUM), nb.cells[0].source[-300:]
    sol = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert sol and all(c.source == course.fill["alice"][c.metadata.nbgrader.grade_id] for c in sol)


def test_students_run_their_notebook_in_their_own_server(course, executed):
    for s in STUDENTS:
        listing, statuses = executed[s]
        fetched = [a for a in listing if a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched"]
        assert fetched, listing
        # what the server saved is on disk in the student's home, outputs and all
        nb = nbformat.read(os.path.join(course.hub.home(s), COURSE_ID, ASSIGNMENT, NB), as_version=4)
        checks = check_cells(nb)
        assert checks and all(c.execution_count for c in checks)
        if s == "alice":
            assert set(statuses) == {"ok"}, statuses
            assert all("\u2713" in cell_text(c) and not any(o.output_type == "error" for o in c.outputs)
                       for c in checks), [cell_text(c)[:200] for c in checks]
        else:
            failed = [c for c in checks if any(o.output_type == "error" for o in c.outputs)]
            assert failed and "error" in statuses, statuses
            assert all(any(o.get("ename") == "CheckFailed" for o in c.outputs) for c in failed), \
                [c.outputs for c in failed]


def test_instructor_collects_what_each_student_saved(course, collected):
    owner = pwd.getpwuid(os.geteuid()).pw_name
    for s in STUDENTS:
        # every submission is owned by this one uid: nbgrader says so, and still collects it
        assert "claims to be submitted by %s but is owned by %s" % (s, owner) in collected, collected
        sub = nbformat.read(os.path.join(course.course, "submitted", s, ASSIGNMENT, NB), as_version=4)
        mine = nbformat.read(os.path.join(course.hub.home(s), COURSE_ID, ASSIGNMENT, NB), as_version=4)
        assert [(c.source, c.get("outputs")) for c in sub.cells] == \
            [(c.source, c.get("outputs")) for c in mine.cells]
        sol = [c for c in sub.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert all(c.source == course.fill[s][c.metadata.nbgrader.grade_id] for c in sol)


def test_gradebook_gives_alice_full_marks_and_bob_fewer(graded):
    (a, a_max), (b, b_max) = graded["alice"], graded["bob"]
    assert a_max == b_max > 0
    assert a == a_max, graded
    assert b < a_max, graded
    print("gradebook: alice %g/%g, bob %g/%g" % (a, a_max, b, b_max))


def test_students_fetch_feedback_showing_the_gradebooks_score(course, graded, feedback):
    for s in STUDENTS:
        m = re.search(r"%s \(Score: ([0-9.]+) / ([0-9.]+)\)" % re.escape(STEM), feedback[s])
        assert m, feedback[s][:2000]
        score, max_score = float(m.group(1)), float(m.group(2))
        assert (score, max_score) == pytest.approx(graded[s]), (m.group(0), graded[s])
        assert (score == max_score) == (s == "alice"), m.group(0)
    print("phase times (s): " + ", ".join("%s %.1f" % kv for kv in course.times.items()))


def test_feedback_shows_its_maths_without_a_script(feedback):
    """The page a student fetched carries its formulas as MathML (share/nbgrader_config.py
    adds chalk_mathml to generate_feedback): nothing left for a MathJax from a CDN."""
    for s in STUDENTS:
        # nbgrader's feedback template is nbconvert's classic one
        prose = re.findall(r'<div class="text_cell_render border-box-sizing rendered_html">(.*?)</div>',
                           feedback[s], re.S)
        assert prose and "<math" in "".join(prose), s
        assert not [p for p in prose if "$" in p], s


def test_no_process_of_the_run_is_left(course):
    """Last in the file: stop everything now and look for stragglers (the finalizer repeats
    it, for a run that stops early)."""
    t = time.monotonic()
    left = course.hub.stop()
    print("stopped in %.1f s; still running after the hub's own shutdown: %s"
          % (time.monotonic() - t, course.hub.after_polite_stop))
    assert left == [], left
