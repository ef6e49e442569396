/* libcrypto.h — OpenSSL's libcrypto, loaded only for the signature schemes
 * that need it.
 *
 * Jupyter signs with hmac-sha256 (jupyter_client's default, and all a front
 * end ever chooses unless told otherwise), which sign.c computes with
 * libsodium, already in the process because libzmq links it.  Linking
 * libcrypto as well kept 2.9 MB of its pages mapped in every kernel and
 * some 100 KB of heap for its provider tables, for an HMAC any kernel has in
 * libsodium.  Other digests (sha1, sha3-256, md5, ...) still go through
 * OpenSSL, whose library is opened (dlopen) the first time a scheme needs
 * it.  Beware: only the functions listed here may be called, through the
 * table; the headers are included for their types and prototypes alone.
 */
#ifndef CHALK_LIBCRYPTO_H
#define CHALK_LIBCRYPTO_H

#include <stddef.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define LIBCRYPTO_FUNCTIONS(X)                                                                     \
    X(OPENSSL_init_crypto)                                                                         \
    X(EVP_MD_fetch)                                                                                \
    X(EVP_MD_free)                                                                                 \
    X(EVP_MD_get_flags)                                                                            \
    X(EVP_MD_get_size)                                                                             \
    X(EVP_MD_get0_name)                                                                            \
    X(EVP_MAC_fetch)                                                                               \
    X(EVP_MAC_free)                                                                                \
    X(EVP_MAC_CTX_new)                                                                             \
    X(EVP_MAC_CTX_dup)                                                                             \
    X(EVP_MAC_CTX_free)                                                                            \
    X(EVP_MAC_CTX_get_mac_size)                                                                    \
    X(EVP_MAC_init)                                                                                \
    X(EVP_MAC_update)                                                                              \
    X(EVP_MAC_final)                                                                               \
    X(OSSL_PARAM_construct_utf8_string)                                                            \
    X(OSSL_PARAM_construct_end)

typedef struct libcrypto_api {
#define LIBCRYPTO_MEMBER(f) __typeof__(&f) f;
    LIBCRYPTO_FUNCTIONS(LIBCRYPTO_MEMBER)
#undef LIBCRYPTO_MEMBER
} libcrypto_api;

/* The functions, libcrypto opened and initialised on the first call (without
 * openssl.cnf or error strings); NULL with err filled (one line) when it
 * cannot be loaded.  Not thread-safe: the kernel signs on one thread. */
const libcrypto_api *libcrypto_get(char *err, size_t errlen);

#endif
