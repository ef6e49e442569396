/* diagnose.c — compiler and linker messages in the user's words (see
 * diagnose.h).
 *
 * The session numbers every piece of the cell with `#line N "cell[K]"` and
 * ends each with a stray `;` on its last line, so libtcc's lookahead (it
 * reads one token past a missing operand before it complains) stays on the
 * cell's line; what is left to do here is text: find the column, quote the
 * line, drop the names of generated code.  Beware: the cell's text is the
 * user's, any bytes at all; nothing here may read past its end.
 */
#define _GNU_SOURCE /* memmem */
#include "diagnose.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Start of line `line` (1-based) of `code` and its length, or NULL. */
static const char *line_start(const char *code, int line, size_t *len)
{
    const char *p = code;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || line < 1)
        return NULL;
    size_t n = strcspn(p, "\n");
    if (!*p && line > 1)
        return NULL;
    *len = n && p[n - 1] == '\r' ? n - 1 : n;
    return p;
}

void diagnose_quote_line(const char *code, int line, int col, strbuf *out)
{
    size_t n;
    const char *p = line_start(code, line, &n);
    if (!p)
        return;
    strbuf_add(out, "    ");
    strbuf_addn(out, p, n);
    strbuf_add(out, "\n");
    if (col <= 0 || (size_t)col > n + 1)
        return;
    /* The caret under the character: tabs copied (they widen alike), one
     * space per character, not per byte, of UTF-8. */
    strbuf_add(out, "    ");
    for (int i = 0; i < col - 1; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\t')
            strbuf_add(out, "\t");
        else if ((c & 0xC0) != 0x80)
            strbuf_add(out, " ");
    }
    strbuf_add(out, "^\n");
}

static size_t line_offset(const char *code, int line)
{
    size_t n;
    const char *p = line_start(code, line, &n);
    return p ? (size_t)(p - code) : 0;
}

/* 1-based column of byte offset `off` of `code`, and its line. */
static int column_of(const char *code, size_t off, int *line)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off && code[i]; i++)
        if (code[i] == '\n') {
            l++;
            bol = i + 1;
        }
    if (line)
        *line = l;
    return (int)(off - bol) + 1;
}

static int tok_is(const char *code, const ctoken *t, const char *w)
{
    return t->len == strlen(w) && !memcmp(code + t->off, w, t->len);
}

/* An operator that needs an operand after it. */
static int wants_operand(const char *code, const ctoken *t)
{
    static const char *const ops[] = {
        "=",  "+",  "-",  "/",  "%",  "==", "!=", "<",  ">",  "<=", ">=",  "&&",  "||", "|", "^",
        "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "?",  "!", "~"
    };
    if (t->kind != CTOKEN_PUNCT)
        return 0;
    /* `(int *)`, `f(int *, int &...)`: a declarator's `*` needs nothing */
    if (tok_is(code, t, "*") || tok_is(code, t, "&"))
        return 2;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (tok_is(code, t, ops[i]))
            return 1;
    return 0;
}

static int ends_operand(const char *code, const ctoken *t)
{
    return t->kind == CTOKEN_PUNCT && t->len == 1 && strchr(";)]},", code[t->off]);
}

/* tcc's "identifier expected" comes one token late: the culprit is a token
 * that cannot start an operand right after an operator that needs one
 * (`+;`, `= ;`).  The one whose successor sits on the reported line (or
 * which ends the cell) is it; its own line may be the one before. */
static int missing_operand(const char *code, const ctoken *t, size_t n, int *line)
{
    for (size_t i = 1; i < n; i++) {
        int w = wants_operand(code, &t[i - 1]);
        if (!w || !ends_operand(code, &t[i]) ||
            (w == 2 && (tok_is(code, &t[i], ")") || tok_is(code, &t[i], ","))))
            continue;
        int next_line = i + 1 < n ? t[i + 1].line : t[i].line;
        if (t[i].line == *line || (t[i].line < *line && next_line >= *line)) {
            *line = t[i].line;
            return column_of(code, t[i].off, NULL);
        }
    }
    return 0;
}

/* The first token spelled `w` (an identifier, when ident) on line `line`. */
static int token_on_line(const char *code, const ctoken *t, size_t n, int line, const char *w,
                         size_t wlen, int ident)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].line == line && t[i].len == wlen && !memcmp(code + t[i].off, w, wlen) &&
            (!ident || t[i].kind == CTOKEN_IDENT))
            return column_of(code, t[i].off, NULL);
    return 0;
}

