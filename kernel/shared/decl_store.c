/* decl_store.c — the declaration store: what earlier cells declared, kept
 * in definition order (see decl_store.h for the contract; the translation
 * unit of a cell is built in decl_store_unit.c).
 *
 * Entries are kept in one list ordered by the time they were (re)defined; a
 * redefinition removes the old entry and appends the new one.  Emission
 * groups them by kind (macros, types, declarations) so that a type redefined
 * late still precedes the `extern` of a variable declared with it earlier.
 */
#include "decl_store_internal.h"

#include "abi.h"
#include "alloc.h"
#include "declindex.h"
#include "header_index.h"
#include "headers.h"
#include "reserved.h"
#include "strv.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = { "macro",    "macro",    "type",
                                          "variable", "function", "declaration" };

static void entry_free(entry *e)
{
    strv_free(e->keys, e->nkeys);
    strv_free(e->refs, e->nrefs);
    strv_free(e->typenames, e->ntypenames);
    free(e->text);
    free(e->decl);
}

decl_store *decl_store_new(const char *prelude, const char *options)
{
    decl_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->prelude = alloc_strdup(prelude ? prelude : "#include <chalk.h>\n");
    s->options = alloc_strdup(options ? options : "");
    s->names = declindex_map_new();
    s->types = declindex_map_new();
    return s;
}

static void index_entry(decl_store *s, size_t i)
{
    const entry *e = &s->ents[i];
    for (size_t k = 0; k < e->nkeys; k++) {
        const char *d = plain(e->keys[k]);
        declindex_map_add(s->names, d, strlen(d), i);
    }
    for (size_t k = 0; k < e->ntypenames; k++)
        declindex_map_add(s->types, e->typenames[k], strlen(e->typenames[k]), i);
}

/* Drop the dead entries and index the rest afresh. */
static void compact(decl_store *s)
{
    size_t w = 0;
    for (size_t i = 0; i < s->nents; i++)
        if (!s->ents[i].dead)
            s->ents[w++] = s->ents[i];
    s->nents = w;
    s->ndead = 0;
    declindex_map_destroy(&s->names);
    declindex_map_destroy(&s->types);
    s->names = declindex_map_new();
    s->types = declindex_map_new();
    for (size_t i = 0; i < s->nents; i++)
        index_entry(s, i);
}

void decl_store_reset(decl_store *s)
{
    for (size_t i = 0; i < s->nents; i++)
        if (!s->ents[i].dead)
            entry_free(&s->ents[i]);
    s->nents = 0;
    compact(s);
    free(s->ents);
    s->ents = NULL;
    strv_free(s->includes, s->nincludes);
    s->includes = NULL;
    s->nincludes = 0;
    if (s->idx != s->base)
        declindex_destroy(&s->idx);
    s->idx = s->base;
    memset(&s->pack, 0, sizeof s->pack); /* a pack a cell left open */
}

void decl_store_destroy(decl_store **self_p)
{
    decl_store *s = *self_p;
    if (!s)
        return;
    decl_store_reset(s);
    declindex_map_destroy(&s->names);
    declindex_map_destroy(&s->types);
    if (s->mapped) {
        s->pre = s->base = s->lib = NULL; /* the mapping's */
        header_index_close(&s->mapped);
    }
    if (s->lib != s->base)
        declindex_destroy(&s->lib);
    declindex_destroy(&s->base);
    declindex_destroy(&s->pre);
    free(s->index_files);
    free(s->prelude);
    free(s->options);
    free(s->show_tag);
    free(s);
    *self_p = NULL;
}

void decl_store_set_full_headers(decl_store *s, int on)
{
    s->full_headers = on;
}
void decl_store_set_backend(decl_store *s, int cc)
{
    s->cc = cc;
}

void decl_store_show_struct(decl_store *s, const char *tag, int fields)
{
    free(s->show_tag);
    s->show_tag = tag ? alloc_strdup(tag) : NULL;
    s->show_fields = fields;
}

/* The source the headers are flattened from: the prelude, then includes. */
char *decl_store_headers_source(const decl_store *s, char *const *includes, size_t n)
{
    strbuf src = { 0 };
    strbuf_add(&src, s->prelude);
    strbuf_add(&src, "\n");
    for (size_t i = 0; i < n; i++) {
        strbuf_add(&src, includes[i]);
        strbuf_add(&src, "\n");
    }
    return strbuf_take(&src);
}

declindex *decl_store_flatten(decl_store *s, char *const *includes, size_t n, char *err,
                              size_t errlen)
{
    char *src = decl_store_headers_source(s, includes, n);
    char *flat = headers_flatten(src, s->options, NULL, err, errlen);
    free(src);
    if (!flat)
        return NULL;
    declindex *idx = declindex_new(flat, s->pre);
    free(flat);
    return idx;
}

