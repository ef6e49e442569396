/* test_sign.c — HMAC-SHA256 signing, signature format checks and the replay
 * history of kernel/sign.c.  The digests are RFC 4231's test vectors, so a
 * wrong key schedule or a wrong frame concatenation cannot pass. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sign.h"

static sign_part part(const char *s)
{
    sign_part p;
    p.data = s;
    p.size = strlen(s);
    return p;
}

static int verify(sign *s, const char *sig, const sign_part *parts, size_t n, char *err, size_t errlen)
{
    err[0] = '\0';
    return sign_verify(s, sig, strlen(sig), parts, n, err, errlen);
}

int main(void)
{
    char err[128], hex[SIGN_HEX_LEN + 1];
    unsigned char key1[20];
    sign *s;

    /* RFC 4231 test case 1: key 0x0b x 20, "Hi There" (split over two
     * parts: the frames are concatenated, nothing between them). */
    memset(key1, 0x0b, sizeof key1);
    s = sign_new(key1, sizeof key1, "hmac-sha256", 0, err, sizeof err);
    CHECK(s != NULL);
    CHECK(sign_enabled(s));
    {
        sign_part p[2] = {part("Hi "), part("There")};
        CHECK(sign_compute(s, p, 2, hex) == 0);
        CHECK(strcmp(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") == 0);
    }
    sign_destroy(&s);
    CHECK(s == NULL);

    /* RFC 4231 test case 2: key "Jefe"; also the default (empty) scheme. */
    s = sign_new("Jefe", 4, "", 0, err, sizeof err);
    CHECK(s != NULL);
    {
        sign_part p[1] = {part("what do ya want for nothing?")};
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
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 && strstr(err, "invalid signature") != NULL);
            snprintf(longer, sizeof longer, "%s", good);
            longer[63] = '4';
            CHECK(verify(s, longer, p, 1, err, sizeof err) < 0 && strstr(err, "invalid signature") != NULL);
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
        sign_part p[1] = {part("what do ya want for nothing?")};
        CHECK(verify(s, "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", p, 1, err,
                     sizeof err) == 0);
    }
    sign_destroy(&s);

    /* Bounded history: with room for 8, a message signed 8 messages ago is
     * still a replay, one signed 9 ago has been forgotten.  1000 rounds
     * exercise eviction from the hash index (backward-shift deletion). */
    s = sign_new("k", 1, "hmac-sha256", 8, err, sizeof err);
    CHECK(s != NULL);
    {
        char sigs[1000][SIGN_HEX_LEN + 1];
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

    /* Other schemes are refused rather than silently not checked. */
    s = sign_new("k", 1, "hmac-md5", 0, err, sizeof err);
    CHECK(s == NULL && strstr(err, "hmac-sha256") != NULL);

    {
        unsigned char d[32];
        CHECK(sign_hex_decode("00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ffABCD", 64, d) == 0 &&
              d[1] == 0xff && d[31] == 0xcd);
        CHECK(sign_hex_decode("00", 2, d) < 0);
    }
    return check_done();
}
