/* cell_report.c — what the user is told about a cell that did not run to
 * its end: compile errors and warnings, a crash with the cell's lines of
 * libtcc's report, a cell that left early (exit, a bad longjmp).  See
 * cell_report.h.
 *
 * Beware: the reports end the child (cell_runtime_fail), so nothing after a
 * cell_report_* call that fails runs; warnings go to a display, never to
 * stderr, because graders count any stderr as a failure.
 */
#define _GNU_SOURCE
#include "cell_report.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagnose.h"

/* "cell[3]:4: error: ..." lines as an error's traceback. */
static json_t *lines_array(const char *text)
{
    json_t *a = json_array();
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p = nl ? nl + 1 : NULL;
    }
    return a;
}

static const char *first_line_with(const char *text, const char *needle, char *out, size_t outlen)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return NULL;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, start, n);
    out[n] = 0;
    return out;
}

void cell_report_compile_error(const char *diag)
{
    char line[512];
    const char *evalue = first_line_with(diag, "error:", line, sizeof line);
    if (!evalue)
        evalue = *diag ? diag : "compilation failed";
    cell_runtime_fail("CompileError", evalue, lines_array(diag));
}

/* The session's own refusal ("cell[2]:1: error: 'printf' is declared in
 * <stdio.h>; ..."), quoted like a compiler's message. */
void cell_report_store_error(const char *err, const char *code, int cell)
{
    strbuf out = { 0 };
    diagnose_compile(err, code, cell, &out);
    if (!out.s || strncmp(out.s, "cell[", 5) != 0)
        cell_runtime_fail("CompileError", err, NULL);
    cell_report_compile_error(out.s);
}

/* libtcc's messages of cell `cell` (source `code`) in the user's words; a
 * bracket, string or comment left open is the cause to name, whatever
 * libtcc made of the code after it. */
void cell_report_compile_errors(const char *diag, const char *code, int cell)
{
    strbuf out = { 0 };
    if (!diagnose_unbalanced(code, cell, 0, &out))
        diagnose_compile(diag, code, cell, &out);
    cell_report_compile_error(out.s ? out.s : diag);
}

/* Warnings of a cell that compiled: shown as a display, not stderr.  No
 * colour of the text and no opaque background: the theme's text colour on a
 * translucent orange tint reads in light and dark themes alike (JupyterLab's
 * --jp-warn-color3 is the same pale orange in both, under white text in the
 * dark one); the bar takes the theme's warning colour, with a fallback for
 * nbconvert's HTML and other front ends. */
void cell_report_warnings(const char *diag)
{
    strbuf html = { 0 };
    strbuf_add(&html, "<pre class=\"chalk-warnings\" style=\"background:rgba(255,152,0,0.12);"
                      "border-left:4px solid var(--jp-warn-color1,#f0ad4e);"
                      "padding:4px 8px;margin:0\">");
    for (const char *p = diag; *p; p++) {
        switch (*p) {
        case '<': strbuf_add(&html, "&lt;"); break;
        case '>': strbuf_add(&html, "&gt;"); break;
        case '&': strbuf_add(&html, "&amp;"); break;
        default: strbuf_addn(&html, p, 1);
        }
    }
    strbuf_add(&html, "</pre>");
    cell_runtime_send("display_data",
                      json_pack("{s:{s:s, s:s}, s:{s:b}, s:{}}", "data", "text/plain", diag,
                                "text/html", html.s, "metadata", "chalk_warnings", 1, "transient"));
    strbuf_free(&html);
}

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Diagnostics name the run-time's stand-ins (`__chalk__exit`, see
 * cell_runtime_renames) as the user wrote them (`_exit`).  In place, from `from`
 * on: the text only gets shorter. */
void cell_report_plain_names(strbuf *diag, size_t from)
{
    static const char *const names[] = {
        "exit",    "_exit",       "_Exit",          "quick_exit",  "atexit",    "at_quick_exit",
        "on_exit", "fclose",      "pthread_create", "thrd_create", "abort",     "__assert_fail",
        "_setjmp", "__sigsetjmp", "longjmp",        "_longjmp",    "siglongjmp"
    };
    if (!diag->s || from >= diag->len)
        return;
    char *w = diag->s + from;
    for (const char *r = w; *r;) {
        size_t skip = 0;
        int starts = r == diag->s || !is_ident_char(r[-1]);
        if (starts && strncmp(r, "__chalk_", 8) == 0)
            for (size_t i = 0; i < sizeof names / sizeof *names && !skip; i++) {
                size_t n = strlen(names[i]);
                if (strncmp(r + 8, names[i], n) == 0 && !is_ident_char(r[8 + n]))
                    skip = 8;
            }
        if (skip)
            r += skip;
        else
            *w++ = *r++;
    }
    *w = 0;
    diag->len = (size_t)(w - diag->s);
}

