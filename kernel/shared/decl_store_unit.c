/* decl_store_unit.c — the translation unit of a cell: what the store's
 * earlier cells declared that the cell needs, then the cell itself, its
 * file-scope items in place and the rest in a generated main() (see
 * decl_store.h for the layout).
 *
 * decl_store_prepare reads in phases: split_cell (with a header index of its
 * own when the cell includes a new header), defined_names, closure (which
 * earlier entries and header declarations the cell reaches), then
 * emit_entries, emit_items and main().
 *
 * Why ~1,000 lines: one concept, the builder; its largest helpers are the
 * trailing-value display of a struct (sv_*, show_struct) and the macro
 * expansion of file-scope items, both only called from here.
 */
#include "decl_store_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi.h"
#include "alloc.h"
#include "config.h"
#include "headers.h"
#include "reserved.h"
#include "strv.h"
#include "tcc_global_double_bug.h"

typedef struct typectx {
    const decl_store *s;
    const declindex *idx;
} typectx;

static int is_type_cb(void *ctx, const char *name, size_t len)
{
    typectx *tc = ctx;
    if (declindex_is_type(tc->idx, name, len))
        return 1;
    size_t n;
    const size_t *v = declindex_map_get(tc->s->types, name, len, &n);
    for (size_t i = 0; i < n; i++)
        if (!tc->s->ents[v[i]].dead)
            return 1;
    return 0;
}

/* Is the trailing expression a call of a function returning void (which
 * _Generic cannot take)?  Only the shape `name(...)` is recognised. */
static int void_call(const decl_store *s, const declindex *idx, const cellsrc_cell *cell,
                     const char *expr)
{
    ctoken *t;
    size_t n = ctoken_scan(expr, &t, NULL);
    int r = 0;
    if (n >= 3 && t[0].kind == CTOKEN_PUNCT && expr[t[0].off] == '(' && t[1].kind == CTOKEN_IDENT &&
        t[1].len == 4 && !memcmp(expr + t[1].off, "void", 4) && expr[t[2].off] == ')') {
        r = 1; /* (void)expr, but not (void *)p */
    } else if (n >= 3 && t[0].kind == CTOKEN_IDENT && expr[t[1].off] == '(' &&
               expr[t[n - 1].off] == ')') {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)t[0].len, expr + t[0].off);
        /* the call must span the whole expression: f(a)+g(b) is not one */
        long depth = 0;
        size_t close = 0;
        for (size_t i = 1; i < n; i++) {
            if (t[i].kind != CTOKEN_PUNCT || t[i].len != 1)
                continue;
            char c = expr[t[i].off];
            if (c == '(' || c == '[' || c == '{')
                depth++;
            else if ((c == ')' || c == ']' || c == '}') && --depth == 0) {
                close = i;
                break;
            }
        }
        if (close == n - 1) {
            int found = 0;
            for (size_t i = 0; i < cell->nitems && !found; i++) {
                const cellsrc_item *it = &cell->items[i];
                if ((it->kind == CELLSRC_FUNC || it->kind == CELLSRC_PROTO) && it->ndefs &&
                    !strcmp(it->defs[0], name)) {
                    found = 1;
                    r = (it->flags & CELLSRC_VOID) != 0;
                }
            }
            size_t k;
            const size_t *v = declindex_map_get(s->names, name, strlen(name), &k);
            while (k-- > 0 && !found) {
                const entry *e = &s->ents[v[k]];
                if (!e->dead && (e->kind == ENT_FUNC || e->kind == ENT_DECL) &&
                    strv_has(e->keys, e->nkeys, name)) {
                    found = 1;
                    r = e->is_void;
                }
            }
            if (!found)
                r = declindex_returns_void(idx, name);
        }
    }
    free(t);
    return r;
}

static const char show_decls[] = "void __chalk_show_i64(long long);\n"
                                 "void __chalk_show_u64(unsigned long long);\n"
                                 "void __chalk_show_f64(double);\n"
                                 "void __chalk_show_f32(float);\n"
                                 "void __chalk_show_f80(long double);\n"
                                 "void __chalk_show_bool(_Bool);\n"
                                 "void __chalk_show_char(int);\n"
                                 "void __chalk_show_str(const char *);\n"
                                 "void __chalk_show_ptr(const void *);\n";

/* The _Generic dispatch of a shown value.  `helpers` adds the helper
 * library's vector and matrix types (only when their typedefs exist).
 * A void expression (a macro like assert(x), a call we could not tell
 * returns void) cannot be a _Generic operand's argument: the outer
 * _Generic on a pointer to its type picks `(x)` alone for void.  tcc
 * 0.9.27 does not type-check the association it does not select. */
static void show_macro(strbuf *b, int helpers)
{
    strbuf_add(b, show_decls);
    if (helpers)
        strbuf_add(b, "void ch_show_vector(const gsl_vector *);\n"
                      "void ch_show_matrix(const gsl_matrix *);\n");
    strbuf_add(b, "#define __CHALK_SHOW(x) _Generic((__typeof__(x) *)0, void *: (x), default: "
                  "_Generic((x), _Bool: __chalk_show_bool, "
                  "char: __chalk_show_char, signed char: __chalk_show_i64, "
                  "unsigned char: __chalk_show_u64, short: __chalk_show_i64, "
                  "unsigned short: __chalk_show_u64, int: __chalk_show_i64, "
                  "unsigned int: __chalk_show_u64, long: __chalk_show_i64, "
                  "unsigned long: __chalk_show_u64, long long: __chalk_show_i64, "
                  "unsigned long long: __chalk_show_u64, float: __chalk_show_f32, "
                  "double: __chalk_show_f64, long double: __chalk_show_f80, "
                  "char *: __chalk_show_str, const char *: __chalk_show_str, ");
    if (helpers)
        strbuf_add(b, "gsl_vector *: ch_show_vector, const gsl_vector *: ch_show_vector, "
                      "gsl_matrix *: ch_show_matrix, const gsl_matrix *: ch_show_matrix, ");
    strbuf_add(b, "default: __chalk_show_ptr)(x))\n");
}

/* A sized array with a braced initializer naming identifiers (variables,
 * calls): not constant in general, so it is filled in main().  Unsized
 * arrays take their size from the initializer and stay at file scope. */
static int runtime_array(const cellsrc_item *it)
{
    if (!(it->flags & CELLSRC_ARRAY) || !(it->flags & CELLSRC_BRACED) || !it->init ||
        strstr(it->type_name, "[ ]"))
        return 0;
    ctoken *t;
    size_t n = ctoken_scan(it->init, &t, NULL);
    int r = 0;
    for (size_t i = 0; i < n && !r; i++)
        r = t[i].kind == CTOKEN_IDENT && !cellsrc_is_keyword(it->init + t[i].off, t[i].len);
    free(t);
    return r;
}

/* Whether an initializer is made of literals alone (no identifier but
 * keywords such as sizeof, no assignment, no comma operator): a constant
 * C can give at file scope.  Such an initializer stays with the definition,
 * where a flexible array member or an anonymous struct type can have one,
 * and no statement in main() is needed. */
