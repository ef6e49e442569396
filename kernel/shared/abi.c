/* abi.c — GSL and libchalk calls through thunks, other wrong calls refused
 * (see abi.h).
 *
 * The flattened headers hold one top-level declaration after another, and
 * preprocessor lines (#define, from -dD) between them.  A statement ends at
 * `;` or at the `}` closing a function body (a `{` after `)`); a prototype
 * is routed when the identifier just before its first top-level `(` names a
 * thunk.  One pass also records where each struct, union and typedef is
 * defined, so that a later prototype's by-value types can be laid out from
 * their definitions (the layout reader below: members, nested aggregates,
 * arrays of literal size, the usual alignment; what it cannot read makes the
 * aggregate "unknown", which is refused rather than guessed).
 *
 * Beware: a typedef of a function type (`typedef R NAME(...)`) would look
 * like a prototype; they are skipped by their leading `typedef`.  The pass
 * costs about 4 ms of CPU over the 363 KB default prelude, once per
 * flattening; most of it is spared by `candidate`, which leaves prototypes
 * whose parameters are all pointers or scalars unparsed.
 *
 * Why ~1,460 lines in one file: the routing pass, the layout reader and the
 * examination of callbacks all work on the definitions one pass records
 * (`defs`), and are read together: a prototype is refused or routed by the
 * layouts of its by-value types and of what its callbacks pass.  A split
 * would export `defs` and its lookups to each part.
 */
#include "abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsrc.h"
#include "declindex.h"

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

