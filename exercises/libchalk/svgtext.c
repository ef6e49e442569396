/* svgtext.c: plot labels, typeset and measured (the notation is documented
 * in chalk.h's plot block).
 *
 * A label is literal text with math between `$...$`, in the small TeX subset
 * that matplotlib's mathtext taught students: scripts, Greek letters, a few
 * operators and function names, letters in italic. One parser walks a label
 * and feeds a `sink`, which either writes <tspan>s or only adds up widths,
 * so what ch__svg_text_width measures is exactly what ch__svg_text draws (the
 * legend box and the margins are sized from it; the letter widths are
 * svgfont.c's).
 * Beware: labels come from users and from fuzzers. Nothing here may fail:
 * whatever the parser does not understand (an unknown \command, a stray
 * brace, a `^` with nothing after it, an odd number of `$`) is drawn as
 * typed. Recursion is bounded by MAX_DEPTH so a label of ten thousand `{`
 * cannot exhaust the stack; stacked scripts are measured before they are
 * drawn: a sub/superscript pair is read four times (two measures, two
 * draws), so a label costs at most 4^MAX_DEPTH passes over its text.
 * Long because the notation is one grammar (groups, scripts, commands) walked
 * by mutually recursive functions around one sink; its data (the letter
 * widths) are svgfont.c's. */
#include "svg.h"

#include <stdio.h>
#include <string.h>

#define SCRIPT_SCALE 0.7
#define MIN_SCALE 0.5
#define SUP_RISE 0.42  /* em of the parent: the old "^{}" rise, near mathtext's 0.44 */
#define SUB_DROP 0.18  /* a subscript alone */
#define SUB_DROP2 0.28 /* below a superscript on the same base */
#define CAP_H 0.76     /* DejaVu Sans cap height plus a hair, as in ch__svg_text */
#define DESC 0.24      /* its descender */
#define MAX_DEPTH 6    /* nested groups and scripts before the rest is literal */

/* Spacing as TeX's \, \: \; in em (thin, medium, thick). */
#define THIN (3.0 / 18)
#define MED (4.0 / 18)
#define THICK (5.0 / 18)

/* ---- the sink: one run of equal attributes is pending at a time ---- */

typedef struct style {
    double scale; /* font size relative to the label's */
    double shift; /* baseline, in em of the label's size, up is positive */
    int italic;
} style;

typedef struct sink {
    ch__svg *s; /* NULL: measure only */
    double size;
    double w;        /* em of the label's size, everything so far */
    double up, down; /* highest point above and lowest below the baseline, em */
    double at;       /* baseline where the SVG text position is now */
    double dx;       /* space owed before the next glyph, em */
    style run;       /* of the pending run buf[0..n) */
    double run_dx;   /* space before that run, em */
    char buf[256];
    size_t n;
} sink;

static int same_style(const style *a, const style *b)
{
    return a->scale == b->scale && a->shift == b->shift && a->italic == b->italic;
}

static void flush(sink *k)
{
    const style *st = &k->run;
    int plain;

    if (!k->n)
        return;
    plain = st->scale == 1 && st->shift == k->at && !st->italic && k->run_dx == 0;
    if (k->s) {
        if (!plain) {
            ch__svg_printf(k->s, "<tspan");
            if (k->run_dx != 0)
                ch__svg_printf(k->s, " dx=\"%.2f\"", k->run_dx * k->size);
            if (st->shift != k->at)
                ch__svg_printf(k->s, " dy=\"%.2f\"", -(st->shift - k->at) * k->size);
            if (st->scale != 1)
                ch__svg_printf(k->s, " font-size=\"%.2f\"", st->scale * k->size);
            if (st->italic)
                ch__svg_printf(k->s, " font-style=\"italic\"");
            ch__svg_printf(k->s, ">");
        }
        ch__svg_escaped_n(k->s, k->buf, k->n);
        if (!plain)
            ch__svg_printf(k->s, "</tspan>");
    }
    k->at = st->shift;
    k->n = 0;
    k->run_dx = 0;
}

