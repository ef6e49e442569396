/* test_check.c — what a checking cell prints and raises, the text / HTML /
 * LaTeX renderings of show, the runtime's JSON quoting and plain-program
 * fallbacks, GSL errors turned into cell errors, and the doc table. */
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include "tl.h"

static char out[1 << 16];
static FILE *cap;
static int saved = -1;

/* capture stdout into a temporary file until end_capture() */
static void begin_capture(void)
{
    fflush(stdout);
    cap = tmpfile();
    saved = dup(1);
    dup2(fileno(cap), 1);
}

static const char *end_capture(void)
{
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(cap);
    size_t n = fread(out, 1, sizeof out - 1, cap);
    out[n] = '\0';
    fclose(cap);
    return out;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

int main(void)
{
    tl_init();
    int before = ch_checks_passed();
    begin_capture();
    ch_check_close("eckart-young (spectral)", 1.2340000000000002, 1.234, 1e-12, 0);
    ch_check_vec_close("vec", TV(VEC(1, 2)), TV(VEC(1, 2 + 1e-12)), 1e-9, 0);
    ch_check_mat_close("mat", TM(MAT(1, 2, 1, 2)), TM(MAT(1, 2, 1, 2)), 0, 0);
    ch_check("claim", 2 > 1, "two exceeds %d", 1);
    ch_check_le("le", 1, 1);
    ch_check_lt("lt", 1, 2);
    const char *s = end_capture();
    OK(lines(s) == 6, "six passing checks print six lines:\n%s", s);
    OK(strstr(
           s,
           "\u2713 eckart-young (spectral): 1.234 vs expected 1.234, |diff| 2.2e-16 \u2264 1.2e-12\n") ==
           s,
       "first line: %s", s);
    OK(strstr(s,
              "\u2713 vec: 2 entries close, nearest to failing [1]: |diff| 1e-12 \u2264 2e-09\n") !=
           NULL,
       "vec line");
    OK(strstr(s, "\u2713 mat: 1 x 2 entries equal\n") != NULL, "mat line");
    OK(strstr(s, "\u2713 claim: two exceeds 1\n") != NULL, "claim line");
    OK(strstr(s, "\u2713 le: 1 <= 1\n") != NULL, "le line");
    OK(ch_checks_passed() == before + 6, "counted %d", ch_checks_passed() - before);

    /* Expected 0 or rtol 0: the line says the test it passed, nothing that
     * reads like a failure ("rel err inf"). */
    begin_capture();
    ch_check_close("max |U S V^T - A|", 3.77e-15, 0, 1e-9, 1e-12);
    ch_check_close("rtol 0", 2.0000001, 2, 0, 1e-6);
    ch_check_close("exact", 0, 0, 0, 0);
    ch_check_close("inf", INFINITY, INFINITY, 1e-9, 0);
    ch_check_vec_close("residual", TV(VEC(1e-14, -3e-13)), TV(VEC(0, 0)), 1e-9, 1e-12);
    ch_check_mat_close("orthogonality", TM(MAT(2, 2, 1, 1e-16, 0, 1 - 4e-16)),
                       TM(MAT(2, 2, 1, 0, 0, 1)), 1e-12, 1e-12);
    s = end_capture();
    OK(strcmp(
           s,
           "\u2713 max |U S V^T - A|: 3.77e-15 vs expected 0, |diff| 3.8e-15 \u2264 1e-12\n"
           "\u2713 rtol 0: 2 vs expected 2, |diff| 1e-07 \u2264 1e-06\n"
           "\u2713 exact: 0 vs expected 0, |diff| 0 \u2264 0\n"
           "\u2713 inf: inf vs expected inf, |diff| 0 \u2264 inf\n"
           "\u2713 residual: 2 entries close, nearest to failing [1]: |diff| 3e-13 \u2264 1e-12\n"
           "\u2713 orthogonality: 2 x 2 entries close, nearest to failing [1][1]: |diff| 4.4e-16 \u2264 2e-12\n") ==
           0,
       "zero-expected lines:\n%s", s);
    OK(strstr(s, "rel err") == NULL && strstr(s, "nan") == NULL, "no relative error or NaN shown");

    EXPECT_FAIL(
        "CheckFailed",
        "eckart-young: expected 1.234, got 1.5 (|diff| 0.266 > tolerance 1.23e-09: rtol 1e-09, atol 0)",
        ch_check_close("eckart-young", 1.5, 1.234, 1e-9, 0));
    EXPECT_FAIL("CheckFailed", "nan: expected 1, got nan", ch_check_close("nan", NAN, 1, 1, 1));
    EXPECT_FAIL("CheckFailed", "v: entry [1]: expected 2, got 2.1",
                ch_check_vec_close("v", TV(VEC(1, 2.1)), TV(VEC(1, 2)), 0, 1e-3));
    EXPECT_FAIL("CheckFailed", "v: size mismatch, expected 2 entries, got 1",
                ch_check_vec_close("v", TV(VEC(1)), TV(VEC(1, 2)), 0, 1));
    EXPECT_FAIL("CheckFailed", "m: entry [0][1]",
                ch_check_mat_close("m", TM(MAT(1, 2, 1, 3)), TM(MAT(1, 2, 1, 2)), 0, 0));
    EXPECT_FAIL("CheckFailed", "dpi: claim is false: I(X;Z) <= I(X;Y)",
                ch_check("dpi", 0, "I(X;Z) <= I(X;Y)"));
    EXPECT_FAIL("CheckFailed", "le: expected a <= b, got a = 2, b = 1", ch_check_le("le", 2, 1));
    EXPECT_FAIL("CheckFailed", "lt: expected a < b, got a = 1, b = 1", ch_check_lt("lt", 1, 1));
    EXPECT_FAIL("ValueError", "tolerances must be finite and >= 0",
                ch_check_close("t", 1, 1, -1, 0));
    OK(ch_checks_passed() == before + 12, "failures are not counted");

    /* show: text, html, latex in one execute_result bundle */
    tl_last_result[0] = '\0';
    ch_show_matrix(TM(MAT(2, 2, 1, -2.5, 1e-7, 4)));
    const char *b = tl_last_result;
    OK(strstr(b, "\"text/plain\":\"[[    1   -2.5]\\n [1e-07      4]]\"") != NULL, "text/plain: %s",
       b);
    OK(strstr(b, "<table") &&
           strstr(b, "<td style=\\\"text-align:right;padding:2px 8px\\\">-2.5</td>"),
       "html: %s", b);
    OK(strstr(
           b,
           "\"text/latex\":\"$\\\\begin{bmatrix}1 & -2.5 \\\\\\\\ 10^{-7} & 4\\\\end{bmatrix}$\"") !=
           NULL,
       "latex: %s", b);
    OK(strncmp(b, "{\"data\":{", 9) == 0 && strstr(b, "\"metadata\":{}}"), "bundle shape");
    ch_show_vector(TV(ch_linspace(1, 30, 30)));
    OK(strstr(tl_last_result, "\xe2\x80\xa6") && strstr(tl_last_result, "\\\\cdots") &&
           strstr(tl_last_result, "  30]"),
       "long vector elided: %s", tl_last_result);
    ch_show_matrix(TM(ch_mat_zeros(40, 3)));
    OK(strstr(tl_last_result, "\\\\vdots") && strstr(tl_last_result, "\xe2\x8b\xae"),
       "tall matrix elided");
    char *t = ch_vec_text(TV(VEC(1, NAN, -INFINITY)));
    OK(strcmp(t, "[   1   nan  -inf]") == 0, "vec text with nan/inf: '%s'", t);
    free(t);
    EXPECT_FAIL("ValueError", "ch_show_matrix: A is NULL", ch_show_matrix(NULL));

    /* JSON quoting */
    char *j = ch_json_quote("a\"b\\c\nd\x01");
    OK(strcmp(j, "\"a\\\"b\\\\c\\nd\\u0001\"") == 0, "json quote: %s", j);
    free(j);

    /* GSL errors become cell errors */
    ch_init();
    gsl_matrix *nsq = TM(ch_mat_zeros(2, 3));
    gsl_vector *tau = TV(ch_vec_zeros(2));
    EXPECT_FAIL("GSLError", "gsl_errno=", gsl_linalg_cholesky_decomp1(nsq));
    (void)tau;

    /* plain program: results print their text/plain */
    ch_set_runtime(NULL);
    begin_capture();
    ch_show_vector(TV(VEC(1, 2)));
    ch_print_mat(TM(MAT(1, 2, 3, 4)));
    s = end_capture();
    OK(strcmp(s, "[1  2]\n[[3  4]]\n") == 0, "plain-program output: '%s'", s);
    tl_init();

    /* the generated doc table */
    const struct ch_doc *d = ch_doc_find("ch_svd");
    OK(d && strstr(d->decl, "ch_svd_t ch_svd(const gsl_matrix *A);") && strstr(d->doc, "Thin SVD"),
       "doc of ch_svd");
    OK(ch_doc_find("VEC") != NULL && ch_doc_find("ch_fail") != NULL &&
           ch_doc_find("ch__publish_result") == NULL,
       "doc table has macros, hides ch__");
    OK(ch_doc_find("nope") == NULL, "unknown name");
    size_t n = 0;
    for (const struct ch_doc *e = ch_docs; e->name; e++, n++)
        OK(e->doc[0] != '\0' && e->decl[0] != '\0', "%s documented", e->name);
    OK(n >= 150, "doc table has %zu entries", n);
    return tl_done("check");
}
