/* optim.c — first-order optimisers on user callbacks, recording trajectories.
 *
 * One loop serves every method: at step t it evaluates the full objective
 * (recorded as loss[t], gnorm[t]), then takes a step with a gradient that is
 * either that full gradient (+ optional Gaussian noise) or, for ch_sgd, a
 * fresh minibatch gradient.  Divergence is a result, not an error: the GD
 * stability notebook needs to *see* lr > 2/lambda_max blow up, so a run stops
 * with diverged = 1 when the loss leaves the finite range (> 1e100), and its
 * last recorded loss is the one that diverged.
 */
#include <gsl/gsl_blas.h>
#include "internal.h"

typedef struct src {
    ch_fn f;
    ch_batch_fn bf;
    size_t n;
    size_t *all;
    size_t *perm;
    void *ctx;
} src;

static double full_eval(src *s, const gsl_vector *x, gsl_vector *g)
{
    if (s->f)
        return s->f(x, g, s->ctx);
    return s->bf(x, s->all, s->n, g, s->ctx);
}

static ch_opt defaults(ch_opt o)
{
    if (o.lr == 0)
        o.lr = 0.01;
    if (o.steps == 0)
        o.steps = 100;
    if (o.beta == 0)
        o.beta = 0.9;
    if (o.beta1 == 0)
        o.beta1 = 0.9;
    if (o.beta2 == 0)
        o.beta2 = 0.999;
    if (o.eps == 0)
        o.eps = 1e-8;
    if (o.batch == 0)
        o.batch = 1;
    return o;
}

static void need_opt(const char *fn, const ch_opt *o)
{
    if (o->method < CH_GD || o->method > CH_ADAM)
        ch_fail("ValueError", "%s: unknown method %d (CH_GD, CH_MOMENTUM or CH_ADAM)", fn,
                o->method);
    if (o->schedule < CH_CONST || o->schedule > CH_COSINE)
        ch_fail("ValueError", "%s: unknown schedule %d (CH_CONST, CH_INVSQRT or CH_COSINE)", fn,
                o->schedule);
    if (!(o->lr > 0) || !isfinite(o->lr))
        ch_fail("ValueError", "%s: learning rate must be positive and finite, got %g", fn, o->lr);
    if (!(o->beta >= 0 && o->beta < 1) || !(o->beta1 >= 0 && o->beta1 < 1) ||
        !(o->beta2 >= 0 && o->beta2 < 1))
        ch_fail("ValueError", "%s: momentum coefficients must lie in [0, 1)", fn);
    if (!(o->noise >= 0) || !isfinite(o->noise))
        ch_fail("ValueError", "%s: noise must be >= 0, got %g", fn, o->noise);
    if (o->steps > 100000000)
        ch_fail("ValueError", "%s: %zu steps is too many to record", fn, o->steps);
}

static double lr_at(const ch_opt *o, size_t t)
{
    switch (o->schedule) {
    case CH_INVSQRT: return o->lr / sqrt(1.0 + (double)t);
    case CH_COSINE: return o->lr * 0.5 * (1 + cos(M_PI * (double)t / (double)o->steps));
    default: return o->lr;
    }
}

static void stoch_grad(src *s, const ch_opt *o, const gsl_vector *x, gsl_vector *g)
{
    /* partial Fisher-Yates: the first b entries of perm are a uniform batch without replacement */
    size_t b = o->batch < s->n ? o->batch : s->n;
    for (size_t i = 0; i < b; i++) {
        size_t j = i + ch_randint(s->n - i);
        size_t t = s->perm[i];
        s->perm[i] = s->perm[j];
        s->perm[j] = t;
    }
    double v = s->bf(x, s->perm, b, g, s->ctx);
    (void)v;
}

