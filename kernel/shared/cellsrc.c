/* cellsrc.c — the top-level splitter for cells and flattened headers (see
 * cellsrc.h for the contract; the tokens come from ctoken.c).
 *
 * The splitter works on tokens, keeping bracket depth, and classifies each
 * top-level chunk by its first tokens.  It is run on 300 KB of flattened
 * headers once per session, so it stays linear: no backtracking beyond the
 * chunk at hand.  Beware when changing the declaration heuristics: a chunk
 * misread as a statement ends up inside main() where a function definition
 * is a compile error, and a statement misread as a declaration ends up at
 * file scope; both show as compile errors naming the cell's line.
 *
 * Why one file of ~1,200 lines: it is one concept, the splitter.  Its
 * biggest part, reading declarations (scan_specifiers .. decl_item), uses
 * the same dozen token helpers and the splitter's state as the statement
 * and macro rules it is chosen against (looks_like_decl), so a file of its
 * own would export all of them for a single caller.
 */
#include "cellsrc.h"

#include "alloc.h"
#include "magic_syntax.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* keywords */

/* Bytes of UTF-8 sequences are identifier bytes, as libtcc takes them. */
static int is_id1(int c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

enum { KW_NONE, KW_TYPE, KW_QUAL, KW_STORAGE, KW_TYPEDEF, KW_TAG, KW_PARENSPEC, KW_STMT, KW_OTHER };

static const struct {
    const char *w;
    int k;
} keywords[] = {
    { "void", KW_TYPE },
    { "char", KW_TYPE },
    { "short", KW_TYPE },
    { "int", KW_TYPE },
    { "long", KW_TYPE },
    { "float", KW_TYPE },
    { "double", KW_TYPE },
    { "signed", KW_TYPE },
    { "unsigned", KW_TYPE },
    { "_Bool", KW_TYPE },
    { "_Complex", KW_TYPE },
    { "__signed__", KW_TYPE },
    { "__int128", KW_TYPE },
    { "__signed", KW_TYPE },
    { "const", KW_QUAL },
    { "volatile", KW_QUAL },
    { "restrict", KW_QUAL },
    { "__restrict", KW_QUAL },
    { "__restrict__", KW_QUAL },
    { "__const", KW_QUAL },
    { "__volatile__", KW_QUAL },
    { "inline", KW_QUAL },
    { "__inline", KW_QUAL },
    { "__inline__", KW_QUAL },
    { "_Noreturn", KW_QUAL },
    { "__extension__", KW_QUAL },
    { "_Thread_local", KW_QUAL },
    { "__thread", KW_QUAL },
    { "static", KW_STORAGE },
    { "extern", KW_STORAGE },
    { "auto", KW_STORAGE },
    { "register", KW_STORAGE },
    { "typedef", KW_TYPEDEF },
    { "struct", KW_TAG },
    { "union", KW_TAG },
    { "enum", KW_TAG },
    { "typeof", KW_PARENSPEC },
    { "__typeof__", KW_PARENSPEC },
    { "__typeof", KW_PARENSPEC },
    { "__attribute__", KW_PARENSPEC },
    { "__attribute", KW_PARENSPEC },
    { "_Alignas", KW_PARENSPEC },
    { "_Atomic", KW_QUAL },
    { "__asm__", KW_PARENSPEC },
    { "__asm", KW_PARENSPEC },
    { "asm", KW_PARENSPEC },
    { "__declspec", KW_PARENSPEC },
    { "if", KW_STMT },
    { "else", KW_STMT },
    { "for", KW_STMT },
    { "while", KW_STMT },
    { "do", KW_STMT },
    { "switch", KW_STMT },
    { "return", KW_STMT },
    { "goto", KW_STMT },
    { "break", KW_STMT },
    { "continue", KW_STMT },
    { "case", KW_STMT },
    { "default", KW_STMT },
    { "sizeof", KW_OTHER },
    { "_Alignof", KW_OTHER },
    { "__alignof__", KW_OTHER },
    { "_Generic", KW_OTHER },
    { "_Static_assert", KW_OTHER },
    { "__builtin_va_arg", KW_OTHER },
    { "__label__", KW_OTHER },
};

static int keyword_kind(const char *s, size_t len)
{
    /* Runs for every identifier of the flattened headers: the first
     * character rejects nearly every entry without a strlen(). */
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (len && keywords[i].w[0] == s[0] && !strncmp(keywords[i].w, s, len) &&
            keywords[i].w[len] == 0)
            return keywords[i].k;
    return KW_NONE;
}

int cellsrc_is_keyword(const char *name, size_t len)
{
    return keyword_kind(name, len) != KW_NONE;
}

/* ------------------------------------------------------------------ */
/* splitting */

typedef struct splitter {
    const char *src;
    ctoken *t;
    size_t n;
    unsigned options;
    cellsrc_is_type_fn is_type;
    void *ctx;
    char **own_types; /* typedef names defined by this text */
    size_t nown, capown;
    cellsrc_cell *cell;
    size_t capitems;
    int cond_depth; /* open #if blocks */
} splitter;

static int tok_is(const splitter *sp, size_t i, const char *p)
{
    return i < sp->n && sp->t[i].len == strlen(p) && sp->t[i].kind != CTOKEN_STRING &&
           !memcmp(sp->src + sp->t[i].off, p, sp->t[i].len);
}

static int tok_kw(const splitter *sp, size_t i)
{
    if (i >= sp->n || sp->t[i].kind != CTOKEN_IDENT)
        return KW_NONE;
    return keyword_kind(sp->src + sp->t[i].off, sp->t[i].len);
}

static int is_ident(const splitter *sp, size_t i)
{
    return i < sp->n && sp->t[i].kind == CTOKEN_IDENT && tok_kw(sp, i) == KW_NONE;
}

/* A hash set would be faster, but a cell defines a handful of typedefs and
 * headers go through the caller's index. */
static int own_type(const splitter *sp, const char *s, size_t len)
{
    for (size_t i = 0; i < sp->nown; i++) {
        const char *own = sp->own_types[i];
        if (len && own[0] == s[0] && !strncmp(own, s, len) && own[len] == 0)
            return 1;
    }
    return 0;
}

static int known_type(const splitter *sp, size_t i)
{
    if (!is_ident(sp, i))
        return 0;
    const char *s = sp->src + sp->t[i].off;
    size_t len = sp->t[i].len;
    return own_type(sp, s, len) || (sp->is_type && sp->is_type(sp->ctx, s, len));
}

/* Index just past the bracket matching the one at i (or n). */
static size_t skip_balanced(const splitter *sp, size_t i)
{
    long depth = 0;
    for (; i < sp->n; i++) {
        if (sp->t[i].kind != CTOKEN_PUNCT || sp->t[i].len != 1)
            continue;
        char c = sp->src[sp->t[i].off];
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if ((c == ')' || c == ']' || c == '}') && --depth <= 0)
            return i + 1;
    }
    return sp->n;
}

static cellsrc_item *new_item(splitter *sp, cellsrc_kind kind, size_t first)
{
    cellsrc_cell *c = sp->cell;
    if (c->nitems == sp->capitems) {
        sp->capitems = sp->capitems ? sp->capitems * 2 : 16;
        c->items = alloc_resize(c->items, sp->capitems * sizeof *c->items);
    }
    cellsrc_item *it = &c->items[c->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->line = first < sp->n ? sp->t[first].line : 0;
    if (sp->cond_depth > 0)
        it->flags |= CELLSRC_COND;
    return it;
}

static void add_name(char ***v, size_t *n, const char *s, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*v)[i]) == len && !memcmp((*v)[i], s, len))
            return;
    if ((*n & (*n - 1)) == 0 || *n == 0)
        *v = alloc_resize(*v, (*n ? *n * 2 : 4) * sizeof **v);
    (*v)[(*n)++] = alloc_strndup(s, len);
}

