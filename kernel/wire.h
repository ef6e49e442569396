/* wire.h — Jupyter messages as ZeroMQ frame lists and back.
 *
 *   [identities...] "<IDS|MSG>" signature header parent_header metadata
 *   content [buffers...]
 *
 * wire_decode() checks the frame layout and the signature over the four JSON
 * frames *before* parsing any JSON, then parses them (each must be an object,
 * the header must name a msg_type).  Anything wrong drops the message: the
 * caller logs err->text and answers nothing.  Every frame is bounds-checked:
 * frames are (pointer, size) pairs and nothing assumes a terminating NUL.
 * Beware: decoded messages own copies of the identities, so the transport's
 * frames may be freed right after decoding.
 */
#ifndef CHALK_WIRE_H
#define CHALK_WIRE_H

#include <jansson.h>
#include <stddef.h>

#include "sign.h"

#define WIRE_DELIM "<IDS|MSG>"
#define WIRE_PROTOCOL_VERSION "5.3"

typedef struct wire_frame {
    void *data;
    size_t size;
} wire_frame;

typedef struct wire_msg {
    wire_frame *ids; /* routing identities (copies) */
    size_t nids;
    json_t *header;
    json_t *parent_header;
    json_t *metadata;
    json_t *content;
    wire_frame *buffers; /* extra binary frames (copies) */
    size_t nbuffers;
    const char *msg_type; /* borrowed from header */
} wire_msg;

/* Why a message was dropped (jansson's json_error_t style). */
typedef struct wire_error {
    char text[160];
} wire_error;

/* Decode a received frame list.  Returns a new message, or NULL with err
 * filled (NULL err allowed). */
wire_msg *wire_decode(const wire_frame *frames, size_t nframes, sign *sg, wire_error *err);
void wire_msg_destroy(wire_msg **self_p);

/* Serialise and sign.  ids may be NULL/0 (iopub without topic).  The four
 * dicts are borrowed; NULL parent/metadata/content mean {}.  On success
 * *out is a malloc'd array of malloc'd frames (free with wire_frames_free). */
int wire_encode(const sign *sg, const wire_frame *ids, size_t nids, json_t *header, json_t *parent,
                json_t *metadata, json_t *content, const wire_frame *buffers, size_t nbuffers,
                wire_frame **out, size_t *nout, wire_error *err);
void wire_frames_free(wire_frame *frames, size_t n);

/* A new message header: fresh msg_id, the given session, ISO 8601 UTC date
 * with microseconds, protocol version.  Returns a new reference. */
json_t *wire_header_new(const char *msg_type, const char *session);

/* A random UUID4 string into out (37 bytes). */
void wire_uuid(char out[37]);

#endif
