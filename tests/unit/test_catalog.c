/* test_catalog.c — the catalog of installed headers' declarations and the
 * #include path completion that editor help builds on (kernel/catalog.c,
 * kernel/includes.c, headers_flatten_mapped).
 *
 * Reads the real installed headers (GSL, glibc, tcc's) and libchalk's
 * chalk.h from the source tree: what a user's Shift+Tab and Tab would see.
 * Prints how long the catalog took to build, as information only.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "../tap.h"
#include "headers.h"
#include "includes.h"

static const char *header_of(const catalog *c, const char *name)
{
    const catalog_entry *e = catalog_find(c, name);
    return e ? e->header : "(none)";
}

static int matches_have(json_t *m, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(m, i, v) if (strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

int main(void)
{
    const char *src = getenv("CHALK_SRCDIR");
    char chalk_dir[4096];
    snprintf(chalk_dir, sizeof chalk_dir, "%s/exercises/libchalk", src ? src : ".");

    char **dirs = includes_dirs(chalk_dir, NULL, NULL);
    CHECK(dirs != NULL && dirs[0] != NULL && strcmp(dirs[0], chalk_dir) == 0);
    int has_usr = 0;
    for (size_t i = 0; dirs && dirs[i]; i++)
        has_usr |= strcmp(dirs[i], "/usr/include") == 0;
    CHECK(has_usr);

    /* The catalog of everything, as the editor builds it. */
    char opts[4200], err[256] = "";
    snprintf(opts, sizeof opts, "-I%s", chalk_dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    catalog *c = catalog_build((const char *const *)dirs, opts, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("# catalog: %zu declarations in %.1f ms (%s)\n", catalog_size(c), ms, err);
    CHECK(catalog_size(c) > 5000);

    /* Which header a user would include, not the file that holds it. */
    CHECK(strcmp(header_of(c, "gsl_integration_qags"), "gsl/gsl_integration.h") == 0);
    CHECK(strcmp(header_of(c, "gsl_linalg_SV_decomp"), "gsl/gsl_linalg.h") == 0);
    CHECK(strcmp(header_of(c, "gsl_vector_alloc"), "gsl/gsl_vector_double.h") == 0);
    CHECK(strcmp(header_of(c, "printf"), "stdio.h") == 0);
    CHECK(strcmp(header_of(c, "sqrt"), "math.h") == 0); /* bits/mathcalls.h */
    CHECK(strcmp(header_of(c, "size_t"), "stddef.h") == 0);
    CHECK(strcmp(header_of(c, "GSL_SUCCESS"), "gsl/gsl_errno.h") == 0);
    CHECK(strcmp(header_of(c, "ch_linspace"), "chalk.h") == 0);
    const catalog_entry *e = catalog_find(c, "gsl_integration_qags");
    CHECK(e && strcmp(e->kind, "function") == 0);
    CHECK(e && strncmp(e->decl, "int gsl_integration_qags (const gsl_function * f,", 49) == 0);
    e = catalog_find(c, "GSL_SUCCESS");
    CHECK(e && strcmp(e->kind, "declaration") != 0);
    /* The implementation's names stay out. */
    CHECK(catalog_find(c, "_IO_FILE") == NULL && catalog_find(c, "__ssize_t") == NULL);

    const catalog_entry *first;
    size_t n = catalog_prefix(c, "gsl_linalg_SV_", 14, &first);
    CHECK(n >= 4);
    int sorted = 1, prefixed = 1;
    for (size_t i = 0; i < n; i++) {
        prefixed &= strncmp(first[i].name, "gsl_linalg_SV_", 14) == 0;
        if (i)
            sorted &= strcmp(first[i - 1].name, first[i].name) < 0;
    }
    CHECK(sorted && prefixed);
    CHECK(catalog_prefix(c, "zz_no_such_", 11, &first) == 0);
    catalog_destroy(&c);
    CHECK(c == NULL);

    /* A header that is not there: an empty catalog and the reason. */
    err[0] = 0;
    c = catalog_build_source("#include <no/such_header.h>\n", NULL, err, sizeof err);
    CHECK(c && catalog_size(c) == 0 && strstr(err, "such_header"));
    catalog_destroy(&c);

    /* A line of a header included from the source is that header's. */
    headers_map map;
    CHECK(headers_flatten_mapped("#include <gsl/gsl_errno.h>\nint mine;\n", NULL, NULL, &map, err,
                                 sizeof err) == 0);
    int mine_line = -1, gsl_line = -1, markers = 0;
    size_t l = 0;
    for (const char *p = map.text; *p; l++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == 9 && !strncmp(p, "int mine;", 9))
            mine_line = (int)l;
        if (strstr(p, "gsl_strerror") && strstr(p, "gsl_strerror") < p + len)
            gsl_line = (int)l;
        markers += p[0] == '#' && p[1] == ' ' && p[2] >= '0' && p[2] <= '9';
        p = nl ? nl + 1 : p + len;
    }
    CHECK(markers == 0); /* blanked: the splitter never sees them */
    CHECK(mine_line >= 0 && map.line_file[mine_line] == -1);
    CHECK(gsl_line >= 0 && map.line_file[gsl_line] >= 0 &&
          strcmp(map.files[map.line_file[gsl_line]], "gsl/gsl_errno.h") == 0);
    headers_map_free(&map);

    /* #include path completion. */
    size_t start;
    int quoted;
    const char *code = "int x;\n  #  include <gsl/gsl_lina";
    CHECK(includes_context(code, strlen(code), &start, &quoted) == 1 && !quoted &&
          strcmp(code + start, "gsl/gsl_lina") == 0);
    CHECK(includes_context("#include \"my", 12, &start, &quoted) == 1 && quoted && start == 10);
    CHECK(includes_context("#include <stdio.h> x", 20, &start, &quoted) == 0);
    CHECK(includes_context("#define A <b", 12, &start, &quoted) == 0);
    CHECK(includes_context("a < b", 5, &start, &quoted) == 0);
    json_t *m = json_array();
    includes_complete(dirs, "gsl/gsl_lina", 12, 0, 100, m);
    CHECK(json_array_size(m) == 1 && matches_have(m, "gsl/gsl_linalg.h"));
    json_array_clear(m);
    includes_complete(dirs, "gs", 2, 0, 100, m);
    CHECK(matches_have(m, "gsl/"));
    json_array_clear(m);
    includes_complete(dirs, "cha", 3, 0, 100, m);
    CHECK(matches_have(m, "chalk.h"));
    json_array_clear(m);
    includes_complete(dirs, "std", 3, 0, 3, m);
    CHECK(json_array_size(m) == 3);
    json_array_clear(m);
    includes_complete(dirs, "no_such_prefix_", 15, 1, 100, m);
    CHECK(json_array_size(m) == 0);
    json_decref(m);
    includes_free(dirs);
    return tap_done();
}
