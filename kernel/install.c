/* install.c — see install.h.
 *
 * The logos are copied from the first place that has them: next to an
 * installed binary (PREFIX/share/jupyter/kernels/chalk), the configured
 * datadir, or the source tree of an uninstalled build.  A missing logo is
 * a warning, not a failure: Jupyter works without one.
 */
#include "install.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "wire.h"

#ifndef CHALK_DATADIR
#define CHALK_DATADIR "/usr/local/share"
#endif
#ifndef CHALK_SRCDIR
#define CHALK_SRCDIR "."
#endif

static const char *const logos[] = { "logo-32x32.png", "logo-64x64.png", "logo-svg.svg" };

static void install_usage(FILE *out)
{
    fprintf(out,
            "usage: chalk-kernel install [--user | --prefix PREFIX | --sys-prefix] [--name NAME]\n"
            "\n"
            "Write the chalk kernelspec (kernel.json and logos) to\n"
            "  --user        ~/.local/share/jupyter/kernels/NAME (the default;\n"
            "                $JUPYTER_DATA_DIR or $XDG_DATA_HOME are honoured)\n"
            "  --prefix P    P/share/jupyter/kernels/NAME\n"
            "  --sys-prefix  $VIRTUAL_ENV (or $CONDA_PREFIX)/share/jupyter/kernels/NAME\n"
            "NAME defaults to chalk.  kernel.json points at this binary's absolute path.\n");
}

