/* replay.c — the plain driver of a fuzz target (see fuzz.h).
 *
 *   replay_<target> [FILE|DIR]...
 * feeds each file (each regular file of each DIR, in name order) to the
 * target once and prints one line per input; with no argument it replays
 * FUZZ_CORPUS, the target's folder in the source tree.  Output is TAP
 * (tests/tap.h): one result per input that went through, so `make check`
 * counts inputs; a crash (the target's own abort or a sanitizer's report)
 * leaves no plan, which the TAP driver reports as an error.  Exit status 0
 * when every input went through.  A file over 1 MiB is an error (never truncated:
 * a shortened input would not be the one that crashed).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../tap.h"
#include "fuzz.h"

#define REPLAY_MAX (1 << 20)

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    if (f == NULL) {
        TAP_OK(0, path, "expected a readable input, got %s", strerror(errno));
        return -1;
    }
    buf = malloc(REPLAY_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    n = fread(buf, 1, REPLAY_MAX + 1, f);
    fclose(f);
    if (n > REPLAY_MAX) {
        TAP_OK(0, path, "expected at most %d bytes, got more", REPLAY_MAX);
        free(buf);
        return -1;
    }
    /* Said before the run: a crash must show which input it was. */
    printf("# input %s (%zu bytes)\n", path, n);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    TAP_OK(1, tap_name("%s (%zu bytes)", path, n), NULL);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_path(const char *path, int *count)
{
    struct stat st;
    struct dirent **names;
    int n, rc = 0;

    if (stat(path, &st) < 0) {
        TAP_OK(0, path, "expected a file or folder, got %s", strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        TAP_OK(0, path, "expected a readable folder, got %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char full[4096];
        if (names[i]->d_name[0] != '.' &&
            snprintf(full, sizeof full, "%s/%s", path, names[i]->d_name) < (int)sizeof full &&
            stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            (*count)++;
            if (replay_file(full) < 0)
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int count = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    /* An input that cannot be read is already a failed result. */
    if (argc < 2) {
        replay_path(FUZZ_CORPUS, &count);
    } else {
        for (int i = 1; i < argc; i++)
            replay_path(argv[i], &count);
    }
    TAP_OK(count > 0, "at least one input to replay", "expected inputs, got %d", count);
    return tap_done();
}
