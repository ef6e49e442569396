/* reserved.c — library names are reserved (see reserved.h).
 *
 * Every check ends in reserved_name, a few hash lookups; only a refusal
 * asks headers_origin which header to name.  The one exception is a name a
 * header of the user's own declares (found in the index, but the file it
 * comes from is not the system's): that name is the user's, which costs an
 * origin lookup each time a cell defines it.
 */
#include "reserved.h"

#include <libtcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headers.h"

static const char rule[] = "cannot redefine a library name (C11 7.1.3)";

static int is_tag(const char *name)
{
    return !strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6) ||
           !strncmp(name, "enum ", 5);
}

static int in_index(const declindex *idx, const char *name)
{
    if (!idx)
        return 0;
    if (is_tag(name))
        return declindex_is_type(idx, name, strlen(name));
    return declindex_declares(idx, name);
}

static const char *prefix_owner(const char *name)
{
    if (!strncmp(name, "ch_", 3) || !strncmp(name, "CH_", 3))
        return "reserved for libchalk (ch_*, CH_*)";
    if (!strncmp(name, "gsl_", 4) || !strncmp(name, "GSL_", 4))
        return "reserved for GSL (gsl_*, GSL_*)";
    return NULL;
}

int reserved_name(const reserved_set *r, const char *name, char *why, size_t whylen)
{
    const char *plain = is_tag(name) ? strchr(name, ' ') + 1 : name;
    const char *owner = prefix_owner(plain);
    int in_idx = in_index(r->idx, name);
    int in_lib = r->lib && r->lib != r->idx && in_index(r->lib, name);
    if (!in_idx && !in_lib) {
        if (owner)
            snprintf(why, whylen, "%s", owner);
        return owner != NULL;
    }
    char header[256];
    int trusted = 1;
    const char *source = in_lib ? r->lib_source : r->idx_source;
    if (source &&
        headers_origin(source, r->options, NULL, plain, header, sizeof header, &trusted) == 0) {
        /* Declared only by a header of the user's own: the user's name. */
        if (!trusted && !in_lib && !owner && !(r->lib && in_index(r->lib, name)))
            return 0;
        snprintf(why, whylen, "declared in <%s>", header);
    } else {
        snprintf(why, whylen, "%s", owner ? owner : "declared by the prelude's headers");
    }
    return 1;
}

/* Whether `text` (a prototype) is free of what could make it more than a
 * declaration: static or inline, an asm label, an attribute that defines or
 * moves a symbol (alias, weak, ifunc, section).  `extern` and attributes
 * such as noreturn are what old code writes and change nothing. */
static int plain_prototype(const char *text)
{
    static const char *const bad[] = { "static",      "inline",     "__inline",       "__inline__",
                                       "asm",         "__asm",      "__asm__",        "alias",
                                       "__alias__",   "weak",       "__weak__",       "weakref",
                                       "__weakref__", "ifunc",      "__ifunc__",      "section",
                                       "__section__", "visibility", "__visibility__", NULL };
    ctoken *t = NULL;
    size_t n = ctoken_scan(text, &t, NULL);
    int plain = 1;
    for (size_t i = 0; i < n && plain; i++) {
        if (t[i].kind == CTOKEN_PP)
            plain = 0;
        if (t[i].kind != CTOKEN_IDENT)
            continue;
        for (size_t k = 0; bad[k]; k++)
            if (strlen(bad[k]) == t[i].len && !memcmp(text + t[i].off, bad[k], t[i].len))
                plain = 0;
    }
    free(t);
    return plain;
}

void reserved_mark_redeclarations(const reserved_set *r, cellsrc_cell *cell)
{
    char why[320];
    for (size_t i = 0; i < cell->nitems; i++) {
        cellsrc_item *it = &cell->items[i];
        if (it->kind != CELLSRC_PROTO || it->ndefs != 1 || (it->flags & CELLSRC_STATIC) ||
            !reserved_name(r, it->defs[0], why, sizeof why) || !plain_prototype(it->text))
            continue;
        it->flags |= CELLSRC_REDECL;
    }
}