void decl_store_set_index_files(decl_store *s, const char *paths)
{
    free(s->index_files);
    s->index_files = paths && *paths ? alloc_strdup(paths) : NULL;
}

int decl_store_index_mapped(const decl_store *s)
{
    return s->mapped != NULL;
}

/* The first file of s->index_files made for this prelude and options. */
static int warm_from_file(decl_store *s)
{
    char *list = alloc_strdup(s->index_files);
    for (char *save = NULL, *f = strtok_r(list, ":", &save); f && !s->mapped;
         f = strtok_r(NULL, ":", &save))
        s->mapped = header_index_open(f, s->prelude, s->options, NULL, 0);
    free(list);
    if (!s->mapped)
        return -1;
    s->pre = s->mapped->pre;
    s->base = s->mapped->base;
    s->lib = s->mapped->lib ? s->mapped->lib : s->base;
    if (!s->idx)
        s->idx = s->base;
    return 0;
}

int decl_store_warm(decl_store *s, char *err, size_t errlen)
{
    if (s->base)
        return 0;
    if (s->index_files && warm_from_file(s) == 0)
        return 0;
    if (!s->pre) {
        char *flat = headers_flatten("", s->options, NULL, err, errlen);
        if (!flat)
            return -1;
        s->pre = declindex_new(flat, NULL);
        free(flat);
    }
    s->base = decl_store_flatten(s, NULL, 0, err, errlen);
    if (!s->base)
        return -1;
    if (!s->idx)
        s->idx = s->base;
    if (!strcmp(s->prelude, DECL_STORE_DEFAULT_PRELUDE)) {
        s->lib = s->base;
    } else {
        /* A bare session still links libchalk and libc: their names stay
         * reserved.  Without the headers (no chalk.h on the include path)
         * the prefixes alone are. */
        char lerr[256];
        char *flat = headers_flatten(DECL_STORE_DEFAULT_PRELUDE, s->options, NULL, lerr,
                                     sizeof lerr);
        if (flat)
            s->lib = declindex_new(flat, s->pre);
        free(flat);
    }
    return 0;
}

int decl_store_write_index(decl_store *s, const char *path, char *err, size_t errlen)
{
    char *files = s->index_files;
    s->index_files = NULL; /* build it, never read it back */
    int rc = decl_store_warm(s, err, errlen);
    s->index_files = files;
    if (rc < 0)
        return -1;
    if (!s->lib) {
        snprintf(err, errlen, "the default prelude does not compile with these options");
        return -1;
    }
    return header_index_write(path, s->prelude, s->options, s->pre, s->base,
                              s->lib == s->base ? NULL : s->lib, DECL_STORE_DEFAULT_PRELUDE, err,
                              errlen);
}

/* ------------------------------------------------------------------ */
/* commit */

/* The live entry at v[i] that has `key` among its keys, or NULL. */
static entry *live_with_key(const decl_store *s, const size_t *v, size_t i, const char *key)
{
    entry *e = &s->ents[v[i]];
    return !e->dead && strv_has(e->keys, e->nkeys, key) ? e : NULL;
}

/* A redefinition: the entries sharing a key with keys[] die (their slots
 * stay until compact(), so that indices in the name maps hold). */
static void remove_keys(decl_store *s, char *const *keys, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const char *d = plain(keys[k]);
        size_t m;
        const size_t *v = declindex_map_get(s->names, d, strlen(d), &m);
        for (size_t i = 0; i < m; i++) {
            entry *e = live_with_key(s, v, i, keys[k]);
            if (e) {
                entry_free(e);
                e->dead = 1;
                s->ndead++;
            }
        }
    }
}

static int has_key(const decl_store *s, const char *key)
{
    const char *d = plain(key);
    size_t m;
    const size_t *v = declindex_map_get(s->names, d, strlen(d), &m);
    for (size_t i = 0; i < m; i++)
        if (live_with_key(s, v, i, key))
            return 1;
    return 0;
}