static void add_def(cellsrc_item *it, const char *s, size_t len)
{
    add_name(&it->defs, &it->ndefs, s, len);
}

static void add_refs_text(cellsrc_item *it, const char *text);

/* A directive inside a body (`#define test(...) fprintf(stdout, ...)` in
 * main) is one token: its identifiers are references too. */
static void add_refs(splitter *sp, cellsrc_item *it, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (is_ident(sp, i))
            add_name(&it->refs, &it->nrefs, sp->src + sp->t[i].off, sp->t[i].len);
        else if (sp->t[i].kind == CTOKEN_PP && it->kind != CELLSRC_PP) {
            char *text = alloc_strndup(sp->src + sp->t[i].off, sp->t[i].len);
            char *p = text + 1; /* after '#' and the directive's name */
            p += strspn(p, " \t");
            while (is_id1((unsigned char)*p))
                p++;
            add_refs_text(it, p);
            free(text);
        }
    }
}

/* Identifiers inside a directive's text (after its name). */
static void add_refs_text(cellsrc_item *it, const char *text)
{
    ctoken *toks;
    size_t n = ctoken_scan(text, &toks, NULL);
    for (size_t i = 0; i < n; i++)
        if (toks[i].kind == CTOKEN_IDENT && !cellsrc_is_keyword(text + toks[i].off, toks[i].len))
            add_name(&it->refs, &it->nrefs, text + toks[i].off, toks[i].len);
    free(toks);
}

/* Source text of tokens [from, to), newlines and spacing kept; tokens whose
 * index has blank[i - from] set are replaced by spaces. */
static char *render(const splitter *sp, size_t from, size_t to, const unsigned char *blank)
{
    if (from >= to)
        return alloc_strndup("", 0);
    strbuf b = { 0 };
    size_t pos = sp->t[from].off;
    for (size_t i = from; i < to; i++) {
        const ctoken *t = &sp->t[i];
        if (blank && blank[i - from]) {
            strbuf_addn(&b, sp->src + pos, t->off - pos);
            for (size_t k = 0; k < t->len; k++)
                strbuf_addn(&b, " ", 1);
            pos = t->off + t->len;
        }
    }
    const ctoken *last = &sp->t[to - 1];
    strbuf_addn(&b, sp->src + pos, last->off + last->len - pos);
    return strbuf_take(&b);
}

/* Token texts joined by single spaces (for texts rebuilt from pieces). */
static void join(const splitter *sp, strbuf *b, size_t from, size_t to, size_t skip)
{
    for (size_t i = from; i < to; i++) {
        if (i == skip)
            continue;
        if (b->len && b->s[b->len - 1] != ' ')
            strbuf_addn(b, " ", 1);
        strbuf_addn(b, sp->src + sp->t[i].off, sp->t[i].len);
    }
}

enum { PP_ELSE = -1, PP_ELIF = -2, PP_ENDIF = -3 };

/* 1 for #if/#ifdef/#ifndef, a PP_ value for the directives that go on or
 * close a conditional, 0 for any other directive. */
static int pp_conditional(const char *directive)
{
    const char *w = directive + 1;
    w += strspn(w, " \t");
    size_t n = 0;
    while (is_id1((unsigned char)w[n]))
        n++;
    if ((n == 2 && !memcmp(w, "if", 2)) || (n == 5 && !memcmp(w, "ifdef", 5)) ||
        (n == 6 && !memcmp(w, "ifndef", 6)))
        return 1;
    if (n == 4 && !memcmp(w, "else", 4))
        return PP_ELSE;
    if (n == 4 && !memcmp(w, "elif", 4))
        return PP_ELIF;
    if (n == 5 && !memcmp(w, "endif", 5))
        return PP_ENDIF;
    return 0;
}

static int tok_conditional(const splitter *sp, size_t i)
{
    if (i >= sp->n || sp->t[i].kind != CTOKEN_PP)
        return 0;
    char *text = alloc_strndup(sp->src + sp->t[i].off, sp->t[i].len);
    int c = pp_conditional(text);
    free(text);
    return c;
}

/* Whether nothing that is compiled with the tokens before i follows them:
 * from i on only directives, and code only in the other branches of the
 * conditionals that hold i (`x * 2 #else 0 #endif`).  An expression ending
 * there is the cell's value when its branch is taken. */
static int only_other_branches(const splitter *sp, size_t i)
{
    int depth = 0; /* conditionals opened after i */
    for (; i < sp->n; i++) {
        int c = tok_conditional(sp, i);
        if (c > 0)
            depth++;
        else if (c == PP_ENDIF && depth > 0)
            depth--;
        else if ((c == PP_ELSE || c == PP_ELIF) && depth == 0) {
            /* the rest of this conditional is another branch */
            int d = 0;
            for (i++; i < sp->n; i++) {
                int k = tok_conditional(sp, i);
                if (k > 0)
                    d++;
                else if (k == PP_ENDIF && d-- == 0)
                    break;
            }
        } else if (sp->t[i].kind != CTOKEN_PP)
            return 0;
    }
    return 1;
}

static void pp_item(splitter *sp, size_t i)
{
    cellsrc_item *it = new_item(sp, CELLSRC_PP, i);
    const ctoken *t = &sp->t[i];
    it->text = alloc_strndup(sp->src + t->off, t->len);
    const char *p = it->text + 1;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *w = p;
    while (is_id1((unsigned char)*p))
        p++;
    size_t wl = (size_t)(p - w);
    it->pp = CELLSRC_PP_OTHER;
    int cond = pp_conditional(it->text);
    if (cond > 0)
        sp->cond_depth++;
    else if (cond == PP_ENDIF && sp->cond_depth > 0)
        sp->cond_depth--;
    if (cond > 0 || cond == PP_ELIF)
        add_refs_text(it, p); /* `#if M`: M is the earlier cell's macro */
    if (wl == 7 && !memcmp(w, "include", 7))
        it->pp = CELLSRC_PP_INCLUDE;
    else if ((wl == 6 && !memcmp(w, "define", 6)) || (wl == 5 && !memcmp(w, "undef", 5))) {
        it->pp = w[0] == 'd' ? CELLSRC_PP_DEFINE : CELLSRC_PP_UNDEF;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *name = p;
        while (is_id1((unsigned char)*p))
            p++;
        if (p > name)
            add_def(it, name, (size_t)(p - name));
        if (it->pp == CELLSRC_PP_DEFINE) {
            /* parameters are not references; a function-like macro's
             * parameters hide nothing that matters for the closure */
            add_refs_text(it, p);
        }
    }
}

/* End (exclusive) of the statement starting at i.  *semi says whether it
 * was terminated (by ';' or a closing brace). */
