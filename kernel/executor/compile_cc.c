/* compile_cc.c — the system C compiler as a backend: a `%%cc [FLAGS]` cell
 * (see compile.h).
 *
 * The unit is the text a libtcc cell gets (the session's declarations, the
 * flattened headers, the cell under #line "cell[K]"), compiled by CHALK_CC
 * (configure: gcc, cc or clang) with -fPIC into an object that is cached by
 * a hash of the text, the flags and the compiler binary, then linked per run
 * into a shared object and dlopen'ed in the cell's child.
 *
 * Earlier cells' code and data live in libtcc-relocated memory that the
 * dynamic loader cannot see.  The link gives each of them (and the run-time
 * functions of cellrt/cellshow, statics of this executor) an absolute symbol
 * with its address: the object's references are renamed to
 * `__chalk_s_NAME` first (objcopy), so no library symbol of the same name
 * can take their place in the dynamic loader's global scope, and those
 * symbols stay in a --dynamic-list: everything else the cell defines binds
 * inside the object.  Beware: ld turns a reference to a *hidden* absolute
 * symbol into a base-relative one (a wrong address after loading), which is
 * why they are dynamic and resolved by glibc (>= 2.28 reads SHN_ABS right).
 *
 * The cell's own definitions are compiled hidden (-fvisibility=hidden):
 * exported, a global would be one any library might read or write, so gcc
 * would keep it in memory across every call (a generator's state reloaded
 * around each sin()); hidden, it stays in a register.  They are found in the
 * object's static symbol table (symbol_of), not with dlsym.
 *
 * The object cache (where, keyed how, bounded how) is cc_cache.c.  This
 * file stays above 600 lines because compiling, linking against the
 * session's addresses, reading the object's symbols and reporting a fault
 * in its code share the cc_unit and the tools' plumbing; each part alone
 * would export most of it.
 *
 * A fault in gcc-built code has no libtcc handler to report it: run() puts
 * its own behind the crash guard, which records the faulting pc and the
 * return addresses (backtrace(), unwinding through the signal frame),
 * jumps back out of the cell, and writes libtcc's report format with the
 * lines addr2line reads from the object's debug information.
 */
#define _GNU_SOURCE
#include "compile.h"
#include "cc_cache.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "config.h"

extern char **environ;

#ifndef CHALK_CC
#define CHALK_CC "cc"
#endif
#ifndef CHALK_CC_FLAGS
#define CHALK_CC_FLAGS "-O2 -march=native"
#endif
#ifndef CHALK_OBJCOPY
#define CHALK_OBJCOPY "objcopy"
#endif
#ifndef CHALK_ADDR2LINE
#define CHALK_ADDR2LINE "addr2line"
#endif

typedef struct cc_unit {
    char obj[2200];       /* the cached object */
    char *flags;          /* the cell's own FLAGS (also given to the link) */
    char *ldflags;        /* %ldflags */
    compile_symbol *syms; /* names owned by the session, alive until run ends */
    size_t nsyms;
    void *handle;
    int so_fd;        /* the linked object, its file already removed */
    int cell;         /* K of "cell[K]" (the object says "cell[]") */
    uintptr_t base;   /* where the loader put it */
    strbuf sym_names; /* read_symbols: the object's globals, */
    size_t *sym_offs; /*   names (offsets into sym_names) */
    void **sym_addrs; /*   and addresses */
    size_t nsym_addrs;
} cc_unit;

static const char *compiler(void)
{
    const char *cc = getenv("CHALK_CC");
    return cc && *cc ? cc : CHALK_CC;
}

/* ---- running a tool ---- */

/* argv[0] run with stdout and stderr into `out`, stdin from /dev/null and
 * LC_ALL=C (ASCII quotes in messages).  Its exit status, or -1 with a line
 * in out when it could not be started.  The tool dies with the cell's
 * process (an interrupt or a wall limit kills that one, and a compile of
 * many seconds must not run on for nobody). */
