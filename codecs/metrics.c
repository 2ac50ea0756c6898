#include "metrics.h"
#include <math.h>
#include <string.h>
#include "bf16.h"

#define RAW_TIME_BASE 30.0
#define W_TIME 1.0
#define W_SIM 1000.0
#define W_RATIO 1000000.0
#define SIGMOID_K 0.003
#define SIGMOID_MID 2000.0
#define BEAT_MARGIN 1.01

static mx_similarity finish(double dot, double na2, double nb2, double nd2)
{
    mx_similarity s;
    double na = sqrt(na2), nb = sqrt(nb2), nd = sqrt(nd2);
    if (na == 0.0 && nb == 0.0) {
        s.cosine = s.norm_sim = s.similarity = 1.0;
    } else if (na == 0.0 || nb == 0.0) {
        s.cosine = 0.0;
        s.norm_sim = na == 0.0 ? 0.0 : 1.0 - nd / na;
        s.similarity = 0.0;
    } else {
        s.cosine = dot / (na * nb);
        s.norm_sim = 1.0 - nd / na;
        s.similarity = s.cosine * s.norm_sim;
    }
    return s;
}

mx_similarity mx_similarity_bf16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double dot = 0, na2 = 0, nb2 = 0, nd2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = mx_bf16_to_float(a[i]), y = mx_bf16_to_float(b[i]), d = x - y;
        dot += x * y;
        na2 += x * x;
        nb2 += y * y;
        nd2 += d * d;
    }
    return finish(dot, na2, nb2, nd2);
}

/* Plain float32 arithmetic, in the order written: no fused multiply-add
 * (torch's kernels multiply, round, then add). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define NORM_LANES 8 /* Vectorized<float> on an AVX2 build of torch */

/* torch.linalg.norm of a float32 vector (x[i] = f(i)), as its vectorised
 * last-dimension kernel sums it. */
static float norm_f32(const uint16_t *a, const uint16_t *b, size_t n, int diff)
{
    float lane[NORM_LANES] = {0};
    size_t i = 0, body = n - n % NORM_LANES;
    for (; i < body; i += NORM_LANES)
        for (size_t j = 0; j < NORM_LANES; j++) {
            float x = mx_bf16_to_float(a[i + j]);
            if (diff)
                x = x - mx_bf16_to_float(b[i + j]);
            float sq = x * x;
            lane[j] = lane[j] + sq;
        }
    float s = lane[0];
    for (size_t j = 1; j < NORM_LANES; j++)
        s = s + lane[j];
    for (; i < n; i++) {
        float x = mx_bf16_to_float(a[i]);
        if (diff)
            x = x - mx_bf16_to_float(b[i]);
        float sq = x * x;
        s = s + sq;
    }
    return sqrtf(s);
}

mx_similarity mx_similarity_f32(const uint16_t *a, const uint16_t *b, size_t n)
{
    float dot = 0.0f; /* the reference BLAS sdot: one float32 sum, in order */
    for (size_t i = 0; i < n; i++) {
        float p = mx_bf16_to_float(a[i]) * mx_bf16_to_float(b[i]);
        dot = dot + p;
    }
    double na = norm_f32(a, NULL, n, 0), nb = norm_f32(b, NULL, n, 0);
    mx_similarity s;
    if (na == 0.0) {
        s.cosine = s.norm_sim = s.similarity = nb == 0.0 ? 1.0 : 0.0;
        return s;
    }
    s.cosine = nb == 0.0 ? 0.0 : (double)(dot / (float)(na * nb));
    s.norm_sim = 1.0 - (double)norm_f32(a, b, n, 1) / na;
    s.similarity = s.cosine * s.norm_sim;
    return s;
}

double mx_similarity_lower(const uint16_t *a, const uint16_t *b, size_t n)
{
    if (n == 0 || memcmp(a, b, n * sizeof *a) == 0)
        return 1.0;
    double s64 = mx_similarity_bf16(a, b, n).similarity;
    double s32 = mx_similarity_f32(a, b, n).similarity;
    /* NaN (NaN/Inf in the values) compares false: it stays the verdict */
    return s32 < s64 || s32 != s32 ? s32 : s64;
}

mx_similarity mx_similarity_f64(const double *a, const double *b, size_t n)
{
    double dot = 0, na2 = 0, nb2 = 0, nd2 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = a[i] - b[i];
        dot += a[i] * b[i];
        na2 += a[i] * a[i];
        nb2 += b[i] * b[i];
        nd2 += d * d;
    }
    return finish(dot, na2, nb2, nd2);
}

double mx_raw_score(double task_time_s, double similarity, double ratio)
{
    return W_TIME * (RAW_TIME_BASE - task_time_s) + W_SIM * similarity + W_RATIO * ratio;
}

double mx_normalized_score(double raw)
{
    return 1.0 / (1.0 + exp(-SIGMOID_K * (raw / 1000.0 - SIGMOID_MID)));
}

double mx_raw_from_normalized(double n)
{
    return 1000.0 * (SIGMOID_MID + log(n / (1.0 - n)) / SIGMOID_K);
}

int mx_beats(double raw, double raw_to_beat)
{
    return raw >= BEAT_MARGIN * raw_to_beat;
}

static double clip01(double x)
{
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

double mx_score_lossless(double c, double t, int exact)
{
    /* each factor clipped: output larger than the input and a run over
     * 1.012 s must not multiply two negatives into a score */
    return exact ? clip01(1.0 - c) * clip01(1.0 - t / 1.012) : 0.0;
}

double mx_score_lossy(double c, double similarity, double threshold)
{
    return similarity > threshold ? clip01(1.0 - c) : 0.0;
}

int mx_rules_parse(const char *name)
{
    if (!strcmp(name, "seed"))
        return MX_RULES_SEED;
    if (!strcmp(name, "lossless"))
        return MX_RULES_LOSSLESS;
    if (!strcmp(name, "lossy"))
        return MX_RULES_LOSSY;
    return -1;
}

const char *mx_rules_name(mx_rules r)
{
    return r == MX_RULES_LOSSLESS ? "lossless" : r == MX_RULES_LOSSY ? "lossy" : "seed";
}
