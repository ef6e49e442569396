/* test_sign.c — HMAC signing, signature format checks and the replay
 * history of kernel/sign.c.  The digests are RFC 4231's test vectors (and,
 * for sha1, sha3-256 and md5, Python's hmac module on the same input), so a
 * wrong key schedule or a wrong frame concatenation cannot pass. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "sign.h"

static sign_part part(const char *s)
{
    sign_part p;
    p.data = s;
    p.size = strlen(s);
    return p;
}

static int verify(sign *s, const char *sig, const sign_part *parts, size_t n, char *err,
                  size_t errlen)
{
    err[0] = '\0';
    return sign_verify(s, sig, strlen(sig), parts, n, err, errlen);
}

int main(void)
{
    char err[128], hex[SIGN_HEX_MAX + 1];
    unsigned char key1[20];
    sign *s;

    /* RFC 4231 test case 1: key 0x0b x 20, "Hi There" (split over two
     * parts: the frames are concatenated, nothing between them). */
    memset(key1, 0x0b, sizeof key1);
    s = sign_new(key1, sizeof key1, "hmac-sha256", 0, err, sizeof err);
    CHECK(s != NULL);
    CHECK(sign_enabled(s));
    {
        sign_part p[2] = { part("Hi "), part("There") };
        CHECK(sign_compute(s, p, 2, hex) == 0);
        CHECK(strcmp(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") == 0);
    }
    sign_destroy(&s);
    CHECK(s == NULL);

    /* hmac-sha256 is libsodium's: signing with it loads no libcrypto (the
     * kernel maps none of its 2.9 MB).  Checked before any other digest,
     * which does open it (see the end). */
    CHECK(dlopen("libcrypto.so.3", RTLD_NOW | RTLD_NOLOAD) == NULL);

    /* RFC 4231 test case 6, a key longer than the block (hashed first), in
     * OpenSSL's other spellings of SHA-256 and SHA-512, which must select
     * the same digest whichever library computes it; sha384 is OpenSSL's. */
    {
        static const struct {
            const char *scheme, *hex;
        } big[] = {
            { "hmac-SHA256", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
            { "hmac-sha2-256", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
            { "hmac-sha_256", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
            { "hmac-SHA2-512",
              "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0f"
              "d2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
            { "hmac-sha384",
              "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248"
              "df163f44952" },
        };
        unsigned char bigkey[131];
        sign_part p[1] = { part("Test Using Larger Than Block-Size Key - Hash Key First") };
        size_t i;
        memset(bigkey, 0xaa, sizeof bigkey);
        for (i = 0; i < sizeof big / sizeof big[0]; i++) {
            s = sign_new(bigkey, sizeof bigkey, big[i].scheme, 0, err, sizeof err);
            CHECK(s != NULL && sign_compute(s, p, 1, hex) == 0 && strcmp(hex, big[i].hex) == 0);
            CHECK(s != NULL && verify(s, big[i].hex, p, 1, err, sizeof err) == 0);
            sign_destroy(&s);
            /* Only the scheme that needs OpenSSL opened it. */
            CHECK((dlopen("libcrypto.so.3", RTLD_NOW | RTLD_NOLOAD) != NULL) ==
                  (strcmp(big[i].scheme, "hmac-sha384") == 0));
        }
    }

    /* RFC 4231 test case 2: key "Jefe"; also the default (empty) scheme. */
    s = sign_new("Jefe", 4, "", 0, err, sizeof err);
    CHECK(s != NULL);
    {
        sign_part p[1] = { part("what do ya want for nothing?") };
        const char *good = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        const char *upper = "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843";
        CHECK(sign_compute(s, p, 1, hex) == 0);
        CHECK(strcmp(hex, good) == 0);

        /* Format checks come before any HMAC work. */
        CHECK(verify(s, "", p, 1, err, sizeof err) < 0 && strstr(err, "unsigned") != NULL);
        CHECK(verify(s, "5bdcc146", p, 1, err, sizeof err) < 0 && strstr(err, "malformed") != NULL);
        {
            char longer[80];
            snprintf(longer, sizeof longer, "%s0", good);
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 && strstr(err, "malformed") != NULL);
            memcpy(longer, good, 63);
            longer[63] = '\0';
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 && strstr(err, "malformed") != NULL);
            snprintf(longer, sizeof longer, "%s", good);
            longer[10] = 'g';
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 && strstr(err, "malformed") != NULL);
            longer[10] = ' ';
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 && strstr(err, "malformed") != NULL);
            /* Right length, right alphabet, wrong value: a difference in the
             * first and in the last byte are both caught. */
            snprintf(longer, sizeof longer, "%s", good);
            longer[0] = '6';
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 &&
                  strstr(err, "invalid signature") != NULL);
            snprintf(longer, sizeof longer, "%s", good);
            longer[63] = '4';
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 &&
                  strstr(err, "invalid signature") != NULL);
        }
        /* A NUL inside the signature frame does not shorten it. */
        {
            char withnul[64];
            memcpy(withnul, good, 64);
            withnul[32] = '\0';
            CHECK(sign_verify(s, withnul, 64, p, 1, err, sizeof err) < 0);
        }
        /* The right one passes once; the same again is a replay, also when
         * spelled in upper case (same digest). */
        CHECK(verify(s, good, p, 1, err, sizeof err) == 0);
        CHECK(verify(s, good, p, 1, err, sizeof err) < 0 && strstr(err, "replay") != NULL);
        CHECK(verify(s, upper, p, 1, err, sizeof err) < 0 && strstr(err, "replay") != NULL);
        /* The key is never in an error text. */
        CHECK(strstr(err, "Jefe") == NULL);
    }
    sign_destroy(&s);

    /* Upper-case hex is accepted for a fresh message. */
    s = sign_new("Jefe", 4, "hmac-sha256", 0, err, sizeof err);
    {
        sign_part p[1] = { part("what do ya want for nothing?") };
        CHECK(verify(s, "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", p, 1,
                     err, sizeof err) == 0);
    }
    sign_destroy(&s);

    /* Bounded history: with room for 8, a message signed 8 messages ago is
     * still a replay, one signed 9 ago has been forgotten.  1000 rounds
     * exercise eviction from the hash index (backward-shift deletion). */
    s = sign_new("k", 1, "hmac-sha256", 8, err, sizeof err);
    CHECK(s != NULL);
    {
        char sigs[1000][SIGN_HEX_MAX + 1];
        char body[1000][16];
        int i, bad_fresh = 0, bad_recent = 0, bad_old = 0;
        for (i = 0; i < 1000; i++) {
            sign_part p;
            snprintf(body[i], sizeof body[i], "msg-%d", i);
            p = part(body[i]);
            sign_compute(s, &p, 1, sigs[i]);
            if (verify(s, sigs[i], &p, 1, err, sizeof err) != 0)
                bad_fresh++;
            if (i >= 7) {
                sign_part q = part(body[i - 7]);
                if (verify(s, sigs[i - 7], &q, 1, err, sizeof err) == 0)
                    bad_recent++;
            }
        }
        CHECK(bad_fresh == 0);
        CHECK(bad_recent == 0);
        /* msg-991 is the 9th newest: forgotten, so accepted again (and
         * thereby remembered, evicting msg-992). */
        {
            sign_part q = part(body[991]);
            if (verify(s, sigs[991], &q, 1, err, sizeof err) != 0)
                bad_old++;
            q = part(body[999]);
            CHECK(verify(s, sigs[999], &q, 1, err, sizeof err) < 0);
        }
        CHECK(bad_old == 0);
    }
    sign_destroy(&s);

    /* Empty key: authentication off, everything passes, nothing is signed. */
    s = sign_new("", 0, "hmac-sha256", 0, err, sizeof err);
    CHECK(s != NULL && !sign_enabled(s));
    {
        sign_part p = part("{}");
        CHECK(sign_compute(s, &p, 1, hex) == 0 && hex[0] == '\0');
        CHECK(verify(s, "", &p, 1, err, sizeof err) == 0);
        CHECK(verify(s, "", &p, 1, err, sizeof err) == 0);
    }
    sign_destroy(&s);

    /* Every hmac-<digest> OpenSSL provides, in jupyter_client's spelling
     * (hashlib names: sha3_256) as well as OpenSSL's (sha3-256). */
    {
        static const struct {
            const char *scheme, *hex;
        } vec[] = {
            { "hmac-sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
            { "hmac-sha224", "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44" },
            { "hmac-sha384",
              "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b"
              "3239ecfab21649" },
            { "hmac-sha512",
              "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d"
              "034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
            { "hmac-sha3_256", "c7d4072e788877ae3596bbb0da73b887c9171f93095b294ae857fbe2645e1ba5" },
            { "hmac-sha3-256", "c7d4072e788877ae3596bbb0da73b887c9171f93095b294ae857fbe2645e1ba5" },
            { "hmac-md5", "750c783e6ab0b503eaa86e310a5db738" },
        };
        size_t i;
        sign_part p[1] = { part("what do ya want for nothing?") };
        for (i = 0; i < sizeof vec / sizeof vec[0]; i++) {
            s = sign_new("Jefe", 4, vec[i].scheme, 0, err, sizeof err);
            CHECK(s != NULL);
            if (s == NULL)
                continue;
            CHECK(sign_digest_size(s) * 2 == strlen(vec[i].hex));
            CHECK(sign_compute(s, p, 1, hex) == 0 && strcmp(hex, vec[i].hex) == 0);
            /* A signature of the sha256 length is malformed under another
             * digest, and the error says the length wanted. */
            if (strlen(vec[i].hex) != 64) {
                CHECK(verify(s, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                             p, 1, err, sizeof err) < 0 &&
                      strstr(err, "malformed") != NULL);
            }
            CHECK(verify(s, vec[i].hex, p, 1, err, sizeof err) == 0);
            CHECK(verify(s, vec[i].hex, p, 1, err, sizeof err) < 0 &&
                  strstr(err, "replay") != NULL);
            sign_destroy(&s);
        }
        /* sha512: a flipped last digit is caught (the whole 64 bytes count). */
        s = sign_new("Jefe", 4, "hmac-sha512", 0, err, sizeof err);
        snprintf(hex, sizeof hex, "%s", vec[3].hex);
        hex[127] = '6';
        CHECK(verify(s, hex, p, 1, err, sizeof err) < 0 &&
              strstr(err, "invalid signature") != NULL);
        sign_destroy(&s);
    }

    /* Unknown schemes are refused, with the key set or not, rather than
     * silently not checked; the error is one line naming the scheme. */
    {
        static const char *const bad[] = { "hmac-nosuch",    "hmac-", "sha256",
                                           "hmac-shake_128", "HMAC",  "hmac-sha256\nx" };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            err[0] = '\0';
            s = sign_new("k", 1, bad[i], 0, err, sizeof err);
            CHECK(s == NULL && strstr(err, "unsupported signature_scheme") != NULL);
            sign_destroy(&s);
            s = sign_new("", 0, bad[i], 0, err, sizeof err);
            CHECK(s == NULL);
            sign_destroy(&s);
        }
        s = sign_new("k", 1, "hmac-nosuch", 0, err, sizeof err);
        CHECK(strstr(err, "'hmac-nosuch'") != NULL && strchr(err, '\n') == NULL);
    }

    /* The default history (65,536 signatures, 2.5 MiB at full size) takes
     * memory as messages come: 64 entries' worth at first (40 bytes each),
     * 1,024 after 1,000 messages.  Growing keeps every signature it held: all
     * 1,000 are still replays, each checked after the last growth. */
    s = sign_new("k", 1, "hmac-sha256", 0, err, sizeof err);
    CHECK(s != NULL);
    CHECK(sign_history_bytes(s) == 64 * 40);
    {
        static char sigs[1000][SIGN_HEX_MAX + 1];
        char body[16];
        int i, bad_fresh = 0, forgotten = 0;
        for (i = 0; i < 1000; i++) {
            sign_part p;
            snprintf(body, sizeof body, "grow-%d", i);
            p = part(body);
            sign_compute(s, &p, 1, sigs[i]);
            if (verify(s, sigs[i], &p, 1, err, sizeof err) != 0)
                bad_fresh++;
        }
        CHECK(sign_history_bytes(s) == 1024 * 40);
        for (i = 0; i < 1000; i++) {
            sign_part p;
            snprintf(body, sizeof body, "grow-%d", i);
            p = part(body);
            if (verify(s, sigs[i], &p, 1, err, sizeof err) == 0)
                forgotten++;
        }
        CHECK(bad_fresh == 0);
        CHECK(forgotten == 0);
    }
    sign_destroy(&s);

    {
        unsigned char d[32];
        CHECK(sign_hex_decode("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ffABCD",
                              64, d, 32) == 0 &&
              d[1] == 0xff && d[31] == 0xcd);
        CHECK(sign_hex_decode("00", 2, d, 32) < 0);
        CHECK(sign_hex_decode("00ff", 4, d, 2) == 0 && d[1] == 0xff);
    }
    return tap_done();
}
