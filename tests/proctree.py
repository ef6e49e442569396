"""proctree.py — the processes under a kernel, read from /proc.

A chalk kernel runs cells in processes of its own (the executor, its holder
and the waiting spare), so tests and `make bench` that look at memory,
descriptors or lineage need the kernel's whole tree.  This is the one reader
of /proc/PID/stat for that; a process that exits while it is read is
skipped, not an error.
"""
import os


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (state first), or None."""
    try:
        with open("/proc/%s/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    # the command name is in parentheses and may itself hold ") "
    return stat[stat.rindex(")") + 2:].split()


def states():
    """pid -> (parent pid, state letter) of every process, zombies included."""
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            f = stat_fields(d)
            if f:
                out[int(d)] = (int(f[1]), f[0])
    return out


def parents(zombies=False):
    """pid -> parent pid of every live process (and of zombies, if asked)."""
    return {p: pp for p, (pp, st) in states().items() if zombies or st != "Z"}


def descendants(pid, parent_of=None):
    """pid and every live process below it.  The walk goes through zombies:
    while a holder hands over, the old one is a zombie whose child, the new
    holder, is not yet the kernel's."""
    if parent_of is None:
        seen = states()
        everyone = {p: pp for p, (pp, _) in seen.items()}
        live = {p for p, (_, st) in seen.items() if st != "Z"}
    else:
        everyone = live = parent_of
    children = {}
    for p, pp in everyone.items():
        children.setdefault(pp, []).append(p)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p == pid or p in live:
            out.append(p)
        todo.extend(children.get(p, []))
    return out
