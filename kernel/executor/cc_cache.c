/* cc_cache.c — the cache of objects %%cc cells compile to (compile_cc.c).
 *
 * An object is named by two 64-bit hashes of what makes it (the unit's
 * text, the flags, the compiler binary, the processor), so an unchanged cell
 * in an unchanged session links its old object instead of compiling again.
 * Beware: several kernels may share the directory (see cc_cache_prune).
 */
#define _GNU_SOURCE
#include "cc_cache.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FNV-1a, 64 bits; two of them with different bases for the key. */
uint64_t cc_cache_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The processor, for the key: an object built with -march=native on one
 * machine must not be loaded on another sharing the home directory (a
 * cluster's), where it could stop on an instruction that CPU lacks.  Lines
 * of the first processor's block that do not change with its clock. */
uint64_t cc_cache_cpu(uint64_t h)
{
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f)
        return h;
    char line[8192];
    while (fgets(line, sizeof line, f) && line[0] != '\n')
        if (!strncmp(line, "model name", 10) || !strncmp(line, "flags", 5) ||
            !strncmp(line, "Features", 8) || !strncmp(line, "CPU part", 8) ||
            !strncmp(line, "vendor_id", 9))
            h = cc_cache_hash(h, line, strlen(line));
    fclose(f);
    return h;
}

/* The cache directory (made, mode 0700): CHALK_CC_CACHE, else
 * $XDG_CACHE_HOME/chalk/cc, else ~/.cache/chalk/cc; "" if none can be made. */
void cc_cache_dir(char *out, size_t size)
{
    const char *env = getenv("CHALK_CC_CACHE"), *xdg = getenv("XDG_CACHE_HOME"),
               *home = getenv("HOME");
    if (env && *env)
        snprintf(out, size, "%s", env);
    else if (xdg && *xdg == '/')
        snprintf(out, size, "%s/chalk/cc", xdg);
    else if (home && *home == '/')
        snprintf(out, size, "%s/.cache/chalk/cc", home);
    else
        snprintf(out, size, "%s/chalk-cc-%ld", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                 (long)getuid());
    for (char *p = out + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(out, 0700);
            *p = '/';
        }
    if (mkdir(out, 0700) < 0 && errno != EEXIST)
        out[0] = 0;
}

/* Bounding the cache.  Objects are kept least-recently-used first out:
 * a hit stamps the modification time of the object's .txt (its warnings;
 * the object itself stays untouched, and an access time is not kept on a
 * noatime mount nor moved twice a day on a relatime one), and after each
 * compile the least recently used objects (with their .txt)
 * go until the directory holds at most CHALK_CC_CACHE_MB megabytes
 * (a decimal number; default CC_CACHE_MB).  The files of a compile that never finished (the
 * cell interrupted or killed mid-compile: NAME.PID.c and NAME.PID.o) are
 * removed once their process is gone.  Several kernels may share the
 * directory: each removal is of a whole file; a hit whose object another
 * kernel removes in the instant before its link fails that one link.  The object just compiled
 * is never removed (CHALK_CC_CACHE_MB=0 keeps only it). */
#define CC_CACHE_MB 100

typedef struct cache_file {
    char name[256];
    off_t size;
    struct timespec used;
} cache_file;

static int cache_older(const void *a, const void *b)
{
    const struct timespec *x = &((const cache_file *)a)->used, *y = &((const cache_file *)b)->used;
    return x->tv_sec != y->tv_sec ? (x->tv_sec < y->tv_sec ? -1 : 1)
                                  : (x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec);
}

/* "HASH.PID.c" / "HASH.PID.o": the PID, or 0 for any other name. */
static long cache_temp_pid(const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot || !isdigit((unsigned char)dot[1]))
        return 0;
    char *end;
    long pid = strtol(dot + 1, &end, 10);
    return (!strcmp(end, ".c") || !strcmp(end, ".o")) ? pid : 0;
}

void cc_cache_prune(const char *dir, const char *keep)
{
    const char *env = getenv("CHALK_CC_CACHE_MB");
    char *end = NULL;
    double mb = env && *env ? strtod(env, &end) : CC_CACHE_MB;
    if (end && (*end || !(mb >= 0)))
        mb = CC_CACHE_MB;
    long long limit = (long long)(mb * 1024 * 1024);
    DIR *d = opendir(dir);
    if (!d)
        return;
    cache_file *f = NULL;
    size_t n = 0, cap = 0;
    long long total = 0;
    int dfd = dirfd(d);
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof f->name ||
            fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        long pid = cache_temp_pid(e->d_name);
        if (pid > 0) {
            if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
                unlinkat(dfd, e->d_name, 0);
            continue;
        }
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".o") || !strcmp(e->d_name, keep))
            continue; /* keep: this cell's own object, still to be linked */
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            cache_file *g = realloc(f, cap * sizeof *f);
            if (!g)
                break;
            f = g;
        }
        memcpy(f[n].name, e->d_name, len + 1);
        f[n].size = st.st_size;
        f[n].used = st.st_mtim;
        char txt[260];
        snprintf(txt, sizeof txt, "%.*s.txt", (int)(len - 2), e->d_name);
        if (fstatat(dfd, txt, &st, 0) == 0)
            f[n].used = st.st_mtim;
        total += f[n].size;
        n++;
    }
    if (n) /* f is NULL in an empty cache, and qsort's base must not be */
        qsort(f, n, sizeof *f, cache_older);
    for (size_t i = 0; i < n && total > limit; i++) {
        char txt[260];
        snprintf(txt, sizeof txt, "%.*s.txt", (int)(strlen(f[i].name) - 2), f[i].name);
        if (unlinkat(dfd, f[i].name, 0) == 0)
            total -= f[i].size;
        unlinkat(dfd, txt, 0);
    }
    free(f);
    closedir(d);
}
