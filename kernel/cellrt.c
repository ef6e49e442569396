/* cellrt.c — the cell run-time (see cellrt.h): shown values, stdin through
 * the front end, the helper library's hooks and the crash guard.
 *
 * Runs in the child that runs one cell, which is thrown away if the cell
 * fails; so globals here are per cell, and leaking on the error path is fine.
 */
#define _GNU_SOURCE
#include "cellrt.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chalk.h>

#include "frame.h"

static int cell_fd = -1;
static int stdin_allowed;
static int stdin_note_given;
static cellrt_crash crash = { .report_fd = -1 };

/* Flush the C streams before a frame leaves, so the kernel sees output and
 * frames in the order the cell produced them.  ftrylockfile: a crash inside
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

void cellrt_send(const char *msg_type, json_t *content)
{
    flush_streams();
    json_t *msg = json_pack("{s:s, s:o}", "msg_type", msg_type, "content", content);
    if (msg && frame_write(cell_fd, msg) < 0)
        _exit(70);      /* the holder is gone: nobody to report to */
    json_decref(msg);
}

void cellrt_fail(const char *ename, const char *evalue, json_t *traceback)
{
    if (!traceback) {
        traceback = json_array();
        json_array_append_new(traceback, json_sprintf("%s: %s", ename, evalue));
    }
    cellrt_send("error", json_pack("{s:s, s:s, s:o}", "ename", ename, "evalue", evalue,
                                   "traceback", traceback));
    _exit(1);
}

/* ---- shown values: the trailing expression of a cell ---- */

static void show_text(const char *text)
{
    json_t *content = json_pack("{s:{s:s}, s:{}}", "data", "text/plain", text, "metadata");
    cellrt_send("execute_result", content);
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

/* The shortest decimal that reads back as the same double, as Python's repr
 * does; integral values keep a ".0" so a double never looks like an int. */
static void show_f64(double v)
{
    char buf[40];
    if (isnan(v) || isinf(v)) {
        show_text(isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eEn"))
        strncat(buf, ".0", sizeof buf - strlen(buf) - 1);
    show_text(buf);
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
    cellsrc_buf b = { 0 };
    cellsrc_buf_add(&b, "\"");
    size_t shown = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++, shown++) {
        if (shown == 100000) {
            cellsrc_buf_add(&b, "\"… (truncated)");
            show_text(b.s);
            cellsrc_buf_free(&b);
            return;
        }
        switch (*p) {
        case '\n': cellsrc_buf_add(&b, "\\n"); break;
        case '\t': cellsrc_buf_add(&b, "\\t"); break;
        case '\r': cellsrc_buf_add(&b, "\\r"); break;
        case '"': cellsrc_buf_add(&b, "\\\""); break;
        case '\\': cellsrc_buf_add(&b, "\\\\"); break;
        default:
            if (*p < 32)
                cellsrc_buf_addf(&b, "\\x%02x", *p);
            else
                cellsrc_buf_addn(&b, (const char *)p, 1);
        }
    }
    cellsrc_buf_add(&b, "\"");
    json_t *probe = json_string(b.s);
    if (!probe) {
        /* Not UTF-8: show the bytes escaped instead of failing. */
        cellsrc_buf_free(&b);
        cellsrc_buf_add(&b, "\"");
        for (const unsigned char *p = (const unsigned char *)s; *p && b.len < 400000; p++)
            if (*p >= 32 && *p < 127 && *p != '"' && *p != '\\')
                cellsrc_buf_addn(&b, (const char *)p, 1);
            else
                cellsrc_buf_addf(&b, "\\x%02x", *p);
        cellsrc_buf_add(&b, "\"");
    }
    json_decref(probe);
    show_text(b.s);
    cellsrc_buf_free(&b);
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
    cellrt_send("display_data", content);
}

static void lib_result(const char *bundle)
{
    json_t *content = json_loads(bundle, 0, NULL);
    if (!content)
        return;
    if (!json_object_get(content, "metadata"))
        json_object_set_new(content, "metadata", json_object());
    cellrt_send("execute_result", content);
}

static void lib_fail(const char *ename, const char *evalue)
{
    cellrt_fail(ename, evalue, NULL);
}

static void lib_clear_output(int wait)
{
    cellrt_send("clear_output", json_pack("{s:b}", "wait", wait));
}

void cellrt_install_library_hooks(void)
{
    static const ch_runtime rt = { lib_display, lib_result, lib_fail, lib_clear_output };
    ch_set_runtime(&rt);
    ch_init();
}

/* ---- stdin through the front end ---- */

static char *pending;           /* the rest of the last reply */
static size_t pending_len, pending_off;

static json_t *await_input_reply(void)
{
    for (;;) {
        json_t *msg = frame_read(cell_fd);
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
static ssize_t stdin_read(void *cookie, char *buf, size_t size)
{
    (void)cookie;
    if (pending_off == pending_len) {
        if (!stdin_allowed) {
            if (!stdin_note_given) {
                stdin_note_given = 1;
                fputs("[chalk] no input available: this front end does not accept input "
                      "(allow_stdin is false), so reading stdin gives end of file\n", stderr);
            }
            return 0;
        }
        cellrt_send("input_request", json_pack("{s:s, s:b}", "prompt", "", "password", 0));
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
static void install_stdin(void)
{
    static FILE *cell_stdin;
    if (!cell_stdin) {
        cookie_io_functions_t io = { .read = stdin_read };
        cell_stdin = fopencookie(NULL, "r", io);
        if (!cell_stdin)
            return;
        setvbuf(cell_stdin, NULL, _IONBF, 0);   /* one line per request, nothing read ahead */
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
                         ? rl.rlim_cur : (size_t)8 << 20;
        if (a < guard_stack_top && a + lim + (1 << 20) >= guard_stack_top)
            crash.stack_overflow = 1;
    }
    flush_streams();
    /* libtcc's own handler (installed by tcc_run just before main) knows the
     * cell's line tables: let it write its report, but into our memfd rather
     * than the user's stderr, then it unwinds back into tcc_run. */
    struct sigaction *tcc = &saved[sig];
    if (crash.report_fd >= 0 && (tcc->sa_flags & SA_SIGINFO) && tcc->sa_sigaction) {
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

const cellrt_crash *cellrt_crash_info(void)
{
    return &crash;
}

const compile_symbol *cellrt_symbols(size_t *n)
{
    static const compile_symbol syms[] = {
        { "__chalk_arm", (const void *)guard_arm },
        { "__chalk_show_i64", (const void *)show_i64 },
        { "__chalk_show_u64", (const void *)show_u64 },
        { "__chalk_show_f64", (const void *)show_f64 },
        { "__chalk_show_bool", (const void *)show_bool },
        { "__chalk_show_char", (const void *)show_char },
        { "__chalk_show_str", (const void *)show_str },
        { "__chalk_show_ptr", (const void *)show_ptr },
    };
    *n = sizeof syms / sizeof syms[0];
    return syms;
}

void cellrt_begin(int cellfd, int allow_stdin)
{
    cell_fd = cellfd;
    stdin_allowed = allow_stdin;
    /* A fresh report file per cell: the holder that ran the last cell may
     * have one already, and its children must not share it. */
    if (crash.report_fd >= 0)
        close(crash.report_fd);
    crash.report_fd = memfd_create("chalk-crash", MFD_CLOEXEC);
    /* Line-buffered: a line printed before a sleep reaches the notebook
     * before the sleep ends, without a system call per character. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    install_stdin();
    cellrt_install_library_hooks();
}
