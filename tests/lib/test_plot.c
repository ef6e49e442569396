/* test_plot.c: the plot module as a user sees it: well-formed SVG with one
 * path per series, a legend entry per label, the ticks a reader expects for
 * known ranges, the text/plain summary, and bad input reported through the
 * fail hook with the function's name. */
#include <math.h>

#include "plottest.h"

#define MINUS "\xe2\x88\x92"

static char *svg_of(ch_plot *p)
{
    char *s = ch_plot_svg(p);
    const char *err = pt_xml_error(s);
    if (err)
        fprintf(stderr, "SVG not well-formed: %s\n", err);
    CHECK(err == NULL);
    CHECK(pt_count(s, "nan") == 0 && pt_count(s, "inf") == 0);
    return s;
}

static int has_text(const char *svg, const char *cls, const char *want)
{
    char *t = pt_texts(svg, cls);
    int ok = strcmp(t, want) == 0;
    if (!ok)
        fprintf(stderr, "%s texts: got \"%s\", want \"%s\"\n", cls, t, want);
    free(t);
    return ok;
}

static void test_lines_legend_ticks(void)
{
    double x[11], y1[11], y2[11], y3[11];
    ch_plot *p = ch_plot_new("Three", "x", "y");
    char *s, *txt;
    int i;

    for (i = 0; i <= 10; i++) {
        x[i] = i / 10.0;
        y1[i] = x[i];
        y2[i] = 1 - x[i];
        y3[i] = x[i] * x[i];
    }
    ch_plot_line(p, x, y1, 11, "up");
    ch_plot_line(p, x, y2, 11, "down");
    ch_plot_line(p, x, y3, 11, NULL);
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"series\"") == 3);
    CHECK(pt_count(s, "class=\"legend-entry\"") == 2); /* unlabelled series: no entry */
    CHECK(has_text(s, "xtick", "0.0|0.2|0.4|0.6|0.8|1.0"));
    CHECK(has_text(s, "ytick", "0.0|0.2|0.4|0.6|0.8|1.0"));
    CHECK(has_text(s, "title", "Three"));
    CHECK(has_text(s, "xlabel", "x") && has_text(s, "ylabel", "y"));
    CHECK(pt_count(s, "#1f77b4") >= 2 && pt_count(s, "#ff7f0e") >= 2 &&
          pt_count(s, "#2ca02c") >= 1);
    txt = ch_plot_text(p);
    CHECK(strcmp(txt, "<Figure \"Three\": 3 series (line 'up' 11 points, line 'down' 11 points, "
                      "line 11 points)>") == 0);
    free(txt);
    free(s);
    ch_plot_destroy(&p);
    CHECK(p == NULL);
}

/* The x position of the legend frame, or -1. */
static double legend_x(const char *svg)
{
    const char *l = strstr(svg, "class=\"legend\"");
    const char *x = l ? strstr(l, "<rect x=\"") : NULL;
    return x ? strtod(x + 9, NULL) : -1;
}

static void test_legend_best(void)
{
    double up[3] = { 0, 1, 2 }, down[3] = { 2, 1, 0 };
    ch_plot *p = ch_plot_new(NULL, NULL, NULL);
    char *s;
    double w;

    /* a rising line fills the upper right: the legend goes to the upper left */
    ch_plot_line(p, NULL, up, 3, "rising");
    s = svg_of(p);
    w = strtod(strstr(s, "width=\"") + 7, NULL);
    CHECK(legend_x(s) > 0 && legend_x(s) < w / 2);
    free(s);
    ch_plot_destroy(&p);

    /* a falling one leaves the upper right free (matplotlib's first choice) */
    p = ch_plot_new(NULL, NULL, NULL);
    ch_plot_line(p, NULL, down, 3, "falling");
    s = svg_of(p);
    w = strtod(strstr(s, "width=\"") + 7, NULL);
    CHECK(legend_x(s) > w / 2);
    free(s);
    ch_plot_destroy(&p);
}

