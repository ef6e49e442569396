/* magics.c — the holder's magics (see magics.h).
 *
 * Allocations abort when memory runs out (alloc.h): a holder that cannot
 * copy a line of text has nothing left to answer with.
 */
#define _GNU_SOURCE
#include "magics.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "magic_syntax.h"

static int is_blank(const char *p)
{
    for (; *p; p++)
        if (!isspace((unsigned char)*p))
            return 0;
    return 1;
}

int magics_timeit_code(const char *code, char **timed)
{
    const char *pos = code;
    int line = 1;
    magic_line m;
    *timed = NULL;
    if (!magic_syntax_next(&pos, &line, &m) || !magic_syntax_is(&m, "timeit"))
        return 0;
    if (m.cell_magic) {
        /* Keep the line count so cell[N]:line still points at the cell. */
        size_t skipped = (size_t)m.line - 1;
        const char *after = *m.end ? m.end + 1 : m.end;
        size_t n = strlen(after);
        char *out = alloc_resize(NULL, skipped + 2 + n);
        memset(out, '\n', skipped + 1);
        memcpy(out + skipped + 1, after, n + 1);
        *timed = out;
        return 1;
    }
    /* `%timeit` alone on its line is no timing (nothing to time). */
    if (m.name[m.namelen] != ' ' && m.name[m.namelen] != '\t')
        return 0;
    if (*m.end && !is_blank(m.end)) {
        /* Only the statement on the line is timed, as in IPython. */
        fprintf(stderr, "[chalk] %%timeit times the statement on its own line; "
                        "use %%%%timeit for the whole cell\n");
    }
    *timed = alloc_strndup(m.arg, m.arglen);
    return 1;
}

/* Run `pkg-config --cflags NAME` (or --libs) and append its output. */
static int pkg_config(const char *what, const char *name, strbuf *out, char *err, size_t errlen)
{
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._+-", *c)) {
            snprintf(err, errlen, "'%s' is not a pkg-config package name", name);
            return -1;
        }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pkg-config %s %s 2>/dev/null", what, name);
    FILE *f = popen(cmd, "r");
    char line[4096] = "";
    size_t n = f ? fread(line, 1, sizeof line - 1, f) : 0;
    int status = f ? pclose(f) : -1;
    line[n] = 0;
    if (status != 0) {
        snprintf(err, errlen, "pkg-config does not know the package '%s'", name);
        return -1;
    }
    line[strcspn(line, "\n")] = 0;
    strbuf_add(out, " ");
    strbuf_add(out, line);
    return 0;
}

static int flags_magic(char **slot, const char *what, const char *arg, char *err, size_t errlen)
{
    if (!*arg) {
        printf("%s\n", *slot ? *slot : "(none)");
        return 0;
    }
    strbuf b = { 0 };
    strbuf_add(&b, *slot ? *slot : "");
    char *copy = alloc_strdup(arg);
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok && rc == 0;
         tok = strtok_r(NULL, " \t", &save)) {
        if (tok[0] == '-' || tok[0] == '/') {
            strbuf_add(&b, " ");
            strbuf_add(&b, tok);
        } else {
            rc = pkg_config(what, tok, &b, err, errlen);
        }
    }
    free(copy);
    if (rc == 0) {
        free(*slot);
        *slot = strbuf_take(&b);
        printf("%s\n", *slot);
    }
    strbuf_free(&b);
    return rc;
}

static void print_amount(const char *name, double v, const char *unit)
{
    if (v <= 0)
        printf("  %-8s unlimited\n", name);
    else if (unit[0] == 'B' && v >= 1 << 20)
        printf("  %-8s %.4g MiB\n", name, v / (1 << 20));
    else
        printf("  %-8s %.4g %s\n", name, v, unit);
}

