/* ctoken.c — C tokens of a cell or a flattened header (see ctoken.h).
 *
 * Linear in the text and never fails: an unterminated string or comment
 * runs to the end of the text and is reported in the problem bits.  It runs
 * over 300 KB of flattened headers once per session, so no backtracking.
 */
#include "ctoken.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "strbuf.h"

/* Bytes of UTF-8 sequences are identifier bytes, as libtcc takes them
 * (`double привет;`). */
static int is_id0(int c)
{
    return isalpha(c) || c == '_' || c == '$' || c >= 0x80;
}
static int is_id1(int c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static const char *const punct3[] = { "...", "<<=", ">>=" };
static const char *const punct2[] = { "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&",
                                      "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##" };

/* Skip a quoted literal starting at s[i] (the quote); stops at the closing
 * quote or, unterminated, at the newline (C forbids raw newlines in them). */
static size_t skip_quoted(const char *s, size_t i, int *problems)
{
    char q = s[i++];
    while (s[i] && s[i] != q) {
        if (s[i] == '\\' && s[i + 1])
            i++;
        else if (s[i] == '\n')
            break;
        i++;
    }
    if (s[i] == q)
        return i + 1;
    *problems |= CTOKEN_OPEN_STRING;
    return i;
}

static size_t skip_block_comment(const char *s, size_t i, int *line, int *problems)
{
    i += 2;
    while (s[i] && !(s[i] == '*' && s[i + 1] == '/')) {
        if (s[i] == '\n')
            (*line)++;
        i++;
    }
    if (!s[i]) {
        *problems |= CTOKEN_OPEN_COMMENT;
        return i;
    }
    return i + 2;
}

size_t ctoken_scan(const char *s, ctoken **toks_out, int *problems_out)
{
    size_t n = 0, cap = 0, i = 0;
    ctoken *toks = NULL;
    int line = 1, problems = 0, line_start = 1;

    while (s[i]) {
        char c = s[i];
        if (c == '\n') {
            line++;
            line_start = 1;
            i++;
            continue;
        }
        if (c == '\\' && s[i + 1] == '\n') {
            line++;
            i += 2;
            continue;
        }
        if (c == '\\' && s[i + 1] == '\r' && s[i + 2] == '\n') {
            line++;
            i += 3;
            continue;
        }
        if (c == '\\' && !s[i + 1]) {
            problems |= CTOKEN_TRAILING_BACKSLASH;
            i++;
            continue;
        }
        if (isspace((unsigned char)c)) {
            i++;
            continue;
        }
        if (c == '/' && s[i + 1] == '/') {
            while (s[i] && s[i] != '\n') {
                if (s[i] == '\\' && s[i + 1] == '\n') {
                    line++;
                    i++;
                }
                i++;
            }
            continue;
        }
        if (c == '/' && s[i + 1] == '*') {
            i = skip_block_comment(s, i, &line, &problems);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            toks = alloc_resize(toks, cap * sizeof *toks);
        }
        ctoken *t = &toks[n++];
        t->off = i;
        t->line = line;
        if (c == '#' && line_start) {
            /* A directive runs to the end of the line; continuations and
             * block comments may carry it over several lines. */
            t->kind = CTOKEN_PP;
            while (s[i] && s[i] != '\n') {
                if (s[i] == '\\' && s[i + 1] == '\n') {
                    line++;
                    i += 2;
                    continue;
                }
                if (s[i] == '\\' && !s[i + 1]) {
                    problems |= CTOKEN_TRAILING_BACKSLASH;
                    i++;
                    continue;
                }
                if (s[i] == '/' && s[i + 1] == '*') {
                    i = skip_block_comment(s, i, &line, &problems);
                    continue;
                }
                if (s[i] == '/' && s[i + 1] == '/') {
                    while (s[i] && s[i] != '\n')
                        i++;
                    break;
                }
                if (s[i] == '"' || s[i] == '\'') {
                    i = skip_quoted(s, i, &problems);
                    continue;
                }
                i++;
            }
            t->len = i - t->off;
            while (t->len && isspace((unsigned char)s[t->off + t->len - 1]))
                t->len--;
            continue;
        }
        line_start = 0;
        if (is_id0((unsigned char)c)) {
            while (is_id1((unsigned char)s[i]))
                i++;
            /* L"x", u8"x", u'x' ...: the prefix belongs to the literal */
            size_t idl = i - t->off;
            if ((s[i] == '"' || s[i] == '\'') &&
                ((idl == 1 && strchr("LuU", s[t->off])) ||
                 (idl == 2 && s[t->off] == 'u' && s[t->off + 1] == '8'))) {
                t->kind = s[i] == '"' ? CTOKEN_STRING : CTOKEN_CHAR;
                i = skip_quoted(s, i, &problems);
            } else {
                t->kind = CTOKEN_IDENT;
            }
        } else if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
            t->kind = CTOKEN_NUMBER;
            while (is_id1((unsigned char)s[i]) || s[i] == '.' ||
                   ((s[i] == '+' || s[i] == '-') && strchr("eEpP", s[i - 1])))
                i++;
        } else if (c == '"' || c == '\'') {
            t->kind = c == '"' ? CTOKEN_STRING : CTOKEN_CHAR;
            i = skip_quoted(s, i, &problems);
        } else {
            t->kind = CTOKEN_PUNCT;
            size_t len = 1;
            for (size_t k = 0; k < sizeof punct3 / sizeof *punct3 && len == 1; k++)
                if (!strncmp(s + i, punct3[k], 3))
                    len = 3;
            for (size_t k = 0; k < sizeof punct2 / sizeof *punct2 && len == 1; k++)
                if (!strncmp(s + i, punct2[k], 2))
                    len = 2;
            i += len;
        }
        t->len = i - t->off;
    }
    if (problems_out)
        *problems_out = problems;
    *toks_out = toks;
    return n;
}

