/* cell_runtime.c — the cell run-time (see cell_runtime.h): shown values, stdin through
 * the front end, the helper library's hooks and the crash guard.
 *
 * Runs in the child that runs one cell, which is thrown away if the cell
 * fails; so globals here are per cell, and leaking on the error path is fine.
 *
 * Why ~900 lines in one file: one concept, the functions a running cell
 * calls instead of the library's (shown values, the library hooks, stdin,
 * the crash guard, the stand-ins for exit, longjmp, pthread_create and
 * fclose).  They share the per-cell state (the cell socket, the crash
 * record, the mute level) and are listed in one table, cell_runtime_symbols;
 * in several files that state would be exported to each of them.
 */
#define _GNU_SOURCE
#include "cell_runtime.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <threads.h>
#include <ucontext.h>
#include <unistd.h>

#include <chalk.h>

#include "channel.h"

static int cell_fd = -1;
static int stdin_allowed;
static int stdin_note_given;
static int muted;      /* %timeit: 1 hides values, 2 also displays */
static pid_t cell_pid; /* the process running the cell (not its forks) */
/* The kernel publishes the last value a cell shows as its result only if
 * nothing came after it.  Output and messages in one read of the kernel's
 * cannot be ordered there, so the cell says whether it wrote anything
 * since (cell_runtime_result_is_last). */
static int result_sent;
static unsigned long long wchar_at_result;
static unsigned long long bytes_written(void);
static unsigned long long cell_thread_written(void);
static cell_runtime_crash crash = { .report_fd = -1 };
/* Past the output cap the kernel throws output away; CELL_RUNTIME_MUTE_SIGNAL
 * (from the holder, on the kernel's word) points fds 1 and 2 at /dev/null so
 * that it costs what writing there costs.  isolate_leftovers puts them
 * back before a cell that succeeds hands over. */
static volatile sig_atomic_t output_muted;
static unsigned long long wchar_at_mute;
static int dropped_reported;
/* Messages this cell sent through the holder, counted in a page shared with
 * the processes the cell forks (their messages go the same way): the cell's
 * end may go to the kernel directly only if there are none, since the
 * holder might not have passed them on yet (cell_runtime_send_done).  Mapped
 * once, by the first cell's process, and inherited by every later one. */
static _Atomic unsigned *relayed;

/* Flush the C streams before a message leaves, so the kernel sees output and
 * messages in the order the cell produced them.  ftrylockfile: a crash inside
 * printf holds the stream's lock, and waiting for it would hang forever. */
static void flush_streams(void)
{
    FILE *streams[2] = { stdout, stderr };
    for (int i = 0; i < 2; i++) {
        if (ftrylockfile(streams[i]) == 0) {
            fflush_unlocked(streams[i]);
            funlockfile(streams[i]);
        }
    }
}

/* Bytes the cell's main thread wrote since the mute (to /dev/null, give or
 * take the messages and files it wrote meanwhile): said once, before the
 * cell's last message. */
static void report_dropped(void)
{
    if (!output_muted || dropped_reported)
        return;
    dropped_reported = 1;
    flush_streams();
    unsigned long long now = cell_thread_written();
    json_t *msg = json_pack("{s:s, s:{s:I}}", "msg_type", "output_dropped", "content", "bytes",
                            (json_int_t)(now > wchar_at_mute ? now - wchar_at_mute : 0));
    if (msg) {
        if (relayed)
            atomic_fetch_add(relayed, 1);
        channel_write(cell_fd, msg);
    }
    json_decref(msg);
}

/* A line-buffered stream makes one write() per line, even to /dev/null:
 * two million lines cost a second more than the same bytes fully buffered.
 * glibc's line-buffering bit (_IO_LINE_BUF, 0x200: internal, but what
 * __flbf reads) is cleared, only when __flbf agrees that it is that bit.
 * A store from a handler on the stream's own thread is safe for glibc's
 * putting code: it reads the flag at each step and full buffering starts
 * at the next flush.  cell_runtime_begin makes stdout line-buffered again. */
static void unbuffer_lines(FILE *f)
{
    enum { GLIBC_LINE_BUF = 0x200 };
    if (f && __flbf(f) && (f->_flags & GLIBC_LINE_BUF)) {
        f->_flags &= ~GLIBC_LINE_BUF;
        if (__flbf(f))
            f->_flags |= GLIBC_LINE_BUF; /* not that bit after all */
    }
}

static void on_mute(int sig)
{
    (void)sig;
    if (output_muted || getpid() != cell_pid)
        return;
    int saved = errno;
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        wchar_at_mute = cell_thread_written();
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        output_muted = 1;
        unbuffer_lines(stdout);
    }
    errno = saved;
}