const abi_thunk *abi_find(const char *name, size_t len)
{
    size_t lo = 0, hi = abi_nthunks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(abi_thunks[mid].name, name, len);
        if (c == 0 && abi_thunks[mid].name[len])
            c = 1;
        if (c == 0)
            return &abi_thunks[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

char *abi_declaration(const char *text)
{
    static const char lead[] = "static inline ";
    while (*text == ' ' || *text == '\t' || *text == '\n')
        text++;
    const char *body = strstr(text, ") { ");
    if (strncmp(text, lead, sizeof lead - 1) || !body || !strstr(body, " ch__thunk_"))
        return NULL;
    strbuf b = { 0 };
    strbuf_addn(&b, text + sizeof lead - 1, (size_t)(body + 1 - (text + sizeof lead - 1)));
    strbuf_add(&b, ";");
    return strbuf_take(&b);
}

/* Whether the statement [s, e) is a function prototype; its name in
 * *name, *len. */
static int prototype_name(const char *s, const char *e, const char **name, size_t *len)
{
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n'))
        s++;
    if (e - s > 8 && !strncmp(s, "typedef", 7) && !is_ident(s[7]))
        return 0;
    const char *paren = memchr(s, '(', (size_t)(e - s));
    if (!paren || memchr(s, '{', (size_t)(e - s)) || memchr(s, '=', (size_t)(paren - s)))
        return 0;
    const char *end = paren;
    /* R (*NAME(P))(Q): a function returning a function pointer */
    const char *q = paren + 1;
    while (q < e && (*q == ' ' || *q == '*'))
        q++;
    const char *id = q;
    while (q < e && is_ident(*q))
        q++;
    const char *after = q;
    while (after < e && *after == ' ')
        after++;
    if (q > id && memchr(paren, '*', (size_t)(id - paren)) && after < e && *after == '(')
        end = q;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *start = end;
    while (start > s && is_ident(start[-1]))
        start--;
    if (start == end || (*start >= '0' && *start <= '9'))
        return 0;
    *name = start;
    *len = (size_t)(end - start);
    return 1;
}

/* The thunk a statement [s, e) declares a prototype of, or NULL. */
static const abi_thunk *routed(const char *s, const char *e)
{
    const char *name;
    size_t len;
    return prototype_name(s, e, &name, &len) ? abi_find(name, len) : NULL;
}

/* The `)` closing the first `(` at or after p (before e). */
static const char *close_paren(const char *p, const char *e)
{
    long depth = 0;
    for (; p < e; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p;
    }
    return e - 1;
}

/* ------------------------------------------------------------------ */
/* What libtcc gets wrong: the layout of a struct as both compilers see it */

typedef struct layout {
    size_t size, align;
    unsigned char cls[16]; /* per byte of the first 16: 0 padding, 1 INTEGER, 2 SSE, 3 X87 */
    int tcc_int;           /* libtcc's whole-struct merge sees an integer or an array */
    int tcc_x87;
    int aggregate; /* a struct or union (by value: what this file is about) */
    int known;     /* 0: an aggregate whose layout could not be read */
} layout;

/* The definitions met so far in the flattened text: "struct S", "union U"
 * and typedef names -> the statement that defines them. */
typedef struct defs {
    const char *flat;
    declindex_map *names;
    declindex_map *aggs; /* typedef names that may stand for an aggregate */
    declindex_map *memo; /* name -> index in laid (views by value are in
                                 hundreds of GSL prototypes) */
    struct layout *laid;
    size_t nlaid;
    size_t (*span)[2]; /* statement start and length in flat */
    size_t n;
    declindex_map *holders;  /* names whose definition may reach a function
                                 pointer (a `(` in it, or a holder named) */
    declindex_map *heldmemo; /* name -> index in held */
    char (*held)[160];       /* "" or "TYPE.VIA": what reaches_wrong found */
    size_t nheld;
} defs;

typedef struct toks {
    const char *src;
    ctoken *t;
    size_t n;
} toks;

static int tok_is(const toks *k, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i < k->n && k->t[i].len == n && !memcmp(k->src + k->t[i].off, w, n);
}

static int tok_ident(const toks *k, size_t i)
{
    return i < k->n && k->t[i].kind == CTOKEN_IDENT;
}

/* The index after the bracket closing the one at i. */
static size_t skip_group(const toks *k, size_t i)
{
    long depth = 0;
    for (; i < k->n; i++) {
        if (tok_is(k, i, "(") || tok_is(k, i, "[") || tok_is(k, i, "{"))
            depth++;
        else if ((tok_is(k, i, ")") || tok_is(k, i, "]") || tok_is(k, i, "}")) && --depth == 0)
            return i + 1;
    }
    return i;
}

static void scalar(layout *l, size_t size, int cls)
{
    memset(l, 0, sizeof *l);
    l->size = l->align = size;
    l->known = 1;
    memset(l->cls, cls, size < 16 ? size : 16);
    l->tcc_int = cls == 1;
    l->tcc_x87 = cls == 3;
}

static int layout_of(const defs *d, const char *name, int depth, layout *out);

/* Whether the type named at i is only pointed to (`struct S *p`): then its
 * layout is not needed, and reading it would recurse through every struct
 * that points at its own kind. */
static int pointed_to(const toks *k, size_t i)
{
    while (tok_is(k, i, "const") || tok_is(k, i, "volatile"))
        i++;
    return tok_is(k, i, "*");
}

static int parse_specs(const defs *d, const toks *k, size_t *i, size_t end, int depth, layout *out);

/* Place member m at the next offset of struct (or at 0 of union) l. */
static void place(layout *l, const layout *m, int is_union)
{
    size_t off = 0;
    if (!is_union)
        off = (l->size + m->align - 1) / m->align * m->align;
    for (size_t b = 0; b < m->size && off + b < 16; b++) {
        unsigned char a = l->cls[off + b], c = b < 16 ? m->cls[b] : 1;
        l->cls[off + b] = a == 1 || c == 1 ? 1 : a == 3 || c == 3 ? 3 : a | c;
    }
    l->tcc_int |= m->tcc_int;
    l->tcc_x87 |= m->tcc_x87;
    l->known &= m->known;
    if (m->align > l->align)
        l->align = m->align;
    if (is_union) {
        if (m->size > l->size)
            l->size = m->size;
    } else {
        l->size = off + m->size;
    }
}

/* A declarator applied to `base` (pointers, arrays); its name in *name.
 * -1 for what this reader does not follow (bit-fields). */
static int parse_declarator(const toks *k, size_t *i, size_t end, const layout *base, layout *out,
                            size_t *name)
{
    int pointer = 0;
    *name = (size_t)-1;
    *out = *base;
    while (*i < end && (tok_is(k, *i, "*") || tok_is(k, *i, "const") || tok_is(k, *i, "volatile") ||
                        tok_is(k, *i, "restrict") || tok_is(k, *i, "__restrict"))) {
        pointer |= tok_is(k, *i, "*");
        (*i)++;
    }
    if (tok_is(k, *i, "(")) { /* (*f)(...), (*a)[3]: a pointer */
        size_t close = skip_group(k, *i);
        for (size_t j = *i; j < close; j++)
            if (tok_ident(k, j))
                *name = j;
        *i = close;
        while (*i < end && (tok_is(k, *i, "(") || tok_is(k, *i, "[")))
            *i = skip_group(k, *i);
        pointer = 1;
    } else if (tok_ident(k, *i)) {
        *name = (*i)++;
    }
    size_t count = 1;
    int array = 0;
    while (*i < end && tok_is(k, *i, "[")) {
        array = 1;
        if (k->t[*i + 1].kind == CTOKEN_NUMBER && tok_is(k, *i + 2, "]"))
            count *= strtoul(k->src + k->t[*i + 1].off, NULL, 0);
        else if (!tok_is(k, *i + 1, "]"))
            out->known = 0; /* a size this reader cannot evaluate */
        *i = skip_group(k, *i);
    }
    if (*i < end && tok_is(k, *i, ":"))
        return -1;
    if (pointer) {
        scalar(out, 8, 1);
    } else if (array) {
        layout e = *out;
        out->size = e.size * count;
        memset(out->cls, 0, sizeof out->cls);
        for (size_t b = 0; b < out->size && b < 16; b++)
            out->cls[b] = e.size ? e.cls[b % e.size] : 0;
        out->tcc_int = 1; /* libtcc classifies an array as a pointer */
    }
    return 0;
}

static int parse_body(const defs *d, const toks *k, size_t *i, int is_union, int depth, layout *out)
{
    memset(out, 0, sizeof *out);
    out->align = 1;
    out->known = out->aggregate = 1;
    size_t close = skip_group(k, *i) - 1;
    for ((*i)++; *i < close;) {
        layout base, m;
        if (parse_specs(d, k, i, close, depth, &base) < 0)
            return -1;
        if (tok_is(k, *i, ";")) { /* an anonymous struct or union member */
            place(out, &base, is_union);
            (*i)++;
            continue;
        }
        for (;;) {
            size_t name;
            if (parse_declarator(k, i, close, &base, &m, &name) < 0)
                return -1;
            place(out, &m, is_union);
            while (*i < close && !tok_is(k, *i, ",") && !tok_is(k, *i, ";"))
                (*i)++; /* __attribute__ after a member, = in none */
            if (!tok_is(k, *i, ","))
                break;
            (*i)++;
        }
        (*i)++;
    }
    *i = close + 1;
    out->size = (out->size + out->align - 1) / out->align * out->align;
    return 0;
}

/* Declaration specifiers from *i: the type they name in *out.  A typedef
 * name this file never saw (a compiler built-in such as
 * __builtin_va_list) is taken as a scalar: only aggregates matter here. */
static int parse_specs(const defs *d, const toks *k, size_t *i, size_t end, int depth, layout *out)
{
    int nlong = 0, nchar = 0, nshort = 0, nint = 0, nfloat = 0, ndouble = 0, nbool = 0, nvoid = 0,
        sign = 0, typed = 0;
    static const char *const skip[] = { "const",    "volatile", "restrict",      "__restrict",
                                        "static",   "extern",   "register",      "inline",
                                        "__inline", "typedef",  "__extension__", "_Noreturn",
                                        "auto" };
    scalar(out, 4, 1);
    while (*i < end) {
        int skipped = 0;
        for (size_t s = 0; s < sizeof skip / sizeof *skip && !skipped; s++)
            skipped = tok_is(k, *i, skip[s]);
        if (skipped) {
            (*i)++;
        } else if (tok_is(k, *i, "__attribute__") || tok_is(k, *i, "__attribute")) {
            size_t e = skip_group(k, *i + 1);
            for (size_t j = *i; j < e; j++)
                if (tok_is(k, j, "packed") || tok_is(k, j, "__packed__") ||
                    tok_is(k, j, "aligned") || tok_is(k, j, "__aligned__"))
                    out->known = 0;
            *i = e;
        } else if (tok_is(k, *i, "struct") || tok_is(k, *i, "union")) {
            int is_union = tok_is(k, *i, "union");
            char tag[300];
            (*i)++;
            while (tok_is(k, *i, "__attribute__"))
                *i = skip_group(k, *i + 1);
            int named = tok_ident(k, *i);
            if (named)
                snprintf(tag, sizeof tag, "%s %.*s", is_union ? "union" : "struct",
                         (int)k->t[*i].len, k->src + k->t[*i].off);
            if (named)
                (*i)++;
            int known = out->known;
            if (tok_is(k, *i, "{")) {
                if (parse_body(d, k, i, is_union, depth, out) < 0)
                    return -1;
            } else if (named && pointed_to(k, *i)) {
                scalar(out, 8, 1);
            } else if (!named || layout_of(d, tag, depth + 1, out) < 0) {
                memset(out, 0, sizeof *out);
                out->aggregate = 1; /* incomplete: only pointers to it make sense */
            }
            out->known &= known;
            typed = 1;
        } else if (tok_is(k, *i, "enum")) {
            (*i)++;
            if (tok_ident(k, *i))
                (*i)++;
            if (tok_is(k, *i, "{"))
                *i = skip_group(k, *i);
            scalar(out, 4, 1);
            typed = 1;
        } else if (tok_ident(k, *i)) {
            const char *w = k->src + k->t[*i].off;
            size_t n = k->t[*i].len;
#define KW(s) (n == sizeof s - 1 && !memcmp(w, s, n))
            if (KW("long"))
                nlong++;
            else if (KW("char"))
                nchar++;
            else if (KW("short"))
                nshort++;
            else if (KW("int"))
                nint++;
            else if (KW("float"))
                nfloat++;
            else if (KW("double"))
                ndouble++;
            else if (KW("_Bool"))
                nbool++;
            else if (KW("void"))
                nvoid++;
            else if (KW("signed") || KW("unsigned") || KW("__signed__"))
                sign++;
#undef KW
            else if (!typed &&
                     !(nlong | nchar | nshort | nint | nfloat | ndouble | nbool | nvoid | sign)) {
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)n, w);
                if (pointed_to(k, *i + 1) || layout_of(d, name, depth + 1, out) < 0)
                    scalar(out, 8, 1);
                typed = 1;
            } else {
                break; /* the declarator's name */
            }
            (*i)++;
        } else {
            break;
        }
    }
    if (!typed) {
        if (ndouble)
            scalar(out, nlong ? 16 : 8, nlong ? 3 : 2);
        else if (nfloat)
            scalar(out, 4, 2);
        else if (nchar || nbool)
            scalar(out, 1, 1);
        else if (nshort)
            scalar(out, 2, 1);
        else if (nlong)
            scalar(out, 8, 1);
        else
            scalar(out, 4, 1);
    }
    return 0;
}

