/* executor.h — the process lineage that holds the C session.
 *
 * The kernel starts one executor (chalk-executor) at start-up.  It (the "holder")
 * keeps the session: the code and data of every cell that succeeded, and the
 * declarations later cells need to see them.  For each cell the holder forks;
 * the child compiles and runs the cell.  If the cell succeeds the child
 * becomes the new holder and the old one exits; if it crashes, is
 * interrupted, fails a check or does not compile, the child dies and the
 * holder carries on with the session exactly as it was before the cell.
 *
 *   kernel <== chan ==> holder <== cell socket ==> child (runs the cell)
 *   stdout/stderr of every process in the lineage are two pipes the kernel
 *   reads directly, so output streams live and survives a crash.
 *
 * While the child runs, the holder relays messages both ways (input requests
 * and replies, displays, the final result) and kills the child on interrupt.
 * A message torn by a dying child is dropped by the holder, never forwarded.
 * The child is forked ahead, while the holder is idle (a "spare" that waits
 * for its cell), so a cell does not wait for fork(); a magic that changes
 * the holder discards the spare.
 *
 * Messages on chan (see channel.h), kernel -> executor:
 *   {"op":"execute","code":s,"count":n,"allow_stdin":b,"silent":b}
 *   {"op":"input_reply","value":s}   {"op":"interrupt"}
 *   {"op":"mute"} (the cell's output reached its cap: CELL_RUNTIME_MUTE_SIGNAL)
 * executor -> kernel: {"msg_type":t,"content":{...}} with the types listed in
 * engine.h ("execute_done" last for each cell).
 */
#ifndef CHALK_EXECUTOR_H
#define CHALK_EXECUTOR_H

#include <stddef.h>

/* The prelude every cell sees unless CHALK_PRELUDE or %prelude says otherwise
 * is DECL_STORE_DEFAULT_PRELUDE (decl_store.h). */

typedef struct executor_limits {
    double cpu_seconds;  /* 0: none */
    double wall_seconds; /* wall-clock time per cell (the holder kills it); 0: none */
    size_t memory_bytes; /* address space the cell may add; 0: none */
    long processes;      /* 0: none */
    size_t file_bytes;   /* largest file the cell may write; 0: none */
    size_t output_bytes; /* stdout+stderr per cell (enforced by the kernel) */
} executor_limits;

typedef struct executor_config {
    const char *prelude;      /* text put before every cell; "" for none */
    const char *include_path; /* ':'-separated extra include directories */
    const char *tcc_libdir;   /* libtcc's runtime directory */
    const char *header_index; /* ':'-separated prebuilt header indexes to try
                                  (header_index.h); "" for none */
    executor_limits limits;
    executor_limits ceiling; /* from the command line (--limits): %limits may
                                   lower a limit below it, never raise it; 0: none */
} executor_config;

/* Defaults, then the environment (CHALK_PRELUDE, CHALK_INCLUDE_PATH,
 * CHALK_TCC_LIBDIR, CHALK_HEADER_INDEX, CHALK_LIMIT_CPU, CHALK_LIMIT_WALL, CHALK_LIMIT_MEMORY,
 * CHALK_LIMIT_PROCS, CHALK_LIMIT_FSIZE, CHALK_LIMIT_OUTPUT). */
void executor_config_defaults(executor_config *cfg);

/* Set one limit by its %limits name (cpu, wall, memory/mem, procs/processes,
 * fsize, output) to an amount from executor_parse_amount.  0 / -1 (unknown
 * name). */
int executor_limit_set(executor_limits *l, const char *name, double v);
/* The value of a limit by name (unknown names: 0). */
double executor_limit_get(const executor_limits *l, const char *name);

/* Parse "wall=60,cpu=60" (commas or spaces) into `ceiling` and make each
 * named limit of `limits` no higher than it.  0, or -1 with a message. */
int executor_apply_ceilings(const char *spec, executor_limits *ceiling, executor_limits *limits,
                            char *err, size_t errlen);

/* Parse "10", "1.5G", "512M", "64k" (bytes) or seconds; -1 if malformed or
 * above 2^62 (callers cast to size_t and long). */
double executor_parse_amount(const char *s);

/* Run the executor in this process (chalk-executor); never returns.
 * `chan` is its end of the channel; stdout and stderr are already the
 * kernel's pipes. */
void executor_main(int chan, const executor_config *cfg) __attribute__((noreturn));

#endif