/* Space in em of the label's size; a tspan carries it as dx. */
static void put_space(sink *k, double em)
{
    if (em == 0)
        return;
    flush(k);
    k->dx += em;
    k->w += em;
}

static void put_text(sink *k, const char *t, size_t n, const style *st)
{
    double top = st->shift + st->scale * CAP_H, bot = -st->shift + st->scale * DESC;

    if (!n)
        return;
    if (k->n && (!same_style(&k->run, st) || k->n + n > sizeof k->buf || k->dx != 0))
        flush(k);
    while (n > sizeof k->buf) {
        size_t c = sizeof k->buf;
        while (c > 1 && ((unsigned char)t[c] & 0xC0) == 0x80)
            c--; /* never split a character between two runs */
        put_text(k, t, c, st);
        flush(k);
        t += c;
        n -= c;
    }
    if (!k->n) {
        /* a new run carries the space owed before it (SVG's dx applies to
         * the first character, so it cannot sit on an empty tspan) */
        k->run = *st;
        k->run_dx = k->dx;
        k->dx = 0;
    }
    memcpy(k->buf + k->n, t, n);
    k->n += n;
    k->w += st->scale * ch__font_width_em(t, n);
    if (top > k->up)
        k->up = top;
    if (bot > k->down)
        k->down = bot;
}

/* ---- math ---- */

enum { C_NONE, C_ORD, C_OP, C_BIN, C_REL, C_OPEN, C_CLOSE, C_PUNCT };

typedef struct sym {
    const char *name, *utf8;
    int cls, italic;
} sym;

