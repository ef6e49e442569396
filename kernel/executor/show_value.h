/* show_value.h — the run-time side of a trailing value of struct type: the
 * cell's generated code (decl_store.c, show_struct) calls these to print the
 * fields like a debugger's `print`, `{x = 1, y = 2}`, as the cell's result.
 * Beware: the text grows with the value; long ones are cut (SHOW_VALUE_MAX). */
#ifndef CHALK_SHOW_VALUE_H
#define CHALK_SHOW_VALUE_H

#include <stddef.h>
#include "compile_tcc.h"

/* The functions, by the names the generated code calls them. */
const compile_symbol *show_value_symbols(size_t *n);

#endif