static int run_tool(char *const argv[], strbuf *out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        strbuf_addf(out, "error: pipe: %s\n", strerror(errno));
        return -1;
    }
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LC_", 3) && strncmp(environ[i], "LANG=", 5))
            env[k++] = environ[i];
    env[k++] = "LC_ALL=C";
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null > 0) {
            dup2(null, 0);
            close(null);
        }
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        signal(SIGINT, SIG_DFL);
        execvpe(argv[0], argv, env);
        dprintf(2, "error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    free(env);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        strbuf_addf(out, "error: cannot run %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    char buf[4096];
    ssize_t got;
    while ((got = read(fds[0], buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0)
            strbuf_addn(out, buf, (size_t)got);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(status)) {
        strbuf_addf(out, "error: %s killed by signal %d\n", argv[0], WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status);
}

typedef struct argv_buf {
    char **v;
    size_t n;
} argv_buf;

static void argv_add(argv_buf *a, const char *s)
{
    a->v = realloc(a->v, (a->n + 2) * sizeof *a->v);
    a->v[a->n++] = strdup(s);
    a->v[a->n] = NULL;
}

/* Words of `s` (blanks separate; no quoting: FLAGS are not a shell line). */
static void argv_split(argv_buf *a, const char *s)
{
    if (!s)
        return;
    char *copy = strdup(s);
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        argv_add(a, w);
    free(copy);
}

static void argv_free(argv_buf *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

static int write_file(const char *path, const char *text, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd);
}

static void read_file(const char *path, strbuf *out)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_addn(out, buf, n);
    fclose(f);
}

/* ---- diagnostics ---- */

/* The compiler's messages about the cell, in libtcc's order of words
 * (diagnose.c reads "cell[K]:L:C: error: ..."): its "In function" headings
 * and whatever it says of the generated code around the cell (<headers>,
 * <session>, <main>) are not the user's, unless that is an error. */
static void keep_messages(const char *text, strbuf *diag)
{
    static const char show[] = "error: incompatible type for argument 1 of '__chalk_show_ptr'";
    static const char note[] = "note: expected 'const void *' but argument is of type '";
    for (const char *p = text; p && *p;) {
        size_t n = strcspn(p, "\n");
        /* A trailing value of struct type: in libtcc's words, which tell
         * run_cell.c to compile the cell again showing its fields. */
        const char *e = memmem(p, n, show, sizeof show - 1);
        const char *next = p[n] ? p + n + 1 : NULL;
        const char *t = next ? strstr(next, note) : NULL;
        if (e && t && !memchr(next, '\n', (size_t)(t - next))) {
            t += sizeof note - 1;
            size_t tn = strcspn(t, "'\n");
            /* a typedef name: gcc adds the struct's own, "'P3' {aka 'struct named'}" */
            if (!strncmp(t + tn, "' {aka '", 8)) {
                t += tn + 8;
                tn = strcspn(t, "'\n");
            } else if (strncmp(t, "struct ", 7) && strncmp(t, "union ", 6)) {
                /* none: a struct without a tag, as libtcc names it */
                t = "struct <anonymous>";
                tn = strlen(t);
            }
            const char *col = memchr(p, ':', (size_t)(e - p));
            const char *lend = col ? memchr(col + 1, ':', (size_t)(e - col - 1)) : NULL;
            if (lend) {
                strbuf_addf(diag, "%.*s: error: cannot convert '%.*s' to 'const void *'\n",
                            (int)(lend - p), p, (int)tn, t);
                p = next + strcspn(next, "\n");
                p += *p == '\n';
                continue;
            }
        }
        int cell = n > 5 && !strncmp(p, "cell[", 5);
        int error = memmem(p, n, "error:", 6) != NULL;
        int heading = memmem(p, n, ": In function ", 14) || memmem(p, n, ": At top level:", 15) ||
                      memmem(p, n, ": In ", 5);
        int noise = memmem(p, n, "reported only once", 18) != NULL;
        if (n && !heading && !noise && (cell || error)) {
            strbuf_addn(diag, p, n);
            strbuf_add(diag, "\n");
        }
        p += n + (p[n] == '\n');
    }
}

/* The unit's text with its `#line N "cell[K]"` directives naming "cell[]":
 * re-running a cell gives it a new K, and the object must not change with
 * it.  *cell is K (0 if none). */
static char *without_cell_number(const char *source, int *cell)
{
    strbuf b = { 0 };
    /* the renames in front of the session's text: not the temporary file */
    strbuf_add(&b, "#line 1 \"<chalk>\"\n");
    *cell = 0;
    for (const char *p = source; *p;) {
        size_t n = strcspn(p, "\n");
        const char *q = n > 6 && !strncmp(p, "#line ", 6) ? memmem(p, n, "\"cell[", 6) : NULL;
        char *end;
        long k = q ? strtol(q + 6, &end, 10) : 0;
        if (q && k > 0 && *end == ']') {
            *cell = (int)k;
            strbuf_addn(&b, p, (size_t)(q - p));
            strbuf_add(&b, "\"cell[");
            strbuf_addn(&b, end, (size_t)(p + n - end));
        } else {
            strbuf_addn(&b, p, n);
        }
        if (p[n] == '\n')
            strbuf_add(&b, "\n");
        p += n + (p[n] == '\n');
    }
    return b.s ? strbuf_take(&b) : strdup("");
}

/* `text` with each "cell[]" naming cell `cell` again, appended to out. */
static void with_cell_number(const char *text, int cell, strbuf *out)
{
    for (const char *p = text; p && *p;) {
        const char *q = strstr(p, "cell[]");
        if (!q) {
            strbuf_add(out, p);
            break;
        }
        strbuf_addn(out, p, (size_t)(q - p));
        strbuf_addf(out, "cell[%d]", cell);
        p = q + 6;
    }
}

/* ---- compile ---- */

/* Options a cell may not give: they would change what the pipeline makes
 * of the object (chalk picks the output, the kind of object, the stage). */
static const char *refused_flag(const argv_buf *a)
{
    static const char *const bad[] = { "-o",          "-c",   "-S",  "-E",    "-shared",
                                       "-static",     "-M",   "-MM", "-MF",   "-MD",
                                       "-save-temps", "-###", "-v",  "--help" };
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
            if (!strcmp(a->v[i], bad[k]) || (!strcmp(bad[k], "-o") && !strncmp(a->v[i], "-o", 2)))
                return a->v[i];
    return NULL;
}

static void *cc_unit_new(const char *text, const compile_options *opt, const compile_symbol *syms,
                         size_t nsyms, strbuf *diag)
{
    int cell;
    char *source = without_cell_number(text, &cell);
    argv_buf user = { 0 };
    argv_split(&user, opt->cc_flags);
    const char *bad = refused_flag(&user);
    if (bad) {
        strbuf_addf(diag,
                    "error: %%%%cc: the option '%s' is chalk's own (it compiles to an "
                    "object and links it)\n",
                    bad);
        argv_free(&user);
        free(source);
        return NULL;
    }
    argv_buf a = { 0 };
    argv_add(&a, compiler());
    argv_split(&a, CHALK_CC_FLAGS);
    argv_add(&a, "-std=gnu11");
    argv_add(&a, "-g");
    argv_add(&a, "-Wall");
    argv_add(&a, "-Wno-unused-function");
    argv_split(&a, opt->cflags);
    for (size_t i = 0; i < user.n; i++)
        argv_add(&a, user.v[i]);
    argv_free(&user);
    /* after the user's: what makes the object loadable and its messages
     * readable by diagnose.c */
    static const char *const fixed[] = { "-fPIC", "-fno-semantic-interposition",
                                         "-fvisibility=hidden", "-fdiagnostics-color=never",
                                         "-fno-diagnostics-show-caret",
                                         "-fno-diagnostics-show-option",
                                         "-fdiagnostics-column-unit=byte",
                                         /* an error in a macro's expansion (exit is
                                          * one, cell_runtime_renames) at the cell's line */
                                         "-ftrack-macro-expansion=0", "-c" };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        argv_add(&a, fixed[i]);

    /* the key: the compiler binary (path, size, time, inode: a new version
     * is a new file), its options, the text, the processor */
    uint64_t h1 = 14695981039346656037ULL, h2 = 0x9e3779b97f4a7c15ULL;
    struct stat st;
    char *real = realpath(a.v[0][0] == '/' ? a.v[0] : "/proc/self/exe", NULL);
    if (a.v[0][0] != '/') {
        /* find it on PATH as posix_spawnp will */
        free(real);
        real = NULL;
        const char *path = getenv("PATH");
        char *copy = strdup(path ? path : "/usr/bin:/bin");
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d && !real;
             d = strtok_r(NULL, ":", &save)) {
            char cand[4096];
            snprintf(cand, sizeof cand, "%s/%s", d, a.v[0]);
            if (access(cand, X_OK) == 0)
                real = realpath(cand, NULL);
        }
        free(copy);
    }
    if (real && stat(real, &st) == 0) {
        long id[3] = { (long)st.st_size, (long)st.st_mtime, (long)st.st_ino };
        h1 = cc_cache_hash(h1, real, strlen(real));
        h1 = cc_cache_hash(h1, id, sizeof id);
    }
    free(real);
    for (size_t i = 0; i < a.n; i++) {
        h1 = cc_cache_hash(h1, a.v[i], strlen(a.v[i]) + 1);
        h2 = cc_cache_hash(h2, a.v[i], strlen(a.v[i]) + 1);
    }
    h1 = cc_cache_hash(h1, source, strlen(source));
    h2 = cc_cache_hash(h2, source, strlen(source));
    h1 = cc_cache_cpu(h1);

    cc_unit *u = calloc(1, sizeof *u);
    u->so_fd = -1;
    u->flags = opt->cc_flags ? strdup(opt->cc_flags) : NULL;
    u->ldflags = opt->ldflags ? strdup(opt->ldflags) : NULL;
    u->syms = malloc((nsyms ? nsyms : 1) * sizeof *syms);
    memcpy(u->syms, syms, nsyms * sizeof *syms);
    u->nsyms = nsyms;
    u->cell = cell;

    char dir[2048], log[2200], src[2200], tmp[2200];
    cc_cache_dir(dir, sizeof dir);
    if (!dir[0])
        snprintf(dir, sizeof dir, "/tmp");
    snprintf(u->obj, sizeof u->obj, "%s/%016llx%016llx.o", dir, (unsigned long long)h1,
             (unsigned long long)h2);
    snprintf(log, sizeof log, "%.*s.txt", (int)(strlen(u->obj) - 2), u->obj);
    if (access(u->obj, R_OK) == 0) {
        /* an unchanged cell in an unchanged session: its warnings again,
         * and the object is the most recently used (cache_prune) */
        utimensat(AT_FDCWD, log, NULL, 0);
        strbuf cached = { 0 };
        read_file(log, &cached);
        with_cell_number(cached.s, cell, diag);
        strbuf_free(&cached);
        argv_free(&a);
        free(source);
        if (getenv("CHALK_CC_VERBOSE"))
            fprintf(stderr, "[chalk] %%%%cc: cached %s\n", u->obj);
        return u;
    }
    snprintf(src, sizeof src, "%.*s.%ld.c", (int)(strlen(u->obj) - 2), u->obj, (long)getpid());
    snprintf(tmp, sizeof tmp, "%.*s.%ld.o", (int)(strlen(u->obj) - 2), u->obj, (long)getpid());
    argv_add(&a, "-o");
    argv_add(&a, tmp);
    argv_add(&a, src);
    strbuf out = { 0 };
    int rc = write_file(src, source, strlen(source)) < 0 ? -1 : run_tool(a.v, &out);
    unlink(src);
    argv_free(&a);
    free(source);
    strbuf kept = { 0 };
    keep_messages(out.s, &kept);
    if (rc != 0 && !(kept.s && strstr(kept.s, "error")))
        strbuf_addf(&kept, "error: %s failed%s%s\n", compiler(), out.s ? ": " : "",
                    out.s ? out.s : "");
    with_cell_number(kept.s, cell, diag);
    if (rc != 0) {
        unlink(tmp);
        strbuf_free(&out);
        strbuf_free(&kept);
        free(u->flags);
        free(u->ldflags);
        free(u->syms);
        free(u);
        return NULL;
    }
    /* the warnings first: an object without its log is never found */
    write_file(log, kept.s ? kept.s : "", kept.len);
    if (rename(tmp, u->obj) < 0)
        snprintf(u->obj, sizeof u->obj, "%s", tmp);
    cc_cache_prune(dir, strrchr(u->obj, '/') ? strrchr(u->obj, '/') + 1 : u->obj);
    if (getenv("CHALK_CC_VERBOSE"))
        fprintf(stderr, "[chalk] %%%%cc: compiled %s\n", u->obj);
    strbuf_free(&out);
    strbuf_free(&kept);
    return u;
}