static void test_ticks_ranges(void)
{
    double y[2] = { -3, 7 }, x[2] = { 0, 100 };
    ch_plot *p = ch_plot_new(NULL, NULL, NULL);
    char *s;

    ch_plot_line(p, x, y, 2, NULL);
    s = svg_of(p);
    CHECK(has_text(s, "xtick", "0|20|40|60|80|100"));
    CHECK(has_text(s, "ytick", MINUS "2|0|2|4|6"));
    CHECK(pt_count(s, "class=\"legend\"") == 0);
    free(s);
    ch_plot_destroy(&p);

    /* big numbers get a common multiplier, as matplotlib's ScalarFormatter */
    p = ch_plot_new(NULL, NULL, NULL);
    y[0] = 0;
    y[1] = 5e6;
    ch_plot_line(p, NULL, y, 2, NULL);
    s = svg_of(p);
    CHECK(has_text(s, "ytick", "0|1|2|3|4|5"));
    CHECK(has_text(s, "yoffset",
                   "\xc3\x97"
                   "106"));
    CHECK(has_text(s, "xtick", "0.0|0.2|0.4|0.6|0.8|1.0"));
    free(s);
    ch_plot_destroy(&p);
}

static void test_log_axis(void)
{
    double x[6] = { 1, 2, 3, 4, 5, 6 }, y[6] = { 1e2, 1e1, 1, 1e-1, 1e-2, 1e-3 };
    ch_plot *p = ch_plot_new("Loss", "step", "loss");
    char *s, *txt;

    ch_plot_line(p, x, y, 6, "SGD");
    ch_plot_logy(p, 1);
    s = svg_of(p);
    CHECK(has_text(s, "ytick", "10" MINUS "3|10" MINUS "2|10" MINUS "1|100|101|102"));
    CHECK(pt_count(s, "<tspan") >= 6);                /* exponents are superscripts */
    CHECK(pt_count(s, "stroke-width=\"0.83\"") >= 8); /* minor ticks at 2..9 x 10^k */
    txt = ch_plot_text(p);
    CHECK(strstr(txt, "log y") != NULL);
    free(txt);
    free(s);

    /* a value <= 0 on a log axis: an error naming the function */
    y[3] = -1;
    ch_plot_line(p, x, y, 6, "bad");
    CHECK(TRY(ch_plot_show(p)) == 1);
    CHECK(strcmp(pt_ename, "ValueError") == 0);
    CHECK(strstr(pt_evalue, "ch_plot_show") && strstr(pt_evalue, "log") &&
          strstr(pt_evalue, "'bad'"));
    ch_plot_destroy(&p);

    /* many decades: labelled every few decades, never crowded */
    p = ch_plot_new(NULL, NULL, NULL);
    x[0] = 1e-30;
    x[1] = 1e30;
    ch_plot_scatter(p, x, x, 2, NULL);
    ch_plot_logx(p, 1);
    ch_plot_logy(p, 1);
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"xtick\"") >= 2 && pt_count(s, "class=\"xtick\"") <= 9);
    free(s);
    ch_plot_destroy(&p);
}

static void test_nan_and_degenerate(void)
{
    double y[5] = { 1, 2, NAN, 4, 5 }, z[3] = { NAN, INFINITY, NAN }, c[4] = { 3, 3, 3, 3 };
    double big[2] = { -1e300, 1e300 };
    ch_plot *p = ch_plot_new("gaps", NULL, NULL);
    char *s, *txt;

    ch_plot_line(p, NULL, y, 5, "with a gap");
    s = svg_of(p);
    /* the line breaks at the NaN: two sub-paths */
    {
        const char *d = strstr(strstr(s, "class=\"series\""), " d=\"");
        const char *e = strchr(d + 4, '"');
        int moves = 0;
        for (; d < e; d++)
            moves += *d == 'M';
        CHECK(moves == 2);
    }
    txt = ch_plot_text(p);
    CHECK(strstr(txt, "1 NaN/Inf value skipped") != NULL);
    free(txt);
    free(s);

    /* all non-finite: fail with a clear message */
    CHECK(TRY(ch_plot_line(p, NULL, z, 3, "broken")) == 1);
    CHECK(strcmp(pt_ename, "ValueError") == 0 && strstr(pt_evalue, "ch_plot_line") &&
          strstr(pt_evalue, "no finite point"));
    ch_plot_destroy(&p);

    /* constant data still gets a range and ticks */
    p = ch_plot_new(NULL, NULL, NULL);
    ch_plot_line(p, NULL, c, 4, NULL);
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"ytick\"") >= 3);
    CHECK(strstr(s, ">3.00<") != NULL);
    free(s);
    ch_plot_destroy(&p);

    /* empty series and an empty figure draw a unit box */
    p = ch_plot_new("empty", NULL, NULL);
    ch_plot_line(p, NULL, NULL, 0, "nothing yet");
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"legend-entry\"") == 1);
    CHECK(has_text(s, "xtick", "0.0|0.2|0.4|0.6|0.8|1.0"));
    free(s);
    ch_plot_destroy(&p);

    /* a range of 2e300 does not overflow */
    p = ch_plot_new(NULL, NULL, NULL);
    ch_plot_line(p, big, big, 2, NULL);
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"ytick\"") >= 3);
    CHECK(has_text(s, "yoffset",
                   "\xc3\x97"
                   "10300")); /* the multiplier x10^300 */
    free(s);
    ch_plot_destroy(&p);
}

