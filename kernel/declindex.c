/* declindex.c — declaration index over flattened headers (see declindex.h).
 *
 * A chunk's "names" for lookup are plain identifiers: a tag "struct S" is
 * also filed under "S", because a reference to S in code does not say which
 * namespace it means; pulling in both is harmless, missing one is an error.
 */
#include "declindex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* map */

typedef struct slot {
    char *key;
    union {
        size_t one;   /* while n == 1: most keys have one value */
        size_t *vals;
    } v;
    uint32_t n, cap;
} slot;

struct declindex_map {
    slot *slots;
    size_t cap, used;       /* cap is a power of two */
};

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;     /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fputs("chalk: out of memory\n", stderr);
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("chalk: out of memory\n", stderr);
        abort();
    }
    return p;
}

declindex_map *declindex_map_new(void)
{
    declindex_map *m = xalloc(sizeof *m);
    m->cap = 256;
    m->slots = xalloc(m->cap * sizeof *m->slots);
    return m;
}

void declindex_map_destroy(declindex_map **map_p)
{
    declindex_map *m = *map_p;
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        if (m->slots[i].n > 1)
            free(m->slots[i].v.vals);
    }
    free(m->slots);
    free(m);
    *map_p = NULL;
}

static slot *find(const declindex_map *m, const char *key, size_t len)
{
    size_t i = hash(key, len) & (m->cap - 1);
    while (m->slots[i].key) {
        if (strlen(m->slots[i].key) == len && !memcmp(m->slots[i].key, key, len))
            return &m->slots[i];
        i = (i + 1) & (m->cap - 1);
    }
    return &m->slots[i];
}

void declindex_map_add(declindex_map *m, const char *key, size_t len, size_t val)
{
    if ((m->used + 1) * 2 > m->cap) {
        declindex_map old = *m;
        m->cap *= 2;
        m->slots = xalloc(m->cap * sizeof *m->slots);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *find(m, old.slots[i].key, strlen(old.slots[i].key)) = old.slots[i];
        free(old.slots);
    }
    slot *s = find(m, key, len);
    if (!s->key) {
        s->key = xalloc(len + 1);
        memcpy(s->key, key, len);
        m->used++;
    }
    if (s->n == 0) {
        s->v.one = val;
        s->n = 1;
        return;
    }
    if ((s->n == 1 ? s->v.one : s->v.vals[s->n - 1]) == val)
        return;
    if (s->n == 1) {
        size_t first = s->v.one;
        s->cap = 4;
        s->v.vals = xalloc(s->cap * sizeof *s->v.vals);
        s->v.vals[0] = first;
    } else if (s->n == s->cap) {
        s->cap *= 2;
        s->v.vals = xrealloc(s->v.vals, s->cap * sizeof *s->v.vals);
    }
    s->v.vals[s->n++] = val;
}

const size_t *declindex_map_get(const declindex_map *m, const char *key, size_t len, size_t *n)
{
    slot *s = find(m, key, len);
    *n = s->key ? s->n : 0;
    return !s->key ? NULL : s->n == 1 ? &s->v.one : s->v.vals;
}

/* ------------------------------------------------------------------ */
/* index */

struct declindex {
    char *text;               /* declindex_text's, built when first asked */
    cellsrc_cell *cell;       /* items = chunks */
    unsigned char *live;      /* per chunk: kept (dead macros are not) */
    unsigned *mark;           /* per chunk: closure generation */
    unsigned gen;
    declindex_map *by_name;   /* plain name -> chunks defining it */
    declindex_map *types;     /* typedef names and tags */
    declindex_map *voids;     /* functions returning void */
    declindex_map *macros;    /* live macro -> chunk */
};

static const char *plain(const char *def)
{
    const char *sp = strchr(def, ' ');
    return sp ? sp + 1 : def;
}

