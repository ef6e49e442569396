/* rng.c — the one chalk random generator and its basic draws: uniform
 * doubles and integers, standard normals, a vector of them.
 *
 * Reproducibility: one process-wide mt19937 and GSL's ziggurat for
 * Gaussians, both pure integer/table arithmetic except rare tail draws, so a
 * seed gives the same numbers on every machine.  Beware: every sampling
 * function of the library (prob.c, randmat.c, info.c, optim.c) draws from
 * this one stream, so the order of calls in a cell matters; functions that
 * need randomness only internally (ch_power_iter) use a private generator
 * instead.  A module of its own so that the linear algebra and the
 * probability modules can both use it without depending on each other.
 */
#include <gsl/gsl_randist.h>
#include "internal.h"

static gsl_rng *rng;

gsl_rng *ch_rng(void)
{
    if (!rng) {
        ch_init();
        rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, 0);
    }
    return rng;
}

void ch_seed(unsigned long seed)
{
    gsl_rng_set(ch_rng(), seed);
}

double ch_rand(void)
{
    return gsl_rng_uniform(ch_rng());
}

size_t ch_randint(size_t n)
{
    if (n == 0)
        ch_fail("ValueError", "ch_randint: n must be positive");
    if (n > gsl_rng_max(ch_rng()))
        ch_fail("ValueError", "ch_randint: n = %zu exceeds the generator's range", n);
    return (size_t)gsl_rng_uniform_int(ch_rng(), (unsigned long)n);
}

double ch_randn(void)
{
    return gsl_ran_gaussian_ziggurat(ch_rng(), 1.0);
}

gsl_vector *ch_randn_vec(size_t n)
{
    gsl_vector *v = ch__vec(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, ch_randn());
    return v;
}
