/* abi.h — calls across the library boundary that libtcc would get wrong.
 *
 * libtcc 0.9.27 does not follow the x86-64 SysV convention for some structs
 * of at most 16 bytes passed or returned by value.  It classifies the struct
 * as a whole (an array member counts as INTEGER, like a pointer; any integer
 * member makes the whole struct INTEGER) where the ABI classifies each
 * eightbyte by its element types.  Measured against gcc-built code:
 *   wrong: {double[2]} (gsl_complex), {float[2]} (gsl_complex_float),
 *          {float[4]}, {double, int}, {int, double}, {char, double},
 *          {long, double}, {double, long};
 *   right: {double, double}, {float, float, float}, {float, int},
 *          {int, float}, {int, int}, {long, long}, {char[3]}, {double},
 *          {long double}, and everything over 16 bytes (memory class).
 * Calls between tcc-compiled code agree with each other, so only calls into
 * (or callbacks from) gcc-built libraries are wrong, and silently.
 *
 * Two remedies.  For GSL and libchalk, kernel/mkthunks.py (build time) lists
 * every function with a struct of at most 16 bytes by value and builds a
 * pointer-based thunk for it into libchalk (ch__thunk_NAME); abi_route puts
 * a `static inline` wrapper of the same name, compiled by tcc, in place of
 * its prototype in the flattened headers.  Any other header's function
 * whose signature tcc would get wrong is refused when a cell calls it or
 * takes its address: abi_route links its prototype to a symbol nobody
 * defines (ABI_REFUSED), and abi_explain names the function in the error.
 * A prototype the cell writes itself (no header) gets the same label from
 * abi_refuse (decl_store.c), unless a cell defines the function.
 * A library function taking a function pointer whose own result or
 * parameters tcc would get wrong is refused the same way (label
 * NAME.callback.TYPE): the library would call the cell's function wrongly.
 * The parameter may be spelled `R (*f)(P...)` or be of a typedef'd
 * function pointer type.  One step further (labels NAME.reaches.TYPE.VIA
 * and NAME.gives.TYPE.VIA): a parameter or result that leads to such a
 * function pointer through pointers, struct or union members (by value or
 * pointed to) and typedefs, such as `cb *slot`, `const struct ops *o` or a
 * returned `cb`: the library would call the cell's function wrongly, or
 * the cell the library's.  abi_escapes covers the two ways around a
 * prototype: a cell's own function of such a signature handed to a library
 * function (as `void *` too), and a function pointer of one in a cell that
 * calls dlsym.
 * The layouts are read from the flattened text (struct bodies, typedefs,
 * arrays with literal sizes); a by-value aggregate this cannot read (a
 * bit-field, a packed or aligned attribute, a computed array size) is
 * refused too.
 *
 * Beware: the wrapper is static, so a cell that takes &gsl_complex_mul gets
 * the wrapper's address (callable from cells, not the library's symbol).
 */
#ifndef CHALK_ABI_H
#define CHALK_ABI_H

#include <stddef.h>

typedef struct abi_thunk {
    const char *name;    /* the library function */
    const char *proto;   /* the thunk's prototype, "void ch__thunk_NAME(...);" */
    const char *wrapper; /* "static inline R NAME(...) { ... }" */
} abi_thunk;

/* Generated (abi_table.c), sorted by name. */
extern const abi_thunk abi_thunks[];
extern const size_t abi_nthunks;

/* The thunk for `name` (len bytes), or NULL. */
const abi_thunk *abi_find(const char *name, size_t len);

/* `flat` (flattened headers) with each top-level prototype of a function in
 * abi_thunks replaced by the thunk's prototype and the wrapper, and each
 * other prototype libtcc would call wrongly given an ABI_REFUSED asm label.
 * Returns a new string (caller frees); the input is left alone. */
char *abi_route(const char *flat);

/* A prototype a cell wrote itself (`proto`, one declaration) with the
 * ABI_REFUSED label abi_route gives a header's, when libtcc would call it
 * wrongly; the types it names are read from `context` (the unit's text
 * before it).  NULL when the call is right, or the name is a thunk's (the
 * header's wrapper stands).  Only for functions no cell defines: those are
 * compiled by libtcc on both sides.  Caller frees. */
char *abi_refuse(const char *context, const char *proto);

/* For a wrapper's text ("static inline R NAME(...) { ... ch__thunk_ ..."),
 * the library prototype a user reads, "R NAME(...);" (caller frees); NULL
 * for any other text. */
char *abi_declaration(const char *text);

/* The symbol prefix a refused prototype is linked to (its asm label):
 * ABI_REFUSED "NAME.takes.TYPE", "NAME.returns.TYPE" or "NAME.callback.TYPE".  No
 * library defines it, so a cell that calls NAME or takes its address fails
 * to link, and never runs. */
#define ABI_REFUSED "__chalk_abi_refused."

/* A link failure (`diag`, libtcc's messages) caused by a refused function:
 * -1 with "cell[K]:L: error: 'NAME' takes 'TYPE' by value ..." in err, the
 * line the first one in `code` that names it; else 0. */
int abi_explain(const char *diag, const char *code, int cell_number, char *err, size_t errlen);

/* The unit libtcc is about to compile (`unit`, with its #line markers):
 * -1 with "cell[K]:L: error: ..." in err when (1) a function libtcc
 * compiles (a cell's, is_cell(ctx, name), or one the unit defines) whose
 * signature it passes wrongly is named, other than called, among the
 * arguments of a call to a function no cell defines (a library would call
 * it wrongly, whatever the parameter's type: `void *` too); or (2) a
 * function that calls dlsym spells a function pointer type, or names a
 * type holding one, whose signature libtcc passes wrongly (the cell would
 * call a library's function wrongly).  Not followed: a pointer stored first
 * in a variable or a struct the library's prototype does not show.
 * Else 0. */
int abi_escapes(const char *unit, int (*is_cell)(void *ctx, const char *name), void *ctx,
                int cell_number, char *err, size_t errlen);

#endif
