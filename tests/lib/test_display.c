/* test_display.c: each ch_display_* call publishes one bundle that is valid
 * JSON, carries the content unchanged under its MIME type and a readable
 * text/plain fallback; bad input ends the cell with the function's name. */
#include <jansson.h>

#include "display_priv.h"
#include "plottest.h"

/* The last bundle's data[mime] as a string ("" if missing); the bundle must parse. */
static const char *field(json_t **keep, const char *mime)
{
    json_error_t err;
    json_t *v;

    json_decref(*keep);
    *keep = json_loads(pt_bundle ? pt_bundle : "", 0, &err);
    if (!*keep) {
        fprintf(stderr, "bundle is not JSON: %s\n", err.text);
        return "";
    }
    v = json_object_get(json_object_get(*keep, "data"), mime);
    return json_is_string(v) ? json_string_value(v) : "";
}

static int meta_ok(void)
{
    json_t *b = json_loads(pt_bundle, 0, NULL);
    int ok = b && json_is_object(json_object_get(b, "metadata"));
    json_decref(b);
    return ok;
}

int main(void)
{
    static const unsigned char png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
        0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82
    };
    json_t *j = NULL;
    char *b;

    pt_install();

    ch_display_html("<h1>Result</h1><p>Loss is <b>0.25</b> &amp; falling</p>"
                    "<script>alert(1)</script><table><tr><td>a</td><td>b</td></tr></table>");
    CHECK(strcmp(field(&j, "text/html"),
                 "<h1>Result</h1><p>Loss is <b>0.25</b> &amp; falling</p>"
                 "<script>alert(1)</script><table><tr><td>a</td><td>b</td></tr></table>") == 0);
    CHECK(strcmp(field(&j, "text/plain"), "Result\nLoss is 0.25 & falling\na\tb") == 0);
    CHECK(meta_ok());

    ch_display_latex("x^2 + y^2 = r^2");
    CHECK(strcmp(field(&j, "text/latex"), "$$x^2 + y^2 = r^2$$") == 0);
    CHECK(strcmp(field(&j, "text/plain"), "x^2 + y^2 = r^2") == 0);
    ch_display_latex("The norm $\\|x\\|_2$");
    CHECK(strcmp(field(&j, "text/latex"), "The norm $\\|x\\|_2$") == 0);
    ch_display_latex("\\begin{pmatrix}1\\end{pmatrix}");
    CHECK(strcmp(field(&j, "text/latex"), "\\begin{pmatrix}1\\end{pmatrix}") == 0);

    ch_display_markdown("# Title\n\n*emphasis* and `code`");
    CHECK(strcmp(field(&j, "text/markdown"), "# Title\n\n*emphasis* and `code`") == 0);
    CHECK(strcmp(field(&j, "text/plain"), "# Title\n\n*emphasis* and `code`") == 0);

    /* escaping: quotes, backslashes, control characters, UTF-8 survive */
    ch_display_text("a\"b\\c\n\t\x01 \xce\xbb");
    CHECK(strcmp(field(&j, "text/plain"), "a\"b\\c\n\t\x01 \xce\xbb") == 0);

    ch_display_svg("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\"></svg>");
    CHECK(strstr(field(&j, "image/svg+xml"), "<svg") != NULL);
    CHECK(strcmp(field(&j, "text/plain"), "<SVG image, 10x20>") == 0);
    /* the same SVG as an <img> in text/html, which untrusted notebooks show */
    CHECK(
        strcmp(
            field(&j, "text/html"),
            "<img src=\"data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9z"
            "dmciIHdpZHRoPSIxMCIgaGVpZ2h0PSIyMCI+PC9zdmc+\" alt=\"&lt;SVG image, 10x20&gt;\"/>") ==
        0);
    CHECK(TRY(ch_display_svg("<html></html>")) == 1 && strstr(pt_evalue, "ch_display_svg"));

    ch_display_png(png, sizeof png);
    CHECK(
        strcmp(
            field(&j, "image/png"),
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==") ==
        0);
    CHECK(strcmp(field(&j, "text/plain"), "<PNG image, 1x1>") == 0);
    CHECK(TRY(ch_display_png((const unsigned char *)"GIF89a not a png at all", 23)) == 1);
    CHECK(strcmp(pt_ename, "ValueError") == 0 && strstr(pt_evalue, "ch_display_png") &&
          strstr(pt_evalue, "not a PNG"));

    ch_display("application/json", "{\"a\": 1}");
    CHECK(strcmp(field(&j, "application/json"), "{\"a\": 1}") == 0);
    CHECK(strcmp(field(&j, "text/plain"), "<application/json, 8 bytes>") == 0);

    CHECK(TRY(ch_display_html(NULL)) == 1 && strstr(pt_evalue, "ch_display_html"));
    CHECK(TRY(ch_display(NULL, "x")) == 1 && strstr(pt_evalue, "ch_display"));

    /* RFC 4648 test vectors */
    b = ch__base64((const unsigned char *)"", 0);
    CHECK(strcmp(b, "") == 0);
    free(b);
    b = ch__base64((const unsigned char *)"f", 1);
    CHECK(strcmp(b, "Zg==") == 0);
    free(b);
    b = ch__base64((const unsigned char *)"fo", 2);
    CHECK(strcmp(b, "Zm8=") == 0);
    free(b);
    b = ch__base64((const unsigned char *)"foobar", 6);
    CHECK(strcmp(b, "Zm9vYmFy") == 0);
    free(b);

    json_decref(j);
    free(pt_bundle);
    return tap_done();
}
