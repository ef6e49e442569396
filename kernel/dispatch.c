/* dispatch.c — see dispatch.h.
 *
 * Execution counts follow IPython: `exec_count` is the count of the last
 * stored cell; a cell run with store_history (never when silent) takes
 * exec_count + 1; other cells reply with the current exec_count.
 * execute_input always shows the next count, as ipykernel does.
 * A silent request publishes nothing on iopub but its busy/idle status (the
 * spec: no execute_input, no output of any kind, no execute_result; ipykernel
 * still lets streams through, chalk does not); its reply still comes, with
 * the error in it if the cell failed.
 *
 * user_expressions are evaluated as ipykernel does: only after a cell that
 * succeeded (an empty one too), each on its own, into
 * {"status":"ok","data":{..},"metadata":{..}} or
 * {"status":"error","ename","evalue","traceback"}; a failing expression
 * never fails the cell.  Each runs in the engine as a cell that is never
 * kept (engine_evaluate), one after the other while the execute_reply
 * waits; what they print is the cell's output (none when silent).
 *
 * Why ~850 lines in one file: one concept, the table from msg_type to its
 * handler.  Each handler is short; they share the execution count, the
 * busy/idle bracket around each request and the reply helpers, which a split
 * would have to export.
 */
#include "dispatch.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "utf8.h"
#include "wire.h"

/* History session number this kernel reports (history lives in memory, so
 * there is only ever the current session). */
#define HISTORY_SESSION 1

#ifdef CHALK_TCC_VERSION
#define TCC_VERSION_NOTE " " CHALK_TCC_VERSION
#else
#define TCC_VERSION_NOTE ""
#endif

typedef struct pending {
    wire_msg *msg;
    struct pending *next;
} pending;

typedef struct hist_entry {
    int line;
    char *input;
    char *output; /* text/plain of the execute_result, or NULL */
} hist_entry;

struct dispatch {
    transport *t;
    sign *sg;
    chalk_engine *eng;
    char session[37];
    int exec_count;
    pending *qhead, *qtail;
    /* The execute_request whose cell is running, or NULL. */
    wire_msg *cur;
    int cur_count, cur_silent, cur_store, cur_stop_on_error;
    /* While the cell's user_expressions run: the reply waiting for them
     * (NULL otherwise), the names still to do, what each gave. */
    json_t *ux_reply, *ux_names, *ux_results;
    size_t ux_next;
    json_t *ux_value, *ux_error; /* of the expression running */
    hist_entry *hist;
    size_t nhist, caphist;
    int restart;
    int stopping;
    int announced; /* "starting" has been published */
};

static const char *const channel_names[] = { "shell", "control", "stdin", "iopub", "hb" };

/* ---- sending -------------------------------------------------------------- */

static void send_msg(dispatch *self, transport_channel ch, const wire_frame *ids, size_t nids,
                     const char *msg_type, json_t *parent, json_t *content)
{
    json_t *header = wire_header_new(msg_type, self->session);
    json_t *meta = json_object();
    wire_frame *frames = NULL;
    size_t n = 0;
    wire_error err;

    if (header == NULL || wire_encode(self->sg, ids, nids, header, parent, meta, content, NULL, 0,
                                      &frames, &n, &err) < 0)
        log_warn("cannot send %s: %s", msg_type, header ? err.text : "out of memory");
    else
        transport_send(self->t, ch, frames, n);
    wire_frames_free(frames, n);
    json_decref(header);
    json_decref(meta);
}

/* Steals content. */
static void publish(dispatch *self, json_t *parent, const char *msg_type, json_t *content)
{
    char topic[96];
    wire_frame id;

    snprintf(topic, sizeof topic, "kernel.%s.%s", self->session, msg_type);
    id.data = topic;
    id.size = strlen(topic);
    send_msg(self, TRANSPORT_IOPUB, &id, 1, msg_type, parent, content);
    json_decref(content);
}

static void publish_status(dispatch *self, json_t *parent, const char *state)
{
    publish(self, parent, "status", json_pack("{s:s}", "execution_state", state));
}

