/* diagnose.h — compiler and linker messages in the user's words.
 *
 * libtcc speaks of the translation unit the session builds around a cell:
 * lines of generated code (`<main>:2`, `<headers>`), a lookahead token one
 * line past the mistake, `tcc: error:` prefixes, and no columns at all.
 * These functions turn its text into what a user reads in clang or Python:
 * `cell[K]:L:C: error: ...`, the line of the cell, a caret under the column
 * when it can be told from the message and the cell's tokens.
 *
 * Beware: libtcc gives no column, so every column here is inferred (the name
 * a message quotes, the token after an operator that lacks its operand); when
 * nothing can be inferred the line is shown without a caret, never a guess.
 */
#ifndef CHALK_DIAGNOSE_H
#define CHALK_DIAGNOSE_H

#include "cellsrc.h"

/* libtcc's diagnostics `diag` (one per line) for cell `cell` whose source is
 * `code`, rewritten into `out`: each message names the cell, the line and
 * (when known) the column, followed by the source line and a caret. */
void diagnose_compile(const char *diag, const char *code, int cell, strbuf *out);

/* What no compiler message locates well: an unterminated comment
 * (`comments_only`), or also a string, character constant or bracket left
 * open, or a closing bracket without its opening one.  Appends one message
 * (with source line and caret) to `out` and returns 1 when found. */
int diagnose_unbalanced(const char *code, int cell, int comments_only, strbuf *out);

/* The source line `line` of `code`, indented, and a caret under the 1-based
 * byte column `col` (none when col <= 0): two lines ending in '\n'. */
void diagnose_quote_line(const char *code, int line, int col, strbuf *out);

#endif
