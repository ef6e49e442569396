/* compile_tcc.c — libtcc backend (see compile_tcc.h).
 *
 * Cells are compiled with -g because libtcc's run-time error reporting needs
 * the line tables: with them a segfault prints the cell's own line and the
 * chain of callers.  Beware: libtcc of this vintage writes nothing to stdout
 * but calls exit() nowhere either; errors only come through the callback.
 */
#include "compile_tcc.h"

#include <dlfcn.h>
#include <libtcc.h>
#include <malloc.h>
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

/* A state with the session's options, nothing compiled yet. */
static TCCState *new_state(const compile_options *opt, strbuf *diag)
{
    TCCState *s = tcc_new();
    if (!s)
        return NULL;
    tcc_set_lib_path(s, opt->tcc_libdir ? opt->tcc_libdir : CHALK_TCC_LIBDIR);
    tcc_set_error_func(s, diag, on_diagnostic);
    tcc_set_options(s, "-g -Wall -Wno-unused-function");
    if (opt->cflags && *opt->cflags)
        tcc_set_options(s, opt->cflags);
    if (opt->include_path && *opt->include_path) {
        char *copy = strdup(opt->include_path);
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
            tcc_add_include_path(s, d);
        free(copy);
    }
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    return s;
}

/* The state the next cell compiles in, made while its process waits
 * (compile_tcc_ahead): tcc_new and the options (some 70 predefined macros
 * printed into a buffer, the option parser) are then off the cell's time.
 * Not with %cflags: libtcc exits the process on an option it does not know,
 * which must end the cell that has them (as "the cell called _exit(1)"), not
 * the process waiting for the next one.  Only a state whose making said
 * nothing is used, and for the options it was made with. */
static TCCState *ahead;
static char *ahead_key;

/* The options as one string ("" never equals a NULL's "\1"). */
static char *options_key(const compile_options *opt)
{
    strbuf k = { 0 };
    const char *parts[3] = { opt->tcc_libdir, opt->include_path, opt->cflags };
    for (int i = 0; i < 3; i++) {
        strbuf_add(&k, parts[i] ? parts[i] : "\1");
        strbuf_addn(&k, "\n", 1);
    }
    return k.s;
}

static void drop_ahead(void)
{
    if (ahead)
        tcc_delete(ahead);
    ahead = NULL;
    free(ahead_key);
    ahead_key = NULL;
}

void compile_tcc_ahead(const compile_options *opt)
{
    drop_ahead();
    if (!opt || (opt->cflags && *opt->cflags))
        return;
    strbuf said = { 0 };
    ahead = new_state(opt, &said);
    if (ahead && said.len)
        drop_ahead();
    else if (ahead)
        ahead_key = options_key(opt);
    strbuf_free(&said);
}

void *compile_unit(const char *source, const compile_options *opt, const compile_symbol *syms,
                   size_t nsyms, strbuf *diag)
{
    TCCState *s = NULL;
    if (ahead) {
        char *key = options_key(opt);
        if (key && ahead_key && !strcmp(key, ahead_key)) {
            s = ahead;
            ahead = NULL;
            tcc_set_error_func(s, diag, on_diagnostic);
        }
        free(key);
        drop_ahead();
    }
    if (!s)
        s = new_state(opt, diag);
    if (!s) {
        strbuf_add(diag, "libtcc: out of memory\n");
        return NULL;
    }
    if (tcc_compile_string(s, source) < 0 || add_ldflags(s, opt->ldflags, diag) < 0) {
        tcc_delete(s);
        return NULL;
    }
    for (size_t i = 0; i < nsyms; i++)
        tcc_add_symbol(s, syms[i].name, syms[i].addr);
    return s;
}

/* ---- the C library, resolved once ----
 *
 * Relocating a state adds the C library (tcc_add_runtime in tccelf.c calls
 * tcc_add_library_err(s, "c")): libtcc finds libc.so, which is glibc's GNU
 * ld script, reads it one byte per read() (about 300 system calls, 0.1-0.2
 * ms of every cell) and adds the files it names (libc.so.6, loaded in the
 * executor already, and libc_nonshared.a, whose pthread_atfork a cell may
 * call).  So the first state of a process lineage does all of that while
 * the files the script makes it add are noted (tccelf.o's ld-script code
 * calls tcc_add_file_internal in libtcc.o, a call the link wraps as it
 * wraps tcc_free), and later states add those files directly, with the
 * same flags: no script is read again.  A noted call that failed, or none
 * noted (a libtcc laid out otherwise), and every state asks libtcc.  The
 * notes are statics, inherited by every later holder.
 *
 * Of the files noted, a shared object this process has loaded already
 * (libc.so.6, which the executor links) is not added again: for
 * a state that runs in memory libtcc only dlopen()s it, and resolves the
 * unit's symbols with dlsym(RTLD_DEFAULT), which finds them without it;
 * adding it opens and reads the file on every cell.  Archives
 * (libc_nonshared.a) are added, since they lend their objects to the
 * unit. */
int __real_tcc_add_library_err(TCCState *s, const char *name);
int __wrap_tcc_add_library_err(TCCState *s, const char *name);
int __real_tcc_add_file_internal(TCCState *s, const char *file, int flags);
int __wrap_tcc_add_file_internal(TCCState *s, const char *file, int flags);

#define LIBC_FILES 8
static struct {
    char *file;
    int flags;
    int loaded; /* a shared object already in this process */
} libc_files[LIBC_FILES];
static int nlibc_files;
static int libc_state = -1; /* -1 not resolved yet, 0 ask libtcc, 1 add the files */
static int noting;          /* while libtcc resolves "c" */