/* The column a message points at, from the names it quotes; *line may move
 * to where the mistake is (see missing_operand). */
/* tcc's "too many basic types" for `struct s {...}` then `int x;` on the
 * next line: the `;` after the '}' is missing.  The '}' is the place. */
static int missing_semicolon(const char *code, const ctoken *t, size_t n, int *line)
{
    for (size_t i = 1; i < n; i++)
        if (t[i].line == *line && t[i - 1].line < *line) {
            if (!(t[i - 1].len == 1 && code[t[i - 1].off] == '}'))
                return 0;
            *line = t[i - 1].line;
            return column_of(code, t[i - 1].off, NULL);
        }
    return 0;
}

static int infer_column(const char *code, const ctoken *t, size_t n, int *line, const char *msg)
{
    if (strstr(msg, "too many basic types"))
        return missing_semicolon(code, t, n, line);
    if (strstr(msg, "identifier expected"))
        return missing_operand(code, t, n, line);
    const char *got8 = strstr(msg, "(got \"");
    if (got8 && (unsigned char)got8[6] >= 0x80) {
        /* libtcc reads a UTF-8 name byte by byte: point at the character */
        for (size_t i = 0; i < n; i++) {
            if (t[i].line != *line || t[i].kind == CTOKEN_STRING || t[i].kind == CTOKEN_CHAR)
                continue;
            for (size_t k = 0; k < t[i].len; k++)
                if ((unsigned char)code[t[i].off + k] >= 0x80)
                    return column_of(code, t[i].off + k, NULL);
        }
        return 0;
    }
    const char *got = strstr(msg, "(got \"");
    if (got) {
        got += 6;
        const char *end = strchr(got, '"');
        if (end && end > got)
            return token_on_line(code, t, n, *line, got, (size_t)(end - got), 0);
        return 0;
    }
    /* the first quoted identifier the line has: 'q' undeclared,
     * implicit declaration of function 'sq', ... */
    for (const char *q = strchr(msg, '\''); q; q = strchr(q + 1, '\'')) {
        const char *end = strchr(q + 1, '\'');
        if (!end)
            break;
        size_t len = (size_t)(end - q - 1);
        int col = len ? token_on_line(code, t, n, *line, q + 1, len, 1) : 0;
        if (col)
            return col;
        q = end;
    }
    return 0;
}

/* A column the system compiler gave (a %%cc cell) counts in the text the
 * session generated, where an earlier variable `x` reads `(*__chalk_p_x)`
 * and an initializer moved into main(): it is the cell's only when a token
 * of the cell's line starts there, and is the name the message quotes
 * first, if it quotes one.  0 otherwise. */
static int given_column(const char *code, const ctoken *t, size_t n, int line, int col,
                        const char *msg)
{
    const char *q = strchr(msg, '\'');
    const char *end = q ? strchr(q + 1, '\'') : NULL;
    for (size_t i = 0; i < n; i++) {
        if (t[i].line != line || column_of(code, t[i].off, NULL) != col)
            continue;
        if (!end ||
            (t[i].len == (size_t)(end - q - 1) && !memcmp(code + t[i].off, q + 1, t[i].len)))
            return col;
        return 0;
    }
    return 0;
}

/* libtcc's type names carry the storage class of the session's own
 * declarations ("cannot convert 'extern double' to ..."): the user wrote
 * `double`. */
/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80             ? 1
                 : (s[0] & 0xE0) == 0xC0 ? 2
                 : (s[0] & 0xF0) == 0xE0 ? 3
                 : (s[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (!len || len > n || (len == 2 && s[0] < 0xC2))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static void add_message(strbuf *out, const char *msg, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t seq = utf8_seq((const unsigned char *)msg + i, n - i);
        if (msg[i] == '\'' && n - i > 8 && !memcmp(msg + i + 1, "extern ", 7)) {
            strbuf_add(out, "'");
            i += 8;
        } else if (!seq) {
            /* libtcc names one byte of a UTF-8 character: a message must
             * stay valid UTF-8 (JSON), so the byte is spelled out */
            strbuf_addf(out, "\\x%02x", (unsigned char)msg[i]);
            i++;
        } else if (seq > 1) {
            strbuf_addn(out, msg + i, seq);
            i += seq;
        } else {
            strbuf_addn(out, msg + i, 1);
            i++;
        }
    }
}

/* The first line and column where identifier `name` is used in the cell. */
static int first_use(const char *code, const ctoken *t, size_t n, const char *name, size_t len,
                     int *line)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].kind == CTOKEN_IDENT && t[i].len == len && !memcmp(code + t[i].off, name, len)) {
            *line = t[i].line;
            return column_of(code, t[i].off, NULL);
        }
    return 0;
}