static size_t stmt_end(splitter *sp, size_t i, int *terminated)
{
    *terminated = 1;
    if (i >= sp->n) { /* `lbl:` or `else` at the very end */
        *terminated = 0;
        return sp->n;
    }
    if (tok_is(sp, i, "{")) {
        size_t e = skip_balanced(sp, i);
        if (e == sp->n && !tok_is(sp, e - 1, "}"))
            *terminated = 0;
        return e;
    }
    if (tok_is(sp, i, ";"))
        return i + 1;
    if (tok_is(sp, i, "if") || tok_is(sp, i, "for") || tok_is(sp, i, "while") ||
        tok_is(sp, i, "switch")) {
        int is_if = tok_is(sp, i, "if");
        i++;
        if (tok_is(sp, i, "("))
            i = skip_balanced(sp, i);
        size_t e = stmt_end(sp, i, terminated);
        if (is_if && tok_is(sp, e, "else"))
            e = stmt_end(sp, e + 1, terminated);
        return e;
    }
    if (tok_is(sp, i, "do")) {
        size_t e = stmt_end(sp, i + 1, terminated);
        if (tok_is(sp, e, "while")) {
            e++;
            if (tok_is(sp, e, "("))
                e = skip_balanced(sp, e);
            if (tok_is(sp, e, ";"))
                return e + 1;
        }
        *terminated = 0;
        return e;
    }
    if ((is_ident(sp, i) && tok_is(sp, i + 1, ":")) || tok_is(sp, i, "default"))
        return stmt_end(sp, i + 2, terminated);
    if (tok_is(sp, i, "case")) {
        while (i < sp->n && !tok_is(sp, i, ":"))
            i++;
        return stmt_end(sp, i + 1, terminated);
    }
    /* expression, return, goto, break, continue: up to ';' at depth 0, or
     * up to the #else/#elif/#endif of a conditional the statement is in
     * (one it opens itself, `a = #if X 1 #else 2 #endif ;`, is its own) */
    int cond = 0;
    for (; i < sp->n; i++) {
        if (tok_is(sp, i, ";"))
            return i + 1;
        int c = tok_conditional(sp, i);
        if (c > 0)
            cond++;
        else if (c == PP_ENDIF && cond > 0)
            cond--;
        else if (c < 0 && cond == 0)
            break;
        if (tok_is(sp, i, "(") || tok_is(sp, i, "[") || tok_is(sp, i, "{")) {
            i = skip_balanced(sp, i) - 1;
            continue;
        }
        if (tok_is(sp, i, "}"))
            return i; /* stray closer: stop so the caller moves on */
    }
    *terminated = 0;
    return i;
}

static int looks_like_decl(splitter *sp, size_t i);

/* Whether the text defined `name` (token i) as a macro before this point:
 * `M(x) { ... }` is then a statement the macro makes, not a function. */
static int own_macro(const splitter *sp, size_t i)
{
    const cellsrc_cell *c = sp->cell;
    for (size_t k = 0; c && k < c->nitems; k++)
        if (c->items[k].kind == CELLSRC_PP && c->items[k].pp == CELLSRC_PP_DEFINE &&
            c->items[k].ndefs && strlen(c->items[k].defs[0]) == sp->t[i].len &&
            !memcmp(c->items[k].defs[0], sp->src + sp->t[i].off, sp->t[i].len))
            return 1;
    return 0;
}

/* `COMPLEX { ... } x, y;`: up to the ';' */
static size_t stmt_end_of(splitter *sp, size_t i)
{
    int terminated;
    return stmt_end(sp, i, &terminated);
}

/* The #define of `len` bytes at `name` among the text's items so far, or NULL. */
static const char *own_define(const splitter *sp, const char *name, size_t len)
{
    const cellsrc_cell *c = sp->cell;
    for (size_t k = c ? c->nitems : 0; k-- > 0;)
        if (c->items[k].kind == CELLSRC_PP && c->items[k].ndefs &&
            strlen(c->items[k].defs[0]) == len && !memcmp(c->items[k].defs[0], name, len))
            return c->items[k].pp == CELLSRC_PP_DEFINE ? c->items[k].text : NULL;
    return NULL;
}

/* Whether token i invokes a macro the text defined whose expansion may be
 * file-scope code: `FUNC(3)` for `#define FUNC(N) void f##N(long j) {...}`,
 * `REPEAT_16` for `#define REPEAT_16 REPEAT_8 REPEAT_8`, `COMPLEX { ... };`
 * for `#define COMPLEX struct CS`.  That is, its replacement starts a
 * declaration, an argument (`#define DO_TESTS(T) T(t1) T(t2)`) or another
 * macro of the text; and the invocation is not part of an expression (what
 * follows it is a name, a directive, `;` or the end).  The session expands
 * it and keeps the result if it declares anything.  Returns the end of the
 * invocation (exclusive), or 0. */
static size_t macro_candidate(splitter *sp, size_t i)
{
    if (!is_ident(sp, i) || (sp->options & (CELLSRC_WHOLE | CELLSRC_NO_MACROS)))
        return 0;
    const char *text = own_define(sp, sp->src + sp->t[i].off, sp->t[i].len);
    if (!text)
        return 0;
    /* the replacement list: after `#define NAME` or `#define NAME(params)` */
    const char *p = strstr(text, "define") + 6;
    p += strspn(p, " \t");
    p += strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$");
    const char *params = NULL;
    size_t nparams = 0;
    if (*p == '(') {
        params = p;
        if (!(p = strchr(p, ')')))
            return 0;
        nparams = (size_t)(p - params);
        p++;
    }
    size_t end = i + 1;
    if (params) {
        if (!tok_is(sp, i + 1, "("))
            return 0; /* the name alone, not an invocation */
        end = skip_balanced(sp, i + 1);
    }
    /* pasting and stringizing aside, it reads as C */
    strbuf b = { 0 };
    for (; *p; p++)
        if (*p != '#' && !(*p == '\\' && p[1] == '\n'))
            strbuf_addn(&b, p, 1);
    if (!b.s)
        return 0;
    splitter sub = { 0 };
    sub.src = b.s;
    sub.is_type = sp->is_type;
    sub.ctx = sp->ctx;
    sub.own_types = sp->own_types;
    sub.nown = sp->nown;
    sub.n = ctoken_scan(b.s, &sub.t, NULL);
    /* what it starts with: an argument or another macro (the expansion
     * decides), or a declaration */
    int unknown = 0;
    if (sub.n && sub.t[0].kind == CTOKEN_IDENT) {
        const char *first = b.s + sub.t[0].off;
        size_t flen = sub.t[0].len;
        for (size_t k = 1; !unknown && k + flen <= nparams; k++)
            unknown = !memcmp(params + k, first, flen) &&
                      !is_id1((unsigned char)params[k + flen]) &&
                      !is_id1((unsigned char)params[k - 1]);
        unknown = unknown || own_define(sp, first, flen);
    }
    int decl = unknown || (sub.n && looks_like_decl(&sub, 0));
    int tagged = !unknown && decl && tok_kw(&sub, 0) == KW_TAG;
    /* an object-like macro spelling a type (`#define LL long long`) is
     * part of the declaration it starts */
    int type_only = !unknown && decl && !params && !tok_is(&sub, sub.n - 1, ";") &&
                    !tok_is(&sub, sub.n - 1, "}");
    free(sub.t);
    strbuf_free(&b);
    if (!decl)
        return 0;
    if (type_only)
        return tagged && tok_is(sp, end, "{") ? stmt_end_of(sp, i) : 0;
    if (end >= sp->n || tok_is(sp, end, ";"))
        return end < sp->n ? end + 1 : end;
    if (sp->t[end].kind == CTOKEN_PP || sp->t[end].kind == CTOKEN_IDENT)
        return end;
    return 0;
}