static entry *append(decl_store *s, int kind, const cellsrc_item *it, char *text)
{
    s->ents = alloc_resize(s->ents, (s->nents + 1) * sizeof *s->ents);
    entry *e = &s->ents[s->nents++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->keys = strv_dup(it->defs, it->ndefs);
    e->nkeys = it->ndefs;
    e->refs = strv_dup(it->refs, it->nrefs);
    e->nrefs = it->nrefs;
    e->text = text;
    e->is_void = (it->flags & CELLSRC_VOID) != 0;
    e->pack = it->pack;
    e->typenames = strv_dup(it->typenames, it->ntypenames);
    e->ntypenames = it->ntypenames;
    index_entry(s, s->nents - 1);
    return e;
}

/* ---- declarations as the user wrote them (for %who and inspect) ----
 * The splitter's texts are token-joined (`char * s`, `double xs [ 300 ]`).
 * The cell's own spelling is found by matching those tokens against the
 * cell's, from the item's line on; a declaration that is not one run of
 * the cell's tokens (`int a, *b;` gives `int *b`) is joined the way C is
 * usually written.  Line breaks inside become single spaces: one line. */
static int pretty_glue(const char *a, size_t alen, const char *b, size_t blen)
{
    (void)alen;
    if (blen == 1 && strchr(")],;[", b[0]))
        return 0;
    if (alen == 1 && strchr("([*", a[0]))
        return 0;
    if (blen == 1 && b[0] == '(' && (alen == 1 && a[0] == ')'))
        return 0;
    if (blen == 1 && b[0] == '(' && (isalnum((unsigned char)a[alen - 1]) || a[alen - 1] == '_'))
        return cellsrc_is_keyword(a, alen) && strncmp(a, "sizeof", alen);
    return 1;
}

static char *as_written(const char *code, int line, const char *text)
{
    ctoken *ct = NULL, *tt = NULL;
    size_t nc = ctoken_scan(code ? code : "", &ct, NULL);
    size_t nt = ctoken_scan(text, &tt, NULL);
    strbuf out = { 0 };
    /* a function's head is followed by its body in the cell, not by ';' */
    int semi = nt && tt[nt - 1].len == 1 && text[tt[nt - 1].off] == ';';
    nt -= semi;
    for (size_t i = 0; code && nt && i + nt <= nc && !out.s; i++) {
        if (ct[i].line < line)
            continue;
        size_t k = 0;
        while (k < nt && ct[i + k].len == tt[k].len &&
               !memcmp(code + ct[i + k].off, text + tt[k].off, tt[k].len))
            k++;
        if (k < nt)
            continue;
        const char *from = code + ct[i].off, *to = code + ct[i + nt - 1].off + ct[i + nt - 1].len;
        int comment = 0;
        for (const char *c = from; c + 1 < to; c++)
            comment |= c[0] == '/' && (c[1] == '*' || c[1] == '/');
        if (comment)
            break;
        for (const char *c = from; c < to;) {
            if (isspace((unsigned char)*c)) {
                const char *w = c;
                int nl = 0;
                while (w < to && isspace((unsigned char)*w))
                    nl |= *w++ == '\n';
                if (nl)
                    strbuf_add(&out, " ");
                else
                    strbuf_addn(&out, c, (size_t)(w - c));
                c = w;
            } else {
                strbuf_addn(&out, c++, 1);
            }
        }
    }
    for (size_t k = 0, found = out.s != NULL; !found && k < nt; k++) {
        if (k && pretty_glue(text + tt[k - 1].off, tt[k - 1].len, text + tt[k].off, tt[k].len))
            strbuf_add(&out, " ");
        strbuf_addn(&out, text + tt[k].off, tt[k].len);
    }
    if (semi && out.s)
        strbuf_add(&out, ";");
    free(ct);
    free(tt);
    return out.s ? strbuf_take(&out) : alloc_strdup(text);
}

int decl_store_commit(decl_store *s, decl_store_prepared *p, decl_store_lookup_fn lookup, void *ctx,
                      char *err, size_t errlen)
{
    decl_store_private *pv = p->priv;
    int rc = 0;
    if (pv->idx) {
        if (s->idx != s->base)
            declindex_destroy(&s->idx);
        s->idx = pv->idx;
        pv->idx = NULL;
        strv_free(s->includes, s->nincludes);
        s->includes = pv->includes;
        s->nincludes = pv->nincludes;
        pv->includes = NULL;
        pv->nincludes = 0;
    }
    s->pack = pv->pack;
    const cellsrc_cell *cell = pv->cell;
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        strbuf b = { 0 };
        if ((it->kind == CELLSRC_VAR || it->kind == CELLSRC_FUNC || it->kind == CELLSRC_PROTO) &&
            !it->ndefs)
            continue; /* a nameless declaration: nothing to keep */
        if (decl_store_marks(it)) {
            char marker[64];
            snprintf(marker, sizeof marker, DECL_STORE_TAKEN "%zu", i);
            if (!lookup(ctx, marker))
                continue; /* in an #if branch that was not compiled */
        }
        switch (it->kind) {
        case CELLSRC_PP:
            if ((it->pp != CELLSRC_PP_DEFINE && it->pp != CELLSRC_PP_UNDEF) || !it->ndefs)
                break;
            remove_keys(s, it->defs, 1);
            if (it->pp == CELLSRC_PP_DEFINE)
                append(s, ENT_MACRO, it, alloc_strdup(it->text));
            else if (declindex_is_macro(s->idx, it->defs[0]))
                append(s, ENT_UNDEF, it, alloc_strdup(it->text)); /* undoes a header macro */
            break;
        case CELLSRC_TYPE:
            /* `struct S;` after struct S's body declares nothing new (C11
             * 6.7.2.3): it must not replace the body */
            if (it->ndefs == 1 && strchr(it->defs[0], ' ') && !strchr(it->text, '{') &&
                has_key(s, it->defs[0]))
                break;
            remove_keys(s, it->defs, it->ndefs);
            append(s, ENT_TYPE, it, alloc_strdup(it->text));
            break;
        case CELLSRC_VAR:
        case CELLSRC_FUNC: {
            if (it->kind == CELLSRC_FUNC && !strcmp(it->defs[0], "main"))
                break; /* a pasted program: run, not kept */
            if (it->kind == CELLSRC_VAR && (it->flags & CELLSRC_EXTERN)) {
                if (!has_key(s, it->defs[0])) {
                    strbuf_addf(&b, "extern %s;", it->text);
                    append(s, ENT_DECL, it, strbuf_take(&b))->decl = as_written(pv->code, it->line,
                                                                                it->text);
                }
                break;
            }
            void *addr = lookup(ctx, it->defs[0]);
            if (!addr && (it->flags & CELLSRC_COND))
                break; /* in an #if branch that was not compiled */
            if (!addr && rc == 0) {
                snprintf(err, errlen, "no address for '%s' after the cell ran", it->defs[0]);
                rc = -1;
            }
            remove_keys(s, it->defs, 1);
            entry *e;
            if (it->kind == CELLSRC_VAR) {
                char marker[64];
                snprintf(marker, sizeof marker, DECL_STORE_DIM "%zu", i);
                size_t at = decl_store_open_dim(it->text, it->defs[0]);
                const unsigned long *dim = at ? lookup(ctx, marker) : NULL;
                if (dim)
                    strbuf_addf(&b, "extern %.*s%lu%s;", (int)at, it->text, *dim, it->text + at);
                else
                    strbuf_addf(&b, "extern %s;", it->text);
                e = append(s, ENT_VAR, it, strbuf_take(&b));
                e->decl = as_written(pv->code, it->line, it->text);
                e->cc = s->cc;
            } else {
                e = append(s, ENT_FUNC, it, alloc_strdup(it->proto));
                e->decl = as_written(pv->code, it->line, it->proto);
                e->cc = s->cc;
            }
            e->addr = addr;
            break;
        }
        case CELLSRC_PROTO:
            /* the header's declaration is the session's already */
            if (!has_key(s, it->defs[0]) && !(it->flags & CELLSRC_REDECL))
                append(s, ENT_DECL, it, alloc_strdup(it->text))->decl =
                    as_written(pv->code, it->line, it->text);
            break;
        default: break;
        }
    }
    /* Re-running one cell for hours must not grow the session either. */
    if (s->ndead > 64 && s->ndead > s->nents / 2)
        compact(s);
    return rc;
}

