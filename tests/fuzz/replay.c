/* replay.c — the plain driver of a fuzz target (see fuzz.h).
 *
 *   replay_<target> [FILE|DIR]...
 * feeds each file (each regular file of each DIR, in name order) to the
 * target once and prints one line per input; with no argument it replays
 * FUZZ_CORPUS, the target's folder in the source tree.  Exit status 0 when
 * every input went through; a crash is the target's own abort or a
 * sanitizer's report.  A file over 1 MiB is an error (never truncated:
 * a shortened input would not be the one that crashed).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
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
        fprintf(stderr, "replay: %s: larger than %d bytes\n", path, REPLAY_MAX);
        free(buf);
        return -1;
    }
    printf("input %s (%zu bytes)\n", path, n);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
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
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return replay_file(path);
    }
    n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
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
    int count = 0, rc = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        rc = replay_path(FUZZ_CORPUS, &count);
    } else {
        for (int i = 1; i < argc; i++)
            if (replay_path(argv[i], &count) < 0)
                rc = -1;
    }
    printf("%d inputs replayed%s\n", count, rc ? " (some could not be read)" : "");
    return rc < 0 || count == 0 ? 1 : 0;
}