static int limits_magic(holder_state *st, const char *arg, char *err, size_t errlen)
{
    /* All or nothing: a bad pair leaves every limit as it was. */
    executor_limits l = st->limits;
    const executor_limits *ceil = &st->cfg.ceiling;
    char *copy = alloc_strdup(arg);
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok && rc == 0;
         tok = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(tok, '=');
        double v = eq ? executor_parse_amount(eq + 1) : -1;
        if (eq)
            *eq = 0;
        if (v < 0) {
            snprintf(err, errlen,
                     "%%limits takes name=value pairs (cpu=60 wall=60 memory=2G "
                     "procs=64 fsize=100M output=1M); got '%s'",
                     tok);
            rc = -1;
        } else if (executor_limit_set(&l, tok, v) < 0) {
            snprintf(err, errlen,
                     "%%limits: unknown limit '%s' (cpu, wall, memory, procs, "
                     "fsize, output)",
                     tok);
            rc = -1;
        } else {
            /* The kernel's --limits (a grader's) are ceilings. */
            double c = executor_limit_get(ceil, tok);
            if (c > 0 && (v == 0 || v > c)) {
                snprintf(err, errlen,
                         "%%limits: %s=%s is above the ceiling of %.4g set on the "
                         "kernel's command line (--limits); %%limits can lower a limit, not "
                         "raise it",
                         tok, eq + 1, c);
                rc = -1;
            }
        }
    }
    free(copy);
    if (rc == 0) {
        st->limits = l;
        printf("Limits for each cell:\n");
        print_amount("cpu", l.cpu_seconds, "s");
        print_amount("wall", l.wall_seconds, "s");
        print_amount("memory", (double)l.memory_bytes, "B");
        print_amount("procs", (double)l.processes, "");
        print_amount("fsize", (double)l.file_bytes, "B");
        print_amount("output", (double)l.output_bytes, "B");
        holder_reply("limits", json_pack("{s:I}", "output_bytes", (json_int_t)l.output_bytes));
    }
    return rc;
}

static void who_magic(holder_state *st)
{
    size_t n;
    decl_store_name *names = decl_store_names(st->store, &n);
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i].kind, "variable") && strcmp(names[i].kind, "function"))
            continue;
        if (!any)
            printf("%-20s %-9s %s\n", "Name", "Kind", "Declaration");
        any = 1;
        printf("%-20s %-9s %s\n", names[i].name, names[i].kind, names[i].decl);
    }
    if (!any)
        printf("Nothing defined yet.\n");
    free(names);
}

static const char help_text[] =
    "chalk magics (at the top of a cell):\n"
    "  %timeit STATEMENT     time a statement (IPython-style: runs, loops, mean ± std)\n"
    "  %%timeit              time the rest of the cell\n"
    "  %%cc [FLAGS]          compile the cell with the system C compiler (optimised)\n"
    "  %cc on|off            every cell through the system C compiler, or back to tcc\n"
    "  %cflags [FLAGS|PKG]   add compiler flags (-I, -D, or pkg-config package names)\n"
    "  %ldflags [FLAGS|PKG]  add libraries (-L, -lNAME, or pkg-config package names)\n"
    "  %limits [k=v ...]     per-cell limits: cpu=SECONDS wall=SECONDS memory=SIZE procs=N "
    "fsize=SIZE output=SIZE\n"
    "  %who                  variables and functions the session holds\n"
    "  %reset                forget every cell\n"
    "  %prelude on|off       include chalk.h and the common headers in every cell (default on)\n"
    "  %help                 this text\n";