static int literal_init(const char *init)
{
    ctoken *t;
    size_t n = ctoken_scan(init, &t, NULL);
    int ok = 1, parens = 0;
    for (size_t i = 0; i < n && ok; i++) {
        const char *s = init + t[i].off;
        size_t len = t[i].len;
        if (t[i].kind == CTOKEN_IDENT)
            ok = cellsrc_is_keyword(s, len);
        else if (t[i].kind == CTOKEN_PP)
            ok = 0;
        else if (t[i].kind == CTOKEN_PUNCT) {
            if (len == 1 && *s == '(')
                parens++;
            else if (len == 1 && *s == ')')
                parens--;
            else if (len == 1 && *s == ',')
                ok = parens == 0;
            else if ((len == 2 && (!memcmp(s, "++", 2) || !memcmp(s, "--", 2))) ||
                     (len >= 1 && s[len - 1] == '=' && !(len == 2 && strchr("=!<>", s[0]))))
                ok = 0;
        }
    }
    free(t);
    return ok;
}

static int is_conditional(const char *directive)
{
    static const char *const words[] = { "if", "ifdef", "ifndef", "elif", "else", "endif" };
    const char *p = directive + 1;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z'))
        n++;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strlen(words[i]) == n && !strncmp(words[i], p, n))
            return 1;
    return 0;
}

typedef struct rewriter {
    int renames_main;
    tcc_global_double_bug dbl; /* earlier variables read through pointers */
} rewriter;

/* The text of a cell item as compiled: `main` renamed when the cell defines
 * its own, earlier variables read through pointers in code (`code`). */
static char *cell_text(const rewriter *rw, const char *text, int code)
{
    char *r = rw->renames_main ? ctoken_rename(text, "main", "__chalk_user_main")
                               : alloc_strdup(text);
    if (code && rw->dbl.ntargets) {
        char *d = tcc_global_double_bug_deref(r, &rw->dbl);
        free(r);
        r = d;
    }
    return r;
}

/* The cell's own main(), renamed __chalk_user_main (`t`), still behaves as
 * main: reaching its closing brace returns 0 (C11 5.1.2.2.3), and __func__
 * says "main". */
static void emit_user_main(strbuf *b, const cellsrc_item *it, const char *t, int cell_number)
{
    const char *close = strrchr(t, '}');
    strbuf_add(b, "#define __func__ \"main\"\n#define __FUNCTION__ \"main\"\n"
                  "#define __PRETTY_FUNCTION__ \"main\"\n");
    strbuf_addf(b, "#line %d \"cell[%d]\"\n", it->line, cell_number);
    if (close && !(it->flags & CELLSRC_VOID)) {
        /* on the brace's own line, so every line keeps its number */
        strbuf_addn(b, t, (size_t)(close - t));
        strbuf_add(b, "return 0;");
        strbuf_add(b, close);
    } else {
        strbuf_add(b, t);
    }
    strbuf_add(b, "\n#undef __func__\n#undef __FUNCTION__\n#undef __PRETTY_FUNCTION__\n");
}

/* The line of the cell's first #include that is new to the session. */
static int first_new_include(const decl_store *s, const cellsrc_cell *cell)
{
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        if (it->kind == CELLSRC_PP && it->pp == CELLSRC_PP_INCLUDE &&
            !strv_has(s->includes, s->nincludes, it->text))
            return it->line;
    }
    return 1;
}

/* A new #include flattens every include again, so each header named by
 * path is read again: check them all (an earlier one may have been
 * rewritten since), at the line of the include (or of the cell's first new
 * one, for an earlier cell's). */
static int check_includes(const decl_store *s, reserved_set *rs, const cellsrc_cell *cell,
                          char *const *incs, size_t nincs, int cell_number, char *err,
                          size_t errlen)
{
    char *source = decl_store_headers_source(s, s->includes, s->nincludes);
    rs->idx_source = source;
    int rc = 0, fallback = first_new_include(s, cell);
    for (size_t i = 0; i < nincs && rc == 0; i++) {
        int line = fallback;
        for (size_t k = 0; k < cell->nitems; k++)
            if (cell->items[k].kind == CELLSRC_PP && !strcmp(cell->items[k].text, incs[i]))
                line = cell->items[k].line;
        rc = reserved_check_include(rs, incs[i], line, cell_number, err, errlen);
    }
    rs->idx_source = NULL;
    free(source);
    return rc;
}

/* A header a cell includes now may declare a name an earlier cell defined
 * (`int link;`, then `#include <unistd.h>`): later cells would see both, and
 * a check calling the header's function could get the cell's. */
static int check_earlier_names(const decl_store *s, const reserved_set *rs,
                               const cellsrc_cell *cell, int cell_number, char *err, size_t errlen)
{
    char why[320];
    for (size_t i = 0; i < s->nents; i++) {
        const entry *e = &s->ents[i];
        for (size_t k = 0; !e->dead && e->kind != ENT_UNDEF && k < e->nkeys; k++) {
            if (!reserved_name(rs, e->keys[k], why, sizeof why))
                continue;
            snprintf(err, errlen,
                     "cell[%d]:%d: error: '%s', which an earlier cell defined, is %s; "
                     "%%reset before including it (C11 7.1.3)",
                     cell_number, first_new_include(s, cell), e->keys[k], why);
            return -1;
        }
    }
    return 0;
}

/* Each piece of the cell ends with a stray `;` numbered as the piece's last
 * line: libtcc reads one token past a missing operand before it complains
 * (`int b = ;` is reported at the token after `;`), and that token must
 * still be on the user's line, not on the next line of generated code. */
static void end_piece(strbuf *b, const char *text, int first, int cell_number)
{
    int last = first;
    for (const char *c = text; c && *c; c++)
        last += *c == '\n';
    strbuf_addf(b, "#line %d \"cell[%d]\"\n;\n", last, cell_number);
}

/* ---- a trailing value of struct type (decl_store_show_struct) ----
 * Its fields are printed like a debugger's `print`: the definition of the
 * tag is looked up in the unit built so far (headers closure, session
 * types, the cell's own), each member goes through a _Generic like
 * __CHALK_SHOW's, arrays show their first elements, a nested struct shows
 * as {...}.  Only a member declaration this reading understands is
 * printed; when the result does not compile, the cell retries with the
 * one-line summary (fields == 0). */
static const char sv_macro[] =
    "void __chalk_sv_begin(const char *);\nvoid __chalk_sv_name(const char *);\n"
    "void __chalk_sv_text(const char *);\nvoid __chalk_sv_end(void);\n"
    "void __chalk_sv_i64(long long);\nvoid __chalk_sv_u64(unsigned long long);\n"
    "void __chalk_sv_f64(double);\nvoid __chalk_sv_f32(float);\nvoid __chalk_sv_f80(long double);\nvoid __chalk_sv_bool(_Bool);\nvoid __chalk_sv_char(int);\n"
    "void __chalk_sv_str(const char *);\nvoid __chalk_sv_ptr(const void *);\n"
    "void __chalk_sv_opaque(const char *, unsigned long);\n";

