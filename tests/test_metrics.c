/* Scoring against values worked out by hand (python: math only). */
#include "../codecs/metrics.h"
#include "check.h"

int main(void)
{
    /* a = [1,2,3], b = [1,2,2]: dot 11, |a| sqrt(14), |b| 3, |a-b| 1 */
    double a[] = {1, 2, 3}, b[] = {1, 2, 2};
    mx_similarity s = mx_similarity_f64(a, b, 3);
    CHECK_NEAR(s.cosine, 0.9799578870122228, 1e-15);
    CHECK_NEAR(s.norm_sim, 0.7327387580875756, 1e-15);
    CHECK_NEAR(s.similarity, 0.7180531251074608, 1e-15);

    /* the same through bf16 bits: 1.0, 2.0, 3.0 and 1.0, 2.0, 2.0 */
    uint16_t ha[] = {0x3f80, 0x4000, 0x4040}, hb[] = {0x3f80, 0x4000, 0x4000};
    s = mx_similarity_bf16(ha, hb, 3);
    CHECK_NEAR(s.similarity, 0.7180531251074608, 1e-15);

    /* identical vectors: exactly 1 */
    s = mx_similarity_bf16(ha, ha, 3);
    CHECK(s.similarity == 1.0 && s.norm_sim == 1.0, "identical: %.17g", s.similarity);

    /* both norms zero -> 1.0; only one zero -> 0.0 */
    double z[] = {0, 0, 0};
    s = mx_similarity_f64(z, z, 3);
    CHECK(s.similarity == 1.0, "both zero: %.17g", s.similarity);
    s = mx_similarity_f64(z, a, 3);
    CHECK(s.similarity == 0.0, "a zero: %.17g", s.similarity);
    s = mx_similarity_f64(a, z, 3);
    CHECK(s.similarity == 0.0, "b zero: %.17g", s.similarity);
    /* -0 has zero norm too */
    uint16_t nz[] = {0x8000, 0x0000, 0x8000};
    s = mx_similarity_bf16(nz, nz, 3);
    CHECK(s.similarity == 1.0, "-0 vs -0: %.17g", s.similarity);
    /* empty vectors: both norms zero */
    s = mx_similarity_f64(a, b, 0);
    CHECK(s.similarity == 1.0, "empty: %.17g", s.similarity);
    /* opposite vectors: cosine -1, norm_sim 1 - 2 = -1, similarity +1 */
    double na[] = {-1, -2, -3};
    s = mx_similarity_f64(a, na, 3);
    CHECK_NEAR(s.cosine, -1.0, 1e-15);
    CHECK_NEAR(s.norm_sim, -1.0, 1e-15);

    /* raw = (30 - 0.5) + 1000*1 + 1e6*2 */
    double raw = mx_raw_score(0.5, 1.0, 2.0);
    CHECK(raw == 2001029.5, "raw %.17g", raw);
    CHECK_NEAR(mx_normalized_score(raw), 0.5007721243862364, 1e-14);
    CHECK(mx_normalized_score(2000000.0) == 0.5, "midpoint");
    CHECK_NEAR(mx_raw_score(30.0, 0.0, 0.0), 0.0, 0);

    /* sigmoid inversion: a dashboard value (7 decimals) and round trips */
    CHECK_NEAR(mx_raw_from_normalized(0.1224645), 1343567.9272351007, 1e-12);
    for (double r = 1e6; r <= 4e6; r += 250000.0)
        CHECK_NEAR(mx_raw_from_normalized(mx_normalized_score(r)), r, 1e-9);

    /* the 1% margin, both sides of it */
    CHECK(mx_beats(101.0, 100.0), "exactly 1.01x beats");
    CHECK(!mx_beats(100.99, 100.0), "just under 1.01x does not");
    CHECK(!mx_beats(100.0, 100.0), "a tie does not");
    /* the later rule sets: lossless (1-c)(1-t/1.012) if exact; lossy 1-c if
     * similarity > threshold; both clipped to [0,1] */
    CHECK_NEAR(mx_score_lossless(0.5, 0.1012, 1), 0.45, 1e-15);
    CHECK(mx_score_lossless(0.5, 0.1012, 0) == 0.0, "lossless needs bit-exact");
    CHECK(mx_score_lossless(1.2, 0.0, 1) == 0.0, "expansion clips to 0");
    CHECK(mx_score_lossless(0.5, 2.0, 1) == 0.0, "t > 1.012 s clips to 0");
    CHECK_NEAR(mx_score_lossless(0.0, 0.0, 1), 1.0, 0);
    CHECK_NEAR(mx_score_lossy(0.25, 0.995, 0.99), 0.75, 1e-15);
    CHECK(mx_score_lossy(0.25, 0.99, 0.99) == 0.0, "similarity must be strictly above");
    CHECK(mx_score_lossy(1.5, 1.0, 0.99) == 0.0, "expansion clips to 0");
    CHECK(mx_rules_parse("seed") == MX_RULES_SEED && mx_rules_parse("lossless") == MX_RULES_LOSSLESS &&
              mx_rules_parse("lossy") == MX_RULES_LOSSY && mx_rules_parse("x") == -1,
          "rules names");
    /* float32 as baseline.py's _validate computes it, values from real
     * torch 1.13 (AVX2, reference BLAS) */
    {
        uint16_t fa[] = {0x3f80, 0x4000, 0x4040}, fb[] = {0x3f80, 0x4000, 0x4000};
        mx_similarity f = mx_similarity_f32(fa, fb, 3);
        CHECK(f.cosine == 0.9799578189849854, "f32 cosine %.17g", f.cosine);
        CHECK(f.norm_sim == 0.7327387658536265, "f32 norm_sim %.17g", f.norm_sim);
        CHECK(f.similarity == 0.7180530828716697, "f32 similarity %.17g", f.similarity);
        /* 2^24 then twenty 1s against twenty-one 1s: the sequential float32
         * dot loses every 1 (2^24 + 1 rounds back to 2^24) */
        uint16_t xa[21], xb[21];
        xa[0] = 0x4b80;
        xb[0] = 0x3f80;
        for (int i = 1; i < 21; i++)
            xa[i] = xb[i] = 0x3f80;
        f = mx_similarity_f32(xa, xb, 21);
        mx_similarity d = mx_similarity_bf16(xa, xb, 21);
        CHECK(f.cosine == 0.2182178795337677, "f32 cosine %.17g", f.cosine);
        CHECK(f.similarity == 1.3006799193249208e-08, "f32 similarity %.17g", f.similarity);
        CHECK_NEAR(d.similarity, 1.3006823089130797e-08, 1e-15);
        CHECK(mx_similarity_lower(xa, xb, 21) == f.similarity, "lower: %.17g",
              mx_similarity_lower(xa, xb, 21));
        /* identical bits are 1, whatever float32 makes of them */
        CHECK(mx_similarity_lower(xa, xa, 21) == 1.0, "lower of identical");
        /* zero norms: both zero 1, |a| zero 0, |b| zero 0 */
        uint16_t z16[] = {0, 0x8000, 0};
        CHECK(mx_similarity_f32(z16, z16, 3).similarity == 1.0, "f32 both zero");
        CHECK(mx_similarity_f32(z16, fa, 3).similarity == 0.0, "f32 a zero");
        CHECK(mx_similarity_f32(fa, z16, 3).similarity == 0.0, "f32 b zero");
        /* more than one lane's worth: 8 lanes, then the tail */
        uint16_t la[19], lb[19];
        for (int i = 0; i < 19; i++) {
            la[i] = (uint16_t)(0x3f80 + 3 * i);
            lb[i] = (uint16_t)(0x3f80 + 3 * i + (i % 3));
        }
        f = mx_similarity_f32(la, lb, 19);
        CHECK(f.similarity == 0.9919245467792956, "f32 19 values: %.17g", f.similarity);
    }
    return check_exit("test_metrics");
}
