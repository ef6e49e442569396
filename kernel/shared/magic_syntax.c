/* magic_syntax.c — the magic lines at the top of a cell (see magic_syntax.h). */
#include "magic_syntax.h"

#include <ctype.h>
#include <string.h>

static int is_name_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c == '-';
}

int magic_syntax_next(const char **pos, int *line, magic_line *m)
{
    const char *p = *pos;
    for (;;) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '\n') { /* a blank line before a magic */
            p = q + 1;
            ++*line;
            continue;
        }
        *pos = p;
        if (*q != '%')
            return 0;
        memset(m, 0, sizeof *m);
        m->start = q;
        m->end = q + strcspn(q, "\n");
        m->cell_magic = q[1] == '%';
        m->name = q + 1 + m->cell_magic;
        const char *ne = m->name;
        while (ne < m->end && is_name_char((unsigned char)*ne))
            ne++;
        m->namelen = (size_t)(ne - m->name);
        const char *a = ne, *ae = m->end;
        while (a < ae && isspace((unsigned char)*a))
            a++;
        while (ae > a && isspace((unsigned char)ae[-1]))
            ae--;
        m->arg = a;
        m->arglen = (size_t)(ae - a);
        m->line = *line;
        if (*m->end) {
            *pos = m->end + 1;
            ++*line;
        } else {
            *pos = m->end;
        }
        return 1;
    }
}

int magic_syntax_is(const magic_line *m, const char *name)
{
    return m->namelen == strlen(name) && strncmp(m->name, name, m->namelen) == 0;
}
