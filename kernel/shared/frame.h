/* frame.h — JSON messages between the kernel and its executor.
 *
 * Each message is a 4-byte big-endian length followed by that many bytes of
 * JSON (one object).  Stream sockets are used rather than datagrams because a
 * display (a PNG, a large SVG) can exceed any socket buffer.  A writer that
 * dies half-way through a frame leaves a partial frame behind: readers that
 * see end-of-file drop what they have buffered rather than parse it.
 */
#ifndef CHALK_FRAME_H
#define CHALK_FRAME_H

#include <jansson.h>
#include <stddef.h>

#define FRAME_MAX (256u << 20)   /* a larger frame means a corrupt stream */

/* Write one frame, blocking until all of it is written (EINTR retried).
 * Returns 0 or -1 (errno set). Does not steal `msg`. */
int frame_write(int fd, const json_t *msg);

/* Read one frame, blocking.  Returns a new reference, or NULL at end of
 * file or error (errno 0 at a clean end of file). */
json_t *frame_read(int fd);

/* Incremental reader for a non-blocking descriptor polled by a loop. */
typedef struct frame_reader {
    char *buf;
    size_t len, cap;
    int eof;          /* the peer closed: no more frames will come */
} frame_reader;

/* Read what is available now (never blocks on a non-blocking fd).
 * Returns the number of bytes read, 0 at end of file, -1 on error. */
long frame_reader_fill(frame_reader *r, int fd);
/* Next complete frame, or NULL if none is complete yet.  A frame that is
 * not a JSON object is skipped (returned as NULL with *bad set to 1). */
json_t *frame_reader_next(frame_reader *r, int *bad);
void frame_reader_clear(frame_reader *r);

#endif