static void one_line(const char *s, size_t n, const char *code, const ctoken *t, size_t nt,
                     int cell, strbuf *out)
{
    char *end;
    if (n > 5 && !strncmp(s, "cell[", 5)) {
        long k = strtol(s + 5, &end, 10);
        if (end < s + n - 2 && end[0] == ']' && end[1] == ':' && isdigit((unsigned char)end[2])) {
            long l = strtol(end + 2, &end, 10);
            /* the system compiler (a %%cc cell) gives the column itself */
            long given = 0;
            if (end + 1 < s + n && *end == ':' && isdigit((unsigned char)end[1])) {
                char *after;
                given = strtol(end + 1, &after, 10);
                if (after < s + n && *after == ':' && given > 0 && given < 100000)
                    end = after;
                else
                    given = 0;
            }
            if (end < s + n && *end == ':' && k == cell && l > 0 && l < 1000000) {
                const char *msg = end + 1;
                size_t mlen = (size_t)(s + n - msg);
                while (mlen && *msg == ' ')
                    msg++, mlen--;
                char *m = strndup(msg, mlen);
                int line = (int)l;
                int col = given ? given_column(code, t, nt, line, (int)given, m) : 0;
                if (!col)
                    col = infer_column(code, t, nt, &line, m);
                /* what libtcc calls "identifier expected" there is an
                 * operator without its operand */
                size_t off = col ? line_offset(code, line) + (size_t)col - 1 : 0;
                char because[128] = "";
                const char *got8 = strstr(m, "(got \"");
                if (col && got8 && (unsigned char)got8[6] >= 0x80) {
                    snprintf(because, sizeof because,
                             "error: a character C does not know here (outside names, "
                             "strings and comments, C is ASCII)");
                    msg = because;
                    mlen = strlen(because);
                } else if (col && strstr(m, "too many basic types")) {
                    snprintf(because, sizeof because, "error: ';' expected after '}'");
                    msg = because;
                    mlen = strlen(because);
                } else if (col && mlen >= 26 && !strncmp(msg, "error: identifier expected", 26)) {
                    snprintf(because, sizeof because, "error: expected an operand before '%c'",
                             code[off]);
                    msg = because;
                    mlen = strlen(because);
                }
                strbuf_addf(out, "cell[%d]:%d:", cell, line);
                if (col)
                    strbuf_addf(out, "%d:", col);
                strbuf_add(out, " ");
                add_message(out, msg, mlen);
                strbuf_add(out, "\n");
                diagnose_quote_line(code, line, col, out);
                free(m);
                return;
            }
        }
    }
    /* Generated code ("<main>:2: ...") and the linker ("tcc: error: ...")
     * are not the user's: the cell is the place. */
    if (n > 1 && s[0] == '<') {
        const char *colon = memchr(s, ' ', n);
        if (colon) {
            strbuf_addf(out, "cell[%d]:", cell);
            add_message(out, colon, (size_t)(s + n - colon));
            strbuf_add(out, "\n");
            return;
        }
    }
    if (n > 5 && !strncmp(s, "tcc: ", 5)) {
        s += 5;
        n -= 5;
        static const char undef[] = "error: undefined symbol '";
        if (n > sizeof undef && !strncmp(s, undef, sizeof undef - 1)) {
            const char *name = s + sizeof undef - 1;
            const char *q = memchr(name, '\'', (size_t)(s + n - name));
            int line = 0, col = q ? first_use(code, t, nt, name, (size_t)(q - name), &line) : 0;
            if (col) {
                strbuf_addf(out, "cell[%d]:%d:%d: ", cell, line, col);
                add_message(out, s, n);
                strbuf_add(out, "\n");
                diagnose_quote_line(code, line, col, out);
                return;
            }
        }
        strbuf_addf(out, "cell[%d]: ", cell);
    }
    add_message(out, s, n);
    strbuf_add(out, "\n");
}

