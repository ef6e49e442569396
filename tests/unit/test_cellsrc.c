/* test_cellsrc.c — splitting cells into top-level items, and is_complete.
 *
 * Each case states what the session will do with the item (where it goes
 * in the translation unit), so a misclassification here is a cell that
 * would fail to compile for the user.
 */
#include "cellsrc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"

static const char *const kinds[] = { "pp", "type", "var", "func", "proto", "stmt", "expr" };

/* "kind:line:text" for every item, ';'-separated, to compare at once. */
static char *summary(const char *code)
{
    cellsrc_cell *c = cellsrc_split(code, 0, NULL, NULL);
    strbuf b = { 0 };
    for (size_t i = 0; i < c->nitems; i++)
        strbuf_addf(&b, "%s%s:%d:%s", i ? " | " : "", kinds[c->items[i].kind], c->items[i].line,
                    c->items[i].text);
    cellsrc_destroy(&c);
    return strbuf_take(&b);
}

#define expect_split(code, want)                                                                   \
    do {                                                                                           \
        char *got_ = summary(code);                                                                \
        TAP_OK(strcmp(got_, want) == 0, tap_name("split of %s", #code), "expected %s, got %s",     \
               want, got_);                                                                        \
        free(got_);                                                                                \
    } while (0)

static void test_classify(void)
{
    expect_split("int x = 1;", "var:1:int x");
    expect_split("x = 1;", "stmt:1:x = 1;");
    expect_split("f(x);", "stmt:1:f(x);");
    expect_split("x++;\n*p = 3;", "stmt:1:x++; | stmt:2:*p = 3;");
    expect_split("size_t n;", "var:1:size_t n");
    expect_split("FILE *fp = NULL;", "var:1:FILE * fp");
    expect_split("a * b;", "var:1:a * b"); /* C's own ambiguity: a declaration */
    expect_split("for (int i = 0; i < 3; i++) { printf(\"}\"); }\nreturn 0;",
                 "stmt:1:for (int i = 0; i < 3; i++) { printf(\"}\"); } | stmt:2:return 0;");
    expect_split("if (x) y(); else z();", "stmt:1:if (x) y(); else z();");
    expect_split("do { x--; } while (x);", "stmt:1:do { x--; } while (x);");
    expect_split("again: x++;", "stmt:1:again: x++;");
    expect_split("{ int q = 2; }", "stmt:1:{ int q = 2; }");
    expect_split("int f(int a)\n{\n  return a + 1; /* } */\n}\nf(2)",
                 "func:1:int f(int a)\n{\n  return a + 1; /* } */\n} | expr:5:f(2)");
    expect_split("static inline int g(void) { return 1; }",
                 "func:1:              int g(void) { return 1; }");
    expect_split("double h(double);", "proto:1:double h ( double );");
    expect_split("typedef struct { double v; } V;\nV w;",
                 "type:1:typedef struct { double v; } V; | var:2:V w");
    expect_split("struct P { int x, y; } p = {1, 2};",
                 "type:1:struct P { int x, y; }; | var:1:struct P p");
    expect_split("enum E { A, B = 3 };", "type:1:enum E { A, B = 3 };");
    expect_split("#define SQ(x) \\\n  ((x)*(x))\nSQ(3)",
                 "pp:1:#define SQ(x) \\\n  ((x)*(x)) | expr:3:SQ(3)");
    expect_split("#include <stdio.h>\nputs(\"{\");",
                 "pp:1:#include <stdio.h> | stmt:2:puts(\"{\");");
    /* a statement or value ends at its conditional's #else/#endif; one
     * the statement opens itself is its own */
    expect_split("#if A\nx * 2\n#else\n1\n#endif",
                 "pp:1:#if A | expr:2:x * 2 | pp:3:#else | expr:4:1 | pp:5:#endif");
    expect_split("#if A\nx = 2\n#endif\ny", "pp:1:#if A | stmt:2:x = 2 | pp:3:#endif | expr:4:y");
    expect_split("#if A\n1\n#endif\nf();", "pp:1:#if A | stmt:2:1 | pp:3:#endif | stmt:4:f();");
    expect_split("a =\n#if A\n1\n#else\n2\n#endif\n;", "stmt:1:a =\n#if A\n1\n#else\n2\n#endif\n;");
    expect_split("char c = '}';", "var:1:char c");
    expect_split("x = 1 // trailing {\n", "stmt:1:x = 1"); /* assignments are not shown */
    expect_split("x + 1", "expr:1:x + 1");
    expect_split("x + 1;", "stmt:1:x + 1;");
}

static void test_declarators(void)
{
    cellsrc_cell *c = cellsrc_split("static int a = 1, *b, c[3] = {1,2,3};\n"
                                    "const int k = 2; const char *s = \"a,b\"; char *const t = 0;\n"
                                    "struct P p = {1, 2};",
                                    0, NULL, NULL);
    if (!TAP_OK(c->nitems == 7, "declarators: 7 items", "expected 7 items, got %zu", c->nitems)) {
        cellsrc_destroy(&c);
        return;
    }
    cellsrc_item *it = c->items;
    TAP_OK(!strcmp(it[0].text, "int a") && !strcmp(it[0].init, "1") &&
               (it[0].flags & CELLSRC_STATIC),
           "a: static int a = 1", "expected static int a = 1, got %s = %s", it[0].text, it[0].init);
    TAP_OK(!strcmp(it[1].text, "int * b") && !it[1].init, "b: int * b, no initialiser",
           "expected int * b, got %s", it[1].text);
    TAP_OK(!strcmp(it[2].text, "int c [ 3 ]") && !strcmp(it[2].init, "{1,2,3}") &&
               (it[2].flags & CELLSRC_ARRAY) && (it[2].flags & CELLSRC_BRACED),
           "c: braced array", "expected int c [ 3 ] = {1,2,3} array braced, got %s = %s flags %x",
           it[2].text, it[2].init, it[2].flags);
    TAP_OK(it[3].flags & CELLSRC_CONST, "k is const", "expected CELLSRC_CONST, got flags %x",
           it[3].flags);
    TAP_OK(!(it[4].flags & CELLSRC_CONST), "s points to const but is not const",
           "expected no CELLSRC_CONST, got flags %x", it[4].flags);
    TAP_OK(!strcmp(it[4].init, "\"a,b\""), "s init keeps the comma in the string",
           "expected \"a,b\", got %s", it[4].init);
    TAP_OK(it[5].flags & CELLSRC_CONST, "t is a const pointer",
           "expected CELLSRC_CONST, got flags %x", it[5].flags);
    TAP_OK(!strcmp(it[6].type_name, "struct P") && (it[6].flags & CELLSRC_BRACED) &&
               it[6].line == 3,
           "p: struct P, braced, line 3",
           "expected struct P braced line 3, got type %s line %d flags %x", it[6].type_name,
           it[6].line, it[6].flags);
    cellsrc_destroy(&c);
}

static int has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

static void test_names(void)
{
    cellsrc_cell *c = cellsrc_split("typedef struct node { struct node *next; } node;\n"
                                    "enum color { RED, GREEN };\n"
                                    "#define AREA(r) (PI * (r) * (r))\n"
                                    "#undef OLD\n"
                                    "node *head = make(RED);\n"
                                    "void show(node *n) { printf(\"%p\", (void *)n); }\n",
                                    0, NULL, NULL);
    cellsrc_item *it = c->items;
    if (!TAP_OK(c->nitems == 6, "names: 6 items", "expected 6 items, got %zu", c->nitems)) {
        cellsrc_destroy(&c);
        return;
    }
    TAP_OK(has(it[0].defs, it[0].ndefs, "node") && has(it[0].defs, it[0].ndefs, "struct node"),
           "typedef defines node and struct node", "expected both names, got %zu defs",
           it[0].ndefs);
    TAP_OK(has(it[1].defs, it[1].ndefs, "RED") && has(it[1].defs, it[1].ndefs, "enum color"),
           "enum defines its constants and its tag", "expected RED and enum color, got %zu defs",
           it[1].ndefs);
    TAP_OK(it[2].pp == CELLSRC_PP_DEFINE && has(it[2].defs, it[2].ndefs, "AREA") &&
               has(it[2].refs, it[2].nrefs, "PI"),
           "macro defs/refs", "expected #define AREA referring to PI, got pp %d", (int)it[2].pp);
    TAP_OK(it[3].pp == CELLSRC_PP_UNDEF && has(it[3].defs, it[3].ndefs, "OLD"), "undef",
           "expected #undef OLD, got pp %d", (int)it[3].pp);
    /* node is known as a typedef from the cell itself */
    TAP_OK(it[4].kind == CELLSRC_VAR && has(it[4].refs, it[4].nrefs, "make") &&
               has(it[4].refs, it[4].nrefs, "node") && has(it[4].refs, it[4].nrefs, "RED"),
           "var refs", "expected a variable referring to make, node, RED, got kind %d",
           (int)it[4].kind);
    TAP_OK(it[5].kind == CELLSRC_FUNC && (it[5].flags & CELLSRC_VOID) &&
               !strcmp(it[5].proto, "void show(node *n);") &&
               has(it[5].refs, it[5].nrefs, "printf"),
           "function", "expected void show(node *n); referring to printf, got kind %d proto %s",
           (int)it[5].kind, it[5].proto ? it[5].proto : "-");
    cellsrc_destroy(&c);
}

static void test_magics(void)
{
    cellsrc_cell *c = cellsrc_split("%timeit -n 10  \n%cflags -I/x\nint x = 1;\nx", 0, NULL, NULL);
    TAP_OK(c->nmagics == 2 && !strcmp(c->magics[0].name, "timeit") &&
               !strcmp(c->magics[0].arg, "-n 10") && !strcmp(c->magics[1].name, "cflags") &&
               !strcmp(c->magics[1].arg, "-I/x") && c->magics[1].line == 2,
           "magics", "expected %%timeit -n 10 and %%cflags -I/x on line 2, got %zu magics",
           c->nmagics);
    TAP_OK(c->nitems == 2 && c->items[0].line == 3 && c->items[1].kind == CELLSRC_EXPR,
           "code after magics keeps its lines", "expected 2 items from line 3, got %zu", c->nitems);
    cellsrc_destroy(&c);
    c = cellsrc_split("%%timeit\nf();", 0, NULL, NULL);
    TAP_OK(c->nmagics == 1 && c->magics[0].cell_magic && c->nitems == 1, "cell magic",
           "expected one cell magic and one item, got %zu magics, %zu items", c->nmagics,
           c->nitems);
    cellsrc_destroy(&c);
    c = cellsrc_split("x = 5 % 3;", 0, NULL, NULL); /* not a magic */
    TAP_OK(c->nmagics == 0 && c->nitems == 1, "modulo is not a magic",
           "expected no magic and one item, got %zu magics, %zu items", c->nmagics, c->nitems);
    cellsrc_destroy(&c);
}

static void test_complete(void)
{
    static const struct {
        const char *code, *want;
    } cases[] = {
        { "int x = 1;", "complete" },
        { "int f(void) {", "incomplete" },
        { "printf(\"a\",", "incomplete" },
        { "int a[3] = {1, 2", "incomplete" },
        { "/* open comment", "incomplete" },
        { "char *s = \"open", "incomplete" },
        { "#define X \\", "incomplete" },
        { "x = 1; }", "invalid" },
        { "f());", "invalid" },
        { "puts(\"}\"); // {", "complete" },
        { "", "complete" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = ctoken_is_complete(cases[i].code);
        TAP_OK(!strcmp(got, cases[i].want), tap_name("is_complete(%s)", cases[i].code),
               "expected %s, got %s", cases[i].want, got);
    }
}

static void test_tokens(void)
{
    ctoken *t;
    int problems;
    const char *src = "a = L\"x\\\"y\" + 'c' /* c */ + 0x1fULL + 1.5e-3;\n#if X \\\n  && Y\nb";
    size_t n = ctoken_scan(src, &t, &problems);
    if (TAP_OK(n == 12 && !problems, "12 tokens, no problems",
               "expected 12 tokens and 0 problems, got %zu and %d", n, problems)) {
        TAP_OK(t[2].kind == CTOKEN_STRING && t[2].len == 7, "wide string token",
               "expected a string of 7 bytes, got kind %d length %zu", (int)t[2].kind,
               (size_t)t[2].len);
        TAP_OK(t[6].kind == CTOKEN_NUMBER && t[6].len == 7 && t[8].len == 6, "numbers",
               "expected numbers of 7 and 6 bytes, got kind %d lengths %zu, %zu", (int)t[6].kind,
               (size_t)t[6].len, (size_t)t[8].len);
        TAP_OK(
            t[10].kind == CTOKEN_PP && t[10].line == 2 && t[11].line == 4,
            "directive with continuation",
            "expected a directive on line 2 and the next token on line 4, got kind %d lines %d, %d",
            (int)t[10].kind, t[10].line, t[11].line);
    }
    free(t);
    char *r = ctoken_rename("int main(void) { puts(\"main\"); return main_x; }", "main", "um");
    CHECK_STREQ(r, "int um(void) { puts(\"main\"); return main_x; }");
    free(r);
}

/* Token soup must never crash the splitter (the kernel runs it on every
 * cell as typed, half-finished ones included).  A fixed generator keeps
 * the run reproducible; under valgrind or ASan it also checks memory. */
static void test_soup(void)
{
    static const char *const frags[] = { "int ",
                                         "x",
                                         "=",
                                         "1",
                                         ";",
                                         "{",
                                         "}",
                                         "(",
                                         ")",
                                         "[",
                                         "]",
                                         "*",
                                         "struct ",
                                         "S ",
                                         "typedef ",
                                         "enum ",
                                         "\"s{\"",
                                         "'c'",
                                         "/*",
                                         "*/",
                                         "//",
                                         "\n",
                                         "#define M(a) a\\\n",
                                         "#if 1\n",
                                         "static ",
                                         "const ",
                                         ",",
                                         "f",
                                         "(void)",
                                         "return ",
                                         "if ",
                                         "else ",
                                         "do ",
                                         "while ",
                                         "lbl:",
                                         ":",
                                         "%timeit\n",
                                         "\\",
                                         "->",
                                         "case ",
                                         "main",
                                         "L\"",
                                         "u8'" };
    unsigned long long state = 42;
    char buf[1024];
    int nulls = 0;
    for (int it = 0; it < 20000; it++) {
        size_t n = 0;
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        int k = (int)((state >> 33) % 30);
        buf[0] = 0;
        for (int j = 0; j < k; j++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *f = frags[(state >> 33) % (sizeof frags / sizeof *frags)];
            size_t l = strlen(f);
            if (n + l >= sizeof buf)
                break;
            memcpy(buf + n, f, l + 1);
            n += l;
        }
        cellsrc_cell *c = cellsrc_split(buf, it & 1 ? CELLSRC_WHOLE : 0, NULL, NULL);
        if (!c && nulls++ == 0)
            fprintf(stderr, "split returned NULL for %s\n", buf);
        cellsrc_destroy(&c);
        ctoken_is_complete(buf);
    }
    TAP_OK(nulls == 0, "split never returns NULL on 20000 token soups", "expected 0 NULLs, got %d",
           nulls);
}

int main(void)
{
    test_soup();
    test_tokens();
    test_classify();
    test_declarators();
    test_names();
    test_magics();
    test_complete();
    return tap_done();
}