/* Steals content. */
static void reply(dispatch *self, transport_channel ch, const wire_msg *req, const char *msg_type,
                  json_t *content)
{
    send_msg(self, ch, req->ids, req->nids, msg_type, req->header, content);
    json_decref(content);
}

/* ---- small helpers -------------------------------------------------------- */

static const char *get_string(json_t *obj, const char *key, const char *dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static int get_bool(json_t *obj, const char *key, int dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static long get_int(json_t *obj, const char *key, long dflt)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_real(v))
        return (long)json_real_value(v);
    return dflt;
}

static int all_space(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* ---- history -------------------------------------------------------------- */

static void history_add(dispatch *self, int line, const char *input)
{
    if (self->nhist == self->caphist) {
        size_t cap = self->caphist ? self->caphist * 2 : 64;
        hist_entry *h = realloc(self->hist, cap * sizeof *h);
        if (h == NULL)
            return;
        self->hist = h;
        self->caphist = cap;
    }
    self->hist[self->nhist].line = line;
    self->hist[self->nhist].input = strdup(input);
    self->hist[self->nhist].output = NULL;
    if (self->hist[self->nhist].input != NULL)
        self->nhist++;
}

static json_t *history_item(const hist_entry *e, int output)
{
    json_t *in = json_string(e->input);
    if (in == NULL)
        in = json_string("");
    if (output)
        in = json_pack("[o, s?]", in, e->output);
    return json_pack("[i, i, o]", HISTORY_SESSION, e->line, in);
}

static json_t *history_query(dispatch *self, json_t *c)
{
    const char *type = get_string(c, "hist_access_type", "tail");
    int output = get_bool(c, "output", 0);
    json_t *list = json_array();
    size_t i;

    if (strcmp(type, "tail") == 0) {
        long n = get_int(c, "n", 10);
        size_t from = n < 0 || (size_t)n >= self->nhist ? 0 : self->nhist - (size_t)n;
        for (i = from; i < self->nhist; i++)
            json_array_append_new(list, history_item(&self->hist[i], output));
    } else if (strcmp(type, "range") == 0) {
        long session = get_int(c, "session", 0);
        long start = get_int(c, "start", 0);
        long stop = get_int(c, "stop", -1);
        /* 0 means the current session, as in IPython; older ones are gone. */
        if (session == 0 || session == HISTORY_SESSION)
            for (i = 0; i < self->nhist; i++) {
                long line = self->hist[i].line;
                if (line >= start && (stop < 0 || line < stop))
                    json_array_append_new(list, history_item(&self->hist[i], output));
            }
    } else if (strcmp(type, "search") == 0) {
        const char *pattern = get_string(c, "pattern", "*");
        long n = get_int(c, "n", -1);
        int unique = get_bool(c, "unique", 0);
        size_t found = 0;
        /* Newest first, so `n` and `unique` keep the latest entries (the
         * IPython semantics); reversed into chronological order at the end. */
        json_t *rev = json_array();
        for (i = self->nhist; i-- > 0 && (n <= 0 || found < (size_t)n);) {
            const hist_entry *e = &self->hist[i];
            size_t j;
            int dup = 0;
            if (fnmatch(pattern, e->input, 0) != 0)
                continue;
            if (unique)
                for (j = i + 1; j < self->nhist && !dup; j++)
                    dup = strcmp(self->hist[j].input, e->input) == 0 &&
                          fnmatch(pattern, self->hist[j].input, 0) == 0;
            if (dup)
                continue;
            json_array_insert_new(rev, 0, history_item(e, output));
            found++;
        }
        json_decref(list);
        list = rev;
    }
    return json_pack("{s:s, s:o}", "status", "ok", "history", list);
}

/* ---- request handlers ----------------------------------------------------- */

static json_t *kernel_info(void)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}, s:s, s:[{s:s, s:s}, {s:s, s:s}], s:b}",
        "status", "ok", "protocol_version", WIRE_PROTOCOL_VERSION, "implementation", "chalk",
        "implementation_version", PACKAGE_VERSION, "language_info", "name", "c", "version", "C11",
        "mimetype", "text/x-csrc", "file_extension", ".c", "pygments_lexer", "c", "codemirror_mode",
        "name", "clike", "mime", "text/x-csrc", "banner",
        "chalk " PACKAGE_VERSION " - C cells (C11) compiled in memory by libtcc" TCC_VERSION_NOTE
        ", with GSL and the chalk helper library\n"
        "Tab completes, Shift-Tab (or ?name) shows a declaration.\n",
        "help_links", "text", "GSL manual", "url", "https://www.gnu.org/software/gsl/doc/html/",
        "text", "C reference", "url", "https://en.cppreference.com/w/c", "debugger", 0);
}