void diagnose_compile(const char *diag, const char *code, int cell, strbuf *out)
{
    ctoken *t = NULL;
    size_t nt = ctoken_scan(code ? code : "", &t, NULL);
    /* libtcc repeats itself: a macro argument (the shown value's) is
     * compiled once per use, and a wrong operand is then also "cannot
     * convert ... to 'const void *'" for the display's own function.  One
     * message per line and kind says it. */
    const char *first_error = NULL;
    size_t first_len = 0;
    for (const char *p = diag ? diag : ""; *p;) {
        size_t n = strcspn(p, "\n");
        int again = 0;
        for (const char *q = diag; q < p && !again;) {
            size_t m = strcspn(q, "\n");
            again = m == n && !memcmp(q, p, n);
            q += m + (q[m] == '\n');
        }
        const char *err = memmem(p, n, ": error: ", 9);
        if (err && first_error && memmem(p, n, "to 'const void *'", 17) &&
            (size_t)(err - p) == first_len && !memcmp(p, first_error, first_len))
            again = 1; /* the display's echo of the error before */
        if (err && !first_error) {
            first_error = p;
            first_len = (size_t)(err - p);
        }
        if (n && !again)
            one_line(p, n, code ? code : "", t, nt, cell, out);
        p += n + (p[n] == '\n');
    }
    free(t);
}

static void unbalanced_at(const char *code, size_t off, int cell, const char *what, strbuf *out)
{
    int line;
    int col = column_of(code, off, &line);
    strbuf_addf(out, "cell[%d]:%d:%d: error: %s\n", cell, line, col, what);
    diagnose_quote_line(code, line, col, out);
}

int diagnose_unbalanced(const char *code, int cell, int comments_only, strbuf *out)
{
    enum { MAXDEPTH = 256 };
    size_t open[MAXDEPTH];
    size_t depth = 0;
    int bol = 1;       /* only blanks since the line began */
    int code_seen = 0; /* a leading %magic line is no C */
    for (size_t i = 0; code[i];) {
        char c = code[i];
        if (c == '/' && code[i + 1] == '*') {
            const char *e = strstr(code + i + 2, "*/");
            if (!e) {
                unbalanced_at(code, i, cell, "unterminated comment: '/*' has no '*/'", out);
                return 1;
            }
            i = (size_t)(e - code) + 2;
            continue;
        }
        if (c == '/' && code[i + 1] == '/') {
            while (code[i] && code[i] != '\n')
                i += code[i] == '\\' && code[i + 1] ? 2 : 1;
            continue;
        }
        if (c == '"' || c == '\'') {
            size_t j = i + 1;
            while (code[j] && code[j] != c && code[j] != '\n')
                j += code[j] == '\\' && code[j + 1] ? 2 : 1;
            if (code[j] != c && !comments_only) {
                unbalanced_at(code, i, cell,
                              c == '"' ? "missing terminating \" character"
                                       : "missing terminating ' character",
                              out);
                return 1;
            }
            i = code[j] ? j + 1 : j;
            bol = 0;
            continue;
        }
        if ((c == '#' || (c == '%' && !code_seen)) && bol) {
            /* a directive's brackets are a macro's business (`#define
             * BEGIN {`): only comments matter on its line */
            while (code[i] && code[i] != '\n' && !(code[i] == '/' && code[i + 1] == '*'))
                i += code[i] == '\\' && code[i + 1] ? 2 : 1;
            continue;
        }
        if (c == '\n')
            bol = 1;
        else if (!isspace((unsigned char)c))
            bol = 0, code_seen = 1;
        if (!comments_only && strchr("([{", c)) {
            if (depth < MAXDEPTH)
                open[depth] = i;
            depth++;
        } else if (!comments_only && strchr(")]}", c)) {
            const char *pair = c == ')' ? "(" : c == ']' ? "[" : "{";
            if (!depth) {
                char what[64];
                snprintf(what, sizeof what, "'%c' has no opening '%s'", c, pair);
                unbalanced_at(code, i, cell, what, out);
                return 1;
            }
            depth--;
            if (depth < MAXDEPTH && code[open[depth]] != *pair) {
                int line;
                column_of(code, open[depth], &line);
                char what[96];
                snprintf(what, sizeof what, "'%c' does not close the '%c' of line %d", c,
                         code[open[depth]], line);
                unbalanced_at(code, i, cell, what, out);
                return 1;
            }
        }
        i++;
    }
    if (depth && depth <= MAXDEPTH) {
        char what[48];
        snprintf(what, sizeof what, "'%c' is never closed", code[open[depth - 1]]);
        unbalanced_at(code, open[depth - 1], cell, what, out);
        return 1;
    }
    return 0;
}