const char *ctoken_is_complete(const char *code)
{
    ctoken *toks;
    int problems;
    size_t n = ctoken_scan(code, &toks, &problems);
    long depth = 0;
    const char *r = "complete";
    for (size_t i = 0; i < n; i++) {
        if (toks[i].kind != CTOKEN_PUNCT || toks[i].len != 1)
            continue;
        char c = code[toks[i].off];
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if (c == ')' || c == ']' || c == '}') {
            if (--depth < 0) {
                r = "invalid";
                break;
            }
        }
    }
    free(toks);
    if (depth >= 0 && (depth > 0 || problems))
        r = "incomplete";
    return r;
}

char *ctoken_rename(const char *text, const char *from, const char *to)
{
    ctoken *toks;
    size_t n = ctoken_scan(text, &toks, NULL), pos = 0, fl = strlen(from);
    strbuf b = { 0 };
    for (size_t i = 0; i < n; i++) {
        ctoken *t = &toks[i];
        if (t->kind == CTOKEN_PP) {
            /* directives are not tokenized further: rename inside them by
             * recursing on the line without its '#' handling */
            char *line = alloc_strndup(text + t->off + 1, t->len - 1);
            char *r = ctoken_rename(line, from, to);
            strbuf_addn(&b, text + pos, t->off + 1 - pos);
            strbuf_add(&b, r);
            free(r);
            free(line);
            pos = t->off + t->len;
            continue;
        }
        if (t->kind == CTOKEN_IDENT && t->len == fl && !memcmp(text + t->off, from, fl)) {
            strbuf_addn(&b, text + pos, t->off - pos);
            strbuf_add(&b, to);
            pos = t->off + t->len;
        }
    }
    strbuf_add(&b, text + pos);
    free(toks);
    return strbuf_take(&b);
}

int ctoken_is(const char *text, const ctoken *t, const char *w)
{
    return t->len == strlen(w) && !memcmp(text + t->off, w, t->len) && t->kind != CTOKEN_STRING &&
           t->kind != CTOKEN_CHAR;
}