/* Whether [from, to) is a K&R identifier list (`a, b`), possibly empty. */
static int ident_list(const splitter *sp, size_t from, size_t to)
{
    for (size_t k = from; k < to; k++)
        if (!((k - from) % 2 ? tok_is(sp, k, ",") : is_ident(sp, k)))
            return 0;
    return 1;
}

/* Whether token i can start a K&R parameter declaration (`int x;` between
 * a function's `)` and its body). */
static int kr_decl_start(const splitter *sp, size_t i)
{
    int k = tok_kw(sp, i);
    return k == KW_TYPE || k == KW_QUAL || k == KW_STORAGE || k == KW_TAG || known_type(sp, i);
}

/* Is the chunk at i a declaration (as opposed to a statement)? */
static int looks_like_decl(splitter *sp, size_t i)
{
    /* A function defined with implicit int, as old C and libtcc allow:
     * `main() { ... }`, `f(x) int x; { ... }`.  No statement has that shape. */
    if (is_ident(sp, i) && tok_is(sp, i + 1, "(") && !known_type(sp, i) && !own_macro(sp, i)) {
        size_t close = skip_balanced(sp, i + 1);
        if (tok_is(sp, close, "{") ||
            (kr_decl_start(sp, close) && ident_list(sp, i + 2, close - 1)))
            return 1;
    }
    int k = tok_kw(sp, i);
    if (k == KW_TYPE || k == KW_QUAL || k == KW_STORAGE || k == KW_TYPEDEF || k == KW_TAG ||
        k == KW_PARENSPEC)
        return !tok_is(sp, i, "asm") && !tok_is(sp, i, "__asm__") && !tok_is(sp, i, "__asm");
    if (!is_ident(sp, i))
        return 0;
    if (known_type(sp, i))
        return !tok_is(sp, i + 1, "=") && !tok_is(sp, i + 1, ".") && !tok_is(sp, i + 1, "->");
    if (is_ident(sp, i + 1) || tok_kw(sp, i + 1) == KW_QUAL)
        return 1;
    if (tok_is(sp, i + 1, "*")) {
        size_t j = i + 1;
        while (tok_is(sp, j, "*") || tok_kw(sp, j) == KW_QUAL)
            j++;
        if (!is_ident(sp, j))
            return 0;
        j++;
        return tok_is(sp, j, "=") || tok_is(sp, j, ";") || tok_is(sp, j, ",") ||
               tok_is(sp, j, "[") || tok_is(sp, j, ")") || tok_is(sp, j, "(") || j >= sp->n;
    }
    return 0;
}

/* Enum constants inside the braces [open, close). */
static void enum_constants(splitter *sp, cellsrc_item *it, size_t open, size_t close)
{
    int expect = 1;
    for (size_t i = open + 1; i + 1 < close; i++) {
        if (expect && is_ident(sp, i)) {
            add_def(it, sp->src + sp->t[i].off, sp->t[i].len);
            expect = 0;
        } else if (tok_is(sp, i, "(") || tok_is(sp, i, "[")) {
            i = skip_balanced(sp, i) - 1;
        } else if (tok_is(sp, i, ",")) {
            expect = 1;
        }
    }
}

typedef struct decl_shape {
    size_t spec_end;                                /* first token of the declarators */
    size_t tag_kw, tag_name, body_open, body_close; /* SIZE_MAX when absent */
    int is_typedef, is_static, is_extern, has_type;
} decl_shape;

static void scan_specifiers(splitter *sp, size_t i, size_t end, decl_shape *d)
{
    memset(d, 0, sizeof *d);
    d->tag_kw = d->tag_name = d->body_open = d->body_close = (size_t)-1;
    while (i < end) {
        int k = tok_kw(sp, i);
        if (k == KW_TYPE || k == KW_QUAL || k == KW_STORAGE || k == KW_TYPEDEF) {
            if (k == KW_TYPE)
                d->has_type = 1;
            if (k == KW_TYPEDEF)
                d->is_typedef = 1;
            if (tok_is(sp, i, "static"))
                d->is_static = 1;
            if (tok_is(sp, i, "extern"))
                d->is_extern = 1;
            i++;
            if (tok_is(sp, i - 1, "_Atomic") && tok_is(sp, i, "("))
                i = skip_balanced(sp, i), d->has_type = 1;
        } else if (k == KW_PARENSPEC) {
            if (tok_is(sp, i, "typeof") || tok_is(sp, i, "__typeof__") || tok_is(sp, i, "__typeof"))
                d->has_type = 1;
            i++;
            if (tok_is(sp, i, "("))
                i = skip_balanced(sp, i);
        } else if (k == KW_TAG) {
            d->has_type = 1;
            d->tag_kw = i++;
            while (tok_kw(sp, i) == KW_PARENSPEC) {
                i++;
                if (tok_is(sp, i, "("))
                    i = skip_balanced(sp, i);
            }
            if (is_ident(sp, i))
                d->tag_name = i++;
            if (tok_is(sp, i, "{")) {
                d->body_open = i;
                i = skip_balanced(sp, i);
                d->body_close = i;
            }
        } else if (!d->has_type && is_ident(sp, i) &&
                   (known_type(sp, i) || is_ident(sp, i + 1) || tok_is(sp, i + 1, "*") ||
                    tok_kw(sp, i + 1) == KW_QUAL)) {
            d->has_type = 1;
            i++;
        } else {
            break;
        }
    }
    d->spec_end = i;
}

/* Declarator [from, to): the name token (or SIZE_MAX) and the '=' (or to).
 * The name is the last identifier before the declarator's parameter list,
 * array bounds or initializer, looking into grouping parentheses
 * (`int (*fp)(int)`): so a macro spelling part of the type
 * (`unsigned T foo(T x)`) is not taken for the name. */
static size_t declarator_name(splitter *sp, size_t from, size_t to, size_t *eq)
{
    size_t name = (size_t)-1;
    int done = 0;
    *eq = to;
    for (size_t i = from; i < to; i++) {
        if (tok_kw(sp, i) == KW_PARENSPEC) {
            if (tok_is(sp, i + 1, "("))
                i = skip_balanced(sp, i + 1) - 1;
            continue;
        }
        if (tok_is(sp, i, "=")) {
            *eq = i;
            break;
        }
        if (done)
            continue;
        if (is_ident(sp, i)) {
            name = i;
        } else if (tok_is(sp, i, "(")) {
            size_t close = skip_balanced(sp, i);
            if (name == (size_t)-1 &&
                (tok_is(sp, i + 1, "*") || tok_is(sp, i + 1, "^") || tok_is(sp, i + 1, "("))) {
                size_t inner_eq, inner = declarator_name(sp, i + 1, close - 1, &inner_eq);
                if (inner != (size_t)-1)
                    name = inner, done = 1;
            } else if (name != (size_t)-1) {
                done = 1;
            }
            i = close - 1;
        } else if (tok_is(sp, i, "[")) {
            done = name != (size_t)-1;
            i = skip_balanced(sp, i) - 1;
        } else if (tok_is(sp, i, ":")) {
            done = 1; /* a bit-field's width */
        }
    }
    return name;
}

/* Where a declaration ends, found by decl_extent. */
typedef struct decl_extent {
    size_t end;       /* after the last token (the ';' excluded) */
    size_t next;      /* where the next item starts */
    size_t body;      /* a function body's '{', or SIZE_MAX */
    size_t kr;        /* K&R: the first parameter declaration, or SIZE_MAX */
    size_t last_open; /* the '(' of the last parameter list, or SIZE_MAX */
    int terminated;   /* ended with ';' */
} decl_extent;

