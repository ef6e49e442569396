/* executor_config.c — the executor's settings: defaults, then the
 * environment (see executor.h).  Both programs read them: the kernel for the
 * output cap and the editor's prelude, the executor for everything else.
 */
#include "executor.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "decl_store.h"

static double amount_suffix(char c)
{
    switch (c) {
    case 'k':
    case 'K': return 1024.0;
    case 'm':
    case 'M': return 1024.0 * 1024;
    case 'g':
    case 'G': return 1024.0 * 1024 * 1024;
    case 't':
    case 'T': return 1024.0 * 1024 * 1024 * 1024;
    case 's': return 1;
    default: return 0;
    }
}

double executor_parse_amount(const char *s)
{
    if (!s || !*s)
        return -1;
    if (strcmp(s, "none") == 0 || strcmp(s, "unlimited") == 0)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || !isfinite(v))
        return -1;
    if (*end) {
        double mul = amount_suffix(*end);
        if (mul == 0 || (end[1] && !(end[1] == 'B' || end[1] == 'b' || end[1] == 'i')))
            return -1;
        v *= mul;
    }
    /* Callers convert to size_t and long: a larger value (1e300) would be
     * undefined behaviour there, and no limit is meant that big. */
    if (v > 0x1p62)
        return -1;
    return v;
}

static void env_amount(const char *name, double *out)
{
    const char *v = getenv(name);
    if (!v)
        return;
    double a = executor_parse_amount(v);
    if (a >= 0)
        *out = a;
    else
        fprintf(stderr, "chalk: ignoring %s=%s (not an amount)\n", name, v);
}

void executor_config_defaults(executor_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->prelude = getenv("CHALK_PRELUDE");
    if (!cfg->prelude)
        cfg->prelude = DECL_STORE_DEFAULT_PRELUDE;
    cfg->include_path = getenv("CHALK_INCLUDE_PATH");
    if (!cfg->include_path)
        cfg->include_path = CHALK_INCLUDEDIR ":" CHALK_CC_INCLUDEDIR; /* chalk.h; omp.h */
    /* The installed index, then the build tree's (an uninstalled kernel and
     * `make check`): each is used only if made for this very executable. */
    cfg->header_index = getenv("CHALK_HEADER_INDEX");
#ifdef CHALK_HEADER_INDEX_FILES
    if (!cfg->header_index)
        cfg->header_index = CHALK_HEADER_INDEX_FILES;
#endif
    if (!cfg->header_index)
        cfg->header_index = "";
    cfg->tcc_libdir = getenv("CHALK_TCC_LIBDIR");
    if (!cfg->tcc_libdir)
        cfg->tcc_libdir = CHALK_TCC_LIBDIR;
    /* Generous defaults: they exist to stop a runaway cell, not to ration. */
    double cpu = 600, wall = 0, mem = 8.0 * (1 << 30), procs = 512, fsize = 4.0 * (1 << 30),
           out = 4 << 20;
    env_amount("CHALK_LIMIT_CPU", &cpu);
    /* Off by default: an interactive cell may wait for its user.  Graders
     * set it (CHALK_LIMIT_WALL, or --limits wall=S on the command line). */
    env_amount("CHALK_LIMIT_WALL", &wall);
    env_amount("CHALK_LIMIT_MEMORY", &mem);
    env_amount("CHALK_LIMIT_PROCS", &procs);
    env_amount("CHALK_LIMIT_FSIZE", &fsize);
    env_amount("CHALK_LIMIT_OUTPUT", &out);
    cfg->limits.cpu_seconds = cpu;
    cfg->limits.wall_seconds = wall;
    cfg->limits.memory_bytes = (size_t)mem;
    cfg->limits.processes = (long)procs;
    cfg->limits.file_bytes = (size_t)fsize;
    cfg->limits.output_bytes = (size_t)out;
}

/* ---- limits by name, and the command line's ceilings ---- */

int executor_limit_set(executor_limits *l, const char *name, double v)
{
    if (strcmp(name, "cpu") == 0)
        l->cpu_seconds = v;
    else if (strcmp(name, "wall") == 0)
        l->wall_seconds = v;
    else if (strcmp(name, "memory") == 0 || strcmp(name, "mem") == 0)
        l->memory_bytes = (size_t)v;
    else if (strcmp(name, "procs") == 0 || strcmp(name, "processes") == 0)
        l->processes = (long)v;
    else if (strcmp(name, "fsize") == 0)
        l->file_bytes = (size_t)v;
    else if (strcmp(name, "output") == 0)
        l->output_bytes = (size_t)v;
    else
        return -1;
    return 0;
}

double executor_limit_get(const executor_limits *l, const char *name)
{
    if (strcmp(name, "cpu") == 0)
        return l->cpu_seconds;
    if (strcmp(name, "wall") == 0)
        return l->wall_seconds;
    if (strcmp(name, "memory") == 0 || strcmp(name, "mem") == 0)
        return (double)l->memory_bytes;
    if (strcmp(name, "procs") == 0 || strcmp(name, "processes") == 0)
        return (double)l->processes;
    if (strcmp(name, "fsize") == 0)
        return (double)l->file_bytes;
    if (strcmp(name, "output") == 0)
        return (double)l->output_bytes;
    return 0;
}

int executor_apply_ceilings(const char *spec, executor_limits *ceiling, executor_limits *limits,
                            char *err, size_t errlen)
{
    char *copy = strdup(spec ? spec : "");
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ", \t", &save); tok && rc == 0;
         tok = strtok_r(NULL, ", \t", &save)) {
        char *eq = strchr(tok, '=');
        double v = eq ? executor_parse_amount(eq + 1) : -1;
        if (eq)
            *eq = 0;
        if (v <= 0) {
            /* A ceiling of "none" would be no ceiling: refuse it rather
             * than let a typo leave a grader without one. */
            snprintf(err, errlen,
                     "--limits takes name=amount pairs with amounts above 0, "
                     "e.g. wall=60,cpu=60,memory=2G; got '%s%s%s'",
                     tok, eq ? "=" : "", eq ? eq + 1 : "");
            rc = -1;
        } else if (executor_limit_set(ceiling, tok, v) < 0) {
            snprintf(err, errlen,
                     "--limits: unknown limit '%s' (cpu, wall, memory, procs, "
                     "fsize, output)",
                     tok);
            rc = -1;
        } else {
            double cur = executor_limit_get(limits, tok);
            if (cur == 0 || cur > v)
                executor_limit_set(limits, tok, v);
        }
    }
    free(copy);
    return rc;
}