/* Every command the notation knows; anything else is drawn as typed. */
static const sym syms[] = {
    { "alpha", "\xce\xb1", C_ORD, 1 },
    { "beta", "\xce\xb2", C_ORD, 1 },
    { "gamma", "\xce\xb3", C_ORD, 1 },
    { "delta", "\xce\xb4", C_ORD, 1 },
    { "epsilon", "\xce\xb5", C_ORD, 1 },
    { "varepsilon", "\xce\xb5", C_ORD, 1 },
    { "zeta", "\xce\xb6", C_ORD, 1 },
    { "eta", "\xce\xb7", C_ORD, 1 },
    { "theta", "\xce\xb8", C_ORD, 1 },
    { "vartheta", "\xcf\x91", C_ORD, 1 },
    { "iota", "\xce\xb9", C_ORD, 1 },
    { "kappa", "\xce\xba", C_ORD, 1 },
    { "lambda", "\xce\xbb", C_ORD, 1 },
    { "mu", "\xce\xbc", C_ORD, 1 },
    { "nu", "\xce\xbd", C_ORD, 1 },
    { "xi", "\xce\xbe", C_ORD, 1 },
    { "pi", "\xcf\x80", C_ORD, 1 },
    { "rho", "\xcf\x81", C_ORD, 1 },
    { "varrho", "\xcf\xb1", C_ORD, 1 },
    { "sigma", "\xcf\x83", C_ORD, 1 },
    { "tau", "\xcf\x84", C_ORD, 1 },
    { "upsilon", "\xcf\x85", C_ORD, 1 },
    { "phi", "\xcf\x95", C_ORD, 1 },
    { "varphi", "\xcf\x86", C_ORD, 1 },
    { "chi", "\xcf\x87", C_ORD, 1 },
    { "psi", "\xcf\x88", C_ORD, 1 },
    { "omega", "\xcf\x89", C_ORD, 1 },
    { "Gamma", "\xce\x93", C_ORD, 0 },
    { "Delta", "\xce\x94", C_ORD, 0 },
    { "Theta", "\xce\x98", C_ORD, 0 },
    { "Lambda", "\xce\x9b", C_ORD, 0 },
    { "Xi", "\xce\x9e", C_ORD, 0 },
    { "Pi", "\xce\xa0", C_ORD, 0 },
    { "Sigma", "\xce\xa3", C_ORD, 0 },
    { "Upsilon", "\xce\xa5", C_ORD, 0 },
    { "Phi", "\xce\xa6", C_ORD, 0 },
    { "Psi", "\xce\xa8", C_ORD, 0 },
    { "Omega", "\xce\xa9", C_ORD, 0 },
    { "ell", "\xe2\x84\x93", C_ORD, 0 },
    { "nabla", "\xe2\x88\x87", C_ORD, 0 },
    { "partial", "\xe2\x88\x82", C_ORD, 0 },
    { "infty", "\xe2\x88\x9e", C_ORD, 0 },
    { "Vert", "\xe2\x80\x96", C_ORD, 0 },
    { "ldots", "\xe2\x80\xa6", C_ORD, 0 },
    { "cdots", "\xe2\x8b\xaf", C_ORD, 0 },
    { "sum", "\xe2\x88\x91", C_OP, 0 },
    { "prod", "\xe2\x88\x8f", C_OP, 0 },
    { "int", "\xe2\x88\xab", C_OP, 0 },
    { "cdot", "\xe2\x8b\x85", C_BIN, 0 },
    { "times", "\xc3\x97", C_BIN, 0 },
    { "pm", "\xc2\xb1", C_BIN, 0 },
    { "le", "\xe2\x89\xa4", C_REL, 0 },
    { "leq", "\xe2\x89\xa4", C_REL, 0 },
    { "ge", "\xe2\x89\xa5", C_REL, 0 },
    { "geq", "\xe2\x89\xa5", C_REL, 0 },
    { "ne", "\xe2\x89\xa0", C_REL, 0 },
    { "neq", "\xe2\x89\xa0", C_REL, 0 },
    { "approx", "\xe2\x89\x88", C_REL, 0 },
    { "sim", "\xe2\x88\xbc", C_REL, 0 },
    { "propto", "\xe2\x88\x9d", C_REL, 0 },
    { "in", "\xe2\x88\x88", C_REL, 0 },
    { "to", "\xe2\x86\x92", C_REL, 0 },
    { "rightarrow", "\xe2\x86\x92", C_REL, 0 },
    { "leftarrow", "\xe2\x86\x90", C_REL, 0 },
    { "mid", "\xe2\x88\xa3", C_REL, 0 },
    /* function names: upright, a thin space before an operand */
    { "log", "log", C_OP, 0 },
    { "ln", "ln", C_OP, 0 },
    { "exp", "exp", C_OP, 0 },
    { "min", "min", C_OP, 0 },
    { "max", "max", C_OP, 0 },
    { "sin", "sin", C_OP, 0 },
    { "cos", "cos", C_OP, 0 },
    { "tan", "tan", C_OP, 0 },
    { "det", "det", C_OP, 0 },
    { "arg", "arg", C_OP, 0 },
    { "sup", "sup", C_OP, 0 },
    { "inf", "inf", C_OP, 0 },
    { "lim", "lim", C_OP, 0 },
    { "tr", "tr", C_OP, 0 },
    { "Var", "Var", C_OP, 0 },
    { "Cov", "Cov", C_OP, 0 },
    { "KL", "KL", C_OP, 0 },
};

/* \mathbb{X}: the letters DejaVu Sans has in double-struck form. */
static const char *blackboard(char c)
{
    switch (c) {
    case 'E': return "\xf0\x9d\x94\xbc";
    case 'R': return "\xe2\x84\x9d";
    case 'N': return "\xe2\x84\x95";
    case 'Z': return "\xe2\x84\xa4";
    case 'Q': return "\xe2\x84\x9a";
    case 'C': return "\xe2\x84\x82";
    default: return NULL;
    }
}

typedef struct mlist {
    sink *k;
    style st; /* of this list's atoms */
    int prev; /* class of the last atom, for TeX's spacing */
    int depth;
    int text; /* inside \mathrm or \text: upright, spaces kept */
} mlist;