int reserved_check_items(const reserved_set *r, const cellsrc_cell *cell, int cell_number,
                         const char *file, int line, char *err, size_t errlen)
{
    char why[320];
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        size_t ndefs = it->ndefs;
        int undef = 0;
        switch (it->kind) {
        case CELLSRC_PP:
            if (it->pp != CELLSRC_PP_DEFINE && it->pp != CELLSRC_PP_UNDEF)
                continue;
            undef = it->pp == CELLSRC_PP_UNDEF;
            ndefs = ndefs ? 1 : 0;
            break;
        case CELLSRC_PROTO:
            if (it->flags & CELLSRC_REDECL)
                continue;
            break;
        case CELLSRC_VAR:
        case CELLSRC_FUNC:
        case CELLSRC_TYPE: break;
        default: continue;
        }
        for (size_t d = 0; d < ndefs; d++) {
            if (!reserved_name(r, it->defs[d], why, sizeof why))
                continue;
            if (file)
                snprintf(err, errlen, "cell[%d]:%d: error: '%s' is %s; \"%s\" %s", cell_number,
                         line, it->defs[d], why, file, rule);
            else
                snprintf(err, errlen, "cell[%d]:%d: error: '%s' is %s; a cell %s", cell_number,
                         it->line, it->defs[d], why,
                         undef ? "cannot #undef a library name (C11 7.1.3)" : rule);
            return -1;
        }
    }
    return 0;
}

/* ---- headers a cell includes by path ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    strbuf b = { 0 };
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (64u << 20))
        strbuf_addn(&b, chunk, n);
    fclose(f);
    return b.s ? strbuf_take(&b) : calloc(1, 1);
}

/* The first of dir/name for dir in base, ".", the -I directories of
 * `options` and /usr/include that can be read (a malloc'd path), or NULL. */
static char *resolve(const char *name, const char *base, const char *options)
{
    strbuf cand = { 0 };
    if (name[0] == '/') {
        strbuf_add(&cand, name);
    } else {
        if (base)
            strbuf_addf(&cand, "%s/%s\n", base, name);
        strbuf_addf(&cand, "%s\n", name);
        for (const char *o = options ? strstr(options, "-I") : NULL; o; o = strstr(o + 2, "-I"))
            strbuf_addf(&cand, "%.*s/%s\n", (int)strcspn(o + 2, " \t"), o + 2, name);
        strbuf_addf(&cand, "/usr/include/%s", name);
    }
    char *found = NULL;
    for (char *save = NULL, *c = strtok_r(cand.s, "\n", &save); c && !found;
         c = strtok_r(NULL, "\n", &save)) {
        FILE *f = fopen(c, "r");
        if (f) {
            fclose(f);
            found = strdup(c);
        }
    }
    strbuf_free(&cand);
    return found;
}

/* The header named by an #include directive: 1 and its name for one named
 * by path ("x.h", </abs>, <../x>), 0 for a system header, -1 computed. */
static int path_named(const char *directive, char *name, size_t namelen)
{
    const char *p = directive + 1;
    p += strspn(p, " \t");
    p += strcspn(p, " \t<\"");
    p += strspn(p, " \t");
    char close = *p == '<' ? '>' : *p == '"' ? '"' : 0;
    if (!close)
        return -1;
    const char *end = strchr(p + 1, close);
    if (!end)
        return -1;
    snprintf(name, namelen, "%.*s", (int)(end - p - 1), p + 1);
    if (close == '>' && name[0] != '/' && !strstr(name, ".."))
        return 0;
    return 1;
}

static int check_header(const reserved_set *r, const char *name, const char *base, int depth,
                        int line, int cell_number, char *err, size_t errlen)
{
    char *path = resolve(name, base, r->options);
    if (!path || depth > 32) {
        free(path);
        return 0; /* not found: flattening says so */
    }
    char *text = read_file(path);
    cellsrc_cell *cell = text ? cellsrc_split(text, CELLSRC_WHOLE, NULL, NULL) : NULL;
    if (cell)
        reserved_mark_redeclarations(r, cell);
    int rc = cell ? reserved_check_items(r, cell, cell_number, path, line, err, errlen) : 0;
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = 0;
    for (size_t i = 0; cell && rc == 0 && i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        char inner[1024];
        if (it->kind == CELLSRC_PP && it->pp == CELLSRC_PP_INCLUDE &&
            path_named(it->text, inner, sizeof inner) == 1)
            rc = check_header(r, inner, slash ? path : ".", depth + 1, line, cell_number, err,
                              errlen);
    }
    cellsrc_destroy(&cell);
    free(text);
    free(path);
    return rc;
}

