#include "presets.h"
#include "../codecs/metrics.h"

/* bfdelta is the coder; zstd:3 covers what it misses (short patterns that
 * repeat within a row, constant matrices) and makes sure auto:max never
 * loses to the competition baseline by more than our header; bflr wins
 * where rows share a few directions rather than repeat (Llama-style
 * activations: 12% over bfdelta). All have a numpy twin, so auto:max
 * exports too. */
const char *const mx_auto_candidates[] = {
    "bfdelta", "zstd:3", "bflr",
};
const size_t mx_auto_count = sizeof mx_auto_candidates / sizeof mx_auto_candidates[0];

const char *const mx_default_batch_specs[] = {
    "auto",
    "auto:max",
    "bfdelta",
    "bfctx",
    "bfxor",
    "expsplit|rans",
    "zstd:9",
    "lz4hc:9",
    "brotli:6",
    "bytesplit|zstd:9",
    "expsplit|zstd:9",
    "expsplit|brotli:9",
    "shuffle|zstd:9",
    "bitshuffle|zstd:9",
    "transpose,expsplit|zstd:9",
    "bytesplit,delta:cols|zstd:9",
    "bytesplit,xor:rows|zstd:9",
    "zeromask,expsplit|zstd:9",
    "expsplit|lz4hc:9",
    "trunc:3,expsplit|zstd:9",
    "q8:rows|zstd:9",
    "qsim:0.99|zstd:9",
    "quant:sim=0.99",
    "quantlr:sim=0.99", /* the lossy rules' winner, and it exports */
};
const size_t mx_default_batch_count =
    sizeof mx_default_batch_specs / sizeof mx_default_batch_specs[0];

double mx_default_min_similarity(int rules)
{
    return rules == MX_RULES_LOSSY ? MX_LOSSY_MIN_SIMILARITY : 1.0;
}
