/* isolate.c — keep what a cell leaves behind out of the holder (see
 * isolate.h).
 *
 * Everything here runs once per cell on the path a trivial cell takes, so
 * it stays at a few system calls: one sigaction per signal, two fstat per
 * descriptor, one waitpid for children (and a read of /proc if there are
 * any).  The
 * identities recorded by isolate_init are inherited by every later holder
 * through fork, which is why they are plain statics.
 */
#define _GNU_SOURCE
#include "isolate.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

/* Copies of the kernel's descriptors sit this high so that a cell's own
 * open() calls never land on them by accident. */
#define ISOLATE_KEEP_FD 900

typedef struct kept {
    int fd;   /* the descriptor the holder uses (1, 2, channel) */
    int copy; /* our copy, or -1 */
    dev_t dev;
    ino_t ino;
} kept;

enum { KEEP_OUT, KEEP_ERR, KEEP_CHAN, N_KEEP };
static kept keep[N_KEEP] = { { -1, -1, 0, 0 }, { -1, -1, 0, 0 }, { -1, -1, 0, 0 } };

static int same_file(int fd, const kept *k)
{
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == k->dev && st.st_ino == k->ino;
}

void isolate_init(int chan_fd)
{
    int fds[N_KEEP] = { 1, 2, chan_fd };
    for (int i = 0; i < N_KEEP; i++) {
        struct stat st;
        if (fstat(fds[i], &st) < 0)
            continue;
        keep[i] = (kept){ fds[i], fcntl(fds[i], F_DUPFD_CLOEXEC, ISOLATE_KEEP_FD + i), st.st_dev,
                          st.st_ino };
    }
}

/* A stream a cell closed (fclose leaves glibc's static stdout marked
 * unwritable with fileno -1), reopened on another descriptor, replaced
 * (`stdout = fopen(...)`) or made wide-oriented cannot be trusted to write
 * to the descriptor below it: it is replaced by a fresh one.  Only then is a
 * FILE made, so a session whose streams are intact allocates nothing. */
static FILE *good_stream(FILE *f, int fd, int mode)
{
    /* fwide: > 0 wide, < 0 bytes (any printf), 0 not yet oriented. */
    if (f && fileno(f) == fd && __fwritable(f) && fwide(f, 0) <= 0) {
        clearerr(f);
        return f;
    }
    FILE *fresh = fdopen(fd, "w");
    if (!fresh)
        return f;
    setvbuf(fresh, NULL, mode, 0);
    return fresh;
}

void isolate_repair_stdio(void)
{
    for (int i = KEEP_OUT; i <= KEEP_ERR; i++) {
        kept *k = &keep[i];
        if (k->fd < 0 || same_file(k->fd, k))
            continue;
        if (k->copy >= 0 && same_file(k->copy, k))
            dup2(k->copy, k->fd);
    }
    stdout = good_stream(stdout, 1, _IOLBF);
    stderr = good_stream(stderr, 2, _IONBF);
}

/* Signals the holder must see as the C library expects: a child's end
 * (waitpid), and faults, which must kill rather than loop. */
static int holder_keeps_default(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGABRT:
    case SIGTRAP:
    case SIGSYS:
    case SIGCONT: return 1;
    default: return 0;
    }
}

static void set_dispositions(int holder)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        sa.sa_handler = holder && !holder_keeps_default(sig) ? SIG_IGN : SIG_DFL;
        sigaction(sig, &sa, NULL); /* glibc's own signals answer EINVAL */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void isolate_holder(void)
{
    set_dispositions(1);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    isolate_repair_stdio();
}

