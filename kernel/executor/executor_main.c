/* executor_main.c — chalk-executor's entry point.
 *
 *   chalk-executor --channel FD [--limits SPEC]
 *
 * Started by chalk-kernel (never by hand): FD is its end of the channel to
 * the kernel, stdout and stderr are the kernel's output pipes.  A program of
 * its own rather than a fork of the kernel, so that the kernel loads none of
 * what cells need (libtcc's runtime, libchalk, GSL, OpenBLAS) and answers the
 * front end within milliseconds of being started.  --limits passes on the
 * kernel's own --limits (ceilings the session's %limits cannot raise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"

int main(int argc, char **argv)
{
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
