/* cellsrc.h — a C tokenizer and the splitter of a notebook cell (or of a
 * flattened header) into top-level items.
 *
 * A cell is any mix of preprocessor lines, type definitions, declarations,
 * function definitions and statements.  The session needs to know, for each
 * top-level item, what kind it is, on which line of the cell it starts, which
 * names it defines and which identifiers it mentions; that is all this module
 * computes.  It never parses C fully: classification is heuristic (see
 * cellsrc_split) and a wrong guess shows up as a compile error in the cell,
 * never as a crash here.
 *
 * Beware: typedef names decide between `a * b;` (declaration) and `a * b;`
 * (statement).  The splitter knows the typedefs the text itself defines; the
 * others (headers, earlier cells) come through the is_type callback.
 */
#ifndef CHALK_CELLSRC_H
#define CHALK_CELLSRC_H

#include <stddef.h>

#include "ctoken.h"
#include "strbuf.h"

/* ---- items ---- */
typedef enum cellsrc_kind {
    CELLSRC_PP,    /* preprocessor directive; see pp */
    CELLSRC_TYPE,  /* struct/union/enum definition or declaration, typedef */
    CELLSRC_VAR,   /* one declarator of a variable declaration */
    CELLSRC_FUNC,  /* function definition */
    CELLSRC_PROTO, /* function declaration */
    CELLSRC_STMT,  /* statement (a block, a label with its statement, ...) */
    CELLSRC_EXPR   /* trailing expression without ';' (last item only) */
} cellsrc_kind;

typedef enum cellsrc_ppkind {
    CELLSRC_PP_INCLUDE,
    CELLSRC_PP_DEFINE,
    CELLSRC_PP_UNDEF,
    CELLSRC_PP_OTHER
} cellsrc_ppkind;

enum {                       /* cellsrc_item.flags */
       CELLSRC_ARRAY = 1,    /* VAR: the declarator is an array */
       CELLSRC_CONST = 2,    /* VAR: the object itself is const */
       CELLSRC_BRACED = 4,   /* VAR: the initializer is { ... } */
       CELLSRC_STATIC = 8,   /* `static` was removed from text */
       CELLSRC_EXTERN = 16,  /* VAR/PROTO: declared extern (no definition) */
       CELLSRC_VOID = 32,    /* FUNC/PROTO: returns plain void */
       CELLSRC_TYPEDEF = 64, /* TYPE: a typedef (defines ordinary names) */
       CELLSRC_SEMI = 128,   /* STMT/EXPR: ended with ';' */
       CELLSRC_REDECL = 256, /* PROTO: repeats a library function's declaration
                                    (set by reserved_mark_redeclarations) */
       CELLSRC_COND = 512,   /* inside #if/#ifdef/#ifndef: may not be compiled */
       CELLSRC_MACRO = 1024  /* TYPE: `M(args)` at file scope, where the text's own
                                    macro M makes a definition (`FUNC(3) FUNC(4)`);
                                    the session expands it (cellsrc_splice) */
};

typedef struct cellsrc_item {
    cellsrc_kind kind;
    cellsrc_ppkind pp; /* PP only */
    int line;          /* 1-based line of the item's first token */
    unsigned flags;
    /* The item's text.  PP: the directive line; TYPE, FUNC, STMT, EXPR: the
     * source text (newlines kept, `static`/`inline` blanked for FUNC);
     * VAR: the declaration without initializer and storage class
     * (`int *b`); PROTO: the declaration with ';'. */
    char *text;
    char *init;      /* VAR: initializer text or NULL */
    int init_line;   /* VAR: line of the initializer's first token */
    char *type_name; /* VAR: the type alone (`int *`), for (T){...} */
    char *proto;     /* FUNC: the head with ';' (a prototype) */
    /* Names defined: ordinary identifiers as is, tags as "struct S",
     * "union S", "enum S"; PP define/undef: the macro name. */
    char **defs;
    size_t ndefs;
    char **refs; /* identifiers mentioned (no keywords), unique */
    size_t nrefs;
    char **typenames; /* TYPE: the typedef names among defs */
    size_t ntypenames;
    /* VAR: the definition without the object's own `const` (`double r` for
     * `const double r`), so a non-constant initializer can be assigned in
     * main(); equals text when the object is not const. */
    char *deftext;
    /* VAR, FUNC, PROTO: the `#pragma pack` alignment in force over it (0:
     * none); a later cell must see an inline struct body of it with the
     * same layout.  TYPE items carry it in their text instead. */
    int pack;
} cellsrc_item;