static ch_run run(const char *fn, src *s, const gsl_vector *x0, ch_opt o)
{
    ch__need_vec(fn, "x0", x0);
    o = defaults(o);
    need_opt(fn, &o);
    size_t d = x0->size, T = o.steps;
    ch_run r;
    memset(&r, 0, sizeof r);
    size_t mark = ch__mark();
    gsl_vector *x = ch__defer_vec(ch_vec_copy(x0)), *g = ch__defer_vec(ch__vec(d)),
               *sg = ch__defer_vec(ch__vec(d));
    gsl_vector *m = ch__defer_vec(ch__vec(d)), *v = ch__defer_vec(ch__vec(d));
    gsl_vector *loss = ch__defer_vec(ch__vec(T + 1)), *gn = ch__defer_vec(ch__vec(T + 1));
    gsl_matrix *xs = o.record_x ? ch__defer_mat(ch__mat(T + 1, d)) : NULL;
    size_t t;
    for (t = 0;; t++) {
        gsl_vector_set_zero(g);
        double L = full_eval(s, x, g);
        double G = 0;
        for (size_t i = 0; i < d; i++)
            G = hypot(G, gsl_vector_get(g, i));
        gsl_vector_set(loss, t, L);
        gsl_vector_set(gn, t, G);
        if (xs)
            gsl_matrix_set_row(xs, t, x);
        if (!isfinite(L) || fabs(L) > 1e100 || !isfinite(G)) {
            r.diverged = 1;
            break;
        }
        if (t == T)
            break;
        if (s->bf && !s->f) {
            gsl_vector_set_zero(sg);
            stoch_grad(s, &o, x, sg);
        } else {
            gsl_vector_memcpy(sg, g);
        }
        if (o.noise > 0)
            for (size_t i = 0; i < d; i++)
                gsl_vector_set(sg, i, gsl_vector_get(sg, i) + o.noise * ch_randn());
        double lr = lr_at(&o, t);
        for (size_t i = 0; i < d; i++) {
            double gi = gsl_vector_get(sg, i), xi = gsl_vector_get(x, i), step;
            if (o.method == CH_MOMENTUM) {
                double vi = o.beta * gsl_vector_get(v, i) + gi;
                gsl_vector_set(v, i, vi);
                step = vi;
            } else if (o.method == CH_ADAM) {
                double mi = o.beta1 * gsl_vector_get(m, i) + (1 - o.beta1) * gi;
                double vi = o.beta2 * gsl_vector_get(v, i) + (1 - o.beta2) * gi * gi;
                gsl_vector_set(m, i, mi);
                gsl_vector_set(v, i, vi);
                double mh = mi / (1 - pow(o.beta1, (double)(t + 1)));
                double vh = vi / (1 - pow(o.beta2, (double)(t + 1)));
                step = mh / (sqrt(vh) + o.eps);
            } else {
                step = gi;
            }
            gsl_vector_set(x, i, xi - lr * step);
        }
    }
    ch__forget(mark);
    r.steps = t;
    if (t < T) {
        /* stopped early: hand back vectors of exactly steps + 1 entries */
        gsl_vector *l2 = ch__vec(t + 1), *g2 = ch__vec(t + 1);
        for (size_t i = 0; i <= t; i++) {
            gsl_vector_set(l2, i, gsl_vector_get(loss, i));
            gsl_vector_set(g2, i, gsl_vector_get(gn, i));
        }
        gsl_vector_free(loss);
        gsl_vector_free(gn);
        loss = l2;
        gn = g2;
        if (xs) {
            gsl_matrix *x2 = ch__mat(t + 1, d);
            gsl_matrix_const_view top = gsl_matrix_const_submatrix(xs, 0, 0, t + 1, d);
            gsl_matrix_memcpy(x2, &top.matrix);
            gsl_matrix_free(xs);
            xs = x2;
        }
    }
    r.loss = loss;
    r.gnorm = gn;
    r.xs = xs;
    r.x = x;
    gsl_vector_free(g);
    gsl_vector_free(sg);
    gsl_vector_free(m);
    gsl_vector_free(v);
    return r;
}

ch_run ch_optimize(ch_fn f, const gsl_vector *x0, void *ctx, ch_opt opt)
{
    if (!f)
        ch_fail("ValueError", "ch_optimize: f is NULL");
    src s = { f, NULL, 0, NULL, NULL, ctx };
    return run("ch_optimize", &s, x0, opt);
}

ch_run ch_gd(ch_fn f, const gsl_vector *x0, void *ctx, double lr, size_t steps)
{
    if (!f)
        ch_fail("ValueError", "ch_gd: f is NULL");
    src s = { f, NULL, 0, NULL, NULL, ctx };
    ch_opt o = { 0 };
    o.method = CH_GD;
    o.lr = lr;
    o.steps = steps;
    if (!(lr > 0))
        ch_fail("ValueError", "ch_gd: learning rate must be positive, got %g", lr);
    return run("ch_gd", &s, x0, o);
}

ch_run ch_momentum(ch_fn f, const gsl_vector *x0, void *ctx, double lr, double beta, size_t steps)
{
    if (!f)
        ch_fail("ValueError", "ch_momentum: f is NULL");
    if (!(lr > 0))
        ch_fail("ValueError", "ch_momentum: learning rate must be positive, got %g", lr);
    src s = { f, NULL, 0, NULL, NULL, ctx };
    ch_opt o = { 0 };
    o.method = CH_MOMENTUM;
    o.lr = lr;
    o.beta = beta == 0 ? 1e-300 : beta; /* 0 would mean "default"; beta 0 is plain GD */
    o.steps = steps;
    return run("ch_momentum", &s, x0, o);
}