void cell_runtime_send(const char *msg_type, json_t *content)
{
    if ((muted >= 1 && strcmp(msg_type, "execute_result") == 0) ||
        (muted >= 2 &&
         (strcmp(msg_type, "display_data") == 0 || strcmp(msg_type, "update_display_data") == 0 ||
          strcmp(msg_type, "clear_output") == 0))) {
        json_decref(content);
        return;
    }
    if (strcmp(msg_type, "execute_done") == 0 || strcmp(msg_type, "error") == 0)
        report_dropped();
    flush_streams();
    json_t *msg = json_pack("{s:s, s:o}", "msg_type", msg_type, "content", content);
    if (msg && relayed)
        atomic_fetch_add(relayed, 1);
    if (msg && channel_write(cell_fd, msg) < 0)
        _exit(70); /* the holder is gone: nobody to report to */
    json_decref(msg);
    if (strcmp(msg_type, "execute_result") == 0) {
        result_sent = 1;
        wchar_at_result = bytes_written();
    }
}

void cell_runtime_send_done(json_t *content, int kernel_fd)
{
    report_dropped();
    if (kernel_fd < 0 || !relayed || atomic_load(relayed) != 0) {
        cell_runtime_send("execute_done", content);
        return;
    }
    flush_streams();
    /* From the note on, the cell is the session's: an interrupt that comes
     * now is too late to undo it, and must not kill the process that is to
     * hold the session (isolate_holder then ignores it, which discards it). */
    sigset_t intr;
    sigemptyset(&intr);
    sigaddset(&intr, SIGINT);
    sigprocmask(SIG_BLOCK, &intr, NULL);
    json_t *note = json_pack("{s:s, s:{}}", "msg_type", "committed", "content");
    if (!note || channel_write(cell_fd, note) < 0)
        _exit(70);
    json_decref(note);
    json_t *msg = json_pack("{s:s, s:o}", "msg_type", "execute_done", "content", content);
    /* The kernel gone: the holder learns it from the channel's end. */
    if (msg && channel_write(kernel_fd, msg) < 0)
        _exit(0);
    json_decref(msg);
}

/* Bytes written with write() and friends, all descriptors together (the
 * wchar of /proc/self/io, or of `path`); 0 if unknown. */
static unsigned long long wchar_of(const char *path)
{
    char buf[512];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    const char *w = strstr(buf, "wchar:");
    return w ? strtoull(w + 6, NULL, 10) : 0;
}

static unsigned long long bytes_written(void)
{
    return wchar_of("/proc/self/io");
}

/* The cell's main thread alone: the process's counters take in the writes
 * of children it has reaped, and those went through the pipe, counted by
 * the kernel. */
static unsigned long long cell_thread_written(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/io", (int)cell_pid);
    return wchar_of(path);
}

int cell_runtime_result_is_last(void)
{
    if (!result_sent)
        return 1;
    flush_streams();
    return bytes_written() == wchar_at_result;
}

void cell_runtime_fail(const char *ename, const char *evalue, json_t *traceback)
{
    cell_runtime_send("error", channel_error_content(ename, evalue, traceback));
    _exit(1);
}

/* ---- shown values: the trailing expression of a cell ---- */

static void show_text(const char *text)
{
    json_t *content = json_pack("{s:{s:s}, s:{}}", "data", "text/plain", text, "metadata");
    cell_runtime_send("execute_result", content);
}

static void show_i64(long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    show_text(buf);
}

static void show_u64(unsigned long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", v);
    show_text(buf);
}

/* The shortest decimal that reads back as the same value, as Python's repr
 * does; integral values keep a ".0" so a double never looks like an int
 * ("nan", "inf" and "-inf" have an 'n', so they get none). */
static void show_real(const char *digits)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%s", digits);
    if (!strpbrk(buf, ".eEn"))
        strncat(buf, ".0", sizeof buf - strlen(buf) - 1);
    show_text(buf);
}

static void show_f64(double v)
{
    char buf[40];
    cell_runtime_shortest_double(v, buf, sizeof buf);
    show_real(buf);
}

static void show_f32(float v)
{
    char buf[40];
    cell_runtime_shortest_float(v, buf, sizeof buf);
    show_real(buf);
}

static void show_f80(long double v)
{
    char buf[48];
    cell_runtime_shortest_long_double(v, buf, sizeof buf);
    show_real(buf);
}

