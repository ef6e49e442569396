/* show.c — vectors and matrices as the cell's shown value: text/plain
 * (aligned like NumPy), text/html (a table) and text/latex (a bmatrix).
 *
 * Large objects are elided like NumPy's summary: a vector longer than
 * VEC_MAX shows its first and last VEC_EDGE entries around "…", a matrix
 * dimension larger than MAT_MAX its first and last MAT_EDGE rows/columns.
 * Columns are also elided by width: a text row longer than LINE_MAX
 * characters (NumPy's linewidth, which fits an 80-column console and a
 * narrow notebook) keeps as many first and last columns as fit, where NumPy
 * would wrap each row over several lines. The HTML table shows the count
 * limit only and scrolls sideways in its own box instead of squeezing; it
 * sets no colour, so it follows the notebook's theme.
 * Numbers use %.6g: this is for reading, not for round-tripping.
 * Beware: HTML and LaTeX need their own escaping of "nan"/"inf" and of
 * exponents; the text form is what plain programs print.
 */
#include "internal.h"

#define VEC_MAX 20
#define VEC_EDGE 8
#define MAT_MAX 12
#define MAT_EDGE 5
#define LINE_MAX 75

/* indices to show of a dimension of length n; SIZE_MAX marks the ellipsis */
typedef struct {
    size_t idx[VEC_MAX + 2]; /* n <= VEC_MAX, or 2 * edge + 1 */
    size_t n;
} picks;

static picks pick(size_t n, size_t max, size_t edge)
{
    picks p;
    p.n = 0;
    if (n <= max) {
        for (size_t i = 0; i < n; i++)
            p.idx[p.n++] = i;
        return p;
    }
    for (size_t i = 0; i < edge; i++)
        p.idx[p.n++] = i;
    p.idx[p.n++] = (size_t)-1;
    for (size_t i = n - edge; i < n; i++)
        p.idx[p.n++] = i;
    return p;
}

static void fmt_num(char *out, size_t cap, double x)
{
    if (isnan(x))
        snprintf(out, cap, "nan");
    else if (isinf(x))
        snprintf(out, cap, x > 0 ? "inf" : "-inf");
    else
        snprintf(out, cap, "%.6g", x == 0 ? 0.0 : x); /* no "-0" */
}

static void latex_num(ch__buf *b, double x)
{
    char s[64];
    if (isnan(x)) {
        ch__buf_add(b, "\\mathrm{NaN}");
        return;
    }
    if (isinf(x)) {
        ch__buf_add(b, x > 0 ? "\\infty" : "-\\infty");
        return;
    }
    fmt_num(s, sizeof s, x);
    char *e = strchr(s, 'e');
    if (!e) {
        ch__buf_add(b, s);
        return;
    }
    *e = '\0';
    long ex = strtol(e + 1, NULL, 10);
    if (strcmp(s, "1") == 0)
        ch__buf_printf(b, "10^{%ld}", ex);
    else if (strcmp(s, "-1") == 0)
        ch__buf_printf(b, "-10^{%ld}", ex);
    else
        ch__buf_printf(b, "%s \\times 10^{%ld}", s, ex);
}

/* ---- text ---- */

/* the widest number among the rows pr and columns pc */
static int num_width(const gsl_matrix *A, const picks *pr, const picks *pc)
{
    int width = 1;
    char s[64];
    for (size_t i = 0; i < pr->n; i++)
        for (size_t j = 0; j < pc->n; j++) {
            if (pr->idx[i] == (size_t)-1 || pc->idx[j] == (size_t)-1)
                continue;
            fmt_num(s, sizeof s, gsl_matrix_get(A, pr->idx[i], pc->idx[j]));
            if ((int)strlen(s) > width)
                width = (int)strlen(s);
        }
    return width;
}

/* The columns of the text (and LaTeX) form: the count limit, then fewer
 * edge columns until a row fits LINE_MAX ("[[" + entries + "  " between +
 * "]]"), down to one on each side of the ellipsis. */
