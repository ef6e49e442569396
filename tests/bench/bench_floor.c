/* bench_floor.c — the least memory any kernel built on chalk's libraries keeps.
 *
 * `make bench` judges chalk's resident memory against ipykernel's.  This
 * program is the floor under that figure: it does only what every Jupyter
 * kernel on libzmq, libsodium and jansson must do before its first cell
 * (bind the five sockets, sign one message with HMAC-SHA256 the way
 * kernel/sign.c does, parse and print one JSON message) and then waits.  No
 * cell engine, no session, no GSL.  bench.py reads its resident pages.
 *
 * It follows the kernel's own choice of libraries: when sign.c moved from
 * OpenSSL to libsodium (which libzmq loads anyway), so did this floor, from
 * 8.9-9.0 MB to 5.95-6.03 MB; a floor keeping OpenSSL would have credited
 * chalk with 3 MB it did not save against the floor.
 *
 * Prints "ready" once everything is set up; exits when stdin closes.
 */
#include <jansson.h>
#include <sodium.h>
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

    const char *msg = "{\"header\": {\"msg_id\": \"1\", \"msg_type\": \"execute_request\"},"
                      " \"content\": {\"code\": \"1\"}}";
    unsigned char out[crypto_auth_hmacsha256_BYTES];
    size_t outlen = sizeof out;
    crypto_auth_hmacsha256_state st;
    if (sodium_init() < 0 ||
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)"key", 3) != 0 ||
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg)) != 0 ||
        crypto_auth_hmacsha256_final(&st, out) != 0) {
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
