/* sign.h — HMAC signatures of Jupyter messages and a replay history.
 *
 * The scheme is "hmac-<digest>" with any digest OpenSSL provides by that
 * name (sha256, sha512, sha1, sha3-256 or jupyter_client's sha3_256, ...):
 * it is looked up through OpenSSL, never in a table of our own, except
 * OpenSSL's names of SHA-256 and SHA-512, which libsodium computes (so the
 * kernel does not load libcrypto for the scheme every front end uses).  The
 * signature covers the header, parent_header, metadata and content frames
 * exactly as they arrived (never a re-serialisation), so verification happens
 * before any JSON is parsed.  A signature must be exactly twice the digest's
 * size in hex digits; it is compared in constant time.  Verified signatures are remembered (a bounded
 * history, like jupyter_client's digest_history) and a repeat is rejected as
 * a replay.  An empty key turns authentication off, as the spec says.
 * Beware: the key is secret: nothing here logs it, and error texts never
 * contain it or a computed digest.
 */
#ifndef CHALK_SIGN_H
#define CHALK_SIGN_H

#include <stddef.h>

typedef struct sign sign;

/* One frame to sign: pointer and length, as received. */
typedef struct sign_part {
    const void *data;
    size_t size;
} sign_part;

/* Longest signature in hex digits (EVP_MAX_MD_SIZE bytes, checked in sign.c). */
#define SIGN_HEX_MAX 128
/* Default number of signatures remembered against replays. */
#define SIGN_HISTORY_DEFAULT 65536

/* `scheme` is "hmac-<digest>" (NULL or "" mean "hmac-sha256"); the digest
 * name is tried as given and with '_' read as '-' (Python's hashlib spells
 * SHA3-256 sha3_256).  Extendable-output digests (shake) have no HMAC and
 * are refused.  The scheme is checked also when the key is empty, so a typo
 * is found before a key is set.  `history` is the replay memory in
 * signatures (0: the default).  Returns NULL and fills err with one line on
 * failure (unknown scheme, OpenSSL trouble). */
sign *sign_new(const void *key, size_t keylen, const char *scheme, size_t history, char *err,
               size_t errlen);
void sign_destroy(sign **self_p);

/* 1 when a key is set and messages are signed and checked. */
int sign_enabled(const sign *self);

/* Bytes the replay history has allocated: it grows with the messages
 * verified, up to `history` signatures (for tests). */
size_t sign_history_bytes(const sign *self);

/* Digest size in bytes (32 for hmac-sha256); signatures are twice as many
 * hex digits. */
size_t sign_digest_size(const sign *self);

/* Write the lowercase hex HMAC of the parts to out (NUL-terminated).
 * With authentication off, out becomes "".  Returns 0 or -1. */
int sign_compute(const sign *self, const sign_part *parts, size_t nparts,
                 char out[SIGN_HEX_MAX + 1]);

/* Check `sig` (siglen bytes, not NUL-terminated) against the parts; on
 * success remember it for replay detection.  Returns 0 if the message may be
 * processed, -1 (err filled: malformed, mismatch, replay) if it must be
 * dropped.  With authentication off always 0. */
int sign_verify(sign *self, const void *sig, size_t siglen, const sign_part *parts, size_t nparts,
                char *err, size_t errlen);

/* Parse 2*outlen hex digits (either case) into outlen bytes; -1 if the
 * length or any character is wrong. */
int sign_hex_decode(const char *hex, size_t len, unsigned char *out, size_t outlen);

#endif