static json_t *complete(dispatch *self, json_t *c)
{
    const char *code = get_string(c, "code", "");
    long pos = get_int(c, "cursor_pos", (long)strlen(code));
    json_t *r = engine_complete(self->eng, code, (int)pos);

    if (!json_is_object(r)) {
        json_decref(r);
        r = json_pack("{s:[], s:i, s:i}", "matches", "cursor_start", (int)pos, "cursor_end",
                      (int)pos);
    }
    if (json_object_get(r, "metadata") == NULL)
        json_object_set_new(r, "metadata", json_object());
    json_object_set_new(r, "status", json_string("ok"));
    return r;
}

static json_t *inspect(dispatch *self, const char *code, long pos, int detail)
{
    json_t *r = engine_inspect(self->eng, code, (int)pos, detail);
    if (!json_is_object(r)) {
        json_decref(r);
        r = json_pack("{s:b, s:{}, s:{}}", "found", 0, "data", "metadata");
    }
    if (json_object_get(r, "data") == NULL)
        json_object_set_new(r, "data", json_object());
    if (json_object_get(r, "metadata") == NULL)
        json_object_set_new(r, "metadata", json_object());
    if (json_object_get(r, "found") == NULL)
        json_object_set_new(r, "found",
                            json_boolean(json_object_size(json_object_get(r, "data")) > 0));
    json_object_set_new(r, "status", json_string("ok"));
    return r;
}

static json_t *is_complete(dispatch *self, json_t *c)
{
    const char *indent = NULL;
    const char *status = engine_is_complete(self->eng, get_string(c, "code", ""), &indent);
    if (status == NULL)
        status = "unknown";
    if (strcmp(status, "incomplete") == 0)
        return json_pack("{s:s, s:s}", "status", status, "indent", indent ? indent : "");
    return json_pack("{s:s}", "status", status);
}

/* `?name`, `??name`, `name?` or `name??`: the pager.  Returns the name's
 * length and sets *name and *detail, or 0 if the cell is not a help request. */
