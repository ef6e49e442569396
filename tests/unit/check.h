/* check.h — the smallest test helper: CHECK() records a failure with
 * file:line and goes on, so one run shows every broken case; check_done()
 * prints a summary and gives the exit status (0 only if nothing failed).
 * Output is TAP-shaped (`ok N - ...` / `not ok N - ...`) for readability. */
#ifndef CHALK_TEST_CHECK_H
#define CHALK_TEST_CHECK_H

#include <stdio.h>

static int check_count, check_failed;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        check_count++;                                                                       \
        if (cond) {                                                                          \
            printf("ok %d - %s\n", check_count, #cond);                                      \
        } else {                                                                             \
            check_failed++;                                                                  \
            printf("not ok %d - %s\n", check_count, #cond);                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                                    \
    } while (0)

static inline int check_done(void)
{
    printf("1..%d\n# %d passed, %d failed\n", check_count, check_count - check_failed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