void isolate_cell_start(void)
{
    set_dispositions(0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    isolate_repair_stdio();
}

int isolate_kill_children(void)
{
    /* Most cells leave none: then waitpid says so (ECHILD) in one system
     * call, where the list in /proc costs an open, a read and a close on
     * every cell's path.  __WALL: a child made by clone() with no exit
     * signal counts too.  A zombie it reaps would have been reaped below. */
    if (waitpid(-1, NULL, WNOHANG | __WALL) < 0 && errno == ECHILD)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    int killed = 0;
    /* Each round kills what is there; the orphans of those come back to us
     * (we are a subreaper) for the next.  A fork bomb ends at the process
     * limit, so the rounds are bounded. */
    for (int round = 0; round < 64; round++) {
        FILE *f = fopen(path, "re");
        if (!f)
            break;
        pid_t pids[256];
        int n = 0;
        long p;
        while (n < 256 && fscanf(f, "%ld", &p) == 1)
            pids[n++] = (pid_t)p;
        fclose(f);
        if (n == 0)
            break;
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        for (int i = 0; i < n; i++) /* __WALL: a clone child is reaped too */
            while (waitpid(pids[i], NULL, __WALL) < 0 && errno == EINTR)
                ;
        killed += n;
    }
    return killed;
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* OpenMP (a `%%cc -fopenmp` cell): libgomp keeps its worker threads in a
 * pool owned by this (the main) thread, and fork() copies none of them, so
 * the next cell's child would wait at a barrier for threads that do not
 * exist: a hang.  The pool is freed here (OpenMP 5.0's pause, which libgomp
 * implements as "free the pool"), and the workers, told to exit, are
 * waited for (at most 2 s), so the holder forks from one thread; the next
 * cell's parallel region makes a pool of its own. */
static int is_gomp(struct dl_phdr_info *info, size_t size, void *found)
{
    (void)size;
    const char *slash = strrchr(info->dlpi_name, '/');
    if (!strncmp(slash ? slash + 1 : info->dlpi_name, "libgomp.so", 10))
        *(int *)found = 1;
    return *(int *)found;
}

static void release_openmp(void)
{
    /* a walk of the loaded objects, no system call, on every cell's path:
     * dlopen(RTLD_NOLOAD) alone would read ld.so.cache */
    int found = 0;
    dl_iterate_phdr(is_gomp, &found);
    void *gomp = found ? dlopen("libgomp.so.1", RTLD_LAZY | RTLD_NOLOAD) : NULL;
    if (!gomp)
        return;
    int (*pause_all)(int) = (int (*)(int))dlsym(gomp, "omp_pause_resource_all");
    if (pause_all)
        pause_all(2); /* omp_pause_hard */
    dlclose(gomp);
    for (int i = 0; i < 2000 && task_count() > 1; i++)
        nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
}

const char *isolate_leftovers(int threads, char *err, size_t errlen)
{
    release_openmp();
    if (threads > 0) {
        /* A thread would go on running in the holder, between cells and
         * during the next ones, and fork() would not copy it: refused. */
        snprintf(err, errlen,
                 "the cell left %d thread%s running; join %s (pthread_join) "
                 "before the cell ends; the session is as it was before this cell",
                 threads, threads == 1 ? "" : "s", threads == 1 ? "it" : "them");
        return "ThreadError";
    }
    isolate_kill_children();
    /* Either copy of a descriptor restores the other; only a cell that
     * closed both cannot hand over. */
    for (int i = 0; i < N_KEEP; i++) {
        kept *k = &keep[i];
        if (k->fd < 0 || k->copy < 0)
            continue;
        int fd_ok = same_file(k->fd, k), copy_ok = same_file(k->copy, k);
        if (fd_ok && !copy_ok)
            dup3(k->fd, k->copy, O_CLOEXEC);
        else if (!fd_ok && copy_ok)
            dup2(k->copy, k->fd);
        else if (!fd_ok) {
            snprintf(err, errlen,
                     "the cell closed descriptor %d (%s) and the kernel's copy of it; "
                     "the session is as it was before this cell",
                     k->fd,
                     i == KEEP_CHAN  ? "the kernel's channel"
                     : i == KEEP_OUT ? "stdout"
                                     : "stderr");
            return "DescriptorError";
        }
    }
    return NULL;
}
