/* header_index.c — the prebuilt header index file (see header_index.h).
 *
 * Layout, native byte order (only the executable that wrote it reads it):
 *   0   "chalkhix"  u32 version  u32 key_len  u64 file_len  u64 checksum
 *   32  the key (text, see key_fixed and key_files), padded to 8
 *       u64 offset and u64 length of each index (pre, base, lib; a lib of
 *       length 0 is base), then the indexes (declindex_serialize), 8-aligned
 * The checksum covers every byte after the first 32.  It is computed with
 * pread, so that the check leaves none of the file's pages mapped into the
 * process: only the pages a cell's lookups touch become resident there
 * (and those are the page cache's, shared by every kernel on the machine).
 */
#define _GNU_SOURCE
#include "header_index.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "headers.h"
#include "strbuf.h"
#include "strv.h"

enum { HEAD_LEN = 32, FORMAT_VERSION = 1, NINDEX = 3 };
static const char magic[8] = "chalkhix";
/* More than any prelude's index by far; a larger size is a damaged file. */
#define MAX_FILE ((uint64_t)1 << 30)

/* Directories tcc 0.9.27 searches after the -I ones (its
 * CONFIG_TCC_SYSINCLUDEPATHS on Debian), {B} being its runtime directory. */
static const char *const sys_dirs[] = { "/usr/local/include/x86_64-linux-gnu", "/usr/local/include",
                                        "/usr/include/x86_64-linux-gnu", "/usr/include" };

