"""The deployment recipe (share/deploy/, .binder/) without a container engine.

The install script itself runs in CI through quickstart; here its cheap parts and the files
built on it: shell syntax, argument errors, Binder's apt.txt equal to the script's package
list, the Dockerfile's base and pins, the Zero-to-JupyterHub values, the Enterprise Gateway
kernelspec and pod template, and chalk-eg-launch speaking Enterprise Gateway's launch protocol
to a listener that decrypts the reply the way EG's ResponseManager._decrypt does, then
running a cell in the kernel it started, starting it again on fresh ports when one it chose
was taken (the race made certain by CHALK_EG_TEST_PORTS, ports the test holds) and answering
only for a kernel that listens itself.  No Docker engine or Kubernetes here: the image is
never built (the README says so).
"""
import base64
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid

import jinja2
import pytest
import yaml

SRCDIR = os.environ.get("CHALK_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(SRCDIR, "share", "deploy")
INSTALL = os.path.join(DEPLOY, "install-chalk.sh")
LAUNCH = os.path.join(DEPLOY, "enterprise-gateway", "chalk-eg-launch")
POSTBUILD = os.path.join(SRCDIR, ".binder", "postBuild")


def read(*parts):
    with open(os.path.join(SRCDIR, *parts), encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("script", [INSTALL, POSTBUILD, LAUNCH, os.path.join(SRCDIR, "quickstart")])
def test_shell_scripts_parse_and_are_executable(script):
    res = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert os.access(script, os.X_OK), script


def test_install_script_refuses_bad_arguments_before_doing_anything():
    # --no-apt --apt-only: should the check be broken, the script still touches nothing
    for args, says in ((["--bogus"], "unknown argument: --bogus"),
                       (["--jobs", "two"], "--jobs wants a positive number")):
        res = subprocess.run([INSTALL, "--no-apt", "--apt-only", *args], capture_output=True, text=True)
        assert res.returncode != 0 and says in res.stderr, (args, res.returncode, res.stderr)


def test_quickstart_builds_through_the_install_script():
    qs = read("quickstart")
    assert re.search(r'install-chalk\.sh" --apt-only .*--venv-tools', qs)
    assert re.search(r'install-chalk\.sh" --no-apt --prefix "\$venv" --python "\$venv/bin/python"', qs)
    assert "make install" not in qs and "./configure" not in qs


def test_binder_apt_txt_is_the_install_scripts_package_list():
    listed = subprocess.run([INSTALL, "--packages"], capture_output=True, text=True, check=True).stdout.split()
    assert "libtcc-dev" in listed and "libgsl-dev" in listed
    assert read(".binder", "apt.txt").split() == listed


def test_binder_postbuild_installs_into_the_images_python():
    text = read(".binder", "postBuild")
    assert re.search(r'exec "\$\(dirname .*\)/\.\./share/deploy/install-chalk\.sh" --no-apt', text)
    assert '--prefix "${NB_PYTHON_PREFIX' in text
    # without repo2docker's environment it stops with a reason, not a half-done build
    env = {k: v for k, v in os.environ.items() if k != "NB_PYTHON_PREFIX"}
    res = subprocess.run([POSTBUILD], capture_output=True, text=True, env=env)
    assert res.returncode != 0 and "NB_PYTHON_PREFIX" in res.stderr, res.stderr


def test_dockerfile_base_pins_and_install_step():
    text = read("share", "deploy", "Dockerfile")
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", text, re.M)
    assert "share/deploy/install-chalk.sh --prefix /opt/chalk --python /opt/chalk/bin/python" in text
    # every front end the image pins by name is pinned in share/requirements.txt (the CI pins)
    pinned = re.search(r"grep -E '\^\((.*?)\)=='", text).group(1).replace("\\[", "[").replace("\\]", "]")
    reqs = {line.split("==")[0] for line in read("share", "requirements.txt").splitlines() if "==" in line}
    missing = [name for name in pinned.split("|") if name not in reqs]
    assert not missing, missing
    assert re.search(r"^USER 1000$", text, re.M)


def test_z2jh_values_share_the_exchange_and_name_each_student():
    values = yaml.safe_load(read("share", "deploy", "z2jh-values.yaml"))
    su = values["singleuser"]
    assert su["image"]["name"] and su["memory"]["limit"] and su["cpu"]["limit"]
    mount = {m["name"]: m["mountPath"] for m in su["storage"]["extraVolumeMounts"]}["nbgrader-exchange"]
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    # the nbgrader config it mounts is Python that nbgrader can load: run it
    cfg = su["extraFiles"]["nbgrader-config"]["stringData"]
    from traitlets.config import Config
    for user, student in (("alice", "alice"), ("instructor", None)):
        c = Config()
        os.environ["JUPYTERHUB_USER"] = user
        try:
            exec(compile(cfg, "nbgrader_config.py", "exec"), {"get_config": lambda: c})
        finally:
            del os.environ["JUPYTERHUB_USER"]
        assert c.Exchange.root == mount and c.Exchange.path_includes_course is True
        assert (c.CourseDirectory.student_id if "student_id" in c.CourseDirectory else None) == student
    assert "hub/user-redirect/git-pull?repo=" in read("share", "deploy", "z2jh-values.yaml")


def test_enterprise_gateway_kernelspec_and_pod_template():
    spec = json.loads(read("share", "deploy", "enterprise-gateway", "kernel.json"))
    assert spec["metadata"]["process_proxy"]["class_name"].endswith("k8s.KubernetesProcessProxy")
    assert spec["interrupt_mode"] == "message"
    assert {"{kernel_id}", "{response_address}", "{public_key}", "{port_range}"} <= set(spec["argv"])
    # rendered as launch_kubernetes.py renders it
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    pod = yaml.safe_load(env.from_string(read("share", "deploy", "enterprise-gateway", "kernel-pod.yaml.j2")).render(
        kernel_pod_name="alice-1234", kernel_namespace="course", kernel_id="1234",
        kernel_service_account_name="default", kernel_image="registry.example.org/chalk:1"))
    (container,) = pod["spec"]["containers"]
    assert pod["kind"] == "Pod" and container["image"] == "registry.example.org/chalk:1"
    assert container["command"] == ["/opt/chalk/bin/chalk-eg-launch"]
    assert container["resources"]["limits"]["memory"] == "1Gi"


def eg_decrypt(private_key, data):
    """Enterprise Gateway's ResponseManager._decrypt (EG 3.x), with `cryptography`."""
    from cryptography.hazmat.primitives import padding as sympad
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    payload = json.loads(base64.b64decode(data).decode())
    assert payload.get("version") is not None
    aes_key = private_key.decrypt(base64.b64decode(payload["key"]), padding.PKCS1v15())
    dec = Cipher(algorithms.AES(aes_key), modes.ECB()).decryptor()
    padded = dec.update(base64.b64decode(payload["conn_info"])) + dec.finalize()
    unpad = sympad.PKCS7(128).unpadder()
    return json.loads((unpad.update(padded) + unpad.finalize()).decode())


class NoAnswer(Exception):
    """The launcher ended without sending EG anything: its exit status and stderr."""

    def __init__(self, status, stderr):
        super().__init__("exit status %s, stderr:\n%s" % (status, stderr))
        self.status, self.stderr = status, stderr


def unused_ports(n):
    """n ports that no socket has now (bound once by the system, then released)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("0.0.0.0", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Launch:
    """chalk-eg-launch started as EG's pod would start it, answering a listener of ours."""

    def __init__(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        public = base64.b64encode(self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
        self.env = dict(os.environ, KERNEL_ID=str(uuid.uuid4()), PORT_RANGE="0..0",
                        PUBLIC_KEY=public, CHALK_EG_IP="127.0.0.1",
                        CHALK_KERNEL=os.environ.get("CHALK_KERNEL", "chalk-kernel"))
        spec = os.path.join(os.environ.get("JUPYTER_PATH", ""), "kernels", "chalk", "kernel.json")
        if os.path.exists(spec):    # the build tree's kernel: the environment its kernelspec gives
            with open(spec, encoding="utf-8") as f:
                self.env.update(json.load(f).get("env", {}))
        self.proc = None

    def start(self):
        """Run the launcher; return the connection info it sent, decrypted as EG does.
        NoAnswer if the launcher ends without connecting."""
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            listener.settimeout(0.2)
            self.env["RESPONSE_ADDRESS"] = "127.0.0.1:%d" % listener.getsockname()[1]
            self.proc = subprocess.Popen([LAUNCH], env=self.env, start_new_session=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(600):        # 120 s: not a limit, only no hang
                ended = self.proc.poll() is not None    # before accept: a connection it made is queued
                try:
                    conn, _ = listener.accept()
                    break
                except socket.timeout:
                    if ended:
                        raise NoAnswer(self.proc.returncode, self.proc.stderr.read())
            else:
                raise NoAnswer(None, "the launcher neither answered nor ended")
            data = b""
            with conn:
                while chunk := conn.recv(4096):
                    data += chunk
        return eg_decrypt(self.key, data)

    def stop(self):
        """Kill the launcher's whole group: the kernel too, even when the launcher is gone."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


@pytest.fixture
def launch():
    pytest.importorskip("cryptography")
    run = Launch()
    yield run
    run.stop()


def connect(info):
    """A client with its channels started on the connection info EG was sent."""
    from jupyter_client import BlockingKernelClient
    client = BlockingKernelClient()
    client.load_connection_info({k: info[k] for k in (
        "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port", "ip", "key",
        "transport", "signature_scheme")})
    client.start_channels()
    return client


def test_chalk_eg_launch_answers_enterprise_gateway_and_runs_a_cell(launch):
    from kernelclient import TIMEOUT, run
    info = launch.start()
    assert info["kernel_id"] == launch.env["KERNEL_ID"] and info["ip"] == "127.0.0.1"
    assert info["signature_scheme"] == "hmac-sha256" and info["pgid"] > 0
    client = connect(info)
    try:
        client.wait_for_ready(timeout=TIMEOUT)
        r = run(client, 'printf("%d\\n", 6 * 7);')
        assert r.status == "ok"
        text = "".join(t for _, t, _ in r.streams)
        assert text == "42\n", r.messages
        client.shutdown()               # EG stops a kernel with a shutdown_request
        assert launch.proc.wait(timeout=120) == 0, launch.proc.stderr.read()
    finally:
        client.stop_channels()


def test_chalk_eg_launch_passes_the_pods_sigterm_to_the_kernel(launch):
    info = launch.start()
    assert os.path.exists("/proc/%d" % info["pid"])
    os.kill(launch.proc.pid, signal.SIGTERM)        # the kubelet signals PID 1 only
    launch.proc.wait(timeout=120)
    gone = False
    for _ in range(100):
        try:
            with open("/proc/%d/stat" % info["pid"]) as f:
                gone = f.read().split(") ")[1].startswith("Z")
        except OSError:
            gone = True
        if gone:
            break
        time.sleep(0.1)
    assert gone, "the kernel outlived its launcher"


@pytest.fixture
def taken_port():
    """A port held by a listening socket of ours, as another process would hold it."""
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen(1)
        yield s.getsockname()[1]


def test_chalk_eg_launch_starts_the_kernel_again_when_a_chosen_port_was_taken(launch, taken_port):
    # The race made certain: the first attempt's hb port (bound last, after the four others)
    # is taken, as if another process got it between the choice and the kernel's bind.
    from kernelclient import TIMEOUT
    first = unused_ports(4) + [taken_port]
    launch.env["CHALK_EG_TEST_PORTS"] = " ".join(map(str, first))
    info = launch.start()
    reported = [info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
    assert taken_port not in reported and reported != first
    client = connect(info)
    try:
        client.wait_for_ready(timeout=TIMEOUT)  # a kernel_info_request answered
        client.shutdown()
        assert launch.proc.wait(timeout=120) == 0
    finally:
        client.stop_channels()
    err = launch.proc.stderr.read()
    assert "cannot bind hb socket to tcp://0.0.0.0:%d: Address already in use" % taken_port in err, err
    assert ("the kernel exited (status 1) before listening on ports %s; trying again on fresh ports"
            % " ".join(map(str, first))) in err, err


def test_chalk_eg_launch_gives_up_after_five_attempts_and_never_answers(launch, taken_port):
    attempts = [[taken_port] + unused_ports(4) for _ in range(5)]
    launch.env["CHALK_EG_TEST_PORTS"] = " ".join(str(p) for a in attempts for p in a)
    with pytest.raises(NoAnswer) as ended:
        launch.start()
    assert ended.value.status == 1, ended.value
    tried = "; ".join(" ".join(map(str, a)) for a in attempts)
    said = ended.value.stderr.strip().splitlines()[-1]
    assert said == ("chalk-eg-launch: the kernel (%s) did not start in 5 attempts, on ports %s; its "
                    "last error: [chalk error] cannot bind shell socket to tcp://0.0.0.0:%d: Address "
                    "already in use" % (launch.env["CHALK_KERNEL"], tried, taken_port)), ended.value


def test_chalk_eg_launch_waits_for_the_kernels_own_listening_sockets(launch, tmp_path):
    # All five ports listen, but not in the kernel: a kernel that never binds and then exits
    # must not be reported to EG (the launcher looks at who holds the sockets).
    held = [socket.socket() for _ in range(5)]
    try:
        for s in held:
            s.bind(("0.0.0.0", 0))
            s.listen(1)
        ports = [s.getsockname()[1] for s in held]
        fake = tmp_path / "kernel"
        fake.write_text("#!/bin/sh\nsleep 0.2\necho 'fake kernel: no sockets of mine' >&2\nexit 1\n")
        fake.chmod(0o755)
        launch.env["CHALK_KERNEL"] = str(fake)
        launch.env["CHALK_EG_TEST_PORTS"] = " ".join(map(str, ports * 5))
        with pytest.raises(NoAnswer) as ended:
            launch.start()
    finally:
        for s in held:
            s.close()
    assert ended.value.status == 1, ended.value
    assert ended.value.stderr.strip().endswith("its last error: fake kernel: no sockets of mine"), ended.value
