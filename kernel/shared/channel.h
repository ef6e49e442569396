/* channel.h — JSON messages between the kernel and its executor.
 *
 * Each message is a 4-byte big-endian length followed by that many bytes of
 * JSON (one object).  Stream sockets are used rather than datagrams because a
 * display (a PNG, a large SVG) can exceed any socket buffer.  A writer that
 * dies half-way through a message leaves a partial message behind: readers that
 * see end-of-file drop what they have buffered rather than parse it.
 */
#ifndef CHALK_CHANNEL_H
#define CHALK_CHANNEL_H

#include <jansson.h>
#include <stddef.h>

#define CHANNEL_MAX (256u << 20) /* a larger message means a corrupt stream */

/* Write one message, blocking until all of it is written (EINTR retried).
 * Returns 0 or -1 (errno set). Does not steal `msg`. */
int channel_write(int fd, const json_t *msg);

/* Read one message, blocking.  Returns a new reference, or NULL at end of
 * file or error (errno 0 at a clean end of file). */
json_t *channel_read(int fd);

/* Incremental reader for a non-blocking descriptor polled by a loop. */
typedef struct channel_reader {
    char *buf;
    size_t len, cap;
    int eof; /* the peer closed: no more messages will come */
} channel_reader;

/* Read what is available now (never blocks on a non-blocking fd).
 * Returns the number of bytes read, 0 at end of file, -1 on error. */
long channel_reader_fill(channel_reader *r, int fd);
/* Next complete message, or NULL if none is complete yet.  A message that is
 * not a JSON object is skipped (returned as NULL with *bad set to 1). */
json_t *channel_reader_next(channel_reader *r, int *bad);
void channel_reader_clear(channel_reader *r);

/* The content of an "error" message, {"ename","evalue","traceback"}: the
 * traceback is stolen, or made of the one line "ENAME: EVALUE" when NULL. */
json_t *channel_error_content(const char *ename, const char *evalue, json_t *traceback);

#endif