static void test_hist_bar_scatter(void)
{
    double x[1000], h[3] = { 3, 5, 2 };
    const char *names[3] = { "a", "b<c", "d & e" };
    ch_plot *p = ch_plot_new("uniform", "value", "count");
    char *s;
    int i;

    for (i = 0; i < 1000; i++)
        x[i] = (i % 100) / 10.0; /* 0.0 .. 9.9, 100 of each tenth: 100 per bin */
    ch_plot_hist(p, x, 1000, 10, NULL);
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"series\"") == 1);
    CHECK(pt_count(s, "Z") == 10);                    /* ten bars */
    CHECK(has_text(s, "ytick", "0|20|40|60|80|100")); /* sticky at 0, 5 % on top */
    free(s);
    ch_plot_destroy(&p);

    p = ch_plot_new("bars", NULL, NULL);
    ch_plot_bar(p, names, h, 3, "first");
    ch_plot_bar(p, NULL, h, 3, "second");
    s = svg_of(p);
    CHECK(has_text(s, "xtick", "a|b&lt;c|d &amp; e"));
    CHECK(pt_count(s, "class=\"legend-entry\"") == 2);
    CHECK(TRY(ch_plot_bar(p, NULL, h, 2, "short")) == 1 && strstr(pt_evalue, "ch_plot_bar"));
    free(s);
    ch_plot_destroy(&p);

    p = ch_plot_new(NULL, NULL, NULL);
    {
        gsl_vector *vx = gsl_vector_alloc(4), *vy = gsl_vector_alloc(4);
        for (i = 0; i < 4; i++) {
            gsl_vector_set(vx, i, i);
            gsl_vector_set(vy, i, i * i);
        }
        ch_plot_scatter_vec(p, vx, vy, "dots");
        ch_plot_line_vec(p, vx, vy, "line");
        gsl_vector_free(vx);
        gsl_vector_free(vy);
    }
    s = svg_of(p);
    CHECK(pt_count(s, "<circle") == 5); /* 4 dots + 1 in the legend */
    CHECK(pt_count(s, "class=\"series\"") == 2);
    free(s);
    ch_plot_destroy(&p);
}

static void test_heatmap_and_show(void)
{
    gsl_matrix *m = gsl_matrix_alloc(3, 4);
    ch_plot *p;
    char *s;
    size_t i, j;

    for (i = 0; i < 3; i++)
        for (j = 0; j < 4; j++)
            gsl_matrix_set(m, i, j, (double)(i * 4 + j));
    gsl_matrix_set(m, 1, 1, NAN);
    p = ch_plot_new("W", NULL, NULL);
    ch_plot_heatmap(p, m);
    s = svg_of(p);
    CHECK(pt_count(s, "class=\"colorbar\"") == 1);
    CHECK(pt_count(s, "<stop ") == 33);
    CHECK(pt_count(strstr(s, "class=\"heatmap\""), "<rect") >= 11);      /* the NaN cell is blank */
    CHECK(strstr(s, "#440154") != NULL && strstr(s, "#fde725") != NULL); /* viridis ends */
    CHECK(has_text(s, "ytick", "0|1|2"));
    CHECK(has_text(s, "xtick", "0|1|2|3"));
    free(s);
    CHECK(TRY(ch_plot_line(p, NULL, NULL, 0, "x")) == 1 && strstr(pt_evalue, "heatmap"));

    pt_displays = 0;
    ch_plot_show(p);
    CHECK(pt_displays == 1);
    CHECK(strstr(pt_bundle, "\"image/svg+xml\":\"<svg") != NULL);
    CHECK(strstr(pt_bundle, "\"text/html\":\"<img src=\\\"data:image/svg+xml;base64,PHN2Zy") !=
          NULL);
    CHECK(strstr(pt_bundle, "\"text/plain\":\"<Figure \\\"W\\\": heatmap 3x4, values 0 to 11; "
                            "1 NaN/Inf value skipped>\"") != NULL);

    {
        /* a single row keeps a readable height and its one tick */
        gsl_matrix *row = gsl_matrix_alloc(1, 60);
        for (j = 0; j < 60; j++)
            gsl_matrix_set(row, 0, j, (double)j);
        p = ch_plot_new(NULL, NULL, NULL);
        ch_plot_heatmap(p, row);
        s = svg_of(p);
        CHECK(has_text(s, "ytick", "0"));
        CHECK(has_text(s, "xtick", "0|10|20|30|40|50"));
        free(s);
        ch_plot_destroy(&p);
        gsl_matrix_free(row);
    }

    gsl_matrix_set_all(m, NAN);
    CHECK(TRY(ch_heatmap(m, "nan")) == 1 && strstr(pt_evalue, "ch_heatmap:") &&
          strstr(pt_evalue, "no finite entry"));
    gsl_matrix_free(m);
}