/* The tokens of the newest statement that defines name [name, name+len)
 * (its text a new string, out->src: free it and out->t); -1 if none does. */
static int definition_tokens(const defs *d, const char *name, size_t len, toks *out)
{
    size_t n;
    const size_t *v = declindex_map_get(d->names, name, len, &n);
    if (!n)
        return -1;
    size_t start = d->span[v[n - 1]][0], slen = d->span[v[n - 1]][1];
    char *text = malloc(slen + 1);
    if (!text)
        abort();
    memcpy(text, d->flat + start, slen);
    text[slen] = 0;
    *out = (toks){ text, NULL, 0 };
    out->n = ctoken_scan(text, &out->t, NULL);
    return 0;
}

/* The layout of a type name ("struct S", or a typedef name) from its
 * definition in the text; -1 when the text does not define it. */
static int layout_of_text(const defs *d, const char *name, int depth, layout *out);

static int layout_of(const defs *d, const char *name, int depth, layout *out)
{
    size_t n, len = strlen(name);
    const size_t *v = declindex_map_get(d->memo, name, len, &n);
    if (n) {
        *out = d->laid[v[0]];
        return 0;
    }
    int rc = layout_of_text(d, name, depth, out);
    defs *w = (defs *)d; /* the memo is a cache: logically const */
    if (rc == 0) {
        w->laid = realloc(w->laid, (w->nlaid + 1) * sizeof *w->laid);
        if (!w->laid)
            abort();
        w->laid[w->nlaid] = *out;
        declindex_map_add(w->memo, name, len, w->nlaid++);
    } /* a failure is not kept: the definition may come later in the text */
    return rc;
}

static int layout_of_text(const defs *d, const char *name, int depth, layout *out)
{
    toks k;
    if (depth > 16 || definition_tokens(d, name, strlen(name), &k) < 0)
        return -1;
    int rc = -1;
    size_t i = 0;
    layout base;
    if (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6)) {
        /* the statement holds `struct S {`: find that body */
        int is_union = name[0] == 'u';
        const char *tag = strchr(name, ' ') + 1;
        for (; i + 2 < k.n; i++)
            if (tok_is(&k, i, is_union ? "union" : "struct") && tok_is(&k, i + 1, tag) &&
                tok_is(&k, i + 2, "{")) {
                i += 2;
                rc = parse_body(d, &k, &i, is_union, depth, out);
                break;
            }
    } else if (parse_specs(d, &k, &i, k.n, depth, &base) == 0) {
        /* typedef SPECS decl, decl, ...; : the declarator naming `name` */
        while (i < k.n && rc < 0) {
            size_t nm;
            layout m;
            if (parse_declarator(&k, &i, k.n, &base, &m, &nm) < 0)
                break;
            if (nm != (size_t)-1 && tok_is(&k, nm, name)) {
                *out = m;
                rc = 0;
            }
            if (!tok_is(&k, i, ","))
                break;
            i++;
        }
    }
    free(k.t);
    free((char *)k.src);
    return rc;
}

/* 1 when libtcc passes a value of layout l in other registers than the
 * SysV ABI: it merges the whole struct into one class (INTEGER as soon as
 * one member is an integer or an array), where the ABI gives each
 * eightbyte its own (SSE when it holds only float or double). */
static int tcc_gets_wrong(const layout *l)
{
    if (l->size == 0 || l->size > 16 || l->tcc_x87 || !l->tcc_int)
        return 0;
    for (size_t e = 0; e * 8 < l->size; e++) {
        int has_int = 0, has_sse = 0;
        for (size_t b = e * 8; b < l->size && b < e * 8 + 8; b++) {
            has_int |= l->cls[b] == 1;
            has_sse |= l->cls[b] == 2;
        }
        if (has_sse && !has_int)
            return 1;
    }
    return 0;
}

/* Record the names a statement defines: "struct S" for each `struct S {`,
 * and for a typedef the declarators' names. */
static int has_word(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = s; p + n <= s + len; p++)
        if (!memcmp(p, w, n) && (p == s || !is_ident(p[-1])) &&
            (p + n == s + len || !is_ident(p[n])))
            return 1;
    return 0;
}

static const char *const basic_words[] = { "char", "short", "int",    "long",     "float", "double",
                                           "void", "_Bool", "signed", "unsigned", "enum" };

/* Whether a typedef statement k may name an aggregate: it mentions struct
 * or union, or it renames a type name that may (`typedef gsl_complex z;`). */
static int maybe_aggregate(const defs *d, const toks *k, int tagged)
{
    if (tagged)
        return 1;
    for (size_t i = 1; i < k->n && tok_ident(k, i); i++) {
        const char *w = k->src + k->t[i].off;
        size_t n = k->t[i].len, got;
        if (tok_is(k, i, "const") || tok_is(k, i, "volatile") || tok_is(k, i, "__extension__"))
            continue;
        for (size_t b = 0; b < 11; b++)
            if (tok_is(k, i, basic_words[b]))
                return 0;
        declindex_map_get(d->aggs, w, n, &got);
        return got > 0;
    }
    return 0;
}

static int mentions_aggregate(const defs *d, const toks *k)
{
    for (size_t i = 0; i < k->n; i++) {
        size_t got = 0;
        if (tok_ident(k, i))
            declindex_map_get(d->aggs, k->src + k->t[i].off, k->t[i].len, &got);
        if (got)
            return 1;
    }
    return 0;
}

/* Whether a type name at i of k (`struct T`, `union T` or an identifier)
 * is a holder: its key in key (a NUL-terminated copy). */
static int holder_at(const defs *d, const toks *k, size_t i, char *key, size_t keylen, size_t *next)
{
    size_t got = 0;
    *next = i + 1;
    if ((tok_is(k, i, "struct") || tok_is(k, i, "union")) && tok_ident(k, i + 1)) {
        snprintf(key, keylen, "%.*s %.*s", (int)k->t[i].len, k->src + k->t[i].off,
                 (int)k->t[i + 1].len, k->src + k->t[i + 1].off);
        *next = i + 2;
    } else if (tok_ident(k, i)) {
        snprintf(key, keylen, "%.*s", (int)k->t[i].len, k->src + k->t[i].off);
    } else {
        return 0;
    }
    declindex_map_get(d->holders, key, strlen(key), &got);
    return got > 0;
}

/* Whether a struct or typedef statement may reach a function pointer: it
 * holds a `(` (a function pointer member or type), names a holder, or
 * names a struct not defined yet (which may become one; its own tag
 * aside).  Conservative: reaches_wrong reads the holders exactly. */
static int may_hold(const defs *d, const toks *k)
{
    for (size_t i = 0; i < k->n; i++) {
        char key[300];
        size_t next, got = 0;
        if (tok_is(k, i, "("))
            return 1;
        if (holder_at(d, k, i, key, sizeof key, &next))
            return 1;
        if ((tok_is(k, i, "struct") || tok_is(k, i, "union")) && tok_ident(k, i + 1) &&
            !tok_is(k, i + 2, "{")) {
            int own = 0;
            for (size_t j = 0; j + 2 < k->n && !own; j++)
                own = tok_is(k, j, k->src[k->t[i].off] == 's' ? "struct" : "union") &&
                      k->t[j + 1].len == k->t[i + 1].len &&
                      !memcmp(k->src + k->t[j + 1].off, k->src + k->t[i + 1].off,
                              k->t[i + 1].len) &&
                      tok_is(k, j + 2, "{");
            declindex_map_get(d->names, key, strlen(key), &got);
            if (!got && !own)
                return 1;
        }
        i = next - 1;
    }
    return 0;
}

