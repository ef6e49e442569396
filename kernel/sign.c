/* sign.c — see sign.h.
 *
 * The replay history is a ring of the last N digests (N a power of two) plus
 * an open-addressing hash set of ring slots, so a lookup is O(1) and memory is
 * bounded (N = 65536: 2 MiB of digests, 512 KiB of index).  Both start at
 * HIST_START entries and double while the ring fills, up to N: allocated at
 * full size, the index alone became resident a page per message (each digest
 * lands on a random one of its 128 pages, all of them after some 600
 * messages), where a session of M messages now holds 40 bytes per message,
 * rounded up to a power of two.  Removing the oldest entry uses
 * backward-shift deletion so linear probing needs no tombstones.
 * Only verified digests enter: they are HMAC outputs, uniformly distributed,
 * so their first bytes serve as the hash.  The history keeps the first 32
 * bytes of each digest (zero-padded for shorter ones, sha1's 20): two
 * different messages sharing 32 bytes of HMAC is as unlikely as forging one.
 *
 * hmac-sha256 and hmac-sha512 are computed with libsodium (in the process
 * anyway: libzmq links it); every other digest through OpenSSL, whose
 * libcrypto is opened only when a scheme needs it (libcrypto.h says why).
 * The names that select libsodium are the ones OpenSSL gives SHA2-256 and
 * SHA2-512 (any case, '_' read as '-'), so a scheme means the same digest
 * whichever library computes it.
 */
#include "sign.h"

#include <assert.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libcrypto.h"

/* Bytes of a digest kept by the replay history. */
#define HIST_BYTES 32
/* Entries the history starts with (grown by doubling). */
#define HIST_START 64

static_assert(SIGN_HEX_MAX == 2 * EVP_MAX_MD_SIZE, "SIGN_HEX_MAX must hold the largest digest");

/* Who computes the HMAC. */
typedef enum { VIA_SHA256, VIA_SHA512, VIA_OPENSSL } via;

struct sign {
    via via;
    size_t mdsize; /* digest bytes */
    int enabled;
    /* keyed states, copied for each message */
    crypto_auth_hmacsha256_state s256;
    crypto_auth_hmacsha512_state s512;
    const libcrypto_api *ossl; /* VIA_OPENSSL */
    EVP_MAC *mac;
    EVP_MAC_CTX *base; /* initialised with the key; duplicated per message */
    /* replay history */
    size_t cap;   /* ring size now, power of two */
    size_t max;   /* the most it grows to, power of two */
    size_t count; /* entries in the ring */
    size_t head;  /* next ring slot to write */
    unsigned char (*ring)[HIST_BYTES];
    uint32_t *index; /* 2*cap slots, 0 = empty, else ring slot + 1 */
};

static void set_err(char *err, size_t errlen, const char *text)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", text);
}

/* Whether `name` (the digest part of the scheme, '_' already read as '-')
 * is one of OpenSSL's names for the digest of `bits` bits of SHA-2. */
static int names_sha2(const char *name, const char *bits)
{
    static const char *const prefix[] = { "sha", "sha2-", "sha-" };
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++) {
        size_t n = strlen(prefix[i]);
        if (strncasecmp(name, prefix[i], n) == 0 && strcmp(name + n, bits) == 0)
            return 1;
    }
    return 0;
}

/* The OpenSSL digest a name gives, or NULL (err filled). */
static EVP_MD *openssl_digest(const libcrypto_api *o, const char *scheme, char *name, char *err,
                              size_t errlen)
{
    EVP_MD *md = o->EVP_MD_fetch(NULL, name, NULL);
    if (md == NULL) {
        for (size_t i = 0; name[i] != '\0'; i++)
            if (name[i] == '_')
                name[i] = '-';
        md = o->EVP_MD_fetch(NULL, name, NULL);
    }
    /* An XOF (shake) has no fixed size and HMAC is not defined for it. */
    if (md != NULL && ((o->EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) != 0 ||
                       o->EVP_MD_get_size(md) <= 0 || o->EVP_MD_get_size(md) > EVP_MAX_MD_SIZE)) {
        o->EVP_MD_free(md);
        md = NULL;
    }
    if (md == NULL && err != NULL && errlen > 0)
        snprintf(err, errlen,
                 "unsupported signature_scheme '%.40s': OpenSSL has no digest '%.40s' for HMAC",
                 scheme, scheme + 5);
    return md;
}