/* The end of the declaration whose specifiers `d` describes: ';' at depth
 * 0, or a function body. */
static void decl_extent_of(splitter *sp, const decl_shape *d, decl_extent *x)
{
    size_t end;
    int seen_eq = 0;
    x->body = x->kr = x->last_open = (size_t)-1;
    x->terminated = 0;
    /* K&R definition `int f(a, b) int a; char *b; { ... }`: the `(` of the
     * identifier list and the first parameter declaration */
    for (end = d->spec_end; end < sp->n; end++) {
        if (!seen_eq && x->last_open != (size_t)-1 && end > d->spec_end &&
            tok_is(sp, end - 1, ")") && kr_decl_start(sp, end) &&
            ident_list(sp, x->last_open + 1, end - 1)) {
            size_t j = end;
            while (j < sp->n && !tok_is(sp, j, "{") && !tok_is(sp, j, "}"))
                j = tok_is(sp, j, "(") || tok_is(sp, j, "[") ? skip_balanced(sp, j) : j + 1;
            if (tok_is(sp, j, "{")) {
                x->kr = end;
                x->body = j;
                end = skip_balanced(sp, j);
                break;
            }
        }
        if (tok_is(sp, end, ";")) {
            x->terminated = 1;
            break;
        }
        if (tok_is(sp, end, "="))
            seen_eq = 1;
        if (tok_is(sp, end, ","))
            seen_eq = 0;
        if (tok_is(sp, end, "{")) {
            if (!seen_eq && end > d->spec_end && tok_is(sp, end - 1, ")")) {
                x->body = end;
                end = skip_balanced(sp, end);
                break;
            }
            end = skip_balanced(sp, end) - 1;
            continue;
        }
        if (tok_is(sp, end, "(") || tok_is(sp, end, "[")) {
            x->last_open = tok_is(sp, end, "(") ? end : (size_t)-1;
            end = skip_balanced(sp, end) - 1;
            continue;
        }
        if (tok_is(sp, end, "}"))
            break; /* stray closer: the declaration ends before it */
        if (tok_kw(sp, end) == KW_STMT && !seen_eq)
            break; /* `int x\nfor(...)`: a missing ';' must not swallow code */
    }
    x->end = end;
    x->next = x->terminated ? end + 1 : end;
}

/* The kind of the one item a declaration makes, or -1 when it makes one
 * item per declarator (variables and prototypes, each replaced on its own
 * by a later cell; a struct/union/enum body given with a tag and variables
 * is then a TYPE item of its own, so a redefinition of the type replaces
 * only the type). */
static int decl_single_kind(const splitter *sp, const decl_shape *d, const decl_extent *x)
{
    int whole = (sp->options & CELLSRC_WHOLE) != 0;
    int has_decls = x->end > d->spec_end;
    if (!(whole || d->is_typedef || !has_decls || x->body != (size_t)-1 ||
          (d->body_open != (size_t)-1 && d->tag_name == (size_t)-1)))
        return -1;
    if (x->body != (size_t)-1)
        return CELLSRC_FUNC;
    if (!d->is_typedef && has_decls)
        return whole ? CELLSRC_VAR : -1; /* anonymous struct variables: per declarator */
    return CELLSRC_TYPE;
}

/* "struct S" for the tag the specifiers name. */
static void add_tag_def(splitter *sp, cellsrc_item *it, const decl_shape *d)
{
    strbuf b = { 0 };
    join(sp, &b, d->tag_kw, d->tag_kw + 1, (size_t)-1);
    strbuf_add(&b, " ");
    strbuf_addn(&b, sp->src + sp->t[d->tag_name].off, sp->t[d->tag_name].len);
    add_def(it, b.s, b.len);
    strbuf_free(&b);
}

/* A name is not a reference of the item defining it. */
static void drop_ref(cellsrc_item *it, const char *name)
{
    for (size_t r = 0; r < it->nrefs; r++)
        if (!strcmp(it->refs[r], name)) {
            free(it->refs[r]);
            it->refs[r] = it->refs[--it->nrefs];
            break;
        }
}

static void remember_own_type(splitter *sp, const ctoken *t)
{
    if (own_type(sp, sp->src + t->off, t->len))
        return;
    if (sp->nown == sp->capown) {
        sp->capown = sp->capown ? sp->capown * 2 : 16;
        sp->own_types = alloc_resize(sp->own_types, sp->capown * sizeof(char *));
    }
    sp->own_types[sp->nown++] = alloc_strndup(sp->src + t->off, t->len);
}

/* One declarator [from, to) of a single-item declaration: its name is a
 * definition of the item.  Returns 1 if it declares a function. */
static int single_declarator(splitter *sp, cellsrc_item *it, const decl_shape *d, size_t from,
                             size_t to)
{
    size_t eq, nm = declarator_name(sp, from, to, &eq);
    if (nm == (size_t)-1)
        return 1; /* no name: does not make the item a variable */
    const ctoken *t = &sp->t[nm];
    add_def(it, sp->src + t->off, t->len);
    if (d->is_typedef) {
        add_name(&it->typenames, &it->ntypenames, sp->src + t->off, t->len);
        remember_own_type(sp, t);
    }
    if (it->kind == CELLSRC_FUNC && tok_is(sp, d->spec_end - 1, "void") && !tok_is(sp, nm - 1, "*"))
        it->flags |= CELLSRC_VOID;
    if (it->kind != CELLSRC_FUNC && tok_is(sp, d->spec_end - 1, "void") && nm == d->spec_end)
        it->flags |= CELLSRC_VOID;
    return tok_is(sp, nm + 1, "(");
}

/* A function definition's text (`static` and `inline` blanked so the
 * definition is external and tcc_get_symbol finds it) and its prototype. */
static void function_text(splitter *sp, cellsrc_item *it, size_t start, const decl_shape *d,
                          const decl_extent *x, int own_type)
{
    size_t end = x->end, body = x->body;
    unsigned char *blank = alloc_resize(NULL, end - start);
    memset(blank, 0, end - start);
    for (size_t i = start; i < d->spec_end; i++)
        if (tok_is(sp, i, "static") || tok_is(sp, i, "inline") || tok_is(sp, i, "__inline") ||
            tok_is(sp, i, "__inline__"))
            blank[i - start] = 1;
    /* the return type's body is the type item's (single_item) */
    for (size_t i = d->body_open; own_type && i < d->body_close; i++)
        blank[i - start] = 1;
    it->text = render(sp, start, end, blank);
    /* K&R (`f(x) int x; {`, or `f(x) {` with x an implicit int):
     * declared without a prototype, `int f();`, as C sees it */
    int no_proto = x->kr != (size_t)-1;
    if (!no_proto && x->last_open != (size_t)-1 && x->last_open + 2 < body &&
        tok_is(sp, body - 1, ")") && ident_list(sp, x->last_open + 1, body - 1)) {
        no_proto = 1;
        for (size_t k = x->last_open + 1; k < body - 1; k++)
            no_proto &= !known_type(sp, k);
    }
    char *head = render(sp, start, no_proto ? x->last_open + 1 : body, blank);
    strbuf b = { 0 };
    strbuf_add(&b, head);
    strbuf_add(&b, no_proto ? ");" : ";");
    it->proto = strbuf_take(&b);
    free(head);
    free(blank);
}

static void tagged_type_item(splitter *sp, size_t start, const decl_shape *d);

/* The declaration as one item of `kind`: a type, a function definition, a
 * typedef, or (for headers, CELLSRC_WHOLE) any declaration as written. */
