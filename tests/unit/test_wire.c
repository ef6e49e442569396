/* test_wire.c — frames <-> messages (kernel/wire.c) and the UTF-8 repair
 * that text passes before it goes into JSON (kernel/utf8.c).
 *
 * Every frame here is malloc'd at its exact size with no terminating NUL, so
 * valgrind or ASan catch a decoder that reads past a frame. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "utf8.h"
#include "wire.h"

#define KEY "secret-key"

static wire_frame fr(const char *s)
{
    wire_frame f;
    f.size = strlen(s);
    f.data = malloc(f.size ? f.size : 1);
    memcpy(f.data, s, f.size);
    return f;
}

/* A frame list: ids..., delim, signature over h/p/m/c, h, p, m, c. */
static size_t build(wire_frame *out, const sign *sg, const char *h, const char *p, const char *m,
                    const char *c, int with_id)
{
    char sig[SIGN_HEX_MAX + 1];
    sign_part parts[4] = { { h, strlen(h) }, { p, strlen(p) }, { m, strlen(m) }, { c, strlen(c) } };
    size_t n = 0;
    sign_compute(sg, parts, 4, sig);
    if (with_id)
        out[n++] = fr("client-1");
    out[n++] = fr(WIRE_DELIM);
    out[n++] = fr(sig);
    out[n++] = fr(h);
    out[n++] = fr(p);
    out[n++] = fr(m);
    out[n++] = fr(c);
    return n;
}

static void release(wire_frame *f, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(f[i].data);
}

static const char *H =
    "{\"msg_id\":\"1\",\"msg_type\":\"execute_request\",\"session\":\"s\",\"username\":\"u\","
    "\"date\":\"2026-01-01T00:00:00Z\",\"version\":\"5.3\"}";

/* Decode a message built from these four JSON texts; returns 1 if dropped and
 * err contains `why`. */
static int dropped(sign *sg, const char *h, const char *p, const char *m, const char *c,
                   const char *why)
{
    wire_frame f[8];
    size_t n = build(f, sg, h, p, m, c, 1);
    wire_error err;
    wire_msg *msg;
    int ok;

    memset(&err, 0, sizeof err);
    msg = wire_decode(f, n, sg, &err);
    ok = msg == NULL && strstr(err.text, why) != NULL;
    if (!ok)
        fprintf(stderr, "  decode gave %p, err '%s', wanted '%s'\n", (void *)msg, err.text, why);
    wire_msg_destroy(&msg);
    release(f, n);
    return ok;
}

static void test_roundtrip(sign *sg)
{
    json_t *h = wire_header_new("kernel_info_reply", "sess-1");
    json_t *parent = json_pack("{s:s}", "msg_id", "p1");
    json_t *content = json_pack("{s:s, s:s}", "status", "ok", "text", "h\xc3\xa9llo");
    wire_frame ids[2] = { { "id-a", 4 }, { "\x00\x01\x02", 3 } };
    wire_frame bufs[1] = { { "\x00\xff binary", 9 } };
    wire_frame *out = NULL;
    size_t nout = 0, i;
    wire_error err;
    wire_msg *m;

    CHECK(h != NULL);
    CHECK(strcmp(json_string_value(json_object_get(h, "version")), WIRE_PROTOCOL_VERSION) == 0);
    CHECK(strlen(json_string_value(json_object_get(h, "msg_id"))) == 36);
    CHECK(json_string_value(json_object_get(h, "date"))[26] == 'Z');
    CHECK(wire_encode(sg, ids, 2, h, parent, NULL, content, bufs, 1, &out, &nout, &err) == 0);
    CHECK(nout == 2 + 6 + 1);
    CHECK(out[1].size == 0 || memcmp(out[2].data, WIRE_DELIM, 9) == 0);
    CHECK(out[3].size == 64);

    /* The decoder must work on exact-size copies (no NUL after the data). */
    {
        wire_frame exact[9];
        for (i = 0; i < nout; i++) {
            exact[i].size = out[i].size;
            exact[i].data = malloc(out[i].size ? out[i].size : 1);
            memcpy(exact[i].data, out[i].data, out[i].size);
        }
        m = wire_decode(exact, nout, sg, &err);
        CHECK(m != NULL);
        if (m != NULL) {
            CHECK(strcmp(m->msg_type, "kernel_info_reply") == 0);
            CHECK(m->nids == 2 && m->ids[1].size == 3 &&
                  memcmp(m->ids[1].data, "\x00\x01\x02", 3) == 0);
            CHECK(m->nbuffers == 1 && m->buffers[0].size == 9 &&
                  memcmp(m->buffers[0].data, "\x00\xff binary", 9) == 0);
            CHECK(json_equal(m->content, content));
            CHECK(json_equal(m->parent_header, parent));
            CHECK(json_object_size(m->metadata) == 0);
        }
        wire_msg_destroy(&m);
        CHECK(m == NULL);
        /* The very same frames again: a replay, dropped. */
        m = wire_decode(exact, nout, sg, &err);
        CHECK(m == NULL && strstr(err.text, "replay") != NULL);
        release(exact, nout);
    }
    wire_frames_free(out, nout);
    json_decref(h);
    json_decref(parent);
    json_decref(content);
}