static void math(sink *k, const char *t, size_t n, const style *st, int depth, int text);

/* TeX's inter-atom spacing, simplified: medium around binary operators,
 * thick around relations (neither in scripts), thin between an operator
 * (\sum, \log) and an operand and after punctuation. Returns the class to record. */
static int space_before(mlist *m, int cls)
{
    int p = m->prev;
    double sp = 0;

    if (cls == C_BIN &&
        (p == C_NONE || p == C_BIN || p == C_REL || p == C_OPEN || p == C_PUNCT || p == C_OP))
        cls = C_ORD; /* a unary minus or plus */
    if (p != C_NONE) {
        int big = m->st.scale == 1;
        if ((cls == C_BIN || p == C_BIN) && big)
            sp = MED;
        else if ((cls == C_REL) != (p == C_REL) && big && p != C_OPEN && cls != C_CLOSE &&
                 cls != C_PUNCT)
            sp = THICK;
        else if ((p == C_OP && (cls == C_ORD || cls == C_OP)) ||
                 (cls == C_OP && (p == C_ORD || p == C_CLOSE)))
            sp = THIN;
        else if (p == C_PUNCT && cls != C_CLOSE)
            sp = THIN;
    }
    put_space(m->k, sp * m->st.scale);
    m->prev = cls;
    return cls;
}

static void atom(mlist *m, int cls, const char *t, size_t n, int italic)
{
    style st = m->st;

    space_before(m, cls);
    st.italic = italic && !m->text;
    put_text(m->k, t, n, &st);
}

/* The end of the group opened at t[0] == '{', or 0 if it is not closed. */
static size_t group_end(const char *t, size_t n)
{
    size_t i, level = 0;

    for (i = 0; i < n; i++) {
        if (t[i] == '\\' && i + 1 < n)
            i++;
        else if (t[i] == '{')
            level++;
        else if (t[i] == '}' && --level == 0)
            return i;
    }
    return 0;
}

/* One argument of a script or command at t: a {group}, a \command or one
 * character. Sets *a, *an to its text (without braces) and returns the bytes
 * it spans, or 0 when there is none. */
static size_t argument(const char *t, size_t n, const char **a, size_t *an)
{
    size_t i = 0, e;
    unsigned cp;

    while (i < n && t[i] == ' ')
        i++;
    if (i == n || t[i] == '}' || t[i] == '^' || t[i] == '_')
        return 0;
    *a = t + i;
    if (t[i] == '{') {
        e = group_end(t + i, n - i);
        if (!e)
            return 0;
        *a = t + i + 1;
        *an = e - 1;
        return i + e + 1;
    }
    if (t[i] == '\\') {
        e = i + 1;
        while (e < n && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z')))
            e++;
        if (e == i + 1 && e < n)
            e++;
        *an = e - i;
        return e;
    }
    *an = ch__utf8_char(t + i, n - i, &cp);
    return i + *an;
}

static double script_scale(double s)
{
    s *= SCRIPT_SCALE;
    return s < MIN_SCALE ? MIN_SCALE : s;
}

/* Width in em of math text set in style st, measured without drawing. */
static double measure(const char *t, size_t n, const style *st, int depth, int text)
{
    sink k;

    memset(&k, 0, sizeof k);
    k.size = 1;
    math(&k, t, n, st, depth, text);
    flush(&k);
    return k.w;
}

/* t[0] is '^' or '_': sets one script, or a sub/superscript pair stacked on
 * the same base. Returns the bytes consumed, 0 if there is no argument. */
static size_t scripts(mlist *m, const char *t, size_t n)
{
    const char *a[2] = { NULL, NULL };
    size_t an[2] = { 0, 0 }, used = 0, len;
    int kinds = 0, i;
    style st[2];

    for (i = 0; i < 2 && used < n && (t[used] == '^' || t[used] == '_'); i++) {
        int sup = t[used] == '^';
        if (kinds & (1 << sup))
            break; /* x^a^b: the second starts a new, empty base */
        len = argument(t + used + 1, n - used - 1, &a[sup], &an[sup]);
        if (!len)
            break;
        kinds |= 1 << sup;
        used += 1 + len;
    }
    if (!kinds)
        return 0;
    for (i = 0; i < 2; i++) {
        st[i] = m->st;
        st[i].italic = 0;
        st[i].scale = script_scale(m->st.scale);
    }
    st[1].shift = m->st.shift + SUP_RISE * m->st.scale;
    st[0].shift = m->st.shift - (kinds == 3 ? SUB_DROP2 : SUB_DROP) * m->st.scale;
    if (kinds == 3) {
        double w0 = measure(a[0], an[0], &st[0], m->depth + 1, m->text);
        double w1 = measure(a[1], an[1], &st[1], m->depth + 1, m->text);
        math(m->k, a[0], an[0], &st[0], m->depth + 1, m->text);
        put_space(m->k, -w0);
        math(m->k, a[1], an[1], &st[1], m->depth + 1, m->text);
        if (w0 > w1)
            put_space(m->k, w0 - w1);
    } else {
        i = kinds == 2;
        math(m->k, a[i], an[i], &st[i], m->depth + 1, m->text);
    }
    return used;
}

static const sym *lookup(const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof syms / sizeof syms[0]; i++)
        if (strlen(syms[i].name) == n && memcmp(syms[i].name, name, n) == 0)
            return &syms[i];
    return NULL;
}

