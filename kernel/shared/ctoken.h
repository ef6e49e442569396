/* ctoken.h — C tokens: the tokenizer the splitter (cellsrc), the editor and
 * the diagnostics share.
 *
 * Comments are dropped; a preprocessor line (with its continuations) is one
 * token, so the splitter sees a directive whole.  Tokens point into the text
 * (offset and length): the text must outlive them.
 */
#ifndef CHALK_CTOKEN_H
#define CHALK_CTOKEN_H

#include <stddef.h>

typedef enum ctoken_kind {
    CTOKEN_IDENT,
    CTOKEN_NUMBER,
    CTOKEN_STRING,
    CTOKEN_CHAR,
    CTOKEN_PUNCT,
    CTOKEN_PP /* a whole preprocessor line, continuations included */
} ctoken_kind;

typedef struct ctoken {
    ctoken_kind kind;
    size_t off, len; /* into the source text */
    int line;        /* 1-based line of the token's first character */
} ctoken;

/* Why a text could not be tokenized to the end (bit set). */
enum { CTOKEN_OPEN_COMMENT = 1, CTOKEN_OPEN_STRING = 2, CTOKEN_TRAILING_BACKSLASH = 4 };

/* Tokenize `src` (comments are dropped).  Returns the number of tokens and
 * sets *toks (caller frees; may be NULL when there are none).  *problems gets
 * the CTOKEN_OPEN_* bits (may be NULL); an unterminated string or comment
 * ends at the end of the text, so the result is always usable. */
size_t ctoken_scan(const char *src, ctoken **toks, int *problems);

/* "complete", "incomplete" (open bracket, comment or string, trailing
 * backslash) or "invalid" (a closing bracket without its opening one).
 * Static strings. */
const char *ctoken_is_complete(const char *code);

/* Replace every identifier token `from` by `to` (strings and comments are
 * left alone).  Returns a new string (caller frees). */
char *ctoken_rename(const char *text, const char *from, const char *to);

/* 1 if token `t` of `text` is the word or punctuator `w` (never a string
 * or character literal that happens to spell it). */
int ctoken_is(const char *text, const ctoken *t, const char *w);

#endif
