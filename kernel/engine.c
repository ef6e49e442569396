/* engine.c — the kernel's side of the executor (see engine.h).
 *
 * Owns the channel to the executor lineage and the two pipes that carry its
 * stdout and stderr.  Output is read as it comes, made valid UTF-8 (a read
 * may split a character: the tail waits for the next read), capped per cell
 * and handed to dispatch as stream messages; messages from the executor are
 * delivered after the pipes have been drained, which keeps a cell's prints
 * and displays in the order it made them.
 *
 * Only the last value a cell shows is its result: the executor sends every
 * value (a trailing expression, ch_show_vector anywhere) as an
 * execute_result, and the engine holds the latest one back; anything that
 * follows it (output, a display, another value, an error) sends it on first
 * as display_data, and only a cell that ends "ok" right after it publishes
 * it as execute_result.  nbgrader gives partial credit at the first numeric
 * execute_result of a graded cell, so a debug print before a failing check
 * must not look like the cell's value.  Decided here, past everything a
 * cell's code can reach.
 *
 * Past the cap, output costs next to nothing: the engine asks the executor
 * to mute the cell (its fds 1 and 2 then point at /dev/null, see cell_runtime.h),
 * and until that lands it reads the pipes and counts without decoding.  The
 * note at the cap says output was cut; one at the end says how much.
 *
 * The kernel is the executors' subreaper: when a holder hands over to its
 * child and exits, the child becomes ours to reap.
 *
 * Why ~680 lines in one file: one concept, the kernel's end of the executor
 * (its channel, its two output pipes and its lifetime); the output cap and
 * the held-back result are decided on the same reads.
 */
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "editor.h"
#include "executor.h"
#include "channel.h"
#include "log.h"
#include "utf8.h"

enum { OUT_STDOUT, OUT_STDERR, N_OUT };
static const char *const out_names[N_OUT] = { "stdout", "stderr" };

typedef struct output {
    int fd;
    char tail[8]; /* start of a UTF-8 character cut by the last read */
    size_t ntail;
} output;

struct chalk_engine {
    executor_config cfg;
    pid_t pid; /* the first holder (its process group holds the lineage) */
    int chan;
    channel_reader reader;
    output out[N_OUT];
    int busy;
    int heard;           /* the executor sent a message since it was started */
    int stopped;         /* it died before it could: started again on demand */
    char path[PATH_MAX]; /* of chalk-executor */
    size_t output_limit;
    size_t output_used; /* bytes of this cell's output published so far */
    int truncated;
    unsigned long long dropped; /* bytes of this cell's output not published */
    char *code;                 /* the running cell, for what editor help learns from it */
    json_t *held;               /* the last execute_result content, not yet published */
    int silent;                 /* the running cell's: its values are never shown */
    char *limits;               /* --limits, passed on to every executor */
    editor *ed;                 /* completion and inspection */
    /* Stream text not yet published (see publish_stream). */
    int pend_which;
    char *pend;
    size_t pend_len, pend_cap;
    long long pend_since_ms;
};

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* close_range(first, ~0U, 0): 1 if done, 0 if the system cannot. */
static int close_fds_from(int first)
{
#ifdef SYS_close_range
    return syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0;
#else
    (void)first;
    return 0;
#endif
}

/* OpenBLAS's idle worker threads spin on sched_yield for 2^28 cycles
 * before they sleep: 70-100 ms of CPU at every executor start (its pool is
 * made when the library loads), more than the rest of a fresh kernel's
 * first cell, and again after a cell's BLAS call.  OpenBLAS reads the wait
 * from the environment when it loads, so the executor is started with the
 * shortest one (2^4 cycles) unless the user chose one.  NULL: out of memory
 * (the executor gets the kernel's environment). */
extern char **environ;
static char **executor_environment(void)
{
    static const char timeout[] = "OPENBLAS_THREAD_TIMEOUT=";
    size_t n = 0;
    int set = 0;
    for (; environ[n]; n++)
        set |= strncmp(environ[n], timeout, sizeof timeout - 1) == 0;
    char **v = malloc((n + 2) * sizeof *v);
    if (!v)
        return NULL;
    memcpy(v, environ, n * sizeof *v);
    if (!set)
        v[n++] = (char *)"OPENBLAS_THREAD_TIMEOUT=4";
    v[n] = NULL;
    return v;
}