/* t[0] is '\\': a command and its argument. Returns the bytes consumed. */
static size_t command(mlist *m, const char *t, size_t n)
{
    size_t e = 1, len, an;
    const char *a, *name = t + 1;
    const sym *sy;

    while (e < n && ((t[e] >= 'a' && t[e] <= 'z') || (t[e] >= 'A' && t[e] <= 'Z')))
        e++;
    if (e == 1) {
        /* a backslash and one symbol */
        static const char lit[] = "$%#&_{}^";
        if (n < 2) {
            atom(m, C_ORD, "\\", 1, 0);
            return 1;
        }
        switch (t[1]) {
        case '|': atom(m, C_ORD, "\xe2\x80\x96", 3, 0); return 2;
        case ',': put_space(m->k, THIN * m->st.scale); return 2;
        case ':': put_space(m->k, MED * m->st.scale); return 2;
        case ';': put_space(m->k, THICK * m->st.scale); return 2;
        case ' ': put_space(m->k, ch__font_adv(' ') * m->st.scale); return 2;
        case '{': atom(m, C_OPEN, "{", 1, 0); return 2;
        case '}': atom(m, C_CLOSE, "}", 1, 0); return 2;
        default:
            if (strchr(lit, t[1])) {
                atom(m, C_ORD, t + 1, 1, 0);
                return 2;
            }
            atom(m, C_ORD, "\\", 1, 0);
            return 1;
        }
    }
    len = e - 1;
    if ((len == 4 && memcmp(name, "left", 4) == 0) || (len == 5 && memcmp(name, "right", 5) == 0))
        return e; /* sizing: the delimiter that follows is drawn as is */
    if (len == 4 && memcmp(name, "quad", 4) == 0) {
        put_space(m->k, m->st.scale);
        return e;
    }
    if (len == 6 && memcmp(name, "mathbb", 6) == 0) {
        len = argument(t + e, n - e, &a, &an);
        if (len && an == 1 && blackboard(a[0])) {
            atom(m, C_ORD, blackboard(a[0]), strlen(blackboard(a[0])), 0);
            return e + len;
        }
    } else if ((len == 6 && memcmp(name, "mathrm", 6) == 0) ||
               (len == 4 && memcmp(name, "text", 4) == 0) ||
               (len == 12 && memcmp(name, "operatorname", 12) == 0)) {
        len = argument(t + e, n - e, &a, &an);
        if (len && m->depth < MAX_DEPTH) {
            space_before(m, name[0] == 'o' ? C_OP : C_ORD);
            math(m->k, a, an, &m->st, m->depth + 1, 1);
            return e + len;
        }
    } else if (len == 4 && memcmp(name, "frac", 4) == 0) {
        size_t l2, bn;
        const char *b;
        len = argument(t + e, n - e, &a, &an);
        l2 = len ? argument(t + e + len, n - e - len, &b, &bn) : 0;
        if (l2 && m->depth < MAX_DEPTH) {
            /* inline, as a/b: a stacked fraction would not fit a label's line */
            space_before(m, C_ORD);
            math(m->k, a, an, &m->st, m->depth + 1, m->text);
            put_text(m->k, "/", 1, &m->st);
            math(m->k, b, bn, &m->st, m->depth + 1, m->text);
            return e + len + l2;
        }
    } else if (len == 4 && memcmp(name, "sqrt", 4) == 0) {
        len = argument(t + e, n - e, &a, &an);
        if (len && m->depth < MAX_DEPTH) {
            /* no vinculum (an overline breaks at every tspan): a longer
             * radicand goes in parentheses instead, sqrt{a+b} as √(a+b) */
            const char *one;
            size_t onen;
            int paren = argument(a, an, &one, &onen) != an; /* more than one atom */
            atom(m, C_ORD, "\xe2\x88\x9a", 3, 0);
            if (paren)
                put_text(m->k, "(", 1, &m->st);
            math(m->k, a, an, &m->st, m->depth + 1, m->text);
            if (paren)
                put_text(m->k, ")", 1, &m->st);
            return e + len;
        }
    } else if ((sy = lookup(name, len))) {
        atom(m, sy->cls, sy->utf8, strlen(sy->utf8), sy->italic);
        return e;
    }
    /* unknown: the backslash and the name as typed, upright */
    atom(m, C_ORD, t, e, 0);
    return e;
}

