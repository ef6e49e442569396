/* holder.c — the holder's state, its channel and its replies (see holder.h).
 *
 * Beware: the channel is process-wide (a static), because the replies are
 * sent from places that hold no state (a magic's error, the relay loop).
 */
#define _GNU_SOURCE
#include "holder.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "headers.h"
#include "tcc_scratch.h"

static int chan_fd = -1;

void holder_init(holder_state *st, const executor_config *cfg, int chan)
{
    chan_fd = chan;
    tcc_scratch_find();
    memset(st, 0, sizeof *st);
    st->cfg = *cfg;
    st->limits = cfg->limits;
    st->flatten_options = headers_include_options(cfg->include_path);
    st->store = decl_store_new(cfg->prelude, st->flatten_options);
    decl_store_set_index_files(st->store, cfg->header_index);
}

void holder_warm(holder_state *st)
{
    if (st->warm)
        return;
    char err[512];
    if (decl_store_warm(st->store, err, sizeof err) < 0) {
        if (!st->warn_given)
            fprintf(stderr, "chalk: the prelude does not compile: %s\n", err);
        st->warn_given = 1;
        return;
    }
    st->warm = 1;
    /* Flattening leaves megabytes of freed scratch (libtcc's preprocessor,
     * token arrays) in the heap; every later cell's fork would carry it. */
    malloc_trim(0);
}

void holder_trim(void)
{
    tcc_scratch_release();
    malloc_trim(0);
}

int holder_channel(void)
{
    return chan_fd;
}

static void send_to_kernel(const char *msg_type, json_t *content)
{
    json_t *msg = json_pack("{s:s, s:o}", "msg_type", msg_type, "content", content);
    if (channel_write(chan_fd, msg) < 0)
        _exit(0); /* the kernel is gone */
    json_decref(msg);
}

void holder_reply(const char *msg_type, json_t *content)
{
    send_to_kernel(msg_type, content);
}

void holder_done(const char *status, const char *ename, const char *evalue, json_t *extra)
{
    json_t *c = extra ? extra : json_object();
    json_object_set_new(c, "status", json_string(status));
    if (ename) {
        json_object_set_new(c, "ename", json_string(ename));
        json_object_set_new(c, "evalue", json_string(evalue ? evalue : ""));
    }
    send_to_kernel("execute_done", c);
}

void holder_error(const char *ename, const char *evalue, json_t *traceback)
{
    json_t *content = channel_error_content(ename, evalue, traceback);
    json_t *tb = json_incref(json_object_get(content, "traceback"));
    send_to_kernel("error", content);
    holder_done("error", ename, evalue, json_pack("{s:o}", "traceback", tb));
}