/* Key an OpenSSL HMAC of digest md; 0 or -1 (err filled). */
static int openssl_key(sign *self, EVP_MD *md, const void *key, size_t keylen, char *err,
                       size_t errlen)
{
    const libcrypto_api *o = self->ossl;
    char digest[64];
    OSSL_PARAM params[2];

    snprintf(digest, sizeof digest, "%s", o->EVP_MD_get0_name(md));
    self->mac = o->EVP_MAC_fetch(NULL, "HMAC", NULL);
    self->base = self->mac ? o->EVP_MAC_CTX_new(self->mac) : NULL;
    params[0] = o->OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[1] = o->OSSL_PARAM_construct_end();
    if (self->base == NULL || !o->EVP_MAC_init(self->base, key, keylen, params) ||
        o->EVP_MAC_CTX_get_mac_size(self->base) != self->mdsize) {
        set_err(err, errlen, "OpenSSL HMAC unavailable for this signature_scheme");
        return -1;
    }
    return 0;
}

sign *sign_new(const void *key, size_t keylen, const char *scheme, size_t history, char *err,
               size_t errlen)
{
    char name[64];
    EVP_MD *md = NULL;

    if (scheme == NULL || scheme[0] == '\0')
        scheme = "hmac-sha256";
    if (strncmp(scheme, "hmac-", 5) != 0 || strlen(scheme + 5) >= sizeof name ||
        scheme[5] == '\0') {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen,
                     "unsupported signature_scheme '%.40s' (want hmac-<digest>, e.g. hmac-sha256)",
                     scheme);
        return NULL;
    }
    snprintf(name, sizeof name, "%s", scheme + 5);
    char dashed[64];
    snprintf(dashed, sizeof dashed, "%s", name);
    for (size_t i = 0; dashed[i] != '\0'; i++)
        if (dashed[i] == '_')
            dashed[i] = '-';

    sign *self = calloc(1, sizeof *self);
    if (self == NULL) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    if (names_sha2(dashed, "256")) {
        self->via = VIA_SHA256;
        self->mdsize = crypto_auth_hmacsha256_BYTES;
    } else if (names_sha2(dashed, "512")) {
        self->via = VIA_SHA512;
        self->mdsize = crypto_auth_hmacsha512_BYTES;
    } else {
        self->via = VIA_OPENSSL;
        self->ossl = libcrypto_get(err, errlen);
        if (self->ossl == NULL ||
            (md = openssl_digest(self->ossl, scheme, name, err, errlen)) == NULL) {
            sign_destroy(&self);
            return NULL;
        }
        self->mdsize = (size_t)self->ossl->EVP_MD_get_size(md);
    }
    if (keylen == 0) {
        if (md != NULL)
            self->ossl->EVP_MD_free(md);
        return self; /* authentication off */
    }

    self->enabled = 1;
    if (self->via != VIA_OPENSSL && sodium_init() < 0) {
        set_err(err, errlen, "libsodium cannot be initialised");
        sign_destroy(&self);
        return NULL;
    }
    if (self->via == VIA_SHA256)
        crypto_auth_hmacsha256_init(&self->s256, key, keylen);
    else if (self->via == VIA_SHA512)
        crypto_auth_hmacsha512_init(&self->s512, key, keylen);
    else {
        int rc = openssl_key(self, md, key, keylen, err, errlen);
        self->ossl->EVP_MD_free(md);
        if (rc < 0) {
            sign_destroy(&self);
            return NULL;
        }
    }

    if (history == 0)
        history = SIGN_HISTORY_DEFAULT;
    self->max = 1;
    while (self->max < history)
        self->max <<= 1;
    self->cap = self->max < HIST_START ? self->max : HIST_START;
    self->ring = calloc(self->cap, sizeof *self->ring);
    self->index = calloc(self->cap * 2, sizeof *self->index);
    if (self->ring == NULL || self->index == NULL) {
        set_err(err, errlen, "out of memory");
        sign_destroy(&self);
        return NULL;
    }
    return self;
}