static void test_layout(sign *sg)
{
    wire_frame f[8];
    size_t n, k;
    wire_error err;

    /* No delimiter at all. */
    n = build(f, sg, H, "{}", "{}", "{}", 1);
    free(f[1].data);
    f[1] = fr("<IDS|MSG");
    CHECK(wire_decode(f, n, sg, &err) == NULL && strstr(err.text, "delimiter") != NULL);
    release(f, n);

    /* Every truncation of a good message is refused without reading past
     * the list (n - 1 ... 0 frames). */
    n = build(f, sg, H, "{}", "{}", "{\"code\":\"1;\"}", 1);
    for (k = n; k-- > 0;) {
        wire_msg *m = wire_decode(f, k, sg, &err);
        CHECK(m == NULL);
        wire_msg_destroy(&m);
    }
    release(f, n);

    /* No identities is fine (a DEALER with no routing prefix). */
    n = build(f, sg, H, "{}", "{}", "{}", 0);
    {
        wire_msg *m = wire_decode(f, n, sg, &err);
        CHECK(m != NULL && m->nids == 0);
        wire_msg_destroy(&m);
    }
    release(f, n);

    /* A wrong signature is reported as such even when the JSON is garbage:
     * the signature is checked before any parsing. */
    n = build(f, sg, "not json", "{}", "{}", "{}", 1);
    ((char *)f[2].data)[5] ^= 1;
    CHECK(wire_decode(f, n, sg, &err) == NULL && strstr(err.text, "signature") != NULL);
    release(f, n);

    n = build(f, sg, H, "{}", "{}", "{}", 1);
    free(f[2].data);
    f[2] = fr("");
    CHECK(wire_decode(f, n, sg, &err) == NULL && strstr(err.text, "unsigned") != NULL);
    release(f, n);
}

static void test_json(sign *sg)
{
    CHECK(dropped(sg, "{\"msg_type\":", "{}", "{}", "{}", "header frame is not valid JSON"));
    CHECK(dropped(sg, H, "nul\x01l", "{}", "{}", "parent_header frame is not valid JSON"));
    CHECK(dropped(sg, H, "{}", "[]", "{}", "metadata frame is not a JSON object"));
    CHECK(dropped(sg, H, "{}", "{}", "\"text\"", "content frame is not"));
    CHECK(dropped(sg, H, "{}", "{}", "{} {}", "content frame is not valid JSON"));
    CHECK(dropped(sg, H, "{}", "{}", "{\"\xff\":1}", "content frame is not valid JSON"));
    CHECK(dropped(sg, H, "{}", "{}", "{\"a\":1,\"a\":2}", "content frame is not valid JSON"));
    CHECK(dropped(sg, "{\"msg_id\":\"x\"}", "{}", "{}", "{}", "msg_type"));
    CHECK(dropped(sg, "{\"msg_type\":7}", "{}", "{}", "{}", "msg_type"));
    CHECK(dropped(sg, "{\"msg_type\":\"\"}", "{}", "{}", "{}", "msg_type"));
}

static void test_noauth(void)
{
    char err[64];
    sign *off = sign_new("", 0, NULL, 0, err, sizeof err);
    wire_frame f[8];
    size_t n = build(f, off, H, "{}", "{}", "{}", 1);
    wire_error werr;
    wire_msg *m;

    CHECK(f[2].size == 0); /* empty signature frame */
    m = wire_decode(f, n, off, &werr);
    CHECK(m != NULL);
    wire_msg_destroy(&m);
    /* Without a key nothing is remembered: the spec has no replay rule. */
    m = wire_decode(f, n, off, &werr);
    CHECK(m != NULL);
    wire_msg_destroy(&m);
    release(f, n);
    sign_destroy(&off);
}