/* The libraries the cell's object was linked with (libgomp for -fopenmp,
 * -lfftw3 ...) join the global scope, where later tcc cells find their
 * symbols (libtcc resolves with dlsym(RTLD_DEFAULT)): `omp_get_wtime()` in
 * a tcc cell after a `%%cc -fopenmp` one.  The object itself stays local
 * (see the top of this file); RTLD_NOLOAD only changes the scope of what
 * its loading already loaded. */
static void share_libraries(const struct link_map *lm)
{
    const char *strtab = NULL;
    for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_STRTAB)
            strtab = (const char *)d->d_un.d_ptr;
    if (!strtab)
        return;
    if ((ElfW(Addr))strtab < lm->l_addr)
        strtab += lm->l_addr; /* where the loader leaves .dynamic unrelocated */
    for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
        if (d->d_tag != DT_NEEDED)
            continue;
        void *h = dlopen(strtab + d->d_un.d_val, RTLD_LAZY | RTLD_NOLOAD | RTLD_GLOBAL);
        if (h)
            dlclose(h); /* the object's own reference keeps it loaded */
    }
}

/* The globals the object defines, from its static symbol table (.symtab:
 * hidden symbols are not in the dynamic one), read once from the loaded
 * object's file (so_fd) into u->sym_names / u->sym_addrs. */
