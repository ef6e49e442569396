/* transport.h — the kernel's five ZeroMQ sockets and its single poll loop.
 *
 * shell, control, stdin: ROUTER; iopub: XPUB (a new subscription is reported
 * so dispatch can send iopub_welcome); heartbeat: REP, echoed right here.
 * The loop also polls descriptors named by the handler (the engine's pipes)
 * and a self-pipe written by the SIGINT handler, so a signal interrupts the
 * cell instead of the kernel.  The transport knows frames, never msg_type.
 * Beware: frames passed to on_message are freed when it returns.
 */
#ifndef CHALK_TRANSPORT_H
#define CHALK_TRANSPORT_H

#include <stddef.h>

#include "connfile.h"
#include "wire.h"

typedef enum transport_channel {
    TRANSPORT_SHELL = 0,
    TRANSPORT_CONTROL,
    TRANSPORT_STDIN,
    TRANSPORT_IOPUB,
    TRANSPORT_HB,
    TRANSPORT_NCHANNELS
} transport_channel;

/* Messages with more frames than this are drained and dropped. */
#define TRANSPORT_MAX_FRAMES 1024
#define TRANSPORT_MAX_FDS 16

typedef struct transport transport;

typedef struct transport_handler {
    void *ctx;
    /* A complete multipart message from shell, control or stdin. */
    void (*on_message)(void *ctx, transport_channel ch, const wire_frame *frames, size_t n);
    /* A subscriber joined iopub (topic may be empty). */
    void (*on_subscribe)(void *ctx, const char *topic, size_t len);
    /* Descriptors to poll besides the sockets, asked before every poll. */
    int (*pollfds)(void *ctx, int *fds, int max);
    void (*on_fd)(void *ctx, int fd);
    /* SIGINT arrived (delivered from the loop, not the signal handler). */
    void (*on_interrupt)(void *ctx);
    /* Milliseconds until on_timeout wants to run (-1: never), asked before
     * every poll; on_timeout is called after every poll. */
    int (*timeout_ms)(void *ctx);
    void (*on_timeout)(void *ctx);
} transport_handler;

/* Create the context, bind every socket, install the SIGINT handler.
 * Returns NULL with err filled on failure. */
transport *transport_new(const connfile *cf, char *err, size_t errlen);
void transport_destroy(transport **self_p);

/* Send a frame list on a channel; -1 on failure (logged). */
int transport_send(transport *self, transport_channel ch, const wire_frame *frames, size_t n);

/* Run until transport_stop(); returns 0, or -1 if polling failed. */
int transport_run(transport *self, const transport_handler *h);
void transport_stop(transport *self);

#endif