static size_t pager_request(const char *code, const char **name, int *detail)
{
    const char *s = code, *e;
    int q = 0;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    if (e > s && *s == '?') {
        while (s < e && *s == '?' && q < 2)
            s++, q++;
        while (s < e && isspace((unsigned char)*s))
            s++;
    } else {
        while (e > s && e[-1] == '?' && q < 2)
            e--, q++;
    }
    if (q == 0 || e <= s)
        return 0;
    for (const char *p = s; p < e; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return 0;
    if (isdigit((unsigned char)*s))
        return 0;
    *name = s;
    *detail = q > 1;
    return (size_t)(e - s);
}

/* ---- user_expressions ------------------------------------------------------ */

static void pump_queue(dispatch *self);
static void abort_queued_executes(dispatch *self);

/* Send the reply of the request in self->cur (stealing r) and end it. */
static void end_execute(dispatch *self, json_t *r, int failed)
{
    wire_msg *req = self->cur;
    self->cur = NULL;
    reply(self, TRANSPORT_SHELL, req, "execute_reply", r);
    publish_status(self, req->header, "idle");
    wire_msg_destroy(&req);
    if (failed)
        abort_queued_executes(self);
    pump_queue(self);
}

/* Start the next expression, or send the reply when none is left. */
static void ux_step(dispatch *self)
{
    while (self->ux_next < json_array_size(self->ux_names)) {
        const char *name = json_string_value(json_array_get(self->ux_names, self->ux_next));
        json_t *expr = json_object_get(json_object_get(self->cur->content, "user_expressions"),
                                       name);
        const char *why = "user expressions must be strings";
        if (json_is_string(expr)) {
            if (engine_evaluate(self->eng, json_string_value(expr), self->cur_count) == 0)
                return; /* its execute_done calls us again */
            why = "the engine could not start the expression";
        }
        json_object_set_new(self->ux_results, name,
                            json_pack("{s:s, s:s, s:s, s:[s+]}", "status", "error", "ename",
                                      "TypeError", "evalue", why, "traceback", "TypeError: ", why));
        self->ux_next++;
    }
    json_t *r = self->ux_reply;
    json_object_set_new(r, "user_expressions", self->ux_results);
    json_decref(self->ux_names);
    self->ux_reply = self->ux_names = self->ux_results = NULL;
    end_execute(self, r, 0);
}

/* r is the ok reply of self->cur.  Returns 1 if expressions were started
 * (the reply is kept and sent when they are done), 0 if it has none. */
static int ux_begin(dispatch *self, json_t *r)
{
    json_t *ux = json_object_get(self->cur->content, "user_expressions");
    if (!json_is_object(ux) || json_object_size(ux) == 0)
        return 0;
    self->ux_names = json_array();
    const char *name;
    json_t *v;
    json_object_foreach(ux, name, v) json_array_append_new(self->ux_names, json_string(name));
    self->ux_results = json_object();
    self->ux_reply = r;
    self->ux_next = 0;
    ux_step(self);
    return 1;
}

/* What the running expression produces.  Steals content. */
static void ux_event(dispatch *self, const char *msg_type, json_t *content)
{
    if (strcmp(msg_type, "execute_result") == 0 || strcmp(msg_type, "display_data") == 0) {
        json_t *data = json_object_get(content, "data"), *md = json_object_get(content, "metadata");
        json_decref(self->ux_value);
        self->ux_value = json_pack("{s:s, s:o, s:o}", "status", "ok", "data",
                                   json_is_object(data) ? json_incref(data) : json_object(),
                                   "metadata",
                                   json_is_object(md) ? json_incref(md) : json_object());
    } else if (strcmp(msg_type, "error") == 0) {
        json_decref(self->ux_error);
        self->ux_error = json_pack("{s:s, s:O, s:O, s:O}", "status", "error", "ename",
                                   json_object_get(content, "ename"), "evalue",
                                   json_object_get(content, "evalue"), "traceback",
                                   json_object_get(content, "traceback"));
        if (!self->ux_error) /* a field missing: keep the failure */
            self->ux_error = json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", "Error",
                                       "evalue", "", "traceback");
    } else if (strcmp(msg_type, "stream") == 0) {
        if (!self->cur_silent)
            publish(self, self->cur->header, msg_type, json_incref(content));
    } else if (strcmp(msg_type, "input_request") == 0) {
        engine_input_reply(self->eng, "");
    } else if (strcmp(msg_type, "execute_done") == 0) {
        const char *name = json_string_value(json_array_get(self->ux_names, self->ux_next));
        json_t *res;
        if (strcmp(get_string(content, "status", "ok"), "ok") != 0) {
            res = self->ux_error;
            if (!res) {
                json_t *tb = json_object_get(content, "traceback");
                res = json_pack("{s:s, s:s, s:s, s:O}", "status", "error", "ename",
                                get_string(content, "ename", "Error"), "evalue",
                                get_string(content, "evalue", ""), "traceback",
                                json_is_array(tb) ? tb : json_array());
            }
            self->ux_error = NULL;
        } else {
            /* A void expression shows nothing: an empty bundle. */
            res = self->ux_value
                      ? self->ux_value
                      : json_pack("{s:s, s:{}, s:{}}", "status", "ok", "data", "metadata");
            self->ux_value = NULL;
        }
        json_decref(self->ux_value);
        json_decref(self->ux_error);
        self->ux_value = self->ux_error = NULL;
        json_object_set_new(self->ux_results, name, res);
        self->ux_next++;
        json_decref(content);
        ux_step(self);
        return;
    }
    /* clear_output, update_display_data, ...: nothing to show. */
    json_decref(content);
}