/* nan, inf and -inf as Python spells them (printf's "-nan" is noise). */
static int special_real(int nan, int inf, int negative, char *out, size_t size)
{
    if (nan || inf)
        snprintf(out, size, "%s", nan ? "nan" : negative ? "-inf" : "inf");
    return nan || inf;
}

void cell_runtime_shortest_double(double v, char *out, size_t size)
{
    if (special_real(isnan(v), isinf(v), v < 0, out, size))
        return;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

void cell_runtime_shortest_float(float v, char *out, size_t size)
{
    if (special_real(isnan(v), isinf(v), v < 0, out, size))
        return;
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(out, size, "%.*g", prec, (double)v);
        if (strtof(out, NULL) == v)
            return;
    }
}

void cell_runtime_shortest_long_double(long double v, char *out, size_t size)
{
    if (special_real(isnan(v), isinf(v), v < 0, out, size))
        return;
    for (int prec = 1; prec <= 21; prec++) {
        snprintf(out, size, "%.*Lg", prec, v);
        if (strtold(out, NULL) == v)
            return;
    }
}

static void show_bool(_Bool v)
{
    show_text(v ? "true" : "false");
}

static void show_char(int c)
{
    char buf[32];
    if (c >= 32 && c < 127 && c != '\'' && c != '\\')
        snprintf(buf, sizeof buf, "'%c' (%d)", c, c);
    else
        snprintf(buf, sizeof buf, "'\\x%02x' (%d)", (unsigned)(c & 0xff), c);
    show_text(buf);
}

/* Strings are shown as C literals, escapes included, so that "a\n" and a
 * string ending in a newline are told apart. */
static void show_str(const char *s)
{
    if (!s) {
        show_text("NULL");
        return;
    }
    strbuf b = { 0 };
    strbuf_add(&b, "\"");
    size_t shown = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, shown++) {
        if (shown == 100000) {
            strbuf_add(&b, "\"… (truncated)");
            show_text(b.s);
            strbuf_free(&b);
            return;
        }
        switch (*p) {
        case '\n': strbuf_add(&b, "\\n"); break;
        case '\t': strbuf_add(&b, "\\t"); break;
        case '\r': strbuf_add(&b, "\\r"); break;
        case '"': strbuf_add(&b, "\\\""); break;
        case '\\': strbuf_add(&b, "\\\\"); break;
        default:
            if (*p < 32)
                strbuf_addf(&b, "\\x%02x", *p);
            else
                strbuf_addn(&b, (const char *)p, 1);
        }
    }
    strbuf_add(&b, "\"");
    json_t *probe = json_string(b.s);
    if (!probe) {
        /* Not UTF-8: show the bytes escaped instead of failing. */
        strbuf_free(&b);
        strbuf_add(&b, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p && b.len < 400000; p++)
            if (*p >= 32 && *p < 127 && *p != '"' && *p != '\\')
                strbuf_addn(&b, (const char *)p, 1);
            else
                strbuf_addf(&b, "\\x%02x", *p);
        strbuf_add(&b, "\"");
    }
    json_decref(probe);
    show_text(b.s);
    strbuf_free(&b);
}

static void show_ptr(const void *p)
{
    char buf[48];
    if (p)
        snprintf(buf, sizeof buf, "(void *) %p", p);
    else
        snprintf(buf, sizeof buf, "NULL");
    show_text(buf);
}

/* ---- the helper library's hooks ---- */

static void lib_display(const char *bundle)
{
    json_t *content = json_loads(bundle, 0, NULL);
    if (!content)
        return;
    if (!json_object_get(content, "metadata"))
        json_object_set_new(content, "metadata", json_object());
    if (!json_object_get(content, "transient"))
        json_object_set_new(content, "transient", json_object());
    cell_runtime_send("display_data", content);
}

static void lib_result(const char *bundle)
{
    json_t *content = json_loads(bundle, 0, NULL);
    if (!content)
        return;
    if (!json_object_get(content, "metadata"))
        json_object_set_new(content, "metadata", json_object());
    cell_runtime_send("execute_result", content);
}

static void lib_fail(const char *ename, const char *evalue)
{
    cell_runtime_fail(ename, evalue, NULL);
}

static void lib_clear_output(int wait)
{
    cell_runtime_send("clear_output", json_pack("{s:b}", "wait", wait));
}

void cell_runtime_install_library_hooks(void)
{
    static const ch_runtime rt = { lib_display, lib_result, lib_fail, lib_clear_output };
    ch_set_runtime(&rt);
    ch_init();
}

/* ---- stdin through the front end ---- */

static char *pending; /* the rest of the last reply */
static size_t pending_len, pending_off;

