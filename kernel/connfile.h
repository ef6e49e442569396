/* connfile.h — the connection file a Jupyter front end writes for a kernel.
 *
 * {"transport": "tcp", "ip": "127.0.0.1", "shell_port": ..., "iopub_port":
 *  ..., "stdin_port": ..., "control_port": ..., "hb_port": ...,
 *  "key": "...", "signature_scheme": "hmac-sha256"}
 * Ports may be 0 (then the kernel would have to pick and report them, which
 * chalk does not do: front ends always fill them in).  Beware: `key` is the
 * session secret; connfile_destroy wipes it.
 */
#ifndef CHALK_CONNFILE_H
#define CHALK_CONNFILE_H

#include <stddef.h>

typedef struct connfile {
    char transport[16]; /* "tcp" or "ipc" */
    char ip[256];
    int shell_port, iopub_port, stdin_port, control_port, hb_port;
    char *key; /* may be "" (authentication off) */
    size_t keylen;
    char signature_scheme[32];
} connfile;

/* Returns a new connfile or NULL with err filled. */
connfile *connfile_load(const char *path, char *err, size_t errlen);
void connfile_destroy(connfile **self_p);

/* The ZeroMQ endpoint for one port, e.g. "tcp://127.0.0.1:5555" or
 * "ipc://kernel-ipc-5" (ipc uses ip as the path prefix, like jupyter_client). */
int connfile_endpoint(const connfile *cf, int port, char *out, size_t outlen);

#endif
