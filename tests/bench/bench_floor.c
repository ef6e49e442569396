/* bench_floor.c — the least memory any kernel built on chalk's libraries keeps.
 *
 * `make bench` judges chalk's resident memory against ipykernel's.  This
 * program is the floor under that figure: it does only what every Jupyter
 * kernel on libzmq, OpenSSL and jansson must do before its first cell (bind
 * the five sockets, initialise HMAC-SHA256 the way kernel/sign.c does, sign
 * one message, parse and print one JSON message) and then waits.  No cell
 * engine, no session, no GSL.  bench.py reads its resident pages.
 *
 * Prints "ready" once everything is set up; exits when stdin closes.
 */
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

int main(void)
{
    static const int types[] = { ZMQ_ROUTER, ZMQ_ROUTER, ZMQ_ROUTER, ZMQ_PUB, ZMQ_REP };
    void *ctx = zmq_ctx_new();
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (zmq_bind(zmq_socket(ctx, types[i]), "tcp://127.0.0.1:*") != 0) {
            perror("bench_floor: zmq_bind");
            return 1;
        }

    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                            OSSL_PARAM_construct_end() };
    const char *msg = "{\"header\": {\"msg_id\": \"1\", \"msg_type\": \"execute_request\"},"
                      " \"content\": {\"code\": \"1\"}}";
    unsigned char out[32];
    size_t outlen = 0;
    if (!hmac || !EVP_MAC_init(hmac, (const unsigned char *)"key", 3, params) ||
        !EVP_MAC_update(hmac, (const unsigned char *)msg, strlen(msg)) ||
        !EVP_MAC_final(hmac, out, &outlen, sizeof out)) {
        fputs("bench_floor: HMAC-SHA256 unavailable\n", stderr);
        return 1;
    }

    json_error_t jerr;
    json_t *j = json_loads(msg, 0, &jerr);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (!text) {
        fprintf(stderr, "bench_floor: %s\n", jerr.text);
        return 1;
    }
    printf("ready %zu-byte digest, %zu-byte message\n", outlen, strlen(text));
    fflush(stdout);
    while (getchar() != EOF)
        ;
    return 0;
}