static void record(defs *d, size_t start, size_t len)
{
    /* Most statements are prototypes: they define no type, and tokenizing
     * each would double the cost of a flattening. */
    const char *s = d->flat + start;
    size_t lead = 0;
    while (lead < len && (s[lead] == ' ' || s[lead] == '\t' || s[lead] == '\n'))
        lead++;
    int is_typedef = len - lead > 7 && !strncmp(s + lead, "typedef", 7) && !is_ident(s[lead + 7]);
    int braced = memchr(s, '{', len) != NULL;
    if (!is_typedef && !braced)
        return;
    int tagged = has_word(s, len, "struct") || has_word(s, len, "union");
    if (!is_typedef && !tagged)
        return;
    char *text = malloc(len + 1);
    if (!text)
        abort();
    memcpy(text, d->flat + start, len);
    text[len] = 0;
    toks k = { text, NULL, 0 };
    k.n = ctoken_scan(text, &k.t, NULL);
    int any = 0, holder = may_hold(d, &k);
    for (size_t i = 0; i + 2 < k.n; i++)
        if ((tok_is(&k, i, "struct") || tok_is(&k, i, "union")) && tok_ident(&k, i + 1) &&
            tok_is(&k, i + 2, "{")) {
            char tag[300];
            int n = snprintf(tag, sizeof tag, "%.*s %.*s", (int)k.t[i].len, text + k.t[i].off,
                             (int)k.t[i + 1].len, text + k.t[i + 1].off);
            declindex_map_add(d->names, tag, (size_t)n, d->n);
            if (holder)
                declindex_map_add(d->holders, tag, (size_t)n, 1);
            any = 1;
        }
    if (tok_is(&k, 0, "typedef")) {
        long depth = 0;
        for (size_t i = 0; i < k.n; i++) {
            if (tok_is(&k, i, "(") || tok_is(&k, i, "[") || tok_is(&k, i, "{"))
                depth++;
            else if (tok_is(&k, i, ")") || tok_is(&k, i, "]") || tok_is(&k, i, "}"))
                depth--;
            /* a name followed by , or ; at depth 0, or by [ (an array type),
             * or (*name) (a function pointer) */
            if (tok_ident(&k, i) &&
                ((depth == 0 &&
                  (tok_is(&k, i + 1, ",") || tok_is(&k, i + 1, ";") || tok_is(&k, i + 1, "["))) ||
                 (depth == 1 && tok_is(&k, i - 1, "*") && tok_is(&k, i + 1, ")") && i >= 2 &&
                  tok_is(&k, i - 2, "(")))) {
                declindex_map_add(d->names, text + k.t[i].off, k.t[i].len, d->n);
                if (holder)
                    declindex_map_add(d->holders, text + k.t[i].off, k.t[i].len, 1);
                /* a function pointer type whose signature names one: a
                 * parameter of that type is a callback to examine */
                if (maybe_aggregate(d, &k, tagged) || (depth == 1 && mentions_aggregate(d, &k)))
                    declindex_map_add(d->aggs, text + k.t[i].off, k.t[i].len, 1);
                any = 1;
            }
        }
    }
    if (any) {
        d->span = realloc(d->span, (d->n + 1) * sizeof *d->span);
        if (!d->span)
            abort();
        d->span[d->n][0] = start;
        d->span[d->n][1] = len;
        d->n++;
    }
    free(k.t);
    free(text);
}

/* Whether [from, to) names struct, union or a typedef that may stand for
 * an aggregate. */
static int names_aggregate(const defs *d, const char *from, const char *to)
{
    for (const char *q = from; q < to; q++) {
        if (!is_ident(*q) || (q > from && is_ident(q[-1])))
            continue;
        const char *r = q;
        while (r < to && is_ident(*r))
            r++;
        size_t n = (size_t)(r - q), got = 0;
        if ((n == 6 && !memcmp(q, "struct", 6)) || (n == 5 && !memcmp(q, "union", 5)))
            return 1;
        declindex_map_get(d->aggs, q, n, &got);
        if (got)
            return 1;
        q = r - 1;
    }
    return 0;
}

/* Whether a prototype [s, s+len) may have an aggregate by value: its
 * result or a parameter without `*`, `[` or `(` names struct, union or a
 * typedef that may stand for one.  A cheap scan that spares the parse of
 * nearly every prototype. */
static int candidate(const defs *d, const char *s, size_t len)
{
    const char *e = s + len, *seg = s;
    int depth = 0, indirect = 0, fnptr = 0;
    for (const char *p = s; p < e; p++) {
        int ends = 0;
        if (*p == '(') {
            ends = depth++ == 0;   /* the result ends at the list */
            indirect |= depth > 1; /* a function pointer parameter */
        } else if (*p == ')') {
            ends = --depth == 0;
        } else if (*p == ',' && depth == 1) {
            ends = 1;
        } else if (*p == '*' || *p == '[') {
            indirect = 1;
        }
        if (*p == '(' && depth == 2)
            fnptr = 1;
        if (!ends)
            continue;
        /* only a segment without * [ ( can hold an aggregate by value:
         * look its identifiers up then, not before (most are pointers) */
        if (!indirect && names_aggregate(d, seg, p))
            return 1;
        seg = p + 1;
        indirect = 0;
    }
    /* a function pointer parameter: its own result and parameters are
     * what the library passes to the cell's callback */
    if (fnptr && names_aggregate(d, s, e))
        return 1;
    /* a type that may hold one (through pointers, members, typedefs) */
    for (const char *q = s; q < e; q++) {
        if (!is_ident(*q) || (q > s && is_ident(q[-1])))
            continue;
        const char *r = q;
        while (r < e && is_ident(*r))
            r++;
        size_t got = 0;
        declindex_map_get(d->holders, q, (size_t)(r - q), &got);
        if (got)
            return 1;
        if (((r - q == 6 && !memcmp(q, "struct", 6)) || (r - q == 5 && !memcmp(q, "union", 5))))
            return 1; /* its tag: reaches_wrong reads it */
        q = r - 1;
    }
    return 0;
}

static int refused(const defs *d, const char *s, size_t len, char *why, size_t whylen);

static int reaches_wrong(const defs *d, const toks *k, size_t from, size_t end, int depth,
                         char *inner, size_t innerlen);

/* Whether the members of the body opening at `open` of k reach a function
 * pointer libtcc would call wrongly (reaches_wrong of each). */
static int members_reach(const defs *d, const toks *k, size_t open, int depth, char *inner,
                         size_t innerlen)
{
    size_t close = skip_group(k, open) - 1;
    for (size_t m = open + 1; m < close;) {
        size_t me = m;
        while (me < close && !tok_is(k, me, ";"))
            me = tok_is(k, me, "(") || tok_is(k, me, "[") || tok_is(k, me, "{") ? skip_group(k, me)
                                                                                : me + 1;
        if (reaches_wrong(d, k, m, me, depth, inner, innerlen))
            return 1;
        m = me + 1;
    }
    return 0;
}

/* Whether the type `name` (a typedef name, "struct T" or "union T")
 * reaches such a function pointer; memoized, and a type met again while
 * it is being read (a list's `next`) counts as not reaching one. */
