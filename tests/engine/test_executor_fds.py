"""A descriptor the kernel inherited never reaches the executor or a cell.

The kernel starts its executor with every descriptor from 4 up closed (kernel/engine.c,
spawn: one close_range, or a loop of close calls where the system lacks it), so that no
cell can read or write what the kernel's own parent handed it.  The test gives the kernel
an inheritable pipe end at start (as a careless front end might), checks that the kernel
really holds it, and lists a cell's descriptors: the pipe must not be among them.
"""
import os
import signal
import subprocess

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager

import kernelclient as k

LIST_FDS = r'''
#include <dirent.h>
#include <unistd.h>
DIR *fds = opendir("/proc/self/fd");
struct dirent *fd_entry;
while ((fd_entry = readdir(fds)) != NULL) {
    char fd_path[300], fd_link[256];
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%s", fd_entry->d_name);
    ssize_t fd_n = readlink(fd_path, fd_link, sizeof fd_link - 1);
    if (fd_n > 0) {
        fd_link[fd_n] = 0;
        printf("%s\n", fd_link);
    }
}
closedir(fds);
'''


def _links(pid):
    out = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out.add(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            pass
    return out


def test_an_inherited_descriptor_does_not_reach_cells(tmp_path):
    # Started by hand: jupyter_client's launcher keeps no descriptor but 0-2 for a kernel.
    spec = KernelSpecManager().get_kernel_spec(k.KERNEL_NAME)
    cf = str(tmp_path / "kernel.json")
    write_connection_file(cf, transport="ipc", ip=str(tmp_path / "k"), key=b"fd-test-key")
    r, w = os.pipe()
    proc = kc = None
    try:
        pipe = "pipe:[%d]" % os.fstat(w).st_ino
        argv = [a.replace("{connection_file}", cf) for a in spec.argv]
        proc = subprocess.Popen(argv, env=dict(os.environ, **spec.env), pass_fds=(w,),
                                stdin=subprocess.DEVNULL, start_new_session=True)
        kc = BlockingKernelClient(connection_file=cf)
        kc.load_connection_file()
        kc.start_channels()
        kc.wait_for_ready(timeout=k.TIMEOUT)
        assert pipe in _links(proc.pid), "the kernel did not inherit the pipe"
        res = k.ok(kc, LIST_FDS)
        seen = res.text().split()
        assert seen, res.text()
        assert pipe not in seen, seen
    finally:
        if kc is not None:
            kc.stop_channels()
        if proc is not None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(r)
        os.close(w)
