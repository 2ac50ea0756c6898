/* simd.h - whether to take the vector paths of our coders. Internal to
 * codecs/. Every vector path has a scalar twin that gives the same output;
 * tests compare them. */
#ifndef MX_SIMD_H
#define MX_SIMD_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MX_SIMD_X86 1 /* AVX2 code is compiled (per function, for the CPUs that run it) */
#endif

/* 1 when this CPU runs AVX2 code, unless the environment sets
 * MXBENCH_SIMD=0 (to run, and test, the scalar twins). */
int mx_simd_avx2(void);
/* 1 when this CPU also runs the AVX-512 code of a few hot loops (F, BW, VL
 * and VBMI2: 16 lanes a vector, gathers, expanding loads), unless
 * MXBENCH_SIMD is 0 or avx2 (to run, and test, the AVX2 twins). */
int mx_simd_avx512(void);
/* The widest of those this CPU runs: 2 AVX-512, 1 AVX2, 0 none. */
int mx_simd_level(void);
#define MX_AVX512_TARGET "avx2,popcnt,avx512f,avx512bw,avx512vl,avx512vbmi2"

#ifdef MX_SIMD_X86
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* Table lookups for eight lanes, as AVX2's gathers do them but by eight
 * scalar loads: since the microcode against Downfall (GDS), Intel's
 * gathers cost about 23 cycles for eight, where the loads and their stores
 * take a third of that. (On AMD's Zen 5, AVX2's gathers and these loads
 * run alike, but its AVX-512 gathers of sixteen, with many vectors in
 * flight, beat both: wlanes.h's mx_wl_get_512.) */

/* The 32 bits at base + scale * idx[k] for each lane k. */
__attribute__((target("avx2"))) static inline __m256i mx_load8x32(const void *base, __m256i idx,
                                                                  size_t scale)
{
    uint32_t at[8], v[8];
    _mm256_storeu_si256((__m256i *)(void *)at, idx);
    for (int k = 0; k < 8; k++)
        memcpy(&v[k], (const uint8_t *)base + at[k] * scale, 4);
    return _mm256_loadu_si256((const __m256i *)(const void *)v);
}

/* tab[idx[k]] for each lane k: the low halves in *lo, the high in *hi. */
__attribute__((target("avx2"))) static inline void mx_load8x64(const uint64_t *tab, __m256i idx,
                                                               __m256i *lo, __m256i *hi)
{
    uint32_t at[8], l[8], h[8];
    _mm256_storeu_si256((__m256i *)(void *)at, idx);
    for (int k = 0; k < 8; k++) {
        uint64_t e = tab[at[k]];
        l[k] = (uint32_t)e;
        h[k] = (uint32_t)(e >> 32);
    }
    *lo = _mm256_loadu_si256((const __m256i *)(const void *)l);
    *hi = _mm256_loadu_si256((const __m256i *)(const void *)h);
}
#endif
#endif
