/* channel.c — length-prefixed JSON messages (see channel.h). */
#include "channel.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                /* A non-blocking descriptor (the loop's): wait until the
                 * peer has read some, then go on. */
                struct pollfd pfd = { fd, POLLOUT, 0 };
                poll(&pfd, 1, -1);
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int channel_write(int fd, const json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    if (!text)
        return -1;
    size_t n = strlen(text);
    /* One buffer, one write where possible: keeps messages from interleaving
     * with nothing else and makes a torn message less likely. */
    char *buf = malloc(n + 4);
    if (!buf) {
        free(text);
        return -1;
    }
    buf[0] = (char)(n >> 24);
    buf[1] = (char)(n >> 16);
    buf[2] = (char)(n >> 8);
    buf[3] = (char)n;
    memcpy(buf + 4, text, n);
    free(text);
    int rc = write_all(fd, buf, n + 4);
    free(buf);
    return rc;
}

static int read_all(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0) {
            errno = 0;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

json_t *channel_read(int fd)
{
    char hdr[4];
    if (read_all(fd, hdr, 4) < 0)
        return NULL;
    uint32_t n = be32(hdr);
    if (n > CHANNEL_MAX) {
        errno = EPROTO;
        return NULL;
    }
    char *body = malloc(n ? n : 1);
    if (!body)
        return NULL;
    if (read_all(fd, body, n) < 0) {
        free(body);
        return NULL;
    }
    json_t *msg = json_loadb(body, n, 0, NULL);
    free(body);
    if (msg && !json_is_object(msg)) {
        json_decref(msg);
        errno = EPROTO;
        return NULL;
    }
    return msg;
}

long channel_reader_fill(channel_reader *r, int fd)
{
    long total = 0;
    for (;;) {
        if (r->cap - r->len < 65536) {
            size_t cap = r->cap ? r->cap * 2 : 131072;
            char *b = realloc(r->buf, cap);
            if (!b)
                return -1;
            r->buf = b;
            r->cap = cap;
        }
        ssize_t n = read(fd, r->buf + r->len, r->cap - r->len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return total;
            return -1;
        }
        if (n == 0) {
            r->eof = 1;
            return total;
        }
        r->len += (size_t)n;
        total += n;
    }
}

json_t *channel_reader_next(channel_reader *r, int *bad)
{
    *bad = 0;
    if (r->len < 4)
        return NULL;
    uint32_t n = be32(r->buf);
    if (n > CHANNEL_MAX) {
        /* Nothing after a corrupt length can be trusted. */
        r->len = 0;
        *bad = 1;
        return NULL;
    }
    if (r->len < 4 + (size_t)n)
        return NULL;
    json_t *msg = json_loadb(r->buf + 4, n, 0, NULL);
    memmove(r->buf, r->buf + 4 + n, r->len - 4 - n);
    r->len -= 4 + (size_t)n;
    if (!msg || !json_is_object(msg)) {
        json_decref(msg);
        *bad = 1;
        return NULL;
    }
    return msg;
}

void channel_reader_clear(channel_reader *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

json_t *channel_error_content(const char *ename, const char *evalue, json_t *traceback)
{
    if (!traceback) {
        traceback = json_array();
        json_array_append_new(traceback, json_sprintf("%s: %s", ename, evalue));
    }
    return json_pack("{s:s, s:s, s:o}", "ename", ename, "evalue", evalue, "traceback", traceback);
}