static void read_symbols(cc_unit *u)
{
    struct stat st;
    if (u->so_fd < 0 || fstat(u->so_fd, &st) < 0 || (size_t)st.st_size < sizeof(Elf64_Ehdr))
        return;
    size_t size = (size_t)st.st_size;
    const unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, u->so_fd, 0);
    if (m == MAP_FAILED)
        return;
    const Elf64_Ehdr *eh = (const void *)m;
    if (!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
        eh->e_shoff && eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= size) {
        const Elf64_Shdr *sh = (const void *)(m + eh->e_shoff);
        for (size_t i = 0; i < eh->e_shnum; i++) {
            if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
                continue;
            const Elf64_Shdr *strs = &sh[sh[i].sh_link];
            if (sh[i].sh_offset + sh[i].sh_size > size || strs->sh_offset + strs->sh_size > size)
                continue;
            const Elf64_Sym *sym = (const void *)(m + sh[i].sh_offset);
            const char *str = (const char *)(m + strs->sh_offset);
            for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
                int type = ELF64_ST_TYPE(sym[k].st_info);
                /* the link made the hidden ones local: those count too */
                if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_shndx == SHN_ABS ||
                    (type != STT_FUNC && type != STT_OBJECT) || sym[k].st_name >= strs->sh_size ||
                    !memchr(str + sym[k].st_name, 0, strs->sh_size - sym[k].st_name))
                    continue;
                u->sym_addrs = realloc(u->sym_addrs, (u->nsym_addrs + 1) * sizeof *u->sym_addrs);
                u->sym_offs = realloc(u->sym_offs, (u->nsym_addrs + 1) * sizeof *u->sym_offs);
                u->sym_offs[u->nsym_addrs] = u->sym_names.len;
                u->sym_addrs[u->nsym_addrs++] = (void *)(u->base + sym[k].st_value);
                strbuf_addn(&u->sym_names, str + sym[k].st_name, strlen(str + sym[k].st_name) + 1);
            }
        }
    }
    munmap((void *)m, size);
}