static uint64_t checksum_step(uint64_t h, const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001B3ULL;
    return h;
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* What must equal exactly: who wrote the file and what it read. */
static int key_fixed(strbuf *k, const char *prelude, const char *options)
{
    struct stat st;
    if (stat("/proc/self/exe", &st) < 0)
        return -1;
    strbuf_addf(k, "chalk header index %d\nexe %lld %" PRId64 "\ntcclib %s\nfeatures %s\n",
                FORMAT_VERSION, (long long)st.st_size, mtime_ns(&st), CHALK_TCC_LIBDIR,
                HEADERS_FEATURES);
    strbuf_addf(k, "prelude %zu\n", strlen(prelude));
    strbuf_add(k, prelude);
    strbuf_addf(k, "\noptions %zu\n", strlen(options));
    strbuf_add(k, options);
    strbuf_add(k, "\n");
    return 0;
}

/* A line of the file list: "SIZE MTIME PATH" (-1 0 for a missing one). */
static void key_file(strbuf *k, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        strbuf_addf(k, "-1 0 %s\n", path);
    else
        strbuf_addf(k, "%lld %" PRId64 " %s\n", (long long)st.st_size, mtime_ns(&st), path);
}

static void add_dir_of(char ***v, size_t *n, const char *file)
{
    char *copy = alloc_strdup(file);
    const char *d = dirname(copy);
    if (!strv_has(*v, *n, d))
        strv_add(v, n, d);
    free(copy);
}

/* Every file the indexes were flattened from, the directories holding them,
 * and every directory the preprocessor searches (-I ones first). */
static int key_files(strbuf *k, const char *prelude, const char *options, const char *lib_prelude,
                     char *err, size_t errlen)
{
    char **files = NULL, **dirs = NULL;
    size_t nfiles = 0, ndirs = 0;
    const char *sources[] = { "", prelude, lib_prelude };
    for (size_t i = 0; i < (lib_prelude ? 3u : 2u); i++)
        if (headers_dependencies(sources[i], options, NULL, &files, &nfiles, err, errlen) < 0) {
            strv_free(files, nfiles);
            return -1;
        }
    for (const char *o = strstr(options, "-I"); o; o = strstr(o + 2, "-I")) {
        char *d = strndup(o + 2, strcspn(o + 2, " \t"));
        if (d && *d && !strv_has(dirs, ndirs, d))
            strv_add(&dirs, &ndirs, d);
        free(d);
    }
    strbuf tccinc = { 0 };
    strbuf_addf(&tccinc, "%s/include", CHALK_TCC_LIBDIR);
    strv_add(&dirs, &ndirs, tccinc.s);
    strbuf_free(&tccinc);
    for (size_t i = 0; i < sizeof sys_dirs / sizeof *sys_dirs; i++)
        if (!strv_has(dirs, ndirs, sys_dirs[i]))
            strv_add(&dirs, &ndirs, sys_dirs[i]);
    for (size_t i = 0; i < nfiles; i++)
        add_dir_of(&dirs, &ndirs, files[i]);
    strbuf_addf(k, "files %zu\n", nfiles + ndirs);
    for (size_t i = 0; i < nfiles; i++)
        key_file(k, files[i]);
    for (size_t i = 0; i < ndirs; i++)
        key_file(k, dirs[i]);
    strv_free(files, nfiles);
    strv_free(dirs, ndirs);
    return 0;
}

static int relative_include(const char *options)
{
    for (const char *o = strstr(options, "-I"); o; o = strstr(o + 2, "-I"))
        if (o[2] != '/')
            return 1;
    return 0;
}

static void pad8(strbuf *b)
{
    static const char zeros[8] = { 0 };
    if (b->len % 8)
        strbuf_addn(b, zeros, 8 - b->len % 8);
}

int header_index_write(const char *path, const char *prelude, const char *options,
                       const declindex *pre, const declindex *base, const declindex *lib,
                       const char *lib_prelude, char *err, size_t errlen)
{
    if (relative_include(options)) {
        snprintf(err, errlen, "a relative -I directory in '%s'", options);
        return -1;
    }
    strbuf key = { 0 };
    if (key_fixed(&key, prelude, options) < 0 ||
        key_files(&key, prelude, options, lib ? lib_prelude : NULL, err, errlen) < 0) {
        if (!*err)
            snprintf(err, errlen, "cannot stat the executable: %s", strerror(errno));
        strbuf_free(&key);
        return -1;
    }
    strbuf b = { 0 };
    char head[HEAD_LEN] = { 0 };
    strbuf_addn(&b, head, sizeof head);
    strbuf_addn(&b, key.s, key.len);
    uint32_t key_len = (uint32_t)key.len;
    strbuf_free(&key);
    pad8(&b);
    size_t table = b.len;
    uint64_t offlen[2 * NINDEX] = { 0 };
    strbuf_addn(&b, (const char *)offlen, sizeof offlen);
    const declindex *parts[NINDEX] = { pre, base, lib };
    for (size_t i = 0; i < NINDEX; i++) {
        if (!parts[i])
            continue;
        pad8(&b);
        offlen[2 * i] = b.len;
        declindex_serialize(parts[i], &b);
        offlen[2 * i + 1] = b.len - offlen[2 * i];
    }
    pad8(&b);
    memcpy(b.s + table, offlen, sizeof offlen);
    uint32_t version = FORMAT_VERSION;
    uint64_t file_len = b.len;
    uint64_t sum = checksum_step(0, (const unsigned char *)b.s + HEAD_LEN, b.len - HEAD_LEN);
    memcpy(b.s, magic, 8);
    memcpy(b.s + 8, &version, 4);
    memcpy(b.s + 12, &key_len, 4);
    memcpy(b.s + 16, &file_len, 8);
    memcpy(b.s + 24, &sum, 8);

    strbuf tmp = { 0 };
    strbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp.s, strerror(errno));
    } else {
        size_t done = 0;
        while (done < b.len) {
            ssize_t w = write(fd, b.s + done, b.len - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            done += (size_t)w;
        }
        if (close(fd) < 0 || done < b.len)
            snprintf(err, errlen, "%s: %s", tmp.s, strerror(errno ? errno : EIO));
        else if (rename(tmp.s, path) < 0)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        else
            rc = 0;
        if (rc < 0)
            unlink(tmp.s);
    }
    strbuf_free(&tmp);
    strbuf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------ */
/* reading */

static int fail(char *why, size_t whylen, const char *path, const char *reason)
{
    if (why && whylen)
        snprintf(why, whylen, "%s: %s", path, reason);
    return -1;
}

static int read_at(int fd, void *buf, size_t n, off_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, off + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

/* The file list after the fixed key: every entry still as recorded. */
static int files_unchanged(const char *list, size_t len)
{
    const char *p = list, *end = list + len;
    if (len < 6 || memcmp(p, "files ", 6))
        return 0;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        return 0;
    p = nl + 1;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        strbuf want = { 0 };
        const char *sp1 = memchr(p, ' ', (size_t)(nl - p));
        const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1)) : NULL;
        if (!sp2) {
            return 0;
        }
        char *path = strndup(sp2 + 1, (size_t)(nl - sp2 - 1));
        key_file(&want, path);
        int same = want.len == (size_t)(nl + 1 - p) && !memcmp(want.s, p, want.len);
        free(path);
        strbuf_free(&want);
        if (!same)
            return 0;
        p = nl + 1;
    }
    return 1;
}

