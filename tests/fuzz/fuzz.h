/* fuzz.h - every fuzz target defines LLVMFuzzerTestOneInput. Built with
 * clang -fsanitize=fuzzer by `make fuzz`, and with replay_main.c by
 * `make check`, which runs every file of tests/fuzz/corpus/<target>/
 * (seeds plus every crash ever found) through it under ASan/UBSan. */
#ifndef MX_FUZZ_H
#define MX_FUZZ_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
