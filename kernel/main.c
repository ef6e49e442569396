/* main.c — chalk-kernel's entry point: arguments, then wiring.
 *
 *   chalk-kernel -f CONNECTION_FILE [--limits SPEC]   run as a Jupyter kernel
 *   chalk-kernel install [...]          register the kernelspec
 *
 * The order matters for start-up time: the sockets are bound first, so that
 * a front end connecting at once finds them (ZeroMQ retries a refused
 * connection only after 100 ms), and the executor is started after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "connfile.h"
#include "dispatch.h"
#include "engine.h"
#include "install.h"
#include "log.h"
#include "sign.h"
#include "transport.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: chalk-kernel -f CONNECTION_FILE [--limits name=amount,...]\n"
                 "       chalk-kernel install [--user | --prefix PREFIX | --sys-prefix]\n"
                 "       chalk-kernel --help | --version\n"
                 "\n"
                 "chalk is a Jupyter kernel for C: cells are compiled with libtcc and keep\n"
                 "their state.  Front ends start it with -f; `install` registers it.\n"
                 "--limits wall=60,cpu=60,memory=2G,...: per-cell limits that are also\n"
                 "ceilings: a cell's %%limits can lower them, never raise them (for graders:\n"
                 "nbclient's and nbgrader's extra_arguments).\n"
                 "Environment: CHALK_LOG=debug|info|warn|error sets the stderr log level.\n");
}

static int run_kernel(const char *path, const char *limits)
{
    char err[512];
    connfile *cf = connfile_load(path, err, sizeof err);
    chalk_engine *eng = NULL;
    sign *sg = NULL;
    transport *t = NULL;
    dispatch *d = NULL;
    transport_handler h;
    int rc = 1;

    if (cf == NULL) {
        log_error("%s", err);
        return 1;
    }
    sg = sign_new(cf->key, cf->keylen, cf->signature_scheme, 0, err, sizeof err);
    if (sg == NULL) {
        log_error("%s", err);
        goto out;
    }
    if (!sign_enabled(sg))
        log_warn("connection file has an empty key: message authentication is off");

    t = transport_new(cf, err, sizeof err);
    if (t == NULL) {
        log_error("%s", err);
        goto out;
    }
    eng = engine_new(limits);
    if (eng == NULL)
        goto out; /* engine_new logged why */

    d = dispatch_new(t, sg, eng);
    if (d == NULL) {
        log_error("out of memory");
        goto out;
    }
    /* The key has been copied into the HMAC context; wipe our copy now. */
    connfile_destroy(&cf);

    dispatch_start(d, &h);
    rc = transport_run(t, &h) < 0 ? 1 : 0;
    if (dispatch_restart_requested(d))
        log_info("shutdown with restart requested: the front end starts a new kernel");

out:
    dispatch_destroy(&d);
    /* The engine first: it reaps the executor while the sockets still flush. */
    engine_destroy(&eng);
    transport_destroy(&t);
    sign_destroy(&sg);
    connfile_destroy(&cf);
    return rc;
}

int main(int argc, char **argv)
{
    log_init();
    if (argc >= 2 && strcmp(argv[1], "install") == 0)
        return install_main(argc - 1, argv + 1);
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("chalk-kernel %s (Jupyter protocol 5.3)\n", PACKAGE_VERSION);
        return 0;
    }
    /* -f FILE and --limits SPEC in any order (front ends append
     * extra_arguments after the kernelspec's argv). */
    const char *conn = NULL, *limits = NULL;
    int bad = argc < 2;
    for (int i = 1; i < argc && !bad; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-f") == 0 || strcmp(a, "--connection-file") == 0) && i + 1 < argc)
            conn = argv[++i];
        else if (strncmp(a, "--connection-file=", 18) == 0)
            conn = a + 18;
        else if (strcmp(a, "--limits") == 0 && i + 1 < argc)
            limits = argv[++i];
        else if (strncmp(a, "--limits=", 9) == 0)
            limits = a + 9;
        else
            bad = 1;
    }
    if (!bad && conn)
        return run_kernel(conn, limits);
    usage(stderr);
    return 2;
}
