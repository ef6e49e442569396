/* fuzz_cellsrc.c — fuzz target: the cell splitter, tokenizer and is_complete.
 *
 * The input is a cell's text (up to its first NUL, as the kernel sees a
 * JSON string).  Only cellsrc.h's public API is called.  Properties: no
 * crash; is_complete answers one of its three words; every token lies
 * inside the text, in order, with lines that never go back; every item the
 * splitter returns has its text, and a VAR its type (outside WHOLE mode); renaming a name that
 * the text does not contain changes nothing.
 */
#include <string.h>

#include "cellsrc.h"
#include "fuzz.h"

/* A few typedef names "known outside the cell", as the session would say. */
static int is_type(void *ctx, const char *name, size_t len)
{
    static const char *const known[] = { "size_t", "gsl_vector", "gsl_matrix", "T", "FILE" };
    (void)ctx;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i]) == len && memcmp(known[i], name, len) == 0)
            return 1;
    return 0;
}

static void check_cell(cellsrc_cell *cell, unsigned options)
{
    FUZZ_CHECK(cell != NULL);
    for (size_t i = 0; i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        FUZZ_CHECK(it->text != NULL);
        FUZZ_CHECK(it->line >= 1);
        /* WHOLE (headers) keeps declarations verbatim: no split-out type. */
        if (it->kind == CELLSRC_VAR && !(options & CELLSRC_WHOLE))
            FUZZ_CHECK(it->type_name != NULL && it->deftext != NULL);
        for (size_t k = 0; k < it->ndefs; k++)
            FUZZ_CHECK(it->defs[k] != NULL);
        for (size_t k = 0; k < it->nrefs; k++)
            FUZZ_CHECK(it->refs[k] != NULL);
    }
    for (size_t i = 0; i < cell->nmagics; i++)
        FUZZ_CHECK(cell->magics[i].name != NULL && cell->magics[i].arg != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = fuzz_cstr(data, size);
    size_t len = strlen(src);
    const char *ic = ctoken_is_complete(src);
    ctoken *toks = NULL;
    int problems = 0;
    size_t n = ctoken_scan(src, &toks, &problems);
    cellsrc_cell *cell;
    char *renamed;

    FUZZ_CHECK(strcmp(ic, "complete") == 0 || strcmp(ic, "incomplete") == 0 ||
               strcmp(ic, "invalid") == 0);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(toks[i].off + toks[i].len <= len);
        FUZZ_CHECK(toks[i].line >= 1);
        if (i > 0) {
            FUZZ_CHECK(toks[i].off >= toks[i - 1].off + toks[i - 1].len);
            FUZZ_CHECK(toks[i].line >= toks[i - 1].line);
        }
    }
    free(toks);

    cell = cellsrc_split(src, 0, is_type, NULL);
    check_cell(cell, 0);
    cellsrc_destroy(&cell);
    FUZZ_CHECK(cell == NULL);
    cell = cellsrc_split(src, 0, NULL, NULL);
    check_cell(cell, 0);
    cellsrc_destroy(&cell);
    cell = cellsrc_split(src, CELLSRC_WHOLE, is_type, NULL);
    check_cell(cell, CELLSRC_WHOLE);
    cellsrc_destroy(&cell);

    renamed = ctoken_rename(src, "x", "renamed_x");
    FUZZ_CHECK(renamed != NULL);
    free(renamed);
    if (strstr(src, "zz_absent_name") == NULL) {
        renamed = ctoken_rename(src, "zz_absent_name", "other");
        FUZZ_CHECK(renamed != NULL && strcmp(renamed, src) == 0);
        free(renamed);
    }
    free(src);
    return 0;
}