/* One magic line; returns 0 or -1 with err. */
static int run_one(holder_state *st, const char *name, size_t namelen, const char *arg, char *err,
                   size_t errlen)
{
#define IS(s) (namelen == strlen(s) && strncmp(name, s, namelen) == 0)
    if (IS("cflags"))
        return flags_magic(&st->cflags, "--cflags", arg, err, errlen);
    if (IS("ldflags"))
        return flags_magic(&st->ldflags, "--libs", arg, err, errlen);
    if (IS("limits"))
        return limits_magic(st, arg, err, errlen);
    if (IS("who")) {
        who_magic(st);
        return 0;
    }
    if (IS("reset")) {
        decl_store_reset(st->store);
        holder_reply("reset", json_object());
        printf("Session reset: every earlier cell is forgotten.\n");
        return 0;
    }
    if (IS("prelude")) {
        if (strcmp(arg, "on") && strcmp(arg, "off")) {
            snprintf(err, errlen,
                     "%%prelude on|off (off: cells include what they need "
                     "themselves; either way the session is reset)");
            return -1;
        }
        decl_store_destroy(&st->store);
        st->store = decl_store_new(strcmp(arg, "on") == 0 ? st->cfg.prelude : "",
                                   st->flatten_options);
        decl_store_set_index_files(st->store, st->cfg.header_index);
        holder_reply("reset", json_object());
        printf("Session reset; the prelude is %s.\n", arg);
        return 0;
    }
    if (IS("cc")) {
        /* every later cell as a %%cc cell (compile_cc.c) */
        if (strcmp(arg, "on") && strcmp(arg, "off")) {
            snprintf(err, errlen,
                     "%%cc on|off (on: every cell is compiled by the system C "
                     "compiler, as a %%%%cc cell is; now %s)",
                     st->cc_all ? "on" : "off");
            return -1;
        }
        st->cc_all = !strcmp(arg, "on");
        printf(st->cc_all ? "Every cell is compiled by the system C compiler from now on.\n"
                          : "Cells are compiled by tcc again (%%%%cc cells by the system C "
                            "compiler).\n");
        return 0;
    }
    if (IS("help") || IS("magic")) {
        fputs(help_text, stdout);
        return 0;
    }
#undef IS
    snprintf(err, errlen,
             "unknown magic %%%.*s (try %%help: timeit, cflags, ldflags, limits, "
             "who, reset)",
             (int)namelen, name);
    return -1;
}

/* A bare `exit` or `quit` is what a console user types to leave (its help
 * says so); as C it would only show the address of exit().  Answer it the way
 * IPython does, with an ask_exit payload the front end acts on. */
static int is_exit_request(const char *code)
{
    while (isspace((unsigned char)*code))
        code++;
    size_t n = strlen(code);
    while (n && isspace((unsigned char)code[n - 1]))
        n--;
    return (n == 4 && strncmp(code, "exit", 4) == 0) || (n == 4 && strncmp(code, "quit", 4) == 0);
}

int magics_for_holder(const char *code)
{
    if (is_exit_request(code))
        return 1;
    const char *pos = code;
    int line = 1;
    magic_line m;
    /* as magics_run_in_holder: it stops at the first cell magic or %timeit */
    return magic_syntax_next(&pos, &line, &m) && !m.cell_magic && !magic_syntax_is(&m, "timeit");
}

int magics_run_in_holder(holder_state *st, const char *code, char **rest)
{
    *rest = NULL;
    if (is_exit_request(code)) {
        holder_done("ok", NULL, NULL,
                    json_pack("{s:[{s:s, s:b}]}", "payload", "source", "ask_exit", "keepkernel",
                              0));
        return 0;
    }
    char *out = alloc_strdup(code);
    const char *pos = out;
    int line = 1, ran = 0;
    magic_line m;
    while (magic_syntax_next(&pos, &line, &m)) {
        if (m.cell_magic || magic_syntax_is(&m, "timeit"))
            break; /* the child runs (or refuses) it */
        char *arg = alloc_strndup(m.arg, m.arglen);
        char err[512];
        int rc = run_one(st, m.name, m.namelen, arg, err, sizeof err);
        free(arg);
        fflush(stdout);
        if (rc < 0) {
            holder_error("UsageError", err, NULL);
            free(out);
            return -1;
        }
        ran = 1;
        memset(out + (m.start - out), ' ', (size_t)(m.end - m.start));
    }
    if (ran && is_blank(out)) {
        free(out);
        holder_done("ok", NULL, NULL, NULL);
        return 0;
    }
    *rest = out;
    return 0;
}