static void sv_generic(strbuf *b, int helpers)
{
    strbuf_add(
        b, "#define __CHALK_SV(x) _Generic((x), _Bool: __chalk_sv_bool, "
           "char: __chalk_sv_char, signed char: __chalk_sv_i64, unsigned char: __chalk_sv_u64, "
           "short: __chalk_sv_i64, unsigned short: __chalk_sv_u64, int: __chalk_sv_i64, "
           "unsigned int: __chalk_sv_u64, long: __chalk_sv_i64, unsigned long: __chalk_sv_u64, "
           "long long: __chalk_sv_i64, unsigned long long: __chalk_sv_u64, float: __chalk_sv_f32, "
           "double: __chalk_sv_f64, long double: __chalk_sv_f80, char *: __chalk_sv_str, "
           "const char *: __chalk_sv_str, ");
    if (helpers)
        strbuf_add(b, "gsl_vector *: __chalk_sv_vec, const gsl_vector *: __chalk_sv_vec, "
                      "gsl_matrix *: __chalk_sv_mat, const gsl_matrix *: __chalk_sv_mat, ");
    strbuf_add(b, "default: __chalk_sv_ptr)(x)\n");
    if (helpers)
        strbuf_add(b, "void __chalk_sv_vec(const gsl_vector *);\n"
                      "void __chalk_sv_mat(const gsl_matrix *);\n");
}

static int tok_punct(const char *src, const ctoken *t, char c)
{
    return t->kind == CTOKEN_PUNCT && t->len == 1 && src[t->off] == c;
}

/* Statements printing the members of `tag` (in `src`) of the object `obj`. */
static int sv_members(strbuf *out, const char *src, const char *tag, const char *obj, int level)
{
    ctoken *t;
    size_t n = ctoken_scan(src, &t, NULL);
    const char *sp = strchr(tag, ' ');
    size_t kwlen = sp ? (size_t)(sp - tag) : 0, namelen = sp ? strlen(sp + 1) : 0;
    size_t open = 0;
    for (size_t i = 0; sp && i + 2 < n && !open; i++)
        if (t[i].len == kwlen && !memcmp(src + t[i].off, tag, kwlen) && t[i + 1].len == namelen &&
            !memcmp(src + t[i + 1].off, sp + 1, namelen) && tok_punct(src, &t[i + 2], '{'))
            open = i + 2;
    int found = open != 0, first = 1;
    size_t i = open + 1;
    while (found && i < n && !tok_punct(src, &t[i], '}')) {
        /* one member declaration: up to ';' at depth 0 */
        size_t end = i;
        int depth = 0;
        while (end < n && !(depth == 0 && tok_punct(src, &t[end], ';'))) {
            if (tok_punct(src, &t[end], '{') || tok_punct(src, &t[end], '(') ||
                tok_punct(src, &t[end], '['))
                depth++;
            else if (tok_punct(src, &t[end], '}') || tok_punct(src, &t[end], ')') ||
                     tok_punct(src, &t[end], ']'))
                depth--;
            end++;
        }
        if (end >= n) {
            found = 0;
            break;
        }
        int aggregate = ctoken_is(src, &t[i], "struct") || ctoken_is(src, &t[i], "union");
        /* declarators: split at ',' at depth 0 */
        size_t d = i;
        while (d < end) {
            size_t e = d;
            int dd = 0, star = 0, paren = 0, array = 0;
            const ctoken *name = NULL;
            while (e < end && !(dd == 0 && tok_punct(src, &t[e], ','))) {
                if (tok_punct(src, &t[e], '(') || tok_punct(src, &t[e], '['))
                    paren |= src[t[e].off] == '(', array |= dd == 0 && src[t[e].off] == '[', dd++;
                else if (tok_punct(src, &t[e], ')') || tok_punct(src, &t[e], ']'))
                    dd--;
                else if (tok_punct(src, &t[e], '*'))
                    star = 1;
                else if (t[e].kind == CTOKEN_IDENT && !array && (dd == 0 || paren) &&
                         !cellsrc_is_keyword(src + t[e].off, t[e].len) &&
                         !(aggregate && e == i + 1))
                    name = &t[e];
                e++;
            }
            if (!name)
                break;
            strbuf_addf(out, "__chalk_sv_name(\"%s%.*s = \");\n", first ? "" : ", ", (int)name->len,
                        src + name->off);
            first = 0;
            if (aggregate && !star) {
                /* a member `struct in w;`: its own fields, two levels deep */
                strbuf inner = { 0 };
                char *itag = NULL, *iobj = NULL;
                if (level < 2 && t[i + 1].kind == CTOKEN_IDENT && i + 2 < end &&
                    !tok_punct(src, &t[i + 2], '{')) {
                    strbuf tb = { 0 }, ob = { 0 };
                    strbuf_addf(&tb, "%.*s %.*s", (int)t[i].len, src + t[i].off, (int)t[i + 1].len,
                                src + t[i + 1].off);
                    strbuf_addf(&ob, "%s.%.*s", obj, (int)name->len, src + name->off);
                    itag = strbuf_take(&tb);
                    iobj = strbuf_take(&ob);
                }
                if (itag && sv_members(&inner, src, itag, iobj, level + 1))
                    strbuf_addf(out, "__chalk_sv_text(\"{\");\n%s__chalk_sv_text(\"}\");\n",
                                inner.s ? inner.s : "");
                else
                    strbuf_add(out, "__chalk_sv_text(\"{...}\");\n");
                strbuf_free(&inner);
                free(itag);
                free(iobj);
            } else if (array && !paren)
                strbuf_addf(
                    out,
                    "{ __chalk_sv_text(\"{\"); for (unsigned long __chalk_i = 0; "
                    "__chalk_i < sizeof %s.%.*s / sizeof %s.%.*s[0]; __chalk_i++) { "
                    "if (__chalk_i) __chalk_sv_text(\", \"); if (__chalk_i == 8) "
                    "{ __chalk_sv_text(\"...\"); break; } __CHALK_SV(%s.%.*s[__chalk_i]); } "
                    "__chalk_sv_text(\"}\"); }\n",
                    obj, (int)name->len, src + name->off, obj, (int)name->len, src + name->off, obj,
                    (int)name->len, src + name->off);
            else if (paren && star)
                strbuf_addf(out, "__chalk_sv_ptr((const void *)%s.%.*s);\n", obj, (int)name->len,
                            src + name->off);
            else
                strbuf_addf(out, "__CHALK_SV(%s.%.*s);\n", obj, (int)name->len, src + name->off);
            d = e + 1;
        }
        i = end + 1;
    }
    free(t);
    return found;
}

/* Whether `decl` (a declaration's text, token-spaced) declares `name` a
 * one-dimensional array of a known size whose elements are numbers or
 * pointers: basic type keywords and `*` before the name, one `[N]` after it
 * (`[]` too when `sized`: the cell's own definition, sized by its
 * initializer).  Plain char elements are not: such an array is shown as the
 * string it holds. */
