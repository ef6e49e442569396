/* executor.c — the holder's loop: forks a child per cell, relays its
 * messages and decides what a dead child means (see executor.h).  What the
 * holder keeps and how it answers the kernel is holder.c; running the cell
 * in the child is run_cell.c.
 */
#define _GNU_SOURCE
#include "executor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cell_runtime.h"
#include "channel.h"
#include "holder.h"
#include "images.h"
#include "isolate.h"
#include "magics.h"
#include "prefault.h"
#include "run_cell.h"

/* How long an interrupted cell gets to flush its output and leave before it
 * is killed outright (the issue asks for an interrupt within a second). */
#define INTERRUPT_GRACE_MS 400

/* Images of cells that defined nothing are looked for pointers in batches:
 * one scan of the holder's pages costs about what a cell does. */
#define IMAGES_BATCH 256

/* ---- what a dead child means ---- */

static const char *signal_text(int sig)
{
    switch (sig) {
    case SIGSEGV: return "Segmentation fault (invalid memory access)";
    case SIGBUS: return "Bus error (misaligned or unmapped memory access)";
    case SIGFPE: return "Floating point exception (e.g. integer division by zero)";
    case SIGILL: return "Illegal instruction";
    case SIGABRT: return "Aborted (abort() or a failed assert)";
    case SIGXCPU: return "CPU time limit exceeded";
    case SIGXFSZ: return "File size limit exceeded";
    case SIGKILL: return "Killed";
    default: return strsignal(sig);
    }
}

/* The child ended without telling us how: it crashed before it could, or it
 * was killed.  Name the signal; the session is untouched. */
static void report_dead_child(int status, int interrupted, int walled, const executor_limits *lim)
{
    char ename[32], evalue[256];
    if (walled) {
        snprintf(evalue, sizeof evalue,
                 "the cell ran longer than %g s of wall-clock time "
                 "(change it with %%limits wall=SECONDS); the session is as it was before "
                 "this cell",
                 lim->wall_seconds);
        holder_error("WallTimeLimit", evalue, NULL);
        return;
    }
    if (interrupted) {
        holder_error("KeyboardInterrupt", "interrupted; the session is as it was before this cell",
                     NULL);
        return;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(ename, sizeof ename, "SIG%s", abbrev ? abbrev : "?");
        if (sig == SIGXCPU)
            snprintf(evalue, sizeof evalue,
                     "%s: the cell used more than %g s of CPU "
                     "(change it with %%limits cpu=SECONDS)",
                     signal_text(sig), lim->cpu_seconds);
        else if (sig == SIGKILL && lim->memory_bytes)
            snprintf(evalue, sizeof evalue,
                     "Killed (out of memory? the cell may use %.3g GiB: "
                     "%%limits memory=SIZE)",
                     (double)lim->memory_bytes / (1 << 30));
        else
            snprintf(evalue, sizeof evalue, "%s", signal_text(sig));
    } else {
        snprintf(ename, sizeof ename, "Exit");
        snprintf(evalue, sizeof evalue, "the cell called _exit(%d)", WEXITSTATUS(status));
    }
    holder_error(ename, evalue, NULL);
}

/* ---- one cell ---- */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Relay messages between the kernel and the child until the child reports the
 * end of the cell or dies.  Returns 1 if the child succeeded (and we, the
 * old holder, must hand over and exit), 0 otherwise. */