static int holds_wrong(const defs *d, const char *name, int depth, char *inner, size_t innerlen)
{
    size_t n, len = strlen(name);
    declindex_map_get(d->holders, name, len, &n);
    if (!n || depth > 8)
        return 0;
    defs *w = (defs *)d; /* the memo is a cache: logically const */
    const size_t *v = declindex_map_get(d->heldmemo, name, len, &n);
    if (n) {
        snprintf(inner, innerlen, "%s", d->held[v[0]]);
        return *inner != 0;
    }
    size_t slot = w->nheld++;
    w->held = realloc(w->held, w->nheld * sizeof *w->held);
    if (!w->held)
        abort();
    w->held[slot][0] = 0;
    declindex_map_add(w->heldmemo, name, len, slot);
    toks t;
    if (definition_tokens(d, name, len, &t) < 0)
        return 0;
    int bad = 0;
    if (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6)) {
        const char *tag = strchr(name, ' ') + 1;
        for (size_t i = 0; i + 2 < t.n; i++)
            if (tok_is(&t, i, name[0] == 'u' ? "union" : "struct") && tok_is(&t, i + 1, tag) &&
                tok_is(&t, i + 2, "{")) {
                bad = members_reach(d, &t, i + 2, depth + 1, inner, innerlen);
                break;
            }
    } else if (t.n > 2 && tok_is(&t, 0, "typedef")) {
        bad = reaches_wrong(d, &t, 1, t.n - 1, depth + 1, inner, innerlen);
    }
    free(t.t);
    free((char *)t.src);
    if (bad)
        snprintf(w->held[slot], sizeof w->held[slot], "%s", inner);
    return bad;
}

/* Whether the declaration [from, end) of k (a parameter, a member, a
 * result, a typedef's body) reaches, through pointers, members and
 * typedefs, a function pointer whose signature libtcc would pass wrongly
 * (refused, read as a prototype): the struct type that signature passes
 * in `inner`.  A library holding or returning one calls the cell's
 * function wrongly, or the cell calls the library's. */
static int reaches_wrong(const defs *d, const toks *k, size_t from, size_t end, int depth,
                         char *inner, size_t innerlen)
{
    if (depth > 8)
        return 0;
    for (size_t open = from; open + 1 < end; open++) {
        if (tok_is(k, open, "{"))
            open = skip_group(k, open) - 1;
        else if (tok_is(k, open, "(") && tok_is(k, open + 1, "*")) {
            size_t after = skip_group(k, open);
            if (after >= end || !tok_is(k, after, "(") || open == from)
                break;
            /* R (*f)(P) or R (**f)(P): the prototype R f(P); */
            size_t pend = skip_group(k, after);
            strbuf b = { 0 };
            strbuf_addn(&b, k->src + k->t[from].off, k->t[open].off - k->t[from].off);
            strbuf_add(&b, " f");
            strbuf_addn(&b, k->src + k->t[after].off,
                        k->t[pend - 1].off + k->t[pend - 1].len - k->t[after].off);
            strbuf_add(&b, ";");
            char why[200];
            int bad = refused(d, b.s, b.len, why, sizeof why);
            strbuf_free(&b);
            if (bad) {
                /* "VERB.TYPE" or "VERB.TYPE.VIA": the TYPE */
                const char *ty = strchr(why, '.') + 1;
                const char *dot = strchr(ty, '.');
                snprintf(inner, innerlen, "%.*s", dot ? (int)(dot - ty) : (int)strlen(ty), ty);
                return 1;
            }
            break;
        }
    }
    for (size_t i = from; i < end; i++) {
        char key[300];
        size_t next;
        if ((tok_is(k, i, "struct") || tok_is(k, i, "union")) &&
            (tok_is(k, i + 1, "{") || (tok_ident(k, i + 1) && tok_is(k, i + 2, "{")))) {
            size_t open = tok_is(k, i + 1, "{") ? i + 1 : i + 2;
            if (members_reach(d, k, open, depth + 1, inner, innerlen))
                return 1;
            i = skip_group(k, open) - 1;
        } else if (holder_at(d, k, i, key, sizeof key, &next)) {
            if (holds_wrong(d, key, depth + 1, inner, innerlen))
                return 1;
            i = next - 1;
        }
    }
    return 0;
}

static int callback_refused(const defs *d, const toks *k, size_t from, size_t end, char *why,
                            size_t whylen, int depth);

/* The parameter [from, end) of type `NAME` or `NAME f`, NAME a typedef of
 * a function pointer (`typedef R (*NAME)(P...);`): callback_refused of
 * that definition. */
static int callback_typedef(const defs *d, const toks *k, size_t from, size_t end, char *why,
                            size_t whylen, int depth)
{
    size_t i = from;
    while (i < end && (tok_is(k, i, "const") || tok_is(k, i, "volatile")))
        i++;
    if (depth > 8 || !tok_ident(k, i))
        return 0;
    for (size_t j = i; j < end; j++)
        if (!tok_ident(k, j))
            return 0; /* a pointer to one, an array: not a callback called */
    toks t;
    if (definition_tokens(d, k->src + k->t[i].off, k->t[i].len, &t) < 0)
        return 0;
    int bad = t.n > 2 && tok_is(&t, 0, "typedef") &&
              callback_refused(d, &t, 1, t.n - 1, why, whylen, depth + 1);
    free(t.t);
    free((char *)t.src);
    return bad;
}

/* Whether the parameter [from, end) of k is a function pointer
 * (`R (*f)(P...)`) whose result or parameters libtcc would pass wrongly
 * when a gcc-built library calls the cell's function through it: read as
 * the prototype `R f(P...);`, the reason in `why`. */
static int callback_refused(const defs *d, const toks *k, size_t from, size_t end, char *why,
                            size_t whylen, int depth)
{
    size_t open = from;
    while (open + 1 < end && !(tok_is(k, open, "(") && tok_is(k, open + 1, "*")))
        open++;
    if (open + 1 >= end)
        return callback_typedef(d, k, from, end, why, whylen, depth);
    size_t after = skip_group(k, open);
    if (after >= end || !tok_is(k, after, "("))
        return 0;
    strbuf b = { 0 };
    strbuf_addn(&b, k->src + k->t[from].off, k->t[open].off - k->t[from].off);
    strbuf_add(&b, " f");
    strbuf_addn(&b, k->src + k->t[after].off,
                k->t[end - 1].off + k->t[end - 1].len - k->t[after].off);
    strbuf_add(&b, ";");
    int bad = refused(d, b.s, b.len, why, whylen);
    strbuf_free(&b);
    return bad;
}

/* The by-value aggregate of a prototype [s, e) that libtcc would pass
 * wrongly (its type's spelling in `why`), or 0. */
