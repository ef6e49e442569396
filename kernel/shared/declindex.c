/* declindex.c — declaration index over flattened headers (see declindex.h).
 *
 * A chunk's "names" for lookup are plain identifiers: a tag "struct S" is
 * also filed under "S", because a reference to S in code does not say which
 * namespace it means; pulling in both is harmless, missing one is an error.
 */
#include "declindex.h"

#include "alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* map */

typedef struct slot {
    char *key;
    size_t len; /* of key: a probe compares lengths, never strlen()s (a quarter
                       of indexing the prelude once did) */
    union {
        size_t one; /* while n == 1: most keys have one value */
        size_t *vals;
    } v;
    uint32_t n, cap;
} slot;

struct declindex_map {
    slot *slots;
    size_t cap, used; /* cap is a power of two */
};

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

declindex_map *declindex_map_new(void)
{
    declindex_map *m = alloc_zeroed(sizeof *m);
    m->cap = 256;
    m->slots = alloc_zeroed(m->cap * sizeof *m->slots);
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
        if (m->slots[i].len == len && !memcmp(m->slots[i].key, key, len))
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
        m->slots = alloc_zeroed(m->cap * sizeof *m->slots);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i].key)
                *find(m, old.slots[i].key, old.slots[i].len) = old.slots[i];
        free(old.slots);
    }
    slot *s = find(m, key, len);
    if (!s->key) {
        s->key = alloc_zeroed(len + 1);
        memcpy(s->key, key, len);
        s->len = len;
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
        s->v.vals = alloc_zeroed(s->cap * sizeof *s->v.vals);
        s->v.vals[0] = first;
    } else if (s->n == s->cap) {
        s->cap *= 2;
        s->v.vals = alloc_resize(s->v.vals, s->cap * sizeof *s->v.vals);
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

/* The index a session keeps is frozen into flat arrays with 32-bit offsets
 * and no pointers: the parsed items and string maps it is built from take
 * more than twice the memory (2.1 MB against 0.9 MB for the default
 * prelude), and every executor process holds one. */
typedef struct chunk {
    uint32_t text; /* offset of its text in strs */
    uint32_t refs; /* its first mentioned name in words (string offsets) */
    uint32_t nrefs;
} chunk;

typedef struct tslot {
    uint32_t key;  /* offset of the key in strs, plus one; 0: empty */
    uint32_t n;    /* chunks filed under the key */
    uint32_t vals; /* n == 1: the chunk; else its first in words */
} tslot;

typedef struct table {
    tslot *slots;
    size_t cap; /* power of two, at most half full */
} table;

struct declindex {
    chunk *chunks;
    size_t nchunks;
    uint32_t *words;         /* refs (string offsets) and chunk lists of keys */
    char *strs;              /* the chunks' texts, and every name once */
    table by_name;           /* plain name -> chunks defining it */
    table types;             /* typedef names and tags */
    table voids;             /* functions returning void */
    table macros;            /* live macro -> chunk */
    table tagonly;           /* names defined only as struct/union/enum tags */
    size_t nwords, strs_len; /* for declindex_serialize */
    unsigned *mark;          /* per chunk: closure generation (first closure allocates) */
    unsigned gen;
    char *text; /* declindex_text's, built when first asked */
    int view;   /* the arrays belong to a blob (declindex_view), not to us */
};

/* Growing arrays for freezing; offsets must fit 32 bits. */
typedef struct freezer {
    strbuf strs;  /* every name once: what lookups compare */
    strbuf texts; /* the chunks' texts, appended to strs at the end */
    uint32_t *words;
    size_t nwords, capwords;
    declindex_map *interned; /* string -> its offset in strs */
} freezer;

static uint32_t off32(size_t off)
{
    if (off > UINT32_MAX) {
        fputs("chalk: header index larger than 4 GB\n", stderr);
        abort();
    }
    return (uint32_t)off;
}

static uint32_t add_string(freezer *f, const char *str, int intern)
{
    size_t len = strlen(str), n;
    if (intern) {
        const size_t *v = declindex_map_get(f->interned, str, len, &n);
        if (n)
            return off32(v[0]);
    }
    size_t off = f->strs.len;
    strbuf_addn(&f->strs, str, len);
    strbuf_addn(&f->strs, "", 1); /* keep the NUL */
    if (intern)
        declindex_map_add(f->interned, str, len, off);
    return off32(off);
}

static void add_word(freezer *f, uint32_t w)
{
    if (f->nwords == f->capwords) {
        f->capwords = f->capwords ? 2 * f->capwords : 1024;
        f->words = alloc_resize(f->words, f->capwords * sizeof *f->words);
    }
    f->words[f->nwords++] = w;
}

/* The same open addressing as declindex_map, so lookups probe alike, but
 * up to three quarters full rather than half: the map doubled as it grew
 * (by_name ends a quarter full), and every slot a lookup may probe is a
 * page the index keeps resident (the prebuilt file is mapped, and a page
 * fault maps its neighbours too). */
static table freeze_map(freezer *f, const declindex_map *m)
{
    size_t cap = 1;
    while (cap * 3 < m->used * 4 + 1)
        cap *= 2;
    table t = { alloc_zeroed(cap * sizeof *t.slots), cap };
    for (size_t i = 0; i < m->cap; i++) {
        const slot *s = &m->slots[i];
        if (!s->key)
            continue;
        size_t at = hash(s->key, s->len) & (cap - 1);
        while (t.slots[at].key)
            at = (at + 1) & (cap - 1);
        tslot *d = &t.slots[at];
        d->key = add_string(f, s->key, 1) + 1;
        d->n = s->n;
        if (s->n == 1) {
            d->vals = off32(s->v.one);
            continue;
        }
        d->vals = off32(f->nwords);
        for (uint32_t k = 0; k < s->n; k++)
            add_word(f, off32(s->v.vals[k]));
    }
    return t;
}

static const tslot *table_find(const declindex *idx, const table *t, const char *key, size_t len)
{
    size_t i = hash(key, len) & (t->cap - 1);
    for (; t->slots[i].key; i = (i + 1) & (t->cap - 1)) {
        const char *k = idx->strs + t->slots[i].key - 1;
        if (strncmp(k, key, len) == 0 && k[len] == '\0')
            return &t->slots[i];
    }
    return NULL;
}

/* The chunks filed under key (*n of them), or NULL. */
static const uint32_t *table_get(const declindex *idx, const table *t, const char *key, size_t len,
                                 size_t *n)
{
    const tslot *s = table_find(idx, t, key, len);
    *n = s ? s->n : 0;
    return !s ? NULL : s->n == 1 ? &s->vals : idx->words + s->vals;
}

static const char *plain(const char *def)
{
    const char *sp = strchr(def, ' ');
    return sp ? sp + 1 : def;
}

declindex *declindex_new(const char *flat, const declindex *pre)
{
    declindex_map *by_name = declindex_map_new(), *types = declindex_map_new(),
                  *voids = declindex_map_new(), *macros = declindex_map_new(),
                  *ordinary = declindex_map_new(), *tagonly = declindex_map_new();

    /* Typedef names must be known while splitting (`gsl_block * b;`), so
     * the splitter learns them from the text itself as it goes. */
    cellsrc_cell *cell = cellsrc_split(flat, CELLSRC_WHOLE, NULL, NULL);
    size_t n = cell->nitems;
    unsigned char *live = alloc_zeroed(n);
    declindex_map *last_def = declindex_map_new(); /* macro -> latest chunk */

    for (size_t i = 0; i < n; i++) {
        cellsrc_item *it = &cell->items[i];
        live[i] = 1;
        if (it->kind == CELLSRC_PP) {
            live[i] = 0;
            if ((it->pp != CELLSRC_PP_DEFINE && it->pp != CELLSRC_PP_UNDEF) || !it->ndefs)
                continue;
            const char *name = it->defs[0];
            if (pre && declindex_is_macro(pre, name))
                continue;
            size_t k;
            const size_t *prev = declindex_map_get(last_def, name, strlen(name), &k);
            if (k && prev[k - 1] != SIZE_MAX)
                live[prev[k - 1]] = 0;
            declindex_map_add(last_def, name, strlen(name),
                              it->pp == CELLSRC_PP_DEFINE ? i : SIZE_MAX);
            if (it->pp == CELLSRC_PP_DEFINE)
                live[i] = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        cellsrc_item *it = &cell->items[i];
        if (!live[i])
            continue;
        for (size_t d = 0; d < it->ntypenames; d++)
            declindex_map_add(types, it->typenames[d], strlen(it->typenames[d]), i);
        for (size_t d = 0; d < it->ndefs; d++) {
            const char *p = plain(it->defs[d]);
            declindex_map_add(by_name, p, strlen(p), i);
            if (p == it->defs[d])
                declindex_map_add(ordinary, p, strlen(p), i);
            if (it->kind == CELLSRC_PP)
                declindex_map_add(macros, p, strlen(p), i);
            else if (it->kind == CELLSRC_TYPE && p != it->defs[d])
                declindex_map_add(types, it->defs[d], strlen(it->defs[d]), i);
            if ((it->kind == CELLSRC_PROTO || it->kind == CELLSRC_FUNC) &&
                (it->flags & CELLSRC_VOID))
                declindex_map_add(voids, p, strlen(p), i);
        }
    }
    declindex_map_destroy(&last_def);
    free(live);
    /* A tag is not an ordinary identifier: <time.h>'s `struct tm` leaves a
     * cell's `int tm` free (reserved.c asks).  Few names are tags alone. */
    for (size_t i = 0; i < by_name->cap; i++) {
        const slot *sl = &by_name->slots[i];
        if (!sl->key)
            continue;
        size_t k;
        declindex_map_get(ordinary, sl->key, sl->len, &k);
        if (!k)
            declindex_map_add(tagonly, sl->key, sl->len, 0);
    }
    declindex_map_destroy(&ordinary);

    declindex *idx = alloc_zeroed(sizeof *idx);
    freezer f = { .interned = declindex_map_new() };
    idx->nchunks = n;
    idx->chunks = alloc_zeroed(n * sizeof *idx->chunks);
    for (size_t i = 0; i < n; i++) {
        const cellsrc_item *it = &cell->items[i];
        chunk *c = &idx->chunks[i];
        c->text = off32(f.texts.len);
        strbuf_addn(&f.texts, it->text, strlen(it->text) + 1);
        c->refs = off32(f.nwords);
        c->nrefs = off32(it->nrefs);
        for (size_t r = 0; r < it->nrefs; r++)
            add_word(&f, add_string(&f, it->refs[r], 1));
    }
    cellsrc_destroy(&cell);
    idx->by_name = freeze_map(&f, by_name);
    idx->types = freeze_map(&f, types);
    idx->voids = freeze_map(&f, voids);
    idx->macros = freeze_map(&f, macros);
    idx->tagonly = freeze_map(&f, tagonly);
    declindex_map_destroy(&by_name);
    declindex_map_destroy(&types);
    declindex_map_destroy(&voids);
    declindex_map_destroy(&macros);
    declindex_map_destroy(&tagonly);
    declindex_map_destroy(&f.interned);
    /* Names first, texts after: a lookup's compares stay on the few pages
     * of names, and a mapped index (declindex_view) reads a chunk's text
     * only when a cell needs that chunk. */
    size_t names_len = f.strs.len;
    for (size_t i = 0; i < n; i++)
        idx->chunks[i].text = off32(idx->chunks[i].text + names_len);
    strbuf_addn(&f.strs, f.texts.s ? f.texts.s : "", f.texts.len);
    strbuf_free(&f.texts);
    idx->strs_len = f.strs.len;
    if (f.strs.len) {
        idx->strs = alloc_resize(f.strs.s, f.strs.len);
    } else { /* no names, no text: the buffer may still hold an allocation */
        strbuf_free(&f.strs);
        idx->strs = alloc_zeroed(1);
    }
    idx->nwords = f.nwords;
    idx->words = f.nwords ? alloc_resize(f.words, f.nwords * sizeof *f.words) : NULL;
    return idx;
}

void declindex_destroy(declindex **idx_p)
{
    declindex *idx = *idx_p;
    if (!idx)
        return;
    free(idx->text);
    free(idx->mark);
    if (!idx->view) {
        free(idx->chunks);
        free(idx->words);
        free(idx->strs);
        free(idx->by_name.slots);
        free(idx->types.slots);
        free(idx->voids.slots);
        free(idx->macros.slots);
        free(idx->tagonly.slots);
    }
    free(idx);
    *idx_p = NULL;
}

const char *declindex_text(declindex *idx)
{
    /* Rebuilt from the chunks when asked (rarely): the index does not keep
     * a second copy of the headers for it. */
    if (!idx->text) {
        strbuf b = { 0 };
        for (size_t i = 0; i < idx->nchunks; i++) {
            strbuf_add(&b, idx->strs + idx->chunks[i].text);
            strbuf_add(&b, "\n");
        }
        idx->text = b.s ? strbuf_take(&b) : alloc_zeroed(1);
    }
    return idx->text;
}
size_t declindex_nchunks(const declindex *idx)
{
    return idx->nchunks;
}

int declindex_is_type(const declindex *idx, const char *name, size_t len)
{
    return table_find(idx, &idx->types, name, len) != NULL;
}

int declindex_defines(const declindex *idx, const char *name)
{
    const char *p = plain(name);
    return table_find(idx, &idx->by_name, p, strlen(p)) != NULL;
}

int declindex_declares(const declindex *idx, const char *name)
{
    size_t len = strlen(name);
    return table_find(idx, &idx->by_name, name, len) && !table_find(idx, &idx->tagonly, name, len);
}

int declindex_returns_void(const declindex *idx, const char *name)
{
    return table_find(idx, &idx->voids, name, strlen(name)) != NULL;
}

int declindex_is_macro(const declindex *idx, const char *name)
{
    return table_find(idx, &idx->macros, name, strlen(name)) != NULL;
}

/* Push the chunks defining name that are not marked yet. */
static void mark_defining(declindex *idx, const char *name, size_t *work, size_t *top)
{
    size_t k;
    const uint32_t *v = table_get(idx, &idx->by_name, name, strlen(name), &k);
    for (size_t j = 0; j < k; j++)
        if (idx->mark[v[j]] != idx->gen) {
            idx->mark[v[j]] = idx->gen;
            work[(*top)++] = v[j];
        }
}

size_t declindex_closure(declindex *idx, const char *const *names, size_t n, strbuf *out)
{
    size_t nchunks = idx->nchunks, emitted = 0;
    if (!idx->mark)
        idx->mark = alloc_zeroed((nchunks + 1) * sizeof *idx->mark);
    if (++idx->gen == 0) { /* wrapped: old marks could collide */
        memset(idx->mark, 0, nchunks * sizeof *idx->mark);
        idx->gen = 1;
    }
    /* worklist of chunk indices */
    size_t *work = alloc_zeroed((nchunks + 1) * sizeof *work), top = 0;
    for (size_t i = 0; i < n; i++)
        mark_defining(idx, names[i], work, &top);
    while (top) {
        const chunk *c = &idx->chunks[work[--top]];
        for (uint32_t r = 0; r < c->nrefs; r++) {
            /* A name reached through token pasting is invisible to a token
             * scan: glibc's type-generic math passes `__finite` to a macro
             * that pastes `f` or `l` onto it.  So a mentioned name also pulls
             * in its float and long double variants when they exist. */
            static const char *const pasted[] = { "", "f", "l" };
            const char *ref = idx->strs + idx->words[c->refs + r];
            for (size_t p = 0; p < sizeof pasted / sizeof pasted[0]; p++) {
                char name[256];
                if (snprintf(name, sizeof name, "%s%s", ref, pasted[p]) < (int)sizeof name)
                    mark_defining(idx, name, work, &top);
            }
        }
    }
    free(work);
    for (size_t i = 0; i < nchunks; i++) {
        if (idx->mark[i] != idx->gen)
            continue;
        strbuf_add(out, idx->strs + idx->chunks[i].text);
        strbuf_add(out, "\n");
        emitted++;
    }
    return emitted;
}

/* ------------------------------------------------------------------ */
/* serialized form (header_index.c maps it from a file) */

/* The frozen arrays one after the other, native byte order: the file is
 * read only by the executor that wrote it (header_index.c keys it on the
 * executable), so no portability is needed, and no pointer is stored. */
typedef struct blob_head {
    char magic[8];
    uint32_t nchunks, nwords, strs_len;
    uint32_t cap[5]; /* by_name, types, voids, macros, tagonly */
} blob_head;
static const char blob_magic[8] = "chlkdix1";

static table *blob_tables(declindex *idx, size_t k)
{
    table *t[5] = { &idx->by_name, &idx->types, &idx->voids, &idx->macros, &idx->tagonly };
    return t[k];
}

void declindex_serialize(const declindex *idx, strbuf *out)
{
    blob_head h = { .nchunks = off32(idx->nchunks),
                    .nwords = off32(idx->nwords),
                    .strs_len = off32(idx->strs_len) };
    memcpy(h.magic, blob_magic, sizeof h.magic);
    for (size_t k = 0; k < 5; k++)
        h.cap[k] = off32(blob_tables((declindex *)idx, k)->cap);
    strbuf_addn(out, (const char *)&h, sizeof h);
    strbuf_addn(out, (const char *)idx->chunks, idx->nchunks * sizeof *idx->chunks);
    if (idx->nwords)
        strbuf_addn(out, (const char *)idx->words, idx->nwords * sizeof *idx->words);
    for (size_t k = 0; k < 5; k++) {
        const table *t = blob_tables((declindex *)idx, k);
        strbuf_addn(out, (const char *)t->slots, t->cap * sizeof *t->slots);
    }
    strbuf_addn(out, idx->strs, idx->strs_len);
}

declindex *declindex_view(const void *blob, size_t len)
{
    blob_head h;
    if (((uintptr_t)blob & 3) || len < sizeof h)
        return NULL;
    memcpy(&h, blob, sizeof h);
    if (memcmp(h.magic, blob_magic, sizeof h.magic) || !h.strs_len)
        return NULL;
    uint64_t need = sizeof h + (uint64_t)h.nchunks * sizeof(chunk) +
                    (uint64_t)h.nwords * sizeof(uint32_t) + h.strs_len;
    for (size_t k = 0; k < 5; k++) {
        if (!h.cap[k] || (h.cap[k] & (h.cap[k] - 1)))
            return NULL; /* lookups mask with cap - 1 */
        need += (uint64_t)h.cap[k] * sizeof(tslot);
    }
    if (need != len)
        return NULL;
    const char *p = (const char *)blob + sizeof h;
    if (p[need - sizeof h - 1] != '\0')
        return NULL; /* every string read must end inside the blob */
    declindex *idx = alloc_zeroed(sizeof *idx);
    idx->view = 1;
    idx->nchunks = h.nchunks;
    idx->chunks = (chunk *)p;
    p += (size_t)h.nchunks * sizeof(chunk);
    idx->nwords = h.nwords;
    idx->words = h.nwords ? (uint32_t *)p : NULL;
    p += (size_t)h.nwords * sizeof(uint32_t);
    for (size_t k = 0; k < 5; k++) {
        table *t = blob_tables(idx, k);
        t->slots = (tslot *)p;
        t->cap = h.cap[k];
        p += (size_t)h.cap[k] * sizeof(tslot);
    }
    idx->strs = (char *)p;
    idx->strs_len = h.strs_len;
    return idx;
}
