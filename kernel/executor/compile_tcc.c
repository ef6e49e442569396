/* compile_tcc.c — libtcc backend (see compile_tcc.h).
 *
 * Cells are compiled with -g because libtcc's run-time error reporting needs
 * the line tables: with them a segfault prints the cell's own line and the
 * chain of callers.  Beware: libtcc of this vintage writes nothing to stdout
 * but calls exit() nowhere either; errors only come through the callback.
 */
#include "compile_tcc.h"

#include <libtcc.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void on_diagnostic(void *opaque, const char *msg)
{
    strbuf *diag = opaque;
    strbuf_add(diag, msg);
    strbuf_add(diag, "\n");
}

/* Apply `-L dir`, `-lname` options one by one: tcc_set_options would accept
 * them too, but only tcc_add_library reports a missing library. */
static int add_ldflags(TCCState *s, const char *ldflags, strbuf *diag)
{
    if (!ldflags)
        return 0;
    char *copy = strdup(ldflags);
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        if (strncmp(tok, "-L", 2) == 0 && tok[2])
            tcc_add_library_path(s, tok + 2);
        else if (strncmp(tok, "-l", 2) == 0 && tok[2]) {
            if (tcc_add_library(s, tok + 2) < 0) {
                strbuf_addf(diag, "%%ldflags: library '%s' not found\n", tok + 2);
                rc = -1;
            }
        } else if (tok[0] != '-') {
            if (tcc_add_file(s, tok) < 0) {
                strbuf_addf(diag, "%%ldflags: cannot load '%s'\n", tok);
                rc = -1;
            }
        }
    }
    free(copy);
    return rc;
}

void *compile_unit(const char *source, const compile_options *opt,
                   const compile_symbol *syms, size_t nsyms, strbuf *diag)
{
    TCCState *s = tcc_new();
    if (!s) {
        strbuf_add(diag, "libtcc: out of memory\n");
        return NULL;
    }
    tcc_set_lib_path(s, opt->tcc_libdir ? opt->tcc_libdir : CHALK_TCC_LIBDIR);
    tcc_set_error_func(s, diag, on_diagnostic);
    tcc_set_options(s, "-g -Wall -Wno-unused-function");
    if (opt->cflags && *opt->cflags)
        tcc_set_options(s, opt->cflags);
    if (opt->include_path && *opt->include_path) {
        char *copy = strdup(opt->include_path);
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d;
             d = strtok_r(NULL, ":", &save))
            tcc_add_include_path(s, d);
        free(copy);
    }
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    if (tcc_compile_string(s, source) < 0 || add_ldflags(s, opt->ldflags, diag) < 0) {
        tcc_delete(s);
        return NULL;
    }
    for (size_t i = 0; i < nsyms; i++)
        tcc_add_symbol(s, syms[i].name, syms[i].addr);
    return s;
}

/* Linking happens inside tcc_run() (it relocates the unit itself, and a
 * second tcc_relocate() would copy the code again), so an undefined symbol
 * is only known when the diagnostics callback reports an error there. */
int compile_run(void *unit, strbuf *diag, int *link_failed)
{
    size_t before = diag->len;
    int rc = tcc_run(unit, 0, NULL);
    *link_failed = rc == -1 && diag->len > before && strstr(diag->s + before, "error");
    return rc;
}

void *compile_symbol_addr(void *unit, const char *name)
{
    return tcc_get_symbol(unit, name);
}

const char *compile_backend_version(void)
{
    return "tcc " CHALK_TCC_VERSION;
}

const compile_backend compile_backend_tcc = { "tcc", compile_unit, compile_run, compile_symbol_addr };
