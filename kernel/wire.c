/* wire.c — see wire.h.  The order of checks matters: layout, then signature,
 * then JSON, so an unauthenticated peer can never reach the JSON parser. */
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

/* err->text = fmt with one optional %s (arg); NULL err is allowed. */
static void set_err(wire_error *err, const char *fmt, const char *arg)
{
    if (err == NULL)
        return;
    if (arg == NULL)
        snprintf(err->text, sizeof err->text, "%s", fmt);
    else
        snprintf(err->text, sizeof err->text, fmt, arg);
}

static int frame_copy(wire_frame *dst, const wire_frame *src)
{
    /* +1 so a copy is always safely NUL-terminated for callers that log an
     * identity; size still excludes it. */
    dst->data = malloc(src->size + 1);
    if (dst->data == NULL)
        return -1;
    if (src->size > 0)
        memcpy(dst->data, src->data, src->size);
    ((char *)dst->data)[src->size] = '\0';
    dst->size = src->size;
    return 0;
}

void wire_frames_free(wire_frame *frames, size_t n)
{
    size_t i;
    if (frames == NULL)
        return;
    for (i = 0; i < n; i++)
        free(frames[i].data);
    free(frames);
}

void wire_msg_destroy(wire_msg **self_p)
{
    wire_msg *m = *self_p;
    if (m == NULL)
        return;
    wire_frames_free(m->ids, m->nids);
    wire_frames_free(m->buffers, m->nbuffers);
    json_decref(m->header);
    json_decref(m->parent_header);
    json_decref(m->metadata);
    json_decref(m->content);
    free(m);
    *self_p = NULL;
}

static json_t *parse_object(const wire_frame *f, const char *what, wire_error *err)
{
    json_error_t jerr;
    json_t *v;

    /* JSON_DISALLOW_NULL is about the top level being null; the object
     * check below covers it.  Duplicate keys are refused: two readers could
     * otherwise disagree about what was signed. */
    v = json_loadb(f->data, f->size, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        set_err(err, "%s frame is not valid JSON", what);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        set_err(err, "%s frame is not a JSON object", what);
        return NULL;
    }
    return v;
}

wire_msg *wire_decode(const wire_frame *frames, size_t nframes, sign *sg, wire_error *err)
{
    static const size_t dlen = sizeof WIRE_DELIM - 1;
    size_t d, i;
    sign_part parts[4];
    char serr[96];
    wire_msg *m;
    json_t *mt;

    for (d = 0; d < nframes; d++)
        if (frames[d].size == dlen && memcmp(frames[d].data, WIRE_DELIM, dlen) == 0)
            break;
    if (d == nframes) {
        set_err(err, "no <IDS|MSG> delimiter", NULL);
        return NULL;
    }
    if (nframes - d < 6) {
        set_err(err, "truncated message (fewer than 5 frames after the delimiter)", NULL);
        return NULL;
    }
    for (i = 0; i < 4; i++) {
        parts[i].data = frames[d + 2 + i].data;
        parts[i].size = frames[d + 2 + i].size;
    }
    if (sign_verify(sg, frames[d + 1].data, frames[d + 1].size, parts, 4, serr, sizeof serr) < 0) {
        set_err(err, "%s", serr);
        return NULL;
    }

    m = calloc(1, sizeof *m);
    if (m == NULL) {
        set_err(err, "out of memory", NULL);
        return NULL;
    }
    if ((m->header = parse_object(&frames[d + 2], "header", err)) == NULL ||
        (m->parent_header = parse_object(&frames[d + 3], "parent_header", err)) == NULL ||
        (m->metadata = parse_object(&frames[d + 4], "metadata", err)) == NULL ||
        (m->content = parse_object(&frames[d + 5], "content", err)) == NULL)
        goto fail;
    mt = json_object_get(m->header, "msg_type");
    if (!json_is_string(mt) || json_string_length(mt) == 0) {
        set_err(err, "header has no msg_type", NULL);
        goto fail;
    }
    m->msg_type = json_string_value(mt);

    m->nids = d;
    m->nbuffers = nframes - d - 6;
    m->ids = calloc(m->nids ? m->nids : 1, sizeof *m->ids);
    m->buffers = calloc(m->nbuffers ? m->nbuffers : 1, sizeof *m->buffers);
    if (m->ids == NULL || m->buffers == NULL)
        goto oom;
    for (i = 0; i < m->nids; i++)
        if (frame_copy(&m->ids[i], &frames[i]) < 0)
            goto oom;
    for (i = 0; i < m->nbuffers; i++)
        if (frame_copy(&m->buffers[i], &frames[d + 6 + i]) < 0)
            goto oom;
    return m;

oom:
    set_err(err, "out of memory", NULL);
fail:
    wire_msg_destroy(&m);
    return NULL;
}