declindex *declindex_new(const char *flat, const declindex *pre)
{
    declindex *idx = xalloc(sizeof *idx);
    idx->by_name = declindex_map_new();
    idx->types = declindex_map_new();
    idx->voids = declindex_map_new();
    idx->macros = declindex_map_new();

    /* Typedef names must be known while splitting (`gsl_block * b;`), so
     * the splitter learns them from the text itself as it goes. */
    idx->cell = cellsrc_split(flat, CELLSRC_WHOLE, NULL, NULL);
    cellsrc_pack(idx->cell);     /* it lives as long as the session */
    size_t n = idx->cell->nitems;
    idx->live = xalloc(n);
    idx->mark = xalloc(n * sizeof *idx->mark);
    declindex_map *last_def = declindex_map_new();   /* macro -> latest chunk */

    for (size_t i = 0; i < n; i++) {
        cellsrc_item *it = &idx->cell->items[i];
        idx->live[i] = 1;
        if (it->kind == CELLSRC_PP) {
            idx->live[i] = 0;
            if ((it->pp != CELLSRC_PP_DEFINE && it->pp != CELLSRC_PP_UNDEF) || !it->ndefs)
                continue;
            const char *name = it->defs[0];
            if (pre && declindex_is_macro(pre, name))
                continue;
            size_t k;
            const size_t *prev = declindex_map_get(last_def, name, strlen(name), &k);
            if (k && prev[k - 1] != SIZE_MAX)
                idx->live[prev[k - 1]] = 0;
            declindex_map_add(last_def, name, strlen(name),
                              it->pp == CELLSRC_PP_DEFINE ? i : SIZE_MAX);
            if (it->pp == CELLSRC_PP_DEFINE)
                idx->live[i] = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        cellsrc_item *it = &idx->cell->items[i];
        if (!idx->live[i])
            continue;
        for (size_t d = 0; d < it->ntypenames; d++)
            declindex_map_add(idx->types, it->typenames[d], strlen(it->typenames[d]), i);
        for (size_t d = 0; d < it->ndefs; d++) {
            const char *p = plain(it->defs[d]);
            declindex_map_add(idx->by_name, p, strlen(p), i);
            if (it->kind == CELLSRC_PP)
                declindex_map_add(idx->macros, p, strlen(p), i);
            else if (it->kind == CELLSRC_TYPE && p != it->defs[d])
                declindex_map_add(idx->types, it->defs[d], strlen(it->defs[d]), i);
            if ((it->kind == CELLSRC_PROTO || it->kind == CELLSRC_FUNC) &&
                (it->flags & CELLSRC_VOID))
                declindex_map_add(idx->voids, p, strlen(p), i);
        }
    }
    declindex_map_destroy(&last_def);
    return idx;
}

void declindex_destroy(declindex **idx_p)
{
    declindex *idx = *idx_p;
    if (!idx)
        return;
    free(idx->text);
    cellsrc_destroy(&idx->cell);
    free(idx->live);
    free(idx->mark);
    declindex_map_destroy(&idx->by_name);
    declindex_map_destroy(&idx->types);
    declindex_map_destroy(&idx->voids);
    declindex_map_destroy(&idx->macros);
    free(idx);
    *idx_p = NULL;
}

const char *declindex_text(declindex *idx)
{
    /* Rebuilt from the chunks when asked (rarely): the index does not keep
     * a second copy of the headers for it. */
    if (!idx->text) {
        cellsrc_buf b = { 0 };
        for (size_t i = 0; i < idx->cell->nitems; i++) {
            cellsrc_buf_add(&b, idx->cell->items[i].text);
            cellsrc_buf_add(&b, "\n");
        }
        idx->text = b.s ? cellsrc_buf_take(&b) : xalloc(1);
    }
    return idx->text;
}
size_t declindex_nchunks(const declindex *idx) { return idx->cell->nitems; }

int declindex_is_type(const declindex *idx, const char *name, size_t len)
{
    size_t n;
    declindex_map_get(idx->types, name, len, &n);
    return n > 0;
}

int declindex_defines(const declindex *idx, const char *name)
{
    size_t n;
    declindex_map_get(idx->by_name, plain(name), strlen(plain(name)), &n);
    return n > 0;
}

int declindex_returns_void(const declindex *idx, const char *name)
{
    size_t n;
    declindex_map_get(idx->voids, name, strlen(name), &n);
    return n > 0;
}

int declindex_is_macro(const declindex *idx, const char *name)
{
    size_t n;
    declindex_map_get(idx->macros, name, strlen(name), &n);
    return n > 0;
}

size_t declindex_closure(declindex *idx, const char *const *names, size_t n, cellsrc_buf *out)
{
    size_t nchunks = idx->cell->nitems, emitted = 0;
    if (++idx->gen == 0) {          /* wrapped: old marks could collide */
        memset(idx->mark, 0, nchunks * sizeof *idx->mark);
        idx->gen = 1;
    }
    /* worklist of chunk indices */
    size_t *work = xalloc((nchunks + 1) * sizeof *work), top = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        const size_t *v = declindex_map_get(idx->by_name, names[i], strlen(names[i]), &k);
        for (size_t j = 0; j < k; j++)
            if (idx->mark[v[j]] != idx->gen) {
                idx->mark[v[j]] = idx->gen;
                work[top++] = v[j];
            }
    }
    while (top) {
        cellsrc_item *it = &idx->cell->items[work[--top]];
        for (size_t r = 0; r < it->nrefs; r++) {
            /* A name reached through token pasting is invisible to a token
             * scan: glibc's type-generic math passes `__finite` to a macro
             * that pastes `f` or `l` onto it.  So a mentioned name also pulls
             * in its float and long double variants when they exist. */
            static const char *const pasted[] = { "", "f", "l" };
            for (size_t p = 0; p < sizeof pasted / sizeof pasted[0]; p++) {
                char name[256];
                if (snprintf(name, sizeof name, "%s%s", it->refs[r], pasted[p]) >= (int)sizeof name)
                    continue;
                size_t k;
                const size_t *v = declindex_map_get(idx->by_name, name, strlen(name), &k);
                for (size_t j = 0; j < k; j++)
                    if (idx->mark[v[j]] != idx->gen) {
                        idx->mark[v[j]] = idx->gen;
                        work[top++] = v[j];
                    }
            }
        }
    }
    free(work);
    for (size_t i = 0; i < nchunks; i++) {
        if (idx->mark[i] != idx->gen)
            continue;
        cellsrc_buf_add(out, idx->cell->items[i].text);
        cellsrc_buf_add(out, "\n");
        emitted++;
    }
    return emitted;
}
