/* editor.c — completion and inspection (see editor.h).
 *
 * Names the session has not included come from the catalog of every
 * installed header (catalog.h), built the first time a request needs it:
 * inspect of a name nothing else knows, completion of a prefix of two
 * characters or more.  The path in an #include line completes from the
 * include directories (includes.h), which costs no catalog.
 */
#define _GNU_SOURCE
#include "editor.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <chalk.h>

#include "abi.h"
#include "catalog.h"
#include "headers.h"
#include "includes.h"
#include "log.h"

/* Completion offers at most this many names from headers not included:
 * "gsl_" alone matches thousands. */
#define EDITOR_CATALOG_OFFERS 200
#define EDITOR_PATH_OFFERS 500

typedef struct entry {
    char *name;
    char *decl;       /* declaration text, or NULL */
    const char *kind; /* "keyword" "function" "variable" "type" "macro" "session" */
} entry;

struct editor {
    char *prelude; /* the prelude, then #include lines cells added */
    char *include_path;
    int loaded;
    entry *headers; /* from the flattened prelude; sorted by name */
    size_t nheaders;
    char **session; /* names cells defined, newest last */
    size_t nsession;
    entry *decls; /* their declarations (editor_learn_decls) */
    size_t ndecls;
    catalog *cat;      /* every installed header's declarations, or NULL */
    char *cflags_dirs; /* -I directories of %cflags lines, ':'-separated */
};

static const char *const keywords[] = {
    "auto",     "break",   "case",     "char",     "const",     "continue",       "default",
    "do",       "double",  "else",     "enum",     "extern",    "float",          "for",
    "goto",     "if",      "inline",   "int",      "long",      "register",       "restrict",
    "return",   "short",   "signed",   "sizeof",   "static",    "struct",         "switch",
    "typedef",  "union",   "unsigned", "void",     "volatile",  "while",          "_Alignas",
    "_Alignof", "_Atomic", "_Bool",    "_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
    "#include", "#define", "#ifdef",   "#ifndef",  "#endif",    "#undef",         "#pragma",
};

editor *editor_new(const char *prelude, const char *include_path)
{
    editor *ed = calloc(1, sizeof *ed);
    ed->prelude = strdup(prelude ? prelude : "");
    ed->include_path = strdup(include_path ? include_path : "");
    return ed;
}

void editor_forget(editor *ed)
{
    for (size_t i = 0; i < ed->nsession; i++)
        free(ed->session[i]);
    free(ed->session);
    ed->session = NULL;
    ed->nsession = 0;
    for (size_t i = 0; i < ed->ndecls; i++) {
        free(ed->decls[i].name);
        free(ed->decls[i].decl);
    }
    free(ed->decls);
    ed->decls = NULL;
    ed->ndecls = 0;
}

static void drop_headers(editor *ed)
{
    for (size_t i = 0; i < ed->nheaders; i++) {
        free(ed->headers[i].name);
        free(ed->headers[i].decl);
    }
    free(ed->headers);
    ed->headers = NULL;
    ed->nheaders = 0;
    ed->loaded = 0;
}

void editor_destroy(editor **self_p)
{
    editor *ed = *self_p;
    if (!ed)
        return;
    editor_forget(ed);
    drop_headers(ed);
    catalog_destroy(&ed->cat);
    free(ed->cflags_dirs);
    free(ed->prelude);
    free(ed->include_path);
    free(ed);
    *self_p = NULL;
}

/* The -I directories of a %cflags line join the include completion's. */
static void learn_cflags(editor *ed, const char *line, size_t n)
{
    strbuf b = { 0 };
    strbuf_add(&b, ed->cflags_dirs ? ed->cflags_dirs : "");
    for (const char *p = line + 7, *e = line + n; p < e;) {
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        const char *w = p;
        while (p < e && *p != ' ' && *p != '\t')
            p++;
        if (p - w > 2 && w[0] == '-' && w[1] == 'I')
            strbuf_addf(&b, "%s%.*s", b.len ? ":" : "", (int)(p - w - 2), w + 2);
    }
    free(ed->cflags_dirs);
    ed->cflags_dirs = strbuf_take(&b);
}

