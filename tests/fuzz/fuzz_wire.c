/* fuzz_wire.c — fuzz target: a received frame list, signature check first.
 *
 * Input: byte 0 chooses the scheme (bits 0-1: hmac-sha256, -sha512, -sha1,
 * or authentication off) and whether to sign (bit 2: put the correct HMAC
 * of the four JSON frames into the signature frame, so the fuzzer also
 * reaches the JSON checks behind it); the rest is the frame list, frames
 * separated by the three bytes "\n\1\n" (frames may hold any byte, NUL too).
 * Properties: wire_decode never crashes; a message it accepts is re-encoded
 * by wire_encode and that encoding decodes again (what the kernel accepts it
 * can also send).
 */
#include <string.h>

#include "fuzz.h"
#include "sign.h"
#include "wire.h"

#define MAX_FRAMES 64

static const char *const schemes[] = { "hmac-sha256", "hmac-sha512", "hmac-sha1", "hmac-sha256" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_frame frames[MAX_FRAMES];
    size_t n = 0, start = 1, i;
    char err[160];
    char sig[SIGN_HEX_MAX + 1];
    unsigned mode;
    const char *key;
    sign *sg;
    wire_msg *m;
    wire_error werr;
    uint8_t *copy;

    if (size < 1)
        return 0;
    mode = data[0];
    key = (mode & 3) == 3 ? "" : "fuzz-key";
    sg = sign_new(key, strlen(key), schemes[mode & 3], 8, err, sizeof err);
    FUZZ_CHECK(sg != NULL);
    copy = malloc(size);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, data, size);
    for (i = 1; i + 3 <= size && n < MAX_FRAMES - 1; i++) {
        if (memcmp(copy + i, "\n\1\n", 3) == 0) {
            frames[n].data = copy + start;
            frames[n].size = i - start;
            n++;
            start = i + 3;
            i += 2;
        }
    }
    frames[n].data = copy + start;
    frames[n].size = size > start ? size - start : 0;
    n++;

    if (mode & 4) {
        for (i = 0; i < n; i++)
            if (frames[i].size == sizeof WIRE_DELIM - 1 &&
                memcmp(frames[i].data, WIRE_DELIM, frames[i].size) == 0)
                break;
        if (i + 5 < n) {
            sign_part parts[4];
            for (size_t k = 0; k < 4; k++) {
                parts[k].data = frames[i + 2 + k].data;
                parts[k].size = frames[i + 2 + k].size;
            }
            FUZZ_CHECK(sign_compute(sg, parts, 4, sig) == 0);
            frames[i + 1].data = sig;
            frames[i + 1].size = strlen(sig);
        }
    }

    m = wire_decode(frames, n, sg, &werr);
    if (m != NULL) {
        wire_frame *out = NULL;
        size_t nout = 0;
        FUZZ_CHECK(m->msg_type != NULL);
        if (wire_encode(sg, m->ids, m->nids, m->header, m->parent_header, m->metadata, m->content,
                        m->buffers, m->nbuffers, &out, &nout, &werr) == 0) {
            /* A fresh history: the re-encoding carries the same signature
             * when the frames are byte-identical, which is not a replay. */
            sign *again = sign_new(key, strlen(key), schemes[mode & 3], 8, err, sizeof err);
            wire_msg *back = wire_decode(out, nout, again, &werr);
            if (back == NULL)
                fprintf(stderr, "re-encoded message refused: %s\n", werr.text);
            FUZZ_CHECK(back != NULL);
            FUZZ_CHECK(strcmp(back->msg_type, m->msg_type) == 0);
            wire_msg_destroy(&back);
            sign_destroy(&again);
            wire_frames_free(out, nout);
        }
        wire_msg_destroy(&m);
    }
    sign_destroy(&sg);
    free(copy);
    return 0;
}
