/* transport.c — see transport.h.
 *
 * Control is polled first and drained before shell in every round, so an
 * interrupt or shutdown is never stuck behind a queue of shell requests.
 * Each receive is non-blocking; a message is only handed on once all its
 * parts are in (ZeroMQ delivers multipart messages atomically).
 *
 * The heartbeat is answered by a thread of its own, as ipykernel does: the
 * loop may be busy for a moment (editor help builds its catalog of every
 * header once, in a few hundred milliseconds), and a front end must never
 * take that for a dead kernel.  That thread is the only one that touches
 * the hb socket while the loop runs.
 */
#define _GNU_SOURCE
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "log.h"

struct transport {
    void *zctx;
    void *sock[TRANSPORT_NCHANNELS];
    int stop;
};

static int sigpipe_fds[2] = { -1, -1 };

static void on_sigint(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    /* A full pipe already holds a pending interrupt: losing this one is fine. */
    if (write(sigpipe_fds[1], &b, 1) < 0) {
    }
    errno = saved;
}

static int install_signals(char *err, size_t errlen)
{
    struct sigaction sa;
    int i;

    if (sigpipe_fds[0] < 0) {
        if (pipe(sigpipe_fds) < 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            return -1;
        }
        for (i = 0; i < 2; i++) {
            fcntl(sigpipe_fds[i], F_SETFL, fcntl(sigpipe_fds[i], F_GETFL) | O_NONBLOCK);
            fcntl(sigpipe_fds[i], F_SETFD, FD_CLOEXEC);
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    /* SIGTERM ends the loop cleanly so the engine can reap its executor. */
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

transport *transport_new(const connfile *cf, char *err, size_t errlen)
{
    static const int types[TRANSPORT_NCHANNELS] = { ZMQ_ROUTER, ZMQ_ROUTER, ZMQ_ROUTER, ZMQ_XPUB,
                                                    ZMQ_REP };
    static const char *const names[TRANSPORT_NCHANNELS] = { "shell", "control", "stdin", "iopub",
                                                            "hb" };
    int ports[TRANSPORT_NCHANNELS];
    transport *self;
    int i;

    ports[TRANSPORT_SHELL] = cf->shell_port;
    ports[TRANSPORT_CONTROL] = cf->control_port;
    ports[TRANSPORT_STDIN] = cf->stdin_port;
    ports[TRANSPORT_IOPUB] = cf->iopub_port;
    ports[TRANSPORT_HB] = cf->hb_port;

    if (install_signals(err, errlen) < 0)
        return NULL;
    self = calloc(1, sizeof *self);
    if (self == NULL || (self->zctx = zmq_ctx_new()) == NULL) {
        snprintf(err, errlen, "cannot create ZeroMQ context");
        free(self);
        return NULL;
    }
    for (i = 0; i < TRANSPORT_NCHANNELS; i++) {
        char ep[300];
        int linger = 1000, one = 1;
        /* 256 MiB per frame: a larger frame disconnects the peer rather than
         * exhausting memory. */
        int64_t maxsize = (int64_t)256 << 20;

        self->sock[i] = zmq_socket(self->zctx, types[i]);
        if (self->sock[i] == NULL) {
            snprintf(err, errlen, "%s socket: %s", names[i], zmq_strerror(zmq_errno()));
            goto fail;
        }
        /* Linger a second so the last reply (shutdown_reply) still leaves. */
        zmq_setsockopt(self->sock[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(self->sock[i], ZMQ_MAXMSGSIZE, &maxsize, sizeof maxsize);
        /* No ZMQ_ROUTER_MANDATORY: with it a send to a slow or vanished
         * client can block or fail halfway through a multipart message; a
         * kernel whose loop must never stall prefers ROUTER's silent drop. */
        if (types[i] == ZMQ_XPUB) {
            /* Report every subscription, not only the first of a topic, so
             * each new client gets its iopub_welcome. */
            zmq_setsockopt(self->sock[i], ZMQ_XPUB_VERBOSE, &one, sizeof one);
        }
        if (connfile_endpoint(cf, ports[i], ep, sizeof ep) < 0 || zmq_bind(self->sock[i], ep) < 0) {
            snprintf(err, errlen, "cannot bind %s socket to %s: %s", names[i], ep,
                     zmq_strerror(zmq_errno()));
            goto fail;
        }
    }
    return self;

fail:
    transport_destroy(&self);
    return NULL;
}

void transport_destroy(transport **self_p)
{
    transport *self = *self_p;
    int i;
    if (self == NULL)
        return;
    for (i = 0; i < TRANSPORT_NCHANNELS; i++)
        if (self->sock[i] != NULL)
            zmq_close(self->sock[i]);
    if (self->zctx != NULL)
        zmq_ctx_term(self->zctx);
    free(self);
    *self_p = NULL;
}

void transport_stop(transport *self)
{
    self->stop = 1;
}

int transport_send(transport *self, transport_channel ch, const wire_frame *frames, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int flags = i + 1 < n ? ZMQ_SNDMORE : 0;
        if (zmq_send(self->sock[ch], frames[i].data, frames[i].size, flags) < 0) {
            log_warn("send on channel %d failed: %s", (int)ch, zmq_strerror(zmq_errno()));
            return -1;
        }
    }
    return 0;
}

/* Receive one whole multipart message without blocking.  Returns the number
 * of frames (0: nothing there), -1 if it was too long (drained, dropped). */
static int recv_multipart(void *sock, wire_frame *frames, size_t max)
{
    size_t n = 0;
    int more = 1, overflow = 0;

    while (more) {
        zmq_msg_t part;
        size_t size;

        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, sock, n == 0 && !overflow ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close(&part);
            if (n == 0 && !overflow)
                return 0;
            break;
        }
        size = zmq_msg_size(&part);
        if (n < max && (frames[n].data = malloc(size + 1)) != NULL) {
            memcpy(frames[n].data, zmq_msg_data(&part), size);
            ((char *)frames[n].data)[size] = '\0';
            frames[n].size = size;
            n++;
        } else {
            overflow = 1;
        }
        more = zmq_msg_more(&part);
        zmq_msg_close(&part);
    }
    if (overflow) {
        size_t i;
        for (i = 0; i < n; i++)
            free(frames[i].data);
        return -1;
    }
    return (int)n;
}

static void free_frames(wire_frame *frames, int n)
{
    int i;
    for (i = 0; i < n; i++)
        free(frames[i].data);
}

static void serve_router(transport *self, transport_channel ch, const transport_handler *h,
                         wire_frame *frames)
{
    /* Bounded per round so one flooding channel cannot starve the others. */
    int round;
    for (round = 0; round < 64 && !self->stop; round++) {
        int n = recv_multipart(self->sock[ch], frames, TRANSPORT_MAX_FRAMES);
        if (n == 0)
            return;
        if (n < 0) {
            log_warn("dropped a message with more than %d frames", TRANSPORT_MAX_FRAMES);
            continue;
        }
        h->on_message(h->ctx, ch, frames, (size_t)n);
        free_frames(frames, n);
    }
}

static void serve_hb(transport *self, wire_frame *frames)
{
    int round;
    for (round = 0; round < 64; round++) {
        int n = recv_multipart(self->sock[TRANSPORT_HB], frames, TRANSPORT_MAX_FRAMES);
        if (n == 0)
            return;
        /* REP must answer every request; an oversized ping gets an empty pong. */
        if (n < 0)
            zmq_send(self->sock[TRANSPORT_HB], "", 0, 0);
        else
            transport_send(self, TRANSPORT_HB, frames, (size_t)n);
        free_frames(frames, n < 0 ? 0 : n);
    }
}

typedef struct hb_thread {
    transport *t;
    int stop[2]; /* a byte on stop[1] ends the thread */
    pthread_t th;
    int running;
} hb_thread;

static void *hb_main(void *p)
{
    hb_thread *hb = p;
    /* malloc, not calloc: recv_multipart fills the frames it returns, and
     * a zeroed array would keep all 16 KiB of it resident for the few
     * entries a message uses (four pages of each of the two arrays). */
    wire_frame *frames = malloc(TRANSPORT_MAX_FRAMES * sizeof *frames);
    if (frames == NULL)
        return NULL;
    for (;;) {
        zmq_pollitem_t items[2] = { { hb->t->sock[TRANSPORT_HB], 0, ZMQ_POLLIN, 0 },
                                    { NULL, hb->stop[0], ZMQ_POLLIN, 0 } };
        if (zmq_poll(items, 2, -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            break;
        }
        if (items[1].revents & ZMQ_POLLIN)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            serve_hb(hb->t, frames);
    }
    free(frames);
    return NULL;
}

static void hb_start(hb_thread *hb, transport *t)
{
    hb->t = t;
    hb->running = 0;
    if (pipe2(hb->stop, O_CLOEXEC) < 0)
        return;
    /* Signals are the loop's (the signal pipe): the thread blocks them all. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    hb->running = pthread_create(&hb->th, NULL, hb_main, hb) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!hb->running) {
        close(hb->stop[0]);
        close(hb->stop[1]);
    }
}

static void hb_stop(hb_thread *hb)
{
    if (!hb->running)
        return;
    (void)!write(hb->stop[1], "x", 1);
    pthread_join(hb->th, NULL);
    close(hb->stop[0]);
    close(hb->stop[1]);
    hb->running = 0;
}

static void serve_iopub(transport *self, const transport_handler *h, wire_frame *frames)
{
    int round;
    for (round = 0; round < 64; round++) {
        int n = recv_multipart(self->sock[TRANSPORT_IOPUB], frames, TRANSPORT_MAX_FRAMES);
        if (n == 0)
            return;
        /* XPUB delivers \x01topic for subscribe, \x00topic for unsubscribe. */
        if (n > 0 && frames[0].size >= 1 && ((unsigned char *)frames[0].data)[0] == 1 &&
            h->on_subscribe)
            h->on_subscribe(h->ctx, (const char *)frames[0].data + 1, frames[0].size - 1);
        free_frames(frames, n < 0 ? 0 : n);
    }
}

/* A kernel whose front end died would live on with nobody to talk to, and a
 * session holding memory.  jupyter_client names the launching process in
 * JPY_PARENT_PID; like ipykernel's parent poller, the loop wakes now and
 * then to see whether that process is still our parent.  (PR_SET_PDEATHSIG
 * would be simpler but fires when the launching *thread* ends, which front
 * ends that start kernels from worker threads do all the time.) */
#define PARENT_CHECK_MS 1000

static pid_t launching_parent(void)
{
    const char *env = getenv("JPY_PARENT_PID");
    char *end;
    long pid = env ? strtol(env, &end, 10) : 0;
    if (!env || *end || pid <= 1 || getppid() != (pid_t)pid)
        return 0;
    return (pid_t)pid;
}

int transport_run(transport *self, const transport_handler *h)
{
    wire_frame *frames = malloc(TRANSPORT_MAX_FRAMES * sizeof *frames); /* see hb_main */
    zmq_pollitem_t items[TRANSPORT_NCHANNELS + 1 + TRANSPORT_MAX_FDS];
    int fds[TRANSPORT_MAX_FDS];
    int rc = 0;

    if (frames == NULL)
        return -1;
    hb_thread hb;
    hb_start(&hb, self);
    pid_t parent = launching_parent();
    while (!self->stop) {
        int nfds = h->pollfds ? h->pollfds(h->ctx, fds, TRANSPORT_MAX_FDS) : 0;
        int nitems = 0, i;

        if (nfds < 0)
            nfds = 0;
        /* Fixed order: control, shell, stdin, iopub, hb, signal pipe, engine. */
        for (i = 0; i < TRANSPORT_NCHANNELS; i++) {
            static const transport_channel order[TRANSPORT_NCHANNELS] = {
                TRANSPORT_CONTROL, TRANSPORT_SHELL, TRANSPORT_STDIN, TRANSPORT_IOPUB, TRANSPORT_HB
            };
            memset(&items[nitems], 0, sizeof items[nitems]);
            items[nitems].socket = self->sock[order[i]];
            items[nitems].events = ZMQ_POLLIN;
            if (order[i] == TRANSPORT_HB && hb.running) {
                /* The thread's socket: a placeholder keeps the indices. */
                items[nitems].socket = NULL;
                items[nitems].fd = sigpipe_fds[0];
                items[nitems].events = 0;
            }
            nitems++;
        }
        memset(&items[nitems], 0, sizeof items[nitems]);
        items[nitems].fd = sigpipe_fds[0];
        items[nitems].events = ZMQ_POLLIN;
        nitems++;
        for (i = 0; i < nfds; i++) {
            memset(&items[nitems], 0, sizeof items[nitems]);
            items[nitems].fd = fds[i];
            items[nitems].events = ZMQ_POLLIN;
            nitems++;
        }

        long timeout = parent ? PARENT_CHECK_MS : -1;
        int wanted = h->timeout_ms ? h->timeout_ms(h->ctx) : -1;
        if (wanted >= 0 && (timeout < 0 || wanted < timeout))
            timeout = wanted;
        if (zmq_poll(items, nitems, timeout) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            log_error("poll failed: %s", zmq_strerror(zmq_errno()));
            rc = -1;
            break;
        }
        if (parent && getppid() != parent) {
            log_warn("the process that started the kernel (pid %ld) is gone: shutting down",
                     (long)parent);
            self->stop = 1;
            break;
        }
        if (items[0].revents & ZMQ_POLLIN)
            serve_router(self, TRANSPORT_CONTROL, h, frames);
        if (!hb.running && (items[4].revents & ZMQ_POLLIN))
            serve_hb(self, frames);
        if (items[3].revents & ZMQ_POLLIN)
            serve_iopub(self, h, frames);
        if (items[5].revents & ZMQ_POLLIN) {
            unsigned char buf[64];
            ssize_t got, k;
            int interrupt = 0;
            while ((got = read(sigpipe_fds[0], buf, sizeof buf)) > 0)
                for (k = 0; k < got; k++) {
                    if (buf[k] == SIGTERM)
                        self->stop = 1;
                    else
                        interrupt = 1;
                }
            if (interrupt && !self->stop && h->on_interrupt)
                h->on_interrupt(h->ctx);
        }
        /* Engine output before new shell requests: a finished cell's reply
         * goes out before the next request starts. */
        for (i = 0; i < nfds && !self->stop; i++)
            if (items[6 + i].revents & (ZMQ_POLLIN | ZMQ_POLLERR))
                h->on_fd(h->ctx, fds[i]);
        if (!self->stop && h->on_timeout)
            h->on_timeout(h->ctx);
        if (!self->stop && (items[2].revents & ZMQ_POLLIN))
            serve_router(self, TRANSPORT_STDIN, h, frames);
        if (!self->stop && (items[1].revents & ZMQ_POLLIN))
            serve_router(self, TRANSPORT_SHELL, h, frames);
    }
    hb_stop(&hb);
    free(frames);
    return rc;
}