static int refused(const defs *d, const char *s, size_t len, char *why, size_t whylen)
{
    char *text = malloc(len + 1);
    if (!text)
        abort();
    memcpy(text, s, len);
    text[len] = 0;
    toks k = { text, NULL, 0 };
    k.n = ctoken_scan(text, &k.t, NULL);
    int bad = 0;
    size_t lp = 0;
    while (lp < k.n && !tok_is(&k, lp, "("))
        lp++;
    size_t ni = lp + 1;
    while (tok_is(&k, ni, "*"))
        ni++;
    if (ni > lp + 1 && tok_ident(&k, ni) && tok_is(&k, ni + 1, "(")) {
        /* R (*NAME(P))(Q): the parameters P, then the result R (*)(Q) */
        size_t p_end = skip_group(&k, ni + 1), q_open = p_end;
        while (tok_is(&k, q_open, ")"))
            q_open++;
        strbuf b = { 0 };
        strbuf_add(&b, "void f");
        strbuf_addn(&b, text + k.t[ni + 1].off,
                    k.t[p_end - 1].off + k.t[p_end - 1].len - k.t[ni + 1].off);
        strbuf_add(&b, ";");
        bad = refused(d, b.s, b.len, why, whylen);
        strbuf_free(&b);
        if (!bad && tok_is(&k, q_open, "(")) {
            size_t q_end = skip_group(&k, q_open);
            strbuf r = { 0 };
            strbuf_addn(&r, text, k.t[lp].off);
            strbuf_add(&r, " (*f)");
            strbuf_addn(&r, text + k.t[q_open].off,
                        k.t[q_end - 1].off + k.t[q_end - 1].len - k.t[q_open].off);
            toks rk = { r.s, NULL, 0 };
            rk.n = ctoken_scan(r.s, &rk.t, NULL);
            char inner[160];
            if (reaches_wrong(d, &rk, 0, rk.n, 0, inner, sizeof inner)) {
                /* the type as a user spells it: R (*)(Q), one space at most */
                strbuf sp = { 0 };
                for (size_t j = 0; j < q_end; j++) {
                    if (j == lp) {
                        strbuf_add(&sp, " (*)");
                        j = q_open - 1;
                        continue;
                    }
                    if (sp.len && j != q_open + 1 && !tok_is(&k, j, ")") && !tok_is(&k, j, ",") &&
                        !tok_is(&k, j, "(") && !tok_is(&k, j - 1, "("))
                        strbuf_add(&sp, " ");
                    strbuf_addn(&sp, text + k.t[j].off, k.t[j].len);
                }
                snprintf(why, whylen, "gives.%.80s.%.100s", inner, sp.s ? sp.s : "");
                strbuf_free(&sp);
                bad = 1;
            }
            free(rk.t);
            strbuf_free(&r);
        }
        free(k.t);
        free(text);
        return bad;
    }
    size_t rp = skip_group(&k, lp) - 1;
    /* the result, then each parameter */
    for (size_t i = 0; !bad && i < rp;) {
        size_t end = i == 0 ? lp - 1 : i;
        if (i > 0)
            while (end < rp && !tok_is(&k, end, ","))
                end = tok_is(&k, end, "(") || tok_is(&k, end, "[") ? skip_group(&k, end) : end + 1;
        size_t from = i;
        layout base, m;
        size_t nm;
        if (parse_specs(d, &k, &i, end, 0, &base) == 0 &&
            (from == 0 || parse_declarator(&k, &i, end, &base, &m, &nm) == 0)) {
            const layout *l = from == 0 ? &base : &m;
            int pointer = 0;
            for (size_t j = i; from == 0 && j < end; j++)
                pointer |= tok_is(&k, j, "*");
            char inner[200];
            if (from != 0 && callback_refused(d, &k, from, end, inner, sizeof inner, 0)) {
                snprintf(why, whylen, "callback.%s", strchr(inner, '.') + 1);
                bad = 1;
            } else if (l->aggregate && !pointer && l->size <= 16 &&
                       (!l->known || tcc_gets_wrong(l))) {
                size_t last = i > from ? i : from + 1;
                if (from != 0 && nm != (size_t)-1 && nm + 1 == i)
                    last = nm; /* the type without the parameter's name */
                snprintf(why, whylen, "%s.%.*s", from == 0 ? "returns" : "takes",
                         (int)(k.t[last - 1].off + k.t[last - 1].len - k.t[from].off),
                         text + k.t[from].off);
                bad = 1;
            } else if (reaches_wrong(d, &k, from, end, 0, inner, sizeof inner)) {
                /* a pointer to a callback, a struct holding one (by value
                 * or pointed to), a function pointer returned */
                size_t last = i > from ? i : from + 1;
                if (from != 0 && nm != (size_t)-1 && nm + 1 == i)
                    last = nm;
                if (from == 0)
                    last = end;
                snprintf(why, whylen, "%s.%.80s.%.*s", from == 0 ? "gives" : "reaches", inner,
                         (int)(k.t[last - 1].off + k.t[last - 1].len - k.t[from].off),
                         text + k.t[from].off);
                bad = 1;
            }
        }
        i = from == 0 ? lp + 1 : end + 1;
    }
    free(k.t);
    free(text);
    return bad;
}

/* The statements of flat ending before offset `from` are only read for
 * their definitions (and copied); the others are routed. */
/* Called by route for each statement [stmt, end] once its definitions
 * are recorded. */
typedef void route_visit(defs *d, const char *stmt, const char *end, void *arg);