static int relay(pid_t child, int cellfd, const executor_limits *lim)
{
    int chan_fd = holder_channel();
    int interrupted = 0, walled = 0;
    long kill_at = -1;
    /* The wall-clock limit counts from the moment the cell was sent: a
     * cell that sleeps, waits on a pipe or a lock uses no CPU time and
     * would hang a grader forever. */
    long wall_at = lim->wall_seconds > 0 ? now_ms() + (long)(lim->wall_seconds * 1000) : -1;
    channel_reader from_child = { 0 };
    int done_ok = 0, keep = 0, reported = 0;
    json_t *error = NULL; /* the child's error, repeated in the reply */

    /* The child's end is known from its pidfd, not only from end of file on
     * the socket: a process the cell forked holds a copy of the socket and
     * would keep it open (and the holder waiting) forever.  -1 on kernels
     * without pidfd_open (before 5.3): end of file only. */
    int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
    for (;;) {
        struct pollfd p[3] = { { chan_fd, POLLIN, 0 },
                               { cellfd, POLLIN, 0 },
                               { pidfd, POLLIN, 0 } };
        int timeout = -1;
        long next = kill_at >= 0 && (wall_at < 0 || kill_at < wall_at) ? kill_at : wall_at;
        if (next >= 0) {
            long left = next - now_ms();
            timeout = left > 0 ? (int)left : 0;
        }
        int n = poll(p, pidfd >= 0 ? 3 : 2, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (kill_at >= 0 && now_ms() >= kill_at) {
            kill(child, SIGKILL);
            kill_at = -1;
        }
        if (wall_at >= 0 && now_ms() >= wall_at) {
            walled = 1;
            kill(child, SIGKILL);
            wall_at = -1;
        }
        int child_gone = n > 0 && pidfd >= 0 && (p[2].revents & POLLIN);
        int kernel_wrote = n > 0 && (p[0].revents & (POLLIN | POLLHUP));
        /* The child's socket is read before the kernel's channel, and at
         * every word of the kernel's: a child that ends its cell itself
         * writes its "committed" note here before execute_done reaches the
         * kernel, so whatever the kernel sent after that (the next cell) is
         * behind a note we then have, and is left for the next holder. */
        if (n > 0 &&
            ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) || child_gone || kernel_wrote)) {
            /* After the child's exit everything it wrote is in the socket. */
            long got = channel_reader_fill(&from_child, cellfd);
            int bad;
            json_t *msg;
            while ((msg = channel_reader_next(&from_child, &bad)) || bad) {
                if (!msg)
                    continue;
                const char *type = json_string_value(json_object_get(msg, "msg_type"));
                if (type && strcmp(type, "committed") == 0) {
                    /* its execute_done goes to the kernel from the child */
                    done_ok = keep = reported = 1;
                    json_decref(msg);
                    break;
                }
                if (type && strcmp(type, "execute_done") == 0) {
                    const char *status = json_string_value(
                        json_object_get(json_object_get(msg, "content"), "status"));
                    done_ok = status && strcmp(status, "ok") == 0;
                    keep = !json_is_false(json_object_get(json_object_get(msg, "content"), "keep"));
                    reported = 1;
                }
                if (type && strcmp(type, "error") == 0) {
                    json_decref(error);
                    error = json_deep_copy(json_object_get(msg, "content"));
                }
                if (channel_write(chan_fd, msg) < 0)
                    _exit(0);
                json_decref(msg);
                if (done_ok)
                    break;
            }
            if (done_ok) {
                channel_reader_clear(&from_child);
                if (pidfd >= 0)
                    close(pidfd);
                if (keep)
                    return 1;
                /* %timeit: the child reported and leaves; nothing is kept. */
                kill(child, SIGKILL);
                while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                    ;
                return 0;
            }
            if ((got <= 0 && from_child.eof) || child_gone) {
                /* The child is gone; a partial message in the buffer is torn. */
                if (pidfd >= 0)
                    close(pidfd);
                int status = 0;
                while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                    ;
                channel_reader_clear(&from_child);
                if (walled) {
                    json_decref(error);
                    report_dead_child(status, interrupted, walled, lim);
                } else if (error) {
                    json_t *tb = json_incref(json_object_get(error, "traceback"));
                    holder_done("error", json_string_value(json_object_get(error, "ename")),
                                json_string_value(json_object_get(error, "evalue")),
                                json_pack("{s:o}", "traceback", tb ? tb : json_array()));
                    json_decref(error);
                } else if (!reported) {
                    report_dead_child(status, interrupted, walled, lim);
                }
                return 0;
            }
        }
        if (kernel_wrote) {
            json_t *msg = channel_read(chan_fd);
            if (!msg) { /* kernel gone: take the child with us */
                kill(child, SIGKILL);
                _exit(0);
            }
            const char *op = json_string_value(json_object_get(msg, "op"));
            if (op && strcmp(op, "interrupt") == 0) {
                if (!interrupted) {
                    interrupted = 1;
                    kill(child, SIGINT);
                    kill_at = now_ms() + INTERRUPT_GRACE_MS;
                }
            } else if (op && strcmp(op, "input_reply") == 0) {
                channel_write(cellfd, msg);
            } else if (op && strcmp(op, "mute") == 0) {
                kill(child, CELL_RUNTIME_MUTE_SIGNAL);
            }
            json_decref(msg);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    return 0;
}

/* ---- the next cell's process, forked ahead ---- */

/* fork() copies the holder's page tables, and its exit tears them down:
 * about a millisecond that grows with what the session holds.  So the holder
 * forks the next cell's process while it is idle; the cell only has to be
 * sent to it.  The spare is a copy of the holder as it was when forked, so
 * anything that changes the holder (its magics) discards it. */
typedef struct cell_child {
    pid_t pid;
    int fd;     /* our end of the socketpair; the child's is its cellfd */
    int direct; /* it reads its cell from the kernel's channel (take_from_kernel) */
} cell_child;

#define NO_CHILD ((cell_child){ -1, -1, 0 })
static cell_child spare = { -1, -1, 0 };

/* A spare forked while the holder is idle reads the next request from the
 * kernel's channel itself, so that a cell does not wait for the holder to
 * wake, parse and pass it on.  The holder reads nothing of the channel until
 * the spare has said on its socket either "started" (it runs the cell; from
 * then on the holder relays and supervises as for any cell, and an interrupt
 * that follows the request is still in the channel for it), or handed the
 * request back (one for the holder: a magic it runs, the exit request, or
 * no cell at all), which the holder then handles as if it had read it, the
 * spare waiting for its cell on its socket like any other.  Only one frame is
 * read (channel_read reads no further), so nothing else of the kernel's is
 * taken.  Returns the request the spare runs, or NULL once it is handed
 * back. */
static json_t *take_from_kernel(int cellfd)
{
    int chan = holder_channel();
    prefault_apply(chan); /* while no request has come */
    json_t *req = channel_read(chan);
    if (!req)
        _exit(0); /* the kernel is gone: the holder learns it from our end */
    const char *op = json_string_value(json_object_get(req, "op"));
    const char *code = json_string_value(json_object_get(req, "code"));
    if (op && strcmp(op, "execute") == 0 && !magics_for_holder(code ? code : "")) {
        json_t *note = json_pack("{s:s}", "op", "started");
        int rc = channel_write(cellfd, note);
        json_decref(note);
        if (rc < 0)
            _exit(0);
        return req;
    }
    if (channel_write(cellfd, req) < 0)
        _exit(0);
    json_decref(req);
    return NULL;
}

/* Between cells and while one runs, the holder only tidies and waits for
 * words from the cell's process and the kernel: SCHED_BATCH, so that those
 * words (the "started" note, the one that ends the cell) wake it without
 * taking the CPU from the process that sent them or from the kernel, which
 * are on the cell's path; it runs at its next turn (when a CPU is free, or
 * after the running task's slice, a few milliseconds; an interrupt has a
 * second).  Going back to SCHED_OTHER, at the same
 * nice value, needs no privilege: done for a request the holder answers
 * itself, and by every cell's process as soon as it is forked. */
static void holder_batch(int on)
{
    static int batch;
    if (batch == on)
        return;
    struct sched_param p = { 0 };
    if (sched_setscheduler(0, on ? SCHED_BATCH : SCHED_OTHER, &p) == 0)
        batch = on;
}

/* Fork a child that waits for its cell on the socketpair.  Returns 0 in the
 * holder (*out filled), -1 if it could not fork, and 1 in the child once it
 * has run a cell that succeeded and been handed the session: the caller is
 * then the new holder and goes back to the main loop. */
static int fork_cell_child(holder_state *st, cell_child *out, int direct)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        holder_batch(0); /* the cell runs as any process does */
        /* While it waits: nothing of the holder's signal handling reaches
         * the cell, and the cell's orphans come back to this process. */
        isolate_cell_start();
        /* What the cell runs under is set, and the pages the last cell
         * wrote are copied while it has not come. */
        run_cell_ready(st, sv[1]);
        json_t *req = direct ? take_from_kernel(sv[1]) : NULL;
        if (!req) {
            prefault_apply(sv[1]);
            req = channel_read(sv[1]);
        }
        if (!req)
            _exit(0); /* discarded, or the holder is gone */
        /* Returns only if the cell succeeded. */
        run_cell_child(st, req);
        json_decref(req);
        /* The holder sends this byte once it has relayed our last message
         * (or read our "committed" note), so that we never read the channel
         * while it still might. */
        char go;
        while (read(sv[1], &go, 1) < 0 && errno == EINTR)
            ;
        /* The old holder waits for our end to close before it exits: until
         * then the pages this process wrote are the ones it maps alone. */
        prefault_note();
        close(sv[1]);
        /* The cell's signal handlers, mask and streams are not the
         * holder's. */
        isolate_holder();
        return 1;
    }
    close(sv[1]);
    out->pid = pid;
    out->fd = sv[0];
    out->direct = direct;
    return 0;
}