static int check(int fd, uint64_t size, const char *path, const char *prelude, const char *options,
                 uint64_t offlen[2 * NINDEX], char *why, size_t whylen)
{
    unsigned char head[HEAD_LEN];
    if (size < HEAD_LEN || size > MAX_FILE || read_at(fd, head, sizeof head, 0) < 0)
        return fail(why, whylen, path, "too short");
    uint32_t version, key_len;
    uint64_t file_len, sum;
    memcpy(&version, head + 8, 4);
    memcpy(&key_len, head + 12, 4);
    memcpy(&file_len, head + 16, 8);
    memcpy(&sum, head + 24, 8);
    if (memcmp(head, magic, 8) || version != FORMAT_VERSION)
        return fail(why, whylen, path, "not a header index of this version");
    uint64_t table = (HEAD_LEN + (uint64_t)key_len + 7) / 8 * 8;
    if (file_len != size || table + sizeof(uint64_t) * 2 * NINDEX > size)
        return fail(why, whylen, path, "truncated");

    char *key = alloc_resize(NULL, key_len + 1);
    strbuf want = { 0 };
    int rc = -1;
    if (read_at(fd, key, key_len, HEAD_LEN) < 0 || key_fixed(&want, prelude, options) < 0) {
        fail(why, whylen, path, "unreadable");
    } else if (key_len < want.len || memcmp(key, want.s, want.len)) {
        fail(why, whylen, path, "built for another executable, prelude or include path");
    } else if (!files_unchanged(key + want.len, key_len - want.len)) {
        fail(why, whylen, path, "a header it was built from changed");
    } else {
        /* Last: the only step that reads the whole file. */
        uint64_t h = 0;
        enum { CHUNK = 65536 }; /* a multiple of 8, as checksum_step needs */
        unsigned char *buf = alloc_resize(NULL, CHUNK); /* not the stack: it would stay resident */
        uint64_t off = HEAD_LEN;
        while (off < size) {
            size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
            if (read_at(fd, buf, n, (off_t)off) < 0)
                break;
            h = checksum_step(h, buf, n);
            off += n;
        }
        free(buf);
        if (off == size && read_at(fd, offlen, sizeof(uint64_t) * 2 * NINDEX, (off_t)table) < 0)
            off = 0;
        if (off != size || h != sum)
            fail(why, whylen, path, "damaged (checksum)");
        else
            rc = 0;
    }
    free(key);
    strbuf_free(&want);
    return rc;
}

header_index *header_index_open(const char *path, const char *prelude, const char *options,
                                char *why, size_t whylen)
{
    if (why && whylen)
        *why = 0;
    if (!path || !*path)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fail(why, whylen, path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    uint64_t offlen[2 * NINDEX];
    if (check(fd, (uint64_t)st.st_size, path, prelude, options ? options : "", offlen, why,
              whylen) < 0) {
        close(fd);
        return NULL;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        fail(why, whylen, path, strerror(errno));
        return NULL;
    }
    header_index *h = alloc_zeroed(sizeof *h);
    h->map = map;
    h->maplen = (size_t)st.st_size;
    declindex **parts[NINDEX] = { &h->pre, &h->base, &h->lib };
    for (size_t i = 0; i < NINDEX; i++) {
        uint64_t off = offlen[2 * i], len = offlen[2 * i + 1];
        if (i == 2 && len == 0)
            continue; /* lib is base */
        if (off % 8 || off > h->maplen || len > h->maplen - off ||
            !(*parts[i] = declindex_view((const char *)map + off, (size_t)len))) {
            fail(why, whylen, path, "malformed");
            header_index_close(&h);
            return NULL;
        }
    }
    return h;
}

void header_index_close(header_index **self_p)
{
    header_index *h = *self_p;
    if (!h)
        return;
    declindex_destroy(&h->pre);
    declindex_destroy(&h->base);
    declindex_destroy(&h->lib);
    munmap(h->map, h->maplen);
    free(h);
    *self_p = NULL;
}