static int numbers_array(const char *decl, const char *name, int sized)
{
    static const char *const qualifiers[] = { "const", "volatile", "extern", "static" };
    /* and the integer typedefs C11 7.19 and 7.20 (and POSIX's ssize_t) name */
    static const char *const numbers[] = { "_Bool",     "short",    "int",       "long",
                                           "float",     "double",   "signed",    "unsigned",
                                           "size_t",    "ssize_t",  "ptrdiff_t", "intmax_t",
                                           "uintmax_t", "intptr_t", "uintptr_t", "int8_t",
                                           "int16_t",   "int32_t",  "int64_t",   "uint8_t",
                                           "uint16_t",  "uint32_t", "uint64_t" };
    ctoken *t;
    size_t n = ctoken_scan(decl, &t, NULL), i = 0;
    int ok = 1, star = 0, chars = 0, others = 0;
    for (; i < n && ok && !ctoken_is(decl, &t[i], name); i++) {
        int q = 0, num = 0;
        for (size_t k = 0; k < sizeof qualifiers / sizeof *qualifiers; k++)
            q |= ctoken_is(decl, &t[i], qualifiers[k]);
        for (size_t k = 0; k < sizeof numbers / sizeof *numbers; k++)
            num |= ctoken_is(decl, &t[i], numbers[k]);
        star |= ctoken_is(decl, &t[i], "*");
        chars |= ctoken_is(decl, &t[i], "char");
        others |= num;
        ok = q || num || ctoken_is(decl, &t[i], "*") || ctoken_is(decl, &t[i], "char");
    }
    /* a type before the name, not plain char; then [ N ] and at most ';' */
    ok = ok && (star || others || chars) && !(chars && !others && !star) && i + 2 < n &&
         ctoken_is(decl, &t[i + 1], "[");
    size_t close = i + 2;
    while (ok && close < n && !ctoken_is(decl, &t[close], "]"))
        close++;
    ok = ok && close < n && (sized || close > i + 2) &&
         (close + 1 == n || (close + 2 == n && ctoken_is(decl, &t[close + 1], ";")));
    free(t);
    return ok;
}

/* A trailing value that is just the name of such an array (numbers_array):
 * shown element by element, `{3, 1, 2}`, where it decayed to a pointer and
 * showed as `(void *) 0x...`.  The cell's own definition, else the
 * session's.  Arrays of structs or of other typedefs keep the pointer
 * (whether a typedef name is a number is not known here). */
static int shows_as_array(const decl_store *s, const cellsrc_cell *cell, const char *expr)
{
    size_t len = strlen(expr);
    while (len && (expr[len - 1] == ' ' || expr[len - 1] == '\n' || expr[len - 1] == '\t'))
        len--;
    while (len && (*expr == ' ' || *expr == '\n' || *expr == '\t'))
        expr++, len--;
    char name[128];
    if (!len || len >= sizeof name || !(isalpha((unsigned char)*expr) || *expr == '_'))
        return 0;
    for (size_t k = 0; k < len; k++)
        if (!(isalnum((unsigned char)expr[k]) || expr[k] == '_'))
            return 0;
    memcpy(name, expr, len);
    name[len] = 0;
    for (size_t i = cell->nitems; i-- > 0;) {
        const cellsrc_item *it = &cell->items[i];
        if (it->kind == CELLSRC_VAR && it->ndefs && !strcmp(it->defs[0], name))
            return (it->flags & CELLSRC_ARRAY) && !(it->flags & CELLSRC_EXTERN) &&
                   numbers_array(it->text, name, it->init != NULL);
    }
    size_t m;
    const size_t *v = declindex_map_get(s->names, name, len, &m);
    for (size_t i = m; i-- > 0;) {
        const entry *e = &s->ents[v[i]];
        if (!e->dead && e->kind == ENT_VAR && strv_has(e->keys, e->nkeys, name))
            return numbers_array(e->text, name, 0);
    }
    return 0;
}

/* Shown as `{a, b, c}`: the first ARRAY_SHOWN elements, then `... N in all`. */
#define ARRAY_SHOWN 32
static void show_array(strbuf *body, const char *expr, int line, int last, int cell_number)
{
    strbuf_addf(
        body,
        "#line %d \"cell[%d]\"\n{ __chalk_sv_begin(\"\"); for (unsigned long __chalk_i = 0; "
        "__chalk_i < sizeof (%s\n#line %d\n) / sizeof (%s\n#line %d\n)[0]; __chalk_i++) { "
        "if (__chalk_i) __chalk_sv_text(\", \"); if (__chalk_i == %d) { "
        "__chalk_sv_text(\"... \"); __chalk_sv_u64(sizeof (%s\n#line %d\n) / sizeof "
        "(%s\n#line %d\n)[0]); __chalk_sv_text(\" in all\"); break; } "
        "__CHALK_SV((%s\n#line %d\n)[__chalk_i]); } __chalk_sv_end(); }\n",
        line, cell_number, expr, last, expr, last, ARRAY_SHOWN, expr, last, expr, last, expr, last);
}

static void show_struct(strbuf *body, const char *unit, const decl_store *s, int helpers,
                        const char *expr, int line, int last, int cell_number)
{
    strbuf m = { 0 };
    int fields = s->show_fields && sv_members(&m, unit, s->show_tag, "__chalk_sv", 0);
    strbuf_addf(body,
                "#line %d \"cell[%d]\"\n{ __typeof__((%s\n#line %d\n)) __chalk_sv = (%s\n"
                "#line %d\n);\n",
                line, cell_number, expr, last, expr, last);
    if (fields) {
        (void)helpers;
        strbuf_addf(body, "__chalk_sv_begin(\"%s\");\n%s__chalk_sv_end(); }\n", s->show_tag,
                    m.s ? m.s : "");
    } else {
        strbuf_addf(body, "__chalk_sv_opaque(\"%s\", sizeof __chalk_sv); (void)__chalk_sv; }\n",
                    s->show_tag);
    }
    strbuf_free(&m);
}

/* The cell's directives preprocessed after the session's headers, each
 * #include inside #if replaced by a mark `__chalk_include_K_` (K its item):
 * the marks of the includes in branches that are compiled, or NULL. */
static char *active_includes(const decl_store *s, const cellsrc_cell *cell)
{
    char *head = decl_store_headers_source(s, s->includes, s->nincludes);
    strbuf src = { 0 };
    strbuf_addf(&src, "%s\n", head);
    free(head);
    for (size_t k = 0; k < cell->nitems; k++) {
        const cellsrc_item *it = &cell->items[k];
        if (it->kind != CELLSRC_PP)
            continue;
        if (it->pp == CELLSRC_PP_INCLUDE && (it->flags & CELLSRC_COND))
            strbuf_addf(&src, "__chalk_include_%zu_\n", k);
        else if (it->pp != CELLSRC_PP_INCLUDE)
            strbuf_addf(&src, "%s\n", it->text);
    }
    char perr[256];
    char *out = headers_expand(src.s, s->options, NULL, perr, sizeof perr);
    strbuf_free(&src);
    return out;
}

/* Type names for splitting a macro's expansion: the typedefs of the cell's
 * items before it, then the session's and the headers'. */
typedef struct celltypes {
    typectx *tc;
    const cellsrc_cell *cell;
    size_t upto;
} celltypes;

static int cell_type_cb(void *ctx, const char *name, size_t len)
{
    const celltypes *ct = ctx;
    for (size_t k = 0; k < ct->upto; k++) {
        const cellsrc_item *it = &ct->cell->items[k];
        for (size_t t = 0; t < it->ntypenames; t++)
            if (strlen(it->typenames[t]) == len && !memcmp(it->typenames[t], name, len))
                return 1;
    }
    return is_type_cb(ct->tc, name, len);
}

/* Each `M(args)` the splitter found making definitions at file scope
 * (CELLSRC_MACRO) becomes the items of its expansion under the cell's
 * macros so far, so the functions it defines are named, checked against
 * the library-name rule and kept like any other.  One that declares nothing
 * stays as written, a statement (or the cell's value).  Returns -1, changing
 * nothing, when an expansion does not end a declaration or a block
 * (`PTR(int) p;` for `#define PTR(t) t *`, `SQ(3)`) or fails: the invocation
 * is part of something larger, and the cell is to be split without
 * expanding (CELLSRC_NO_MACROS). */