static void test_large(void)
{
    enum { N = 200000 };
    double *y = malloc(N * sizeof *y);
    gsl_matrix *m = gsl_matrix_alloc(100, 80);
    ch_plot *p = ch_plot_new("long run", NULL, NULL);
    char *s;
    size_t i;

    for (i = 0; i < N; i++)
        y[i] = exp(-(double)i / N) + 0.1 * sin((double)i * 0.37);
    ch_plot_line(p, NULL, y, N, "loss");
    s = svg_of(p);
    CHECK(strlen(s) < 150000); /* thinned to a few points per pixel column */
    CHECK(pt_count(s, "class=\"series\"") == 1);
    free(s);
    ch_plot_destroy(&p);
    free(y);

    for (i = 0; i < 100 * 80; i++)
        m->data[i] = (double)(i % 97);
    p = ch_plot_new("big matrix", NULL, NULL);
    ch_plot_heatmap(p, m);
    s = svg_of(p);
    CHECK(pt_count(s, "<image ") == 1);
    CHECK(strstr(s, "xlink:href=\"data:image/png;base64,iVBORw0KGgo") != NULL);
    CHECK(strlen(s) < 80000);
    free(s);
    ch_plot_destroy(&p);
    gsl_matrix_free(m);
}

/* ---- label notation: literal text, math between $...$ ---- */

/* The SVG of one line plot with these texts (NULL for none); caller frees. */
static char *labelled(const char *title, const char *xlabel, const char *legend)
{
    double y[3] = { 0, 1, 2 };
    ch_plot *p = ch_plot_new(title, xlabel, NULL);
    char *s;

    ch_plot_line(p, NULL, y, 3, legend);
    s = svg_of(p);
    ch_plot_destroy(&p);
    return s;
}

/* The markup inside the first <text> of class cls, or the first <text>
 * inside that element (a legend entry); the caller frees. */
static char *inner(const char *svg, const char *cls)
{
    char key[64];
    const char *p, *q, *e;

    snprintf(key, sizeof key, "class=\"%s\"", cls);
    p = strstr(svg, key);
    if (!p)
        return strdup("");
    if (strncmp(p - 3, "<g ", 3) == 0)
        p = strstr(p, "<text");
    q = strchr(p, '>') + 1;
    e = strstr(q, "</text>");
    return strndup(q, (size_t)(e - q));
}

/* The width of the legend frame (the rect after class="legend"), or -1. */
static double legend_w(const char *svg)
{
    const char *l = strstr(svg, "class=\"legend\"");
    const char *w = l ? strstr(l, "width=\"") : NULL;
    return w ? strtod(w + 7, NULL) : -1;
}

static double legend_w_of(const char *label)
{
    char *s = labelled(NULL, NULL, label);
    double w = legend_w(s);
    free(s);
    return w;
}