static void single_item(splitter *sp, size_t start, const decl_shape *d, const decl_extent *x,
                        cellsrc_kind kind)
{
    int whole = (sp->options & CELLSRC_WHOLE) != 0;
    size_t stop = x->end, body = x->body;
    /* `struct pair { int a, b; } mk(int a) { ... }`: the type defined in the
     * return type is an item of its own, before the function's, as it is
     * before variables declared with it; else the function was kept under
     * the tag, and the cell ended with "no address for 'struct pair'". */
    int own_type = kind == CELLSRC_FUNC && !whole && d->tag_name != (size_t)-1 &&
                   d->body_open != (size_t)-1;
    if (own_type)
        tagged_type_item(sp, start, d);
    cellsrc_item *it = new_item(sp, kind, start);
    if (d->is_typedef)
        it->flags |= CELLSRC_TYPEDEF;
    /* `struct S *f(void) { ... }` defines f, not struct S (the session
     * keeps a function under its first name); nor does `typedef struct S
     * T;` define struct S: it names it (a ref), and keying it by the tag
     * would let it replace the body the session holds */
    if (d->tag_name != (size_t)-1 && !own_type &&
        (d->body_open != (size_t)-1 || (kind == CELLSRC_TYPE && !d->is_typedef)))
        add_tag_def(sp, it, d);
    if (d->body_open != (size_t)-1 && tok_is(sp, d->tag_kw, "enum") && !own_type)
        enum_constants(sp, it, d->body_open, d->body_close);
    /* the declarators' names; a function definition has one declarator,
     * which ends at its K&R parameter declarations or its body */
    size_t from = d->spec_end;
    int all_funcs = stop > d->spec_end;
    size_t head_end = x->kr != (size_t)-1 ? x->kr : body;
    for (size_t i = from; i <= stop; i++) {
        int at_body = body != (size_t)-1 && i == head_end;
        if (!at_body && i < stop &&
            (tok_is(sp, i, "(") || tok_is(sp, i, "[") || tok_is(sp, i, "{"))) {
            i = skip_balanced(sp, i) - 1;
            continue;
        }
        if (i == stop || tok_is(sp, i, ",") || at_body) {
            all_funcs &= single_declarator(sp, it, d, from, i);
            if (body != (size_t)-1)
                break;
            from = i + 1;
        }
    }
    if (kind == CELLSRC_VAR && all_funcs)
        it->kind = CELLSRC_PROTO;
    if (d->is_static)
        it->flags |= CELLSRC_STATIC;
    if (d->is_extern)
        it->flags |= CELLSRC_EXTERN;
    add_refs(sp, it, start, x->end);
    for (size_t k = 0; k < it->ndefs; k++)
        drop_ref(it, it->defs[k]);
    if (whole || kind != CELLSRC_FUNC) {
        it->text = render(sp, start, x->next, NULL);
        if (!x->terminated && !whole) {
            char *t = it->text;
            size_t tl = strlen(t);
            it->text = alloc_resize(t, tl + 2);
            memcpy(it->text + tl, ";", 2);
        }
    } else {
        function_text(sp, it, start, d, x, own_type);
    }
}

/* The type of a tagged body declared with variables, as an item of its own. */
static void tagged_type_item(splitter *sp, size_t start, const decl_shape *d)
{
    cellsrc_item *ti = new_item(sp, CELLSRC_TYPE, start);
    strbuf b = { 0 };
    ti->text = render(sp, start, d->body_close, NULL);
    strbuf_add(&b, ti->text);
    strbuf_add(&b, ";");
    free(ti->text);
    ti->text = strbuf_take(&b);
    add_tag_def(sp, ti, d);
    if (tok_is(sp, d->tag_kw, "enum"))
        enum_constants(sp, ti, d->body_open, d->body_close);
    add_refs(sp, ti, d->body_open, d->body_close);
}

/* The specifiers [start, spec_end) into `out`, leaving out the storage
 * class, the body when the type got its own item, and (drop_const) every
 * `const` among them.  Returns 1 if there was such a `const`. */
static int specifier_text(splitter *sp, size_t start, const decl_shape *d, int drop_const,
                          strbuf *out)
{
    int saw_const = 0;
    for (size_t k = start; k < d->spec_end; k++) {
        if (tok_is(sp, k, "static") || tok_is(sp, k, "extern"))
            continue;
        if (tok_is(sp, k, "const")) {
            saw_const = 1;
            if (drop_const)
                continue;
        }
        if (d->tag_name != (size_t)-1 && k == d->body_open) {
            k = d->body_close - 1;
            continue;
        }
        join(sp, out, k, k + 1, (size_t)-1);
    }
    return saw_const;
}

/* A variable's type, constness, definition text and initializer.  The
 * declarator is [from, to) with its name at nm and '=' at eq (or to). */
static void variable_parts(splitter *sp, cellsrc_item *it, size_t start, const decl_shape *d,
                           const char *spec, int is_const_spec, size_t from, size_t nm, size_t eq,
                           size_t to)
{
    strbuf b = { 0 };
    strbuf_add(&b, spec);
    join(sp, &b, from, eq, nm);
    it->type_name = strbuf_take(&b);
    if (tok_is(sp, nm + 1, "["))
        it->flags |= CELLSRC_ARRAY;
    /* const object: `const int n`, `int *const p` (not `const char *s`) */
    int ptr = 0, cst = 0;
    for (size_t k = from; k < nm; k++) {
        if (tok_is(sp, k, "*"))
            ptr = 1, cst = 0;
        else if (tok_is(sp, k, "const"))
            cst = 1;
    }
    if (cst || (!ptr && is_const_spec))
        it->flags |= CELLSRC_CONST;
    if (it->flags & CELLSRC_CONST) {
        /* drop the const that applies to the object itself: the last one
         * after the last '*', or the specifiers' when there is no '*' */
        size_t last_star = (size_t)-1, drop = (size_t)-1;
        for (size_t k = from; k < nm; k++)
            if (tok_is(sp, k, "*"))
                last_star = k;
        for (size_t k = last_star == (size_t)-1 ? from : last_star; k < nm; k++)
            if (tok_is(sp, k, "const"))
                drop = k;
        strbuf_add(&b, "");
        specifier_text(sp, start, d, last_star == (size_t)-1, &b);
        join(sp, &b, from, eq, drop);
        it->deftext = strbuf_take(&b);
    } else {
        it->deftext = alloc_strndup(it->text, strlen(it->text));
    }
    if (eq < to) {
        it->init = render(sp, eq + 1, to, NULL);
        it->init_line = sp->t[eq + 1 < to ? eq + 1 : eq].line;
        if (tok_is(sp, eq + 1, "{"))
            it->flags |= CELLSRC_BRACED;
    }
}

/* One declarator [from, to) as a VAR or PROTO item of its own. */
static void declarator_item(splitter *sp, size_t start, const decl_shape *d, const char *spec,
                            int is_const_spec, size_t from, size_t to)
{
    size_t eq, nm = declarator_name(sp, from, to, &eq);
    if (nm == (size_t)-1)
        return;
    int is_func = tok_is(sp, nm + 1, "(");
    cellsrc_item *it = new_item(sp, is_func ? CELLSRC_PROTO : CELLSRC_VAR, from);
    it->line = sp->t[nm].line;
    add_def(it, sp->src + sp->t[nm].off, sp->t[nm].len);
    if (d->is_static)
        it->flags |= CELLSRC_STATIC;
    if (d->is_extern)
        it->flags |= CELLSRC_EXTERN;
    strbuf b = { 0 };
    strbuf_add(&b, spec);
    join(sp, &b, from, eq, (size_t)-1);
    if (is_func) {
        strbuf_add(&b, ";");
        if (tok_is(sp, d->spec_end - 1, "void") && nm == from)
            it->flags |= CELLSRC_VOID;
    }
    it->text = strbuf_take(&b);
    if (!is_func)
        variable_parts(sp, it, start, d, spec, is_const_spec, from, nm, eq, to);
    add_refs(sp, it, start, d->spec_end);
    add_refs(sp, it, from, to);
    drop_ref(it, it->defs[0]);
}