static int expand_macro_items(const decl_store *s, cellsrc_cell *cell, typectx *tc)
{
    size_t n = cell->nitems;
    cellsrc_cell **subs = alloc_zeroed((n + 1) * sizeof *subs);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!(cell->items[i].flags & CELLSRC_MACRO))
            continue;
        strbuf src = { 0 };
        for (size_t k = 0; k < i; k++) {
            const cellsrc_item *d = &cell->items[k];
            if (d->kind == CELLSRC_PP && (d->pp == CELLSRC_PP_DEFINE || d->pp == CELLSRC_PP_UNDEF))
                strbuf_addf(&src, "%s\n", d->text);
        }
        strbuf_addf(&src, "%s\n", cell->items[i].text);
        char perr[256];
        char *expanded = headers_expand(src.s, s->options, NULL, perr, sizeof perr);
        strbuf_free(&src);
        size_t len = expanded ? strlen(expanded) : 0;
        while (len && isspace((unsigned char)expanded[len - 1]))
            len--;
        if (!len || (expanded[len - 1] != ';' && expanded[len - 1] != '}')) {
            rc = -1;
        } else {
            celltypes ct = { tc, cell, i };
            subs[i] = cellsrc_split(expanded, CELLSRC_NO_MAGICS | CELLSRC_NO_MACROS, cell_type_cb,
                                    &ct);
        }
        free(expanded);
    }
    /* from the end, so the indices of the items still to do stay valid */
    for (size_t i = n; i-- > 0;) {
        cellsrc_cell *sub = subs[i];
        if (!sub)
            continue;
        int declares = 0;
        for (size_t k = 0; k < sub->nitems; k++)
            declares |= sub->items[k].kind != CELLSRC_STMT && sub->items[k].kind != CELLSRC_EXPR;
        if (rc == 0 && declares) {
            cellsrc_splice(cell, i, sub, cell->items[i].line, cell->items[i].flags & CELLSRC_COND);
            continue;
        }
        if (rc == 0) {
            /* code, or nothing: main() runs the statements in order anyway */
            cell->items[i].kind = CELLSRC_STMT;
            cell->items[i].flags &= ~(unsigned)CELLSRC_MACRO;
        }
        cellsrc_destroy(&sub);
    }
    free(subs);
    return rc;
}

/* Whether a cell defined `name` (a function libtcc compiled). */
static int cell_function(const decl_store *s, const char *name)
{
    size_t m;
    const size_t *v = declindex_map_get(s->names, name, strlen(name), &m);
    for (size_t i = 0; i < m; i++)
        if (!s->ents[v[i]].dead && s->ents[v[i]].kind == ENT_FUNC &&
            strv_has(s->ents[v[i]].keys, s->ents[v[i]].nkeys, name))
            return 1;
    return 0;
}

static int cell_function_cb(void *ctx, const char *name)
{
    return cell_function(ctx, name);
}

/* A variable the other compiler's cell defined (`text`: "extern R
 * (*NAME)(P...);"), as the unit `b` gets it: when a call through it would
 * pass a struct by value across the ABI bug (abi.h), linked to abi_refuse's
 * label, so that a cell using it fails to link and abi_explain names it.
 * The pointer may hold a function of either compiler; one of the same
 * signature that crossed backends by name is refused already, so a
 * pointer declared this way is refused whenever it crosses.  A function
 * pointer inside a struct or an array is not examined (abi.h). */
static void add_crossing_variable(strbuf *b, const char *text, const char *name)
{
    /* the entry's text is token-spaced: "extern DI ( * pk ) ( double , int );" */
    size_t nlen = strlen(name);
    const char *star = strchr(text, '('), *body = star, *after = NULL;
    if (body && *++body == ' ')
        body++;
    if (body && *body == '*') {
        body += body[1] == ' ' ? 2 : 1;
        after = body + nlen;
        if (!strncmp(body, name, nlen) && (*after == ')' || !strncmp(after, " )", 2)))
            after = strchr(after, ')') + 1;
        else
            after = NULL;
    }
    while (after && *after == ' ')
        after++;
    if (!after || *after != '(' || strncmp(text, "extern ", 7)) {
        strbuf_add(b, text);
        return;
    }
    strbuf proto = { 0 };
    strbuf_addn(&proto, text + 7, (size_t)(star - text - 7));
    strbuf_add(&proto, name);
    strbuf_add(&proto, after); /* "( P... );" */
    char *refused = abi_refuse(b->s, proto.s);
    const char *label = refused ? strstr(refused, " __asm__(") : NULL;
    const char *semi = strrchr(text, ';');
    if (label && semi) {
        const char *close = strchr(label, ')');
        strbuf_addn(b, text, (size_t)(semi - text));
        strbuf_addn(b, label, close ? (size_t)(close + 1 - label) : strlen(label));
        strbuf_add(b, semi);
    } else {
        strbuf_add(b, text);
    }
    free(refused);
    strbuf_free(&proto);
}

/* A prototype of a function no cell defines, as the unit `b` gets it: with
 * abi_refuse's label when libtcc would pass its struct wrongly (a library's
 * function the cell declared itself, without its header). */
static void add_prototype(strbuf *b, const char *text)
{
    char *refused = abi_refuse(b->s, text);
    strbuf_add(b, refused ? refused : text);
    free(refused);
}

/* A header only the C compiler itself has (gcc's immintrin.h, its
 * intrinsics): libtcc reads the declarations of every cell, a %%cc cell's
 * too, and cannot read it.  "not found" would send the user looking for a
 * file that is there. */
static void own_header_message(char *err, size_t errlen, int cell_number, int line, const char *msg)
{
    char name[256];
    if (sscanf(msg, "error: include file '%255[^']' not found", name) != 1)
        return;
#ifdef CHALK_CC_OWN_INCLUDEDIR
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CHALK_CC_OWN_INCLUDEDIR, name);
    if (access(path, R_OK) == 0)
        snprintf(err, errlen,
                 "cell[%d]:%d: error: <%s> is a header of the C compiler itself (its "
                 "builtins); libtcc, which reads the declarations of every cell (%%%%cc cells "
                 "too), cannot read it.  Write the loop in plain C instead: %%%%cc -O3 "
                 "-march=native vectorises such loops (a sum's additions too with "
                 "-ffast-math, which lets it reorder them)",
                 cell_number, line, name);
#else
    (void)err, (void)errlen, (void)cell_number, (void)line;
#endif
}

/* The cell split under the `#pragma pack` earlier cells left open; pv->pack
 * becomes what it leaves. */
static cellsrc_cell *split_under_session_pack(const decl_store *s, decl_store_private *pv,
                                              const char *code, unsigned options, typectx *tc)
{
    pv->pack = s->pack;
    return cellsrc_split_packed(code, options, is_type_cb, tc, &pv->pack);
}

/* Split the cell.  A cell that #includes a header the store has not seen
 * gets a header index of its own (pv->idx), checked against the library-name
 * rule, and is split again with it (the header may bring typedef names the
 * cell uses).  0 with *cell_out and *idx_out, or -1 with err. */