/* busy, then execute_input: what iopub says of an execute_request before
 * anything else of it. */
static void begin_execute(dispatch *self, wire_msg *req, const char *code, int silent, int input)
{
    publish_status(self, req->header, "busy");
    if (!silent)
        publish(self, req->header, "execute_input",
                json_pack("{s:s, s:i}", "code", code, "execution_count", input));
}

/* Steals nothing; publishes the request's busy status (handle_request does
 * for every other request).  Returns 1 if a cell started (the request is
 * kept). */
static int execute(dispatch *self, wire_msg *req)
{
    json_t *c = req->content;
    const char *code = get_string(c, "code", NULL);
    int silent = get_bool(c, "silent", 0);
    int store = !silent && get_bool(c, "store_history", 1);
    int allow_stdin = get_bool(c, "allow_stdin", 1);
    int count;
    const char *name;
    size_t namelen;
    int detail;
    int input = self->exec_count + 1; /* the count execute_input shows */

    if (code == NULL) {
        publish_status(self, req->header, "busy");
        log_warn("execute_request without code");
        reply(self, TRANSPORT_SHELL, req, "execute_reply",
              json_pack("{s:s, s:s, s:s, s:[], s:i}", "status", "error", "ename", "BadRequest",
                        "evalue", "execute_request without code", "traceback", "execution_count",
                        self->exec_count));
        return 0;
    }
    if (all_space(code)) {
        begin_execute(self, req, code, silent, input);
        /* IPython neither counts nor stores an empty cell; it evaluates its
         * user_expressions (front ends query state with an empty cell). */
        json_t *r = json_pack("{s:s, s:i, s:[], s:{}}", "status", "ok", "execution_count",
                              self->exec_count, "payload", "user_expressions");
        self->cur = req;
        self->cur_count = self->exec_count;
        self->cur_silent = silent;
        if (ux_begin(self, r))
            return 1;
        self->cur = NULL;
        reply(self, TRANSPORT_SHELL, req, "execute_reply", r);
        return 0;
    }
    if (store) {
        count = ++self->exec_count;
        history_add(self, count, code);
    } else {
        count = self->exec_count;
    }

    namelen = pager_request(code, &name, &detail);
    if (namelen > 0) {
        begin_execute(self, req, code, silent, input);
        char *ident = strndup(name, namelen);
        json_t *r = inspect(self, ident ? ident : "", (long)namelen, detail);
        json_t *payload = json_array();
        if (json_is_true(json_object_get(r, "found")))
            json_array_append_new(payload, json_pack("{s:s, s:O, s:i}", "source", "page", "data",
                                                     json_object_get(r, "data"), "start", 0));
        else if (!silent)
            publish(self, req->header, "stream",
                    json_pack("{s:s, s:s+}", "name", "stdout", "text", ident ? ident : "",
                              ": not found (no declaration in the session or its headers)\n"));
        reply(self, TRANSPORT_SHELL, req, "execute_reply",
              json_pack("{s:s, s:i, s:o, s:{}}", "status", "ok", "execution_count", count,
                        "payload", payload, "user_expressions"));
        json_decref(r);
        free(ident);
        return 0;
    }

    /* The cell goes to the executor first: it compiles while busy and
     * execute_input are signed and sent.  Nothing of its output can come
     * before them, since this process publishes it only once it reads it. */
    int started = engine_execute(self->eng, code, count, allow_stdin, silent) == 0;
    begin_execute(self, req, code, silent, input);
    if (!started) {
        /* Like every failed cell: one error output, then the reply. */
        json_t *err = json_pack("{s:s, s:s, s:[s]}", "ename", "EngineBusy", "evalue",
                                "the engine could not start the cell", "traceback",
                                "EngineBusy: the engine could not start the cell");
        if (!silent)
            publish(self, req->header, "error", json_deep_copy(err));
        json_object_set_new(err, "status", json_string("error"));
        json_object_set_new(err, "execution_count", json_integer(count));
        reply(self, TRANSPORT_SHELL, req, "execute_reply", err);
        return 0;
    }
    self->cur = req;
    self->cur_count = count;
    self->cur_silent = silent;
    self->cur_store = store;
    self->cur_stop_on_error = get_bool(c, "stop_on_error", 1);
    return 1;
}