static void math(sink *k, const char *t, size_t n, const style *st, int depth, int text)
{
    mlist m;
    size_t i = 0;

    m.k = k;
    m.st = *st;
    m.prev = C_NONE;
    m.depth = depth;
    m.text = text;
    while (i < n) {
        char c = t[i];
        size_t used = 0, e;
        unsigned cp;

        if (depth >= MAX_DEPTH) {
            /* too deep to be a real label: the rest as typed */
            atom(&m, C_ORD, t + i, n - i, 0);
            return;
        }
        if (c == ' ' && !text) {
            i++; /* TeX ignores spaces in math; the spacing rules place them */
            continue;
        }
        if (c == '\\') {
            used = command(&m, t + i, n - i);
        } else if (c == '^' || c == '_') {
            used = text ? 0 : scripts(&m, t + i, n - i);
            if (!used) {
                atom(&m, C_ORD, t + i, 1, 0);
                used = 1;
            }
        } else if (c == '{' && (e = group_end(t + i, n - i)) != 0) {
            /* a group is one ordinary atom to its neighbours */
            space_before(&m, C_ORD);
            math(k, t + i + 1, e - 1, &m.st, depth + 1, text);
            used = e + 1;
        } else if (text) {
            used = ch__utf8_char(t + i, n - i, &cp);
            atom(&m, C_ORD, t + i, used, 0);
        } else if (c == '-') {
            atom(&m, C_BIN, "\xe2\x88\x92", 3, 0);
            used = 1;
        } else if (c == '+' || c == '*') {
            atom(&m, C_BIN, t + i, 1, 0);
            used = 1;
        } else if (c == '=' || c == '<' || c == '>') {
            atom(&m, C_REL, t + i, 1, 0);
            used = 1;
        } else if (c == '(' || c == '[') {
            atom(&m, C_OPEN, t + i, 1, 0);
            used = 1;
        } else if (c == ')' || c == ']') {
            atom(&m, C_CLOSE, t + i, 1, 0);
            used = 1;
        } else if (c == ',' || c == ';') {
            atom(&m, C_PUNCT, t + i, 1, 0);
            used = 1;
        } else {
            /* letters in italic as mathtext sets them; digits, '{' or '}'
             * that close nothing, and all else upright */
            int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            used = ch__utf8_char(t + i, n - i, &cp);
            atom(&m, C_ORD, t + i, used, letter);
        }
        i += used;
    }
}

