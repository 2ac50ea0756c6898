/* simcheck.h - the competition's similarity, cos(a,b) * (1 - |a-b| / |a|),
 * computed the two ways a lossy coder must satisfy, and deterministically,
 * so that its numpy twin (src/export/quant.py) makes the same decisions:
 *
 *   f64      in double: every sum pairwise, as if the n terms were padded
 *            with zeros to a power of two and added in adjacent pairs,
 *            level by level
 *   torch32  as baseline.py's _validate computes it with Debian's torch
 *            (1.13, one thread): torch.dot sums a*b in float, one term after
 *            the other; torch.linalg.norm sums squares in float on eight
 *            lanes (term i on lane i % 8), then adds the lanes in order and
 *            the last n % 8 squares one after the other; the cosine is a
 *            float division. Other builds (MKL, more lanes) sum more
 *            accurately and land between the two.
 *
 * Both follow baseline.py for zero norms: |a| = 0 gives 1 when |b| = 0,
 * else 0; |b| = 0 alone gives 0. Internal to codecs/. */
#ifndef MX_SIMCHECK_H
#define MX_SIMCHECK_H
#include <stddef.h>

typedef struct {
    double f64, torch32;
} mx_sims;

/* a and b: n finite floats (bf16 values widened) */
mx_sims mx_sims_of(const float *a, const float *b, size_t n);
#endif