static void abort_queued_executes(dispatch *self)
{
    pending **pp = &self->qhead, *p;
    self->qtail = NULL;
    while ((p = *pp) != NULL) {
        if (strcmp(p->msg->msg_type, "execute_request") == 0) {
            publish_status(self, p->msg->header, "busy");
            reply(self, TRANSPORT_SHELL, p->msg, "execute_reply",
                  json_pack("{s:s, s:i}", "status", "aborted", "execution_count",
                            self->exec_count));
            publish_status(self, p->msg->header, "idle");
            *pp = p->next;
            wire_msg_destroy(&p->msg);
            free(p);
        } else {
            self->qtail = p;
            pp = &p->next;
        }
    }
}

static void handle_request(dispatch *self, transport_channel ch, wire_msg *m);

static void pump_queue(dispatch *self)
{
    while (self->cur == NULL && self->qhead != NULL && !self->stopping) {
        pending *p = self->qhead;
        wire_msg *m = p->msg;
        self->qhead = p->next;
        if (self->qhead == NULL)
            self->qtail = NULL;
        free(p);
        handle_request(self, TRANSPORT_SHELL, m);
    }
}

static void finish_execute(dispatch *self, json_t *done)
{
    const char *status = get_string(done, "status", "ok");
    json_t *r;
    int failed = 0;

    if (strcmp(status, "error") == 0) {
        json_t *tb = json_object_get(done, "traceback");
        /* As ipykernel: a failed cell's expressions are not evaluated. */
        r = json_pack("{s:s, s:s, s:s, s:o, s:i, s:{}}", "status", "error", "ename",
                      get_string(done, "ename", "Error"), "evalue", get_string(done, "evalue", ""),
                      "traceback", json_is_array(tb) ? json_incref(tb) : json_array(),
                      "execution_count", self->cur_count, "user_expressions");
        failed = self->cur_stop_on_error;
    } else if (strcmp(status, "aborted") == 0) {
        r = json_pack("{s:s, s:i}", "status", "aborted", "execution_count", self->cur_count);
    } else {
        json_t *payload = json_object_get(done, "payload");
        r = json_pack("{s:s, s:i, s:o, s:{}}", "status", "ok", "execution_count", self->cur_count,
                      "payload", json_is_array(payload) ? json_incref(payload) : json_array(),
                      "user_expressions");
        if (ux_begin(self, r))
            return;
    }
    end_execute(self, r, failed);
}

/* The engine's sink: everything a running cell produces.  Steals content. */
static void engine_event(void *ctx, const char *msg_type, json_t *content)
{
    dispatch *self = ctx;
    json_t *parent = self->cur ? self->cur->header : NULL;

    if (self->ux_reply != NULL) {
        ux_event(self, msg_type, content);
        return;
    }
    if (strcmp(msg_type, "execute_done") == 0) {
        if (self->cur != NULL)
            finish_execute(self, content);
        else
            log_warn("engine reported execute_done with no cell running");
    } else if (strcmp(msg_type, "input_request") == 0) {
        /* JupyterLab and Notebook (the front ends that send a cellId) echo
         * an answer as prompt + " " + value: the space the prompt ends with
         * (`printf("n? ")`) would show twice.  A terminal (jupyter console)
         * prints the prompt as it is. */
        const char *prompt = json_string_value(json_object_get(content, "prompt"));
        size_t plen = prompt ? strlen(prompt) : 0;
        if (self->cur != NULL && plen && prompt[plen - 1] == ' ' &&
            json_object_get(self->cur->metadata, "cellId"))
            json_object_set_new(content, "prompt", json_stringn(prompt, plen - 1));
        if (self->cur != NULL)
            send_msg(self, TRANSPORT_STDIN, self->cur->ids, self->cur->nids, "input_request",
                     parent, content);
        else
            engine_input_reply(self->eng, "");
    } else if (strcmp(msg_type, "execute_result") == 0) {
        if (!(self->cur != NULL && self->cur_silent)) {
            json_t *text = json_object_get(json_object_get(content, "data"), "text/plain");
            json_object_set_new(content, "execution_count", json_integer(self->cur_count));
            if (self->cur != NULL && self->cur_store && json_is_string(text) && self->nhist > 0 &&
                self->hist[self->nhist - 1].line == self->cur_count) {
                free(self->hist[self->nhist - 1].output);
                self->hist[self->nhist - 1].output = strdup(json_string_value(text));
            }
            publish(self, parent, msg_type, json_incref(content));
        }
    } else if (!(self->cur != NULL && self->cur_silent)) {
        publish(self, parent, msg_type, json_incref(content));
    }
    json_decref(content);
}