static void *symbol_of(const cc_unit *u, const char *name)
{
    for (size_t i = 0; i < u->nsym_addrs; i++)
        if (!strcmp(u->sym_names.s + u->sym_offs[i], name))
            return u->sym_addrs[i];
    return NULL;
}

/* ---- link ---- */

static int is_plain_name(const char *s)
{
    if (!*s)
        return 0;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return 0;
    return 1;
}

/* The object with the session's symbols as absolute ones, linked and
 * loaded; 0, or -1 with a message in diag (undefined symbols as libtcc
 * names them, so that diagnose.c and abi_explain read them alike). */
static int cc_link(cc_unit *u, strbuf *diag)
{
    char dir[] = "/tmp/chalk-cc-XXXXXX";
    const char *tmpdir = getenv("TMPDIR");
    char dirbuf[4096];
    snprintf(dirbuf, sizeof dirbuf, "%s/chalk-cc-XXXXXX",
             tmpdir && *tmpdir == '/' ? tmpdir : "/tmp");
    char *d = mkdtemp(dirbuf);
    if (!d)
        d = mkdtemp(dir);
    if (!d) {
        strbuf_addf(diag, "error: %%%%cc: no temporary directory: %s\n", strerror(errno));
        return -1;
    }
    char ren[4200], script[4200], list[4200], obj[4200], so[4200];
    snprintf(ren, sizeof ren, "%s/renames", d);
    snprintf(script, sizeof script, "%s/symbols.ld", d);
    snprintf(list, sizeof list, "%s/dynamic.list", d);
    snprintf(obj, sizeof obj, "%s/cell.o", d);
    snprintf(so, sizeof so, "%s/cell.so", d);
    strbuf r = { 0 }, s = { 0 }, l = { 0 };
    strbuf_add(&l, "{ __chalk_s__none;\n");
    for (size_t i = 0; i < u->nsyms; i++) {
        if (!is_plain_name(u->syms[i].name))
            continue;
        strbuf_addf(&r, "%s __chalk_s_%s\n", u->syms[i].name, u->syms[i].name);
        strbuf_addf(&s, "__chalk_s_%s = 0x%llx;\n", u->syms[i].name,
                    (unsigned long long)(uintptr_t)u->syms[i].addr);
        strbuf_addf(&l, "  __chalk_s_%s;\n", u->syms[i].name);
    }
    strbuf_add(&l, "};\n");
    int rc = write_file(ren, r.s ? r.s : "", r.len) | write_file(script, s.s ? s.s : "", s.len) |
             write_file(list, l.s, l.len);
    strbuf_free(&r);
    strbuf_free(&s);
    strbuf_free(&l);
    strbuf out = { 0 };
    if (rc == 0) {
        char opt[4300];
        snprintf(opt, sizeof opt, "--redefine-syms=%s", ren);
        char *cp[] = { CHALK_OBJCOPY, opt, u->obj, obj, NULL };
        rc = run_tool(cp, &out);
    }
    if (rc == 0) {
        argv_buf a = { 0 };
        argv_add(&a, compiler());
        argv_add(&a, "-shared");
        argv_add(&a, "-o");
        argv_add(&a, so);
        argv_add(&a, obj);
        argv_add(&a, script);
        char opt[4300];
        snprintf(opt, sizeof opt, "-Wl,--dynamic-list=%s", list);
        argv_add(&a, opt);
        argv_split(&a, u->flags); /* -fopenmp and the like link a library */
        argv_split(&a, u->ldflags);
        rc = run_tool(a.v, &out);
        argv_free(&a);
    }
    if (rc == 0) {
        u->handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        if (!u->handle) {
            const char *e = dlerror();
            const char *undef = e ? strstr(e, "undefined symbol: ") : NULL;
            if (undef) {
                const char *name = undef + 18;
                size_t n = strcspn(name, " ,\n");
                if (n > 10 && !strncmp(name, "__chalk_s_", 10))
                    name += 10, n -= 10;
                strbuf_addf(diag, "tcc: error: undefined symbol '%.*s'\n", (int)n, name);
            } else {
                strbuf_addf(diag, "error: %%%%cc: %s\n", e ? e : "dlopen failed");
            }
            rc = -1;
        } else {
            u->so_fd = open(so, O_RDONLY | O_CLOEXEC);
            struct link_map *lm = NULL;
            if (dlinfo(u->handle, RTLD_DI_LINKMAP, &lm) == 0 && lm) {
                u->base = lm->l_addr;
                share_libraries(lm);
            }
            read_symbols(u);
        }
    } else if (out.s) {
        strbuf_addf(diag, "error: %%%%cc: the link failed: %s", out.s);
    }
    strbuf_free(&out);
    unlink(ren);
    unlink(script);
    unlink(list);
    unlink(obj);
    unlink(so);
    rmdir(d);
    return rc == 0 ? 0 : -1;
}

