/* editor.h — completion and inspection, answered in the kernel process.
 *
 * They must work while a cell runs, so they cannot ask the executor: the
 * kernel keeps its own view of the names — C keywords, the declarations of
 * the prelude's headers (flattened once, lazily, on the first request) and
 * of headers cells included, and the names cells defined (learned from each
 * successful cell's reply).  Descriptions of helper-library functions come
 * from the table generated from chalk.h at build time.
 */
#ifndef CHALK_EDITOR_H
#define CHALK_EDITOR_H

#include <jansson.h>

#include "cellsrc.h"

typedef struct editor editor;

editor *editor_new(const char *prelude, const char *include_path);
void editor_destroy(editor **self_p);

/* Names (a JSON array of strings) that a successful cell defined. */
void editor_learn(editor *self, json_t *defined);
/* Their declarations as the cell wrote them ({"sq": "int sq(int x);"}),
 * which inspect shows; a redefinition replaces the earlier one. */
void editor_learn_decls(editor *self, json_t *declared);
/* A cell succeeded: its #include lines join the headers completion knows. */
void editor_learn_includes(editor *self, const char *code);
/* The session was reset or restarted. */
void editor_forget(editor *self);

/* complete_reply content: matches, cursor_start, cursor_end, metadata. */
json_t *editor_complete(editor *self, const char *code, int cursor_pos);
/* inspect_reply content: found, data, metadata. */
json_t *editor_inspect(editor *self, const char *code, int cursor_pos, int detail);

#endif
