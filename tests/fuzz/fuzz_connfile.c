/* fuzz_connfile.c — fuzz target: the connection file a front end writes.
 *
 * The input is the file's bytes, read through connfile_load() from an
 * anonymous memfd (mode 0600, so the mode warning stays quiet).  A file that
 * loads is used as the kernel uses it: every endpoint is composed and the
 * key and signature_scheme go to sign_new().  Properties: no crash; an
 * accepted file has a known transport and ports in 0..65535, and its key is
 * exactly the bytes the file holds (keylen, NULs included).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connfile.h"
#include "fuzz.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512], ep[512];
    connfile *cf;
    int fd = memfd_create("fuzz-connfile", 0);

    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(fchmod(fd, 0600) == 0);
    FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    err[0] = '\0';
    cf = connfile_load(path, err, sizeof err);
    if (cf == NULL) {
        FUZZ_CHECK(err[0] != '\0');
    } else {
        int ports[] = { cf->shell_port, cf->iopub_port, cf->stdin_port, cf->control_port,
                        cf->hb_port };
        FUZZ_CHECK(strcmp(cf->transport, "tcp") == 0 || strcmp(cf->transport, "ipc") == 0);
        for (size_t i = 0; i < 5; i++) {
            FUZZ_CHECK(ports[i] >= 0 && ports[i] <= 65535);
            (void)connfile_endpoint(cf, ports[i], ep, sizeof ep);
        }
        FUZZ_CHECK(cf->key != NULL && cf->key[cf->keylen] == '\0');
        sign *sg = sign_new(cf->key, cf->keylen, cf->signature_scheme, 8, err, sizeof err);
        sign_destroy(&sg);
        connfile_destroy(&cf);
        FUZZ_CHECK(cf == NULL);
    }
    close(fd);
    return 0;
}