int __wrap_tcc_add_file_internal(TCCState *s, const char *file, int flags)
{
    int rc = __real_tcc_add_file_internal(s, file, flags);
    if (!noting)
        return rc;
    if (rc != 0 || nlibc_files == LIBC_FILES) {
        noting = -1; /* the script took another path: do not replay it */
        return rc;
    }
    for (int i = 0; i < nlibc_files; i++) /* a GROUP adds its files again */
        if (!strcmp(libc_files[i].file, file) && libc_files[i].flags == flags)
            return rc;
    libc_files[nlibc_files].file = strdup(file);
    libc_files[nlibc_files].flags = flags;
    /* RTLD_NOLOAD: loads nothing, and finds no archive; the reference it
     * takes is kept, so the object stays for the session. */
    libc_files[nlibc_files].loaded = dlopen(file, RTLD_LAZY | RTLD_NOLOAD) != NULL;
    if (libc_files[nlibc_files].file)
        nlibc_files++;
    else
        noting = -1;
    return rc;
}

int __wrap_tcc_add_library_err(TCCState *s, const char *name)
{
    if (strcmp(name, "c") != 0 || libc_state == 0)
        return __real_tcc_add_library_err(s, name);
    if (libc_state == 1) {
        for (int i = 0; i < nlibc_files; i++)
            if (!libc_files[i].loaded &&
                __real_tcc_add_file_internal(s, libc_files[i].file, libc_files[i].flags) != 0)
                return __real_tcc_add_library_err(s, name); /* it says why */
        return 0;
    }
    noting = 1;
    int rc = __real_tcc_add_library_err(s, name);
    libc_state = rc == 0 && noting == 1 && nlibc_files > 0;
    noting = 0;
    return rc;
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

const compile_backend compile_backend_tcc = { "tcc", compile_unit, compile_run,
                                              compile_symbol_addr };

/* ---- keeping a unit's image, not its compiler state ----
 *
 * tcc_run() copies the relocated code and data into one block it mallocs
 * (tccrun.c, tcc_relocate) and frees it with the state.  A cell's state
 * (sections, symbol and line tables) is many times its image, and the
 * session needs only the image: its functions and variables.  The executor
 * is linked with -Wl,--wrap=tcc_free (a link without it fails on
 * __real_tcc_free), so the frees of a static libtcc.a's objects (tccrun.o's
 * tcc_run_free calls tcc_free in libtcc.o) pass through here, and while a
 * state is deleted the one block holding its main() is kept.  A libtcc
 * whose objects call tcc_free inside one shared object would bypass the
 * wrap: a throwaway unit proves the wrap works before any cell's image is
 * trusted to it, and without it states are kept whole, as before. */
void __real_tcc_free(void *ptr);
void __wrap_tcc_free(void *ptr);

static const char *keep_inside; /* an address in the block to keep */
static void *kept;              /* that block, once seen */

void __wrap_tcc_free(void *ptr)
{
    if (ptr && keep_inside) {
        size_t n = malloc_usable_size(ptr);
        if (keep_inside >= (const char *)ptr && keep_inside < (const char *)ptr + n) {
            kept = ptr;
            return;
        }
        /* The state's section tables hold the image's addresses: left in
         * free heap chunks they would look like pointers to images.c. */
        memset(ptr, 0, n);
    }
    __real_tcc_free(ptr);
}

static void *delete_keeping(void *unit, const char *inside)
{
    keep_inside = inside;
    kept = NULL;
    tcc_delete(unit);
    keep_inside = NULL;
    return kept;
}

/* 1 if deleting a run unit keeps its image (see above); tried once. */
static int wrap_works(const compile_options *opt)
{
    static int known = -1;
    if (known >= 0)
        return known;
    known = 0;
    TCCState *s = tcc_new();
    if (!s)
        return 0;
    tcc_set_lib_path(s, opt->tcc_libdir ? opt->tcc_libdir : CHALK_TCC_LIBDIR);
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    const char *inside;
    if (tcc_compile_string(s, "int chalk_probe(void) { return 42; }") < 0 ||
        tcc_relocate(s, TCC_RELOCATE_AUTO) < 0 || !(inside = tcc_get_symbol(s, "chalk_probe"))) {
        tcc_delete(s);
        return 0;
    }
    void *block = delete_keeping(s, inside);
    if (block) {
        known = ((int (*)(void))inside)() == 42;
        __real_tcc_free(block);
        kept = NULL;
    }
    return known;
}

int compile_keep_image(void *unit, const compile_options *opt, compile_image *out)
{
    *out = (compile_image){ NULL, 0 };
    const char *inside = tcc_get_symbol(unit, "main");
    if (!inside || !wrap_works(opt))
        return -1;
    void *block = delete_keeping(unit, inside);
    if (!block)
        abort(); /* the probe said the wrap works: the image is gone */
    kept = NULL; /* no pointer of ours to it outside the session */
    out->start = block;
    /* What malloc_usable_size counts includes the next chunk's first word
     * (its prev_size), where glibc's free lists point; libtcc's block ends
     * in alignment slack (at least 63 bytes) anyway. */
    out->size = malloc_usable_size(block) - sizeof(size_t);
    return 0;
}

void compile_free_image(compile_image *img)
{
    if (img->start)
        __real_tcc_free(img->start);
    *img = (compile_image){ NULL, 0 };
}