/* Variables and prototypes: one item per declarator, after the tagged
 * type's own item when the specifiers define one. */
static void per_declarator_items(splitter *sp, size_t start, const decl_shape *d,
                                 const decl_extent *x)
{
    if (d->body_open != (size_t)-1 && d->tag_name != (size_t)-1)
        tagged_type_item(sp, start, d);
    strbuf spec = { 0 };
    int is_const_spec = specifier_text(sp, start, d, 0, &spec);
    size_t from = d->spec_end, stop = x->end;
    for (size_t i = from; i <= stop; i++) {
        if (i < stop && (tok_is(sp, i, "(") || tok_is(sp, i, "[") || tok_is(sp, i, "{"))) {
            i = skip_balanced(sp, i) - 1;
            continue;
        }
        if (i < stop && !tok_is(sp, i, ","))
            continue;
        declarator_item(sp, start, d, spec.s ? spec.s : "", is_const_spec, from, i);
        from = i + 1;
    }
    strbuf_free(&spec);
}

/* Parse the declaration starting at `start`; returns its end (exclusive). */
static size_t decl_item(splitter *sp, size_t start)
{
    decl_shape d;
    decl_extent x;
    scan_specifiers(sp, start, sp->n, &d);
    decl_extent_of(sp, &d, &x);
    int kind = decl_single_kind(sp, &d, &x);
    if (kind >= 0)
        single_item(sp, start, &d, &x, (cellsrc_kind)kind);
    else
        per_declarator_items(sp, start, &d, &x);
    return x.next;
}

static void parse_magics(splitter *sp, char *code)
{
    /* Magic lines are blanked in place so the code keeps its line numbers. */
    const char *pos = code;
    int line = 1;
    magic_line ml;
    cellsrc_cell *c = sp->cell;
    while (magic_syntax_next(&pos, &line, &ml)) {
        c->magics = alloc_resize(c->magics, (c->nmagics + 1) * sizeof *c->magics);
        cellsrc_magic *m = &c->magics[c->nmagics++];
        m->name = alloc_strndup(ml.name, ml.namelen);
        m->arg = alloc_strndup(ml.arg, ml.arglen);
        m->line = ml.line;
        m->cell_magic = ml.cell_magic;
        memset(code + (ml.start - code), ' ', (size_t)(ml.end - ml.start));
    }
}

/* Whether the statement [i, e) assigns or increments at depth 0: it is
 * run, not shown (as in IPython). */
static int assigns(const splitter *sp, size_t i, size_t e)
{
    const char *code = sp->src;
    for (size_t k = i; k < e; k++) {
        if (tok_is(sp, k, "(") || tok_is(sp, k, "[") || tok_is(sp, k, "{")) {
            k = skip_balanced(sp, k) - 1;
            continue;
        }
        const ctoken *t = &sp->t[k];
        if (t->kind == CTOKEN_PUNCT &&
            ((t->len == 1 && code[t->off] == '=') ||
             (t->len >= 2 && code[t->off + t->len - 1] == '=' && !strchr("=!<>", code[t->off])) ||
             (t->len == 3 && code[t->off + 2] == '=') || tok_is(sp, k, "++") ||
             tok_is(sp, k, "--")))
            return 1;
    }
    return 0;
}

/* After the word `w` at p (blanks before and after it skipped), or NULL
 * when p does not start with that word: `#pragma pack(1)` read word by
 * word. */
static const char *after_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    p += strspn(p, " \t");
    if (strncmp(p, w, n) != 0 || is_id1((unsigned char)p[n]))
        return NULL;
    return p + n + strspn(p + n, " \t");
}

/* A run of #pragma lines at i that a statement follows (`#pragma omp
 * parallel for` before a top-level loop) belongs to that statement, inside
 * the cell's function as in a C file's main(): at file scope gcc -fopenmp
 * rejects it and tcc would drop it.  Returns the statement's first token, or
 * i when the directives stay at file scope (anything but a pragma, or one
 * before a declaration, a macro, a top-level asm or the end, and `#pragma
 * pack`). */
static size_t pragmas_of_statement(splitter *sp, size_t i)
{
    size_t j = i;
    while (j < sp->n && sp->t[j].kind == CTOKEN_PP) {
        const char *p = after_word(sp->src + sp->t[j].off + 1, "pragma");
        /* `#pragma pack` holds from where it stands for the rest of the
         * file, the cells after it included (carry_pack) */
        if (!p || after_word(p, "pack"))
            return i;
        j++;
    }
    if (j >= sp->n || tok_is(sp, j, ";") || tok_is(sp, j, "}") || tok_is(sp, j, "asm") ||
        tok_is(sp, j, "__asm__") || tok_is(sp, j, "__asm") || looks_like_decl(sp, j) ||
        macro_candidate(sp, j))
        return i;
    return j;
}

/* `#pragma pack` in force over a cell's types.
 *
 * A type is kept as its text and compiled again in every later cell, where
 * the cell's directives are not: `#pragma pack(push, 1) struct P {...};
 * #pragma pack(pop)` gave sizeof(struct P) 5 in its cell and 8 after it, so
 * a function of the first cell and code of the next disagreed on every
 * member's offset.  Each type declared while a pack is in force therefore
 * carries it, as GCC and tcc read the directive (push[, N], pop, N, nothing
 * for the default).  The `#line` keeps the type's own line numbers.  A
 * variable or function is kept as a declaration the store writes: it notes
 * the pack (item->pack), for an inline struct body in its type. */
static void pack_directive(const char *text, cellsrc_pack *pk)
{
    const char *p = after_word(text + 1, "pragma");
    p = p ? after_word(p, "pack") : NULL;
    if (!p || *p++ != '(')
        return;
    const char *q = after_word(p, "push");
    if (q) {
        if (pk->depth < CELLSRC_PACK_DEPTH)
            pk->stack[pk->depth++] = pk->cur;
        if (*q != ',')
            return;
        p = q + 1;
    } else if (after_word(p, "pop")) {
        pk->cur = pk->depth > 0 ? pk->stack[--pk->depth] : 0;
        return;
    }
    pk->cur = (int)strtol(p, NULL, 10); /* `pack()` and `pack(0)`: the default */
}

static void carry_pack(cellsrc_cell *cell, cellsrc_pack *pk)
{
    for (size_t i = 0; i < cell->nitems; i++) {
        cellsrc_item *it = &cell->items[i];
        if (it->kind == CELLSRC_PP && it->pp == CELLSRC_PP_OTHER) {
            pack_directive(it->text, pk);
        } else if (it->kind == CELLSRC_TYPE && pk->cur > 0 && !(it->flags & CELLSRC_MACRO)) {
            strbuf b = { 0 };
            strbuf_addf(&b, "#pragma pack(push, %d)\n#line %d\n%s\n#pragma pack(pop)", pk->cur,
                        it->line, it->text);
            free(it->text);
            it->text = strbuf_take(&b);
        } else if (it->kind == CELLSRC_VAR || it->kind == CELLSRC_FUNC ||
                   it->kind == CELLSRC_PROTO) {
            it->pack = pk->cur;
        }
    }
}