typedef struct cellsrc_magic {
    char *name; /* "timeit" (without %) */
    char *arg;  /* the rest of the line, trimmed */
    int line;
    int cell_magic; /* 1 for %%name: applies to the whole cell */
} cellsrc_magic;

typedef struct cellsrc_cell {
    cellsrc_item *items;
    size_t nitems;
    cellsrc_magic *magics;
    size_t nmagics;
} cellsrc_cell;

/* Answers whether `name` (len bytes, not NUL-terminated) is a typedef name
 * known outside the text being split. */
typedef int (*cellsrc_is_type_fn)(void *ctx, const char *name, size_t len);

enum {                        /* cellsrc_split options */
       CELLSRC_WHOLE = 1,     /* headers: one item per declaration, text kept
                               verbatim, no magics, no trailing expression */
       CELLSRC_NO_MAGICS = 2, /* a text that is no cell (a macro's expansion):
                               a leading `%` line is C, and no trailing
                               expression */
       CELLSRC_NO_MACROS = 4, /* no CELLSRC_MACRO items: macro invocations split
                               as the text reads */
};

/* `#pragma pack` as it stands at a point of a text: the alignment in force
 * (0: the default) and the ones pushed before it. */
#define CELLSRC_PACK_DEPTH 16
typedef struct cellsrc_pack {
    int cur, depth;
    int stack[CELLSRC_PACK_DEPTH];
} cellsrc_pack;

/* Split `code` into items in source order.  Leading lines starting with `%`
 * are magics (returned apart; the code keeps its line numbers).  A
 * declaration with several declarators gives one VAR/PROTO item each; a
 * tagged struct/union/enum body declared together with variables gives a
 * TYPE item first.  Never fails on odd input (it classifies as well as it
 * can); returns NULL only when out of memory.
 * Trap: `is_type` may be NULL; then only the text's own typedefs and the
 * `ident ident` / `ident * ident =` shapes make declarations. */
cellsrc_cell *cellsrc_split(const char *code, unsigned options, cellsrc_is_type_fn is_type,
                            void *ctx);
/* The same, with `#pragma pack` standing as *pack at the start of the text
 * (a pack an earlier cell left open); *pack becomes what stands at its end. */
cellsrc_cell *cellsrc_split_packed(const char *code, unsigned options, cellsrc_is_type_fn is_type,
                                   void *ctx, cellsrc_pack *pack);
/* The directives that make *pack stand, from the default (empty if it is
 * the default), into b. */
void cellsrc_pack_directives(const cellsrc_pack *pack, strbuf *b);
void cellsrc_destroy(cellsrc_cell **cell_p);

/* Replace item `at` of `cell` by every item of `sub` (taken over and
 * destroyed), each numbered `line` and given `flags` in addition. */
void cellsrc_splice(cellsrc_cell *cell, size_t at, cellsrc_cell *sub, int line, unsigned flags);

/* Whether `name` is a C keyword (including GNU spellings tcc accepts). */
int cellsrc_is_keyword(const char *name, size_t len);

/* What an item declares, as editor help names it: "macro", "type",
 * "variable", "function" or "declaration". */
const char *cellsrc_kind_name(const cellsrc_item *it);

/* A new copy of `s` with each run of white space one space and none at the
 * ends: a declaration on one line.  NULL when out of memory. */
char *cellsrc_one_line(const char *s);

#endif