/* ---- labels: literal text around $...$ ---- */

/* Is the '$' at t[i] escaped by a backslash? */
static int escaped_dollar(const char *t, size_t i)
{
    return i > 0 && t[i - 1] == '\\';
}

static void label(sink *k, const char *t)
{
    static const style plain = { 1, 0, 0 };
    size_t n = strlen(t), i, start, dollars = 0;

    for (i = 0; i < n; i++)
        if (t[i] == '$' && !escaped_dollar(t, i))
            dollars++;
    if (dollars % 2) {
        /* an unbalanced '$' means no math at all, as in matplotlib */
        put_text(k, t, n, &plain);
        return;
    }
    i = 0;
    while (i < n) {
        start = i;
        while (i < n && t[i] != '$' && !(t[i] == '\\' && i + 1 < n && t[i + 1] == '$'))
            i++;
        put_text(k, t + start, i - start, &plain);
        if (i == n)
            break;
        if (t[i] == '\\') {
            put_text(k, "$", 1, &plain);
            i += 2;
            continue;
        }
        start = ++i;
        while (i < n && !(t[i] == '$' && !escaped_dollar(t, i)))
            i++;
        math(k, t + start, i - start, &plain, 0, 0);
        i++; /* the closing '$' */
    }
}

static void layout(sink *k, ch__svg *s, const char *text, double size)
{
    memset(k, 0, sizeof *k);
    k->s = s;
    k->size = size;
    label(k, text);
    flush(k);
}

void ch__svg_text(ch__svg *s, double x, double y, const char *text, double size, int anchor,
                  int valign, double rotate, const char *cls, const char *extra)
{
    static const char *anchors[] = { "start", "middle", "end" };
    double dy = 0;
    sink k;

    /* Baseline offsets computed here rather than with dominant-baseline,
     * which some SVG renderers (and notebook-to-PDF converters) ignore.
     * 0.36 em is half the cap height of DejaVu Sans, 0.76 em its cap height
     * plus a hair; a superscript that rises above that moves hanging text
     * down by as much again (10^{-3} under the x axis). */
    layout(&k, NULL, text, size);
    if (valign == CH__SVG_CENTRAL)
        dy = 0.36 * size;
    else if (valign == CH__SVG_HANGING)
        dy = (k.up > CAP_H + 1e-9 ? k.up + 0.06 : CAP_H) * size;

    ch__svg_printf(s, "<text");
    if (cls)
        ch__svg_printf(s, " class=\"%s\"", cls);
    if (rotate != 0) {
        ch__svg_printf(s, " transform=\"rotate(%.0f %.2f %.2f)\"", rotate, x, y);
    }
    /* xml:space: renderers (librsvg among them) strip the spaces at the
     * edges of each tspan, which would glue "of $\\theta$ with" together */
    ch__svg_printf(s,
                   " x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\" text-anchor=\"%s\" "
                   "xml:space=\"preserve\"%s%s>",
                   x, y + dy, size, anchors[anchor], extra ? " " : "", extra ? extra : "");
    layout(&k, s, text, size);
    ch__svg_printf(s, "</text>\n");
}

double ch__svg_text_width(const char *text, double size)
{
    sink k;

    layout(&k, NULL, text, size);
    return k.w * size;
}

void ch__svg_text_extent(const char *text, double size, double *above, double *below)
{
    sink k;

    layout(&k, NULL, text, size);
    *above = (k.up > CAP_H ? k.up - CAP_H : 0) * size;
    *below = (k.down > DESC ? k.down - DESC : 0) * size;
}