void cellsrc_pack_directives(const cellsrc_pack *pk, strbuf *b)
{
    /* pushed in order: each push saves what stands and sets the next */
    if (pk->depth > 0 && pk->stack[0] > 0)
        strbuf_addf(b, "#pragma pack(%d)\n", pk->stack[0]);
    for (int k = 1; k < pk->depth; k++)
        strbuf_addf(b, "#pragma pack(push, %d)\n", pk->stack[k]);
    if (pk->depth > 0)
        strbuf_addf(b, "#pragma pack(push, %d)\n", pk->cur);
    else if (pk->cur > 0)
        strbuf_addf(b, "#pragma pack(%d)\n", pk->cur);
}

cellsrc_cell *cellsrc_split(const char *code, unsigned options, cellsrc_is_type_fn is_type,
                            void *ctx)
{
    cellsrc_pack pk = { 0 };
    return cellsrc_split_packed(code, options, is_type, ctx, &pk);
}

cellsrc_cell *cellsrc_split_packed(const char *code, unsigned options, cellsrc_is_type_fn is_type,
                                   void *ctx, cellsrc_pack *pack)
{
    splitter sp = { 0 };
    sp.cell = alloc_resize(NULL, sizeof *sp.cell);
    memset(sp.cell, 0, sizeof *sp.cell);
    char *copy = NULL;
    if (!(options & (CELLSRC_WHOLE | CELLSRC_NO_MAGICS))) {
        copy = alloc_strndup(code, strlen(code));
        parse_magics(&sp, copy);
        code = copy;
    }
    sp.src = code;
    sp.options = options;
    sp.is_type = is_type;
    sp.ctx = ctx;
    sp.n = ctoken_scan(code, &sp.t, NULL);

    size_t i = 0;
    while (i < sp.n) {
        size_t start = i; /* a statement's first token, its #pragma lines included */
        if (sp.t[i].kind == CTOKEN_PP) {
            i = pragmas_of_statement(&sp, i);
            if (i == start) {
                pp_item(&sp, i++);
                continue;
            }
        }
        if (tok_is(&sp, i, ";") || tok_is(&sp, i, "}")) { /* empty or stray */
            i++;
            continue;
        }
        size_t me = macro_candidate(&sp, i);
        if (me) {
            cellsrc_item *it = new_item(&sp, CELLSRC_TYPE, i);
            it->flags |= CELLSRC_MACRO;
            if (tok_is(&sp, me - 1, ";"))
                it->flags |= CELLSRC_SEMI;
            it->text = render(&sp, i, me, NULL);
            add_refs(&sp, it, i, me);
            i = me;
            continue;
        }
        if ((tok_is(&sp, i, "asm") || tok_is(&sp, i, "__asm__") || tok_is(&sp, i, "__asm")) &&
            tok_is(&sp, i + 1, "(")) {
            /* a top-level asm (`__asm__("f: ret");`) belongs at file scope
             * as in a C file: inside main() its instructions would run */
            size_t e = skip_balanced(&sp, i + 1);
            if (e < sp.n && tok_is(&sp, e, ";"))
                e++;
            cellsrc_item *it = new_item(&sp, CELLSRC_TYPE, i);
            it->text = render(&sp, i, e, NULL);
            add_refs(&sp, it, i, e);
            i = e;
            continue;
        }
        if (looks_like_decl(&sp, i)) {
            size_t e = decl_item(&sp, i);
            i = e > i ? e : i + 1;
            continue;
        }
        int terminated;
        size_t e = stmt_end(&sp, i, &terminated);
        if (e <= i)
            e = i + 1;
        if (e > sp.n)
            e = sp.n;
        int expr = !terminated && only_other_branches(&sp, e) &&
                   !(options & (CELLSRC_WHOLE | CELLSRC_NO_MAGICS)) && tok_kw(&sp, i) != KW_STMT &&
                   !assigns(&sp, i, e);
        if (expr && start < i) {
            /* `#pragma omp barrier` before the value shown: a statement of
             * its own, so that the value is still shown */
            cellsrc_item *pr = new_item(&sp, CELLSRC_STMT, start);
            pr->flags |= CELLSRC_SEMI;
            pr->text = render(&sp, start, i, NULL);
            start = i;
        }
        cellsrc_item *it = new_item(&sp, expr ? CELLSRC_EXPR : CELLSRC_STMT, start);
        if (terminated)
            it->flags |= CELLSRC_SEMI;
        it->text = render(&sp, start, e, NULL);
        add_refs(&sp, it, start, e);
        i = e;
    }
    free(sp.t);
    for (size_t k = 0; k < sp.nown; k++)
        free(sp.own_types[k]);
    free(sp.own_types);
    free(copy);
    carry_pack(sp.cell, pack);
    return sp.cell;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void cellsrc_destroy(cellsrc_cell **cell_p)
{
    cellsrc_cell *c = *cell_p;
    if (!c)
        return;
    for (size_t i = 0; i < c->nitems; i++) {
        cellsrc_item *it = &c->items[i];
        free(it->text);
        free(it->init);
        free(it->type_name);
        free(it->proto);
        free(it->deftext);
        free_names(it->typenames, it->ntypenames);
        free_names(it->defs, it->ndefs);
        free_names(it->refs, it->nrefs);
    }
    free(c->items);
    for (size_t i = 0; i < c->nmagics; i++) {
        free(c->magics[i].name);
        free(c->magics[i].arg);
    }
    free(c->magics);
    free(c);
    *cell_p = NULL;
}

void cellsrc_splice(cellsrc_cell *cell, size_t at, cellsrc_cell *sub, int line, unsigned flags)
{
    cellsrc_item old = cell->items[at];
    size_t n = sub->nitems;
    cellsrc_item *v = alloc_resize(NULL, (cell->nitems - 1 + n + 1) * sizeof *v);
    memcpy(v, cell->items, at * sizeof *v);
    for (size_t k = 0; k < n; k++) {
        v[at + k] = sub->items[k];
        v[at + k].line = line;
        if (v[at + k].init_line)
            v[at + k].init_line = line;
        v[at + k].flags |= flags;
    }
    memcpy(v + at + n, cell->items + at + 1, (cell->nitems - at - 1) * sizeof *v);
    free(cell->items);
    cell->items = v;
    cell->nitems = cell->nitems - 1 + n;
    sub->nitems = 0;
    cellsrc_destroy(&sub);
    /* the replaced item's strings */
    cellsrc_cell *gone = alloc_resize(NULL, sizeof *gone);
    memset(gone, 0, sizeof *gone);
    gone->items = alloc_resize(NULL, sizeof old);
    gone->items[0] = old;
    gone->nitems = 1;
    cellsrc_destroy(&gone);
}

const char *cellsrc_kind_name(const cellsrc_item *it)
{
    switch (it->kind) {
    case CELLSRC_PP: return "macro";
    case CELLSRC_TYPE: return "type";
    case CELLSRC_VAR: return "variable";
    case CELLSRC_FUNC:
    case CELLSRC_PROTO: return "function";
    default: return "declaration";
    }
}

char *cellsrc_one_line(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    int space = 0;
    if (!out)
        return NULL;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            space = o != out;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = 0;
        *o++ = *s;
    }
    *o = 0;
    return out;
}
