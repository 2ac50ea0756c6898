#include "simcheck.h"
#include <math.h>

/* Pairwise sums (simcheck.h) of up to three series at once, by a stack of
 * partial sums: term i enters at level 0, and two partial sums of the
 * same level merge, left + right; at the end the lone ones merge with the
 * zeros of the padding (x + 0 is x) and then leftwards. */
typedef struct {
    double v[3][64];
    int level[64];
    int top;
} tree_sum;

static void tree_push(tree_sum *t, double a, double b, double c)
{
    int k = t->top++, lv = 0;
    t->v[0][k] = a, t->v[1][k] = b, t->v[2][k] = c, t->level[k] = 0;
    while (t->top >= 2 && t->level[t->top - 2] == lv) {
        k = t->top - 2;
        for (int s = 0; s < 3; s++)
            t->v[s][k] += t->v[s][k + 1];
        t->level[k] = ++lv;
        t->top--;
    }
}

static void tree_result(tree_sum *t, double out[3])
{
    for (int s = 0; s < 3; s++)
        out[s] = 0.0;
    if (!t->top)
        return;
    double acc[3] = {t->v[0][t->top - 1], t->v[1][t->top - 1], t->v[2][t->top - 1]};
    for (int k = t->top - 2; k >= 0; k--)
        for (int s = 0; s < 3; s++)
            acc[s] = t->v[s][k] + acc[s];
    for (int s = 0; s < 3; s++)
        out[s] = acc[s];
}

/* torch's float32 2-norm of x (or of x - y when y is given) */
static float norm8(const float *x, const float *y, size_t n)
{
    float lane[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) {
            float d = y ? x[i + l] - y[i + l] : x[i + l];
            lane[l] += (float)((double)d * d); /* one rounding, never fused */
        }
    float t = 0.0f;
    for (int l = 0; l < 8; l++)
        t += lane[l];
    for (; i < n; i++) {
        float d = y ? x[i] - y[i] : x[i];
        t += (float)((double)d * d);
    }
    return sqrtf(t);
}

mx_sims mx_sims_of(const float *a, const float *b, size_t n)
{
    mx_sims s;
    tree_sum t;
    t.top = 0;
    float dot = 0.0f;
    for (size_t i = 0; i < n; i++) {
        double x = a[i], y = b[i];
        tree_push(&t, x * x, y * y, x * y);
        dot += (float)(x * y); /* exact: bf16 products fit a float */
    }
    double sum[3], dd;
    tree_result(&t, sum);
    t.top = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        tree_push(&t, d * d, 0.0, 0.0);
    }
    double tmp[3];
    tree_result(&t, tmp);
    dd = tmp[0];
    double na = sqrt(sum[0]), nb = sqrt(sum[1]);
    if (na == 0)
        s.f64 = nb == 0 ? 1.0 : 0.0;
    else
        s.f64 = nb == 0 ? 0.0 : sum[2] / (na * nb) * (1 - sqrt(dd) / na);
    double ta = norm8(a, NULL, n), tb = norm8(b, NULL, n);
    if (ta == 0) {
        s.torch32 = tb == 0 ? 1.0 : 0.0;
    } else {
        double cos = tb == 0 ? 0.0 : (double)(dot / (float)(ta * tb));
        s.torch32 = cos * (1 - (double)norm8(a, b, n) / ta);
    }
    return s;
}