static picks text_cols(const gsl_matrix *A, const picks *pr, int is_vec)
{
    size_t c = A->size2, max = is_vec ? VEC_MAX : MAT_MAX, edge = is_vec ? VEC_EDGE : MAT_EDGE;
    picks pc = pick(c, max, edge);

    for (;;) {
        int w = num_width(A, pr, &pc);
        size_t len = 4 + pc.n * (size_t)w + (pc.n - 1) * 2;
        if (len <= LINE_MAX || pc.n <= 3)
            return pc;
        if (c > max) {
            if (edge == 1)
                return pc;
            edge--;
        } else {
            /* all columns fit the count but not the line: elide from here */
            edge = (pc.n - 1) / 2;
        }
        max = 0;
        pc = pick(c, max, edge);
    }
}

static char *mat_text(const gsl_matrix *A, int is_vec)
{
    size_t r = A->size1;
    picks pr = is_vec ? pick(1, 1, 1) : pick(r, MAT_MAX, MAT_EDGE);
    picks pc = text_cols(A, &pr, is_vec);
    int width = num_width(A, &pr, &pc);
    char s[64];
    ch__buf b = { 0 };
    ch__buf_add(&b, is_vec ? "[" : "[[");
    for (size_t i = 0; i < pr.n; i++) {
        if (i > 0)
            ch__buf_add(&b, "\n [");
        if (pr.idx[i] == (size_t)-1) {
            ch__buf_add(&b, "\xe2\x80\xa6]"); /* … */
            continue;
        }
        for (size_t j = 0; j < pc.n; j++) {
            if (j > 0)
                ch__buf_add(&b, "  ");
            if (pc.idx[j] == (size_t)-1) {
                ch__buf_printf(&b, "%*s\xe2\x80\xa6", width - 1, "");
                continue;
            }
            fmt_num(s, sizeof s, gsl_matrix_get(A, pr.idx[i], pc.idx[j]));
            ch__buf_printf(&b, "%*s", width, s);
        }
        ch__buf_add(&b, "]");
    }
    if (!is_vec)
        ch__buf_add(&b, "]");
    return ch__buf_take(&b);
}

/* a 1 x n copy of v, so one renderer serves both */
static gsl_matrix *vec_as_row(const gsl_vector *v)
{
    gsl_matrix *A = ch__mat(1, v->size);
    gsl_matrix_set_row(A, 0, v);
    return A;
}

char *ch_vec_text(const gsl_vector *v)
{
    ch__need_ptr("ch_vec_text", "v", v);
    gsl_matrix *A = vec_as_row(v);
    char *s = mat_text(A, 1);
    gsl_matrix_free(A);
    return s;
}

char *ch_mat_text(const gsl_matrix *A)
{
    ch__need_ptr("ch_mat_text", "A", A);
    return mat_text(A, 0);
}

void ch_print_vec(const gsl_vector *v)
{
    ch__need_ptr("ch_print_vec", "v", v);
    char *s = ch_vec_text(v);
    puts(s);
    fflush(stdout);
    free(s);
}

void ch_print_mat(const gsl_matrix *A)
{
    ch__need_ptr("ch_print_mat", "A", A);
    char *s = ch_mat_text(A);
    puts(s);
    fflush(stdout);
    free(s);
}

/* ---- html and latex ---- */