decl_store_name *decl_store_names(const decl_store *s, size_t *n)
{
    decl_store_name *v = alloc_resize(NULL, (s->nents + 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < s->nents; i++) {
        const entry *e = &s->ents[i];
        if (e->dead || e->kind == ENT_UNDEF || !e->nkeys)
            continue;
        v[k].name = e->keys[0];
        v[k].kind = kind_names[e->kind];
        v[k].decl = e->decl ? e->decl : e->text;
        k++;
    }
    *n = k;
    return v;
}

int decl_store_check_unit(decl_store *s, const decl_store_prepared *p, const char *cflags,
                          void *unit, char *err, size_t errlen)
{
    const decl_store_private *pv = p->priv;
    reserved_set rs = { pv->idx ? pv->idx : s->idx, pv->source, s->lib, DECL_STORE_DEFAULT_PRELUDE,
                        s->options };
    if (reserved_check_flags(&rs, cflags, pv->cell_number, err, errlen) < 0)
        return -1;
    const char **skip = alloc_resize(NULL, (p->nsymbols + 1) * sizeof *skip);
    for (size_t i = 0; i < p->nsymbols; i++)
        skip[i] = p->symbols[i].name;
    int rc = reserved_check_symbols(&rs, unit, skip, p->nsymbols, pv->code, pv->cell_number, err,
                                    errlen);
    free(skip);
    return rc;
}
