/* metrics.h - the Apex Matrix Compression scoring, reproduced exactly.
 *
 * For original values a and decoded values b (bf16 widened to double):
 *   cosine     = dot(a,b) / (|a| |b|)
 *   norm_sim   = 1 - |a-b| / |a|
 *   similarity = cosine * norm_sim   (both norms 0 -> 1.0, only one -> 0.0)
 *   raw        = 1*(30 - task_time) + 1000*similarity + 1e6*ratio
 *   normalized = 1 / (1 + exp(-0.003 * (raw/1000 - 2000)))
 * A challenger beats a score when its raw score >= 1.01 x that raw score. */
#ifndef MX_METRICS_H
#define MX_METRICS_H
#include <stddef.h>
#include <stdint.h>

/* Also defined by the public header (src/mxbench.h), as mxerr.h's
 * mx_error is; tests/test_api.c checks that the two agree. */
#ifndef MX_SIMILARITY_TYPE_DEFINED
#define MX_SIMILARITY_TYPE_DEFINED
typedef struct {
    double cosine, norm_sim, similarity;
} mx_similarity;
#endif

mx_similarity mx_similarity_bf16(const uint16_t *a, const uint16_t *b, size_t n);
/* The same on doubles, for tests and anything not bf16. */
mx_similarity mx_similarity_f64(const double *a, const double *b, size_t n);

/* The similarity as the competition's own check computes it: baseline.py's
 * _validate widens both to float32 torch tensors (exact for bf16) and takes
 *   dot = torch.dot(a, b)        BLAS sdot: with the reference BLAS that
 *                                Debian's python3-torch uses, a sequential
 *                                float32 sum of float32 products
 *   |x| = torch.linalg.norm(x)   float32, 8 lanes (AVX2 build): lane j sums
 *                                x[i]^2 for i = j mod 8 below n - n%8, the
 *                                lanes are added in order, then the tail
 *                                in order, then sqrtf
 *   cosine = float32(dot) / float32(|a| |b|)   (the product in double)
 *   norm_sim = 1 - |a-b| / |a|   (a-b in float32, the rest in double)
 * and the same zero-norm rules. This reproduces torch 1.13 on an AVX2 CPU
 * bit for bit (tests/torch.sh checks it against real torch).
 *
 * How far from float64: a float32 sum of n terms can be off by
 * (n-1) 2^-24 times the sum of their magnitudes (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., eq. 4.4): 6% at a million
 * terms, so nothing useful is guaranteed. In practice the errors partly
 * cancel: over the 140 quant:sim=0.99 and qsim:0.99 outputs of ../shared
 * the float32 similarity was within 8.3e-4 of float64 (below it by up to
 * 8.3e-4, above by up to 7.6e-4), the sequential dot being the main
 * source; torch builds that sum the dot in vector lanes (MKL's sdot,
 * 16-lane AVX-512 norms) stayed within 1.3e-4. So a lossy result near a
 * threshold must be judged both ways: mx_similarity_lower. */
mx_similarity mx_similarity_f32(const uint16_t *a, const uint16_t *b, size_t n);
/* min(float64, float32) similarity: what the lossy rules, --min-similarity
 * and the similarity targets of quant:sim=T and qsim:T go by. Identical
 * inputs give exactly 1. */
double mx_similarity_lower(const uint16_t *a, const uint16_t *b, size_t n);

double mx_raw_score(double task_time_s, double similarity, double ratio);
double mx_normalized_score(double raw);
/* Inverse of mx_normalized_score; n must be in (0, 1). */
double mx_raw_from_normalized(double n);
/* 1 when raw beats the score to beat by the competition's 1% margin. */
int mx_beats(double raw, double raw_to_beat);

/* The competition's later rule sets (c = compressed / original size,
 * t = compress + decompress seconds), both clipped to [0, 1]:
 *   lossless: (1 - c) * (1 - t/1.012), and 0 unless the round trip is exact
 *   lossy:    1 - c, and 0 unless similarity > threshold (default 0.99) */
typedef enum { MX_RULES_SEED = 0, MX_RULES_LOSSLESS, MX_RULES_LOSSY } mx_rules;
double mx_score_lossless(double c, double t, int exact);
double mx_score_lossy(double c, double similarity, double threshold);
/* "seed", "lossless" or "lossy" -> rules; -1 if unknown. */
int mx_rules_parse(const char *name);
const char *mx_rules_name(mx_rules r);
#endif