static int dump_frame(json_t *v, wire_frame *f)
{
    json_t *empty = NULL;
    char *s;
    if (v == NULL)
        v = empty = json_object();
    s = json_dumps(v, JSON_COMPACT);
    json_decref(empty);
    if (s == NULL)
        return -1;
    f->data = s;
    f->size = strlen(s);
    return 0;
}

int wire_encode(const sign *sg, const wire_frame *ids, size_t nids, json_t *header, json_t *parent,
                json_t *metadata, json_t *content, const wire_frame *buffers, size_t nbuffers,
                wire_frame **out, size_t *nout, wire_error *err)
{
    size_t n = nids + 6 + nbuffers;
    wire_frame *f = calloc(n, sizeof *f);
    wire_frame delim = { WIRE_DELIM, sizeof WIRE_DELIM - 1 };
    sign_part parts[4];
    char sig[SIGN_HEX_MAX + 1];
    size_t i;

    if (f == NULL)
        goto oom;
    for (i = 0; i < nids; i++)
        if (frame_copy(&f[i], &ids[i]) < 0)
            goto oom;
    if (frame_copy(&f[nids], &delim) < 0)
        goto oom;
    if (dump_frame(header, &f[nids + 2]) < 0 || dump_frame(parent, &f[nids + 3]) < 0 ||
        dump_frame(metadata, &f[nids + 4]) < 0 || dump_frame(content, &f[nids + 5]) < 0) {
        set_err(err, "cannot serialise message (invalid UTF-8?)", NULL);
        wire_frames_free(f, n);
        return -1;
    }
    for (i = 0; i < 4; i++) {
        parts[i].data = f[nids + 2 + i].data;
        parts[i].size = f[nids + 2 + i].size;
    }
    if (sign_compute(sg, parts, 4, sig) < 0) {
        set_err(err, "signing failed", NULL);
        wire_frames_free(f, n);
        return -1;
    }
    {
        wire_frame sf = { sig, strlen(sig) };
        if (frame_copy(&f[nids + 1], &sf) < 0)
            goto oom;
    }
    for (i = 0; i < nbuffers; i++)
        if (frame_copy(&f[nids + 6 + i], &buffers[i]) < 0)
            goto oom;
    *out = f;
    *nout = n;
    return 0;

oom:
    set_err(err, "out of memory", NULL);
    wire_frames_free(f, n);
    return -1;
}

/* The bytes come from getrandom(2), not OpenSSL's RAND_bytes: msg_ids need
 * uniqueness, not a DRBG, and the first RAND_bytes instantiated OpenSSL's
 * AES-CTR DRBG, whose fetch built the default provider's whole cipher table
 * (some 140 KB of the kernel's heap, 35 pages, for the life of the kernel). */
void wire_uuid(char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* Only uniqueness matters for msg_ids, not secrecy. */
        struct timespec ts;
        size_t i;
        clock_gettime(CLOCK_REALTIME, &ts);
        srand((unsigned)(ts.tv_nsec ^ ts.tv_sec));
        for (i = 0; i < sizeof b; i++)
            b[i] = (unsigned char)rand();
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

json_t *wire_header_new(const char *msg_type, const char *session)
{
    char id[37], date[48];
    struct timeval tv;
    struct tm tm;
    size_t len;

    wire_uuid(id);
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    len = strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(date + len, sizeof date - len, ".%06ldZ", (long)tv.tv_usec);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", session, "username",
                     "chalk", "date", date, "msg_type", msg_type, "version", WIRE_PROTOCOL_VERSION);
}
