/* fuzz.h — what every fuzz target in tests/fuzz/ shares.
 *
 * A target is one function, LLVMFuzzerTestOneInput(data, size), that feeds
 * one input to a chalk parser and returns 0; it must never crash, leak or
 * trip a sanitizer, whatever the bytes.  The same target is linked twice:
 * with libFuzzer (clang -fsanitize=fuzzer, `make fuzz`), and with replay.c,
 * a plain main() that feeds it every file of tests/fuzz/<target>/ (the seed
 * corpus and every input that ever crashed), so `make check` replays them
 * with any compiler and a fixed bug stays fixed.
 * Beware: FUZZ_CHECK aborts (a crash is how a target reports a broken
 * property); targets may not keep state between inputs that changes what an
 * input does, or a crash found by the fuzzer would not replay.
 */
#ifndef CHALK_FUZZ_H
#define CHALK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional one-time set-up; replay.c calls it too. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A NUL-terminated copy of the input (the parsers under test take strings). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif
