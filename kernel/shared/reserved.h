/* reserved.h — library names are reserved: the rule, and its checks.
 *
 * C11 7.1.3 reserves the names a library header declares.  In a notebook
 * that is what keeps grading honest: a locked check cell calls
 * ch_check_close, fabs, memcpy or gsl_vector_get, and a solution cell that
 * could redefine, #define or #undef one of them would decide what the check
 * sees.  So a cell cannot, by any route: a file-scope definition or
 * declaration (static and extern too), a #define or #undef, a header of its
 * own (#include "x.h", checked as text, nested includes too), %cflags
 * (-D/-U of such a name, -include), or a symbol its compiled code defines
 * (an asm label, top-level asm: the check on the unit's symbols catches what
 * the text does not).
 *
 * Reserved: every ordinary identifier the session's headers declare (the
 * prelude's and those the cells included), the names of the default
 * prelude's headers whatever the prelude (a bare session still links
 * libchalk and libc), and the prefixes ch_, CH_ (libchalk), gsl_, GSL_
 * (GSL).  Not reserved: block-scope names (a local `exp` shadows, which C
 * allows and which cannot change what another cell calls), struct members,
 * and names only glibc's default mode declares (headers are read as ISO C11
 * plus POSIX.1-2008, HEADERS_FEATURES).  A prototype that repeats a
 * library function's declaration is no definition and is allowed
 * (reserved_mark_redeclarations).
 *
 * Beware: the checks are lookups in indexes built once per session; only
 * a refusal pays for naming the header (one more preprocessing).
 */
#ifndef CHALK_RESERVED_H
#define CHALK_RESERVED_H

#include <stddef.h>

#include "cellsrc.h"
#include "declindex.h"

typedef struct reserved_set {
    const declindex *idx;   /* the headers the cell sees */
    const char *idx_source; /* the source flattened into idx */
    const declindex *lib;   /* the default prelude's, or NULL (may equal idx) */
    const char *lib_source;
    const char *options; /* flattening options (-I...) */
} reserved_set;

/* 1 when a cell may not define `name` ("struct S" for a tag), and then
 * `why` says so ("declared in <math.h>"); 0 when it is the cell's. */
int reserved_name(const reserved_set *r, const char *name, char *why, size_t whylen);

/* Flag (CELLSRC_REDECL) each prototype of `cell` that only repeats the
 * declaration of a library function, as old C does (`void abort (void);`):
 * not static or inline, no asm label, no alias/weak/ifunc/section/visibility
 * attribute.  It cannot
 * change what any code calls, and tcc refuses it when its type differs from
 * the header's (the header's declaration is in the unit, since the cell
 * names the function).  Such items are compiled but not kept by the session
 * and pass reserved_check_items. */
void reserved_mark_redeclarations(const reserved_set *r, cellsrc_cell *cell);

/* The cell's file-scope items: definitions, declarations, #define, #undef.
 * `file` NULL: a cell (errors at the item's line); else a header the cell
 * includes at `line` (errors there, naming the file).  0 or -1 with err
 * ("cell[3]:1: error: 'fabs' is declared in <math.h>; ..."). */
int reserved_check_items(const reserved_set *r, const cellsrc_cell *cell, int cell_number,
                         const char *file, int line, char *err, size_t errlen);

/* A cell's #include directive `directive` at `line`: a header named by
 * path ("x.h", </abs/x.h>, <../x.h>) is read and checked as above, with the
 * headers it includes the same way.  A computed #include is refused. */
int reserved_check_include(const reserved_set *r, const char *directive, int line, int cell_number,
                           char *err, size_t errlen);

/* %cflags: -D or -U of a reserved name, -include, -imacros. */
int reserved_check_flags(const reserved_set *r, const char *cflags, int cell_number, char *err,
                         size_t errlen);

/* The global symbols a compiled libtcc unit defines, before relocation,
 * except `skip` (symbols the session added).  `code` is the cell's text
 * (to name the line that mentions the symbol).
 * Trap: tcc lists no symbol at offset 0 of its section before relocation;
 * the translation unit must start each section with a pad (decl_store.c). */
int reserved_check_symbols(const reserved_set *r, void *unit, const char *const *skip, size_t nskip,
                           const char *code, int cell_number, char *err, size_t errlen);

#endif