int reserved_check_include(const reserved_set *r, const char *directive, int line, int cell_number,
                           char *err, size_t errlen)
{
    char name[1024];
    int kind = path_named(directive, name, sizeof name);
    if (kind < 0) {
        snprintf(err, errlen,
                 "cell[%d]:%d: error: a computed #include cannot be checked for "
                 "library names; name the header in \"\" or <>",
                 cell_number, line);
        return -1;
    }
    return kind ? check_header(r, name, NULL, 0, line, cell_number, err, errlen) : 0;
}

/* ---- %cflags ---- */

int reserved_check_flags(const reserved_set *r, const char *cflags, int cell_number, char *err,
                         size_t errlen)
{
    if (!cflags || !*cflags)
        return 0;
    char *copy = strdup(cflags);
    int rc = 0;
    char why[320];
    for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok && rc == 0;
         tok = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(tok, "-include") || !strcmp(tok, "-imacros")) {
            snprintf(err, errlen,
                     "cell[%d]:1: error: %%cflags %s: a header cannot come in "
                     "through the flags (it could redefine library names); #include it in a "
                     "cell",
                     cell_number, tok);
            rc = -1;
            break;
        }
        if (strncmp(tok, "-D", 2) && strncmp(tok, "-U", 2))
            continue;
        const char *flag = tok;
        const char *def = tok[2] ? tok + 2 : strtok_r(NULL, " \t", &save);
        if (!def)
            break;
        char name[256];
        snprintf(name, sizeof name, "%.*s",
                 (int)strspn(def, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "abcdefghijklmnopqrstuvwxyz"
                                  "0123456789_"),
                 def);
        if (*name && reserved_name(r, name, why, sizeof why)) {
            snprintf(err, errlen, "cell[%d]:1: error: %%cflags %.2s%s %s '%s', %s; a cell %s",
                     cell_number, flag, def, flag[1] == 'D' ? "redefines" : "undefines", name, why,
                     rule);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

/* ---- the compiled unit's symbols ---- */

typedef struct symctx {
    const reserved_set *r;
    const char *const *skip;
    size_t nskip;
    char name[256];
    char why[320];
    int found;
} symctx;

static void on_symbol(void *opaque, const char *name, const void *val)
{
    symctx *c = opaque;
    (void)val;
    if (c->found)
        return;
    for (size_t i = 0; i < c->nskip; i++)
        if (!strcmp(c->skip[i], name))
            return;
    if (reserved_name(c->r, name, c->why, sizeof c->why)) {
        c->found = 1;
        snprintf(c->name, sizeof c->name, "%s", name);
    }
}

/* The line of the first token of `code` spelled `name` (an identifier, or
 * inside a string: an asm label), else 1. */
static int line_of(const char *code, const char *name)
{
    ctoken *t;
    size_t n = ctoken_scan(code ? code : "", &t, NULL), len = strlen(name);
    int line = 0;
    for (size_t i = 0; i < n && !line; i++) {
        const char *s = code + t[i].off;
        if (t[i].kind == CTOKEN_IDENT && t[i].len == len && !memcmp(s, name, len))
            line = t[i].line;
        else if (t[i].kind == CTOKEN_STRING || t[i].kind == CTOKEN_PP) {
            for (const char *p = s; p + len <= s + t[i].len && !line; p++)
                if (!memcmp(p, name, len) &&
                    (p == s || !strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789_",
                                       p[-1])))
                    line = t[i].line;
        }
    }
    free(t);
    return line ? line : 1;
}

int reserved_check_symbols(const reserved_set *r, void *unit, const char *const *skip, size_t nskip,
                           const char *code, int cell_number, char *err, size_t errlen)
{
    symctx c = { .r = r, .skip = skip, .nskip = nskip };
    tcc_list_symbols(unit, &c, on_symbol);
    if (!c.found)
        return 0;
    snprintf(err, errlen, "cell[%d]:%d: error: the cell defines the symbol '%s', %s; a cell %s",
             cell_number, line_of(code, c.name), c.name, c.why, rule);
    return -1;
}