static void test_label_math(void)
{
    char *s = labelled("Loss of $\\theta_t$", NULL, NULL), *m;
    const char *sub;

    /* theta in italic, then t lowered and smaller; the words around as typed */
    CHECK(has_text(s, "title", "Loss of \xce\xb8t"));
    m = inner(s, "title");
    CHECK(strncmp(m, "Loss of <tspan font-style=\"italic\">\xce\xb8</tspan>",
                  strlen("Loss of <tspan font-style=\"italic\">\xce\xb8</tspan>")) == 0);
    sub = strstr(m, "\xce\xb8</tspan><tspan dy=\"");
    CHECK(sub != NULL);
    if (sub) {
        const char *fs = strstr(sub, "font-size=\"");
        CHECK(strtod(sub + strlen("\xce\xb8</tspan><tspan dy=\""), NULL) > 0); /* down */
        CHECK(fs && strtod(fs + 11, NULL) < 12);                               /* 0.7 x 16.67 */
        CHECK(strstr(sub, "font-style=\"italic\">t</tspan>") != NULL);
    }
    CHECK(strstr(s, "$") == NULL && strstr(s, "\\theta") == NULL);
    free(m);
    free(s);

    /* Greek and operators: the code points, capitals upright, letters italic */
    s = labelled(NULL,
                 "$\\alpha \\Gamma \\|x\\|_2 \\le \\infty, \\nabla f \\cdot \\sum_i \\mathbb{E}$",
                 NULL);
    CHECK(has_text(s, "xlabel",
                   "\xce\xb1\xce\x93\xe2\x80\x96x\xe2\x80\x96"
                   "2\xe2\x89\xa4\xe2\x88\x9e,"
                   "\xe2\x88\x87"
                   "f\xe2\x8b\x85\xe2\x88\x91i\xf0\x9d\x94\xbc"));
    m = inner(s, "xlabel");
    CHECK(strstr(m, "font-style=\"italic\">\xce\xb1</tspan>") != NULL);
    CHECK(strstr(m, "italic\">\xce\x93") == NULL);
    CHECK(strstr(m, "font-style=\"italic\">x</tspan>") != NULL);
    CHECK(strstr(m, "dx=\"") != NULL); /* spacing around the relation */
    free(m);
    free(s);

    /* function names upright; both scripts on one base: the superscript
     * steps back over the subscript */
    s = labelled(NULL, "$\\log x_t^2 - e^{-x/6}$", NULL);
    m = inner(s, "xlabel");
    CHECK(has_text(s, "xlabel",
                   "logxt2\xe2\x88\x92"
                   "e\xe2\x88\x92x/6"));
    CHECK(strncmp(m, "log<tspan dx=", 13) == 0); /* upright, then a thin space */
    CHECK(strstr(m, "dx=\"-") != NULL);
    free(m);
    free(s);

    /* inline forms of the two-dimensional commands */
    s = labelled(NULL, "$\\sqrt{x}, \\sqrt{a+b}, \\frac{1}{T}, \\mathrm{KL}(p \\,\\|\\, q)$", NULL);
    CHECK(has_text(s, "xlabel", "\xe2\x88\x9ax,\xe2\x88\x9a(a+b),1/T,KL(p\xe2\x80\x96q)"));
    free(s);
}