void sign_destroy(sign **self_p)
{
    sign *self = *self_p;
    if (self == NULL)
        return;
    if (self->ossl != NULL) {
        self->ossl->EVP_MAC_CTX_free(self->base);
        self->ossl->EVP_MAC_free(self->mac);
    }
    sodium_memzero(&self->s256, sizeof self->s256); /* keyed: as secret as the key */
    sodium_memzero(&self->s512, sizeof self->s512);
    free(self->ring);
    free(self->index);
    free(self);
    *self_p = NULL;
}

int sign_enabled(const sign *self)
{
    return self->enabled;
}

size_t sign_history_bytes(const sign *self)
{
    return self->cap * (sizeof *self->ring + 2 * sizeof *self->index);
}

size_t sign_digest_size(const sign *self)
{
    return self->mdsize;
}

static int hmac(const sign *self, const sign_part *parts, size_t nparts,
                unsigned char out[EVP_MAX_MD_SIZE])
{
    size_t i;
    if (self->via == VIA_SHA256) {
        crypto_auth_hmacsha256_state st = self->s256;
        for (i = 0; i < nparts; i++)
            crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].size);
        crypto_auth_hmacsha256_final(&st, out);
        sodium_memzero(&st, sizeof st);
        return 0;
    }
    if (self->via == VIA_SHA512) {
        crypto_auth_hmacsha512_state st = self->s512;
        for (i = 0; i < nparts; i++)
            crypto_auth_hmacsha512_update(&st, parts[i].data, parts[i].size);
        crypto_auth_hmacsha512_final(&st, out);
        sodium_memzero(&st, sizeof st);
        return 0;
    }
    const libcrypto_api *o = self->ossl;
    EVP_MAC_CTX *ctx = o->EVP_MAC_CTX_dup(self->base);
    size_t outlen = 0;
    int ok = ctx != NULL;

    for (i = 0; ok && i < nparts; i++)
        ok = o->EVP_MAC_update(ctx, parts[i].data, parts[i].size);
    ok = ok && o->EVP_MAC_final(ctx, out, &outlen, EVP_MAX_MD_SIZE) && outlen == self->mdsize;
    o->EVP_MAC_CTX_free(ctx);
    return ok ? 0 : -1;
}

