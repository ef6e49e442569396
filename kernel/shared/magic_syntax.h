/* magic_syntax.h — how a magic line at the top of a cell is written.
 *
 * The one reader of the syntax; the holder (magics.c: which magic to run,
 * %timeit's code) and the splitter (cellsrc: the magics a cell is left with)
 * both walk a cell's magic lines with it, so they cannot disagree about
 * where a magic ends or what its name is.
 *
 *   [blank lines]
 *   [spaces]%name[ argument]        a line magic
 *   [spaces]%%name[ argument]       a cell magic: applies to the rest of
 *                                   the cell (%%timeit)
 *
 * A name is letters, digits, `_`, `$` and `-`; the argument is the rest of
 * the line without white space at either end.  Blank lines are spaces and
 * tabs only.  The magic lines end at the first line that is neither blank
 * nor starts with `%`.
 *
 * Beware: nothing is copied: the fields point into the text, which must
 * stay as it is while they are used (blanking a magic line with spaces, as
 * both callers do to keep line numbers, is fine: lengths do not change).
 */
#ifndef CHALK_MAGIC_SYNTAX_H
#define CHALK_MAGIC_SYNTAX_H

#include <stddef.h>

typedef struct magic_line {
    const char *start; /* the first `%` */
    const char *end;   /* the line's '\n', or its terminating NUL */
    const char *name;  /* after `%` or `%%` */
    size_t namelen;    /* 0 for a `%` followed by no name */
    const char *arg;   /* the argument, trimmed */
    size_t arglen;
    int cell_magic; /* 1 for `%%name` */
    int line;       /* 1-based line number in the text */
} magic_line;

/* The next magic line of `text` from `*pos` on (*pos: the start of a line,
 * *line its number; start with text, 1).  Skips blank lines.  Returns 1 with
 * *m filled and *pos, *line moved past it, or 0 when no magic line follows
 * (*pos and *line then name the first line that is not blank). */
int magic_syntax_next(const char **pos, int *line, magic_line *m);

/* 1 if the magic's name is `name`. */
int magic_syntax_is(const magic_line *m, const char *name);

#endif
