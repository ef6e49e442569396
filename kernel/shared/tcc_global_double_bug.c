/* tcc_global_double_bug.c — the workaround for libtcc 0.9.27's wrong
 * reads of a global double operand (see tcc_global_double_bug.h).
 *
 * tcc's x86_64 gen_opf() uses a global as a direct memory operand
 * (`addsd xb(%rip), %xmm0`), and its linker turns that PC32 relocation
 * against a symbol given by tcc_add_symbol into one to a PLT stub: the cell
 * then reads the stub's bytes as the number (`xa + xb` gives garbage).
 * Loads through a pointer are correct, so the cell's own code reads each
 * earlier variable through `static T *const __chalk_p_x = &x;` (an absolute
 * data relocation, which tcc gets right): `x` becomes `(*__chalk_p_x)`.
 * Not rewritten: member names (`.x`, `->x`), tags, labels, and any item
 * that declares its own `x` (a parameter or local shadows the global).
 */
#include "tcc_global_double_bug.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static int is_type_start(const char *text, const ctoken *t, const tcc_global_double_bug *rw)
{
    static const char *const words[] = {
        "void",       "char",     "short",    "int",       "long",  "float",    "double",
        "signed",     "unsigned", "_Bool",    "_Complex",  "const", "volatile", "static",
        "extern",     "register", "auto",     "struct",    "union", "enum",     "typedef",
        "__typeof__", "typeof",   "restrict", "__restrict"
    };
    if (t->kind != CTOKEN_IDENT)
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (ctoken_is(text, t, words[i]))
            return 1;
    return rw->is_type && rw->is_type(rw->ctx, text + t->off, t->len);
}

/* Does the token at i declare its identifier (`double x`, `int a, x`,
 * `(double *x)`)? */
static int declares(const char *text, const ctoken *t, size_t i, const tcc_global_double_bug *rw)
{
    size_t j = i;
    while (j > 0 && (ctoken_is(text, &t[j - 1], "*") || ctoken_is(text, &t[j - 1], "const") ||
                     ctoken_is(text, &t[j - 1], "volatile") ||
                     ctoken_is(text, &t[j - 1], "restrict") || ctoken_is(text, &t[j - 1], "(")))
        j--;
    if (j == 0)
        return 0;
    const ctoken *p = &t[j - 1];
    if (is_type_start(text, p, rw))
        return 1;
    if (p->kind == CTOKEN_IDENT && j >= 2 &&
        (ctoken_is(text, &t[j - 2], "struct") || ctoken_is(text, &t[j - 2], "union") ||
         ctoken_is(text, &t[j - 2], "enum")))
        return 1;
    if (!ctoken_is(text, p, ","))
        return 0;
    /* `int a, x`: the list's first token, at the same depth, says */
    long depth = 0;
    for (size_t k = j - 1; k-- > 0;) {
        if (ctoken_is(text, &t[k], ")") || ctoken_is(text, &t[k], "]") ||
            ctoken_is(text, &t[k], "}"))
            depth++;
        else if (ctoken_is(text, &t[k], "(") || ctoken_is(text, &t[k], "[") ||
                 ctoken_is(text, &t[k], "{")) {
            if (depth-- == 0)
                return k + 1 < i && is_type_start(text, &t[k + 1], rw);
        } else if (depth == 0 && ctoken_is(text, &t[k], ";")) {
            return k + 1 < i && is_type_start(text, &t[k + 1], rw);
        }
    }
    return is_type_start(text, &t[0], rw);
}

char *tcc_global_double_bug_deref(const char *text, const tcc_global_double_bug *rw)
{
    ctoken *t;
    size_t n = ctoken_scan(text, &t, NULL);
    unsigned char *shadow = alloc_zeroed(rw->ntargets + 1);
    size_t *which = alloc_zeroed((n + 1) * sizeof *which);
    for (size_t i = 0; i < n; i++) {
        which[i] = (size_t)-1;
        if (t[i].kind != CTOKEN_IDENT)
            continue;
        for (size_t k = 0; k < rw->ntargets; k++)
            if (ctoken_is(text, &t[i], rw->targets[k])) {
                which[i] = k;
                if (declares(text, t, i, rw))
                    shadow[k] = 1;
                break;
            }
    }
    strbuf b = { 0 };
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = which[i];
        if (k == (size_t)-1 || shadow[k])
            continue;
        if (i > 0 && (ctoken_is(text, &t[i - 1], ".") || ctoken_is(text, &t[i - 1], "->")))
            continue;
        if (i + 1 < n && ctoken_is(text, &t[i + 1], ":") &&
            (i == 0 || ctoken_is(text, &t[i - 1], ";") || ctoken_is(text, &t[i - 1], "{") ||
             ctoken_is(text, &t[i - 1], "}")))
            continue; /* a label */
        strbuf_addn(&b, text + pos, t[i].off - pos);
        strbuf_addf(&b, "(*__chalk_p_%s)", rw->targets[k]);
        pos = t[i].off + t[i].len;
    }
    strbuf_add(&b, text + pos);
    free(t);
    free(shadow);
    free(which);
    return strbuf_take(&b);
}

/* A #define whose body names earlier variables: rewrite the body (the
 * expansion lands in code where the same tcc bug applies); parameters of
 * the same name shadow them. */
char *tcc_global_double_bug_define(const char *text, const tcc_global_double_bug *rw)
{
    const char *p = text + 1;
    p += strspn(p, " \t");
    if (strncmp(p, "define", 6) != 0 || !rw->ntargets)
        return alloc_strdup(text);
    p += 6;
    p += strspn(p, " \t");
    p += strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$");
    const char *params = NULL, *close = NULL;
    if (*p == '(') {
        params = p;
        close = strchr(p, ')');
        if (!close)
            return alloc_strdup(text);
        p = close + 1;
    }
    /* the targets that are no parameter of the macro (borrowed strings) */
    tcc_global_double_bug sub = *rw;
    sub.targets = alloc_zeroed(rw->ntargets * sizeof *sub.targets);
    sub.ntargets = 0;
    for (size_t k = 0; k < rw->ntargets; k++) {
        size_t len = strlen(rw->targets[k]);
        int is_param = 0;
        for (const char *q = params; q && q < close && !is_param; q++)
            is_param = !strncmp(q, rw->targets[k], len) &&
                       (q == params || !isalnum((unsigned char)q[-1])) &&
                       !isalnum((unsigned char)q[len]) && q[len] != '_' && q[-1] != '_';
        if (!is_param)
            sub.targets[sub.ntargets++] = rw->targets[k];
    }
    char *body = tcc_global_double_bug_deref(p, &sub);
    strbuf b = { 0 };
    strbuf_addn(&b, text, (size_t)(p - text));
    strbuf_add(&b, body);
    free(body);
    free(sub.targets);
    return strbuf_take(&b);
}

void tcc_global_double_bug_pointer(strbuf *b, const char *name)
{
    strbuf_addf(b, "static __typeof__(%s) *const __chalk_p_%s = &%s;\n", name, name, name);
}