/* Handle one request; takes ownership of m. */
static void handle_request(dispatch *self, transport_channel ch, wire_msg *m)
{
    const char *t = m->msg_type;
    json_t *c = m->content;

    log_debug("%s: %s", channel_names[ch], t);
    int executes = strcmp(t, "execute_request") == 0 && ch == TRANSPORT_SHELL;
    if (!executes) /* execute() says busy after it has sent the cell */
        publish_status(self, m->header, "busy");
    if (strcmp(t, "execute_request") == 0) {
        if (executes && execute(self, m))
            return; /* reply and idle come with execute_done */
        if (!executes)
            log_warn("execute_request on %s ignored", channel_names[ch]);
    } else if (strcmp(t, "kernel_info_request") == 0) {
        reply(self, ch, m, "kernel_info_reply", kernel_info());
    } else if (strcmp(t, "complete_request") == 0) {
        reply(self, ch, m, "complete_reply", complete(self, c));
    } else if (strcmp(t, "inspect_request") == 0) {
        const char *code = get_string(c, "code", "");
        reply(self, ch, m, "inspect_reply",
              inspect(self, code, get_int(c, "cursor_pos", (long)strlen(code)),
                      (int)get_int(c, "detail_level", 0)));
    } else if (strcmp(t, "is_complete_request") == 0) {
        reply(self, ch, m, "is_complete_reply", is_complete(self, c));
    } else if (strcmp(t, "history_request") == 0) {
        reply(self, ch, m, "history_reply", history_query(self, c));
    } else if (strcmp(t, "comm_info_request") == 0) {
        reply(self, ch, m, "comm_info_reply", json_pack("{s:s, s:{}}", "status", "ok", "comms"));
    } else if (strcmp(t, "interrupt_request") == 0) {
        engine_interrupt(self->eng);
        reply(self, ch, m, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
    } else if (strcmp(t, "shutdown_request") == 0) {
        int restart = get_bool(c, "restart", 0);
        json_t *r = json_pack("{s:s, s:b}", "status", "ok", "restart", restart);
        reply(self, ch, m, "shutdown_reply", json_incref(r));
        /* Also on iopub, so every client learns the kernel is going away. */
        publish(self, m->header, "shutdown_reply", r);
        self->restart = restart;
        self->stopping = 1;
        transport_stop(self->t);
    } else {
        log_warn("unknown message type '%s' on %s: ignored", t, channel_names[ch]);
    }
    publish_status(self, m->header, "idle");
    wire_msg_destroy(&m);
}

/* ---- transport callbacks -------------------------------------------------- */

static void on_message(void *ctx, transport_channel ch, const wire_frame *frames, size_t n)
{
    dispatch *self = ctx;
    wire_error err;
    wire_msg *m = wire_decode(frames, n, self->sg, &err);

    if (m == NULL) {
        log_warn("dropped a message on %s: %s", channel_names[ch], err.text);
        return;
    }
    if (ch == TRANSPORT_STDIN) {
        if (strcmp(m->msg_type, "input_reply") == 0)
            engine_input_reply(self->eng, get_string(m->content, "value", ""));
        else
            log_warn("unexpected '%s' on stdin: ignored", m->msg_type);
        wire_msg_destroy(&m);
        return;
    }
    if (ch == TRANSPORT_SHELL && (self->cur != NULL || self->qhead != NULL)) {
        pending *p = calloc(1, sizeof *p);
        if (p == NULL) {
            log_error("out of memory: dropped a %s", m->msg_type);
            wire_msg_destroy(&m);
            return;
        }
        p->msg = m;
        if (self->qtail)
            self->qtail->next = p;
        else
            self->qhead = p;
        self->qtail = p;
        return;
    }
    handle_request(self, ch, m);
}

static void on_subscribe(void *ctx, const char *topic, size_t len)
{
    dispatch *self = ctx;
    char *t = utf8_sanitize_all(topic, len);
    wire_frame id;
    json_t *content;

    if (t == NULL)
        return;
    /* Addressed to the subscriber's own topic when it has one (ipykernel
     * does the same); with the usual empty subscription, to everybody. */
    id.data = t;
    id.size = strlen(t);
    content = json_pack("{s:s}", "subscription", t);
    send_msg(self, TRANSPORT_IOPUB, &id, id.size ? 1 : 0, "iopub_welcome", NULL, content);
    json_decref(content);
    free(t);
    /* "starting" is published once; sent at start-up it would reach nobody
     * (no front end has subscribed yet), or reach a front end that
     * connected within that instant before its welcome. */
    if (!self->announced) {
        self->announced = 1;
        publish_status(self, NULL, "starting");
    }
}

static int pollfds(void *ctx, int *fds, int max)
{
    dispatch *self = ctx;
    return engine_pollfds(self->eng, fds, max);
}

static void on_fd(void *ctx, int fd)
{
    dispatch *self = ctx;
    engine_on_readable(self->eng, fd, engine_event, self);
}

static int timeout_ms(void *ctx)
{
    dispatch *self = ctx;
    return engine_timeout_ms(self->eng);
}

static void on_timeout(void *ctx)
{
    dispatch *self = ctx;
    engine_on_timeout(self->eng, engine_event, self);
}

static void on_interrupt(void *ctx)
{
    dispatch *self = ctx;
    /* jupyter_client sends SIGINT before every shutdown too: only a running
     * cell is worth a line in the front end's log. */
    if (engine_busy(self->eng))
        log_info("SIGINT: interrupting the running cell");
    engine_interrupt(self->eng);
}

/* ---- lifecycle ------------------------------------------------------------ */

dispatch *dispatch_new(transport *t, sign *sg, chalk_engine *eng)
{
    dispatch *self = calloc(1, sizeof *self);
    if (self == NULL)
        return NULL;
    self->t = t;
    self->sg = sg;
    self->eng = eng;
    wire_uuid(self->session);
    return self;
}

void dispatch_destroy(dispatch **self_p)
{
    dispatch *self = *self_p;
    size_t i;
    if (self == NULL)
        return;
    while (self->qhead != NULL) {
        pending *p = self->qhead;
        self->qhead = p->next;
        wire_msg_destroy(&p->msg);
        free(p);
    }
    wire_msg_destroy(&self->cur);
    json_decref(self->ux_reply);
    json_decref(self->ux_names);
    json_decref(self->ux_results);
    json_decref(self->ux_value);
    json_decref(self->ux_error);
    for (i = 0; i < self->nhist; i++) {
        free(self->hist[i].input);
        free(self->hist[i].output);
    }
    free(self->hist);
    free(self);
    *self_p = NULL;
}

void dispatch_start(dispatch *self, transport_handler *h)
{
    memset(h, 0, sizeof *h);
    h->ctx = self;
    h->on_message = on_message;
    h->on_subscribe = on_subscribe;
    h->pollfds = pollfds;
    h->on_fd = on_fd;
    h->on_interrupt = on_interrupt;
    h->timeout_ms = timeout_ms;
    h->on_timeout = on_timeout;
}

int dispatch_restart_requested(const dispatch *self)
{
    return self->restart;
}