static void test_label_literal(void)
{
    char *s, *m;
    size_t i;
    /* outside $...$ nothing is math, \$ is a dollar, an odd '$' means no math */
    s = labelled(NULL, "x_t and 10^{-3} \\alpha, cost \\$5", "$x$ costs \\$5");
    CHECK(has_text(s, "xlabel", "x_t and 10^{-3} \\alpha, cost $5"));
    m = inner(s, "xlabel");
    CHECK(strstr(m, "<tspan") == NULL);
    free(m);
    m = inner(s, "legend-entry");
    CHECK(strcmp(m, "<tspan font-style=\"italic\">x</tspan> costs $5") == 0);
    free(m);
    free(s);

    s = labelled("price $5, $6 and $x", "$a<b$ & \"q\"", NULL);
    CHECK(has_text(s, "title", "price $5, $6 and $x"));
    CHECK(has_text(s, "xlabel", "a&lt;b &amp; &quot;q&quot;"));
    free(s);

    /* malformed: drawn as typed where it cannot be parsed; never a crash,
     * always well-formed XML (svg_of checks) */
    {
        static const char *bad[] = { "$",
                                     "$$",
                                     "\\",
                                     "$\\$",
                                     "$^$",
                                     "$x_$",
                                     "$_{$",
                                     "$}{$",
                                     "${$",
                                     "$\\unknown{y}$",
                                     "$\\sqrt$",
                                     "$\\frac{a}$",
                                     "$\\mathbb{Y}$",
                                     "$a^b^c_d_e$",
                                     "$\\left(x\\right)$",
                                     "\xff\xfe$\xc3$",
                                     "$\xe2\x82$",
                                     "$\x01\x1f$",
                                     "$\\text{<&>}$",
                                     "$x^{y^{z^{w^{v^{u^{t}}}}}}$" };
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
            free(labelled(bad[i], bad[i], bad[i]));
    }
    s = labelled(NULL, "$\\unknown{y} \\alpha$", NULL);
    CHECK(has_text(s, "xlabel", "\\unknowny\xce\xb1"));
    free(s);
    s = labelled(NULL, "$x^$", NULL);
    CHECK(has_text(s, "xlabel", "x^"));
    free(s);
    {
        /* ten thousand open braces, and the same closed: bounded recursion */
        size_t n = 10000;
        char *deep = malloc(2 * n + 3);
        deep[0] = '$';
        memset(deep + 1, '{', n);
        memset(deep + 1 + n, '}', n);
        deep[2 * n + 1] = '$';
        deep[2 * n + 2] = '\0';
        s = labelled(NULL, deep, NULL);
        m = inner(s, "xlabel");
        CHECK(strchr(m, '{') != NULL); /* past six levels the rest is as typed */
        free(m);
        free(s);
        deep[1 + n] = '\0';
        free(labelled(deep, deep, deep));
        free(deep);
    }
}

static void test_label_width(void)
{
    /* widths follow what is drawn: one alpha is one glyph, not six letters */
    double greek = legend_w_of("$\\alpha\\beta\\gamma\\delta\\omega$");
    double typed = legend_w_of("\xce\xb1\xce\xb2\xce\xb3\xce\xb4\xcf\x89");
    double source = legend_w_of("\\alpha\\beta\\gamma\\delta\\omega");
    double big = legend_w_of("x0123456789"), small = legend_w_of("$x_{0123456789}$");
    double fs = 10 * 100.0 / 72; /* plot.c's FS: 10 pt at 100 dpi */

    CHECK(fabs(greek - typed) < 0.6);
    CHECK(source - greek > 10 * fs);
    /* ten digits at 0.7 size: 0.3 x 10 x 0.636 em narrower (and x not wider) */
    CHECK(big - small > 1.7 * fs && big - small < 2.1 * fs);
    /* DejaVu Sans advance of alpha..omega, from the font, not a typical width */
    CHECK(fabs((greek - legend_w_of("")) - fs * (1350 + 1307 + 1212 + 1253 + 1715) / 2048.0) < 0.6);
}

static void test_bad_input(void)
{
    ch_plot *p = ch_plot_new(NULL, NULL, NULL);
    double y[2] = { 1, 2 };

    CHECK(TRY(ch_plot_line(NULL, NULL, y, 2, "x")) == 1 && strstr(pt_evalue, "ch_plot_line") &&
          strstr(pt_evalue, "NULL"));
    CHECK(TRY(ch_plot_line(p, NULL, NULL, 2, "x")) == 1 && strstr(pt_evalue, "y is NULL"));
    CHECK(TRY(ch_plot_line_vec(p, NULL, NULL, "x")) == 1 && strstr(pt_evalue, "ch_plot_line_vec"));
    CHECK(TRY(ch_plot_xlim(p, 2, 1)) == 1 && strstr(pt_evalue, "lo < hi"));
    CHECK(TRY(ch_plot_hist(p, y, 0, 10, "h")) == 1 && strstr(pt_evalue, "ch_plot_hist"));
    ch_plot_line(p, NULL, y, 2, "ok");
    ch_plot_logx(p, 1); /* x = 0 at index 0 */
    CHECK(TRY(free(ch_plot_svg(p))) == 1 && strstr(pt_evalue, "ch_plot_svg") &&
          strstr(pt_evalue, "x = 0"));
    ch_plot_destroy(&p);
}

int main(void)
{
    pt_install();
    test_lines_legend_ticks();
    test_legend_best();
    test_ticks_ranges();
    test_log_axis();
    test_nan_and_degenerate();
    test_hist_bar_scatter();
    test_heatmap_and_show();
    test_large();
    test_label_math();
    test_label_literal();
    test_label_width();
    test_bad_input();
    free(pt_bundle);
    return tap_done();
}