/* Kill a child that has not reported (or must not run) and reap it. */
static void discard(cell_child *c)
{
    if (c->pid < 0)
        return;
    close(c->fd);
    kill(c->pid, SIGKILL);
    while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    *c = NO_CHILD;
}

/* Until the new holder has noted the pages it wrote (prefault.h): it closes
 * its end then, or dies.  At most 2 s, so that a stuck process cannot keep
 * us. */
static void await_close(int fd)
{
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int n = poll(&p, 1, 2000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        char b;
        ssize_t got = read(fd, &b, 1);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
            return;
    }
}

/* Relay and supervise the cell child c runs until it ends; if it succeeded,
 * hand over to it and exit. */
static void supervise(holder_state *st, cell_child c)
{
    holder_batch(1);
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    if (relay(c.pid, c.fd, &st->limits)) {
        /* Tearing down our page tables takes a millisecond or more (it grows
         * with the session): let it run only when nothing else wants the
         * CPU, not against the next cell.  Lowering is always allowed. */
        struct sched_param idle = { 0 };
        sched_setscheduler(0, SCHED_IDLE, &idle);
        (void)!write(c.fd, "g", 1);
        await_close(c.fd);
        _exit(0);
    }
    close(c.fd);
    /* The failed cell's processes were reparented to us (a subreaper). */
    isolate_kill_children();
}

