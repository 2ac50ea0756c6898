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
#endif
