#include "presets.h"

const char *const mx_default_batch_specs[] = {
    "bfctx",
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
};
const size_t mx_default_batch_count =
    sizeof mx_default_batch_specs / sizeof mx_default_batch_specs[0];