int sign_compute(const sign *self, const sign_part *parts, size_t nparts,
                 char out[SIGN_HEX_MAX + 1])
{
    static const char hexdig[] = "0123456789abcdef";
    unsigned char d[EVP_MAX_MD_SIZE];
    size_t i;

    out[0] = '\0';
    if (!self->enabled)
        return 0;
    if (hmac(self, parts, nparts, d) < 0)
        return -1;
    for (i = 0; i < self->mdsize; i++) {
        out[2 * i] = hexdig[d[i] >> 4];
        out[2 * i + 1] = hexdig[d[i] & 15];
    }
    out[2 * self->mdsize] = '\0';
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sign_hex_decode(const char *hex, size_t len, unsigned char *out, size_t outlen)
{
    size_t i;
    if (len != 2 * outlen)
        return -1;
    for (i = 0; i < outlen; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* ---- replay history ---------------------------------------------------- */

static size_t slot_of(const sign *self, const unsigned char d[HIST_BYTES])
{
    uint64_t h;
    memcpy(&h, d, sizeof h);
    return (size_t)h & (self->cap * 2 - 1);
}

static int history_has(const sign *self, const unsigned char d[HIST_BYTES])
{
    size_t mask = self->cap * 2 - 1;
    size_t s = slot_of(self, d);
    while (self->index[s] != 0) {
        if (memcmp(self->ring[self->index[s] - 1], d, HIST_BYTES) == 0)
            return 1;
        s = (s + 1) & mask;
    }
    return 0;
}

static void history_remove(sign *self, uint32_t ringslot)
{
    size_t mask = self->cap * 2 - 1;
    size_t s = slot_of(self, self->ring[ringslot]);
    size_t j;

    while (self->index[s] != ringslot + 1)
        s = (s + 1) & mask;
    /* Backward-shift: pull later entries of the cluster into the hole when
     * their home slot does not lie cyclically in (hole, j]. */
    j = s;
    for (;;) {
        size_t home;
        self->index[s] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (self->index[j] == 0)
                return;
            home = slot_of(self, self->ring[self->index[j] - 1]);
            if (s <= j ? (s < home && home <= j) : (s < home || home <= j))
                continue;
            break;
        }
        self->index[s] = self->index[j];
        s = j;
    }
}

/* Double the ring and the index of a full ring that has never wrapped (so
 * its entries are slots 0..cap-1 in order and head is 0).  -1 when out of
 * memory: the history then keeps its size, evicting as a full one does. */
static int history_grow(sign *self)
{
    size_t cap = self->cap * 2, mask = cap * 2 - 1;
    unsigned char(*ring)[HIST_BYTES] = realloc(self->ring, cap * sizeof *ring);
    if (ring == NULL)
        return -1;
    self->ring = ring;
    uint32_t *index = calloc(cap * 2, sizeof *index);
    if (index == NULL)
        return -1;
    free(self->index);
    self->index = index;
    self->cap = cap;
    for (size_t r = 0; r < self->count; r++) {
        size_t s = slot_of(self, self->ring[r]);
        while (self->index[s] != 0)
            s = (s + 1) & mask;
        self->index[s] = (uint32_t)r + 1;
    }
    self->head = self->count;
    return 0;
}

static void history_add(sign *self, const unsigned char d[HIST_BYTES])
{
    if (self->count == self->cap && self->cap < self->max && self->head == 0)
        (void)history_grow(self);
    size_t mask = self->cap * 2 - 1;
    uint32_t r = (uint32_t)self->head;
    size_t s;

    if (self->count == self->cap)
        history_remove(self, r);
    else
        self->count++;
    memcpy(self->ring[r], d, HIST_BYTES);
    s = slot_of(self, d);
    while (self->index[s] != 0)
        s = (s + 1) & mask;
    self->index[s] = r + 1;
    self->head = (self->head + 1) & (self->cap - 1);
}

int sign_verify(sign *self, const void *sig, size_t siglen, const sign_part *parts, size_t nparts,
                char *err, size_t errlen)
{
    unsigned char given[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE], seen[HIST_BYTES];

    if (!self->enabled)
        return 0;
    if (siglen == 0) {
        set_err(err, errlen, "unsigned message");
        return -1;
    }
    if (sign_hex_decode(sig, siglen, given, self->mdsize) < 0) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "malformed signature (want %zu hex digits)", 2 * self->mdsize);
        return -1;
    }
    if (hmac(self, parts, nparts, want) < 0) {
        set_err(err, errlen, "HMAC computation failed");
        return -1;
    }
    /* Constant time: an attacker must learn nothing from how long a wrong
     * signature takes to reject. */
    if (sodium_memcmp(given, want, self->mdsize) != 0) {
        set_err(err, errlen, "invalid signature");
        return -1;
    }
    memset(seen, 0, sizeof seen);
    memcpy(seen, want, self->mdsize < HIST_BYTES ? self->mdsize : HIST_BYTES);
    if (history_has(self, seen)) {
        set_err(err, errlen, "replayed signature");
        return -1;
    }
    history_add(self, seen);
    return 0;
}