static int split_cell(decl_store *s, const char *code, int cell_number, decl_store_private *pv,
                      typectx *tc, reserved_set *rs, cellsrc_cell **cell_out, declindex **idx_out,
                      char *err, size_t errlen)
{
    /* A first pass with the current index finds the cell's #includes. */
    cellsrc_cell *cell = split_under_session_pack(s, pv, code, 0, tc);
    char **incs = strv_dup(s->includes, s->nincludes);
    size_t nincs = s->nincludes, before = nincs;
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        if (it->kind == CELLSRC_PP && it->pp == CELLSRC_PP_INCLUDE &&
            !strv_has(incs, nincs, it->text))
            strv_add(&incs, &nincs, it->text);
    }
    declindex *idx = s->idx;
    pv->includes = incs;
    pv->nincludes = nincs;
    pv->cell_number = cell_number;
    pv->code = alloc_strdup(code);
    if (nincs != before && check_includes(s, rs, cell, incs, nincs, cell_number, err, errlen) < 0) {
        cellsrc_destroy(&cell);
        return -1;
    }
    if (nincs != before) {
        pv->idx = decl_store_flatten(s, incs, nincs, err, errlen);
        if (!pv->idx) {
            /* An #include inside #if may sit in a branch that is not
             * compiled (`#if defined(__alpha__)`): try without those. */
            char *active = active_includes(s, cell);
            size_t kept = before;
            for (size_t i = before; i < nincs; i++) {
                int skip = 0;
                for (size_t k = 0; k < cell->nitems; k++)
                    if (cell->items[k].kind == CELLSRC_PP &&
                        !strcmp(cell->items[k].text, incs[i]) &&
                        (cell->items[k].flags & CELLSRC_COND)) {
                        char mark[48];
                        snprintf(mark, sizeof mark, "__chalk_include_%zu_", k);
                        skip = active && !strstr(active, mark);
                    }
                if (skip)
                    free(incs[i]);
                else
                    incs[kept++] = incs[i];
            }
            free(active);
            if (kept < nincs) {
                char again[1024];
                nincs = pv->nincludes = kept;
                pv->idx = decl_store_flatten(s, incs, nincs, again, sizeof again);
            }
        }
        if (!pv->idx) {
            /* Name the cell's own line, not the generated <string>. */
            const char *msg = strstr(err, "error:");
            int line = 0;
            for (size_t i = 0; i < cell->nitems && !line; i++) {
                const cellsrc_item *it = &cell->items[i];
                if (it->kind == CELLSRC_PP && it->pp == CELLSRC_PP_INCLUDE &&
                    !strv_has(s->includes, s->nincludes, it->text))
                    line = it->line;
            }
            if (msg && line) {
                char *copy = alloc_strdup(msg);
                snprintf(err, errlen, "cell[%d]:%d: %s", cell_number, line, copy);
                own_header_message(err, errlen, cell_number, line, copy);
                free(copy);
            }
            cellsrc_destroy(&cell);
            return -1;
        }
        idx = pv->idx;
        pv->source = decl_store_headers_source(s, incs, nincs);
        rs->idx = idx;
        rs->idx_source = pv->source;
        if (check_earlier_names(s, rs, cell, cell_number, err, errlen) < 0) {
            cellsrc_destroy(&cell);
            return -1;
        }
        /* the new header may bring typedef names the cell uses */
        cellsrc_destroy(&cell);
        tc->idx = idx;
        cell = split_under_session_pack(s, pv, code, 0, tc);
    }
    *cell_out = cell;
    *idx_out = idx;
    return 0;
}

/* The names the cell defines (plain, item index) into a new map; sets
 * p->defines and p->defines_main. */
static declindex_map *defined_names(decl_store_prepared *p, const cellsrc_cell *cell)
{
    declindex_map *defined = declindex_map_new();
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        if (it->kind == CELLSRC_PP && it->pp == CELLSRC_PP_UNDEF)
            continue; /* #undef X still needs nothing, and does not hide X */
        /* A mere declaration (prototype, extern) does not hide the earlier
         * definition: the cell still needs its address. */
        if (it->kind == CELLSRC_PROTO || (it->kind == CELLSRC_VAR && (it->flags & CELLSRC_EXTERN)))
            continue;
        for (size_t k = 0; k < it->ndefs; k++) {
            const char *d = plain(it->defs[k]);
            declindex_map_add(defined, d, strlen(d), i);
            if (!strcmp(d, "main") && it->kind == CELLSRC_FUNC)
                p->defines_main = 1;
            if ((it->kind == CELLSRC_VAR && !(it->flags & CELLSRC_EXTERN)) ||
                it->kind == CELLSRC_FUNC)
                strv_add(&p->defines, &p->ndefines, strcmp(d, "main") ? d : "__chalk_user_main");
        }
    }
    return defined;
}

/* What the cell needs: the store's entries it refers to, directly or
 * through other entries (returned marked, one byte an entry), and the
 * names not defined by the cell itself, roots of the headers' closure.
 * *helpers: the value display's vector and matrix helpers are wanted. */
static unsigned char *closure(const decl_store *s, const cellsrc_cell *cell, const declindex *idx,
                              const declindex_map *defined, int shows, int *helpers, char ***roots,
                              size_t *nroots)
{
    declindex_map *seen = declindex_map_new();
    /* closure over session entries, then over the headers */
    unsigned char *marked = alloc_zeroed(s->nents + 1);
    char **work = NULL;
    size_t nwork = 0;
    for (size_t i = 0; i < cell->nitems; i++) {
        for (size_t r = 0; r < cell->items[i].nrefs; r++)
            strv_add(&work, &nwork, cell->items[i].refs[r]);
        /* the header's declaration, for tcc to compare the repeat with */
        if (cell->items[i].flags & CELLSRC_REDECL)
            strv_add(&work, &nwork, cell->items[i].defs[0]);
    }
    *helpers = 0;
    if (shows && declindex_is_type(idx, "gsl_vector", 10) &&
        declindex_is_type(idx, "gsl_matrix", 10)) {
        *helpers = 1;
        strv_add(&work, &nwork, "gsl_vector");
        strv_add(&work, &nwork, "gsl_matrix");
    }
    while (nwork) {
        char *name = work[--nwork];
        size_t k;
        declindex_map_get(seen, name, strlen(name), &k);
        if (k) {
            free(name);
            continue;
        }
        declindex_map_add(seen, name, strlen(name), 1);
        declindex_map_get(defined, name, strlen(name), &k);
        if (!k) {
            strv_add(roots, nroots, name);
            const size_t *v = declindex_map_get(s->names, name, strlen(name), &k);
            for (size_t j = 0; j < k; j++) {
                if (marked[v[j]] || s->ents[v[j]].dead)
                    continue;
                marked[v[j]] = 1;
                for (size_t r = 0; r < s->ents[v[j]].nrefs; r++)
                    strv_add(&work, &nwork, s->ents[v[j]].refs[r]);
            }
        }
        free(name);
    }
    free(work);

    declindex_map_destroy(&seen);
    return marked;
}

/* The store's entries the cell needs (marked), macros first, then types,
 * then variables and functions: each kind may use the one before.  Adds
 * the addresses of earlier variables and functions to p->symbols. */
