/* log.c — one line per event on stderr, prefixed so it stands out among the
 * Jupyter server's own lines.  The level is read once from CHALK_LOG. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int log_threshold = LOG_LEVEL_INFO;

void log_init(void)
{
    const char *s = getenv("CHALK_LOG");
    if (s == NULL)
        return;
    if (strcmp(s, "debug") == 0)
        log_threshold = LOG_LEVEL_DEBUG;
    else if (strcmp(s, "warn") == 0 || strcmp(s, "warning") == 0)
        log_threshold = LOG_LEVEL_WARN;
    else if (strcmp(s, "error") == 0 || strcmp(s, "quiet") == 0)
        log_threshold = LOG_LEVEL_ERROR;
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *const names[] = { "debug", "info", "warning", "error" };
    char line[1024];
    va_list ap;

    if (level < log_threshold)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* Lines may quote what a peer sent (a msg_type): control characters
     * would let it forge log lines or drive the terminal. */
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    /* One fprintf per line so concurrent writers (the executor) interleave
     * whole lines at worst. */
    fprintf(stderr, "[chalk %s] %s\n", names[level < 0 ? 0 : level > 3 ? 3 : level], line);
}