/* ---- run, and a fault's report ---- */

static sigjmp_buf cc_jump;
static volatile sig_atomic_t cc_active;
static void *cc_frames[64];
static int cc_nframes;
static void *cc_pc;

static void cc_on_fault(int sig, siginfo_t *si, void *uctx)
{
    (void)si;
    if (!cc_active) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    ucontext_t *uc = uctx;
#if defined(__x86_64__)
    cc_pc = (void *)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    cc_pc = (void *)uc->uc_mcontext.pc;
#else
    cc_pc = NULL;
    (void)uc;
#endif
    cc_nframes = backtrace(cc_frames, 64);
    cc_active = 0;
    siglongjmp(cc_jump, 1);
}

/* "cell[K]:L: at FN: RUNTIME ERROR: ..." and "cell[K]:L: by FN" lines (as
 * libtcc writes them) to fd 2, which the crash guard made its report
 * memfd, for the frames of the fault that are in this unit's object. */
static void write_report(cc_unit *u)
{
    struct link_map *lm = NULL;
    if (dlinfo(u->handle, RTLD_DI_LINKMAP, &lm) < 0 || !lm || u->so_fd < 0)
        return;
    void *addrs[66];
    int n = 0;
    Dl_info info;
    if (cc_pc && dladdr(cc_pc, &info) && info.dli_fbase == (void *)lm->l_addr)
        addrs[n++] = cc_pc;
    for (int i = 0; i < cc_nframes && n < 64; i++) {
        char *a = cc_frames[i];
        if ((uintptr_t)a - (uintptr_t)cc_pc <= 1 || (uintptr_t)cc_pc - (uintptr_t)a <= 1)
            continue; /* the faulting frame itself */
        if (dladdr(a, &info) && info.dli_fbase == (void *)lm->l_addr)
            addrs[n++] = a - 1; /* a return address: the call is before it */
    }
    if (!n)
        return;
    argv_buf av = { 0 };
    argv_add(&av, CHALK_ADDR2LINE);
    argv_add(&av, "-f");
    argv_add(&av, "-i");
    argv_add(&av, "-a");
    argv_add(&av, "-e");
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)getpid(), u->so_fd);
    argv_add(&av, path);
    for (int i = 0; i < n; i++) {
        char hex[32];
        snprintf(hex, sizeof hex, "0x%lx", (unsigned long)((uintptr_t)addrs[i] - lm->l_addr));
        argv_add(&av, hex);
    }
    strbuf out = { 0 }, rep = { 0 };
    int rc = run_tool(av.v, &out);
    argv_free(&av);
    /* groups: "0x...", then (function, file:line) pairs, innermost first */
    char *fn = NULL;
    int first = 1;
    for (char *p = out.s, *save = NULL; rc == 0 && (p = strtok_r(p, "\n", &save)); p = NULL) {
        if (!strncmp(p, "0x", 2))
            continue;
        if (!fn) {
            fn = p;
            continue;
        }
        char *sp = strchr(p, ' ');
        if (sp)
            *sp = 0; /* " (discriminator 2)" */
        /* "DIR/cell[]:L": the compilation's directory in front */
        char *c = strstr(p, "cell[]:");
        if (c && (c == p || c[-1] == '/')) {
            p = c;
            if (first)
                strbuf_addf(&rep, "cell[%d]:%s: at %s: RUNTIME ERROR: the cell faulted\n", u->cell,
                            p + 7, fn);
            else
                strbuf_addf(&rep, "cell[%d]:%s: by %s\n", u->cell, p + 7, fn);
            first = 0;
        }
        fn = NULL;
    }
    if (rep.s) {
        ssize_t w = write(2, rep.s, rep.len);
        (void)w;
    }
    strbuf_free(&out);
    strbuf_free(&rep);
}