static json_t *await_input_reply(void)
{
    for (;;) {
        json_t *msg = channel_read(cell_fd);
        if (!msg)
            _exit(70);
        const char *op = json_string_value(json_object_get(msg, "op"));
        if (op && strcmp(op, "input_reply") == 0)
            return msg;
        json_decref(msg);
    }
}

/* fopencookie read function behind `stdin`: each time the cell's buffer runs
 * dry, ask the front end for a line.  When the front end cannot answer
 * (allow_stdin false: nbconvert, graders), end of file at once rather than
 * a hang, with one note saying why. */
/* The text printed since the last newline and not yet flushed (`printf("n?
 * "); scanf(...)`): taken out of stdout's buffer, as Python's input()
 * takes its prompt, so the front end shows it beside the input box rather
 * than on a line of its own.  Complete lines before it go out first.  Only
 * stdio's buffer is looked at (glibc's FILE): what the cell fflush()ed is
 * output already.  Caller frees. */
static char *take_prompt(void)
{
#ifdef __GLIBC__
    char *base = stdout->_IO_write_base, *ptr = stdout->_IO_write_ptr;
    if (!base || ptr <= base)
        return NULL;
    char *tail = ptr;
    while (tail > base && tail[-1] != '\n')
        tail--;
    char *prompt = strndup(tail, (size_t)(ptr - tail));
    stdout->_IO_write_ptr = tail;
    fflush(stdout);
    return prompt;
#else
    fflush(stdout);
    return NULL;
#endif
}

static ssize_t stdin_read(void *cookie, char *buf, size_t size)
{
    (void)cookie;
    if (pending_off == pending_len) {
        if (!stdin_allowed) {
            if (!stdin_note_given) {
                if (stdout->_IO_write_ptr > stdout->_IO_write_base &&
                    stdout->_IO_write_ptr[-1] != '\n')
                    fputc('\n', stdout); /* the note starts a line */
                stdin_note_given = 1;
                /* On stdout: graders score any stderr as a failure, and a
                 * cell that reads input is not wrong for lack of a typist. */
                fputs("[chalk] no input available: this front end does not accept input "
                      "(allow_stdin is false), so reading stdin gives end of file\n",
                      stdout);
                fflush(stdout);
            }
            return 0;
        }
        char *prompt = take_prompt();
        cell_runtime_send("input_request",
                          json_pack("{s:s, s:b}", "prompt", prompt ? prompt : "", "password", 0));
        free(prompt);
        json_t *reply = await_input_reply();
        const char *value = json_string_value(json_object_get(reply, "value"));
        free(pending);
        pending_len = strlen(value ? value : "") + 1;
        pending = malloc(pending_len);
        memcpy(pending, value ? value : "", pending_len - 1);
        pending[pending_len - 1] = '\n';
        pending_off = 0;
        json_decref(reply);
    }
    size_t n = pending_len - pending_off;
    if (n > size)
        n = size;
    memcpy(buf, pending + pending_off, n);
    pending_off += n;
    return (ssize_t)n;
}

/* One stream for the whole session, opened by the first cell and inherited
 * by every later holder: a new FILE per cell would never be closed, and
 * glibc walks the list of all FILEs in fflush(NULL) and in every fork. */
static FILE *cell_stdin;

static void install_stdin(void)
{
    if (!cell_stdin) {
        cookie_io_functions_t io = { .read = stdin_read };
        cell_stdin = fopencookie(NULL, "r", io);
        if (!cell_stdin)
            return;
        /* Buffered, so that glibc does not flush stdout before each read
         * (it does for unbuffered and line-buffered input): an unterminated
         * prompt must still be in stdout's buffer (take_prompt).  Nothing
         * is read ahead all the same: stdin_read hands over one line. */
        static char inbuf[BUFSIZ];
        setvbuf(cell_stdin, inbuf, _IOFBF, sizeof inbuf);
    }
    /* Each cell reads afresh: what an earlier cell left unread (the newline
     * after a scanf'd number) and its end of file are not this cell's. */
    __fpurge(cell_stdin);
    clearerr(cell_stdin);
    pending_off = pending_len;
    stdin = cell_stdin;
}

/* ---- the crash guard ---- */