static void emit_entries(strbuf *b, const decl_store *s, const declindex *idx,
                         const unsigned char *marked, const rewriter *rw, decl_store_prepared *p)
{
    static const int order[][2] = { { ENT_MACRO, ENT_UNDEF },
                                    { ENT_TYPE, ENT_TYPE },
                                    { ENT_VAR, ENT_DECL } };
    for (size_t o = 0; o < 3; o++)
        for (size_t i = 0; i < s->nents; i++) {
            const entry *e = &s->ents[i];
            if (!marked[i] || e->kind < order[o][0] || e->kind > order[o][1])
                continue;
            /* a cell's own definition of a header macro: no "redefined"
             * warning when the closure also brought the header's */
            if (e->kind == ENT_MACRO && declindex_is_macro(idx, e->keys[0]))
                strbuf_addf(b, "#undef %s\n", e->keys[0]);
            /* an inline struct body in its type has its cell's layout */
            if (e->pack)
                strbuf_addf(b, "#pragma pack(push, %d)\n", e->pack);
            if (e->kind == ENT_MACRO) {
                char *m = tcc_global_double_bug_define(e->text, &rw->dbl);
                strbuf_add(b, m);
                free(m);
            } else if (e->kind == ENT_DECL || (e->kind == ENT_FUNC && e->cc != s->cc)) {
                /* a later cell's definition removes it; a function the
                 * other compiler built is called across the ABI bug too */
                add_prototype(b, e->text);
            } else if (e->kind == ENT_VAR && e->cc != s->cc) {
                add_crossing_variable(b, e->text, e->keys[0]);
            } else {
                strbuf_add(b, e->text);
            }
            strbuf_add(b, "\n");
            if (e->pack)
                strbuf_add(b, "#pragma pack(pop)\n");
            if ((e->kind == ENT_VAR || e->kind == ENT_FUNC) && e->addr) {
                p->symbols = alloc_resize(p->symbols, (p->nsymbols + 1) * sizeof *p->symbols);
                p->symbols[p->nsymbols].name = e->keys[0];
                p->symbols[p->nsymbols++].addr = e->addr;
            }
            if (e->kind == ENT_VAR)
                tcc_global_double_bug_pointer(b, e->keys[0]);
        }
}

size_t decl_store_open_dim(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
        int starts = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        const char *q = p + n;
        if (!starts || isalnum((unsigned char)*q) || *q == '_')
            continue;
        q += strspn(q, " \t\n");
        if (*q++ != '[')
            return 0;
        q += strspn(q, " \t\n");
        return *q == ']' ? (size_t)(q - text) : 0;
    }
    return 0;
}

/* A variable of the cell: defined at file scope, initialised in main()
 * (into `body`) unless its initializer can stay where it is. */
static void emit_variable(strbuf *b, strbuf *body, const cellsrc_item *it, const char *t,
                          const rewriter *rw, int cell_number)
{
    if (it->flags & CELLSRC_EXTERN) {
        strbuf_addf(b, "#line %d \"cell[%d]\"\nextern %s;\n", it->line, cell_number, t);
    } else if (runtime_array(it)) {
        /* an array cannot be assigned, but a struct wrapping it can */
        char *init = cell_text(rw, it->init, 1);
        char *dt = cell_text(rw, it->deftext, 0);
        strbuf_addf(b, "#line %d \"cell[%d]\"\n%s;\n", it->line, cell_number, dt);
        strbuf_addf(body,
                    "#line %d \"cell[%d]\"\n{ typedef struct { __typeof__(%s) v; } "
                    "__chalk_box; *(__chalk_box *)%s = (__chalk_box){ %s }; }\n",
                    it->init_line, cell_number, it->defs[0], it->defs[0], init);
        free(dt);
        free(init);
    } else if (!it->init || (it->flags & CELLSRC_ARRAY) || literal_init(it->init)) {
        /* file-scope initializers must be constant, but cells write
         * `double *v = malloc(...)`: everything except arrays (which
         * cannot be assigned) is defined without initializer and
         * assigned in main(); a const object is defined without its
         * const for that (later cells see it const). */
        char *init = it->init ? cell_text(rw, it->init, 1) : NULL;
        strbuf_addf(b, "#line %d \"cell[%d]\"\n%s%s%s;\n", it->line, cell_number, t,
                    init ? " = " : "", init ? init : "");
        free(init);
    } else {
        char *init = cell_text(rw, it->init, 1);
        char *dt = cell_text(rw, it->deftext, 0);
        strbuf_addf(b, "#line %d \"cell[%d]\"\n%s;\n", it->line, cell_number, dt);
        free(dt);
        /* the literal's type is the object's: `struct { ... } s` has
         * no name to repeat, and a second struct body would be a
         * different type */
        if (it->flags & CELLSRC_BRACED)
            strbuf_addf(body, "#line %d \"cell[%d]\"\n%s = (__typeof__(%s))%s;\n", it->init_line,
                        cell_number, it->defs[0], it->defs[0], init);
        else
            strbuf_addf(body, "#line %d \"cell[%d]\"\n%s = %s;\n", it->init_line, cell_number,
                        it->defs[0], init);
        end_piece(body, init, it->init_line, cell_number);
        free(init);
    }
}

/* The cell's items: file-scope ones into `b` in place, statements,
 * initialisations and the trailing value into `body` (main()'s). */
static void emit_items(strbuf *b, strbuf *body, const decl_store *s, const declindex *idx,
                       const cellsrc_cell *cell, const decl_store_prepared *p, const rewriter *rw,
                       const declindex_map *defined, int shows, int helpers, int cell_number)
{
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        int is_code = it->kind == CELLSRC_FUNC || it->kind == CELLSRC_STMT ||
                      it->kind == CELLSRC_EXPR;
        char *t = cell_text(rw, it->text, is_code);
        switch (it->kind) {
        case CELLSRC_PP:
            if (it->pp == CELLSRC_PP_DEFINE) {
                char *m = tcc_global_double_bug_define(t, &rw->dbl);
                free(t);
                t = m;
            }
            if (it->pp != CELLSRC_PP_INCLUDE) /* includes come flattened */
                strbuf_addf(b, "#line %d \"cell[%d]\"\n%s\n", it->line, cell_number, t);
            /* Conditionals go to both streams, so statements inside
             * `#ifdef X ... #endif` stay inside it in main(). */
            if (is_conditional(it->text))
                strbuf_addf(body, "%s\n", t);
            break;
        case CELLSRC_FUNC:
            if (p->defines_main && it->ndefs && !strcmp(it->defs[0], "main")) {
                emit_user_main(b, it, t, cell_number);
                end_piece(b, t, it->line, cell_number);
                break;
            }
            /* fall through */
        case CELLSRC_TYPE:
        case CELLSRC_PROTO: {
            strbuf_addf(b, "#line %d \"cell[%d]\"\n", it->line, cell_number);
            size_t k = 0;
            if (it->kind == CELLSRC_PROTO && it->ndefs && !(it->flags & CELLSRC_REDECL))
                declindex_map_get(defined, it->defs[0], strlen(it->defs[0]), &k);
            if (it->kind == CELLSRC_PROTO && it->ndefs && !(it->flags & CELLSRC_REDECL) && !k &&
                !cell_function(s, it->defs[0]))
                add_prototype(b, t);
            else
                strbuf_add(b, t);
            strbuf_add(b, "\n");
            end_piece(b, t, it->line, cell_number);
            break;
        }
        case CELLSRC_VAR:
            emit_variable(b, body, it, t, rw, cell_number);
            if (it->init && !(it->flags & CELLSRC_EXTERN) && it->ndefs &&
                decl_store_open_dim(it->text, it->defs[0]))
                strbuf_addf(b,
                            "\n;const unsigned long " DECL_STORE_DIM
                            "%zu = sizeof(%s) / sizeof((%s)[0]);\n",
                            i, it->defs[0], it->defs[0]);
            break;
        case CELLSRC_STMT:
            strbuf_addf(body, "#line %d \"cell[%d]\"\n%s%s\n", it->line, cell_number, t,
                        (it->flags & CELLSRC_SEMI) ? "" : ";");
            end_piece(body, t, it->line, cell_number);
            break;
        case CELLSRC_EXPR: {
            /* The closing tokens go on a line of their own (the expression may
             * end in a // comment), numbered as the expression's last line:
             * tcc reports an error at the token after it, and the user's
             * line is the one to name. */
            int last = it->line;
            for (const char *c = t; *c; c++)
                last += *c == '\n';
            int show = shows && !void_call(s, idx, cell, it->text);
            if (show && !s->show_tag && shows_as_array(s, cell, it->text))
                show_array(body, t, it->line, last, cell_number);
            else if (show && s->show_tag)
                show_struct(body, b->s, s, helpers, t, it->line, last, cell_number);
            else if (show)
                strbuf_addf(body, "#line %d \"cell[%d]\"\n__CHALK_SHOW((%s\n#line %d\n));\n",
                            it->line, cell_number, t, last);
            else
                strbuf_addf(body, "#line %d \"cell[%d]\"\n%s\n#line %d\n;\n", it->line, cell_number,
                            t, last);
            break;
        }
        }
        if (decl_store_marks(it) && !(it->kind == CELLSRC_FUNC && p->defines_main && it->ndefs &&
                                      !strcmp(it->defs[0], "main")))
            strbuf_addf(b, "\n;char " DECL_STORE_TAKEN "%zu;\n", i);
        free(t);
    }
}

