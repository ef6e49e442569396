/* abi.c — routing GSL and libchalk calls through thunks (see abi.h).
 *
 * The flattened headers hold one top-level declaration after another, and
 * preprocessor lines (#define, from -dD) between them.  A statement ends at
 * `;` or at the `}` closing a function body outside parentheses; a prototype
 * is routed when the identifier just before its first top-level `(` names a
 * thunk.  Beware: a typedef of a function type (`typedef R NAME(...)`) would
 * look like a prototype; they are skipped by their leading `typedef`.
 */
#include "abi.h"

#include <stdlib.h>
#include <string.h>

#include "cellsrc.h"

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

/* The thunk a statement [s, e) declares a prototype of, or NULL. */
static const abi_thunk *routed(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\n'))
        s++;
    if (e - s > 8 && !strncmp(s, "typedef", 7) && !is_ident(s[7]))
        return NULL;
    const char *paren = memchr(s, '(', (size_t)(e - s));
    if (!paren || memchr(s, '{', (size_t)(e - s)) || memchr(s, '=', (size_t)(paren - s)))
        return NULL;
    const char *end = paren;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *start = end;
    while (start > s && is_ident(start[-1]))
        start--;
    return start < end ? abi_find(start, (size_t)(end - start)) : NULL;
}

char *abi_route(const char *flat)
{
    cellsrc_buf out = { 0 };
    const char *stmt = flat;      /* start of the current statement */
    int depth = 0, bol = 1;
    for (const char *p = flat; *p; p++) {
        if (bol && *p == '#') {
            /* a preprocessor line (-dD's #define): not part of a statement */
            const char *nl = strchr(p, '\n');
            p = nl ? nl : p + strlen(p) - 1;
            if (depth == 0) {
                cellsrc_buf_addn(&out, stmt, (size_t)(p + 1 - stmt));
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
            depth++;
        } else if (*p == ')' || *p == '}' || *p == ']') {
            depth--;
        }
        if (depth == 0 && (*p == ';' || *p == '}')) {
            const abi_thunk *t = *p == ';' ? routed(stmt, p) : NULL;
            if (t)      /* two lines: declindex makes two chunks of them */
                cellsrc_buf_addf(&out, "\n%s\n%s", t->proto, t->wrapper);
            else
                cellsrc_buf_addn(&out, stmt, (size_t)(p + 1 - stmt));
            stmt = p + 1;
        }
    }
    cellsrc_buf_add(&out, stmt);
    return cellsrc_buf_take(&out);
}
