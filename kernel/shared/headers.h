/* headers.h — flatten headers once with libtcc's own preprocessor.
 *
 * Parsing headers is where a cell's compile time goes (stdio+stdlib+math:
 * 4.6 ms, GSL: 10.5 ms; a bare cell: 0.3 ms).  Flattening them once with
 * `-E -P -dD` gives declarations plus the final macro definitions, which
 * declindex then cuts down per cell.  Every flattening reads the headers as
 * ISO C11 plus POSIX.1-2008 (HEADERS_FEATURES), never in glibc's default mode.
 *
 * Beware: libtcc 0.9.27 writes preprocessor output to stdout (its ppfp is
 * not settable through the API), so headers_flatten points file descriptor
 * 1 at a memfd for the duration of the call.  Do not call it while another
 * thread writes to stdout; stdout's stdio buffer is flushed first.
 */
#ifndef CHALK_HEADERS_H
#define CHALK_HEADERS_H

#include <stddef.h>

/* Preprocess `source` (e.g. "#include <chalk.h>\n") and return the flattened
 * text (macro definitions included, no line markers; caller frees), or NULL
 * with the compiler's message in err.  `options` are tcc command-line
 * options such as "-I/dir -DX=1" (may be NULL); `lib_path` is the tcc
 * runtime directory (NULL: the configured CHALK_TCC_LIBDIR). */
char *headers_flatten(const char *source, const char *options, const char *lib_path, char *err,
                      size_t errlen);

/* `source` with its macros expanded (libtcc's preprocessor, no line
 * markers, #define lines consumed; caller frees), or NULL with err. */
char *headers_expand(const char *source, const char *options, const char *lib_path, char *err,
                     size_t errlen);

/* Headers are read as ISO C11 plus POSIX.1-2008, not in glibc's default
 * mode: its extras (gamma, y0, j1, index, ...) are everyday names a cell
 * must be free to define (see reserved.h).  Every flattening uses it. */
#define HEADERS_FEATURES "-D_POSIX_C_SOURCE=200809L -D_ISOC11_SOURCE"

/* The header a user knows ("math.h", "gsl/gsl_vector_double.h") that first
 * mentions `name` when `source` is preprocessed with `options`: the file
 * being read there, or the nearest file including it that is not one of
 * glibc's internal bits/.  *trusted (may be NULL) says whether that file is
 * the system's or in an -I directory of `options`, not one a cell wrote.
 * 0, or -1 when the name does not occur.  Costs a preprocessing (tens of
 * ms): for error paths only. */
int headers_origin(const char *source, const char *options, const char *lib_path, const char *name,
                   char *out, size_t outlen, int *trusted);

/* headers_flatten that keeps where each line came from.  text is the
 * flattened text with tcc's line markers blanked (line numbers therefore
 * count lines of the preprocessor's output); line_file[l] is, for line l+1,
 * the index in files of the header a user knows that holds it (as
 * headers_origin names it: "math.h" for a line of bits/mathcalls.h), or -1
 * for the source itself. */
typedef struct headers_map {
    char *text;
    int *line_file;
    size_t nlines;
    char **files;
    size_t nfiles;
} headers_map;
int headers_flatten_mapped(const char *source, const char *options, const char *lib_path,
                           headers_map *out, char *err, size_t errlen);
void headers_map_free(headers_map *m);
/* The mapping part alone, over text in the preprocessor's -E -dD form
 * (takes text, which becomes out->text; 0, or -1 out of memory). */
int headers_map_text(char *text, headers_map *out);

/* Append to *files (a strv, strv.h) every file the preprocessor reads for
 * `source` with `options`, each once, as it named them (for the prebuilt
 * index's staleness check, header_index.h).  0, or -1 with err. */
int headers_dependencies(const char *source, const char *options, const char *lib_path,
                         char ***files, size_t *nfiles, char *err, size_t errlen);

/* "-Idir1 -Idir2 " for a ':'-separated list of directories (NULL or "" gives
 * NULL).  Caller frees. */
char *headers_include_options(const char *path);

#endif