/* libtcc's names for our wrappers, in the words a user knows. */
static void tidy_report_line(const char *line, size_t n, json_t *out, int *unknown_frames)
{
    char buf[512];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, line, n);
    buf[n] = 0;
    /* The generated wrapper main() is ours, not the user's; "<...>" names
     * code the session generated around the cell. */
    if (strstr(buf, " by main") || strstr(buf, " at main:") || buf[0] == '<')
        return;
    if (strstr(buf, "???") && (*unknown_frames)++ > 0)
        return; /* frames inside libc: one line says enough */
    strbuf b = { 0 };
    for (const char *p = buf; *p;) {
        if (strncmp(p, "__chalk_body", 12) == 0) {
            strbuf_add(&b, "<cell>");
            p += 12;
        } else if (strncmp(p, "__chalk_user_main", 17) == 0) {
            strbuf_add(&b, "main");
            p += 17;
        } else {
            strbuf_addn(&b, p++, 1);
        }
    }
    json_array_append_new(out, json_string(b.s));
    strbuf_free(&b);
}

/* libtcc's report ("cell[2]:5: at f: RUNTIME ERROR: ...", then callers)
 * from the crash memfd, as traceback lines in the user's words. */
static json_t *crash_report_lines(const cell_runtime_crash *c)
{
    char report[8192] = "";
    if (c->report_fd >= 0) {
        ssize_t n = pread(c->report_fd, report, sizeof report - 1, 0);
        report[n > 0 ? n : 0] = 0;
    }
    json_t *lines = json_array();
    int unknown = 0;
    for (const char *p = report; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n)
            tidy_report_line(p, n, lines, &unknown);
        p += n + (nl != NULL);
    }
    return lines;
}

/* "cell[2]:5: at f: RUNTIME ERROR: ..." -> " at cell[2]:5 in f()" */
static void report_where(json_t *lines, char *where, size_t size)
{
    where[0] = 0;
    const char *first = json_string_value(json_array_get(lines, 0));
    const char *at = first ? strstr(first, ": at ") : NULL;
    if (at && strncmp(first, "cell[", 5) == 0) {
        const char *fn = at + 5, *colon = strchr(fn, ':');
        snprintf(where, size, " at %.*s", (int)(at - first), first);
        if (colon && colon - fn < 64 && strncmp(fn, "<cell>", 6) != 0)
            snprintf(where + strlen(where), size - strlen(where), " in %.*s()", (int)(colon - fn),
                     fn);
    }
}

static void __attribute__((noreturn))
fail_with_report(const char *ename, const char *evalue, json_t *lines)
{
    json_t *tb = json_array();
    json_array_append_new(tb, json_sprintf("%s: %s", ename, evalue));
    /* The first line is libtcc's own (it names a fault that did not happen
     * when the cell left early): the callers after it are what counts. */
    json_array_extend(tb, lines);
    json_decref(lines);
    cell_runtime_fail(ename, evalue, tb);
}

/* One frame of libtcc's crash report, in the user's words: "cell[3]:2" and
 * the function ("" for the cell's own body). */
typedef struct crash_frame {
    char where[48];
    char fn[64];
} crash_frame;

/* The cell's frames of libtcc's report ("cell[2]:5: at f: RUNTIME ERROR:
 * ...", then "cell[2]:7: by <caller>"), innermost first.  Frames outside the
 * cell's line tables (libc's, a raw address "at ???") and the generated
 * main() are not the user's code and are dropped. */
static size_t crash_frames(const cell_runtime_crash *c, crash_frame *out, size_t max)
{
    char report[8192] = "";
    if (c->report_fd >= 0) {
        ssize_t n = pread(c->report_fd, report, sizeof report - 1, 0);
        report[n > 0 ? n : 0] = 0;
    }
    size_t n = 0;
    for (char *p = report, *save = NULL; n < max && (p = strtok_r(p, "\n", &save)); p = NULL) {
        char *sep = strstr(p, ": at ");
        if (!sep)
            sep = strstr(p, ": by ");
        if (strncmp(p, "cell[", 5) != 0 || !sep || (size_t)(sep - p) >= sizeof out->where)
            continue;
        const char *fn = sep + 5;
        size_t fnlen = strcspn(fn, ":");
        if (fnlen == 4 && strncmp(fn, "main", 4) == 0)
            continue; /* the generated wrapper */
        crash_frame *f = &out[n++];
        snprintf(f->where, sizeof f->where, "%.*s", (int)(sep - p), p);
        if (strncmp(fn, "__chalk_body", 12) == 0 || fn[0] == '<')
            f->fn[0] = 0;
        else if (strncmp(fn, "__chalk_user_main", 17) == 0)
            snprintf(f->fn, sizeof f->fn, "main");
        else
            snprintf(f->fn, sizeof f->fn, "%.*s", (int)fnlen, fn);
    }
    return n;
}