static int cc_run(void *unit, strbuf *diag, int *link_failed)
{
    cc_unit *u = unit;
    *link_failed = 0;
    if (cc_link(u, diag) < 0) {
        *link_failed = 1;
        return -1;
    }
    int (*main_fn)(int, char **) = (int (*)(int, char **))symbol_of(u, "main");
    if (!main_fn) {
        strbuf_add(diag, "error: %%cc: the object has no main\n");
        *link_failed = 1;
        return -1;
    }
    /* backtrace() loads libgcc_s on first use: not inside a signal handler */
    void *warm[2];
    backtrace(warm, 2);
    static const int guarded[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    struct sigaction sa = { 0 }, old[5];
    sa.sa_sigaction = cc_on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < 5; i++)
        sigaction(guarded[i], &sa, &old[i]);
    char *argv[] = { "cell", NULL };
    int rc;
    if (sigsetjmp(cc_jump, 1) == 0) {
        cc_active = 1;
        rc = main_fn(1, argv);
        cc_active = 0;
    } else {
        write_report(u);
        rc = 255;
    }
    for (size_t i = 0; i < 5; i++)
        sigaction(guarded[i], &old[i], NULL);
    /* the unit lives as long as the session (it owns the cell's code):
     * what only the link needed goes */
    free(u->syms);
    u->syms = NULL;
    u->nsyms = 0;
    close(u->so_fd); /* a session of many %%cc cells must not pile up descriptors */
    u->so_fd = -1;
    return rc;
}

static void *cc_symbol(void *unit, const char *name)
{
    cc_unit *u = unit;
    return u->handle ? symbol_of(u, name) : NULL;
}

const compile_backend compile_backend_cc = { "cc", cc_unit_new, cc_run, cc_symbol };

int compile_cc_magic(const char *code, char **flags, char **rest)
{
    const char *p = code;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "%%cc", 4) != 0 || (p[4] && !isspace((unsigned char)p[4])))
        return 0;
    const char *nl = strchr(p, '\n');
    const char *end = nl ? nl : p + strlen(p);
    *flags = strndup(p + 4, (size_t)(end - p - 4));
    /* the magic line blanked: cell[K]:L still counts the cell's lines */
    char *r = strdup(code);
    memset(r + (p - code), ' ', (size_t)(end - p));
    *rest = r;
    return 1;
}