static char *mat_html(const gsl_matrix *A, int is_vec)
{
    size_t r = A->size1, c = A->size2;
    picks pr = is_vec ? pick(1, 1, 1) : pick(r, MAT_MAX, MAT_EDGE);
    picks pc = is_vec ? pick(c, VEC_MAX, VEC_EDGE) : pick(c, MAT_MAX, MAT_EDGE);
    ch__buf b = { 0 };
    char s[64];
    /* The box scrolls a wide table sideways rather than letting the cells
     * wrap; the shape goes below it, outside the table, so a narrow table
     * cannot squeeze it onto two lines. Rows set a transparent background:
     * JupyterLab stripes every other row of a table, which for a matrix
     * only greys out one row. Nothing names a colour. */
    ch__buf_add(&b, "<div class=\"chalk-matrix\" style=\"overflow-x:auto;max-width:100%\">"
                    "<table class=\"chalk\" style=\"border-collapse:collapse;font-family:monospace;"
                    "white-space:nowrap;margin:0\">");
    for (size_t i = 0; i < pr.n; i++) {
        ch__buf_add(&b, "<tr style=\"background:transparent\">");
        for (size_t j = 0; j < pc.n; j++) {
            const char *cell;
            if (pr.idx[i] == (size_t)-1)
                cell = pc.idx[j] == (size_t)-1 ? "\u22f1" : "\u22ee";
            else if (pc.idx[j] == (size_t)-1)
                cell = "\u22ef";
            else {
                fmt_num(s, sizeof s, gsl_matrix_get(A, pr.idx[i], pc.idx[j]));
                cell = s;
            }
            ch__buf_printf(&b, "<td style=\"text-align:right;padding:2px 8px\">%s</td>", cell);
        }
        ch__buf_add(&b, "</tr>");
    }
    ch__buf_add(&b, "</table><div style=\"font-size:smaller;white-space:nowrap\">");
    if (is_vec)
        ch__buf_printf(&b, "vector, size %zu", c);
    else
        ch__buf_printf(&b, "matrix, %zu \u00d7 %zu", r, c);
    ch__buf_add(&b, "</div></div>");
    return ch__buf_take(&b);
}

static char *mat_latex(const gsl_matrix *A, int is_vec)
{
    size_t r = A->size1;
    picks pr = is_vec ? pick(1, 1, 1) : pick(r, MAT_MAX, MAT_EDGE);
    picks pc = text_cols(A, &pr, is_vec); /* a page is as narrow as a console */
    ch__buf b = { 0 };
    ch__buf_add(&b, "$\\begin{bmatrix}");
    for (size_t i = 0; i < pr.n; i++) {
        if (i > 0)
            ch__buf_add(&b, " \\\\ ");
        for (size_t j = 0; j < pc.n; j++) {
            if (j > 0)
                ch__buf_add(&b, " & ");
            if (pr.idx[i] == (size_t)-1)
                ch__buf_add(&b, pc.idx[j] == (size_t)-1 ? "\\ddots" : "\\vdots");
            else if (pc.idx[j] == (size_t)-1)
                ch__buf_add(&b, "\\cdots");
            else
                latex_num(&b, gsl_matrix_get(A, pr.idx[i], pc.idx[j]));
        }
    }
    ch__buf_add(&b, is_vec ? "\\end{bmatrix}^{\\top}$" : "\\end{bmatrix}$");
    return ch__buf_take(&b);
}

static void publish(const gsl_matrix *A, int is_vec)
{
    char *t = mat_text(A, is_vec), *h = mat_html(A, is_vec), *l = mat_latex(A, is_vec);
    ch__buf b = { 0 };
    ch__buf_add(&b, "{\"data\":{\"text/plain\":");
    ch__buf_json(&b, t);
    ch__buf_add(&b, ",\"text/html\":");
    ch__buf_json(&b, h);
    ch__buf_add(&b, ",\"text/latex\":");
    ch__buf_json(&b, l);
    ch__buf_add(&b, "},\"metadata\":{}}");
    char *bundle = ch__buf_take(&b);
    free(t);
    free(h);
    free(l);
    ch__publish_result(bundle);
    free(bundle);
}

void ch_show_vector(const gsl_vector *v)
{
    ch__need_ptr("ch_show_vector", "v", v);
    gsl_matrix *A = vec_as_row(v);
    publish(A, 1);
    gsl_matrix_free(A);
}

void ch_show_matrix(const gsl_matrix *A)
{
    ch__need_ptr("ch_show_matrix", "A", A);
    publish(A, 0);
}