/* mkdir -p */
static int make_dirs(const char *path, char *err, size_t errlen)
{
    char buf[PATH_MAX];
    size_t i, n = strlen(path);

    if (n == 0 || n >= sizeof buf) {
        snprintf(err, errlen, "bad directory name");
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", buf, strerror(errno));
            return -1;
        }
        buf[i] = path[i];
    }
    return 0;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    FILE *in = fopen(from, "rb"), *out;
    char buf[8192];
    size_t n;
    int rc = 0;

    if (in == NULL) {
        snprintf(err, errlen, "cannot read %s: %s", from, strerror(errno));
        return -1;
    }
    out = fopen(to, "wb");
    if (out == NULL) {
        snprintf(err, errlen, "cannot write %s: %s", to, strerror(errno));
        fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            rc = -1;
            break;
        }
    if (ferror(in))
        rc = -1;
    if (fclose(out) != 0)
        rc = -1;
    fclose(in);
    if (rc < 0)
        snprintf(err, errlen, "cannot copy %s to %s", from, to);
    return rc;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int install_write_kernel_json(const char *dir, const char *binary, char *err, size_t errlen)
{
    char path[PATH_MAX];
    json_t *spec = json_pack("{s:[s, s, s], s:s, s:s, s:s, s:{s:b}, s:s}", "argv", binary, "-f",
                             "{connection_file}", "display_name", "C (chalk)", "language", "c",
                             "interrupt_mode", "signal", "metadata", "debugger", 0,
                             "kernel_protocol_version", WIRE_PROTOCOL_VERSION);
    int rc;

    if (spec == NULL) {
        snprintf(err, errlen, "cannot build kernel.json (binary path not UTF-8?)");
        return -1;
    }
    snprintf(path, sizeof path, "%s/kernel.json", dir);
    rc = json_dump_file(spec, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(spec);
    if (rc < 0)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return rc < 0 ? -1 : 0;
}

/* Find a directory holding the logos; NULL if none does. */
static const char *find_logo_dir(const char *exe, char *buf, size_t buflen)
{
    char tmp[PATH_MAX];
    const char *candidates[3];
    char c0[PATH_MAX];
    size_t i;

    snprintf(tmp, sizeof tmp, "%s", exe);
    /* exe = PREFIX/bin/chalk-kernel -> PREFIX/share/jupyter/kernels/chalk */
    snprintf(c0, sizeof c0, "%s/../share/jupyter/kernels/chalk", dirname(tmp));
    candidates[0] = c0;
    candidates[1] = CHALK_DATADIR "/jupyter/kernels/chalk";
    candidates[2] = CHALK_SRCDIR "/share/kernelspec";
    for (i = 0; i < 3; i++) {
        char probe[PATH_MAX];
        snprintf(probe, sizeof probe, "%s/%s", candidates[i], logos[0]);
        if (access(probe, R_OK) == 0) {
            snprintf(buf, buflen, "%s", candidates[i]);
            return buf;
        }
    }
    return NULL;
}

int install_main(int argc, char **argv)
{
    char exe[PATH_MAX], root[PATH_MAX], dir[PATH_MAX], logodir[PATH_MAX], err[PATH_MAX * 4 + 128];
    const char *name = "chalk";
    const char *prefix = NULL;
    int user = 0, sys_prefix = 0, i;
    ssize_t n;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--user") == 0) {
            user = 1;
        } else if (strcmp(argv[i], "--sys-prefix") == 0) {
            sys_prefix = 1;
        } else if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
            prefix = argv[++i];
        } else if (strncmp(argv[i], "--prefix=", 9) == 0) {
            prefix = argv[i] + 9;
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            install_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "chalk-kernel install: unknown option '%s'\n", argv[i]);
            install_usage(stderr);
            return 2;
        }
    }
    if (user + sys_prefix + (prefix != NULL) > 1) {
        fprintf(stderr, "chalk-kernel install: choose one of --user, --prefix, --sys-prefix\n");
        return 2;
    }
    if (name[0] == '\0' || strchr(name, '/') != NULL) {
        fprintf(stderr, "chalk-kernel install: bad kernel name '%s'\n", name);
        return 2;
    }

    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        fprintf(stderr, "chalk-kernel install: cannot find my own path: %s\n", strerror(errno));
        return 1;
    }
    exe[n] = '\0';

    if (prefix != NULL) {
        snprintf(root, sizeof root, "%s/share/jupyter", prefix);
    } else if (sys_prefix) {
        const char *p = getenv("VIRTUAL_ENV");
        if (p == NULL || p[0] == '\0')
            p = getenv("CONDA_PREFIX");
        if (p == NULL || p[0] == '\0') {
            fprintf(stderr,
                    "chalk-kernel install: --sys-prefix needs an active virtual environment "
                    "($VIRTUAL_ENV or $CONDA_PREFIX)\n");
            return 1;
        }
        snprintf(root, sizeof root, "%s/share/jupyter", p);
    } else {
        const char *p = getenv("JUPYTER_DATA_DIR"), *home = getenv("HOME"),
                   *xdg = getenv("XDG_DATA_HOME");
        if (p != NULL && p[0] != '\0')
            snprintf(root, sizeof root, "%s", p);
        else if (xdg != NULL && xdg[0] != '\0')
            snprintf(root, sizeof root, "%s/jupyter", xdg);
        else if (home != NULL && home[0] != '\0')
            snprintf(root, sizeof root, "%s/.local/share/jupyter", home);
        else {
            fprintf(stderr, "chalk-kernel install: $HOME is not set; use --prefix\n");
            return 1;
        }
    }
    if ((size_t)snprintf(dir, sizeof dir, "%s/kernels/%s", root, name) >= sizeof dir) {
        fprintf(stderr, "chalk-kernel install: path too long\n");
        return 1;
    }
    if (make_dirs(dir, err, sizeof err) < 0 ||
        install_write_kernel_json(dir, exe, err, sizeof err) < 0) {
        fprintf(stderr, "chalk-kernel install: %s\n", err);
        return 1;
    }
    if (find_logo_dir(exe, logodir, sizeof logodir) != NULL) {
        for (i = 0; i < (int)(sizeof logos / sizeof logos[0]); i++) {
            char from[PATH_MAX * 2], to[PATH_MAX * 2];
            snprintf(from, sizeof from, "%s/%s", logodir, logos[i]);
            snprintf(to, sizeof to, "%s/%s", dir, logos[i]);
            /* Installing over the installed copy: copying a file onto itself
             * would truncate it. */
            if (!same_file(from, to) && copy_file(from, to, err, sizeof err) < 0)
                fprintf(stderr, "chalk-kernel install: warning: %s\n", err);
        }
    } else {
        fprintf(stderr,
                "chalk-kernel install: warning: logos not found; installing without them\n");
    }
    printf("Installed kernelspec %s in %s\n", name, dir);
    return 0;
}