static int spawn(chalk_engine *e)
{
    int sv[2], po[2], pe[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    /* Composed now: between fork and exec only write() is safe. */
    char failed[600];
    int nfailed = snprintf(failed, sizeof failed,
                           "chalk: cannot run the executor %s "
                           "(CHALK_EXECUTOR names another)\n",
                           e->path);
    if (nfailed < 0 || nfailed >= (int)sizeof failed)
        nfailed = (int)sizeof failed - 1;
    char **envp = executor_environment();
    char *argv[] = { (char *)"chalk-executor", (char *)"--channel", (char *)"3", NULL, NULL, NULL };
    if (e->limits) {
        argv[3] = (char *)"--limits";
        argv[4] = e->limits;
    }
    pid_t pid = fork();
    if (pid != 0)
        free(envp);
    if (pid < 0) {
        int fds[] = { sv[0], sv[1], po[0], po[1], pe[0], pe[1] };
        for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
            close(fds[i]);
        return -1;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls until exec: ZeroMQ's threads exist. */
        /* Own process group: a SIGINT sent to the kernel's group (as
         * jupyter_client does) must not kill the session; interrupts reach
         * the cell through the kernel. */
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        dup2(sv[1], 3);
        fcntl(3, F_SETFD, 0); /* kept across exec (even if sv[1] was 3) */
        /* The lineage must hold no socket of the kernel's: one close_range
         * (a syscall, so async-signal-safe) where the kernel has it, else
         * 1,020 close calls, 0.19 ms of every kernel start. */
        if (!close_fds_from(4))
            for (int fd = 4; fd < 1024; fd++)
                close(fd);
        execve(e->path, argv, envp ? envp : environ);
        (void)!write(2, failed, (size_t)nfailed);
        _exit(127);
    }
    close(sv[1]);
    close(po[1]);
    close(pe[1]);
    e->pid = pid;
    e->chan = sv[0];
    e->out[OUT_STDOUT] = (output){ .fd = po[0] };
    e->out[OUT_STDERR] = (output){ .fd = pe[0] };
    set_nonblock(e->chan);
    set_nonblock(po[0]);
    set_nonblock(pe[0]);
    /* 1 MiB instead of 64 KiB: a cell that prints a lot blocks, and wakes
     * the kernel, 16 times less often (what a user may have: pipe-max-size). */
    fcntl(po[0], F_SETPIPE_SZ, 1 << 20);
    memset(&e->reader, 0, sizeof e->reader);
    e->busy = 0;
    e->heard = 0;
    e->stopped = 0;
    return 0;
}

/* CHALK_EXECUTOR if set; else the installed executor for the installed
 * kernel, and for a kernel run from anywhere else (its build directory) the
 * executor/chalk-executor beside it (the build tree's layout), so that an uninstalled build never runs an
 * older installed executor. */
static void find_executor(char *out, size_t size)
{
    const char *env = getenv("CHALK_EXECUTOR");
    snprintf(out, size, "%s", env && *env ? env : CHALK_EXECUTOR_PATH);
    if (env && *env)
        return;
    char self[PATH_MAX], installed[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return;
    self[n] = 0;
    if (realpath(CHALK_BINDIR "/chalk-kernel", installed) && strcmp(self, installed) == 0)
        return;
    const char *slash = strrchr(self, '/');
    int len = snprintf(out, size, "%.*s/executor/chalk-executor", slash ? (int)(slash - self) : 0,
                       self);
    if (len < 0 || (size_t)len >= size || access(out, X_OK) != 0)
        snprintf(out, size, "%s", CHALK_EXECUTOR_PATH);
}

chalk_engine *engine_new(const char *limits)
{
    chalk_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    executor_config_defaults(&e->cfg);
    if (limits) {
        char err[256];
        /* The output cap is the kernel's to enforce: it takes the ceiling
         * too; the executor checks the rest. */
        if (executor_apply_ceilings(limits, &e->cfg.ceiling, &e->cfg.limits, err, sizeof err) < 0) {
            log_error("%s", err);
            free(e);
            return NULL;
        }
        e->limits = strdup(limits);
    }
    find_executor(e->path, sizeof e->path);
    e->output_limit = e->cfg.limits.output_bytes;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (spawn(e) < 0) {
        log_error("cannot start the executor: %s", strerror(errno));
        free(e->limits);
        free(e);
        return NULL;
    }
    e->ed = editor_new(e->cfg.prelude, e->cfg.include_path);
    return e;
}

static void stop_lineage(chalk_engine *e)
{
    if (e->pid > 0)
        kill(-e->pid, SIGKILL);
    e->pid = -1;
    close(e->chan);
    e->chan = -1;
    for (int i = 0; i < N_OUT; i++) {
        close(e->out[i].fd);
        e->out[i].fd = -1;
    }
    channel_reader_clear(&e->reader);
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

void engine_destroy(chalk_engine **self_p)
{
    chalk_engine *e = *self_p;
    if (!e)
        return;
    stop_lineage(e);
    editor_destroy(&e->ed);
    free(e->code);
    free(e->limits);
    json_decref(e->held);
    free(e->pend);
    free(e);
    *self_p = NULL;
}

static void reap(void);

static int start(chalk_engine *e, const char *code, int count, int allow_stdin, int silent,
                 int evaluate)
{
    if (e->busy)
        return -1;
    if (e->stopped && engine_restart(e) < 0)
        return -1;
    reap(); /* the holder that handed over at the end of the last cell */
    json_t *req = json_pack("{s:s, s:s, s:i, s:b, s:b, s:b}", "op", "execute", "code", code,
                            "count", count, "allow_stdin", allow_stdin, "silent", silent,
                            "evaluate", evaluate);
    int rc = channel_write(e->chan, req);
    /* The executor died before its end of file was read (it could not
     * start, or was killed while idle): a fresh one gets the cell.  If that
     * one is gone before the write too (it cannot start either, and failed
     * faster than we wrote), its end of file, read next, reports the cell
     * as ExecutorError, as when it dies just after the write: never as a
     * busy engine. */
    int restarted = 0;
    if (rc < 0) {
        restarted = engine_restart(e) == 0;
        if (restarted)
            rc = channel_write(e->chan, req);
    }
    json_decref(req);
    if (rc < 0 && !restarted)
        return -1;
    e->busy = 1;
    e->silent = silent;
    free(e->code);
    e->code = evaluate ? NULL : strdup(code);
    e->output_used = 0;
    e->truncated = 0;
    e->dropped = 0;
    return 0;
}

int engine_execute(chalk_engine *e, const char *code, int count, int allow_stdin, int silent)
{
    return start(e, code, count, allow_stdin, silent, 0);
}

int engine_evaluate(chalk_engine *e, const char *expr, int count)
{
    /* In parentheses, so that only an expression compiles (a declaration
     * or a magic line is an error); the newline ends a // comment and keeps
     * the expression on the cell's line 1 in error messages. */
    size_t n = strlen(expr);
    char *code = malloc(n + 4);
    if (!code)
        return -1;
    code[0] = '(';
    memcpy(code + 1, expr, n);
    memcpy(code + 1 + n, "\n)", 3);
    int rc = start(e, code, count, 0, 0, 1);
    free(code);
    return rc;
}

int engine_busy(const chalk_engine *e)
{
    return e->busy;
}

static void send_op(chalk_engine *e, json_t *msg)
{
    channel_write(e->chan, msg);
    json_decref(msg);
}

void engine_input_reply(chalk_engine *e, const char *value)
{
    send_op(e, json_pack("{s:s, s:s}", "op", "input_reply", "value", value ? value : ""));
}

void engine_interrupt(chalk_engine *e)
{
    if (e->busy)
        send_op(e, json_pack("{s:s}", "op", "interrupt"));
}

int engine_restart(chalk_engine *e)
{
    stop_lineage(e);
    editor_forget(e->ed);
    return spawn(e);
}

int engine_pollfds(const chalk_engine *e, int *fds, int max)
{
    int n = 0;
    if (e->stopped)
        return 0;
    if (n < max)
        fds[n++] = e->chan;
    for (int i = 0; i < N_OUT && n < max; i++)
        fds[n++] = e->out[i].fd;
    return n;
}

/* A value held back is no longer the cell's last thing: show it as a
 * display (a value shown before other output, or in a failed cell). */
/* ---- stream text, published in batches ----
 *
 * A cell's output reaches us in whatever pieces the pipe holds when we read
 * it: a loop printing 1 MiB of short lines arrived as about 800 stream
 * messages. JupyterLab appends each to the output's text and renders it
 * again, so the cost grows with messages x text: those 800 messages kept its
 * page frozen for 82 s (frames up to 1 s apart), for a cell that ran in
 * 0.2 s. Text is therefore held for up to STREAM_BATCH_MS and published as
 * one message, as ipykernel does (its IOPub thread flushes every 0.2 s).
 * Everything else the sink gets (displays, values, errors, input requests,
 * the end of the cell) and text of the other stream flush it first, so the
 * order the user sees is unchanged; output stays live to within 0.1 s. */
#define STREAM_BATCH_MS 100

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void flush_stream(chalk_engine *e, chalk_engine_sink sink, void *ctx)
{
    if (!e->pend_len)
        return;
    sink(ctx, "stream",
         json_pack("{s:s, s:s%}", "name", out_names[e->pend_which], "text", e->pend, e->pend_len));
    e->pend_len = 0;
}

/* Everything but batched stream text goes to the sink through here. */
static void emit(chalk_engine *e, chalk_engine_sink sink, void *ctx, const char *type,
                 json_t *content)
{
    flush_stream(e, sink, ctx);
    sink(ctx, type, content);
}

static void publish_stream(chalk_engine *e, int which, const char *text, size_t n,
                           chalk_engine_sink sink, void *ctx)
{
    if (e->pend_len && e->pend_which != which)
        flush_stream(e, sink, ctx);
    if (e->pend_len + n > e->pend_cap) {
        size_t cap = e->pend_cap ? e->pend_cap : 65536;
        while (cap < e->pend_len + n)
            cap *= 2;
        char *p = realloc(e->pend, cap);
        if (!p) { /* publish what we have, then this piece alone */
            flush_stream(e, sink, ctx);
            sink(ctx, "stream",
                 json_pack("{s:s, s:s%}", "name", out_names[which], "text", text, n));
            return;
        }
        e->pend = p;
        e->pend_cap = cap;
    }
    if (!e->pend_len)
        e->pend_since_ms = now_ms();
    memcpy(e->pend + e->pend_len, text, n);
    e->pend_len += n;
    e->pend_which = which;
}

int engine_timeout_ms(const chalk_engine *e)
{
    if (!e->pend_len)
        return -1;
    long long left = e->pend_since_ms + STREAM_BATCH_MS - now_ms();
    return left > 0 ? (int)left : 0;
}

void engine_on_timeout(chalk_engine *e, chalk_engine_sink sink, void *ctx)
{
    if (e->pend_len && engine_timeout_ms(e) == 0)
        flush_stream(e, sink, ctx);
}

static void release_held(chalk_engine *e, chalk_engine_sink sink, void *ctx)
{
    if (!e->held)
        return;
    json_t *c = e->held;
    e->held = NULL;
    if (e->silent) {
        json_decref(c);
        return;
    }
    json_object_del(c, "execution_count");
    if (!json_object_get(c, "metadata"))
        json_object_set_new(c, "metadata", json_object());
    if (!json_object_get(c, "transient"))
        json_object_set_new(c, "transient", json_object());
    emit(e, sink, ctx, "display_data", c);
}

/* "4 MiB", "195.8 MiB", "812 bytes" */
static void format_size(char *out, size_t len, unsigned long long n)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
    if (n < 1024) {
        snprintf(out, len, "%llu byte%s", n, n == 1 ? "" : "s");
        return;
    }
    double v = (double)n / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof *units)
        v /= 1024, u++;
    if (v == (double)(unsigned long long)v)
        snprintf(out, len, "%.0f %s", v, units[u]);
    else
        snprintf(out, len, "%.1f %s", v, units[u]);
}

/* At the end of a truncated cell: how much of its output was dropped. */
static void note_dropped(chalk_engine *e, chalk_engine_sink sink, void *ctx)
{
    if (!e->truncated)
        return;
    char dropped[32], total[32];
    format_size(dropped, sizeof dropped, e->dropped);
    format_size(total, sizeof total, e->dropped + e->output_used);
    emit(e, sink, ctx, "stream",
         json_pack("{s:s, s:s++++}", "name", "stdout", "text", "[chalk] ", dropped,
                   " of output dropped (the cell printed ", total, ")\n"));
}

/* Publish text from one pipe within the cell's output allowance. */
static void publish(chalk_engine *e, int which, const char *text, size_t n, chalk_engine_sink sink,
                    void *ctx)
{
    if (e->truncated) {
        e->dropped += n;
        return;
    }
    if (n == 0)
        return;
    release_held(e, sink, ctx);
    if (e->output_limit && e->output_used + n > e->output_limit) {
        size_t keep = e->output_limit - e->output_used;
        /* Cut on a character boundary. */
        while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
            keep--;
        if (keep)
            publish_stream(e, which, text, keep, sink, ctx);
        e->truncated = 1;
        e->dropped = n - keep;
        /* The executor mutes the cell; what is in flight is read and counted. */
        if (e->busy)
            send_op(e, json_pack("{s:s}", "op", "mute"));
        char cap[32];
        format_size(cap, sizeof cap, e->output_limit);
        emit(e, sink, ctx, "stream",
             json_pack("{s:s, s:s++}", "name", "stdout", "text", "\n[chalk] output truncated at ",
                       cap,
                       ", this cell's "
                       "allowance (change it with %limits output=SIZE)\n"));
        e->output_used = e->output_limit;
        return;
    }
    e->output_used += n;
    publish_stream(e, which, text, n, sink, ctx);
}

/* Read everything a pipe holds now.  At end of cell, `final` flushes a cut
 * character as U+FFFD rather than waiting for the rest of it. */
static void drain(chalk_engine *e, int which, int final, chalk_engine_sink sink, void *ctx)
{
    output *o = &e->out[which];
    char buf[65536];
    while (e->truncated) {
        /* Past the cap: counted, never decoded. */
        ssize_t n = read(o->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        e->dropped += (unsigned long long)n + o->ntail;
        o->ntail = 0;
    }
    for (;;) {
        memcpy(buf, o->tail, o->ntail);
        ssize_t n = read(o->fd, buf + o->ntail, sizeof buf - o->ntail);
        if (n < 0 && errno == EINTR)
            continue;
        size_t have = o->ntail + (n > 0 ? (size_t)n : 0);
        if (n <= 0 && !(final && o->ntail))
            break;
        size_t used = have;
        char *text = final && n <= 0 ? utf8_sanitize_all(buf, have)
                                     : utf8_sanitize(buf, have, &used);
        o->ntail = have - used;
        if (o->ntail > sizeof o->tail) { /* cannot happen with valid input; be safe */
            o->ntail = 0;
        }
        memmove(o->tail, buf + used, o->ntail);
        if (text)
            publish(e, which, text, strlen(text), sink, ctx);
        free(text);
        if (n <= 0)
            break;
    }
}

static void drain_all(chalk_engine *e, int final, chalk_engine_sink sink, void *ctx)
{
    for (int i = 0; i < N_OUT; i++)
        drain(e, i, final, sink, ctx);
}

static void reap(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

static void deliver(chalk_engine *e, json_t *msg, chalk_engine_sink sink, void *ctx)
{
    e->heard = 1;
    const char *type = json_string_value(json_object_get(msg, "msg_type"));
    json_t *content = json_object_get(msg, "content");
    if (!type || !json_is_object(content)) {
        log_warn("executor sent a message without msg_type/content; dropped");
        return;
    }
    if (strcmp(type, "limits") == 0) {
        json_int_t v = json_integer_value(json_object_get(content, "output_bytes"));
        if (v >= 0)
            e->output_limit = (size_t)v;
        return;
    }
    if (strcmp(type, "reset") == 0) {
        editor_forget(e->ed);
        return;
    }
    if (strcmp(type, "output_dropped") == 0) {
        json_int_t v = json_integer_value(json_object_get(content, "bytes"));
        if (v > 0 && e->truncated)
            e->dropped += (unsigned long long)v;
        return;
    }
    if (strcmp(type, "execute_result") == 0) {
        release_held(e, sink, ctx);
        e->held = json_incref(content);
        return;
    }
    if (strcmp(type, "execute_done") == 0) {
        drain_all(e, 1, sink, ctx);
        note_dropped(e, sink, ctx);
        const char *st = json_string_value(json_object_get(content, "status"));
        /* The cell wrote something after the value it showed last
         * (last_result false): that output may have reached us first. */
        if (e->held && st && strcmp(st, "ok") == 0 &&
            !json_is_false(json_object_get(content, "last_result"))) {
            json_t *c = e->held;
            e->held = NULL;
            emit(e, sink, ctx, "execute_result", c);
        }
        release_held(e, sink, ctx);
        e->busy = 0;
        editor_learn(e->ed, json_object_get(content, "defined"));
        editor_learn_decls(e->ed, json_object_get(content, "declared"));
        const char *status = json_string_value(json_object_get(content, "status"));
        if (status && strcmp(status, "ok") == 0 && e->code)
            editor_learn_includes(e->ed, e->code);
        json_object_del(content, "defined");
        json_object_del(content, "declared");
        json_object_del(content, "keep");
        json_object_del(content, "last_result");
    }
    release_held(e, sink, ctx);
    emit(e, sink, ctx, type, json_incref(content));
}

void engine_on_readable(chalk_engine *e, int fd, chalk_engine_sink sink, void *ctx)
{
    for (int i = 0; i < N_OUT; i++)
        if (fd == e->out[i].fd) {
            drain(e, i, 0, sink, ctx);
            return;
        }
    if (fd != e->chan)
        return;
    long got = channel_reader_fill(&e->reader, e->chan);
    /* Output written before a message was sent is in the pipes by now. */
    drain_all(e, 0, sink, ctx);
    int bad;
    json_t *msg;
    while ((msg = channel_reader_next(&e->reader, &bad)) || bad) {
        if (!msg) {
            log_warn("executor sent a malformed message; dropped");
            continue;
        }
        deliver(e, msg, sink, ctx);
        json_decref(msg);
    }
    reap();
    if (got < 0 || e->reader.eof) {
        /* The whole lineage is gone: killed from outside (start over at
         * once), or it never started (then not in a loop: at the next cell).
         * Tell the cell that was running, if any, what happened. */
        int was_busy = e->busy, never_started = !e->heard;
        drain_all(e, 1, sink, ctx);
        if (was_busy)
            note_dropped(e, sink, ctx);
        const char *ename = "DeadExecutor";
        const char *evalue = "the kernel's executor process died; the session was restarted "
                             "and earlier cells must be run again";
        if (never_started) {
            log_error("the executor (%s) ended before it ran a cell; it is started again "
                      "for the next cell",
                      e->path);
            stop_lineage(e);
            e->busy = 0;
            e->stopped = 1;
            ename = "ExecutorError";
            evalue = "the kernel could not start its executor (chalk-executor); the kernel's "
                     "log says why";
        } else {
            log_error("the executor died; starting a new session");
            engine_restart(e);
        }
        release_held(e, sink, ctx);
        if (was_busy) {
            emit(e, sink, ctx, "error",
                 json_pack("{s:s, s:s, s:[s]}", "ename", ename, "evalue", evalue, "traceback",
                           evalue));
            emit(e, sink, ctx, "execute_done",
                 json_pack("{s:s, s:s, s:s, s:[s]}", "status", "error", "ename", ename, "evalue",
                           evalue, "traceback", evalue));
        }
    }
}

json_t *engine_complete(chalk_engine *e, const char *code, int cursor_pos)
{
    return editor_complete(e->ed, code, cursor_pos);
}

json_t *engine_inspect(chalk_engine *e, const char *code, int cursor_pos, int detail)
{
    return editor_inspect(e->ed, code, cursor_pos, detail);
}

const char *engine_is_complete(chalk_engine *e, const char *code, const char **indent)
{
    (void)e;
    const char *status = ctoken_is_complete(code);
    if (indent)
        *indent = strcmp(status, "incomplete") == 0 ? "    " : "";
    return status;
}
