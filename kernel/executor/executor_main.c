/* executor_main.c — chalk-executor's entry point.
 *
 *   chalk-executor --channel FD [--limits SPEC]
 *   chalk-executor --write-header-index FILE
 *
 * Started by chalk-kernel (never by hand): FD is its end of the channel to
 * the kernel, stdout and stderr are the kernel's output pipes.  A program of
 * its own rather than a fork of the kernel, so that the kernel loads none of
 * what cells need (libtcc's runtime, libchalk, GSL, OpenBLAS) and answers the
 * front end within milliseconds of being started.  --limits passes on the
 * kernel's own --limits (ceilings the session's %limits cannot raise).
 * --write-header-index writes the prelude's index for the environment's
 * CHALK_PRELUDE and CHALK_INCLUDE_PATH (header_index.h); `make` and
 * `make install` run it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decl_store.h"
#include "executor.h"
#include "headers.h"

/* The index a kernel started in this environment would build for itself. */
static int write_header_index(const char *path)
{
    executor_config cfg;
    executor_config_defaults(&cfg);
    char *options = headers_include_options(cfg.include_path);
    decl_store *store = decl_store_new(cfg.prelude, options);
    char err[512] = "";
    int rc = decl_store_write_index(store, path, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "chalk-executor: cannot write the header index %s: %s\n", path, err);
    decl_store_destroy(&store);
    free(options);
    return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-header-index") == 0)
        return write_header_index(argv[2]);
    char *end = NULL;
    long fd = argc >= 3 && strcmp(argv[1], "--channel") == 0 ? strtol(argv[2], &end, 10) : -1;
    const char *limits = argc == 5 && strcmp(argv[3], "--limits") == 0 ? argv[4] : NULL;
    if (fd < 0 || !end || *end || (argc != 3 && !limits)) {
        fprintf(stderr, "usage: chalk-executor --channel FD [--limits SPEC] "
                        "(started by chalk-kernel)\n");
        return 2;
    }
    executor_config cfg;
    executor_config_defaults(&cfg);
    char err[256];
    if (limits && executor_apply_ceilings(limits, &cfg.ceiling, &cfg.limits, err, sizeof err) < 0) {
        fprintf(stderr, "chalk-executor: %s\n", err);
        return 2;
    }
    executor_main((int)fd, &cfg);
}
