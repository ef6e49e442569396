/* fuzz_magics.c — fuzz target: the magic lines at the top of a cell.
 *
 * The input is a cell's text; it goes through magics_timeit_code() and
 * magics_run_in_holder() (magics.h, the public API) with a real session.
 * The holder's message senders (holder_reply/done/error) are stubs that
 * only check what they are given, and popen/pclose are replaced for this
 * program so %cflags/%ldflags with package names never start pkg-config
 * (a fork per input would cap the fuzzer at a few hundred inputs a second):
 * every package is unknown.  Properties: no crash or leak; a magic either
 * leaves code to run with the same number of lines, or has answered; the
 * limits %limits stores are representable (0 .. 2^62).
 */
#define _GNU_SOURCE
#include <string.h>

#include "holder.h"
#include "fuzz.h"
#include "magics.h"

static int answered;

void holder_reply(const char *msg_type, json_t *content)
{
    FUZZ_CHECK(msg_type != NULL && content != NULL);
    json_decref(content);
}

void holder_done(const char *status, const char *ename, const char *evalue, json_t *extra)
{
    FUZZ_CHECK(status != NULL);
    (void)ename;
    (void)evalue;
    json_decref(extra);
    answered = 1;
}

void holder_error(const char *ename, const char *evalue, json_t *traceback)
{
    FUZZ_CHECK(ename != NULL && evalue != NULL);
    json_decref(traceback);
    answered = 1;
}

/* pkg-config stand-in: it knows no package. */
FILE *popen(const char *command, const char *type)
{
    (void)command;
    (void)type;
    return fopen("/dev/null", "r");
}

int pclose(FILE *f)
{
    fclose(f);
    return 1 << 8;
}

static size_t lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *code = fuzz_cstr(data, size);
    char *timed = NULL, *rest = NULL;
    holder_state st;
    int rc;

    if (magics_timeit_code(code, &timed)) {
        FUZZ_CHECK(timed != NULL);
        free(timed);
    }
    memset(&st, 0, sizeof st);
    executor_config_defaults(&st.cfg);
    st.cfg.prelude = "";
    st.limits = st.cfg.limits;
    st.store = decl_store_new("", NULL);
    FUZZ_CHECK(st.store != NULL);
    answered = 0;
    rc = magics_run_in_holder(&st, code, &rest);
    if (rc < 0) {
        FUZZ_CHECK(answered && rest == NULL);
    } else if (rest != NULL) {
        FUZZ_CHECK(lines(rest) == lines(code));
        FUZZ_CHECK(!answered);
    } else {
        FUZZ_CHECK(answered);
    }
    /* %limits never stores a value it cannot represent (an out-of-range
     * double-to-integer conversion gives LONG_MIN on x86, a negative count). */
    FUZZ_CHECK(st.limits.processes >= 0 && st.limits.processes <= (1L << 62));
    FUZZ_CHECK(st.limits.memory_bytes <= ((size_t)1 << 62) &&
               st.limits.file_bytes <= ((size_t)1 << 62) &&
               st.limits.output_bytes <= ((size_t)1 << 62));
    free(rest);
    free(st.cflags);
    free(st.ldflags);
    decl_store_destroy(&st.store);
    free(code);
    return 0;
}