/* Returns 1 in a child that became the new holder (see fork_cell_child). */
static int run_cell(holder_state *st, json_t *req)
{
    cell_child c = spare;
    spare = NO_CHILD;
    if (c.pid < 0) {
        /* In the holder, so that a first cell that fails does not throw the
         * work away with its process. */
        holder_warm(st);
        int rc = fork_cell_child(st, &c, 0);
        if (rc == 1)
            return 1;
        if (rc < 0) {
            holder_error("KernelError", "cannot fork the cell's process", NULL);
            return 0;
        }
    }
    holder_batch(1); /* before the cell has it (supervise) */
    if (channel_write(c.fd, req) < 0) {
        discard(&c);
        holder_error("KernelError", "the cell's process is gone", NULL);
        return 0;
    }
    supervise(st, c);
    return 0;
}

/* The next request: from the kernel's channel, or what a direct spare says
 * of it (NULL once the spare has started it and it has been supervised). */
static json_t *next_request(holder_state *st, int chan_fd)
{
    if (spare.pid < 0 || !spare.direct) {
        json_t *req = channel_read(chan_fd);
        if (!req)
            _exit(0);
        holder_batch(0); /* the holder's to answer, or to start */
        return req;
    }
    json_t *msg = channel_read(spare.fd);
    if (!msg) {
        /* Gone without a word: the kernel is gone (we read its end of file
         * next), or the spare was killed, maybe with a request it had read:
         * that cell ends (a kernel with no cell running ignores this). */
        discard(&spare);
        holder_done("error", "KernelError",
                    "the cell's process was killed before it started; the session is as "
                    "it was before this cell",
                    NULL);
        return NULL;
    }
    const char *op = json_string_value(json_object_get(msg, "op"));
    if (op && strcmp(op, "started") == 0) {
        json_decref(msg);
        cell_child c = spare;
        spare = NO_CHILD;
        supervise(st, c);
        return NULL;
    }
    spare.direct = 0; /* handed back: it waits on its socket now */
    holder_batch(0);  /* the request is the holder's to answer */
    return msg;
}

void executor_main(int chan, const executor_config *cfg)
{
    int chan_fd = chan;
    /* Interrupts reach the cell through the kernel, never the holder; it
     * ignores every signal it does not need (see isolate.h). */
    isolate_init(chan_fd);
    isolate_holder();
    holder_state st;
    holder_init(&st, cfg, chan_fd);
    /* Flattening the prelude takes a CPU for 35-100 ms.  Done at once it
     * would compete with the kernel answering its first kernel_info (two
     * cores are common): wait until the kernel has been quiet for a moment,
     * or until the first cell asks for it. */
    struct pollfd quiet = { chan_fd, POLLIN, 0 };
    if (poll(&quiet, 1, 300) == 0)
        holder_warm(&st);
    for (;;) {
        /* Before the spare is forked, so that it carries no freed image;
         * here, so that the dead frames of the last cell are below us. */
        holder_batch(1);
        images_collect(IMAGES_BATCH);
        holder_trim();
        if (spare.pid < 0 && st.warm && fork_cell_child(&st, &spare, 1) == 1)
            continue; /* the spare ran a cell and now holds the session */
        json_t *req = next_request(&st, chan_fd);
        if (!req)
            continue;
        const char *op = json_string_value(json_object_get(req, "op"));
        if (op && strcmp(op, "execute") == 0) {
            const char *code = json_string_value(json_object_get(req, "code"));
            if (!code)
                code = "";
            /* Magics that change the holder itself run here, not in a child;
             * what is left of the cell (if anything) runs as usual. */
            char *rest = NULL;
            int rc = magics_run_in_holder(&st, code, &rest);
            if (rc < 0 || !rest || strcmp(rest, code) != 0)
                discard(&spare); /* forked before the holder changed */
            if (rc == 0 && rest) {
                json_object_set_new(req, "code", json_string(rest));
                if (run_cell(&st, req) == 1) {
                    json_decref(req);
                    free(rest);
                    continue;
                }
            }
            free(rest);
        }
        /* "interrupt" and "input_reply" with no cell running: nothing to do. */
        json_decref(req);
    }
}
