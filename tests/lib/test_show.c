/* test_show.c: vectors and matrices as a reader sees them at any width: the
 * text form never runs past a console line (middle columns elided with "…",
 * the first and last kept), narrow values are never elided needlessly, and
 * the HTML table scrolls in its own box with its shape below it, naming no
 * colour so that it follows the notebook's theme. */
#include <jansson.h>

#include "plottest.h"

/* The last bundle's data[mime] as a string ("" if missing). */
static const char *field(json_t **keep, const char *mime)
{
    json_t *v;

    json_decref(*keep);
    *keep = json_loads(pt_bundle ? pt_bundle : "", 0, NULL);
    v = json_object_get(json_object_get(*keep, "data"), mime);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* The longest line of s, counting a UTF-8 character as one column. */
static size_t widest_line(const char *s)
{
    size_t most = 0, cur = 0;

    for (; *s; s++) {
        if (*s == '\n') {
            cur = 0;
            continue;
        }
        if (((unsigned char)*s & 0xC0) != 0x80)
            cur++;
        if (cur > most)
            most = cur;
    }
    return most;
}

static int first_line_has(const char *s, const char *want)
{
    const char *nl = strchr(s, '\n'), *at = strstr(s, want);
    return at && (!nl || at < nl);
}

int main(void)
{
    gsl_matrix *A = gsl_matrix_alloc(3, 12), *S = gsl_matrix_alloc(3, 6);
    gsl_vector *v = gsl_vector_alloc(20);
    json_t *j = NULL;
    const char *t, *h, *l;
    size_t i, k;

    pt_install();
    /* twelve columns of eleven-character numbers: 158 characters a row */
    for (i = 0; i < 3; i++)
        for (k = 0; k < 12; k++)
            gsl_matrix_set(A, i, k, -(double)(k + 1) * 1.234567e-3 - (double)i * 1e-7);
    ch_show_matrix(A);
    t = field(&j, "text/plain");
    CHECK(widest_line(t) <= 75);
    CHECK(strstr(t, "\xe2\x80\xa6") != NULL);
    CHECK(first_line_has(t, "-0.00123457") &&
          first_line_has(t, "-0.0148148"));                   /* columns 1 and 12 */
    CHECK(strncmp(t, "[[-0.00123457  -0.00246913", 26) == 0); /* as many as fit */
    CHECK(pt_count(t, "\n") == 2);                            /* one line a row */
    l = field(&j, "text/latex");
    CHECK(strstr(l, "\\cdots") != NULL && strstr(l, "-0.0148148") != NULL);
    /* the HTML keeps every column and scrolls: nothing is squeezed */
    h = field(&j, "text/html");
    CHECK(strncmp(h, "<div class=\"chalk-matrix\" style=\"overflow-x:auto", 48) == 0);
    {
        /* the table's own style keeps each number on one line */
        const char *tb = strstr(h, "<table"), *end = tb ? strchr(tb, '>') : NULL;
        const char *nw = tb ? strstr(tb, "white-space:nowrap") : NULL;
        CHECK(nw != NULL && nw < end);
    }
    CHECK(strstr(h, "-0.0148148") && strstr(h, "-0.00864197") && !strstr(h, "\xe2\x8b\xaf"));
    /* the shape below the table, outside it, on one line */
    CHECK(
        strstr(
            h,
            "</table><div style=\"font-size:smaller;white-space:nowrap\">matrix, 3 \xc3\x97 12</div>") !=
        NULL);
    CHECK(strstr(h, "<caption") == NULL);
    /* theme-aware: no colour anywhere, rows not striped by the notebook */
    CHECK(strstr(h, "color") == NULL && strstr(h, "#") == NULL && strstr(h, "rgb") == NULL);
    CHECK(pt_count(h, "<tr style=\"background:transparent\">") == 3);

    /* narrow values: all six columns, no ellipsis */
    for (i = 0; i < 3; i++)
        for (k = 0; k < 6; k++)
            gsl_matrix_set(S, i, k, (double)(i * 6 + k));
    ch_show_matrix(S);
    t = field(&j, "text/plain");
    CHECK(strcmp(
              t,
              "[[ 0   1   2   3   4   5]\n [ 6   7   8   9  10  11]\n [12  13  14  15  16  17]]") ==
          0);

    /* a vector of twenty wide entries: one line of at most 75 */
    for (i = 0; i < 20; i++)
        gsl_vector_set(v, i, 1.0 / 3 + (double)i * 1000);
    ch_show_vector(v);
    t = field(&j, "text/plain");
    CHECK(widest_line(t) <= 75 && strstr(t, "\xe2\x80\xa6") && strchr(t, '\n') == NULL);
    CHECK(strncmp(t, "[0.333333  ", 11) == 0 && strstr(t, "19000.3]") != NULL);
    h = field(&j, "text/html");
    CHECK(strstr(h, "vector, size 20</div>") != NULL);

    /* a plain program prints the same text */
    {
        char *s = ch_mat_text(A);
        CHECK(widest_line(s) <= 75);
        free(s);
    }
    json_decref(j);
    gsl_matrix_free(A);
    gsl_matrix_free(S);
    gsl_vector_free(v);
    free(pt_bundle);
    return tap_done();
}
