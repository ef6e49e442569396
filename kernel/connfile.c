/* connfile.c — see connfile.h.
 *
 * The file is opened once and its mode checked on that descriptor (fstat),
 * so what is checked is what is read.  Beware: anyone who can read the file
 * can sign messages and so run code as the user; jupyter_client writes it
 * 0600, and a looser mode is worth one warning line (never the key).
 */
#include "connfile.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

static int get_port(json_t *root, const char *name, int *out, char *err, size_t errlen)
{
    json_t *v = json_object_get(root, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535) {
        snprintf(err, errlen, "connection file: %s missing or not a port number", name);
        return -1;
    }
    *out = (int)json_integer_value(v);
    return 0;
}

static int get_str(json_t *root, const char *name, const char *dflt, char *out, size_t outlen,
                   char *err, size_t errlen)
{
    json_t *v = json_object_get(root, name);
    const char *s = dflt;
    if (v != NULL) {
        if (!json_is_string(v)) {
            snprintf(err, errlen, "connection file: %s is not a string", name);
            return -1;
        }
        s = json_string_value(v);
    }
    if (strlen(s) >= outlen) {
        snprintf(err, errlen, "connection file: %s too long", name);
        return -1;
    }
    snprintf(out, outlen, "%s", s);
    return 0;
}

connfile *connfile_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root;
    json_t *key;
    connfile *cf;
    struct stat st;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        snprintf(err, errlen, "cannot read connection file %s: %m", path);
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
        log_warn(
            "connection file %s is readable by group or others (mode %04o): anyone who can read it "
            "can run code as you; chmod 600 it",
            path, (unsigned)(st.st_mode & 07777));
    root = json_loadf(f, 0, &jerr);
    fclose(f);
    if (root == NULL) {
        snprintf(err, errlen, "cannot read connection file %s: %s (line %d)", path, jerr.text,
                 jerr.line);
        return NULL;
    }
    cf = calloc(1, sizeof *cf);
    if (cf == NULL || !json_is_object(root)) {
        snprintf(err, errlen, "connection file %s: not a JSON object", path);
        goto fail;
    }
    if (get_str(root, "transport", "tcp", cf->transport, sizeof cf->transport, err, errlen) < 0 ||
        get_str(root, "ip", "127.0.0.1", cf->ip, sizeof cf->ip, err, errlen) < 0 ||
        get_str(root, "signature_scheme", "hmac-sha256", cf->signature_scheme,
                sizeof cf->signature_scheme, err, errlen) < 0 ||
        get_port(root, "shell_port", &cf->shell_port, err, errlen) < 0 ||
        get_port(root, "iopub_port", &cf->iopub_port, err, errlen) < 0 ||
        get_port(root, "stdin_port", &cf->stdin_port, err, errlen) < 0 ||
        get_port(root, "control_port", &cf->control_port, err, errlen) < 0 ||
        get_port(root, "hb_port", &cf->hb_port, err, errlen) < 0)
        goto fail;
    if (strcmp(cf->transport, "tcp") != 0 && strcmp(cf->transport, "ipc") != 0) {
        snprintf(err, errlen, "connection file: unknown transport '%s'", cf->transport);
        goto fail;
    }
    key = json_object_get(root, "key");
    if (key != NULL && !json_is_string(key)) {
        snprintf(err, errlen, "connection file: key is not a string");
        goto fail;
    }
    cf->keylen = key ? json_string_length(key) : 0;
    cf->key = malloc(cf->keylen + 1);
    if (cf->key == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    memcpy(cf->key, key ? json_string_value(key) : "", cf->keylen + 1);
    json_decref(root);
    return cf;

fail:
    json_decref(root);
    connfile_destroy(&cf);
    return NULL;
}

void connfile_destroy(connfile **self_p)
{
    connfile *cf = *self_p;
    if (cf == NULL)
        return;
    if (cf->key != NULL) {
        sodium_memzero(cf->key, cf->keylen);
        free(cf->key);
    }
    free(cf);
    *self_p = NULL;
}

int connfile_endpoint(const connfile *cf, int port, char *out, size_t outlen)
{
    int n;
    if (strcmp(cf->transport, "ipc") == 0)
        n = snprintf(out, outlen, "ipc://%s-%d", cf->ip, port);
    else
        n = snprintf(out, outlen, "tcp://%s:%d", cf->ip, port);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