static char *guard_stack_top;
static struct sigaction saved[NSIG];
static const int guarded[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void on_fault(int sig, siginfo_t *si, void *uctx)
{
    crash.sig = sig;
    crash.code = si->si_code;
    crash.addr = si->si_addr;
    if (sig == SIGSEGV && guard_stack_top) {
        struct rlimit rl;
        char *a = si->si_addr;
        size_t lim = getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                         ? rl.rlim_cur
                         : (size_t)8 << 20;
        if (a < guard_stack_top && a + lim + (1 << 20) >= guard_stack_top)
            crash.stack_overflow = 1;
    }
    flush_streams();
    /* libtcc's own handler (installed by tcc_run just before main) knows the
     * cell's line tables: let it write its report, but into our memfd rather
     * than the user's stderr, then it unwinds back into tcc_run. */
    struct sigaction *tcc = &saved[sig];
    /* Under %timeit's loops tcc_run has returned: nothing to unwind to. */
    if (muted < 2 && crash.report_fd >= 0 && (tcc->sa_flags & SA_SIGINFO) && tcc->sa_sigaction) {
        dup2(crash.report_fd, 2);
        tcc->sa_sigaction(sig, si, uctx);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Called first thing in the generated main(): tcc_run has installed its
 * handlers by then, and we put ours in front (on an alternate stack, so that
 * a stack overflow can still be reported). */
static void guard_arm(void)
{
    char here;
    guard_stack_top = &here;
    static char *altstack;
    size_t altsize = 256 * 1024;
    if (!altstack)
        altstack = mmap(NULL, altsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (altstack != MAP_FAILED) {
        stack_t ss = { .ss_sp = altstack, .ss_size = altsize };
        sigaltstack(&ss, NULL);
    }
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
        sigaction(guarded[i], &sa, &saved[guarded[i]]);
}

/* ---- threads the cell starts ----
 * Counted from start to finish, so that a cell cannot hand the holder a
 * thread that runs on (isolate_leftovers refuses it).  Only the cell's own:
 * the libraries' worker pools (OpenBLAS starts one on a large product) are
 * not the cell's doing and outlive no fork. */

static atomic_int running_threads;

typedef struct thread_start {
    void *(*fn)(void *);
    int (*c11)(void *);
    void *arg;
} thread_start;

static void thread_finished(void *unused)
{
    (void)unused;
    atomic_fetch_sub(&running_threads, 1);
}

static void *thread_main(void *p)
{
    thread_start t = *(thread_start *)p;
    free(p);
    void *r = NULL;
    /* Also run by pthread_exit, thrd_exit and cancellation. */
    pthread_cleanup_push(thread_finished, NULL);
    if (t.c11)
        r = (void *)(intptr_t)t.c11(t.arg);
    else
        r = t.fn(t.arg);
    pthread_cleanup_pop(1);
    return r;
}

static int cell_pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *),
                               void *arg)
{
    thread_start *t = malloc(sizeof *t);
    if (!t)
        return EAGAIN;
    *t = (thread_start){ fn, NULL, arg };
    atomic_fetch_add(&running_threads, 1);
    int rc = pthread_create(th, attr, thread_main, t);
    if (rc) {
        atomic_fetch_sub(&running_threads, 1);
        free(t);
    }
    return rc;
}

static int cell_thrd_create(thrd_t *th, int (*fn)(void *), void *arg)
{
    thread_start *t = malloc(sizeof *t);
    if (!t)
        return thrd_nomem;
    *t = (thread_start){ NULL, fn, arg };
    atomic_fetch_add(&running_threads, 1);
    /* thrd_t is a pthread_t in glibc. */
    int rc = pthread_create((pthread_t *)th, NULL, thread_main, t);
    if (rc) {
        atomic_fetch_sub(&running_threads, 1);
        free(t);
        return rc == ENOMEM ? thrd_nomem : thrd_error;
    }
    return thrd_success;
}

int cell_runtime_running_threads(void)
{
    return atomic_load(&running_threads);
}

/* ---- leaving a cell early: exit() and its family, longjmp ----
 *
 * None of them may end a cell "ok": a check that never ran did not pass.
 * Each ends the cell as an error naming the call and, where libtcc's line
 * tables know it, the cell line and function that made it.  For that the
 * call is reported as libtcc reports a fault: its own handler gets a
 * context whose instruction pointer is the call's return address and whose
 * frame is the caller's, prints "cell[5]:3: at softmax: ..." into the
 * report memfd and unwinds to tcc_run; run_cell then reads the report. */

static void report_call_site(void *ra, void *fp)
{
    struct sigaction *tcc = &saved[SIGSEGV];
    if (muted >= 2 || !guard_stack_top || !ra || !fp || crash.report_fd < 0 ||
        !(tcc->sa_flags & SA_SIGINFO) || !tcc->sa_sigaction || syscall(SYS_gettid) != getpid())
        return; /* no line tables to ask, or not on the cell's own stack */
    ucontext_t uc;
    memset(&uc, 0, sizeof uc);
#if defined(__x86_64__)
    uc.uc_mcontext.gregs[REG_RIP] = (greg_t)((char *)ra - 1);
    uc.uc_mcontext.gregs[REG_RBP] = (greg_t)fp;
    uc.uc_mcontext.gregs[REG_RSP] = (greg_t)fp;
#elif defined(__aarch64__)
    uc.uc_mcontext.pc = (unsigned long)((char *)ra - 1);
    uc.uc_mcontext.regs[29] = (unsigned long)fp;
    uc.uc_mcontext.sp = (unsigned long)fp;
#else
    return;
#endif
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGSEGV;
    flush_streams();
    dup2(crash.report_fd, 2);
    tcc->sa_sigaction(SIGSEGV, &si, &uc); /* unwinds into tcc_run */
}

/* The frame of whoever called the function this is expanded in (cell
 * code: libtcc always keeps frame pointers). */
#define CALLER_FRAME() (*(void **)__builtin_frame_address(0))

static void __attribute__((noreturn)) leave(const char *ename, const char *what, void *ra, void *fp)
{
    snprintf(crash.leave_ename, sizeof crash.leave_ename, "%s", ename);
    snprintf(crash.leave_what, sizeof crash.leave_what, "%s", what);
    report_call_site(ra, fp);
    char evalue[400];
    snprintf(evalue, sizeof evalue, "%s; the session is as it was before this cell", what);
    cell_runtime_fail(ename, evalue, NULL);
}

static void __attribute__((noreturn)) leave_exit(const char *fn, int status, void *ra, void *fp)
{
    char what[128];
    snprintf(what, sizeof what, "%s(%d) called", fn, status);
    leave("SystemExit", what, ra, fp);
}

/* abort() raises SIGABRT inside libc, whose frames libtcc's line tables do
 * not know ("at ???"): the call site is reported as a fault there, so the
 * crash report names the cell line and function that called abort().
 * Without line tables (under %timeit, or another process) the real abort()
 * and the guard's report. */
static void __attribute__((noreturn, noinline)) cell_abort(void)
{
    if (getpid() == cell_pid) {
        crash.sig = SIGABRT;
        crash.code = SI_USER;
        crash.addr = NULL;
        report_call_site(__builtin_return_address(0), CALLER_FRAME());
        crash.sig = 0;
    }
    abort();
}

/* assert()'s failure, reported as abort() is, in the cell's words: glibc's
 * own message names the executor and goes to stderr. */
static void __attribute__((noreturn, noinline))
cell_assert_fail(const char *expr, const char *file, unsigned line, const char *fn)
{
    if (getpid() == cell_pid) {
        crash.sig = SIGABRT;
        crash.code = SI_USER;
        crash.addr = NULL;
        snprintf(crash.what, sizeof crash.what, "Assertion `%s' failed", expr);
        report_call_site(__builtin_return_address(0), CALLER_FRAME());
        crash.sig = 0;
        crash.what[0] = 0;
    }
    __assert_fail(expr, file, line, fn);
}

/* The cell's exit (cell_runtime_renames; libtcc also defines an `exit` of its own
 * for tcc_run, which the renaming keeps the cell from reaching). */
/* A process the cell forked is not the cell: exit() and _exit() end it as
 * they would any C program's. */
static void __attribute__((noreturn, noinline)) cell_exit(int status)
{
    if (getpid() != cell_pid)
        exit(status);
    leave_exit("exit", status, __builtin_return_address(0), CALLER_FRAME());
}

static void __attribute__((noreturn, noinline)) cell__exit(int status)
{
    if (getpid() != cell_pid)
        _exit(status);
    leave_exit("_exit", status, __builtin_return_address(0), CALLER_FRAME());
}

static void __attribute__((noreturn, noinline)) cell__Exit(int status)
{
    if (getpid() != cell_pid)
        _Exit(status);
    leave_exit("_Exit", status, __builtin_return_address(0), CALLER_FRAME());
}

static void __attribute__((noreturn, noinline)) cell_quick_exit(int status)
{
    if (getpid() != cell_pid)
        quick_exit(status);
    leave_exit("quick_exit", status, __builtin_return_address(0), CALLER_FRAME());
}

/* A cell is not a program: what it registers to run at exit never runs
 * (the executor's processes always leave with _exit). */
static int cell_atexit(void (*fn)(void))
{
    (void)fn;
    return 0;
}

static int cell_on_exit(void (*fn)(int, void *), void *arg)
{
    (void)fn;
    (void)arg;
    return 0;
}

/* fclose(stdin) would free the session's one stdin stream (see
 * install_stdin) under every later cell; it only discards what is buffered. */
static int cell_fclose(FILE *f)
{
    if (f && f == cell_stdin) {
        __fpurge(f);
        return 0;
    }
    return fclose(f);
}

/* longjmp may only go to a jmp_buf that a setjmp of this cell filled.  One
 * saved by an earlier cell points into frames that are gone; jumping there
 * lands in that cell's code and returns from its main() as if this cell
 * had finished.  setjmp cannot be wrapped by a C function (it returns
 * twice), so a few instructions note the buffer and jump on to glibc's. */
#if defined(__x86_64__)
#define CELL_RUNTIME_CHECKS_JUMPS 1
#define JMPBUFS 1024
static const void *jmpbufs[JMPBUFS];
static size_t njmpbufs;
static int jmpbufs_full;

void cell_runtime_note_jmpbuf(const void *jb) __attribute__((visibility("hidden"), used));
void cell_runtime_note_jmpbuf(const void *jb)
{
    for (size_t i = njmpbufs; i-- > 0;)
        if (jmpbufs[i] == jb)
            return;
    if (njmpbufs < JMPBUFS)
        jmpbufs[njmpbufs++] = jb;
    else
        jmpbufs_full = 1; /* from here on, no jump is refused */
}

int cell_runtime__setjmp(void *), cell_runtime_sigsetjmp(void *, int);
__asm__(
    ".text\n"
    ".globl cell_runtime__setjmp\n.hidden cell_runtime__setjmp\n.type cell_runtime__setjmp,@function\n"
    "cell_runtime__setjmp:\n"
    "  push %rdi\n  call cell_runtime_note_jmpbuf\n  pop %rdi\n  jmp _setjmp@PLT\n"
    ".globl cell_runtime_sigsetjmp\n.hidden cell_runtime_sigsetjmp\n.type cell_runtime_sigsetjmp,@function\n"
    "cell_runtime_sigsetjmp:\n"
    "  push %rdi\n  push %rsi\n  sub $8, %rsp\n  call cell_runtime_note_jmpbuf\n"
    "  add $8, %rsp\n  pop %rsi\n  pop %rdi\n  jmp __sigsetjmp@PLT\n");

static void check_jump(const void *jb, const char *fn, void *ra, void *fp)
{
    if (jmpbufs_full)
        return;
    for (size_t i = njmpbufs; i-- > 0;)
        if (jmpbufs[i] == jb)
            return;
    char what[200];
    snprintf(what, sizeof what,
             "%s() to a jmp_buf that no setjmp() of this cell filled "
             "(an earlier cell's: its frames are gone)",
             fn);
    leave("LongjmpError", what, ra, fp);
}

static void __attribute__((noreturn, noinline)) cell_longjmp(struct __jmp_buf_tag *jb, int v)
{
    check_jump(jb, "longjmp", __builtin_return_address(0), CALLER_FRAME());
    longjmp(jb, v);
}

static void __attribute__((noreturn, noinline)) cell__longjmp(struct __jmp_buf_tag *jb, int v)
{
    check_jump(jb, "_longjmp", __builtin_return_address(0), CALLER_FRAME());
    _longjmp(jb, v);
}

static void __attribute__((noreturn, noinline)) cell_siglongjmp(struct __jmp_buf_tag *jb, int v)
{
    check_jump(jb, "siglongjmp", __builtin_return_address(0), CALLER_FRAME());
    siglongjmp(jb, v);
}
#endif

/* Set by the generated main() when the cell's body returned: a cell that
 * ends any other way (libtcc's own exit, reached by a path we do not
 * rename) did not finish. */
static int body_returned;

static void note_returned(void)
{
    body_returned = 1;
}

int cell_runtime_body_returned(void)
{
    return body_returned;
}

void cell_runtime_mute(int level)
{
    flush_streams();
    muted = level;
}

const cell_runtime_crash *cell_runtime_crash_info(void)
{
    return &crash;
}

const char *cell_runtime_renames(void)
{
    /* Object-like, so that a call, a declaration in a header and a
     * function pointer all name ours; setjmp and sigsetjmp are glibc
     * macros for _setjmp and __sigsetjmp.  The unit defines none of the
     * library's names (the session refuses a unit that does). */
    return "#define exit __chalk_exit\n#define _exit __chalk__exit\n#define _Exit __chalk__Exit\n"
           "#define quick_exit __chalk_quick_exit\n#define atexit __chalk_atexit\n"
           "#define at_quick_exit __chalk_at_quick_exit\n#define on_exit __chalk_on_exit\n"
           "#define fclose __chalk_fclose\n#define pthread_create __chalk_pthread_create\n"
           "#define thrd_create __chalk_thrd_create\n#define abort __chalk_abort\n"
           "#define __assert_fail __chalk___assert_fail\n"
#ifdef CELL_RUNTIME_CHECKS_JUMPS
           "#define _setjmp __chalk__setjmp\n#define __sigsetjmp __chalk___sigsetjmp\n"
           "#define longjmp __chalk_longjmp\n#define _longjmp __chalk__longjmp\n"
           "#define siglongjmp __chalk_siglongjmp\n"
#endif
        ;
}

const compile_symbol *cell_runtime_symbols(size_t *n)
{
    static const compile_symbol syms[] = {
        { "__chalk_arm", (const void *)guard_arm },
        { "__chalk_show_i64", (const void *)show_i64 },
        { "__chalk_show_u64", (const void *)show_u64 },
        { "__chalk_show_f64", (const void *)show_f64 },
        { "__chalk_show_f32", (const void *)show_f32 },
        { "__chalk_show_f80", (const void *)show_f80 },
        { "__chalk_show_bool", (const void *)show_bool },
        { "__chalk_show_char", (const void *)show_char },
        { "__chalk_show_str", (const void *)show_str },
        { "__chalk_show_ptr", (const void *)show_ptr },
        { "__chalk_returned", (const void *)note_returned },
        /* The interposed names (see cell_runtime_renames). */
        { "__chalk_exit", (const void *)cell_exit },
        { "__chalk__exit", (const void *)cell__exit },
        { "__chalk__Exit", (const void *)cell__Exit },
        { "__chalk_quick_exit", (const void *)cell_quick_exit },
        { "__chalk_atexit", (const void *)cell_atexit },
        { "__chalk_at_quick_exit", (const void *)cell_atexit },
        { "__chalk_on_exit", (const void *)cell_on_exit },
        { "__chalk_fclose", (const void *)cell_fclose },
        { "__chalk_pthread_create", (const void *)cell_pthread_create },
        { "__chalk_thrd_create", (const void *)cell_thrd_create },
        { "__chalk_abort", (const void *)cell_abort },
        { "__chalk___assert_fail", (const void *)cell_assert_fail },
#ifdef CELL_RUNTIME_CHECKS_JUMPS
        { "__chalk__setjmp", (const void *)cell_runtime__setjmp },
        { "__chalk___sigsetjmp", (const void *)cell_runtime_sigsetjmp },
        { "__chalk_longjmp", (const void *)cell_longjmp },
        { "__chalk__longjmp", (const void *)cell__longjmp },
        { "__chalk_siglongjmp", (const void *)cell_siglongjmp },
#endif
    };
    *n = sizeof syms / sizeof syms[0];
    return syms;
}

void cell_runtime_allow_stdin(int allow)
{
    stdin_allowed = allow;
}

void cell_runtime_begin(int cellfd)
{
    cell_fd = cellfd;
    cell_pid = getpid();
    if (!relayed) {
        void *page = mmap(NULL, sizeof *relayed, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                          -1, 0);
        relayed = page == MAP_FAILED ? NULL : page;
    }
    if (relayed)
        atomic_store(relayed, 0);
    result_sent = 0;
    guard_stack_top = NULL;            /* until this cell's main() arms the guard */
    atomic_store(&running_threads, 0); /* threads do not survive fork */
    stdin_allowed = 0;
    muted = 0;
    body_returned = 0;
    crash.leave_ename[0] = crash.leave_what[0] = crash.what[0] = 0;
#ifdef CELL_RUNTIME_CHECKS_JUMPS
    njmpbufs = 0; /* the holder's list is an earlier cell's */
    jmpbufs_full = 0;
#endif
    /* A fresh report file per cell: the holder that ran the last cell may
     * have one already, and its children must not share it. */
    if (crash.report_fd >= 0)
        close(crash.report_fd);
    crash.report_fd = memfd_create("chalk-crash", MFD_CLOEXEC);
    /* Line-buffered: a line printed before a sleep reaches the notebook
     * before the sleep ends, without a system call per character. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    output_muted = 0;
    dropped_reported = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_mute;
    sa.sa_flags = SA_RESTART; /* a write cut short by it goes on */
    sigemptyset(&sa.sa_mask);
    sigaction(CELL_RUNTIME_MUTE_SIGNAL, &sa, NULL);
    install_stdin();
    cell_runtime_install_library_hooks();
}
