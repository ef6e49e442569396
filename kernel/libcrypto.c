/* libcrypto.c — OpenSSL's libcrypto opened on demand (see libcrypto.h).
 *
 * The library is opened by its soname (LIBCRYPTO_SONAME, the OpenSSL 3 ABI
 * that EVP_MAC needs) and never closed: the digests fetched from it live as
 * long as the kernel.  A missing library or function makes every scheme
 * that needs OpenSSL fail with the same one-line error.
 */
#define _GNU_SOURCE
#include "libcrypto.h"

#include <dlfcn.h>
#include <stdio.h>

#define LIBCRYPTO_SONAME "libcrypto.so.3"

static libcrypto_api api;
static int tried, loaded;
static char why[160];

static int load(void)
{
    void *h = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(why, sizeof why, "OpenSSL's %s cannot be loaded: %.100s", LIBCRYPTO_SONAME,
                 dlerror());
        return -1;
    }
#define LIBCRYPTO_RESOLVE(f)                                                                       \
    if ((api.f = (__typeof__(api.f))dlsym(h, #f)) == NULL) {                                       \
        snprintf(why, sizeof why, "%s lacks %s", LIBCRYPTO_SONAME, #f);                            \
        return -1;                                                                                 \
    }
    LIBCRYPTO_FUNCTIONS(LIBCRYPTO_RESOLVE)
#undef LIBCRYPTO_RESOLVE
    /* Neither openssl.cnf nor OpenSSL's error strings matter for one HMAC,
     * and loading them keeps 0.5 MB more resident. */
    api.OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
                            NULL);
    return 0;
}

const libcrypto_api *libcrypto_get(char *err, size_t errlen)
{
    if (!tried) {
        tried = 1;
        loaded = load() == 0;
    }
    if (!loaded && err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", why);
    return loaded ? &api : NULL;
}
