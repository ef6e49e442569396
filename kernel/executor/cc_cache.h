/* cc_cache.h — the cache of objects %%cc cells compile to (cc_cache.c). */
#ifndef CHALK_CC_CACHE_H
#define CHALK_CC_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits, continuing from h (the key is two of them with
 * different bases). */
uint64_t cc_cache_hash(uint64_t h, const void *p, size_t n);

/* h continued with the processor's identity: an object built with
 * -march=native must not be loaded on another machine sharing the cache. */
uint64_t cc_cache_cpu(uint64_t h);

/* The cache directory, made with mode 0700: CHALK_CC_CACHE, else
 * $XDG_CACHE_HOME/chalk/cc, else ~/.cache/chalk/cc; "" if none can be made. */
void cc_cache_dir(char *out, size_t size);

/* Bound the directory to CHALK_CC_CACHE_MB megabytes, least recently used
 * first out, never removing `keep` (a file name in dir); remove what
 * compiles that never finished left behind. */
void cc_cache_prune(const char *dir, const char *keep);

#endif