/* The cell crashed: one line naming the signal, the cell line and the
 * function; then, when the fault is deeper than the cell's body, its
 * callers ("called from cell[3]:2 in h()"), a recursion's repeats once. */
void cell_report_crash(const cell_runtime_crash *c, const char *code, int cell)
{
    crash_frame frames[64];
    size_t n = crash_frames(c, frames, sizeof frames / sizeof *frames);
    const char *abbrev = sigabbrev_np(c->sig);
    char ename[32], evalue[1024], where[160] = "";
    snprintf(ename, sizeof ename, "SIG%s", abbrev ? abbrev : "?");
    /* A fault at a small address is a null pointer (or a member of a
     * struct behind one); any other address means nothing to a student. */
    const char *what = c->what[0]          ? c->what
                       : c->stack_overflow ? "Stack overflow (runaway recursion?)"
                       : c->sig == SIGABRT ? "Aborted (abort() called)"
                       : c->code <= 0      ? strsignal(c->sig) /* raise(), kill() */
                       : c->sig == SIGSEGV && (uintptr_t)c->addr < 4096
                           ? "Segmentation fault (null pointer)"
                       : c->sig == SIGSEGV ? "Segmentation fault (invalid memory access)"
                       : c->sig == SIGFPE && c->code == FPE_INTDIV
                           ? "Floating point exception (integer division by zero)"
                       : c->sig == SIGFPE ? "Floating point exception"
                       : c->sig == SIGBUS ? "Bus error"
                                          : strsignal(c->sig);
    if (n)
        snprintf(where, sizeof where, " at %s%s%s%s", frames[0].where,
                 frames[0].fn[0] ? " in " : "", frames[0].fn, frames[0].fn[0] ? "()" : "");
    snprintf(evalue, sizeof evalue, "%s%s; the session is as it was before this cell", what, where);
    json_t *tb = json_array();
    json_array_append_new(tb, json_sprintf("%s: %s", ename, evalue));
    /* the line of this cell where it happened, as a compile error quotes it
     * (an earlier cell's source is not kept) */
    int k, line;
    char rest;
    if (n && sscanf(frames[0].where, "cell[%d]:%d%c", &k, &line, &rest) == 2 && k == cell) {
        strbuf q = { 0 };
        diagnose_quote_line(code, line, 0, &q);
        if (q.len > 1)
            json_array_append_new(tb, json_stringn(q.s, q.len - 1));
        strbuf_free(&q);
    }
    for (size_t i = 1; i < n; i++) {
        int repeats = 0;
        while (i + 1 < n && strcmp(frames[i].where, frames[i + 1].where) == 0 &&
               strcmp(frames[i].fn, frames[i + 1].fn) == 0) {
            i++;
            repeats = 1;
        }
        json_array_append_new(tb, json_sprintf("  called from %s%s%s%s%s", frames[i].where,
                                               frames[i].fn[0] ? " in " : "", frames[i].fn,
                                               frames[i].fn[0] ? "()" : "",
                                               repeats ? ", again and again" : ""));
    }
    cell_runtime_fail(ename, evalue, tb);
}

/* The cell left early (exit(), _exit(), a longjmp out of it): like
 * IPython's SystemExit, an error that says so, never "ok". */
void cell_report_leave(const cell_runtime_crash *c)
{
    json_t *lines = crash_report_lines(c);
    char evalue[600], where[256];
    report_where(lines, where, sizeof where);
    /* libtcc's first line speaks of an invalid memory access: drop its
     * message, keep the place.  Code of an earlier cell is not in this
     * cell's line tables (a raw address "at ???"): then the place is the
     * first line of this cell on the way there. */
    json_t *tidy = json_array();
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        const char *t = json_string_value(line);
        if (!t || strstr(t, "???"))
            continue;
        const char *rt = strstr(t, ": RUNTIME ERROR:");
        json_array_append_new(tidy, rt ? json_stringn(t, (size_t)(rt - t)) : json_incref(line));
    }
    json_decref(lines);
    const char *first = json_string_value(json_array_get(tidy, 0));
    const char *by = first ? strstr(first, ": by ") : NULL;
    if (!where[0] && by && strncmp(first, "cell[", 5) == 0)
        snprintf(where, sizeof where, " in code of an earlier cell, called at %.*s",
                 (int)(by - first), first);
    snprintf(evalue, sizeof evalue, "%s%s; the session is as it was before this cell",
             c->leave_what, where);
    fail_with_report(c->leave_ename, evalue, tidy);
}
