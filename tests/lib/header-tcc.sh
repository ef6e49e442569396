#!/bin/sh
# header-tcc.sh — chalk.h must compile with tcc (cells are compiled by tcc
# 0.9.27) and with gcc -std=c11 -pedantic: a cell-sized program using the
# literal macros, compound-literal options and every section of the header.
set -eu
src=${CHALK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=${TMPDIR:-/tmp}/chalk-header-$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/cell.c" <<'C'
#include <chalk.h>
static double f(const gsl_vector *x, gsl_vector *g, void *c) { (void)g; (void)c; return ch_dot(x, x); }
int main(void)
{
    gsl_vector *v = VEC(1, 2, 3);
    gsl_matrix *A = MAT(2, 2, 1, 2, 3, 4);
    ch_svd_t s = ch_svd(A);
    ch_run r = ch_optimize(f, v, NULL, (ch_opt){.method = CH_ADAM, .lr = 1e-2, .steps = 10});
    ch_check_close("x", ch_norm(v), sqrt(14), 1e-12, 0);
    (void)s; (void)r;
    return 0;
}
C
if command -v tcc >/dev/null 2>&1; then
    tcc -I"$src/exercises/libchalk" -c "$tmp/cell.c" -o "$tmp/cell-tcc.o" || { echo "FAIL: tcc cannot compile chalk.h"; exit 1; }
    echo "ok - tcc compiles chalk.h"
else
    echo "SKIP: no tcc"
fi
${CC:-cc} -std=c11 -pedantic -Wall -Wextra -Werror -Wno-unused-function -I"$src/exercises/libchalk" -c "$tmp/cell.c" -o "$tmp/cell-cc.o" \
    || { echo "FAIL: ${CC:-cc} -std=c11 -pedantic rejects chalk.h"; exit 1; }
echo "ok - ${CC:-cc} -std=c11 -pedantic compiles chalk.h"
