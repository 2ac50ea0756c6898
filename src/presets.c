#include "presets.h"

const char *const mx_default_batch_specs[] = {
    "zstd:19",
    "lz4hc:9",
    "brotli:9",
    "bytesplit|zstd:19",
    "expsplit|zstd:19",
    "shuffle|zstd:19",
    "bitshuffle|zstd:19",
    "transpose,bytesplit|zstd:19",
    "bytesplit,delta:cols|zstd:19",
    "bytesplit,xor:rows|zstd:19",
    "zeromask,bytesplit|zstd:19",
    "expsplit|lz4hc:9",
    "trunc:3,bytesplit|zstd:19",
    "q8:rows|zstd:19",
};
const size_t mx_default_batch_count =
    sizeof mx_default_batch_specs / sizeof mx_default_batch_specs[0];