ch_run ch_adam(ch_fn f, const gsl_vector *x0, void *ctx, double lr, size_t steps)
{
    if (!f)
        ch_fail("ValueError", "ch_adam: f is NULL");
    if (!(lr > 0))
        ch_fail("ValueError", "ch_adam: learning rate must be positive, got %g", lr);
    src s = { f, NULL, 0, NULL, NULL, ctx };
    ch_opt o = { 0 };
    o.method = CH_ADAM;
    o.lr = lr;
    o.steps = steps;
    return run("ch_adam", &s, x0, o);
}

ch_run ch_sgd(ch_batch_fn f, size_t n, const gsl_vector *x0, void *ctx, ch_opt opt)
{
    if (!f)
        ch_fail("ValueError", "ch_sgd: f is NULL");
    if (n == 0)
        ch_fail("ValueError", "ch_sgd: n (number of examples) is 0");
    ch__need_vec("ch_sgd", "x0", x0);
    src s = { NULL, f, n, NULL, NULL, ctx };
    size_t mark = ch__mark();
    s.all = ch__defer_mem(ch__xmalloc(n * sizeof *s.all));
    s.perm = ch__defer_mem(ch__xmalloc(n * sizeof *s.perm));
    for (size_t i = 0; i < n; i++)
        s.all[i] = s.perm[i] = i;
    ch_run r = run("ch_sgd", &s, x0, opt);
    ch__forget(mark);
    free(s.all);
    free(s.perm);
    return r;
}

void ch_run_free(ch_run *r)
{
    if (!r)
        return;
    if (r->loss)
        gsl_vector_free(r->loss);
    if (r->gnorm)
        gsl_vector_free(r->gnorm);
    if (r->xs)
        gsl_matrix_free(r->xs);
    if (r->x)
        gsl_vector_free(r->x);
    r->loss = r->gnorm = r->x = NULL;
    r->xs = NULL;
}

/* ---- objectives ---- */

ch_quad *ch_quad_new(const gsl_matrix *H, const gsl_vector *b)
{
    ch__need_sym("ch_quad_new", "H", H);
    if (b) {
        ch__need_vec("ch_quad_new", "b", b);
        if (b->size != H->size1)
            ch_fail("ValueError", "ch_quad_new: H is %zu x %zu but b has size %zu", H->size1,
                    H->size2, b->size);
    }
    ch_quad *q = ch__xmalloc(sizeof *q);
    q->H = ch_mat_copy(H);
    q->b = b ? ch_vec_copy(b) : ch__vec(H->size1);
    return q;
}

ch_quad *ch_quad_spectrum(const gsl_vector *w)
{
    ch__need_vec("ch_quad_spectrum", "w", w);
    ch_quad *q = ch__xmalloc(sizeof *q);
    q->H = ch_mat_with_eig(w);
    q->b = ch__vec(w->size);
    return q;
}

double ch_quad_f(const gsl_vector *x, gsl_vector *grad, void *ctx)
{
    const ch_quad *q = ctx;
    if (!q || !q->H || !q->b)
        ch_fail("ValueError",
                "ch_quad_f: ctx must be a ch_quad * (from ch_quad_new or ch_quad_spectrum)");
    if (!x || x->size != q->H->size1)
        ch_fail("ValueError", "ch_quad_f: x has size %zu, the quadratic has dimension %zu",
                x ? x->size : 0, q->H->size1);
    size_t n = x->size;
    gsl_vector *Hx = grad ? grad : ch__vec(n);
    gsl_blas_dgemv(CblasNoTrans, 1.0, q->H, x, 0.0, Hx);
    double xHx, bx;
    gsl_blas_ddot(x, Hx, &xHx);
    gsl_blas_ddot(q->b, x, &bx);
    if (grad) {
        if (grad->size != n)
            ch_fail("ValueError", "ch_quad_f: grad has size %zu, expected %zu", grad->size, n);
        gsl_vector_sub(grad, q->b);
    } else {
        gsl_vector_free(Hx);
    }
    return 0.5 * xHx - bx;
}

void ch_quad_free(ch_quad **q)
{
    if (!q || !*q)
        return;
    gsl_matrix_free((*q)->H);
    gsl_vector_free((*q)->b);
    free(*q);
    *q = NULL;
}

double ch_rosenbrock(const gsl_vector *x, gsl_vector *grad, void *ctx)
{
    if (!x || x->size < 2)
        ch_fail("ValueError", "ch_rosenbrock: x must have at least 2 coordinates");
    size_t n = x->size;
    double f = 0;
    if (grad)
        gsl_vector_set_zero(grad);
    for (size_t i = 0; i + 1 < n; i++) {
        double a = gsl_vector_get(x, i), b = gsl_vector_get(x, i + 1);
        double u = b - a * a, w = 1 - a;
        f += 100 * u * u + w * w;
        if (grad) {
            gsl_vector_set(grad, i, gsl_vector_get(grad, i) - 400 * a * u - 2 * w);
            gsl_vector_set(grad, i + 1, gsl_vector_get(grad, i + 1) + 200 * u);
        }
    }
    return f;
}
