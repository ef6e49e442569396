/* plottest.h: shared helpers for the plot and display tests: a runtime
 * whose display hook keeps the last bundle and whose fail hook longjmps back
 * (TRY/CAUGHT), and a small XML well-formedness checker for the SVG.  The
 * assertions themselves are tests/tap.h's: one TAP result each.
 * Beware: after a caught failure the library may have leaked what it held;
 * tests free what they own themselves. */
#ifndef CHALK_TEST_PLOTTEST_H
#define CHALK_TEST_PLOTTEST_H

#include <ctype.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chalk.h"
#include "../tap.h"

static jmp_buf pt_jmp;
static int pt_armed;
static char pt_ename[64], pt_evalue[1024];
static char *pt_bundle;
static int pt_displays;

static void pt_display(const char *bundle)
{
    free(pt_bundle);
    pt_bundle = strdup(bundle);
    pt_displays++;
}

static void pt_fail(const char *ename, const char *evalue)
{
    snprintf(pt_ename, sizeof pt_ename, "%s", ename);
    snprintf(pt_evalue, sizeof pt_evalue, "%s", evalue);
    if (pt_armed) {
        pt_armed = 0;
        longjmp(pt_jmp, 1);
    }
    fprintf(stderr, "unexpected failure: %s: %s\n", ename, evalue);
    exit(2);
}

static void pt_install(void)
{
    ch_runtime rt;

    memset(&rt, 0, sizeof rt);
    rt.display = pt_display;
    rt.result = pt_display;
    rt.fail = pt_fail;
    ch_set_runtime(&rt);
}

/* TRY(stmt) runs stmt and is 1 if it ended in ch_fail, else 0. */
#define TRY(stmt) (pt_ename[0] = '\0', pt_armed = 1, setjmp(pt_jmp) ? 1 : ((stmt), pt_armed = 0, 0))

/* Count non-overlapping occurrences of needle in hay. */
static inline int pt_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t k = strlen(needle);

    while ((hay = strstr(hay, needle))) {
        n++;
        hay += k;
    }
    return n;
}

/* Well-formed XML (the subset an SVG needs): one root element, tags nest and
 * match, attributes quoted and unique-enough, '&' only in known entities, no
 * '<' in text, no control characters. Returns NULL or what is wrong. */
static inline const char *pt_xml_error(const char *s)
{
    static char why[160];
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = s;

    while (*p) {
        if (*p == '<') {
            const char *q = p + 1;
            int closing = *q == '/';
            char name[32];
            size_t n = 0;
            if (strncmp(p, "<?", 2) == 0 || strncmp(p, "<!--", 4) == 0) {
                p = strstr(p, strncmp(p, "<?", 2) == 0 ? "?>" : "-->");
                if (!p)
                    return "unterminated declaration or comment";
                p += 2;
                continue;
            }
            q += closing;
            while (isalnum((unsigned char)*q) || *q == ':' || *q == '-' || *q == '_')
                if (n < sizeof name - 1)
                    name[n++] = *q++;
                else
                    q++;
            name[n] = '\0';
            if (!n)
                return "tag without a name";
            if (closing) {
                while (isspace((unsigned char)*q))
                    q++;
                if (*q != '>')
                    return "junk in a closing tag";
                if (!depth || strcmp(stack[depth - 1], name) != 0) {
                    snprintf(why, sizeof why, "</%s> does not close <%s>", name,
                             depth ? stack[depth - 1] : "(nothing)");
                    return why;
                }
                depth--;
                p = q + 1;
                continue;
            }
            for (;;) {
                while (isspace((unsigned char)*q))
                    q++;
                if (*q == '>' || (q[0] == '/' && q[1] == '>'))
                    break;
                if (!isalpha((unsigned char)*q))
                    return "bad attribute name";
                while (isalnum((unsigned char)*q) || *q == '-' || *q == ':' || *q == '_')
                    q++;
                if (*q++ != '=')
                    return "attribute without '='";
                if (*q != '"' && *q != '\'')
                    return "unquoted attribute value";
                {
                    char quote = *q++;
                    while (*q && *q != quote) {
                        if (*q == '<')
                            return "'<' in an attribute value";
                        q++;
                    }
                    if (!*q)
                        return "unterminated attribute value";
                    q++;
                }
            }
            if (depth == 0)
                roots++;
            if (*q == '>') {
                if (depth == 64)
                    return "nesting too deep";
                snprintf(stack[depth++], sizeof stack[0], "%s", name);
                p = q + 1;
            } else {
                p = q + 2;
            }
        } else if (*p == '&') {
            static const char *ents[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&apos;" };
            size_t i;
            for (i = 0; i < sizeof ents / sizeof *ents; i++)
                if (strncmp(p, ents[i], strlen(ents[i])) == 0)
                    break;
            if (i == sizeof ents / sizeof *ents)
                return "'&' outside a known entity";
            p += strlen(ents[i]);
        } else {
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
                return "control character";
            if (depth == 0 && !isspace((unsigned char)*p))
                return "text outside the root element";
            p++;
        }
    }
    if (depth)
        return "unclosed element";
    if (roots != 1)
        return "not exactly one root element";
    return NULL;
}

/* The texts of the elements with class="cls", tags stripped, joined by '|'. */
static inline char *pt_texts(const char *svg, const char *cls)
{
    char key[64];
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    const char *p = svg;

    snprintf(key, sizeof key, "class=\"%s\"", cls);
    while ((p = strstr(p, key))) {
        const char *q = strchr(p, '>') + 1, *end = strstr(q, "</text>");
        if (len)
            out[len++] = '|';
        for (; q < end && len + 2 < cap; q++) {
            if (*q == '<') {
                q = strchr(q, '>');
                continue;
            }
            out[len++] = *q;
        }
        out[len] = '\0';
        p = end;
    }
    return out;
}

#endif