int decl_store_prepare(decl_store *s, const char *code, int cell_number, decl_store_prepared **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    if (decl_store_warm(s, err, errlen) < 0)
        return -1;
    decl_store_prepared *p = alloc_zeroed(sizeof *p);
    decl_store_private *pv = alloc_zeroed(sizeof *pv);
    p->priv = pv;

    typectx tc = { s, s->idx };
    reserved_set rs = { s->idx, NULL, s->lib, DECL_STORE_DEFAULT_PRELUDE, s->options };
    cellsrc_cell *cell;
    declindex *idx;
    if (split_cell(s, code, cell_number, pv, &tc, &rs, &cell, &idx, err, errlen) < 0) {
        decl_store_prepared_free(&p);
        return -1;
    }
    if (expand_macro_items(s, cell, &tc) < 0) {
        cellsrc_destroy(&cell);
        cell = split_under_session_pack(s, pv, code, CELLSRC_NO_MACROS, &tc);
    }
    pv->cell = cell;
    p->magics = cell->magics;
    p->nmagics = cell->nmagics;
    if (!pv->source)
        pv->source = decl_store_headers_source(s, pv->includes, pv->nincludes);
    rs.idx = idx;
    rs.idx_source = pv->source;
    reserved_mark_redeclarations(&rs, cell);
    if (reserved_check_items(&rs, cell, cell_number, NULL, 0, err, errlen) < 0) {
        decl_store_prepared_free(&p);
        return -1;
    }

    declindex_map *defined = defined_names(p, cell);
    int shows = 0, helpers = 0;
    /* one trailing expression, or one in each branch of a conditional */
    for (size_t i = 0; i < cell->nitems; i++)
        if (cell->items[i].kind == CELLSRC_EXPR && !void_call(s, idx, cell, cell->items[i].text))
            shows = 1;
    p->shows = shows;

    /* closure over the store's entries, then over the headers */
    char **roots = NULL;
    size_t nroots = 0;
    unsigned char *marked = closure(s, cell, idx, defined, shows, &helpers, &roots, &nroots);

    strbuf b = { 0 };
    rewriter rw = { p->defines_main, { NULL, 0, is_type_cb, &tc } };
    /* libtcc lists no symbol at offset 0 of its section before relocation
     * (reserved_check_symbols): these take offset 0 of code, data and bss. */
    strbuf_add(&b, "#line 1 \"<headers>\"\nstatic void __chalk_pad_text(void) {}\n"
                   "static char __chalk_pad_data = 1;\nstatic char __chalk_pad_bss;\n");
    if (s->full_headers)
        strbuf_add(&b, declindex_text(idx));
    else
        declindex_closure(idx, (const char *const *)roots, nroots, &b);
    strv_free(roots, nroots);
    strbuf_add(&b, "#line 1 \"<session>\"\n");
    for (size_t i = 0; i < s->nents; i++)
        if (marked[i] && s->ents[i].kind == ENT_VAR)
            strv_add(&rw.dbl.targets, &rw.dbl.ntargets, s->ents[i].keys[0]);
    emit_entries(&b, s, idx, marked, &rw, p);
    free(marked);
    if (shows)
        show_macro(&b, helpers);
    int arrays = 0;
    for (size_t i = 0; shows && !s->show_tag && i < cell->nitems; i++)
        arrays |= cell->items[i].kind == CELLSRC_EXPR &&
                  shows_as_array(s, cell, cell->items[i].text);
    if (shows && (s->show_tag || arrays)) {
        strbuf_add(&b, sv_macro);
        sv_generic(&b, helpers);
    }

    /* the cell: file-scope items in place, the rest into main(), under the
     * pack earlier cells left open */
    cellsrc_pack_directives(&s->pack, &b);
    strbuf body = { 0 };
    emit_items(&b, &body, s, idx, cell, p, &rw, defined, shows, helpers, cell_number);
    /* An empty declaration ends whatever the cell's last file-scope item
     * left open (`int f(a) int a;`, a K&R head without its body), so the
     * generated main() is never read as part of it (tcc would name
     * <main> or the wrapper's parameters); it counts as the cell's last line. */
    strbuf_addf(&b, "#line %d \"cell[%d]\"\n;\n",
                cell->nitems ? cell->items[cell->nitems - 1].line : 1, cell_number);
    strbuf_add(&b, "#line 1 \"<main>\"\nint main(int argc, char **argv)\n{\n"
                   "(void)argc; (void)argv;\n");
    if (body.s)
        strbuf_add(&b, body.s);
    strbuf_free(&body);
    if (p->defines_main)
        strbuf_add(&b, "{ static char *__chalk_argv[] = { \"cell\", 0 };\n"
                       "return ((int (*)())__chalk_user_main)(1, __chalk_argv); }\n");
    strbuf_add(&b, "return 0;\n}\n");
    declindex_map_destroy(&defined);
    strv_free(rw.dbl.targets, rw.dbl.ntargets);
    if (abi_escapes(b.s, cell_function_cb, s, cell_number, err, errlen) < 0) {
        strbuf_free(&b);
        decl_store_prepared_free(&p);
        return -1;
    }
    p->source = strbuf_take(&b);
    *out = p;
    return 0;
}

void decl_store_prepared_free(decl_store_prepared **pp)
{
    decl_store_prepared *p = *pp;
    if (!p)
        return;
    if (p->priv) {
        cellsrc_destroy(&p->priv->cell);
        declindex_destroy(&p->priv->idx);
        strv_free(p->priv->includes, p->priv->nincludes);
        free(p->priv->source);
        free(p->priv->code);
        free(p->priv);
    }
    free(p->source);
    free(p->symbols);
    strv_free(p->defines, p->ndefines);
    free(p);
    *pp = NULL;
}
