/* show_value.c — a trailing value of struct type, printed field by field (see
 * show_value.h).  The child runs one cell, so one buffer is enough; the
 * result goes out through cell_runtime_send like any shown value.  Pointers show
 * as addresses, vectors and matrices as their shape: following a pointer
 * the cell handed over could fault. */
#include "show_value.h"

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_runtime.h"
#include "cellsrc.h"

enum { SHOW_VALUE_MAX = 100000 };

static strbuf value;

static void add(const char *s)
{
    if (value.len < SHOW_VALUE_MAX)
        strbuf_add(&value, s);
}

static void sv_begin(const char *tag)
{
    (void)tag;
    strbuf_free(&value);
    add("{");
}

static void sv_name(const char *s)
{
    add(s);
}
static void sv_text(const char *s)
{
    add(s);
}

static void publish(const char *text)
{
    cell_runtime_send("execute_result",
                      json_pack("{s:{s:s}, s:{}}", "data", "text/plain", text, "metadata"));
}

static void sv_end(void)
{
    add("}");
    if (value.len >= SHOW_VALUE_MAX)
        strbuf_add(&value, " … (truncated)");
    publish(value.s);
    strbuf_free(&value);
}

static void sv_i64(long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    add(b);
}

static void sv_u64(unsigned long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    add(b);
}

/* The shortest decimal that reads back as the same value, as gdb prints. */
static void sv_f64(double v)
{
    char b[40];
    cell_runtime_shortest_double(v, b, sizeof b);
    add(b);
}

static void sv_f32(float v)
{
    char b[40];
    cell_runtime_shortest_float(v, b, sizeof b);
    add(b);
}

static void sv_f80(long double v)
{
    char b[48];
    cell_runtime_shortest_long_double(v, b, sizeof b);
    add(b);
}

static void sv_bool(_Bool v)
{
    add(v ? "true" : "false");
}

static void sv_char(int c)
{
    char b[32];
    if (c >= 32 && c < 127 && c != '\'' && c != '\\')
        snprintf(b, sizeof b, "'%c'", c);
    else
        snprintf(b, sizeof b, "'\\x%02x'", (unsigned)(c & 0xff));
    add(b);
}

static void sv_ptr(const void *p)
{
    char b[40];
    if (p)
        snprintf(b, sizeof b, "%p", p);
    else
        snprintf(b, sizeof b, "NULL");
    add(b);
}

/* A string member: its first characters, as a C literal would show them. */
static void sv_str(const char *s)
{
    if (!s) {
        add("NULL");
        return;
    }
    add("\"");
    char b[8];
    size_t i = 0;
    for (; s[i] && i < 80; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            snprintf(b, sizeof b, "\\%c", c);
        else if (c == '\n')
            snprintf(b, sizeof b, "\\n");
        else if (c < 32 || c == 127)
            snprintf(b, sizeof b, "\\x%02x", c);
        else
            snprintf(b, sizeof b, "%c", c);
        add(b);
    }
    add(s[i] ? "\"..." : "\"");
}

static void sv_vec(const gsl_vector *v)
{
    char b[64];
    if (v)
        snprintf(b, sizeof b, "<vector of %zu>", v->size);
    else
        snprintf(b, sizeof b, "NULL");
    add(b);
}

static void sv_mat(const gsl_matrix *m)
{
    char b[64];
    if (m)
        snprintf(b, sizeof b, "<%zu x %zu matrix>", m->size1, m->size2);
    else
        snprintf(b, sizeof b, "NULL");
    add(b);
}

/* What could not be printed field by field: one line that says so. */
static void sv_opaque(const char *tag, unsigned long size)
{
    char b[256];
    snprintf(b, sizeof b, "<%s, %lu bytes: its fields cannot be shown>", tag, size);
    publish(b);
}

const compile_symbol *show_value_symbols(size_t *n)
{
    static const compile_symbol syms[] = {
        { "__chalk_sv_begin", (const void *)sv_begin },
        { "__chalk_sv_name", (const void *)sv_name },
        { "__chalk_sv_text", (const void *)sv_text },
        { "__chalk_sv_end", (const void *)sv_end },
        { "__chalk_sv_i64", (const void *)sv_i64 },
        { "__chalk_sv_u64", (const void *)sv_u64 },
        { "__chalk_sv_f64", (const void *)sv_f64 },
        { "__chalk_sv_f32", (const void *)sv_f32 },
        { "__chalk_sv_f80", (const void *)sv_f80 },
        { "__chalk_sv_bool", (const void *)sv_bool },
        { "__chalk_sv_char", (const void *)sv_char },
        { "__chalk_sv_str", (const void *)sv_str },
        { "__chalk_sv_ptr", (const void *)sv_ptr },
        { "__chalk_sv_vec", (const void *)sv_vec },
        { "__chalk_sv_mat", (const void *)sv_mat },
        { "__chalk_sv_opaque", (const void *)sv_opaque },
    };
    *n = sizeof syms / sizeof *syms;
    return syms;
}