void editor_learn_includes(editor *ed, const char *code)
{
    strbuf b = { 0 };
    strbuf_add(&b, ed->prelude);
    int added = 0;
    for (const char *line = code; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        const char *p = line;
        while (p < line + n && (*p == ' ' || *p == '\t'))
            p++;
        if (n - (size_t)(p - line) > 7 && strncmp(p, "%cflags", 7) == 0)
            learn_cflags(ed, p, n - (size_t)(p - line));
        if (*p == '#') {
            const char *q = p + 1;
            while (*q == ' ' || *q == '\t')
                q++;
            if (strncmp(q, "include", 7) == 0) {
                char *directive = strndup(p, (size_t)(line + n - p));
                if (!strstr(ed->prelude, directive)) {
                    strbuf_addf(&b, "%s\n", directive);
                    added = 1;
                }
                free(directive);
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (added) {
        /* Flatten again on the next request, with the new headers. */
        free(ed->prelude);
        ed->prelude = strbuf_take(&b);
        drop_headers(ed);
    }
    strbuf_free(&b);
}

void editor_learn(editor *ed, json_t *defined)
{
    size_t i;
    json_t *v;
    json_array_foreach(defined, i, v)
    {
        const char *name = json_string_value(v);
        if (!name)
            continue;
        size_t j;
        for (j = 0; j < ed->nsession && strcmp(ed->session[j], name); j++)
            ;
        if (j < ed->nsession)
            continue;
        ed->session = realloc(ed->session, (ed->nsession + 1) * sizeof *ed->session);
        ed->session[ed->nsession++] = strdup(name);
    }
}

void editor_learn_decls(editor *ed, json_t *declared)
{
    const char *name;
    json_t *v;
    json_object_foreach(declared, name, v)
    {
        const char *decl = json_string_value(v);
        if (!decl)
            continue;
        size_t j;
        for (j = 0; j < ed->ndecls && strcmp(ed->decls[j].name, name); j++)
            ;
        if (j == ed->ndecls) {
            ed->decls = realloc(ed->decls, (ed->ndecls + 1) * sizeof *ed->decls);
            ed->decls[ed->ndecls++] = (entry){ strdup(name), NULL, "session" };
        }
        free(ed->decls[j].decl);
        ed->decls[j].decl = strdup(decl);
    }
}

static const char *session_decl(const editor *ed, const char *name)
{
    for (size_t i = 0; i < ed->ndecls; i++)
        if (!strcmp(ed->decls[i].name, name))
            return ed->decls[i].decl;
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

/* Flatten the prelude the first time someone asks.  Names starting with an
 * underscore are the implementation's and stay out of completion lists. */
static void load(editor *ed)
{
    if (ed->loaded)
        return;
    ed->loaded = 1;
    if (!*ed->prelude)
        return;
    char *opts = headers_include_options(ed->include_path);
    char err[256];
    char *flat = headers_flatten(ed->prelude, opts, NULL, err, sizeof err);
    free(opts);
    if (!flat) {
        log_warn("completion: cannot flatten the prelude: %s", err);
        return;
    }
    cellsrc_cell *cell = cellsrc_split(flat, CELLSRC_WHOLE, NULL, NULL);
    for (size_t i = 0; cell && i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        for (size_t d = 0; d < it->ndefs; d++) {
            const char *name = it->defs[d];
            if (name[0] == '_' || strchr(name, ' ') || !strncmp(name, "ch__thunk_", 10))
                continue; /* thunks (abi.h) are no one's to call */
            ed->headers = realloc(ed->headers, (ed->nheaders + 1) * sizeof *ed->headers);
            /* a thunk's wrapper (abi.h) is shown as the library's prototype */
            char *lib = abi_declaration(it->text);
            ed->headers[ed->nheaders++] = (entry){ strdup(name),
                                                   cellsrc_one_line(lib         ? lib
                                                                    : it->proto ? it->proto
                                                                                : it->text),
                                                   cellsrc_kind_name(it) };
            free(lib);
        }
    }
    cellsrc_destroy(&cell);
    free(flat);
    if (ed->nheaders)
        qsort(ed->headers, ed->nheaders, sizeof *ed->headers, by_name);
}

static const entry *find_header(const editor *ed, const char *name)
{
    entry key = { (char *)name, NULL, NULL };
    return ed->nheaders ? bsearch(&key, ed->headers, ed->nheaders, sizeof *ed->headers, by_name)
                        : NULL;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const catalog *get_catalog(editor *ed)
{
    if (ed->cat)
        return ed->cat;
    double t0 = now_ms();
    char **dirs = includes_dirs(ed->include_path, NULL, NULL);
    char *opts = headers_include_options(ed->include_path);
    char err[256] = "";
    ed->cat = catalog_build((const char *const *)dirs, opts, err, sizeof err);
    free(opts);
    includes_free(dirs);
    if (ed->cat && !catalog_size(ed->cat))
        log_warn("editor help: cannot index the installed headers: %s", err);
    log_debug("editor help: %zu declarations of the installed headers indexed in %.0f ms",
              catalog_size(ed->cat), now_ms() - t0);
    return ed->cat;
}

static int ident_char(int c)
{
    return isalnum(c) || c == '_';
}

/* The identifier around the cursor (cursor_pos counts Unicode code points,
 * per the protocol; cells are mostly ASCII, so convert carefully). */
static size_t byte_offset(const char *code, int cursor_pos)
{
    size_t off = 0;
    for (int cp = 0; code[off] && cp < cursor_pos; cp++) {
        off++;
        while (((unsigned char)code[off] & 0xC0) == 0x80)
            off++;
    }
    return off;
}

static size_t code_points(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++)
        cp += ((unsigned char)s[i] & 0xC0) != 0x80;
    return cp;
}

static int has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

static json_t *complete_path(editor *ed, const char *code, size_t start, size_t end, int quoted)
{
    char **dirs = includes_dirs(ed->include_path, ed->cflags_dirs, NULL);
    json_t *matches = json_array(), *types = json_array();
    includes_complete(dirs, code + start, end - start, quoted, EDITOR_PATH_OFFERS, matches);
    includes_free(dirs);
    size_t i;
    json_t *v;
    json_array_foreach(matches, i, v)
        json_array_append_new(types, json_pack("{s:O, s:s}", "text", v, "type", "path"));
    return json_pack("{s:o, s:i, s:i, s:{s:o}}", "matches", matches, "cursor_start",
                     (int)code_points(code, start), "cursor_end", (int)code_points(code, end),
                     "metadata", "_jupyter_types_experimental", types);
}

json_t *editor_complete(editor *ed, const char *code, int cursor_pos)
{
    size_t end = byte_offset(code, cursor_pos), start = end;
    int quoted;
    if (includes_context(code, end, &start, &quoted))
        return complete_path(ed, code, start, end, quoted);
    start = end;
    load(ed);
    while (start > 0 && (ident_char((unsigned char)code[start - 1]) || code[start - 1] == '#'))
        start--;
    const char *prefix = code + start;
    size_t plen = end - start;
    json_t *matches = json_array();
    json_t *types = json_array();
#define OFFER(name, kind)                                                                          \
    do {                                                                                           \
        if (strncmp((name), prefix, plen) == 0 && !has(matches, (name))) {                         \
            json_array_append_new(matches, json_string(name));                                     \
            json_array_append_new(types, json_pack("{s:s, s:s}", "text", (name), "type", (kind))); \
        }                                                                                          \
    } while (0)
    for (size_t i = ed->nsession; i-- > 0;)
        OFFER(ed->session[i], "session");
    /* Names defined earlier in this very cell count too. */
    ctoken *toks = NULL;
    size_t ntok = ctoken_scan(code, &toks, NULL);
    for (size_t i = 0; i < ntok; i++) {
        if (toks[i].kind != CTOKEN_IDENT || toks[i].off == start || toks[i].len < plen ||
            cellsrc_is_keyword(code + toks[i].off, toks[i].len))
            continue;
        char *name = strndup(code + toks[i].off, toks[i].len);
        OFFER(name, "cell");
        free(name);
    }
    free(toks);
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (plen > 0)
            OFFER(keywords[i], "keyword");
    for (size_t i = 0; i < ed->nheaders && plen > 0; i++)
        OFFER(ed->headers[i].name, ed->headers[i].kind);
#undef OFFER
    /* Then what headers not yet included declare, each with its header. */
    const catalog_entry *c = NULL;
    size_t nc = plen >= 2 && prefix[0] != '#' ? catalog_prefix(get_catalog(ed), prefix, plen, &c)
                                              : 0;
    for (size_t i = 0, offered = 0; i < nc && offered < EDITOR_CATALOG_OFFERS; i++) {
        if (find_header(ed, c[i].name) || has(matches, c[i].name))
            continue;
        json_array_append_new(matches, json_string(c[i].name));
        json_array_append_new(types,
                              json_pack("{s:s, s:s, s:s, s:s}", "text", c[i].name, "type",
                                        c[i].kind, "signature", c[i].decl, "header", c[i].header));
        offered++;
    }
    return json_pack("{s:o, s:i, s:i, s:{s:o}}", "matches", matches, "cursor_start",
                     (int)code_points(code, start), "cursor_end", (int)code_points(code, end),
                     "metadata", "_jupyter_types_experimental", types);
}


/* GSL's headers carry no comments to describe a function, and no GSL manual
 * is packaged here, so the description is derived from the name the way GSL
 * builds its names: gsl_<module>_<what>.  The module table maps a prefix to
 * the chapter of the manual; the rest of the name becomes the words. */
static const struct {
    const char *prefix, *module, *page;
} gsl_modules[] = {
    { "gsl_linalg_", "linear algebra", "linalg.html" },
    { "gsl_eigen_", "eigensystems", "eigen.html" },
    { "gsl_blas_", "BLAS", "blas.html" },
    { "gsl_matrix_", "matrices", "vectors.html" },
    { "gsl_vector_", "vectors", "vectors.html" },
    { "gsl_block_", "blocks", "vectors.html" },
    { "gsl_permutation_", "permutations", "permutation.html" },
    { "gsl_rng_", "random number generators", "rng.html" },
    { "gsl_ran_", "random number distributions", "randist.html" },
    { "gsl_cdf_", "cumulative distribution functions", "randist.html" },
    { "gsl_stats_", "statistics", "statistics.html" },
    { "gsl_sf_", "special functions", "specfunc.html" },
    { "gsl_integration_", "numerical integration", "integration.html" },
    { "gsl_deriv_", "numerical differentiation", "diff.html" },
    { "gsl_min_", "one-dimensional minimization", "min.html" },
    { "gsl_multimin_", "multidimensional minimization", "multimin.html" },
    { "gsl_root_", "one-dimensional root finding", "roots.html" },
    { "gsl_multiroot_", "multidimensional root finding", "multiroots.html" },
    { "gsl_multifit_", "least-squares fitting", "nls.html" },
    { "gsl_fit_", "linear regression", "lls.html" },
    { "gsl_interp", "interpolation", "interp.html" },
    { "gsl_spline", "interpolation", "interp.html" },
    { "gsl_odeiv2_", "ordinary differential equations", "ode-initval.html" },
    { "gsl_fft_", "fast Fourier transforms", "fft.html" },
    { "gsl_poly_", "polynomials", "poly.html" },
    { "gsl_histogram", "histograms", "histogram.html" },
    { "gsl_sort", "sorting", "sort.html" },
    { "gsl_complex", "complex numbers", "complex.html" },
    { "gsl_math", "mathematical functions", "math.html" },
    { "gsl_pow_", "mathematical functions", "math.html" },
    { "gsl_spmatrix_", "sparse matrices", "spmatrix.html" },
    { "gsl_qrng_", "quasi-random sequences", "qrng.html" },
    { "gsl_monte_", "Monte Carlo integration", "montecarlo.html" },
    { "gsl_siman_", "simulated annealing", "siman.html" },
    { "gsl_set_error_handler", "error handling", "err.html" },
    { "gsl_strerror", "error handling", "err.html" },
};

static const char *gsl_describe(const char *name, char *out, size_t outlen)
{
    for (size_t i = 0; i < sizeof gsl_modules / sizeof gsl_modules[0]; i++) {
        size_t n = strlen(gsl_modules[i].prefix);
        if (strncmp(name, gsl_modules[i].prefix, n) != 0)
            continue;
        const char *rest = name + n;
        if (*rest == '_')
            rest++;
        char words[128];
        size_t w = 0;
        for (; *rest && w + 1 < sizeof words; rest++)
            words[w++] = *rest == '_' ? ' ' : *rest;
        words[w] = 0;
        snprintf(out, outlen, "GSL, %s%s%s", gsl_modules[i].module, w ? ": " : "", words);
        return gsl_modules[i].page;
    }
    snprintf(out, outlen, "A GSL function.");
    return "";
}

json_t *editor_inspect(editor *ed, const char *code, int cursor_pos, int detail)
{
    (void)detail;
    load(ed);
    size_t at = byte_offset(code, cursor_pos), start, end;
    /* Shift+Tab right after "name(" (where a user asks for the arguments). */
    if (at > 0 && code[at - 1] == '(' && !ident_char((unsigned char)code[at]))
        at--;
    start = end = at;
    /* The cursor may sit just after the name, or inside "name(". */
    if (start > 0 && !ident_char((unsigned char)code[start]) &&
        ident_char((unsigned char)code[start - 1]))
        end = start;
    while (start > 0 && ident_char((unsigned char)code[start - 1]))
        start--;
    while (ident_char((unsigned char)code[end]))
        end++;
    if (end == start)
        return json_pack("{s:b, s:{}, s:{}}", "found", 0, "data", "metadata");
    char *name = strndup(code + start, end - start);
    const entry *h = find_header(ed, name);
    const struct ch_doc *doc = ch_doc_find(name);
    int in_session = 0;
    for (size_t i = 0; i < ed->nsession; i++)
        in_session |= strcmp(ed->session[i], name) == 0;
    json_t *reply;
    /* Not in the session's headers: perhaps in one it has not included. */
    const catalog_entry *elsewhere = !h && !doc && !in_session ? catalog_find(get_catalog(ed), name)
                                                               : NULL;
    if (!h && !doc && !in_session && !elsewhere) {
        reply = json_pack("{s:b, s:{}, s:{}}", "found", 0, "data", "metadata");
    } else {
        strbuf text = { 0 }, md = { 0 };
        const char *mine = in_session ? session_decl(ed, name) : NULL;
        const char *decl = mine        ? mine
                           : doc       ? doc->decl
                           : h         ? h->decl
                           : elsewhere ? elsewhere->decl
                                       : NULL;
        if (elsewhere) {
            strbuf_addf(&text,
                        "Declared in <%s>, which this session has not included: "
                        "add #include <%s>\n\n",
                        elsewhere->header, elsewhere->header);
            strbuf_addf(&md,
                        "Declared in `<%s>`, which this session has not included: "
                        "add `#include <%s>`\n\n",
                        elsewhere->header, elsewhere->header);
        }
        if (decl) {
            strbuf_addf(&text, "%s\n", decl);
            strbuf_addf(&md, "```c\n%s\n```\n", decl);
        } else {
            strbuf_addf(&text, "%s (defined in this session)\n", name);
            strbuf_addf(&md, "`%s` (defined in this session)\n", name);
        }
        if (doc && doc->doc) {
            strbuf_addf(&text, "\n%s\n", doc->doc);
            strbuf_addf(&md, "\n%s\n", doc->doc);
        } else if (strncmp(name, "gsl_", 4) == 0) {
            char line[256];
            const char *page = gsl_describe(name, line, sizeof line);
            strbuf_addf(&text, "\n%s\nhttps://www.gnu.org/software/gsl/doc/html/%s\n", line, page);
            strbuf_addf(&md, "\n%s ([GSL manual](https://www.gnu.org/software/gsl/doc/html/%s))\n",
                        line, page);
        }
        reply = json_pack("{s:b, s:{s:s, s:s}, s:{}}", "found", 1, "data", "text/plain", text.s,
                          "text/markdown", md.s, "metadata");
        strbuf_free(&text);
        strbuf_free(&md);
    }
    free(name);
    return reply;
}