static int utf8_is(const char *in, size_t n, const char *want, size_t want_consumed)
{
    size_t consumed = 99;
    char *out = utf8_sanitize(in, n, &consumed);
    int ok = out != NULL && strcmp(out, want) == 0 && consumed == want_consumed &&
             utf8_valid(out, strlen(out));
    if (!ok)
        fprintf(stderr, "  utf8_sanitize gave '%s' consumed %zu\n", out ? out : "(null)", consumed);
    free(out);
    return ok;
}

#define FFFD "\xEF\xBF\xBD"

static void test_utf8(void)
{
    CHECK(utf8_is("plain", 5, "plain", 5));
    CHECK(utf8_is("h\xc3\xa9", 3, "h\xc3\xa9", 3));
    CHECK(utf8_is("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", 4)); /* U+1F600 */
    CHECK(utf8_is("a\xff"
                  "b",
                  3, "a" FFFD "b", 3));
    CHECK(utf8_is("\xc0\xaf", 2, FFFD FFFD, 2));                   /* overlong '/' */
    CHECK(utf8_is("\xe0\x80\xaf", 3, FFFD FFFD FFFD, 3));          /* overlong, 3 bytes */
    CHECK(utf8_is("\xed\xa0\x80", 3, FFFD FFFD FFFD, 3));          /* surrogate D800 */
    CHECK(utf8_is("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD, 4)); /* > U+10FFFF */
    CHECK(utf8_is("\xe2\x82x", 3, FFFD "x", 3));                   /* maximal subpart */
    CHECK(utf8_is("a\0b", 3, "a" FFFD "b", 3));                    /* NUL */
    /* A character cut by the end of a read is kept for the next one. */
    CHECK(utf8_is("ab\xe2\x82", 4, "ab", 2));
    CHECK(utf8_is("\xf0\x9f\x98", 3, "", 0));
    CHECK(utf8_is("ab\xc3", 3, "ab", 2));
    /* ...but an invalid tail is not held back. */
    CHECK(utf8_is("ab\xff", 3, "ab" FFFD, 3));
    {
        /* Split "é€" at every point: the two halves joined give the whole. */
        const char *s = "\xc3\xa9\xe2\x82\xac";
        size_t cut;
        int all = 1;
        for (cut = 0; cut <= 5; cut++) {
            char buf[8], *a, *b, joined[16];
            size_t used = 0, rest;
            a = utf8_sanitize(s, cut, &used);
            rest = cut - used;
            memcpy(buf, s + used, rest);
            memcpy(buf + rest, s + cut, 5 - cut);
            b = utf8_sanitize_all(buf, rest + 5 - cut);
            snprintf(joined, sizeof joined, "%s%s", a, b);
            all &= strcmp(joined, s) == 0;
            free(a);
            free(b);
        }
        CHECK(all);
    }
    {
        char *t = utf8_sanitize_all("x\xe2\x82", 3);
        CHECK(t != NULL && strcmp(t, "x" FFFD) == 0);
        free(t);
    }
    CHECK(utf8_valid("h\xc3\xa9", 3));
    CHECK(!utf8_valid("h\xc3", 2));
    CHECK(!utf8_valid("a\0", 2));
}

/* msg_ids: the version-4 layout, all distinct, and drawn without OpenSSL's
 * DRBG, whose first use built the default provider's cipher table (over
 * 100 KB of heap kept for the life of the kernel); a few bytes of stdio
 * aside, making ids allocates nothing.  Run first: nothing before it has
 * touched OpenSSL's random generator. */
static void test_uuid(void)
{
    static char ids[200][37];
    struct mallinfo2 before = mallinfo2(), after;
    size_t i, j, bad = 0, same = 0;
    for (i = 0; i < 200; i++)
        wire_uuid(ids[i]);
    after = mallinfo2();
    CHECK(after.uordblks + after.hblkhd < before.uordblks + before.hblkhd + 4096);
    for (i = 0; i < 200; i++) {
        const char *u = ids[i];
        if (strlen(u) != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' ||
            u[14] != '4' || !strchr("89ab", u[19]))
            bad++;
        for (j = 0; j < i; j++)
            same += strcmp(ids[j], u) == 0;
    }
    CHECK(bad == 0);
    CHECK(same == 0);
}

int main(void)
{
    char err[64];
    sign *sg = sign_new(KEY, strlen(KEY), "hmac-sha256", 0, err, sizeof err);

    test_uuid();
    CHECK(sg != NULL);
    test_roundtrip(sg);
    test_layout(sg);
    test_json(sg);
    test_noauth();
    test_utf8();
    sign_destroy(&sg);
    return tap_done();
}