static char *route(const char *flat, size_t from, int thunks, route_visit *visit, void *arg)
{
    strbuf out = { 0 };
    defs d = { flat,
               declindex_map_new(),
               declindex_map_new(),
               declindex_map_new(),
               NULL,
               0,
               NULL,
               0,
               declindex_map_new(),
               declindex_map_new(),
               NULL,
               0 };
    const char *stmt = flat; /* start of the current statement */
    int depth = 0, bol = 1, body = 0;
    for (const char *p = flat; *p; p++) {
        if (bol && *p == '#') {
            /* a preprocessor line (-dD's #define): not part of a statement */
            const char *nl = strchr(p, '\n');
            p = nl ? nl : p + strlen(p) - 1;
            if (depth == 0) {
                strbuf_addn(&out, stmt, (size_t)(p + 1 - stmt));
                stmt = p + 1;
            }
            continue;
        }
        bol = *p == '\n';
        if (*p == '"' || *p == '\'') {
            char q = *p;
            for (p++; *p && *p != q; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                break;
        } else if (*p == '(' || *p == '{' || *p == '[') {
            if (*p == '{' && depth == 0) {
                /* a function's body ends its statement; a struct's does not */
                const char *b = p;
                while (b > stmt && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'))
                    b--;
                body = b > stmt && b[-1] == ')';
            }
            depth++;
        } else if (*p == ')' || *p == '}' || *p == ']') {
            depth--;
        }
        if (depth == 0 && (*p == ';' || (*p == '}' && body))) {
            int read_only = (size_t)(p - flat) < from; /* stmt may start in the space before */
            const abi_thunk *t = *p == ';' && thunks && !read_only ? routed(stmt, p) : NULL;
            const char *name = NULL;
            size_t nlen = 0;
            char why[200];
            if (t) { /* two lines: declindex makes two chunks of them */
                strbuf_addf(&out, "\n%s\n%s", t->proto, t->wrapper);
            } else if (*p == ';' && !read_only && prototype_name(stmt, p, &name, &nlen) &&
                       !(!thunks && abi_find(name, nlen)) &&
                       candidate(&d, stmt, (size_t)(p - stmt)) &&
                       refused(&d, stmt, (size_t)(p - stmt), why, sizeof why)) {
                /* the call would give wrong values: link it to a symbol that
                 * does not exist, which abi_explain turns into the message */
                const char *close = close_paren(name + nlen, p);
                for (const char *r = close + 1; r < p;) { /* R (*NAME(P))(Q): after (Q) */
                    while (r < p && (*r == ' ' || *r == '\t' || *r == '\n'))
                        r++;
                    if (r >= p || *r != ')')
                        break;
                    for (r++; r < p && (*r == ' ' || *r == '\t' || *r == '\n');)
                        r++;
                    if (r < p && *r == '(')
                        close = close_paren(r, p);
                    r = close + 1;
                }
                strbuf_addn(&out, stmt, (size_t)(close + 1 - stmt));
                strbuf_addf(&out, " __asm__(\"%s%.*s.", ABI_REFUSED, (int)nlen, name);
                for (const char *w = why; *w; w++)
                    strbuf_addn(&out, *w == '"' || *w == '\\' ? "?" : w, 1);
                strbuf_add(&out, "\")");
                strbuf_addn(&out, close + 1, (size_t)(p + 1 - (close + 1)));
            } else {
                record(&d, (size_t)(stmt - flat), (size_t)(p + 1 - stmt));
                strbuf_addn(&out, stmt, (size_t)(p + 1 - stmt));
            }
            if (visit)
                visit(&d, stmt, p, arg);
            stmt = p + 1;
            body = 0;
        }
    }
    strbuf_add(&out, stmt);
    declindex_map_destroy(&d.names);
    declindex_map_destroy(&d.aggs);
    declindex_map_destroy(&d.memo);
    declindex_map_destroy(&d.holders);
    declindex_map_destroy(&d.heldmemo);
    free(d.held);
    free(d.laid);
    free(d.span);
    return strbuf_take(&out);
}

char *abi_route(const char *flat)
{
    return route(flat, 0, 1, NULL, NULL);
}

char *abi_refuse(const char *context, const char *proto)
{
    strbuf text = { 0 };
    strbuf_add(&text, context ? context : "");
    strbuf_add(&text, "\n");
    size_t from = text.len;
    strbuf_add(&text, proto);
    char *out = route(text.s, from, 0, NULL, NULL);
    /* what precedes `from` is copied as it was */
    char *labelled = strcmp(out + from, proto) ? strdup(out + from) : NULL;
    if (strcmp(out + from, proto) && !labelled)
        abort();
    strbuf_free(&text);
    free(out);
    return labelled;
}

int abi_explain(const char *diag, const char *code, int cell_number, char *err, size_t errlen)
{
    const char *hit = diag ? strstr(diag, ABI_REFUSED) : NULL;
    if (!hit)
        return 0;
    /* NAME.VERB.TYPE' */
    const char *name = hit + strlen(ABI_REFUSED);
    const char *dot = strchr(name, '.');
    const char *q = strchr(name, '\'');
    const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;
    if (!dot2 || !q || q < dot2)
        return 0;
    int nlen = (int)(dot - name), vlen = (int)(dot2 - dot - 1), tlen = (int)(q - dot2 - 1);
    const char *type = dot2 + 1;
    /* the cell's first line naming the function */
    ctoken *t = NULL;
    size_t n = ctoken_scan(code ? code : "", &t, NULL);
    int line = 1;
    for (size_t i = 0; i < n; i++)
        if (t[i].kind == CTOKEN_IDENT && t[i].len == (size_t)nlen &&
            !memcmp(code + t[i].off, name, (size_t)nlen)) {
            line = t[i].line;
            break;
        }
    free(t);
    const char *dot3 = memchr(type, '.', (size_t)tlen);
    if (((vlen == 7 && !memcmp(dot + 1, "reaches", 7)) ||
         (vlen == 5 && !memcmp(dot + 1, "gives", 5))) &&
        dot3) {
        int ilen = (int)(dot3 - type), wlen = (int)(q - dot3 - 1);
        if (dot[1] == 'r')
            snprintf(err, errlen,
                     "cell[%d]:%d: error: '%.*s' takes '%.*s', which leads to a callback whose "
                     "signature passes '%.*s' by value; chalk's C compiler (libtcc 0.9.27) passes "
                     "that struct in other registers than the compiled library expects (a wrong "
                     "value, without an error), so the call is refused; give the library "
                     "callbacks that take a pointer ('%.*s *') instead, through a wrapper "
                     "compiled with the system compiler (cc -shared -fPIC) and added with "
                     "%%ldflags",
                     cell_number, line, nlen, name, wlen, dot3 + 1, ilen, type, ilen, type);
        else
            snprintf(err, errlen,
                     "cell[%d]:%d: error: '%.*s' returns '%.*s', which leads to a function "
                     "pointer whose signature passes '%.*s' by value; a call through it from a "
                     "cell would pass that struct in other registers than the compiled library "
                     "expects (chalk's C compiler is libtcc 0.9.27: a wrong value, without an "
                     "error), so the call is refused; call the library's function through a "
                     "wrapper that passes '%.*s *' instead, compiled with the system compiler "
                     "(cc -shared -fPIC) and added with %%ldflags",
                     cell_number, line, nlen, name, wlen, dot3 + 1, ilen, type, ilen, type);
        return -1;
    }
    if (vlen == 8 && !memcmp(dot + 1, "callback", 8)) {
        snprintf(err, errlen,
                 "cell[%d]:%d: error: '%.*s' takes a callback whose signature passes '%.*s' by "
                 "value, which chalk's C compiler (libtcc 0.9.27) passes in other registers "
                 "than the compiled library expects (a wrong value, without an error), so the "
                 "call is refused; give the library a callback that takes a pointer ('%.*s *') "
                 "instead, through a wrapper compiled with the system compiler "
                 "(cc -shared -fPIC) and added with %%ldflags",
                 cell_number, line, nlen, name, tlen, type, tlen, type);
        return -1;
    }
    snprintf(err, errlen,
             "cell[%d]:%d: error: '%.*s' %.*s '%.*s' by value, which chalk's C compiler "
             "(libtcc 0.9.27) passes in other registers than the compiled library expects "
             "(a wrong value, without an error), so the call is refused; compile a wrapper "
             "that passes it by pointer (for example void %.*s_p(%.*s *out, ...) calling "
             "%.*s) with the system compiler (cc -shared -fPIC), add it with %%ldflags and "
             "call that",
             cell_number, line, nlen, name, vlen, dot + 1, tlen, type, nlen, name, tlen, type, nlen,
             name);
    return -1;
}

/* ------------------------------------------------------------------ */
/* A unit's own functions handed to a library, and pointers from dlsym */

typedef struct escape {
    int (*is_cell)(void *ctx, const char *name);
    void *ctx;
    char (*wrong)[2][128]; /* a function libtcc compiled, the type it passes wrongly */
    size_t nwrong;
    char (*own)[128]; /* functions the unit defines, or refuses */
    size_t nown;
    int cell_number;
    char *err;
    size_t errlen;
    int found;
} escape;

static const char *const not_calls[] = { "if",
                                         "while",
                                         "for",
                                         "switch",
                                         "return",
                                         "sizeof",
                                         "_Alignof",
                                         "__typeof__",
                                         "typeof",
                                         "_Generic",
                                         "do",
                                         "__builtin_offsetof",
                                         "_Static_assert" };

/* The struct type of refused's reason ("VERB.TYPE" or "VERB.TYPE.VIA"). */
static void reason_type(const char *why, char *type, size_t len)
{
    const char *t = strchr(why, '.');
    t = t ? t + 1 : why;
    const char *dot = strchr(t, '.');
    snprintf(type, len, "%.*s", dot ? (int)(dot - t) : (int)strlen(t), t);
}

static int listed(char (*names)[128], size_t n, size_t stride, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = (const char *)names + i * stride;
        if (strlen(name) == len && !memcmp(name, s, len))
            return 1;
    }
    return 0;
}

/* The cell line of token i of k: from the last `#line L "cell[K]"` before it. */
static int cell_line(const toks *k, size_t i)
{
    for (size_t j = i + 1; j-- > 0;) {
        if (k->t[j].kind != CTOKEN_PP)
            continue;
        const char *pp = k->src + k->t[j].off;
        if (strncmp(pp, "#line ", 6))
            continue;
        long l = strtol(pp + 6, NULL, 10);
        return (int)l + (k->t[i].line - k->t[j].line - 1);
    }
    return 1;
}

/* Whether [s, end) holds the ABI_REFUSED label. */
static int labelled(const char *s, const char *end)
{
    size_t n = strlen(ABI_REFUSED);
    for (const char *q = s; q + n <= end; q++)
        if (!memcmp(q, ABI_REFUSED, n))
            return 1;
    return 0;
}

static void escape_visit(defs *d, const char *stmt, const char *end, void *arg)
{
    escape *e = arg;
    if (e->found)
        return;
    const char *head_end = end + 1;
    if (*end == '}') {
        long depth = 0;
        for (const char *q = stmt; q < end; q++) {
            if (*q == '(')
                depth++;
            else if (*q == ')')
                depth--;
            else if (*q == '{' && depth == 0) {
                head_end = q;
                break;
            }
        }
    }
    const char *name;
    size_t nlen;
    if (!prototype_name(stmt, *end == '}' ? head_end : end, &name, &nlen) || nlen >= 128)
        return;
    char nm[128];
    snprintf(nm, sizeof nm, "%.*s", (int)nlen, name);
    if (*end == '}' || labelled(stmt, end)) {
        /* defined here, or refused already (the link names it better) */
        e->own = realloc(e->own, (e->nown + 1) * sizeof *e->own);
        if (!e->own)
            abort();
        snprintf(e->own[e->nown++], 128, "%s", nm);
    }
    if (*end == '}' || e->is_cell(e->ctx, nm)) {
        strbuf h = { 0 };
        strbuf_addn(&h, stmt, (size_t)(head_end - stmt));
        strbuf_add(&h, ";");
        char why[200];
        if (refused(d, h.s, h.len, why, sizeof why)) {
            e->wrong = realloc(e->wrong, (e->nwrong + 1) * sizeof *e->wrong);
            if (!e->wrong)
                abort();
            snprintf(e->wrong[e->nwrong][0], 128, "%s", nm);
            reason_type(why, e->wrong[e->nwrong][1], 128);
            e->nwrong++;
        }
        strbuf_free(&h);
    }
    if (*end != '}')
        return;
    /* the body: a listed name used other than called, inside the
     * arguments of a call to a function no cell defines */
    size_t blen = (size_t)(end + 1 - head_end);
    char *text = malloc(blen + 1);
    if (!text)
        abort();
    memcpy(text, head_end, blen);
    text[blen] = 0;
    toks k = { text, NULL, 0 };
    k.n = ctoken_scan(text, &k.t, NULL);
    for (size_t i = 0; e->nwrong && i < k.n && !e->found; i++) {
        if (!tok_ident(&k, i) || tok_is(&k, i + 1, "(") ||
            !listed(&e->wrong[0][0], e->nwrong, sizeof *e->wrong, text + k.t[i].off, k.t[i].len))
            continue;
        if (i > 0 && (tok_is(&k, i - 1, ".") || tok_is(&k, i - 1, "->")))
            continue;
        long depth = 0;
        size_t j = i;
        while (j-- > 0) {
            if (tok_is(&k, j, ")") || tok_is(&k, j, "]") || tok_is(&k, j, "}"))
                depth++;
            else if (tok_is(&k, j, "(") || tok_is(&k, j, "[") || tok_is(&k, j, "{")) {
                if (depth-- == 0)
                    break;
            }
        }
        if (j == (size_t)-1 || !tok_is(&k, j, "(") || j == 0 || !tok_ident(&k, j - 1) ||
            (j >= 2 && (tok_is(&k, j - 2, ".") || tok_is(&k, j - 2, "->"))))
            continue; /* not a named function's arguments */
        const char *g = text + k.t[j - 1].off;
        size_t glen = k.t[j - 1].len;
        int keyword = 0;
        for (size_t w = 0; w < sizeof not_calls / sizeof *not_calls; w++)
            keyword |= tok_is(&k, j - 1, not_calls[w]);
        char gname[128];
        snprintf(gname, sizeof gname, "%.*s", (int)glen, g);
        if (keyword || listed(e->own, e->nown, sizeof *e->own, g, glen) ||
            e->is_cell(e->ctx, gname))
            continue;
        size_t w = 0;
        while (strlen(e->wrong[w][0]) != k.t[i].len ||
               memcmp(e->wrong[w][0], text + k.t[i].off, k.t[i].len))
            w++;
        snprintf(e->err, e->errlen,
                 "cell[%d]:%d: error: '%s' passes '%s' by value and is handed to '%s', which "
                 "no cell defines: a compiled library calling it would pass that struct in "
                 "other registers than chalk's C compiler (libtcc 0.9.27) expects (a wrong "
                 "value, without an error), so the call is refused; give the library a function "
                 "that takes '%s *' instead, compiled with the system compiler (cc -shared "
                 "-fPIC) and added with %%ldflags",
                 e->cell_number, cell_line(&k, i), e->wrong[w][0], e->wrong[w][1], gname,
                 e->wrong[w][1]);
        e->found = 1;
    }
    /* a pointer from dlsym called with a signature libtcc passes wrongly */
    int dl = 0;
    for (size_t i = 0; i + 1 < k.n && !dl; i++)
        dl = (tok_is(&k, i, "dlsym") || tok_is(&k, i, "dlvsym")) && tok_is(&k, i + 1, "(");
    for (size_t i = 0; dl && i + 1 < k.n && !e->found; i++) {
        char inner[160] = "";
        int bad = 0;
        if (tok_is(&k, i, "(") && tok_is(&k, i + 1, "*") && i > 0) {
            size_t from = i;
            while (from > 0 && (tok_ident(&k, from - 1) || tok_is(&k, from - 1, "*")) &&
                   !tok_is(&k, from - 1, "return"))
                from--;
            size_t after = skip_group(&k, i);
            if (from < i && after < k.n && tok_is(&k, after, "("))
                bad = reaches_wrong(d, &k, from, skip_group(&k, after), 0, inner, sizeof inner);
        } else if (tok_ident(&k, i)) {
            char key[300];
            size_t next;
            bad = holder_at(d, &k, i, key, sizeof key, &next) &&
                  holds_wrong(d, key, 0, inner, sizeof inner);
        }
        if (bad) {
            snprintf(e->err, e->errlen,
                     "cell[%d]:%d: error: a function pointer whose signature passes '%s' by "
                     "value, in a cell that takes functions from 'dlsym': a call through it to "
                     "a compiled library's function would pass that struct in other registers "
                     "than the library expects (chalk's C compiler is libtcc 0.9.27: a wrong "
                     "value, without an error), so the cell is refused; call the library's "
                     "function through a wrapper that passes '%s *' instead, compiled with the "
                     "system compiler (cc -shared -fPIC) and added with %%ldflags",
                     e->cell_number, cell_line(&k, i), inner, inner);
            e->found = 1;
        }
    }
    free(k.t);
    free(text);
}

int abi_escapes(const char *unit, int (*is_cell)(void *ctx, const char *name), void *ctx,
                int cell_number, char *err, size_t errlen)
{
    escape e = { is_cell, ctx, NULL, 0, NULL, 0, cell_number, err, errlen, 0 };
    free(route(unit, strlen(unit) + 1, 0, escape_visit, &e));
    free(e.wrong);
    free(e.own);
    return e.found ? -1 : 0;
}
